//! `sluice qtt PATH…`: runs ksqlDB's query-validation test files, and its REST test files
//! against a real server (`rqtt`).
//!
//! Each test object expands into one case per `format` × `config` entry; a case that needs
//! a format sluice does not have yet (Schema Registry formats, protobuf) is skipped with
//! that reason, and disabled tests are skipped too. Failures print with their difference;
//! the run ends with `N passed, N failed, N skipped`. Counts are also kept per format
//! bucket: the formats a case names (`format_bucket`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::Value;

use super::case::{TestCase, Verdict};
use super::jsonc::strip_comments;
use super::records::RecordSpec;
use super::rqtt;
use super::sql_tests;

/// Formats a case may need that sluice cannot serve yet.
const UNSUPPORTED_FORMATS: [&str; 4] = ["AVRO", "PROTOBUF", "PROTOBUF_NOSR", "JSON_SR"];

/// The formats sluice serves.
const SUPPORTED_FORMATS: [&str; 4] = ["DELIMITED", "JSON", "KAFKA", "NONE"];

/// A case as loaded: why it is skipped, if it is, and its format bucket.
pub struct LoadedCase<C> {
    pub case: C,
    pub skip: Option<String>,
    pub formats: String,
}

/// One case's outcome, for the JSON report.
#[derive(Debug, Clone, Serialize)]
pub struct CaseReport {
    pub file: String,
    pub name: String,
    pub verdict: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Totals of a run.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Summary {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    pub skip_reasons: BTreeMap<String, usize>,
    pub per_file: BTreeMap<String, (usize, usize, usize)>,
    /// Passed and failed cases by format bucket (`format_bucket`).
    pub per_format: BTreeMap<String, (usize, usize)>,
    pub cases: Vec<CaseReport>,
}

impl Summary {
    /// Counts one case's verdict, printing it if it failed (or passed, when `verbose`);
    /// `formats` is its format bucket.
    pub fn record(
        &mut self,
        file: &str,
        name: &str,
        formats: &str,
        verdict: Verdict,
        verbose: bool,
    ) {
        let by_format = match verdict {
            Verdict::Pass => Some((1, 0)),
            Verdict::Fail(_) => Some((0, 1)),
            Verdict::Skip(_) => None,
        };
        if let Some((passed, failed)) = by_format {
            let counts = self.per_format.entry(formats.to_string()).or_default();
            counts.0 += passed;
            counts.1 += failed;
        }
        let counts = self.per_file.entry(file.to_string()).or_default();
        let (label, reason) = match verdict {
            Verdict::Pass => {
                self.passed += 1;
                counts.0 += 1;
                if verbose {
                    println!("PASS {name}");
                }
                ("passed", None)
            }
            Verdict::Fail(reason) => {
                self.failed += 1;
                counts.1 += 1;
                println!("FAIL {name}\n  {reason}");
                ("failed", Some(reason))
            }
            Verdict::Skip(reason) => {
                self.skipped += 1;
                counts.2 += 1;
                *self.skip_reasons.entry(reason.clone()).or_default() += 1;
                ("skipped", Some(reason))
            }
        };
        self.cases.push(CaseReport {
            file: file.to_string(),
            name: name.to_string(),
            verdict: label,
            reason,
        });
    }
}

/// The test files (`.json` and `.sql`) in the given files and folders and the folders
/// under them, sorted.
pub fn collect_files(paths: &[PathBuf]) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut pending: Vec<PathBuf> = paths.to_vec();
    while let Some(path) = pending.pop() {
        if path.is_dir() {
            for entry in std::fs::read_dir(&path)? {
                let entry = entry?.path();
                if entry.is_dir() {
                    pending.push(entry);
                } else if entry.extension().is_some_and(|e| e == "json" || e == "sql") {
                    files.push(entry);
                }
            }
        } else {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Reads one QTT file into its cases (with verdicts for those skipped up front).
pub fn load_file(path: &Path) -> Result<Vec<LoadedCase<TestCase>>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let root: Value = serde_json::from_str(&strip_comments(&text))
        .map_err(|e| format!("{}: not valid JSON: {e}", path.display()))?;
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("qtt");
    let tests = root
        .get("tests")
        .and_then(Value::as_array)
        .ok_or_else(|| format!("{}: no tests", path.display()))?;
    let mut cases = Vec::new();
    for test in tests {
        cases.extend(expand(stem, test)?);
    }
    Ok(cases)
}

/// A JSON array of strings (other values as their JSON text); none when absent.
pub(super) fn strings(node: Option<&Value>) -> Vec<String> {
    node.and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .map(|v| {
                    v.as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| v.to_string())
                })
                .collect()
        })
        .unwrap_or_default()
}

/// One test object → its cases, `{FORMAT}` and `{CONFIG}` substituted.
fn expand(stem: &str, test: &Value) -> Result<Vec<LoadedCase<TestCase>>, String> {
    let name = test
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("unnamed")
        .to_string();
    let formats = strings(test.get("format"));
    let configs = strings(test.get("config"));
    let format_list: Vec<Option<String>> = if formats.is_empty() {
        vec![None]
    } else {
        formats.into_iter().map(Some).collect()
    };
    let config_list: Vec<Option<String>> = if configs.is_empty() {
        vec![None]
    } else {
        configs.into_iter().map(Some).collect()
    };
    let disabled = test.get("enabled").and_then(Value::as_bool) == Some(false);
    let mut out = Vec::new();
    for format in &format_list {
        for config in &config_list {
            let substitute = |text: &str| {
                let mut text = text.to_string();
                if let Some(f) = format {
                    text = text.replace("{FORMAT}", f);
                }
                if let Some(c) = config {
                    text = text.replace("{CONFIG}", c);
                }
                text
            };
            let mut case_name = format!("{stem} - {name}");
            if let Some(f) = format {
                case_name.push_str(&format!(" - {f}"));
            }
            let mut properties = BTreeMap::new();
            if let Some(Value::Object(props)) = test.get("properties") {
                for (k, v) in props {
                    let value = match v {
                        Value::String(s) => substitute(s),
                        other => other.to_string(),
                    };
                    if let Some(c) = config
                        && v.as_str() == Some("{CONFIG}")
                    {
                        case_name.push_str(&format!(" - {k}={c}"));
                    }
                    properties.insert(k.clone(), value);
                }
            }
            let statements: Vec<String> = strings(test.get("statements"))
                .iter()
                .map(|s| substitute(s))
                .collect();
            let records = |field: &str| -> Result<Vec<RecordSpec>, String> {
                test.get(field)
                    .and_then(Value::as_array)
                    .map(|items| items.iter().map(RecordSpec::from_json).collect())
                    .unwrap_or(Ok(Vec::new()))
                    .map_err(|e| format!("{stem} - {name}: {e}"))
            };
            let topics = test
                .get("topics")
                .and_then(Value::as_array)
                .map(|items| {
                    items
                        .iter()
                        .filter_map(|t| {
                            let name = t.get("name")?.as_str()?.to_string();
                            let partitions =
                                t.get("partitions").and_then(Value::as_u64).unwrap_or(1) as u32;
                            Some((name, partitions))
                        })
                        .collect()
                })
                .unwrap_or_default();
            let expected_error = test.get("expectedException").map(|e| {
                e.get("message")
                    .and_then(Value::as_str)
                    .map(&substitute)
                    .unwrap_or_default()
            });
            let case = TestCase {
                name: case_name,
                statements,
                properties,
                topics,
                inputs: records("inputs")?,
                outputs: records("outputs")?,
                expected_error,
                post: test.get("post").cloned(),
            };
            let formats = named_formats(&case.statements, &case.properties, test);
            let skip = if disabled {
                Some("disabled in ksqlDB".to_string())
            } else {
                unsupported_format(&formats).map(|f| format!("needs format {f}"))
            };
            out.push(LoadedCase {
                formats: format_bucket(&formats),
                case,
                skip,
            });
        }
    }
    Ok(out)
}

/// The first of a case's formats (`named_formats`) that sluice does not have, if any.
pub(super) fn unsupported_format(formats: &[String]) -> Option<&str> {
    formats
        .iter()
        .map(String::as_str)
        .find(|f| UNSUPPORTED_FORMATS.contains(f))
}

/// A case's format bucket: the formats sluice serves that it names, joined (`JSON`,
/// `DELIMITED + KAFKA`, …), or `(none named)` for a case that relies on the defaults.
pub(super) fn format_bucket(formats: &[String]) -> String {
    let mut supported: Vec<&str> = formats
        .iter()
        .map(String::as_str)
        .filter(|f| SUPPORTED_FORMATS.contains(f))
        .collect();
    supported.sort_unstable();
    supported.dedup();
    match supported.is_empty() {
        true => "(none named)".to_string(),
        false => supported.join(" + "),
    }
}

/// The formats a case names: in its statements' FORMAT, KEY_FORMAT and VALUE_FORMAT, its
/// properties, and its topics (a topic with a schema is an Avro one), upper case.
pub(super) fn named_formats(
    statements: &[String],
    properties: &BTreeMap<String, String>,
    test: &Value,
) -> Vec<String> {
    let mut mentioned: Vec<String> = Vec::new();
    for statement in statements {
        let upper = statement.to_uppercase();
        for key in ["FORMAT", "KEY_FORMAT", "VALUE_FORMAT"] {
            let mut rest = upper.as_str();
            while let Some(at) = rest.find(key) {
                rest = &rest[at + key.len()..];
                let trimmed = rest.trim_start();
                if let Some(after_eq) = trimmed.strip_prefix('=') {
                    let value = after_eq.trim_start().trim_start_matches('\'');
                    let name: String = value
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    mentioned.push(name);
                }
            }
        }
    }
    for value in properties.values() {
        mentioned.push(value.to_uppercase());
    }
    for topic in test
        .get("topics")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        for field in ["keyFormat", "valueFormat", "format"] {
            if let Some(f) = topic.get(field).and_then(Value::as_str) {
                mentioned.push(f.to_uppercase());
            }
        }
        if topic.get("valueSchema").is_some() || topic.get("keySchema").is_some() {
            mentioned.push("AVRO".into());
        }
    }
    mentioned
}

/// Runs every case of every file, printing failures as they happen. REST test files
/// (RQTT) run against a server started per case (`rqtt`).
pub fn run(paths: &[PathBuf], verbose: bool) -> Result<Summary, String> {
    let files = collect_files(paths).map_err(|e| e.to_string())?;
    let mut summary = Summary::default();
    // The servers of REST cases need a runtime: started at the first REST file.
    let mut runtime = None;
    for file in files {
        if is_rest_file(&file) {
            let runtime = match &mut runtime {
                Some(runtime) => runtime,
                None => runtime.insert(
                    tokio::runtime::Builder::new_multi_thread()
                        .worker_threads(2)
                        .enable_all()
                        .build()
                        .map_err(|e| format!("cannot start the runtime: {e}"))?,
                ),
            };
            rqtt::run_file(&file, runtime, &mut summary, verbose);
            continue;
        }
        let stem = file
            .file_name()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        if file.extension().is_some_and(|e| e == "sql") {
            run_sql_file(&file, &stem, &mut summary, verbose);
            continue;
        }
        let cases = match load_file(&file) {
            Ok(cases) => cases,
            Err(e) => {
                println!("FAILED to load {stem}: {e}");
                summary.failed += 1;
                continue;
            }
        };
        for loaded in cases {
            let verdict = match loaded.skip {
                Some(reason) => Verdict::Skip(reason),
                None => run_isolated(&loaded.case),
            };
            summary.record(&stem, &loaded.case.name, &loaded.formats, verdict, verbose);
        }
    }
    Ok(summary)
}

/// Runs the tests of a SQL test file (`sql_tests`).
fn run_sql_file(file: &Path, stem: &str, summary: &mut Summary, verbose: bool) {
    let tests = match sql_tests::load_file(file) {
        Ok(tests) => tests,
        Err(e) => {
            println!("FAILED to load {stem}: {e}");
            summary.failed += 1;
            return;
        }
    };
    for loaded in tests {
        let verdict = match loaded.skip {
            Some(reason) => Verdict::Skip(reason),
            None => isolated(|| loaded.case.run()),
        };
        summary.record(stem, &loaded.case.name, &loaded.formats, verdict, verbose);
    }
}

/// True when the file holds REST tests; a file that cannot be read is left to the QTT
/// loader, which says why.
fn is_rest_file(path: &Path) -> bool {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|text| serde_json::from_str::<Value>(&strip_comments(&text)).ok())
        .is_some_and(|root| rqtt::is_rest_file(&root))
}

/// Runs a case, turning a panic inside the engine into a failure rather than ending the
/// whole run (a panic is a bug to fix, and the report should show where).
fn run_isolated(case: &TestCase) -> Verdict {
    isolated(|| case.run())
}

/// Runs `test`, a panic becoming a failure.
fn isolated(test: impl FnOnce() -> Verdict) -> Verdict {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(test)) {
        Ok(verdict) => verdict,
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            Verdict::Fail(format!("PANIC: {message}"))
        }
    }
}
