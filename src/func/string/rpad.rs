//! RPAD(input STRING|BYTES, length INT, padding STRING|BYTES) → same type: input padded
//! at the end with repeats of `padding` to `length`, or cut to `length` (ksqlDB
//! `RPad`).
//!
//! ksqlDB: NULL if any argument is NULL, the padding is empty, or the length is negative
//! (DataFusion's `rpad` pads with spaces for an empty padding). Strings count characters,
//! BYTES count bytes; a longer input keeps its first `length` units either way.

use std::sync::Arc;

use datafusion::arrow::array::{Array, BinaryArray, StringArray};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::common::cast::{as_binary_array, as_int32_array, as_string_array};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use crate::func::signature::{Overloads, Param};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct RPad {
    signature: Signature,
    overloads: Overloads,
}

impl RPad {
    pub(crate) fn new() -> Self {
        RPad {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new(
                "rpad",
                vec![
                    vec![Param::String, Param::Int, Param::String],
                    vec![Param::Bytes, Param::Int, Param::Bytes],
                ],
            ),
        }
    }
}

impl ScalarUDFImpl for RPad {
    fn name(&self) -> &str {
        "rpad"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        self.overloads.coerce(arg_types)
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        self.overloads.resolve(arg_types)?;
        Ok(arg_types[0].clone())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let length = as_int32_array(&arrays[1])?;
        let target = |row: usize| {
            length
                .is_valid(row)
                .then(|| usize::try_from(length.value(row)).ok())
                .flatten()
        };
        if arrays[0].data_type() == &DataType::Binary {
            let input = as_binary_array(&arrays[0])?;
            let padding = as_binary_array(&arrays[2])?;
            let out: BinaryArray = (0..input.len())
                .map(|row| {
                    let input = input.is_valid(row).then(|| input.value(row))?;
                    let padding = padding.is_valid(row).then(|| padding.value(row))?;
                    pad(input, target(row)?, padding)
                })
                .collect();
            return Ok(ColumnarValue::Array(Arc::new(out)));
        }
        let input = as_string_array(&arrays[0])?;
        let padding = as_string_array(&arrays[2])?;
        let out: StringArray = (0..input.len())
            .map(|row| {
                let input: Vec<char> = input
                    .is_valid(row)
                    .then(|| input.value(row))?
                    .chars()
                    .collect();
                let padding: Vec<char> = padding
                    .is_valid(row)
                    .then(|| padding.value(row))?
                    .chars()
                    .collect();
                pad(&input, target(row)?, &padding).map(|p| p.into_iter().collect::<String>())
            })
            .collect();
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

/// `input` padded at the end to `length` with `padding`; None for an empty padding.
fn pad<T: Copy>(input: &[T], length: usize, padding: &[T]) -> Option<Vec<T>> {
    if padding.is_empty() {
        return None;
    }
    if input.len() >= length {
        return Some(input[..length].to_vec());
    }
    let fill = length - input.len();
    let mut out = input.to_vec();
    out.extend(padding.iter().copied().cycle().take(fill));
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pads_at_the_end() {
        // ksqlDB: bytes-lpad-rpad.json ("yes" padded with "no").
        assert_eq!(pad(b"yes", 8, b"no").unwrap(), b"yesnonon");
        assert_eq!(pad(b"yes", 5, b"no").unwrap(), b"yesno");
        assert_eq!(pad(b"yes", 2, b"no").unwrap(), b"ye");
        assert_eq!(pad(b"yes", 3, b""), None);
    }
}
