//! WHERE over a table join's rows: a row that fails the predicate deletes its key only if
//! the key's previous row had passed, and a delete goes through only for such a key, as
//! Kafka Streams' KTable filter does when its parent (the join) sends old values.

use std::collections::HashSet;
use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray, BooleanArray};
use datafusion::arrow::compute::filter_record_batch;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::physical_expr::PhysicalExpr;
use datafusion::scalar::ScalarValue;

use crate::exec::project::evaluate_lenient;
use crate::exec::{ExecError, ExecResult, Operator, RecordError};
use crate::plan::select::TOMBSTONE;

pub struct JoinedTableFilter {
    predicate: Arc<dyn PhysicalExpr>,
    /// The columns of a joined row that make up the result's key.
    key_columns: Vec<usize>,
    /// The keys whose latest row passed.
    passing: HashSet<Vec<ScalarValue>>,
}

impl JoinedTableFilter {
    pub fn new(predicate: Arc<dyn PhysicalExpr>, key_columns: Vec<usize>) -> Self {
        JoinedTableFilter {
            predicate,
            key_columns,
            passing: HashSet::new(),
        }
    }
}

impl Operator for JoinedTableFilter {
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
        let index = batch
            .schema()
            .index_of(TOMBSTONE)
            .map_err(|_| ExecError::Internal("table rows without a tombstone flag".into()))?;
        let deletes = batch.column(index).as_boolean().clone();
        let mut keep = Vec::with_capacity(batch.num_rows());
        let mut flags = Vec::with_capacity(batch.num_rows());
        for row in 0..batch.num_rows() {
            let key = self
                .key_columns
                .iter()
                .map(|&c| ScalarValue::try_from_array(batch.column(c), row))
                .collect::<Result<Vec<_>, _>>()?;
            let passed = !deletes.value(row) && passes.is_valid(row) && passes.value(row);
            if passed {
                self.passing.insert(key);
                keep.push(true);
                flags.push(false);
            } else {
                // A delete of a key whose previous row was written; nothing otherwise.
                keep.push(self.passing.remove(&key));
                flags.push(true);
            }
        }
        let mut columns = batch.columns().to_vec();
        columns[index] = Arc::new(BooleanArray::from(flags));
        let flagged = RecordBatch::try_new(batch.schema(), columns)?;
        Ok(Some(filter_record_batch(
            &flagged,
            &BooleanArray::from(keep),
        )?))
    }
}
