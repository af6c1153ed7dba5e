//! CHR(code INT|STRING) → STRING: the character for a Unicode code point, given as a
//! number or as a Java escape like `'\u004b'` (ksqlDB `Chr`).
//!
//! ksqlDB: a number outside the code point range gives NULL; a string must be at least
//! six characters and start with `\u`, else NULL; it is unescaped as Java text, so
//! `'\ud820\udeb8'` (a surrogate pair) is one character. An escape that is not valid hex
//! is an error (NULL plus a processing-log entry).

use std::sync::Arc;

use datafusion::arrow::array::{Array, StringArray};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::cast::{as_int32_array, as_string_array};
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use crate::func::signature::{Overloads, Param};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Chr {
    signature: Signature,
    overloads: Overloads,
}

impl Chr {
    pub(crate) fn new() -> Self {
        Chr {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new("chr", vec![vec![Param::Int], vec![Param::String]]),
        }
    }
}

impl ScalarUDFImpl for Chr {
    fn name(&self) -> &str {
        "chr"
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
        let out: StringArray = if arrays[0].data_type() == &DataType::Int32 {
            as_int32_array(&arrays[0])?
                .iter()
                .map(|code| from_code_point(code?))
                .collect()
        } else {
            let codes = as_string_array(&arrays[0])?;
            (0..codes.len())
                .map(|row| {
                    if codes.is_null(row) {
                        return Ok(None);
                    }
                    from_escape(codes.value(row))
                })
                .collect::<Result<StringArray>>()?
        };
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

fn from_code_point(code: i32) -> Option<String> {
    let code = u32::try_from(code).ok()?;
    // Java accepts lone surrogates, which UTF-8 text cannot hold: they become U+FFFD.
    if (0xD800..=0xDFFF).contains(&code) {
        return Some('\u{FFFD}'.to_string());
    }
    char::from_u32(code).map(String::from)
}

fn from_escape(text: &str) -> Result<Option<String>> {
    if text.chars().count() < 6 || !text.starts_with("\\u") {
        return Ok(None);
    }
    unescape_java(text).map(Some)
}

/// commons-text `StringEscapeUtils.unescapeJava`, for the `\u` escapes CHR takes (plus
/// the usual one-letter escapes).
fn unescape_java(text: &str) -> Result<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut units: Vec<u16> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '\\' || i + 1 >= chars.len() {
            let mut buf = [0u16; 2];
            units.extend_from_slice(chars[i].encode_utf16(&mut buf));
            i += 1;
            continue;
        }
        let next = chars[i + 1];
        if next == 'u' {
            let mut j = i + 1;
            while chars.get(j) == Some(&'u') {
                j += 1;
            }
            let hex: String = chars.get(j..j + 4).unwrap_or_default().iter().collect();
            let Ok(unit) = u16::from_str_radix(&hex, 16) else {
                return exec_err!("Unable to parse unicode value: {hex}");
            };
            if hex.len() < 4 {
                return exec_err!("Less than 4 hex digits in unicode value: '{hex}'");
            }
            units.push(unit);
            i = j + 4;
            continue;
        }
        let unescaped = match next {
            'n' => '\n',
            't' => '\t',
            'b' => '\u{8}',
            'f' => '\u{c}',
            'r' => '\r',
            other => other,
        };
        units.push(u16::try_from(u32::from(unescaped)).unwrap_or(0xFFFD));
        i += 2;
    }
    Ok(char::decode_utf16(units)
        .map(|c| c.unwrap_or('\u{FFFD}'))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_numbers() {
        // ksqlDB: chr.json.
        assert_eq!(from_code_point(75).as_deref(), Some("K"));
        assert_eq!(from_code_point(22909).as_deref(), Some("好"));
        assert_eq!(from_code_point(99000).as_deref(), Some("\u{182B8}"));
        assert_eq!(from_code_point(-1), None);
        assert_eq!(from_code_point(0x110000), None);
    }

    #[test]
    fn from_escapes() {
        let e = |t: &str| from_escape(t).unwrap();
        assert_eq!(e("\\u004b").as_deref(), Some("K"));
        assert_eq!(e("\\ud820\\udeb8").as_deref(), Some("\u{182B8}"));
        assert_eq!(e("75"), None);
        assert_eq!(e("004b"), None);
        assert_eq!(e("bogus"), None);
        assert_eq!(e(""), None);
        assert!(from_escape("\\uzzzz").is_err());
    }
}
