//! Benchmarks built into the binary (`sluice bench …`): workloads that drive a real engine
//! over the embedded log and report throughput and memory.
//!
//! Each benchmark owns its data generator, its queries and its runner; the engine is used
//! only through its public statement interface and the log, as a user would.

mod data_dir;
pub mod nexmark;
mod process;
pub mod push_load;
