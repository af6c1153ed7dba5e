//! DOUBLE_FROM_BYTES(bytes BYTES[, byteOrder STRING]) → DOUBLE: 8 bytes read as a DOUBLE, big-endian
//! unless `byteOrder` is `LITTLE_ENDIAN` (ksqlDB `DoubleFromBytes`).
//!
//! NULL for NULL bytes; a length other than 8, or an unknown (or NULL) byte order, is an
//! error (NULL plus a processing-log entry).

use std::sync::Arc;

use datafusion::arrow::array::{Array, Float64Array};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::cast::{as_binary_array, as_string_array};
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::byte_order::big_endian;
use crate::func::signature::{Overloads, Param};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct DoubleFromBytes {
    signature: Signature,
    overloads: Overloads,
}

impl DoubleFromBytes {
    pub(crate) fn new() -> Self {
        DoubleFromBytes {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new(
                "double_from_bytes",
                vec![vec![Param::Bytes], vec![Param::Bytes, Param::String]],
            ),
        }
    }
}

impl ScalarUDFImpl for DoubleFromBytes {
    fn name(&self) -> &str {
        "double_from_bytes"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        self.overloads.coerce(arg_types)
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        self.overloads.resolve(arg_types)?;
        Ok(DataType::Float64)
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
                    Some(_) => return exec_err!("DOUBLE_FROM_BYTES: the byte order is null"),
                };
                Ok(Some(f64::from_be_bytes(big_endian(
                    bytes.value(row),
                    order,
                )?)))
            })
            .collect::<Result<Float64Array>>()?;
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_ieee_doubles() {
        let bytes = 532.8738323f64.to_le_bytes();
        assert_eq!(
            f64::from_be_bytes(big_endian(&bytes, "LITTLE_ENDIAN").unwrap()),
            532.8738323
        );
    }
}
