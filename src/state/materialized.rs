//! A queryable table's current rows, as pull queries read them.
//!
//! A table's topic is its changelog: the latest record of a key is the key's row, and a
//! record without a value deletes it. A [`MaterializedTable`] keeps the latest record of
//! every live key in key-byte order (the order of a state store) and catches up with the
//! topic before each read, so a pull query costs the records written since the last one
//! plus its lookups, not a read of the whole topic. The topic stays the one source of
//! truth: after a restart, or once retention or a re-created topic moves offsets back,
//! the table is rebuilt from it.

use bytes::Bytes;
use std::collections::BTreeMap;

use crate::log::{Log, LogResult, StoredRecord};

/// Records read from the log per call while catching up.
const READ_BATCH: usize = 4096;

/// The live rows of one table topic.
#[derive(Debug)]
pub struct MaterializedTable {
    topic: String,
    /// The next offset to read, per partition.
    next: Vec<i64>,
    /// The latest record of each live key, by key bytes.
    rows: BTreeMap<Bytes, StoredRecord>,
}

impl MaterializedTable {
    pub fn new(topic: impl Into<String>) -> Self {
        MaterializedTable {
            topic: topic.into(),
            next: Vec::new(),
            rows: BTreeMap::new(),
        }
    }

    pub fn topic(&self) -> &str {
        &self.topic
    }

    /// Applies what the topic gained since the last call.
    pub fn catch_up(&mut self, log: &dyn Log) -> LogResult<()> {
        let partitions = log
            .topic_config(&self.topic)
            .ok_or_else(|| crate::log::LogError::UnknownTopic(self.topic.clone()))?
            .partitions as usize;
        let mut rebuild = partitions != self.next.len();
        for (partition, next) in self.next.iter().enumerate() {
            let partition = partition as u32;
            // Retention dropped records not read yet, or the topic was re-created: what
            // was applied may no longer be the topic's content.
            rebuild |= log.start_offset(&self.topic, partition)? > *next
                || log.end_offset(&self.topic, partition)? < *next;
        }
        if rebuild {
            self.rows.clear();
            self.next = (0..partitions as u32)
                .map(|p| log.start_offset(&self.topic, p))
                .collect::<LogResult<_>>()?;
        }
        for partition in 0..partitions {
            let end = log.end_offset(&self.topic, partition as u32)?;
            while self.next[partition] < end {
                let records = log.read(
                    &self.topic,
                    partition as u32,
                    self.next[partition],
                    READ_BATCH,
                )?;
                let Some(last) = records.last() else { break };
                self.next[partition] = last.offset + 1;
                for stored in records {
                    self.apply(stored);
                }
            }
        }
        Ok(())
    }

    fn apply(&mut self, stored: StoredRecord) {
        let Some(key) = &stored.record.key else {
            // A table row without a key has no identity: nothing to keep.
            return;
        };
        if stored.record.value.is_none() {
            self.rows.remove(key);
        } else {
            self.rows.insert(key.clone(), stored);
        }
    }

    /// The row of one key.
    pub fn get(&self, key: &[u8]) -> Option<&StoredRecord> {
        self.rows.get(key)
    }

    /// The rows of a windowed table whose key, without its `window_bytes` long window
    /// suffix, is `key`: that key's windows, by window start.
    pub fn windows_of<'a>(
        &'a self,
        key: &'a [u8],
        window_bytes: usize,
    ) -> impl Iterator<Item = &'a StoredRecord> + 'a {
        self.rows
            .range::<[u8], _>((std::ops::Bound::Included(key), std::ops::Bound::Unbounded))
            .take_while(move |(k, _)| k.starts_with(key))
            .filter(move |(k, _)| k.len() == key.len() + window_bytes)
            .map(|(_, row)| row)
    }

    /// Every row, in key order.
    pub fn rows(&self) -> impl Iterator<Item = &StoredRecord> {
        self.rows.values()
    }

    /// The number of live rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::memory::MemoryLog;
    use crate::log::{Record, TopicConfig};

    fn record(key: &[u8], value: Option<&[u8]>) -> Record {
        Record {
            key: Some(Bytes::copy_from_slice(key)),
            value: value.map(Bytes::copy_from_slice),
            timestamp: 0,
            headers: Vec::new(),
        }
    }

    fn values(table: &MaterializedTable) -> Vec<(Vec<u8>, Vec<u8>)> {
        table
            .rows()
            .map(|r| {
                (
                    r.record.key.as_deref().unwrap().to_vec(),
                    r.record.value.as_deref().unwrap().to_vec(),
                )
            })
            .collect()
    }

    #[test]
    fn keeps_the_latest_row_per_key_and_drops_deleted_keys() {
        let log = MemoryLog::new();
        log.create_topic("t", TopicConfig::default()).unwrap();
        log.append(
            "t",
            0,
            vec![
                record(b"b", Some(b"1")),
                record(b"a", Some(b"2")),
                record(b"b", Some(b"3")),
            ],
            None,
        )
        .unwrap();
        let mut table = MaterializedTable::new("t");
        table.catch_up(&log).unwrap();
        assert_eq!(
            values(&table),
            vec![
                (b"a".to_vec(), b"2".to_vec()),
                (b"b".to_vec(), b"3".to_vec())
            ]
        );

        // Only what was appended since is read; a tombstone deletes its key.
        log.append(
            "t",
            0,
            vec![record(b"a", None), record(b"c", Some(b"4"))],
            None,
        )
        .unwrap();
        table.catch_up(&log).unwrap();
        assert_eq!(
            values(&table),
            vec![
                (b"b".to_vec(), b"3".to_vec()),
                (b"c".to_vec(), b"4".to_vec())
            ]
        );
        assert_eq!(table.get(b"c").unwrap().offset, 4);
        assert!(table.get(b"a").is_none());
    }

    #[test]
    fn finds_the_windows_of_a_key_and_not_of_keys_it_prefixes() {
        let log = MemoryLog::new();
        log.create_topic("w", TopicConfig::default()).unwrap();
        let windowed = |key: &[u8], start: i64| {
            let mut bytes = key.to_vec();
            bytes.extend_from_slice(&start.to_be_bytes());
            record(&bytes, Some(key))
        };
        log.append(
            "w",
            0,
            vec![windowed(b"1", 0), windowed(b"10", 0), windowed(b"1", 1000)],
            None,
        )
        .unwrap();
        let mut table = MaterializedTable::new("w");
        table.catch_up(&log).unwrap();
        let found: Vec<i64> = table.windows_of(b"1", 8).map(|r| r.offset).collect();
        assert_eq!(found, vec![0, 2]);
    }

    #[test]
    fn rebuilds_when_the_topic_is_recreated() {
        let log = MemoryLog::new();
        log.create_topic("t", TopicConfig::default()).unwrap();
        log.append(
            "t",
            0,
            vec![record(b"a", Some(b"1")), record(b"b", Some(b"2"))],
            None,
        )
        .unwrap();
        let mut table = MaterializedTable::new("t");
        table.catch_up(&log).unwrap();
        log.delete_topic("t").unwrap();
        log.create_topic("t", TopicConfig::default()).unwrap();
        log.append("t", 0, vec![record(b"c", Some(b"3"))], None)
            .unwrap();
        table.catch_up(&log).unwrap();
        assert_eq!(values(&table), vec![(b"c".to_vec(), b"3".to_vec())]);
    }
}
