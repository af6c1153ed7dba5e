//! Push queries streamed to HTTP clients: starting one from a request (`/query`,
//! `/query-stream`), following its rows, and the registry `/close-query` ends them through.
//!
//! A query lives as long as its `PushRows`: dropping it drops the engine's receiver, which
//! stops the query. The response body owns the `PushRows`, so a client that goes away
//! (hyper drops the body) ends its query, and so does `/close-query` (the body sees the
//! close signal and finishes).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use datafusion::arrow::record_batch::RecordBatch;
use tokio::sync::{mpsc, oneshot};

use super::AppState;
use super::errors::ApiError;
use super::rows::{RestRow, batch_rows};
use crate::catalog::types::SqlType;
use crate::engine::{PushQuery, ResultEnd, Session, StatementResult};
use crate::sql::ast::Statement;

/// The push queries this server is streaming, by query id.
#[derive(Default)]
pub struct PushQueries {
    running: Mutex<HashMap<String, oneshot::Sender<()>>>,
}

impl PushQueries {
    fn register(self: &Arc<Self>, id: &str) -> (Registration, oneshot::Receiver<()>) {
        let (close, closed) = oneshot::channel();
        self.lock().insert(id.to_string(), close);
        let registration = Registration {
            registry: self.clone(),
            id: id.to_string(),
        };
        (registration, closed)
    }

    /// Ends the push query `id`; false if no such query is running here.
    pub fn close(&self, id: &str) -> bool {
        match self.lock().remove(id) {
            Some(close) => {
                // The stream may be ending by itself at the same moment; either way it ends.
                let _ = close.send(());
                true
            }
            None => false,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, oneshot::Sender<()>>> {
        self.running.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Removes its query from the registry when the stream is dropped.
struct Registration {
    registry: Arc<PushQueries>,
    id: String,
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.registry.lock().remove(&self.id);
    }
}

/// Why a push query's stream ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// It had a LIMIT and produced that many rows.
    LimitReached,
    /// `/close-query` closed it.
    Closed,
    /// The engine ended it otherwise (TERMINATE, a failure: see the server log), or a
    /// pull query's scan of a stream reached the end of the topic.
    Completed,
    /// A pull query over a table answered: no message follows its rows.
    Answered,
}

/// What a push query produced next.
#[derive(Debug)]
pub enum PushEvent {
    Rows(Vec<RestRow>),
    End(End),
}

/// A running push query and its place in the registry.
pub struct PushRows {
    pub query_id: String,
    pub columns: Vec<(String, SqlType)>,
    /// The header schema text: ``"`ID` STRING KEY, `COUNT` BIGINT"``.
    pub schema_text: String,
    rows: mpsc::UnboundedReceiver<RecordBatch>,
    closed: oneshot::Receiver<()>,
    has_limit: bool,
    /// How the rows end: a push query's, or a pull query's answer or scan.
    pub end: ResultEnd,
    ended: bool,
    _registration: Registration,
}

impl PushRows {
    fn new(registry: &Arc<PushQueries>, query: PushQuery, has_limit: bool) -> PushRows {
        let (registration, closed) = registry.register(&query.query_id);
        PushRows {
            query_id: query.query_id,
            columns: query
                .schema
                .columns
                .iter()
                .map(|c| (c.name.clone(), c.ty.clone()))
                .collect(),
            schema_text: query.schema.to_string(),
            rows: query.rows,
            closed,
            has_limit,
            end: query.end,
            ended: false,
            _registration: registration,
        }
    }

    /// The next rows, or how the query ended (once; after that, `End(Completed)` again).
    pub async fn next(&mut self) -> PushEvent {
        if self.ended {
            return PushEvent::End(End::Completed);
        }
        tokio::select! {
            batch = self.rows.recv() => match batch {
                Some(batch) => PushEvent::Rows(batch_rows(&batch, &self.columns)),
                None => {
                    self.ended = true;
                    // The engine's task ends a LIMIT query by itself once it has sent the
                    // last row; without a LIMIT it only ends if stopped or failed.
                    PushEvent::End(match self.end {
                        ResultEnd::Push if self.has_limit => End::LimitReached,
                        ResultEnd::Push => End::Completed,
                        ResultEnd::Rows => End::Answered,
                        ResultEnd::Scan { limit_reached: true } => End::LimitReached,
                        ResultEnd::Scan { limit_reached: false } => End::Completed,
                    })
                }
            },
            _ = &mut self.closed => {
                self.ended = true;
                PushEvent::End(End::Closed)
            }
        }
    }
}

/// A started streaming statement.
pub enum Started {
    Push(PushRows),
    /// PRINT: formatted records as they arrive.
    Print(mpsc::UnboundedReceiver<String>),
}

/// Parses `text`, which must be one SELECT or PRINT, and starts it.
pub async fn start(
    state: &AppState,
    text: &str,
    mut session: Session,
) -> Result<Started, ApiError> {
    let text = session.substitute(text);
    let statements = crate::sql::parse(&text)
        .map_err(|e| ApiError::bad_statement(e.to_string(), text.trim(), Vec::new()))?;
    let [parsed] = <[_; 1]>::try_from(statements).map_err(|statements: Vec<_>| {
        ApiError::bad_statement(
            format!(
                "Expected exactly one KSQL statement; found {} instead",
                statements.len()
            ),
            text.trim(),
            Vec::new(),
        )
    })?;
    let has_limit = match &parsed.statement {
        Statement::Select(query) => query.limit.is_some(),
        Statement::Print { .. } => false,
        other => {
            return Err(ApiError::bad_statement(
                format!(
                    "Statement type `{}' not supported for this resource",
                    super::entities::statement_kind(other)
                ),
                parsed.text,
                Vec::new(),
            ));
        }
    };
    let engine = state.engine.clone();
    let statement_text = parsed.text.clone();
    let result =
        tokio::task::spawn_blocking(move || engine.execute_statement(&parsed, &mut session))
            .await
            .map_err(|e| ApiError::server_error(format!("statement execution failed: {e}")))?
            .map_err(|e| ApiError::bad_statement(e.to_string(), statement_text, Vec::new()))?;
    match result {
        StatementResult::Push(query) => Ok(Started::Push(PushRows::new(
            &state.push_queries,
            query,
            has_limit,
        ))),
        StatementResult::Print(lines) => Ok(Started::Print(lines)),
        StatementResult::Status { .. } | StatementResult::Table(_) | StatementResult::Tables(_) => {
            Err(ApiError::server_error(
                "the statement did not start a query",
            ))
        }
    }
}
