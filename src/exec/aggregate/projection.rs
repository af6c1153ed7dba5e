//! The SELECT and HAVING of an aggregation, evaluated over aggregated rows.
//!
//! An aggregated row is a group's key columns, one column per aggregate, and for windowed
//! aggregations WINDOWSTART and WINDOWEND. The planner rewrote the query's projection and
//! HAVING over that schema, so they run here as ordinary physical expressions on a batch.
//!
//! # HAVING
//!
//! A table row that stops passing HAVING is deleted: the output is a tombstone for its key.
//! As in ksqlDB (Kafka Streams' table filter with old values), an update is emitted when the
//! new row passes, a tombstone when it fails but the previous row of the key passed, and
//! nothing when neither passes.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, BooleanArray, Int64Array};
use datafusion::arrow::compute::kernels::boolean::{and, not, or};
use datafusion::arrow::compute::{filter_record_batch, prep_null_mask_filter};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::physical_expr::PhysicalExpr;

use crate::exec::project::{RECORD_TIMESTAMP, evaluate_lenient};
use crate::exec::record_headers;
use crate::exec::sink::{WINDOW_END, WINDOW_START};
use crate::exec::{ExecError, ExecResult, RecordError};
use crate::plan::select::TOMBSTONE;

/// One computed output column of an aggregation.
pub struct OutputColumn {
    pub name: String,
    pub expr: Arc<dyn PhysicalExpr>,
    pub data_type: DataType,
}

/// SELECT and HAVING over aggregated rows.
pub struct TableProjection {
    having: Option<Arc<dyn PhysicalExpr>>,
    exprs: Vec<Arc<dyn PhysicalExpr>>,
    /// `RECORD_TIMESTAMP`, the output columns, `TOMBSTONE`, then `WINDOW_START` when windowed
    /// and `WINDOW_END` for sessions: what the sink encodes.
    schema: SchemaRef,
    bounds: WindowBounds,
}

/// The window bounds an aggregation's output rows carry to the sink, whose windowed keys hold
/// the start (time windows) or the end and the start (sessions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowBounds {
    None,
    Start,
    StartAndEnd,
}

/// The aggregated rows one input batch produced, in output order.
pub struct AggregatedRows {
    /// The new aggregated rows.
    pub rows: RecordBatch,
    /// The same keys' previous aggregated rows, for HAVING; a row of a key seen for the
    /// first time is all null and flagged false in `had_previous`.
    pub previous: Option<(RecordBatch, BooleanArray)>,
    /// Each output record's timestamp.
    pub timestamps: Int64Array,
    /// Rows that delete their key (sessions merged into others).
    pub tombstones: BooleanArray,
    /// Each row's window start and end, for windowed aggregations.
    pub windows: Option<(Vec<i64>, Vec<i64>)>,
    /// Each row's record headers (`exec::record_headers`): those of the input record whose
    /// update it is, when the input carries headers.
    pub headers: Option<ArrayRef>,
}

impl TableProjection {
    pub fn new(
        columns: Vec<OutputColumn>,
        having: Option<Arc<dyn PhysicalExpr>>,
        bounds: WindowBounds,
    ) -> Self {
        let mut fields = vec![Field::new(RECORD_TIMESTAMP, DataType::Int64, false)];
        let mut exprs = Vec::with_capacity(columns.len());
        for column in columns {
            fields.push(Field::new(column.name, column.data_type, true));
            exprs.push(column.expr);
        }
        fields.push(Field::new(TOMBSTONE, DataType::Boolean, false));
        if bounds != WindowBounds::None {
            fields.push(Field::new(WINDOW_START, DataType::Int64, false));
        }
        if bounds == WindowBounds::StartAndEnd {
            fields.push(Field::new(WINDOW_END, DataType::Int64, false));
        }
        TableProjection {
            having,
            exprs,
            schema: Arc::new(Schema::new(fields)),
            bounds,
        }
    }

    /// Whether HAVING needs each key's previous row.
    pub fn needs_previous(&self) -> bool {
        self.having.is_some()
    }

    /// The output records for `aggregated`: updates, and tombstones for rows HAVING removes.
    pub fn apply(
        &self,
        aggregated: AggregatedRows,
        errors: &mut Vec<RecordError>,
    ) -> ExecResult<Option<RecordBatch>> {
        let rows = &aggregated.rows;
        let (emit, tombstone) = match &self.having {
            None => {
                let all = BooleanArray::from(vec![true; rows.num_rows()]);
                (all, aggregated.tombstones.clone())
            }
            Some(having) => {
                let now = passes(having, rows, errors)?;
                let before = match &aggregated.previous {
                    Some((previous, had_previous)) => {
                        and(&passes(having, previous, errors)?, had_previous)?
                    }
                    None => BooleanArray::from(vec![false; rows.num_rows()]),
                };
                let deleted = &aggregated.tombstones;
                (or(&or(&now, &before)?, deleted)?, or(&not(&now)?, deleted)?)
            }
        };
        if emit.true_count() == 0 {
            return Ok(None);
        }
        let mut arrays: Vec<ArrayRef> = Vec::with_capacity(self.exprs.len() + 3);
        arrays.push(Arc::new(aggregated.timestamps));
        for (expr, field) in self.exprs.iter().zip(self.schema.fields().iter().skip(1)) {
            let mut array = evaluate_lenient(expr, rows, errors)?;
            if array.data_type() != field.data_type() {
                array = datafusion::arrow::compute::cast(&array, field.data_type())?;
            }
            arrays.push(array);
        }
        arrays.push(Arc::new(tombstone));
        if self.bounds != WindowBounds::None {
            let (starts, ends) = aggregated.windows.ok_or_else(|| {
                ExecError::Internal("windowed aggregation rows without windows".into())
            })?;
            arrays.push(Arc::new(Int64Array::from(starts)));
            if self.bounds == WindowBounds::StartAndEnd {
                arrays.push(Arc::new(Int64Array::from(ends)));
            }
        }
        let mut batch = RecordBatch::try_new(self.schema.clone(), arrays)?;
        if let Some(headers) = aggregated.headers {
            batch = record_headers::reattach(batch, headers)?;
        }
        Ok(Some(filter_record_batch(&batch, &emit)?))
    }
}

/// HAVING over `rows`: true where it holds (null and errors count as false).
fn passes(
    having: &Arc<dyn PhysicalExpr>,
    rows: &RecordBatch,
    errors: &mut Vec<RecordError>,
) -> ExecResult<BooleanArray> {
    let result = evaluate_lenient(having, rows, errors)?;
    let result = result
        .as_any()
        .downcast_ref::<BooleanArray>()
        .ok_or_else(|| ExecError::Internal("HAVING did not evaluate to BOOLEAN".into()))?;
    // ksqlDB: a null HAVING result filters the row out, as false does.
    Ok(if result.null_count() == 0 {
        result.clone()
    } else {
        prep_null_mask_filter(result)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::logical_expr::Operator;
    use datafusion::physical_expr::expressions::{binary, col, lit};

    fn counts(values: &[i64]) -> RecordBatch {
        let schema = Arc::new(Schema::new(vec![Field::new(
            "$AGG_0",
            DataType::Int64,
            true,
        )]));
        RecordBatch::try_new(schema, vec![Arc::new(Int64Array::from(values.to_vec()))]).unwrap()
    }

    #[test]
    fn having_emits_updates_and_tombstones_for_rows_that_stop_passing() {
        // HAVING COUNT > 1 over three updates of one key: 1 (fails, nothing before),
        // 2 (passes), then a row whose previous passed and which fails.
        let rows = counts(&[1, 2, 1]);
        let previous = counts(&[0, 1, 2]);
        let schema = rows.schema();
        let having = binary(
            col("$AGG_0", &schema).unwrap(),
            Operator::Gt,
            lit(1i64),
            &schema,
        )
        .unwrap();
        let projection = TableProjection::new(
            vec![OutputColumn {
                name: "C".into(),
                expr: col("$AGG_0", &schema).unwrap(),
                data_type: DataType::Int64,
            }],
            Some(having),
            WindowBounds::None,
        );
        let out = projection
            .apply(
                AggregatedRows {
                    rows,
                    previous: Some((previous, BooleanArray::from(vec![false, true, true]))),
                    timestamps: Int64Array::from(vec![1, 2, 3]),
                    tombstones: BooleanArray::from(vec![false; 3]),
                    windows: None,
                    headers: None,
                },
                &mut Vec::new(),
            )
            .unwrap()
            .unwrap();
        assert_eq!(out.num_rows(), 2);
        let ts = out.column(0).as_any().downcast_ref::<Int64Array>().unwrap();
        assert_eq!(ts.values(), &[2, 3]);
        let tombstones = out
            .column(2)
            .as_any()
            .downcast_ref::<BooleanArray>()
            .unwrap();
        assert_eq!(tombstones, &BooleanArray::from(vec![false, true]));
    }
}
