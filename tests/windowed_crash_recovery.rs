//! A windowed aggregation survives SIGKILL, restoring its state from a checkpoint: the
//! output after the restart is exactly the output of a run without the kill.
//!
//! Both runs read the same input (written straight into the embedded log) through a
//! tumbling-window COUNT and SUM with a retention shorter than the input's time span, so
//! windows expire from the store and from its checkpoints. The killed run takes a state
//! checkpoint every 100 ms on small log segments, so by the kill its changelog's prefix is
//! deleted: the restart can only rebuild the state from a checkpoint plus the changelog
//! tail. Every key's sequence of window updates must then equal the uninterrupted run's.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Child;
use std::time::{Duration, Instant};

use sluice::log::Log;
use sluice::log::embedded::{EmbeddedLog, EmbeddedLogOptions};

const INPUT_RECORDS: i64 = 200_000;
const KEYS: i64 = 500;
const PARTITIONS: u32 = 2;
/// Record `i` has timestamp `i` ms: 200 s of input, 10 s windows, 40 s kept. The record cache
/// is off, so that the output is every update whatever batches the processes read.
const PIPELINE: &str = "CREATE STREAM input (id BIGINT KEY, v BIGINT) \
       WITH (KAFKA_TOPIC='input', VALUE_FORMAT='JSON');\n\
     SET 'auto.offset.reset' = 'earliest';\n\
     SET 'ksql.streams.cache.max.bytes.buffering' = '0';\n\
     CREATE TABLE totals AS SELECT id, COUNT(*) AS c, SUM(v) AS s FROM input \
       WINDOW TUMBLING (SIZE 10 SECONDS, RETENTION 40 SECONDS, GRACE PERIOD 30 SECONDS) \
       GROUP BY id;\n";
/// Keeps the process alive (reading stdin would end it) while the query runs.
const HOLD: &str = "SELECT * FROM input EMIT CHANGES LIMIT 100000000;\n";
const CHECKPOINTS: [&str; 4] = [
    "--checkpoint-interval-ms",
    "100",
    "--segment-bytes",
    "65536",
];

/// Every key's updates in output order, as `window start: count/sum`.
type Updates = BTreeMap<i64, Vec<String>>;

/// Reads the output of a log no process is writing (opening a log recovers it).
fn read_output(dir: &Path) -> Updates {
    let log = EmbeddedLog::open(dir, EmbeddedLogOptions::default()).unwrap();
    let mut updates = Updates::new();
    let Some(config) = log.topic_config("TOTALS") else {
        return updates;
    };
    for p in 0..config.partitions {
        let mut offset = 0;
        loop {
            let records = log.read("TOTALS", p, offset, 10_000).unwrap();
            let Some(last) = records.last() else { break };
            offset = last.offset + 1;
            for stored in records {
                let key = stored.record.key.expect("windowed key");
                let (id, start) = key.split_at(8);
                let id = i64::from_be_bytes(id.try_into().unwrap());
                let start = i64::from_be_bytes(start.try_into().unwrap());
                let value: serde_json::Value =
                    serde_json::from_slice(&stored.record.value.unwrap()).unwrap();
                updates
                    .entry(id)
                    .or_default()
                    .push(format!("{start}: {}/{}", value["C"], value["S"]));
            }
        }
    }
    updates
}

/// How many updates the output holds while a process writes it, read from a copy.
fn output_records(dir: &Path) -> usize {
    common::copy_topic(dir, "TOTALS").map_or(0, |copy| {
        read_output(copy.path()).values().map(Vec::len).sum()
    })
}

/// Waits until the output holds `records` updates, then kills `process`.
fn kill_at(dir: &Path, mut process: Child, records: usize) {
    let started = Instant::now();
    while output_records(dir) < records {
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "the query did not get to {records} updates"
        );
        assert!(
            process.try_wait().unwrap().is_none(),
            "sluice exited before it was killed"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    process.kill().unwrap(); // SIGKILL
    process.wait().unwrap();
}

#[test]
fn sigkill_mid_windowed_aggregation_restores_from_a_checkpoint() {
    let total = INPUT_RECORDS as usize;

    // The run without a kill.
    let reference = tempfile::tempdir().unwrap();
    common::write_input(reference.path(), INPUT_RECORDS, KEYS, PARTITIONS);
    let process = common::sluice(reference.path(), &format!("{PIPELINE}{HOLD}"));
    kill_at(reference.path(), process, total);
    let expected = read_output(reference.path());
    assert_eq!(expected.values().map(Vec::len).sum::<usize>(), total);

    // The run killed part-way.
    let dir = tempfile::tempdir().unwrap();
    common::write_input(dir.path(), INPUT_RECORDS, KEYS, PARTITIONS);
    let process = common::sluice_with(dir.path(), &CHECKPOINTS, &format!("{PIPELINE}{HOLD}"));
    kill_at(dir.path(), process, total / 10);
    let after_kill = output_records(dir.path());
    assert!(
        after_kill < total,
        "the kill must land mid-query: {after_kill} of {total} updates were written"
    );
    {
        let log = EmbeddedLog::open(dir.path(), EmbeddedLogOptions::default()).unwrap();
        let changelog = log
            .list_topics()
            .into_iter()
            .find(|t| t.ends_with("-changelog"))
            .expect("the aggregation has a changelog");
        assert!(
            log.start_offset(&changelog, 0).unwrap() > 0,
            "checkpoints let the changelog's prefix be deleted"
        );
    }

    // The restart restores from the checkpoint and the changelog tail, then resumes.
    let process = common::sluice_with(dir.path(), &CHECKPOINTS, HOLD);
    kill_at(dir.path(), process, total);
    assert_eq!(read_output(dir.path()), expected);
}
