//! Push-query rows as the REST API writes them: Arrow batches from the engine → one JSON
//! array of column values per row.
//!
//! ksqlDB's REST mapper (`ApiJsonMapper`) writes values as its JSON format does, except
//! temporal types, which it writes as text: TIMESTAMP `"1999-11-30T11:00:00.000"` (UTC),
//! DATE `"1970-01-11"`, TIME `"00:00:10"`. BYTES are base64 and DECIMALs plain numbers in
//! both.

use datafusion::arrow::array::{Array, BooleanArray};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::scalar::ScalarValue;
use serde_json::Value;

use crate::catalog::types::SqlType;
use crate::format::scalar_to_json;
use crate::plan::select::TOMBSTONE;

/// One row of a push query.
#[derive(Debug, Clone, PartialEq)]
pub struct RestRow {
    /// The values of the query's columns, in order.
    pub columns: Vec<Value>,
    /// The row deletes its key (a table's tombstone): its value columns are null.
    pub tombstone: bool,
}

/// The rows of `batch`, whose visible columns (names not starting with `$`, the engine's
/// hidden columns) are the query's `columns` in order.
pub fn batch_rows(batch: &RecordBatch, columns: &[(String, SqlType)]) -> Vec<RestRow> {
    let visible: Vec<&dyn Array> = batch
        .columns()
        .iter()
        .zip(batch.schema().fields())
        .filter(|(_, field)| !field.name().starts_with('$'))
        .map(|(column, _)| column.as_ref())
        .collect();
    let tombstones = batch
        .column_by_name(TOMBSTONE)
        .and_then(|c| c.as_any().downcast_ref::<BooleanArray>().cloned());
    (0..batch.num_rows())
        .map(|row| RestRow {
            columns: visible
                .iter()
                .zip(columns)
                .map(|(array, (name, ty))| cell(*array, row, ty, name))
                .collect(),
            tombstone: tombstones
                .as_ref()
                .is_some_and(|t| t.is_valid(row) && t.value(row)),
        })
        .collect()
}

/// One value; one that cannot be rendered (an engine bug) is written as null and logged,
/// so that the rest of the stream still reaches the client.
fn cell(array: &dyn Array, row: usize, ty: &SqlType, name: &str) -> Value {
    let json = ScalarValue::try_from_array(array, row)
        .map_err(|e| e.to_string())
        .and_then(|value| scalar_to_json(&value, ty).map_err(|e| e.to_string()));
    match json {
        Ok(json) => rest_value(json, ty),
        Err(error) => {
            tracing::warn!(column = name, %error, "cannot render a push-query value");
            Value::Null
        }
    }
}

/// Rewrites the JSON format's temporal values (numbers) as the REST API's text.
pub fn rest_value(json: Value, ty: &SqlType) -> Value {
    match (ty, json) {
        (SqlType::Timestamp, Value::Number(n)) => n
            .as_i64()
            .and_then(chrono::DateTime::from_timestamp_millis)
            .map(|t| Value::String(t.format("%Y-%m-%dT%H:%M:%S%.3f").to_string()))
            .unwrap_or(Value::Number(n)),
        (SqlType::Date, Value::Number(n)) => n
            .as_i64()
            .and_then(|days| i32::try_from(days + 719_163).ok())
            .and_then(chrono::NaiveDate::from_num_days_from_ce_opt)
            .map(|d| Value::String(d.format("%Y-%m-%d").to_string()))
            .unwrap_or(Value::Number(n)),
        (SqlType::Time, Value::Number(n)) => n
            .as_i64()
            .and_then(|ms| {
                let secs = u32::try_from(ms.div_euclid(1000)).ok()?;
                chrono::NaiveTime::from_num_seconds_from_midnight_opt(secs, 0)
            })
            .map(|t| Value::String(t.format("%H:%M:%S").to_string()))
            .unwrap_or(Value::Number(n)),
        (SqlType::Array(item), Value::Array(items)) => {
            Value::Array(items.into_iter().map(|v| rest_value(v, item)).collect())
        }
        (SqlType::Map(_, value_ty), Value::Object(entries)) => Value::Object(
            entries
                .into_iter()
                .map(|(k, v)| (k, rest_value(v, value_ty)))
                .collect(),
        ),
        (SqlType::Struct(fields), Value::Object(mut object)) => {
            for field in fields {
                if let Some(v) = object.get_mut(&field.name) {
                    *v = rest_value(v.take(), &field.ty);
                }
            }
            Value::Object(object)
        }
        (_, json) => json,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{Int64Array, StringArray, TimestampMillisecondArray};
    use datafusion::arrow::datatypes::{DataType, Field, Schema, TimeUnit};
    use serde_json::json;

    use super::*;
    use crate::catalog::types::StructField;

    #[test]
    fn temporal_values_are_text_like_ksqldb_rest() {
        assert_eq!(
            rest_value(json!(943959600000i64), &SqlType::Timestamp),
            json!("1999-11-30T11:00:00.000")
        );
        assert_eq!(rest_value(json!(10), &SqlType::Date), json!("1970-01-11"));
        assert_eq!(rest_value(json!(10000), &SqlType::Time), json!("00:00:10"));
        let ty = SqlType::Struct(vec![StructField {
            name: "T".into(),
            ty: SqlType::Array(Box::new(SqlType::Date)),
        }]);
        assert_eq!(
            rest_value(json!({"T": [0, null]}), &ty),
            json!({"T": ["1970-01-01", null]})
        );
    }

    #[test]
    fn hidden_columns_are_skipped_and_tombstones_marked() {
        let schema = Schema::new(vec![
            Field::new("$ROWTIME", DataType::Int64, false),
            Field::new("K", DataType::Utf8, true),
            Field::new("TS", DataType::Timestamp(TimeUnit::Millisecond, None), true),
            Field::new(TOMBSTONE, DataType::Boolean, false),
        ]);
        let batch = RecordBatch::try_new(
            Arc::new(schema),
            vec![
                Arc::new(Int64Array::from(vec![1, 2])),
                Arc::new(StringArray::from(vec![Some("a"), None])),
                Arc::new(TimestampMillisecondArray::from(vec![Some(0), None])),
                Arc::new(BooleanArray::from(vec![false, true])),
            ],
        )
        .unwrap();
        let columns = vec![
            ("K".to_string(), SqlType::String),
            ("TS".to_string(), SqlType::Timestamp),
        ];
        let rows = batch_rows(&batch, &columns);
        assert_eq!(
            rows[0].columns,
            vec![json!("a"), json!("1970-01-01T00:00:00.000")]
        );
        assert!(!rows[0].tombstone);
        assert_eq!(rows[1].columns, vec![Value::Null, Value::Null]);
        assert!(rows[1].tombstone);
    }
}
