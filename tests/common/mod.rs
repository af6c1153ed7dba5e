//! What the crash tests share: writing keyed input straight into an embedded log, running
//! the `sluice` binary with a script on its standard input, and copying a topic to read it
//! while a process writes it.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use sluice::log::embedded::{EmbeddedLog, EmbeddedLogOptions};
use sluice::log::partitioner::Partitioner;
use sluice::log::{Log, Record, TopicConfig};

/// Writes `records` of topic `input` into the log at `dir`: record `i` has the BIGINT key
/// `i % keys` (KAFKA format), the JSON value `{"V": i}` and timestamp `i`, in the partition
/// Kafka's partitioner picks, appended 4096 at a time.
pub fn write_input(dir: &Path, records: i64, keys: i64, partitions: u32) {
    let log = EmbeddedLog::open(dir, EmbeddedLogOptions::default()).unwrap();
    let config = TopicConfig {
        partitions,
        ..TopicConfig::default()
    };
    log.create_topic("input", config).unwrap();
    let partitioner = Partitioner::new();
    let mut batches: BTreeMap<u32, Vec<Record>> = BTreeMap::new();
    for i in 0..records {
        let key = (i % keys).to_be_bytes().to_vec();
        let partition = partitioner.partition(Some(&key), partitions).unwrap();
        batches.entry(partition).or_default().push(Record {
            key: Some(key.into()),
            value: Some(format!("{{\"V\":{i}}}").into_bytes().into()),
            timestamp: i,
            headers: Vec::new(),
        });
        if batches.values().map(Vec::len).sum::<usize>() >= 4096 {
            for (p, batch) in std::mem::take(&mut batches) {
                log.append("input", p, batch, None).unwrap();
            }
        }
    }
    for (p, batch) in batches {
        log.append("input", p, batch, None).unwrap();
    }
}

/// Starts `sluice --data-dir dir` with `script` as its standard input.
pub fn sluice(dir: &Path, script: &str) -> Child {
    sluice_with(dir, &[], script)
}

/// Starts `sluice --data-dir dir ARGS` with `script` as its standard input.
pub fn sluice_with(dir: &Path, args: &[&str], script: &str) -> Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sluice"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("sluice starts");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    child
}

/// A copy of `topic`'s files in the log at `dir`, in a temporary directory that opens as a
/// log: reading the log a process is writing would recover (cut) a batch it is appending.
/// `None` when the files change under the copy; the caller tries again later.
#[allow(dead_code)] // Not every test crate that shares this module reads its output mid-run.
pub fn copy_topic(dir: &Path, topic: &str) -> Option<tempfile::TempDir> {
    let copy = tempfile::tempdir().unwrap();
    copy_dir(&dir.join(topic), &copy.path().join(topic)).ok()?;
    Some(copy)
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}
