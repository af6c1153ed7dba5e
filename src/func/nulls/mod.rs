//! NULL handling: ksqlDB's `udf/nulls` (COALESCE, IFNULL); NULLIF is DataFusion's own.

pub mod coalesce;
pub mod ifnull;
