//! INT_FROM_BYTES, BIGINT_FROM_BYTES and DOUBLE_FROM_BYTES (bytes BYTES[, byteOrder STRING]):
//! 4 bytes read as an INT, 8 as a BIGINT or an IEEE DOUBLE, big-endian unless `byteOrder` is
//! `LITTLE_ENDIAN` (ksqlDB `IntFromBytes`, `BigIntFromBytes`, `DoubleFromBytes`).
//!
//! NULL for NULL bytes; a wrong length, or an unknown (or NULL) byte order, is an error (NULL
//! plus a processing-log entry).

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, BinaryArray, Float64Array, Int32Array, Int64Array, StringArray,
};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::cast::{as_binary_array, as_string_array};
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::byte_order::big_endian;
use crate::func::signature::{Overloads, Param};

/// The number type a function reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NumberKind {
    Int,
    Bigint,
    Double,
}

impl NumberKind {
    fn function_name(self) -> &'static str {
        match self {
            NumberKind::Int => "int_from_bytes",
            NumberKind::Bigint => "bigint_from_bytes",
            NumberKind::Double => "double_from_bytes",
        }
    }

    fn data_type(self) -> DataType {
        match self {
            NumberKind::Int => DataType::Int32,
            NumberKind::Bigint => DataType::Int64,
            NumberKind::Double => DataType::Float64,
        }
    }
}

/// One *_FROM_BYTES function.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct NumberFromBytes {
    kind: NumberKind,
    signature: Signature,
    overloads: Overloads,
}

impl NumberFromBytes {
    pub(crate) fn new(kind: NumberKind) -> Self {
        NumberFromBytes {
            kind,
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new(
                kind.function_name(),
                vec![vec![Param::Bytes], vec![Param::Bytes, Param::String]],
            ),
        }
    }
}

impl ScalarUDFImpl for NumberFromBytes {
    fn name(&self) -> &str {
        self.kind.function_name()
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        self.overloads.coerce(arg_types)
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        self.overloads.resolve(arg_types)?;
        Ok(self.kind.data_type())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let bytes = as_binary_array(&arrays[0])?;
        let order = arrays.get(1).map(|a| as_string_array(a)).transpose()?;
        let out: ArrayRef = match self.kind {
            NumberKind::Int => Arc::new(
                read_each(self.kind, bytes, order, |b, o| {
                    big_endian(b, o).map(i32::from_be_bytes)
                })
                .collect::<Result<Int32Array>>()?,
            ),
            NumberKind::Bigint => Arc::new(
                read_each(self.kind, bytes, order, |b, o| {
                    big_endian(b, o).map(i64::from_be_bytes)
                })
                .collect::<Result<Int64Array>>()?,
            ),
            NumberKind::Double => Arc::new(
                read_each(self.kind, bytes, order, |b, o| {
                    big_endian(b, o).map(f64::from_be_bytes)
                })
                .collect::<Result<Float64Array>>()?,
            ),
        };
        Ok(ColumnarValue::Array(out))
    }
}

/// Each row's value: NULL for NULL bytes, else `read(bytes, byte order)`.
fn read_each<'a, T: 'a>(
    kind: NumberKind,
    bytes: &'a BinaryArray,
    order: Option<&'a StringArray>,
    read: impl Fn(&[u8], &str) -> Result<T> + 'a,
) -> impl Iterator<Item = Result<Option<T>>> + 'a {
    (0..bytes.len()).map(move |row| {
        if bytes.is_null(row) {
            return Ok(None);
        }
        let order = match order {
            None => "BIG_ENDIAN",
            Some(o) if o.is_valid(row) => o.value(row),
            Some(_) => {
                return exec_err!(
                    "{}: the byte order is null",
                    kind.function_name().to_uppercase()
                );
            }
        };
        read(bytes.value(row), order).map(Some)
    })
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

    #[test]
    fn reads_eight_bytes() {
        let bytes = 5_000_000_000i64.to_be_bytes();
        assert_eq!(
            i64::from_be_bytes(big_endian(&bytes, "BIG_ENDIAN").unwrap()),
            5_000_000_000
        );
        assert!(big_endian::<8>(&bytes[..4], "BIG_ENDIAN").is_err());
    }

    #[test]
    fn reads_ieee_doubles() {
        let bytes = 532.8738323f64.to_le_bytes();
        assert_eq!(
            f64::from_be_bytes(big_endian(&bytes, "LITTLE_ENDIAN").unwrap()),
            532.8738323
        );
    }
}
