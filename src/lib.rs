//! sluice: a streaming SQL engine speaking ksqlDB's dialect over a built-in partitioned log.
//!
//! A statement's path: `sql` parses it, `engine` dispatches it, `plan` analyses it against
//! the `catalog`, `runtime` runs the operators of `exec` over records from the `log`,
//! decoded and encoded by `format`, with functions from `func`; stateful operators keep their
//! state in `state`. `cli` is the front end.

pub mod bench;
pub mod catalog;
pub mod cli;
pub mod engine;
pub mod exec;
pub mod format;
pub mod func;
pub mod log;
pub mod plan;
pub mod runtime;
pub mod server;
pub mod sql;
pub mod state;
pub mod testing;
