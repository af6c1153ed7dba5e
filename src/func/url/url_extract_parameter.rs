//! URL_EXTRACT_PARAMETER(url STRING, name STRING) → STRING: the value of a query
//! parameter (ksqlDB `UrlExtractParameter`).
//!
//! ksqlDB: the `%`-decoded query is split on `&`, each parameter on its first `=`; the
//! first parameter with the name wins, and one without `=` gives an empty string. NULL if
//! the URL has no query, no parameter has the name, or an argument is NULL; a URL that
//! `java.net.URI` rejects is an error (NULL plus a processing-log entry).

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
pub struct UrlExtractParameter {
    signature: Signature,
    overloads: Overloads,
}

impl UrlExtractParameter {
    pub(crate) fn new() -> Self {
        UrlExtractParameter {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new(
                "url_extract_parameter",
                vec![vec![Param::String, Param::String]],
            ),
        }
    }
}

impl ScalarUDFImpl for UrlExtractParameter {
    fn name(&self) -> &str {
        "url_extract_parameter"
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
        let names = as_string_array(&arrays[1])?;
        let out = (0..urls.len())
            .map(|row| {
                if urls.is_null(row) {
                    return Ok(None);
                }
                let name = names.is_valid(row).then(|| names.value(row));
                extract(urls.value(row), name)
            })
            .collect::<Result<StringArray>>()?;
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

fn extract(url: &str, name: Option<&str>) -> Result<Option<String>> {
    let Some(query) = JavaUri::parse(url)?.query.map(percent_decode) else {
        return Ok(None);
    };
    let Some(name) = name else { return Ok(None) };
    for param in query.split('&') {
        match param.split_once('=') {
            None if param == name => return Ok(Some(String::new())),
            Some((key, value)) if key == name => return Ok(Some(value.to_string())),
            _ => {}
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters() {
        // ksqlDB: url.json.
        let url = "http://www.test.com/?one=a&two=b&three";
        assert_eq!(extract(url, Some("one")).unwrap().as_deref(), Some("a"));
        assert_eq!(extract(url, Some("two")).unwrap().as_deref(), Some("b"));
        assert_eq!(extract(url, Some("three")).unwrap().as_deref(), Some(""));
        assert_eq!(extract(url, Some("four")).unwrap(), None);
        let encoded = "http://www.test.com/?one=a&two=url%20encoded";
        assert_eq!(
            extract(encoded, Some("two")).unwrap().as_deref(),
            Some("url encoded")
        );
        assert_eq!(extract("http://x.com/a=b", Some("a")).unwrap(), None);
    }
}
