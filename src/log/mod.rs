//! The partitioned log every stream and table lives in.
//!
//! `Log` is the one interface the layers above use: topics of N partitions holding
//! [`Record`]s at increasing offsets. `embedded` stores them on local disk in Kafka's
//! record-batch v2 layout; `memory` keeps them in memory for tests and the QTT runner. A Kafka
//! backend plugs in behind the same trait. The log owns bytes, offsets, timestamps and
//! durability; it never interprets keys or values (that is `format/`).

pub mod embedded;
pub mod memory;
pub mod partitioner;
mod producer_state;
pub mod record_batch;
pub mod topic_name;

pub use topic_name::internal_topic;

use std::time::Duration;

use bytes::Bytes;
use tokio::sync::watch;

/// One record as producers write it and consumers read it.
///
/// Key and value are `Bytes`: a record read back shares its batch's buffer instead of
/// copying its key and value out of it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Record {
    pub key: Option<Bytes>,
    /// `None` is a tombstone (a null value).
    pub value: Option<Bytes>,
    /// Milliseconds since the epoch.
    pub timestamp: i64,
    /// Header keys and values, in order; a header value may be null.
    pub headers: Vec<(String, Option<Vec<u8>>)>,
}

/// A record read back from a partition, with its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRecord {
    pub partition: u32,
    pub offset: i64,
    pub record: Record,
}

/// Idempotent-producer identity for an append, as Kafka's record batches carry it.
///
/// The log remembers the last sequence number it accepted per (producer, partition); an
/// append whose records all have sequences at or below it is a duplicate and is dropped
/// without error. A persistent query uses this to re-run from its last committed input
/// offsets after a crash without writing any output twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProducerSequence {
    pub producer_id: i64,
    /// Sequence number of the first record of the append in this partition.
    pub first_sequence: i32,
}

/// Settings of a topic, fixed at creation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicConfig {
    pub partitions: u32,
    /// Delete closed segments whose newest record is older than this.
    pub retention_ms: Option<i64>,
    /// Delete the oldest closed segments while a partition is larger than this.
    pub retention_bytes: Option<u64>,
}

impl Default for TopicConfig {
    fn default() -> Self {
        TopicConfig {
            partitions: 1,
            retention_ms: None,
            retention_bytes: None,
        }
    }
}

/// When appends are forced to stable storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FsyncPolicy {
    /// fsync after every append: nothing acknowledged is ever lost.
    Always,
    /// fsync at most once per interval; a machine crash may lose the last interval.
    Interval(Duration),
    /// Leave it to the operating system (a process crash loses nothing; a power cut may).
    #[default]
    Never,
}

/// Errors of the log.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error("Topic '{0}' does not exist")]
    UnknownTopic(String),
    #[error("Topic '{topic}' has no partition {partition}")]
    UnknownPartition { topic: String, partition: u32 },
    #[error("Topic '{0}' already exists")]
    TopicExists(String),
    #[error("Invalid topic name '{0}': use letters, digits, '.', '_' and '-' (at most 249)")]
    InvalidTopicName(String),
    #[error("A topic needs at least one partition")]
    NoPartitions,
    #[error("Record batch is corrupt: {0}")]
    Corrupt(String),
    /// An append whose batch would not fit the 32-bit lengths of the record-batch format.
    #[error("Record batch of {bytes} bytes is too large")]
    BatchTooLarge { bytes: usize },
    #[error("I/O error on {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

pub type LogResult<T> = Result<T, LogError>;

/// A partitioned, append-only log of topics.
///
/// Offsets in a partition start at 0 and increase by one per record. Every method is
/// cheap enough to call from an async task; none blocks for long.
pub trait Log: Send + Sync {
    /// Creates a topic; fails with `TopicExists` if it is there already.
    fn create_topic(&self, name: &str, config: TopicConfig) -> LogResult<()>;

    /// Deletes a topic and its data.
    fn delete_topic(&self, name: &str) -> LogResult<()>;

    /// The configuration of a topic, or `None` if it does not exist.
    fn topic_config(&self, name: &str) -> Option<TopicConfig>;

    /// Every topic's name, sorted.
    fn list_topics(&self) -> Vec<String>;

    /// Appends records to one partition; returns the offset of the first one.
    ///
    /// With `producer`, records whose sequence the log has already accepted for that
    /// producer and partition are dropped (and the returned offset is where they were).
    fn append(
        &self,
        topic: &str,
        partition: u32,
        records: Vec<Record>,
        producer: Option<ProducerSequence>,
    ) -> LogResult<i64>;

    /// Up to `max_records` records of a partition from `offset` on (fewer at the end).
    /// An offset below the log start reads from the log start.
    fn read(
        &self,
        topic: &str,
        partition: u32,
        offset: i64,
        max_records: usize,
    ) -> LogResult<Vec<StoredRecord>>;

    /// The offset the next appended record will get.
    fn end_offset(&self, topic: &str, partition: u32) -> LogResult<i64>;

    /// The first offset still stored (retention moves it forward).
    fn start_offset(&self, topic: &str, partition: u32) -> LogResult<i64>;

    /// The first offset whose record has a timestamp at or after `timestamp`, if any.
    fn offset_for_time(
        &self,
        topic: &str,
        partition: u32,
        timestamp: i64,
    ) -> LogResult<Option<i64>>;

    /// A counter that moves whenever any record is appended to the topic, so that readers
    /// can wait for new data instead of polling.
    fn subscribe(&self, topic: &str) -> LogResult<watch::Receiver<u64>>;

    /// Applies retention now, deleting what time and size limits allow.
    fn enforce_retention(&self) -> LogResult<()>;

    /// Deletes records before `offset` (Kafka's DeleteRecords), as far as the storage's
    /// granularity allows: the start offset moves forward, never past `offset`. Used once a
    /// state checkpoint holds what a changelog's prefix said.
    fn delete_records_before(&self, topic: &str, partition: u32, offset: i64) -> LogResult<()>;
}
