//! Array functions: ksqlDB's `udf/array` and `udf/list` where DataFusion's built-ins
//! differ.

pub mod array_join;
pub mod array_length;
pub mod array_remove;
pub mod array_sort;
pub mod entries;
pub mod generate_series;
pub mod slice;
