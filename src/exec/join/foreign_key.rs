//! Foreign-key table–table join: each left row joins the right row whose primary key is
//! the left row's foreign key, and the result is keyed by the left row's primary key, as
//! Kafka Streams' KTable foreign-key join.
//!
//! A left change re-joins that row (a left row with no match is emitted with nulls by a
//! LEFT join, and deletes its key in an INNER join if the row existed before); a right
//! change re-joins every left row that references it, in key order; deleting a left row
//! deletes its key. The joined row's time is the later of the two rows'.

use std::collections::{BTreeSet, HashMap};

use datafusion::scalar::ScalarValue;

use super::{JoinedRow, Side, SideRow};
use crate::sql::ast::JoinKind;

pub struct ForeignKeyJoin {
    join_type: JoinKind,
    /// Where the left table's primary key sits among a left row's values.
    key_positions: Vec<usize>,
    /// Left rows by primary key, with their foreign key.
    left: HashMap<Vec<ScalarValue>, LeftRow>,
    /// The left rows that reference each right key.
    references: HashMap<ScalarValue, BTreeSet<OrderedKey>>,
    right: HashMap<ScalarValue, (Vec<ScalarValue>, i64)>,
}

struct LeftRow {
    foreign_key: ScalarValue,
    row: SideRow,
}

/// A left primary key, ordered as its values compare (Kafka Streams scans references in
/// key order).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct OrderedKey(Vec<ScalarValue>);

impl PartialOrd for OrderedKey {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for OrderedKey {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0
            .iter()
            .zip(&other.0)
            .map(|(a, b)| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal))
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    }
}

impl ForeignKeyJoin {
    pub fn new(join_type: JoinKind, key_positions: Vec<usize>) -> Self {
        ForeignKeyJoin {
            join_type,
            key_positions,
            left: HashMap::new(),
            references: HashMap::new(),
            right: HashMap::new(),
        }
    }

    pub fn on_row(&mut self, side: Side, row: SideRow, out: &mut Vec<JoinedRow>) {
        match side {
            Side::Left => self.on_left(row, out),
            Side::Right => self.on_right(row, out),
        }
    }

    fn primary_key(&self, row: &SideRow) -> Vec<ScalarValue> {
        self.key_positions
            .iter()
            .map(|&i| row.values[i].clone())
            .collect()
    }

    fn on_left(&mut self, row: SideRow, out: &mut Vec<JoinedRow>) {
        let key = self.primary_key(&row);
        let previous = self.left.remove(&key);
        if let Some(previous) = &previous
            && let Some(referencing) = self.references.get_mut(&previous.foreign_key)
        {
            referencing.remove(&OrderedKey(key.clone()));
        }
        if row.tombstone {
            if let Some(previous) = previous {
                out.push(deleted(&previous.row, row.timestamp));
            }
            return;
        }
        let foreign_key = row.key.clone();
        if !foreign_key.is_null() {
            self.references
                .entry(foreign_key.clone())
                .or_default()
                .insert(OrderedKey(key.clone()));
        }
        match self
            .right
            .get(&foreign_key)
            .filter(|_| !foreign_key.is_null())
        {
            Some((values, timestamp)) => out.push(JoinedRow::of(
                Side::Left,
                &row,
                Some(values),
                row.timestamp.max(*timestamp),
            )),
            None if self.join_type == JoinKind::Left => {
                out.push(JoinedRow::of(Side::Left, &row, None, row.timestamp))
            }
            None if previous.is_some() => out.push(deleted(&row, row.timestamp)),
            None => {}
        }
        self.left.insert(key, LeftRow { foreign_key, row });
    }

    fn on_right(&mut self, row: SideRow, out: &mut Vec<JoinedRow>) {
        if row.key.is_null() {
            return;
        }
        if row.tombstone {
            self.right.remove(&row.key);
        } else {
            self.right
                .insert(row.key.clone(), (row.values.clone(), row.timestamp));
        }
        let Some(referencing) = self.references.get(&row.key) else {
            return;
        };
        for key in referencing {
            let Some(left) = self.left.get(&key.0) else {
                continue;
            };
            let timestamp = row.timestamp.max(left.row.timestamp);
            if row.tombstone {
                if self.join_type == JoinKind::Left {
                    out.push(JoinedRow::of(Side::Left, &left.row, None, timestamp));
                } else {
                    out.push(deleted(&left.row, timestamp));
                }
            } else {
                out.push(JoinedRow::of(
                    Side::Left,
                    &left.row,
                    Some(&row.values),
                    timestamp,
                ));
            }
        }
    }
}

/// A delete of a left row's key: its values stay so that the key columns can be read.
fn deleted(left: &SideRow, timestamp: i64) -> JoinedRow {
    JoinedRow {
        left: Some(left.values.clone()),
        ..JoinedRow::tombstone(left, timestamp)
    }
}
