//! JSON values ↔ typed `ScalarValue`s with ksqlDB's coercions, shared by the JSON format,
//! INSERT VALUES, the REST API and the test runners.
//!
//! Reading follows ksqlDB's `KsqlJsonDeserializer`: numbers may come as strings, STRING takes
//! any JSON (objects as JSON text), STRUCT fields match case-insensitively, BYTES are base64,
//! DECIMAL keeps exact digits, TIMESTAMP/DATE/TIME are numbers (ms, days, ms of day). Nested
//! values are built with the exact Arrow types of `SqlType::to_arrow`, so rows of them make
//! arrays with `ScalarValue::iter_to_array`. Writing follows ksqlDB's JSON serializer.

use std::str::FromStr;
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_PAD_INDIFFERENT};
use datafusion::arrow::array::{
    Array, ArrayRef, ListArray, MapArray, StructArray, new_empty_array,
};
use datafusion::arrow::buffer::OffsetBuffer;
use datafusion::arrow::datatypes::DataType;
use datafusion::scalar::ScalarValue;
use serde_json::{Map, Number, Value};

use super::number_text::{
    format_decimal, format_double, parse_decimal, parse_double, truncate_to_integer,
};
use super::{FormatError, FormatResult, ValueError, conform};
use crate::catalog::types::{SqlType, StructField};

/// Milliseconds in a day: TIME values lie in `0..=MILLIS_PER_DAY` (ksqlDB's bounds).
const MILLIS_PER_DAY: i32 = 86_400_000;

/// Converts a JSON value to a value of type `ty`; errors carry the JSON path (`$.F[1]`).
pub fn json_to_scalar(json: &Value, ty: &SqlType) -> FormatResult<ScalarValue> {
    read(json, ty).map_err(|e| e.within("$"))
}

/// Converts a value of type `ty` to JSON as ksqlDB's JSON serializer writes it; errors carry the
/// JSON path.
pub fn scalar_to_json(value: &ScalarValue, ty: &SqlType) -> FormatResult<Value> {
    write(value, ty).map_err(|e| e.within("$"))
}

/// Reads `fields` of a JSON object, matching names as ksqlDB does; errors have paths relative to
/// the object (`.NAME…`).
pub(super) fn read_fields<'a>(
    object: &Map<String, Value>,
    fields: impl Iterator<Item = (&'a str, &'a SqlType)>,
) -> FormatResult<Vec<ScalarValue>> {
    fields
        .map(|(name, ty)| {
            let json = find_field(object, name).unwrap_or(&Value::Null);
            read(json, ty).map_err(|e| e.within(&format!(".{name}")))
        })
        .collect()
}

/// ksqlDB: the exact name first, else a JSON key whose upper case is the name. Unquoted SQL
/// names are upper case, so they match any case; quoted mixed-case names match only exactly.
fn find_field<'a>(object: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    object.get(name).or_else(|| {
        // ksqlDB keeps the last of several keys that upper-case alike. ASCII keys (nearly
        // all) compare without allocating; others are upper-cased as Java does.
        object
            .iter()
            .rev()
            .find(|(key, _)| {
                if key.is_ascii() {
                    key.len() == name.len()
                        && key
                            .bytes()
                            .zip(name.bytes())
                            .all(|(k, n)| k.to_ascii_uppercase() == n)
                } else {
                    key.to_uppercase() == name
                }
            })
            .map(|(_, v)| v)
    })
}

/// The error for JSON of the wrong kind. ksqlDB renders nested types without quoting names.
pub(super) fn wrong_type(json: &Value, required: &SqlType) -> FormatError {
    leaf(ValueError::WrongType {
        source_type: node_type(json),
        required: required.to_string().replace('`', ""),
    })
}

/// A value error at the current position; enclosing values add their path parts.
fn leaf(source: ValueError) -> FormatError {
    FormatError::JsonValue {
        path: String::new(),
        source,
    }
}

/// The Jackson node class ksqlDB's messages name for this JSON.
fn node_type(json: &Value) -> &'static str {
    match json {
        Value::Null => "NullNode",
        Value::Bool(_) => "BooleanNode",
        Value::String(_) => "TextNode",
        Value::Array(_) => "ArrayNode",
        Value::Object(_) => "ObjectNode",
        Value::Number(n) => {
            let text = n.as_str();
            if text.contains(['.', 'e', 'E']) {
                "DecimalNode"
            } else if text.parse::<i32>().is_ok() {
                "IntNode"
            } else if text.parse::<i64>().is_ok() {
                "LongNode"
            } else {
                "BigIntegerNode"
            }
        }
    }
}

pub(super) fn read(json: &Value, ty: &SqlType) -> FormatResult<ScalarValue> {
    if json.is_null() {
        return ScalarValue::try_new_null(&ty.to_arrow()).map_err(FormatError::internal);
    }
    Ok(match ty {
        SqlType::Boolean => match json {
            Value::Bool(b) => ScalarValue::Boolean(Some(*b)),
            _ => return Err(wrong_type(json, ty)),
        },
        SqlType::Int => ScalarValue::Int32(Some(read_integer(json, ty, "INTEGER")?)),
        SqlType::Bigint => ScalarValue::Int64(Some(read_integer(json, ty, "BIGINT")?)),
        SqlType::Timestamp => {
            ScalarValue::TimestampMillisecond(Some(read_integer(json, ty, "TIMESTAMP")?), None)
        }
        SqlType::Date => ScalarValue::Date32(Some(read_integer(json, ty, "DATE")?)),
        SqlType::Time => {
            let millis = read_integer(json, ty, "TIME")?;
            if !(0..=MILLIS_PER_DAY).contains(&millis) {
                return Err(leaf(ValueError::TimeOutOfRange));
            }
            ScalarValue::Time32Millisecond(Some(millis))
        }
        SqlType::Double => ScalarValue::Float64(Some(match json {
            Value::Number(n) => parse_double(n.as_str()).ok_or_else(|| wrong_type(json, ty))?,
            Value::String(s) => parse_double(s)
                .ok_or_else(|| leaf(ValueError::NotNumberText { target: "DOUBLE" }))?,
            _ => return Err(wrong_type(json, ty)),
        })),
        SqlType::Decimal(precision, scale) => {
            let text = match json {
                Value::Number(n) => n.as_str(),
                Value::String(s) => s.as_str(),
                _ => return Err(wrong_type(json, ty)),
            };
            let unscaled = parse_decimal(text, *precision, *scale).map_err(leaf)?;
            ScalarValue::Decimal128(Some(unscaled), *precision, *scale)
        }
        SqlType::String => ScalarValue::Utf8(Some(json_text(json))),
        SqlType::Bytes => match json {
            Value::String(s) => ScalarValue::Binary(Some(
                STANDARD_PAD_INDIFFERENT
                    .decode(s)
                    .map_err(|_| leaf(ValueError::NotBase64(s.clone())))?,
            )),
            _ => return Err(wrong_type(json, ty)),
        },
        SqlType::Array(item) => {
            let Value::Array(items) = json else {
                return Err(wrong_type(json, ty));
            };
            let values = items
                .iter()
                .enumerate()
                .map(|(i, v)| read(v, item).map_err(|e| e.within(&format!("[{i}]"))))
                .collect::<FormatResult<Vec<_>>>()?;
            build_list(ty, &values)?
        }
        SqlType::Map(key_ty, value_ty) => {
            let Value::Object(entries) = json else {
                return Err(wrong_type(json, ty));
            };
            let mut keys = Vec::with_capacity(entries.len());
            let mut values = Vec::with_capacity(entries.len());
            for (key, value) in entries {
                let key_json = Value::String(key.clone());
                keys.push(read(&key_json, key_ty).map_err(|e| e.within(&format!(".{key}.key")))?);
                values.push(read(value, value_ty).map_err(|e| e.within(&format!(".{key}.value")))?);
            }
            build_map(ty, &keys, &values)?
        }
        SqlType::Struct(fields) => {
            let Value::Object(object) = json else {
                return Err(wrong_type(json, ty));
            };
            let values = read_fields(object, fields.iter().map(|f| (f.name.as_str(), &f.ty)))?;
            build_struct(ty, &values)?
        }
    })
}

/// An integral value from a JSON number (fractions truncate, as ksqlDB's Jackson `intValue`) or
/// from a JSON string holding an integer (Java's `parseInt`/`parseLong`).
fn read_integer<T: TryFrom<i128>>(
    json: &Value,
    ty: &SqlType,
    target: &'static str,
) -> FormatResult<T> {
    let fits = |v: i128| T::try_from(v).ok();
    match json {
        Value::Number(n) => truncate_to_integer(n.as_str())
            .and_then(fits)
            .ok_or_else(|| wrong_type(json, ty)),
        Value::String(s) => s
            .parse::<i128>()
            .ok()
            .and_then(fits)
            .ok_or_else(|| leaf(ValueError::NotNumberText { target })),
        _ => Err(wrong_type(json, ty)),
    }
}

/// ksqlDB's STRING from any JSON: text as is, numbers and booleans as written, objects as
/// compact JSON, arrays as `[a, b, null]` of their elements' texts.
fn json_text(json: &Value) -> String {
    match json {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.as_str().to_string(),
        Value::String(s) => s.clone(),
        Value::Object(_) => json.to_string(),
        Value::Array(items) => {
            let texts: Vec<String> = items.iter().map(json_text).collect();
            format!("[{}]", texts.join(", "))
        }
    }
}

fn build_list(ty: &SqlType, items: &[ScalarValue]) -> FormatResult<ScalarValue> {
    let DataType::List(field) = ty.to_arrow() else {
        return Err(FormatError::internal(format!("{ty} is not a list type")));
    };
    let values = column_of(field.data_type(), items)?;
    let list = ListArray::try_new(
        field,
        OffsetBuffer::from_lengths([items.len()]),
        values,
        None,
    )
    .map_err(FormatError::internal)?;
    Ok(ScalarValue::List(Arc::new(list)))
}

fn build_map(
    ty: &SqlType,
    keys: &[ScalarValue],
    values: &[ScalarValue],
) -> FormatResult<ScalarValue> {
    let DataType::Map(entries_field, sorted) = ty.to_arrow() else {
        return Err(FormatError::internal(format!("{ty} is not a map type")));
    };
    let DataType::Struct(kv_fields) = entries_field.data_type() else {
        return Err(FormatError::internal(format!("{ty} has no map entries")));
    };
    let [key_field, value_field] = kv_fields.as_ref() else {
        return Err(FormatError::internal(format!("{ty} has no key and value")));
    };
    let arrays = vec![
        column_of(key_field.data_type(), keys)?,
        column_of(value_field.data_type(), values)?,
    ];
    let entries =
        StructArray::try_new(kv_fields.clone(), arrays, None).map_err(FormatError::internal)?;
    let map = MapArray::try_new(
        entries_field.clone(),
        OffsetBuffer::from_lengths([keys.len()]),
        entries,
        None,
        sorted,
    )
    .map_err(FormatError::internal)?;
    Ok(ScalarValue::Map(Arc::new(map)))
}

fn build_struct(ty: &SqlType, values: &[ScalarValue]) -> FormatResult<ScalarValue> {
    let DataType::Struct(fields) = ty.to_arrow() else {
        return Err(FormatError::internal(format!("{ty} is not a struct type")));
    };
    let arrays = values
        .iter()
        .map(ScalarValue::to_array)
        .collect::<Result<Vec<_>, _>>()
        .map_err(FormatError::internal)?;
    let row =
        StructArray::try_new_with_length(fields, arrays, None, 1).map_err(FormatError::internal)?;
    Ok(ScalarValue::Struct(Arc::new(row)))
}

/// An array of `values`, all of `data_type`.
fn column_of(data_type: &DataType, values: &[ScalarValue]) -> FormatResult<ArrayRef> {
    if values.is_empty() {
        return Ok(new_empty_array(data_type));
    }
    ScalarValue::iter_to_array(values.iter().cloned()).map_err(FormatError::internal)
}

fn write(value: &ScalarValue, ty: &SqlType) -> FormatResult<Value> {
    if value.is_null() {
        return Ok(Value::Null);
    }
    let value = conform(value, ty).map_err(leaf)?;
    let mismatch = || {
        leaf(ValueError::Mismatch {
            expected: ty.to_string(),
            found: value.data_type().to_string(),
        })
    };
    Ok(match (ty, value.as_ref()) {
        (SqlType::Boolean, ScalarValue::Boolean(Some(b))) => Value::Bool(*b),
        (SqlType::Int, ScalarValue::Int32(Some(v))) => Value::from(*v),
        (SqlType::Bigint, ScalarValue::Int64(Some(v))) => Value::from(*v),
        (SqlType::Timestamp, ScalarValue::TimestampMillisecond(Some(v), _)) => Value::from(*v),
        (SqlType::Date, ScalarValue::Date32(Some(v))) => Value::from(*v),
        (SqlType::Time, ScalarValue::Time32Millisecond(Some(v))) => Value::from(*v),
        (SqlType::Double, ScalarValue::Float64(Some(v))) => double_json(*v)?,
        (SqlType::Decimal(_, scale), ScalarValue::Decimal128(Some(v), _, _)) => Value::Number(
            Number::from_str(&format_decimal(*v, *scale)).map_err(FormatError::internal)?,
        ),
        (SqlType::String, ScalarValue::Utf8(Some(s))) => Value::String(s.clone()),
        (SqlType::Bytes, ScalarValue::Binary(Some(b))) => Value::String(STANDARD.encode(b)),
        (SqlType::Array(item), ScalarValue::List(list)) => {
            let items = list_items(list)?;
            let values = (0..items.len())
                .map(|i| {
                    element(&items, i)
                        .and_then(|v| write(&v, item))
                        .map_err(|e| e.within(&format!("[{i}]")))
                })
                .collect::<FormatResult<Vec<_>>>()?;
            Value::Array(values)
        }
        (SqlType::Map(key_ty, value_ty), ScalarValue::Map(map)) => {
            let entries = single_row(map.as_ref()).map(|_| map.value(0))?;
            let mut object = Map::new();
            for i in 0..entries.len() {
                let key = element(entries.column(0), i).and_then(|k| write(&k, key_ty))?;
                let key = match key {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                let value = element(entries.column(1), i)
                    .and_then(|v| write(&v, value_ty))
                    .map_err(|e| e.within(&format!(".{key}")))?;
                object.insert(key, value);
            }
            Value::Object(object)
        }
        (SqlType::Struct(fields), ScalarValue::Struct(row)) => {
            single_row(row.as_ref())?;
            let mut object = Map::new();
            for (StructField { name, ty }, column) in fields.iter().zip(row.columns()) {
                let value = element(column, 0)
                    .and_then(|v| write(&v, ty))
                    .map_err(|e| e.within(&format!(".{name}")))?;
                object.insert(name.clone(), value);
            }
            Value::Object(object)
        }
        _ => return Err(mismatch()),
    })
}

/// ksqlDB writes doubles with Java's `Double.toString` (serde_json respells an exponent, `1.0E10`
/// as `1.0e+10`) and non-finite ones as the strings `"NaN"`, `"Infinity"`, `"-Infinity"`
/// (Jackson's default), which its reader accepts back.
fn double_json(value: f64) -> FormatResult<Value> {
    let text = format_double(value);
    if !value.is_finite() {
        return Ok(Value::String(text));
    }
    Number::from_str(&text)
        .map(Value::Number)
        .map_err(FormatError::internal)
}

fn list_items(list: &ListArray) -> FormatResult<ArrayRef> {
    single_row(list)?;
    Ok(list.value(0))
}

/// Scalar values hold exactly one row; anything else is an engine bug.
fn single_row(array: &dyn Array) -> FormatResult<()> {
    if array.len() == 1 {
        Ok(())
    } else {
        Err(FormatError::internal(format!(
            "a scalar array with {} rows",
            array.len()
        )))
    }
}

fn element(array: &ArrayRef, index: usize) -> FormatResult<ScalarValue> {
    ScalarValue::try_from_array(array, index).map_err(FormatError::internal)
}
