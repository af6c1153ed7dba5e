//! REGEXP_EXTRACT_ALL(pattern STRING, text STRING[, group INT]) → ARRAY<STRING>: every
//! match of a pattern, or one group of each (ksqlDB `RegexpExtractAll`).
//!
//! An empty array when nothing matches; a group that did not take part gives a NULL item.
//! NULL if any argument is NULL or the group number is above the pattern's group count.
//! A bad pattern is an error (NULL plus a processing-log entry).

use datafusion::arrow::array::Array;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::common::cast::{as_int32_array, as_string_array};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};
use regex::Regex;

use super::java_pattern::PatternCache;
use crate::func::collections::string_list;
use crate::func::signature::{Overloads, Param, list_type};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct RegexpExtractAll {
    signature: Signature,
    overloads: Overloads,
}

impl RegexpExtractAll {
    pub(crate) fn new() -> Self {
        RegexpExtractAll {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new(
                "regexp_extract_all",
                vec![
                    vec![Param::String, Param::String],
                    vec![Param::String, Param::String, Param::Int],
                ],
            ),
        }
    }
}

impl ScalarUDFImpl for RegexpExtractAll {
    fn name(&self) -> &str {
        "regexp_extract_all"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        self.overloads.coerce(arg_types)
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        self.overloads.resolve(arg_types)?;
        Ok(list_type(DataType::Utf8))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let pattern = as_string_array(&arrays[0])?;
        let text = as_string_array(&arrays[1])?;
        let group = arrays.get(2).map(|a| as_int32_array(a)).transpose()?;
        let mut patterns = PatternCache::default();
        let rows = (0..args.number_rows)
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
                Ok(extract_all(regex, text.value(row), group))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(ColumnarValue::Array(string_list(rows)))
    }
}

fn extract_all<'a>(regex: &Regex, text: &'a str, group: i32) -> Option<Vec<Option<&'a str>>> {
    // ksqlDB: a negative group fails in Java's `Matcher.group`; only on a match, though.
    let group = usize::try_from(group).ok();
    if group.is_some_and(|g| g >= regex.captures_len()) {
        return None;
    }
    let mut items = Vec::new();
    for caps in regex.captures_iter(text) {
        items.push(caps.get(group?).map(|m| m.as_str()));
    }
    Some(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_matches() {
        // ksqlDB: regex.json.
        let test = Regex::new("test.").unwrap();
        assert_eq!(
            extract_all(&test, "some_test_string_testabab", 0),
            Some(vec![Some("test_"), Some("testa")])
        );
        assert_eq!(extract_all(&test, "nothing", 0), Some(vec![]));
        let words = Regex::new(r"(\w+) (\w*)").unwrap();
        assert_eq!(
            extract_all(&words, "apurva mehta agavra ", 2),
            Some(vec![Some("mehta"), Some("")])
        );
        assert_eq!(extract_all(&words, "a b", 3), None);
    }
}
