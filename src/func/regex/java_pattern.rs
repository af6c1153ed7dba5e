//! Java regular expressions as ksqlDB's regex functions use them, on Rust's `regex`
//! crate: compiling (with ksqlDB's error text), a per-call cache for patterns that come
//! from a column, and Java's replacement syntax (`$1`, `${name}`, `\$`).
//!
//! Java constructs the `regex` crate lacks (look-around, back-references) fail to compile
//! and give ksqlDB's invalid-pattern error.

use std::collections::HashMap;

use datafusion::common::{Result, exec_datafusion_err, exec_err};
use regex::{Captures, Regex};

/// Compiled patterns by text, so a column of few distinct patterns compiles each once.
#[derive(Default)]
pub struct PatternCache {
    compiled: HashMap<String, Regex>,
}

impl PatternCache {
    /// `pattern` compiled, or ksqlDB's `Invalid regular expression pattern: …` error.
    pub fn get(&mut self, pattern: &str) -> Result<&Regex> {
        if !self.compiled.contains_key(pattern) {
            let regex = Regex::new(pattern).map_err(|_| {
                exec_datafusion_err!("Invalid regular expression pattern: {pattern}")
            })?;
            self.compiled.insert(pattern.to_string(), regex);
        }
        self.compiled
            .get(pattern)
            .ok_or_else(|| exec_datafusion_err!("pattern cache lost {pattern}"))
    }
}

/// Java's `Matcher.appendReplacement` text for one match: `\c` is `c`, `$n` the group
/// with the longest number that exists (at least one digit), `${name}` a named group; a
/// group that did not take part adds nothing.
pub fn expand_replacement(
    regex: &Regex,
    caps: &Captures<'_>,
    replacement: &str,
    out: &mut String,
) -> Result<()> {
    let chars: Vec<char> = replacement.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' => {
                let Some(c) = chars.get(i + 1) else {
                    return exec_err!("character to be escaped is missing");
                };
                out.push(*c);
                i += 2;
            }
            '$' => {
                i += 1;
                if chars.get(i) == Some(&'{') {
                    let end = chars[i..].iter().position(|c| *c == '}').ok_or_else(|| {
                        exec_datafusion_err!("named capturing group is missing trailing '}}'")
                    })?;
                    let name: String = chars[i + 1..i + end].iter().collect();
                    if !regex.capture_names().any(|n| n == Some(name.as_str())) {
                        return exec_err!("No group with name {{{name}}}");
                    }
                    if let Some(m) = caps.name(&name) {
                        out.push_str(m.as_str());
                    }
                    i += end + 1;
                    continue;
                }
                let Some(first) = chars.get(i).and_then(|c| c.to_digit(10)) else {
                    return exec_err!("Illegal group reference");
                };
                let mut group = first as usize;
                i += 1;
                while let Some(d) = chars.get(i).and_then(|c| c.to_digit(10)) {
                    let longer = group * 10 + d as usize;
                    if longer >= caps.len() {
                        break;
                    }
                    group = longer;
                    i += 1;
                }
                if group >= caps.len() {
                    return exec_err!("No group {group}");
                }
                if let Some(m) = caps.get(group) {
                    out.push_str(m.as_str());
                }
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replace_all(text: &str, pattern: &str, replacement: &str) -> Result<String> {
        let regex = Regex::new(pattern).unwrap();
        let mut out = String::new();
        let mut last = 0;
        for caps in regex.captures_iter(text) {
            let m = caps.get(0).unwrap();
            out.push_str(&text[last..m.start()]);
            expand_replacement(&regex, &caps, replacement, &mut out)?;
            last = m.end();
        }
        out.push_str(&text[last..]);
        Ok(out)
    }

    #[test]
    fn java_replacement_syntax() {
        assert_eq!(replace_all("baababaa", "(ab)+", "cat").unwrap(), "bacataa");
        assert_eq!(replace_all("ab", "(a)(b)", "$2$1").unwrap(), "ba");
        assert_eq!(replace_all("ab", "(a)(b)", "$21").unwrap(), "b1");
        assert_eq!(replace_all("ab", "(?<x>a)", "[${x}]").unwrap(), "[a]b");
        assert_eq!(replace_all("ab", "a", "\\$").unwrap(), "$b");
        assert!(replace_all("ab", "a", "$").is_err());
        assert!(replace_all("ab", "a", "$3").is_err());
    }

    #[test]
    fn cache_reports_bad_patterns() {
        let mut cache = PatternCache::default();
        assert!(cache.get("(ab|cd)").is_ok());
        let err = cache.get("(").unwrap_err().to_string();
        assert!(
            err.contains("Invalid regular expression pattern: ("),
            "{err}"
        );
    }
}
