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

use bytes::Bytes;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use super::{RuntimeError, RuntimeResult};
use crate::log::{Log, Record, TopicConfig};

/// The internal topic holding commits.
pub const OFFSETS_TOPIC: &str = "_sluice_query_offsets";

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
        Ok(OffsetStore { log, committed })
    }

    /// The last commit of a query, if it has one.
    pub fn get(&self, query: &str) -> Option<&Commit> {
        self.committed.get(query)
    }

    /// Durably records a query's progress.
    pub fn commit(&mut self, query: &str, commit: Commit) -> RuntimeResult<()> {
        let value = serde_json::to_vec(&commit).map_err(|e| RuntimeError::BadCommit {
            query: query.to_string(),
            reason: e.to_string(),
        })?;
        self.log.append(
            OFFSETS_TOPIC,
            0,
            vec![Record {
                key: Some(Bytes::copy_from_slice(query.as_bytes())),
                value: Some(Bytes::from(value)),
                timestamp: now_millis(),
                headers: Vec::new(),
            }],
            None,
        )?;
        self.committed.insert(query.to_string(), commit);
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
