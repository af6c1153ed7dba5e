//! URL_EXTRACT_PORT(url STRING) → INT: the port, NULL if the URL names none (`URI.getPort()`)
//! (ksqlDB `UrlExtractPort`).
//!
//! NULL for NULL; a URL that `java.net.URI` rejects is an error (NULL plus a
//! processing-log entry). Parsing is `java_uri`'s.

use std::sync::Arc;

use datafusion::arrow::array::{Array, Int32Array};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::common::cast::as_string_array;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::java_uri::JavaUri;
use crate::func::signature::{Overloads, Param};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct UrlExtractPort {
    signature: Signature,
    overloads: Overloads,
}

impl UrlExtractPort {
    pub(crate) fn new() -> Self {
        UrlExtractPort {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new("url_extract_port", vec![vec![Param::String]]),
        }
    }
}

impl ScalarUDFImpl for UrlExtractPort {
    fn name(&self) -> &str {
        "url_extract_port"
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
        let urls = as_string_array(&arrays[0])?;
        let out = (0..urls.len())
            .map(|row| {
                if urls.is_null(row) {
                    return Ok(None);
                }
                extract(urls.value(row))
            })
            .collect::<Result<Int32Array>>()?;
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

fn extract(url: &str) -> Result<Option<i32>> {
    let uri = JavaUri::parse(url)?;
    Ok(uri.port)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports() {
        // ksqlDB: url.json.
        assert_eq!(extract("http://test@confluent.io").unwrap(), None);
        assert_eq!(
            extract("http://test@confluent.io:8080/nested/path?query&jobs").unwrap(),
            Some(8080)
        );
    }
}
