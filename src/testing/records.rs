//! Test records: JSON as the test files write them ↔ the bytes a topic holds.
//!
//! The JSON in a test's `key` and `value` is format-independent; it is serialized with the
//! formats of the source declared over the topic (QTT_FORMAT.md §2.1): JSON as written,
//! DELIMITED and KAFKA strings as their text, KAFKA numbers by column type.

use base64::Engine as _;
use bytes::Bytes;
use serde_json::Value;

use crate::catalog::schema::Column;
use crate::catalog::{Source, WindowKind};
use crate::format::{FormatKind, SerdeSpec, json_to_scalar, scalar_to_json};
use crate::log::Record;

/// One record of a test file.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordSpec {
    pub topic: String,
    /// `None` when the file gives no key.
    pub key: Option<Value>,
    pub value: Value,
    pub timestamp: Option<i64>,
    pub window: Option<Value>,
    pub headers: Option<Vec<(String, Option<Vec<u8>>)>>,
}

impl RecordSpec {
    /// Reads a record object of a test file.
    pub fn from_json(node: &Value) -> Result<RecordSpec, String> {
        let topic = node
            .get("topic")
            .and_then(Value::as_str)
            .ok_or("a record has no topic")?
            .to_string();
        let timestamp = match node.get("timestamp") {
            None | Some(Value::Null) => None,
            Some(ts) => Some(
                ts.as_i64()
                    .or_else(|| ts.as_f64().map(|f| f as i64))
                    .ok_or_else(|| format!("bad timestamp {ts}"))?,
            ),
        };
        let headers = match node.get("headers") {
            None | Some(Value::Null) => None,
            Some(Value::Array(items)) => Some(
                items
                    .iter()
                    .map(|h| {
                        let key = h
                            .get("KEY")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_string();
                        let value = match h.get("VALUE") {
                            Some(Value::String(b64)) => Some(
                                base64::engine::general_purpose::STANDARD
                                    .decode(b64)
                                    .map_err(|e| format!("header {key}: {e}"))?,
                            ),
                            _ => None,
                        };
                        Ok((key, value))
                    })
                    .collect::<Result<Vec<_>, String>>()?,
            ),
            Some(other) => return Err(format!("headers must be an array, got {other}")),
        };
        Ok(RecordSpec {
            topic,
            key: node.get("key").cloned(),
            value: node.get("value").cloned().unwrap_or(Value::Null),
            timestamp,
            window: node.get("window").cloned().filter(|w| !w.is_null()),
            headers,
        })
    }
}

/// Serializes a test input record for its topic. The key of a record with a window, for a
/// windowed source, is written as Kafka Streams writes windowed keys: the key bytes, then the
/// window start (time windows) or the session's end and start, 8 big-endian bytes each.
pub fn encode_input(spec: &RecordSpec, source: Option<&Source>) -> Result<Record, String> {
    let (key, value) = match source {
        Some(source) => {
            let keys: Vec<Column> = source.schema.key_columns().cloned().collect();
            let values: Vec<Column> = source.schema.value_columns().cloned().collect();
            let mut key = match &spec.key {
                None | Some(Value::Null) => None,
                Some(_) if keys.is_empty() => None,
                Some(json) => encode_side(json, &source.key_format, &keys)?,
            };
            if let (Some(info), Some(window), Some(bytes)) =
                (&source.window, &spec.window, key.as_mut())
            {
                let bound = |name: &str| {
                    window[name]
                        .as_i64()
                        .ok_or_else(|| format!("window {name} must be a number, got {window}"))
                };
                if info.kind == WindowKind::Session {
                    bytes.extend_from_slice(&bound("end")?.to_be_bytes());
                }
                bytes.extend_from_slice(&bound("start")?.to_be_bytes());
            }
            let value = match &spec.value {
                Value::Null => None,
                json => encode_side(json, &source.value_format, &values)?,
            };
            (key, value)
        }
        None => (
            spec.key.as_ref().filter(|k| !k.is_null()).map(raw_bytes),
            (!spec.value.is_null()).then(|| raw_bytes(&spec.value)),
        ),
    };
    Ok(Record {
        key: key.map(Bytes::from),
        value: value.map(Bytes::from),
        timestamp: spec.timestamp.unwrap_or(0),
        headers: spec.headers.clone().unwrap_or_default(),
    })
}

fn encode_side(
    json: &Value,
    spec: &SerdeSpec,
    columns: &[Column],
) -> Result<Option<Vec<u8>>, String> {
    match spec.kind {
        FormatKind::None => Ok(None),
        FormatKind::Json => Ok(Some(raw_bytes(json))),
        FormatKind::Delimited => Ok(Some(match json {
            Value::String(text) => text.as_bytes().to_vec(),
            other => other.to_string().into_bytes(),
        })),
        FormatKind::Kafka => {
            let Some(column) = columns.first() else {
                return Ok(None);
            };
            // BYTES are given as base64, as every test format gives them.
            if let (Value::String(text), crate::catalog::types::SqlType::Bytes) = (json, &column.ty)
            {
                return base64::engine::general_purpose::STANDARD
                    .decode(text)
                    .map(Some)
                    .map_err(|e| format!("BYTES value {text:?} is not base64: {e}"));
            }
            let scalar = json_to_scalar(json, &column.ty).map_err(|e| e.to_string())?;
            spec.encode(&[scalar], columns).map_err(|e| e.to_string())
        }
    }
}

/// JSON text for JSON, the plain text of a string otherwise.
fn raw_bytes(json: &Value) -> Vec<u8> {
    match json {
        Value::String(text) => {
            serde_json::to_vec(json).unwrap_or_else(|_| text.as_bytes().to_vec())
        }
        other => other.to_string().into_bytes(),
    }
}

/// A record read from an output topic, as JSON comparable with a test's expectations.
pub struct DecodedRecord {
    pub key: Value,
    pub value: Value,
    /// For a windowed key: `{"start", "end", "type"}` as test files write windows.
    pub window: Option<Value>,
}

/// Decodes an output record with the formats of the source over its topic. A time-windowed
/// key (Kafka Streams' format: key bytes, then the window start as 8 big-endian bytes) is
/// split into the key and its window, whose end is the start plus the window size; a
/// session-windowed key (key bytes, the end, then the start) into the key and its session.
pub fn decode_output(record: &Record, source: Option<&Source>) -> Result<DecodedRecord, String> {
    let Some(source) = source else {
        return Ok(DecodedRecord {
            key: raw_json(record.key.as_deref()),
            value: raw_json(record.value.as_deref()),
            window: None,
        });
    };
    let (key_bytes, window) = match (&source.window, record.key.as_deref()) {
        (Some(info), Some(bytes)) if info.kind == WindowKind::Session => {
            let (key, session) = crate::state::session::split_changelog_key(bytes)
                .ok_or("a session-windowed key is shorter than its session")?;
            let window = serde_json::json!({
                "start": session.start, "end": session.end, "type": "session"
            });
            (Some(key), Some(window))
        }
        (Some(info), Some(bytes)) => {
            let (key, start) = crate::state::windowed::split_changelog_key(bytes)
                .ok_or("a windowed key is shorter than its window start")?;
            let size = info.size_ms.ok_or("a time window without a size")?;
            let window = serde_json::json!({"start": start, "end": start + size, "type": "time"});
            (Some(key), Some(window))
        }
        (_, bytes) => (bytes, None),
    };
    let keys: Vec<Column> = source.schema.key_columns().cloned().collect();
    let values: Vec<Column> = source.schema.value_columns().cloned().collect();
    Ok(DecodedRecord {
        key: decode_side(key_bytes, &source.key_format, &keys)?,
        value: decode_side(record.value.as_deref(), &source.value_format, &values)?,
        window,
    })
}

fn decode_side(
    bytes: Option<&[u8]>,
    spec: &SerdeSpec,
    columns: &[Column],
) -> Result<Value, String> {
    let Some(bytes) = bytes else {
        return Ok(Value::Null);
    };
    match spec.kind {
        FormatKind::None => Ok(Value::Null),
        FormatKind::Json => {
            serde_json::from_slice(bytes).map_err(|e| format!("output is not JSON: {e}"))
        }
        FormatKind::Delimited => Ok(Value::String(String::from_utf8_lossy(bytes).into_owned())),
        FormatKind::Kafka => {
            let decoded = spec
                .decode(Some(bytes), columns)
                .map_err(|e| e.to_string())?;
            match (decoded.as_deref(), columns.first()) {
                (Some([scalar]), Some(column)) => {
                    scalar_to_json(scalar, &column.ty).map_err(|e| e.to_string())
                }
                _ => Ok(Value::Null),
            }
        }
    }
}

fn raw_json(bytes: Option<&[u8]>) -> Value {
    match bytes {
        None => Value::Null,
        Some(bytes) => serde_json::from_slice(bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(bytes).into_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::WindowInfo;
    use crate::catalog::schema::LogicalSchema;
    use crate::catalog::types::SqlType;
    use crate::sql::ast::SourceKind;

    fn windowed(kind: WindowKind, size_ms: Option<i64>) -> Source {
        let spec = |kind| SerdeSpec {
            kind,
            delimiter: ',',
            wrap_single: true,
        };
        Source {
            name: "S".into(),
            kind: SourceKind::Stream,
            schema: LogicalSchema::new(vec![
                Column::key("K", SqlType::String),
                Column::value("V", SqlType::Bigint),
            ]),
            topic: "s".into(),
            partitions: 1,
            key_format: spec(FormatKind::Kafka),
            value_format: spec(FormatKind::Json),
            timestamp: None,
            is_source: false,
            statement: String::new(),
            writers: Vec::new(),
            window: Some(WindowInfo { kind, size_ms }),
        }
    }

    #[test]
    fn windowed_keys_round_trip_through_input_and_output() {
        for (source, window) in [
            (
                windowed(WindowKind::Session, None),
                serde_json::json!({"start": 10, "end": 40, "type": "session"}),
            ),
            (
                windowed(WindowKind::Tumbling, Some(30)),
                serde_json::json!({"start": 30, "end": 60, "type": "time"}),
            ),
        ] {
            let spec = RecordSpec::from_json(&serde_json::json!({
                "topic": "s", "key": "a", "value": {"V": 1}, "window": window
            }))
            .unwrap();
            let record = encode_input(&spec, Some(&source)).unwrap();
            let decoded = decode_output(&record, Some(&source)).unwrap();
            assert_eq!(decoded.key, Value::String("a".into()));
            assert_eq!(decoded.window, Some(window));
        }
    }
}
