//! URL_EXTRACT_QUERY(url STRING) → STRING: the `%`-decoded query, NULL if there is none (`URI.getQuery()`)
//! (ksqlDB `UrlExtractQuery`).
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

use super::java_uri::{JavaUri, percent_decode};
use crate::func::signature::{Overloads, Param};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct UrlExtractQuery {
    signature: Signature,
    overloads: Overloads,
}

impl UrlExtractQuery {
    pub(crate) fn new() -> Self {
        UrlExtractQuery {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new("url_extract_query", vec![vec![Param::String]]),
        }
    }
}

impl ScalarUDFImpl for UrlExtractQuery {
    fn name(&self) -> &str {
        "url_extract_query"
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
    Ok(uri.query.map(percent_decode))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries() {
        // ksqlDB: url.json.
        let f = |u: &str| extract(u).unwrap();
        assert_eq!(
            f("http://www.test.com?query#fragment").as_deref(),
            Some("query")
        );
        assert_eq!(
            f("http://www.test.com/path?q1&q2").as_deref(),
            Some("q1&q2")
        );
        assert_eq!(f("http://test@confluent.io:8080/path"), None);
    }
}
