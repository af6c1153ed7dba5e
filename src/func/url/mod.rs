//! URL functions: ksqlDB's `udf/url` (URL_EXTRACT_*, URL_ENCODE_PARAM, URL_DECODE_PARAM),
//! parsing URLs as `java.net.URI` does.

pub mod java_uri;
pub mod url_decode_param;
pub mod url_encode_param;
pub mod url_extract_component;
pub mod url_extract_parameter;
pub mod url_extract_port;
