//! FROM_BYTES(bytes BYTES, encoding STRING) → STRING: bytes as text in an encoding
//! (ksqlDB `FromBytes`; encodings in `encoding`).
//!
//! NULL if either argument is NULL; an unknown encoding is an error (NULL plus a
//! processing-log entry).

use std::sync::Arc;

use datafusion::arrow::array::StringArray;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::common::cast::{as_binary_array, as_string_array};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::encoding::Encoding;
use crate::func::signature::{Overloads, Param};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct FromBytes {
    signature: Signature,
    overloads: Overloads,
}

impl FromBytes {
    pub(crate) fn new() -> Self {
        FromBytes {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new("from_bytes", vec![vec![Param::Bytes, Param::String]]),
        }
    }
}

impl ScalarUDFImpl for FromBytes {
    fn name(&self) -> &str {
        "from_bytes"
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
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let bytes = as_binary_array(&arrays[0])?;
        let encoding = as_string_array(&arrays[1])?;
        let out = bytes
            .iter()
            .zip(encoding.iter())
            .map(|(bytes, encoding)| match (bytes, encoding) {
                (Some(bytes), Some(encoding)) => {
                    Encoding::from_name(encoding).map(|e| Some(e.encode(bytes)))
                }
                _ => Ok(None),
            })
            .collect::<Result<StringArray>>()?;
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}
