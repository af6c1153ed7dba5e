//! WHERE: keeps the rows whose predicate is true (null counts as false, as in SQL).

use std::sync::Arc;

use datafusion::arrow::array::BooleanArray;
use datafusion::arrow::compute::filter_record_batch;
use datafusion::arrow::compute::kernels::boolean::and_not;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::physical_expr::PhysicalExpr;

use super::{ExecError, ExecResult, Operator, RecordError};
use crate::exec::project::evaluate_lenient;
use crate::plan::select::TOMBSTONE;

pub struct Filter {
    /// A boolean expression over the input schema.
    predicate: Arc<dyn PhysicalExpr>,
}

impl Filter {
    pub fn new(predicate: Arc<dyn PhysicalExpr>) -> Self {
        Filter { predicate }
    }
}

impl Operator for Filter {
    fn on_batch(
        &mut self,
        batch: RecordBatch,
        errors: &mut Vec<RecordError>,
    ) -> ExecResult<Option<RecordBatch>> {
        let mask = evaluate_lenient(&self.predicate, &batch, errors)?;
        let mask = mask
            .as_any()
            .downcast_ref::<BooleanArray>()
            .ok_or_else(|| ExecError::Internal("WHERE did not evaluate to BOOLEAN".into()))?;
        // ksqlDB: a record with a null value never passes a WHERE clause.
        let mask = match batch
            .column_by_name(TOMBSTONE)
            .and_then(|a| a.as_any().downcast_ref::<BooleanArray>())
        {
            Some(tombstones) if tombstones.true_count() > 0 => and_not(mask, tombstones)?,
            _ => mask.clone(),
        };
        let kept = filter_record_batch(&batch, &mask)?;
        Ok((kept.num_rows() > 0).then_some(kept))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{Int64Array, RecordBatchOptions};
    use datafusion::arrow::datatypes::{DataType, Field, Schema};
    use datafusion::logical_expr::Operator as BinaryOp;
    use datafusion::physical_expr::expressions::{binary, col, lit};

    #[test]
    fn keeps_matching_rows_and_drops_nulls() {
        let schema = Arc::new(Schema::new(vec![Field::new("A", DataType::Int64, true)]));
        let batch = RecordBatch::try_new_with_options(
            schema.clone(),
            vec![Arc::new(Int64Array::from(vec![Some(1), None, Some(3)]))],
            &RecordBatchOptions::default(),
        )
        .unwrap();
        let predicate =
            binary(col("A", &schema).unwrap(), BinaryOp::Gt, lit(1i64), &schema).unwrap();
        let mut errors = Vec::new();
        let out = Filter::new(predicate)
            .on_batch(batch, &mut errors)
            .unwrap()
            .unwrap();
        assert_eq!(out.num_rows(), 1);
        assert!(errors.is_empty());
    }
}
