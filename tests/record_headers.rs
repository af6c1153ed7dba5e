//! Output records keep their input record's Kafka headers, as Kafka Streams forwards them:
//! through filters and projections, through PARTITION BY, out of a table's rows, out of an
//! aggregation (an update carries the headers of the record it folded in last) and out of a
//! join (a row carries the headers of the record that made it); records without headers
//! stay without.

use bytes::Bytes;
use std::sync::Arc;

use sluice::engine::{Engine, EngineConfig, Session};
use sluice::log::memory::MemoryLog;
use sluice::log::{Log, Record, TopicConfig};

type Headers = Vec<(String, Option<Vec<u8>>)>;

fn engine(log: &Arc<MemoryLog>) -> Arc<Engine> {
    let config = EngineConfig {
        data_dir: None,
        deterministic: true,
        ..EngineConfig::default()
    };
    Engine::with_log(config, log.clone()).expect("engine opens")
}

fn run(engine: &Arc<Engine>, session: &mut Session, text: &str) {
    if let Err((_, error)) = engine.execute(text, session) {
        panic!("{text}: {error}");
    }
}

fn header(key: &str, value: Option<&str>) -> (String, Option<Vec<u8>>) {
    (key.to_string(), value.map(|v| v.as_bytes().to_vec()))
}

/// Every record of `topic` as (value, headers).
fn records(log: &Arc<MemoryLog>, topic: &str) -> Vec<(String, Headers)> {
    log.read(topic, 0, 0, 100)
        .expect("topic readable")
        .into_iter()
        .map(|stored| {
            let value =
                String::from_utf8(stored.record.value.unwrap_or_default().to_vec()).unwrap();
            (value, stored.record.headers)
        })
        .collect()
}

#[test]
fn output_records_keep_their_input_headers() {
    let log = Arc::new(MemoryLog::new());
    log.create_topic("input", TopicConfig::default()).unwrap();
    let inputs: Vec<(&str, &str, Headers)> = vec![
        (
            "a",
            r#"{"V":1}"#,
            vec![header("trace", Some("t-1")), header("empty", None)],
        ),
        ("b", r#"{"V":2}"#, Vec::new()),
        ("c", r#"{"V":3}"#, vec![header("trace", Some("t-3"))]),
    ];
    let records_in = inputs
        .iter()
        .enumerate()
        .map(|(i, (key, value, headers))| Record {
            key: Some(Bytes::copy_from_slice(key.as_bytes())),
            value: Some(Bytes::copy_from_slice(value.as_bytes())),
            timestamp: i as i64,
            headers: headers.clone(),
        })
        .collect();
    log.append("input", 0, records_in, None).unwrap();

    let engine = engine(&log);
    let mut session = Session::default();
    run(
        &engine,
        &mut session,
        "SET 'auto.offset.reset'='earliest';
         CREATE STREAM S (K STRING KEY, V BIGINT, TRACE BYTES HEADER('trace'))
           WITH (KAFKA_TOPIC='input', VALUE_FORMAT='JSON');
         CREATE STREAM KEPT AS SELECT K, V * 10 AS V10 FROM S WHERE V > 1;
         CREATE STREAM REKEYED AS SELECT V, K FROM S PARTITION BY V;
         CREATE TABLE T (K STRING PRIMARY KEY, V BIGINT) WITH (KAFKA_TOPIC='input', VALUE_FORMAT='JSON');
         CREATE TABLE T_COPY AS SELECT * FROM T;
         CREATE TABLE COUNTS AS SELECT K, COUNT(*) AS C FROM S GROUP BY K;",
    );
    engine.run_until_idle().expect("queries run");

    assert_eq!(
        records(&log, "KEPT"),
        [
            (r#"{"V10":20}"#.to_string(), Vec::new()),
            (
                r#"{"V10":30}"#.to_string(),
                vec![header("trace", Some("t-3"))]
            ),
        ]
    );
    let rekeyed = records(&log, "REKEYED");
    assert_eq!(rekeyed.len(), 3);
    assert_eq!(rekeyed[0].1, inputs[0].2);
    assert_eq!(rekeyed[2].1, inputs[2].2);
    // A table's rows and an aggregation's updates, one per input record here.
    let input_headers: Vec<Headers> = inputs.iter().map(|(_, _, h)| h.clone()).collect();
    for topic in ["T_COPY", "COUNTS"] {
        let headers: Vec<Headers> = records(&log, topic).into_iter().map(|(_, h)| h).collect();
        assert_eq!(headers, input_headers, "{topic}");
    }
}

#[test]
fn a_join_forwards_the_headers_of_the_record_that_made_its_row() {
    let log = Arc::new(MemoryLog::new());
    for topic in ["users", "clicks"] {
        log.create_topic(topic, TopicConfig::default()).unwrap();
    }
    let record = |key: &str, value: &str, timestamp: i64, headers: Headers| Record {
        key: Some(Bytes::copy_from_slice(key.as_bytes())),
        value: Some(Bytes::copy_from_slice(value.as_bytes())),
        timestamp,
        headers,
    };
    let user = record(
        "u1",
        r#"{"NAME":"ann"}"#,
        0,
        vec![header("source", Some("crm"))],
    );
    let click = record(
        "u1",
        r#"{"PAGE":"/a"}"#,
        1,
        vec![header("trace", Some("t-1"))],
    );
    log.append("users", 0, vec![user], None).unwrap();
    log.append("clicks", 0, vec![click], None).unwrap();

    let engine = engine(&log);
    let mut session = Session::default();
    run(
        &engine,
        &mut session,
        "SET 'auto.offset.reset'='earliest';
         CREATE TABLE USERS (ID STRING PRIMARY KEY, NAME STRING)
           WITH (KAFKA_TOPIC='users', VALUE_FORMAT='JSON');
         CREATE STREAM CLICKS (ID STRING KEY, PAGE STRING)
           WITH (KAFKA_TOPIC='clicks', VALUE_FORMAT='JSON');
         CREATE STREAM ENRICHED AS SELECT C.ID, C.PAGE, U.NAME
           FROM CLICKS C JOIN USERS U ON C.ID = U.ID;",
    );
    engine.run_until_idle().expect("queries run");

    assert_eq!(
        records(&log, "ENRICHED"),
        [(
            r#"{"PAGE":"/a","NAME":"ann"}"#.to_string(),
            vec![header("trace", Some("t-1"))]
        )]
    );
}
