//! Operators: one per file, named after its SQL concept, each turning Arrow record batches
//! into Arrow record batches.
//!
//! `source` decodes log records into batches and `sink` encodes batches back into records;
//! between them run the operators the planner chose (`filter`, `project`, `aggregate`).
//! Operators never touch the log or the catalog; the runtime feeds them and carries their
//! output, and writes a stateful operator's state changes to its changelog.

pub mod aggregate;
pub mod filter;
pub mod join;
pub mod project;
pub mod record_headers;
pub mod record_timestamp;
pub mod sink;
pub mod source;
pub mod table_filter;
pub mod table_function;
pub mod table_source;
pub mod windowed_key;

use bytes::Bytes;
use datafusion::arrow::record_batch::RecordBatch;

use crate::state::StateStore;

/// A record that could not be processed: it goes to the processing log and the query
/// goes on without it.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordError {
    pub kind: RecordErrorKind,
    pub topic: String,
    pub partition: u32,
    pub offset: i64,
    pub message: String,
    /// The record's value bytes, when it failed to decode.
    pub record: Option<Bytes>,
}

/// ksqlDB's processing-log message types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordErrorKind {
    Deserialization,
    RecordProcessing,
    Serialization,
}

/// Errors that stop a batch (a bug or an impossible state, not a bad record).
#[derive(Debug, thiserror::Error)]
pub enum ExecError {
    #[error("Arrow error: {0}")]
    Arrow(#[from] datafusion::arrow::error::ArrowError),
    #[error("{0}")]
    DataFusion(#[from] datafusion::error::DataFusionError),
    #[error("Internal error (please report it): {0}")]
    Internal(String),
}

pub type ExecResult<T> = Result<T, ExecError>;

/// A step of a query's pipeline.
///
/// `on_batch` receives batches in input order and may emit zero or more batches;
/// per-row failures are reported through `errors`, not returned.
pub trait Operator: Send {
    fn on_batch(
        &mut self,
        batch: RecordBatch,
        errors: &mut Vec<RecordError>,
    ) -> ExecResult<Option<RecordBatch>>;

    /// The operator's state, if it keeps any: the runtime writes its changes to the
    /// changelog after each batch and restores it from there after a restart.
    fn state(&mut self) -> Option<&mut dyn StateStore> {
        None
    }

    /// Whether what it emits for a batch depends on where the batch starts and ends, not
    /// only on the rows (an aggregation's record cache): the runtime then journals each
    /// round's bounds, so that a restart replays the round as it was.
    fn depends_on_batch_bounds(&self) -> bool {
        false
    }

    /// What the operator is called in a query's topology: its type's name.
    fn name(&self) -> &'static str {
        let path = std::any::type_name::<Self>();
        path.rsplit("::").next().unwrap_or(path)
    }
}
