//! ksqlDB's SQL dialect: text → statements with positions.
//!
//! Built on the `sqlparser` crate that DataFusion re-exports: its tokenizer and expression
//! parser, driven by a statement parser for ksqlDB's own statements. This module knows
//! syntax only; what names and types mean is `plan/`'s job.

pub mod ast;
#[cfg(test)]
mod corpus_tests;
pub mod dialect;
pub mod error;
mod expr;
pub mod parser;
mod query;
pub mod types;

pub use dialect::KsqlDialect;
pub use error::{ParseError, ParseResult};
pub use parser::{parse, parse_with_types};
pub use types::{TypeLookup, cast_target_type, parse_type};
