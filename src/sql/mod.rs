//! ksqlDB's SQL dialect: text → statements with positions.
//!
//! Built on the `sqlparser` crate that DataFusion re-exports: its tokenizer and expression
//! parser, driven by a statement parser for ksqlDB's own statements. This module knows
//! syntax only; what names and types mean is `plan/`'s job.
//!
//! * `parse` / `parse_with_types`: a script → `ParsedStatement`s (`parser.rs`, SELECT in
//!   `query.rs`); custom type names resolve while parsing, as in ksqlDB (`types.rs`).
//! * `parse_expression`, `parse_type`: one expression or one type.
//! * How ksqlDB's expression syntax (`->`, lambdas, `MAP(…)`, `STRUCT(…)`, `CAST`) is
//!   represented in `sqlparser`'s `Expr`: `dialect.rs`; identifier case and literal
//!   checks: `expr.rs`; `CAST` target types: `types::cast_target_type`.
//! * Errors render as ksqlDB's: `line 2:74: Syntax Error` + detail (`error.rs`).

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
pub use parser::{parse, parse_expression, parse_with_types};
pub use types::{TypeLookup, cast_target_type, parse_type};
