//! Regular-expression functions: ksqlDB's REGEXP_EXTRACT, REGEXP_EXTRACT_ALL,
//! REGEXP_REPLACE and REGEXP_SPLIT_TO_ARRAY (Java regex semantics).

pub mod java_pattern;
pub mod regexp_extract;
pub mod regexp_extract_all;
pub mod regexp_replace;
pub mod regexp_split_to_array;
