//! ksqlDB's default text for DATE, TIME and TIMESTAMP values (`SqlTimeTypes`): Java's
//! `LocalDate.toString()` (`1972-09-27`), `LocalTime.toString()` (`16:43`, `16:43:40`,
//! `16:43:40.500`) and `yyyy-MM-dd'T'HH:mm:ss.SSS` in UTC for timestamps.

use chrono::{Datelike, NaiveDate, NaiveTime, Timelike};
use datafusion::arrow::array::temporal_conversions::{
    date32_to_datetime, time32ms_to_time, timestamp_ms_to_datetime,
};

/// A DATE (days since the epoch) as `LocalDate.toString()`.
pub fn date_text(days: i32) -> Option<String> {
    Some(local_date(date32_to_datetime(days)?.date()))
}

/// A TIME (milliseconds of the day) as `LocalTime.toString()`.
pub fn time_text(millis: i32) -> Option<String> {
    Some(local_time(time32ms_to_time(millis)?))
}

/// A TIMESTAMP (milliseconds since the epoch) as `yyyy-MM-dd'T'HH:mm:ss.SSS` in UTC.
pub fn timestamp_text(millis: i64) -> Option<String> {
    let at = timestamp_ms_to_datetime(millis)?;
    Some(format!(
        "{}T{:02}:{:02}:{:02}.{:03}",
        local_date(at.date()),
        at.hour(),
        at.minute(),
        at.second(),
        at.nanosecond() / 1_000_000
    ))
}

fn local_date(date: NaiveDate) -> String {
    let year = date.year();
    // Java: four digits at least, a sign past 9999.
    let year = if year > 9999 {
        format!("+{year}")
    } else if year < 0 {
        format!("-{:04}", -year)
    } else {
        format!("{year:04}")
    };
    format!("{year}-{:02}-{:02}", date.month(), date.day())
}

fn local_time(time: NaiveTime) -> String {
    let mut text = format!("{:02}:{:02}", time.hour(), time.minute());
    let (seconds, nanos) = (time.second(), time.nanosecond());
    if seconds > 0 || nanos > 0 {
        text.push_str(&format!(":{seconds:02}"));
        if nanos > 0 {
            if nanos % 1_000_000 == 0 {
                text.push_str(&format!(".{:03}", nanos / 1_000_000));
            } else if nanos % 1_000 == 0 {
                text.push_str(&format!(".{:06}", nanos / 1_000));
            } else {
                text.push_str(&format!(".{nanos:09}"));
            }
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_forms() {
        // ksqlDB: to_json_string.json.
        assert_eq!(time_text(60_220_000).as_deref(), Some("16:43:40"));
        assert_eq!(time_text(60_180_000).as_deref(), Some("16:43"));
        assert_eq!(time_text(500).as_deref(), Some("00:00:00.500"));
        assert_eq!(date_text(1000).as_deref(), Some("1972-09-27"));
        assert_eq!(
            timestamp_text(60_220_000_000).as_deref(),
            Some("1971-11-28T23:46:40.000")
        );
    }
}
