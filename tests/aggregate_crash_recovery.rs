//! An aggregation survives SIGKILL: after a restart every key's counts continue from the
//! committed state, so the output holds each count exactly once.
//!
//! The input is written to the embedded log first; a `sluice` process creates the stream and
//! a counting table and is killed with SIGKILL part-way through. A second process replays the
//! catalog, rebuilds the counts from the changelog up to the last commit and resumes. For
//! every key the output must then read 1, 2, …, n in order: a lost state would restart a
//! key's count, a repeated write would show a count twice.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use sluice::log::Log;
use sluice::log::embedded::{EmbeddedLog, EmbeddedLogOptions};

const INPUT_RECORDS: i64 = 200_000;
const KEYS: i64 = 1000;
const PARTITIONS: u32 = 2;

/// Every key's counts, in output order. Only for a log no process is writing: opening a
/// log recovers it, which may cut a batch another process is appending.
fn read_counts(dir: &Path) -> BTreeMap<i64, Vec<i64>> {
    let log = EmbeddedLog::open(dir, EmbeddedLogOptions::default()).unwrap();
    let mut counts: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    let Some(config) = log.topic_config("COUNTS") else {
        return counts;
    };
    for p in 0..config.partitions {
        let mut offset = 0;
        loop {
            let records = log.read("COUNTS", p, offset, 10_000).unwrap();
            let Some(last) = records.last() else { break };
            offset = last.offset + 1;
            for stored in records {
                let key = stored.record.key.expect("output keyed by ID");
                let id = i64::from_be_bytes(key[..].try_into().unwrap());
                let value: serde_json::Value =
                    serde_json::from_slice(&stored.record.value.unwrap()).unwrap();
                counts
                    .entry(id)
                    .or_default()
                    .push(value["C"].as_i64().unwrap());
            }
        }
    }
    counts
}

/// The counts per key the output holds while a process writes it, read from a copy.
fn counts_so_far(dir: &Path) -> BTreeMap<i64, Vec<i64>> {
    common::copy_topic(dir, "COUNTS").map_or_else(BTreeMap::new, |copy| read_counts(copy.path()))
}

/// Whether every key's last count is its number of input records.
fn all_counted(counts: &BTreeMap<i64, Vec<i64>>) -> bool {
    let per_key = INPUT_RECORDS / KEYS;
    counts.len() as i64 == KEYS && counts.values().all(|c| c.last() == Some(&per_key))
}

/// Runs the counting table with `settings` (SET statements), kills it with SIGKILL once it
/// has written some output, then resumes it until every key is counted; the output's
/// counts per key.
fn counts_across_sigkill(settings: &str) -> BTreeMap<i64, Vec<i64>> {
    let dir = tempfile::tempdir().unwrap();
    common::write_input(dir.path(), INPUT_RECORDS, KEYS, PARTITIONS);

    let mut first = common::sluice(
        dir.path(),
        &format!(
            "CREATE STREAM input (id BIGINT KEY, v BIGINT) WITH (KAFKA_TOPIC='input', VALUE_FORMAT='JSON');\n\
             SET 'auto.offset.reset' = 'earliest';\n{settings}\
             CREATE TABLE counts AS SELECT id, COUNT(*) AS c FROM input GROUP BY id;\n\
             SELECT * FROM input EMIT CHANGES LIMIT 100000000;\n"
        ),
    );
    let started = Instant::now();
    while counts_so_far(dir.path())
        .values()
        .map(Vec::len)
        .sum::<usize>()
        < 2_000
    {
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
    assert!(
        !all_counted(&counts_so_far(dir.path())),
        "the kill must land mid-query"
    );

    // Second run: replay, restore, resume; stop once every key is counted.
    let mut second = common::sluice(
        dir.path(),
        "SET 'auto.offset.reset' = 'earliest';\nSELECT * FROM input EMIT CHANGES LIMIT 100000000;\n",
    );
    let started = Instant::now();
    while !all_counted(&counts_so_far(dir.path())) {
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "the resumed query did not finish"
        );
        assert!(
            second.try_wait().unwrap().is_none(),
            "sluice exited before the query finished"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    second.kill().unwrap();
    second.wait().unwrap();
    read_counts(dir.path())
}

#[test]
fn sigkill_mid_aggregation_keeps_every_count_exactly_once() {
    let counts = counts_across_sigkill("SET 'ksql.streams.cache.max.bytes.buffering' = '0';\n");
    assert_eq!(counts.len() as i64, KEYS);
    let wanted: Vec<i64> = (1..=INPUT_RECORDS / KEYS).collect();
    for (id, seen) in counts {
        assert_eq!(seen, wanted, "counts of key {id}");
    }
}

/// With the record cache on, a batch's counts of a key come out as one: the output skips
/// counts, and which depends on the batches. A restart must replay the round the kill cut
/// short with the bounds it had: otherwise output it wrote again would differ from the
/// output already there, and the log, taking it for a repeat, would drop counts.
#[test]
fn sigkill_mid_aggregation_with_the_record_cache_keeps_every_key_counting_up() {
    let counts = counts_across_sigkill("");
    assert_eq!(counts.len() as i64, KEYS);
    let mut updates = 0;
    for (id, seen) in counts {
        assert!(
            seen.windows(2).all(|pair| pair[0] < pair[1]),
            "counts of key {id} must rise: {seen:?}"
        );
        assert_eq!(seen.last(), Some(&(INPUT_RECORDS / KEYS)), "key {id}");
        updates += seen.len() as i64;
    }
    assert!(updates < INPUT_RECORDS, "the cache coalesced no update");
}
