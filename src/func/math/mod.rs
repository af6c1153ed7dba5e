//! Math functions: ksqlDB's `udf/math` where DataFusion's built-ins differ, and
//! `udf/geo`.

pub mod ceil_floor;
pub mod decimal_rounding;
pub mod extremum;
pub mod geo_distance;
pub mod log;
pub mod round;
pub mod sign;
pub mod sqrt;
pub mod trunc;
