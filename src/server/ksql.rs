//! `POST /ksql`: runs DDL, DML and admin statements and answers one entity per statement.
//!
//! Request (`KsqlRequest`): `{"ksql": "…", "streamsProperties": {…}, "sessionVariables":
//! {…}}`. Response: 200 and a JSON array of entities (see `entities`); statements that
//! change nothing visible (INSERT … VALUES, SET, DEFINE…) add no entity, as in ksqlDB.
//! A failing statement stops the request: 400 `statement_error` whose `entities` hold the
//! results of the statements before it, which stay done.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;

use super::entities::{command_id, command_status, current_status, listing};
use super::errors::ApiError;
use super::request::{self, KsqlRequest};
use super::status::CommandStatuses;
use super::{AppState, json_response};
use crate::engine::commands::COMMAND_TOPIC;
use crate::engine::{Engine, ResultTable, Session, StatementResult};
use crate::sql::ast::{ParsedStatement, Statement};

pub async fn handle(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body = request::body_bytes(body, state.max_request_bytes)?;
    let request: KsqlRequest = request::parse(&body)?;
    let ksql = request
        .ksql
        .ok_or_else(|| ApiError::missing_param("ksql"))?;
    let mut session = request::session(
        request.streams_properties.as_ref(),
        request.session_variables.as_ref(),
    );
    let text = session.substitute(&ksql);
    let statements = crate::sql::parse(&text)
        .map_err(|e| ApiError::bad_statement(e.to_string(), text.trim(), Vec::new()))?;
    // ksqlDB validates the whole request before running any of it, so a query anywhere in
    // it means nothing runs.
    if let Some(query) = statements
        .iter()
        .find(|s| matches!(s.statement, Statement::Select(_) | Statement::Print { .. }))
    {
        return Err(ApiError::query_endpoint(query.text.clone()));
    }
    // Held by the blocking task, so that a client hanging up mid-request does not let the
    // next request start before this one has finished.
    let serial = state.ksql_lock.clone().lock_owned().await;
    let engine = state.engine.clone();
    let statuses = state.statuses.clone();
    let entities = tokio::task::spawn_blocking(move || {
        let _serial = serial;
        run(&engine, &statuses, statements, &mut session)
    })
    .await
    .map_err(|e| ApiError::server_error(format!("statement execution failed: {e}")))??;
    Ok(json_response(StatusCode::OK, &Value::Array(entities)))
}

/// Runs `statements` in order, collecting their entities, up to the first failure.
fn run(
    engine: &Arc<Engine>,
    statuses: &CommandStatuses,
    statements: Vec<ParsedStatement>,
    session: &mut Session,
) -> Result<Vec<Value>, ApiError> {
    let mut entities = Vec::with_capacity(statements.len());
    for parsed in statements {
        match engine.execute_statement(&parsed, session) {
            Ok(result) => {
                if let Some(entity) = entity(engine, statuses, &parsed, result, session) {
                    entities.push(entity);
                }
            }
            Err(error) => {
                return Err(ApiError::bad_statement(
                    error.to_string(),
                    parsed.text,
                    entities,
                ));
            }
        }
    }
    Ok(entities)
}

fn entity(
    engine: &Engine,
    statuses: &CommandStatuses,
    parsed: &ParsedStatement,
    result: StatementResult,
    session: &Session,
) -> Option<Value> {
    match result {
        StatementResult::Status { message, query_id } => {
            let id = command_id(&parsed.statement)?;
            let status = command_status(&message, query_id.as_deref());
            statuses.record(&id, status.clone());
            Some(current_status(
                &parsed.text,
                &id,
                status,
                sequence_number(engine),
            ))
        }
        StatementResult::Table(table) => {
            listing(engine, &parsed.statement, &parsed.text, &table, session)
        }
        // The entity of several descriptions is built from the catalog.
        StatementResult::Tables(_) => listing(
            engine,
            &parsed.statement,
            &parsed.text,
            &ResultTable::default(),
            session,
        ),
        // Queries are refused before anything runs; were one started, dropping its
        // result here stops it.
        StatementResult::Push(_) | StatementResult::Print(_) => None,
    }
}

/// The position of the last command in the command topic: ksqlDB's command sequence number.
fn sequence_number(engine: &Engine) -> i64 {
    engine
        .log()
        .end_offset(COMMAND_TOPIC, 0)
        .map_or(-1, |end| end - 1)
}
