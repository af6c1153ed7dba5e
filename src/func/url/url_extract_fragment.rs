//! URL_EXTRACT_FRAGMENT(url STRING) → STRING: the `%`-decoded fragment, NULL if there is none (`URI.getFragment()`)
//! (ksqlDB `UrlExtractFragment`).
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
pub struct UrlExtractFragment {
    signature: Signature,
    overloads: Overloads,
}

impl UrlExtractFragment {
    pub(crate) fn new() -> Self {
        UrlExtractFragment {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new("url_extract_fragment", vec![vec![Param::String]]),
        }
    }
}

impl ScalarUDFImpl for UrlExtractFragment {
    fn name(&self) -> &str {
        "url_extract_fragment"
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
    Ok(uri.fragment.map(percent_decode))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragments() {
        // ksqlDB: url.json.
        let f = |u: &str| extract(u).unwrap();
        assert_eq!(
            f("http://www.test.com/?query#fragment").as_deref(),
            Some("fragment")
        );
        assert_eq!(f("http://www.nofragment.com"), None);
        assert_eq!(f("http://x.com#a%20b").as_deref(), Some("a b"));
    }
}
