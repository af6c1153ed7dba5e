//! ENCODE(text STRING, inputEncoding STRING, outputEncoding STRING) → STRING: text read in
//! one encoding and written in another (ksqlDB `Encode`): `hex`, `utf8`, `ascii`,
//! `base64`, named case-insensitively.
//!
//! ksqlDB (commons-codec): hex is written lower case; hex input may be `0x…` (an odd digit
//! count gets a leading 0) or `X'…'`; base64 input skips characters outside its alphabet;
//! bytes that are not ASCII/UTF-8 read as U+FFFD and non-ASCII characters write as `?`.
//! NULL if any argument is NULL; equal or unknown encodings and malformed hex are errors
//! (NULL plus a processing-log entry).

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use datafusion::arrow::array::{Array, StringArray};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::cast::as_string_array;
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use crate::func::bytes::encoding::Encoding;
use crate::func::signature::{Overloads, Param};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Encode {
    signature: Signature,
    overloads: Overloads,
}

impl Encode {
    pub(crate) fn new() -> Self {
        Encode {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new("encode", vec![vec![Param::String; 3]]),
        }
    }
}

impl ScalarUDFImpl for Encode {
    fn name(&self) -> &str {
        "encode"
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
        let columns = arrays
            .iter()
            .map(|a| as_string_array(a))
            .collect::<Result<Vec<_>>>()?;
        let out = (0..args.number_rows)
            .map(|row| {
                if columns.iter().any(|c| c.is_null(row)) {
                    return Ok(None);
                }
                let [text, from, to] = [0, 1, 2].map(|i| columns[i].value(row));
                encode(text, from, to).map(Some)
            })
            .collect::<Result<StringArray>>()?;
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

fn encode(text: &str, from: &str, to: &str) -> Result<String> {
    let encoding = |name: &str| match name.to_lowercase().as_str() {
        "hex" => Some(Encoding::Hex),
        "utf8" => Some(Encoding::Utf8),
        "ascii" => Some(Encoding::Ascii),
        "base64" => Some(Encoding::Base64),
        _ => None,
    };
    let (Some(from), Some(to)) = (encoding(from), encoding(to)) else {
        return exec_err!("Supported input and output encodings are: hex, utf8, ascii and base64");
    };
    if from == to {
        return exec_err!("Supported input and output encodings are: hex, utf8, ascii and base64");
    }
    let bytes = match from {
        Encoding::Hex => Encoding::Hex.decode(&hex_strip(text))?,
        other => other.decode(text)?,
    };
    Ok(match to {
        Encoding::Hex => bytes.iter().map(|b| format!("{b:02x}")).collect(),
        Encoding::Base64 => STANDARD.encode(&bytes),
        other => other.encode(&bytes),
    })
}

/// ksqlDB's `hexStrip`: `0x…` loses its prefix (a leading 0 added when the whole text
/// has an odd length) and `X'…'` its quotes; anything else is kept.
fn hex_strip(text: &str) -> String {
    if let Some(digits) = text.strip_prefix("0x") {
        return if !text.chars().count().is_multiple_of(2) {
            format!("0{digits}")
        } else {
            digits.to_string()
        };
    }
    let quoted = (text.starts_with("x'") || text.starts_with("X'"))
        && text.len() >= 3
        && text.ends_with('\'');
    if quoted {
        return text[2..text.len() - 1].to_string();
    }
    text.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ksqldb_cases() {
        // ksqlDB: encode.json.
        assert_eq!(
            encode("4578616d706C6521", "hex", "ascii").unwrap(),
            "Example!"
        );
        assert_eq!(
            encode("0x4578616d706C6521", "hex", "utf8").unwrap(),
            "Example!"
        );
        assert_eq!(
            encode("X'4578616d706C6521'", "hex", "base64").unwrap(),
            "RXhhbXBsZSE="
        );
        assert_eq!(
            encode("0x578616d706C6521", "hex", "ascii").unwrap(),
            "\u{5}xample!"
        );
        assert_eq!(encode("x''", "hex", "ascii").unwrap(), "");
        assert!(encode("0x0x", "hex", "ascii").is_err());
        assert!(encode("X'", "hex", "ascii").is_err());
        assert!(encode("578616d706C6521", "hex", "ascii").is_err());
        assert_eq!(
            encode("c39c6265726d656e736368", "hex", "ascii").unwrap(),
            "\u{FFFD}\u{FFFD}bermensch"
        );
        assert_eq!(
            encode("Example!", "ascii", "hex").unwrap(),
            "4578616d706c6521"
        );
        assert_eq!(encode("Ελλάδα", "ascii", "utf8").unwrap(), "??????");
        assert_eq!(
            encode("zpXOu867zqzOtM6x", "base64", "utf8").unwrap(),
            "Ελλάδα"
        );
        assert!(encode("x", "base64", "null").is_err());
        assert!(encode("x", "hex", "hex").is_err());
    }
}
