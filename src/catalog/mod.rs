//! Streams, tables, custom types and persistent queries: what exists and with which schema.
//!
//! The catalog is plain data; it is changed only by `engine/` while executing a statement,
//! and rebuilt at start by replaying the command topic (see `engine::commands`).

pub mod schema;
pub mod types;

use std::collections::BTreeMap;

use crate::format::SerdeSpec;
use crate::sql::ast::SourceKind;
use schema::LogicalSchema;
use types::SqlType;

/// A stream or table registered in the catalog.
#[derive(Debug, Clone)]
pub struct Source {
    pub name: String,
    pub kind: SourceKind,
    pub schema: LogicalSchema,
    pub topic: String,
    /// The partition count declared for the topic.
    pub partitions: u32,
    pub key_format: SerdeSpec,
    pub value_format: SerdeSpec,
    /// The column that gives ROWTIME instead of the record timestamp.
    pub timestamp: Option<TimestampColumn>,
    /// Read-only (`CREATE SOURCE …`).
    pub is_source: bool,
    /// The statement that created it, as written.
    pub statement: String,
    /// The persistent queries writing into it.
    pub writers: Vec<String>,
    /// Set when the keys are windowed (a windowed aggregation's sink).
    pub window: Option<WindowInfo>,
}

/// How a windowed source's keys are windowed. On the wire (Kafka Streams' format) a time
/// window key is the key bytes then the 8-byte big-endian window start; its end is not
/// written, so readers need the size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowInfo {
    pub kind: WindowKind,
    /// The window size in milliseconds (TUMBLING and HOPPING).
    pub size_ms: Option<i64>,
}

/// ksqlDB's window types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowKind {
    Tumbling,
    Hopping,
    Session,
}

/// `WITH (TIMESTAMP='col', TIMESTAMP_FORMAT='…')`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimestampColumn {
    pub column: String,
    pub format: Option<String>,
}

/// A persistent query (CSAS, CTAS, INSERT INTO).
#[derive(Debug, Clone)]
pub struct QueryInfo {
    pub id: String,
    pub statement: String,
    pub sources: Vec<String>,
    pub sink: String,
    pub sink_topic: String,
    /// PAUSEd: not running until RESUME, its offsets and state kept.
    pub paused: bool,
}

/// Everything that exists.
#[derive(Debug, Default)]
pub struct Catalog {
    pub sources: BTreeMap<String, Source>,
    pub queries: BTreeMap<String, QueryInfo>,
    pub types: BTreeMap<String, SqlType>,
    /// Next number for query ids, as ksqlDB counts them (`CSAS_S1_0`, `CSAS_S2_1`, …).
    pub next_query_number: u64,
}

impl Catalog {
    pub fn source(&self, name: &str) -> Option<&Source> {
        self.sources.get(name)
    }

    /// The sources reading from `topic`.
    pub fn sources_on_topic<'a>(&'a self, topic: &'a str) -> impl Iterator<Item = &'a Source> {
        self.sources.values().filter(move |s| s.topic == topic)
    }

    /// The persistent queries that read `source`.
    pub fn readers_of<'a>(&'a self, source: &'a str) -> impl Iterator<Item = &'a QueryInfo> {
        self.queries
            .values()
            .filter(move |q| q.sources.iter().any(|s| s == source))
    }
}
