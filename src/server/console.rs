//! The web console: `web/` embedded in the binary and served at `/`, plus the two views of
//! the engine that ksqlDB's REST API does not give: each running query's pipeline with its
//! counters (`GET /console/api/queries`) and a topic's latest records with their partition
//! and offset (`GET /console/api/topics/{topic}/records?limit=N`).
//!
//! Everything else the console shows comes from the REST API itself (`/ksql`,
//! `/query-stream`, `/close-query`), as any client would use it.

use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use serde_json::{Value, json};

use super::AppState;
use super::errors::ApiError;
use crate::log::StoredRecord;

/// The console's files: path under `/console/`, content type, contents.
const ASSETS: &[(&str, &str, &str)] = &[
    (
        "console.css",
        "text/css; charset=utf-8",
        include_str!("../../web/console.css"),
    ),
    (
        "favicon.svg",
        "image/svg+xml",
        include_str!("../../web/favicon.svg"),
    ),
    ("js/api.js", JS, include_str!("../../web/js/api.js")),
    ("js/app.js", JS, include_str!("../../web/js/app.js")),
    ("js/catalog.js", JS, include_str!("../../web/js/catalog.js")),
    ("js/chart.js", JS, include_str!("../../web/js/chart.js")),
    ("js/editor.js", JS, include_str!("../../web/js/editor.js")),
    ("js/results.js", JS, include_str!("../../web/js/results.js")),
    ("js/topics.js", JS, include_str!("../../web/js/topics.js")),
    (
        "js/topology.js",
        JS,
        include_str!("../../web/js/topology.js"),
    ),
];
const JS: &str = "text/javascript; charset=utf-8";
const INDEX: &str = include_str!("../../web/index.html");
/// Records a topic view shows at most.
const MAX_RECORDS: usize = 500;

/// `GET /`: the console's page.
pub async fn index() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        INDEX,
    )
        .into_response()
}

/// `GET /console/{*path}`: one of the console's files.
pub async fn asset(Path(path): Path<String>) -> Response {
    match ASSETS.iter().find(|(name, _, _)| *name == path) {
        Some((_, content_type, body)) => (
            [
                (header::CONTENT_TYPE, *content_type),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            *body,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// `GET /console/api/queries`: every running query with its pipeline and counters.
pub async fn queries(State(state): State<AppState>) -> Response {
    let engine = state.engine.clone();
    let queries = tokio::task::spawn_blocking(move || {
        engine
            .query_topologies()
            .into_iter()
            .map(|(id, persistent, topology)| {
                json!({
                    "id": id,
                    "kind": if persistent { "PERSISTENT" } else { "PUSH" },
                    "recordsIn": topology.records_in,
                    "recordsOut": topology.records_out,
                    "lag": topology.sources.iter().map(|source| source.lag).sum::<u64>(),
                    "sources": topology.sources.iter().map(|source| json!({
                        "topic": source.topic,
                        "position": source.position,
                        "lag": source.lag,
                    })).collect::<Vec<_>>(),
                    "join": topology.join,
                    "operators": topology.operators.iter().map(|(name, rows)| json!({
                        "name": name,
                        "rowsIn": rows.rows_in,
                        "rowsOut": rows.rows_out,
                    })).collect::<Vec<_>>(),
                    "sink": topology.sink,
                })
            })
            .collect::<Vec<Value>>()
    })
    .await
    .unwrap_or_default();
    super::json_response(StatusCode::OK, &Value::Array(queries))
}

/// `GET /console/api/topics/{topic}/records?limit=N`: the newest N records (50 by default)
/// over every partition, oldest first.
pub async fn topic_records(
    State(state): State<AppState>,
    Path(topic): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let limit_param = query
        .as_deref()
        .unwrap_or("")
        .split('&')
        .find_map(|pair| pair.strip_prefix("limit="));
    let limit = match limit_param {
        Some(text) => text
            .parse::<usize>()
            .map_err(|_| ApiError::bad_request(format!("limit must be a number, got '{text}'")))?,
        None => 50,
    }
    .min(MAX_RECORDS);
    let log = state.engine.log().clone();
    let Some(config) = log.topic_config(&topic) else {
        return Err(ApiError::not_found(format!("Topic {topic} does not exist")));
    };
    let records = tokio::task::spawn_blocking(move || {
        let mut records: Vec<StoredRecord> = Vec::new();
        for partition in 0..config.partitions {
            let end = log.end_offset(&topic, partition)?;
            let from = (end - limit as i64).max(log.start_offset(&topic, partition)?);
            records.extend(log.read(&topic, partition, from, limit)?);
        }
        records.sort_by_key(|r| (r.record.timestamp, r.partition, r.offset));
        let skip = records.len().saturating_sub(limit);
        Ok::<_, crate::log::LogError>(records.split_off(skip))
    })
    .await
    .map_err(|e| ApiError::server_error(e.to_string()))?
    .map_err(|e| ApiError::server_error(e.to_string()))?;
    let body: Vec<Value> = records
        .iter()
        .map(|stored| {
            json!({
                "partition": stored.partition,
                "offset": stored.offset,
                "timestamp": stored.record.timestamp,
                "key": stored.record.key.as_deref().map(shown_bytes),
                "value": stored.record.value.as_deref().map(shown_bytes),
            })
        })
        .collect();
    Ok(super::json_response(StatusCode::OK, &Value::Array(body)))
}

/// Text as it is; other bytes (a KAFKA-format number, say) as base64 with a prefix.
fn shown_bytes(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text)
            if !text
                .chars()
                .any(|c| c.is_control() && c != '\n' && c != '\t') =>
        {
            text.to_string()
        }
        _ => format!(
            "base64:{}",
            base64::engine::general_purpose::STANDARD.encode(bytes)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_asset_the_page_names_is_served() {
        let page_refs: Vec<&str> = INDEX
            .split("/console/")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .collect();
        assert!(!page_refs.is_empty());
        for reference in page_refs {
            assert!(
                ASSETS.iter().any(|(name, _, _)| *name == reference),
                "index.html names /console/{reference}, which is not embedded"
            );
        }
    }

    #[test]
    fn every_module_a_script_imports_is_served() {
        for (name, _, body) in ASSETS.iter().filter(|(name, _, _)| name.ends_with(".js")) {
            for import in body.split("from \"./").skip(1) {
                let module = import.split('"').next().unwrap_or_default();
                assert!(
                    ASSETS
                        .iter()
                        .any(|(asset, _, _)| *asset == format!("js/{module}")),
                    "{name} imports ./{module}, which is not embedded"
                );
            }
        }
    }

    #[test]
    fn each_asset_has_the_content_type_of_its_extension() {
        for (name, content_type, _) in ASSETS {
            let expected = match name.rsplit('.').next() {
                Some("js") => JS,
                Some("css") => "text/css; charset=utf-8",
                Some("svg") => "image/svg+xml",
                other => panic!("{name}: no content type known for {other:?}"),
            };
            assert_eq!(*content_type, expected, "{name}");
        }
    }

    #[test]
    fn binary_bytes_are_shown_as_base64() {
        assert_eq!(shown_bytes(b"{\"A\":1}"), "{\"A\":1}");
        assert_eq!(shown_bytes(&[0, 0, 0, 7]), "base64:AAAABw==");
    }
}
