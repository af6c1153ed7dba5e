//! URL_EXTRACT_PROTOCOL(url STRING) → STRING: the scheme, NULL if there is none (`URI.getScheme()`)
//! (ksqlDB `UrlExtractProtocol`).
//!
//! NULL for NULL; a URL that `java.net.URI` rejects is an error (NULL plus a
//! processing-log entry). Parsing is `java_uri`'s.

use std::sync::Arc;

use datafusion::arrow::array::{Array, StringArray};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::common::cast::as_string_array;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::java_uri::JavaUri;
use crate::func::signature::{Overloads, Param};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct UrlExtractProtocol {
    signature: Signature,
    overloads: Overloads,
}

impl UrlExtractProtocol {
    pub(crate) fn new() -> Self {
        UrlExtractProtocol {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new("url_extract_protocol", vec![vec![Param::String]]),
        }
    }
}

impl ScalarUDFImpl for UrlExtractProtocol {
    fn name(&self) -> &str {
        "url_extract_protocol"
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
        let urls = as_string_array(&arrays[0])?;
        let out = (0..urls.len())
            .map(|row| {
                if urls.is_null(row) {
                    return Ok(None);
                }
                extract(urls.value(row))
            })
            .collect::<Result<StringArray>>()?;
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

fn extract(url: &str) -> Result<Option<String>> {
    let uri = JavaUri::parse(url)?;
    Ok(uri.scheme.map(str::to_string))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes() {
        // ksqlDB: url.json.
        let f = |u: &str| extract(u).unwrap();
        assert_eq!(f("http://test@confluent.io").as_deref(), Some("http"));
        assert_eq!(
            f("https://test@confluent.io:8080/nested/path?query&jobs").as_deref(),
            Some("https")
        );
        assert_eq!(f("www.confluent.io"), None);
    }
}
