//! REGEXP_EXTRACT(pattern STRING, text STRING[, group INT]) → STRING: the first match of
//! a pattern, or one of its groups (ksqlDB `RegexpExtract`).
//!
//! NULL if any argument is NULL, nothing matches, the group number is above the
//! pattern's group count, or the group did not take part in the match. A bad pattern is
//! an error (NULL plus a processing-log entry).

use std::sync::Arc;

use datafusion::arrow::array::{Array, StringArray};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::common::cast::{as_int32_array, as_string_array};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};
use regex::Regex;

use super::java_pattern::PatternCache;
use crate::func::signature::{Overloads, Param};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct RegexpExtract {
    signature: Signature,
    overloads: Overloads,
}

impl RegexpExtract {
    pub(crate) fn new() -> Self {
        RegexpExtract {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new(
                "regexp_extract",
                vec![
                    vec![Param::String, Param::String],
                    vec![Param::String, Param::String, Param::Int],
                ],
            ),
        }
    }
}

impl ScalarUDFImpl for RegexpExtract {
    fn name(&self) -> &str {
        "regexp_extract"
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
        let pattern = as_string_array(&arrays[0])?;
        let text = as_string_array(&arrays[1])?;
        let group = arrays.get(2).map(|a| as_int32_array(a)).transpose()?;
        let mut patterns = PatternCache::default();
        let out = (0..args.number_rows)
            .map(|row| {
                let group = match group {
                    None => 0,
                    Some(g) if g.is_valid(row) => g.value(row),
                    Some(_) => return Ok(None),
                };
                if pattern.is_null(row) || text.is_null(row) {
                    return Ok(None);
                }
                let regex = patterns.get(pattern.value(row))?;
                Ok(extract(regex, text.value(row), group))
            })
            .collect::<Result<StringArray>>()?;
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

fn extract<'a>(regex: &Regex, text: &'a str, group: i32) -> Option<&'a str> {
    let group = usize::try_from(group).ok()?;
    let caps = regex.captures(text)?;
    Some(caps.get(group)?.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_match_or_group() {
        // ksqlDB: regex.json.
        let test = Regex::new("test.").unwrap();
        assert_eq!(extract(&test, "some_test_string", 0), Some("test_"));
        assert_eq!(extract(&test, "anothertest", 0), None);
        let two = Regex::new("(.*) (.*)").unwrap();
        assert_eq!(extract(&two, "steven zhang", 2), Some("zhang"));
        assert_eq!(extract(&two, "steven zhang", 3), None);
        assert_eq!(extract(&two, "agavra", 2), None);
    }
}
