//! CREATE OR REPLACE over an existing stream or table: which changes ksqlDB accepts as an
//! upgrade.
//!
//! An upgrade keeps the source's data, and for a query its id, committed offsets and state:
//! the new query goes on from where the old one stopped. So the new version must read what
//! the old one wrote. ksqlDB's rules, which sluice follows:
//!
//! - the key columns stay exactly as they were;
//! - the value columns keep their names, types and order; new ones may only be added after
//!   them;
//! - a join or a windowed aggregation cannot be upgraded at all;
//! - an aggregation must keep reading the same columns of its input (its state holds
//!   them): the grouping columns, the aggregates' arguments and the columns WHERE reads.

use datafusion::sql::sqlparser::ast::{
    self as sql, FunctionArg, FunctionArgExpr, FunctionArguments, visit_expressions,
};
use std::ops::ControlFlow;

use super::queries::Planned;
use crate::catalog::schema::{Column, ColumnKind, LogicalSchema};
use crate::exec::aggregate::function::is_aggregate;
use crate::plan::PlanError;
use crate::plan::join::SideKind;
use crate::plan::select::ROWTIME;
use crate::sql::ast::{Query, SelectItem};

/// Checks that `new` can replace the schema of source `name`, which is `old`.
pub fn check_schema(name: &str, old: &LogicalSchema, new: &LogicalSchema) -> Result<(), PlanError> {
    let changed = |kind: fn(&ColumnKind) -> bool| -> Vec<Column> {
        let new_columns: Vec<&Column> = new.columns.iter().filter(|c| kind(&c.kind)).collect();
        old.columns
            .iter()
            .filter(|c| kind(&c.kind))
            .enumerate()
            .filter(|(i, c)| new_columns.get(*i) != Some(c))
            .map(|(_, c)| c.clone())
            .collect()
    };
    let keys = changed(|k| matches!(k, ColumnKind::Key));
    let new_keys = new.key_columns().count();
    if !keys.is_empty() || new_keys != old.key_columns().count() {
        let listed = if keys.is_empty() {
            new.key_columns().cloned().collect()
        } else {
            keys
        };
        return Err(incompatible(
            name,
            old,
            new,
            &format!(
                "Key columns must be identical. The following key columns are changed, missing or reordered: [{}]",
                LogicalSchema::new(listed)
            ),
        ));
    }
    let values = changed(|k| !matches!(k, ColumnKind::Key));
    if !values.is_empty() {
        return Err(incompatible(
            name,
            old,
            new,
            &format!(
                "The following columns are changed, missing or reordered: [{}]",
                LogicalSchema::new(values)
            ),
        ));
    }
    Ok(())
}

fn incompatible(name: &str, old: &LogicalSchema, new: &LogicalSchema, reason: &str) -> PlanError {
    PlanError::invalid(format!(
        "Cannot upgrade data source: DataSource '`{name}`' has schema = {old} which is not upgrade compatible with {new}. ({reason})"
    ))
}

/// Checks that the query `new` (planned as `planned`) can take over from `old`.
pub fn check_query(old: &Query, new: &Query, planned: &Planned) -> Result<(), PlanError> {
    if let Planned::Join(join) = planned {
        let kind = |k: SideKind| match k {
            SideKind::Stream => "Stream",
            SideKind::Table => "Table",
        };
        let step = join.steps.last().map_or("Stream".to_string(), |s| {
            format!("{}{}", kind(s.left_kind), kind(s.right_kind))
        });
        return Err(not_yet(&format!("{step}Join")));
    }
    if matches!(
        planned,
        Planned::JoinedAggregate(_) | Planned::JoinedSelect(_)
    ) {
        return Err(not_yet("StreamStreamJoin"));
    }
    if new.window.is_some() || old.window.is_some() {
        return Err(not_yet("StreamWindowedAggregate"));
    }
    if let Planned::Aggregate(_) = planned {
        let (before, after) = (aggregate_input(old), aggregate_input(new));
        if before != after {
            return Err(PlanError::invalid(format!(
                "StreamAggregate must have matching columns not part of aggregate. Values differ: [{}] vs. [{}]",
                quoted(&before),
                quoted(&after)
            )));
        }
    }
    Ok(())
}

fn not_yet(step: &str) -> PlanError {
    PlanError::invalid(format!("Upgrades not yet supported for {step}"))
}

fn quoted(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The input columns an aggregation keeps, as ksqlDB lists them: the grouping columns, the
/// aggregates' arguments (`COUNT(*)` reads ROWTIME), then the columns WHERE reads.
fn aggregate_input(query: &Query) -> Vec<String> {
    let mut columns: Vec<String> = Vec::new();
    for expr in &query.group_by {
        add_columns(expr, &mut columns);
    }
    let aggregated = |expr: &sql::Expr, columns: &mut Vec<String>| {
        let _ = visit_expressions(expr, |e| {
            if let sql::Expr::Function(f) = e
                && is_aggregate(&f.name.to_string())
            {
                add_arguments(f, columns);
            }
            ControlFlow::<()>::Continue(())
        });
    };
    for item in &query.select {
        if let SelectItem::Expr { expr, .. } = item {
            aggregated(expr, &mut columns);
        }
    }
    if let Some(having) = &query.having {
        aggregated(having, &mut columns);
    }
    if let Some(filter) = &query.where_clause {
        add_columns(filter, &mut columns);
    }
    columns
}

/// Adds the columns an aggregate call reads: its arguments', or ROWTIME for `COUNT(*)`.
fn add_arguments(function: &sql::Function, columns: &mut Vec<String>) {
    let FunctionArguments::List(list) = &function.args else {
        add(ROWTIME, columns);
        return;
    };
    if list.args.is_empty() {
        add(ROWTIME, columns);
    }
    for arg in &list.args {
        match arg {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(e))
            | FunctionArg::Named {
                arg: FunctionArgExpr::Expr(e),
                ..
            } => add_columns(e, columns),
            _ => add(ROWTIME, columns),
        }
    }
}

/// Adds the columns `expr` reads, in order, each once.
fn add_columns(expr: &sql::Expr, columns: &mut Vec<String>) {
    let _ = visit_expressions(expr, |e| {
        match e {
            sql::Expr::Identifier(ident) => add(&ident.value.to_uppercase(), columns),
            sql::Expr::CompoundIdentifier(parts) => {
                if let Some(last) = parts.last() {
                    add(&last.value.to_uppercase(), columns);
                }
            }
            _ => {}
        }
        ControlFlow::<()>::Continue(())
    });
}

fn add(name: &str, columns: &mut Vec<String>) {
    if !columns.iter().any(|c| c == name) {
        columns.push(name.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::types::SqlType;

    fn schema(columns: &[(&str, bool)]) -> LogicalSchema {
        LogicalSchema::new(
            columns
                .iter()
                .map(|(name, key)| match key {
                    true => Column::key(*name, SqlType::Int),
                    false => Column::value(*name, SqlType::Int),
                })
                .collect(),
        )
    }

    #[test]
    fn values_may_only_be_added_at_the_end() {
        let old = schema(&[("ID", true), ("COL1", false)]);
        assert!(
            check_schema(
                "B",
                &old,
                &schema(&[("ID", true), ("COL1", false), ("COL2", false)])
            )
            .is_ok()
        );
        let error = check_schema(
            "B",
            &old,
            &schema(&[("ID", true), ("COL0", false), ("COL1", false)]),
        )
        .unwrap_err()
        .to_string();
        assert!(
            error.contains(
                "(The following columns are changed, missing or reordered: [`COL1` INTEGER])"
            ),
            "{error}"
        );
    }

    #[test]
    fn keys_must_stay() {
        let old = schema(&[("ID", true), ("COL1", false)]);
        let error = check_schema("B", &old, &schema(&[("COL1", true), ("ID", false)]))
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("(Key columns must be identical. The following key columns are changed, missing or reordered: [`ID` INTEGER KEY])"),
            "{error}"
        );
    }

    #[test]
    fn aggregate_input_lists_groups_arguments_then_filter_columns() {
        let parse = |text: &str| match crate::sql::parse(text).unwrap().remove(0).statement {
            crate::sql::ast::Statement::CreateAsSelect(c) => c.query,
            other => panic!("{other:?}"),
        };
        let query =
            parse("CREATE TABLE B AS SELECT ID, COUNT(*) FROM A WHERE COL1 > 0 GROUP BY ID;");
        assert_eq!(aggregate_input(&query), ["ID", "ROWTIME", "COL1"]);
        let query =
            parse("CREATE TABLE B AS SELECT ID, COUNT(COL1) FROM A WHERE COL1 > 0 GROUP BY ID;");
        assert_eq!(aggregate_input(&query), ["ID", "COL1"]);
    }
}
