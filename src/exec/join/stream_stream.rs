//! Stream–stream join within a time window, as Kafka Streams' KStream–KStream join.
//!
//! Each side keeps its rows by key for the window's retention (before + after + grace,
//! measured against the latest time that side has seen). A row joins every row of the
//! other side whose time is within the window around it; the joined row has the later
//! of the two times. A row that finds no match on an outer side is emitted with nulls:
//! at once when the window was declared without GRACE PERIOD (the behaviour before Kafka
//! Streams fixed spurious results), else once its window has closed without a match.

use std::collections::{BTreeMap, HashMap};

use datafusion::scalar::ScalarValue;

use super::{JoinedRow, Side, SideRow, keeps_unmatched};
use crate::plan::join::JoinWindowSpec;
use crate::sql::ast::JoinKind;

pub struct StreamStreamJoin {
    join_type: JoinKind,
    window: JoinWindowSpec,
    left: WindowRows,
    right: WindowRows,
    /// The latest time seen on either side.
    stream_time: i64,
    /// Unmatched outer rows waiting for their window to close, by time, then right rows
    /// before left ones (Kafka Streams' order), then arrival.
    unmatched: BTreeMap<(i64, u8, u64), (Side, SideRow)>,
    arrivals: u64,
}

/// One side's rows within retention.
#[derive(Default)]
struct WindowRows {
    rows: HashMap<ScalarValue, Vec<(i64, u64, Vec<ScalarValue>)>>,
    /// The latest time put into this side.
    observed: i64,
}

impl WindowRows {
    /// Stores a row unless it is already past retention.
    fn put(&mut self, row: &SideRow, arrival: u64, retention: i64) {
        self.observed = self.observed.max(row.timestamp);
        if row.timestamp < self.observed.saturating_sub(retention) {
            return;
        }
        self.rows.entry(row.key.clone()).or_default().push((
            row.timestamp,
            arrival,
            row.values.clone(),
        ));
    }

    /// Rows of `key` with a time in `from..=to` and within retention, oldest first.
    fn fetch(
        &mut self,
        key: &ScalarValue,
        from: i64,
        to: i64,
        retention: i64,
    ) -> Vec<(i64, u64, Vec<ScalarValue>)> {
        let expired_before = self.observed.saturating_sub(retention);
        let Some(rows) = self.rows.get_mut(key) else {
            return Vec::new();
        };
        rows.retain(|(t, _, _)| *t >= expired_before);
        let mut found: Vec<_> = rows
            .iter()
            .filter(|(t, _, _)| (from..=to).contains(t))
            .cloned()
            .collect();
        found.sort_by_key(|(t, arrival, _)| (*t, *arrival));
        found
    }
}

impl StreamStreamJoin {
    pub fn new(join_type: JoinKind, window: JoinWindowSpec) -> Self {
        StreamStreamJoin {
            join_type,
            window,
            left: WindowRows {
                observed: i64::MIN,
                ..Default::default()
            },
            right: WindowRows {
                observed: i64::MIN,
                ..Default::default()
            },
            stream_time: i64::MIN,
            unmatched: BTreeMap::new(),
            arrivals: 0,
        }
    }

    fn retention(&self) -> i64 {
        self.window.before_ms + self.window.after_ms + self.window.grace_ms
    }

    /// How far before and after a row of `side` the other side's rows may be.
    fn bounds(&self, side: Side) -> (i64, i64) {
        match side {
            Side::Left => (self.window.before_ms, self.window.after_ms),
            Side::Right => (self.window.after_ms, self.window.before_ms),
        }
    }

    pub fn on_row(&mut self, side: Side, row: SideRow, out: &mut Vec<JoinedRow>) {
        // Kafka Streams skips records without a key or a value.
        if row.key.is_null() || row.tombstone {
            return;
        }
        let retention = self.retention();
        let arrival = self.arrivals;
        self.arrivals += 1;
        let (before, after) = self.bounds(side);
        let from = row.timestamp.saturating_sub(before).max(0);
        let to = row.timestamp.saturating_add(after).max(0);
        self.stream_time = self.stream_time.max(row.timestamp);
        match side {
            Side::Left => self.left.put(&row, arrival, retention),
            Side::Right => self.right.put(&row, arrival, retention),
        }
        if self.window.delays_unmatched && row.timestamp == self.stream_time {
            self.emit_closed(after, out);
        }
        let other = match side {
            Side::Left => &mut self.right,
            Side::Right => &mut self.left,
        };
        let matches = other.fetch(&row.key, from, to, retention);
        for (timestamp, other_arrival, values) in &matches {
            let other_side = match side {
                Side::Left => Side::Right,
                Side::Right => Side::Left,
            };
            self.unmatched
                .remove(&(*timestamp, side_rank(other_side), *other_arrival));
            out.push(JoinedRow::of(
                side,
                &row,
                Some(values),
                row.timestamp.max(*timestamp),
            ));
        }
        if matches.is_empty() && keeps_unmatched(self.join_type, side) {
            if !self.window.delays_unmatched || to < self.stream_time {
                out.push(JoinedRow::of(side, &row, None, row.timestamp));
            } else {
                self.unmatched
                    .insert((row.timestamp, side_rank(side), arrival), (side, row));
            }
        }
    }

    /// Emits, with nulls, the waiting rows whose window closed; `after` is the window's
    /// extent after a row on the side that triggered this.
    fn emit_closed(&mut self, after: i64, out: &mut Vec<JoinedRow>) {
        let grace = self.window.grace_ms;
        while let Some(entry) = self.unmatched.first_entry() {
            let (timestamp, _, _) = *entry.key();
            if timestamp.saturating_add(after).saturating_add(grace) >= self.stream_time {
                break;
            }
            let (side, row) = entry.remove();
            out.push(JoinedRow::of(side, &row, None, timestamp));
        }
    }
}

fn side_rank(side: Side) -> u8 {
    match side {
        Side::Right => 0,
        Side::Left => 1,
    }
}
