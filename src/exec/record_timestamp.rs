//! WITH (TIMESTAMP='col' [, TIMESTAMP_FORMAT='…']) on a query's sink: each record written
//! takes its timestamp from that output column instead of the input row's ROWTIME, as
//! ksqlDB sets the Kafka timestamp of a C*AS or INSERT INTO sink's records.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, AsArray, BooleanArray, Int64Array};
use datafusion::arrow::compute::filter_record_batch;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::scalar::ScalarValue;

use super::project::RECORD_TIMESTAMP;
use super::source::timestamp_millis;
use super::{ExecError, ExecResult, Operator, RecordError, RecordErrorKind};
use crate::func::date::java_format::JavaFormat;
use crate::plan::select::TOMBSTONE;

pub struct RecordTimestamp {
    column: String,
    format: Option<JavaFormat>,
}

impl RecordTimestamp {
    pub fn new(column: String, format: Option<JavaFormat>) -> Self {
        RecordTimestamp { column, format }
    }
}

impl Operator for RecordTimestamp {
    fn on_batch(
        &mut self,
        batch: RecordBatch,
        errors: &mut Vec<RecordError>,
    ) -> ExecResult<Option<RecordBatch>> {
        let schema = batch.schema();
        let missing = |name: &str| ExecError::Internal(format!("sink rows without {name}"));
        let source = batch
            .column_by_name(&self.column)
            .ok_or_else(|| missing(&self.column))?;
        let index = schema
            .index_of(RECORD_TIMESTAMP)
            .map_err(|_| missing(RECORD_TIMESTAMP))?;
        let current = batch
            .column(index)
            .as_primitive::<datafusion::arrow::datatypes::Int64Type>();
        let tombstones = batch
            .column_by_name(TOMBSTONE)
            .map(|a| a.as_boolean().clone());
        let mut timestamps = Vec::with_capacity(batch.num_rows());
        let mut keep = Vec::with_capacity(batch.num_rows());
        for row in 0..batch.num_rows() {
            let tombstone = tombstones.as_ref().is_some_and(|t| t.value(row));
            let value = ScalarValue::try_from_array(source, row)?;
            // ksqlDB: a record cannot be written with a negative timestamp; it is dropped.
            match timestamp_millis(&value, self.format.as_ref()).filter(|millis| *millis >= 0) {
                Some(millis) => {
                    timestamps.push(millis);
                    keep.push(true);
                }
                // A delete keeps the input's time: it has no column values.
                None if tombstone => {
                    timestamps.push(current.value(row));
                    keep.push(true);
                }
                None => {
                    timestamps.push(0);
                    keep.push(false);
                    errors.push(RecordError {
                        kind: RecordErrorKind::RecordProcessing,
                        topic: String::new(),
                        partition: 0,
                        offset: -1,
                        message: format!("Invalid timestamp in column {}: {value}", self.column),
                        record: None,
                    });
                }
            }
        }
        let mut columns: Vec<ArrayRef> = batch.columns().to_vec();
        columns[index] = Arc::new(Int64Array::from(timestamps));
        let rewritten = RecordBatch::try_new(schema, columns)?;
        if keep.iter().all(|k| *k) {
            return Ok(Some(rewritten));
        }
        Ok(Some(filter_record_batch(
            &rewritten,
            &BooleanArray::from(keep),
        )?))
    }
}
