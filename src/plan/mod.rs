//! Analysis: statements checked against the catalog and turned into executable plans.
//!
//! `plan/` resolves names, types expressions (through DataFusion, see `expr`), applies
//! ksqlDB's rules for keys and projections, and builds the operator pipeline a query runs
//! (`select` for stateless queries, `aggregate` for GROUP BY). It does no I/O: the runtime
//! executes what it builds.

pub mod aggregate;
mod cast;
mod collection_literal;
pub mod error;
pub mod expr;
pub mod expr_text;
pub mod join;
pub mod joined_aggregate;
pub mod joined_rows;
pub mod joined_select;
pub mod properties;
pub mod repartition;
pub mod select;
pub mod serde;
pub mod statement_text;
pub mod table_function;
pub mod timestamp_literal;

pub use error::{PlanError, PlanResult};
