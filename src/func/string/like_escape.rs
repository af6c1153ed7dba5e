//! `x LIKE pattern ESCAPE 'c'` with an escape character other than backslash: the pattern
//! rewritten to DataFusion's backslash escapes (`!%` → `\%`, a plain `\` → `\\`), so
//! its LIKE can match it. Not a ksqlDB function: the expression planner calls it.

use std::sync::Arc;

use datafusion::arrow::array::StringArray;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::common::cast::as_string_array;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct LikeEscape {
    signature: Signature,
    /// The statement's escape character.
    escape: char,
}

impl LikeEscape {
    pub(crate) fn new(escape: char) -> Self {
        LikeEscape {
            signature: Signature::exact(vec![DataType::Utf8], Volatility::Immutable),
            escape,
        }
    }
}

impl ScalarUDFImpl for LikeEscape {
    fn name(&self) -> &str {
        "like_escape"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let patterns = as_string_array(&arrays[0])?;
        let out: StringArray = patterns
            .iter()
            .map(|p| p.map(|p| backslash_escaped(p, self.escape)))
            .collect();
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

/// `pattern`, whose escape character is `escape`, with backslash escapes instead.
fn backslash_escaped(pattern: &str, escape: char) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c == escape {
            match chars.next() {
                Some(next) => {
                    out.push('\\');
                    out.push(next);
                }
                None => {
                    out.push('\\');
                    out.push(escape);
                }
            }
        } else if c == '\\' {
            out.push_str("\\\\");
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
    fn escapes_become_backslashes() {
        assert_eq!(backslash_escaped("!%", '!'), "\\%");
        assert_eq!(backslash_escaped("a!!b%", '!'), "a\\!b%");
        assert_eq!(backslash_escaped("a\\b", '!'), "a\\\\b");
    }
}
