//! WHERE over a TABLE: a row that fails the predicate deletes its key.
//!
//! ksqlDB (Kafka Streams' KTable filter): filtering a table does not drop changes, it turns a
//! row that fails WHERE (false or null) into a tombstone for its key, so that a row that used
//! to pass and no longer does leaves the result. Every row stays; failing ones get their
//! `TOMBSTONE` flag set, and the projection and sink then write a null value.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, BooleanArray};
use datafusion::arrow::compute::kernels::boolean::{not, or_kleene};
use datafusion::arrow::compute::prep_null_mask_filter;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::physical_expr::PhysicalExpr;

use super::{ExecError, ExecResult, Operator, RecordError};
use crate::exec::project::evaluate_lenient;
use crate::plan::select::TOMBSTONE;

pub struct TableFilter {
    /// A boolean expression over the input schema.
    predicate: Arc<dyn PhysicalExpr>,
}

impl TableFilter {
    pub fn new(predicate: Arc<dyn PhysicalExpr>) -> Self {
        TableFilter { predicate }
    }
}

impl Operator for TableFilter {
    fn on_batch(
        &mut self,
        batch: RecordBatch,
        errors: &mut Vec<RecordError>,
    ) -> ExecResult<Option<RecordBatch>> {
        let passes = evaluate_lenient(&self.predicate, &batch, errors)?;
        let passes = passes
            .as_any()
            .downcast_ref::<BooleanArray>()
            .ok_or_else(|| ExecError::Internal("WHERE did not evaluate to BOOLEAN".into()))?;
        // `prep_null_mask_filter` needs a null buffer; a null passes as false.
        let fails = if passes.null_count() > 0 {
            not(&prep_null_mask_filter(passes))?
        } else {
            not(passes)?
        };
        let index = batch
            .schema()
            .index_of(TOMBSTONE)
            .map_err(|_| ExecError::Internal("table rows without a tombstone flag".into()))?;
        let tombstones = batch
            .column(index)
            .as_any()
            .downcast_ref::<BooleanArray>()
            .ok_or_else(|| ExecError::Internal("the tombstone flag is not BOOLEAN".into()))?;
        let mut columns: Vec<ArrayRef> = batch.columns().to_vec();
        columns[index] = Arc::new(or_kleene(tombstones, &fails)?);
        Ok(Some(RecordBatch::try_new(batch.schema(), columns)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::Int64Array;
    use datafusion::arrow::datatypes::{DataType, Field, Schema};
    use datafusion::logical_expr::Operator as BinaryOp;
    use datafusion::physical_expr::expressions::{binary, col, lit};

    #[test]
    fn failing_rows_become_tombstones() {
        let schema = Arc::new(Schema::new(vec![
            Field::new("A", DataType::Int64, true),
            Field::new(TOMBSTONE, DataType::Boolean, false),
        ]));
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(Int64Array::from(vec![Some(1), None, Some(3), None])),
                Arc::new(BooleanArray::from(vec![false, false, false, true])),
            ],
        )
        .unwrap();
        let predicate =
            binary(col("A", &schema).unwrap(), BinaryOp::Gt, lit(1i64), &schema).unwrap();
        let out = TableFilter::new(predicate)
            .on_batch(batch, &mut Vec::new())
            .unwrap()
            .unwrap();
        assert_eq!(out.num_rows(), 4);
        let tombstones = out
            .column(1)
            .as_any()
            .downcast_ref::<BooleanArray>()
            .unwrap();
        assert_eq!(
            tombstones,
            &BooleanArray::from(vec![true, true, false, true])
        );
    }
}
