//! The processing log: records that could not be processed, written to a topic that the
//! `KSQL_PROCESSING_LOG` stream reads, in ksqlDB's schema.

use bytes::Bytes;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::json;

use super::RuntimeResult;
use super::offsets::now_millis;
use crate::exec::{RecordError, RecordErrorKind};
use crate::log::partitioner::Partitioner;
use crate::log::{Log, Record, TopicConfig};

/// The topic behind `KSQL_PROCESSING_LOG` (ksqlDB: `<service id>ksql_processing_log`).
pub const PROCESSING_LOG_TOPIC: &str = "default_ksql_processing_log";
/// The stream users query to see processing errors.
pub const PROCESSING_LOG_STREAM: &str = "KSQL_PROCESSING_LOG";
/// The stream's columns, as ksqlDB declares them.
pub const PROCESSING_LOG_COLUMNS: &str = "LOGGER STRING, LEVEL STRING, TIME BIGINT, \
    MESSAGE STRUCT<TYPE INT, \
    DESERIALIZATIONERROR STRUCT<TARGET STRING, ERRORMESSAGE STRING, RECORDB64 STRING, CAUSE ARRAY<STRING>, `topic` STRING>, \
    RECORDPROCESSINGERROR STRUCT<ERRORMESSAGE STRING, RECORD STRING, CAUSE ARRAY<STRING>>, \
    PRODUCTIONERROR STRUCT<ERRORMESSAGE STRING>, \
    SERIALIZATIONERROR STRUCT<TARGET STRING, ERRORMESSAGE STRING, RECORD STRING, CAUSE ARRAY<STRING>, `topic` STRING>, \
    KAFKASTREAMSTHREADERROR STRUCT<ERRORMESSAGE STRING, THREADNAME STRING, CAUSE ARRAY<STRING>>>";

/// Writes processing errors; shared by every query.
pub struct ProcessingLog {
    log: Arc<dyn Log>,
    partitioner: Partitioner,
    /// Whether an entry carries the failed record (`RECORDB64`, `RECORD`): ksqlDB's
    /// `ksql.logging.processing.rows.include`, false by default because records may hold
    /// sensitive data.
    include_rows: bool,
    /// Errors written since start, for metrics.
    written: AtomicU64,
}

impl ProcessingLog {
    /// Opens the processing log, creating its topic if needed.
    pub fn open(log: Arc<dyn Log>) -> RuntimeResult<Self> {
        if log.topic_config(PROCESSING_LOG_TOPIC).is_none() {
            log.create_topic(PROCESSING_LOG_TOPIC, TopicConfig::default())?;
        }
        Ok(ProcessingLog {
            log,
            partitioner: Partitioner::new(),
            include_rows: false,
            written: AtomicU64::new(0),
        })
    }

    /// Sets `ksql.logging.processing.rows.include`: whether entries carry the failed record.
    pub fn with_rows_included(mut self, include_rows: bool) -> Self {
        self.include_rows = include_rows;
        self
    }

    /// Appends one entry per error, logging a summary once per call rather than per record.
    pub fn write(&self, query_id: &str, errors: &[RecordError]) -> RuntimeResult<()> {
        if errors.is_empty() {
            return Ok(());
        }
        tracing::warn!(query_id, count = errors.len(), first = %errors[0].message, "records sent to the processing log");
        let records = errors
            .iter()
            .map(|e| entry(query_id, e, self.include_rows))
            .collect();
        let partition = self.partitioner.partition(None, 1)?;
        self.log
            .append(PROCESSING_LOG_TOPIC, partition, records, None)?;
        self.written
            .fetch_add(errors.len() as u64, Ordering::Relaxed);
        Ok(())
    }

    /// How many errors were written since start.
    pub fn written(&self) -> u64 {
        self.written.load(Ordering::Relaxed)
    }
}

/// One processing-log entry; the failed record's bytes only when `include_rows` is set.
fn entry(query_id: &str, error: &RecordError, include_rows: bool) -> Record {
    use base64::Engine as _;
    let record_b64 = error
        .record
        .as_ref()
        .filter(|_| include_rows)
        .map(|bytes| base64::engine::general_purpose::STANDARD.encode(bytes));
    let message = match error.kind {
        RecordErrorKind::Deserialization => json!({
            "TYPE": 0,
            "DESERIALIZATIONERROR": {
                "TARGET": "value",
                "ERRORMESSAGE": error.message,
                "RECORDB64": record_b64,
                "CAUSE": [],
                "topic": error.topic,
            }
        }),
        RecordErrorKind::RecordProcessing => json!({
            "TYPE": 1,
            "RECORDPROCESSINGERROR": {
                "ERRORMESSAGE": error.message,
                "RECORD": null,
                "CAUSE": [],
            }
        }),
        RecordErrorKind::Serialization => json!({
            "TYPE": 3,
            "SERIALIZATIONERROR": {
                "TARGET": "value",
                "ERRORMESSAGE": error.message,
                "RECORD": null,
                "CAUSE": [],
                "topic": error.topic,
            }
        }),
    };
    let value = json!({
        "LOGGER": format!("processing.{query_id}"),
        "LEVEL": "ERROR",
        "TIME": now_millis(),
        "MESSAGE": message,
    });
    Record {
        key: None,
        value: Some(Bytes::from(value.to_string().into_bytes())),
        timestamp: now_millis(),
        headers: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deserialization_error() -> RecordError {
        RecordError {
            kind: RecordErrorKind::Deserialization,
            topic: "input".into(),
            partition: 0,
            offset: 0,
            message: "bad json".into(),
            record: Some(Bytes::from_static(b"not json")),
        }
    }

    fn record_b64(include_rows: bool) -> serde_json::Value {
        let record = entry("Q", &deserialization_error(), include_rows);
        let value: serde_json::Value = record
            .value
            .as_deref()
            .and_then(|v| serde_json::from_slice(v).ok())
            .unwrap_or_default();
        value["MESSAGE"]["DESERIALIZATIONERROR"]["RECORDB64"].clone()
    }

    #[test]
    fn leaves_the_record_out_by_default() {
        assert_eq!(record_b64(false), serde_json::Value::Null);
    }

    #[test]
    fn includes_the_record_when_asked() {
        assert_eq!(record_b64(true), json!("bm90IGpzb24="));
    }
}
