//! URL_EXTRACT_HOST, URL_EXTRACT_PROTOCOL, URL_EXTRACT_PATH, URL_EXTRACT_QUERY and
//! URL_EXTRACT_FRAGMENT (url STRING) → STRING: one component of a URL as `java.net.URI`
//! reads it (`getHost()`, `getScheme()`, and the `%`-decoded `getPath()`, `getQuery()`,
//! `getFragment()`), NULL if the URL has none (ksqlDB `UrlExtractHost` and siblings).
//!
//! NULL for NULL; a URL that `java.net.URI` rejects is an error (NULL plus a
//! processing-log entry). Parsing is `java_uri`'s. URL_EXTRACT_PORT (an INTEGER) and
//! URL_EXTRACT_PARAMETER (two arguments) have files of their own.

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

/// The part of a URL a function extracts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UrlComponent {
    Host,
    Protocol,
    Path,
    Query,
    Fragment,
}

impl UrlComponent {
    /// The ksqlDB function that extracts this component.
    fn function_name(self) -> &'static str {
        match self {
            UrlComponent::Host => "url_extract_host",
            UrlComponent::Protocol => "url_extract_protocol",
            UrlComponent::Path => "url_extract_path",
            UrlComponent::Query => "url_extract_query",
            UrlComponent::Fragment => "url_extract_fragment",
        }
    }

    fn extract(self, url: &str) -> Result<Option<String>> {
        let uri = JavaUri::parse(url)?;
        Ok(match self {
            UrlComponent::Host => uri.host.map(str::to_string),
            UrlComponent::Protocol => uri.scheme.map(str::to_string),
            UrlComponent::Path => uri.path.map(percent_decode),
            UrlComponent::Query => uri.query.map(percent_decode),
            UrlComponent::Fragment => uri.fragment.map(percent_decode),
        })
    }
}

/// One URL_EXTRACT_* function for one component.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct UrlExtractComponent {
    component: UrlComponent,
    signature: Signature,
    overloads: Overloads,
}

impl UrlExtractComponent {
    pub(crate) fn new(component: UrlComponent) -> Self {
        UrlExtractComponent {
            component,
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new(component.function_name(), vec![vec![Param::String]]),
        }
    }
}

impl ScalarUDFImpl for UrlExtractComponent {
    fn name(&self) -> &str {
        self.component.function_name()
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
                self.component.extract(urls.value(row))
            })
            .collect::<Result<StringArray>>()?;
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

#[cfg(test)]
mod tests {
    use super::UrlComponent::{self, *};

    // ksqlDB: url.json.
    fn f(component: UrlComponent, url: &str) -> Option<String> {
        component.extract(url).unwrap()
    }

    #[test]
    fn hosts() {
        assert_eq!(
            f(Host, "http://www.test.com/?query#fragment").as_deref(),
            Some("www.test.com")
        );
        assert_eq!(
            f(Host, "http://test@confluent.io:8080").as_deref(),
            Some("confluent.io")
        );
        assert_eq!(f(Host, "www.confluent.io"), None);
        assert!(Host.extract("http://bad host").is_err());
    }

    #[test]
    fn schemes() {
        assert_eq!(
            f(Protocol, "http://test@confluent.io").as_deref(),
            Some("http")
        );
        assert_eq!(
            f(
                Protocol,
                "https://test@confluent.io:8080/nested/path?query&jobs"
            )
            .as_deref(),
            Some("https")
        );
        assert_eq!(f(Protocol, "www.confluent.io"), None);
    }

    #[test]
    fn paths() {
        assert_eq!(
            f(Path, "http://www.test.com?query#fragment").as_deref(),
            Some("")
        );
        assert_eq!(
            f(Path, "http://www.test.com/path?query").as_deref(),
            Some("/path")
        );
        assert_eq!(
            f(Path, "http://test@confluent.io:8080/nested/path?query&jobs").as_deref(),
            Some("/nested/path")
        );
        assert_eq!(f(Path, "mailto:someone"), None);
    }

    #[test]
    fn queries() {
        assert_eq!(
            f(Query, "http://www.test.com?query#fragment").as_deref(),
            Some("query")
        );
        assert_eq!(
            f(Query, "http://www.test.com/path?q1&q2").as_deref(),
            Some("q1&q2")
        );
        assert_eq!(f(Query, "http://test@confluent.io:8080/path"), None);
    }

    #[test]
    fn fragments() {
        assert_eq!(
            f(Fragment, "http://www.test.com/?query#fragment").as_deref(),
            Some("fragment")
        );
        assert_eq!(f(Fragment, "http://www.nofragment.com"), None);
        assert_eq!(f(Fragment, "http://x.com#a%20b").as_deref(), Some("a b"));
    }
}
