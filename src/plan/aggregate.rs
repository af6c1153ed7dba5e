//! GROUP BY analysis: a query that aggregates a stream into a table.
//!
//! The GROUP BY expressions become the table's key columns (named as the SELECT item that
//! projects each, or `KSQL_COL_n` as ksqlDB numbers unnamed items). The aggregate calls in
//! SELECT and HAVING are resolved to functions whose arguments run over input rows; SELECT and
//! HAVING are then rewritten over the *aggregated row* (key columns, one column per aggregate,
//! and WINDOWSTART/WINDOWEND when windowed, see `rewrite`) and planned like any expression,
//! so any scalar expression over keys and aggregates works (`SUM(x) * 2`, `COUNT(*) > 1`).
//! ksqlDB's analysis errors are reproduced with its wording.

mod rewrite;

use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::physical_expr::PhysicalExpr;
use datafusion::scalar::ScalarValue;
use datafusion::sql::sqlparser::ast as sql;

use self::rewrite::{
    Clause, Rewriter, WINDOW_BOUNDS, aggregate_column, canonical, first_aggregate, key_column,
    ksql_text, window_bound, window_bounds_error,
};
use super::error::{PlanError, PlanResult};
use super::expr::{ExprPlanner, RowScope};
use super::select::{KeyRule, ROWOFFSET, ROWPARTITION, ROWTIME, input_schema};
use crate::catalog::schema::{Column, ColumnKind, LogicalSchema};
use crate::catalog::types::SqlType;
use crate::catalog::{Catalog, Source, WindowInfo, WindowKind};
use crate::exec::aggregate::Windowing;
use crate::exec::aggregate::function::{AggregateConfig, AggregateFunction, CallArg, resolve};
use crate::exec::aggregate::session::SessionWindows;
use crate::exec::aggregate::window::{DEFAULT_GRACE_MS, TimeWindows};
use crate::format::FormatKind;
use crate::sql::ast::{Emit, Query, Relation, SelectItem, SourceKind, WindowSpec};

/// A planned aggregation.
pub struct AggregatePlan {
    pub source: Source,
    /// The schema of decoded input batches.
    pub input_schema: SchemaRef,
    /// WHERE, over input rows.
    pub filter: Option<Arc<dyn PhysicalExpr>>,
    /// The GROUP BY expressions over input rows, and their types.
    pub group_by: Vec<Arc<dyn PhysicalExpr>>,
    pub key_types: Vec<SqlType>,
    pub functions: Vec<AggregateFunction>,
    /// Each function's per-row arguments, over input rows.
    pub arguments: Vec<Vec<Arc<dyn PhysicalExpr>>>,
    pub windows: Option<Windowing>,
    /// Key columns, aggregate columns, then WINDOWSTART and WINDOWEND when windowed.
    pub aggregated_schema: SchemaRef,
    /// HAVING, over aggregated rows.
    pub having: Option<Arc<dyn PhysicalExpr>>,
    /// Output columns over aggregated rows: keys in GROUP BY order, then values in SELECT
    /// order (SELECT order throughout for transient queries).
    pub columns: Vec<AggregateColumn>,
    pub limit: Option<u64>,
    pub emit: Option<Emit>,
    /// See `AggregateSpec::record_cache`.
    pub record_cache: bool,
}

/// One output column of an aggregation.
pub struct AggregateColumn {
    pub name: String,
    pub expr: Arc<dyn PhysicalExpr>,
    pub ty: SqlType,
    pub kind: ColumnKind,
}

impl AggregatePlan {
    /// The schema of the table this query produces.
    pub fn output_schema(&self) -> LogicalSchema {
        LogicalSchema::new(
            self.columns
                .iter()
                .map(|c| Column {
                    name: c.name.clone(),
                    ty: c.ty.clone(),
                    kind: c.kind.clone(),
                })
                .collect(),
        )
    }

    /// How the output keys are windowed, if they are.
    pub fn window_info(&self) -> Option<WindowInfo> {
        self.windows.map(|w| match w {
            Windowing::Time(w) => WindowInfo {
                kind: if w.advance_ms == w.size_ms {
                    WindowKind::Tumbling
                } else {
                    WindowKind::Hopping
                },
                size_ms: Some(w.size_ms),
            },
            Windowing::Session(_) => WindowInfo {
                kind: WindowKind::Session,
                size_ms: None,
            },
        })
    }
}

/// True when a query aggregates: it has GROUP BY, WINDOW, HAVING, or an aggregate call in
/// its SELECT.
pub fn is_aggregation(query: &Query) -> bool {
    !query.group_by.is_empty()
        || query.window.is_some()
        || query.having.is_some()
        || query.select.iter().any(|item| match item {
            SelectItem::Expr { expr, .. } => first_aggregate(expr).is_some(),
            _ => false,
        })
}

/// Plans an aggregation over one stream.
pub fn plan_aggregate(
    query: &Query,
    catalog: &Catalog,
    planner: &ExprPlanner,
    key_rule: KeyRule,
    sink_name: &str,
    config: &AggregateConfig,
) -> PlanResult<AggregatePlan> {
    let (source_name, alias) = match &query.from {
        Relation::Source { name, alias, .. } => (name, alias),
        Relation::Join(_) => {
            return Err(PlanError::Internal(
                "an aggregation over a join is planned by plan::joined_aggregate".into(),
            ));
        }
    };
    let source = catalog
        .source(source_name)
        .ok_or_else(|| PlanError::UnknownSource {
            name: source_name.clone(),
        })?
        .clone();
    let qualifier = alias.as_deref().unwrap_or(source_name);
    plan_aggregate_over(
        query, source, qualifier, planner, key_rule, sink_name, config,
    )
}

/// Plans an aggregation over the rows of `source` (a catalog source, or the rows of a join
/// as `plan::joined_aggregate` presents them), whose columns `qualifier.` may prefix.
pub(super) fn plan_aggregate_over(
    query: &Query,
    source: Source,
    qualifier: &str,
    planner: &ExprPlanner,
    key_rule: KeyRule,
    sink_name: &str,
    config: &AggregateConfig,
) -> PlanResult<AggregatePlan> {
    if source.value_format.kind == FormatKind::Kafka && !query.group_by.is_empty() {
        return Err(PlanError::invalid(format!(
            "Source(s) {} are using the 'KAFKA' value format. This format does not yet support GROUP BY.",
            source.name
        )));
    }
    let schema = input_schema(&source);
    let scope = RowScope {
        schema: &schema,
        qualifier,
    };
    let windows = windowing(query)?;
    if windows.is_some() && source.kind == SourceKind::Table {
        return Err(PlanError::invalid(
            "Windowing not supported for table aggregations.",
        ));
    }

    let filter = match &query.where_clause {
        Some(predicate) => {
            if let Some(bound) = window_bound(predicate, qualifier) {
                return Err(PlanError::invalid(format!(
                    "Error in WHERE expression: Unknown column {bound}."
                )));
            }
            let planned = planner.plan(predicate, &scope, "WHERE")?;
            if planned.data_type != DataType::Boolean {
                return Err(PlanError::invalid(format!(
                    "Type error in WHERE expression: Should evaluate to boolean but is {predicate} ({}) instead.",
                    planned.sql_type
                )));
            }
            Some(planned.physical)
        }
        None => None,
    };

    // ksqlDB refuses a bare, unaliased window bound in a persistent query's projection before it
    // resolves the GROUP BY.
    if key_rule != KeyRule::Transient {
        for item in &query.select {
            let name = match item {
                SelectItem::Expr {
                    expr: sql::Expr::Identifier(ident),
                    alias: None,
                } => Some(&ident.value),
                SelectItem::Expr {
                    expr: sql::Expr::CompoundIdentifier(parts),
                    alias: None,
                } if parts.len() == 2 => Some(&parts[1].value),
                _ => None,
            };
            if let Some(bound) = name.filter(|name| WINDOW_BOUNDS.contains(&name.as_str())) {
                return Err(PlanError::invalid(format!(
                    "Reserved column name in select: `{bound}`. Please remove or alias the column."
                )));
            }
        }
    }

    // GROUP BY: the key expressions. ksqlDB lets a push query aggregate without GROUP BY:
    // all its rows are then one group.
    let single_group = [sql::Expr::value(sql::Value::Boolean(true))];
    let grouping: &[sql::Expr] = if query.group_by.is_empty() && key_rule == KeyRule::Transient {
        &single_group
    } else {
        &query.group_by
    };
    let mut group_texts: Vec<String> = Vec::with_capacity(grouping.len());
    let mut group_by = Vec::with_capacity(grouping.len());
    let mut key_types = Vec::with_capacity(grouping.len());
    for expr in grouping {
        if let Some(name) = first_aggregate(expr) {
            return Err(PlanError::invalid(format!(
                "GROUP BY does not support aggregate functions: {name} is an aggregate function."
            )));
        }
        if windows.is_some()
            && let Some(bound) = window_bound(expr, qualifier)
        {
            return Err(window_bounds_error(bound));
        }
        let text = canonical(expr, qualifier);
        if group_texts.contains(&text) {
            return Err(PlanError::invalid(format!(
                "Duplicate GROUP BY expression: {}",
                ksql_text(expr)
            )));
        }
        group_texts.push(text);
        let planned = planner.plan(expr, &scope, "GROUP BY")?;
        group_by.push(planned.physical);
        key_types.push(planned.sql_type);
    }

    // SELECT and HAVING over aggregated rows.
    let items = select_items(&query.select, &source, qualifier)?;
    let mut rewriter = Rewriter::new(qualifier, &group_texts, windows.is_some());
    let mut rewritten = Vec::with_capacity(items.len());
    let mut loose_items = Vec::new();
    for (expr, _) in &items {
        let r = rewriter.rewrite(expr, Clause::Select)?;
        if !r.loose_columns.is_empty() {
            loose_items.push(ksql_text(expr));
        }
        rewritten.push(r.expr);
    }
    let having = match &query.having {
        Some(having) => Some(rewriter.rewrite(having, Clause::Having)?),
        None => None,
    };
    let calls = rewriter.calls;
    if calls.is_empty() && !group_by.is_empty() {
        // ksqlDB resolves functions first: an unknown one is the error to report.
        for (expr, _) in &items {
            planner.plan(expr, &scope, "SELECT")?;
        }
        return Err(PlanError::invalid(
            "GROUP BY requires aggregate functions in either the SELECT or HAVING clause.",
        ));
    }
    if !loose_items.is_empty() {
        return Err(PlanError::invalid(format!(
            "Non-aggregate SELECT expression(s) not part of GROUP BY: {}\nEither add the column(s) to the GROUP BY or remove them from the SELECT.",
            loose_items.join(", ")
        )));
    }
    if let Some(loose) = having.as_ref().filter(|h| !h.loose_columns.is_empty()) {
        return Err(PlanError::invalid(format!(
            "Non-aggregate HAVING expression not part of GROUP BY: {}",
            loose.loose_columns.join(", ")
        )));
    }
    if group_by.is_empty() {
        let texts: Vec<String> = calls
            .iter()
            .map(|c| {
                c.text
                    .replace("COUNT(*)", "COUNT(ROWTIME)")
                    .replace("COUNT()", "COUNT(ROWTIME)")
            })
            .collect();
        return Err(PlanError::invalid(format!(
            "CREATE TABLE AS SELECT statement does not support aggregate function [{}] without a GROUP BY clause.",
            texts.join(", ")
        )));
    }

    // The aggregate functions and their arguments.
    let mut functions = Vec::with_capacity(calls.len());
    let mut arguments = Vec::with_capacity(calls.len());
    for call in &calls {
        let mut args = Vec::with_capacity(call.args.len());
        let mut planned_args = Vec::with_capacity(call.args.len());
        for arg in &call.args {
            let planned = planner.plan(arg, &scope, "SELECT")?;
            args.push(CallArg {
                ty: planned.sql_type,
                literal: literal(arg),
                text: ksql_text(arg),
            });
            planned_args.push(planned.physical);
        }
        let function = resolve(&call.name, &args, config)
            .ok_or_else(|| PlanError::Internal(format!("{} is not an aggregate", call.name)))?
            .map_err(PlanError::invalid)?;
        planned_args.truncate(function.value_args);
        functions.push(function);
        arguments.push(planned_args);
    }
    check_functions(&functions, &source)?;

    let aggregated_schema = aggregated_schema(&key_types, &functions, windows.is_some());
    let aggregated_scope = RowScope {
        schema: &aggregated_schema,
        qualifier,
    };
    let having = match having {
        Some(having) => {
            let planned = planner.plan(&having.expr, &aggregated_scope, "HAVING")?;
            if planned.data_type != DataType::Boolean {
                return Err(PlanError::invalid(format!(
                    "Type error in HAVING expression: Should evaluate to boolean but is {} ({}) instead.",
                    query.having.as_ref().map(ksql_text).unwrap_or_default(),
                    planned.sql_type
                )));
            }
            Some(planned.physical)
        }
        None => None,
    };

    let mut named = Vec::with_capacity(items.len());
    for ((expr, alias), rewritten) in items.iter().zip(&rewritten) {
        let planned = planner.plan(rewritten, &aggregated_scope, "SELECT")?;
        named.push((expr, alias, planned));
    }
    let columns = output_columns(
        named,
        grouping,
        &group_texts,
        qualifier,
        key_rule,
        sink_name,
    )?;

    Ok(AggregatePlan {
        source,
        input_schema: schema,
        filter,
        group_by,
        key_types,
        functions,
        arguments,
        windows,
        aggregated_schema,
        having,
        columns,
        limit: query.limit,
        emit: query.emit,
        record_cache: config.record_cache,
    })
}

/// The windows of a windowed aggregation, with ksqlDB's defaults.
fn windowing(query: &Query) -> PlanResult<Option<Windowing>> {
    let emit_final = query.emit == Some(Emit::Final);
    let (size_ms, advance_ms, retention_ms, grace_ms) = match query.window {
        None if emit_final => {
            return Err(PlanError::invalid(
                "EMIT FINAL is only supported for windowed aggregations.",
            ));
        }
        None => return Ok(None),
        Some(WindowSpec::Tumbling {
            size_ms,
            retention_ms,
            grace_ms,
        }) => (size_ms, size_ms, retention_ms, grace_ms),
        Some(WindowSpec::Hopping {
            size_ms,
            advance_ms,
            retention_ms,
            grace_ms,
        }) => (size_ms, advance_ms, retention_ms, grace_ms),
        Some(WindowSpec::Session {
            gap_ms,
            retention_ms,
            grace_ms,
        }) => {
            let grace_ms = grace_ms.unwrap_or(if emit_final { 0 } else { DEFAULT_GRACE_MS });
            let open_ms = gap_ms.saturating_add(grace_ms);
            return Ok(Some(Windowing::Session(SessionWindows {
                gap_ms,
                grace_ms,
                retention_ms: retention_ms.unwrap_or(open_ms).max(open_ms),
                emit_final,
            })));
        }
    };
    if size_ms <= 0 || advance_ms <= 0 || advance_ms > size_ms {
        return Err(PlanError::invalid(format!(
            "Window advance ({advance_ms} ms) must be positive and at most the window size ({size_ms} ms)."
        )));
    }
    // ksqlDB: EMIT FINAL without a grace period emits a window as soon as it ends; otherwise
    // late records are accepted for 24 hours.
    let grace_ms = grace_ms.unwrap_or(if emit_final { 0 } else { DEFAULT_GRACE_MS });
    let open_ms = size_ms.saturating_add(grace_ms);
    Ok(Some(Windowing::Time(TimeWindows {
        size_ms,
        advance_ms,
        grace_ms,
        retention_ms: retention_ms.unwrap_or(open_ms).max(open_ms),
        emit_final,
    })))
}

/// SELECT items with `*` and `src.*` expanded to the source's keys then values.
fn select_items(
    items: &[SelectItem],
    source: &Source,
    qualifier: &str,
) -> PlanResult<Vec<(sql::Expr, Option<String>)>> {
    let all = || {
        source
            .schema
            .key_columns()
            .chain(source.schema.value_columns())
            .map(|c| {
                (
                    sql::Expr::Identifier(sql::Ident::with_quote('`', c.name.clone())),
                    None,
                )
            })
            .collect::<Vec<_>>()
    };
    let mut out = Vec::new();
    for item in items {
        match item {
            SelectItem::Expr { expr, alias } => out.push((expr.clone(), alias.clone())),
            SelectItem::Wildcard => out.extend(all()),
            SelectItem::QualifiedWildcard(name) if name == qualifier => out.extend(all()),
            SelectItem::QualifiedWildcard(name) => {
                return Err(PlanError::invalid(format!(
                    "'{name}' is not a valid stream/table name or alias."
                )));
            }
            SelectItem::StructWildcard(_) => {
                return Err(PlanError::Unsupported(
                    "struct->* is not supported yet".into(),
                ));
            }
        }
    }
    Ok(out)
}

/// The value of a literal argument (`2`, `-1`, `true`), for function parameters.
fn literal(expr: &sql::Expr) -> Option<ScalarValue> {
    match expr {
        sql::Expr::Value(v) => match &v.value {
            sql::Value::Number(text, _) => text
                .parse::<i64>()
                .ok()
                .map(|n| ScalarValue::Int64(Some(n))),
            sql::Value::Boolean(b) => Some(ScalarValue::Boolean(Some(*b))),
            _ => None,
        },
        sql::Expr::UnaryOp {
            op: sql::UnaryOperator::Minus,
            expr,
        } => match literal(expr) {
            Some(ScalarValue::Int64(Some(n))) => Some(ScalarValue::Int64(Some(-n))),
            _ => None,
        },
        sql::Expr::Nested(inner) => literal(inner),
        _ => None,
    }
}

/// ksqlDB's checks of the functions against the source.
fn check_functions(functions: &[AggregateFunction], source: &Source) -> PlanResult<()> {
    if source.value_format.kind == FormatKind::Delimited
        && functions.iter().any(|f| f.structured_state)
    {
        return Err(PlanError::invalid(
            "One of the functions used in the statement has an intermediate type that the value format can not handle. Please remove the function or change the format.",
        ));
    }
    if source.kind == SourceKind::Table {
        let mut stream_only: Vec<&str> = Vec::new();
        for f in functions.iter().filter(|f| !f.supports_undo) {
            if !stream_only.contains(&f.name) {
                stream_only.push(f.name);
            }
        }
        if !stream_only.is_empty() {
            return Err(PlanError::invalid(format!(
                "The aggregation functions {} cannot be applied to a table source, only to a stream source.",
                and_list(&stream_only)
            )));
        }
    }
    Ok(())
}

/// The aggregated row: keys, aggregates, window bounds.
fn aggregated_schema(
    key_types: &[SqlType],
    functions: &[AggregateFunction],
    windowed: bool,
) -> SchemaRef {
    let mut fields: Vec<Field> = key_types
        .iter()
        .enumerate()
        .map(|(i, ty)| Field::new(key_column(i), ty.to_arrow(), true))
        .collect();
    fields.extend(
        functions
            .iter()
            .enumerate()
            .map(|(i, f)| Field::new(aggregate_column(i), f.return_type.to_arrow(), true)),
    );
    if windowed {
        fields.extend(
            WINDOW_BOUNDS
                .iter()
                .map(|b| Field::new(*b, DataType::Int64, false)),
        );
    }
    Arc::new(Schema::new(fields))
}

/// Names the output columns, decides which are keys, and checks ksqlDB's rules on them.
fn output_columns(
    items: Vec<(&sql::Expr, &Option<String>, super::expr::PlannedExpr)>,
    group_by: &[sql::Expr],
    group_texts: &[String],
    qualifier: &str,
    key_rule: KeyRule,
    sink_name: &str,
) -> PlanResult<Vec<AggregateColumn>> {
    let persistent = key_rule != KeyRule::Transient;
    let mut generated = 0;
    let mut keys: Vec<Option<AggregateColumn>> = (0..group_by.len()).map(|_| None).collect();
    let mut values = Vec::new();
    for (expr, alias, planned) in items {
        let name = match alias {
            Some(alias) => {
                if persistent && RESERVED.contains(&alias.as_str()) {
                    return Err(PlanError::invalid(format!(
                        "`{alias}` is a reserved column name. You cannot use it as an alias for a column."
                    )));
                }
                alias.clone()
            }
            None => match derived_name(expr) {
                Some(name) => name,
                None => {
                    generated += 1;
                    format!("KSQL_COL_{}", generated - 1)
                }
            },
        };
        if persistent && alias.is_none() && WINDOW_BOUNDS.contains(&name.as_str()) {
            return Err(PlanError::invalid(format!(
                "Reserved column name in select: `{name}`. Please remove or alias the column."
            )));
        }
        let text = canonical(expr, qualifier);
        let key = group_texts.iter().position(|g| *g == text);
        let column = AggregateColumn {
            name,
            expr: planned.physical,
            ty: planned.sql_type,
            kind: if key.is_some() && persistent {
                ColumnKind::Key
            } else {
                ColumnKind::Value
            },
        };
        match key.filter(|_| persistent) {
            Some(k) => {
                if let Some(first) = &keys[k] {
                    return Err(PlanError::invalid(format!(
                        "The projection contains a key column more than once: `{}` and `{}`.",
                        first.name, column.name
                    )));
                }
                keys[k] = Some(column);
            }
            None => values.push(column),
        }
    }
    if !persistent {
        return Ok(values);
    }
    let missing: Vec<String> = group_by
        .iter()
        .zip(&keys)
        .filter(|(_, k)| k.is_none())
        .map(|(e, _)| ksql_text(e))
        .collect();
    if !missing.is_empty() {
        return Err(PlanError::key_expressions_not_projected(
            sink_name, "grouping", &missing,
        ));
    }
    if values.is_empty() {
        return Err(PlanError::invalid(
            "The projection contains no value columns.",
        ));
    }
    let mut columns: Vec<AggregateColumn> = keys.into_iter().flatten().collect();
    columns.append(&mut values);
    for (i, column) in columns.iter().enumerate() {
        if columns[..i].iter().any(|c| c.name == column.name) {
            return Err(PlanError::invalid(format!(
                "Duplicate value columns found in schema: `{}` {}",
                column.name, column.ty
            )));
        }
    }
    Ok(columns)
}

/// Names a query may not give its output columns.
const RESERVED: [&str; 5] = [ROWTIME, ROWPARTITION, ROWOFFSET, "WINDOWSTART", "WINDOWEND"];

/// The name ksqlDB gives an unaliased item: a column keeps its name, a struct field its
/// field name; anything else is numbered.
fn derived_name(expr: &sql::Expr) -> Option<String> {
    match expr {
        sql::Expr::Identifier(ident) => Some(ident.value.clone()),
        sql::Expr::CompoundIdentifier(parts) => parts.last().map(|p| p.value.clone()),
        sql::Expr::Nested(inner) => derived_name(inner),
        sql::Expr::CompoundFieldAccess { access_chain, .. } => match access_chain.last() {
            Some(sql::AccessExpr::Dot(sql::Expr::Identifier(ident))) => Some(ident.value.clone()),
            _ => None,
        },
        _ => None,
    }
}

/// `A`, `A and B`, `A, B and C`, as ksqlDB lists names.
fn and_list(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests;
