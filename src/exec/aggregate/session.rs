//! SESSION windows of a windowed aggregation: a key's rows that follow each other within the
//! inactivity gap form one session, from the first row's ROWTIME to the last one's.
//!
//! As Kafka Streams' session aggregation does, a row opens a session of its own, then merges
//! every session of its key that ends no more than the gap before it or starts no more than
//! the gap after it: their aggregates are merged (`Accumulator::merge`, earliest session
//! first), the merged sessions are removed (a tombstone each, timestamped at its end) and the
//! merged session is emitted with the row folded in, timestamped at its end. A row whose
//! merged session ends before stream time minus grace minus gap is late and dropped; sessions
//! ending more than the retention before stream time expire from the store.
//!
//! EMIT FINAL (Kafka Streams' suppress until the window closes, which waits grace + gap for a
//! session): nothing is emitted as rows come; a session is emitted once, with its final
//! aggregate, when stream time minus grace minus gap reaches its end. Sessions merged away
//! are never emitted.

use crate::state::session::Session;

/// The windows of a SESSION aggregation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionWindows {
    /// The inactivity gap: rows further apart start separate sessions.
    pub gap_ms: i64,
    pub grace_ms: i64,
    /// How long behind stream time the store keeps sessions, by their end: RETENTION, and
    /// never less than gap + grace.
    pub retention_ms: i64,
    /// EMIT FINAL: a session is emitted once, when it closes.
    pub emit_final: bool,
}

impl SessionWindows {
    /// The range a row at `timestamp` looks for sessions to merge in: sessions ending at or
    /// after the first bound and starting at or before the second.
    pub fn merge_range(&self, timestamp: i64) -> (i64, i64) {
        (
            timestamp.saturating_sub(self.gap_ms),
            timestamp.saturating_add(self.gap_ms),
        )
    }

    /// At stream time `now`, sessions ending before this take no more rows, and EMIT FINAL
    /// emits those ending at or before it.
    pub fn close_time(&self, now: i64) -> i64 {
        now.saturating_sub(self.grace_ms)
            .saturating_sub(self.gap_ms)
    }
}

/// The smallest session covering both.
pub fn union(a: Session, b: Session) -> Session {
    Session {
        start: a.start.min(b.start),
        end: a.end.max(b.end),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_close_grace_and_gap_behind_stream_time() {
        let windows = SessionWindows {
            gap_ms: 30_000,
            grace_ms: 60_000,
            retention_ms: 90_000,
            emit_final: false,
        };
        assert_eq!(windows.close_time(100_010), 10_010);
        assert_eq!(windows.merge_range(700), (-29_300, 30_700));
        let merged = union(
            Session { start: 0, end: 0 },
            Session {
                start: 1_500,
                end: 1_500,
            },
        );
        assert_eq!(
            merged,
            Session {
                start: 0,
                end: 1_500
            }
        );
    }
}
