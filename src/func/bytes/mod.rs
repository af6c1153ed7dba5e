//! BYTES conversions: FROM_BYTES/TO_BYTES (ksqlDB `udf/string`) and the number readers
//! of `udf/conversions`.

pub mod byte_order;
pub mod encoding;
pub mod from_bytes;
pub mod number_from_bytes;
pub mod to_bytes;
