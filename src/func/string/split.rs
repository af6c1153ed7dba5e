//! SPLIT(text STRING, delimiter STRING) → ARRAY<STRING> and
//! SPLIT(bytes BYTES, delimiter BYTES) → ARRAY<BYTES> (ksqlDB `Split`).
//!
//! The delimiter is literal, not a regex; delimiters at either end or next to each other
//! give empty items, and an empty delimiter splits every character (or byte). An empty
//! input gives one empty item. NULL if either argument is NULL.

use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::common::cast::{as_binary_array, as_string_array};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use crate::func::collections::{binary_list, string_list};
use crate::func::signature::{Overloads, Param, list_type};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Split {
    signature: Signature,
    overloads: Overloads,
}

impl Split {
    pub(crate) fn new() -> Self {
        Split {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new(
                "split",
                vec![
                    vec![Param::String, Param::String],
                    vec![Param::Bytes, Param::Bytes],
                ],
            ),
        }
    }
}

impl ScalarUDFImpl for Split {
    fn name(&self) -> &str {
        "split"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        self.overloads.coerce(arg_types)
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        Ok(match self.overloads.resolve(arg_types)? {
            0 => list_type(DataType::Utf8),
            _ => list_type(DataType::Binary),
        })
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        if arrays[0].data_type() == &DataType::Binary {
            let bytes = as_binary_array(&arrays[0])?;
            let delimiter = as_binary_array(&arrays[1])?;
            let rows = bytes.iter().zip(delimiter.iter()).map(|(b, d)| {
                Some(
                    split_bytes(b?, d?)
                        .into_iter()
                        .map(Some)
                        .collect::<Vec<_>>(),
                )
            });
            return Ok(ColumnarValue::Array(binary_list(rows)));
        }
        let text = as_string_array(&arrays[0])?;
        let delimiter = as_string_array(&arrays[1])?;
        let rows = text
            .iter()
            .zip(delimiter.iter())
            .map(|(t, d)| Some(split_text(t?, d?).into_iter().map(Some).collect::<Vec<_>>()));
        Ok(ColumnarValue::Array(string_list(rows)))
    }
}

fn split_text<'a>(text: &'a str, delimiter: &str) -> Vec<&'a str> {
    if delimiter.is_empty() {
        // ksqlDB: Java's split on an empty pattern: one item per character, [""] for "".
        if text.is_empty() {
            return vec![""];
        }
        return text
            .char_indices()
            .map(|(i, c)| &text[i..i + c.len_utf8()])
            .collect();
    }
    text.split(delimiter).collect()
}

fn split_bytes<'a>(bytes: &'a [u8], delimiter: &[u8]) -> Vec<&'a [u8]> {
    if bytes.is_empty() {
        return vec![bytes];
    }
    if delimiter.is_empty() {
        return bytes.chunks(1).collect();
    }
    let mut items = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        if delimiter_at(bytes, delimiter, i) {
            items.push(&bytes[start..i]);
            i += delimiter.len();
            start = i;
        } else {
            i += 1;
        }
    }
    items.push(&bytes[start..]);
    items
}

/// ksqlDB's `BytesUtils.indexOf` test at `i`: the first delimiter byte matches, the
/// delimiter fits, and (a quirk of its `arrayEquals`) only positions `i..len(delimiter)`
/// are compared, each with the delimiter byte of the same absolute index.
fn delimiter_at(bytes: &[u8], delimiter: &[u8], i: usize) -> bool {
    bytes[i] == delimiter[0]
        && i + delimiter.len() <= bytes.len()
        && (i..delimiter.len()).all(|k| bytes[k] == delimiter[k])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_splits_literally() {
        // ksqlDB: split.json.
        assert_eq!(split_text("a.b.c", "."), vec!["a", "b", "c"]);
        assert_eq!(split_text("..a..", "."), vec!["", "", "a", "", ""]);
        assert_eq!(split_text(".$$a..", "$$"), vec![".", "a.."]);
        assert_eq!(split_text("abc", ""), vec!["a", "b", "c"]);
        assert_eq!(split_text("", ""), vec![""]);
        assert_eq!(split_text("", "."), vec![""]);
    }

    #[test]
    fn bytes_split_like_text() {
        assert_eq!(split_bytes(b".abc.", b"."), vec![&b""[..], b"abc", b""]);
        assert_eq!(split_bytes(b"a$$b.c", b"$$"), vec![&b"a"[..], b"b.c"]);
        assert_eq!(split_bytes(b"abc", b""), vec![&b"a"[..], b"b", b"c"]);
        assert_eq!(split_bytes(b"", b"."), vec![&b""[..]]);
    }
}
