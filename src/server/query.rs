//! `POST /query`: ksqlDB's legacy query endpoint. One SELECT (or PRINT) in a `KsqlRequest`;
//! the answer streams over HTTP/1.1 chunked encoding as one JSON array of `StreamedRow`s,
//! written as ksqlDB's `JsonStreamedRowResponseWriter` does — each element followed by
//! `",\n"`, so a client reading lines gets one complete element per line:
//!
//! ```text
//! [{"header":{"queryId":"transient_S_1","schema":"`ID` STRING, `N` BIGINT"}},
//! {"row":{"columns":["a",1]}},
//! {"row":{"columns":["b",null],"tombstone":true}},
//! {"finalMessage":"Limit Reached"}]
//! ```
//!
//! A query ended any other way (`/close-query`, TERMINATE, a failure) ends the array with
//! `{"finalMessage":"Query Completed"}`, so that the body stays valid JSON.

use std::convert::Infallible;
use std::fmt::Write;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::AppState;
use super::errors::ApiError;
use super::push::{self, End, PushEvent, PushRows, Started};
use super::request::{self, KsqlRequest};
use super::rows::RestRow;
use crate::engine::ResultEnd;

/// `application/vnd.ksql.v1+json`: the StreamedRow format.
pub const KSQL_V1_JSON: &str = "application/vnd.ksql.v1+json";

pub async fn handle(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body = request::body_bytes(body, state.max_request_bytes)?;
    let request: KsqlRequest = request::parse(&body)?;
    let ksql = request
        .ksql
        .ok_or_else(|| ApiError::missing_param("ksql"))?;
    let session = request::session(
        request.streams_properties.as_ref(),
        request.session_variables.as_ref(),
    );
    Ok(match push::start(&state, &ksql, session).await? {
        Started::Push(rows) => streamed_rows(rows),
        Started::Print(lines) => print_lines(lines),
    })
}

/// The StreamedRow array of a push query (also `/query-stream`'s `vnd.ksql.v1+json`).
pub fn streamed_rows(rows: PushRows) -> Response {
    let header = json!({"header": {"queryId": rows.query_id, "schema": rows.schema_text}});
    if rows.end == ResultEnd::Rows {
        return answer(header, rows);
    }
    let first = Bytes::from(format!("[{header},\n"));
    let body = futures::stream::unfold(Some((rows, Some(first))), |state| async move {
        let (mut rows, first) = state?;
        if let Some(first) = first {
            return Some((Ok::<_, Infallible>(first), Some((rows, None))));
        }
        loop {
            match rows.next().await {
                PushEvent::Rows(batch) if batch.is_empty() => continue,
                PushEvent::Rows(batch) => {
                    let mut out = String::new();
                    for row in &batch {
                        write_streamed_row(&mut out, row);
                        out.push_str(",\n");
                    }
                    return Some((Ok(Bytes::from(out)), Some((rows, None))));
                }
                PushEvent::End(end) => {
                    let message = match end {
                        End::LimitReached => "Limit Reached",
                        End::Closed | End::Completed | End::Answered => "Query Completed",
                    };
                    let last = format!("{}]", json!({"finalMessage": message}));
                    return Some((Ok(Bytes::from(last)), None));
                }
            }
        }
    });
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, KSQL_V1_JSON)],
        Body::from_stream(body),
    )
        .into_response()
}

/// A pull query's answer over a table: the header and its rows, with no final message
/// (its rows are all there, so the array is written whole).
fn answer(header: Value, mut rows: PushRows) -> Response {
    let body = futures::stream::once(async move {
        let mut elements = vec![header.to_string()];
        while let PushEvent::Rows(batch) = rows.next().await {
            elements.extend(batch.iter().map(streamed_row_text));
        }
        Ok::<_, Infallible>(Bytes::from(format!("[{}]", elements.join(",\n"))))
    });
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, KSQL_V1_JSON)],
        Body::from_stream(body),
    )
        .into_response()
}

/// Appends `row` as a StreamedRow, `{"row":{"columns":[…]}}` with `"tombstone":true` for a
/// deleted key, written as text directly: a push query writes one per row to every client.
fn write_streamed_row(out: &mut String, row: &RestRow) {
    out.push_str("{\"row\":{\"columns\":[");
    for (i, cell) in row.columns.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(out, "{cell}");
    }
    out.push(']');
    if row.tombstone {
        out.push_str(",\"tombstone\":true");
    }
    out.push_str("}}");
}

/// One StreamedRow's JSON text.
fn streamed_row_text(row: &RestRow) -> String {
    let mut text = String::new();
    write_streamed_row(&mut text, row);
    text
}

/// PRINT: the engine's formatted records, one per line, as they arrive.
pub fn print_lines(lines: mpsc::UnboundedReceiver<String>) -> Response {
    let body = futures::stream::unfold(lines, |mut lines| async move {
        let line = lines.recv().await?;
        Some((Ok::<_, Infallible>(Bytes::from(format!("{line}\n"))), lines))
    });
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain")],
        Body::from_stream(body),
    )
        .into_response()
}
