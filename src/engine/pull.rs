//! Pull queries: `SELECT … FROM source [WHERE …] [LIMIT n]` without EMIT CHANGES answers
//! with what the source holds now, and ends.
//!
//! A table's current rows are its changelog topic compacted: the latest record of each key,
//! deleted keys left out, in key-byte order (the order of a state store). A stream's are
//! every record in its topic. The rows are then filtered and projected by the same
//! operators a push query over the source would run.

use std::collections::BTreeMap;
use std::sync::Arc;

use datafusion::arrow::array::AsArray;
use datafusion::arrow::compute::filter_record_batch;
use datafusion::arrow::compute::kernels::boolean::not;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::sql::sqlparser::ast::{self as sql, Visit, Visitor};
use tokio::sync::mpsc;

use super::queries::select_pipeline;
use super::{Engine, EngineError, EngineResult, PushQuery, StatementResult};
use crate::catalog::Source;
use crate::catalog::schema::{Column, ColumnKind, LogicalSchema};
use crate::log::StoredRecord;
use crate::plan::PlanError;
use crate::plan::select::{KeyRule, ROWOFFSET, ROWPARTITION, TOMBSTONE, plan_select};
use crate::sql::ast::{Query, Relation, SelectItem, SourceKind};

/// Records read from the log per call while scanning a topic.
const SCAN_BATCH: usize = 4096;

/// Runs a pull query to completion; its rows come as one finished result.
pub fn pull_query(engine: &Arc<Engine>, query: &Query) -> EngineResult<StatementResult> {
    check_supported(query)?;
    let plan = {
        let catalog = engine.catalog();
        plan_select(query, &catalog, &engine.planner, KeyRule::Transient, "")?
    };
    if plan.source.kind == SourceKind::Table && !queryable(&plan.source) {
        let name = &plan.source.name;
        return Err(PlanError::invalid(format!(
            "The `{name}` table isn't queryable. To derive a queryable table, you can do 'CREATE TABLE QUERYABLE_{name} AS SELECT * FROM {name}'. See https://cnfl.io/queries for more info."
        ))
        .into());
    }
    let records = current_records(engine, &plan.source)?;
    // A table's rows are keyed: a column that copies the key (or a window bound) is shown
    // as a key column, as ksqlDB's header does. A stream's rows are records, not keys.
    let is_table = plan.source.kind == SourceKind::Table;
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
    let (mut decoder, operators) = select_pipeline(&plan)?;
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
    if let Some(mut batch) = current
        .map(without_deleted)
        .transpose()?
        .filter(|b| b.num_rows() > 0)
    {
        if let Some(limit) = limit {
            batch = batch.slice(0, batch.num_rows().min(limit as usize));
        }
        let _ = sender.send(batch);
    }
    Ok(StatementResult::Push(PushQuery {
        query_id: format!("pull_{}", plan.source.name),
        schema,
        rows,
    }))
}

/// A table answers pull queries when sluice maintains it: a query's sink, or a SOURCE
/// table. A plain CREATE TABLE over a topic is not materialized, as in ksqlDB.
fn queryable(source: &Source) -> bool {
    source.is_source || !source.writers.is_empty()
}

/// ksqlDB's limits on pull queries, in its words.
fn check_supported(query: &Query) -> EngineResult<()> {
    let unsupported = |clause: &str| -> EngineResult<()> {
        Err(PlanError::invalid(format!(
            "Pull queries don't support {clause} clauses. See https://cnfl.io/queries for more info.\nAdd EMIT CHANGES if you intended to issue a push query."
        ))
        .into())
    };
    if matches!(query.from, Relation::Join(_)) {
        return unsupported("JOIN");
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

/// What the source holds now: every record of a stream; a table's latest record per key,
/// without deleted keys, in key order.
fn current_records(engine: &Engine, source: &Source) -> EngineResult<Vec<StoredRecord>> {
    let partitions = engine
        .log
        .topic_config(&source.topic)
        .ok_or_else(|| crate::log::LogError::UnknownTopic(source.topic.clone()))?
        .partitions;
    let mut all = Vec::new();
    let mut latest: BTreeMap<Vec<u8>, StoredRecord> = BTreeMap::new();
    for partition in 0..partitions {
        let mut offset = engine.log.start_offset(&source.topic, partition)?;
        let end = engine.log.end_offset(&source.topic, partition)?;
        while offset < end {
            let records = engine
                .log
                .read(&source.topic, partition, offset, SCAN_BATCH)?;
            let Some(last) = records.last() else { break };
            offset = last.offset + 1;
            for record in records {
                match (source.kind, &record.record.key) {
                    (SourceKind::Stream, _) => all.push(record),
                    (SourceKind::Table, Some(key)) if record.record.value.is_none() => {
                        latest.remove(key);
                    }
                    (SourceKind::Table, Some(key)) => {
                        latest.insert(key.clone(), record);
                    }
                    (SourceKind::Table, None) => {}
                }
            }
        }
    }
    if source.kind == SourceKind::Table {
        all.extend(latest.into_values());
    }
    Ok(all)
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
