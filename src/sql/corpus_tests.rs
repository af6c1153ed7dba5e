//! Parses every statement of ksqlDB's own test corpora (QTT `statements` and the SQL
//! test runner's scripts) from `../shared/conformance/ksql`, and asserts how many parse.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::parser::parse;

fn corpus_dir(sub: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/conformance/ksql")
        .join(sub)
}

/// The files under `dir` with extension `ext`, sorted; the folder must exist.
fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut found = vec![];
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("corpus folder {} is missing: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("readable folder entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == ext) {
                found.push(path);
            }
        }
    }
    found.sort();
    assert!(!found.is_empty(), "no .{ext} files under {}", dir.display());
    found
}

/// JSON with `//` and `/* */` comments (Jackson's ALLOW_COMMENTS) → plain JSON.
fn strip_json_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            match c {
                '\\' => out.extend(chars.next()),
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match (c, chars.peek()) {
            ('"', _) => {
                in_string = true;
                out.push(c);
            }
            ('/', Some('/')) => while chars.next_if(|&n| n != '\n').is_some() {},
            ('/', Some('*')) => {
                chars.next();
                let mut last = ' ';
                for n in chars.by_ref() {
                    if last == '*' && n == '/' {
                        break;
                    }
                    last = n;
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// True if the case expects ksqlDB's parser to reject one of its statements (QTT's
/// `expectedException`, RQTT's `expectedError`).
fn expects_parse_error(case: &Value) -> bool {
    ["expectedException", "expectedError"]
        .iter()
        .filter_map(|key| case.get(key))
        .any(|expected| {
            let field = |name: &str| {
                expected
                    .get(name)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_lowercase()
            };
            field("type").contains("parsefailedexception")
                || ["syntax error"]
                    .iter()
                    .any(|m| field("message").contains(m))
        })
}

/// The error message the case expects, without the prefix ksqlDB adds to errors raised
/// while preparing a statement.
fn expected_message(case: &Value) -> Option<String> {
    ["expectedException", "expectedError"]
        .iter()
        .filter_map(|key| case.get(key)?.get("message")?.as_str())
        .map(|m| {
            m.trim_start_matches("Failed to prepare statement: ")
                .to_string()
        })
        .next()
}

/// Every test case of the JSON files under `sub`, with its file name.
fn cases(sub: &str) -> Vec<(String, Value)> {
    let mut all = vec![];
    for file in files(&corpus_dir(sub), "json") {
        let text = std::fs::read_to_string(&file).expect("readable test file");
        let json: Value = serde_json::from_str(&strip_json_comments(&text))
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let name = file
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        for case in json
            .get("tests")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            all.push((name.clone(), case.clone()));
        }
    }
    all
}

/// A case's statements, `{FORMAT}` set to JSON.
fn statements(case: &Value) -> Vec<String> {
    let all = case
        .get("statements")
        .and_then(Value::as_array)
        .into_iter()
        .flatten();
    all.filter_map(Value::as_str)
        .map(|s| s.replace("{FORMAT}", "JSON"))
        .collect()
}

/// Parses every statement of every case under `sub`, except cases that expect a parse
/// error; a statement rejected with the error its case expects counts as parsed. Prints
/// the failures and returns (statements, failures).
fn parse_json_corpus(sub: &str) -> (usize, usize) {
    let (mut total, mut failures, mut failed) = (0usize, 0usize, BTreeSet::new());
    for (file, case) in cases(sub)
        .iter()
        .filter(|(_, case)| !expects_parse_error(case))
    {
        for statement in statements(case) {
            total += 1;
            let expected = expected_message(case);
            if let Err(err) = parse(&statement)
                && !expected.is_some_and(|m| err.to_string().contains(&m))
            {
                failures += 1;
                failed.insert(format!("{file}: {statement}\n    {err}"));
            }
        }
    }
    for failure in &failed {
        println!("{failure}");
    }
    println!(
        "{sub}: {} of {total} statements parse ({} distinct failures)",
        total - failures,
        failed.len()
    );
    (total, failures)
}

#[test]
fn parses_the_qtt_statements() {
    let (total, failures) = parse_json_corpus("qtt");
    assert_eq!(
        failures, 0,
        "{failures} of {total} QTT statements fail to parse"
    );
}

#[test]
fn parses_the_rest_qtt_statements() {
    let (total, failures) = parse_json_corpus("rqtt");
    assert_eq!(
        failures, 0,
        "{failures} of {total} RQTT statements fail to parse"
    );
}

#[test]
fn parses_the_sql_test_runner_scripts() {
    let mut failed = vec![];
    let mut total = 0;
    for file in files(&corpus_dir("sql-tests"), "sql") {
        let text = std::fs::read_to_string(&file).expect("readable script");
        // Each `--@test:` block is a script of its own. The runner's ASSERT statements
        // (one line each in this corpus) are not parsed yet.
        for block in text.split("--@test:").skip(1) {
            total += 1;
            let script: Vec<&str> = block
                .lines()
                .filter(|line| !line.trim_start().starts_with("ASSERT "))
                .collect();
            if let Err(err) = parse(&format!("--@test:{}", script.join("\n"))) {
                failed.push(format!("{}: {err}", file.display()));
            }
        }
    }
    for failure in &failed {
        println!("{failure}");
    }
    assert!(
        failed.is_empty(),
        "{} of {total} test blocks fail to parse",
        failed.len()
    );
}

/// The cases where ksqlDB's parser fails: how many sluice rejects, and with ksqlDB's
/// message. QTT runs a case's statements as one script, RQTT one statement at a time.
#[test]
fn rejects_what_ksqldb_rejects_while_parsing() {
    let (mut total, mut rejected, mut same_message) = (0, 0, 0);
    for sub in ["qtt", "rqtt"] {
        for (file, case) in cases(sub)
            .iter()
            .filter(|(_, case)| expects_parse_error(case))
        {
            total += 1;
            let statements = statements(case);
            let outcome = if sub == "qtt" {
                parse(&statements.join("\n")).err()
            } else {
                statements
                    .iter()
                    .find_map(|statement| parse(statement).err())
            };
            let expected = expected_message(case).unwrap_or_default();
            match outcome {
                None => println!("{file}: accepted {}", statements.join(" ")),
                Some(err) if err.to_string().contains(&expected) => {
                    rejected += 1;
                    same_message += 1;
                }
                Some(err) => {
                    rejected += 1;
                    println!("{file}: {err}\n    expected: {expected}");
                }
            }
        }
    }
    println!("{rejected} of {total} rejected, {same_message} with ksqlDB's message");
    // The rest are RUN SCRIPT (accepted on purpose) and checks of meaning left to plan/.
    assert!(
        rejected >= 15 && same_message >= 11,
        "{rejected} rejected, {same_message} with the message"
    );
}
