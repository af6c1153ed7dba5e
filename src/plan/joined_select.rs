//! A join re-keyed by PARTITION BY (`SELECT … FROM a JOIN b ON … PARTITION BY …`): as
//! ksqlDB orders it, PARTITION BY applies to the joined rows after WHERE, before the
//! projection. The join is planned as for `SELECT *` (WHERE over the joined rows), then the
//! projection and its new key over the joined rows as over one stream (`joined_rows`), with
//! the one-source rules for PARTITION BY. A selected column keeps the name the join's own
//! projection gives it (`A.COL` is `COL`, a column of `*` is `A_COL`).

use datafusion::sql::sqlparser::ast as sql;

use super::error::{PlanError, PlanResult};
use super::expr::{ExprPlanner, JoinedNames};
use super::join::{JoinInput, JoinPlan, plan_join};
use super::joined_rows::{
    JOINED, joined_relation, joined_rows, referenced_column, to_joined_fields,
};
use super::select::{KeyRule, ROWOFFSET, ROWPARTITION, ROWTIME, SelectPlan, plan_select_over};
use crate::catalog::Catalog;
use crate::sql::ast::{JoinKind, Query, SelectItem, SourceKind};

/// A join, and the projection of its rows under their new key.
pub struct JoinedSelectPlan {
    pub join: JoinPlan,
    pub select: SelectPlan,
}

/// Plans `query`, whose FROM is a join and which has PARTITION BY.
pub fn plan_joined_select(
    query: &Query,
    catalog: &Catalog,
    planner: &ExprPlanner,
    key_rule: KeyRule,
    sink_name: &str,
) -> PlanResult<JoinedSelectPlan> {
    let rows = Query {
        select: vec![SelectItem::Wildcard],
        partition_by: Vec::new(),
        limit: None,
        ..query.clone()
    };
    let join = plan_join(&rows, catalog, planner, KeyRule::Transient, sink_name)?;
    if join.kind == SourceKind::Table {
        return Err(PlanError::invalid(
            "PARTITION BY applies to streams: a join of tables is a table, keyed by its join.",
        ));
    }
    if join.source().window.is_some() {
        return Err(PlanError::invalid(
            "PARTITION BY cannot re-key the windowed rows of a join of windowed sources.",
        ));
    }
    let mut projection = Query {
        from: joined_relation(query.pos),
        where_clause: None,
        select: Vec::with_capacity(query.select.len()),
        ..query.clone()
    };
    for item in &query.select {
        match item.clone() {
            SelectItem::Expr { mut expr, alias } => {
                let alias = alias.or_else(|| {
                    referenced_column(&join, &expr)
                        .filter(|c| ![ROWTIME, ROWPARTITION, ROWOFFSET].contains(&c.as_str()))
                });
                to_joined_fields(&join, [&mut expr]);
                projection.select.push(SelectItem::Expr { expr, alias });
            }
            SelectItem::StructWildcard(mut expr) => {
                to_joined_fields(&join, [&mut expr]);
                projection.select.push(SelectItem::StructWildcard(expr));
            }
            SelectItem::Wildcard => {
                for input in &join.inputs {
                    projection.select.extend(all_fields(&join, input)?);
                }
            }
            SelectItem::QualifiedWildcard(name) => {
                let input = join
                    .inputs
                    .iter()
                    .find(|i| i.alias == name)
                    .ok_or_else(|| {
                        PlanError::invalid(format!(
                            "'{name}' is not a valid stream/table name or alias."
                        ))
                    })?;
                projection.select.extend(all_fields(&join, input)?);
            }
        }
    }
    to_joined_fields(&join, projection.partition_by.iter_mut());
    let select = plan_select_over(
        &projection,
        joined_rows(&join)?,
        JOINED,
        planner,
        key_rule,
        sink_name,
    )?;
    Ok(JoinedSelectPlan { join, select })
}

/// `*` or `A.*` over the joined rows: each column of `input` (keys, values, then headers,
/// as the join's `*` orders them), named `A_COLUMN` as the join names it. A FULL join's
/// synthetic key has no source: such a join names its columns.
fn all_fields(join: &JoinPlan, input: &JoinInput) -> PlanResult<Vec<SelectItem>> {
    if join.steps.iter().any(|s| s.join_type == JoinKind::Full) {
        return Err(PlanError::Unsupported(
            "SELECT * with PARTITION BY over a FULL join is not supported yet: name the columns"
                .into(),
        ));
    }
    let schema = &input.source.schema;
    let columns = schema
        .key_columns()
        .chain(schema.value_columns())
        .chain(schema.header_columns());
    Ok(columns
        .map(|c| {
            let field = JoinedNames::field(&input.alias, &c.name);
            SelectItem::Expr {
                expr: sql::Expr::Identifier(sql::Ident::with_quote('`', field.clone())),
                alias: Some(field),
            }
        })
        .collect())
}
