//! `GET /info`, `GET /healthcheck` and `GET /`: what the server is and whether it is well.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::{AppState, json_response};

/// The ksqlDB version whose API this server speaks.
pub const KSQL_VERSION: &str = "8.5.0";

/// `{"KsqlServerInfo":{…}}` (`ServerInfo`).
pub async fn info() -> Response {
    json_response(
        StatusCode::OK,
        &json!({"KsqlServerInfo": {
            "version": KSQL_VERSION,
            "kafkaClusterId": "sluice",
            "ksqlServiceId": "default_",
            "serverStatus": "RUNNING",
        }}),
    )
}

/// ksqlDB: always 200; clients read `isHealthy`. ksqlDB's metastore check lists streams,
/// tables and queries, which here is reading the catalog; its Kafka check has no
/// counterpart while the log is embedded in this process, so it is always healthy.
pub async fn healthcheck(State(state): State<AppState>) -> Response {
    // Reading the catalog cannot fail (a poisoned lock is recovered); taking the lock
    // shows it is not stuck behind a writer.
    drop(state.engine.catalog());
    let metastore = true;
    json_response(
        StatusCode::OK,
        &json!({
            "isHealthy": metastore,
            "details": {
                "metastore": {"isHealthy": metastore},
                "kafka": {"isHealthy": true},
                "commandRunner": {"isHealthy": true},
            },
            "serverState": "READY",
        }),
    )
}

/// ksqlDB redirects `/` to its web console; until sluice has one, to `/info`.
pub async fn root() -> Response {
    (
        StatusCode::TEMPORARY_REDIRECT,
        [(header::LOCATION, "/info")],
    )
        .into_response()
}
