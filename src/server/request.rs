//! What clients send: the JSON bodies of `/ksql`, `/query`, `/query-stream` and
//! `/close-query`, and the engine session a request implies.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::errors::ApiError;
use crate::engine::Session;

/// `KsqlRequest`: the body of `/ksql` and `/query`.
#[derive(Debug, Deserialize)]
pub struct KsqlRequest {
    pub ksql: Option<String>,
    #[serde(rename = "streamsProperties", default)]
    pub streams_properties: Option<Map<String, Value>>,
    #[serde(rename = "sessionVariables", default)]
    pub session_variables: Option<Map<String, Value>>,
}

/// `QueryStreamArgs`: the body of `/query-stream`.
#[derive(Debug, Deserialize)]
pub struct QueryStreamArgs {
    pub sql: Option<String>,
    #[serde(default)]
    pub properties: Option<Map<String, Value>>,
    #[serde(rename = "sessionVariables", default)]
    pub session_variables: Option<Map<String, Value>>,
}

/// `CloseQueryArgs`: the body of `/close-query`.
#[derive(Debug, Deserialize)]
pub struct CloseQueryArgs {
    #[serde(rename = "queryId")]
    pub query_id: Option<String>,
}

/// The request body, or the error for one that could not be read (413 when over the limit).
pub fn body_bytes(body: Result<Bytes, BytesRejection>, limit: usize) -> Result<Bytes, ApiError> {
    body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::payload_too_large(limit)
        } else {
            ApiError::bad_request(rejection.body_text())
        }
    })
}

/// Parses a JSON request object. ksqlDB: text that is not JSON is "Malformed JSON in
/// request"; JSON of the wrong shape is a bad request naming what is wrong.
pub fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => ApiError::bad_request(format!("Invalid request: {e}")),
        _ => ApiError::malformed_json(),
    })
}

/// The engine session a request runs in: its properties (`SET` equivalents) and
/// variables (`DEFINE` equivalents). Values that are not strings are written as JSON text.
pub fn session(
    properties: Option<&Map<String, Value>>,
    variables: Option<&Map<String, Value>>,
) -> Session {
    let strings = |map: Option<&Map<String, Value>>| {
        map.into_iter()
            .flatten()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| {
                let text = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                (k.clone(), text)
            })
            .collect()
    };
    Session {
        properties: strings(properties),
        variables: strings(variables),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_that_is_not_json_is_malformed() {
        let err = parse::<KsqlRequest>(b"{\"ksql\": ").unwrap_err();
        assert_eq!(err, ApiError::malformed_json());
    }

    #[test]
    fn wrong_shapes_are_bad_requests() {
        let err = parse::<KsqlRequest>(br#"{"ksql": 3}"#).unwrap_err();
        assert!(matches!(err, ApiError::Generic { code: 40000, .. }));
        assert!(parse::<KsqlRequest>(b"[]").is_err());
    }

    #[test]
    fn properties_become_strings() {
        let request: KsqlRequest =
            parse(br#"{"ksql":"x","streamsProperties":{"a":"earliest","b":3,"c":true,"d":null}}"#)
                .unwrap();
        let session = session(request.streams_properties.as_ref(), None);
        assert_eq!(session.properties["a"], "earliest");
        assert_eq!(session.properties["b"], "3");
        assert_eq!(session.properties["c"], "true");
        assert!(!session.properties.contains_key("d"));
    }
}
