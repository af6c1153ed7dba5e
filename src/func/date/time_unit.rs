//! The time units of DATEADD, DATESUB, TIMEADD, TIMESUB, TIMESTAMPADD and TIMESTAMPSUB
//! (Java's `TimeUnit`: `NANOSECONDS` … `DAYS`), and `TimeUnit.toMillis`.

use datafusion::common::{Result, exec_err};

/// `interval` units of `unit` in milliseconds, truncated toward zero for units below a
/// millisecond (Java `TimeUnit.toMillis`).
pub fn to_millis(unit: &str, interval: i64) -> Result<i64> {
    Ok(match unit.to_ascii_uppercase().as_str() {
        "NANOSECONDS" => interval / 1_000_000,
        "MICROSECONDS" => interval / 1_000,
        "MILLISECONDS" => interval,
        "SECONDS" => interval.saturating_mul(1_000),
        "MINUTES" => interval.saturating_mul(60_000),
        "HOURS" => interval.saturating_mul(3_600_000),
        "DAYS" => interval.saturating_mul(86_400_000),
        _ => return exec_err!("Unknown time unit: {unit}"),
    })
}

/// `interval` units of `unit` in nanoseconds (Java `TimeUnit.toNanos`, saturating).
pub fn to_nanos(unit: &str, interval: i64) -> Result<i64> {
    Ok(match unit.to_ascii_uppercase().as_str() {
        "NANOSECONDS" => interval,
        "MICROSECONDS" => interval.saturating_mul(1_000),
        _ => to_millis(unit, interval)?.saturating_mul(1_000_000),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units() {
        assert_eq!(to_millis("DAYS", 2).unwrap(), 172_800_000);
        assert_eq!(to_millis("milliseconds", -5).unwrap(), -5);
        assert_eq!(to_millis("NANOSECONDS", 1_999_999).unwrap(), 1);
        assert!(to_millis("WEEKS", 1).is_err());
    }
}
