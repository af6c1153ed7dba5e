//! Reading a windowed source: its record keys carry the window after the key bytes, as
//! Kafka Streams writes them — a time window's start (8 bytes, big-endian), or a session's
//! end then start. The decoder hands the key bytes to the key format and the bounds to the
//! WINDOWSTART and WINDOWEND columns.

use std::collections::HashMap;
use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, AsArray, Int64Array};
use datafusion::arrow::datatypes::{Int32Type, Int64Type, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;

use super::record_headers;
use super::{ExecError, ExecResult, RecordError, RecordErrorKind};
use crate::catalog::{WindowInfo, WindowKind};
use crate::log::StoredRecord;
use crate::plan::select::{ROWOFFSET, ROWPARTITION};

/// Splits and restores the windows of one source's keys.
pub struct WindowedKeys {
    window: WindowInfo,
    /// The decoded rows' schema with WINDOWSTART and WINDOWEND at the end.
    schema: SchemaRef,
}

/// Each record's window bounds, by (partition, offset).
pub type Bounds = HashMap<(u32, i64), (i64, i64)>;

impl WindowedKeys {
    pub fn new(window: WindowInfo, schema: SchemaRef) -> Self {
        WindowedKeys { window, schema }
    }

    /// The records with their keys' windows cut off, and the bounds cut off; a key too
    /// short to hold a window is reported and its record skipped.
    pub fn split(
        &self,
        records: &[StoredRecord],
        topic: &str,
        errors: &mut Vec<RecordError>,
    ) -> (Vec<StoredRecord>, Bounds) {
        let suffix = match self.window.kind {
            WindowKind::Session => 16,
            WindowKind::Tumbling | WindowKind::Hopping => 8,
        };
        let mut stripped = Vec::with_capacity(records.len());
        let mut bounds = Bounds::with_capacity(records.len());
        for stored in records {
            let key = stored.record.key.clone().unwrap_or_default();
            let Some(split) = key.len().checked_sub(suffix) else {
                errors.push(RecordError {
                    kind: RecordErrorKind::Deserialization,
                    topic: topic.to_string(),
                    partition: stored.partition,
                    offset: stored.offset,
                    message: format!(
                        "Failed to deserialize key from topic: {topic}. A windowed key needs at least {suffix} bytes, got {}",
                        key.len()
                    ),
                    record: stored.record.key.clone(),
                });
                continue;
            };
            let (inner, window) = key.split_at(split);
            let number = |bytes: &[u8]| i64::from_be_bytes(bytes.try_into().expect("8 bytes"));
            let (start, end) = match self.window.kind {
                WindowKind::Session => (number(&window[8..]), number(&window[..8])),
                WindowKind::Tumbling | WindowKind::Hopping => {
                    let start = number(window);
                    (start, start + self.window.size_ms.unwrap_or(0))
                }
            };
            bounds.insert((stored.partition, stored.offset), (start, end));
            let mut record = stored.clone();
            record.record.key = Some(key.slice_ref(inner));
            stripped.push(record);
        }
        (stripped, bounds)
    }

    /// Appends WINDOWSTART and WINDOWEND to rows decoded from `split`'s records.
    pub fn append_bounds(&self, batch: RecordBatch, bounds: &Bounds) -> ExecResult<RecordBatch> {
        let (batch, headers) = record_headers::detach(batch)?;
        let with_bounds = self.bounds_appended(batch, bounds)?;
        match headers {
            Some(headers) => record_headers::reattach(with_bounds, headers),
            None => Ok(with_bounds),
        }
    }

    fn bounds_appended(&self, batch: RecordBatch, bounds: &Bounds) -> ExecResult<RecordBatch> {
        let column = |name: &str| {
            batch
                .column_by_name(name)
                .cloned()
                .ok_or_else(|| ExecError::Internal(format!("decoded rows without {name}")))
        };
        let partitions = column(ROWPARTITION)?;
        let partitions = partitions.as_primitive::<Int32Type>();
        let offsets = column(ROWOFFSET)?;
        let offsets = offsets.as_primitive::<Int64Type>();
        let (starts, ends): (Vec<i64>, Vec<i64>) = (0..batch.num_rows())
            .map(|row| {
                let at = (partitions.value(row) as u32, offsets.value(row));
                bounds.get(&at).copied().unwrap_or_default()
            })
            .unzip();
        let mut columns: Vec<ArrayRef> = batch.columns().to_vec();
        columns.push(Arc::new(Int64Array::from(starts)));
        columns.push(Arc::new(Int64Array::from(ends)));
        Ok(RecordBatch::try_new(self.schema.clone(), columns)?)
    }
}
