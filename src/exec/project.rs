//! SELECT: computes the output columns of each row, plus the timestamp its record gets.

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, BooleanArray, Int32Array, Int64Array, new_null_array,
};
use datafusion::arrow::compute::{concat, nullif};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::physical_expr::PhysicalExpr;

use super::record_headers;
use super::{ExecResult, Operator, RecordError, RecordErrorKind};
use crate::plan::select::{ROWOFFSET, ROWPARTITION, TOMBSTONE};

/// Name of the column that carries each output row's record timestamp. `$` cannot start an
/// identifier in ksqlDB, so it never clashes with a user's column.
pub const RECORD_TIMESTAMP: &str = "$ROWTIME";

pub struct Project {
    /// The timestamp of each output record (ROWTIME of the input row).
    timestamp: Arc<dyn PhysicalExpr>,
    /// One expression per output column, in output order.
    exprs: Vec<Arc<dyn PhysicalExpr>>,
    /// Per output column: whether it keeps its value for a null-value record (a copy of a
    /// key column does; anything computed from the value is null, as in ksqlDB).
    keeps_on_tombstone: Vec<bool>,
    /// `RECORD_TIMESTAMP` first, then the output columns, then `TOMBSTONE`.
    schema: SchemaRef,
}

/// One output column of a projection.
pub struct ProjectedColumn {
    pub name: String,
    pub expr: Arc<dyn PhysicalExpr>,
    pub data_type: DataType,
    /// See `Project::keeps_on_tombstone`.
    pub keeps_on_tombstone: bool,
}

impl Project {
    pub fn new(timestamp: Arc<dyn PhysicalExpr>, columns: Vec<ProjectedColumn>) -> Self {
        let mut fields = vec![Field::new(RECORD_TIMESTAMP, DataType::Int64, false)];
        let mut exprs = Vec::with_capacity(columns.len());
        let mut keeps_on_tombstone = Vec::with_capacity(columns.len());
        for column in columns {
            fields.push(Field::new(column.name, column.data_type, true));
            exprs.push(column.expr);
            keeps_on_tombstone.push(column.keeps_on_tombstone);
        }
        fields.push(Field::new(TOMBSTONE, DataType::Boolean, false));
        Project {
            timestamp,
            exprs,
            keeps_on_tombstone,
            schema: Arc::new(Schema::new(fields)),
        }
    }

    pub fn schema(&self) -> &SchemaRef {
        &self.schema
    }
}

impl Operator for Project {
    fn on_batch(
        &mut self,
        batch: RecordBatch,
        errors: &mut Vec<RecordError>,
    ) -> ExecResult<Option<RecordBatch>> {
        let tombstones = batch
            .column_by_name(TOMBSTONE)
            .and_then(|a| a.as_any().downcast_ref::<BooleanArray>().cloned())
            .unwrap_or_else(|| BooleanArray::from(vec![false; batch.num_rows()]));
        let any_tombstone = tombstones.true_count() > 0;
        let mut arrays = Vec::with_capacity(self.exprs.len() + 2);
        arrays.push(evaluate_lenient(&self.timestamp, &batch, errors)?);
        for (expr, keeps) in self.exprs.iter().zip(&self.keeps_on_tombstone) {
            let mut array = evaluate_lenient(expr, &batch, errors)?;
            if any_tombstone && !keeps {
                array = nullif(&array, &tombstones)?;
            }
            arrays.push(array);
        }
        arrays.push(Arc::new(tombstones));
        // A function may answer in another encoding of the declared type (Utf8View for
        // Utf8); batches always carry the declared one.
        for (array, field) in arrays.iter_mut().zip(self.schema.fields()) {
            if array.data_type() != field.data_type() {
                *array = datafusion::arrow::compute::cast(array, field.data_type())?;
            }
        }
        let output = RecordBatch::try_new(self.schema.clone(), arrays)?;
        Ok(Some(record_headers::carry(&batch, output)?))
    }
}

/// Evaluates `expr` over a batch. If the batch fails as a whole, each row is evaluated on
/// its own: rows that fail become NULL and are reported, as ksqlDB does for expression
/// errors (a bad cast, a division by zero), and the rest of the batch is kept.
pub fn evaluate_lenient(
    expr: &Arc<dyn PhysicalExpr>,
    batch: &RecordBatch,
    errors: &mut Vec<RecordError>,
) -> ExecResult<ArrayRef> {
    if let Ok(array) = evaluate_guarded(expr, batch) {
        report_call_failures(batch, errors);
        return Ok(array);
    }
    report_call_failures(batch, errors);
    let data_type = expr.data_type(&batch.schema())?;
    let mut rows: Vec<ArrayRef> = Vec::with_capacity(batch.num_rows());
    for row in 0..batch.num_rows() {
        let one = batch.slice(row, 1);
        match evaluate_guarded(expr, &one) {
            Ok(array) => rows.push(array),
            Err(e) => {
                errors.push(row_error(batch, row, e.to_string()));
                rows.push(new_null_array(&data_type, 1));
            }
        }
    }
    if rows.is_empty() {
        return Ok(new_null_array(&data_type, 0));
    }
    let refs: Vec<&dyn Array> = rows.iter().map(|a| a.as_ref()).collect();
    Ok(concat(&refs)?)
}

/// Function calls that failed on some rows gave NULL for those rows (ksqlDB's rule, see
/// `func::call_errors`); each failure still goes to the processing log.
fn report_call_failures(batch: &RecordBatch, errors: &mut Vec<RecordError>) {
    for message in crate::func::call_errors::take() {
        let mut error = row_error(batch, 0, message);
        // The failing row is not known at this point, only its batch.
        error.offset = -1;
        errors.push(error);
    }
}

/// Evaluates an expression into an array, turning a panic inside a function (a bug in a
/// kernel fed an extreme value) into an error, so that one record cannot end the query.
fn evaluate_guarded(
    expr: &Arc<dyn PhysicalExpr>,
    batch: &RecordBatch,
) -> datafusion::error::Result<ArrayRef> {
    let run = std::panic::AssertUnwindSafe(|| {
        expr.evaluate(batch)
            .and_then(|v| v.into_array(batch.num_rows()))
    });
    std::panic::catch_unwind(run).unwrap_or_else(|panic| {
        let reason = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "unknown".into());
        datafusion::common::exec_err!("function failed: {reason}")
    })
}

/// A processing error for one input row, located by its pseudo columns when present.
pub(crate) fn row_error(batch: &RecordBatch, row: usize, message: String) -> RecordError {
    let partition = batch
        .column_by_name(ROWPARTITION)
        .and_then(|a| {
            a.as_any()
                .downcast_ref::<Int32Array>()
                .map(|a| a.value(row))
        })
        .unwrap_or_default();
    let offset = batch
        .column_by_name(ROWOFFSET)
        .and_then(|a| {
            a.as_any()
                .downcast_ref::<Int64Array>()
                .map(|a| a.value(row))
        })
        .unwrap_or(-1);
    RecordError {
        kind: RecordErrorKind::RecordProcessing,
        topic: String::new(),
        partition: partition as u32,
        offset,
        message: format!("Error computing expression: {message}"),
        record: None,
    }
}
