//! Test runners for users: ksqlDB's QTT files, REST test files and SQL test files (`sluice
//! qtt`; the REST ones against a real server: `rqtt`; the SQL ones with their test-only
//! asserts: `sql_tests`) and ksql-test-runner's three-file tests (`sluice test`).
//!
//! Both run a case on a fresh deterministic engine over an in-memory log: statements in
//! order, input records piped in file order, every query run until idle, then the output
//! topics compared with ksqlDB's rules (`compare`). This is how ksqlDB's own test driver
//! runs them, so the same files give the same verdicts.

pub mod case;
pub mod compare;
pub mod jsonc;
pub mod qtt;
pub mod records;
pub mod report;
pub mod rqtt;
pub mod sql_tests;
pub mod test_runner;
