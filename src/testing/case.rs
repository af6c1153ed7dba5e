//! One test case: statements, input records, expected output records or error, post
//! conditions; and running it on a fresh deterministic engine.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use super::compare;
use super::records::{RecordSpec, decode_output, encode_input};
use crate::catalog::Source;
use crate::engine::{Engine, EngineConfig, Session};
use crate::log::memory::MemoryLog;
use crate::log::{Log, TopicConfig};
use crate::sql::ast::{SourceKind, Statement};

/// A runnable case, with `{FORMAT}` and `{CONFIG}` already substituted.
#[derive(Debug, Clone, Default)]
pub struct TestCase {
    pub name: String,
    pub statements: Vec<String>,
    pub properties: BTreeMap<String, String>,
    /// Topics to create up front: name and partition count.
    pub topics: Vec<(String, u32)>,
    pub inputs: Vec<RecordSpec>,
    pub outputs: Vec<RecordSpec>,
    /// The substring the error message must contain (`Some("")` = any error).
    pub expected_error: Option<String>,
    pub post: Option<Value>,
}

/// The result of running a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    Fail(String),
    Skip(String),
}

impl TestCase {
    /// Runs the case. Nothing here may panic on a case's content.
    pub fn run(&self) -> Verdict {
        match self.execute() {
            Ok(()) => Verdict::Pass,
            Err(reason) => Verdict::Fail(reason),
        }
    }

    fn execute(&self) -> Result<(), String> {
        let (memory, log, engine, mut session) = test_engine()?;
        session.properties.extend(self.properties.clone());
        session
            .properties
            .insert("auto.offset.reset".into(), "earliest".into());

        for (topic, _) in &self.topics {
            create_topic(&log, topic);
        }
        for statement in &self.statements {
            for topic in declared_topics(statement) {
                create_topic(&log, &topic);
            }
        }
        for record in &self.inputs {
            create_topic(&log, &record.topic);
        }
        // Output topics are the queries' sinks: one partition, so that the output keeps
        // the order the queries produced it in.
        for record in &self.outputs {
            if log.topic_config(&record.topic).is_none() {
                let _ = log.create_topic(&record.topic, TopicConfig::default());
            }
        }

        // One text, one statement per line, as ksqlDB's test driver parses them: error
        // positions then count lines across statements.
        let script = self.statements.join("\n");
        if let Err((done, error)) = engine.execute(&script, &mut session) {
            let message = error.to_string();
            return match &self.expected_error {
                Some(expected) if message.contains(expected.as_str()) => Ok(()),
                Some(expected) => Err(format!(
                    "expected an error containing:\n    {expected}\n  but statement {} failed with:\n    {message}",
                    done.len() + 1
                )),
                None => Err(format!(
                    "statement {} failed: {message}\n    {}",
                    done.len() + 1,
                    error.statement
                )),
            };
        }

        for input in &self.inputs {
            let source = source_on_topic(&engine, &input.topic);
            let record = encode_input(input, source.as_ref())
                .map_err(|e| format!("cannot encode input record for {}: {e}", input.topic))?;
            log.append(&input.topic, 0, vec![record], None)
                .map_err(|e| format!("cannot write input to {}: {e}", input.topic))?;
            // One record at a time through every query, as ksqlDB's test driver pipes
            // them: a join sees its inputs' records in the order the test gives them.
            engine
                .run_until_idle()
                .map_err(|e| format!("query failed: {e}"))?;
        }

        if let Some(expected) = &self.expected_error {
            return Err(format!(
                "expected an error containing '{expected}' but every statement succeeded"
            ));
        }
        check_outputs(&self.outputs, &engine, &memory)?;
        if let Some(post) = &self.post {
            check_post(&engine, post)?;
            if let Some(topics) = post.get("topics") {
                check_topics(&engine, topics)?;
            }
        }
        Ok(())
    }
}

/// A fresh deterministic engine over an in-memory log, and a session with the record cache
/// off, as ksqlDB's test drivers run: every update is emitted.
pub(super) type TestEngine = (Arc<MemoryLog>, Arc<dyn Log>, Arc<Engine>, Session);

pub(super) fn test_engine() -> Result<TestEngine, String> {
    let memory = Arc::new(MemoryLog::new());
    let log: Arc<dyn Log> = memory.clone();
    let config = EngineConfig {
        data_dir: None,
        deterministic: true,
        ..EngineConfig::default()
    };
    let engine = Engine::with_log(config, log.clone()).map_err(|e| format!("engine: {e}"))?;
    let mut session = Session::default();
    session
        .properties
        .insert("ksql.streams.cache.max.bytes.buffering".into(), "0".into());
    Ok((memory, log, engine, session))
}

/// Compares each output topic's records, in append order, with the expected ones: every
/// expected record must be there and no other.
pub(super) fn check_outputs(
    outputs: &[RecordSpec],
    engine: &Engine,
    memory: &MemoryLog,
) -> Result<(), String> {
    let mut topics: Vec<&str> = Vec::new();
    for output in outputs {
        if !topics.contains(&output.topic.as_str()) {
            topics.push(&output.topic);
        }
    }
    for topic in topics {
        let expected: Vec<&RecordSpec> = outputs.iter().filter(|o| o.topic == topic).collect();
        let actual = memory.records_in_append_order(topic).unwrap_or_default();
        let source = sink_on_topic(engine, topic);
        let mut problems = Vec::new();
        for (index, expected) in expected.iter().enumerate() {
            let Some(stored) = actual.get(index) else {
                problems.push(format!(
                    "record {index}: missing, expected {}",
                    show(expected)
                ));
                continue;
            };
            let actual = decode_output(&stored.record, source.as_ref())?;
            let expected_key = expected.key.clone().unwrap_or(Value::Null);
            if let Some(diff) = compare::difference(&expected_key, &actual.key) {
                problems.push(format!("record {index}: key: {diff}"));
            }
            if let Some(diff) = compare::difference(&expected.value, &actual.value) {
                problems.push(format!("record {index}: value: {diff}"));
            }
            if let Some(diff) = window_difference(expected.window.as_ref(), actual.window.as_ref())
            {
                problems.push(format!("record {index}: window: {diff}"));
            }
            if let Some(ts) = expected.timestamp
                && ts != stored.record.timestamp
            {
                problems.push(format!(
                    "record {index}: timestamp: expected {ts} but got {}",
                    stored.record.timestamp
                ));
            }
            if let Some(headers) = &expected.headers
                && headers != &stored.record.headers
            {
                problems.push(format!("record {index}: headers differ"));
            }
        }
        for (index, extra) in actual.iter().enumerate().skip(expected.len()) {
            let extra = decode_output(&extra.record, source.as_ref())?;
            problems.push(format!(
                "record {index}: unexpected extra record key={} value={}",
                extra.key, extra.value
            ));
        }
        if !problems.is_empty() {
            return Err(format!("topic {topic}:\n    {}", problems.join("\n    ")));
        }
    }
    Ok(())
}

/// How a record's window differs from the expected one (`start`, `end` and `type`), if it
/// does.
fn window_difference(expected: Option<&Value>, actual: Option<&Value>) -> Option<String> {
    match (expected, actual) {
        (None, None) => None,
        (Some(expected), None) => Some(format!("expected {expected} but the key is not windowed")),
        (None, Some(actual)) => Some(format!("expected no window but got {actual}")),
        (Some(expected), Some(actual)) => {
            let differs = ["start", "end", "type"].iter().any(|field| {
                let want = &expected[*field];
                let got = &actual[*field];
                match (want.as_i64(), got.as_i64()) {
                    (Some(a), Some(b)) => a != b,
                    _ => !want
                        .as_str()
                        .unwrap_or_default()
                        .eq_ignore_ascii_case(got.as_str().unwrap_or_default()),
                }
            });
            differs.then(|| format!("expected {expected} but got {actual}"))
        }
    }
}

fn show(record: &RecordSpec) -> String {
    format!(
        "key={} value={}",
        record.key.clone().unwrap_or(Value::Null),
        record.value
    )
}

pub(super) fn create_topic(log: &Arc<dyn Log>, topic: &str) {
    if log.topic_config(topic).is_none() {
        let config = TopicConfig {
            partitions: TEST_TOPIC_PARTITIONS,
            ..TopicConfig::default()
        };
        let _ = log.create_topic(topic, config);
    }
}

/// The partitions of the topics ksqlDB's test driver creates for a case (its inputs and
/// the topics its statements name); the records are all written to partition 0.
const TEST_TOPIC_PARTITIONS: u32 = 4;

/// KAFKA_TOPIC of a CREATE STREAM/TABLE with columns: ksqlDB's test driver creates those
/// topics before running the statements.
pub(super) fn declared_topics(statement: &str) -> Vec<String> {
    let Ok(parsed) = crate::sql::parse(statement) else {
        return Vec::new();
    };
    parsed
        .into_iter()
        .filter_map(|p| match p.statement {
            Statement::CreateSource(create) if !create.columns.is_empty() => create
                .properties
                .iter()
                .find(|(k, _)| k == "KAFKA_TOPIC")
                .and_then(|(_, v)| match v {
                    crate::sql::ast::Literal::String(s) => Some(s.clone()),
                    _ => None,
                }),
            _ => None,
        })
        .collect()
}

/// The source to encode input records of a topic with: the first one declared over it.
pub(super) fn source_on_topic(engine: &Engine, topic: &str) -> Option<Source> {
    let catalog = engine.catalog();
    let found = catalog
        .sources
        .values()
        .filter(|s| s.topic == topic)
        .min_by_key(|s| !s.writers.is_empty());
    found.cloned()
}

/// The source to decode output records of a topic with: the one a query writes.
fn sink_on_topic(engine: &Engine, topic: &str) -> Option<Source> {
    let catalog = engine.catalog();
    let found = catalog
        .sources
        .values()
        .filter(|s| s.topic == topic)
        .max_by_key(|s| !s.writers.is_empty());
    found.cloned()
}

/// `post.sources`: each named source exists with the given type, schema and formats.
fn check_post(engine: &Engine, post: &Value) -> Result<(), String> {
    let catalog = engine.catalog();
    for expected in post
        .get("sources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let name = expected
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let Some(source) = catalog.source(name) else {
            return Err(format!("post: source {name} does not exist"));
        };
        if let Some(kind) = expected.get("type").and_then(Value::as_str) {
            let actual = match source.kind {
                SourceKind::Stream => "stream",
                SourceKind::Table => "table",
            };
            if !kind.eq_ignore_ascii_case(actual) {
                return Err(format!("post: {name} is a {actual}, expected a {kind}"));
            }
        }
        if let Some(schema) = expected.get("schema").and_then(Value::as_str) {
            let (want, got) = (
                normalize_schema(schema),
                normalize_schema(&source.schema.to_string()),
            );
            if want != got {
                return Err(format!(
                    "post: {name} schema is\n    {got}\n  expected\n    {want}"
                ));
            }
        }
        for (field, actual) in [
            ("keyFormat", &source.key_format.kind),
            ("valueFormat", &source.value_format.kind),
        ] {
            let wanted = match expected.get(field) {
                Some(Value::String(s)) => Some(s.as_str()),
                Some(Value::Object(o)) => o.get("format").and_then(Value::as_str),
                _ => None,
            };
            if let Some(wanted) = wanted
                && !wanted.eq_ignore_ascii_case(&actual.to_string())
            {
                return Err(format!(
                    "post: {name} {field} is {actual}, expected {wanted}"
                ));
            }
        }
        if let Some(key_format) = expected.get("keyFormat") {
            check_window(name, key_format, source.window.as_ref())?;
        }
    }
    Ok(())
}

/// `post.topics`: no topic matches the `blacklist` pattern, and each listed repartition
/// topic of a join's stream side (`…-Join-left-repartition`, `…-L_Join-repartition`, …)
/// exists with the listed key and value formats.
///
/// ksqlDB's names carry its test service id (`_confluent-ksql-some.ksql.service.idquery_`),
/// sluice's its own, so names are compared from `query_` on. The other topics such lists
/// name are not checked: state-store changelogs sluice names after its own stores (a join
/// keeps none), and ksqlDB's re-serialization of a table side keyed in another format
/// (`…SourceKeyed-SelectKey-repartition`), which sluice does not do: it matches table keys
/// by value, and the repartition of a GROUP BY (`…-Aggregate-GroupBy-repartition`): one
/// task holds every group (docs/architecture.md).
fn check_topics(engine: &Engine, topics: &Value) -> Result<(), String> {
    if let Some(pattern) = topics.get("blacklist").and_then(Value::as_str) {
        let blacklist = regex::Regex::new(&format!("^(?:{pattern})$"))
            .map_err(|e| format!("post: bad topic blacklist {pattern}: {e}"))?;
        if let Some(topic) = engine
            .log
            .list_topics()
            .into_iter()
            .find(|t| blacklist.is_match(t))
        {
            return Err(format!(
                "post: topic {topic} exists, expected none matching {pattern}"
            ));
        }
    }
    let query_part = |name: &str| name.find("query_").map(|at| name[at..].to_string());
    let repartitions: Vec<_> = engine
        .query_topologies()
        .into_iter()
        .flat_map(|(_, _, topology)| topology.repartitions)
        .collect();
    let listed = topics.get("topics").and_then(Value::as_array);
    for expected in listed.into_iter().flatten() {
        let name = expected
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let is_join_side = [
            "Join-repartition",
            "Join-left-repartition",
            "Join-right-repartition",
        ]
        .iter()
        .any(|suffix| {
            name.ends_with(&format!("-{suffix}")) || name.ends_with(&format!("_{suffix}"))
        });
        let Some(wanted) = query_part(name).filter(|_| is_join_side) else {
            continue;
        };
        let Some(actual) = repartitions
            .iter()
            .find(|r| query_part(&r.topic).as_ref() == Some(&wanted))
        else {
            return Err(format!("post: no repartition topic {wanted}"));
        };
        for (field, format) in [
            ("keyFormat", actual.key_format),
            ("valueFormat", actual.value_format),
        ] {
            let want = expected
                .get(field)
                .and_then(|f| f.get("format"))
                .and_then(Value::as_str);
            if let Some(want) = want
                && !want.eq_ignore_ascii_case(&format.to_string())
            {
                return Err(format!(
                    "post: {wanted} {field} is {format}, expected {want}"
                ));
            }
        }
    }
    Ok(())
}

/// `keyFormat.windowType` and `keyFormat.windowSize` (ms) against the source's windowing.
fn check_window(
    name: &str,
    key_format: &Value,
    actual: Option<&crate::catalog::WindowInfo>,
) -> Result<(), String> {
    use crate::catalog::WindowKind;
    let Some(wanted) = key_format.get("windowType").and_then(Value::as_str) else {
        return Ok(());
    };
    let kind = actual.map(|w| match w.kind {
        WindowKind::Tumbling => "TUMBLING",
        WindowKind::Hopping => "HOPPING",
        WindowKind::Session => "SESSION",
    });
    if kind.is_none_or(|k| !k.eq_ignore_ascii_case(wanted)) {
        return Err(format!(
            "post: {name} keys are windowed {}, expected {wanted}",
            kind.unwrap_or("not at all")
        ));
    }
    let size = key_format.get("windowSize").and_then(Value::as_i64);
    let actual_size = actual.and_then(|w| w.size_ms);
    if size.is_some() && size != actual_size {
        return Err(format!(
            "post: {name} window size is {actual_size:?} ms, expected {size:?}"
        ));
    }
    Ok(())
}

/// Schema text in one canonical spelling: no quotes, upper case, INT for INTEGER.
fn normalize_schema(schema: &str) -> String {
    schema
        .replace('`', "")
        .to_uppercase()
        // ksqlDB prints a table's key as PRIMARY KEY, a stream's as KEY: the same column.
        .replace(" PRIMARY KEY", " KEY")
        .replace("INTEGER", "INT")
        .replace("VARCHAR", "STRING")
        .replace(", ", ",")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace(" ,", ",")
        // An empty STRUCT, which ksqlDB's tests spell `STRUCT< >`.
        .replace("< >", "<>")
}
