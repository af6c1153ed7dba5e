//! LEN(input STRING) → INT: a string's length in UTF-16 code units, as Java's
//! `String.length` counts it (a character outside the Basic Multilingual Plane counts 2);
//! LEN(input BYTES) → INT: how many bytes (ksqlDB `Len`). NULL for NULL.

use std::sync::Arc;

use datafusion::arrow::array::Int32Array;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::common::cast::{as_binary_array, as_string_array};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use crate::func::signature::{Overloads, Param};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Len {
    signature: Signature,
    overloads: Overloads,
}

impl Len {
    pub(crate) fn new() -> Self {
        Len {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new("len", vec![vec![Param::String], vec![Param::Bytes]]),
        }
    }
}

impl ScalarUDFImpl for Len {
    fn name(&self) -> &str {
        "len"
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
        let count = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
        let lengths: Int32Array = match arrays[0].data_type() {
            DataType::Binary => as_binary_array(&arrays[0])?
                .iter()
                .map(|bytes| bytes.map(|b| count(b.len())))
                .collect(),
            _ => as_string_array(&arrays[0])?
                .iter()
                .map(|text| text.map(|t| count(t.encode_utf16().count())))
                .collect(),
        };
        Ok(ColumnarValue::Array(Arc::new(lengths)))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn java_counts_utf16_units() {
        assert_eq!("héllo".encode_utf16().count(), 5);
        assert_eq!("😀".encode_utf16().count(), 2);
    }
}
