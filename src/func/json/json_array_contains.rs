//! JSON_ARRAY_CONTAINS(json STRING, value T) → BOOLEAN: whether a top-level JSON array
//! holds a value (ksqlDB `JsonArrayContains`).
//!
//! ksqlDB compares by JSON token kind: an INT or BIGINT matches integer numbers only, a
//! DOUBLE floating-point numbers only, a STRING strings, a BOOLEAN `true`/`false`, and a
//! NULL matches `null`; values of other types match nothing. Text that is not a JSON array
//! (or not JSON) gives `false`; a NULL array gives NULL.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, BooleanArray};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::cast::as_string_array;
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};
use serde_json::Value;

use crate::func::signature::{Overloads, Param};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct JsonArrayContains {
    signature: Signature,
    overloads: Overloads,
}

impl JsonArrayContains {
    pub(crate) fn new() -> Self {
        JsonArrayContains {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new("json_array_contains", vec![vec![Param::String, Param::Any]]),
        }
    }
}

impl ScalarUDFImpl for JsonArrayContains {
    fn name(&self) -> &str {
        "json_array_contains"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        self.overloads.coerce(arg_types)
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        self.overloads.resolve(arg_types)?;
        Ok(DataType::Boolean)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let json = as_string_array(&arrays[0])?;
        let values: &ArrayRef = &arrays[1];
        let out = (0..json.len())
            .map(|row| {
                if json.is_null(row) {
                    return Ok(None);
                }
                let value = ScalarValue::try_from_array(values, row)?;
                Ok(Some(contains(json.value(row), &value)))
            })
            .collect::<Result<BooleanArray>>()?;
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

fn contains(json: &str, value: &ScalarValue) -> bool {
    // ksqlDB streams tokens from the start; an unreadable array is `false`.
    let Ok(Some(Value::Array(items))) = serde_json::Deserializer::from_str(json)
        .into_iter::<Value>()
        .next()
        .transpose()
    else {
        return false;
    };
    items.iter().any(|item| matches(item, value))
}

fn matches(item: &Value, value: &ScalarValue) -> bool {
    if value.is_null() {
        return item.is_null();
    }
    match (item, value) {
        (
            Value::Number(n),
            ScalarValue::Int8(Some(_))
            | ScalarValue::Int16(Some(_))
            | ScalarValue::Int32(Some(_))
            | ScalarValue::Int64(Some(_)),
        ) => {
            let is_integer = !n.to_string().contains(['.', 'e', 'E']);
            let wanted = match value {
                ScalarValue::Int8(Some(v)) => i64::from(*v),
                ScalarValue::Int16(Some(v)) => i64::from(*v),
                ScalarValue::Int32(Some(v)) => i64::from(*v),
                ScalarValue::Int64(Some(v)) => *v,
                _ => return false,
            };
            is_integer && n.as_i64() == Some(wanted)
        }
        (Value::Number(n), ScalarValue::Float64(Some(v))) => {
            let is_float = n.to_string().contains(['.', 'e', 'E']);
            is_float && n.as_f64() == Some(*v)
        }
        (Value::String(s), ScalarValue::Utf8(Some(v))) => s == v,
        (Value::Bool(b), ScalarValue::Boolean(Some(v))) => b == v,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_kinds_must_agree() {
        let s = |v: &str| ScalarValue::Utf8(Some(v.to_string()));
        assert!(contains(r#"["Pink", null]"#, &s("Pink")));
        assert!(!contains(r#"["Red", "Green"]"#, &s("Pink")));
        assert!(contains("[1, 2]", &ScalarValue::Int32(Some(2))));
        assert!(!contains("[1.0]", &ScalarValue::Int64(Some(1))));
        assert!(contains("[1.0]", &ScalarValue::Float64(Some(1.0))));
        assert!(!contains("[1]", &ScalarValue::Float64(Some(1.0))));
        assert!(contains("[true]", &ScalarValue::Boolean(Some(true))));
        assert!(contains("[null]", &ScalarValue::Utf8(None)));
        assert!(!contains("{\"a\": 1}", &s("a")));
        assert!(!contains("", &s("a")));
    }
}
