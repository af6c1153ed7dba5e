//! UUID() → STRING: a random (version 4) UUID per call; UUID(bytes BYTES) → STRING: the
//! UUID whose 16 bytes (big-endian, as Java's `UUID(long, long)` reads them) are given, as
//! `aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee`; NULL unless there are exactly 16 (ksqlDB `Uuid`).

use std::fmt::Write;
use std::sync::Arc;

use datafusion::arrow::array::StringArray;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::common::cast::as_binary_array;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use crate::func::signature::{Overloads, Param};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Uuid {
    signature: Signature,
    overloads: Overloads,
}

impl Uuid {
    pub(crate) fn new() -> Self {
        Uuid {
            // Volatile: a random UUID per row, never folded into one constant.
            signature: Signature::user_defined(Volatility::Volatile),
            overloads: Overloads::new("uuid", vec![vec![], vec![Param::Bytes]]),
        }
    }
}

impl ScalarUDFImpl for Uuid {
    fn name(&self) -> &str {
        "uuid"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        self.overloads.coerce(arg_types)
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        self.overloads.resolve(arg_types)?;
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        if args.args.is_empty() {
            // DataFusion's uuid() draws version 4 UUIDs, one per row.
            return datafusion::functions::string::uuid().invoke_with_args(args);
        }
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let out: StringArray = as_binary_array(&arrays[0])?
            .iter()
            .map(|bytes| bytes.and_then(uuid_text))
            .collect();
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

/// The canonical text of a UUID given as its 16 bytes.
fn uuid_text(bytes: &[u8]) -> Option<String> {
    if bytes.len() != 16 {
        return None;
    }
    let mut text = String::with_capacity(36);
    for (index, byte) in bytes.iter().enumerate() {
        if matches!(index, 4 | 6 | 8 | 10) {
            text.push('-');
        }
        let _ = write!(text, "{byte:02x}");
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sixteen_bytes_make_a_uuid_and_others_none() {
        let bytes: Vec<u8> = (0u8..16).collect();
        assert_eq!(
            uuid_text(&bytes).as_deref(),
            Some("00010203-0405-0607-0809-0a0b0c0d0e0f")
        );
        assert_eq!(uuid_text(&bytes[..15]), None);
    }
}
