//! `POST /inserts-stream`: rows streamed into a stream or table, each acknowledged.
//!
//! The body is newline-delimited JSON, as ksqlDB's clients send it: first
//! `{"target": "NAME", "properties": {…}}`, then one JSON object per row (column names in
//! any case; `ROWTIME` sets the record's time). The answer has an acknowledgement per row,
//! in order: `{"status":"ok","seq":N}` once the row is in the log, or
//! `{"status":"error","seq":N,"error_code":40000,"message":…}` for a row that cannot be
//! inserted (the rows after it are still inserted); one per line by default, or one JSON
//! array when the client accepts `application/json`, as ksqlDB answers. A request without a
//! valid first line gets ksqlDB's 400 error body.

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::AppState;
use super::errors::{ApiError, BAD_REQUEST};
use super::query_stream::{DELIMITED, Format};
use super::request;
use crate::engine::insert_values::insert_json_rows;

pub async fn handle(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body = request::body_bytes(body, state.max_request_bytes)?;
    let text = std::str::from_utf8(&body).map_err(|_| ApiError::malformed_json())?;
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header: Value = lines
        .next()
        .ok_or_else(|| ApiError::missing_param("target"))
        .and_then(|line| serde_json::from_str(line).map_err(|_| ApiError::malformed_json()))?;
    let target = header
        .get("target")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::missing_param("target"))?
        .to_uppercase();
    if state.engine.catalog().source(&target).is_none() {
        return Err(ApiError::bad_request(format!(
            "Cannot insert values into an unknown stream/table: {target}"
        )));
    }
    let rows: Vec<Result<Map<String, Value>, String>> = lines
        .map(|line| match serde_json::from_str::<Value>(line) {
            Ok(Value::Object(row)) => Ok(row),
            Ok(other) => Err(format!("Expected a JSON object for a row, got {other}")),
            Err(e) => Err(format!("Malformed JSON in row: {e}")),
        })
        .collect();
    let engine = state.engine.clone();
    let acks = tokio::task::spawn_blocking(move || {
        insert_json_rows(&engine, &target, rows)
            .into_iter()
            .enumerate()
            .map(|(seq, outcome)| {
                match outcome {
                    Ok(()) => json!({"status": "ok", "seq": seq}),
                    Err(message) => json!({
                        "status": "error",
                        "seq": seq,
                        "error_code": BAD_REQUEST,
                        "message": message,
                    }),
                }
                .to_string()
            })
            .collect::<Vec<String>>()
    })
    .await
    .map_err(|e| ApiError::server_error(format!("inserts failed: {e}")))?;
    let (content_type, body) = match Format::from_accept(&headers) {
        Format::JsonArray => ("application/json", format!("[{}]", acks.join(","))),
        Format::Delimited | Format::StreamedRows => (
            DELIMITED,
            acks.iter().map(|ack| format!("{ack}\n")).collect(),
        ),
    };
    Ok((StatusCode::OK, [(header::CONTENT_TYPE, content_type)], body).into_response())
}
