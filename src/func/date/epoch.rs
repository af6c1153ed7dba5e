//! Conversions between ksqlDB's DATE/TIME/TIMESTAMP numbers (days since the epoch,
//! milliseconds of the day, milliseconds since the epoch) and chrono values.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use datafusion::common::{Result, exec_datafusion_err};

/// Milliseconds in a day.
pub const MILLIS_PER_DAY: i64 = 86_400_000;

/// The date `days` after 1970-01-01.
pub fn date_of_days(days: i64) -> Result<NaiveDate> {
    NaiveDate::from_ymd_opt(1970, 1, 1)
        .and_then(|epoch| epoch.checked_add_signed(chrono::Duration::days(days)))
        .ok_or_else(|| exec_datafusion_err!("date out of range: {days} days"))
}

/// Days since 1970-01-01.
pub fn days_of_date(date: NaiveDate) -> Result<i32> {
    let epoch =
        NaiveDate::from_ymd_opt(1970, 1, 1).ok_or_else(|| exec_datafusion_err!("no epoch"))?;
    i32::try_from((date - epoch).num_days()).map_err(|_| exec_datafusion_err!("date out of range"))
}

/// The time `millis` after midnight.
pub fn time_of_millis(millis: i64) -> Result<NaiveTime> {
    let millis = u32::try_from(millis).map_err(|_| exec_datafusion_err!("time out of range"))?;
    NaiveTime::from_num_seconds_from_midnight_opt(millis / 1000, (millis % 1000) * 1_000_000)
        .ok_or_else(|| exec_datafusion_err!("time out of range: {millis} ms"))
}

/// Milliseconds after midnight (nanoseconds truncated).
pub fn millis_of_time(time: NaiveTime) -> i32 {
    i32::try_from(time.num_seconds_from_midnight() * 1000 + time.nanosecond() / 1_000_000)
        .unwrap_or(0)
}

/// The UTC date-time `millis` after the epoch.
pub fn datetime_of_millis(millis: i64) -> Result<NaiveDateTime> {
    chrono::DateTime::from_timestamp_millis(millis)
        .map(|d| d.naive_utc())
        .ok_or_else(|| exec_datafusion_err!("timestamp out of range: {millis}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        assert_eq!(days_of_date(date_of_days(-1).unwrap()).unwrap(), -1);
        assert_eq!(millis_of_time(time_of_millis(65_000).unwrap()), 65_000);
        assert!(time_of_millis(-1).is_err());
        assert_eq!(
            datetime_of_millis(0).unwrap().and_utc().timestamp_millis(),
            0
        );
    }
}
