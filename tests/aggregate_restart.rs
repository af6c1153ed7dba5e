//! An aggregation restarted after a crash continues with exactly the state it committed.
//!
//! The crash is simulated on a shared in-memory log: the query runs two rounds of input, its
//! commit is then set back to the one after the first round (as if the process died after
//! writing the second round's output and changelog but before committing), and a new engine
//! replays the catalog over the same log. It must rebuild the first round's state from the
//! changelog, re-run the second round without writing anything twice, and go on with the
//! third round as if nothing had happened.

use std::sync::Arc;

use sluice::engine::{Engine, EngineConfig, Session};
use sluice::log::memory::MemoryLog;
use sluice::log::{Log, Record};
use sluice::runtime::offsets::{Commit, OFFSETS_TOPIC, OffsetStore};

fn engine(log: &Arc<MemoryLog>) -> Arc<Engine> {
    let config = EngineConfig {
        data_dir: None,
        deterministic: true,
        ..EngineConfig::default()
    };
    Engine::with_log(config, log.clone()).expect("engine opens")
}

fn send(log: &Arc<MemoryLog>, rows: &[(&str, i64, i64)]) {
    let records = rows
        .iter()
        .map(|(key, v, ts)| Record {
            key: Some(key.as_bytes().to_vec().into()),
            value: Some(format!("{{\"V\":{v}}}").into_bytes().into()),
            timestamp: *ts,
            headers: Vec::new(),
        })
        .collect();
    log.append("input", 0, records, None)
        .expect("input appended");
}

/// How OUTPUT keys are windowed.
#[derive(Clone, Copy)]
enum Keys {
    Plain,
    /// Key bytes, then the window start.
    Time,
    /// Key bytes, then the session's end and start.
    Session,
}

/// Every OUTPUT record as `key[@window start[-end]] value`.
fn output(log: &Arc<MemoryLog>, keys: Keys) -> Vec<String> {
    let records = log.read("OUTPUT", 0, 0, 1000).expect("output readable");
    records
        .into_iter()
        .map(|stored| {
            let key = stored.record.key.expect("keyed output");
            let number = |bytes: &[u8]| i64::from_be_bytes(bytes.try_into().expect("8 bytes"));
            let key = match keys {
                Keys::Plain => String::from_utf8_lossy(&key).into_owned(),
                Keys::Time => {
                    let (inner, start) = key.split_at(key.len() - 8);
                    format!("{}@{}", String::from_utf8_lossy(inner), number(start))
                }
                Keys::Session => {
                    let (inner, times) = key.split_at(key.len() - 16);
                    let (end, start) = (number(&times[..8]), number(&times[8..]));
                    format!("{}@{start}-{end}", String::from_utf8_lossy(inner))
                }
            };
            let value = stored
                .record
                .value
                .map_or("null".into(), |v| String::from_utf8_lossy(&v).into_owned());
            format!("{key} {value}")
        })
        .collect()
}

/// Creates INPUT (a stream, or with `input_table` a table, keyed by K) and runs `table` over
/// it, with the record cache on or off; the id of its persistent query.
fn start(engine: &Arc<Engine>, table: &str, input_table: bool, record_cache: bool) -> String {
    let mut session = Session::default();
    session
        .properties
        .insert("auto.offset.reset".into(), "earliest".into());
    if !record_cache {
        session
            .properties
            .insert("ksql.streams.cache.max.bytes.buffering".into(), "0".into());
    }
    let input = if input_table {
        "TABLE INPUT (K STRING PRIMARY KEY"
    } else {
        "STREAM INPUT (K STRING KEY"
    };
    let script = format!(
        "CREATE {input}, V BIGINT) WITH (KAFKA_TOPIC='input', VALUE_FORMAT='JSON', PARTITIONS=1);\n{table}"
    );
    if let Err((_, error)) = engine.execute(&script, &mut session) {
        panic!("statement failed: {error}");
    }
    engine
        .catalog()
        .queries
        .keys()
        .next()
        .cloned()
        .expect("a persistent query")
}

/// Runs `table` over three rounds of input (a stream, or with `input_table` a table, keyed by
/// K) with the record cache off and a crash after the second round's output but before its
/// commit; returns the output topic.
fn run_with_crash(
    table: &str,
    rounds: [&[(&str, i64, i64)]; 3],
    keys: Keys,
    input_table: bool,
) -> Vec<String> {
    let log = Arc::new(MemoryLog::new());
    let first = engine(&log);
    let query_id = start(&first, table, input_table, false);

    send(&log, rounds[0]);
    first.run_until_idle().expect("round 1");
    let after_first = OffsetStore::open(log.clone())
        .expect("offsets")
        .get(&query_id)
        .cloned()
        .expect("round 1 committed");
    send(&log, rounds[1]);
    first.run_until_idle().expect("round 2");
    drop(first);

    // The crash: round 2's output and changelog are written, its commit is lost.
    OffsetStore::open(log.clone())
        .expect("offsets")
        .commit(&query_id, after_first)
        .expect("commit rewound");

    let second = engine(&log);
    second.run_until_idle().expect("round 2 again");
    send(&log, rounds[2]);
    second.run_until_idle().expect("round 3");
    output(&log, keys)
}

#[test]
fn counts_continue_from_the_committed_state() {
    let out = run_with_crash(
        "CREATE TABLE OUTPUT AS SELECT K, COUNT(*) AS C, SUM(V) AS S FROM INPUT GROUP BY K HAVING SUM(V) < 10;",
        [
            &[("a", 1, 0), ("b", 2, 1), ("a", 3, 2)],
            &[("a", 4, 3), ("c", 5, 4)],
            &[("a", 0, 5), ("c", 1, 6), ("a", 6, 7)],
        ],
        Keys::Plain,
        false,
    );
    assert_eq!(
        out,
        vec![
            r#"a {"C":1,"S":1}"#,
            r#"b {"C":1,"S":2}"#,
            r#"a {"C":2,"S":4}"#,
            r#"a {"C":3,"S":8}"#,
            r#"c {"C":1,"S":5}"#,
            r#"a {"C":4,"S":8}"#,
            r#"c {"C":2,"S":6}"#,
            "a null",
        ]
    );
}

#[test]
fn emit_final_neither_repeats_nor_loses_a_window() {
    let out = run_with_crash(
        "CREATE TABLE OUTPUT AS SELECT K, COUNT(*) AS C FROM INPUT WINDOW TUMBLING (SIZE 10 MILLISECONDS) GROUP BY K EMIT FINAL;",
        [
            &[("a", 1, 0), ("a", 2, 5)],
            &[("b", 3, 12)],
            &[("a", 4, 25)],
        ],
        Keys::Time,
        false,
    );
    assert_eq!(out, vec![r#"a@0 {"C":2}"#, r#"b@10 {"C":1}"#]);
}

#[test]
fn table_aggregation_takes_back_the_rows_it_had_before_the_crash() {
    // Each input key's current row is state too: after the restart, a's row of round 2 and
    // b's of round 1 must still be known to leave their groups in round 3.
    let out = run_with_crash(
        "CREATE TABLE OUTPUT AS SELECT CAST(V AS STRING) AS G, COUNT(*) AS C FROM INPUT GROUP BY CAST(V AS STRING);",
        [
            &[("a", 1, 0), ("b", 1, 1)],
            &[("a", 2, 2)],
            &[("b", 2, 3), ("a", 1, 4)],
        ],
        Keys::Plain,
        true,
    );
    assert_eq!(
        out,
        vec![
            r#"1 {"C":1}"#,
            r#"1 {"C":2}"#,
            r#"1 {"C":1}"#,
            r#"2 {"C":1}"#,
            r#"1 {"C":0}"#,
            r#"2 {"C":2}"#,
            r#"2 {"C":1}"#,
            r#"1 {"C":1}"#,
        ]
    );
}

#[test]
fn sessions_merge_with_the_sessions_committed_before_the_crash() {
    let out = run_with_crash(
        "CREATE TABLE OUTPUT AS SELECT K, COUNT(*) AS C FROM INPUT WINDOW SESSION (10 MILLISECONDS) GROUP BY K;",
        [
            &[("a", 1, 0), ("a", 1, 5)],
            &[("a", 1, 30)],
            &[("a", 1, 12), ("a", 1, 35)],
        ],
        Keys::Session,
        false,
    );
    assert_eq!(
        out,
        vec![
            r#"a@0-0 {"C":1}"#,
            "a@0-0 null",
            r#"a@0-5 {"C":2}"#,
            r#"a@30-30 {"C":1}"#,
            "a@0-5 null",
            r#"a@0-12 {"C":3}"#,
            "a@30-30 null",
            r#"a@30-35 {"C":2}"#,
        ]
    );
}

/// With the record cache on, what a round writes depends on where it ends. Here the crash
/// comes after round 2's output, before its commit, and round 3's input is in the log by the
/// restart: re-running rounds 2 and 3 as one would coalesce them into other updates, which
/// the log would take for repeats of round 2's. The restart must re-run round 2 alone, to
/// the ends its journal noted, and write what a run without the crash writes.
#[test]
fn with_the_record_cache_a_restart_replays_the_cut_round_to_its_ends() {
    let table =
        "CREATE TABLE OUTPUT AS SELECT K, COUNT(*) AS C, SUM(V) AS S FROM INPUT GROUP BY K;";
    let rounds: [&[(&str, i64, i64)]; 3] = [
        &[("a", 1, 0), ("b", 2, 1), ("a", 3, 2)],
        &[("a", 4, 3), ("c", 5, 4), ("a", 1, 5)],
        &[("a", 2, 6), ("c", 1, 7)],
    ];

    let log = Arc::new(MemoryLog::new());
    let steady = engine(&log);
    start(&steady, table, false, true);
    for round in rounds {
        send(&log, round);
        steady.run_until_idle().expect("a round");
    }
    let expected = output(&log, Keys::Plain);
    assert_eq!(expected.len(), 6, "each round's groups once: {expected:?}");

    let log = Arc::new(MemoryLog::new());
    let first = engine(&log);
    let query_id = start(&first, table, false, true);
    send(&log, rounds[0]);
    first.run_until_idle().expect("round 1");
    send(&log, rounds[1]);
    first.run_until_idle().expect("round 2");
    drop(first);
    // The crash: the last thing committed is round 2's journal entry.
    let offsets = log.end_offset(OFFSETS_TOPIC, 0).expect("offsets end");
    let journal = log
        .read(OFFSETS_TOPIC, 0, 0, offsets as usize)
        .expect("offsets readable")
        .into_iter()
        .filter_map(|stored| serde_json::from_slice::<Commit>(&stored.record.value?).ok())
        .filter(|commit| commit.round_ends.is_some())
        .last()
        .expect("round 2 journaled");
    OffsetStore::open(log.clone())
        .expect("offsets")
        .commit(&query_id, journal)
        .expect("commit rewound");
    send(&log, rounds[2]);

    let second = engine(&log);
    second.run_until_idle().expect("rounds 2 and 3");
    assert_eq!(output(&log, Keys::Plain), expected);
}
