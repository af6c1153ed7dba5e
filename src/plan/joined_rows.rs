//! A join's rows presented as the rows of one source, for the clauses planned after the
//! join as over a single stream or table: an aggregation of the joined rows
//! (`joined_aggregate`), or their re-keying by PARTITION BY (`joined_select`). The source's
//! columns are the joined row's fields (`A_COL`, as ksqlDB names them);
//! `to_joined_fields` rewrites references to `A.COL`, or to a `COL` only one source has,
//! to those fields.

use std::ops::ControlFlow;

use datafusion::sql::sqlparser::ast::{self as sql, VisitMut, VisitorMut};

use super::error::{PlanError, PlanResult};
use super::expr::JoinedNames;
use super::join::{JOIN_KEY, JOINED_KEY_INDEX, JoinPlan, column_of, joined_names};
use crate::catalog::Source;
use crate::catalog::schema::{Column, LogicalSchema};
use crate::catalog::types::SqlType;
use crate::plan::select::{ROWOFFSET, ROWPARTITION, ROWTIME};
use crate::sql::ast::Relation;

/// The name of the joined rows' source.
pub const JOINED: &str = "$JOINED";

/// The FROM of a query over the joined rows.
pub fn joined_relation(pos: crate::sql::ast::Pos) -> Relation {
    Relation::Source {
        name: JOINED.to_string(),
        alias: None,
        pos,
    }
}

/// Rewrites, in place, every reference to a joined source's column in `exprs` to the
/// joined row's field. Pseudo columns stay: they are the joined row's own.
pub fn to_joined_fields<'e>(join: &JoinPlan, exprs: impl IntoIterator<Item = &'e mut sql::Expr>) {
    let names = joined_names(&join.inputs);
    let mut rewrite = JoinedColumns {
        names: &names,
        aliases: join.inputs.iter().map(|i| i.alias.clone()).collect(),
    };
    for expr in exprs {
        let _ = expr.visit(&mut rewrite);
    }
}

/// The column `expr` names, when it is a bare reference to a joined source's column (as
/// the join's projection names it).
pub fn referenced_column(join: &JoinPlan, expr: &sql::Expr) -> Option<String> {
    column_of(expr, &joined_names(&join.inputs)).map(|(_, column)| column)
}

/// The joined rows as a source: the join key, then every field of the joined row, in the
/// order (and so with the layout) the join's last step produces them. A join of tables
/// gives a table keyed as the join's result is (by the join key, or by the left table's
/// primary key after a foreign-key join), whose changes the aggregation takes back out of
/// their groups as it does a table's.
pub fn joined_rows(join: &JoinPlan) -> PlanResult<Source> {
    let fields = join.joined_schema.fields();
    // ROWTIME, ROWPARTITION, ROWOFFSET, the join key, the data fields, TOMBSTONE.
    let keys = join.key_columns();
    let mut columns = Vec::with_capacity(fields.len() - JOINED_KEY_INDEX - 1);
    for (index, field) in fields
        .iter()
        .enumerate()
        .take(fields.len() - 1)
        .skip(JOINED_KEY_INDEX)
    {
        let sql_type = SqlType::from_arrow(field.data_type()).ok_or_else(|| {
            PlanError::Internal(format!("joined field {} has no SQL type", field.name()))
        })?;
        let name = if index == JOINED_KEY_INDEX {
            JOIN_KEY
        } else {
            field.name()
        };
        columns.push(match keys.contains(&index) {
            true => Column::key(name, sql_type),
            false => Column::value(name, sql_type),
        });
    }
    let first = join.source();
    Ok(Source {
        name: JOINED.to_string(),
        kind: join.kind,
        schema: LogicalSchema::new(columns),
        topic: first.topic.clone(),
        partitions: first.partitions,
        key_format: first.key_format.clone(),
        value_format: first.value_format.clone(),
        timestamp: None,
        is_source: false,
        statement: String::new(),
        writers: Vec::new(),
        window: None,
    })
}

/// Rewrites references to a joined source's column to the joined row's field.
struct JoinedColumns<'a> {
    names: &'a JoinedNames,
    aliases: Vec<String>,
}

impl VisitorMut for JoinedColumns<'_> {
    type Break = ();

    fn pre_visit_expr(&mut self, expr: &mut sql::Expr) -> ControlFlow<()> {
        if let Some((source, column)) = column_of(expr, self.names)
            && ![ROWTIME, ROWPARTITION, ROWOFFSET].contains(&column.as_str())
        {
            let field = JoinedNames::field(&self.aliases[source], &column);
            *expr = sql::Expr::Identifier(sql::Ident::with_quote('`', field));
        }
        ControlFlow::Continue(())
    }
}
