//! ksqlDB's "magic" timestamp strings: a string compared with ROWTIME, WINDOWSTART or
//! WINDOWEND is read as a possibly partial ISO-8601 timestamp (`'2018'`,
//! `'2019-01-01T00:00:00.001'`, `'2019-01-01T00:00:00+0445'`), missing fields taking their
//! smallest value, UTC unless an offset is given.

use datafusion::common::ScalarValue;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::logical_expr::{Between, BinaryExpr, Expr, Operator};

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Timelike};

/// The milliseconds since the epoch a magic timestamp string stands for.
pub fn parse(text: &str) -> Option<i64> {
    let text = text.trim();
    let (date_part, time_part) = match text.split_once('T') {
        Some((date, time)) => (date, Some(time)),
        None => (text, None),
    };
    let mut date_fields = date_part.split('-');
    let year: i32 = date_fields.next()?.parse().ok()?;
    let month: u32 = date_fields.next().map_or(Some(1), |m| m.parse().ok())?;
    let day: u32 = date_fields.next().map_or(Some(1), |d| d.parse().ok())?;
    if date_fields.next().is_some() {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    let (clock_ms, offset_ms) = match time_part {
        None => (0, 0),
        Some(time) => {
            let (clock, offset_ms) = split_offset(time)?;
            (parse_clock(clock)?, offset_ms)
        }
    };
    let midnight = NaiveDateTime::new(date, NaiveTime::MIN)
        .and_utc()
        .timestamp_millis();
    Some(midnight + clock_ms - offset_ms)
}

/// `HH[:mm[:ss[.SSS]]]`, in milliseconds since midnight. `24` (or `24:00…`) is the end of
/// the day, as Java's ISO parser reads it.
fn parse_clock(clock: &str) -> Option<i64> {
    let (hms, fraction) = match clock.split_once('.') {
        Some((hms, fraction)) => (hms, Some(fraction)),
        None => (clock, None),
    };
    let mut fields = hms.split(':');
    let hour: u32 = fields.next()?.parse().ok()?;
    let minute: u32 = fields.next().map_or(Some(0), |m| m.parse().ok())?;
    let second: u32 = fields.next().map_or(Some(0), |s| s.parse().ok())?;
    let millis: u32 = match fraction {
        None => 0,
        Some(f) if !f.is_empty() && f.len() <= 9 && f.bytes().all(|b| b.is_ascii_digit()) => {
            format!("{f:0<3}")[..3].parse().ok()?
        }
        Some(_) => return None,
    };
    if hour == 24 && minute == 0 && second == 0 && millis == 0 {
        return Some(24 * 3_600_000);
    }
    let time = NaiveTime::from_hms_milli_opt(hour, minute, second, millis)?;
    Some(i64::from(time.num_seconds_from_midnight()) * 1000 + i64::from(millis))
}

/// Splits `12:00:00+0445` into the clock and the offset in milliseconds (`Z` = 0).
fn split_offset(time: &str) -> Option<(&str, i64)> {
    if let Some(clock) = time.strip_suffix('Z') {
        return Some((clock, 0));
    }
    let Some(at) = time.rfind(['+', '-']) else {
        return Some((time, 0));
    };
    let (clock, offset) = time.split_at(at);
    let sign = if offset.starts_with('-') { -1 } else { 1 };
    let digits: String = offset[1..].chars().filter(|c| *c != ':').collect();
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let hours: i64 = digits[..2].parse().ok()?;
    let minutes: i64 = digits[2..].parse().ok()?;
    Some((clock, sign * (hours * 3_600_000 + minutes * 60_000)))
}

fn is_time_column(expr: &Expr) -> bool {
    matches!(expr, Expr::Column(c) if ["ROWTIME", "WINDOWSTART", "WINDOWEND"].contains(&c.name.as_str()))
}

/// A string literal as the timestamp it stands for, if it is one.
fn as_millis(expr: &Expr) -> Option<Expr> {
    match expr {
        Expr::Literal(ScalarValue::Utf8(Some(text)), _) => {
            parse(text).map(|ms| Expr::Literal(ScalarValue::Int64(Some(ms)), None))
        }
        _ => None,
    }
}

/// Rewrites comparisons and BETWEENs of a time column with strings into milliseconds.
pub fn rewrite(expr: Expr) -> datafusion::error::Result<Expr> {
    expr.transform_up(|e| match e {
        Expr::BinaryExpr(BinaryExpr { left, op, right })
            if matches!(
                op,
                Operator::Eq
                    | Operator::NotEq
                    | Operator::Lt
                    | Operator::LtEq
                    | Operator::Gt
                    | Operator::GtEq
            ) && (is_time_column(&left) || is_time_column(&right)) =>
        {
            let left = if is_time_column(&right) {
                as_millis(&left).unwrap_or(*left)
            } else {
                *left
            };
            let right = if is_time_column(&left) {
                as_millis(&right).unwrap_or(*right)
            } else {
                *right
            };
            Ok(Transformed::yes(Expr::BinaryExpr(BinaryExpr::new(
                Box::new(left),
                op,
                Box::new(right),
            ))))
        }
        Expr::Between(Between {
            expr,
            negated,
            low,
            high,
        }) if is_time_column(&expr) => {
            let low = as_millis(&low).map(Box::new).unwrap_or(low);
            let high = as_millis(&high).map(Box::new).unwrap_or(high);
            Ok(Transformed::yes(Expr::Between(Between {
                expr,
                negated,
                low,
                high,
            })))
        }
        other => Ok(Transformed::no(other)),
    })
    .map(|t| t.data)
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn partial_timestamps_fill_the_smallest_values() {
        assert_eq!(parse("2018"), Some(1_514_764_800_000));
        assert_eq!(parse("2018-01-01T00:00:00.001"), Some(1_514_764_800_001));
        assert_eq!(parse("2019-01-01T00:00:00Z"), Some(1_546_300_800_000));
        assert_eq!(
            parse("2019-01-01T00:00:00+0445"),
            Some(1_546_300_800_000 - 17_100_000)
        );
        assert_eq!(parse("not a time"), None);
    }

    #[test]
    fn hour_24_is_the_end_of_the_day() {
        assert_eq!(parse("2018-12-31T24"), parse("2019-01-01"));
        assert_eq!(parse("2018-12-31T24:00:00"), parse("2019-01-01"));
        assert_eq!(parse("2018-12-31T24:01"), None);
        assert_eq!(parse("2018-12-31T25"), None);
    }
}
