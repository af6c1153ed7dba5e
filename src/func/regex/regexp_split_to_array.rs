//! REGEXP_SPLIT_TO_ARRAY(text STRING, regexp STRING) → ARRAY<STRING>: text split at the
//! matches of a pattern (ksqlDB `RegexpSplitToArray`).
//!
//! ksqlDB: matches at either end or next to each other give empty items. A pattern that
//! matches the empty string is split with Java's `Pattern.split` instead: no empty item
//! for a zero-width match at the start, and trailing empty items dropped (`''` splits
//! every character). NULL if either argument is NULL; a bad pattern is an error.

use datafusion::arrow::array::Array;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::common::cast::as_string_array;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};
use regex::Regex;

use super::java_pattern::PatternCache;
use crate::func::collections::string_list;
use crate::func::signature::{Overloads, Param, list_type};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct RegexpSplitToArray {
    signature: Signature,
    overloads: Overloads,
}

impl RegexpSplitToArray {
    pub(crate) fn new() -> Self {
        RegexpSplitToArray {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new(
                "regexp_split_to_array",
                vec![vec![Param::String, Param::String]],
            ),
        }
    }
}

impl ScalarUDFImpl for RegexpSplitToArray {
    fn name(&self) -> &str {
        "regexp_split_to_array"
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
        let text = as_string_array(&arrays[0])?;
        let pattern = as_string_array(&arrays[1])?;
        let mut patterns = PatternCache::default();
        let rows = (0..args.number_rows)
            .map(|row| {
                if pattern.is_null(row) || text.is_null(row) {
                    return Ok(None);
                }
                let regex = patterns.get(pattern.value(row))?;
                Ok(Some(
                    split(regex, text.value(row))
                        .into_iter()
                        .map(Some)
                        .collect(),
                ))
            })
            .collect::<Result<Vec<Option<Vec<Option<&str>>>>>>()?;
        Ok(ColumnarValue::Array(string_list(rows)))
    }
}

fn split<'a>(regex: &Regex, text: &'a str) -> Vec<&'a str> {
    if !regex.is_match("") {
        return regex.split(text).collect();
    }
    // Java's `Pattern.split(text)` (limit 0).
    let mut items = Vec::new();
    let mut index = 0;
    for m in regex.find_iter(text) {
        if m.start() == 0 && m.end() == 0 {
            continue;
        }
        items.push(&text[index..m.start()]);
        index = m.end();
    }
    if index == 0 && items.is_empty() {
        return vec![text];
    }
    items.push(&text[index..]);
    while items.len() > 1 && items.last() == Some(&"") {
        items.pop();
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_matches() {
        // ksqlDB: split.json "regexp_split_to_array".
        let p = Regex::new("(ab|cd)").unwrap();
        assert_eq!(split(&p, "aabcda"), vec!["a", "", "a"]);
        assert_eq!(split(&p, "aabdcda"), vec!["a", "d", "a"]);
        assert_eq!(split(&p, "zxy"), vec!["zxy"]);
        assert_eq!(split(&p, "abxab"), vec!["", "x", ""]);
    }

    #[test]
    fn empty_matching_patterns_split_like_java() {
        let empty = Regex::new("").unwrap();
        assert_eq!(split(&empty, "abc"), vec!["a", "b", "c"]);
        assert_eq!(split(&empty, ""), vec![""]);
    }
}
