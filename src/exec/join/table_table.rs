//! Table–table join on the primary key: a change on either side re-joins its key with the
//! other table's current row, emitting the new joined row or a delete, as Kafka Streams'
//! KTable–KTable joins do. The result's timestamp is the later of the two rows'.

use std::collections::HashMap;

use datafusion::scalar::ScalarValue;

use super::{JoinedRow, Side, SideRow, keeps_unmatched};
use crate::sql::ast::JoinKind;

pub struct TableTableJoin {
    join_type: JoinKind,
    left: HashMap<ScalarValue, (Vec<ScalarValue>, i64)>,
    right: HashMap<ScalarValue, (Vec<ScalarValue>, i64)>,
}

impl TableTableJoin {
    pub fn new(join_type: JoinKind) -> Self {
        TableTableJoin {
            join_type,
            left: HashMap::new(),
            right: HashMap::new(),
        }
    }

    pub fn on_row(&mut self, side: Side, row: SideRow, out: &mut Vec<JoinedRow>) {
        if row.key.is_null() {
            return;
        }
        let (own, other) = match side {
            Side::Left => (&mut self.left, &self.right),
            Side::Right => (&mut self.right, &self.left),
        };
        let existed = if row.tombstone {
            own.remove(&row.key).is_some()
        } else {
            own.insert(row.key.clone(), (row.values.clone(), row.timestamp))
                .is_some()
        };
        let other_row = other.get(&row.key);
        let other_side = match side {
            Side::Left => Side::Right,
            Side::Right => Side::Left,
        };
        match other_row {
            Some((values, timestamp)) => {
                let timestamp = row.timestamp.max(*timestamp);
                if row.tombstone {
                    // The other side alone survives where it is kept unmatched.
                    if keeps_unmatched(self.join_type, other_side) {
                        let mut joined = JoinedRow::of(side, &row, Some(values), timestamp);
                        match side {
                            Side::Left => joined.left = None,
                            Side::Right => joined.right = None,
                        }
                        out.push(joined);
                    } else {
                        out.push(JoinedRow::tombstone(&row, timestamp));
                    }
                } else {
                    out.push(JoinedRow::of(side, &row, Some(values), timestamp));
                }
            }
            None => {
                if !keeps_unmatched(self.join_type, side) {
                    return;
                }
                if row.tombstone {
                    if existed {
                        out.push(JoinedRow::tombstone(&row, row.timestamp));
                    }
                } else {
                    out.push(JoinedRow::of(side, &row, None, row.timestamp));
                }
            }
        }
    }
}
