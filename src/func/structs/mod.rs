//! Struct constructors DataFusion lacks: ksqlDB's `STRUCT()` with no fields.

pub mod empty_struct;
