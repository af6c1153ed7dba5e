//! PRINT topic: the raw records of a topic, as ksqlDB's CLI shows them.
//!
//! Like ksqlDB (`RecordFormatter`, `TopicStreamWriter`), PRINT ignores the formats the
//! topic's streams declare. For keys and for values it keeps the formats that could decode
//! every key (value) seen so far, writes each record with the first of them, and prints a
//! `Key format:` / `Value format:` line before the records whenever those lists change.

use std::sync::Arc;

use tokio::sync::mpsc;

use super::{Engine, EngineError, EngineResult, StatementResult};
use crate::log::StoredRecord;

/// How many records PRINT reads from a partition at a time; one read is one batch for
/// format detection, as one consumer poll is in ksqlDB.
const READ_BATCH: usize = 1000;

pub fn print(
    engine: &Arc<Engine>,
    topic: &str,
    from_beginning: bool,
    interval: Option<u64>,
    limit: Option<u64>,
) -> EngineResult<StatementResult> {
    let topics = engine.log.list_topics();
    let topic = topics
        .iter()
        .find(|t| *t == topic)
        .or_else(|| topics.iter().find(|t| t.eq_ignore_ascii_case(topic)))
        .cloned()
        .ok_or_else(|| {
            EngineError::Statement(format!(
                "Could not find topic '{topic}', or the KSQL user does not have permissions to list the topic. Topic names are case-sensitive.\nTo list topics, use 'SHOW TOPICS;'"
            ))
        })?;
    let partitions = engine
        .log
        .topic_config(&topic)
        .map(|c| c.partitions)
        .unwrap_or(1);
    let mut positions = Vec::with_capacity(partitions as usize);
    for partition in 0..partitions {
        positions.push(if from_beginning {
            engine.log.start_offset(&topic, partition)?
        } else {
            engine.log.end_offset(&topic, partition)?
        });
    }
    let mut changes = engine.log.subscribe(&topic)?;
    let (sender, lines) = mpsc::unbounded_channel();
    let log = engine.log.clone();
    let every = interval.unwrap_or(1).max(1);
    let handle = tokio::runtime::Handle::try_current()
        .map_err(|_| EngineError::Statement("PRINT needs a tokio runtime".into()))?;
    handle.spawn(async move {
        let mut formatter = RecordFormatter::new();
        let mut seen = 0u64;
        let mut printed = 0u64;
        loop {
            changes.borrow_and_update();
            let mut any = false;
            for (partition, position) in positions.iter_mut().enumerate() {
                let Ok(records) = log.read(&topic, partition as u32, *position, READ_BATCH) else {
                    return;
                };
                let Some(last) = records.last() else {
                    continue;
                };
                *position = last.offset + 1;
                any = true;
                // ksqlDB: the whole batch is formatted (and narrows the formats) before the
                // INTERVAL and LIMIT pick the records to print.
                let mut output = Vec::new();
                for line in formatter.format_batch(&records) {
                    seen += 1;
                    if (seen - 1).is_multiple_of(every) {
                        output.push(line);
                        printed += 1;
                    }
                    if limit.is_some_and(|l| printed >= l) {
                        break;
                    }
                }
                for line in formatter.format_changes().into_iter().chain(output) {
                    if sender.send(line).is_err() {
                        return;
                    }
                }
                if limit.is_some_and(|l| printed >= l) {
                    return;
                }
            }
            if !any {
                tokio::select! {
                    changed = changes.changed() => if changed.is_err() { return },
                    _ = sender.closed() => return,
                }
            }
        }
    });
    Ok(StatementResult::Print(lines))
}

/// Formats records as ksqlDB's PRINT does, detecting the key and value formats as it goes.
struct RecordFormatter {
    keys: Detector,
    values: Detector,
    /// The key and value format lists last printed; `None` until the first batch.
    printed: Option<(Vec<String>, Vec<String>)>,
}

impl RecordFormatter {
    fn new() -> Self {
        RecordFormatter {
            keys: Detector::new(true),
            values: Detector::new(false),
            printed: None,
        }
    }

    /// One line per record. If a batch rules out the format its first records were written
    /// with, the batch is written again with the format that is left (ksqlDB does the same).
    fn format_batch(&mut self, records: &[StoredRecord]) -> Vec<String> {
        let active = (self.keys.active(), self.values.active());
        let lines: Vec<String> = records.iter().map(|r| self.format_record(r)).collect();
        if (self.keys.active(), self.values.active()) == active {
            lines
        } else {
            records.iter().map(|r| self.format_record(r)).collect()
        }
    }

    fn format_record(&mut self, stored: &StoredRecord) -> String {
        let record = &stored.record;
        format!(
            "rowtime: {}, key: {}, value: {}, partition: {}",
            format_timestamp(record.timestamp),
            self.keys.format(record.key.as_deref()),
            self.values.format(record.value.as_deref()),
            stored.partition
        )
    }

    /// The `Key format:` / `Value format:` lines whose format lists changed since they were
    /// last printed; both on the first call.
    fn format_changes(&mut self) -> Vec<String> {
        let keys = self.keys.possible_formats();
        let values = self.values.possible_formats();
        let (old_keys, old_values) = match &self.printed {
            Some((k, v)) => (Some(k), Some(v)),
            None => (None, None),
        };
        let mut lines = Vec::new();
        if old_keys != Some(&keys) {
            lines.push(format_line("Key format: ", &keys));
        }
        if old_values != Some(&values) {
            lines.push(format_line("Value format: ", &values));
        }
        self.printed = Some((keys, values));
        lines
    }
}

/// `Key format: JSON or KAFKA_STRING`, as ksqlDB's `TopicStreamWriter` writes it.
fn format_line(prefix: &str, formats: &[String]) -> String {
    if formats.is_empty() {
        format!(
            "{prefix} does not match any supported format. It may be a STRING with encoding other than UTF8, or some other format."
        )
    } else {
        format!("{prefix}{}", formats.join(" or "))
    }
}

/// The formats that decoded every key (or every value) seen so far, in ksqlDB's order
/// (`RecordFormatter.Deserializers`). A record is written with the first one left; when none
/// is left, its bytes are written escaped.
struct Detector {
    candidates: Vec<Candidate>,
    /// Whether a non-null key (value) was seen; until then ksqlDB prints a shrug.
    seen_data: bool,
}

impl Detector {
    /// Keys may be windowed: each format is tried as a SESSION, HOPPING and TUMBLING window
    /// key before it is tried as is.
    fn new(keys: bool) -> Self {
        let windows: &[Option<WindowKind>] = if keys {
            &[
                Some(WindowKind::Session),
                Some(WindowKind::Hopping),
                Some(WindowKind::Tumbling),
                None,
            ]
        } else {
            &[None]
        };
        let candidates = Format::ALL
            .iter()
            .flat_map(|&format| {
                windows
                    .iter()
                    .map(move |&window| Candidate { window, format })
            })
            .collect();
        Detector {
            candidates,
            seen_data: false,
        }
    }

    /// The first candidate left, `None` before any data.
    fn active(&self) -> Option<Candidate> {
        if self.seen_data {
            self.candidates.first().copied()
        } else {
            None
        }
    }

    /// Writes one key (value) with the first format that decodes it, dropping every format
    /// that does not.
    fn format(&mut self, bytes: Option<&[u8]>) -> String {
        let Some(bytes) = bytes else {
            return "<null>".into();
        };
        self.seen_data = true;
        let mut first = None;
        self.candidates
            .retain(|candidate| match candidate.decode(bytes) {
                Some(text) => {
                    first.get_or_insert(text);
                    true
                }
                None => false,
            });
        first.unwrap_or_else(|| escape_bytes(bytes))
    }

    fn possible_formats(&self) -> Vec<String> {
        if !self.seen_data {
            return vec!["¯\\_(ツ)_/¯ - no data processed".into()];
        }
        self.candidates.iter().map(Candidate::name).collect()
    }
}

/// A format PRINT tries (ksqlDB: `RecordFormatter.Format`, less AVRO, PROTOBUF and JSON_SR,
/// which need a schema registry and so never decode here).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    KafkaInt,
    KafkaBigint,
    KafkaDouble,
    KafkaString,
}

impl Format {
    const ALL: [Format; 5] = [
        Format::Json,
        Format::KafkaInt,
        Format::KafkaBigint,
        Format::KafkaDouble,
        Format::KafkaString,
    ];

    fn name(self) -> &'static str {
        match self {
            Format::Json => "JSON",
            Format::KafkaInt => "KAFKA_INT",
            Format::KafkaBigint => "KAFKA_BIGINT",
            Format::KafkaDouble => "KAFKA_DOUBLE",
            Format::KafkaString => "KAFKA_STRING",
        }
    }

    /// The bytes as this format's value, written as Java writes it; `None` if they are not
    /// of this format.
    fn decode(self, bytes: &[u8]) -> Option<String> {
        match self {
            Format::Json => {
                let text = utf8_text(bytes)?;
                // ksqlDB (Jackson's `readTree`) checks that a JSON value starts the text, and
                // prints the text itself.
                let mut values =
                    serde_json::Deserializer::from_str(text).into_iter::<serde::de::IgnoredAny>();
                match values.next() {
                    Some(Err(_)) => None,
                    _ => Some(text.to_string()),
                }
            }
            Format::KafkaInt => Some(i32::from_be_bytes(bytes.try_into().ok()?).to_string()),
            Format::KafkaBigint => Some(i64::from_be_bytes(bytes.try_into().ok()?).to_string()),
            Format::KafkaDouble => Some(java_double(f64::from_be_bytes(bytes.try_into().ok()?))),
            Format::KafkaString => utf8_text(bytes).map(str::to_string),
        }
    }
}

/// Non-empty UTF-8 text: ksqlDB decodes with replacement and rejects any U+FFFD.
fn utf8_text(bytes: &[u8]) -> Option<&str> {
    std::str::from_utf8(bytes)
        .ok()
        .filter(|text| !text.is_empty() && !text.contains('\u{FFFD}'))
}

/// ksqlDB's window types, as PRINT tries them on keys (`RecordFormatter.WindowSchema`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WindowKind {
    Session,
    Hopping,
    Tumbling,
}

/// One format PRINT tries, possibly as a window key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Candidate {
    window: Option<WindowKind>,
    format: Format,
}

/// Window bounds are 8-byte big-endian milliseconds after the key bytes.
const WINDOW_BOUND_BYTES: usize = 8;

impl Candidate {
    /// `KAFKA_INT`, or `TUMBLING(KAFKA_INT)` for a window key.
    fn name(&self) -> String {
        let format = self.format.name();
        match self.window {
            None => format.to_string(),
            Some(WindowKind::Session) => format!("SESSION({format})"),
            Some(WindowKind::Hopping) => format!("HOPPING({format})"),
            Some(WindowKind::Tumbling) => format!("TUMBLING({format})"),
        }
    }

    /// Kafka Streams' window keys: the key bytes, then the window start (time windows), or
    /// the window end and start (session windows). Written `[key@start/-]` and
    /// `[key@start/end]`.
    fn decode(&self, bytes: &[u8]) -> Option<String> {
        let Some(window) = self.window else {
            return self.format.decode(bytes);
        };
        // Kafka Streams' windowed deserializers read empty data as null.
        if bytes.is_empty() {
            return Some("<null>".into());
        }
        let bound = |at: usize| {
            bytes
                .get(at..at + WINDOW_BOUND_BYTES)
                .and_then(|b| b.try_into().ok())
                .map(i64::from_be_bytes)
        };
        match window {
            WindowKind::Hopping | WindowKind::Tumbling => {
                let key_len = bytes.len().checked_sub(WINDOW_BOUND_BYTES)?;
                let start = bound(key_len).filter(|s| *s >= 0)?;
                let key = self.format.decode(&bytes[..key_len])?;
                Some(format!("[{key}@{start}/-]"))
            }
            WindowKind::Session => {
                let key_len = bytes.len().checked_sub(2 * WINDOW_BOUND_BYTES)?;
                let end = bound(key_len)?;
                let start =
                    bound(key_len + WINDOW_BOUND_BYTES).filter(|s| (0..=end).contains(s))?;
                let key = self.format.decode(&bytes[..key_len])?;
                Some(format!("[{key}@{start}/{end}]"))
            }
        }
    }
}

/// Bytes no format decodes, as Kafka's `Bytes.toString` writes them: printable ASCII as is,
/// anything else (and the backslash) as `\xHH`.
fn escape_bytes(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| {
            if (b' '..=b'~').contains(&b) && b != b'\\' {
                char::from(b).to_string()
            } else {
                format!("\\x{b:02X}")
            }
        })
        .collect()
}

/// A double as Java's `Double.toString` writes it: `2.0`, `1.0E-323`, `NaN`, `Infinity`.
fn java_double(value: f64) -> String {
    if value.is_nan() {
        return "NaN".into();
    }
    if value.is_infinite() {
        return if value > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    let magnitude = value.abs();
    if magnitude == 0.0 || (1e-3..1e7).contains(&magnitude) {
        let text = value.to_string();
        return if text.contains('.') {
            text
        } else {
            format!("{text}.0")
        };
    }
    // Rust writes `1e10` / `1.5e-7`, Java `1.0E10` / `1.5E-7`.
    let text = format!("{value:e}");
    let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
    if mantissa.contains('.') {
        format!("{mantissa}E{exponent}")
    } else {
        format!("{mantissa}.0E{exponent}")
    }
}

/// `yyyy/MM/dd HH:mm:ss.SSS Z` in UTC.
pub fn format_timestamp(millis: i64) -> String {
    let days = millis.div_euclid(86_400_000);
    let ms_of_day = millis.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}/{m:02}/{d:02} {:02}:{:02}:{:02}.{:03} Z",
        ms_of_day / 3_600_000,
        ms_of_day / 60_000 % 60,
        ms_of_day / 1000 % 60,
        ms_of_day % 1000
    )
}

/// Days since 1970-01-01 → (year, month, day), Howard Hinnant's algorithm.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    use crate::log::Record;

    fn record(key: Option<&[u8]>, value: &[u8]) -> StoredRecord {
        StoredRecord {
            partition: 0,
            offset: 0,
            record: Record {
                key: key.map(Bytes::copy_from_slice),
                value: Some(Bytes::copy_from_slice(value)),
                timestamp: 1000,
                headers: Vec::new(),
            },
        }
    }

    #[test]
    fn detects_kafka_int_keys_and_json_values() {
        let mut formatter = RecordFormatter::new();
        let lines = formatter.format_batch(&[record(Some(&1i32.to_be_bytes()), b"{\"V\":1}")]);
        assert_eq!(
            lines,
            ["rowtime: 1970/01/01 00:00:01.000 Z, key: 1, value: {\"V\":1}, partition: 0"]
        );
        assert_eq!(
            formatter.format_changes(),
            [
                "Key format: KAFKA_INT or KAFKA_STRING",
                "Value format: JSON or KAFKA_STRING"
            ]
        );
        assert!(formatter.format_changes().is_empty());
    }

    #[test]
    fn eight_bytes_are_bigint_double_or_string() {
        let mut keys = Detector::new(true);
        assert_eq!(keys.format(Some(&2i64.to_be_bytes())), "2");
        assert_eq!(
            keys.possible_formats(),
            ["KAFKA_BIGINT", "KAFKA_DOUBLE", "KAFKA_STRING"]
        );
    }

    #[test]
    fn reformats_a_batch_when_its_first_format_is_ruled_out() {
        let mut formatter = RecordFormatter::new();
        let lines = formatter.format_batch(&[record(None, b"1"), record(None, b"abc")]);
        assert_eq!(formatter.values.possible_formats(), ["KAFKA_STRING"]);
        assert!(lines[0].contains("value: 1,"));
        assert_eq!(
            formatter.format_changes()[0],
            "Key format: ¯\\_(ツ)_/¯ - no data processed"
        );
    }

    #[test]
    fn decodes_window_keys() {
        let mut key = b"k".to_vec();
        key.extend_from_slice(&5i64.to_be_bytes());
        let mut keys = Detector::new(true);
        assert_eq!(keys.format(Some(&key)), "[k@5/-]");
        assert_eq!(
            keys.possible_formats()[..2],
            ["HOPPING(KAFKA_STRING)", "TUMBLING(KAFKA_STRING)"]
        );
    }

    #[test]
    fn escapes_bytes_no_format_decodes() {
        let mut values = Detector::new(false);
        assert_eq!(values.format(Some(&[0xff, b'a', b'\\'])), "\\xFFa\\x5C");
        assert!(values.possible_formats().is_empty());
    }

    #[test]
    fn writes_doubles_as_java_does() {
        assert_eq!(java_double(2.0), "2.0");
        assert_eq!(java_double(0.5), "0.5");
        assert_eq!(java_double(1e10), "1.0E10");
        assert_eq!(java_double(1.5e-7), "1.5E-7");
        assert_eq!(java_double(f64::from_bits(2)), "1.0E-323");
        assert_eq!(java_double(-0.0), "-0.0");
    }

    #[test]
    fn formats_timestamps_in_utc() {
        assert_eq!(format_timestamp(0), "1970/01/01 00:00:00.000 Z");
        assert_eq!(
            format_timestamp(1_620_326_592_345),
            "2021/05/06 18:43:12.345 Z"
        );
    }
}
