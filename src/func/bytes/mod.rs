//! BYTES conversions: FROM_BYTES/TO_BYTES (ksqlDB `udf/string`) and the number readers
//! of `udf/conversions`.

pub mod bigint_from_bytes;
pub mod byte_order;
pub mod double_from_bytes;
pub mod encoding;
pub mod from_bytes;
pub mod int_from_bytes;
pub mod to_bytes;
