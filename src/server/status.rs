//! `GET /status` and `GET /status/{type}/{entity}/{action}`: the outcome of each command
//! this server ran, by command id (`` stream/`S1`/create ``).
//!
//! ksqlDB rebuilds these from its command topic; sluice keeps the ones run since the
//! server started.

use std::sync::Mutex;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::errors::ApiError;
use super::{AppState, json_response};

/// Command id → `CommandStatus`, in the order the commands ran.
#[derive(Default)]
pub struct CommandStatuses {
    statuses: Mutex<Vec<(String, Value)>>,
}

impl CommandStatuses {
    /// Records the status of command `id`, replacing an earlier one with the same id.
    pub fn record(&self, id: &str, status: Value) {
        let mut statuses = self.lock();
        statuses.retain(|(known, _)| known != id);
        statuses.push((id.to_string(), status));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(String, Value)>> {
        self.statuses.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// `{"commandStatuses":{"stream/`S1`/create":"SUCCESS",…}}`.
pub async fn all(State(state): State<AppState>) -> Response {
    let statuses: Map<String, Value> = state
        .statuses
        .lock()
        .iter()
        .map(|(id, status)| (id.clone(), status["status"].clone()))
        .collect();
    json_response(StatusCode::OK, &json!({"commandStatuses": statuses}))
}

/// One command's `CommandStatus`. The entity matches with or without ksqlDB's backquotes,
/// so both `/status/stream/S1/create` and ``/status/stream/`S1`/create`` find it.
pub async fn one(
    State(state): State<AppState>,
    Path((kind, entity, action)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    let bare = |s: &str| s.trim_matches('`').to_string();
    let wanted = (kind.to_lowercase(), bare(&entity), action.to_lowercase());
    let statuses = state.statuses.lock();
    let found = statuses.iter().rev().find(|(id, _)| {
        let mut parts = id.splitn(3, '/');
        match (parts.next(), parts.next(), parts.next()) {
            (Some(k), Some(e), Some(a)) => (k.to_string(), bare(e), a.to_string()) == wanted,
            _ => false,
        }
    });
    match found {
        Some((_, status)) => Ok(json_response(StatusCode::OK, status)),
        None => Err(ApiError::not_found(format!(
            "Command not found: {kind}/{entity}/{action}"
        ))),
    }
}
