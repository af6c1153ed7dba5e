//! Running queries: each query is a task that reads its sources from the log, pushes the
//! records through its operators and writes the result, committing its progress.
//!
//! `query` is the task itself, `repartition` the join sides it rewrites to repartition
//! topics; `offsets` stores committed positions; `checkpointer` takes
//! state checkpoints beside running queries and restores from them; `processing_log`
//! records what could not be processed. The runtime knows no SQL: `plan/` builds what it
//! runs.

pub mod checkpointer;
pub mod offsets;
pub mod processing_log;
pub mod query;
pub mod repartition;

use crate::exec::ExecError;
use crate::log::LogError;

#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    #[error(transparent)]
    Log(#[from] LogError),
    #[error(transparent)]
    Exec(#[from] ExecError),
    #[error("Offset commit for query {query} is unreadable: {reason}")]
    BadCommit { query: String, reason: String },
}

pub type RuntimeResult<T> = Result<T, RuntimeError>;
