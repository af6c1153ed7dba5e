//! `sluice test -s statements.sql -i input.json -o output.json`: ksql-test-runner's
//! contract (TEST_RUNNER.md §1): the three files make one case named `KSQL_Test`;
//! `\t >>> Test passed!` and exit 0, or `\t>>>>> Test failed: <reason>` and exit 1.

use std::path::Path;

use serde_json::Value;

use super::case::{TestCase, Verdict};
use super::jsonc::strip_comments;
use super::records::RecordSpec;
use crate::sql::ast::Statement;

/// Builds the case from the three files; a problem with the files themselves is an
/// `Invalid arguments` error.
pub fn load(statements: &Path, input: Option<&Path>, output: &Path) -> Result<TestCase, String> {
    let sql = std::fs::read_to_string(statements).map_err(|e| {
        format!(
            "Invalid arguments: cannot read {}: {e}",
            statements.display()
        )
    })?;
    let parsed = crate::sql::parse(&sql).map_err(|e| format!("Invalid arguments: {e}"))?;
    let inputs = match input {
        Some(path) => records(path, "inputs")?,
        None => Vec::new(),
    };
    let outputs = records(output, "outputs")?;
    Ok(TestCase {
        name: "KSQL_Test".into(),
        statements: parsed.into_iter().map(|p| p.text).collect(),
        inputs,
        outputs,
        ..TestCase::default()
    })
}

fn records(path: &Path, field: &str) -> Result<Vec<RecordSpec>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("Invalid arguments: cannot read {}: {e}", path.display()))?;
    let root: Value = serde_json::from_str(&strip_comments(&text)).map_err(|e| {
        format!(
            "Invalid arguments: {} is not valid JSON: {e}",
            path.display()
        )
    })?;
    let items = root.get(field).and_then(Value::as_array).ok_or_else(|| {
        format!(
            "Invalid arguments: {} has no \"{field}\" array",
            path.display()
        )
    })?;
    if items.is_empty() {
        return Err(format!(
            "Invalid arguments: \"{field}\" in {} is empty",
            path.display()
        ));
    }
    items
        .iter()
        .map(RecordSpec::from_json)
        .collect::<Result<_, _>>()
        .map_err(|e| format!("Invalid arguments: {}: {e}", path.display()))
}

/// Runs the case; the test "did not generate any queries" unless a statement starts one.
pub fn run(case: &TestCase) -> Verdict {
    let starts_query = case.statements.iter().any(|s| {
        crate::sql::parse(s).is_ok_and(|parsed| {
            parsed.iter().any(|p| {
                matches!(
                    p.statement,
                    Statement::CreateAsSelect(_) | Statement::InsertInto { .. }
                )
            })
        })
    });
    if !starts_query {
        return Verdict::Fail("Test did not generate any queries.".into());
    }
    case.run()
}
