//! TO_BYTES(text STRING, encoding STRING) → BYTES: text read in an encoding
//! (ksqlDB `ToBytes`; encodings in `encoding`).
//!
//! NULL if the text is NULL; a NULL or unknown encoding, or text that is not valid in
//! it (odd-length hex), is an error (NULL plus a processing-log entry).

use std::sync::Arc;

use datafusion::arrow::array::BinaryArray;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::cast::as_string_array;
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::encoding::Encoding;
use crate::func::signature::{Overloads, Param};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ToBytes {
    signature: Signature,
    overloads: Overloads,
}

impl ToBytes {
    pub(crate) fn new() -> Self {
        ToBytes {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new("to_bytes", vec![vec![Param::String, Param::String]]),
        }
    }
}

impl ScalarUDFImpl for ToBytes {
    fn name(&self) -> &str {
        "to_bytes"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        self.overloads.coerce(arg_types)
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        self.overloads.resolve(arg_types)?;
        Ok(DataType::Binary)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let text = as_string_array(&arrays[0])?;
        let encoding = as_string_array(&arrays[1])?;
        let out = text
            .iter()
            .zip(encoding.iter())
            .map(|(text, encoding)| match (text, encoding) {
                (None, _) => Ok(None),
                (Some(_), None) => exec_err!("TO_BYTES: the encoding is null"),
                (Some(text), Some(encoding)) => {
                    Encoding::from_name(encoding)?.decode(text).map(Some)
                }
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(ColumnarValue::Array(Arc::new(BinaryArray::from_iter(out))))
    }
}
