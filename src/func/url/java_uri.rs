//! URLs parsed as `java.net.URI` parses them, for ksqlDB's URL_EXTRACT_* functions
//! (ksqlDB `UrlParser`), and the `application/x-www-form-urlencoded` coding of
//! `URLEncoder`/`URLDecoder` for URL_ENCODE_PARAM and URL_DECODE_PARAM.
//!
//! ksqlDB: text that `java.net.URI` rejects (a space, `<`, `{`, a bad `%` escape, a scheme
//! not starting with a letter…) is an error, `URL input has invalid syntax: <url>`; the
//! components are returned `%`-decoded as `getPath()`, `getQuery()`… return them. A host
//! that is not a valid host name makes the authority "registry-based": no host, no port.

use datafusion::common::{DataFusionError, Result, exec_datafusion_err};

/// The parts of a URI, each still `%`-encoded as written (`None` = absent).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct JavaUri<'a> {
    pub scheme: Option<&'a str>,
    pub host: Option<&'a str>,
    pub port: Option<i32>,
    pub path: Option<&'a str>,
    pub query: Option<&'a str>,
    pub fragment: Option<&'a str>,
}

impl<'a> JavaUri<'a> {
    /// Parses `url`, or ksqlDB's invalid-syntax error.
    pub fn parse(url: &'a str) -> Result<JavaUri<'a>> {
        let invalid =
            || -> DataFusionError { exec_datafusion_err!("URL input has invalid syntax: {url}") };
        check_characters(url).ok_or_else(invalid)?;
        let mut uri = JavaUri::default();
        let (rest, fragment) = match url.split_once('#') {
            Some((rest, fragment)) => (rest, Some(fragment)),
            None => (url, None),
        };
        if fragment.is_some_and(|f| f.contains('#')) {
            return Err(invalid());
        }
        uri.fragment = fragment;
        // A scheme is everything before the first ':' if that comes before any '/?'.
        let mut rest = rest;
        if let Some(colon) = rest.find(':') {
            if !rest[..colon].contains(['/', '?']) {
                let scheme = &rest[..colon];
                let mut chars = scheme.chars();
                let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
                    && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
                if !valid {
                    return Err(invalid());
                }
                rest = &rest[colon + 1..];
                if rest.is_empty() {
                    return Err(invalid());
                }
                uri.scheme = Some(scheme);
                if !rest.starts_with('/') {
                    // Opaque (`mailto:x`): no path, query or host.
                    return Ok(uri);
                }
            }
        } else if url.is_empty() {
            uri.path = Some("");
            return Ok(uri);
        }
        let (hier, query) = match rest.split_once('?') {
            Some((hier, query)) => (hier, Some(query)),
            None => (rest, None),
        };
        uri.query = query;
        let path = if let Some(after) = hier.strip_prefix("//") {
            let end = after.find('/').unwrap_or(after.len());
            let authority = &after[..end];
            if let Some((host, port)) = server_authority(authority) {
                uri.host = Some(host);
                uri.port = port;
            } else if authority.is_empty()
                && uri.scheme.is_some()
                && query.is_none()
                && end == after.len()
            {
                return Err(invalid());
            }
            &after[end..]
        } else {
            hier
        };
        uri.path = Some(path);
        Ok(uri)
    }
}

/// Java's URI accepts ASCII letters, digits, the reserved and unreserved marks, `%XX`
/// escapes and non-ASCII letters; the characters below (and controls) are illegal.
fn check_characters(url: &str) -> Option<()> {
    let bytes = url.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            let hex = |j: usize| bytes.get(j).is_some_and(u8::is_ascii_hexdigit);
            if !(hex(i + 1) && hex(i + 2)) {
                return None;
            }
            i += 3;
            continue;
        }
        if b < 0x20 || b == 0x7f || b" \"<>\\^`{|}".contains(&b) {
            return None;
        }
        i += 1;
    }
    let non_ascii_ok = url
        .chars()
        .all(|c| c.is_ascii() || !(c.is_control() || c.is_whitespace()));
    non_ascii_ok.then_some(())
}

/// `[userinfo@]host[:port]` when the host is a valid server name (Java's server-based
/// authority), else None.
fn server_authority(authority: &str) -> Option<(&str, Option<i32>)> {
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = if host_port.starts_with('[') {
        // An IPv6 literal: `[…]` then nothing or `:port`.
        let close = host_port.find(']')?;
        let rest = &host_port[close + 1..];
        let port = if rest.is_empty() {
            ""
        } else {
            rest.strip_prefix(':')?
        };
        (&host_port[..=close], port)
    } else {
        match host_port.rsplit_once(':') {
            Some((h, p)) => (h, p),
            None => (host_port, ""),
        }
    };
    if !(host.starts_with('[') || is_hostname(host)) {
        return None;
    }
    let port = if port.is_empty() {
        None
    } else {
        if !port.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(port.parse().ok()?)
    };
    Some((host, port))
}

fn is_hostname(host: &str) -> bool {
    if host.is_empty() {
        return false;
    }
    let host = host.strip_suffix('.').unwrap_or(host);
    let labels: Vec<&str> = host.split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if !labels.iter().all(label_ok) {
        return false;
    }
    // An IPv4 address, or a name whose last label starts with a letter.
    let ipv4 = labels.len() == 4 && labels.iter().all(|l| l.bytes().all(|b| b.is_ascii_digit()));
    ipv4 || labels
        .last()
        .is_some_and(|l| l.as_bytes()[0].is_ascii_alphabetic())
}

/// `%XX` escapes decoded as UTF-8, as `URI.getPath()` and friends return components.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| text.get(i + 1..i + 3))
            .flatten()
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        if let Some(b) = escaped {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `URLEncoder.encode(text, UTF_8)`: letters, digits and `.-*_` kept, space as `+`,
/// everything else `%XX` (upper case) per UTF-8 byte.
pub fn form_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b'-' | b'*' | b'_' => {
                out.push(char::from(b))
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `URLDecoder.decode(text, UTF_8)`: `+` is a space, `%XX` a byte; a malformed escape is
/// an error.
pub fn form_decode(text: &str) -> Result<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' => {
                let byte = text
                    .get(i + 1..i + 3)
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| {
                        exec_datafusion_err!(
                            "URLDecoder: Illegal hex characters in escape (%) pattern"
                        )
                    })?;
                out.push(byte);
                i += 3;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_of_ksqldb_examples() {
        // ksqlDB: url.json.
        let u = JavaUri::parse("http://test@confluent.io:8080/nested/path?query&jobs").unwrap();
        assert_eq!(u.scheme, Some("http"));
        assert_eq!(u.host, Some("confluent.io"));
        assert_eq!(u.port, Some(8080));
        assert_eq!(u.path, Some("/nested/path"));
        assert_eq!(u.query, Some("query&jobs"));
        let u = JavaUri::parse("http://www.test.com?query#fragment").unwrap();
        assert_eq!(u.path, Some(""));
        assert_eq!(u.fragment, Some("fragment"));
        let u = JavaUri::parse("www.confluent.io").unwrap();
        assert_eq!(u.scheme, None);
        assert_eq!(u.host, None);
        assert_eq!(u.path, Some("www.confluent.io"));
    }

    #[test]
    fn registry_authority_has_no_host() {
        let u = JavaUri::parse("http://foo_bar.com/x").unwrap();
        assert_eq!(u.host, None);
        assert_eq!(u.path, Some("/x"));
    }

    #[test]
    fn invalid_syntax() {
        for url in [
            "http://a b.com",
            "http://x.com/%zz",
            "1http://x",
            "http:",
            "a{b",
        ] {
            assert!(JavaUri::parse(url).is_err(), "{url}");
        }
    }

    #[test]
    fn form_coding() {
        assert_eq!(form_encode("?foo $bar"), "%3Ffoo+%24bar");
        assert_eq!(form_encode("hello&world"), "hello%26world");
        assert_eq!(form_decode("%3Ffoo+%24bar").unwrap(), "?foo $bar");
        assert!(form_decode("%zz").is_err());
        assert_eq!(percent_decode("url%20encoded"), "url encoded");
        assert_eq!(percent_decode("100%"), "100%");
    }
}
