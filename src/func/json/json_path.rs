//! ksqlDB's JSONPath subset (`JsonPathTokenizer`): `$` followed by `.name` segments and
//! `[index]` / `["name"]` subscripts. Anything else is an invalid path.

use datafusion::common::{DataFusionError, Result, exec_datafusion_err};

/// The segments of `path`: field names and (as text) array indexes.
pub fn tokenize(path: &str) -> Result<Vec<String>> {
    let chars: Vec<char> = path.chars().collect();
    let invalid = || -> DataFusionError { exec_datafusion_err!("Invalid JSON path: '{path}'") };
    if chars.first() != Some(&'$') {
        return Err(invalid());
    }
    let mut tokens = Vec::new();
    let mut i = 1;
    while i < chars.len() {
        match chars[i] {
            '.' => {
                i += 1;
                let start = i;
                while i < chars.len() && is_segment_char(chars[i]) {
                    i += 1;
                }
                if i == start {
                    return Err(invalid());
                }
                tokens.push(chars[start..i].iter().collect());
            }
            '[' => {
                i += 1;
                let token = if chars.get(i) == Some(&'"') {
                    i += 1;
                    let mut token = String::new();
                    loop {
                        match chars.get(i) {
                            None => return Err(invalid()),
                            Some('"') => break,
                            // ksqlDB: a backslash escapes the next character in quotes.
                            Some('\\') => {
                                token.push(*chars.get(i + 1).ok_or_else(invalid)?);
                                i += 2;
                            }
                            Some(c) => {
                                token.push(*c);
                                i += 1;
                            }
                        }
                    }
                    i += 1;
                    token
                } else {
                    let start = i;
                    while i < chars.len() && is_subscript_char(chars[i]) {
                        i += 1;
                    }
                    if i == start {
                        return Err(invalid());
                    }
                    chars[start..i].iter().collect()
                };
                if chars.get(i) != Some(&']') {
                    return Err(invalid());
                }
                i += 1;
                tokens.push(token);
            }
            _ => return Err(invalid()),
        }
    }
    Ok(tokens)
}

fn is_subscript_char(c: char) -> bool {
    c == '-' || c == '_' || c.is_alphanumeric()
}

fn is_segment_char(c: char) -> bool {
    matches!(c, ':' | '$' | '/' | '@' | '|' | '#') || is_subscript_char(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_and_subscripts() {
        assert_eq!(tokenize("$.a.@type").unwrap(), vec!["a", "@type"]);
        assert_eq!(tokenize("$.array[-1]").unwrap(), vec!["array", "-1"]);
        assert_eq!(tokenize(r#"$["a b"][0]"#).unwrap(), vec!["a b", "0"]);
        assert_eq!(tokenize("$").unwrap(), Vec::<String>::new());
    }

    #[test]
    fn invalid_paths() {
        for path in ["", "a", "$.", "$[", "$[0", "$x", r#"$["a"#] {
            assert!(tokenize(path).is_err(), "{path}");
        }
    }
}
