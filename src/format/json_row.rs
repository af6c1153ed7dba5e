//! Writing a JSON record straight from Arrow arrays, for the common record of flat columns
//! (BOOLEAN, INT, BIGINT, DOUBLE, DECIMAL, STRING): no `ScalarValue` or `serde_json::Value`
//! per cell. Each column's `"NAME":` is rendered once per writer, integers and decimals'
//! digits go through `itoa`, and doubles through `ryu`, laid out as Java's
//! `Double.toString` without allocating. Records with other column types go through
//! `json::encode`, whose output this matches byte for byte.

use datafusion::arrow::array::{
    Array, AsArray, BooleanArray, Decimal128Array, Float64Array, Int32Array, Int64Array,
    StringArray,
};
use datafusion::arrow::datatypes::{DataType, Decimal128Type, Float64Type, Int32Type, Int64Type};

use super::json_flat::plain_len;
use super::number_text::{format_decimal, format_double};
use crate::catalog::schema::Column;
use crate::catalog::types::SqlType;

/// Writes records of one set of flat columns.
#[derive(Debug)]
pub struct FlatRowWriter {
    /// Per column, the Arrow type its array must have.
    types: Vec<DataType>,
    /// Per column, what comes before its value: `{"NAME":` for the first, `,"NAME":` after.
    prefixes: Vec<Box<[u8]>>,
}

/// A batch's arrays, checked against the writer's columns.
pub struct FlatRows<'a> {
    cells: Vec<(&'a [u8], CellArray<'a>)>,
}

/// One column's array with its type known.
enum CellArray<'a> {
    Boolean(&'a BooleanArray),
    Int32(&'a Int32Array),
    Int64(&'a Int64Array),
    Float64(&'a Float64Array),
    /// With its scale.
    Decimal128(&'a Decimal128Array, i8),
    Utf8(&'a StringArray),
}

impl FlatRowWriter {
    /// A writer for `columns`, or `None` if one of them is not flat.
    pub(super) fn new(columns: &[Column]) -> Option<FlatRowWriter> {
        let types = columns
            .iter()
            .map(|c| match c.ty {
                SqlType::Boolean
                | SqlType::Int
                | SqlType::Bigint
                | SqlType::Double
                | SqlType::Decimal(..)
                | SqlType::String => Some(c.ty.to_arrow()),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()?;
        let prefixes = columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let mut prefix = vec![if i == 0 { b'{' } else { b',' }];
                write_str(&mut prefix, &c.name);
                prefix.push(b':');
                prefix.into_boxed_slice()
            })
            .collect();
        Some(FlatRowWriter { types, prefixes })
    }

    /// The rows of `arrays` (one per column), or `None` when an array is not of its column's
    /// exact Arrow type (the caller then takes the general path, which casts).
    pub fn rows<'a>(&'a self, arrays: &[&'a dyn Array]) -> Option<FlatRows<'a>> {
        if arrays.len() != self.types.len() {
            return None;
        }
        let cells = arrays
            .iter()
            .zip(&self.types)
            .zip(&self.prefixes)
            .map(|((array, ty), prefix)| {
                if array.data_type() != ty {
                    return None;
                }
                let cell = match ty {
                    DataType::Boolean => CellArray::Boolean(array.as_boolean()),
                    DataType::Int32 => CellArray::Int32(array.as_primitive::<Int32Type>()),
                    DataType::Int64 => CellArray::Int64(array.as_primitive::<Int64Type>()),
                    DataType::Float64 => CellArray::Float64(array.as_primitive::<Float64Type>()),
                    DataType::Decimal128(_, scale) => {
                        CellArray::Decimal128(array.as_primitive::<Decimal128Type>(), *scale)
                    }
                    DataType::Utf8 => CellArray::Utf8(array.as_string::<i32>()),
                    _ => return None,
                };
                Some((&**prefix, cell))
            })
            .collect::<Option<Vec<_>>>()?;
        Some(FlatRows { cells })
    }
}

impl FlatRows<'_> {
    /// Appends row `row` to `out` as a JSON object, as `json::encode` writes it.
    pub fn write(&self, row: usize, out: &mut Vec<u8>) {
        for (prefix, cell) in &self.cells {
            out.extend_from_slice(prefix);
            match cell {
                CellArray::Boolean(a) if a.is_valid(row) => {
                    out.extend_from_slice(if a.value(row) { b"true" } else { b"false" })
                }
                CellArray::Int32(a) if a.is_valid(row) => {
                    out.extend_from_slice(itoa::Buffer::new().format(a.value(row)).as_bytes())
                }
                CellArray::Int64(a) if a.is_valid(row) => {
                    out.extend_from_slice(itoa::Buffer::new().format(a.value(row)).as_bytes())
                }
                CellArray::Float64(a) if a.is_valid(row) => write_double(out, a.value(row)),
                CellArray::Decimal128(a, scale) if a.is_valid(row) => {
                    write_decimal(out, a.value(row), *scale)
                }
                CellArray::Utf8(a) if a.is_valid(row) => write_str(out, a.value(row)),
                _ => out.extend_from_slice(b"null"),
            }
        }
        if self.cells.is_empty() {
            out.push(b'{');
        }
        out.push(b'}');
    }
}

/// A JSON string, escaped as serde_json escapes it.
fn write_str(out: &mut Vec<u8>, text: &str) {
    if plain_len(text.as_bytes()) < text.len() {
        // Writing to a `Vec` cannot fail.
        let _ = serde_json::to_writer(&mut *out, text);
    } else {
        out.push(b'"');
        out.extend_from_slice(text.as_bytes());
        out.push(b'"');
    }
}

/// A DOUBLE as `number_text::format_double` renders it (Java's `Double.toString`): the
/// shortest digits that read back to the value, plain between 10^-3 and 10^7, otherwise
/// scientific (`1.0E7`); NaN and the infinities as strings, as JSON has no such numbers.
/// Ryu finds the digits; the values where its digits may not be Rust's `{:e}` digits that
/// `format_double` starts from (see `may_tie`), and those with a single digit, whose second
/// digit Java chooses, are left to `format_double`.
fn write_double(out: &mut Vec<u8>, value: f64) {
    let abs = value.abs();
    if !value.is_finite() || abs == 0.0 || may_tie(abs) {
        return write_double_text(out, value);
    }
    let mut buffer = ryu::Buffer::new();
    let (digits, exponent) = parse_digits(buffer.format_finite(abs).as_bytes());
    let digits = &digits.0[..digits.1];
    if digits.len() < 2 {
        return write_double_text(out, value);
    }
    if value.is_sign_negative() {
        out.push(b'-');
    }
    if (1e-3..1e7).contains(&abs) {
        match usize::try_from(exponent) {
            Ok(point) => {
                let whole = digits.len().min(point + 1);
                out.extend_from_slice(&digits[..whole]);
                out.extend(std::iter::repeat_n(b'0', point + 1 - whole));
                out.push(b'.');
                if digits.len() > whole {
                    out.extend_from_slice(&digits[whole..]);
                } else {
                    out.push(b'0');
                }
            }
            Err(_) => {
                out.extend_from_slice(b"0.");
                let zeros = usize::try_from(-exponent - 1).unwrap_or(0);
                out.extend(std::iter::repeat_n(b'0', zeros));
                out.extend_from_slice(digits);
            }
        }
    } else {
        out.push(digits[0]);
        out.push(b'.');
        out.extend_from_slice(&digits[1..]);
        out.push(b'E');
        out.extend_from_slice(itoa::Buffer::new().format(exponent).as_bytes());
    }
}

/// A DECIMAL as `number_text::format_decimal` writes it (exactly `scale` fraction digits,
/// `0.0050`), without allocating.
fn write_decimal(out: &mut Vec<u8>, unscaled: i128, scale: i8) {
    let Ok(scale @ 1..) = usize::try_from(scale) else {
        return out.extend_from_slice(format_decimal(unscaled, scale).as_bytes());
    };
    if unscaled < 0 {
        out.push(b'-');
    }
    let mut buffer = itoa::Buffer::new();
    let digits = buffer.format(unscaled.unsigned_abs()).as_bytes();
    match digits.len().checked_sub(scale) {
        Some(whole @ 1..) => {
            out.extend_from_slice(&digits[..whole]);
            out.push(b'.');
            out.extend_from_slice(&digits[whole..]);
        }
        _ => {
            out.extend_from_slice(b"0.");
            out.extend(std::iter::repeat_n(b'0', scale - digits.len()));
            out.extend_from_slice(digits);
        }
    }
}

/// A DOUBLE through `format_double`, quoted when it is not a number JSON has.
fn write_double_text(out: &mut Vec<u8>, value: f64) {
    let text = format_double(value);
    if value.is_finite() {
        out.extend_from_slice(text.as_bytes());
    } else {
        out.push(b'"');
        out.extend_from_slice(text.as_bytes());
        out.push(b'"');
    }
}

/// Whether a positive finite `value` may lie exactly halfway between two shortest digit
/// strings, where ryu rounds to even and Rust's `{:e}` does not. That needs an exact
/// decimal expansion with a fraction and at most 18 significant digits (one more than the
/// 17 a double ever needs); anything else takes ryu's digits, which are then Rust's.
fn may_tie(value: f64) -> bool {
    let bits = value.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & ((1 << 52) - 1);
    // value = mantissa × 2^exponent
    let (mantissa, exponent) = if biased == 0 {
        (fraction, -1074)
    } else {
        (fraction | 1 << 52, biased - 1075)
    };
    if mantissa == 0 {
        return false;
    }
    let zeros = mantissa.trailing_zeros();
    let (odd, exponent) = (mantissa >> zeros, exponent + zeros as i32);
    // odd × 2^-j is odd × 5^j / 10^j: j fraction digits, odd × 5^j significant ones.
    match u32::try_from(-exponent) {
        Ok(j @ 1..=25) => u128::from(odd) * 5u128.pow(j) < 10u128.pow(18),
        _ => false,
    }
}

/// Ryu's shortest round-trip digits (no leading or trailing zeros; at most 17) and the decimal
/// exponent of the first, from its `1234.5`, `0.00012`, `1e16` or `1.2e-7`: `12345`, 3.
fn parse_digits(text: &[u8]) -> (([u8; 32], usize), i32) {
    let (mantissa, exponent) = match text.iter().position(|&b| b == b'e') {
        Some(at) => (&text[..at], parse_exponent(&text[at + 1..])),
        None => (text, 0),
    };
    let integral = mantissa.iter().take_while(|b| b.is_ascii_digit()).count();
    let mut digits = [0u8; 32];
    let mut count = 0;
    let mut leading_zeros = 0;
    for &byte in mantissa.iter().filter(|b| b.is_ascii_digit()) {
        if byte == b'0' && count == 0 {
            leading_zeros += 1;
        } else {
            digits[count] = byte;
            count += 1;
        }
    }
    while count > 1 && digits[count - 1] == b'0' {
        count -= 1;
    }
    // At most 17 digits and 324 leading zeros: the cast cannot wrap.
    let first = integral as i32 - 1 - leading_zeros + exponent;
    ((digits, count), first)
}

/// An exponent's digits, with an optional `-`.
fn parse_exponent(text: &[u8]) -> i32 {
    let (negative, digits) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    let magnitude = digits
        .iter()
        .fold(0i32, |n, d| n * 10 + i32::from(d - b'0'));
    if negative { -magnitude } else { magnitude }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{ArrayRef, BooleanArray, Float64Array, Int64Array, StringArray};
    use datafusion::scalar::ScalarValue;

    use super::*;
    use crate::format::{FormatKind, SerdeSpec};

    #[test]
    fn writes_what_the_value_path_writes() {
        let columns = [
            Column::value("B", SqlType::Boolean),
            Column::value("N", SqlType::Bigint),
            Column::value("D", SqlType::Double),
            Column::value("S", SqlType::String),
            Column::value("q\"uoted", SqlType::Int),
            Column::value("M", SqlType::Decimal(10, 3)),
            Column::value("Z", SqlType::Decimal(4, 0)),
        ];
        let arrays: Vec<ArrayRef> = vec![
            Arc::new(BooleanArray::from(vec![Some(true), None, Some(false)])),
            Arc::new(Int64Array::from(vec![Some(-7), None, Some(i64::MIN)])),
            Arc::new(Float64Array::from(vec![
                Some(1.0),
                Some(f64::NAN),
                Some(-8684.112000000001),
            ])),
            Arc::new(StringArray::from(vec![Some("a \"q\""), None, Some("é\n")])),
            Arc::new(Int32Array::from(vec![Some(0), Some(i32::MAX), None])),
            Arc::new(
                Decimal128Array::from(vec![Some(1_234_500), Some(-5), Some(0)])
                    .with_precision_and_scale(10, 3)
                    .unwrap(),
            ),
            Arc::new(
                Decimal128Array::from(vec![Some(-12), None, Some(9999)])
                    .with_precision_and_scale(4, 0)
                    .unwrap(),
            ),
        ];
        let refs: Vec<&dyn Array> = arrays.iter().map(|a| a.as_ref()).collect();
        let spec = SerdeSpec {
            kind: FormatKind::Json,
            delimiter: ',',
            wrap_single: true,
        };
        let writer = FlatRowWriter::new(&columns).unwrap();
        let rows = writer.rows(&refs).unwrap();
        for row in 0..3 {
            let values: Vec<ScalarValue> = arrays
                .iter()
                .map(|a| ScalarValue::try_from_array(a, row).unwrap())
                .collect();
            let expected = spec.encode(&values, &columns).unwrap().unwrap();
            let mut out = Vec::new();
            rows.write(row, &mut out);
            assert_eq!(
                String::from_utf8(out).unwrap(),
                String::from_utf8(expected).unwrap()
            );
        }
        // An array of another type than the column's is left to the general path.
        let int64 = Int64Array::from(vec![1]);
        assert!(
            writer
                .rows(&[&int64, &int64, &int64, &int64, &int64, &int64, &int64])
                .is_none()
        );
        assert!(FlatRowWriter::new(&[Column::value("T", SqlType::Timestamp)]).is_none());
    }

    #[test]
    fn doubles_are_written_as_format_double_writes_them() {
        let mut values = vec![
            1.0,
            0.1,
            0.001,
            0.000999,
            1e-4,
            1e7,
            9999999.0,
            9999999.999,
            12345678.9,
            1e16,
            1e21,
            1e22,
            1e23,
            123e-20,
            f64::MIN_POSITIVE,
            f64::MAX,
            5e-324,
            -0.0,
            -2.5,
            100.0,
            8684.112000000001,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
        ];
        // A deterministic spread over magnitudes and digit counts.
        let mut bits: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..20_000 {
            bits ^= bits << 13;
            bits ^= bits >> 7;
            bits ^= bits << 17;
            values.push(f64::from_bits(bits));
            values.push((bits % 100_000_000) as f64 * 0.908);
            values.push((bits % 1_000_000) as f64 / 1000.0);
            // Where ties between two shortest candidates occur: quarters near 2^50.
            values.push((1u64 << 50) as f64 + (bits % (1 << 20)) as f64 * 0.25);
            values.push((1u64 << 49) as f64 + (bits % (1 << 20)) as f64 * 0.125);
            values.push(f64::from_bits(bits >> 12 | 0x3C00_0000_0000_0001));
        }
        for value in values {
            let mut out = Vec::new();
            write_double(&mut out, value);
            let text = format_double(value);
            let expected = if value.is_finite() {
                text
            } else {
                format!("\"{text}\"")
            };
            assert_eq!(String::from_utf8(out).unwrap(), expected, "{value:e}");
        }
    }
}
