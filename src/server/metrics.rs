//! `GET /metrics`: Prometheus' text format, for scraping.
//!
//! Per running query (label `query_id`, and `kind` = persistent or push): records read,
//! rows written, and consumer lag (records in its inputs not read yet); for the server:
//! processing-log errors and connected push-query clients.

use std::fmt::Write;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::AppState;

/// Prometheus' text exposition format, version 0.0.4.
const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

pub async fn handle(State(state): State<AppState>) -> Response {
    let engine = state.engine.clone();
    let queries = tokio::task::spawn_blocking(move || engine.query_metrics())
        .await
        .unwrap_or_default();
    let mut out = String::new();
    let mut family =
        |name: &str, kind: &str, help: &str, values: &mut dyn Iterator<Item = (String, u64)>| {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} {kind}");
            for (labels, value) in values {
                let _ = writeln!(out, "{name}{labels} {value}");
            }
        };
    let labelled = |pick: fn(&crate::runtime::query::QueryMetrics) -> u64| {
        queries
            .iter()
            .map(move |(id, persistent, m)| {
                let kind = if *persistent { "persistent" } else { "push" };
                (
                    format!("{{query_id=\"{}\",kind=\"{kind}\"}}", escape(id)),
                    pick(m),
                )
            })
            .collect::<Vec<_>>()
    };
    family(
        "sluice_query_records_in_total",
        "counter",
        "Records a query read from its inputs since it started.",
        &mut labelled(|m| m.records_in).into_iter(),
    );
    family(
        "sluice_query_records_out_total",
        "counter",
        "Rows a query wrote to its sink or sent to its client since it started.",
        &mut labelled(|m| m.records_out).into_iter(),
    );
    family(
        "sluice_query_consumer_lag",
        "gauge",
        "Records in a query's inputs that it has not read yet.",
        &mut labelled(|m| m.lag).into_iter(),
    );
    family(
        "sluice_processing_log_errors_total",
        "counter",
        "Records sent to the processing log since the server started.",
        &mut std::iter::once((String::new(), state.engine.processing_log_errors())),
    );
    let clients = queries
        .iter()
        .filter(|(_, persistent, _)| !persistent)
        .count() as u64;
    family(
        "sluice_push_query_clients",
        "gauge",
        "Push queries running for a client.",
        &mut std::iter::once((String::new(), clients)),
    );
    ([(header::CONTENT_TYPE, CONTENT_TYPE)], out).into_response()
}

/// A label value with Prometheus' escapes.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}
