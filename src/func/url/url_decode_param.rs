//! URL_DECODE_PARAM(text STRING) → STRING: text decoded from an `application/x-www-form-urlencoded` value (`URLDecoder`: `+` is a space, `%XX` a UTF-8 byte; a malformed escape is an error, NULL plus a processing-log entry)
//! (ksqlDB `UrlDecodeParam`). NULL for NULL.

use std::sync::Arc;

use datafusion::arrow::array::StringArray;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::common::cast::as_string_array;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::java_uri::form_decode;
use crate::func::signature::{Overloads, Param};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct UrlDecodeParam {
    signature: Signature,
    overloads: Overloads,
}

impl UrlDecodeParam {
    pub(crate) fn new() -> Self {
        UrlDecodeParam {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new("url_decode_param", vec![vec![Param::String]]),
        }
    }
}

impl ScalarUDFImpl for UrlDecodeParam {
    fn name(&self) -> &str {
        "url_decode_param"
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
        let out = as_string_array(&arrays[0])?
            .iter()
            .map(|text| match text {
                Some(text) => form_decode(text).map(Some),
                None => Ok(None),
            })
            .collect::<Result<StringArray>>()?;
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}
