//! `POST /query-stream` (ksqlDB's newer query API) and `POST /close-query`.
//!
//! Request (`QueryStreamArgs`): `{"sql": "SELECT …;", "properties": {…},
//! "sessionVariables": {…}}`. The response format follows `Accept`:
//! - `application/vnd.ksqlapi.delimited.v1`, `*/*` or none: newline-delimited JSON, a
//!   metadata object `{"queryId","columnNames","columnTypes"}` then one array per row
//!   (tombstones are left out, as in ksqlDB);
//! - `application/json`: one JSON array, `[{metadata},[row],[row],…]`;
//! - `application/vnd.ksql.v1+json`: `/query`'s StreamedRow array.
//!
//! `/close-query` `{"queryId": …}` ends a push query started here or on `/query`.

use std::convert::Infallible;
use std::fmt::Write;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use serde_json::{Value, json};

use super::AppState;
use super::errors::ApiError;
use super::push::{self, PushEvent, PushRows, Started};
use super::query::{self, KSQL_V1_JSON};
use super::request::{self, CloseQueryArgs, QueryStreamArgs};

/// ksqlDB's default `/query-stream` format.
pub const DELIMITED: &str = "application/vnd.ksqlapi.delimited.v1";

/// How a `/query-stream` (or `/inserts-stream`) answer is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Format {
    Delimited,
    JsonArray,
    StreamedRows,
}

impl Format {
    /// The first media type of `Accept` that is one of ours; delimited by default.
    pub(super) fn from_accept(headers: &HeaderMap) -> Format {
        let accept = headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        accept
            .split(',')
            .map(|t| t.split(';').next().unwrap_or("").trim())
            .find_map(|t| match t {
                DELIMITED | "*/*" => Some(Format::Delimited),
                "application/json" => Some(Format::JsonArray),
                KSQL_V1_JSON => Some(Format::StreamedRows),
                _ => None,
            })
            .unwrap_or(Format::Delimited)
    }
}

pub async fn handle(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body = request::body_bytes(body, state.max_request_bytes)?;
    let args: QueryStreamArgs = request::parse(&body)?;
    let sql = args.sql.ok_or_else(|| ApiError::missing_param("sql"))?;
    let session = request::session(args.properties.as_ref(), args.session_variables.as_ref());
    let format = Format::from_accept(&headers);
    Ok(match push::start(&state, &sql, session).await? {
        Started::Push(rows) => match format {
            Format::Delimited => delimited(rows),
            Format::JsonArray => json_array(rows),
            Format::StreamedRows => query::streamed_rows(rows),
        },
        Started::Print(lines) if format == Format::Delimited => query::print_lines(lines),
        // ksqlDB: PRINT only streams as the delimited type.
        Started::Print(_) => ApiError::Generic {
            status: StatusCode::NOT_ACCEPTABLE,
            code: 40600,
            message: format!("PRINT is only available as {DELIMITED}"),
        }
        .into_response(),
    })
}

/// `{"queryId":…,"columnNames":[…],"columnTypes":[…]}`.
fn metadata(rows: &PushRows) -> Value {
    json!({
        "queryId": rows.query_id,
        "columnNames": rows.columns.iter().map(|(n, _)| n).collect::<Vec<_>>(),
        "columnTypes": rows.columns.iter().map(|(_, t)| t.to_string()).collect::<Vec<_>>(),
    })
}

/// Newline-delimited: the metadata line, then a line per row as it is produced.
fn delimited(rows: PushRows) -> Response {
    let first = Bytes::from(format!("{}\n", metadata(&rows)));
    stream(rows, first, DELIMITED, ("", "\n"), None)
}

/// One JSON array: `[{metadata},[row],…]`; the separator goes before each row, so the array
/// is closed however the query ends.
fn json_array(rows: PushRows) -> Response {
    let first = Bytes::from(format!("[{}", metadata(&rows)));
    stream(rows, first, "application/json", (",", ""), Some("]"))
}

/// Streams `first`, then each non-tombstone row as a JSON array between `around`'s two
/// texts, then `last`. Every
/// row is a chunk of its own (an HTTP/2 DATA frame, an HTTP/1.1 chunk), as ksqlDB writes
/// them: clients such as the npm `ksqldb-client` parse each frame as one row.
fn stream(
    rows: PushRows,
    first: Bytes,
    content_type: &'static str,
    around: (&'static str, &'static str),
    last: Option<&'static str>,
) -> Response {
    let chunks = futures::stream::unfold(Some((rows, Some(first))), move |state| async move {
        let (mut rows, first) = state?;
        if let Some(first) = first {
            return Some((vec![first], Some((rows, None))));
        }
        loop {
            match rows.next().await {
                PushEvent::Rows(batch) => {
                    let out: Vec<Bytes> = batch
                        .iter()
                        .filter(|row| !row.tombstone)
                        .map(|row| Bytes::from(row_text(&row.columns, around)))
                        .collect();
                    if !out.is_empty() {
                        return Some((out, Some((rows, None))));
                    }
                }
                PushEvent::End(_) => return last.map(|l| (vec![Bytes::from(l)], None)),
            }
        }
    });
    let body = chunks
        .flat_map(|chunks| futures::stream::iter(chunks.into_iter().map(Ok::<_, Infallible>)));
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, content_type)],
        Body::from_stream(body),
    )
        .into_response()
}

/// `before[cell,…]after`, written as text directly.
fn row_text(cells: &[Value], (before, after): (&str, &str)) -> String {
    let mut text = String::with_capacity(16 * cells.len() + 4);
    text.push_str(before);
    text.push('[');
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        let _ = write!(text, "{cell}");
    }
    text.push(']');
    text.push_str(after);
    text
}

/// `POST /close-query`: 200 with an empty body, or 400 for an unknown query id.
pub async fn close(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body = request::body_bytes(body, state.max_request_bytes)?;
    let args: CloseQueryArgs = request::parse(&body)?;
    let id = args
        .query_id
        .ok_or_else(|| ApiError::missing_param("queryId"))?;
    if state.push_queries.close(&id) {
        Ok(StatusCode::OK.into_response())
    } else {
        Err(ApiError::bad_request(format!("No query with id {id}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> Format {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, value.parse().unwrap());
        Format::from_accept(&headers)
    }

    #[test]
    fn accept_picks_the_format() {
        assert_eq!(Format::from_accept(&HeaderMap::new()), Format::Delimited);
        assert_eq!(accept("*/*"), Format::Delimited);
        assert_eq!(accept("application/json"), Format::JsonArray);
        assert_eq!(
            accept("text/html, application/json;q=0.9"),
            Format::JsonArray
        );
        assert_eq!(accept(KSQL_V1_JSON), Format::StreamedRows);
        assert_eq!(accept(DELIMITED), Format::Delimited);
    }
}
