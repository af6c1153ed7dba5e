//! Number text as ksqlDB reads and writes it: DECIMAL text with Java `BigDecimal`'s grammar and
//! ksqlDB's exact-fit rules, and DOUBLE text as Java's `Double.toString` renders it.
//!
//! JSON and DELIMITED share these so a DECIMAL keeps its exact digits and scale end to end
//! (`1.10` stays `1.10`), and a DOUBLE prints as ksqlDB prints it (`1.0`, `1.0E7`).

use super::ValueError;

/// A decimal number read from text: `±digits × 10^-scale`, exactly as written (`1.10` keeps
/// scale 2; `1e2` has scale -2), like a Java `BigDecimal`.
struct DecimalText {
    negative: bool,
    /// The unscaled value's digits without leading zeros; empty for zero.
    digits: String,
    scale: i64,
}

impl DecimalText {
    /// Parses Java `BigDecimal` text: `[+-]digits[.digits][(e|E)[+-]digits]`, no whitespace.
    fn parse(text: &str) -> Option<DecimalText> {
        let (negative, rest) = match text.as_bytes().first() {
            Some(b'-') => (true, &text[1..]),
            Some(b'+') => (false, &text[1..]),
            _ => (false, text),
        };
        let (mantissa, exponent) = match rest.find(['e', 'E']) {
            Some(at) => (&rest[..at], Some(&rest[at + 1..])),
            None => (rest, None),
        };
        let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if int_part.len() + frac_part.len() == 0 || !all_digits(int_part) || !all_digits(frac_part)
        {
            return None;
        }
        let exponent: i64 = match exponent {
            Some(e) => {
                let unsigned = e.strip_prefix(['+', '-']).unwrap_or(e);
                if unsigned.is_empty() || !all_digits(unsigned) {
                    return None;
                }
                e.parse().ok()?
            }
            None => 0,
        };
        let scale = i64::try_from(frac_part.len()).ok()?.checked_sub(exponent)?;
        let digits = format!("{int_part}{frac_part}")
            .trim_start_matches('0')
            .to_string();
        Some(DecimalText {
            negative,
            digits,
            scale,
        })
    }

    /// Digits of the unscaled value, as Java's `BigDecimal.precision()` counts them.
    fn precision(&self) -> usize {
        self.digits.len().max(1)
    }

    /// Number of digits to the left of the point, or `None` for zero.
    fn integer_digits(&self) -> Option<i64> {
        let len = i64::try_from(self.digits.len()).ok()?;
        (len > 0).then(|| len.saturating_sub(self.scale))
    }

    /// The value truncated toward zero, if it fits an `i128`.
    fn truncated(&self) -> Option<i128> {
        let whole = match self.integer_digits() {
            None => return Some(0),
            Some(n) if n <= 0 => return Some(0),
            Some(n) if n > 39 => return None,
            Some(n) => {
                let n = usize::try_from(n).ok()?;
                let mut whole: String = self.digits.chars().take(n).collect();
                whole.extend(std::iter::repeat_n('0', n - whole.len()));
                whole
            }
        };
        let magnitude: i128 = whole.parse().ok()?;
        Some(if self.negative { -magnitude } else { magnitude })
    }
}

/// Parses `text` as a DECIMAL(precision, scale) and returns its unscaled value at that scale.
///
/// ksqlDB (`DecimalUtil.ensureFit`): the value must be below `10^(precision - scale)` and must
/// reach the column's scale without rounding; a smaller scale is padded (`10` → `10.0000`).
/// Error texts quote `text` where ksqlDB quotes `BigDecimal.toPlainString()`.
pub(super) fn parse_decimal(text: &str, precision: u8, scale: i8) -> Result<i128, ValueError> {
    let not_a_number = || ValueError::NotANumber(text.to_string());
    let value = DecimalText::parse(text).ok_or_else(not_a_number)?;
    let target_scale = i64::from(scale);
    let whole_digits = i64::from(precision) - target_scale;
    if value.integer_digits().is_some_and(|n| n > whole_digits) {
        return Err(ValueError::DecimalOverflow {
            precision,
            scale,
            value: text.to_string(),
        });
    }
    let rounding = || ValueError::DecimalRounding {
        value: text.to_string(),
        precision,
        scale,
        value_precision: value.precision(),
        value_scale: value.scale,
    };
    let mut digits = value.digits.clone();
    if value.scale > target_scale {
        let drop = usize::try_from(value.scale - target_scale).map_err(|_| rounding())?;
        let keep = digits.len().saturating_sub(drop);
        if digits[keep..].bytes().any(|b| b != b'0') {
            return Err(rounding());
        }
        digits.truncate(keep);
    } else if !digits.is_empty() {
        // Bounded by the overflow check above: at most `precision` digits result.
        let pad = usize::try_from(target_scale - value.scale).map_err(|_| not_a_number())?;
        digits.extend(std::iter::repeat_n('0', pad));
    }
    if digits.is_empty() {
        return Ok(0);
    }
    let magnitude: i128 = digits.parse().map_err(|_| not_a_number())?;
    Ok(if value.negative {
        -magnitude
    } else {
        magnitude
    })
}

/// The integer part of a decimal number's text (`1.9` → 1, `-2e1` → -20), or `None` if the text
/// is not a number or the integer does not fit an `i128`.
pub(super) fn truncate_to_integer(text: &str) -> Option<i128> {
    // Plain integers (the common case) parse directly; fractions and exponents go through
    // the exact decimal reading.
    if let Ok(value) = text.parse::<i128>() {
        return Some(value);
    }
    DecimalText::parse(text)?.truncated()
}

/// Plain text of a DECIMAL with exactly `scale` fraction digits (`-12345.1200`, `0.0001`, `10`),
/// as Java's `BigDecimal.toPlainString()` writes it.
pub(super) fn format_decimal(unscaled: i128, scale: i8) -> String {
    let sign = if unscaled < 0 { "-" } else { "" };
    let digits = unscaled.unsigned_abs().to_string();
    match usize::try_from(scale) {
        Ok(0) => format!("{sign}{digits}"),
        Ok(scale) => {
            let padded = format!("{digits:0>width$}", width = scale + 1);
            let (whole, fraction) = padded.split_at(padded.len() - scale);
            format!("{sign}{whole}.{fraction}")
        }
        // A negative scale counts tens, hundreds, ... of the unscaled value.
        Err(_) if unscaled == 0 => "0".to_string(),
        Err(_) => format!(
            "{sign}{digits}{}",
            "0".repeat(usize::from(scale.unsigned_abs()))
        ),
    }
}

/// Reads a DOUBLE as Java's `Double.parseDouble` does: surrounding whitespace and a trailing
/// `d`/`f` type suffix are allowed, and `NaN`/`Infinity` are numbers.
pub(super) fn parse_double(text: &str) -> Option<f64> {
    let trimmed = text.trim_matches(|c: char| c <= ' ');
    let number = trimmed
        .strip_suffix(['d', 'D', 'f', 'F'])
        .unwrap_or(trimmed);
    number.parse().ok()
}

/// Writes a DOUBLE as Java's `Double.toString` does, which is what ksqlDB's JSON and DELIMITED
/// serializers emit: the shortest digits that read back to the same value, plain between 10^-3
/// and 10^7 (`1.0`, `0.001`, `1234.589`), otherwise scientific (`1.0E7`, `1.0E-4`).
pub(crate) fn format_double(value: f64) -> String {
    if value.is_nan() {
        return "NaN".to_string();
    }
    if value.is_infinite() {
        return if value > 0.0 { "Infinity" } else { "-Infinity" }.to_string();
    }
    let sign = if value.is_sign_negative() { "-" } else { "" };
    if value == 0.0 {
        return format!("{sign}0.0");
    }
    let abs = value.abs();
    // Rust's `{:e}` prints the shortest round-trip digits: `1.2345e-5`, `1e7`. Java prints
    // two digits at least, the two nearest the exact value: `4.9E-324`, not `5.0E-324`.
    let shortest = format!("{abs:e}");
    let scientific = if shortest.contains('.') {
        shortest
    } else {
        format!("{abs:.1e}")
    };
    let Some((mantissa, exponent)) = scientific.split_once('e') else {
        return scientific;
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let digits = match digits.trim_end_matches('0') {
        "" => "0",
        significant => significant,
    };
    let exponent: i32 = exponent.parse().unwrap_or(0);
    if (1e-3..1e7).contains(&abs) {
        match usize::try_from(exponent) {
            Ok(point) => {
                let whole: String = format!("{digits:0<width$}", width = point + 1);
                let (whole, fraction) = whole.split_at(point + 1);
                let fraction = if fraction.is_empty() { "0" } else { fraction };
                format!("{sign}{whole}.{fraction}")
            }
            Err(_) => {
                let zeros = "0".repeat(usize::try_from(-exponent - 1).unwrap_or(0));
                format!("{sign}0.{zeros}{digits}")
            }
        }
    } else {
        let (first, rest) = digits.split_at(1);
        let rest = if rest.is_empty() { "0" } else { rest };
        format!("{sign}{first}.{rest}E{exponent}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_is_padded_to_the_column_scale() {
        // ksqlDB: decimal.json "JSON scale in data less than scale in type".
        assert_eq!(parse_decimal("10", 6, 4), Ok(100_000));
        assert_eq!(parse_decimal("0.1", 6, 4), Ok(1_000));
        assert_eq!(parse_decimal(".12", 33, 16), Ok(1_200_000_000_000_000));
        assert_eq!(
            parse_decimal("-12345.12", 33, 16),
            Ok(-123_451_200_000_000_000_000)
        );
        assert_eq!(parse_decimal("1.10", 3, 1), Ok(11));
        assert_eq!(parse_decimal("1e2", 5, 1), Ok(1_000));
        assert_eq!(parse_decimal("0", 4, 2), Ok(0));
        assert_eq!(parse_decimal("+0.000", 4, 2), Ok(0));
    }

    #[test]
    fn decimal_that_does_not_fit_is_an_error_with_ksqldb_text() {
        let overflow = parse_decimal("123.4", 4, 2).unwrap_err();
        assert_eq!(
            overflow.to_string(),
            "Numeric field overflow: A field with precision 4 and scale 2 must round to an \
             absolute value less than 10^2. Got 123.4"
        );
        let rounding = parse_decimal("1.234", 4, 2).unwrap_err();
        assert_eq!(
            rounding.to_string(),
            "Cannot fit decimal '1.234' into DECIMAL(4, 2) without rounding. (Requires 4,3)"
        );
        assert!(parse_decimal("abc", 4, 2).is_err());
        assert!(parse_decimal("", 4, 2).is_err());
        assert!(parse_decimal("1.2.3", 4, 2).is_err());
        assert!(parse_decimal("1e", 4, 2).is_err());
        assert!(parse_decimal(" 1", 4, 2).is_err());
        assert!(parse_decimal("1e999999999999999999999", 4, 2).is_err());
        assert!(parse_decimal("1e-999999999", 4, 2).is_err());
    }

    #[test]
    fn decimal_prints_plain_with_its_scale() {
        assert_eq!(format_decimal(100_000, 4), "10.0000");
        assert_eq!(format_decimal(1, 4), "0.0001");
        assert_eq!(format_decimal(-123_451_200, 4), "-12345.1200");
        assert_eq!(format_decimal(-5, 2), "-0.05");
        assert_eq!(format_decimal(10, 0), "10");
        assert_eq!(format_decimal(12, -2), "1200");
        assert_eq!(format_decimal(i128::MIN, 0), i128::MIN.to_string());
    }

    #[test]
    fn integers_truncate_toward_zero() {
        assert_eq!(truncate_to_integer("1.9"), Some(1));
        assert_eq!(truncate_to_integer("-1.9"), Some(-1));
        assert_eq!(truncate_to_integer("-2e1"), Some(-20));
        assert_eq!(truncate_to_integer("0.5"), Some(0));
        assert_eq!(truncate_to_integer("1e100"), None);
        assert_eq!(truncate_to_integer("x"), None);
    }

    #[test]
    fn doubles_print_like_java() {
        assert_eq!(format_double(1.0), "1.0");
        assert_eq!(format_double(1234.589), "1234.589");
        assert_eq!(format_double(0.001), "0.001");
        assert_eq!(format_double(0.0001), "1.0E-4");
        assert_eq!(format_double(1e7), "1.0E7");
        assert_eq!(format_double(12345678.9), "1.23456789E7");
        assert_eq!(format_double(9999999.0), "9999999.0");
        assert_eq!(format_double(-0.0), "-0.0");
        assert_eq!(format_double(-2.5), "-2.5");
        assert_eq!(format_double(100.0), "100.0");
        assert_eq!(format_double(4.9e-324), "4.9E-324");
        assert_eq!(format_double(-f64::MAX), "-1.7976931348623157E308");
        assert_eq!(format_double(0.3), "0.3");
        assert_eq!(format_double(f64::NAN), "NaN");
        assert_eq!(format_double(f64::NEG_INFINITY), "-Infinity");
    }

    #[test]
    fn doubles_parse_like_java() {
        assert_eq!(parse_double(" 1.5 "), Some(1.5));
        assert_eq!(parse_double("2d"), Some(2.0));
        assert_eq!(parse_double("1.0E7"), Some(1e7));
        assert_eq!(parse_double("Infinity"), Some(f64::INFINITY));
        assert!(parse_double("NaN").is_some_and(f64::is_nan));
        assert_eq!(parse_double("abc"), None);
    }
}
