//! URL_ENCODE_PARAM(text STRING) → STRING: text encoded as an `application/x-www-form-urlencoded` value (`URLEncoder`: letters, digits and `.-*_` kept, space as `+`, the rest `%XX` per UTF-8 byte)
//! (ksqlDB `UrlEncodeParam`). NULL for NULL.

use std::sync::Arc;

use datafusion::arrow::array::StringArray;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::common::cast::as_string_array;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::java_uri::form_encode;
use crate::func::signature::{Overloads, Param};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct UrlEncodeParam {
    signature: Signature,
    overloads: Overloads,
}

impl UrlEncodeParam {
    pub(crate) fn new() -> Self {
        UrlEncodeParam {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new("url_encode_param", vec![vec![Param::String]]),
        }
    }
}

impl ScalarUDFImpl for UrlEncodeParam {
    fn name(&self) -> &str {
        "url_encode_param"
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
                Some(text) => Ok(Some(form_encode(text))),
                None => Ok(None),
            })
            .collect::<Result<StringArray>>()?;
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}
