//! A join restarted after a crash continues with the state its inputs had built.
//!
//! The crash is simulated on a shared in-memory log, as in `aggregate_restart.rs`: the query
//! runs two rounds of input, its commit is set back to the one after the first round (the
//! process died after writing the second round's output but before committing), and a new
//! engine replays the catalog over the same log. The join must rebuild its state (the
//! table's rows, the stream's window) from its inputs, re-run the second round without
//! writing anything twice, and join the third round against everything seen before. A
//! join that repartitions a side must also write each of the side's records to the
//! repartition topic exactly once.

use std::sync::Arc;

use sluice::engine::{Engine, EngineConfig, Session};
use sluice::log::memory::MemoryLog;
use sluice::log::{Log, Record};
use sluice::runtime::offsets::OffsetStore;

fn engine(log: &Arc<MemoryLog>) -> Arc<Engine> {
    let config = EngineConfig {
        data_dir: None,
        deterministic: true,
        ..EngineConfig::default()
    };
    Engine::with_log(config, log.clone()).expect("engine opens")
}

/// Appends `(key, JSON value, timestamp)` records to `topic`.
fn send(log: &Arc<MemoryLog>, topic: &str, rows: &[(&str, &str, i64)]) {
    let records = rows
        .iter()
        .map(|(key, value, ts)| Record {
            key: Some(key.as_bytes().to_vec().into()),
            value: Some(value.as_bytes().to_vec().into()),
            timestamp: *ts,
            headers: Vec::new(),
        })
        .collect();
    log.append(topic, 0, records, None).expect("input appended");
}

/// Each record of `topic` as `key value`.
fn records(log: &Arc<MemoryLog>, topic: &str) -> Vec<String> {
    log.read(topic, 0, 0, 1000)
        .expect("output readable")
        .into_iter()
        .map(|stored| {
            let key = String::from_utf8_lossy(&stored.record.key.unwrap_or_default()).into_owned();
            let value = stored
                .record
                .value
                .map_or("null".into(), |v| String::from_utf8_lossy(&v).into_owned());
            format!("{key} {value}")
        })
        .collect()
}

type Round<'a> = &'a [(&'a str, &'a [(&'a str, &'a str, i64)])];

/// Runs `statements` over three rounds of input (per topic), with a crash after the second
/// round's output but before its commit; returns the log.
fn run(statements: &str, rounds: [Round<'_>; 3], crash: bool) -> Arc<MemoryLog> {
    let log = Arc::new(MemoryLog::new());
    let first = engine(&log);
    let mut session = Session::default();
    session
        .properties
        .insert("auto.offset.reset".into(), "earliest".into());
    if let Err((_, error)) = first.execute(statements, &mut session) {
        panic!("statement failed: {error}");
    }
    let query_id = first
        .catalog()
        .queries
        .keys()
        .next()
        .cloned()
        .expect("a persistent query");
    let feed = |round: Round<'_>| {
        for (topic, rows) in round {
            send(&log, topic, rows);
        }
    };
    feed(rounds[0]);
    first.run_until_idle().expect("round 1");
    let after_first = OffsetStore::open(log.clone())
        .expect("offsets")
        .get(&query_id)
        .cloned()
        .expect("round 1 committed");
    feed(rounds[1]);
    first.run_until_idle().expect("round 2");
    drop(first);
    if crash {
        OffsetStore::open(log.clone())
            .expect("offsets")
            .commit(&query_id, after_first)
            .expect("commit rewound");
    }
    let second = engine(&log);
    second.run_until_idle().expect("round 2 again");
    feed(rounds[2]);
    second.run_until_idle().expect("round 3");
    log
}

const STREAM_TABLE: &str = "CREATE STREAM CLICKS (USER_ID STRING KEY, PAGE STRING) WITH (KAFKA_TOPIC='clicks', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE TABLE USERS (ID STRING PRIMARY KEY, NAME STRING) WITH (KAFKA_TOPIC='users', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE STREAM OUTPUT AS SELECT C.USER_ID, PAGE, NAME FROM CLICKS C LEFT JOIN USERS U ON C.USER_ID = U.ID;";

#[test]
fn stream_table_join_keeps_the_table_across_a_restart() {
    let rounds: [Round<'_>; 3] = [
        &[
            (
                "users",
                &[
                    ("u1", r#"{"NAME":"ann"}"#, 1),
                    ("u2", r#"{"NAME":"bob"}"#, 2),
                ],
            ),
            ("clicks", &[("u1", r#"{"PAGE":"home"}"#, 3)]),
        ],
        &[("clicks", &[("u2", r#"{"PAGE":"cart"}"#, 4)])],
        &[(
            "clicks",
            &[
                ("u1", r#"{"PAGE":"pay"}"#, 5),
                ("u3", r#"{"PAGE":"home"}"#, 6),
            ],
        )],
    ];
    let expected = vec![
        r#"u1 {"PAGE":"home","NAME":"ann"}"#,
        r#"u2 {"PAGE":"cart","NAME":"bob"}"#,
        r#"u1 {"PAGE":"pay","NAME":"ann"}"#,
        r#"u3 {"PAGE":"home","NAME":null}"#,
    ];
    for crash in [false, true] {
        assert_eq!(
            records(&run(STREAM_TABLE, rounds, crash), "OUTPUT"),
            expected
        );
    }
}

const STREAM_STREAM: &str = "CREATE STREAM ORDERS (ID STRING KEY, ITEM STRING) WITH (KAFKA_TOPIC='orders', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE STREAM SHIPMENTS (ID STRING KEY, CARRIER STRING) WITH (KAFKA_TOPIC='shipments', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE STREAM OUTPUT AS SELECT O.ID, ITEM, CARRIER FROM ORDERS O JOIN SHIPMENTS S WITHIN 1 HOUR ON O.ID = S.ID;";

#[test]
fn stream_stream_join_keeps_its_window_across_a_restart() {
    let rounds: [Round<'_>; 3] = [
        &[(
            "orders",
            &[
                ("o1", r#"{"ITEM":"book"}"#, 1000),
                ("o2", r#"{"ITEM":"pen"}"#, 2000),
            ],
        )],
        &[("shipments", &[("o1", r#"{"CARRIER":"ups"}"#, 3000)])],
        &[("shipments", &[("o2", r#"{"CARRIER":"dhl"}"#, 4000)])],
    ];
    let expected = vec![
        r#"o1 {"ITEM":"book","CARRIER":"ups"}"#,
        r#"o2 {"ITEM":"pen","CARRIER":"dhl"}"#,
    ];
    for crash in [false, true] {
        assert_eq!(
            records(&run(STREAM_STREAM, rounds, crash), "OUTPUT"),
            expected
        );
    }
}

const REPARTITIONED: &str = "CREATE STREAM CLICKS (ID STRING KEY, USER_ID STRING, PAGE STRING) WITH (KAFKA_TOPIC='clicks', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE TABLE USERS (ID STRING PRIMARY KEY, NAME STRING) WITH (KAFKA_TOPIC='users', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE STREAM OUTPUT AS SELECT C.USER_ID, C.ID AS CLICK, PAGE, NAME FROM CLICKS C LEFT JOIN USERS U ON C.USER_ID = U.ID;";

#[test]
fn a_repartitioned_side_is_written_once_and_joined_across_a_restart() {
    let rounds: [Round<'_>; 3] = [
        &[
            ("users", &[("u1", r#"{"NAME":"ann"}"#, 1)]),
            ("clicks", &[("c1", r#"{"USER_ID":"u1","PAGE":"home"}"#, 3)]),
        ],
        &[("clicks", &[("c2", r#"{"USER_ID":"u2","PAGE":"cart"}"#, 4)])],
        &[
            ("users", &[("u2", r#"{"NAME":"bob"}"#, 5)]),
            ("clicks", &[("c3", r#"{"USER_ID":"u2","PAGE":"pay"}"#, 6)]),
        ],
    ];
    let expected = vec![
        r#"u1 {"CLICK":"c1","PAGE":"home","NAME":"ann"}"#,
        r#"u2 {"CLICK":"c2","PAGE":"cart","NAME":null}"#,
        r#"u2 {"CLICK":"c3","PAGE":"pay","NAME":"bob"}"#,
    ];
    // The stream side keyed by its join expression, with its row (pseudo columns included)
    // as the value.
    let repartitioned = vec![
        r#"u1 {"ROWPARTITION":0,"ROWOFFSET":0,"ID":"c1","USER_ID":"u1","PAGE":"home"}"#,
        r#"u2 {"ROWPARTITION":0,"ROWOFFSET":1,"ID":"c2","USER_ID":"u2","PAGE":"cart"}"#,
        r#"u2 {"ROWPARTITION":0,"ROWOFFSET":2,"ID":"c3","USER_ID":"u2","PAGE":"pay"}"#,
    ];
    for crash in [false, true] {
        let log = run(REPARTITIONED, rounds, crash);
        assert_eq!(records(&log, "OUTPUT"), expected);
        let topic = "_confluent-ksql-default_query_CSAS_OUTPUT_0-Join-repartition";
        assert_eq!(records(&log, topic), repartitioned);
        // ksqlDB deletes a terminated query's internal topics.
        let restarted = engine(&log);
        restarted
            .execute("TERMINATE CSAS_OUTPUT_0;", &mut Session::default())
            .map_err(|(_, error)| error.to_string())
            .expect("terminated");
        assert!(log.topic_config(topic).is_none(), "{topic} left behind");
    }
}

const REKEYED_STEP: &str = "CREATE STREAM A (ID STRING KEY, V STRING) WITH (KAFKA_TOPIC='a', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE STREAM B (ID STRING KEY, W STRING) WITH (KAFKA_TOPIC='b', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE STREAM C (ID STRING KEY, X STRING) WITH (KAFKA_TOPIC='c', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE STREAM OUTPUT AS SELECT A.V, A.ID AS AID, W, X FROM A JOIN B WITHIN 1 HOUR ON A.ID = B.ID JOIN C WITHIN 1 HOUR ON A.V = C.ID;";

#[test]
fn rows_of_a_step_rekeyed_through_a_topic_are_written_once_across_a_restart() {
    let rounds: [Round<'_>; 3] = [
        &[
            ("a", &[("a1", r#"{"V":"c1"}"#, 1000)]),
            ("b", &[("a1", r#"{"W":"w1"}"#, 1100)]),
        ],
        &[("c", &[("c1", r#"{"X":"x1"}"#, 1200)])],
        &[
            ("a", &[("a2", r#"{"V":"c1"}"#, 1300)]),
            ("b", &[("a2", r#"{"W":"w2"}"#, 1400)]),
        ],
    ];
    let expected = vec![
        r#"c1 {"AID":"a1","W":"w1","X":"x1"}"#,
        r#"c1 {"AID":"a2","W":"w2","X":"x1"}"#,
    ];
    for crash in [false, true] {
        let log = run(REKEYED_STEP, rounds, crash);
        assert_eq!(records(&log, "OUTPUT"), expected);
        // The joined rows of A and B, keyed by A.V.
        let topic = "_confluent-ksql-default_query_CSAS_OUTPUT_0-Join-left-repartition";
        let keys: Vec<String> = records(&log, topic)
            .iter()
            .map(|r| r.split(' ').next().unwrap_or_default().to_string())
            .collect();
        assert_eq!(keys, ["c1", "c1"]);
    }
}
