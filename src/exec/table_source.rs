//! Reading a topic as a TABLE: each record is the new row of its key, a null value deletes it.
//!
//! ksqlDB (Kafka Streams' KTable source): a record with a null key has no row to change, so it
//! is dropped. When a later operator needs to know what a change replaced (an aggregation
//! takes a replaced row back out of its group), the source is *materialized*: it remembers
//! each key's current row and, before each new row, emits the row it replaces flagged in
//! [`PREVIOUS`]. A flagged row is always directly followed by the row (or the tombstone) that
//! replaces it. What the rows mean downstream belongs to the operators that read them.
//!
//! The remembered rows live in a `state::KeyedStore` whose changelog holds each key's row as
//! a JSON array of its column values (a removed key: a null value), so a restart rebuilds
//! them (`StateStore::restore`).

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, BooleanArray};
use datafusion::arrow::compute::{filter, filter_record_batch, interleave_record_batch};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::scalar::ScalarValue;
use serde_json::Value;

use super::record_headers;
use super::{ExecError, ExecResult, Operator, RecordError};
use crate::catalog::types::SqlType;
use crate::format::{json_to_scalar, scalar_to_json};
use crate::log::Record;
use crate::plan::select::{ROWTIME, TOMBSTONE};
use crate::state::keyed::KeyedStore;
use crate::state::{StateError, StateResult, StateStore};

/// Hidden column of a materialized table source's output: true for a row that the next row
/// replaces. `$` cannot start a ksqlDB identifier, so users never see it.
pub const PREVIOUS: &str = "$PREVIOUS";

/// A table's rows as they change.
pub struct TableSource {
    /// Indexes of the key columns in input batches.
    keys: Vec<usize>,
    /// The SQL type of each input column but `TOMBSTONE`, for the stored rows.
    types: Vec<SqlType>,
    /// The input schema with `PREVIOUS` appended, when materialized.
    schema: SchemaRef,
    /// Each key's current row, when materialized; every change is also queued for the
    /// changelog.
    rows: Option<KeyedStore<Vec<ScalarValue>>>,
}

impl TableSource {
    /// A source that only drops null-key records.
    pub fn new(input: &SchemaRef, key_columns: &[String]) -> ExecResult<Self> {
        let keys = key_columns
            .iter()
            .map(|name| {
                input
                    .index_of(name)
                    .map_err(|_| ExecError::Internal(format!("table input has no key {name}")))
            })
            .collect::<ExecResult<Vec<_>>>()?;
        let types = input
            .fields()
            .iter()
            .filter(|f| f.name() != TOMBSTONE)
            .map(|f| {
                SqlType::from_arrow(f.data_type()).ok_or_else(|| {
                    ExecError::Internal(format!("column {} has no SQL type", f.name()))
                })
            })
            .collect::<ExecResult<Vec<_>>>()?;
        Ok(TableSource {
            keys,
            types,
            schema: input.clone(),
            rows: None,
        })
    }

    /// A source that also emits the row each new row replaces; its rows are logged to
    /// `changelog_topic`.
    pub fn materialized(
        input: &SchemaRef,
        key_columns: &[String],
        changelog_topic: &str,
    ) -> ExecResult<Self> {
        let mut source = TableSource::new(input, key_columns)?;
        let mut fields: Vec<Field> = input.fields().iter().map(|f| f.as_ref().clone()).collect();
        fields.push(Field::new(PREVIOUS, DataType::Boolean, false));
        source.schema = Arc::new(Schema::new(fields));
        source.rows = Some(KeyedStore::new(changelog_topic));
        Ok(source)
    }

    /// The key of `row` as store bytes; `None` when every key column is null.
    fn key_bytes(&self, batch: &RecordBatch, row: usize) -> ExecResult<Option<Vec<u8>>> {
        let mut values = Vec::with_capacity(self.keys.len());
        let mut all_null = true;
        for &k in &self.keys {
            let value = ScalarValue::try_from_array(batch.column(k), row)?;
            all_null &= value.is_null();
            values.push(scalar_to_json(&value, &self.types[k]).map_err(internal)?);
        }
        if all_null {
            return Ok(None);
        }
        Ok(Some(
            serde_json::to_vec(&values).map_err(|e| ExecError::Internal(e.to_string()))?,
        ))
    }

    /// The batch with every row preceded by the row it replaces, if any; rows are remembered
    /// (or forgotten, for tombstones) and logged.
    fn with_previous(&mut self, batch: &RecordBatch, keys: &[Vec<u8>]) -> ExecResult<RecordBatch> {
        let tombstone = batch.schema().index_of(TOMBSTONE).ok();
        let rowtime = batch.schema().index_of(ROWTIME).ok();
        let Some(store) = self.rows.as_mut() else {
            return Ok(batch.clone());
        };
        let mut previous: Vec<Vec<ScalarValue>> = Vec::new();
        let mut order: Vec<(usize, usize)> = Vec::with_capacity(batch.num_rows());
        for (row, key) in keys.iter().enumerate() {
            let deleted = tombstone.is_some_and(|t| {
                batch
                    .column(t)
                    .as_any()
                    .downcast_ref::<BooleanArray>()
                    .is_some_and(|t| t.value(row))
            });
            let timestamp = match rowtime {
                Some(c) => i64::try_from(ScalarValue::try_from_array(batch.column(c), row)?)
                    .unwrap_or_default(),
                None => 0,
            };
            let replaced = if deleted {
                store.remove(key, timestamp)
            } else {
                let values = (0..self.types.len())
                    .map(|c| ScalarValue::try_from_array(batch.column(c), row))
                    .collect::<datafusion::error::Result<Vec<_>>>()?;
                let encoded = encode_row(&values, &self.types)?;
                store.log(key, encoded, timestamp);
                store.insert(key.clone(), values)
            };
            if let Some(old) = replaced {
                order.push((1, previous.len()));
                previous.push(old);
            }
            order.push((0, row));
        }
        let flagged = |rows: &RecordBatch, flag: bool| -> ExecResult<RecordBatch> {
            let mut columns: Vec<ArrayRef> = rows.columns().to_vec();
            columns.push(Arc::new(BooleanArray::from(vec![flag; rows.num_rows()])));
            Ok(RecordBatch::try_new(self.schema.clone(), columns)?)
        };
        let current = flagged(batch, false)?;
        let replaced = flagged(&previous_batch(&previous, batch.schema_ref())?, true)?;
        Ok(interleave_record_batch(&[&current, &replaced], &order)?)
    }
}

impl Operator for TableSource {
    fn on_batch(
        &mut self,
        batch: RecordBatch,
        _errors: &mut Vec<RecordError>,
    ) -> ExecResult<Option<RecordBatch>> {
        let (batch, mut headers) = record_headers::detach(batch)?;
        let mut keyed = Vec::with_capacity(batch.num_rows());
        let mut keys = Vec::with_capacity(batch.num_rows());
        for row in 0..batch.num_rows() {
            let key = self.key_bytes(&batch, row)?;
            keyed.push(key.is_some());
            keys.extend(key);
        }
        // ksqlDB: a table record without a key is skipped.
        let batch = if keys.len() < batch.num_rows() {
            let keyed = BooleanArray::from(keyed);
            if let Some(h) = headers.as_mut() {
                *h = filter(h, &keyed)?;
            }
            filter_record_batch(&batch, &keyed)?
        } else {
            batch
        };
        if batch.num_rows() == 0 {
            return Ok(None);
        }
        let output = self.with_previous(&batch, &keys)?;
        // Headers follow the rows when no replaced row was interleaved among them.
        match headers {
            Some(headers) if output.num_rows() == batch.num_rows() => {
                Ok(Some(record_headers::reattach(output, headers)?))
            }
            _ => Ok(Some(output)),
        }
    }

    fn state(&mut self) -> Option<&mut dyn StateStore> {
        match self.rows {
            Some(_) => Some(self),
            None => None,
        }
    }
}

impl StateStore for TableSource {
    fn changelog_topic(&self) -> &str {
        self.rows.as_ref().map_or("", |s| s.changelog_topic())
    }

    fn take_changes(&mut self) -> Vec<Record> {
        self.rows
            .as_mut()
            .map(|s| s.changelog().take())
            .unwrap_or_default()
    }

    fn restore(&mut self, record: &Record) -> StateResult<()> {
        let corrupt = |reason: String| StateError::Corrupt {
            topic: self.changelog_topic().to_string(),
            reason,
        };
        let key = record
            .key
            .clone()
            .ok_or_else(|| corrupt("a record has no key".into()))?;
        let row = match &record.value {
            Some(value) => Some(decode_row(value, &self.types).map_err(corrupt)?),
            None => None,
        };
        if let Some(store) = self.rows.as_mut() {
            store.restore(key.to_vec(), row);
        }
        Ok(())
    }
}

/// The rows of `previous` as a batch of `schema` (whose last column, `TOMBSTONE`, is false).
fn previous_batch(previous: &[Vec<ScalarValue>], schema: &SchemaRef) -> ExecResult<RecordBatch> {
    let mut columns: Vec<ArrayRef> = Vec::with_capacity(schema.fields().len());
    for (c, field) in schema.fields().iter().enumerate() {
        let array = if field.name() == TOMBSTONE {
            Arc::new(BooleanArray::from(vec![false; previous.len()]))
        } else if previous.is_empty() {
            datafusion::arrow::array::new_empty_array(field.data_type())
        } else {
            let array = ScalarValue::iter_to_array(previous.iter().map(|row| row[c].clone()))?;
            if array.data_type() == field.data_type() {
                array
            } else {
                datafusion::arrow::compute::cast(&array, field.data_type())?
            }
        };
        columns.push(array);
    }
    Ok(RecordBatch::try_new(schema.clone(), columns)?)
}

fn encode_row(values: &[ScalarValue], types: &[SqlType]) -> ExecResult<Vec<u8>> {
    let json = values
        .iter()
        .zip(types)
        .map(|(v, ty)| scalar_to_json(v, ty).map_err(internal))
        .collect::<ExecResult<Vec<_>>>()?;
    serde_json::to_vec(&json).map_err(|e| ExecError::Internal(e.to_string()))
}

fn decode_row(bytes: &[u8], types: &[SqlType]) -> Result<Vec<ScalarValue>, String> {
    let json: Vec<Value> = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    if json.len() != types.len() {
        return Err(format!(
            "a row of {} columns for {}",
            json.len(),
            types.len()
        ));
    }
    json.iter()
        .zip(types)
        .map(|(v, ty)| json_to_scalar(v, ty).map_err(|e| e.to_string()))
        .collect()
}

fn internal(e: impl std::fmt::Display) -> ExecError {
    ExecError::Internal(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{Int64Array, StringArray};

    fn schema() -> SchemaRef {
        Arc::new(Schema::new(vec![
            Field::new(ROWTIME, DataType::Int64, false),
            Field::new("K", DataType::Utf8, true),
            Field::new("V", DataType::Int64, true),
            Field::new(TOMBSTONE, DataType::Boolean, false),
        ]))
    }

    fn batch(rows: &[(Option<&str>, Option<i64>)]) -> RecordBatch {
        let n = rows.len() as i64;
        RecordBatch::try_new(
            schema(),
            vec![
                Arc::new(Int64Array::from((0..n).collect::<Vec<_>>())),
                Arc::new(StringArray::from(
                    rows.iter().map(|r| r.0).collect::<Vec<_>>(),
                )),
                Arc::new(Int64Array::from(
                    rows.iter().map(|r| r.1).collect::<Vec<_>>(),
                )),
                Arc::new(BooleanArray::from(
                    rows.iter().map(|r| r.1.is_none()).collect::<Vec<_>>(),
                )),
            ],
        )
        .unwrap()
    }

    fn column(batch: &RecordBatch, name: &str) -> Vec<Option<String>> {
        let array = batch.column_by_name(name).unwrap();
        (0..batch.num_rows())
            .map(|i| {
                let v = ScalarValue::try_from_array(array, i).unwrap();
                (!v.is_null()).then(|| v.to_string())
            })
            .collect()
    }

    #[test]
    fn drops_null_keys_and_emits_replaced_rows_first() {
        let mut source = TableSource::materialized(&schema(), &["K".into()], "cl").unwrap();
        let out = source
            .on_batch(
                batch(&[
                    (Some("a"), Some(1)),
                    (None, Some(2)),
                    (Some("a"), Some(3)),
                    (Some("a"), None),
                ]),
                &mut Vec::new(),
            )
            .unwrap()
            .unwrap();
        assert_eq!(
            column(&out, "V"),
            vec![
                Some("1".into()),
                Some("1".into()),
                Some("3".into()),
                Some("3".into()),
                None
            ]
        );
        assert_eq!(
            column(&out, PREVIOUS),
            ["false", "true", "false", "true", "false"]
                .map(|s| Some(s.to_string()))
                .to_vec()
        );
        let changes = source.take_changes();
        assert_eq!(changes.len(), 3);
        assert_eq!(changes[2].value, None, "the delete is logged");
    }

    #[test]
    fn restores_rows_from_the_changelog() {
        let mut source = TableSource::materialized(&schema(), &["K".into()], "cl").unwrap();
        source
            .on_batch(batch(&[(Some("a"), Some(1))]), &mut Vec::new())
            .unwrap();
        let mut restarted = TableSource::materialized(&schema(), &["K".into()], "cl").unwrap();
        for record in source.take_changes() {
            restarted.restore(&record).unwrap();
        }
        let out = restarted
            .on_batch(batch(&[(Some("a"), Some(2))]), &mut Vec::new())
            .unwrap()
            .unwrap();
        assert_eq!(column(&out, "V"), vec![Some("1".into()), Some("2".into())]);
    }

    #[test]
    fn unmaterialized_keeps_the_schema() {
        let mut source = TableSource::new(&schema(), &["K".into()]).unwrap();
        let out = source
            .on_batch(
                batch(&[(Some("a"), Some(1)), (None, Some(2))]),
                &mut Vec::new(),
            )
            .unwrap()
            .unwrap();
        assert_eq!(out.schema(), schema());
        assert_eq!(out.num_rows(), 1);
        assert!(source.state().is_none());
    }
}
