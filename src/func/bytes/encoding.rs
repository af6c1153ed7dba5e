//! The text encodings of BYTES that FROM_BYTES, TO_BYTES and ENCODE-like functions use
//! (ksqlDB `BytesUtils.Encoding`): `hex`, `utf8`, `ascii`, `base64`, named
//! case-insensitively.
//!
//! ksqlDB: hex is written upper case and read in either case; base64 is Java's MIME
//! coder (lines of 76 characters joined by CRLF when writing, characters outside the
//! alphabet skipped when reading); bytes that are not valid UTF-8/ASCII read as U+FFFD,
//! and characters outside ASCII write as `?`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use datafusion::common::{Result, exec_err};

/// A BYTES text encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Hex,
    Utf8,
    Ascii,
    Base64,
}

impl Encoding {
    /// The encoding called `name`, or ksqlDB's error.
    pub fn from_name(name: &str) -> Result<Encoding> {
        Ok(match name.to_ascii_lowercase().as_str() {
            "hex" => Encoding::Hex,
            "utf8" => Encoding::Utf8,
            "ascii" => Encoding::Ascii,
            "base64" => Encoding::Base64,
            _ => {
                return exec_err!(
                    "Unknown encoding type '{name}'. Supported formats are 'hex', 'utf8', 'ascii', and 'base64'."
                );
            }
        })
    }

    /// `bytes` as text.
    pub fn encode(self, bytes: &[u8]) -> String {
        match self {
            Encoding::Hex => bytes.iter().map(|b| format!("{b:02X}")).collect(),
            Encoding::Utf8 => String::from_utf8_lossy(bytes).into_owned(),
            Encoding::Ascii => bytes
                .iter()
                .map(|&b| {
                    if b.is_ascii() {
                        char::from(b)
                    } else {
                        '\u{FFFD}'
                    }
                })
                .collect(),
            Encoding::Base64 => {
                let text = STANDARD.encode(bytes);
                // Java's MIME encoder breaks lines every 76 characters.
                let lines: Vec<&str> = text
                    .as_bytes()
                    .chunks(76)
                    .map(|c| std::str::from_utf8(c).unwrap_or_default())
                    .collect();
                lines.join("\r\n")
            }
        }
    }

    /// `text` read back as bytes.
    pub fn decode(self, text: &str) -> Result<Vec<u8>> {
        match self {
            Encoding::Hex => {
                let digits: Vec<u32> = text
                    .chars()
                    .map(|c| c.to_digit(16))
                    .collect::<Option<_>>()
                    .map_or_else(|| exec_err!("Unrecognized character in hex: {text}"), Ok)?;
                if !digits.len().is_multiple_of(2) {
                    return exec_err!("Invalid input length {}", digits.len());
                }
                Ok(digits
                    .chunks(2)
                    .map(|pair| u8::try_from(pair[0] * 16 + pair[1]).unwrap_or_default())
                    .collect())
            }
            Encoding::Utf8 => Ok(text.as_bytes().to_vec()),
            Encoding::Ascii => Ok(text
                .chars()
                .map(|c| u8::try_from(c).ok().filter(u8::is_ascii).unwrap_or(b'?'))
                .collect()),
            Encoding::Base64 => {
                let alphabet: String = text
                    .chars()
                    .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '='))
                    .collect();
                let unpadded = alphabet.trim_end_matches('=');
                base64::engine::general_purpose::STANDARD_NO_PAD
                    .decode(unpadded)
                    .or_else(|e| exec_err!("Invalid base64 text: {e}"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_upper_case_out_any_case_in() {
        // ksqlDB: bytes-and-strings.json.
        let bytes = Encoding::Hex.decode("1aB2").unwrap();
        assert_eq!(bytes, vec![0x1a, 0xb2]);
        assert_eq!(Encoding::Hex.encode(&bytes), "1AB2");
        assert!(Encoding::Hex.decode("abc").is_err());
        assert!(Encoding::Hex.decode("zz").is_err());
    }

    #[test]
    fn base64_is_mime() {
        assert_eq!(Encoding::Base64.encode(b"!"), "IQ==");
        assert_eq!(Encoding::Base64.decode("IQ==").unwrap(), b"!");
        assert_eq!(Encoding::Base64.decode("I\r\nQ==").unwrap(), b"!");
        let long = Encoding::Base64.encode(&[0u8; 60]);
        assert_eq!(
            long.split("\r\n").map(str::len).collect::<Vec<_>>(),
            vec![76, 4]
        );
    }

    #[test]
    fn names_are_case_insensitive() {
        assert_eq!(Encoding::from_name("UTF8").unwrap(), Encoding::Utf8);
        assert!(Encoding::from_name("latin1").is_err());
        assert_eq!(Encoding::Ascii.decode("é!").unwrap(), b"?!");
        assert_eq!(Encoding::Ascii.encode(&[0x80, b'a']), "\u{FFFD}a");
    }
}
