//! INSTR(text STRING, substring STRING[, position INT[, occurrence INT]]) → INT: the
//! 1-based position of an occurrence of a substring, 0 if there is none (ksqlDB `Instr`).
//!
//! ksqlDB: the search starts at `position` (default 1); a negative position searches
//! backwards from that many characters before the end; occurrences may overlap. Returns 0
//! (not NULL) when the text or substring is NULL or `|position|` exceeds the length; a
//! NULL position or occurrence is an error (Java `int` parameters): NULL plus a
//! processing-log entry.

use std::sync::Arc;

use datafusion::arrow::array::{Array, Int32Array};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::cast::{as_int32_array, as_string_array};
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use crate::func::signature::{Overloads, Param};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Instr {
    signature: Signature,
    overloads: Overloads,
}

impl Instr {
    pub(crate) fn new() -> Self {
        Instr {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new(
                "instr",
                vec![
                    vec![Param::String, Param::String],
                    vec![Param::String, Param::String, Param::Int],
                    vec![Param::String, Param::String, Param::Int, Param::Int],
                ],
            ),
        }
    }
}

impl ScalarUDFImpl for Instr {
    fn name(&self) -> &str {
        "instr"
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
        let text = as_string_array(&arrays[0])?;
        let substring = as_string_array(&arrays[1])?;
        let ints = arrays[2..]
            .iter()
            .map(|a| as_int32_array(a))
            .collect::<Result<Vec<_>>>()?;
        let out = (0..args.number_rows)
            .map(|row| {
                if ints.iter().any(|a| a.is_null(row)) {
                    return exec_err!("INSTR: position and occurrence must not be null");
                }
                let position = ints.first().map_or(1, |a| a.value(row));
                let occurrence = ints.get(1).map_or(1, |a| a.value(row));
                if text.is_null(row) || substring.is_null(row) {
                    return Ok(Some(0));
                }
                Ok(Some(instr(
                    text.value(row),
                    substring.value(row),
                    position,
                    occurrence,
                )))
            })
            .collect::<Result<Int32Array>>()?;
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

fn instr(text: &str, substring: &str, position: i32, occurrence: i32) -> i32 {
    let text: Vec<char> = text.chars().collect();
    let sub: Vec<char> = substring.chars().collect();
    let len = i64::try_from(text.len()).unwrap_or(i64::MAX);
    let position = i64::from(position);
    if position.abs() > len {
        return 0;
    }
    let (haystack, needle, position, reversed) = if position < 0 {
        let rev = |v: &[char]| v.iter().rev().copied().collect::<Vec<_>>();
        (rev(&text), rev(&sub), -position, true)
    } else {
        (text, sub, position, false)
    };
    // commons-lang `substring(str, position - 1)`: a negative start counts from the end.
    let start = position - 1;
    let start = if start < 0 {
        (len + start).max(0)
    } else {
        start.min(len)
    };
    let rest = &haystack[usize::try_from(start).unwrap_or(0)..];
    let Some(i) = ordinal_index_of(rest, &needle, occurrence) else {
        return 0;
    };
    let i = i64::try_from(i).unwrap_or(0);
    let needle_len = i64::try_from(needle.len()).unwrap_or(0);
    let found = if reversed {
        len - position - i - needle_len + 2
    } else {
        i + position
    };
    i32::try_from(found).unwrap_or(0)
}

/// commons-lang `StringUtils.ordinalIndexOf`: the index of the `ordinal`-th (overlapping)
/// occurrence.
fn ordinal_index_of(haystack: &[char], needle: &[char], ordinal: i32) -> Option<usize> {
    if ordinal <= 0 {
        return None;
    }
    if needle.is_empty() {
        return Some(0);
    }
    let mut found = 0;
    for i in 0..haystack.len() {
        if haystack[i..].starts_with(needle) {
            found += 1;
            if found == ordinal {
                return Some(i);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ksqldb_positions() {
        // ksqlDB: instr.json.
        assert_eq!(instr("corporate floor", "or", 1, 1), 2);
        assert_eq!(instr("should I stay or should I go", "or", 1, 1), 15);
        assert_eq!(instr("short", "or", 1, 1), 3);
        assert_eq!(instr("no substring", "or", 1, 1), 0);
        assert_eq!(instr("corporate floor", "or", 4, 1), 5);
        assert_eq!(instr("short", "or", 4, 1), 0);
        assert_eq!(instr("corporate floor", "or", 4, 2), 14);
        assert_eq!(instr("corporate floor", "or", -4, 1), 5);
        assert_eq!(instr("short", "or", -4, 1), 0);
        assert_eq!(instr("corporate floor", "or", -4, 2), 2);
        assert_eq!(instr("abc", "b", 9, 1), 0);
    }
}
