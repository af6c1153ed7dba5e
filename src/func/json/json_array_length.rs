//! JSON_ARRAY_LENGTH(json STRING) → INT: the length of a top-level JSON array
//! (ksqlDB `JsonArrayLength`).
//!
//! NULL for NULL, blank text, or JSON that is not an array; text that is not JSON is an
//! error (NULL plus a processing-log entry).

use std::sync::Arc;

use datafusion::arrow::array::Int32Array;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::common::cast::as_string_array;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};
use serde_json::Value;

use super::jackson::read_tree;
use crate::func::signature::{Overloads, Param};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct JsonArrayLength {
    signature: Signature,
    overloads: Overloads,
}

impl JsonArrayLength {
    pub(crate) fn new() -> Self {
        JsonArrayLength {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new("json_array_length", vec![vec![Param::String]]),
        }
    }
}

impl ScalarUDFImpl for JsonArrayLength {
    fn name(&self) -> &str {
        "json_array_length"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        self.overloads.coerce(arg_types)
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        self.overloads.resolve(arg_types)?;
        Ok(DataType::Int32)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let out = as_string_array(&arrays[0])?
            .iter()
            .map(|json| json.map(length).transpose().map(Option::flatten))
            .collect::<Result<Int32Array>>()?;
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

fn length(json: &str) -> Result<Option<i32>> {
    Ok(match read_tree(json)? {
        Some(Value::Array(items)) => i32::try_from(items.len()).ok(),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths() {
        assert_eq!(length(r#"["Red", "Green"]"#).unwrap(), Some(2));
        assert_eq!(length("[]").unwrap(), Some(0));
        assert_eq!(length("").unwrap(), None);
        assert_eq!(length("{}").unwrap(), None);
        assert!(length("[").is_err());
    }
}
