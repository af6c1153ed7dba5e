//! EXPLAIN: a query's plan as lines of text, in the order its rows flow: sources, the
//! repartitions and joins that combine them, WHERE, the aggregation, the projection, and
//! where the rows go. Every kind of query is planned as it would run (`queries::plan_query`);
//! a running query (`EXPLAIN query_id`) also shows the topics its task writes: its
//! repartition topics and its sink.

use std::sync::Arc;

use super::queries::{Planned, plan_query};
use super::{Engine, EngineError, EngineResult, ResultTable, Session, StatementResult};
use crate::catalog::Source;
use crate::plan::PlanError;
use crate::plan::join::SideKind;
use crate::plan::select::KeyRule;
use crate::sql::ast::{
    ExplainTarget, JoinKind, JoinWindow, Query, Relation, SourceKind, Statement, WindowSpec,
};

pub fn explain(
    engine: &Arc<Engine>,
    target: &ExplainTarget,
    session: &Session,
) -> EngineResult<StatementResult> {
    let (query_id, statement_text, statement) = match target {
        ExplainTarget::QueryId(id) => {
            let id = id.to_uppercase();
            let catalog = engine.catalog();
            let info = catalog.queries.get(&id).ok_or_else(|| {
                PlanError::invalid(format!("Query with id:{id} does not exist, use SHOW QUERIES to view the full set of running queries."))
            })?;
            let parsed = crate::sql::parse(&info.statement)?;
            (
                Some(id),
                info.statement.clone(),
                parsed.into_iter().next().map(|p| p.statement),
            )
        }
        ExplainTarget::Statement(statement) => (None, String::new(), Some((**statement).clone())),
    };
    let persistent_rule = if session.new_query_planner() {
        KeyRule::KeyOptional
    } else {
        KeyRule::MustProjectKey
    };
    let (query, key_rule, sink) = match statement {
        Some(Statement::CreateAsSelect(create)) => (create.query, persistent_rule, create.name),
        Some(Statement::InsertInto { query, target, .. }) => (query, persistent_rule, target),
        Some(Statement::Select(query)) => (query, KeyRule::Transient, String::new()),
        _ => return Err(EngineError::Statement("EXPLAIN needs a query".into())),
    };
    let plan = plan_query(engine, &query, session, key_rule, &sink)?;
    let mut rows = Vec::new();
    for source in plan.sources() {
        rows.push(format!("SOURCE {}", describe_source(source)));
    }
    let topology = query_id.as_ref().and_then(|id| {
        engine
            .query_topologies()
            .into_iter()
            .find(|(running, _, _)| running == id)
            .map(|(_, _, topology)| topology)
    });
    for repartition in topology.iter().flat_map(|t| &t.repartitions) {
        rows.push(format!(
            "REPARTITION through {} (key {}, value {})",
            repartition.topic, repartition.key_format, repartition.value_format
        ));
    }
    rows.extend(join_lines(&query, &plan));
    if let Some(filter) = &query.where_clause {
        rows.push(format!("FILTER {filter}"));
    }
    if matches!(plan, Planned::Aggregate(_) | Planned::JoinedAggregate(_)) {
        let keys: Vec<String> = query.group_by.iter().map(ToString::to_string).collect();
        let window = query.window.map(window_text).unwrap_or_default();
        rows.push(format!("AGGREGATE GROUP BY {}{window}", keys.join(", ")));
        if let Some(having) = &query.having {
            rows.push(format!("HAVING {having}"));
        }
    }
    if !query.partition_by.is_empty() {
        let keys: Vec<String> = query.partition_by.iter().map(ToString::to_string).collect();
        rows.push(format!("PARTITION BY {}", keys.join(", ")));
    }
    rows.push(format!("PROJECT {}", plan.output_schema()));
    rows.push(match (&query_id, sink.is_empty()) {
        (_, true) => "TO the client".to_string(),
        (Some(_), false) => match engine.catalog().source(&sink) {
            Some(sink) => format!("SINK {}", describe_source(sink)),
            None => format!("SINK {sink}"),
        },
        (None, false) => format!("SINK {sink}"),
    });
    Ok(StatementResult::Table(ResultTable {
        heading: (!statement_text.is_empty()).then(|| format!("Query: {statement_text}")),
        columns: vec!["Execution plan".into()],
        rows: rows.into_iter().map(|row| vec![row]).collect(),
    }))
}

fn describe_source(source: &Source) -> String {
    let kind = match source.kind {
        SourceKind::Stream => "stream",
        SourceKind::Table => "table",
    };
    format!(
        "{} ({kind}, topic {}, key {}, value {})",
        source.name, source.topic, source.key_format.kind, source.value_format.kind
    )
}

/// One line per join step, as written, with the kinds of rows it joins.
fn join_lines(query: &Query, plan: &Planned) -> Vec<String> {
    let join = match plan {
        Planned::Join(join) => join,
        Planned::JoinedAggregate(aggregate) => &aggregate.join,
        Planned::JoinedSelect(select) => &select.join,
        Planned::Select(_) | Planned::Aggregate(_) => return Vec::new(),
    };
    let mut joins = Vec::new();
    let mut relation = &query.from;
    while let Relation::Join(step) = relation {
        joins.push(step.as_ref());
        relation = &step.left;
    }
    joins.reverse();
    joins
        .iter()
        .zip(&join.steps)
        .map(|(written, step)| {
            let right = match &written.right {
                Relation::Source { name, .. } => name.as_str(),
                Relation::Join(_) => "(join)",
            };
            let kind = match written.kind {
                JoinKind::Inner => "INNER",
                JoinKind::Left => "LEFT",
                JoinKind::Right => "RIGHT",
                JoinKind::Full => "FULL OUTER",
            };
            let within = written.within.map(within_text).unwrap_or_default();
            format!(
                "JOIN {kind} {right} ON {}{within} ({}–{}{})",
                written.on,
                side_kind(step.left_kind),
                side_kind(step.right_kind),
                if step.foreign_key.is_some() {
                    ", foreign key"
                } else {
                    ""
                }
            )
        })
        .collect()
}

fn side_kind(kind: SideKind) -> &'static str {
    match kind {
        SideKind::Stream => "stream",
        SideKind::Table => "table",
    }
}

fn within_text(window: JoinWindow) -> String {
    let grace = window
        .grace_ms
        .map(|g| format!(" GRACE PERIOD {g} MILLISECONDS"))
        .unwrap_or_default();
    format!(
        " WITHIN ({} MILLISECONDS, {} MILLISECONDS){grace}",
        window.before_ms, window.after_ms
    )
}

fn window_text(window: WindowSpec) -> String {
    match window {
        WindowSpec::Tumbling { size_ms, .. } => {
            format!(" WINDOW TUMBLING (SIZE {size_ms} MILLISECONDS)")
        }
        WindowSpec::Hopping {
            size_ms,
            advance_ms,
            ..
        } => format!(
            " WINDOW HOPPING (SIZE {size_ms} MILLISECONDS, ADVANCE BY {advance_ms} MILLISECONDS)"
        ),
        WindowSpec::Session { gap_ms, .. } => {
            format!(" WINDOW SESSION ({gap_ms} MILLISECONDS)")
        }
    }
}
