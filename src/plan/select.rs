//! SELECT analysis for stateless queries: source resolution, projection, WHERE and
//! PARTITION BY, following ksqlDB's rules for which output columns form the key.

use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::physical_expr::PhysicalExpr;
use datafusion::sql::sqlparser::ast as sql;

use super::error::{PlanError, PlanResult};
use super::expr::{ExprPlanner, RowScope};
use super::expr_text::ksql_text;
use super::table_function::{TableFunctionPlan, plan_table_functions};
use crate::catalog::schema::{Column, ColumnKind, LogicalSchema};
use crate::catalog::types::SqlType;
use crate::catalog::{Catalog, Source};
use crate::sql::ast::{Emit, Query, Relation, SelectItem, SourceKind};

/// ROWTIME: the record's timestamp (or the TIMESTAMP column's), milliseconds.
pub const ROWTIME: &str = "ROWTIME";
/// ROWPARTITION: the partition the record was read from.
pub const ROWPARTITION: &str = "ROWPARTITION";
/// ROWOFFSET: the record's offset in its partition.
pub const ROWOFFSET: &str = "ROWOFFSET";
/// WINDOWSTART and WINDOWEND: a windowed row's window bounds, milliseconds.
pub const WINDOWSTART: &str = "WINDOWSTART";
pub const WINDOWEND: &str = "WINDOWEND";

/// Hidden input column: true when the record's value was null. Such a record still flows
/// through a stream query (its value columns read as null) and is written with a null
/// value, as ksqlDB does. `$` cannot start a ksqlDB identifier, so users never see it.
pub const TOMBSTONE: &str = "$TOMBSTONE";

/// Names a query may not give its output columns.
const RESERVED_COLUMNS: [&str; 5] = [ROWTIME, ROWPARTITION, ROWOFFSET, "WINDOWSTART", "WINDOWEND"];
/// Pseudo columns that must be aliased when selected.
const PSEUDO_COLUMNS: [&str; 5] = [ROWTIME, ROWPARTITION, ROWOFFSET, "WINDOWSTART", "WINDOWEND"];

/// A planned stateless query: read one source, filter, project, maybe re-key.
pub struct SelectPlan {
    pub source: Source,
    /// The schema of decoded input batches: pseudo columns, then the source's columns.
    pub input_schema: SchemaRef,
    pub filter: Option<Arc<dyn PhysicalExpr>>,
    /// The table functions (EXPLODE …) run between WHERE and the projection, if any.
    pub table_functions: Option<TableFunctionPlan>,
    /// Output columns in SELECT order, over the rows the table functions produce.
    pub columns: Vec<OutputColumn>,
    pub limit: Option<u64>,
    pub emit: Option<Emit>,
}

/// One computed output column.
pub struct OutputColumn {
    pub name: String,
    pub expr: Arc<dyn PhysicalExpr>,
    pub ty: SqlType,
    pub kind: ColumnKind,
    /// What of the record key this output column copies, if it is a bare reference to
    /// it: the index of a key column, or for a windowed source past them, WINDOWSTART then
    /// WINDOWEND. Such a column keeps its value for a null-value record, and a pull query
    /// shows it as a key.
    pub source_key: Option<usize>,
}

impl SelectPlan {
    /// The schema of the rows this query produces, keys first as ksqlDB orders them.
    pub fn output_schema(&self) -> LogicalSchema {
        output_schema(&self.columns)
    }
}

/// The schema of rows with these output columns, keys first as ksqlDB orders them.
pub fn output_schema(columns: &[OutputColumn]) -> LogicalSchema {
    let keys = columns.iter().filter(|c| c.kind == ColumnKind::Key);
    let values = columns.iter().filter(|c| c.kind != ColumnKind::Key);
    LogicalSchema::new(
        keys.chain(values)
            .map(|c| Column {
                name: c.name.clone(),
                ty: c.ty.clone(),
                kind: c.kind.clone(),
            })
            .collect(),
    )
}

/// How the projection must treat the source key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyRule {
    /// A transient query: any projection goes.
    Transient,
    /// A persistent query under ksqlDB's default planner: the key must be projected.
    MustProjectKey,
    /// A persistent query under the new planner: an unprojected key is dropped.
    KeyOptional,
}

/// The schema of decoded rows of `source`, as every query over it sees them.
pub fn input_schema(source: &Source) -> SchemaRef {
    let mut fields = vec![
        Field::new(ROWTIME, DataType::Int64, false),
        Field::new(ROWPARTITION, DataType::Int32, false),
        Field::new(ROWOFFSET, DataType::Int64, false),
    ];
    fields.extend(
        source
            .schema
            .columns
            .iter()
            .map(|c| Field::new(&c.name, c.ty.to_arrow(), true)),
    );
    fields.push(Field::new(TOMBSTONE, DataType::Boolean, false));
    // A windowed source's rows also carry their window's bounds, read from the key.
    if source.window.is_some() {
        fields.push(Field::new(WINDOWSTART, DataType::Int64, false));
        fields.push(Field::new(WINDOWEND, DataType::Int64, false));
    }
    Arc::new(Schema::new(fields))
}

/// Plans a stateless SELECT over one stream.
pub fn plan_select(
    query: &Query,
    catalog: &Catalog,
    planner: &ExprPlanner,
    key_rule: KeyRule,
    sink_name: &str,
) -> PlanResult<SelectPlan> {
    let (source_name, alias) = match &query.from {
        Relation::Source { name, alias, .. } => (name, alias),
        Relation::Join(_) => {
            return Err(PlanError::Unsupported("Joins are not supported yet".into()));
        }
    };
    let source = catalog
        .source(source_name)
        .ok_or_else(|| PlanError::UnknownSource {
            name: source_name.clone(),
        })?
        .clone();
    plan_select_over(
        query,
        source,
        alias.as_deref().unwrap_or(source_name),
        planner,
        key_rule,
        sink_name,
    )
}

/// Plans a stateless SELECT over `source`, known in the query as `qualifier`.
pub(super) fn plan_select_over(
    query: &Query,
    source: Source,
    qualifier: &str,
    planner: &ExprPlanner,
    key_rule: KeyRule,
    sink_name: &str,
) -> PlanResult<SelectPlan> {
    if query.window.is_some() || !query.group_by.is_empty() || query.having.is_some() {
        return Err(PlanError::Unsupported(
            "Aggregations and windows are not supported yet".into(),
        ));
    }
    let schema = input_schema(&source);
    let scope = RowScope {
        schema: &schema,
        qualifier,
    };

    let filter = match &query.where_clause {
        Some(predicate) => {
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

    let partition_by: Vec<&sql::Expr> = query
        .partition_by
        .iter()
        .filter(|e| !matches!(e, sql::Expr::Value(v) if matches!(v.value, sql::Value::Null)))
        .collect();
    let repartitioned = !query.partition_by.is_empty() && key_rule != KeyRule::Transient;
    let has_wildcard = query
        .select
        .iter()
        .any(|i| matches!(i, SelectItem::Wildcard | SelectItem::QualifiedWildcard(_)));
    let mut items = expand_wildcards(
        &query.select,
        &source,
        &scope,
        planner,
        repartitioned,
        key_rule,
    )?;
    // ksqlDB: with PARTITION BY and `*`, the partitioning expressions become the key
    // columns; the old key columns are values (at the end, after the value columns).
    if repartitioned && has_wildcard {
        let mut keys: Vec<(sql::Expr, Option<String>)> = Vec::new();
        for pb in &partition_by {
            if !items.iter().any(|(e, _)| same_expr(e, pb)) {
                keys.push(((*pb).clone(), None));
            }
        }
        keys.append(&mut items);
        items = keys;
    }

    // Table function calls become columns of the rows the projection reads.
    let mut exprs: Vec<sql::Expr> = items.iter().map(|(e, _)| e.clone()).collect();
    let is_table = source.kind == SourceKind::Table;
    let table_functions = plan_table_functions(&mut exprs, &scope, planner, is_table)?;
    let projected_schema = table_functions
        .as_ref()
        .map_or_else(|| schema.clone(), |t| t.schema.clone());
    let projected = RowScope {
        schema: &projected_schema,
        qualifier: scope.qualifier,
    };

    let mut columns = Vec::with_capacity(items.len());
    // ksqlDB numbers generated names past those the source or the aliases already use.
    let taken: Vec<String> = source
        .schema
        .columns
        .iter()
        .map(|c| c.name.clone())
        .chain(items.iter().filter_map(|(_, alias)| alias.clone()))
        .collect();
    let mut generated = 0;
    for ((expr, alias), projected_expr) in items.iter().zip(&exprs) {
        let planned = planner.plan(projected_expr, &projected, "SELECT")?;
        let name = match alias {
            Some(alias) => {
                if RESERVED_COLUMNS.contains(&alias.as_str()) && key_rule != KeyRule::Transient {
                    return Err(PlanError::invalid(format!(
                        "`{alias}` is a reserved column name. You cannot use it as an alias for a column."
                    )));
                }
                alias.clone()
            }
            None => match derived_name(expr) {
                Some(name) => name,
                None => loop {
                    let name = format!("KSQL_COL_{generated}");
                    generated += 1;
                    if !taken.contains(&name) {
                        break name;
                    }
                },
            },
        };
        let is_key = if repartitioned {
            partition_by.iter().any(|pb| same_expr(pb, expr))
        } else {
            key_rule != KeyRule::Transient && key_reference(expr, &source).is_some()
        };
        if alias.is_none()
            && !is_key
            && key_rule != KeyRule::Transient
            && PSEUDO_COLUMNS.contains(&name.as_str())
        {
            return Err(PlanError::invalid(format!(
                "Reserved column name in select: `{name}`. Please remove or alias the column."
            )));
        }
        columns.push(OutputColumn {
            name,
            expr: planned.physical,
            ty: planned.sql_type,
            kind: if is_key {
                ColumnKind::Key
            } else {
                ColumnKind::Value
            },
            source_key: key_part(expr, &source),
        });
    }
    check_duplicate_names(&columns)?;

    if key_rule == KeyRule::MustProjectKey {
        if repartitioned {
            let missing: Vec<String> = partition_by
                .iter()
                .filter(|pb| !items.iter().any(|(e, _)| same_expr(e, pb)))
                .map(|pb| ksql_text(pb))
                .collect();
            if !missing.is_empty() {
                return Err(PlanError::key_expressions_not_projected(
                    sink_name,
                    "partitioning",
                    &missing,
                ));
            }
        } else {
            let keys: Vec<&str> = source
                .schema
                .key_columns()
                .map(|k| k.name.as_str())
                .collect();
            let missing = keys.iter().any(|key| {
                !items
                    .iter()
                    .any(|(e, _)| key_reference(e, &source).map(String::as_str) == Some(*key))
            });
            // ksqlDB names every key column once one is missing.
            match (missing, keys.as_slice()) {
                (false, _) | (true, []) => {}
                (true, [key]) => {
                    return Err(PlanError::invalid(format!(
                        "The query used to build `{sink_name}` must include the key column {key} in its projection (eg, SELECT {key}...)"
                    )));
                }
                (true, [init @ .., last]) => {
                    return Err(PlanError::invalid(format!(
                        "The query used to build `{sink_name}` must include the key columns {} and {last} in its projection (eg, SELECT {}...).",
                        init.join(", "),
                        keys.join(", ")
                    )));
                }
            }
            // The default planner keeps the source's key column order.
            let mut keys: Vec<OutputColumn> = Vec::new();
            let mut rest = Vec::new();
            for column in columns.drain(..) {
                if column.kind == ColumnKind::Key {
                    keys.push(column);
                } else {
                    rest.push(column);
                }
            }
            keys.sort_by_key(|c| c.source_key.unwrap_or(usize::MAX));
            keys.append(&mut rest);
            columns = keys;
        }
    }

    Ok(SelectPlan {
        source,
        input_schema: schema,
        filter,
        table_functions,
        columns,
        limit: query.limit,
        emit: query.emit,
    })
}

/// Replaces `*` and `src.*` by the source's key and value columns, and `s->*` by a
/// dereference of each of the struct's fields.
fn expand_wildcards(
    items: &[SelectItem],
    source: &Source,
    scope: &RowScope<'_>,
    planner: &ExprPlanner,
    repartitioned: bool,
    key_rule: KeyRule,
) -> PlanResult<Vec<(sql::Expr, Option<String>)>> {
    let qualifier = scope.qualifier;
    let mut out = Vec::new();
    for item in items {
        match item {
            SelectItem::Expr { expr, alias } => out.push((expr.clone(), alias.clone())),
            SelectItem::Wildcard => out.extend(all_columns(source, repartitioned, key_rule)),
            SelectItem::QualifiedWildcard(name) if name == qualifier => {
                out.extend(all_columns(source, repartitioned, key_rule))
            }
            SelectItem::QualifiedWildcard(name) => {
                return Err(PlanError::invalid(format!(
                    "'{name}' is not a valid stream/table name or alias."
                )));
            }
            SelectItem::StructWildcard(expr) => {
                let SqlType::Struct(fields) = planner.plan(expr, scope, "SELECT")?.sql_type else {
                    return Err(PlanError::invalid(format!(
                        "Expected {expr} to be a STRUCT in {expr}->*"
                    )));
                };
                out.extend(fields.into_iter().map(|field| {
                    let access = sql::Expr::CompoundFieldAccess {
                        root: Box::new(expr.clone()),
                        access_chain: vec![sql::AccessExpr::Dot(sql::Expr::Identifier(
                            sql::Ident::with_quote('`', field.name),
                        ))],
                    };
                    (access, None)
                }));
            }
        }
    }
    Ok(out)
}

/// The columns `*` stands for: keys then values, or values then the old keys when the
/// query re-keys the stream. A transient query over a windowed source also shows the
/// window's bounds, after the keys, as ksqlDB does.
fn all_columns(
    source: &Source,
    repartitioned: bool,
    key_rule: KeyRule,
) -> Vec<(sql::Expr, Option<String>)> {
    let keys = source.schema.key_columns().map(|c| c.name.as_str());
    // Header columns come after the value columns, as ksqlDB's `*` orders them.
    let values = source
        .schema
        .value_columns()
        .chain(source.schema.header_columns())
        .map(|c| c.name.as_str());
    let bounds = (key_rule == KeyRule::Transient && source.window.is_some())
        .then_some([WINDOWSTART, WINDOWEND])
        .into_iter()
        .flatten();
    let ordered: Vec<&str> = if repartitioned {
        values.chain(keys).collect()
    } else {
        keys.chain(bounds).chain(values).collect()
    };
    ordered
        .into_iter()
        .map(|name| {
            (
                sql::Expr::Identifier(sql::Ident::with_quote('`', name)),
                None,
            )
        })
        .collect()
}

/// The name ksqlDB gives an unaliased select item: a column keeps its name, a struct
/// field its field name; anything else is numbered `KSQL_COL_n`.
pub(crate) fn derived_name(expr: &sql::Expr) -> Option<String> {
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

/// The key column an expression is a bare reference to, if any.
fn key_reference<'a>(expr: &sql::Expr, source: &'a Source) -> Option<&'a String> {
    let name = match expr {
        sql::Expr::Identifier(ident) => &ident.value,
        sql::Expr::CompoundIdentifier(parts) if parts.len() == 2 => &parts[1].value,
        _ => return None,
    };
    source
        .schema
        .key_columns()
        .map(|c| &c.name)
        .find(|k| *k == name)
}

/// The part of the record key an expression is a bare reference to: a key column's index,
/// or past them a windowed source's WINDOWSTART and WINDOWEND.
fn key_part(expr: &sql::Expr, source: &Source) -> Option<usize> {
    let keys = source.schema.key_columns().count();
    if let Some(key) = key_reference(expr, source) {
        return source.schema.key_columns().position(|c| &c.name == key);
    }
    let name = match expr {
        sql::Expr::Identifier(ident) => &ident.value,
        sql::Expr::CompoundIdentifier(parts) if parts.len() == 2 => &parts[1].value,
        _ => return None,
    };
    match name.as_str() {
        WINDOWSTART if source.window.is_some() => Some(keys),
        WINDOWEND if source.window.is_some() => Some(keys + 1),
        _ => None,
    }
}

/// True when two expressions are the same up to `src.` qualifiers and parentheses.
fn same_expr(a: &sql::Expr, b: &sql::Expr) -> bool {
    strip_qualifier(a) == strip_qualifier(b)
}

/// An expression with `src.col` references reduced to `col`, for comparing expressions
/// written with and without qualifiers.
fn strip_qualifier(expr: &sql::Expr) -> String {
    match expr {
        sql::Expr::Nested(inner) => strip_qualifier(inner),
        sql::Expr::CompoundIdentifier(parts) if parts.len() == 2 => parts[1].value.clone(),
        sql::Expr::Identifier(ident) => ident.value.clone(),
        other => other.to_string(),
    }
}

fn check_duplicate_names(columns: &[OutputColumn]) -> PlanResult<()> {
    for (i, column) in columns.iter().enumerate() {
        if columns[..i].iter().any(|c| c.name == column.name) {
            return Err(PlanError::invalid(format!(
                "Duplicate value columns found in schema: `{}` {}",
                column.name, column.ty
            )));
        }
    }
    Ok(())
}
