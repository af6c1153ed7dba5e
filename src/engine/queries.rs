//! Queries: starting persistent queries (CREATE … AS SELECT, INSERT INTO … SELECT) and push
//! queries (SELECT … EMIT CHANGES), terminating them, and driving them.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use datafusion::arrow::datatypes::{DataType, SchemaRef};
use datafusion::logical_expr::Operator as BinaryOp;
use datafusion::physical_expr::PhysicalExpr;
use datafusion::physical_expr::expressions::{IsNotNullExpr, binary, col, lit};
use tokio::sync::{mpsc, watch};

use super::commands::{self, StartPositions};
use super::ddl::{ensure_topic, kind_name, timestamp_column};
use super::repartition::{Repartitions, repartitions};
use super::upgrade;
use super::{Engine, EngineError, EngineResult, PushQuery, ResultEnd, Session, StatementResult};
use crate::catalog::schema::{Column, ColumnKind, LogicalSchema};
use crate::catalog::types::SqlType;
use crate::catalog::{QueryInfo, Source, WindowInfo, WindowKind};
use crate::exec::Operator;
use crate::exec::aggregate::function::AggregateConfig;
use crate::exec::aggregate::projection::{OutputColumn, TableProjection, WindowBounds};
use crate::exec::aggregate::{Aggregate, AggregateSpec, Windowing};
use crate::exec::filter::Filter;
use crate::exec::join::Join;
use crate::exec::project::{Project, ProjectedColumn};
use crate::exec::record_timestamp::RecordTimestamp;
use crate::exec::sink::{SinkEncoder, WINDOW_END, WINDOW_START};
use crate::exec::source::SourceDecoder;
use crate::exec::table_filter::TableFilter;
use crate::exec::table_function::TableFunction;
use crate::exec::table_source::TableSource;
use crate::func::date::java_format::JavaFormat;
use crate::log::internal_topic;
use crate::plan::PlanError;
use crate::plan::aggregate::{AggregatePlan, is_aggregation, plan_aggregate};
use crate::plan::expr::JoinedNames;
use crate::plan::join::{JoinPlan, plan_join};
use crate::plan::joined_aggregate::{JoinedAggregatePlan, plan_joined_aggregate};
use crate::plan::joined_select::{JoinedSelectPlan, plan_joined_select};
use crate::plan::properties::WithProperties;
use crate::plan::repartition::plan_repartitions;
use crate::plan::select::{
    KeyRule, ROWTIME, SelectPlan, WINDOWEND, WINDOWSTART, derived_name, plan_select,
};
use crate::plan::serde::{FormatDefaults, serde_specs};
use crate::plan::statement_text::create_as_select_text;
use crate::plan::table_function::check_not_aggregated;
use crate::runtime::checkpointer;
use crate::runtime::offsets::{Commit, RoundJournal};
use crate::runtime::query::{Progress, QueryMetrics, QueryOutput, QueryTask, TaskInput, Topology};
use crate::sql::ast::{
    CreateAsSelect, Properties, Query, Relation, SelectItem, SourceKind, Statement,
};
use crate::state::changelog_topic;

/// The state store of an aggregation, as ksqlDB names it in its changelog topic.
const AGGREGATE_STORE: &str = "Aggregate-Aggregate-Materialize";
/// The state store of a materialized table source, as ksqlDB names it.
const TABLE_SOURCE_STORE: &str = "KsqlTopic-Reduce";
/// The state store of a WHERE over a table: the keys whose latest row passed.
const TABLE_FILTER_STORE: &str = "WhereFilter";

/// The queries running in an engine, in creation order.
#[derive(Default)]
pub struct Queries {
    running: Mutex<Vec<RunningQuery>>,
    /// Queries are registered but not started (`hold_queries`).
    held: AtomicBool,
}

struct RunningQuery {
    id: String,
    task: Arc<Mutex<QueryTask>>,
    persistent: bool,
    /// Tells a background task to stop; `None` in deterministic mode and while held.
    stop: Option<watch::Sender<bool>>,
}

impl Queries {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<RunningQuery>> {
        self.running.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Ids of the running queries, in creation order.
    pub fn ids(&self) -> Vec<String> {
        self.lock().iter().map(|q| q.id.clone()).collect()
    }

    /// Each running query's id, whether it is persistent, and its pipeline with counters.
    pub fn topologies(&self) -> Vec<(String, bool, Topology)> {
        self.each_task(|task| task.topology().ok())
    }

    /// Each running query's id, whether it is persistent, and its metrics.
    pub fn metrics(&self) -> Vec<(String, bool, QueryMetrics)> {
        self.each_task(|task| task.metrics().ok())
    }

    /// `read` of every running query's task, with its id and whether it is persistent; a
    /// query `read` gives nothing for is left out. The registry is not held while tasks
    /// are read.
    fn each_task<T>(&self, read: impl Fn(&QueryTask) -> Option<T>) -> Vec<(String, bool, T)> {
        let running: Vec<(String, bool, Arc<Mutex<QueryTask>>)> = self
            .lock()
            .iter()
            .map(|q| (q.id.clone(), q.persistent, q.task.clone()))
            .collect();
        running
            .into_iter()
            .filter_map(|(id, persistent, task)| {
                let task = task.lock().unwrap_or_else(|e| e.into_inner());
                read(&task).map(|value| (id, persistent, value))
            })
            .collect()
    }
}

/// CREATE STREAM … AS SELECT.
pub fn create_as_select(
    engine: &Arc<Engine>,
    create: &CreateAsSelect,
    text: &str,
    session: &Session,
    replay: Option<&StartPositions>,
) -> EngineResult<StatementResult> {
    let existing = engine.catalog().source(&create.name).cloned();
    // CREATE OR REPLACE of a query's sink: the query it replaces, which the new one
    // continues (same id, offsets and state).
    let mut replaced: Option<QueryInfo> = None;
    if let Some(existing) = &existing {
        if create.if_not_exists {
            return Ok(StatementResult::Status {
                message: format!(
                    "Cannot add {} '{}': A {} with the same name already exists",
                    kind_name(create.kind),
                    create.name,
                    kind_name(existing.kind)
                ),
                query_id: None,
            });
        }
        replaced = create
            .or_replace
            .then(|| replaced_query(engine, existing, create.kind))
            .flatten();
        if replaced.is_none() {
            return Err(PlanError::SourceExists {
                kind: kind_name(create.kind),
                existing: kind_name(existing.kind),
                name: create.name.clone(),
            }
            .into());
        }
    }
    if create.query.limit.is_some() {
        return Err(PlanError::invalid(format!(
            "CREATE {} AS SELECT statements don't support LIMIT clause.",
            kind_name(create.kind).to_uppercase()
        ))
        .into());
    }
    let props = WithProperties::parse(&create.properties)?;
    check_timestamp_projected(&create.query, &props)?;
    let key_rule = persistent_key_rule(session);
    let plan = plan_query(engine, &create.query, session, key_rule, &create.name)?;
    match (&plan, create.kind) {
        (Planned::Aggregate(_) | Planned::JoinedAggregate(_), SourceKind::Stream) => {
            return Err(PlanError::invalid(
                "Invalid result type. Your SELECT query produces a TABLE. Please use CREATE TABLE AS SELECT statement instead.",
            )
            .into());
        }
        (Planned::Select(plan), SourceKind::Table) if plan.source.kind == SourceKind::Stream => {
            return Err(PlanError::invalid(
                "Invalid result type. Your SELECT query produces a STREAM. Please use CREATE STREAM AS SELECT statement instead.",
            )
            .into());
        }
        (Planned::Select(plan), SourceKind::Stream) if plan.source.kind == SourceKind::Table => {
            return Err(PlanError::invalid(
                "Invalid result type. Your SELECT query produces a TABLE. Please use CREATE TABLE AS SELECT statement instead.",
            )
            .into());
        }
        (Planned::JoinedSelect(_), SourceKind::Table) => {
            return Err(PlanError::invalid(
                "Invalid result type. Your SELECT query produces a STREAM. Please use CREATE STREAM AS SELECT statement instead.",
            )
            .into());
        }
        (Planned::Join(join), kind) if join.kind != kind => {
            return Err(PlanError::invalid(match join.kind {
                SourceKind::Stream => "Invalid result type. Your SELECT query produces a STREAM. Please use CREATE STREAM AS SELECT statement instead.",
                SourceKind::Table => "Invalid result type. Your SELECT query produces a TABLE. Please use CREATE TABLE AS SELECT statement instead.",
            })
            .into());
        }
        _ => {}
    }
    let sink = sink_source(session, create, &plan, &props, text)?;
    if let (Some(old), Some(existing)) = (&replaced, &existing) {
        return replace_query(
            engine, old, existing, create, plan, sink, text, session, replay,
        );
    }
    let query_id = {
        let mut catalog = engine.catalog_mut();
        let prefix = match create.kind {
            SourceKind::Stream => "CSAS",
            SourceKind::Table => "CTAS",
        };
        let id = format!("{prefix}_{}_{}", create.name, catalog.next_query_number);
        catalog.next_query_number += 1;
        id
    };
    ensure_topic(
        engine,
        &sink.topic,
        Some(sink.partitions),
        props.retention_ms,
    )?;
    let start = start_positions(engine, plan.source(), session, replay)?;
    if replay.is_none() {
        commands::record_query(engine, text, &session.properties, &start)?;
    }
    let mut sink = sink;
    sink.writers.push(query_id.clone());
    {
        let mut catalog = engine.catalog_mut();
        catalog.queries.insert(
            query_id.clone(),
            QueryInfo {
                id: query_id.clone(),
                statement: text.to_string(),
                sources: plan.sources().iter().map(|s| s.name.clone()).collect(),
                sink: sink.name.clone(),
                sink_topic: sink.topic.clone(),
                paused: false,
            },
        );
        catalog.sources.insert(sink.name.clone(), sink.clone());
    }
    let starts = all_start_positions(engine, &plan, session, replay, start)?;
    start_persistent(engine, &query_id, plan, &sink, starts)?;
    Ok(StatementResult::Status {
        message: format!("Created query with ID {query_id}"),
        query_id: Some(query_id),
    })
}

/// The CSAS or CTAS query that wrote `existing`, if CREATE OR REPLACE can replace it: a
/// query's sink of the same kind.
fn replaced_query(engine: &Engine, existing: &Source, kind: SourceKind) -> Option<QueryInfo> {
    if existing.kind != kind {
        return None;
    }
    let catalog = engine.catalog();
    existing
        .writers
        .iter()
        .filter_map(|id| catalog.queries.get(id))
        .find(|q| q.id.starts_with("CSAS_") || q.id.starts_with("CTAS_"))
        .cloned()
}

/// CREATE OR REPLACE … AS SELECT over the sink of query `old`: once ksqlDB's upgrade rules
/// hold, the old query stops and the new one takes its id, so that it goes on from the
/// old one's committed offsets with its state.
#[allow(clippy::too_many_arguments)]
fn replace_query(
    engine: &Arc<Engine>,
    old: &QueryInfo,
    existing: &Source,
    create: &CreateAsSelect,
    plan: Planned,
    mut sink: Source,
    text: &str,
    session: &Session,
    replay: Option<&StartPositions>,
) -> EngineResult<StatementResult> {
    let old_query = stored_query(old)?;
    upgrade::check_schema(&create.name, &existing.schema, &sink.schema)?;
    upgrade::check_query(&old_query, &create.query, &plan)?;
    if !sink.topic.eq_ignore_ascii_case(&existing.topic) {
        return Err(PlanError::invalid(format!(
            "Cannot upgrade data source: DataSource '`{}`' has topic = {} which is not upgrade compatible with {}.",
            create.name, existing.topic, sink.topic
        ))
        .into());
    }
    let start = start_positions(engine, plan.source(), session, replay)?;
    if replay.is_none() {
        commands::record_query(engine, text, &session.properties, &start)?;
    }
    stop_and_wait(engine, &old.id);
    let query_id = old.id.clone();
    sink.writers = existing.writers.clone();
    sink.partitions = existing.partitions;
    {
        let mut catalog = engine.catalog_mut();
        catalog.queries.insert(
            query_id.clone(),
            QueryInfo {
                id: query_id.clone(),
                statement: text.to_string(),
                sources: plan.sources().iter().map(|s| s.name.clone()).collect(),
                sink: sink.name.clone(),
                sink_topic: sink.topic.clone(),
                paused: false,
            },
        );
        catalog.sources.insert(sink.name.clone(), sink.clone());
    }
    let starts = all_start_positions(engine, &plan, session, replay, start)?;
    start_persistent(engine, &query_id, plan, &sink, starts)?;
    Ok(StatementResult::Status {
        message: format!("Created query with ID {query_id}"),
        query_id: Some(query_id),
    })
}

/// INSERT INTO stream SELECT …: a persistent query writing into an existing stream.
pub fn insert_into(
    engine: &Arc<Engine>,
    target: &str,
    properties: &Properties,
    query: &Query,
    text: &str,
    session: &Session,
    replay: Option<&StartPositions>,
) -> EngineResult<StatementResult> {
    let props = WithProperties::parse(properties)?;
    let sink = engine.catalog().source(target).cloned().ok_or_else(|| {
        PlanError::invalid(format!(
            "Cannot insert into an unknown stream/table: `{target}`"
        ))
    })?;
    if sink.kind == SourceKind::Table {
        return Err(PlanError::invalid(format!(
            "INSERT INTO can only be used to insert into a stream. {target} is a table."
        ))
        .into());
    }
    if sink.is_source {
        return Err(
            PlanError::invalid(format!("Cannot insert into read-only stream: {target}")).into(),
        );
    }
    if sink
        .schema
        .columns
        .iter()
        .any(|c| matches!(c.kind, ColumnKind::Header(_)))
    {
        return Err(PlanError::invalid(format!(
            "Cannot insert into {target} because it has header columns"
        ))
        .into());
    }
    let key_rule = persistent_key_rule(session);
    let plan = plan_query(engine, query, session, key_rule, target)?;
    if plan.produces_table() {
        return Err(PlanError::invalid(format!(
            "Incompatible data sink and query result. Data sink ({target}) type is KSTREAM but select query result is KTABLE."
        ))
        .into());
    }
    let produced = plan.output_schema();
    let expected = crate::catalog::schema::LogicalSchema::new(
        sink.schema
            .columns
            .iter()
            .filter(|c| matches!(c.kind, ColumnKind::Key | ColumnKind::Value))
            .cloned()
            .collect(),
    );
    if produced != expected {
        return Err(PlanError::invalid(format!(
            "Incompatible schema between results and sink.\nResult schema is {produced}\nSink schema is {expected}"
        ))
        .into());
    }
    let query_id = match props.query_id {
        Some(id) => id.to_uppercase(),
        None => {
            let mut catalog = engine.catalog_mut();
            let id = format!("INSERTQUERY_{}", catalog.next_query_number);
            catalog.next_query_number += 1;
            id
        }
    };
    if engine.catalog().queries.contains_key(&query_id) {
        return Err(PlanError::invalid(format!("Query ID '{query_id}' already exists.")).into());
    }
    let start = start_positions(engine, plan.source(), session, replay)?;
    if replay.is_none() {
        commands::record_query(engine, text, &session.properties, &start)?;
    }
    {
        let mut catalog = engine.catalog_mut();
        catalog.queries.insert(
            query_id.clone(),
            QueryInfo {
                id: query_id.clone(),
                statement: text.to_string(),
                sources: plan.sources().iter().map(|s| s.name.clone()).collect(),
                sink: sink.name.clone(),
                sink_topic: sink.topic.clone(),
                paused: false,
            },
        );
        if let Some(s) = catalog.sources.get_mut(&sink.name) {
            s.writers.push(query_id.clone());
        }
    }
    let starts = all_start_positions(engine, &plan, session, replay, start)?;
    start_persistent(engine, &query_id, plan, &sink, starts)?;
    Ok(StatementResult::Status {
        message: format!("Created query with ID {query_id}"),
        query_id: Some(query_id),
    })
}

/// SELECT … EMIT CHANGES: a transient query streaming rows to the caller.
pub fn push_query(
    engine: &Arc<Engine>,
    query: &Query,
    session: &Session,
) -> EngineResult<StatementResult> {
    let plan = plan_query(engine, query, session, KeyRule::Transient, "")?;
    let scalable = is_scalable_push(&plan, query, session);
    let query_id = if scalable {
        format!("SCALABLE_PUSH_QUERY_{}", transient_suffix())
    } else {
        format!("transient_{}_{}", plan.source().name, transient_suffix())
    };
    // ksqlDB's scalable push queries skip the records of a keyed stream that have no key.
    let keyed_rows = match &plan {
        Planned::Select(select) if scalable => keyed_rows(select)?,
        _ => None,
    };
    let schema = plan.push_schema();
    let starts = plan
        .sources()
        .into_iter()
        .map(|source| start_positions(engine, source, session, None))
        .collect::<EngineResult<Vec<_>>>()?;
    let (sender, rows) = mpsc::unbounded_channel();
    let limit = plan.limit();
    let over_stream =
        matches!(&plan, Planned::Select(select) if select.source.kind == SourceKind::Stream);
    let (inputs, join, mut operators) = task_pipeline(plan, &query_id, starts)?;
    // ksqlDB: a push query over a stream shows its records, and one without a value is
    // not a record of a stream but invalid and skipped (a persistent query passes it on).
    // No row with a null value passes a WHERE, so an always-true one drops exactly those.
    if over_stream {
        operators.insert(0, Box::new(Filter::new(lit(true))));
    }
    if let Some(predicate) = keyed_rows {
        operators.insert(0, Box::new(Filter::new(predicate)));
    }
    let task = QueryTask::new(
        query_id.clone(),
        engine.log.clone(),
        inputs,
        join,
        operators,
        QueryOutput::Channel(sender),
        limit,
    );
    launch(engine, query_id.clone(), task, false)?;
    Ok(StatementResult::Push(PushQuery {
        query_id,
        schema,
        rows,
        end: ResultEnd::Push,
    }))
}

/// TERMINATE query_id | TERMINATE ALL.
pub fn terminate(
    engine: &Arc<Engine>,
    query_id: Option<&str>,
    text: &str,
    replaying: bool,
) -> EngineResult<StatementResult> {
    let ids = controlled_queries(engine, query_id, text, replaying)?;
    for id in &ids {
        stop(engine, id);
        let mut catalog = engine.catalog_mut();
        if let Some(info) = catalog.queries.remove(id)
            && let Some(sink) = catalog.sources.get_mut(&info.sink)
        {
            sink.writers.retain(|w| w != id);
        }
        drop(catalog);
        engine
            .offsets
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(id)?;
        // ksqlDB deletes a terminated query's internal topics.
        let prefix = internal_topic(id, "");
        for topic in engine.log.list_topics() {
            if !topic.starts_with(&prefix) {
                continue;
            }
            if topic.ends_with("-repartition") {
                engine.log.delete_topic(&topic)?;
            } else if topic.ends_with("-changelog") {
                engine.log.delete_topic(&topic)?;
                if let Some(checkpointer) = &engine.checkpointer {
                    checkpointer
                        .remove(id, &topic)
                        .map_err(|e| EngineError::Statement(e.to_string()))?;
                }
            }
        }
    }
    Ok(StatementResult::Status {
        message: "Query terminated.".into(),
        query_id: None,
    })
}

/// PAUSE query_id | PAUSE ALL: persistent queries stop reading, keeping their offsets and
/// state for RESUME.
pub fn pause(
    engine: &Arc<Engine>,
    query_id: Option<&str>,
    text: &str,
    replaying: bool,
) -> EngineResult<StatementResult> {
    let ids = controlled_queries(engine, query_id, text, replaying)?;
    for id in &ids {
        stop_and_wait(engine, id);
        if let Some(info) = engine.catalog_mut().queries.get_mut(id) {
            info.paused = true;
        }
    }
    Ok(StatementResult::Status {
        message: "Query paused.".into(),
        query_id: None,
    })
}

/// RESUME query_id | RESUME ALL: paused queries go on from their committed offsets with
/// their state, planned again from their statements.
pub fn resume(
    engine: &Arc<Engine>,
    query_id: Option<&str>,
    text: &str,
    session: &Session,
    replaying: bool,
) -> EngineResult<StatementResult> {
    let ids = controlled_queries(engine, query_id, text, replaying)?;
    for id in &ids {
        let Some(info) = engine.catalog().queries.get(id).cloned() else {
            continue;
        };
        if !info.paused {
            continue;
        }
        restart(engine, &info, session)?;
        if let Some(info) = engine.catalog_mut().queries.get_mut(id) {
            info.paused = false;
        }
    }
    Ok(StatementResult::Status {
        message: "Query resumed.".into(),
        query_id: None,
    })
}

/// Starts a persistent query again from its statement: it plans the same way and reads on
/// from its last commit.
fn restart(engine: &Arc<Engine>, info: &QueryInfo, session: &Session) -> EngineResult<()> {
    let query = stored_query(info)?;
    let key_rule = persistent_key_rule(session);
    let plan = plan_query(engine, &query, session, key_rule, &info.sink)?;
    let sink = engine
        .catalog()
        .source(&info.sink)
        .cloned()
        .ok_or_else(|| PlanError::Internal(format!("the sink of {} is gone", info.id)))?;
    let start = start_positions(engine, plan.source(), session, None)?;
    let starts = all_start_positions(engine, &plan, session, None, start)?;
    start_persistent(engine, &info.id, plan, &sink, starts)
}

/// The SELECT of a persistent query's statement (CSAS, CTAS or INSERT INTO), read back.
fn stored_query(info: &QueryInfo) -> EngineResult<Box<Query>> {
    let statement = crate::sql::parse(&info.statement)?
        .into_iter()
        .next()
        .map(|parsed| parsed.statement);
    match statement {
        Some(Statement::CreateAsSelect(create)) => Ok(create.query),
        Some(Statement::InsertInto { query, .. }) => Ok(query),
        _ => Err(PlanError::Internal(format!(
            "the statement of query {} cannot be read back",
            info.id
        ))
        .into()),
    }
}

/// How a persistent query's key is planned: ksqlDB's new query planner lets it leave the
/// key out of the projection.
fn persistent_key_rule(session: &Session) -> KeyRule {
    if session.new_query_planner() {
        KeyRule::KeyOptional
    } else {
        KeyRule::MustProjectKey
    }
}

/// The persistent queries a TERMINATE, PAUSE or RESUME names: `query_id` (any case) or,
/// for ALL, every one. The statement is recorded in the command topic unless it is being
/// replayed from there.
fn controlled_queries(
    engine: &Engine,
    query_id: Option<&str>,
    text: &str,
    replaying: bool,
) -> EngineResult<Vec<String>> {
    let ids = match query_id {
        Some(id) => {
            let id = id.to_uppercase();
            let known = engine.catalog().queries.contains_key(&id)
                || engine
                    .queries
                    .ids()
                    .iter()
                    .any(|q| q.eq_ignore_ascii_case(&id));
            if !known {
                return Err(PlanError::invalid(format!("Unknown queryId: {id}")).into());
            }
            vec![id]
        }
        None => engine.catalog().queries.keys().cloned().collect(),
    };
    if !replaying {
        commands::record(engine, text)?;
    }
    Ok(ids)
}

/// Stops a running query's task, if it runs, and returns it.
fn stop(engine: &Engine, id: &str) -> Option<Arc<Mutex<QueryTask>>> {
    let mut running = engine.queries.lock();
    let index = running.iter().position(|q| q.id.eq_ignore_ascii_case(id))?;
    let query = running.remove(index);
    if let Some(stop) = query.stop {
        let _ = stop.send(true);
    }
    Some(query.task)
}

/// Stops a query and waits for the round it may be running (and that round's commit) to
/// end: once this returns, it reads and writes nothing more, so another task can go on
/// from its commit.
fn stop_and_wait(engine: &Engine, id: &str) {
    if let Some(task) = stop(engine, id) {
        drop(task.lock().unwrap_or_else(|e| e.into_inner()));
    }
}

/// Deterministic mode: polls every query in creation order until none makes progress.
pub fn run_until_idle(engine: &Engine) -> EngineResult<()> {
    loop {
        let tasks: Vec<(String, Arc<Mutex<QueryTask>>, bool)> = engine
            .queries
            .lock()
            .iter()
            .map(|q| (q.id.clone(), q.task.clone(), q.persistent))
            .collect();
        let mut progressed = false;
        for (id, task, persistent) in tasks {
            let mut task = task.lock().unwrap_or_else(|e| e.into_inner());
            match task.poll_once(&engine.processing_log)? {
                Progress::Consumed(0) => {}
                Progress::Consumed(_) => {
                    progressed = true;
                    if persistent {
                        commit(engine, &id, &mut task)?;
                    }
                }
                Progress::Finished => {
                    drop(task);
                    stop(engine, &id);
                }
            }
        }
        if !progressed {
            return Ok(());
        }
    }
}

/// Commits a persistent query's progress, then takes a state checkpoint if one is due.
fn commit(engine: &Engine, id: &str, task: &mut QueryTask) -> EngineResult<()> {
    if let Some(commit) = task.commit() {
        engine
            .offsets
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .commit(id, commit)?;
        if let Some(checkpointer) = &engine.checkpointer {
            checkpointer.after_commit(
                id,
                task.changelogs_to_checkpoint(),
                !engine.config.deterministic,
            );
        }
    }
    Ok(())
}

/// A sink's format error as ksqlDB raises it while building the query: with the
/// statement, as its formatter prints it, on a `Statement:` line.
fn with_statement(error: PlanError, create: &CreateAsSelect) -> PlanError {
    match (error, create_as_select_text(create)) {
        (PlanError::Invalid(message), Some(statement)) => {
            PlanError::Invalid(format!("{message}\nStatement: {statement}"))
        }
        (error, _) => error,
    }
}

/// WITH (TIMESTAMP='col') on a C*AS names an output column: when every select item's name
/// is known (no `*`, no unnamed expression) and none is `col`, ksqlDB refuses it before it
/// checks the projection itself.
fn check_timestamp_projected(query: &Query, props: &WithProperties) -> EngineResult<()> {
    let Some(column) = &props.timestamp else {
        return Ok(());
    };
    let mut names = Vec::with_capacity(query.select.len());
    for item in &query.select {
        let name = match item {
            SelectItem::Expr {
                alias: Some(alias), ..
            } => Some(alias.clone()),
            SelectItem::Expr { expr, alias: None } => derived_name(expr),
            _ => None,
        };
        let Some(name) = name else { return Ok(()) };
        names.push(name);
    }
    if names.iter().any(|name| name == column) {
        return Ok(());
    }
    Err(PlanError::invalid(format!(
        "The TIMESTAMP column set in the WITH clause does not exist in the schema: '{column}'"
    ))
    .into())
}

/// The catalog entry for a C*AS sink: formats and partitions default to the source's, the
/// topic to the sink's name after the session's output topic prefix.
fn sink_source(
    session: &Session,
    create: &CreateAsSelect,
    plan: &Planned,
    props: &WithProperties,
    text: &str,
) -> EngineResult<Source> {
    let (name, kind) = (create.name.as_str(), create.kind);
    let schema = plan.output_schema();
    let source = plan.source();
    let key_columns: Vec<_> = schema.key_columns().cloned().collect();
    let value_columns: Vec<_> = schema.value_columns().cloned().collect();
    let (key_format, value_format) = serde_specs(
        props,
        &key_columns,
        &value_columns,
        FormatDefaults {
            key: Some(&source.key_format),
            value: Some(&source.value_format),
            wrap_single_values: session.wrap_single_values(),
            key_format: session.default_key_format(),
        },
    )
    .map_err(|error| with_statement(error, create))?;
    let partitions = props.partitions.unwrap_or(source.partitions);
    let timestamp = timestamp_column(&schema, props)?;
    Ok(Source {
        name: name.to_string(),
        kind,
        schema,
        topic: props
            .kafka_topic
            .clone()
            .unwrap_or_else(|| format!("{}{name}", session.output_topic_prefix())),
        partitions,
        key_format,
        value_format,
        timestamp,
        is_source: false,
        statement: text.to_string(),
        writers: Vec::new(),
        window: plan.window(),
    })
}

/// Where each source of a query starts: `first` for the first, whose positions the
/// command topic records; the other sources of a join start as the session says, or at
/// their beginning when the command is replayed.
fn all_start_positions(
    engine: &Engine,
    plan: &Planned,
    session: &Session,
    replay: Option<&StartPositions>,
    first: BTreeMap<u32, i64>,
) -> EngineResult<Vec<BTreeMap<u32, i64>>> {
    let none = StartPositions::new();
    let mut starts = vec![first];
    for source in plan.sources().into_iter().skip(1) {
        starts.push(start_positions(
            engine,
            source,
            session,
            replay.map(|_| &none),
        )?);
    }
    Ok(starts)
}

/// Where a query over `source` starts: its commit after a restart, else what its command
/// recorded, else the session's `auto.offset.reset` (latest by default).
fn start_positions(
    engine: &Engine,
    source: &Source,
    session: &Session,
    replay: Option<&StartPositions>,
) -> EngineResult<BTreeMap<u32, i64>> {
    let partitions = engine
        .log
        .topic_config(&source.topic)
        .ok_or_else(|| crate::log::LogError::UnknownTopic(source.topic.clone()))?
        .partitions;
    let mut positions = BTreeMap::new();
    for partition in 0..partitions {
        let offset = match replay.and_then(|r| r.get(&partition)) {
            Some(offset) => *offset,
            None if replay.is_some() || session.reads_from_earliest() => {
                engine.log.start_offset(&source.topic, partition)?
            }
            None => engine.log.end_offset(&source.topic, partition)?,
        };
        positions.insert(partition, offset);
    }
    Ok(positions)
}

/// A planned query: stateless, a join, an aggregation, or an aggregation of a join's rows.
pub(super) enum Planned {
    Select(SelectPlan),
    Aggregate(AggregatePlan),
    Join(JoinPlan),
    JoinedAggregate(JoinedAggregatePlan),
    /// A join re-keyed by PARTITION BY.
    JoinedSelect(JoinedSelectPlan),
}

impl Planned {
    fn source(&self) -> &Source {
        match self {
            Planned::Select(plan) => &plan.source,
            Planned::Aggregate(plan) => &plan.source,
            Planned::Join(plan) => plan.source(),
            Planned::JoinedAggregate(plan) => plan.join.source(),
            Planned::JoinedSelect(plan) => plan.join.source(),
        }
    }

    /// Every source the query reads, in FROM order.
    pub(super) fn sources(&self) -> Vec<&Source> {
        match self {
            Planned::Join(plan) => plan.inputs.iter().map(|i| &i.source).collect(),
            Planned::JoinedAggregate(plan) => plan.join.inputs.iter().map(|i| &i.source).collect(),
            Planned::JoinedSelect(plan) => plan.join.inputs.iter().map(|i| &i.source).collect(),
            Planned::Select(_) | Planned::Aggregate(_) => vec![self.source()],
        }
    }

    /// Whether the query produces a table.
    fn produces_table(&self) -> bool {
        match self {
            Planned::Select(plan) => plan.source.kind == SourceKind::Table,
            Planned::Aggregate(_) | Planned::JoinedAggregate(_) => true,
            Planned::Join(plan) => plan.kind == SourceKind::Table,
            Planned::JoinedSelect(_) => false,
        }
    }

    pub(super) fn output_schema(&self) -> LogicalSchema {
        match self {
            Planned::Select(plan) => plan.output_schema(),
            Planned::Aggregate(plan) => plan.output_schema(),
            Planned::Join(plan) => plan.output_schema(),
            Planned::JoinedAggregate(plan) => plan.aggregate.output_schema(),
            Planned::JoinedSelect(plan) => plan.select.output_schema(),
        }
    }

    /// How the output keys are windowed (windowed aggregations).
    fn window(&self) -> Option<WindowInfo> {
        match self {
            // ksqlDB: a query over a windowed source keeps its windowed keys.
            Planned::Select(plan) => plan.source.window,
            // A join of windowed sources keys its rows by their (common) window.
            Planned::Join(plan) => plan.inputs[0].source.window,
            Planned::Aggregate(plan) => plan.window_info(),
            Planned::JoinedAggregate(plan) => plan.aggregate.window_info(),
            // Windowed joins are not re-keyed.
            Planned::JoinedSelect(_) => None,
        }
    }

    /// The columns of a push query's rows: every one a plain column in its header, as
    /// ksqlDB shows them.
    fn push_schema(&self) -> LogicalSchema {
        let columns: Vec<(String, SqlType)> = match self {
            Planned::Select(plan) => plan
                .columns
                .iter()
                .map(|c| (c.name.clone(), c.ty.clone()))
                .collect(),
            Planned::Aggregate(plan) => plan
                .columns
                .iter()
                .map(|c| (c.name.clone(), c.ty.clone()))
                .collect(),
            Planned::Join(plan) => plan
                .columns
                .iter()
                .map(|c| (c.name.clone(), c.ty.clone()))
                .collect(),
            Planned::JoinedAggregate(plan) => plan
                .aggregate
                .columns
                .iter()
                .map(|c| (c.name.clone(), c.ty.clone()))
                .collect(),
            Planned::JoinedSelect(plan) => plan
                .select
                .columns
                .iter()
                .map(|c| (c.name.clone(), c.ty.clone()))
                .collect(),
        };
        LogicalSchema::new(
            columns
                .into_iter()
                .map(|(name, ty)| Column::value(name, ty))
                .collect(),
        )
    }

    fn limit(&self) -> Option<u64> {
        match self {
            Planned::Select(plan) => plan.limit,
            Planned::Aggregate(plan) => plan.limit,
            Planned::Join(plan) => plan.limit,
            Planned::JoinedAggregate(plan) => plan.aggregate.limit,
            Planned::JoinedSelect(plan) => plan.select.limit,
        }
    }
}

/// Plans a query: an aggregation when it has GROUP BY, WINDOW, HAVING or an aggregate call.
pub(super) fn plan_query(
    engine: &Engine,
    query: &Query,
    session: &Session,
    key_rule: KeyRule,
    sink_name: &str,
) -> EngineResult<Planned> {
    let catalog = engine.catalog();
    Ok(
        if is_aggregation(query) && matches!(query.from, Relation::Join(_)) {
            check_not_aggregated(query)?;
            let config = aggregate_config(session);
            Planned::JoinedAggregate(plan_joined_aggregate(
                query,
                &catalog,
                &engine.planner,
                key_rule,
                sink_name,
                &config,
            )?)
        } else if is_aggregation(query) {
            check_not_aggregated(query)?;
            let config = aggregate_config(session);
            Planned::Aggregate(plan_aggregate(
                query,
                &catalog,
                &engine.planner,
                key_rule,
                sink_name,
                &config,
            )?)
        } else if matches!(query.from, Relation::Join(_)) && !query.partition_by.is_empty() {
            Planned::JoinedSelect(plan_joined_select(
                query,
                &catalog,
                &engine.planner,
                key_rule,
                sink_name,
            )?)
        } else if matches!(query.from, Relation::Join(_)) {
            Planned::Join(plan_join(
                query,
                &catalog,
                &engine.planner,
                key_rule,
                sink_name,
            )?)
        } else {
            Planned::Select(plan_select(
                query,
                &catalog,
                &engine.planner,
                key_rule,
                sink_name,
            )?)
        },
    )
}

/// The session settings an aggregation reads: a negative limit means none.
fn aggregate_config(session: &Session) -> AggregateConfig {
    let limit = |name: &str| {
        session
            .properties
            .get(name)
            .and_then(|v| v.trim().parse::<i64>().ok())
            .and_then(|n| usize::try_from(n).ok())
    };
    AggregateConfig {
        collect_list_limit: limit("ksql.functions.collect_list.limit"),
        collect_set_limit: limit("ksql.functions.collect_set.limit"),
        record_cache: session.record_cache(),
    }
}

/// A task's inputs (each source read from its start positions), join and operators.
type TaskPipeline = (Vec<TaskInput>, Option<Join>, Vec<Box<dyn Operator>>);

/// Builds what a task runs for `plan`, reading each source from `starts` (FROM order).
fn task_pipeline(
    plan: Planned,
    query_id: &str,
    starts: Vec<BTreeMap<u32, i64>>,
) -> EngineResult<TaskPipeline> {
    let topic = plan.source().topic.clone();
    let (decoder, operators) = match plan {
        Planned::Join(plan) => return join_pipeline(plan, query_id, starts),
        Planned::JoinedAggregate(plan) => return joined_aggregate_pipeline(plan, query_id, starts),
        Planned::JoinedSelect(plan) => return joined_select_pipeline(plan, query_id, starts),
        Planned::Select(plan) => select_pipeline(&plan, query_id)?,
        Planned::Aggregate(plan) => aggregate_pipeline(plan, query_id)?,
    };
    let positions = starts.into_iter().next().unwrap_or_default();
    let input = TaskInput {
        topic,
        positions,
        decoder,
    };
    Ok((vec![input], None, operators))
}

/// A join: one decoder per source, the join chain, then WHERE and the projection.
fn join_pipeline(
    plan: JoinPlan,
    query_id: &str,
    starts: Vec<BTreeMap<u32, i64>>,
) -> EngineResult<TaskPipeline> {
    let (inputs, mut operators) = joined_rows(&plan, query_id, starts)?;
    let rowtime =
        col(ROWTIME, &plan.joined_schema).map_err(|e| PlanError::Internal(e.to_string()))?;
    let mut columns: Vec<ProjectedColumn> = plan
        .columns
        .iter()
        .map(|c| ProjectedColumn {
            name: c.name.clone(),
            expr: c.expr.clone(),
            data_type: c.ty.to_arrow(),
            keeps_on_tombstone: c.kind == ColumnKind::Key,
        })
        .collect();
    // Rows of windowed sources carry their window to the sink's windowed keys.
    if let Some(window) = plan.inputs[0].source.window {
        let alias = &plan.inputs[0].alias;
        let field = |bound: &str| JoinedNames::field(alias, bound);
        columns.extend(window_columns(window, &plan.joined_schema, field)?);
    }
    operators.push(Box::new(Project::new(rowtime, columns)));
    Ok((inputs, Some(Join::new(plan.steps)), operators))
}

/// A join's inputs and the operators that follow the join.
type JoinedRows = (Vec<TaskInput>, Vec<Box<dyn Operator>>);

/// A join's inputs, each read from its start positions, and the WHERE over the joined rows.
fn joined_rows(
    plan: &JoinPlan,
    query_id: &str,
    starts: Vec<BTreeMap<u32, i64>>,
) -> EngineResult<JoinedRows> {
    let inputs = plan
        .inputs
        .iter()
        .zip(starts)
        .map(|(input, positions)| TaskInput {
            topic: input.source.topic.clone(),
            positions,
            decoder: SourceDecoder::new(&input.source, input.input_schema.clone()),
        })
        .collect();
    let mut operators: Vec<Box<dyn Operator>> = Vec::new();
    match (&plan.filter, plan.kind) {
        (Some(predicate), SourceKind::Table) => operators.push(Box::new(table_filter(
            predicate,
            &plan.joined_schema,
            plan.key_columns(),
            query_id,
        )?)),
        (Some(predicate), SourceKind::Stream) => {
            operators.push(Box::new(Filter::new(predicate.clone())))
        }
        (None, _) => {}
    }
    Ok((inputs, operators))
}

/// WHERE over a table's changes, remembering in `query_id`'s store which keys pass.
///
/// The store is the predicate's own (its name carries a fingerprint of it): the keys that
/// passed one predicate say nothing of another, so a query upgraded to a new WHERE starts
/// from no passing key, and like ksqlDB's deletes no row for an update the new predicate
/// fails.
fn table_filter(
    predicate: &Arc<dyn PhysicalExpr>,
    input: &SchemaRef,
    key_columns: Vec<usize>,
    query_id: &str,
) -> EngineResult<TableFilter> {
    let store = format!(
        "{TABLE_FILTER_STORE}-{:016x}",
        fingerprint(&predicate.to_string())
    );
    TableFilter::of_changes(
        predicate.clone(),
        input,
        key_columns,
        &changelog_topic(query_id, &store),
    )
    .map_err(|e| PlanError::Internal(e.to_string()).into())
}

/// FNV-1a of `text`: stable across builds and platforms, unlike `DefaultHasher`.
fn fingerprint(text: &str) -> u64 {
    text.bytes().fold(0xcbf29ce484222325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x100000001b3)
    })
}

/// A join, WHERE over its rows, then the aggregation of them.
fn joined_aggregate_pipeline(
    plan: JoinedAggregatePlan,
    query_id: &str,
    starts: Vec<BTreeMap<u32, i64>>,
) -> EngineResult<TaskPipeline> {
    let (inputs, mut operators) = joined_rows(&plan.join, query_id, starts)?;
    let table_input = plan.join.kind == SourceKind::Table;
    if table_input {
        // A join of tables is a table: its rows are remembered, so that a changed joined
        // row is taken back out of its group (ksqlDB's undo).
        let source = TableSource::materialized(
            &plan.join.joined_schema,
            &key_names(&plan.aggregate.source),
            &changelog_topic(query_id, TABLE_SOURCE_STORE),
        )
        .map_err(|e| PlanError::Internal(e.to_string()))?;
        operators.push(Box::new(source));
    }
    operators.push(Box::new(aggregate_operator(
        plan.aggregate,
        query_id,
        table_input,
    )));
    Ok((inputs, Some(Join::new(plan.join.steps)), operators))
}

/// A join, WHERE over its rows, then the projection under the PARTITION BY key.
fn joined_select_pipeline(
    plan: JoinedSelectPlan,
    query_id: &str,
    starts: Vec<BTreeMap<u32, i64>>,
) -> EngineResult<TaskPipeline> {
    let (inputs, mut operators) = joined_rows(&plan.join, query_id, starts)?;
    let rowtime =
        col(ROWTIME, &plan.select.input_schema).map_err(|e| PlanError::Internal(e.to_string()))?;
    let columns = plan
        .select
        .columns
        .iter()
        .map(|c| ProjectedColumn {
            name: c.name.clone(),
            expr: c.expr.clone(),
            data_type: c.ty.to_arrow(),
            keeps_on_tombstone: false,
        })
        .collect();
    operators.push(Box::new(Project::new(rowtime, columns)));
    Ok((inputs, Some(Join::new(plan.join.steps)), operators))
}

/// Decoder and operators for an aggregation; state goes to the changelogs of `query_id`.
fn aggregate_pipeline(
    plan: AggregatePlan,
    query_id: &str,
) -> EngineResult<(SourceDecoder, Vec<Box<dyn Operator>>)> {
    let decoder = SourceDecoder::new(&plan.source, plan.input_schema.clone());
    let mut operators: Vec<Box<dyn Operator>> = Vec::new();
    let table_input = plan.source.kind == SourceKind::Table;
    if table_input {
        // ksqlDB: aggregating a table takes each replaced row back out of its group, so the
        // source remembers its rows.
        let source = TableSource::materialized(
            &plan.input_schema,
            &key_names(&plan.source),
            &changelog_topic(query_id, TABLE_SOURCE_STORE),
        )
        .map_err(|e| PlanError::Internal(e.to_string()))?;
        operators.push(Box::new(source));
        if let Some(predicate) = &plan.filter {
            operators.push(Box::new(TableFilter::of_replacing_rows(predicate.clone())));
        }
    } else if let Some(predicate) = &plan.filter {
        operators.push(Box::new(Filter::new(predicate.clone())));
    }
    operators.push(Box::new(aggregate_operator(plan, query_id, table_input)));
    Ok((decoder, operators))
}

/// The `Aggregate` operator of `plan`; `table_input`: its rows are a table's changes.
fn aggregate_operator(plan: AggregatePlan, query_id: &str, table_input: bool) -> Aggregate {
    let columns = plan
        .columns
        .into_iter()
        .map(|c| OutputColumn {
            name: c.name,
            expr: c.expr,
            data_type: c.ty.to_arrow(),
        })
        .collect();
    let bounds = match plan.windows {
        None => WindowBounds::None,
        Some(Windowing::Time(_)) => WindowBounds::Start,
        Some(Windowing::Session(_)) => WindowBounds::StartAndEnd,
    };
    Aggregate::new(AggregateSpec {
        group_by: plan.group_by,
        key_types: plan.key_types,
        functions: plan.functions,
        arguments: plan.arguments,
        windows: plan.windows,
        aggregated_schema: plan.aggregated_schema,
        projection: TableProjection::new(columns, plan.having, bounds),
        changelog_topic: changelog_topic(query_id, AGGREGATE_STORE),
        table_input,
        record_cache: plan.record_cache,
    })
}

/// Decoder and operators for a planned SELECT of one source; a WHERE over a table keeps
/// its state in `query_id`'s store.
pub(super) fn select_pipeline(
    plan: &SelectPlan,
    query_id: &str,
) -> EngineResult<(SourceDecoder, Vec<Box<dyn Operator>>)> {
    let decoder = SourceDecoder::new(&plan.source, plan.input_schema.clone());
    let mut operators: Vec<Box<dyn Operator>> = Vec::new();
    if plan.source.kind == SourceKind::Table {
        let source = TableSource::new(&plan.input_schema, &key_names(&plan.source))
            .map_err(|e| PlanError::Internal(e.to_string()))?;
        operators.push(Box::new(source));
        if let Some(predicate) = &plan.filter {
            // A row is identified by its key and, in a windowed table, its window.
            let mut identity = key_names(&plan.source);
            if plan.source.window.is_some() {
                identity.extend([WINDOWSTART.to_string(), WINDOWEND.to_string()]);
            }
            let key_columns = identity
                .iter()
                .map(|name| plan.input_schema.index_of(name))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| PlanError::Internal(e.to_string()))?;
            operators.push(Box::new(table_filter(
                predicate,
                &plan.input_schema,
                key_columns,
                query_id,
            )?));
        }
    } else if let Some(predicate) = &plan.filter {
        operators.push(Box::new(Filter::new(predicate.clone())));
    }
    if let Some(table_functions) = &plan.table_functions {
        operators.push(Box::new(TableFunction::new(
            table_functions.calls.clone(),
            table_functions.schema.clone(),
        )));
    }
    let rowtime =
        col(ROWTIME, &plan.input_schema).map_err(|e| PlanError::Internal(e.to_string()))?;
    let mut columns: Vec<ProjectedColumn> = plan
        .columns
        .iter()
        .map(|c| ProjectedColumn {
            name: c.name.clone(),
            expr: c.expr.clone(),
            data_type: c.ty.to_arrow(),
            keeps_on_tombstone: c.source_key.is_some(),
        })
        .collect();
    // Rows of a windowed source carry their window to the sink's windowed keys.
    if let Some(window) = plan.source.window {
        let field = |bound: &str| bound.to_string();
        columns.extend(window_columns(window, &plan.input_schema, field)?);
    }
    operators.push(Box::new(Project::new(rowtime, columns)));
    Ok((decoder, operators))
}

/// The hidden columns that carry a windowed row's window to the sink (`WINDOW_START`, and
/// `WINDOW_END` for sessions), read from the fields of `schema` that `field` names for
/// WINDOWSTART and WINDOWEND.
fn window_columns(
    window: WindowInfo,
    schema: &SchemaRef,
    field: impl Fn(&str) -> String,
) -> EngineResult<Vec<ProjectedColumn>> {
    let mut bounds = vec![(WINDOW_START, WINDOWSTART)];
    if window.kind == WindowKind::Session {
        bounds.push((WINDOW_END, WINDOWEND));
    }
    let mut columns = Vec::with_capacity(bounds.len());
    for (hidden, bound) in bounds {
        columns.push(ProjectedColumn {
            name: hidden.to_string(),
            expr: col(&field(bound), schema).map_err(|e| PlanError::Internal(e.to_string()))?,
            data_type: DataType::Int64,
            keeps_on_tombstone: true,
        });
    }
    Ok(columns)
}

/// The names of a source's key columns.
fn key_names(source: &Source) -> Vec<String> {
    source
        .schema
        .key_columns()
        .map(|c| c.name.clone())
        .collect()
}

/// Builds and launches a persistent query writing into `sink`.
fn start_persistent(
    engine: &Arc<Engine>,
    query_id: &str,
    plan: Planned,
    sink: &Source,
    starts: Vec<BTreeMap<u32, i64>>,
) -> EngineResult<()> {
    let commit = engine
        .offsets
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(query_id)
        .cloned();
    let positions = plan
        .sources()
        .into_iter()
        .zip(starts)
        .map(|(source, mut positions)| {
            if let Some(committed) = commit.as_ref().and_then(|c| c.positions.get(&source.topic)) {
                positions.extend(committed.iter().map(|(p, o)| (*p, *o)));
            }
            positions
        })
        .collect();
    let physical_partitions = engine
        .log
        .topic_config(&sink.topic)
        .map(|c| c.partitions)
        .unwrap_or(1);
    let encoder = SinkEncoder::new(
        &sink.topic,
        &sink.schema,
        sink.key_format.clone(),
        sink.value_format.clone(),
        physical_partitions,
    );
    let plans = match &plan {
        Planned::Join(join) => plan_repartitions(join, query_id, &sink.key_format),
        Planned::JoinedAggregate(aggregate) => {
            plan_repartitions(&aggregate.join, query_id, &sink.key_format)
        }
        Planned::JoinedSelect(select) => {
            plan_repartitions(&select.join, query_id, &sink.key_format)
        }
        Planned::Select(_) | Planned::Aggregate(_) => Vec::new(),
    };
    let (mut inputs, mut join, mut operators) = task_pipeline(plan, query_id, positions)?;
    let repartitions = match join.as_mut() {
        Some(join) => repartitions(engine, plans, commit.as_ref(), &mut inputs, join)?,
        None => Repartitions {
            stages: Vec::new(),
            steps: BTreeMap::new(),
        },
    };
    if let Some(timestamp) = &sink.timestamp {
        let format = match &timestamp.format {
            Some(pattern) => Some(JavaFormat::compile(pattern).map_err(|e| {
                PlanError::invalid(format!("Invalid TIMESTAMP_FORMAT '{pattern}': {e}"))
            })?),
            None => None,
        };
        operators.push(Box::new(RecordTimestamp::new(
            timestamp.column.clone(),
            format,
        )));
    }
    restore_state(engine, &mut operators, commit.as_ref())?;
    let restarted = commit.is_some();
    let commit = commit.unwrap_or_default();
    let round_ends = commit.round_ends;
    let output = QueryOutput::Topic {
        encoder: Box::new(encoder),
        topic: sink.topic.clone(),
        producer_id: producer_id(query_id),
        sequences: commit.sequences,
        changelogs: commit.changelogs,
    };
    let mut task = QueryTask::new(
        query_id.to_string(),
        engine.log.clone(),
        inputs,
        join,
        operators,
        output,
        None,
    );
    task.repartition_through(repartitions.stages, repartitions.steps);
    if task.depends_on_batch_bounds() {
        task.journal_rounds(RoundJournal::new(engine.offsets.clone(), query_id));
    }
    if let Some(ends) = round_ends {
        task.replay_round(ends);
    }
    if restarted {
        task.rebuild_join_state()?;
    }
    launch(engine, query_id.to_string(), task, true)
}

/// Creates the changelog topics of stateful operators and rebuilds their state from the
/// changelog records their query had committed (from the newest checkpoint on, when there
/// are checkpoints); records written after the commit are produced again as the query
/// re-runs from its committed offsets.
fn restore_state(
    engine: &Engine,
    operators: &mut [Box<dyn Operator>],
    commit: Option<&Commit>,
) -> EngineResult<()> {
    for operator in operators {
        let Some(state) = operator.state() else {
            continue;
        };
        let topic = state.changelog_topic().to_string();
        ensure_topic(engine, &topic, Some(1), None)?;
        let Some(end) = commit
            .and_then(|c| c.changelogs.get(&topic))
            .map(|p| p.end_offset)
        else {
            continue;
        };
        let restored = match &engine.checkpointer {
            Some(checkpointer) => checkpointer.restore(state, end),
            None => checkpointer::replay(engine.log.as_ref(), state, &topic, 0, end),
        };
        restored.map_err(|e| EngineError::Statement(e.to_string()))?;
    }
    Ok(())
}

/// Registers a task and, unless the engine is deterministic, runs it on tokio.
fn launch(engine: &Arc<Engine>, id: String, task: QueryTask, persistent: bool) -> EngineResult<()> {
    let task = Arc::new(Mutex::new(task));
    // Held while the command topic replays: a query that a later command terminates or
    // pauses must not read anything first.
    if engine.config.deterministic || engine.queries.held.load(Ordering::SeqCst) {
        engine.queries.lock().push(RunningQuery {
            id,
            task,
            persistent,
            stop: None,
        });
        return Ok(());
    }
    let (stop_tx, stop_rx) = watch::channel(false);
    // Registered before the task starts: a task that finishes at once (a LIMIT already
    // met) must find itself in the registry to remove itself, or it would stay listed and
    // keep its client's channel open.
    engine.queries.lock().push(RunningQuery {
        id: id.clone(),
        task: task.clone(),
        persistent,
        stop: Some(stop_tx),
    });
    spawn_driver(engine, id, task, persistent, stop_rx)
}

/// Holds the queries started from now on until `release_queries`.
pub(super) fn hold_queries(engine: &Engine) {
    engine.queries.held.store(true, Ordering::SeqCst);
}

/// Starts the queries held since `hold_queries` that are still registered; one that
/// cannot start (no tokio runtime) is reported and left registered.
pub(super) fn release_queries(engine: &Arc<Engine>) {
    engine.queries.held.store(false, Ordering::SeqCst);
    if engine.config.deterministic {
        return;
    }
    let mut held = Vec::new();
    for query in engine.queries.lock().iter_mut() {
        if query.stop.is_none() {
            let (stop_tx, stop_rx) = watch::channel(false);
            query.stop = Some(stop_tx);
            held.push((
                query.id.clone(),
                query.task.clone(),
                query.persistent,
                stop_rx,
            ));
        }
    }
    for (id, task, persistent, stop_rx) in held {
        if let Err(e) = spawn_driver(engine, id.clone(), task, persistent, stop_rx) {
            tracing::error!(query_id = %id, error = %e, "query could not start");
        }
    }
}

/// Runs a registered task on tokio until it finishes or `stop` says so.
fn spawn_driver(
    engine: &Arc<Engine>,
    id: String,
    task: Arc<Mutex<QueryTask>>,
    persistent: bool,
    stop: watch::Receiver<bool>,
) -> EngineResult<()> {
    let handle = tokio::runtime::Handle::try_current()
        .map_err(|_| EngineError::Statement("queries need a tokio runtime to run in".into()))?;
    let topics = task.lock().unwrap_or_else(|e| e.into_inner()).topics();
    let changes = topics
        .iter()
        .map(|topic| engine.log.subscribe(topic))
        .collect::<Result<Vec<_>, _>>()?;
    handle.spawn(drive(engine.clone(), id, task, persistent, changes, stop));
    Ok(())
}

/// Runs a query until it finishes or is stopped, waiting on the log when idle.
async fn drive(
    engine: Arc<Engine>,
    id: String,
    task: Arc<Mutex<QueryTask>>,
    persistent: bool,
    mut changes: Vec<watch::Receiver<u64>>,
    mut stopped: watch::Receiver<bool>,
) {
    loop {
        if *stopped.borrow() {
            return;
        }
        for receiver in &mut changes {
            receiver.borrow_and_update();
        }
        let (progress, client_gone) = {
            let mut guard = task.lock().unwrap_or_else(|e| e.into_inner());
            // Stopped while waiting for the task (`stop_and_wait`): no round after that.
            if *stopped.borrow() {
                return;
            }
            let progress = guard.poll_once(&engine.processing_log);
            if let Ok(Progress::Consumed(n)) = &progress
                && *n > 0
                && persistent
                && let Err(e) = commit(&engine, &id, &mut guard)
            {
                tracing::error!(query_id = %id, error = %e, "commit failed");
            }
            (progress, guard.client_gone())
        };
        match progress {
            Ok(Progress::Consumed(0)) => {
                tokio::select! {
                    changed = any_changed(&mut changes) => if changed.is_err() { return },
                    _ = stopped.changed() => return,
                    _ = client_gone => {
                        stop(&engine, &id);
                        return;
                    }
                }
            }
            Ok(Progress::Consumed(_)) => tokio::task::yield_now().await,
            Ok(Progress::Finished) => {
                stop(&engine, &id);
                return;
            }
            Err(e) => {
                tracing::error!(query_id = %id, error = %e, "query failed");
                stop(&engine, &id);
                return;
            }
        }
    }
}

/// Resolves when any of the watched topics changed.
async fn any_changed(changes: &mut [watch::Receiver<u64>]) -> Result<(), watch::error::RecvError> {
    let waits = changes
        .iter_mut()
        .map(|receiver| Box::pin(receiver.changed()));
    futures::future::select_all(waits).await.0
}

/// A stable producer id per query, so that its appends are deduplicated across restarts.
pub(super) fn producer_id(query_id: &str) -> i64 {
    (fingerprint(query_id) >> 1) as i64
}

/// ksqlDB's scalable push query (`ksql.query.push.v2.enabled`): a filter and projection
/// over a persistent query's sink, from the latest offset, served from what that query
/// writes rather than by a query of its own. Reading the sink's log from its end is exactly
/// that here, so such a query only differs in its id, which tells clients what it is.
fn is_scalable_push(plan: &Planned, query: &Query, session: &Session) -> bool {
    session.scalable_push_queries()
        && !session.reads_from_earliest()
        && matches!(plan, Planned::Select(select) if !select.source.writers.is_empty())
        && query.partition_by.is_empty()
}

/// A predicate true for the rows of `select`'s source that have a key (some key column not
/// null); `None` for a source without key columns.
fn keyed_rows(select: &SelectPlan) -> EngineResult<Option<Arc<dyn PhysicalExpr>>> {
    let schema = &select.input_schema;
    let mut predicate: Option<Arc<dyn PhysicalExpr>> = None;
    for name in key_names(&select.source) {
        let column = col(&name, schema).map_err(|e| PlanError::Internal(e.to_string()))?;
        let present: Arc<dyn PhysicalExpr> = Arc::new(IsNotNullExpr::new(column));
        predicate = Some(match predicate {
            Some(before) => binary(before, BinaryOp::Or, present, schema)
                .map_err(|e| PlanError::Internal(e.to_string()))?,
            None => present,
        });
    }
    Ok(predicate)
}

fn transient_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    crate::runtime::offsets::now_millis() as u64 * 1000
        + NEXT.fetch_add(1, Ordering::Relaxed) % 1000
}
