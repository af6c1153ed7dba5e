//! `MemoryLog`: the [`Log`] kept in memory, for tests and the QTT runner.
//!
//! It follows the embedded log's contract (offsets, producer deduplication, time lookups,
//! change notification) without files or record batches. It also numbers every append across
//! all partitions, so that a test can read a topic back in exactly the order its records were
//! written ([`MemoryLog::records_in_append_order`]). Retention honors `retention_ms` by dropping
//! the oldest records of a partition; `retention_bytes` is ignored (nothing here is on disk).

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};
use std::time::{SystemTime, UNIX_EPOCH};

use tokio::sync::watch;

use super::producer_state::ProducerState;
use super::{
    Log, LogError, LogResult, ProducerSequence, Record, StoredRecord, TopicConfig, topic_name,
};

/// A [`Log`] held in memory.
#[derive(Debug, Default)]
pub struct MemoryLog {
    topics: RwLock<BTreeMap<String, Arc<Topic>>>,
    /// Numbers appended records across all topics and partitions, in append order.
    append_sequence: AtomicU64,
}

#[derive(Debug)]
struct Topic {
    config: TopicConfig,
    /// `None` once the topic is deleted, so that a caller still holding the topic fails.
    partitions: Vec<Mutex<Option<Partition>>>,
    /// Counts appends to the topic, for [`Log::subscribe`].
    appended: watch::Sender<u64>,
}

#[derive(Debug, Default)]
struct Partition {
    /// Records from `start_offset` on, one per offset.
    entries: VecDeque<Entry>,
    start_offset: i64,
    producers: ProducerState,
}

#[derive(Debug)]
struct Entry {
    /// Position in the log-wide append order.
    sequence: u64,
    /// Producer id and sequence number the record was appended with, if any.
    producer: Option<(i64, i64)>,
    record: StoredRecord,
}

impl Partition {
    fn end_offset(&self) -> i64 {
        self.start_offset + self.entries.len() as i64
    }

    /// Where the record `producer_id` appended with `sequence` is, if it is still held.
    fn locate(&self, producer_id: i64, sequence: i64) -> Option<i64> {
        self.entries
            .iter()
            .rev()
            .find(|e| e.producer == Some((producer_id, sequence)))
            .map(|e| e.record.offset)
    }
}

impl MemoryLog {
    /// An empty log.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every record of `topic`, across partitions, in the order the appends happened.
    ///
    /// Meant for tests at rest: appends racing with this call may be seen in one partition
    /// and not in another.
    pub fn records_in_append_order(&self, topic: &str) -> LogResult<Vec<StoredRecord>> {
        let topic_state = self.topic(topic)?;
        let mut entries = Vec::new();
        for partition in &topic_state.partitions {
            let guard = lock(partition);
            let p = guard
                .as_ref()
                .ok_or_else(|| LogError::UnknownTopic(topic.to_string()))?;
            entries.extend(p.entries.iter().map(|e| (e.sequence, e.record.clone())));
        }
        entries.sort_by_key(|(sequence, _)| *sequence);
        Ok(entries.into_iter().map(|(_, record)| record).collect())
    }

    fn topic(&self, name: &str) -> LogResult<Arc<Topic>> {
        let topics = self.topics.read().unwrap_or_else(PoisonError::into_inner);
        topics
            .get(name)
            .cloned()
            .ok_or_else(|| LogError::UnknownTopic(name.to_string()))
    }

    /// Runs `f` on a partition of a live topic.
    fn with_partition<T>(
        &self,
        topic: &str,
        partition: u32,
        f: impl FnOnce(&mut Partition) -> T,
    ) -> LogResult<T> {
        on_partition(&*self.topic(topic)?, topic, partition, f)
    }

    fn retain(&self, now_ms: i64) {
        let topics: Vec<Arc<Topic>> = {
            let topics = self.topics.read().unwrap_or_else(PoisonError::into_inner);
            topics.values().cloned().collect()
        };
        for topic in topics {
            // Kafka: a negative retention.ms means no limit.
            let Some(retention_ms) = topic.config.retention_ms.filter(|ms| *ms >= 0) else {
                continue;
            };
            let cutoff = now_ms.saturating_sub(retention_ms);
            for slot in &topic.partitions {
                if let Some(p) = lock(slot).as_mut() {
                    while p
                        .entries
                        .front()
                        .is_some_and(|e| e.record.record.timestamp < cutoff)
                    {
                        p.entries.pop_front();
                        p.start_offset += 1;
                    }
                }
            }
        }
    }
}

fn on_partition<T>(
    topic: &Topic,
    name: &str,
    partition: u32,
    f: impl FnOnce(&mut Partition) -> T,
) -> LogResult<T> {
    let slot =
        topic
            .partitions
            .get(partition as usize)
            .ok_or_else(|| LogError::UnknownPartition {
                topic: name.to_string(),
                partition,
            })?;
    let mut guard = lock(slot);
    let p = guard
        .as_mut()
        .ok_or_else(|| LogError::UnknownTopic(name.to_string()))?;
    Ok(f(p))
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Log for MemoryLog {
    fn create_topic(&self, name: &str, config: TopicConfig) -> LogResult<()> {
        topic_name::validate(name)?;
        if config.partitions == 0 {
            return Err(LogError::NoPartitions);
        }
        let mut topics = self.topics.write().unwrap_or_else(PoisonError::into_inner);
        if topics.contains_key(name) {
            return Err(LogError::TopicExists(name.to_string()));
        }
        let partitions = (0..config.partitions)
            .map(|_| Mutex::new(Some(Partition::default())))
            .collect();
        let (appended, _) = watch::channel(0);
        topics.insert(
            name.to_string(),
            Arc::new(Topic {
                config,
                partitions,
                appended,
            }),
        );
        Ok(())
    }

    fn delete_topic(&self, name: &str) -> LogResult<()> {
        let mut topics = self.topics.write().unwrap_or_else(PoisonError::into_inner);
        let topic = topics
            .remove(name)
            .ok_or_else(|| LogError::UnknownTopic(name.to_string()))?;
        for slot in &topic.partitions {
            lock(slot).take();
        }
        Ok(())
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
        let (offset, appended) = on_partition(&t, topic, partition, |p| {
            let count = records.len();
            let skip = producer.map_or(0, |s| p.producers.duplicates(s, count));
            let base = p.end_offset();
            // Where the first record is (or, when repeated, was; its own offset when the
            // repeat is no longer held).
            let first = match producer {
                Some(s) if skip > 0 => p
                    .locate(s.producer_id, i64::from(s.first_sequence))
                    .unwrap_or(base),
                _ => base,
            };
            for (i, record) in records.into_iter().enumerate().skip(skip) {
                let sequence = self.append_sequence.fetch_add(1, Ordering::Relaxed);
                let producer =
                    producer.map(|s| (s.producer_id, i64::from(s.first_sequence) + i as i64));
                let offset = p.end_offset();
                p.entries.push_back(Entry {
                    sequence,
                    producer,
                    record: StoredRecord {
                        partition,
                        offset,
                        record,
                    },
                });
            }
            if let Some(s) = producer.filter(|_| skip < count) {
                p.producers.accept(
                    s.producer_id,
                    i64::from(s.first_sequence) + count as i64 - 1,
                );
            }
            (first, skip < count)
        })?;
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
        self.with_partition(topic, partition, |p| {
            let skip = usize::try_from(offset - p.start_offset).unwrap_or(0);
            p.entries
                .iter()
                .skip(skip)
                .take(max_records)
                .map(|e| e.record.clone())
                .collect()
        })
    }

    fn end_offset(&self, topic: &str, partition: u32) -> LogResult<i64> {
        self.with_partition(topic, partition, |p| p.end_offset())
    }

    fn start_offset(&self, topic: &str, partition: u32) -> LogResult<i64> {
        self.with_partition(topic, partition, |p| p.start_offset)
    }

    fn offset_for_time(
        &self,
        topic: &str,
        partition: u32,
        timestamp: i64,
    ) -> LogResult<Option<i64>> {
        self.with_partition(topic, partition, |p| {
            p.entries
                .iter()
                .find(|e| e.record.record.timestamp >= timestamp)
                .map(|e| e.record.offset)
        })
    }

    fn subscribe(&self, topic: &str) -> LogResult<watch::Receiver<u64>> {
        Ok(self.topic(topic)?.appended.subscribe())
    }

    fn enforce_retention(&self) -> LogResult<()> {
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        self.retain(now_ms);
        Ok(())
    }

    fn delete_records_before(&self, topic: &str, partition: u32, offset: i64) -> LogResult<()> {
        self.with_partition(topic, partition, |p| {
            while p.start_offset < offset && p.entries.pop_front().is_some() {
                p.start_offset += 1;
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn rec(value: &str, timestamp: i64) -> Record {
        Record {
            value: Some(Bytes::copy_from_slice(value.as_bytes())),
            timestamp,
            ..Record::default()
        }
    }

    fn values(records: &[StoredRecord]) -> Vec<String> {
        records
            .iter()
            .map(|r| String::from_utf8_lossy(r.record.value.as_deref().unwrap_or_default()).into())
            .collect()
    }

    fn log_with(topic: &str, partitions: u32) -> MemoryLog {
        let log = MemoryLog::new();
        log.create_topic(
            topic,
            TopicConfig {
                partitions,
                ..TopicConfig::default()
            },
        )
        .unwrap();
        log
    }

    #[test]
    fn reads_back_in_append_order_across_partitions() {
        let log = log_with("t", 3);
        log.append("t", 2, vec![rec("a", 1)], None).unwrap();
        log.append("t", 0, vec![rec("b", 2), rec("c", 3)], None)
            .unwrap();
        log.append("t", 1, vec![rec("d", 4)], None).unwrap();
        log.append("t", 2, vec![rec("e", 5)], None).unwrap();
        let all = log.records_in_append_order("t").unwrap();
        assert_eq!(values(&all), vec!["a", "b", "c", "d", "e"]);
        let positions: Vec<(u32, i64)> = all.iter().map(|r| (r.partition, r.offset)).collect();
        assert_eq!(positions, vec![(2, 0), (0, 0), (0, 1), (1, 0), (2, 1)]);
    }

    #[test]
    fn offsets_reads_and_times() {
        let log = log_with("t", 1);
        assert_eq!(
            log.append("t", 0, vec![rec("a", 10), rec("b", 30)], None)
                .unwrap(),
            0
        );
        assert_eq!(log.append("t", 0, vec![rec("c", 20)], None).unwrap(), 2);
        assert_eq!(log.append("t", 0, vec![], None).unwrap(), 3);
        assert_eq!(log.end_offset("t", 0).unwrap(), 3);
        assert_eq!(values(&log.read("t", 0, 1, 10).unwrap()), vec!["b", "c"]);
        assert_eq!(values(&log.read("t", 0, 0, 1).unwrap()), vec!["a"]);
        assert!(log.read("t", 0, 3, 10).unwrap().is_empty());
        assert_eq!(log.offset_for_time("t", 0, 15).unwrap(), Some(1));
        assert_eq!(log.offset_for_time("t", 0, 31).unwrap(), None);
        assert!(matches!(
            log.read("t", 1, 0, 1),
            Err(LogError::UnknownPartition { .. })
        ));
        assert!(matches!(
            log.read("u", 0, 0, 1),
            Err(LogError::UnknownTopic(_))
        ));
    }

    #[test]
    fn producer_duplicates_are_dropped() {
        let log = log_with("t", 1);
        let p = |first_sequence| {
            Some(ProducerSequence {
                producer_id: 9,
                first_sequence,
            })
        };
        log.append("t", 0, vec![rec("x", 0)], None).unwrap();
        assert_eq!(
            log.append("t", 0, vec![rec("a", 1), rec("b", 2)], p(0))
                .unwrap(),
            1
        );
        log.append("t", 0, vec![rec("y", 0)], None).unwrap();
        // A retry of the first append is dropped and reports where it went.
        assert_eq!(
            log.append("t", 0, vec![rec("a", 1), rec("b", 2)], p(0))
                .unwrap(),
            1
        );
        // An overlapping append keeps only its new record.
        assert_eq!(
            log.append("t", 0, vec![rec("b", 2), rec("c", 3)], p(1))
                .unwrap(),
            2
        );
        let all = log.read("t", 0, 0, 10).unwrap();
        assert_eq!(values(&all), vec!["x", "a", "b", "y", "c"]);
    }

    #[test]
    fn retention_by_time_moves_start_offset() {
        let log = MemoryLog::new();
        let config = TopicConfig {
            partitions: 1,
            retention_ms: Some(1000),
            retention_bytes: None,
        };
        log.create_topic("t", config).unwrap();
        log.append(
            "t",
            0,
            vec![rec("old", 1000), rec("new", 9500), rec("old2", 1)],
            None,
        )
        .unwrap();
        log.retain(10_000);
        assert_eq!(log.start_offset("t", 0).unwrap(), 1);
        assert_eq!(
            values(&log.read("t", 0, 0, 10).unwrap()),
            vec!["new", "old2"]
        );
        assert_eq!(log.end_offset("t", 0).unwrap(), 3);
    }

    #[test]
    fn deleting_records_moves_the_start_offset() {
        let log = MemoryLog::new();
        log.create_topic("t", TopicConfig::default()).unwrap();
        for i in 0..4 {
            log.append("t", 0, vec![rec(&i.to_string(), i)], None)
                .unwrap();
        }
        log.delete_records_before("t", 0, 2).unwrap();
        assert_eq!(log.start_offset("t", 0).unwrap(), 2);
        assert_eq!(values(&log.read("t", 0, 0, 10).unwrap()), ["2", "3"]);
        log.delete_records_before("t", 0, 100).unwrap();
        assert_eq!(log.start_offset("t", 0).unwrap(), 4);
        assert_eq!(log.end_offset("t", 0).unwrap(), 4);
    }

    #[test]
    fn subscribe_sees_appends_and_delete_ends_topic() {
        let log = log_with("t", 1);
        let mut rx = log.subscribe("t").unwrap();
        log.append("t", 0, vec![rec("a", 1)], None).unwrap();
        assert!(rx.has_changed().unwrap());
        assert_eq!(*rx.borrow_and_update(), 1);
        log.delete_topic("t").unwrap();
        assert!(rx.has_changed().is_err());
        assert!(log.list_topics().is_empty());
        assert!(matches!(
            log.end_offset("t", 0),
            Err(LogError::UnknownTopic(_))
        ));
    }

    #[test]
    fn topic_management() {
        let log = MemoryLog::new();
        assert!(matches!(
            log.create_topic("bad name", TopicConfig::default()),
            Err(LogError::InvalidTopicName(_))
        ));
        let none = TopicConfig {
            partitions: 0,
            ..TopicConfig::default()
        };
        assert!(matches!(
            log.create_topic("t", none),
            Err(LogError::NoPartitions)
        ));
        log.create_topic("b", TopicConfig::default()).unwrap();
        log.create_topic("a", TopicConfig::default()).unwrap();
        assert!(matches!(
            log.create_topic("a", TopicConfig::default()),
            Err(LogError::TopicExists(_))
        ));
        assert_eq!(log.list_topics(), vec!["a", "b"]);
        assert_eq!(log.topic_config("a"), Some(TopicConfig::default()));
        assert_eq!(log.topic_config("c"), None);
    }
}
