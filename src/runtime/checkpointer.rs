//! Takes state checkpoints of persistent queries beside them, and restores state from
//! checkpoint plus changelog tail when a query starts again.
//!
//! After a commit, once the interval has passed since a query's last checkpoint, each of its
//! stateful operators' changelogs is checkpointed up to the changelog end that commit
//! recorded: the previous checkpoint and the changelog records after it are compacted into a
//! new one (`state::checkpoint`), and the changelog is then deleted up to the oldest
//! checkpoint kept. Only the log and the checkpoint files are read, so the query keeps
//! running meanwhile: on a blocking thread when queries run on tokio, inline in
//! deterministic mode.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::log::{Log, StoredRecord};
use crate::state::checkpoint::{CheckpointDir, CheckpointError};
use crate::state::{Expiry, StateError, StateStore};

/// Changelog records read at a time.
const READ_BATCH: usize = 4096;

/// Where checkpoints are kept and how often they are taken.
#[derive(Debug, Clone)]
pub struct CheckpointConfig {
    pub dir: PathBuf,
    /// The least time between two checkpoints of a query; zero checkpoints at every commit.
    pub interval: Duration,
}

/// One stateful operator's changelog, as a checkpoint needs it.
#[derive(Debug, Clone)]
pub struct ChangelogToCheckpoint {
    pub topic: String,
    pub expiry: Expiry,
    /// The changelog end of the query's last commit.
    pub end: i64,
}

/// Why a checkpoint could not be taken or state could not be restored.
#[derive(Debug, thiserror::Error)]
pub enum CheckpointerError {
    #[error(transparent)]
    Runtime(#[from] super::RuntimeError),
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
    #[error(transparent)]
    State(#[from] StateError),
    #[error(
        "The state in {topic} cannot be restored: its changelog starts at offset {start} \
         and no checkpoint reaches that far"
    )]
    Truncated { topic: String, start: i64 },
}

/// Checkpoints of every query of an engine.
pub struct Checkpointer {
    dir: CheckpointDir,
    interval: Duration,
    log: Arc<dyn Log>,
    /// When each query's last checkpoint was started.
    last: Mutex<HashMap<String, Instant>>,
    /// Queries with a checkpoint being taken on a blocking thread.
    running: Arc<Mutex<HashSet<String>>>,
}

impl Checkpointer {
    pub fn new(config: &CheckpointConfig, log: Arc<dyn Log>) -> Checkpointer {
        Checkpointer {
            dir: CheckpointDir::new(&config.dir),
            interval: config.interval,
            log,
            last: Mutex::default(),
            running: Arc::default(),
        }
    }

    /// Called after query `id` committed: takes a checkpoint of `changelogs` if one is due,
    /// in the background when `background`.
    pub fn after_commit(&self, id: &str, changelogs: Vec<ChangelogToCheckpoint>, background: bool) {
        if changelogs.is_empty() {
            return;
        }
        let now = Instant::now();
        {
            let mut last = self.last.lock().unwrap_or_else(PoisonError::into_inner);
            if last
                .get(id)
                .is_some_and(|started| now.duration_since(*started) < self.interval)
            {
                return;
            }
            let mut running = self.running.lock().unwrap_or_else(PoisonError::into_inner);
            if !running.insert(id.to_string()) {
                return;
            }
            last.insert(id.to_string(), now);
        }
        let job = CheckpointJob {
            dir: self.dir.clone(),
            log: self.log.clone(),
            changelogs,
        };
        let running = self.running.clone();
        let id = id.to_string();
        let finish = move || {
            if let Err(e) = job.run() {
                tracing::warn!(query_id = %id, error = %e, "state checkpoint failed");
            }
            running
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .remove(&id);
        };
        match tokio::runtime::Handle::try_current() {
            Ok(handle) if background => {
                handle.spawn_blocking(finish);
            }
            _ => finish(),
        }
    }

    /// Rebuilds `state` from its newest checkpoint at or before `end` and the changelog
    /// records after it, up to `end`.
    pub fn restore(&self, state: &mut dyn StateStore, end: i64) -> Result<(), CheckpointerError> {
        let topic = state.changelog_topic().to_string();
        let from = match self.dir.latest(&topic, end)? {
            Some(checkpoint) => {
                for record in &checkpoint.records {
                    state.restore(record)?;
                }
                checkpoint.offset
            }
            None => 0,
        };
        replay(self.log.as_ref(), state, &topic, from, end)
    }

    /// Forgets the checkpoints of a terminated query's changelog.
    pub fn remove(&self, id: &str, topic: &str) -> Result<(), CheckpointerError> {
        self.last
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(id);
        Ok(self.dir.remove(topic)?)
    }
}

/// Rebuilds `state` from the changelog records in `from..end`; fails if the changelog no
/// longer holds `from`.
pub fn replay(
    log: &dyn Log,
    state: &mut dyn StateStore,
    topic: &str,
    from: i64,
    end: i64,
) -> Result<(), CheckpointerError> {
    let start = log
        .start_offset(topic, 0)
        .map_err(super::RuntimeError::from)?;
    if start > from && from < end {
        return Err(CheckpointerError::Truncated {
            topic: topic.to_string(),
            start,
        });
    }
    for_each_record(log, topic, from, end, |stored| {
        state.restore(&stored.record)?;
        Ok(())
    })
}

/// Calls `each` on the records of `topic`'s partition 0 in `from..end`, in offset order.
fn for_each_record(
    log: &dyn Log,
    topic: &str,
    from: i64,
    end: i64,
    mut each: impl FnMut(StoredRecord) -> Result<(), CheckpointerError>,
) -> Result<(), CheckpointerError> {
    let mut offset = from;
    while offset < end {
        let records = log
            .read(topic, 0, offset, READ_BATCH)
            .map_err(super::RuntimeError::from)?;
        let Some(last) = records.last() else { break };
        offset = last.offset + 1;
        for stored in records.into_iter().filter(|r| r.offset < end) {
            each(stored)?;
        }
    }
    Ok(())
}

/// A checkpoint of one query's changelogs, up to their committed ends.
struct CheckpointJob {
    dir: CheckpointDir,
    log: Arc<dyn Log>,
    changelogs: Vec<ChangelogToCheckpoint>,
}

impl CheckpointJob {
    fn run(&self) -> Result<(), CheckpointerError> {
        for changelog in &self.changelogs {
            self.checkpoint(changelog)?;
        }
        Ok(())
    }

    fn checkpoint(&self, changelog: &ChangelogToCheckpoint) -> Result<(), CheckpointerError> {
        let topic = &changelog.topic;
        let previous = self.dir.latest(topic, changelog.end)?.unwrap_or_default();
        if previous.offset >= changelog.end {
            return Ok(());
        }
        let mut tail = Vec::new();
        for_each_record(
            self.log.as_ref(),
            topic,
            previous.offset,
            changelog.end,
            |stored| {
                tail.push(stored);
                Ok(())
            },
        )?;
        let next = previous.advance(&tail, changelog.end, changelog.expiry);
        let deletable = self.dir.write(topic, &next)?;
        self.log
            .delete_records_before(topic, 0, deletable)
            .map_err(super::RuntimeError::from)?;
        tracing::debug!(
            %topic,
            offset = next.offset,
            records = next.records.len(),
            deleted_before = deletable,
            "state checkpoint taken"
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::Record;
    use crate::log::memory::MemoryLog;
    use crate::state::StateResult;
    use bytes::Bytes;

    /// A keyed store that keeps what it restores.
    struct Restored {
        topic: String,
        values: HashMap<Bytes, Bytes>,
    }

    impl StateStore for Restored {
        fn changelog_topic(&self) -> &str {
            &self.topic
        }

        fn take_changes(&mut self) -> Vec<Record> {
            Vec::new()
        }

        fn restore(&mut self, record: &Record) -> StateResult<()> {
            let key = record.key.clone().unwrap_or_default();
            match &record.value {
                Some(value) => self.values.insert(key, value.clone()),
                None => self.values.remove(&key),
            };
            Ok(())
        }
    }

    fn append(log: &MemoryLog, key: &str, value: Option<&str>) {
        log.append(
            "cl",
            0,
            vec![Record {
                key: Some(Bytes::copy_from_slice(key.as_bytes())),
                value: value.map(|v| Bytes::copy_from_slice(v.as_bytes())),
                timestamp: 0,
                headers: Vec::new(),
            }],
            None,
        )
        .unwrap();
    }

    fn restored(checkpointer: &Checkpointer, end: i64) -> Result<Vec<(String, String)>, String> {
        let mut store = Restored {
            topic: "cl".into(),
            values: HashMap::new(),
        };
        checkpointer
            .restore(&mut store, end)
            .map_err(|e| e.to_string())?;
        let mut values: Vec<(String, String)> = store
            .values
            .into_iter()
            .map(|(k, v)| {
                (
                    String::from_utf8(k.to_vec()).unwrap(),
                    String::from_utf8(v.to_vec()).unwrap(),
                )
            })
            .collect();
        values.sort();
        Ok(values)
    }

    #[test]
    fn restores_from_checkpoint_and_tail_after_the_changelog_was_deleted() {
        let dir = tempfile::tempdir().unwrap();
        let log = Arc::new(MemoryLog::new());
        log.create_topic("cl", Default::default()).unwrap();
        let checkpointer = Checkpointer::new(
            &CheckpointConfig {
                dir: dir.path().to_path_buf(),
                interval: Duration::ZERO,
            },
            log.clone(),
        );
        let changelog = |end| {
            vec![ChangelogToCheckpoint {
                topic: "cl".into(),
                expiry: Expiry::Never,
                end,
            }]
        };
        append(&log, "a", Some("1"));
        append(&log, "b", Some("1"));
        checkpointer.after_commit("q", changelog(2), false);
        append(&log, "a", Some("2"));
        append(&log, "b", None);
        checkpointer.after_commit("q", changelog(4), false);
        append(&log, "c", Some("1"));
        checkpointer.after_commit("q", changelog(5), false);
        append(&log, "a", Some("3"));

        // Checkpoints at 2, 4 and 5: the two newest are kept, the changelog before 4 is gone.
        assert_eq!(log.start_offset("cl", 0).unwrap(), 4);
        let want = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        assert_eq!(
            restored(&checkpointer, 6).unwrap(),
            want(&[("a", "3"), ("c", "1")])
        );
        assert_eq!(
            restored(&checkpointer, 5).unwrap(),
            want(&[("a", "2"), ("c", "1")]),
            "nothing past the committed end"
        );
        assert_eq!(restored(&checkpointer, 4).unwrap(), want(&[("a", "2")]));
        let error = restored(&checkpointer, 3).unwrap_err();
        assert!(error.contains("no checkpoint reaches"), "{error}");
    }
}
