//! The command topic: every statement that changed the catalog, in order.
//!
//! Like ksqlDB's command topic, it is the catalog's durable form: at start the engine
//! replays it, so every stream, table and type exists again and every persistent query
//! restarts and resumes from its last commit (see `runtime::offsets`).

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::{Engine, EngineError, EngineResult, Session};
use crate::log::{Record, TopicConfig};
use crate::runtime::offsets::now_millis;
use crate::sql::ast::Statement;

/// The internal topic holding commands.
pub const COMMAND_TOPIC: &str = "_sluice_command_topic";

/// One recorded statement.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Command {
    statement: String,
    /// Session properties in force when it ran (they decide, say, where a query starts).
    #[serde(default)]
    properties: BTreeMap<String, String>,
    /// For a persistent query: the source offsets it started from, so that a restart before
    /// its first commit starts at the same place.
    #[serde(default)]
    start_positions: StartPositions,
}

/// Partition → first offset a query reads.
pub type StartPositions = BTreeMap<u32, i64>;

/// Appends a statement that succeeded (and is about to change the catalog).
pub fn record(engine: &Engine, statement: &str) -> EngineResult<()> {
    record_query(engine, statement, &BTreeMap::new(), &StartPositions::new())
}

/// Appends a statement that starts a persistent query, with the session properties in
/// force and where the query starts reading.
pub fn record_query(
    engine: &Engine,
    statement: &str,
    properties: &BTreeMap<String, String>,
    start_positions: &StartPositions,
) -> EngineResult<()> {
    ensure_topic(engine)?;
    let command = Command {
        statement: statement.to_string(),
        properties: properties.clone(),
        start_positions: start_positions.clone(),
    };
    let value = serde_json::to_vec(&command)
        .map_err(|e| EngineError::Statement(format!("cannot record command: {e}")))?;
    engine.log.append(
        COMMAND_TOPIC,
        0,
        vec![Record {
            key: None,
            value: Some(value.into()),
            timestamp: now_millis(),
            headers: Vec::new(),
        }],
        None,
    )?;
    Ok(())
}

fn ensure_topic(engine: &Engine) -> EngineResult<()> {
    if engine.log.topic_config(COMMAND_TOPIC).is_none() {
        engine
            .log
            .create_topic(COMMAND_TOPIC, TopicConfig::default())?;
    }
    Ok(())
}

/// Re-executes every recorded command, in order, without recording them again.
pub fn replay(engine: &Arc<Engine>) -> EngineResult<()> {
    ensure_topic(engine)?;
    let mut offset = engine.log.start_offset(COMMAND_TOPIC, 0)?;
    let mut replayed = 0usize;
    loop {
        let records = engine.log.read(COMMAND_TOPIC, 0, offset, 1024)?;
        let Some(last) = records.last() else { break };
        offset = last.offset + 1;
        for stored in records {
            let Some(value) = stored.record.value else {
                continue;
            };
            let command: Command = match serde_json::from_slice(&value) {
                Ok(command) => command,
                Err(e) => {
                    tracing::error!(offset = stored.offset, error = %e, "skipping unreadable command");
                    continue;
                }
            };
            let mut session = Session {
                properties: command.properties,
                ..Session::default()
            };
            if let Err(e) = replay_one(
                engine,
                &command.statement,
                &mut session,
                &command.start_positions,
            ) {
                tracing::error!(statement = %command.statement, error = %e, "command failed on replay");
            }
            replayed += 1;
        }
    }
    if replayed > 0 {
        tracing::info!(
            commands = replayed,
            "catalog restored from the command topic"
        );
    }
    Ok(())
}

fn replay_one(
    engine: &Arc<Engine>,
    text: &str,
    session: &mut Session,
    start_positions: &StartPositions,
) -> EngineResult<()> {
    for parsed in crate::sql::parse(text)? {
        match &parsed.statement {
            Statement::CreateSource(create) => {
                super::ddl::create_source(engine, create, &parsed.text, session, true)?;
            }
            Statement::CreateAsSelect(create) => {
                super::queries::create_as_select(
                    engine,
                    create,
                    &parsed.text,
                    session,
                    Some(start_positions),
                )?;
            }
            Statement::InsertInto {
                target,
                properties,
                query,
            } => {
                super::queries::insert_into(
                    engine,
                    target,
                    properties,
                    query,
                    &parsed.text,
                    session,
                    Some(start_positions),
                )?;
            }
            Statement::DropSource {
                kind,
                name,
                if_exists,
                delete_topic,
            } => {
                super::ddl::drop_source(
                    engine,
                    *kind,
                    name,
                    *if_exists,
                    *delete_topic,
                    &parsed.text,
                    true,
                )?;
            }
            Statement::Terminate { query_id } => {
                super::queries::terminate(engine, query_id.as_deref(), &parsed.text, true)?;
            }
            Statement::Pause { query_id } => {
                super::queries::pause(engine, query_id.as_deref(), &parsed.text, true)?;
            }
            Statement::Resume { query_id } => {
                super::queries::resume(engine, query_id.as_deref(), &parsed.text, session, true)?;
            }
            Statement::CreateType {
                name,
                ty,
                if_not_exists,
            } => {
                super::ddl::create_type(engine, name, ty, *if_not_exists, &parsed.text, true)?;
            }
            Statement::DropType { name, if_exists } => {
                super::ddl::drop_type(engine, name, *if_exists, &parsed.text, true)?;
            }
            Statement::AlterSource {
                kind,
                name,
                columns,
            } => {
                super::ddl::alter_source(engine, *kind, name, columns, &parsed.text, true)?;
            }
            _ => {}
        }
    }
    Ok(())
}
