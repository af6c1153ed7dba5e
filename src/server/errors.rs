//! ksqlDB's error bodies (`KsqlErrorMessage`, `KsqlStatementErrorMessage`) and the HTTP
//! status each is sent with.
//!
//! ksqlDB: `error_code` is the HTTP status × 100 plus a detail digit (`Errors.java`), and
//! every error is sent as `Content-Type: application/json` whatever the client accepts.

use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// 40000: a malformed or incomplete request.
pub const BAD_REQUEST: u32 = 40000;
/// 40001: a statement that failed.
pub const BAD_STATEMENT: u32 = 40001;
/// 40002: a SELECT or PRINT sent to `/ksql`.
pub const QUERY_ENDPOINT: u32 = 40002;
/// 40400: no such resource.
pub const NOT_FOUND: u32 = 40400;
/// 40500: the path exists, the method does not.
pub const METHOD_NOT_ALLOWED: u32 = 40500;
/// 41300: the request body is over the size limit.
pub const PAYLOAD_TOO_LARGE: u32 = 41300;
/// 50000: a server-side failure (a bug, or the engine's task died).
pub const SERVER_ERROR: u32 = 50000;

/// An error response in ksqlDB's shape.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// `{"@type":"generic_error","error_code":…,"message":…}`.
    Generic {
        status: StatusCode,
        code: u32,
        message: String,
    },
    /// `{"@type":"statement_error",…,"statementText":…,"entities":[…]}`: a statement failed;
    /// `entities` are the results of the statements of the same request that ran before it.
    Statement {
        status: StatusCode,
        code: u32,
        message: String,
        statement_text: String,
        entities: Vec<Value>,
    },
}

impl ApiError {
    /// 400 `generic_error` 40000.
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::Generic {
            status: StatusCode::BAD_REQUEST,
            code: BAD_REQUEST,
            message: message.into(),
        }
    }

    /// ksqlDB: a body that is not JSON.
    pub fn malformed_json() -> ApiError {
        ApiError::bad_request("Malformed JSON in request")
    }

    /// ksqlDB: a request object without a field it needs.
    pub fn missing_param(name: &str) -> ApiError {
        ApiError::bad_request(format!("No {name} in arguments"))
    }

    /// 400 `statement_error` 40001.
    pub fn bad_statement(
        message: impl Into<String>,
        statement_text: impl Into<String>,
        entities: Vec<Value>,
    ) -> ApiError {
        ApiError::Statement {
            status: StatusCode::BAD_REQUEST,
            code: BAD_STATEMENT,
            message: message.into(),
            statement_text: statement_text.into(),
            entities,
        }
    }

    /// ksqlDB's answer to a SELECT or PRINT sent to `/ksql` (`Errors.queryEndpoint`).
    pub fn query_endpoint(statement_text: impl Into<String>) -> ApiError {
        ApiError::Statement {
            status: StatusCode::BAD_REQUEST,
            code: QUERY_ENDPOINT,
            message: "The following statement types should be issued to the websocket \
                      endpoint '/query':\n\t* PRINT\n\t* SELECT"
                .into(),
            statement_text: statement_text.into(),
            entities: Vec::new(),
        }
    }

    /// 404 `generic_error` 40400.
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::Generic {
            status: StatusCode::NOT_FOUND,
            code: NOT_FOUND,
            message: message.into(),
        }
    }

    /// 413: the body is over `limit` bytes.
    pub fn payload_too_large(limit: usize) -> ApiError {
        ApiError::Generic {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            code: PAYLOAD_TOO_LARGE,
            message: format!("Request body is larger than the limit of {limit} bytes"),
        }
    }

    /// 500: something that is not the client's fault.
    pub fn server_error(message: impl Into<String>) -> ApiError {
        ApiError::Generic {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: SERVER_ERROR,
            message: message.into(),
        }
    }

    /// The HTTP status this error is sent with.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Generic { status, .. } | ApiError::Statement { status, .. } => *status,
        }
    }

    /// The error body.
    pub fn body(&self) -> Value {
        match self {
            ApiError::Generic { code, message, .. } => json!({
                "@type": "generic_error",
                "error_code": code,
                "message": message,
            }),
            ApiError::Statement {
                code,
                message,
                statement_text,
                entities,
                ..
            } => json!({
                "@type": "statement_error",
                "error_code": code,
                "message": message,
                "statementText": statement_text,
                "entities": entities,
            }),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = self.body().to_string();
        (
            self.status(),
            [(header::CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response()
    }
}

/// The fallback for paths no route knows.
pub async fn not_found(uri: Uri) -> ApiError {
    ApiError::not_found(format!("Not found: {}", uri.path()))
}

/// The fallback for a known path asked with a method it does not serve.
pub async fn method_not_allowed() -> ApiError {
    ApiError::Generic {
        status: StatusCode::METHOD_NOT_ALLOWED,
        code: METHOD_NOT_ALLOWED,
        message: "Method not allowed".into(),
    }
}
