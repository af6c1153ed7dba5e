//! ksqlDB's REST query-validation test files (RQTT), run by `sluice qtt` against a real
//! `sluice server`.
//!
//! Each case gets a fresh engine over an in-memory log and a server on an ephemeral port,
//! driven over HTTP/1.1 as ksqlDB's `RestTestExecutor` drives its server: the statements
//! before the trailing SELECTs go to `/ksql` in one request, the input records are
//! produced once the persistent queries run (or once the push query does, with
//! `inputConditions.waitForActivePushQuery`), each SELECT goes to `/query`, and the
//! entities and StreamedRows that come back are matched against `responses` — partially:
//! only the fields the expected object names, `|starts_with` for a prefix, rows in any
//! order unless `outputConditions.verifyOrder`. `expectedError` applies to the first
//! request that fails. Output topics, when the case lists them, are compared as `sluice
//! qtt` compares them.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hyper::StatusCode;
use serde_json::Value;

use super::case::{Verdict, check_outputs, declared_topics, source_on_topic};
use super::jsonc::strip_comments;
use super::qtt::{LoadedCase, Summary, format_bucket, named_formats, strings, unsupported_format};
use super::records::{RecordSpec, encode_input};
use crate::engine::{Engine, EngineConfig};
use crate::log::memory::MemoryLog;
use crate::log::{Log, TopicConfig};
use crate::server::client::{Client, RowStream, parse_json};
use crate::server::{Server, ServerConfig};

/// Partitions of a topic a case uses without listing it: ksqlDB's REST test harness creates
/// those with four (its expected ROWPARTITION values and co-partitioning rely on it).
const INFERRED_TOPIC_PARTITIONS: u32 = 4;

/// How long a case may wait for the server or its queries before it fails.
const PATIENCE: Duration = Duration::from_secs(10);

/// How long the persistent queries must stay caught up before the inputs count as processed.
const SETTLE: Duration = Duration::from_millis(30);

/// How long a push query may stay silent before the rows it sent are taken as all it has:
/// every input is already produced and processed by then, so more would be a bug.
const QUIET: Duration = Duration::from_secs(1);

/// One runnable RQTT case, `{FORMAT}` substituted.
#[derive(Debug, Clone, Default)]
pub struct RestCase {
    pub name: String,
    /// The statements sent to `/ksql` in one request.
    pub admin: Vec<String>,
    /// The trailing SELECTs, each sent to `/query`.
    pub queries: Vec<String>,
    pub properties: serde_json::Map<String, Value>,
    pub topics: Vec<(String, u32)>,
    pub inputs: Vec<RecordSpec>,
    pub outputs: Vec<RecordSpec>,
    pub responses: Vec<Value>,
    pub expected_error: Option<Value>,
    /// Produce the inputs only once the (single) push query runs.
    pub wait_for_push_query: bool,
    /// Compare query rows in order rather than as a multiset.
    pub verify_order: bool,
}

/// Reads one RQTT file into its cases, with the reason for those skipped up front.
pub fn load_file(path: &Path) -> Result<Vec<LoadedCase<RestCase>>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let root: Value = serde_json::from_str(&strip_comments(&text))
        .map_err(|e| format!("{}: not valid JSON: {e}", path.display()))?;
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("rqtt");
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

/// One test object → one case per entry of its `format` list.
fn expand(stem: &str, test: &Value) -> Result<Vec<LoadedCase<RestCase>>, String> {
    let name = test
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("unnamed");
    let formats = strings(test.get("format"));
    let formats: Vec<Option<&str>> = if formats.is_empty() {
        vec![None]
    } else {
        formats.iter().map(|f| Some(f.as_str())).collect()
    };
    let disabled = test.get("enabled").and_then(Value::as_bool) == Some(false);
    let mut out = Vec::new();
    for format in formats {
        let substitute = |text: &str| match format {
            Some(f) => text.replace("{FORMAT}", f),
            None => text.to_string(),
        };
        let substitute_json = |value: &Value| -> Value {
            match format {
                Some(f) => serde_json::from_str(&value.to_string().replace("{FORMAT}", f))
                    .unwrap_or_else(|_| value.clone()),
                None => value.clone(),
            }
        };
        let mut case_name = format!("{stem} - {name}");
        if let Some(f) = format {
            case_name.push_str(&format!(" - {f}"));
        }
        let statements: Vec<String> = strings(test.get("statements"))
            .iter()
            .map(|s| substitute(s))
            .collect();
        let first_query = statements
            .iter()
            .rposition(|s| !is_query(s))
            .map_or(0, |last_admin| last_admin + 1);
        let (admin, queries) = statements.split_at(first_query);
        let records = |field: &str| -> Result<Vec<RecordSpec>, String> {
            test.get(field)
                .and_then(Value::as_array)
                .map(|items| {
                    items
                        .iter()
                        .map(|item| RecordSpec::from_json(&substitute_json(item)))
                        .collect()
                })
                .unwrap_or(Ok(Vec::new()))
                .map_err(|e| format!("{stem} - {name}: {e}"))
        };
        let topics = test
            .get("topics")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|t| {
                let name = t.get("name")?.as_str()?.to_string();
                let partitions = t.get("partitions").and_then(Value::as_u64).unwrap_or(1);
                Some((name, partitions as u32))
            })
            .collect();
        let mut properties = match test.get("properties").map(&substitute_json) {
            Some(Value::Object(map)) => map,
            _ => serde_json::Map::new(),
        };
        // ksqlDB's REST test server reads from the earliest offset unless a case says
        // otherwise (its queries see the inputs produced before they started), has
        // scalable push queries on and the record cache off (every update emitted).
        properties
            .entry("ksql.streams.cache.max.bytes.buffering")
            .or_insert_with(|| Value::String("0".into()));
        properties
            .entry("auto.offset.reset")
            .or_insert_with(|| Value::String("earliest".into()));
        properties
            .entry("ksql.query.push.v2.enabled")
            .or_insert_with(|| Value::String("true".into()));
        let responses = test
            .get("responses")
            .and_then(Value::as_array)
            .map(|items| items.iter().map(&substitute_json).collect())
            .unwrap_or_default();
        let case = RestCase {
            name: case_name,
            admin: admin.to_vec(),
            queries: queries.to_vec(),
            properties,
            topics,
            inputs: records("inputs")?,
            outputs: records("outputs")?,
            responses,
            expected_error: test.get("expectedError").map(&substitute_json),
            wait_for_push_query: test
                .pointer("/inputConditions/waitForActivePushQuery")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            verify_order: test
                .pointer("/outputConditions/verifyOrder")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        };
        let string_properties: BTreeMap<String, String> = case
            .properties
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    v.as_str().map_or_else(|| v.to_string(), str::to_string),
                )
            })
            .collect();
        let formats = named_formats(&statements, &string_properties, test);
        let skip = if disabled {
            Some("disabled in ksqlDB".to_string())
        } else if test.get("testPullWithProtoFormat").and_then(Value::as_bool) == Some(true) {
            Some("needs protobuf responses".to_string())
        } else {
            unsupported_format(&formats).map(|f| format!("needs format {f}"))
        };
        out.push(LoadedCase {
            formats: format_bucket(&formats),
            case,
            skip,
        });
    }
    Ok(out)
}

/// ksqlDB's executor sends statements starting with `SELECT ` to `/query`.
fn is_query(statement: &str) -> bool {
    statement
        .trim_start()
        .get(..7)
        .is_some_and(|head| head.eq_ignore_ascii_case("SELECT "))
}

/// True for `SELECT … EMIT CHANGES` (or `EMIT FINAL`): a query that does not end by itself.
fn is_push_query(sql: &str) -> bool {
    crate::sql::parse(sql).is_ok_and(|statements| {
        statements.iter().any(|parsed| {
            matches!(&parsed.statement, crate::sql::ast::Statement::Select(query) if query.emit.is_some())
        })
    })
}

/// True for a REST test file: its tests expect responses or a REST error, where QTT's
/// expect output records or an exception.
pub fn is_rest_file(root: &Value) -> bool {
    root.get("tests")
        .and_then(Value::as_array)
        .is_some_and(|tests| {
            tests
                .iter()
                .any(|test| test.get("responses").is_some() || test.get("expectedError").is_some())
        })
}

/// Runs every case of one REST test file, each against a server of its own, counting the
/// verdicts in `summary`.
pub fn run_file(
    path: &Path,
    runtime: &tokio::runtime::Runtime,
    summary: &mut Summary,
    verbose: bool,
) {
    let stem = path
        .file_name()
        .and_then(|s| s.to_str())
        .unwrap_or_default()
        .to_string();
    let cases = match load_file(path) {
        Ok(cases) => cases,
        Err(e) => {
            println!("FAILED to load {stem}: {e}");
            summary.failed += 1;
            return;
        }
    };
    for loaded in cases {
        let verdict = match loaded.skip {
            Some(reason) => Verdict::Skip(reason),
            None => runtime.block_on(loaded.case.run()),
        };
        summary.record(&stem, &loaded.case.name, &loaded.formats, verdict, verbose);
    }
}

impl RestCase {
    /// Runs the case on its own engine and server; a panic in a handler or query is a
    /// failure of this case, not of the run.
    pub async fn run(&self) -> Verdict {
        let case = self.clone();
        match tokio::spawn(async move { case.execute().await }).await {
            Ok(Ok(())) => Verdict::Pass,
            Ok(Err(reason)) => Verdict::Fail(reason),
            Err(e) => Verdict::Fail(format!("PANIC: {e}")),
        }
    }

    async fn execute(&self) -> Result<(), String> {
        let memory = Arc::new(MemoryLog::new());
        let log: Arc<dyn Log> = memory.clone();
        let engine = Engine::with_log(EngineConfig::default(), log.clone())
            .map_err(|e| format!("engine: {e}"))?;
        let config = ServerConfig {
            listen: "127.0.0.1:0".into(),
            ..ServerConfig::default()
        };
        let server = Server::bind(engine.clone(), &config)
            .await
            .map_err(|e| format!("server: {e}"))?;
        let client = Client::new(server.local_addr().map_err(|e| format!("server: {e}"))?);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let serving = tokio::spawn(server.run_until(async {
            let _ = stopped.await;
        }));
        let outcome = self.exchange(&engine, &log, &memory, &client).await;
        let _ = stop.send(());
        let _ = tokio::time::timeout(PATIENCE, serving).await;
        outcome
    }

    /// Everything between the server starting and stopping.
    async fn exchange(
        &self,
        engine: &Arc<Engine>,
        log: &Arc<dyn Log>,
        memory: &MemoryLog,
        client: &Client,
    ) -> Result<(), String> {
        self.create_topics(log);
        let mut responses: Vec<Value> = Vec::new();

        if !self.admin.is_empty() {
            let (status, body) = client
                .ksql(&self.admin.join("\n"), &self.properties)
                .await?;
            if status != StatusCode::OK {
                return self.expect_error(status, &body, &self.admin.join("\n"));
            }
            responses.extend(body.as_array().cloned().unwrap_or_default());
        }

        if self.wait_for_push_query {
            let [query] = self.queries.as_slice() else {
                return Err("waitForActivePushQuery needs exactly one query".into());
            };
            let expected = self.expected_query_len(responses.len());
            let mut stream = client.query(query, &self.properties).await?;
            if stream.status() != StatusCode::OK {
                let body = stream.text().await?;
                return self.expect_error(stream.status(), &parse_json(&body), query);
            }
            let mut elements = read_elements(&mut stream, Some(1)).await?;
            self.produce_inputs(engine, log)?;
            let rest = expected.map(|n| n.saturating_sub(elements.len()));
            elements.extend(read_elements(&mut stream, rest).await?);
            responses.push(Value::Array(elements));
        } else {
            self.produce_inputs(engine, log)?;
            wait_until_caught_up(engine).await?;
            for query in &self.queries {
                // A push query runs until closed: read the rows the case expects. A pull
                // query ends by itself: read all it sends.
                let expected = is_push_query(query)
                    .then(|| self.expected_query_len(responses.len()))
                    .flatten();
                let mut stream = client.query(query, &self.properties).await?;
                if stream.status() != StatusCode::OK {
                    let body = stream.text().await?;
                    return self.expect_error(stream.status(), &parse_json(&body), query);
                }
                responses.push(Value::Array(read_elements(&mut stream, expected).await?));
            }
        }

        if let Some(expected) = &self.expected_error {
            return Err(format!(
                "expected an error {expected} but every request succeeded"
            ));
        }
        self.check_responses(&responses)?;
        if !self.outputs.is_empty() {
            wait_until_caught_up(engine).await?;
            check_outputs(&self.outputs, engine, memory)?;
        }
        Ok(())
    }

    /// Topics the case lists, with their partition counts, then those its statements and
    /// inputs name, with [`INFERRED_TOPIC_PARTITIONS`].
    fn create_topics(&self, log: &Arc<dyn Log>) {
        let declared = self
            .admin
            .iter()
            .flat_map(|s| declared_topics(s))
            .map(|t| (t, INFERRED_TOPIC_PARTITIONS));
        let inputs = self
            .inputs
            .iter()
            .map(|r| (r.topic.clone(), INFERRED_TOPIC_PARTITIONS));
        for (topic, partitions) in self.topics.iter().cloned().chain(declared).chain(inputs) {
            if log.topic_config(&topic).is_none() {
                let config = TopicConfig {
                    partitions,
                    ..TopicConfig::default()
                };
                let _ = log.create_topic(&topic, config);
            }
        }
    }

    /// Appends the input records, in file order, each encoded for the source over its
    /// topic and sent to the partition its key picks.
    fn produce_inputs(&self, engine: &Engine, log: &Arc<dyn Log>) -> Result<(), String> {
        for input in &self.inputs {
            let source = source_on_topic(engine, &input.topic);
            let record = encode_input(input, source.as_ref())
                .map_err(|e| format!("cannot encode input record for {}: {e}", input.topic))?;
            let partitions = log
                .topic_config(&input.topic)
                .map_or(1, |c| c.partitions.max(1));
            let partition = match record.key.as_deref() {
                Some(key) => crate::log::partitioner::partition_for_key(key, partitions)
                    .map_err(|e| format!("cannot partition input for {}: {e}", input.topic))?,
                None => 0,
            };
            log.append(&input.topic, partition, vec![record], None)
                .map_err(|e| format!("cannot write input to {}: {e}", input.topic))?;
        }
        Ok(())
    }

    /// The number of StreamedRows the response at `index` should hold, when the case says.
    fn expected_query_len(&self, index: usize) -> Option<usize> {
        self.responses
            .get(index)
            .and_then(|r| r.get("query"))
            .and_then(Value::as_array)
            .map(Vec::len)
    }

    /// A request failed: fine when the case expects exactly that error.
    fn expect_error(
        &self,
        status: StatusCode,
        body: &Value,
        statement: &str,
    ) -> Result<(), String> {
        let Some(expected) = &self.expected_error else {
            return Err(format!(
                "request failed with {status}: {body}\n    {statement}"
            ));
        };
        let message = body
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if let Some(want) = expected.get("message").and_then(Value::as_str)
            && !message.contains(want)
        {
            return Err(format!(
                "expected an error containing:\n    {want}\n  but got:\n    {message}"
            ));
        }
        if let Some(want) = expected.get("status").and_then(Value::as_u64)
            && u64::from(status.as_u16()) != want
        {
            return Err(format!(
                "expected status {want} but got {status}: {message}"
            ));
        }
        if let Some(want) = expected.get("type").and_then(Value::as_str) {
            let got = body
                .get("@type")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let wanted = match want.rsplit('.').next() {
                Some("KsqlStatementErrorMessage") => "statement_error",
                Some("KsqlErrorMessage") => "generic_error",
                _ => want,
            };
            // A statement error is a KsqlErrorMessage too.
            if got != wanted && !(wanted == "generic_error" && got == "statement_error") {
                return Err(format!("expected a {want} but got {got}: {message}"));
            }
        }
        Ok(())
    }

    /// `responses[i]` against the i-th response: one entity per `/ksql` statement, then one
    /// StreamedRow list per query.
    fn check_responses(&self, actual: &[Value]) -> Result<(), String> {
        if self.responses.is_empty() {
            return Ok(());
        }
        if self.responses.len() != actual.len() {
            return Err(format!(
                "expected {} responses but got {}: {}",
                self.responses.len(),
                actual.len(),
                Value::Array(actual.to_vec())
            ));
        }
        let statements: Vec<&String> = self.admin.iter().chain(&self.queries).collect();
        for (index, (expected, actual)) in self.responses.iter().zip(actual).enumerate() {
            let statement = statements.get(index).map_or("", |s| s.as_str());
            let problem = if let Some(admin) = expected.get("admin") {
                partial_difference(admin, actual, statement)
            } else if let Some(rows) = expected.get("query").and_then(Value::as_array) {
                let actual = actual.as_array().map(Vec::as_slice).unwrap_or_default();
                rows_difference(rows, actual, statement, self.verify_order)
            } else {
                Some(format!("cannot check response {expected}"))
            };
            if let Some(problem) = problem {
                return Err(format!("response {index} ({statement}): {problem}"));
            }
        }
        Ok(())
    }
}

/// Waits until every persistent query has read all its input and stopped writing.
async fn wait_until_caught_up(engine: &Engine) -> Result<(), String> {
    let deadline = Instant::now() + PATIENCE;
    let snapshot = || {
        let metrics = engine.query_metrics();
        let lag: u64 = metrics.iter().filter(|m| m.1).map(|m| m.2.lag).sum();
        let out: u64 = metrics
            .iter()
            .filter(|m| m.1)
            .map(|m| m.2.records_out)
            .sum();
        (lag, out)
    };
    let mut last = None;
    loop {
        let now = snapshot();
        if now.0 == 0 && last == Some(now) {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!(
                "persistent queries did not catch up: {} records left to read",
                now.0
            ));
        }
        last = Some(now);
        tokio::time::sleep(SETTLE).await;
    }
}

/// The StreamedRows of a query against the expected ones: the same count, headers and
/// final messages in place, rows in order or as a multiset.
fn rows_difference(
    expected: &[Value],
    actual: &[Value],
    statement: &str,
    verify_order: bool,
) -> Option<String> {
    if expected.len() != actual.len() {
        return Some(format!(
            "expected {} rows {}\n    but got {}: {}",
            expected.len(),
            Value::Array(expected.to_vec()),
            actual.len(),
            Value::Array(actual.to_vec())
        ));
    }
    let is_row = |v: &Value| v.get("row").is_some();
    let mut unused: Vec<&Value> = actual.iter().filter(|v| is_row(v)).collect();
    for (position, (want, got)) in expected.iter().zip(actual).enumerate() {
        if is_row(want) && !verify_order {
            let Some(found) = unused
                .iter()
                .position(|candidate| partial_difference(want, candidate, statement).is_none())
            else {
                return Some(format!(
                    "no row matches {want}; rows were {}",
                    Value::Array(actual.to_vec())
                ));
            };
            unused.remove(found);
        } else if let Some(problem) = partial_difference(want, got, statement) {
            return Some(format!("element {position}: {problem}"));
        }
    }
    None
}

/// How `actual` fails to match `expected`, checking only what `expected` names: an
/// object's listed fields (`name|starts_with` for a prefix), arrays element by element,
/// numbers by value, `{STATEMENT}` in a string for the statement's text.
fn partial_difference(expected: &Value, actual: &Value, statement: &str) -> Option<String> {
    match (expected, actual) {
        (Value::Object(want), Value::Object(got)) => want.iter().find_map(|(key, want)| {
            if let Some(field) = key.strip_suffix("|starts_with") {
                let prefix = want.as_str().unwrap_or_default();
                return match got.get(field).and_then(Value::as_str) {
                    Some(text) if text.starts_with(prefix) => None,
                    other => Some(format!(
                        "{field}: expected a text starting with {prefix:?} but got {other:?}"
                    )),
                };
            }
            match got.get(key) {
                Some(got) => partial_difference(want, got, statement)
                    .map(|problem| format!("{key}: {problem}")),
                None if want.is_null() => None,
                None => Some(format!("{key}: missing, expected {want}")),
            }
        }),
        (Value::Array(want), Value::Array(got)) => {
            if want.len() != got.len() {
                return Some(format!("expected {expected} but got {actual}"));
            }
            want.iter().zip(got).enumerate().find_map(|(i, (w, g))| {
                partial_difference(w, g, statement).map(|p| format!("[{i}]: {p}"))
            })
        }
        (Value::Number(want), Value::Number(got)) => {
            let same = want == got || want.as_f64().zip(got.as_f64()).is_some_and(|(a, b)| a == b);
            (!same).then(|| format!("expected {want} but got {got}"))
        }
        (Value::String(want), Value::String(got)) => {
            let want = want.replace("{STATEMENT}", statement);
            (want != *got).then(|| format!("expected {want:?} but got {got:?}"))
        }
        _ => (expected != actual).then(|| format!("expected {expected} but got {actual}")),
    }
}

/// Reads up to `count` StreamedRows (with no count, to the end). A query that goes quiet
/// before sending as many as expected has sent all it will: the comparison then says which
/// rows are missing.
async fn read_elements(stream: &mut RowStream, count: Option<usize>) -> Result<Vec<Value>, String> {
    let mut elements = Vec::new();
    while count.is_none_or(|n| elements.len() < n) {
        match tokio::time::timeout(QUIET, stream.next()).await {
            Ok(Ok(Some(element))) => elements.push(element),
            Ok(Ok(None)) | Err(_) => break,
            Ok(Err(e)) => return Err(e),
        }
    }
    Ok(elements)
}
