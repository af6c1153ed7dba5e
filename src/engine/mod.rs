//! The engine: executes statements against the catalog, the log and the runtime.
//!
//! A statement's path: `sql::parse` → `engine::execute` dispatches on its kind → DDL goes to
//! `ddl` (catalog changes, recorded in the command topic by `commands`), queries are planned
//! by `plan::select` and started by `queries`, listings come from `describe`, plans from
//! `explain`. One `Engine`
//! serves the REPL, the HTTP server and the test runners alike.

mod assert_topic;
pub mod commands;
pub mod ddl;
pub mod describe;
mod explain;
pub mod insert_values;
pub mod print;
pub mod pull;
pub mod queries;
mod repartition;
pub mod result;
pub mod session;
mod upgrade;

use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};

use crate::catalog::Catalog;
use crate::format::FormatError;
use crate::log::embedded::{EmbeddedLog, EmbeddedLogOptions};
use crate::log::memory::MemoryLog;
use crate::log::{FsyncPolicy, Log, LogError};
use crate::plan::PlanError;
use crate::plan::expr::ExprPlanner;
use crate::runtime::RuntimeError;
pub use crate::runtime::checkpointer::CheckpointConfig;
use crate::runtime::checkpointer::Checkpointer;
use crate::runtime::offsets::OffsetStore;
use crate::runtime::processing_log::ProcessingLog;
use crate::sql::ParseError;
use crate::sql::ast::{ParsedStatement, Statement};

pub use result::{PushQuery, ResultEnd, ResultTable, StatementResult};
pub use session::Session;

/// How often retention limits are applied.
const RETENTION_INTERVAL: std::time::Duration = std::time::Duration::from_secs(60);

/// How an engine is set up.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Where the embedded log keeps its data; `None` keeps everything in memory.
    pub data_dir: Option<PathBuf>,
    pub fsync: FsyncPolicy,
    /// The size at which the embedded log rolls a partition's segment (Kafka's
    /// `log.segment.bytes`): retention and deleted records free whole segments.
    pub segment_bytes: u64,
    /// Run queries only when `run_until_idle` is called, one after another in creation
    /// order, with every topic in one physical partition: the deterministic mode of
    /// ksqlDB's test driver, used by the test runners.
    pub deterministic: bool,
    /// `ksql.logging.processing.rows.include`: processing-log entries carry the record that
    /// failed (off by default, as in ksqlDB: records may hold data the log should not).
    pub processing_log_rows: bool,
    /// Where state checkpoints are kept and how often they are taken; `None` takes none,
    /// and a restart replays each whole changelog.
    pub checkpoints: Option<CheckpointConfig>,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            data_dir: None,
            fsync: FsyncPolicy::Never,
            segment_bytes: EmbeddedLogOptions::default().segment_bytes,
            deterministic: false,
            processing_log_rows: false,
            checkpoints: None,
        }
    }
}

/// Why a statement failed.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Parse(#[from] ParseError),
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error(transparent)]
    Format(#[from] FormatError),
    #[error(transparent)]
    Log(#[from] LogError),
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
    #[error("{0}")]
    Statement(String),
}

pub type EngineResult<T> = Result<T, EngineError>;

/// A failed statement with its text, as ksqlDB reports statement errors.
#[derive(Debug, thiserror::Error)]
#[error("{error}")]
pub struct StatementError {
    pub error: EngineError,
    /// The text of the statement that failed.
    pub statement: String,
}

/// A streaming SQL engine over one log.
pub struct Engine {
    pub(crate) config: EngineConfig,
    pub(crate) log: Arc<dyn Log>,
    pub(crate) catalog: RwLock<Catalog>,
    pub(crate) planner: ExprPlanner,
    pub(crate) offsets: Arc<Mutex<OffsetStore>>,
    pub(crate) processing_log: Arc<ProcessingLog>,
    pub(crate) queries: queries::Queries,
    /// The tables pull queries read, kept up to date with their topics.
    pub(crate) materialized: pull::Materializations,
    /// Takes state checkpoints, when the configuration asks for them.
    pub(crate) checkpointer: Option<Checkpointer>,
}

impl Engine {
    /// Each running query's id, whether it is persistent, and its counters and lag.
    pub fn query_metrics(&self) -> Vec<(String, bool, crate::runtime::query::QueryMetrics)> {
        self.queries.metrics()
    }

    /// Each running query's id, whether it is persistent, and its pipeline with counters
    /// (the web console draws them).
    pub fn query_topologies(&self) -> Vec<(String, bool, crate::runtime::query::Topology)> {
        self.queries.topologies()
    }

    /// Records sent to the processing log since the engine started.
    pub fn processing_log_errors(&self) -> u64 {
        self.processing_log.written()
    }

    /// Opens the log, then rebuilds the catalog and restarts persistent queries by
    /// replaying the command topic.
    pub fn open(config: EngineConfig) -> EngineResult<Arc<Engine>> {
        let log: Arc<dyn Log> = match &config.data_dir {
            Some(dir) => Arc::new(EmbeddedLog::open(
                dir,
                EmbeddedLogOptions {
                    fsync: config.fsync,
                    segment_bytes: config.segment_bytes,
                },
            )?),
            None => Arc::new(MemoryLog::new()),
        };
        Self::with_log(config, log)
    }

    /// An engine over a log the caller opened.
    pub fn with_log(config: EngineConfig, log: Arc<dyn Log>) -> EngineResult<Arc<Engine>> {
        let offsets = Arc::new(Mutex::new(OffsetStore::open(log.clone())?));
        let processing_log = Arc::new(
            ProcessingLog::open(log.clone())?.with_rows_included(config.processing_log_rows),
        );
        let checkpointer = config
            .checkpoints
            .as_ref()
            .map(|c| Checkpointer::new(c, log.clone()));
        let engine = Arc::new(Engine {
            config,
            checkpointer,
            log,
            catalog: RwLock::new(Catalog::default()),
            planner: ExprPlanner::new(),
            offsets,
            processing_log,
            queries: queries::Queries::default(),
            materialized: pull::Materializations::default(),
        });
        ddl::register_processing_log(&engine)?;
        queries::hold_queries(&engine);
        commands::replay(&engine)?;
        queries::release_queries(&engine);
        engine.start_retention();
        Ok(engine)
    }

    /// Applies the log's retention limits once a minute, in the background. Deterministic
    /// engines (and engines opened outside a tokio runtime) leave it to the caller.
    fn start_retention(&self) {
        if self.config.deterministic {
            return;
        }
        let Ok(handle) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let log = Arc::downgrade(&self.log);
        handle.spawn(async move {
            let mut every = tokio::time::interval(RETENTION_INTERVAL);
            loop {
                every.tick().await;
                let Some(log) = log.upgrade() else { return };
                if let Err(e) = log.enforce_retention() {
                    tracing::warn!(error = %e, "retention failed");
                }
            }
        });
    }

    /// The log under this engine.
    pub fn log(&self) -> &Arc<dyn Log> {
        &self.log
    }

    /// A read lock on the catalog.
    pub fn catalog(&self) -> std::sync::RwLockReadGuard<'_, Catalog> {
        self.catalog.read().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn catalog_mut(&self) -> std::sync::RwLockWriteGuard<'_, Catalog> {
        self.catalog.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Parses and executes every statement in `text`, in order. Stops at the first
    /// failure; what ran before it stays done, and its results come with the error.
    // The error carries the results of the statements before it; it is returned once per
    // failed request, so its size costs nothing worth boxing it for.
    #[allow(clippy::result_large_err)]
    pub fn execute(
        self: &Arc<Self>,
        text: &str,
        session: &mut Session,
    ) -> Result<Vec<StatementResult>, (Vec<StatementResult>, StatementError)> {
        let text = session.substitute(text);
        let statements = crate::sql::parse(&text).map_err(|e| {
            (
                Vec::new(),
                StatementError {
                    error: e.into(),
                    statement: text.trim().to_string(),
                },
            )
        })?;
        let mut results = Vec::with_capacity(statements.len());
        for statement in statements {
            // A DEFINE earlier in the same text applies to the statements after it.
            let statement = match session.substitute(&statement.text) {
                substituted if substituted != statement.text => {
                    match crate::sql::parse(&substituted) {
                        Ok(mut parsed) if parsed.len() == 1 => parsed.remove(0),
                        Ok(_) => statement,
                        Err(e) => {
                            return Err((
                                results,
                                StatementError {
                                    error: e.into(),
                                    statement: substituted,
                                },
                            ));
                        }
                    }
                }
                _ => statement,
            };
            match self.execute_statement(&statement, session) {
                Ok(result) => results.push(result),
                Err(error) => {
                    return Err((
                        results,
                        StatementError {
                            error,
                            statement: statement.text,
                        },
                    ));
                }
            }
        }
        Ok(results)
    }

    /// Executes one parsed statement.
    pub fn execute_statement(
        self: &Arc<Self>,
        parsed: &ParsedStatement,
        session: &mut Session,
    ) -> EngineResult<StatementResult> {
        match &parsed.statement {
            Statement::CreateSource(create) => {
                ddl::create_source(self, create, &parsed.text, session, false)
            }
            Statement::CreateAsSelect(create) => {
                queries::create_as_select(self, create, &parsed.text, session, None)
            }
            Statement::InsertInto {
                target,
                properties,
                query,
            } => queries::insert_into(self, target, properties, query, &parsed.text, session, None),
            Statement::InsertValues {
                target,
                columns,
                values,
            } => insert_values::insert_values(self, target, columns.as_deref(), values),
            Statement::Select(query) if query.emit.is_none() => {
                pull::pull_query(self, query, session)
            }
            Statement::Select(query) => queries::push_query(self, query, session),
            Statement::DropSource {
                kind,
                name,
                if_exists,
                delete_topic,
            } => ddl::drop_source(
                self,
                *kind,
                name,
                *if_exists,
                *delete_topic,
                &parsed.text,
                false,
            ),
            Statement::Terminate { query_id } => {
                queries::terminate(self, query_id.as_deref(), &parsed.text, false)
            }
            Statement::CreateType {
                name,
                ty,
                if_not_exists,
            } => ddl::create_type(self, name, ty, *if_not_exists, &parsed.text, false),
            Statement::DropType { name, if_exists } => {
                ddl::drop_type(self, name, *if_exists, &parsed.text, false)
            }
            Statement::Show(target) => describe::show(self, target, session),
            Statement::Describe(target) => describe::describe(self, target),
            Statement::Explain(target) => explain::explain(self, target, session),
            Statement::Print {
                topic,
                from_beginning,
                interval,
                limit,
            } => print::print(self, topic, *from_beginning, *interval, *limit),
            Statement::Set { property, value } => {
                session.properties.insert(property.clone(), value.clone());
                Ok(StatementResult::Status {
                    message: format!(
                        "Successfully changed local property '{property}' to '{value}'."
                    ),
                    query_id: None,
                })
            }
            Statement::Unset { property } => {
                session.properties.remove(property);
                Ok(StatementResult::Status {
                    message: format!("Successfully unset local property '{property}'."),
                    query_id: None,
                })
            }
            Statement::Define { name, value } => {
                session.variables.insert(name.clone(), value.clone());
                Ok(StatementResult::Status {
                    message: String::new(),
                    query_id: None,
                })
            }
            Statement::Undefine { name } => {
                session.variables.remove(name);
                Ok(StatementResult::Status {
                    message: String::new(),
                    query_id: None,
                })
            }
            // ksqlDB: RUN SCRIPT is the CLI's; the CLI expands it before statements reach
            // the engine (`cli::repl::expand_run_scripts`).
            Statement::RunScript { .. } => Err(EngineError::Statement(
                "line 1:1: Syntax Error\nUnknown statement 'RUN'".into(),
            )),
            Statement::AlterSource {
                kind,
                name,
                columns,
            } => ddl::alter_source(self, *kind, name, columns, &parsed.text, false),
            Statement::AssertTopic {
                topic,
                exists,
                properties,
                timeout_ms,
            } => assert_topic::assert_topic(self, topic, *exists, properties, *timeout_ms),
            Statement::Pause { query_id } => {
                queries::pause(self, query_id.as_deref(), &parsed.text, false)
            }
            Statement::Resume { query_id } => {
                queries::resume(self, query_id.as_deref(), &parsed.text, session, false)
            }
        }
    }

    /// Deterministic mode: runs every persistent query, in creation order, until none has
    /// anything left to read.
    pub fn run_until_idle(&self) -> EngineResult<()> {
        queries::run_until_idle(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::memory::MemoryLog;

    fn engine() -> Arc<Engine> {
        let config = EngineConfig {
            data_dir: None,
            deterministic: true,
            ..EngineConfig::default()
        };
        Engine::with_log(config, Arc::new(MemoryLog::new())).unwrap()
    }

    fn message(result: &StatementResult) -> &str {
        match result {
            StatementResult::Status { message, .. } => message,
            _ => panic!("not a status"),
        }
    }

    #[test]
    fn a_define_applies_to_the_statements_after_it_in_the_same_text() {
        let engine = engine();
        let mut session = Session::default();
        engine
            .execute(
                "DEFINE topic = 'orders';
                 CREATE STREAM S (ID INT KEY, V STRING) WITH (KAFKA_TOPIC='${topic}', PARTITIONS=1, VALUE_FORMAT='JSON');",
                &mut session,
            )
            .map_err(|(_, e)| e.to_string())
            .unwrap();
        assert_eq!(engine.catalog().source("S").unwrap().topic, "orders");
    }

    #[test]
    fn assert_topic_waits_for_the_topic_then_fails_with_ksqldb_message() {
        let engine = engine();
        let mut session = Session::default();
        let run = |text: &str, session: &mut Session| {
            engine
                .execute(text, session)
                .map(|mut results| message(&results.remove(0)).to_string())
                .map_err(|(_, e)| e.to_string())
        };
        run(
            "CREATE STREAM S (ID INT KEY) WITH (KAFKA_TOPIC='t', PARTITIONS=1, VALUE_FORMAT='JSON');",
            &mut session,
        )
        .unwrap();
        assert_eq!(
            run("ASSERT TOPIC `t` WITH (PARTITIONS=1);", &mut session).unwrap(),
            "Topic t exists"
        );
        assert!(
            run("ASSERT TOPIC `t` WITH (PARTITIONS=3);", &mut session)
                .unwrap_err()
                .contains("For config partitions, expected 3 got 1")
        );
        assert_eq!(
            run(
                "ASSERT TOPIC missing TIMEOUT 10 MILLISECONDS;",
                &mut session
            )
            .unwrap_err(),
            "Topic MISSING does not exist."
        );
        assert_eq!(
            run("ASSERT NOT EXISTS TOPIC missing;", &mut session).unwrap(),
            "Topic MISSING does not exist"
        );
    }
}
