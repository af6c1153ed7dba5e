//! Rounding as ksqlDB's ROUND and TRUNC do it with Java's `BigDecimal.setScale`: on the
//! decimal digits of a value (a DOUBLE by its shortest decimal spelling, Java's
//! `BigDecimal.valueOf`), never on binary fractions.

/// How digits past the kept places are dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rounding {
    /// ksqlDB ROUND: halves go up, toward positive infinity (`-1.5` → `-1`): `HALF_UP` for
    /// positive values, `HALF_DOWN` for negative ones.
    HalfTowardPositive,
    /// TRUNC: toward zero (`DOWN`).
    TowardZero,
}

/// `unscaled × 10^-scale` rounded to `places` decimal places, re-expressed at `scale`
/// (so a DECIMAL keeps its type: `1.25` at scale 2 to 1 place is `1.30`).
pub fn round_unscaled(unscaled: i128, scale: i32, places: i32, mode: Rounding) -> i128 {
    let drop = scale.saturating_sub(places);
    if drop <= 0 {
        return unscaled;
    }
    let Some(factor) = u32::try_from(drop).ok().and_then(|d| 10i128.checked_pow(d)) else {
        // Dropping more digits than an i128 holds leaves nothing (or one unit, which
        // cannot be expressed at `scale` either).
        return 0;
    };
    let (q, r) = (unscaled / factor, unscaled % factor);
    let twice = r.unsigned_abs().saturating_mul(2);
    let half = factor.unsigned_abs();
    let q = match mode {
        Rounding::TowardZero => q,
        Rounding::HalfTowardPositive if unscaled > 0 && twice >= half => q + 1,
        Rounding::HalfTowardPositive if unscaled < 0 && twice > half => q - 1,
        Rounding::HalfTowardPositive => q,
    };
    q.saturating_mul(factor)
}

/// A DOUBLE rounded to `places` decimal places on its decimal spelling; zero is always
/// `+0.0` (BigDecimal has no negative zero). Non-finite values come back unchanged.
pub fn round_double(value: f64, places: i32, mode: Rounding) -> f64 {
    if !value.is_finite() {
        return value;
    }
    let Some((unscaled, scale)) = decimal_of(value) else {
        return value;
    };
    let rounded = round_unscaled(unscaled, scale, places, mode);
    let text = format!("{rounded}e{}", -i64::from(scale));
    text.parse::<f64>()
        .map_or(value, |v| if v == 0.0 { 0.0 } else { v })
}

/// Java's `Math.round`: the nearest integer, halves toward positive infinity; NaN is 0
/// and out-of-range values saturate.
pub fn java_round(value: f64) -> i64 {
    let rounded = value.round();
    let rounded = if value < 0.0 && rounded - value == -0.5 {
        rounded + 1.0
    } else {
        rounded
    };
    rounded as i64
}

/// The shortest decimal spelling of `value` as (unscaled digits, scale).
fn decimal_of(value: f64) -> Option<(i128, i32)> {
    let text = format!("{value:e}");
    let (mantissa, exponent) = text.split_once('e')?;
    let exponent: i32 = exponent.parse().ok()?;
    let negative = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let fraction_digits = mantissa.split_once('.').map_or(0, |(_, f)| f.len());
    let unscaled: i128 = digits.parse().ok()?;
    let scale = i32::try_from(fraction_digits).ok()? - exponent;
    Some((if negative { -unscaled } else { unscaled }, scale))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ksqldb_round_half_toward_positive() {
        // ksqlDB: math.json "round".
        let r = |v: f64, p: i32| round_double(v, p, Rounding::HalfTowardPositive);
        assert_eq!(r(-1.5, 0), -1.0);
        assert_eq!(r(1.5, 0), 2.0);
        assert_eq!(r(-1.7, 0), -2.0);
        assert_eq!(r(12345.678, 2), 12345.68);
        assert_eq!(r(-12345.678, -1), -12350.0);
        assert_eq!(r(-1.1, -1).to_bits(), 0.0f64.to_bits());
        assert_eq!(r(1.234567, 10), 1.234567);
        assert_eq!(java_round(-1.5), -1);
        assert_eq!(java_round(1.5), 2);
        assert_eq!(java_round(f64::NAN), 0);
    }

    #[test]
    fn trunc_toward_zero() {
        let t = |v: f64, p: i32| round_double(v, p, Rounding::TowardZero);
        assert_eq!(t(-1.7, 0), -1.0);
        assert_eq!(t(12345.678, 1), 12345.6);
        assert_eq!(t(-12345.678, -2), -12300.0);
    }

    #[test]
    fn decimals_keep_their_scale() {
        // 12345678987654321.2345678987654321 as DECIMAL(33, 16).
        let v: i128 = 123_456_789_876_543_212_345_678_987_654_321;
        let r = |p: i32| round_unscaled(v, 16, p, Rounding::HalfTowardPositive);
        assert_eq!(r(1), 123_456_789_876_543_212_000_000_000_000_000);
        assert_eq!(r(-1), 123_456_789_876_543_200_000_000_000_000_000);
        assert_eq!(round_unscaled(-15, 1, 0, Rounding::HalfTowardPositive), -10);
    }
}
