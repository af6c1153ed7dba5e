//! Stream–table join: each stream row looks the table up by its key as the table stands
//! when the row arrives; table changes only update the table and emit nothing.

use std::collections::HashMap;

use datafusion::scalar::ScalarValue;

use super::{JoinedRow, Side, SideRow, keeps_unmatched};
use crate::sql::ast::JoinKind;

pub struct StreamTableJoin {
    join_type: JoinKind,
    /// The table's current rows by key.
    table: HashMap<ScalarValue, Vec<ScalarValue>>,
}

impl StreamTableJoin {
    pub fn new(join_type: JoinKind) -> Self {
        StreamTableJoin {
            join_type,
            table: HashMap::new(),
        }
    }

    pub fn on_row(&mut self, side: Side, row: SideRow, out: &mut Vec<JoinedRow>) {
        if row.key.is_null() {
            return;
        }
        match side {
            Side::Right => {
                if row.tombstone {
                    self.table.remove(&row.key);
                } else {
                    self.table.insert(row.key, row.values);
                }
            }
            Side::Left => {
                // Kafka Streams skips stream records without a value.
                if row.tombstone {
                    return;
                }
                match self.table.get(&row.key) {
                    Some(found) => out.push(JoinedRow::of(side, &row, Some(found), row.timestamp)),
                    None if keeps_unmatched(self.join_type, side) => {
                        out.push(JoinedRow::of(side, &row, None, row.timestamp))
                    }
                    None => {}
                }
            }
        }
    }
}
