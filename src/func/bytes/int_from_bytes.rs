//! INT_FROM_BYTES(bytes BYTES[, byteOrder STRING]) → INT: 4 bytes read as a INT, big-endian
//! unless `byteOrder` is `LITTLE_ENDIAN` (ksqlDB `IntFromBytes`).
//!
//! NULL for NULL bytes; a length other than 4, or an unknown (or NULL) byte order, is an
//! error (NULL plus a processing-log entry).

use std::sync::Arc;

use datafusion::arrow::array::{Array, Int32Array};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::cast::{as_binary_array, as_string_array};
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::byte_order::big_endian;
use crate::func::signature::{Overloads, Param};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct IntFromBytes {
    signature: Signature,
    overloads: Overloads,
}

impl IntFromBytes {
    pub(crate) fn new() -> Self {
        IntFromBytes {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new(
                "int_from_bytes",
                vec![vec![Param::Bytes], vec![Param::Bytes, Param::String]],
            ),
        }
    }
}

impl ScalarUDFImpl for IntFromBytes {
    fn name(&self) -> &str {
        "int_from_bytes"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        self.overloads.coerce(arg_types)
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        self.overloads.resolve(arg_types)?;
        Ok(DataType::Int32)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let bytes = as_binary_array(&arrays[0])?;
        let order = arrays.get(1).map(|a| as_string_array(a)).transpose()?;
        let out = (0..bytes.len())
            .map(|row| {
                if bytes.is_null(row) {
                    return Ok(None);
                }
                let order = match order {
                    None => "BIG_ENDIAN",
                    Some(o) if o.is_valid(row) => o.value(row),
                    Some(_) => return exec_err!("INT_FROM_BYTES: the byte order is null"),
                };
                Ok(Some(i32::from_be_bytes(big_endian(
                    bytes.value(row),
                    order,
                )?)))
            })
            .collect::<Result<Int32Array>>()?;
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_orders() {
        // ksqlDB: bytes-and-strings.json (AAAH5Q== / 5QcAAA== are 2021).
        assert_eq!(
            i32::from_be_bytes(big_endian(&[0, 0, 7, 0xe5], "BIG_ENDIAN").unwrap()),
            2021
        );
        assert_eq!(
            i32::from_be_bytes(big_endian(&[0xe5, 7, 0, 0], "LITTLE_ENDIAN").unwrap()),
            2021
        );
    }
}
