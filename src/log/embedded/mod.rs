//! `EmbeddedLog`: the [`Log`] stored on local disk, sluice's default backend.
//!
//! Layout under the root directory, Kafka-like:
//!
//! ```text
//! <root>/<topic>/topic.json                        partitions and retention
//! <root>/<topic>/<partition>/<base offset>.log        record batches (Kafka v2 layout)
//!                            <base offset>.index      sparse offset index (closed segments)
//!                            <base offset>.timeindex  sparse time index (closed segments)
//!                            <base offset>.producers  producer snapshot at the active segment
//! ```
//!
//! Base offsets are written with 20 digits. This file owns the topic map and the topic
//! directories; `partition` owns a partition's segments, recovery, retention and
//! deduplication; `segment` and `index` own the files of one segment.
//!
//! Locking: the topic map is behind an `RwLock` held only to look a topic up, create or
//! delete one; each partition has its own `RwLock`, held for the whole of an append (write)
//! or read (read: readers of a partition — every push query over a stream — read side by
//! side, and never hold an append back for long).

mod index;
mod partition;
mod producer_snapshot;
mod segment;

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use self::partition::Partition;
use super::{
    FsyncPolicy, Log, LogError, LogResult, ProducerSequence, Record, StoredRecord, TopicConfig,
    topic_name,
};

/// The topic configuration file in a topic's directory.
const TOPIC_FILE: &str = "topic.json";

/// Settings of an [`EmbeddedLog`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmbeddedLogOptions {
    /// When appends are synced to disk.
    pub fsync: FsyncPolicy,
    /// A segment rolls before an append would take it past this many bytes (at most 2 GiB;
    /// a batch larger than this gets a segment of its own).
    pub segment_bytes: u64,
}

impl Default for EmbeddedLogOptions {
    fn default() -> Self {
        // Kafka's log.segment.bytes is 1 GiB; smaller segments make retention finer.
        EmbeddedLogOptions {
            fsync: FsyncPolicy::default(),
            segment_bytes: 64 * 1024 * 1024,
        }
    }
}

/// A [`Log`] of segment files under a root directory.
#[derive(Debug)]
pub struct EmbeddedLog {
    root: PathBuf,
    options: EmbeddedLogOptions,
    topics: RwLock<BTreeMap<String, Arc<Topic>>>,
}

#[derive(Debug)]
struct Topic {
    config: TopicConfig,
    dir: PathBuf,
    /// `None` once the topic is deleted, so that a caller still holding the topic fails.
    partitions: Vec<RwLock<Option<Partition>>>,
    /// Counts appends to the topic, for [`Log::subscribe`].
    appended: watch::Sender<u64>,
}

/// `topic.json`.
#[derive(Debug, Serialize, Deserialize)]
struct TopicFile {
    partitions: u32,
    retention_ms: Option<i64>,
    retention_bytes: Option<u64>,
}

impl EmbeddedLog {
    /// Opens the log stored under `root` (creating the directory if needed), recovering every
    /// partition's active segment from a crash.
    pub fn open(root: &Path, options: EmbeddedLogOptions) -> LogResult<EmbeddedLog> {
        // Positions in a segment are u32 in the index; Kafka caps segment.bytes likewise.
        let options = EmbeddedLogOptions {
            segment_bytes: options.segment_bytes.min(i32::MAX as u64),
            ..options
        };
        fs::create_dir_all(root).map_err(io_error(root))?;
        let mut topics = BTreeMap::new();
        for entry in fs::read_dir(root).map_err(io_error(root))? {
            let entry = entry.map_err(io_error(root))?;
            let dir = entry.path();
            let Some(name) = entry.file_name().to_str().map(str::to_string) else {
                continue;
            };
            if !dir.is_dir() || topic_name::validate(&name).is_err() {
                continue;
            }
            let config_path = dir.join(TOPIC_FILE);
            let bytes = match fs::read(&config_path) {
                Ok(bytes) => bytes,
                Err(e) if e.kind() == ErrorKind::NotFound => {
                    // A topic whose creation or deletion was cut short.
                    tracing::warn!(dir = %dir.display(), "ignoring a topic directory without {TOPIC_FILE}");
                    continue;
                }
                Err(e) => return Err(io_error(&config_path)(e)),
            };
            let file: TopicFile = serde_json::from_slice(&bytes)
                .map_err(|e| io_error(&config_path)(io::Error::new(ErrorKind::InvalidData, e)))?;
            let config = TopicConfig {
                partitions: file.partitions,
                retention_ms: file.retention_ms,
                retention_bytes: file.retention_bytes,
            };
            let topic = Topic::open(&name, dir, config, options)?;
            topics.insert(name, Arc::new(topic));
        }
        Ok(EmbeddedLog {
            root: root.to_path_buf(),
            options,
            topics: RwLock::new(topics),
        })
    }

    fn topic(&self, name: &str) -> LogResult<Arc<Topic>> {
        let topics = self.topics.read().unwrap_or_else(PoisonError::into_inner);
        topics
            .get(name)
            .cloned()
            .ok_or_else(|| LogError::UnknownTopic(name.to_string()))
    }

    /// Runs `f` on a partition of a live topic, for reading.
    fn reading<T>(
        &self,
        topic: &str,
        partition: u32,
        f: impl FnOnce(&Partition) -> LogResult<T>,
    ) -> LogResult<T> {
        reading_partition(&*self.topic(topic)?, topic, partition, f)
    }

    /// Runs `f` on a partition of a live topic.
    fn with_partition<T>(
        &self,
        topic: &str,
        partition: u32,
        f: impl FnOnce(&mut Partition) -> LogResult<T>,
    ) -> LogResult<T> {
        on_partition(&*self.topic(topic)?, topic, partition, f)
    }

    fn retain(&self, now_ms: i64) -> LogResult<()> {
        let topics: Vec<(String, Arc<Topic>)> = {
            let topics = self.topics.read().unwrap_or_else(PoisonError::into_inner);
            topics
                .iter()
                .map(|(name, t)| (name.clone(), Arc::clone(t)))
                .collect()
        };
        for (name, topic) in topics {
            if topic.config.retention_ms.is_none() && topic.config.retention_bytes.is_none() {
                continue;
            }
            for partition in 0..topic.config.partitions {
                let retained = on_partition(&topic, &name, partition, |p| {
                    p.enforce_retention(&topic.config, now_ms)
                });
                match retained {
                    // Deleted meanwhile.
                    Err(LogError::UnknownTopic(_)) => break,
                    other => other?,
                }
            }
        }
        Ok(())
    }
}

impl Topic {
    fn open(
        name: &str,
        dir: PathBuf,
        config: TopicConfig,
        options: EmbeddedLogOptions,
    ) -> LogResult<Topic> {
        if config.partitions == 0 {
            return Err(LogError::NoPartitions);
        }
        let partitions = (0..config.partitions)
            .map(|p| {
                let partition = Partition::open(&dir.join(p.to_string()), name, p, options)?;
                Ok(RwLock::new(Some(partition)))
            })
            .collect::<LogResult<Vec<_>>>()?;
        let (appended, _) = watch::channel(0);
        Ok(Topic {
            config,
            dir,
            partitions,
            appended,
        })
    }
}

fn on_partition<T>(
    topic: &Topic,
    name: &str,
    partition: u32,
    f: impl FnOnce(&mut Partition) -> LogResult<T>,
) -> LogResult<T> {
    let mut guard = slot(topic, name, partition)?
        .write()
        .unwrap_or_else(PoisonError::into_inner);
    let p = guard
        .as_mut()
        .ok_or_else(|| LogError::UnknownTopic(name.to_string()))?;
    f(p)
}

/// Runs `f` on a partition for reading, beside other readers.
fn reading_partition<T>(
    topic: &Topic,
    name: &str,
    partition: u32,
    f: impl FnOnce(&Partition) -> LogResult<T>,
) -> LogResult<T> {
    let guard = slot(topic, name, partition)?
        .read()
        .unwrap_or_else(PoisonError::into_inner);
    let p = guard
        .as_ref()
        .ok_or_else(|| LogError::UnknownTopic(name.to_string()))?;
    f(p)
}

fn slot<'a>(
    topic: &'a Topic,
    name: &str,
    partition: u32,
) -> LogResult<&'a RwLock<Option<Partition>>> {
    topic
        .partitions
        .get(partition as usize)
        .ok_or_else(|| LogError::UnknownPartition {
            topic: name.to_string(),
            partition,
        })
}

/// Maps an I/O error on `path` into the log's error.
fn io_error(path: &Path) -> impl FnOnce(io::Error) -> LogError + '_ {
    move |source| LogError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Makes a directory's entries (new or removed files) durable.
fn sync_dir(dir: &Path) -> LogResult<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io_error(dir))
}

/// Writes `bytes` to `path` through a temporary file, so that `path` is never half written.
fn write_atomically(path: &Path, bytes: &[u8], sync: bool) -> LogResult<()> {
    let tmp = path.with_extension("tmp");
    let mut file = File::create(&tmp).map_err(io_error(&tmp))?;
    file.write_all(bytes).map_err(io_error(&tmp))?;
    if sync {
        file.sync_data().map_err(io_error(&tmp))?;
    }
    fs::rename(&tmp, path).map_err(io_error(path))
}

impl Log for EmbeddedLog {
    fn create_topic(&self, name: &str, config: TopicConfig) -> LogResult<()> {
        topic_name::validate(name)?;
        if config.partitions == 0 {
            return Err(LogError::NoPartitions);
        }
        let mut topics = self.topics.write().unwrap_or_else(PoisonError::into_inner);
        if topics.contains_key(name) {
            return Err(LogError::TopicExists(name.to_string()));
        }
        let dir = self.root.join(name);
        if dir.exists() {
            // Left over from a creation or deletion cut short: no topic.json, not a topic.
            fs::remove_dir_all(&dir).map_err(io_error(&dir))?;
        }
        fs::create_dir(&dir).map_err(io_error(&dir))?;
        let sync = self.options.fsync != FsyncPolicy::Never;
        let file = TopicFile {
            partitions: config.partitions,
            retention_ms: config.retention_ms,
            retention_bytes: config.retention_bytes,
        };
        let json = serde_json::to_vec_pretty(&file)
            .map_err(|e| io_error(&dir)(io::Error::new(ErrorKind::InvalidData, e)))?;
        let topic = write_atomically(&dir.join(TOPIC_FILE), &json, sync)
            .and_then(|()| Topic::open(name, dir.clone(), config, self.options));
        let topic = match topic {
            Ok(topic) => topic,
            Err(e) => {
                let _ = fs::remove_dir_all(&dir);
                return Err(e);
            }
        };
        if sync {
            sync_dir(&dir)?;
            sync_dir(&self.root)?;
        }
        topics.insert(name.to_string(), Arc::new(topic));
        Ok(())
    }

    fn delete_topic(&self, name: &str) -> LogResult<()> {
        let mut topics = self.topics.write().unwrap_or_else(PoisonError::into_inner);
        let topic = topics
            .remove(name)
            .ok_or_else(|| LogError::UnknownTopic(name.to_string()))?;
        for slot in &topic.partitions {
            slot.write().unwrap_or_else(PoisonError::into_inner).take();
        }
        // topic.json goes first: a deletion cut short leaves a directory that is not a topic.
        let config_path = topic.dir.join(TOPIC_FILE);
        fs::remove_file(&config_path).map_err(io_error(&config_path))?;
        fs::remove_dir_all(&topic.dir).map_err(io_error(&topic.dir))
    }

    fn topic_config(&self, name: &str) -> Option<TopicConfig> {
        self.topic(name).ok().map(|t| t.config.clone())
    }

    fn list_topics(&self) -> Vec<String> {
        let topics = self.topics.read().unwrap_or_else(PoisonError::into_inner);
        topics.keys().cloned().collect()
    }

    fn append(
        &self,
        topic: &str,
        partition: u32,
        records: Vec<Record>,
        producer: Option<ProducerSequence>,
    ) -> LogResult<i64> {
        let t = self.topic(topic)?;
        let (offset, appended) =
            on_partition(&t, topic, partition, |p| p.append(&records, producer))?;
        if appended {
            t.appended.send_modify(|n| *n += 1);
        }
        Ok(offset)
    }

    fn read(
        &self,
        topic: &str,
        partition: u32,
        offset: i64,
        max_records: usize,
    ) -> LogResult<Vec<StoredRecord>> {
        self.reading(topic, partition, |p| p.read(offset, max_records))
    }

    fn end_offset(&self, topic: &str, partition: u32) -> LogResult<i64> {
        self.reading(topic, partition, |p| Ok(p.end_offset()))
    }

    fn start_offset(&self, topic: &str, partition: u32) -> LogResult<i64> {
        self.reading(topic, partition, |p| Ok(p.start_offset()))
    }

    fn offset_for_time(
        &self,
        topic: &str,
        partition: u32,
        timestamp: i64,
    ) -> LogResult<Option<i64>> {
        self.reading(topic, partition, |p| p.offset_for_time(timestamp))
    }

    fn subscribe(&self, topic: &str) -> LogResult<watch::Receiver<u64>> {
        Ok(self.topic(topic)?.appended.subscribe())
    }

    fn enforce_retention(&self) -> LogResult<()> {
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        self.retain(now_ms)
    }

    fn delete_records_before(&self, topic: &str, partition: u32, offset: i64) -> LogResult<()> {
        self.with_partition(topic, partition, |p| p.delete_segments_before(offset))
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;
    use std::fs::OpenOptions;
    use std::time::Duration;

    use super::*;
    use crate::log::record_batch::{self, HEADER_LEN};

    fn rec(key: &str, value: &str, timestamp: i64) -> Record {
        Record {
            key: Some(Bytes::copy_from_slice(key.as_bytes())),
            value: Some(Bytes::copy_from_slice(value.as_bytes())),
            timestamp,
            headers: vec![("h".into(), Some(key.as_bytes().to_vec()))],
        }
    }

    fn values(records: &[StoredRecord]) -> Vec<String> {
        records
            .iter()
            .map(|r| String::from_utf8_lossy(r.record.value.as_deref().unwrap_or_default()).into())
            .collect()
    }

    fn offsets(records: &[StoredRecord]) -> Vec<i64> {
        records.iter().map(|r| r.offset).collect()
    }

    fn options(segment_bytes: u64) -> EmbeddedLogOptions {
        EmbeddedLogOptions {
            segment_bytes,
            ..EmbeddedLogOptions::default()
        }
    }

    fn topic(partitions: u32) -> TopicConfig {
        TopicConfig {
            partitions,
            ..TopicConfig::default()
        }
    }

    fn segment_files(dir: &Path, extension: &str) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == extension))
            .collect();
        files.sort();
        files
    }

    /// Three one-record batches in topic `t`, partition 0; returns the log file and the
    /// file length after each batch.
    fn three_batches(root: &Path) -> (PathBuf, Vec<u64>) {
        let log = EmbeddedLog::open(root, EmbeddedLogOptions::default()).unwrap();
        log.create_topic("t", topic(1)).unwrap();
        let path = root.join("t/0/00000000000000000000.log");
        let mut lens = Vec::new();
        for i in 0..3 {
            log.append("t", 0, vec![rec("k", &format!("v{i}"), i)], None)
                .unwrap();
            lens.push(fs::metadata(&path).unwrap().len());
        }
        (path, lens)
    }

    #[test]
    fn data_survives_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let config = TopicConfig {
            partitions: 2,
            retention_ms: Some(60_000),
            retention_bytes: None,
        };
        {
            let log = EmbeddedLog::open(dir.path(), EmbeddedLogOptions::default()).unwrap();
            log.create_topic("orders", config.clone()).unwrap();
            log.create_topic("empty", topic(1)).unwrap();
            assert_eq!(
                log.append(
                    "orders",
                    0,
                    vec![rec("a", "1", 10), rec("b", "2", 11)],
                    None
                )
                .unwrap(),
                0
            );
            assert_eq!(
                log.append("orders", 1, vec![rec("c", "3", 12)], None)
                    .unwrap(),
                0
            );
            assert_eq!(
                log.append("orders", 0, vec![Record::default()], None)
                    .unwrap(),
                2
            );
        }
        let log = EmbeddedLog::open(dir.path(), EmbeddedLogOptions::default()).unwrap();
        assert_eq!(log.list_topics(), vec!["empty", "orders"]);
        assert_eq!(log.topic_config("orders"), Some(config));
        let p0 = log.read("orders", 0, 0, 100).unwrap();
        assert_eq!(values(&p0), vec!["1", "2", ""]);
        assert_eq!(p0[0].record, rec("a", "1", 10));
        assert_eq!(p0[2].record, Record::default());
        assert_eq!(values(&log.read("orders", 1, 0, 100).unwrap()), vec!["3"]);
        assert_eq!(log.end_offset("orders", 0).unwrap(), 3);
        assert_eq!(log.end_offset("empty", 0).unwrap(), 0);
        assert_eq!(
            log.append("orders", 0, vec![rec("d", "4", 13)], None)
                .unwrap(),
            3
        );
    }

    #[test]
    fn torn_tail_is_cut_and_appends_continue() {
        let dir = tempfile::tempdir().unwrap();
        let (path, lens) = three_batches(dir.path());
        // Tear the third batch in the middle, and in its header.
        for torn_len in [lens[1] + (lens[2] - lens[1]) / 2, lens[1] + 10] {
            OpenOptions::new()
                .write(true)
                .open(&path)
                .unwrap()
                .set_len(torn_len)
                .unwrap();
            let log = EmbeddedLog::open(dir.path(), EmbeddedLogOptions::default()).unwrap();
            assert_eq!(fs::metadata(&path).unwrap().len(), lens[1]);
            assert_eq!(log.end_offset("t", 0).unwrap(), 2);
            assert_eq!(values(&log.read("t", 0, 0, 10).unwrap()), vec!["v0", "v1"]);
            assert_eq!(
                log.append("t", 0, vec![rec("k", "again", 5)], None)
                    .unwrap(),
                2
            );
            drop(log);
            let log = EmbeddedLog::open(dir.path(), EmbeddedLogOptions::default()).unwrap();
            assert_eq!(
                values(&log.read("t", 0, 0, 10).unwrap()),
                vec!["v0", "v1", "again"]
            );
        }
    }

    #[test]
    fn flipped_byte_in_last_batch_cuts_it() {
        let dir = tempfile::tempdir().unwrap();
        let (path, lens) = three_batches(dir.path());
        let mut bytes = fs::read(&path).unwrap();
        let in_last_value = lens[2] as usize - 5;
        bytes[in_last_value] ^= 0x01;
        fs::write(&path, &bytes).unwrap();
        let log = EmbeddedLog::open(dir.path(), EmbeddedLogOptions::default()).unwrap();
        assert_eq!(fs::metadata(&path).unwrap().len(), lens[1]);
        assert_eq!(log.end_offset("t", 0).unwrap(), 2);
        assert_eq!(values(&log.read("t", 0, 0, 10).unwrap()), vec!["v0", "v1"]);
        assert_eq!(
            log.append("t", 0, vec![rec("k", "v2'", 2)], None).unwrap(),
            2
        );
    }

    #[test]
    fn garbage_after_the_last_batch_is_cut() {
        let dir = tempfile::tempdir().unwrap();
        let (path, lens) = three_batches(dir.path());
        let mut file = OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(&[0xab; HEADER_LEN + 7]).unwrap();
        drop(file);
        let log = EmbeddedLog::open(dir.path(), EmbeddedLogOptions::default()).unwrap();
        assert_eq!(fs::metadata(&path).unwrap().len(), lens[2]);
        assert_eq!(log.end_offset("t", 0).unwrap(), 3);
    }

    #[test]
    fn segments_roll_and_reads_cross_them() {
        let dir = tempfile::tempdir().unwrap();
        let part = dir.path().join("t/0");
        let expected: Vec<String> = (0..60).map(|i| format!("value-{i:03}")).collect();
        {
            let log = EmbeddedLog::open(dir.path(), options(600)).unwrap();
            log.create_topic("t", topic(1)).unwrap();
            let mut next = 0;
            for size in [1, 3, 2].iter().cycle().take(30) {
                let batch: Vec<Record> = (next..next + size)
                    .map(|i| rec("k", &expected[i], i as i64))
                    .collect();
                assert_eq!(log.append("t", 0, batch, None).unwrap(), next as i64);
                next += size;
                if next >= 60 {
                    break;
                }
            }
            assert_eq!(log.end_offset("t", 0).unwrap(), 60);
            let logs = segment_files(&part, "log");
            assert!(logs.len() > 3, "{} segments", logs.len());
            // Every closed segment has its index files; the active one not yet.
            assert_eq!(segment_files(&part, "index").len(), logs.len() - 1);
            assert_eq!(segment_files(&part, "timeindex").len(), logs.len() - 1);
            assert_eq!(segment_files(&part, "producers").len(), 1);
            check_reads(&log, &expected);
        }
        let log = EmbeddedLog::open(dir.path(), options(600)).unwrap();
        check_reads(&log, &expected);
        assert_eq!(
            log.append("t", 0, vec![rec("k", "more", 0)], None).unwrap(),
            60
        );
    }

    fn check_reads(log: &EmbeddedLog, expected: &[String]) {
        for from in 0..62 {
            for max in [1, 2, 5, 100] {
                let got = log.read("t", 0, from, max).unwrap();
                let want: Vec<i64> = (from..60).take(max).collect();
                assert_eq!(offsets(&got), want, "from {from} max {max}");
                let want_values: Vec<&String> =
                    want.iter().map(|&o| &expected[o as usize]).collect();
                assert_eq!(values(&got).iter().collect::<Vec<_>>(), want_values);
            }
        }
        assert!(log.read("t", 0, 0, 0).unwrap().is_empty());
    }

    #[test]
    fn big_batches_get_their_own_segment() {
        let dir = tempfile::tempdir().unwrap();
        let log = EmbeddedLog::open(dir.path(), options(100)).unwrap();
        log.create_topic("t", topic(1)).unwrap();
        let big = "x".repeat(500);
        for i in 0..3 {
            assert_eq!(
                log.append("t", 0, vec![rec("k", &big, i)], None).unwrap(),
                i
            );
        }
        assert_eq!(segment_files(&dir.path().join("t/0"), "log").len(), 3);
        assert_eq!(offsets(&log.read("t", 0, 1, 10).unwrap()), vec![1, 2]);
    }

    #[test]
    fn offset_for_time_skips_older_batches_and_segments() {
        let dir = tempfile::tempdir().unwrap();
        let log = EmbeddedLog::open(dir.path(), options(12_000)).unwrap();
        log.create_topic("t", topic(1)).unwrap();
        // Timestamps out of order, across batches and several segments, each segment with
        // index entries.
        let times: Vec<i64> = (0..400).map(|i| 1000 + (i * 37) % 101 + i / 2).collect();
        let value = "v".repeat(100);
        for chunk in times.chunks(3) {
            let batch = chunk.iter().map(|&t| rec("k", &value, t)).collect();
            log.append("t", 0, batch, None).unwrap();
        }
        let indexes = segment_files(&dir.path().join("t/0"), "timeindex");
        assert!(indexes.len() > 2, "{} closed segments", indexes.len());
        assert!(indexes.iter().all(|i| fs::metadata(i).unwrap().len() >= 24));
        for target in (990..1310).step_by(3) {
            let expected = times.iter().position(|&t| t >= target).map(|i| i as i64);
            assert_eq!(
                log.offset_for_time("t", 0, target).unwrap(),
                expected,
                "t={target}"
            );
        }
    }

    #[test]
    fn retention_by_time_deletes_old_closed_segments() {
        let dir = tempfile::tempdir().unwrap();
        let log = EmbeddedLog::open(dir.path(), options(300)).unwrap();
        let config = TopicConfig {
            partitions: 1,
            retention_ms: Some(10_000),
            retention_bytes: None,
        };
        log.create_topic("t", config).unwrap();
        let now = 1_000_000;
        // Old batches, then recent ones; each batch fills most of a segment.
        let value = "v".repeat(200);
        for i in 0..4 {
            log.append("t", 0, vec![rec("k", &value, now - 60_000 + i)], None)
                .unwrap();
        }
        for i in 0..3 {
            log.append("t", 0, vec![rec("k", &value, now - 1000 + i)], None)
                .unwrap();
        }
        assert_eq!(segment_files(&dir.path().join("t/0"), "log").len(), 7);
        log.retain(now).unwrap();
        assert_eq!(log.start_offset("t", 0).unwrap(), 4);
        assert_eq!(segment_files(&dir.path().join("t/0"), "log").len(), 3);
        assert_eq!(offsets(&log.read("t", 0, 0, 10).unwrap()), vec![4, 5, 6]);
        assert_eq!(log.offset_for_time("t", 0, 0).unwrap(), Some(4));
        // The active segment stays even when everything is old.
        log.retain(now + 1_000_000).unwrap();
        assert_eq!(log.start_offset("t", 0).unwrap(), 6);
        assert_eq!(log.end_offset("t", 0).unwrap(), 7);
        drop(log);
        let log = EmbeddedLog::open(dir.path(), options(300)).unwrap();
        assert_eq!(log.start_offset("t", 0).unwrap(), 6);
        assert_eq!(offsets(&log.read("t", 0, 0, 10).unwrap()), vec![6]);
    }

    #[test]
    fn readers_of_one_partition_read_side_by_side() {
        let dir = tempfile::tempdir().unwrap();
        let log = Arc::new(EmbeddedLog::open(dir.path(), EmbeddedLogOptions::default()).unwrap());
        log.create_topic("t", TopicConfig::default()).unwrap();
        for i in 0..300 {
            log.append("t", 0, vec![rec("k", &"v".repeat(100), i)], None)
                .unwrap();
        }
        // Every push query over a stream reads its partition: they must not share a file
        // position (they once did, and read each other's half-read batches).
        let readers: Vec<_> = (0..8)
            .map(|_| {
                let log = log.clone();
                std::thread::spawn(move || {
                    for _ in 0..30 {
                        let records = log.read("t", 0, 0, 1000).unwrap();
                        assert_eq!(offsets(&records), (0..300).collect::<Vec<_>>());
                    }
                })
            })
            .collect();
        for reader in readers {
            reader.join().unwrap();
        }
    }

    #[test]
    fn deleting_records_frees_whole_segments_before_the_offset() {
        let dir = tempfile::tempdir().unwrap();
        let log = EmbeddedLog::open(dir.path(), options(300)).unwrap();
        log.create_topic("t", TopicConfig::default()).unwrap();
        let value = "v".repeat(200);
        for i in 0..5 {
            log.append("t", 0, vec![rec("k", &value, i)], None).unwrap();
        }
        // One record per segment: everything before offset 3 goes.
        log.delete_records_before("t", 0, 3).unwrap();
        assert_eq!(log.start_offset("t", 0).unwrap(), 3);
        assert_eq!(offsets(&log.read("t", 0, 0, 10).unwrap()), vec![3, 4]);
        // The active segment stays, whatever the offset.
        log.delete_records_before("t", 0, 100).unwrap();
        assert_eq!(log.start_offset("t", 0).unwrap(), 4);
        assert_eq!(log.end_offset("t", 0).unwrap(), 5);
        drop(log);
        let log = EmbeddedLog::open(dir.path(), options(300)).unwrap();
        assert_eq!(log.start_offset("t", 0).unwrap(), 4);
    }

    #[test]
    fn retention_by_size_keeps_at_least_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let log = EmbeddedLog::open(dir.path(), options(300)).unwrap();
        let value = "v".repeat(200);
        let batch_len = record_batch::encode(0, &[rec("k", &value, 0)], None)
            .unwrap()
            .len() as u64;
        let config = TopicConfig {
            partitions: 1,
            retention_ms: None,
            retention_bytes: Some(3 * batch_len + 1),
        };
        log.create_topic("t", config).unwrap();
        for i in 0..8 {
            log.append("t", 0, vec![rec("k", &value, i)], None).unwrap();
        }
        log.enforce_retention().unwrap();
        // Eight one-batch segments; deleting down to three would go below the limit.
        assert_eq!(log.start_offset("t", 0).unwrap(), 4);
        assert_eq!(
            offsets(&log.read("t", 0, 0, 100).unwrap()),
            vec![4, 5, 6, 7]
        );
        assert_eq!(segment_files(&dir.path().join("t/0"), "log").len(), 4);
    }

    #[test]
    fn producer_dedupe_survives_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let part = dir.path().join("t/0");
        let seq = |first_sequence| {
            Some(ProducerSequence {
                producer_id: 77,
                first_sequence,
            })
        };
        let batch = |from: usize, n: usize| -> Vec<Record> {
            (from..from + n)
                .map(|i| rec("k", &format!("p{i}"), i as i64))
                .collect()
        };
        {
            let log = EmbeddedLog::open(dir.path(), options(150)).unwrap();
            log.create_topic("t", topic(1)).unwrap();
            assert_eq!(log.append("t", 0, batch(0, 2), seq(0)).unwrap(), 0);
            log.append("t", 0, vec![rec("x", "other", 0)], None)
                .unwrap();
            assert_eq!(log.append("t", 0, batch(2, 2), seq(2)).unwrap(), 3);
            assert!(
                segment_files(&part, "log").len() > 1,
                "the test wants a roll"
            );
        }
        // Twice: with the producer snapshot, then rebuilding from every segment without it.
        for round in 0..2 {
            let log = EmbeddedLog::open(dir.path(), options(150)).unwrap();
            let rx = log.subscribe("t").unwrap();
            let end = log.end_offset("t", 0).unwrap();
            assert_eq!(
                log.append("t", 0, batch(0, 2), seq(0)).unwrap(),
                0,
                "round {round}"
            );
            assert_eq!(log.append("t", 0, batch(2, 2), seq(2)).unwrap(), 3);
            assert_eq!(log.append("t", 0, batch(3, 1), seq(3)).unwrap(), 4);
            assert_eq!(log.end_offset("t", 0).unwrap(), end);
            assert!(!rx.has_changed().unwrap(), "nothing was appended");
            drop(log);
            for snapshot in segment_files(&part, "producers") {
                fs::remove_file(snapshot).unwrap();
            }
        }
        let log = EmbeddedLog::open(dir.path(), options(150)).unwrap();
        // Overlap: 3 is repeated, 4 and 5 are new.
        assert_eq!(log.append("t", 0, batch(3, 3), seq(3)).unwrap(), 4);
        let all = log.read("t", 0, 0, 100).unwrap();
        assert_eq!(
            values(&all),
            vec!["p0", "p1", "other", "p2", "p3", "p4", "p5"]
        );
        drop(log);
        let log = EmbeddedLog::open(dir.path(), options(150)).unwrap();
        assert_eq!(log.append("t", 0, batch(5, 1), seq(5)).unwrap(), 6);
        assert_eq!(log.end_offset("t", 0).unwrap(), 7);
    }

    #[test]
    fn subscribe_counts_appends() {
        let dir = tempfile::tempdir().unwrap();
        let log = EmbeddedLog::open(dir.path(), EmbeddedLogOptions::default()).unwrap();
        log.create_topic("t", topic(2)).unwrap();
        let mut rx = log.subscribe("t").unwrap();
        assert!(!rx.has_changed().unwrap());
        log.append("t", 1, vec![rec("k", "v", 0)], None).unwrap();
        log.append("t", 0, vec![], None).unwrap();
        log.append("t", 0, vec![rec("k", "v", 0)], None).unwrap();
        assert!(rx.has_changed().unwrap());
        assert_eq!(*rx.borrow_and_update(), 2);
        assert!(matches!(
            log.subscribe("nope"),
            Err(LogError::UnknownTopic(_))
        ));
    }

    #[test]
    fn topics_are_validated_created_and_deleted() {
        let dir = tempfile::tempdir().unwrap();
        let log = EmbeddedLog::open(dir.path(), EmbeddedLogOptions::default()).unwrap();
        for bad in ["", "..", "a/b", &"x".repeat(250)] {
            assert!(matches!(
                log.create_topic(bad, topic(1)),
                Err(LogError::InvalidTopicName(_))
            ));
        }
        assert!(matches!(
            log.create_topic("t", topic(0)),
            Err(LogError::NoPartitions)
        ));
        log.create_topic("t", topic(2)).unwrap();
        assert!(matches!(
            log.create_topic("t", topic(1)),
            Err(LogError::TopicExists(_))
        ));
        assert!(matches!(
            log.read("t", 2, 0, 1),
            Err(LogError::UnknownPartition { .. })
        ));
        log.append("t", 1, vec![rec("k", "v", 0)], None).unwrap();
        let rx = log.subscribe("t").unwrap();
        log.delete_topic("t").unwrap();
        assert!(!dir.path().join("t").exists());
        assert!(rx.has_changed().is_err(), "subscribers see the topic go");
        assert!(matches!(
            log.end_offset("t", 0),
            Err(LogError::UnknownTopic(_))
        ));
        assert!(matches!(
            log.delete_topic("t"),
            Err(LogError::UnknownTopic(_))
        ));
        log.create_topic("t", topic(1)).unwrap();
        assert_eq!(log.end_offset("t", 0).unwrap(), 0);
        // A directory without topic.json is not a topic.
        fs::create_dir_all(dir.path().join("half/0")).unwrap();
        drop(log);
        let log = EmbeddedLog::open(dir.path(), EmbeddedLogOptions::default()).unwrap();
        assert_eq!(log.list_topics(), vec!["t"]);
        log.create_topic("half", topic(1)).unwrap();
    }

    #[test]
    fn fsync_policies_append_and_sync() {
        for fsync in [
            FsyncPolicy::Always,
            FsyncPolicy::Interval(Duration::ZERO),
            FsyncPolicy::Never,
        ] {
            let dir = tempfile::tempdir().unwrap();
            let log = EmbeddedLog::open(
                dir.path(),
                EmbeddedLogOptions {
                    fsync,
                    segment_bytes: 200,
                },
            )
            .unwrap();
            log.create_topic("t", topic(1)).unwrap();
            for i in 0..5 {
                assert_eq!(
                    log.append("t", 0, vec![rec("k", &"v".repeat(100), i)], None)
                        .unwrap(),
                    i
                );
            }
            assert_eq!(log.read("t", 0, 0, 10).unwrap().len(), 5);
        }
    }

    #[test]
    fn concurrent_appends_get_distinct_offsets() {
        let dir = tempfile::tempdir().unwrap();
        let log = Arc::new(EmbeddedLog::open(dir.path(), options(4096)).unwrap());
        log.create_topic("t", topic(2)).unwrap();
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let log = Arc::clone(&log);
                std::thread::spawn(move || {
                    for i in 0..50 {
                        log.append("t", t % 2, vec![rec("k", &format!("{t}-{i}"), i)], None)
                            .unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        for partition in 0..2 {
            let all = log.read("t", partition, 0, 1000).unwrap();
            assert_eq!(offsets(&all), (0..100).collect::<Vec<i64>>());
        }
    }
}
