//! The command line: the REPL (on an embedded engine) and headless script runs.

pub mod remote;
pub mod render;
pub mod repl;
