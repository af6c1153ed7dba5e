//! An aggregation over a join (`SELECT … FROM a JOIN b ON … GROUP BY …`): the join is
//! planned as it is for `SELECT *`, with WHERE applied to the joined rows, and the
//! aggregation reads those rows as the rows of one stream whose columns are the joined
//! row's fields (`A_COL`, as ksqlDB names them). References to `A.COL`, or to a `COL` only
//! one source has, are rewritten to those fields before the aggregation is planned, so
//! GROUP BY, the aggregate calls, HAVING and the output names follow the one-source rules.

use super::aggregate::{AggregatePlan, plan_aggregate_over};
use super::error::PlanResult;
use super::expr::ExprPlanner;
use super::join::{JoinPlan, plan_join};
use super::joined_rows::{JOINED, joined_relation, joined_rows, to_joined_fields};
use super::select::KeyRule;
use crate::catalog::Catalog;
use crate::exec::aggregate::function::AggregateConfig;
use crate::sql::ast::{Query, SelectItem};

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
    let mut aggregation = Query {
        from: joined_relation(query.pos),
        where_clause: None,
        ..query.clone()
    };
    let selected = aggregation.select.iter_mut().filter_map(|item| match item {
        SelectItem::Expr { expr, .. } | SelectItem::StructWildcard(expr) => Some(expr),
        SelectItem::Wildcard | SelectItem::QualifiedWildcard(_) => None,
    });
    let grouping = aggregation.group_by.iter_mut();
    to_joined_fields(
        &join,
        selected.chain(grouping).chain(&mut aggregation.having),
    );
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
