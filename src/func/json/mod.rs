//! JSON functions: ksqlDB's `udf/json` (EXTRACTJSONFIELD, TO_JSON_STRING, JSON_*,
//! IS_JSON_STRING), reading JSON text the way ksqlDB's Jackson mapper does.

pub mod extractjsonfield;
pub mod is_json_string;
pub mod jackson;
pub mod json_array_contains;
pub mod json_array_length;
pub mod json_concat;
pub mod json_items;
pub mod json_keys;
pub mod json_path;
pub mod json_records;
pub mod to_json_string;
