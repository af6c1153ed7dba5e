//! Time zones named as Java's `ZoneId.of` names them, for ksqlDB's date/time functions:
//! region IDs (`America/Los_Angeles`), `Z`/`UTC`/`GMT`, offsets (`+05`, `+0500`,
//! `+05:00`, `-08:00:00`) and prefixed offsets (`UTC+2`, `GMT-08:00`), plus the short
//! names Java's `z` pattern reads (`PST` means Los Angeles time, daylight saving included).

use chrono::{DateTime, FixedOffset, LocalResult, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::{OffsetName, Tz};
use datafusion::common::{Result, exec_err};

/// A zone: a fixed offset or a region with its rules.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Zone {
    Fixed(FixedOffset),
    Region(Tz),
}

impl Zone {
    /// UTC.
    pub fn utc() -> Zone {
        Zone::Fixed(Utc.fix())
    }

    /// The zone `ZoneId.of(id)` names, or ksqlDB's error for an unknown one.
    pub fn of(id: &str) -> Result<Zone> {
        match Zone::parse(id) {
            Some(zone) => Ok(zone),
            None => exec_err!("Unknown time-zone ID: {id}"),
        }
    }

    /// Like `of`, also taking the short names Java's `z` parses (`PST`, `CET`…).
    pub fn of_name(name: &str) -> Option<Zone> {
        Zone::parse(name).or_else(|| short_name(name))
    }

    fn parse(id: &str) -> Option<Zone> {
        match id {
            "Z" | "UTC" | "GMT" | "UT" => return Some(Zone::utc()),
            _ => {}
        }
        if id.starts_with(['+', '-']) {
            return offset(id).map(Zone::Fixed);
        }
        for prefix in ["UTC", "GMT", "UT"] {
            if let Some(rest) = id.strip_prefix(prefix)
                && rest.starts_with(['+', '-'])
            {
                return offset(rest).map(Zone::Fixed);
            }
        }
        id.parse::<Tz>().ok().map(Zone::Region)
    }

    /// The offset from UTC at the instant `utc_millis`.
    pub fn offset_at(&self, utc_millis: i64) -> Option<FixedOffset> {
        let at = DateTime::<Utc>::from_timestamp_millis(utc_millis)?;
        Some(match self {
            Zone::Fixed(offset) => *offset,
            Zone::Region(tz) => tz.offset_from_utc_datetime(&at.naive_utc()).fix(),
        })
    }

    /// The instant (ms since the epoch) of the local date-time `local` in this zone; in a
    /// gap the later offset applies and in an overlap the earlier (Java's `ZonedDateTime`
    /// rules).
    pub fn local_to_utc_millis(&self, local: &NaiveDateTime) -> Option<i64> {
        let offset = match self {
            Zone::Fixed(offset) => *offset,
            Zone::Region(tz) => match tz.offset_from_local_datetime(local) {
                LocalResult::Single(o) => o.fix(),
                LocalResult::Ambiguous(earlier, _) => earlier.fix(),
                LocalResult::None => {
                    // A gap: Java moves the time forward by the gap's length, i.e. reads
                    // the local time with the offset in force before the gap.
                    let before = *local - chrono::Duration::hours(3);
                    tz.offset_from_local_datetime(&before).earliest()?.fix()
                }
            },
        };
        Some((*local - offset).and_utc().timestamp_millis())
    }

    /// The short name Java's `z` prints: `UTC`, `PDT`, or the offset for fixed zones.
    pub fn short_name_at(&self, utc_millis: i64) -> Option<String> {
        match self {
            Zone::Fixed(offset) if offset.local_minus_utc() == 0 => Some("Z".to_string()),
            Zone::Fixed(offset) => Some(offset.to_string()),
            Zone::Region(tz) => {
                let at = DateTime::<Utc>::from_timestamp_millis(utc_millis)?;
                let offset = tz.offset_from_utc_datetime(&at.naive_utc());
                Some(offset.abbreviation().unwrap_or(offset.tz_id()).to_string())
            }
        }
    }

    /// The zone's ID as `ZoneId.getId()` gives it.
    pub fn id(&self) -> String {
        match self {
            Zone::Fixed(offset) if offset.local_minus_utc() == 0 => "Z".to_string(),
            Zone::Fixed(offset) => offset.to_string(),
            Zone::Region(tz) => tz.name().to_string(),
        }
    }
}

/// `+h`, `+hh`, `+hh:mm`, `+hhmm`, `+hh:mm:ss`, `+hhmmss` (Java `ZoneOffset.of`).
pub fn offset(text: &str) -> Option<FixedOffset> {
    let sign = match text.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let body = &text[1..];
    let digits = |s: &str| -> Option<i32> {
        (s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok())?
    };
    let (h, m, s) = match body.len() {
        1 if body.bytes().all(|b| b.is_ascii_digit()) => (body.parse().ok()?, 0, 0),
        2 => (digits(body)?, 0, 0),
        4 => (digits(&body[..2])?, digits(&body[2..])?, 0),
        5 if &body[2..3] == ":" => (digits(&body[..2])?, digits(&body[3..])?, 0),
        6 => (
            digits(&body[..2])?,
            digits(&body[2..4])?,
            digits(&body[4..])?,
        ),
        8 if &body[2..3] == ":" && &body[5..6] == ":" => (
            digits(&body[..2])?,
            digits(&body[3..5])?,
            digits(&body[6..])?,
        ),
        _ => return None,
    };
    if h > 18 || m > 59 || s > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60 + s))
}

/// Java's short zone names (`ZoneId.SHORT_IDS` and the names `z` parses).
fn short_name(name: &str) -> Option<Zone> {
    let region = match name.to_ascii_uppercase().as_str() {
        "PST" | "PDT" | "PT" => "America/Los_Angeles",
        "MST" | "MDT" | "MT" => "America/Denver",
        "CST" | "CDT" | "CT" => "America/Chicago",
        "EST" | "EDT" | "ET" => "America/New_York",
        "AKST" | "AKDT" => "America/Anchorage",
        "HST" => "Pacific/Honolulu",
        "BST" => "Europe/London",
        "CET" | "CEST" => "Europe/Paris",
        "EET" | "EEST" => "Europe/Bucharest",
        "WET" | "WEST" => "Europe/Lisbon",
        "IST" => "Asia/Kolkata",
        "JST" => "Asia/Tokyo",
        "AEST" | "AEDT" => "Australia/Sydney",
        _ => return None,
    };
    region.parse::<Tz>().ok().map(Zone::Region)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_zone_ids() {
        assert_eq!(
            Zone::of("+0200").unwrap(),
            Zone::Fixed(FixedOffset::east_opt(7200).unwrap())
        );
        assert_eq!(
            Zone::of("-08:00").unwrap(),
            Zone::Fixed(FixedOffset::west_opt(8 * 3600).unwrap())
        );
        assert_eq!(
            Zone::of("UTC+2").unwrap(),
            Zone::Fixed(FixedOffset::east_opt(7200).unwrap())
        );
        assert_eq!(Zone::of("UTC").unwrap(), Zone::utc());
        assert!(matches!(
            Zone::of("America/Los_Angeles").unwrap(),
            Zone::Region(_)
        ));
        assert!(Zone::of("Mars/Base").is_err());
        assert!(Zone::of("PST").is_err());
        assert!(Zone::of_name("PST").is_some());
    }

    #[test]
    fn region_offsets_follow_daylight_saving() {
        let la = Zone::of("America/Los_Angeles").unwrap();
        // 2018-05-11T21:58:33 local is PDT (-7h).
        let local =
            NaiveDateTime::parse_from_str("2018-05-11 21:58:33", "%Y-%m-%d %H:%M:%S").unwrap();
        assert_eq!(la.local_to_utc_millis(&local), Some(1_526_101_113_000));
        assert_eq!(la.short_name_at(1_526_101_113_000).as_deref(), Some("PDT"));
    }
}
