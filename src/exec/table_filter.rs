//! WHERE over a TABLE: a row that fails the predicate deletes its key from the result.
//!
//! ksqlDB (Kafka Streams' KTable filter): filtering a table does not simply drop changes. A
//! row that fails WHERE (false or null) becomes a tombstone for its key, so that a row that
//! used to pass and no longer does leaves the result. Since ksqlDB 0.15 the filter reads the
//! key's previous row and sends that tombstone only when the previous row was in the result:
//! a key that never passed gets no spurious delete, and neither does a source tombstone for
//! such a key.
//!
//! Two inputs need two ways of knowing the previous row:
//!
//! - [`TableFilter::of_changes`]: rows are a table's changes, one per key update. The filter
//!   remembers which keys' latest rows passed, in a keyed store whose changelog makes that
//!   survive a restart.
//! - [`TableFilter::of_replacing_rows`]: rows come from a materialized source, which already
//!   puts each key's replaced row before the row that replaces it. The filter flags every
//!   failing row (replaced ones too) and keeps them; the aggregation that reads them takes
//!   back only replaced rows that passed.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, BooleanArray};
use datafusion::arrow::compute::kernels::boolean::{not, or_kleene};
use datafusion::arrow::compute::{filter_record_batch, prep_null_mask_filter};
use datafusion::arrow::datatypes::{Int64Type, Schema};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::arrow::row::{RowConverter, SortField};
use datafusion::physical_expr::PhysicalExpr;

use super::{ExecError, ExecResult, Operator, RecordError};
use crate::exec::project::evaluate_lenient;
use crate::log::Record;
use crate::plan::select::{ROWTIME, TOMBSTONE};
use crate::state::keyed::KeyedStore;
use crate::state::{StateResult, StateStore};

/// The changelog value of a key whose latest row passed (a removed key: no value).
const PASSED: &[u8] = b"1";

pub struct TableFilter {
    /// A boolean expression over the input schema.
    predicate: Arc<dyn PhysicalExpr>,
    /// How failing rows are told apart; `None`: every failing row is flagged and kept.
    changes: Option<PassingKeys>,
}

/// The keys whose latest row passed, for a filter over a table's changes.
struct PassingKeys {
    /// The columns that make up a row's key (with a windowed table's window bounds).
    key_columns: Vec<usize>,
    /// Encodes key columns as store keys.
    encoder: RowConverter,
    passing: KeyedStore<()>,
}

impl TableFilter {
    /// A filter over a table's changes, whose keys are `key_columns` of its input (with the
    /// window bounds of a windowed table); the keys that pass are logged to
    /// `changelog_topic`.
    pub fn of_changes(
        predicate: Arc<dyn PhysicalExpr>,
        input: &Schema,
        key_columns: Vec<usize>,
        changelog_topic: &str,
    ) -> ExecResult<Self> {
        let fields = key_columns
            .iter()
            .map(|&c| SortField::new(input.field(c).data_type().clone()))
            .collect();
        Ok(TableFilter {
            predicate,
            changes: Some(PassingKeys {
                key_columns,
                encoder: RowConverter::new(fields)?,
                passing: KeyedStore::new(changelog_topic),
            }),
        })
    }

    /// A filter over a materialized source's rows, each replaced row before its
    /// replacement: failing rows are flagged as deletes and kept.
    pub fn of_replacing_rows(predicate: Arc<dyn PhysicalExpr>) -> Self {
        TableFilter {
            predicate,
            changes: None,
        }
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
        let passes = if passes.null_count() > 0 {
            prep_null_mask_filter(passes)
        } else {
            passes.clone()
        };
        let index = batch
            .schema()
            .index_of(TOMBSTONE)
            .map_err(|_| ExecError::Internal("table rows without a tombstone flag".into()))?;
        let deletes = batch.column(index).as_boolean();
        let fails = or_kleene(deletes, &not(&passes)?)?;
        let mut columns: Vec<ArrayRef> = batch.columns().to_vec();
        columns[index] = Arc::new(fails.clone());
        let flagged = RecordBatch::try_new(batch.schema(), columns)?;
        let Some(changes) = self.changes.as_mut() else {
            return Ok(Some(flagged));
        };
        let keep = changes.keep(&batch, &fails)?;
        let kept = filter_record_batch(&flagged, &keep)?;
        Ok((kept.num_rows() > 0).then_some(kept))
    }

    fn state(&mut self) -> Option<&mut dyn StateStore> {
        match self.changes {
            Some(_) => Some(self),
            None => None,
        }
    }
}

impl PassingKeys {
    /// Which rows go on: every passing row, and a failing row only if its key's previous
    /// row passed. Remembers (and logs) the keys whose latest row passes.
    fn keep(&mut self, batch: &RecordBatch, fails: &BooleanArray) -> ExecResult<BooleanArray> {
        let keys: Vec<ArrayRef> = self
            .key_columns
            .iter()
            .map(|&c| batch.column(c).clone())
            .collect();
        let keys = self.encoder.convert_columns(&keys)?;
        let rowtimes = batch
            .column_by_name(ROWTIME)
            .and_then(|c| c.as_primitive_opt::<Int64Type>())
            .ok_or_else(|| ExecError::Internal("table rows without ROWTIME".into()))?;
        let mut keep = Vec::with_capacity(batch.num_rows());
        for (row, key) in keys.iter().enumerate() {
            let key = key.as_ref();
            if fails.value(row) {
                keep.push(self.passing.remove(key, rowtimes.value(row)).is_some());
            } else {
                if self.passing.insert(key.to_vec(), ()).is_none() {
                    self.passing.log(key, PASSED.to_vec(), rowtimes.value(row));
                }
                keep.push(true);
            }
        }
        Ok(BooleanArray::from(keep))
    }
}

impl StateStore for TableFilter {
    fn changelog_topic(&self) -> &str {
        self.changes
            .as_ref()
            .map_or("", |c| c.passing.changelog_topic())
    }

    fn take_changes(&mut self) -> Vec<Record> {
        self.changes
            .as_mut()
            .map(|c| c.passing.changelog().take())
            .unwrap_or_default()
    }

    fn restore(&mut self, record: &Record) -> StateResult<()> {
        if let (Some(changes), Some(key)) = (self.changes.as_mut(), &record.key) {
            let passed = record.value.as_ref().map(|_| ());
            changes.passing.restore(key.to_vec(), passed);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::Int64Array;
    use datafusion::arrow::datatypes::{DataType, Field, SchemaRef};
    use datafusion::logical_expr::Operator as BinaryOp;
    use datafusion::physical_expr::expressions::{binary, col, lit};

    fn schema() -> SchemaRef {
        Arc::new(Schema::new(vec![
            Field::new(ROWTIME, DataType::Int64, false),
            Field::new("K", DataType::Int64, true),
            Field::new("A", DataType::Int64, true),
            Field::new(TOMBSTONE, DataType::Boolean, false),
        ]))
    }

    /// Rows of (K, A, tombstone).
    fn rows(rows: &[(i64, Option<i64>, bool)]) -> RecordBatch {
        RecordBatch::try_new(
            schema(),
            vec![
                Arc::new(Int64Array::from(vec![0; rows.len()])),
                Arc::new(Int64Array::from_iter_values(rows.iter().map(|r| r.0))),
                Arc::new(Int64Array::from_iter(rows.iter().map(|r| r.1))),
                Arc::new(BooleanArray::from_iter(rows.iter().map(|r| Some(r.2)))),
            ],
        )
        .unwrap()
    }

    /// `A > 1`.
    fn a_above_one() -> Arc<dyn PhysicalExpr> {
        let schema = schema();
        binary(col("A", &schema).unwrap(), BinaryOp::Gt, lit(1i64), &schema).unwrap()
    }

    /// (K, tombstone) of each output row.
    fn output(batch: Option<RecordBatch>) -> Vec<(i64, bool)> {
        let Some(batch) = batch else { return vec![] };
        let keys = batch.column(1).as_primitive::<Int64Type>();
        let flags = batch.column(3).as_boolean();
        (0..batch.num_rows())
            .map(|r| (keys.value(r), flags.value(r)))
            .collect()
    }

    #[test]
    fn replacing_rows_flag_every_failing_row() {
        let out = TableFilter::of_replacing_rows(a_above_one())
            .on_batch(
                rows(&[
                    (1, Some(1), false),
                    (2, None, false),
                    (3, Some(3), false),
                    (4, None, true),
                ]),
                &mut Vec::new(),
            )
            .unwrap();
        assert_eq!(
            output(out),
            vec![(1, true), (2, true), (3, false), (4, true)]
        );
    }

    #[test]
    fn changes_delete_only_keys_that_passed() {
        let mut filter =
            TableFilter::of_changes(a_above_one(), &schema(), vec![1], "filter-changelog").unwrap();
        let out = filter
            .on_batch(
                rows(&[
                    (1, Some(1), false), // never passed: nothing
                    (2, Some(5), false), // passes
                    (2, Some(0), false), // fails after passing: a delete
                    (2, Some(0), false), // fails again: nothing
                    (3, None, true),     // a source delete of a key never in the result
                ]),
                &mut Vec::new(),
            )
            .unwrap();
        assert_eq!(output(out), vec![(2, false), (2, true)]);
        let changes = filter.take_changes();
        assert_eq!(changes.len(), 2, "key 2 passed, then was removed");
        assert!(changes[0].value.is_some() && changes[1].value.is_none());
    }

    #[test]
    fn restored_keys_still_get_their_delete() {
        let mut first =
            TableFilter::of_changes(a_above_one(), &schema(), vec![1], "filter-changelog").unwrap();
        first
            .on_batch(rows(&[(7, Some(9), false)]), &mut Vec::new())
            .unwrap();
        let mut restarted =
            TableFilter::of_changes(a_above_one(), &schema(), vec![1], "filter-changelog").unwrap();
        for record in first.take_changes() {
            restarted.restore(&record).unwrap();
        }
        let out = restarted
            .on_batch(rows(&[(7, None, true)]), &mut Vec::new())
            .unwrap();
        assert_eq!(output(out), vec![(7, true)]);
    }
}
