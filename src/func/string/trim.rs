//! TRIM(text STRING) → STRING: text without leading and trailing whitespace (ksqlDB
//! `Trim`, Java's `String.trim`).
//!
//! ksqlDB: "whitespace" is every character up to U+0020, control characters included
//! (DataFusion's `trim` removes only spaces). NULL for NULL.

use std::sync::Arc;

use datafusion::arrow::array::StringArray;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::common::cast::as_string_array;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use crate::func::signature::{Overloads, Param};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Trim {
    signature: Signature,
    overloads: Overloads,
}

impl Trim {
    pub(crate) fn new() -> Self {
        Trim {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new("trim", vec![vec![Param::String]]),
        }
    }
}

impl ScalarUDFImpl for Trim {
    fn name(&self) -> &str {
        "trim"
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
        let out: StringArray = as_string_array(&arrays[0])?
            .iter()
            .map(|t| t.map(java_trim))
            .collect();
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

fn java_trim(text: &str) -> &str {
    text.trim_matches(|c: char| c <= ' ')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_control_characters_too() {
        // ksqlDB: string.json.
        assert_eq!(java_trim(" \t with white space \t"), "with white space");
        assert_eq!(java_trim("\u{0}x\n"), "x");
        assert_eq!(java_trim("\u{a0}x"), "\u{a0}x");
    }
}
