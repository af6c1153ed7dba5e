//! State of stateful operators, and the changelogs that make it durable.
//!
//! A store keeps an operator's state in memory, keyed by serialized key bytes (`keyed`), by
//! key and window start (`windowed`), or by key and session (`session`), and queues every
//! change as a changelog record. The runtime appends those records to the query's changelog
//! topic with the query's idempotent producer, right before the output they led to, and
//! records the changelog's end offset in each commit. After a restart the operator is rebuilt
//! by replaying its changelog up to that offset, so it holds exactly the state its last commit
//! saw; records written after the commit are produced again, with the same sequence numbers,
//! and the log drops them as duplicates.
//! That holds because an operator logs the same records for the same input rows, whatever
//! batches they arrive in.
//!
//! Checkpoints (`checkpoint`) bound that replay: the changelog compacted up to an offset is
//! kept in a file, a restart restores it and replays only the changelog after it, and the
//! changelog before it is deleted.
//!
//! This module owns how keys and changelog records are laid out and when windows expire. What
//! a stored value *means* (an aggregate's accumulators, …) belongs to the operator, which
//! encodes and decodes its values and implements [`StateStore`] for the runtime.

pub mod checkpoint;
pub mod keyed;
pub mod materialized;
pub mod session;
pub mod windowed;

use crate::log::Record;
use bytes::Bytes;

pub use checkpoint::Expiry;

/// Errors reading state back from a changelog. They stop the query from starting: its own
/// changelog is unreadable, which no input can cause.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("Changelog {topic} holds a record that cannot be read: {reason}")]
    Corrupt { topic: String, reason: String },
}

pub type StateResult<T> = Result<T, StateError>;

/// What the runtime needs of an operator that keeps state.
pub trait StateStore: Send {
    /// The topic the state's changes are written to.
    fn changelog_topic(&self) -> &str;

    /// The changes made since the last call, as changelog records in the order they happened.
    fn take_changes(&mut self) -> Vec<Record>;

    /// Applies one changelog record while the state is rebuilt after a restart. Records
    /// arrive in changelog order; a later record for a key replaces an earlier one.
    fn restore(&mut self, record: &Record) -> StateResult<()>;

    /// Which changelog records the store forgets on its own, so that its checkpoints
    /// forget them too.
    fn expiry(&self) -> Expiry {
        Expiry::Never
    }
}

/// The changelog topic of a query's state store, named as ksqlDB names it
/// (`…query_<query id>-<store>-changelog`, see `log::internal_topic`).
pub fn changelog_topic(query_id: &str, store: &str) -> String {
    crate::log::internal_topic(query_id, &format!("{store}-changelog"))
}

/// Changes waiting to be appended to a changelog topic.
#[derive(Debug)]
pub struct Changelog {
    topic: String,
    pending: Vec<Record>,
}

impl Changelog {
    pub fn new(topic: impl Into<String>) -> Self {
        Changelog {
            topic: topic.into(),
            pending: Vec::new(),
        }
    }

    pub fn topic(&self) -> &str {
        &self.topic
    }

    /// Queues a change: `value` is the key's new state, `None` its removal.
    pub fn push(&mut self, key: Vec<u8>, value: Option<Vec<u8>>, timestamp: i64) {
        self.pending.push(Record {
            key: Some(Bytes::from(key)),
            value: value.map(Bytes::from),
            timestamp,
            headers: Vec::new(),
        });
    }

    /// The queued changes, oldest first; the queue is left empty, with room for as many
    /// changes as were taken (the next batch's are likely as many).
    pub fn take(&mut self) -> Vec<Record> {
        let room = self.pending.len();
        std::mem::replace(&mut self.pending, Vec::with_capacity(room))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_topic_as_ksqldb_does() {
        assert_eq!(
            changelog_topic("CTAS_T_1", "Aggregate-Aggregate-Materialize"),
            "_confluent-ksql-default_query_CTAS_T_1-Aggregate-Aggregate-Materialize-changelog"
        );
    }

    #[test]
    fn take_empties_the_queue_in_order() {
        let mut changelog = Changelog::new("t");
        changelog.push(b"a".to_vec(), Some(b"1".to_vec()), 5);
        changelog.push(b"b".to_vec(), None, 6);
        let taken = changelog.take();
        assert_eq!(taken.len(), 2);
        assert_eq!(taken[0].key.as_deref(), Some(&b"a"[..]));
        assert_eq!(taken[1].value, None);
        assert!(changelog.take().is_empty());
    }
}
