//! An aggregation over a join (`SELECT … FROM a JOIN b ON … GROUP BY …`): the join is
//! planned as it is for `SELECT *`, with WHERE applied to the joined rows, and the
//! aggregation reads those rows as the rows of one stream whose columns are the joined
//! row's fields (`A_COL`, as ksqlDB names them). References to `A.COL`, or to a `COL` only
//! one source has, are rewritten to those fields before the aggregation is planned, so
//! GROUP BY, the aggregate calls, HAVING and the output names follow the one-source rules.

use std::ops::ControlFlow;

use datafusion::sql::sqlparser::ast::{self as sql, VisitMut, VisitorMut};

use super::aggregate::{AggregatePlan, plan_aggregate_over};
use super::error::{PlanError, PlanResult};
use super::expr::{ExprPlanner, JoinedNames};
use super::join::{JOIN_KEY, JOINED_KEY_INDEX, JoinPlan, column_of, joined_names, plan_join};
use super::select::KeyRule;
use crate::catalog::schema::{Column, LogicalSchema};
use crate::catalog::types::SqlType;
use crate::catalog::{Catalog, Source};
use crate::exec::aggregate::function::AggregateConfig;
use crate::plan::select::{ROWOFFSET, ROWPARTITION, ROWTIME};
use crate::sql::ast::{Query, Relation, SelectItem};

/// The name the aggregation gives the joined rows' stream.
const JOINED: &str = "$JOINED";

/// A join, and the aggregation of its rows.
pub struct JoinedAggregatePlan {
    pub join: JoinPlan,
    pub aggregate: AggregatePlan,
}

/// Plans `query`, whose FROM is a join, as a join feeding an aggregation.
pub fn plan_joined_aggregate(
    query: &Query,
    catalog: &Catalog,
    planner: &ExprPlanner,
    key_rule: KeyRule,
    sink_name: &str,
    config: &AggregateConfig,
) -> PlanResult<JoinedAggregatePlan> {
    let rows = Query {
        select: vec![SelectItem::Wildcard],
        window: None,
        group_by: Vec::new(),
        partition_by: Vec::new(),
        having: None,
        limit: None,
        ..query.clone()
    };
    let join = plan_join(&rows, catalog, planner, KeyRule::Transient, sink_name)?;
    let names = joined_names(&join.inputs);
    let mut rewrite = JoinedColumns {
        names: &names,
        aliases: join.inputs.iter().map(|i| i.alias.clone()).collect(),
    };
    let mut aggregation = Query {
        from: Relation::Source {
            name: JOINED.to_string(),
            alias: None,
            pos: query.pos,
        },
        where_clause: None,
        ..query.clone()
    };
    for item in &mut aggregation.select {
        match item {
            SelectItem::Expr { expr, .. } | SelectItem::StructWildcard(expr) => {
                let _ = expr.visit(&mut rewrite);
            }
            SelectItem::Wildcard | SelectItem::QualifiedWildcard(_) => {}
        }
    }
    for expr in aggregation
        .group_by
        .iter_mut()
        .chain(&mut aggregation.having)
    {
        let _ = expr.visit(&mut rewrite);
    }
    let source = joined_rows(&join)?;
    let aggregate = plan_aggregate_over(
        &aggregation,
        source,
        JOINED,
        planner,
        key_rule,
        sink_name,
        config,
    )?;
    Ok(JoinedAggregatePlan { join, aggregate })
}

/// The joined rows as a source: the join key, then every field of the joined row, in the
/// order (and so with the layout) the join's last step produces them. A join of tables
/// gives a table keyed as the join's result is (by the join key, or by the left table's
/// primary key after a foreign-key join), whose changes the aggregation takes back out of
/// their groups as it does a table's.
fn joined_rows(join: &JoinPlan) -> PlanResult<Source> {
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
