//! INITCAP(text STRING) → STRING: each word's first letter upper-cased and the rest
//! lower-cased (ksqlDB `InitCap`).
//!
//! ksqlDB: words are runs of non-whitespace, so punctuation does not start a word
//! (`o'neil` → `O'neil`, where DataFusion's `initcap` gives `O'Neil`); whitespace is kept
//! as it is. NULL for NULL.

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
pub struct InitCap {
    signature: Signature,
    overloads: Overloads,
}

impl InitCap {
    pub(crate) fn new() -> Self {
        InitCap {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new("initcap", vec![vec![Param::String]]),
        }
    }
}

impl ScalarUDFImpl for InitCap {
    fn name(&self) -> &str {
        "initcap"
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
            .map(|t| t.map(initcap))
            .collect();
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

fn initcap(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut word_start = true;
    // ksqlDB lower-cases the whole text first, then upper-cases each word's first char;
    // leading whitespace before the first word is dropped by its `[^\s]+\s*` matcher.
    for c in text.to_lowercase().chars() {
        if c.is_whitespace() {
            if !out.is_empty() {
                out.push(c);
            }
            word_start = true;
        } else if word_start {
            out.extend(c.to_uppercase());
            word_start = false;
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_on_whitespace_only() {
        assert_eq!(initcap("the quick BROWN fox"), "The Quick Brown Fox");
        assert_eq!(initcap("o'neil-smith"), "O'neil-smith");
        assert_eq!(initcap("a  b\tc "), "A  B\tC ");
        assert_eq!(initcap("  lead"), "Lead");
        assert_eq!(initcap(""), "");
    }
}
