//! Writing a sink: output batches → keyed, timestamped records for the sink's topic.
//!
//! Key columns are encoded with the key format, the rest with the value format; the
//! partition is the one Kafka's default partitioner picks for the key bytes. A row that
//! cannot be encoded is reported and skipped.
//!
//! A windowed table's rows carry their window start in `WINDOW_START`: the key is then
//! written in Kafka Streams' time-window format (the key bytes, then the start as 8
//! big-endian bytes), and partitioned by the key bytes alone, as Kafka Streams' windowed
//! partitioner does. Session-windowed rows also carry their end in `WINDOW_END`: the key is
//! then the key bytes, the end, then the start (Kafka Streams' session key format).

use bytes::Bytes;
use datafusion::arrow::array::{Array, BooleanArray, Int64Array};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::scalar::ScalarValue;

use super::record_headers::Headers;
use super::{ExecError, ExecResult, RecordError, RecordErrorKind};
use crate::catalog::schema::{Column, ColumnKind, LogicalSchema};
use crate::exec::project::RECORD_TIMESTAMP;
use crate::format::{FlatRowWriter, SerdeSpec};
use crate::log::Record;
use crate::log::partitioner::Partitioner;
use crate::plan::select::TOMBSTONE;

/// Hidden output column holding each row's window start, for windowed sinks. `$` cannot
/// start a ksqlDB identifier, so it never clashes with a user's column.
pub const WINDOW_START: &str = "$WINDOWSTART";
/// Hidden output column holding each row's session end, for session-windowed sinks.
pub const WINDOW_END: &str = "$WINDOWEND";

pub struct SinkEncoder {
    topic: String,
    key_format: SerdeSpec,
    value_format: SerdeSpec,
    key_columns: Vec<Column>,
    value_columns: Vec<Column>,
    partitioner: Partitioner,
    /// The topic's physical partition count.
    partitions: u32,
    /// Writes values straight from the arrays, when the value format has a writer for the
    /// value columns.
    value_writer: Option<FlatRowWriter>,
    /// The length of the last value written, to size the next one's buffer.
    value_length: usize,
}

/// A record ready to append, with its partition.
pub struct OutputRecord {
    pub partition: u32,
    pub record: Record,
}

impl SinkEncoder {
    /// `partitions` is the topic's physical partition count.
    pub fn new(
        topic: &str,
        schema: &LogicalSchema,
        key_format: SerdeSpec,
        value_format: SerdeSpec,
        partitions: u32,
    ) -> Self {
        let value_columns: Vec<Column> = schema
            .columns
            .iter()
            .filter(|c| c.kind == ColumnKind::Value)
            .cloned()
            .collect();
        SinkEncoder {
            topic: topic.to_string(),
            value_writer: value_format.row_writer(&value_columns),
            key_format,
            value_format,
            key_columns: schema.key_columns().cloned().collect(),
            value_columns,
            partitioner: Partitioner::new(),
            partitions,
            value_length: 0,
        }
    }

    /// Encodes every row of `batch` (a `Project` output whose columns are named after the
    /// sink's columns).
    pub fn encode(
        &mut self,
        batch: &RecordBatch,
        errors: &mut Vec<RecordError>,
    ) -> ExecResult<Vec<OutputRecord>> {
        let timestamps = batch
            .column_by_name(RECORD_TIMESTAMP)
            .and_then(|a| a.as_any().downcast_ref::<Int64Array>())
            .ok_or_else(|| ExecError::Internal("sink input has no record timestamp".into()))?;
        let tombstones = batch
            .column_by_name(TOMBSTONE)
            .and_then(|a| a.as_any().downcast_ref::<BooleanArray>());
        let window_starts = batch
            .column_by_name(WINDOW_START)
            .and_then(|a| a.as_any().downcast_ref::<Int64Array>());
        let window_ends = batch
            .column_by_name(WINDOW_END)
            .and_then(|a| a.as_any().downcast_ref::<Int64Array>());
        let headers = Headers::of(batch);
        let key_arrays = columns_of(batch, &self.key_columns)?;
        let value_arrays = columns_of(batch, &self.value_columns)?;
        let flat_rows = self
            .value_writer
            .as_ref()
            .and_then(|w| w.rows(&value_arrays));
        let mut out = Vec::with_capacity(batch.num_rows());
        for row in 0..batch.num_rows() {
            let key = row_values(&key_arrays, row)?;
            let tombstone = tombstones.is_some_and(|t| t.value(row));
            let encoded = self.key_encode(&key).and_then(|k| {
                if tombstone {
                    return Ok((k, None));
                }
                if let Some(rows) = &flat_rows {
                    let mut value = Vec::with_capacity(self.value_length + 16);
                    rows.write(row, &mut value);
                    self.value_length = value.len();
                    return Ok((k, Some(value)));
                }
                self.value_format
                    .encode_row(&value_arrays, row, &self.value_columns)
                    .map(|v| (k, v))
            });
            match encoded {
                Ok((mut key, value)) => {
                    let partition = self
                        .partitioner
                        .partition(key.as_deref(), self.partitions)
                        .map_err(|e| ExecError::Internal(e.to_string()))?;
                    if let (Some(starts), Some(key)) = (window_starts, key.as_mut()) {
                        if let Some(ends) = window_ends {
                            key.extend_from_slice(&ends.value(row).to_be_bytes());
                        }
                        key.extend_from_slice(&starts.value(row).to_be_bytes());
                    }
                    let timestamp = if timestamps.is_null(row) {
                        0
                    } else {
                        timestamps.value(row)
                    };
                    out.push(OutputRecord {
                        partition,
                        record: Record {
                            key: key.map(Bytes::from),
                            value: value.map(Bytes::from),
                            timestamp,
                            headers: headers.row(row),
                        },
                    });
                }
                Err(e) => errors.push(RecordError {
                    kind: RecordErrorKind::Serialization,
                    topic: self.topic.clone(),
                    partition: 0,
                    offset: -1,
                    message: format!("Error serializing message to topic: {}. {e}", self.topic),
                    record: None,
                }),
            }
        }
        Ok(out)
    }

    /// A key whose every column is null is written as a null key, as ksqlDB does.
    fn key_encode(&self, key: &[ScalarValue]) -> crate::format::FormatResult<Option<Vec<u8>>> {
        if self.key_columns.is_empty() || key.iter().all(ScalarValue::is_null) {
            return Ok(None);
        }
        self.key_format.encode(key, &self.key_columns)
    }
}

fn columns_of<'a>(batch: &'a RecordBatch, columns: &[Column]) -> ExecResult<Vec<&'a dyn Array>> {
    columns
        .iter()
        .map(|c| {
            batch
                .column_by_name(&c.name)
                .map(|a| a.as_ref())
                .ok_or_else(|| {
                    ExecError::Internal(format!("sink column {} missing from output", c.name))
                })
        })
        .collect()
}

fn row_values(arrays: &[&dyn Array], row: usize) -> ExecResult<Vec<ScalarValue>> {
    arrays
        .iter()
        .map(|a| ScalarValue::try_from_array(*a, row).map_err(ExecError::from))
        .collect()
}
