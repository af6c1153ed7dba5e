//! Reading a wrapped JSON record of flat columns (BOOLEAN, INT, BIGINT, DOUBLE, STRING)
//! straight from its text: a scanner for objects whose fields are scalars, giving each
//! column's value as a [`FlatCell`] borrowed from the record, with nothing allocated.
//!
//! It is a fast path beside `json::decode`, never a second definition of the format: it
//! accepts only records it reads exactly as `json::decode` would (plain numbers, strings
//! without escapes, ASCII field names, no nested values) and declines anything else, for which
//! the caller takes the general path. So ksqlDB's coercions and error messages stay those of
//! `json_value`.

use super::number_text::parse_double;
use crate::catalog::schema::Column;
use crate::catalog::types::SqlType;

/// A column's value as the flat reader found it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FlatCell<'a> {
    Null,
    Boolean(bool),
    Int(i32),
    Bigint(i64),
    Double(f64),
    String(&'a str),
}

/// The column types the flat reader reads.
#[derive(Debug, Clone, Copy)]
enum FlatType {
    Boolean,
    Int,
    Bigint,
    Double,
    String,
}

/// Reads records of one set of flat columns; keeps what the previous record taught it.
#[derive(Debug)]
pub struct FlatRecordReader {
    names: Vec<Box<[u8]>>,
    types: Vec<FlatType>,
    /// The i-th field of the previous record and the column it matched: producers write
    /// the same fields in the same order, so a field that starts with the same bytes as the
    /// hint's (quoted name, colon) is resolved by one comparison of bytes, without scanning.
    hints: Vec<Hint>,
    /// Whether two column names upper-case alike, so a field's first match need not be the
    /// one ksqlDB picks (an exact match wins): hints are then not used.
    ambiguous: bool,
    /// Per column, whether its value came from an exact name match, which no later
    /// case-insensitive match may replace.
    exact: Vec<bool>,
}

/// The column a field selects and whether its name matches exactly; `None` for a field no
/// column takes.
type Selection = Option<(usize, bool)>;

/// A field name seen at one position and what it selected.
#[derive(Debug)]
struct Hint {
    /// The field's bytes from its name's opening quote to the colon after it, as written.
    prefix: Box<[u8]>,
    column: Selection,
}

impl FlatRecordReader {
    /// A reader for `columns`, or `None` if one of them is not flat.
    pub(super) fn new(columns: &[Column]) -> Option<FlatRecordReader> {
        let types = columns
            .iter()
            .map(|c| match c.ty {
                SqlType::Boolean => Some(FlatType::Boolean),
                SqlType::Int => Some(FlatType::Int),
                SqlType::Bigint => Some(FlatType::Bigint),
                SqlType::Double => Some(FlatType::Double),
                SqlType::String => Some(FlatType::String),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()?;
        let upper: Vec<String> = columns.iter().map(|c| c.name.to_uppercase()).collect();
        let ambiguous = upper
            .iter()
            .enumerate()
            .any(|(i, name)| upper[i + 1..].contains(name));
        Some(FlatRecordReader {
            names: columns.iter().map(|c| c.name.as_bytes().into()).collect(),
            types,
            hints: Vec::new(),
            ambiguous,
            exact: vec![false; columns.len()],
        })
    }

    /// Reads one record into `cells` (one per column, `Null` for a missing field). Returns
    /// false, with `cells` unspecified, when the record needs the general path: it is not an
    /// object of scalars in the plain forms read here, or it is not valid JSON.
    pub fn read<'a>(&mut self, bytes: &'a [u8], cells: &mut Vec<FlatCell<'a>>) -> bool {
        cells.clear();
        cells.resize(self.types.len(), FlatCell::Null);
        self.exact.fill(false);
        self.read_object(bytes, cells).is_some()
    }

    fn read_object<'a>(&mut self, bytes: &'a [u8], cells: &mut [FlatCell<'a>]) -> Option<()> {
        let mut scan = Scanner { bytes, at: 0 };
        scan.skip_whitespace();
        scan.expect(b'{')?;
        scan.skip_whitespace();
        if scan.peek() == Some(b'}') {
            scan.at += 1;
        } else {
            let mut ordinal = 0;
            loop {
                scan.skip_whitespace();
                let column = match self.hinted_field(&mut scan, ordinal) {
                    Some(column) => column,
                    None => {
                        let start = scan.at;
                        let key = scan.key()?;
                        scan.skip_whitespace();
                        scan.expect(b':')?;
                        let prefix = &bytes[start..scan.at];
                        self.find(key, prefix, ordinal)
                    }
                };
                scan.skip_whitespace();
                match column {
                    Some((index, is_exact)) if is_exact || !self.exact[index] => {
                        cells[index] = scan.value(self.types[index])?;
                        self.exact[index] |= is_exact;
                    }
                    _ => scan.skip_value()?,
                }
                ordinal += 1;
                scan.skip_whitespace();
                match scan.next()? {
                    b',' => {}
                    b'}' => break,
                    _ => return None,
                }
            }
        }
        scan.skip_whitespace();
        (scan.at == bytes.len()).then_some(())
    }

    /// When the field at `scan` starts as the previous record's field at `ordinal` did,
    /// moves past its name and colon and gives the column it selects (`None` inside for a
    /// field no column takes); `None` when the name must be read.
    fn hinted_field(&self, scan: &mut Scanner<'_>, ordinal: usize) -> Option<Selection> {
        if self.ambiguous {
            return None;
        }
        let hint = self.hints.get(ordinal)?;
        let rest = &scan.bytes[scan.at..];
        if !rest.starts_with(&hint.prefix) {
            return None;
        }
        scan.at += hint.prefix.len();
        Some(hint.column)
    }

    /// The column a field name selects and whether the match is exact, as
    /// `json_record::KeySeed::find` decides; the name is ASCII. `prefix` is the field's
    /// bytes up to its colon, remembered for the next record's field at `ordinal`.
    fn find(&mut self, key: &[u8], prefix: &[u8], ordinal: usize) -> Selection {
        let loose = |name: &[u8]| {
            key.len() == name.len()
                && key
                    .iter()
                    .zip(name)
                    .all(|(k, n)| k.to_ascii_uppercase() == *n)
        };
        let found = match self.names.iter().position(|n| **n == *key) {
            Some(index) => Some((index, true)),
            None => self
                .names
                .iter()
                .position(|n| loose(n))
                .map(|index| (index, false)),
        };
        if !self.ambiguous {
            let hint = Hint {
                prefix: prefix.into(),
                column: found,
            };
            // Fields are looked up in order, so every earlier position has its hint.
            if ordinal < self.hints.len() {
                self.hints[ordinal] = hint;
            } else {
                self.hints.push(hint);
            }
        }
        found
    }
}

/// A JSON number as read.
struct Number<'a> {
    text: &'a [u8],
    negative: bool,
    /// The absolute value of an integer (no fraction, no exponent) that fits a `u64`.
    magnitude: Option<u64>,
}

impl Number<'_> {
    /// The value of an integer that fits an `i64`.
    fn integer(&self) -> Option<i64> {
        let magnitude = self.magnitude?;
        if self.negative {
            0i64.checked_sub_unsigned(magnitude)
        } else {
            i64::try_from(magnitude).ok()
        }
    }

    /// The value as a DOUBLE, as `json_value` reads it.
    fn double(&self) -> Option<f64> {
        match self.magnitude {
            // Exact in a double, so the same as parsing the text.
            Some(m) if m < 1 << f64::MANTISSA_DIGITS => {
                let value = m as f64;
                Some(if self.negative { -value } else { value })
            }
            // The bytes are ASCII digits, signs, points and exponent marks.
            _ => parse_double(std::str::from_utf8(self.text).ok()?),
        }
    }
}

/// The length of the run of bytes at the start of a string's body that JSON takes as they
/// are: up to the first quote, backslash or control character. Eight bytes at a time.
pub(super) fn plain_len(bytes: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // High bit of each byte below `n`; exact for the lowest such byte, which is all that
    // is read.
    let below = |word: u64, n: u8| word.wrapping_sub(ONES * u64::from(n)) & !word & HIGHS;
    let mut at = 0;
    while let Some(chunk) = bytes.get(at..at + 8) {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        let word = u64::from_le_bytes(word);
        let hits = below(word ^ (ONES * u64::from(b'"')), 1)
            | below(word ^ (ONES * u64::from(b'\\')), 1)
            | below(word, 0x20);
        if hits != 0 {
            return at + (hits.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    at + bytes[at..]
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
        .unwrap_or(bytes.len() - at)
}

/// A position in a record's bytes. Every method returns `None` for what it does not read.
struct Scanner<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Scanner<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        self.at += 1;
        Some(byte)
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        (self.next()? == byte).then_some(())
    }

    /// JSON's whitespace: space, tab, line feed, carriage return.
    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.at += 1;
        }
    }

    /// A field name: ASCII, without escapes.
    fn key(&mut self) -> Option<&'a [u8]> {
        let text = self.string_bytes()?;
        text.is_ascii().then_some(text)
    }

    /// The bytes of a string without escapes or control characters, quotes consumed.
    fn string_bytes(&mut self) -> Option<&'a [u8]> {
        self.expect(b'"')?;
        let start = self.at;
        let length = plain_len(&self.bytes[start..]);
        self.at = start + length;
        self.expect(b'"')?;
        Some(&self.bytes[start..start + length])
    }

    /// A string's text, checked to be UTF-8.
    fn string(&mut self) -> Option<&'a str> {
        std::str::from_utf8(self.string_bytes()?).ok()
    }

    /// A number in JSON's grammar.
    fn number(&mut self) -> Option<Number<'a>> {
        let start = self.at;
        let negative = self.peek() == Some(b'-');
        if negative {
            self.at += 1;
        }
        // The magnitude of an integer, while it fits.
        let mut magnitude = Some(0u64);
        match self.next()? {
            b'0' => {}
            first @ b'1'..=b'9' => {
                let digits_start = self.at - 1;
                // Any 19 digits fit a u64, so the loop need not check for overflow.
                let mut value = u64::from(first - b'0');
                while let Some(digit @ b'0'..=b'9') = self.peek() {
                    value = value.wrapping_mul(10).wrapping_add(u64::from(digit - b'0'));
                    self.at += 1;
                }
                let digits = &self.bytes[digits_start..self.at];
                magnitude = if digits.len() <= 19 {
                    Some(value)
                } else {
                    digits.iter().try_fold(0u64, |m, digit| {
                        m.checked_mul(10)?.checked_add(u64::from(digit - b'0'))
                    })
                };
            }
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            self.digits()?;
            magnitude = None;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.at += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.at += 1;
            }
            self.digits()?;
            magnitude = None;
        }
        // A digit right after a leading zero is not JSON.
        if self.peek().is_some_and(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(Number {
            text: &self.bytes[start..self.at],
            negative,
            magnitude,
        })
    }

    fn skip_digits(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
    }

    /// One or more digits.
    fn digits(&mut self) -> Option<()> {
        let start = self.at;
        self.skip_digits();
        (self.at > start).then_some(())
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        let end = self.at + word.len();
        (self.bytes.get(self.at..end)? == word).then(|| self.at = end)
    }

    /// A column's value: `null`, or JSON of the kind the column's type reads without
    /// coercion.
    fn value(&mut self, ty: FlatType) -> Option<FlatCell<'a>> {
        match (self.peek()?, ty) {
            (b'n', _) => self.literal(b"null").map(|()| FlatCell::Null),
            (b't', FlatType::Boolean) => self.literal(b"true").map(|()| FlatCell::Boolean(true)),
            (b'f', FlatType::Boolean) => self.literal(b"false").map(|()| FlatCell::Boolean(false)),
            (b'"', FlatType::String) => self.string().map(FlatCell::String),
            (b'-' | b'0'..=b'9', FlatType::Double) => self.number()?.double().map(FlatCell::Double),
            (b'-' | b'0'..=b'9', FlatType::Bigint) => {
                self.number()?.integer().map(FlatCell::Bigint)
            }
            (b'-' | b'0'..=b'9', FlatType::Int) => {
                let value = self.number()?.integer()?;
                i32::try_from(value).ok().map(FlatCell::Int)
            }
            _ => None,
        }
    }

    /// A field no column reads: a scalar.
    fn skip_value(&mut self) -> Option<()> {
        match self.peek()? {
            b'n' => self.literal(b"null"),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'"' => self.string().map(|_| ()),
            b'-' | b'0'..=b'9' => self.number().map(|_| ()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::{FormatKind, SerdeSpec};
    use datafusion::scalar::ScalarValue;

    fn columns() -> Vec<Column> {
        vec![
            Column::value("B", SqlType::Boolean),
            Column::value("I", SqlType::Int),
            Column::value("N", SqlType::Bigint),
            Column::value("D", SqlType::Double),
            Column::value("S", SqlType::String),
        ]
    }

    /// The cells as the general path's values.
    fn scalars(cells: &[FlatCell]) -> Vec<ScalarValue> {
        let columns = columns();
        cells
            .iter()
            .zip(&columns)
            .map(|(cell, column)| match *cell {
                FlatCell::Null => ScalarValue::try_new_null(&column.ty.to_arrow()).unwrap(),
                FlatCell::Boolean(v) => ScalarValue::Boolean(Some(v)),
                FlatCell::Int(v) => ScalarValue::Int32(Some(v)),
                FlatCell::Bigint(v) => ScalarValue::Int64(Some(v)),
                FlatCell::Double(v) => ScalarValue::Float64(Some(v)),
                FlatCell::String(v) => ScalarValue::Utf8(Some(v.to_string())),
            })
            .collect()
    }

    /// Reads `text` on both paths: the flat reader either declines or agrees.
    fn read(reader: &mut FlatRecordReader, text: &str) -> bool {
        let mut cells = Vec::new();
        let read = reader.read(text.as_bytes(), &mut cells);
        if read {
            let spec = SerdeSpec {
                kind: FormatKind::Json,
                delimiter: ',',
                wrap_single: true,
            };
            let general = spec.decode(Some(text.as_bytes()), &columns());
            assert_eq!(general, Ok(Some(scalars(&cells))), "{text}");
        }
        read
    }

    #[test]
    fn plain_records_read_as_the_general_path_reads_them() {
        let mut reader = FlatRecordReader::new(&columns()).unwrap();
        for text in [
            r#"{"b":true,"i":-12,"n":9007199254740993,"d":8213,"s":"Google"}"#,
            r#" { "S" : "é ü" , "D" : -1.5e-3 , "B" : false , "x" : 1 } "#,
            r#"{"d":0.1,"d":2,"D":3,"z":null,"y":1.5,"w":true,"v":"x"}"#,
            r#"{"n":null,"i":2147483647,"N":-9223372036854775808}"#,
            "{}",
            r#"{"I":1,"i":2,"N":1,"n":2}"#,
            r#"{"b":true,"i":-12,"n":1,"d":8213,"s":"Google"}"#,
            r#"{"s":"x","b":null}"#,
        ] {
            assert!(read(&mut reader, text), "{text}");
        }
    }

    #[test]
    fn anything_else_is_declined() {
        let mut reader = FlatRecordReader::new(&columns()).unwrap();
        for text in [
            "null",
            "[1]",
            "",
            r#"{"i":1"#,
            r#"{"i":1} x"#,
            r#"{"i":1,}"#,
            r#"{"i":01}"#,
            r#"{"i":1.}"#,
            r#"{"i":1.5}"#,
            r#"{"i":"1"}"#,
            r#"{"i":2147483648}"#,
            r#"{"n":9223372036854775808}"#,
            r#"{"s":"a\"b"}"#,
            r#"{"s":1}"#,
            r#"{"b":"true"}"#,
            r#"{"d":"NaN"}"#,
            r#"{"x":[1]}"#,
            r#"{"s":"a","x":{"deep":1},"i":0}"#,
            r#"{"x":"\"quoted\""}"#,
            r#"{"é":1}"#,
            r#"{"i":truex}"#,
            "{\"s\":\"a\tb\"}",
        ] {
            assert!(!read(&mut reader, text), "{text}");
        }
    }

    #[test]
    fn plain_runs_end_at_the_first_special_byte() {
        let naive = |bytes: &[u8]| {
            bytes
                .iter()
                .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
                .unwrap_or(bytes.len())
        };
        let mut text = "abcdéfghijklmnopqrstuvwxyz0123456789".as_bytes().to_vec();
        assert_eq!(plain_len(&text), text.len());
        for at in 0..text.len() {
            for special in [b'"', b'\\', 0x00, 0x1f, b'\n'] {
                let saved = text[at];
                text[at] = special;
                // A second special byte later must not be taken for the first.
                let last = text.len() - 1;
                let saved_last = text[last];
                text[last] = b'"';
                assert_eq!(plain_len(&text), naive(&text));
                assert_eq!(plain_len(&text[at..]), 0);
                text[last] = saved_last;
                text[at] = saved;
            }
        }
        assert_eq!(
            plain_len(&[0x20, 0x7f, 0x80, 0xff, b'!', b'#', b'[', b']']),
            8
        );
    }

    #[test]
    fn exact_names_win_over_case_insensitive_ones() {
        let columns = [
            Column::value("A", SqlType::Int),
            Column::value("a", SqlType::Int),
        ];
        let mut reader = FlatRecordReader::new(&columns).unwrap();
        let mut cells = Vec::new();
        for _ in 0..2 {
            assert!(reader.read(br#"{"a":1,"A":2}"#, &mut cells));
            assert_eq!(cells, [FlatCell::Int(2), FlatCell::Int(1)]);
        }
        assert!(FlatRecordReader::new(&[Column::value("T", SqlType::Timestamp)]).is_none());
    }
}
