//! ksqlDB's SQL test files (`run-ksql-test`, TEST_RUNNER.md §2), run by `sluice qtt` on
//! `.sql` files.
//!
//! A file holds tests, each opened by a `--@test: name` directive and optionally followed by
//! `--@expected.error: class` and `--@expected.message: text`. A test is a script run in
//! order on a fresh deterministic engine: every statement runs every query until idle, so an
//! INSERT VALUES row has flowed through all of them before the next statement. Besides the
//! engine's statements, a test may use the test-only asserts, which the engine's grammar
//! refuses (ksqlDB parses them only in its test tool), so they are handled here:
//!
//! - `ASSERT VALUES src (cols) VALUES (…)`: the next unread record of `src`'s topic holds
//!   those values in those columns (ROWTIME only when listed);
//! - `ASSERT NULL VALUES src (cols) KEY (…)`: the next unread record is a tombstone of that
//!   key;
//! - `ASSERT STREAM|TABLE name (elements) WITH (…)`: the source exists as that statement
//!   would declare it: kind, columns, topic and formats.
//!
//! A test passes when every statement runs and every assert holds, or, when it expects an
//! error, when the first failure's message contains the expected text.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use datafusion::scalar::ScalarValue;
use serde_json::Value;

use super::case::{Verdict, create_topic, declared_topics, test_engine};
use super::qtt::{LoadedCase, format_bucket, named_formats, unsupported_format};
use crate::catalog::Source;
use crate::engine::insert_values::values_row;
use crate::engine::{Engine, Session};
use crate::exec::source::SourceDecoder;
use crate::format::scalar_to_json;
use crate::log::StoredRecord;
use crate::log::memory::MemoryLog;
use crate::plan::select::{TOMBSTONE, input_schema};
use crate::sql::ast::{SourceKind, Statement};

/// One test of a SQL test file.
#[derive(Debug, Clone, Default)]
pub struct SqlTest {
    pub name: String,
    /// The statements, each with its terminating `;`.
    pub statements: Vec<String>,
    /// The text the first failure's message must contain, when the test expects one.
    pub expected_error: Option<String>,
}

/// Reads a SQL test file into its tests.
pub fn load_file(path: &Path) -> Result<Vec<LoadedCase<SqlTest>>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let mut tests: Vec<SqlTest> = Vec::new();
    let mut body = String::new();
    for line in text.lines() {
        match directive(line) {
            Some(("test", name)) => {
                if let Some(test) = tests.last_mut() {
                    test.statements = split_statements(&std::mem::take(&mut body));
                }
                body.clear();
                tests.push(SqlTest {
                    name: name.to_string(),
                    ..SqlTest::default()
                });
            }
            Some(("expected.message", message)) => {
                if let Some(test) = tests.last_mut() {
                    test.expected_error = Some(message.to_string());
                }
            }
            Some(("expected.error", _)) => {
                if let Some(test) = tests.last_mut() {
                    test.expected_error.get_or_insert_with(String::new);
                }
            }
            _ => {
                body.push_str(line);
                body.push('\n');
            }
        }
    }
    if let Some(test) = tests.last_mut() {
        test.statements = split_statements(&body);
    }
    Ok(tests
        .into_iter()
        .map(|test| {
            let formats = named_formats(&test.statements, &Default::default(), &Value::Null);
            LoadedCase {
                skip: unsupported_format(&formats).map(|f| format!("needs format {f}")),
                formats: format_bucket(&formats),
                case: test,
            }
        })
        .collect())
}

/// `--@type: contents` (ksqlDB: `--@(?<type>[a-zA-Z.]+):\s*(?<contents>.*)`, any case).
fn directive(line: &str) -> Option<(&str, &str)> {
    let rest = line.trim_start().strip_prefix("--@")?;
    let (kind, contents) = rest.split_once(':')?;
    if kind.is_empty() || !kind.chars().all(|c| c.is_ascii_alphabetic() || c == '.') {
        return None;
    }
    let kind = match kind.to_ascii_lowercase().as_str() {
        "test" => "test",
        "expected.error" => "expected.error",
        "expected.message" => "expected.message",
        _ => return None,
    };
    Some((kind, contents.trim()))
}

/// The statements of a script: split at `;` outside quotes and comments, comments and
/// blank statements dropped.
fn split_statements(script: &str) -> Vec<String> {
    let mut statements = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    let mut chars = script.chars().peekable();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) => {
                current.push(c);
                if c == q {
                    quote = None;
                }
            }
            None if c == '-' && chars.peek() == Some(&'-') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
                current.push('\n');
            }
            None => {
                current.push(c);
                match c {
                    '\'' | '`' | '"' => quote = Some(c),
                    ';' => {
                        let statement = current.trim().to_string();
                        if statement != ";" {
                            statements.push(statement);
                        }
                        current.clear();
                    }
                    _ => {}
                }
            }
        }
    }
    if !current.trim().is_empty() {
        statements.push(current.trim().to_string());
    }
    statements
}

impl SqlTest {
    /// Runs the test. Nothing here may panic on a test's content.
    pub fn run(&self) -> Verdict {
        match (self.execute(), &self.expected_error) {
            (Ok(()), None) => Verdict::Pass,
            (Ok(()), Some(expected)) => Verdict::Fail(format!(
                "expected an error containing '{expected}' but every statement succeeded"
            )),
            (Err(message), Some(expected)) if message.contains(expected.as_str()) => Verdict::Pass,
            (Err(message), Some(expected)) => Verdict::Fail(format!(
                "expected an error containing:\n    {expected}\n  but got:\n    {message}"
            )),
            (Err(message), None) => Verdict::Fail(message),
        }
    }

    fn execute(&self) -> Result<(), String> {
        let (memory, log, engine, mut session) = test_engine()?;
        // auto.offset.reset stays `latest`: ksqlDB's test tool pipes each record to the
        // queries running when it is written, so a query never sees earlier records.
        let mut asserts = Asserts {
            engine: &engine,
            memory: &memory,
            read: HashMap::new(),
        };
        for statement in &self.statements {
            if let Some(rest) = strip_keyword(statement, "ASSERT")
                && let Some(outcome) = asserts.run(rest, &session)
            {
                outcome?;
                continue;
            }
            // ksqlDB's test tool creates the topics the statements declare.
            for topic in declared_topics(statement) {
                create_topic(&log, &topic);
            }
            engine
                .execute(statement, &mut session)
                .map_err(|(_, error)| error.to_string())?;
            engine
                .run_until_idle()
                .map_err(|e| format!("query failed: {e}"))?;
        }
        Ok(())
    }
}

/// The test-only asserts, each reading its source's topic from where the last one stopped.
struct Asserts<'a> {
    engine: &'a Arc<Engine>,
    memory: &'a MemoryLog,
    /// How many records of each topic the asserts have read.
    read: HashMap<String, usize>,
}

impl Asserts<'_> {
    /// Runs `ASSERT <rest>` if it is a test-only assert (`None`: a statement for the
    /// engine, such as ASSERT TOPIC).
    fn run(&mut self, rest: &str, session: &Session) -> Option<Result<(), String>> {
        if let Some(values) = strip_keyword(rest, "VALUES") {
            return Some(self.values(values));
        }
        if let Some(rest) = strip_keyword(rest, "NULL")
            && let Some(values) = strip_keyword(rest, "VALUES")
        {
            return Some(self.null_values(values));
        }
        ["STREAM", "TABLE"]
            .iter()
            .any(|kind| strip_keyword(rest, kind).is_some())
            .then(|| self.source(&format!("CREATE {rest}"), session))
    }

    /// `ASSERT VALUES src (cols) VALUES (…)`, given from `src`.
    fn values(&mut self, rest: &str) -> Result<(), String> {
        let (source, expected) = self.expected_row(&format!("INSERT INTO {rest}"))?;
        let stored = self.next_record(&source, &expected.text)?;
        if stored.record.value.is_none() {
            return Err(format!(
                "Expected record does not match actual for {}: expected {} but got a tombstone",
                source.name, expected.text
            ));
        }
        matches(&source, &expected, &stored)
    }

    /// `ASSERT NULL VALUES src (cols) KEY (…)`, given from `src`.
    fn null_values(&mut self, rest: &str) -> Result<(), String> {
        let Some(open) = rest.find('(') else {
            return Err(format!("ASSERT NULL VALUES without columns: {rest}"));
        };
        let close = rest[open..]
            .find(')')
            .map(|at| open + at)
            .ok_or_else(|| format!("ASSERT NULL VALUES without columns: {rest}"))?;
        let key = strip_keyword(&rest[close + 1..], "KEY")
            .ok_or_else(|| format!("ASSERT NULL VALUES without KEY: {rest}"))?;
        let insert = format!("INSERT INTO {} VALUES {key}", &rest[..=close]);
        let (source, expected) = self.expected_row(&insert)?;
        let stored = self.next_record(&source, &expected.text)?;
        if stored.record.value.is_some() {
            return Err(format!(
                "Expected record does not match actual for {}: expected a tombstone of {} but got a value",
                source.name, expected.text
            ));
        }
        matches(&source, &expected, &stored)
    }

    /// The source an INSERT-shaped assert names and the values it lists, as JSON.
    fn expected_row(&self, insert: &str) -> Result<(Source, ExpectedRow), String> {
        let parsed = crate::sql::parse(insert).map_err(|e| e.to_string())?;
        let Some(Statement::InsertValues {
            target,
            columns,
            values,
        }) = parsed.into_iter().next().map(|p| p.statement)
        else {
            return Err(format!("not an assert of values: {insert}"));
        };
        let source = self
            .engine
            .catalog()
            .source(&target)
            .cloned()
            .ok_or_else(|| format!("Source {target} does not exist"))?;
        let row = values_row(self.engine, &source, columns.as_deref(), &values)
            .map_err(|e| e.to_string())?;
        let rowtime = row.rowtime;
        let columns = row
            .columns
            .iter()
            .map(|(column, value)| {
                scalar_to_json(value, &column.ty)
                    .map(|json| (column.name.clone(), json))
                    .map_err(|e| e.to_string())
            })
            .collect::<Result<Vec<_>, _>>()?;
        drop(row);
        let text = insert
            .split_once(" VALUES ")
            .map_or(insert, |(_, values)| values)
            .trim_end_matches(';')
            .to_string();
        Ok((
            source,
            ExpectedRow {
                columns,
                rowtime,
                text,
            },
        ))
    }

    /// The next record of `source`'s topic no assert has read yet.
    fn next_record(&mut self, source: &Source, expected: &str) -> Result<StoredRecord, String> {
        let records = self
            .memory
            .records_in_append_order(&source.topic)
            .map_err(|e| e.to_string())?;
        let read = self.read.entry(source.topic.clone()).or_default();
        let record = records.get(*read).cloned().ok_or_else(|| {
            format!(
                "Expected another record ({expected}) for {} but already read all records: {}",
                source.name, read
            )
        })?;
        *read += 1;
        Ok(record)
    }

    /// `ASSERT STREAM|TABLE …`, given as the CREATE statement it compares with.
    fn source(&self, create: &str, session: &Session) -> Result<(), String> {
        let parsed = crate::sql::parse(create).map_err(|e| e.to_string())?;
        let Some(Statement::CreateSource(declared)) =
            parsed.into_iter().next().map(|p| p.statement)
        else {
            return Err(format!("not an assert of a source: {create}"));
        };
        let actual = self
            .engine
            .catalog()
            .source(&declared.name)
            .cloned()
            .ok_or_else(|| format!("Source {} does not exist", declared.name))?;
        let expected = self
            .engine
            .declared_source(&declared, create, session)
            .map_err(|e| e.to_string())?;
        let name = &actual.name;
        if expected.kind != actual.kind {
            return Err(format!(
                "Expected type does not match actual for source {name}"
            ));
        }
        if expected.schema.to_string() != actual.schema.to_string() {
            return Err(format!(
                "Expected schema does not match actual for source {name}. Expected: {} Actual: {}",
                expected.schema, actual.schema
            ));
        }
        if !expected.topic.eq_ignore_ascii_case(&actual.topic) {
            return Err(format!(
                "Expected kafka topic does not match actual for source {name}: expected {} but got {}",
                expected.topic, actual.topic
            ));
        }
        if expected.key_format.kind != actual.key_format.kind {
            return Err(format!(
                "Expected key format does not match actual for source {name}"
            ));
        }
        if expected.value_format.kind != actual.value_format.kind {
            return Err(format!(
                "Expected value format does not match actual for source {name}"
            ));
        }
        let column = |s: &Source| s.timestamp.as_ref().map(|t| t.column.clone());
        if column(&expected) != column(&actual) {
            return Err(format!(
                "Expected timestamp column does not match actual for source {name}."
            ));
        }
        let format = |s: &Source| s.timestamp.as_ref().and_then(|t| t.format.clone());
        if format(&expected) != format(&actual) {
            return Err(format!(
                "Expected timestamp format does not match actual for source {name}."
            ));
        }
        if expected.value_format.wrap_single != actual.value_format.wrap_single {
            return Err(format!(
                "Expected value serde features does not match actual for source {name}"
            ));
        }
        Ok(())
    }
}

/// The values an assert lists, as JSON by column name.
struct ExpectedRow {
    columns: Vec<(String, Value)>,
    rowtime: Option<i64>,
    /// The listed values as written, for messages.
    text: String,
}

/// Checks that `stored` holds the values `expected` lists (and its ROWTIME, when listed).
fn matches(source: &Source, expected: &ExpectedRow, stored: &StoredRecord) -> Result<(), String> {
    let row = decode(source, stored)?;
    let timestamp = stored.record.timestamp;
    let mismatches: Vec<String> = expected
        .columns
        .iter()
        .filter_map(|(name, want)| {
            let got = row.get(name).cloned().unwrap_or(Value::Null);
            (&got != want).then(|| format!("{name}: expected {want} but got {got}"))
        })
        .chain(expected.rowtime.and_then(|want| {
            (want != timestamp).then(|| format!("ROWTIME: expected {want} but got {timestamp}"))
        }))
        .collect();
    if mismatches.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "Expected record does not match actual for {}: {}",
            source.name,
            mismatches.join(", ")
        ))
    }
}

/// A record of `source` decoded into its columns' values, as JSON by column name.
fn decode(source: &Source, stored: &StoredRecord) -> Result<HashMap<String, Value>, String> {
    let schema = input_schema(source);
    let mut decoder = SourceDecoder::new(source, schema.clone());
    let mut errors = Vec::new();
    let batch = decoder
        .decode(std::slice::from_ref(stored), &mut errors)
        .map_err(|e| e.to_string())?;
    if let Some(error) = errors.first() {
        return Err(format!(
            "cannot decode a record of {}: {error:?}",
            source.name
        ));
    }
    if batch.num_rows() == 0 {
        return Err(format!("a record of {} decodes to no row", source.name));
    }
    let mut row = HashMap::new();
    for column in &source.schema.columns {
        let Some(array) = batch.column_by_name(&column.name) else {
            continue;
        };
        let value = ScalarValue::try_from_array(array, 0).map_err(|e| e.to_string())?;
        let json = scalar_to_json(&value, &column.ty).map_err(|e| e.to_string())?;
        row.insert(column.name.clone(), json);
    }
    if source.kind == SourceKind::Table {
        row.remove(TOMBSTONE);
    }
    Ok(row)
}

/// `text` after a leading keyword (any case) and the whitespace that follows it.
fn strip_keyword<'a>(text: &'a str, keyword: &str) -> Option<&'a str> {
    let text = text.trim_start();
    let head = text.get(..keyword.len())?;
    let rest = &text[keyword.len()..];
    (head.eq_ignore_ascii_case(keyword) && rest.starts_with(char::is_whitespace))
        .then(|| rest.trim_start())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_statements_outside_quotes_and_comments() {
        let script = "-- a comment; with a semicolon\nCREATE STREAM a (s STRING) WITH (x='1;2');\n\nINSERT INTO a VALUES ('--;');";
        assert_eq!(
            split_statements(script),
            vec![
                "CREATE STREAM a (s STRING) WITH (x='1;2');",
                "INSERT INTO a VALUES ('--;');"
            ]
        );
    }

    #[test]
    fn reads_directives() {
        assert_eq!(directive("--@test: basic"), Some(("test", "basic")));
        assert_eq!(
            directive("--@expected.message: Source A does not exist"),
            Some(("expected.message", "Source A does not exist"))
        );
        assert_eq!(directive("-- plain comment"), None);
    }

    #[test]
    fn keywords_need_a_word_boundary() {
        assert_eq!(
            strip_keyword("  assert values b", "ASSERT"),
            Some("values b")
        );
        assert_eq!(strip_keyword("ASSERTIVE", "ASSERT"), None);
    }
}
