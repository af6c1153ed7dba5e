//! TO_JSON_STRING(value ANY) → STRING: any value as JSON text (ksqlDB `ToJsonString`).
//!
//! ksqlDB: NULL becomes the text `null`; TIME, DATE and TIMESTAMP become JSON strings in
//! their ISO form (`"16:43:40"`, `"1972-09-27"`, `"1971-11-28T23:46:40.000"`), BYTES a
//! base64 string, DECIMAL a plain number, DOUBLE Java's `Double.toString`; STRUCT fields
//! and MAP entries are written sorted by name (ksqlDB copies them into a `TreeMap`).

use std::collections::BTreeMap;
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use datafusion::arrow::array::{Array, ArrayRef, AsArray, StringArray};
use datafusion::arrow::datatypes::{DataType, Date32Type};
use datafusion::common::{Result, ScalarValue, exec_datafusion_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};
use serde_json::Value;

use super::jackson::write_sql_values;
use crate::catalog::types::SqlType;
use crate::format::scalar_to_json;
use crate::func::date::iso_text::{date_text, time_text, timestamp_text};
use crate::func::signature::{Overloads, Param};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ToJsonString {
    signature: Signature,
    overloads: Overloads,
}

impl ToJsonString {
    pub(crate) fn new() -> Self {
        ToJsonString {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new("to_json_string", vec![vec![Param::Any]]),
        }
    }
}

impl ScalarUDFImpl for ToJsonString {
    fn name(&self) -> &str {
        "to_json_string"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        self.overloads.coerce(arg_types)
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        self.overloads.resolve(arg_types)?;
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let input = &arrays[0];
        let out = (0..input.len())
            .map(|row| to_json(input, row).map(|v| Some(write_sql_values(&v))))
            .collect::<Result<StringArray>>()?;
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

/// Row `row` of `array` as ksqlDB's TO_JSON_STRING prepares it for Jackson.
fn to_json(array: &ArrayRef, row: usize) -> Result<Value> {
    if array.is_null(row) {
        return Ok(Value::Null);
    }
    let bad = || exec_datafusion_err!("TO_JSON_STRING: unsupported value at row {row}");
    Ok(match array.data_type() {
        DataType::Date32 => {
            let days = array.as_primitive::<Date32Type>().value(row);
            Value::String(date_text(days).ok_or_else(bad)?)
        }
        DataType::Time32(_) | DataType::Time64(_) | DataType::Timestamp(_, _) => {
            let text = match ScalarValue::try_from_array(array, row)? {
                ScalarValue::Time32Millisecond(Some(v)) => time_text(v),
                ScalarValue::TimestampMillisecond(Some(v), _) => timestamp_text(v),
                _ => None,
            };
            Value::String(text.ok_or_else(bad)?)
        }
        DataType::Binary => Value::String(STANDARD.encode(array.as_binary::<i32>().value(row))),
        DataType::List(_) => {
            let items = array.as_list::<i32>().value(row);
            Value::Array(
                (0..items.len())
                    .map(|i| to_json(&items, i))
                    .collect::<Result<_>>()?,
            )
        }
        DataType::Map(_, _) => {
            let entries = array.as_map().value(row);
            let mut sorted = BTreeMap::new();
            for i in 0..entries.len() {
                let key = match to_json(entries.column(0), i)? {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                sorted.insert(key, to_json(entries.column(1), i)?);
            }
            Value::Object(sorted.into_iter().collect())
        }
        DataType::Struct(fields) => {
            let columns = array.as_struct().columns();
            let mut sorted = BTreeMap::new();
            for (field, column) in fields.iter().zip(columns) {
                sorted.insert(field.name().clone(), to_json(column, row)?);
            }
            Value::Object(sorted.into_iter().collect())
        }
        other => {
            // Leaves (BOOLEAN, numbers, STRING) are written as the JSON format writes them.
            let ty = SqlType::from_arrow(other).ok_or_else(bad)?;
            let value = ScalarValue::try_from_array(array, row)?;
            scalar_to_json(&value, &ty).map_err(|e| exec_datafusion_err!("{e}"))?
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{Float64Array, Int32Array, MapArray, StructArray};
    use datafusion::arrow::datatypes::Field;

    fn json_of(array: ArrayRef) -> Vec<String> {
        (0..array.len())
            .map(|i| write_sql_values(&to_json(&array, i).unwrap()))
            .collect()
    }

    #[test]
    fn scalars() {
        assert_eq!(
            json_of(Arc::new(Int32Array::from(vec![Some(1), None]))),
            vec!["1", "null"]
        );
        assert_eq!(
            json_of(Arc::new(Float64Array::from(vec![123.456, 1e10]))),
            vec!["123.456", "1.0E10"]
        );
        assert_eq!(
            json_of(Arc::new(StringArray::from(vec!["abc"]))),
            vec![r#""abc""#]
        );
    }

    #[test]
    fn struct_fields_are_sorted() {
        let s = StructArray::from(vec![
            (
                Arc::new(Field::new("NAME", DataType::Utf8, true)),
                Arc::new(StringArray::from(vec!["Alice"])) as ArrayRef,
            ),
            (
                Arc::new(Field::new("ID", DataType::Int32, true)),
                Arc::new(Int32Array::from(vec![1])) as ArrayRef,
            ),
        ]);
        assert_eq!(json_of(Arc::new(s)), vec![r#"{"ID":1,"NAME":"Alice"}"#]);
    }

    #[test]
    fn maps_become_objects() {
        let map = crate::func::collections::string_map(vec![Some(vec![
            ("b", Some("1")),
            ("a", None::<&str>),
        ])])
        .unwrap();
        assert!(map.as_any().downcast_ref::<MapArray>().is_some());
        assert_eq!(json_of(map), vec![r#"{"a":null,"b":"1"}"#]);
    }
}
