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

/// True if the case expects ksqlDB's parser to reject one of its statements.
fn expects_parse_error(case: &Value) -> bool {
    let Some(expected) = case.get("expectedException") else {
        return false;
    };
    let field = |name: &str| {
        expected
            .get(name)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_lowercase()
    };
    field("type").contains("parsefailedexception")
        || ["syntax error", "mismatched input"]
            .iter()
            .any(|m| field("message").contains(m))
}

#[test]
fn parses_the_qtt_statements() {
    let (mut total, mut failures, mut failed) = (0usize, 0usize, BTreeSet::new());
    for file in files(&corpus_dir("qtt"), "json") {
        let text = std::fs::read_to_string(&file).expect("readable QTT file");
        let json: Value = serde_json::from_str(&strip_json_comments(&text))
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let cases = json
            .get("tests")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for case in cases.iter().filter(|case| !expects_parse_error(case)) {
            let statements = case
                .get("statements")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            for statement in statements.iter().filter_map(Value::as_str) {
                let statement = statement.replace("{FORMAT}", "JSON");
                total += 1;
                if let Err(err) = parse(&statement) {
                    failures += 1;
                    let name = file.file_name().unwrap_or_default().to_string_lossy();
                    failed.insert(format!("{name}: {statement}\n    {err}"));
                }
            }
        }
    }
    for failure in &failed {
        println!("{failure}");
    }
    let parsed = total - failures;
    println!(
        "QTT: {parsed} of {total} statements parse ({} distinct failures)",
        failed.len()
    );
    assert!(
        parsed * 1000 >= total * 995,
        "only {parsed} of {total} QTT statements parse"
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
