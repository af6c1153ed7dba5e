//! Java `DateTimeFormatter` patterns (`yyyy-MM-dd'T'HH:mm:ss.SSSX`), as ksqlDB's
//! FORMAT_*/PARSE_* and deprecated string/date functions use them.
//!
//! Supported letters: `G` era, `u`/`y` year, `D` day of year, `M`/`L` month (number or
//! English name), `d` day, `Q`/`q` quarter, `E` weekday name, `a` AM/PM, `H`/`k`/`K`/`h`
//! hours, `m`, `s`, `S` fraction, `n` nanos, `A` milli of day, `V` zone ID, `z` zone name,
//! `O`/`X`/`x`/`Z` offsets; `'…'` literals and `[…]` optional sections. Other letters are
//! errors. Parsing is case-insensitive (ksqlDB builds its parsers with
//! `parseCaseInsensitive`), must consume the whole text, and fills missing fields with
//! 1970-01-01T00:00 in the zone given (ksqlDB's `parseDefaulting`).

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use datafusion::common::{DataFusionError, Result, exec_datafusion_err, exec_err};

use super::zone::{Zone, offset};

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Literal(String),
    Field(char, usize),
    Optional(Vec<Token>),
}

/// A compiled pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JavaFormat {
    pattern: String,
    tokens: Vec<Token>,
}

/// The fields a text held; what it lacked is `None`.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Parsed {
    year: Option<i64>,
    month: Option<u32>,
    day: Option<u32>,
    day_of_year: Option<u32>,
    hour: Option<u32>,
    hour12: Option<u32>,
    pm: Option<bool>,
    minute: Option<u32>,
    second: Option<u32>,
    nano: Option<u32>,
    milli_of_day: Option<u32>,
    zone: Option<Zone>,
}

impl JavaFormat {
    /// Compiles `pattern`, or ksqlDB's error for an invalid one.
    pub fn compile(pattern: &str) -> Result<JavaFormat> {
        let chars: Vec<char> = pattern.chars().collect();
        let mut i = 0;
        let tokens = tokenize(&chars, &mut i, pattern, false)?;
        Ok(JavaFormat {
            pattern: pattern.to_string(),
            tokens,
        })
    }

    /// `at` (a local date-time in `zone`, which zone letters print) as text.
    pub fn format(&self, at: &NaiveDateTime, zone: &Zone) -> Result<String> {
        let mut out = String::new();
        let utc_millis = zone.local_to_utc_millis(at).unwrap_or(0);
        format_tokens(&self.tokens, at, zone, utc_millis, &mut out)?;
        Ok(out)
    }

    /// The fields of `text`, or ksqlDB's error if it does not match the pattern.
    pub fn parse(&self, text: &str) -> Result<Parsed> {
        let chars: Vec<char> = text.chars().collect();
        let mut parsed = Parsed::default();
        let mut pos = 0;
        let fail = |at: usize| -> DataFusionError {
            exec_datafusion_err!("Text '{text}' could not be parsed at index {at}")
        };
        parse_tokens(&self.tokens, &chars, &mut pos, &mut parsed).map_err(fail)?;
        if pos != chars.len() {
            return Err(exec_datafusion_err!(
                "Text '{text}' could not be parsed, unparsed text found at index {pos}"
            ));
        }
        Ok(parsed)
    }

    /// The fields of the longest start of `text` that matches (text after it is ignored,
    /// like Java's `parse(text, ParsePosition)`), or None if none does.
    pub fn parse_prefix(&self, text: &str) -> Option<Parsed> {
        let chars: Vec<char> = text.chars().collect();
        let mut parsed = Parsed::default();
        let mut pos = 0;
        parse_tokens(&self.tokens, &chars, &mut pos, &mut parsed).ok()?;
        Some(parsed)
    }

    /// The pattern text.
    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    /// Whether the pattern names a date field (year, month, day, weekday…), which a
    /// TIME cannot supply.
    pub fn has_date_fields(&self) -> bool {
        self.any_letter(&|c| "GuyDMLdQqE".contains(c))
    }

    /// Whether the pattern names a time-of-day field, which a DATE cannot supply.
    pub fn has_time_fields(&self) -> bool {
        self.any_letter(&|c| "aHkKhmsSnA".contains(c))
    }

    /// Whether the pattern names a zone or offset, which DATE and TIME values lack.
    pub fn has_zone_fields(&self) -> bool {
        self.any_letter(&|c| "VzOXxZ".contains(c))
    }

    fn any_letter(&self, wanted: &dyn Fn(char) -> bool) -> bool {
        fn walk(tokens: &[Token], wanted: &dyn Fn(char) -> bool) -> bool {
            tokens.iter().any(|t| match t {
                Token::Field(c, _) => wanted(*c),
                Token::Optional(inner) => walk(inner, wanted),
                Token::Literal(_) => false,
            })
        }
        walk(&self.tokens, wanted)
    }
}

/// Compiled patterns by text, so a column of few distinct patterns compiles each once.
#[derive(Default)]
pub struct FormatCache {
    compiled: std::collections::HashMap<String, JavaFormat>,
}

impl FormatCache {
    /// `pattern` compiled, or its error.
    pub fn get(&mut self, pattern: &str) -> Result<&JavaFormat> {
        if !self.compiled.contains_key(pattern) {
            let format = JavaFormat::compile(pattern)?;
            self.compiled.insert(pattern.to_string(), format);
        }
        self.compiled
            .get(pattern)
            .ok_or_else(|| exec_datafusion_err!("format cache lost {pattern}"))
    }
}

impl Parsed {
    /// The date, missing parts defaulted to 1970, January, the 1st.
    pub fn date(&self) -> Result<NaiveDate> {
        let year = i32::try_from(self.year.unwrap_or(1970))
            .map_err(|_| exec_datafusion_err!("year out of range"))?;
        if let Some(doy) = self.day_of_year {
            return NaiveDate::from_yo_opt(year, doy)
                .ok_or_else(|| exec_datafusion_err!("Invalid day of year {doy}"));
        }
        let month = self.month.unwrap_or(1);
        let day = self.day.unwrap_or(1);
        if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
            return exec_err!("Invalid date: month {month}, day {day}");
        }
        // Java's SMART resolver moves days 29-31 past the month's end back to its last day.
        (0..4)
            .find_map(|back| NaiveDate::from_ymd_opt(year, month, day.saturating_sub(back)))
            .ok_or_else(|| exec_datafusion_err!("Invalid date"))
    }

    /// The time of day, missing parts 0.
    pub fn time(&self) -> Result<NaiveTime> {
        if let Some(ms) = self.milli_of_day {
            return NaiveTime::from_num_seconds_from_midnight_opt(
                ms / 1000,
                (ms % 1000) * 1_000_000,
            )
            .ok_or_else(|| exec_datafusion_err!("Invalid milli of day {ms}"));
        }
        let hour = match (self.hour, self.hour12) {
            (Some(h), _) => h,
            (None, Some(h)) => h % 12 + if self.pm == Some(true) { 12 } else { 0 },
            (None, None) => {
                if self.pm == Some(true) {
                    12
                } else {
                    0
                }
            }
        };
        NaiveTime::from_hms_nano_opt(
            hour,
            self.minute.unwrap_or(0),
            self.second.unwrap_or(0),
            self.nano.unwrap_or(0),
        )
        .ok_or_else(|| exec_datafusion_err!("Invalid time"))
    }

    /// The instant (ms since the epoch): the parsed zone if any, else `default_zone`.
    pub fn instant_millis(&self, default_zone: &Zone) -> Result<i64> {
        let local = NaiveDateTime::new(self.date()?, self.time()?);
        self.zone
            .unwrap_or(*default_zone)
            .local_to_utc_millis(&local)
            .ok_or_else(|| exec_datafusion_err!("Invalid instant"))
    }
}

fn tokenize(chars: &[char], i: &mut usize, pattern: &str, nested: bool) -> Result<Vec<Token>> {
    let mut tokens = Vec::new();
    while *i < chars.len() {
        let c = chars[*i];
        match c {
            'a'..='z' | 'A'..='Z' => {
                let mut count = 0;
                while *i < chars.len() && chars[*i] == c {
                    count += 1;
                    *i += 1;
                }
                if !"GuyDMLdQqEaHkKhmsSnAVzOXxZ".contains(c) {
                    return exec_err!("Unknown pattern letter: {c}");
                }
                tokens.push(Token::Field(c, count));
            }
            '\'' => {
                *i += 1;
                let mut literal = String::new();
                loop {
                    match chars.get(*i) {
                        None => {
                            return exec_err!(
                                "Pattern ends with an incomplete string literal: {pattern}"
                            );
                        }
                        Some('\'') if chars.get(*i + 1) == Some(&'\'') => {
                            literal.push('\'');
                            *i += 2;
                        }
                        Some('\'') => {
                            *i += 1;
                            break;
                        }
                        Some(ch) => {
                            literal.push(*ch);
                            *i += 1;
                        }
                    }
                }
                // `''` outside a literal is one quote.
                if literal.is_empty() {
                    literal.push('\'');
                }
                tokens.push(Token::Literal(literal));
            }
            '[' => {
                *i += 1;
                tokens.push(Token::Optional(tokenize(chars, i, pattern, true)?));
            }
            ']' => {
                *i += 1;
                if nested {
                    return Ok(tokens);
                }
                return exec_err!("Pattern invalid as it contains ] without previous [");
            }
            '{' | '}' | '#' => return exec_err!("Pattern includes reserved character: '{c}'"),
            other => {
                tokens.push(Token::Literal(other.to_string()));
                *i += 1;
            }
        }
    }
    Ok(tokens)
}

fn pad(value: i64, width: usize) -> String {
    if value < 0 {
        format!("-{:0width$}", -value, width = width)
    } else {
        format!("{value:0width$}")
    }
}

fn format_offset(seconds: i32, colons: bool, with_minutes: Option<bool>, zero: &str) -> String {
    if seconds == 0 && !zero.is_empty() {
        return zero.to_string();
    }
    let sign = if seconds < 0 { '-' } else { '+' };
    let abs = seconds.abs();
    let (h, m) = (abs / 3600, abs / 60 % 60);
    let sep = if colons { ":" } else { "" };
    match with_minutes {
        Some(true) => format!("{sign}{h:02}{sep}{m:02}"),
        Some(false) => format!("{sign}{h:02}"),
        None if m != 0 => format!("{sign}{h:02}{sep}{m:02}"),
        None => format!("{sign}{h:02}"),
    }
}

fn format_tokens(
    tokens: &[Token],
    at: &NaiveDateTime,
    zone: &Zone,
    utc_millis: i64,
    out: &mut String,
) -> Result<()> {
    let offset_secs = zone
        .offset_at(utc_millis)
        .map_or(0, |o| o.local_minus_utc());
    for token in tokens {
        match token {
            Token::Literal(text) => out.push_str(text),
            Token::Optional(inner) => format_tokens(inner, at, zone, utc_millis, out)?,
            Token::Field(letter, count) => {
                let count = *count;
                let text = match letter {
                    'G' => if at.year() > 0 { "AD" } else { "BC" }.to_string(),
                    'y' | 'u' => {
                        let year = i64::from(if *letter == 'y' && at.year() <= 0 {
                            1 - at.year()
                        } else {
                            at.year()
                        });
                        if count == 2 {
                            pad(year.rem_euclid(100), 2)
                        } else if count >= 4 && year > 9999 {
                            format!("+{year}")
                        } else {
                            pad(year, count)
                        }
                    }
                    'D' => pad(i64::from(at.ordinal()), count),
                    'M' | 'L' => month_text(at.month(), count),
                    'd' => pad(i64::from(at.day()), count),
                    'Q' | 'q' => {
                        let q = (at.month() - 1) / 3 + 1;
                        match count {
                            1 | 2 => pad(i64::from(q), count),
                            3 => format!("Q{q}"),
                            _ => format!(
                                "{} quarter",
                                ["1st", "2nd", "3rd", "4th"][(q - 1) as usize]
                            ),
                        }
                    }
                    'E' => {
                        let name = WEEKDAYS[at.weekday().num_days_from_monday() as usize];
                        match count {
                            1..=3 => name[..3].to_string(),
                            4 => name.to_string(),
                            _ => name[..1].to_string(),
                        }
                    }
                    'a' => if at.hour() < 12 { "AM" } else { "PM" }.to_string(),
                    'H' => pad(i64::from(at.hour()), count),
                    'k' => pad(
                        i64::from(if at.hour() == 0 { 24 } else { at.hour() }),
                        count,
                    ),
                    'K' => pad(i64::from(at.hour() % 12), count),
                    'h' => pad(
                        i64::from(if at.hour().is_multiple_of(12) {
                            12
                        } else {
                            at.hour() % 12
                        }),
                        count,
                    ),
                    'm' => pad(i64::from(at.minute()), count),
                    's' => pad(i64::from(at.second()), count),
                    'S' => {
                        let nanos = format!("{:09}", at.nanosecond() % 1_000_000_000);
                        let mut digits: String = nanos.chars().take(count).collect();
                        while digits.len() < count {
                            digits.push('0');
                        }
                        digits
                    }
                    'n' => pad(i64::from(at.nanosecond()), count),
                    'A' => pad(
                        i64::from(at.num_seconds_from_midnight()) * 1000
                            + i64::from(at.nanosecond() / 1_000_000),
                        count,
                    ),
                    'V' => zone.id(),
                    'z' => zone.short_name_at(utc_millis).unwrap_or_else(|| zone.id()),
                    'O' => {
                        if offset_secs == 0 {
                            "GMT".to_string()
                        } else if count == 4 {
                            format!("GMT{}", format_offset(offset_secs, true, Some(true), ""))
                        } else {
                            let sign = if offset_secs < 0 { '-' } else { '+' };
                            let (h, m) = (offset_secs.abs() / 3600, offset_secs.abs() / 60 % 60);
                            if m == 0 {
                                format!("GMT{sign}{h}")
                            } else {
                                format!("GMT{sign}{h}:{m:02}")
                            }
                        }
                    }
                    'X' | 'x' => {
                        let zero = if *letter == 'X' { "Z" } else { "" };
                        match count {
                            1 => format_offset(offset_secs, false, None, zero),
                            2 | 4 => format_offset(offset_secs, false, Some(true), zero),
                            _ => format_offset(offset_secs, true, Some(true), zero),
                        }
                    }
                    'Z' => match count {
                        1..=3 => format_offset(offset_secs, false, Some(true), ""),
                        4 => {
                            if offset_secs == 0 {
                                "GMT".to_string()
                            } else {
                                format!("GMT{}", format_offset(offset_secs, true, Some(true), ""))
                            }
                        }
                        _ => format_offset(offset_secs, true, Some(true), "Z"),
                    },
                    other => return exec_err!("Unknown pattern letter: {other}"),
                };
                out.push_str(&text);
            }
        }
    }
    Ok(())
}

fn month_text(month: u32, count: usize) -> String {
    let name = MONTHS[(month - 1) as usize];
    match count {
        1 | 2 => pad(i64::from(month), count),
        3 => name[..3].to_string(),
        4 => name.to_string(),
        _ => name[..1].to_string(),
    }
}

/// Parse failure: the index where the text stopped matching.
type Fail = usize;

fn parse_tokens(
    tokens: &[Token],
    text: &[char],
    pos: &mut usize,
    parsed: &mut Parsed,
) -> Result<(), Fail> {
    for (index, token) in tokens.iter().enumerate() {
        match token {
            Token::Literal(literal) => {
                for expected in literal.chars() {
                    match text.get(*pos) {
                        Some(c) if eq_ignore_case(*c, expected) => *pos += 1,
                        _ => return Err(*pos),
                    }
                }
            }
            Token::Optional(inner) => {
                let (saved_pos, saved) = (*pos, parsed.clone());
                if parse_tokens(inner, text, pos, parsed).is_err() {
                    *pos = saved_pos;
                    *parsed = saved;
                }
            }
            Token::Field(letter, count) => {
                let reserved = adjacent_width(&tokens[index + 1..]);
                parse_field(*letter, *count, reserved, text, pos, parsed)?;
            }
        }
    }
    Ok(())
}

fn eq_ignore_case(a: char, b: char) -> bool {
    a == b || a.to_lowercase().eq(b.to_lowercase())
}

/// The digits that fixed-width numeric fields right after a variable-width one need
/// (Java's adjacent value parsing: `yyyyMMdd` reads `20180511`).
fn adjacent_width(rest: &[Token]) -> usize {
    let mut width = 0;
    for token in rest {
        match token {
            Token::Field(letter, count)
                if is_numeric(*letter) && fixed_width(*letter, *count).is_some() =>
            {
                width += fixed_width(*letter, *count).unwrap_or(0);
            }
            // A two-letter numeric month is two digits too.
            Token::Field('M' | 'L', 2) => width += 2,
            _ => break,
        }
    }
    width
}

fn is_numeric(letter: char) -> bool {
    "yuDdHkKhmsSnA".contains(letter)
}

/// The exact digit count of a numeric field, None for variable width.
fn fixed_width(letter: char, count: usize) -> Option<usize> {
    match letter {
        'S' => Some(count),
        'y' | 'u' if count == 2 => Some(2),
        'y' | 'u' => None,
        _ if count >= 2 => Some(count),
        _ => None,
    }
}

fn parse_field(
    letter: char,
    count: usize,
    reserved: usize,
    text: &[char],
    pos: &mut usize,
    parsed: &mut Parsed,
) -> Result<(), Fail> {
    let start = *pos;
    if is_numeric(letter) && !(matches!(letter, 'M' | 'L') && count >= 3) {
        let negative_ok = matches!(letter, 'y' | 'u') && count != 2;
        let mut sign = 1i64;
        if negative_ok && matches!(text.get(*pos), Some('-') | Some('+')) {
            if text[*pos] == '-' {
                sign = -1;
            }
            *pos += 1;
        }
        let available = text[*pos..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        let (min, max) = match fixed_width(letter, count) {
            Some(w) => (w, w),
            None => {
                let min = if matches!(letter, 'y' | 'u') && count >= 4 {
                    count
                } else {
                    1
                };
                (min, available.saturating_sub(reserved).max(min).min(19))
            }
        };
        if available < min {
            return Err(start);
        }
        let take = max.min(available);
        let digits: String = text[*pos..*pos + take].iter().collect();
        *pos += take;
        let value: i64 = digits.parse().map_err(|_| start)?;
        let small = |v: i64| u32::try_from(v).map_err(|_| start);
        match letter {
            'y' | 'u' if count == 2 => parsed.year = Some(2000 + value),
            'y' | 'u' => parsed.year = Some(sign * value),
            'D' => parsed.day_of_year = Some(small(value)?),
            'd' => parsed.day = Some(small(value)?),
            'H' => parsed.hour = Some(small(value)?),
            'k' => parsed.hour = Some(small(value)? % 24),
            'K' | 'h' => parsed.hour12 = Some(small(value)?),
            'm' => parsed.minute = Some(small(value)?),
            's' => parsed.second = Some(small(value)?),
            'S' => {
                let scale = 10u32.pow(9u32.saturating_sub(u32::try_from(take).unwrap_or(9)));
                parsed.nano = Some(small(value)? * scale);
            }
            'n' => parsed.nano = Some(small(value)?),
            'A' => parsed.milli_of_day = Some(small(value)?),
            _ => return Err(start),
        }
        return Ok(());
    }
    let rest: String = text[*pos..].iter().collect();
    let lower = rest.to_lowercase();
    let matched = |names: &[(String, u32)]| -> Option<(usize, u32)> {
        names
            .iter()
            .filter(|(name, _)| lower.starts_with(&name.to_lowercase()))
            .max_by_key(|(name, _)| name.len())
            .map(|(name, v)| (name.chars().count(), *v))
    };
    match letter {
        'M' | 'L' => {
            let names: Vec<(String, u32)> = if count >= 3 {
                (1..=12u32)
                    .flat_map(|m| {
                        let full = MONTHS[(m - 1) as usize];
                        [(full.to_string(), m), (full[..3].to_string(), m)]
                    })
                    .collect()
            } else {
                vec![]
            };
            if count < 3 {
                // Numeric month.
                let available = text[*pos..]
                    .iter()
                    .take_while(|c| c.is_ascii_digit())
                    .count();
                let width = if count == 2 {
                    2
                } else {
                    available.saturating_sub(reserved).clamp(1, 2)
                };
                if available < width {
                    return Err(start);
                }
                let digits: String = text[*pos..*pos + width].iter().collect();
                parsed.month = Some(digits.parse().map_err(|_| start)?);
                *pos += width;
                return Ok(());
            }
            let (len, month) = matched(&names).ok_or(start)?;
            parsed.month = Some(month);
            *pos += len;
        }
        'E' => {
            let names: Vec<(String, u32)> = (0..7u32)
                .flat_map(|d| {
                    let full = WEEKDAYS[d as usize];
                    [(full.to_string(), d), (full[..3].to_string(), d)]
                })
                .collect();
            let (len, _) = matched(&names).ok_or(start)?;
            *pos += len;
        }
        'G' => {
            let names = vec![("AD".to_string(), 1), ("BC".to_string(), 0)];
            let (len, _) = matched(&names).ok_or(start)?;
            *pos += len;
        }
        'a' => {
            let names = vec![("AM".to_string(), 0), ("PM".to_string(), 1)];
            let (len, pm) = matched(&names).ok_or(start)?;
            parsed.pm = Some(pm == 1);
            *pos += len;
        }
        'Q' | 'q' => {
            let available = text[*pos..]
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .count();
            if available == 0 {
                return Err(start);
            }
            *pos += 1;
        }
        'X' | 'x' | 'Z' | 'O' => {
            let (len, zone) = parse_offset(&rest, letter).ok_or(start)?;
            parsed.zone = Some(zone);
            *pos += len;
        }
        'z' | 'V' => {
            let len = rest
                .chars()
                .take_while(|c| {
                    c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '+' | '-' | ':')
                })
                .count();
            let name: String = rest.chars().take(len).collect();
            let zone = Zone::of_name(&name).ok_or(start)?;
            parsed.zone = Some(zone);
            *pos += len;
        }
        _ => return Err(start),
    }
    Ok(())
}

/// An offset at the start of `text`: `Z` (X only), `+HH`, `+HHMM`, `+HH:MM`, or
/// `GMT…` for `O`/`ZZZZ`.
fn parse_offset(text: &str, letter: char) -> Option<(usize, Zone)> {
    if matches!(letter, 'X' | 'Z') && text.starts_with(['Z', 'z']) {
        return Some((1, Zone::utc()));
    }
    let (prefix, body) = match text.get(..3) {
        Some(p) if p.eq_ignore_ascii_case("GMT") || p.eq_ignore_ascii_case("UTC") => {
            (3, &text[3..])
        }
        _ => (0, text),
    };
    if prefix > 0 && !body.starts_with(['+', '-']) {
        return Some((prefix, Zone::utc()));
    }
    // Longest offset spelling first.
    for len in [9, 7, 6, 5, 3] {
        if let Some(candidate) = body.get(..len)
            && let Some(o) = offset(candidate)
        {
            return Some((prefix + len, Zone::Fixed(o)));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(pattern: &str, text: &str) -> NaiveDate {
        JavaFormat::compile(pattern)
            .unwrap()
            .parse(text)
            .unwrap()
            .date()
            .unwrap()
    }

    fn epoch_day(d: NaiveDate) -> i64 {
        (d - NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()).num_days()
    }

    #[test]
    fn parses_ksqldb_dates() {
        // ksqlDB: parse-date.json.
        assert_eq!(epoch_day(date("yyyy-MM-dd'Lit'", "2018-05-11Lit")), 17662);
        assert_eq!(epoch_day(date("dd/MM/yyyy", "11/05/2019")), 18027);
        assert_eq!(epoch_day(date("dd-MMM-yyyy", "01-Jan-2022")), 18993);
        assert_eq!(epoch_day(date("dd-MMM-yyyy", "01-JAN-2022")), 18993);
        assert_eq!(epoch_day(date("MMM-yyyy", "JAN-2022")), 18993);
        assert_eq!(epoch_day(date("yyyyMMdd", "20180511")), 17662);
        assert!(
            JavaFormat::compile("yyyy-MM-dd")
                .unwrap()
                .parse("2004")
                .is_err()
        );
    }

    #[test]
    fn parses_times_and_zones() {
        // ksqlDB: parse-time.json, stringtimestamp.json, timestampformat.json.
        let t = |p: &str, s: &str| {
            JavaFormat::compile(p)
                .unwrap()
                .parse(s)
                .unwrap()
                .time()
                .unwrap()
        };
        assert_eq!(
            t("hh:mm:ss a", "01:00:00 Pm").num_seconds_from_midnight(),
            46800
        );
        assert_eq!(t("HH/mm/ss", "11/05/19").num_seconds_from_midnight(), 39919);
        let ts = |p: &str, s: &str| {
            JavaFormat::compile(p)
                .unwrap()
                .parse(s)
                .unwrap()
                .instant_millis(&Zone::utc())
                .unwrap()
        };
        assert_eq!(
            ts("yyyy-MM-dd'T'HH:mm:ssX", "2020-05-11T21:58:33z"),
            1_589_234_313_000
        );
        assert_eq!(
            ts("yyyy-MM-dd'T'HH:mm:ss.SX", "2019-08-27T13:31:09.2+0000"),
            1_566_912_669_200
        );
        assert_eq!(
            ts("yyyy-MM-dd'T'HH:mm:ss zzz", "2018-05-11T21:58:33 PST"),
            1_526_101_113_000
        );
    }

    #[test]
    fn formats() {
        let f = |p: &str, at: NaiveDateTime| {
            JavaFormat::compile(p)
                .unwrap()
                .format(&at, &Zone::utc())
                .unwrap()
        };
        let at = NaiveDate::from_ymd_opt(2022, 1, 1)
            .unwrap()
            .and_hms_milli_opt(13, 5, 9, 40)
            .unwrap();
        assert_eq!(f("dd-MMM-yyyy", at), "01-Jan-2022");
        assert_eq!(
            f("yyyy-MM-dd'T'HH:mm:ss.SSSX", at),
            "2022-01-01T13:05:09.040Z"
        );
        assert_eq!(f("hh a EEEE MMMM yy", at), "01 PM Saturday January 22");
        assert_eq!(f("dd-MM-yyyy'Sophia'", at), "01-01-2022Sophia");
        assert!(JavaFormat::compile("yyyy-bb").is_err());
        assert!(JavaFormat::compile("'open").is_err());
    }
}
