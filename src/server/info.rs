//! `GET /info`, `GET /healthcheck`, `GET /clusterStatus` and `GET /`: what the server is
//! and whether it is well.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
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

/// `{"clusterStatus": {"host:port": {…}}}`: this server is the whole cluster. Each
/// persistent query is active here on every partition of its sources; sluice keeps no
/// standby replicas, so those lists are empty, and state stores are never behind their
/// changelogs on this one host.
pub async fn cluster_status(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost:8088")
        .to_string();
    let now = crate::runtime::offsets::now_millis();
    let per_query: serde_json::Map<String, serde_json::Value> = {
        let catalog = state.engine.catalog();
        catalog
            .queries
            .values()
            .map(|query| {
                let partitions: Vec<serde_json::Value> = query
                    .sources
                    .iter()
                    .filter_map(|name| catalog.source(name))
                    .flat_map(|source| {
                        (0..source.partitions)
                            .map(|p| json!({"topic": source.topic, "partition": p}))
                    })
                    .collect();
                (
                    query.id.clone(),
                    json!({
                        "activeStores": [],
                        "activePartitions": partitions,
                        "standByStores": [],
                        "standByPartitions": [],
                    }),
                )
            })
            .collect()
    };
    json_response(
        StatusCode::OK,
        &json!({"clusterStatus": {host: {
            "hostAlive": true,
            "lastStatusUpdateMs": now,
            "activeStandbyPerQuery": per_query,
            "hostStoreLags": {"stateStoreLags": {}, "updateTimeMs": now},
        }}}),
    )
}
