//! Committed progress of persistent queries, kept in an internal topic of the log.
//!
//! A commit records, for one query, the next input offset of every source partition, the
//! next producer sequence of every sink partition and, for a stateful query, where its
//! changelog stood. The topic is read once at start; the last commit of each query wins.
//! Because sink appends carry the query's producer sequence, output written after the last
//! commit and written again on restart is recognised by the log as a duplicate, so a
//! restart neither loses nor repeats output.
//!
//! That needs the output written again to be the output written before. A query whose
//! output depends on where its batches start and end (an aggregation coalescing a batch's
//! updates) therefore notes each round's input ends before writing its output
//! ([`RoundJournal`]): a commit with `round_ends`. A restart that finds one re-reads the
//! round to exactly those ends.
//!
//! A query commits every round, so the topic grows by a record or two per round; every
//! [`SNAPSHOT_EVERY`] commits the store appends the last commit of every query again and
//! deletes what came before (whole segments, as the log deletes), so the topic, and the
//! reading of it at start, stay bounded.

use bytes::Bytes;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use super::repartition::RepartitionProgress;
use super::{RuntimeError, RuntimeResult};
use crate::log::{Log, Record, TopicConfig};

/// The internal topic holding commits.
pub const OFFSETS_TOPIC: &str = "_sluice_query_offsets";

/// Commits between two snapshots of every query's last commit.
const SNAPSHOT_EVERY: usize = 10_000;

/// One query's committed progress.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commit {
    /// Source topic → partition → next offset to read.
    pub positions: BTreeMap<String, BTreeMap<u32, i64>>,
    /// Sink partition → next producer sequence.
    pub sequences: BTreeMap<u32, i32>,
    /// Changelog topic → how far the query's state had been written (stateful queries).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub changelogs: BTreeMap<String, ChangelogPosition>,
    /// Source topic → partition → where the round in progress ends: set while a round
    /// whose output depends on its bounds runs, for a restart to replay it as it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub round_ends: Option<BTreeMap<String, BTreeMap<u32, i64>>>,
    /// Repartition topic → where the join side rewritten to it stands (joins that
    /// repartition a side).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub repartitions: BTreeMap<String, RepartitionProgress>,
}

/// Where a state store's changelog stood at a commit: a restart restores the state from the
/// records before `end_offset` and appends on from `next_sequence`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangelogPosition {
    pub end_offset: i64,
    pub next_sequence: i32,
}

/// Reads and writes commits.
pub struct OffsetStore {
    log: Arc<dyn Log>,
    committed: HashMap<String, Commit>,
    /// Commits written since the last snapshot.
    since_snapshot: usize,
    /// Commits between two snapshots.
    snapshot_every: usize,
}

impl OffsetStore {
    /// Opens the store, creating its topic on first use and loading every commit.
    pub fn open(log: Arc<dyn Log>) -> RuntimeResult<Self> {
        if log.topic_config(OFFSETS_TOPIC).is_none() {
            log.create_topic(OFFSETS_TOPIC, TopicConfig::default())?;
        }
        let mut committed = HashMap::new();
        let mut offset = log.start_offset(OFFSETS_TOPIC, 0)?;
        loop {
            let records = log.read(OFFSETS_TOPIC, 0, offset, 4096)?;
            let Some(last) = records.last() else { break };
            offset = last.offset + 1;
            for stored in records {
                let Some(key) = stored.record.key else {
                    continue;
                };
                let query = String::from_utf8_lossy(&key).into_owned();
                match stored.record.value {
                    Some(value) => {
                        let commit = serde_json::from_slice(&value).map_err(|e| {
                            RuntimeError::BadCommit {
                                query: query.clone(),
                                reason: e.to_string(),
                            }
                        })?;
                        committed.insert(query, commit);
                    }
                    None => {
                        committed.remove(&query);
                    }
                }
            }
        }
        Ok(OffsetStore {
            log,
            committed,
            since_snapshot: 0,
            snapshot_every: SNAPSHOT_EVERY,
        })
    }

    /// The last commit of a query, if it has one.
    pub fn get(&self, query: &str) -> Option<&Commit> {
        self.committed.get(query)
    }

    /// Durably records a query's progress.
    pub fn commit(&mut self, query: &str, commit: Commit) -> RuntimeResult<()> {
        let record = commit_record(query, &commit)?;
        self.log.append(OFFSETS_TOPIC, 0, vec![record], None)?;
        self.committed.insert(query.to_string(), commit);
        self.since_snapshot += 1;
        if self.since_snapshot >= self.snapshot_every {
            self.snapshot()?;
        }
        Ok(())
    }

    /// Appends every query's last commit, then deletes the records before them.
    fn snapshot(&mut self) -> RuntimeResult<()> {
        let records = self
            .committed
            .iter()
            .map(|(query, commit)| commit_record(query, commit))
            .collect::<RuntimeResult<Vec<_>>>()?;
        let first = if records.is_empty() {
            self.log.end_offset(OFFSETS_TOPIC, 0)?
        } else {
            self.log.append(OFFSETS_TOPIC, 0, records, None)?
        };
        self.log.delete_records_before(OFFSETS_TOPIC, 0, first)?;
        self.since_snapshot = 0;
        Ok(())
    }

    /// Forgets a terminated query.
    pub fn remove(&mut self, query: &str) -> RuntimeResult<()> {
        if self.committed.remove(query).is_some() {
            self.log.append(
                OFFSETS_TOPIC,
                0,
                vec![Record {
                    key: Some(Bytes::copy_from_slice(query.as_bytes())),
                    value: None,
                    timestamp: now_millis(),
                    headers: Vec::new(),
                }],
                None,
            )?;
        }
        Ok(())
    }
}

/// A commit as the topic holds it: the query id as key, the commit as JSON.
fn commit_record(query: &str, commit: &Commit) -> RuntimeResult<Record> {
    let value = serde_json::to_vec(commit).map_err(|e| RuntimeError::BadCommit {
        query: query.to_string(),
        reason: e.to_string(),
    })?;
    Ok(Record {
        key: Some(Bytes::copy_from_slice(query.as_bytes())),
        value: Some(Bytes::from(value)),
        timestamp: now_millis(),
        headers: Vec::new(),
    })
}

/// Notes where a query's rounds end before their output is written (see the module doc).
#[derive(Clone)]
pub struct RoundJournal {
    store: Arc<Mutex<OffsetStore>>,
    query: String,
}

impl RoundJournal {
    pub fn new(store: Arc<Mutex<OffsetStore>>, query: &str) -> Self {
        RoundJournal {
            store,
            query: query.to_string(),
        }
    }

    /// Durably records `progress`, the query's last commit with the ends of the round it
    /// starts.
    pub fn begin_round(&self, progress: Commit) -> RuntimeResult<()> {
        self.store
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .commit(&self.query, progress)
    }
}

/// Wall-clock milliseconds since the epoch.
pub fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::memory::MemoryLog;

    fn commit_at(offset: i64) -> Commit {
        Commit {
            positions: BTreeMap::from([("in".to_string(), BTreeMap::from([(0, offset)]))]),
            ..Commit::default()
        }
    }

    #[test]
    fn snapshots_keep_the_topic_short_and_every_last_commit() {
        let log: Arc<dyn Log> = Arc::new(MemoryLog::new());
        let mut store = OffsetStore::open(log.clone()).unwrap();
        store.snapshot_every = 10;
        store.commit("q1", commit_at(1)).unwrap();
        store.commit("q3", commit_at(3)).unwrap();
        store.remove("q3").unwrap();
        for offset in 0..95 {
            store.commit("q2", commit_at(offset)).unwrap();
        }
        let (start, end) = (
            log.start_offset(OFFSETS_TOPIC, 0).unwrap(),
            log.end_offset(OFFSETS_TOPIC, 0).unwrap(),
        );
        assert!(start > 0 && end - start <= 12, "{start}..{end}");

        let reopened = OffsetStore::open(log).unwrap();
        assert_eq!(reopened.get("q1"), Some(&commit_at(1)));
        assert_eq!(reopened.get("q2"), Some(&commit_at(94)));
        assert_eq!(reopened.get("q3"), None);
    }
}
