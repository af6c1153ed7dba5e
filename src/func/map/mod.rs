//! Map functions: ksqlDB's `udf/map` where DataFusion has no built-in.

pub mod as_map;
pub mod map_union;
