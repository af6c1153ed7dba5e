//! SUBSTRING(text STRING|BYTES, pos INT[, length INT]) → same type (ksqlDB `Substring`).
//!
//! ksqlDB: `pos` is 1-based; a negative `pos` counts back from the end; a position before
//! the start is clamped to it and one past the end gives an empty result; a negative
//! length gives an empty result. (DataFusion's `substr` differs: it counts a position
//! below 1 into the length.) NULL if any argument is NULL. Strings are indexed by
//! character.

use std::sync::Arc;

use datafusion::arrow::array::{Array, BinaryArray, StringArray};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::common::cast::{as_binary_array, as_int32_array, as_string_array};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use crate::func::signature::{Overloads, Param};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Substring {
    signature: Signature,
    overloads: Overloads,
}

impl Substring {
    pub(crate) fn new() -> Self {
        Substring {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new(
                "substring",
                vec![
                    vec![Param::String, Param::Int],
                    vec![Param::String, Param::Int, Param::Int],
                    vec![Param::Bytes, Param::Int],
                    vec![Param::Bytes, Param::Int, Param::Int],
                ],
            ),
        }
    }
}

impl ScalarUDFImpl for Substring {
    fn name(&self) -> &str {
        "substring"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        self.overloads.coerce(arg_types)
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        self.overloads.resolve(arg_types)?;
        Ok(arg_types[0].clone())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let pos = as_int32_array(&arrays[1])?;
        let length = arrays.get(2).map(|a| as_int32_array(a)).transpose()?;
        // The range of row `row` in a value of `len` units, or None for NULL.
        let range = |row: usize, len: usize| -> Option<(usize, usize)> {
            if pos.is_null(row) || length.is_some_and(|l| l.is_null(row)) {
                return None;
            }
            Some(bounds(len, pos.value(row), length.map(|l| l.value(row))))
        };
        if arrays[0].data_type() == &DataType::Binary {
            let bytes = as_binary_array(&arrays[0])?;
            let out: BinaryArray = (0..bytes.len())
                .map(|row| {
                    let b = bytes.is_valid(row).then(|| bytes.value(row))?;
                    let (start, end) = range(row, b.len())?;
                    Some(b[start..end].to_vec())
                })
                .collect();
            return Ok(ColumnarValue::Array(Arc::new(out)));
        }
        let text = as_string_array(&arrays[0])?;
        let out: StringArray = (0..text.len())
            .map(|row| {
                let t = text.is_valid(row).then(|| text.value(row))?;
                let chars: Vec<char> = t.chars().collect();
                let (start, end) = range(row, chars.len())?;
                Some(chars[start..end].iter().collect::<String>())
            })
            .collect();
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

/// The `[start, end)` of ksqlDB's substring of a value `len` long.
fn bounds(len: usize, pos: i32, length: Option<i32>) -> (usize, usize) {
    let len = i64::try_from(len).unwrap_or(i64::MAX);
    let pos = i64::from(pos);
    let start = if pos < 0 {
        (len + pos).max(0)
    } else {
        (pos - 1).min(len).max(0)
    };
    let end = match length {
        Some(length) => (start + i64::from(length)).min(len).max(start),
        None => len,
    };
    let to_usize = |v: i64| usize::try_from(v).unwrap_or(0);
    (to_usize(start), to_usize(end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sub(text: &str, pos: i32, length: Option<i32>) -> String {
        let chars: Vec<char> = text.chars().collect();
        let (start, end) = bounds(chars.len(), pos, length);
        chars[start..end].iter().collect()
    }

    #[test]
    fn one_based_and_clamped() {
        // ksqlDB: substring.json.
        assert_eq!(sub("some_string", 6, None), "string");
        assert_eq!(sub("short", 6, None), "");
        assert_eq!(sub("some_string", 6, Some(3)), "str");
        assert_eq!(sub("another", 6, Some(3)), "er");
        assert_eq!(sub("some string", 0, Some(2)), "so");
        assert_eq!(sub("abc", -2, None), "bc");
        assert_eq!(sub("abc", -5, Some(2)), "ab");
        assert_eq!(sub("abc", 2, Some(-1)), "");
        assert_eq!(sub("héllo", 2, Some(2)), "él");
    }
}
