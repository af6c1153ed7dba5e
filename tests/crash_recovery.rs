//! A persistent query survives SIGKILL: after a restart its output holds every record it
//! should, exactly once.
//!
//! The input is written to the embedded log first; a `sluice` process then creates the
//! streams and the query and is killed with SIGKILL while the query is part-way through.
//! A second process replays the catalog and resumes the query from its last commit; once
//! it has produced the full output the log is opened again and the output compared with
//! what the query must produce.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use sluice::log::Log;
use sluice::log::embedded::{EmbeddedLog, EmbeddedLogOptions};

const INPUT_RECORDS: i64 = 400_000;
const PARTITIONS: u32 = 2;

/// (id, v) → the output the query writes for it, if any.
fn expected_output(id: i64, v: i64) -> Option<(i64, i64)> {
    (v % 3 != 0).then_some((id, v * 2))
}

/// Reads every OUTPUT record as (id, v2).
fn read_output(dir: &Path) -> Vec<(i64, i64)> {
    let log = EmbeddedLog::open(dir, EmbeddedLogOptions::default()).unwrap();
    let Some(config) = log.topic_config("OUTPUT") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for p in 0..config.partitions {
        let mut offset = 0;
        loop {
            let records = log.read("OUTPUT", p, offset, 10_000).unwrap();
            let Some(last) = records.last() else { break };
            offset = last.offset + 1;
            for stored in records {
                let key = stored.record.key.expect("output keyed by ID");
                let id = i64::from_be_bytes(key[..].try_into().unwrap());
                let value: serde_json::Value =
                    serde_json::from_slice(&stored.record.value.unwrap()).unwrap();
                out.push((id, value["V2"].as_i64().unwrap()));
            }
        }
    }
    out
}

fn output_bytes(dir: &Path) -> u64 {
    let mut total = 0;
    for p in 0..PARTITIONS {
        if let Ok(entries) = std::fs::read_dir(dir.join("OUTPUT").join(p.to_string())) {
            for entry in entries.flatten() {
                if entry.path().extension().is_some_and(|e| e == "log") {
                    total += entry.metadata().map(|m| m.len()).unwrap_or(0);
                }
            }
        }
    }
    total
}

#[test]
fn sigkill_mid_query_neither_loses_nor_repeats_output() {
    let dir = tempfile::tempdir().unwrap();
    common::write_input(dir.path(), INPUT_RECORDS, 1000, PARTITIONS);
    let expected: Vec<(i64, i64)> = (0..INPUT_RECORDS)
        .filter_map(|i| expected_output(i % 1000, i))
        .collect();

    // First run: create the query, then keep the process busy until it is killed.
    let mut first = common::sluice(
        dir.path(),
        "CREATE STREAM input (id BIGINT KEY, v BIGINT) WITH (KAFKA_TOPIC='input', VALUE_FORMAT='JSON');\n\
         SET 'auto.offset.reset' = 'earliest';\n\
         CREATE STREAM output AS SELECT id, v * 2 AS v2 FROM input WHERE v % 3 <> 0;\n\
         SELECT * FROM output EMIT CHANGES LIMIT 100000000;\n",
    );
    let started = Instant::now();
    while output_bytes(dir.path()) < 64 * 1024 {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the query never produced output"
        );
        assert!(
            first.try_wait().unwrap().is_none(),
            "sluice exited before it was killed"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    first.kill().unwrap(); // SIGKILL
    first.wait().unwrap();

    let after_kill = read_output(dir.path());
    assert!(
        !after_kill.is_empty() && after_kill.len() < expected.len(),
        "the kill must land mid-query: {} of {} outputs were written",
        after_kill.len(),
        expected.len()
    );

    // Second run: replay the catalog, resume, and wait for the whole output.
    let mut second = common::sluice(
        dir.path(),
        &format!(
            "SET 'auto.offset.reset' = 'earliest';\nSELECT * FROM output EMIT CHANGES LIMIT {};\n",
            expected.len()
        ),
    );
    let started = Instant::now();
    while second.try_wait().unwrap().is_none() {
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "the resumed query did not finish"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(second.wait().unwrap().success());
    // The push query saw `expected.len()` rows; the query may still be writing none past
    // them, since the input is finite. Compare the whole topic.
    let mut actual = read_output(dir.path());
    let mut wanted = expected.clone();
    actual.sort_unstable();
    wanted.sort_unstable();
    assert_eq!(actual.len(), wanted.len(), "output count after restart");
    assert_eq!(actual, wanted, "output content after restart");
}
