//! Time windows of a windowed aggregation (TUMBLING, HOPPING): the windows a record falls
//! in, stream time and grace (late records), and which windows EMIT FINAL may emit.
//!
//! Windows start at multiples of the advance (the size, for tumbling windows), never before
//! 0, as Kafka Streams aligns them. Stream time is the largest ROWTIME the aggregation has
//! seen; a record whose window ends at or before stream time minus grace is late: that window
//! is closed and the record is dropped from it.

use serde::{Deserialize, Serialize};

use super::function::write_integer;

/// ksqlDB's grace period when a windowed aggregation states none.
pub const DEFAULT_GRACE_MS: i64 = 24 * 60 * 60 * 1000;

/// The windows of a TUMBLING (advance = size) or HOPPING aggregation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeWindows {
    pub size_ms: i64,
    pub advance_ms: i64,
    pub grace_ms: i64,
    /// How long behind the newest window the store keeps windows: RETENTION, and never less
    /// than size + grace, the time a window stays open.
    pub retention_ms: i64,
    /// EMIT FINAL: a window is emitted once, when it closes, instead of on every update.
    pub emit_final: bool,
}

impl TimeWindows {
    /// The starts of the windows holding `timestamp`, earliest first. A negative timestamp
    /// falls in none (Kafka Streams drops such records).
    pub fn starts(&self, timestamp: i64) -> impl Iterator<Item = i64> + use<> {
        let advance = self.advance_ms.max(1);
        let earliest = timestamp
            .saturating_sub(self.size_ms)
            .saturating_add(advance)
            .max(0);
        let first = earliest / advance * advance;
        std::iter::successors(Some(first), move |start| start.checked_add(advance))
            .take_while(move |start| *start <= timestamp)
    }

    pub fn end(&self, start: i64) -> i64 {
        start.saturating_add(self.size_ms)
    }
}

/// Stream time of a windowed aggregation, and how far EMIT FINAL has emitted. Both are
/// state: they go to the changelog with the windows they govern.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowClock {
    /// The largest ROWTIME seen; `None` before the first record.
    pub stream_time: Option<i64>,
    /// EMIT FINAL: the close time (stream time − grace) at the last emission.
    pub last_final_close: Option<i64>,
}

impl WindowClock {
    /// Appends the clock to `out` as the JSON its `Serialize` writes, for the changelog.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        let field = |out: &mut Vec<u8>, value: Option<i64>| match value {
            Some(value) => write_integer(out, value),
            None => out.extend_from_slice(b"null"),
        };
        out.extend_from_slice(b"{\"stream_time\":");
        field(out, self.stream_time);
        out.extend_from_slice(b",\"last_final_close\":");
        field(out, self.last_final_close);
        out.push(b'}');
    }

    /// Moves stream time to `timestamp` if it is later; returns the close time: windows
    /// ending at or before it are closed.
    pub fn advance(&mut self, timestamp: i64, windows: &TimeWindows) -> i64 {
        let now = self.stream_time.map_or(timestamp, |t| t.max(timestamp));
        self.stream_time = Some(now);
        now.saturating_sub(windows.grace_ms)
    }

    /// EMIT FINAL: the range of window starts (inclusive) whose windows have closed since
    /// the last emission, if any; the emission is recorded.
    ///
    /// ksqlDB (Kafka Streams' emit-on-window-close): windows are looked for only when the
    /// close time has moved, and among the windows the store still keeps, so a window that
    /// fell out of retention before it could be emitted never is.
    pub fn closed_since_last_emit(&mut self, windows: &TimeWindows) -> Option<(i64, i64)> {
        let close = self.stream_time?.saturating_sub(windows.grace_ms);
        if self.last_final_close.is_some_and(|last| last >= close) {
            return None;
        }
        let upper = close.saturating_sub(windows.size_ms);
        if upper < 0 {
            return None;
        }
        let lower = self.last_final_close.map_or(0, |last| {
            last.saturating_sub(windows.size_ms)
                .saturating_add(1)
                .max(0)
        });
        self.last_final_close = Some(close);
        Some((lower, upper))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn windows(size_ms: i64, advance_ms: i64, grace_ms: i64) -> TimeWindows {
        TimeWindows {
            size_ms,
            advance_ms,
            grace_ms,
            retention_ms: size_ms + grace_ms,
            emit_final: true,
        }
    }

    #[test]
    fn tumbling_and_hopping_starts() {
        let tumbling = windows(30_000, 30_000, 0);
        assert_eq!(tumbling.starts(89_999).collect::<Vec<_>>(), vec![60_000]);
        assert_eq!(tumbling.starts(0).collect::<Vec<_>>(), vec![0]);
        let hopping = windows(5_000, 1_000, 0);
        assert_eq!(
            hopping.starts(10_345).collect::<Vec<_>>(),
            vec![6_000, 7_000, 8_000, 9_000, 10_000]
        );
        // No window starts before 0.
        let early = windows(30_000, 15_000, 0);
        assert_eq!(early.starts(10_009).collect::<Vec<_>>(), vec![0]);
        assert_eq!(early.starts(-5).count(), 0);
        assert_eq!(early.starts(i64::MIN).count(), 0);
        assert_eq!(
            early.starts(i64::MAX).count(),
            2,
            "no overflow at the end of time"
        );
    }

    #[test]
    fn closes_windows_grace_after_their_end() {
        let w = windows(30_000, 30_000, 60_000);
        let mut clock = WindowClock::default();
        let close = clock.advance(89_999, &w);
        assert!(w.end(0) > close, "0-30s is still open");
        let close = clock.advance(90_000, &w);
        assert!(w.end(0) <= close, "0-30s closes at 90s");
        // An earlier record does not move stream time back.
        assert_eq!(clock.advance(10, &w), close);
    }

    #[test]
    fn final_emission_ranges_do_not_overlap() {
        let w = windows(5, 2, 1);
        let mut clock = WindowClock::default();
        clock.advance(2, &w);
        assert_eq!(clock.closed_since_last_emit(&w), None, "nothing closed yet");
        clock.advance(6, &w);
        assert_eq!(clock.closed_since_last_emit(&w), Some((0, 0)));
        assert_eq!(
            clock.closed_since_last_emit(&w),
            None,
            "close time did not move"
        );
        clock.advance(10, &w);
        assert_eq!(clock.closed_since_last_emit(&w), Some((1, 4)));
    }

    #[test]
    fn clock_json_is_its_serialization() {
        for clock in [
            WindowClock::default(),
            WindowClock {
                stream_time: Some(-3),
                last_final_close: Some(1_700_000_000_000),
            },
        ] {
            let mut written = Vec::new();
            clock.write_json(&mut written);
            assert_eq!(written, serde_json::to_vec(&clock).unwrap());
        }
    }
}
