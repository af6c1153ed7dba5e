//! Pull queries: `SELECT … FROM source [WHERE …] [LIMIT n]` without EMIT CHANGES answers
//! with what the source holds now, and ends.
//!
//! A table's rows come from its materialization (`state::materialized`): the latest record
//! of each live key, caught up with the table's topic before each query. The WHERE decides
//! whether the query looks up keys or scans every row (`key_lookup`); either way the rows
//! read are then decoded, filtered and projected by the same operators a push query over
//! the table would run, so functions, types and errors are those of every other query. A
//! stream's rows are every record in its topic.

pub mod key_lookup;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use datafusion::arrow::array::AsArray;
use datafusion::arrow::compute::filter_record_batch;
use datafusion::arrow::compute::kernels::boolean::not;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::sql::sqlparser::ast::{self as sql, Visit, Visitor};
use tokio::sync::mpsc;

use super::queries::select_pipeline;
use super::{Engine, EngineError, EngineResult, PushQuery, ResultEnd, Session, StatementResult};
use crate::catalog::schema::{Column, ColumnKind, LogicalSchema};
use crate::catalog::{Source, WindowKind};
use crate::log::StoredRecord;
use crate::plan::PlanError;
use crate::plan::expr::RowScope;
use crate::plan::expr_text::ksql_text;
use crate::plan::select::{KeyRule, ROWOFFSET, ROWPARTITION, TOMBSTONE, input_schema, plan_select};
use crate::sql::ast::{Query, Relation, SelectItem, SourceKind};
use crate::state::materialized::MaterializedTable;
use key_lookup::{KeyAccess, ScanSettings, key_access};

/// Records read from the log per call while scanning a stream's topic.
const SCAN_BATCH: usize = 4096;

/// The materializations of the tables pull queries have read, by table name.
#[derive(Default)]
pub struct Materializations {
    tables: Mutex<std::collections::HashMap<String, Arc<Mutex<MaterializedTable>>>>,
}

impl Materializations {
    /// The materialization of `table`, started empty on first use.
    fn of(&self, table: &Source) -> Arc<Mutex<MaterializedTable>> {
        let mut tables = self.tables.lock().unwrap_or_else(|e| e.into_inner());
        let entry = tables
            .entry(table.name.clone())
            .or_insert_with(|| Arc::new(Mutex::new(MaterializedTable::new(&table.topic))));
        // A table dropped and created again over another topic starts over.
        if entry.lock().unwrap_or_else(|e| e.into_inner()).topic() != table.topic {
            *entry = Arc::new(Mutex::new(MaterializedTable::new(&table.topic)));
        }
        entry.clone()
    }

    /// Forgets a dropped table.
    pub fn forget(&self, name: &str) {
        self.tables
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(name);
    }
}

/// Runs a pull query to completion; its rows come as one finished result.
pub fn pull_query(
    engine: &Arc<Engine>,
    query: &Query,
    session: &Session,
) -> EngineResult<StatementResult> {
    check_supported(query, session)?;
    check_where(engine, query)?;
    let plan = {
        let catalog = engine.catalog();
        plan_select(query, &catalog, &engine.planner, KeyRule::Transient, "")?
    };
    let is_table = plan.source.kind == SourceKind::Table;
    if is_table && !queryable(&plan.source) {
        let name = &plan.source.name;
        return Err(PlanError::invalid(format!(
            "The `{name}` table isn't queryable. To derive a queryable table, you can do 'CREATE TABLE QUERYABLE_{name} AS SELECT * FROM {name}'. See https://cnfl.io/queries for more info."
        ))
        .into());
    }
    let records = if is_table {
        let keys: Vec<&Column> = plan.source.schema.key_columns().collect();
        let settings = ScanSettings {
            table_scans: session.property_enabled("ksql.query.pull.table.scan.enabled"),
            range_scans: session.property_enabled("ksql.query.pull.range.scan.enabled"),
        };
        let access = key_access(
            query.where_clause.as_ref(),
            &keys,
            plan.source.window.is_some(),
            settings,
            &|expr| super::insert_values::typed_constant(engine, expr),
        )?;
        table_rows(engine, &plan.source, &access)?
    } else {
        stream_records(engine, &plan.source)?
    };
    // A table's rows are keyed: a column that copies the key (or a window bound) is shown
    // as a key column, as ksqlDB's header does. A stream's rows are records, not keys.
    let schema = LogicalSchema::new(
        plan.columns
            .iter()
            .map(|c| Column {
                name: c.name.clone(),
                ty: c.ty.clone(),
                kind: if is_table && c.source_key.is_some() {
                    ColumnKind::Key
                } else {
                    ColumnKind::Value
                },
            })
            .collect(),
    );
    let limit = plan.limit;
    let (mut decoder, operators) = select_pipeline(&plan, "pull")?;
    let mut errors = Vec::new();
    let decoded = decoder
        .decode(&records, &mut errors)
        .map_err(|e| EngineError::Statement(e.to_string()))?;
    let mut current = Some(decoded);
    for mut operator in operators {
        let Some(batch) = current.take() else { break };
        current = operator
            .on_batch(batch, &mut errors)
            .map_err(|e| EngineError::Statement(e.to_string()))?;
    }
    let (sender, rows) = mpsc::unbounded_channel();
    let mut limit_reached = limit == Some(0);
    if let Some(mut batch) = current
        .map(without_deleted)
        .transpose()?
        .filter(|b| b.num_rows() > 0)
    {
        if let Some(limit) = limit {
            limit_reached = batch.num_rows() as u64 >= limit;
            batch = batch.slice(0, batch.num_rows().min(limit as usize));
        }
        let _ = sender.send(batch);
    }
    Ok(StatementResult::Push(PushQuery {
        query_id: format!("pull_{}", plan.source.name),
        schema,
        rows,
        end: if is_table {
            ResultEnd::Rows
        } else {
            ResultEnd::Scan { limit_reached }
        },
    }))
}

/// Plans the WHERE on its own first, so that its errors read as ksqlDB's pull queries
/// report them: `Error in WHERE expression: … Statement: (…)`.
fn check_where(engine: &Engine, query: &Query) -> EngineResult<()> {
    let (Some(predicate), Relation::Source { name, alias, .. }) =
        (&query.where_clause, &query.from)
    else {
        return Ok(());
    };
    let Some(source) = engine.catalog().source(name).cloned() else {
        return Ok(());
    };
    let schema = input_schema(&source);
    let scope = RowScope {
        schema: &schema,
        qualifier: alias.as_deref().unwrap_or(name),
    };
    match engine.planner.plan(predicate, &scope, "WHERE") {
        Ok(_) => Ok(()),
        Err(e) => Err(PlanError::invalid(format!(
            "Error in WHERE expression: {e}\nStatement: {}",
            ksql_text(predicate)
        ))
        .into()),
    }
}

/// A table answers pull queries when sluice maintains it: a query's sink, or a SOURCE
/// table. A plain CREATE TABLE over a topic is not materialized, as in ksqlDB.
fn queryable(source: &Source) -> bool {
    source.is_source || !source.writers.is_empty()
}

/// ksqlDB's limits on pull queries, in its words.
fn check_supported(query: &Query, session: &Session) -> EngineResult<()> {
    let unsupported = |clause: &str| -> EngineResult<()> {
        Err(PlanError::invalid(format!(
            "Pull queries don't support {clause} clauses. See https://cnfl.io/queries for more info.\nAdd EMIT CHANGES if you intended to issue a push query."
        ))
        .into())
    };
    if matches!(query.from, Relation::Join(_)) {
        return unsupported("JOIN");
    }
    if query.limit.is_some() && !session.property_enabled("ksql.query.pull.limit.clause.enabled") {
        return Err(PlanError::invalid(
            "LIMIT clause in pull queries is currently disabled. You can enable them by setting ksql.query.pull.limit.clause.enabled=true. See https://cnfl.io/queries for more info.\nAdd EMIT CHANGES if you intended to issue a push query.",
        )
        .into());
    }
    if query.window.is_some() {
        return unsupported("WINDOW");
    }
    if !query.group_by.is_empty() {
        return unsupported("GROUP BY");
    }
    if !query.partition_by.is_empty() {
        return unsupported("PARTITION BY");
    }
    for item in &query.select {
        if let SelectItem::Expr { expr, .. } = item
            && let Some(column) = system_column(expr)
        {
            return Err(PlanError::invalid(format!(
                "Pull queries don't support the following columns in SELECT clauses: `{column}`"
            ))
            .into());
        }
    }
    if let Some(column) = query.where_clause.as_ref().and_then(system_column) {
        return Err(PlanError::invalid(format!(
            "Pull queries don't support the following columns in WHERE clauses: `{column}`"
        ))
        .into());
    }
    Ok(())
}

/// The first ROWPARTITION or ROWOFFSET an expression reads: a pull query reads state, not
/// records, so it has neither.
fn system_column(expr: &sql::Expr) -> Option<&'static str> {
    struct Finder(Option<&'static str>);
    impl Visitor for Finder {
        type Break = ();
        fn pre_visit_expr(&mut self, expr: &sql::Expr) -> std::ops::ControlFlow<()> {
            let name = match expr {
                sql::Expr::Identifier(ident) => Some(&ident.value),
                sql::Expr::CompoundIdentifier(parts) => parts.last().map(|p| &p.value),
                _ => None,
            };
            self.0 = match name.map(String::as_str) {
                Some(ROWPARTITION) => Some(ROWPARTITION),
                Some(ROWOFFSET) => Some(ROWOFFSET),
                _ => None,
            };
            if self.0.is_some() {
                std::ops::ControlFlow::Break(())
            } else {
                std::ops::ControlFlow::Continue(())
            }
        }
    }
    let mut finder = Finder(None);
    let _ = expr.visit(&mut finder);
    finder.0
}

/// Every record of a stream's topic, partition by partition.
fn stream_records(engine: &Engine, stream: &Source) -> EngineResult<Vec<StoredRecord>> {
    let partitions = engine
        .log
        .topic_config(&stream.topic)
        .ok_or_else(|| crate::log::LogError::UnknownTopic(stream.topic.clone()))?
        .partitions;
    let mut all = Vec::new();
    for partition in 0..partitions {
        let mut offset = engine.log.start_offset(&stream.topic, partition)?;
        let end = engine.log.end_offset(&stream.topic, partition)?;
        while offset < end {
            let records = engine
                .log
                .read(&stream.topic, partition, offset, SCAN_BATCH)?;
            let Some(last) = records.last() else { break };
            offset = last.offset + 1;
            all.extend(records);
        }
    }
    Ok(all)
}

/// The table's rows the query reads: the looked-up keys' (every window of them, for a
/// windowed table), or all of them in key order.
fn table_rows(
    engine: &Engine,
    table: &Source,
    access: &KeyAccess,
) -> EngineResult<Vec<StoredRecord>> {
    let materialized = engine.materialized.of(table);
    let mut materialized = materialized.lock().unwrap_or_else(|e| e.into_inner());
    materialized.catch_up(engine.log.as_ref())?;
    let tuples = match access {
        KeyAccess::Scan => return Ok(materialized.rows().cloned().collect()),
        KeyAccess::Lookup(tuples) => tuples,
    };
    let key_columns: Vec<Column> = table.schema.key_columns().cloned().collect();
    let window_bytes = table.window.map(|w| match w.kind {
        WindowKind::Session => 16,
        WindowKind::Tumbling | WindowKind::Hopping => 8,
    });
    let mut seen = HashSet::new();
    let mut rows = Vec::new();
    for tuple in tuples {
        let Some(key) = table.key_format.encode(tuple, &key_columns)? else {
            continue;
        };
        if !seen.insert(key.clone()) {
            continue;
        }
        match window_bytes {
            Some(window_bytes) => rows.extend(materialized.windows_of(&key, window_bytes).cloned()),
            None => rows.extend(materialized.get(&key).cloned()),
        }
    }
    Ok(rows)
}

/// Drops the rows a table's WHERE turned into deletes: a pull query answers with the rows
/// that match, not with changes.
fn without_deleted(batch: RecordBatch) -> EngineResult<RecordBatch> {
    let Some(deleted) = batch.column_by_name(TOMBSTONE) else {
        return Ok(batch);
    };
    let keep = not(deleted.as_boolean()).map_err(|e| EngineError::Statement(e.to_string()))?;
    filter_record_batch(&batch, &keep).map_err(|e| EngineError::Statement(e.to_string()))
}
