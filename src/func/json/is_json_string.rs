//! IS_JSON_STRING(text STRING) → BOOLEAN: whether text parses as a JSON value
//! (ksqlDB `IsJsonString`).
//!
//! ksqlDB: never NULL: a NULL or blank argument is `false`; like every ksqlDB JSON
//! function, only the first JSON value of the text is read.

use std::sync::Arc;

use datafusion::arrow::array::BooleanArray;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::common::cast::as_string_array;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::jackson::read_tree;
use crate::func::signature::{Overloads, Param};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct IsJsonString {
    signature: Signature,
    overloads: Overloads,
}

impl IsJsonString {
    pub(crate) fn new() -> Self {
        IsJsonString {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new("is_json_string", vec![vec![Param::String]]),
        }
    }
}

impl ScalarUDFImpl for IsJsonString {
    fn name(&self) -> &str {
        "is_json_string"
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
        let out: BooleanArray = as_string_array(&arrays[0])?
            .iter()
            .map(|text| Some(text.is_some_and(is_json)))
            .collect();
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

fn is_json(text: &str) -> bool {
    matches!(read_tree(text), Ok(Some(_)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_or_not() {
        assert!(is_json(r#"{"a": 1}"#));
        assert!(is_json("\"abc\""));
        assert!(is_json("[1, 2]"));
        assert!(!is_json(""));
        assert!(!is_json("abc"));
        assert!(!is_json("{"));
    }
}
