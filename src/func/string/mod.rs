//! String functions: ksqlDB's `udf/string`.

pub mod chr;
pub mod elt;
pub mod encode;
pub mod field;
pub mod initcap;
pub mod instr;
pub mod len;
pub mod like_escape;
pub mod lpad;
pub mod mask;
pub mod mask_keep_left;
pub mod mask_keep_right;
pub mod mask_left;
pub mod mask_right;
pub mod masker;
pub mod rpad;
pub mod split;
pub mod split_to_map;
pub mod substring;
pub mod trim;
pub mod uuid;
