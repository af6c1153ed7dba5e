//! The Nexmark benchmark: q0–q2, q4, q5 and q7 over a stream of generated events.
//!
//! `generator` produces the Nexmark event stream (with `random`, Java's `SplittableRandom`),
//! `queries` holds the ksqlDB-dialect texts, `expected` counts what each query must write,
//! and `runner` loads the events into the embedded log, runs one query, checks and measures
//! it. `docs/benchmarks.md` tells how to run it and what it measured.

mod expected;
pub mod generator;
pub mod queries;
mod random;
mod runner;

use crate::bench::data_dir::DataDirError;
use crate::engine::EngineError;
use crate::log::LogError;

pub use queries::NexmarkQuery;
pub use runner::{BenchOptions, BenchReport, run};

/// Why a benchmark run failed.
#[derive(Debug, thiserror::Error)]
pub enum NexmarkError {
    #[error(transparent)]
    DataDir(#[from] DataDirError),
    #[error("Cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
    #[error(transparent)]
    Log(#[from] LogError),
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error("Statement failed: {statement}: {error}")]
    Statement {
        statement: String,
        error: EngineError,
    },
    #[error("Cannot encode an event as JSON: {0}")]
    Encode(serde_json::Error),
    #[error("A loader thread panicked")]
    LoaderPanicked,
    /// A bug: the generator's id space was too small for the bids asked of it.
    #[error("Internal error (please report it): generator gave {got} of {wanted} bids")]
    ShortGenerator { wanted: u64, got: u64 },
    #[error(
        "Query {query} {} after writing {written} of {expected} records \
         ({record_errors} record errors in the processing log)",
        if *stalled { "made no progress for a minute" } else { "stopped" }
    )]
    QueryStopped {
        query: &'static str,
        written: u64,
        expected: u64,
        record_errors: i64,
        stalled: bool,
    },
    #[error("Query {query} left {unread} input records unread")]
    InputLeft { query: &'static str, unread: u64 },
    #[error("Query {query} wrote {written} records to {topic}, expected {expected}")]
    WrongOutput {
        query: &'static str,
        topic: &'static str,
        written: u64,
        /// `exactly N`, or `1 to N` for an aggregation with the record cache on.
        expected: String,
    },
}

/// Result of this module.
pub type NexmarkResult<T> = Result<T, NexmarkError>;
