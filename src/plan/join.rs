//! Joins: which sources a query joins and on what, the rows a join produces, and which of
//! the query's columns become the result's key, following ksqlDB's rules and messages.
//!
//! `FROM a JOIN b ON … JOIN c ON …` is a left-deep chain: each step joins what the steps
//! before it produced with one more source. A step's output row holds ROWTIME,
//! ROWPARTITION and ROWOFFSET of the record that triggered it, the join key, every column
//! of every source joined so far named `ALIAS_COLUMN` (as ksqlDB names them), and a
//! tombstone flag for table joins. WHERE and SELECT are then planned over the last step's
//! row, like a single source's.

use std::collections::BTreeSet;
use std::ops::ControlFlow;
use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::physical_expr::PhysicalExpr;
use datafusion::physical_expr::expressions::col;
use datafusion::sql::sqlparser::ast::{self as sql, Visit, VisitMut, Visitor, VisitorMut};

use super::error::{PlanError, PlanResult};
use super::expr::{ExprPlanner, JoinedNames, RowScope};
use super::expr_text::ksql_text;
use super::select::{
    KeyRule, OutputColumn, ROWOFFSET, ROWPARTITION, ROWTIME, TOMBSTONE, WINDOWEND, WINDOWSTART,
    input_schema,
};
use super::serde::check_key_columns;
use crate::catalog::schema::{Column, ColumnKind, LogicalSchema};
use crate::catalog::types::SqlType;
use crate::catalog::{Catalog, Source, WindowKind};
use crate::format::{FormatKind, SerdeSpec};
use crate::sql::ast::{Emit, Join, JoinKind, JoinWindow, Query, Relation, SelectItem, SourceKind};

/// The join key's field in a joined row. `$` cannot start a ksqlDB identifier.
pub const JOIN_KEY: &str = "$JOINKEY";

/// Where the join key and the first source column sit in a joined row (after ROWTIME,
/// ROWPARTITION and ROWOFFSET).
pub(super) const JOINED_KEY_INDEX: usize = 3;
const JOINED_DATA_START: usize = 4;

/// Kafka Streams' grace period for join windows declared without one.
const DEFAULT_GRACE_MS: i64 = 24 * 60 * 60 * 1000;

/// Pseudo columns a projection may not use unaliased.
const PSEUDO_COLUMNS: [&str; 5] = [ROWTIME, ROWPARTITION, ROWOFFSET, "WINDOWSTART", "WINDOWEND"];

/// A planned join query: sources, join steps, then WHERE and the projection.
pub struct JoinPlan {
    /// The joined sources in FROM order; input `i` of the join is source `i`.
    pub inputs: Vec<JoinInput>,
    pub steps: Vec<JoinStep>,
    /// Stream when any source is a stream, else table.
    pub kind: SourceKind,
    /// The row the last step produces.
    pub joined_schema: SchemaRef,
    pub filter: Option<Arc<dyn PhysicalExpr>>,
    pub columns: Vec<OutputColumn>,
    pub limit: Option<u64>,
    pub emit: Option<Emit>,
}

/// One joined source.
pub struct JoinInput {
    pub source: Source,
    pub alias: String,
    /// The schema of its decoded batches (`select::input_schema`).
    pub input_schema: SchemaRef,
    /// What the join matches this source's rows on, when the source is a stream whose
    /// records the join could read through a repartition topic (`plan::repartition`).
    pub join_key: Option<SideJoinKey>,
}

/// A stream side's join expression, over the side's own rows.
pub struct SideJoinKey {
    pub expr: Arc<dyn PhysicalExpr>,
    pub sql_type: SqlType,
    /// The expression is the source's one key column: its records are keyed by it already.
    pub is_source_key: bool,
    /// The key format of the step's join key: that of the side already keyed by its join
    /// expression (the left one when both are), as ksqlDB picks it; `None` when neither
    /// side is, and the join's key takes the result's key format.
    pub step_key_format: Option<SerdeSpec>,
    /// The repartition topic's name after the query's prefix, as ksqlDB names it: the
    /// step's node (`Join`, `L_Join` for the step below it, …) and the side.
    pub repartition_name: String,
}

/// Whether a join side is a stream or a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SideKind {
    Stream,
    Table,
}

/// One step of the chain: the rows so far (left) joined with one more source (right).
pub struct JoinStep {
    pub join_type: JoinKind,
    pub left_kind: SideKind,
    pub right_kind: SideKind,
    /// Stream–stream joins only.
    pub window: Option<JoinWindowSpec>,
    /// The join key of a left row, over the left input's schema.
    pub left_key: Arc<dyn PhysicalExpr>,
    /// The join key of a right row, over the right source's input schema.
    pub right_key: Arc<dyn PhysicalExpr>,
    /// The left input's columns carried into the output, in output order.
    pub left_columns: Vec<usize>,
    /// The right source's columns carried into the output, in output order.
    pub right_columns: Vec<usize>,
    /// A foreign-key table–table join: the left key expression is a value of the left
    /// table, matched against the right table's primary key. Holds the positions, among
    /// the left columns, of the left table's primary key, which keys the result.
    pub foreign_key: Option<Vec<usize>>,
    /// Both sides are windowed sources joined on their keys: rows match only within the
    /// same window. Where the left rows carry their window's bounds: WINDOWSTART and
    /// WINDOWEND of the first source, or, after a step, each joined source's in FROM order
    /// (the first that is not null, as an outer join may lack a side). The right rows
    /// carry theirs as WINDOWSTART and WINDOWEND.
    pub windowed: Option<Vec<(String, String)>>,
    /// The rows of the steps before, a stream, when this step joins them on another
    /// expression than their key: they reach it through a repartition topic
    /// (`plan::repartition`). Never set on the first step, whose left is a source.
    pub left_repartition: Option<SideJoinKey>,
    pub output_schema: SchemaRef,
}

/// A stream–stream join's window, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JoinWindowSpec {
    /// How far a right record may precede a left one.
    pub before_ms: i64,
    /// How far a right record may follow a left one.
    pub after_ms: i64,
    pub grace_ms: i64,
    /// Declared with GRACE PERIOD: unmatched outer records wait for their window to close
    /// before they are emitted with nulls (Kafka Streams' spurious-result fix); without
    /// it they are emitted at once, as before that fix.
    pub delays_unmatched: bool,
}

impl JoinPlan {
    /// The schema of the rows this query produces, keys first.
    pub fn output_schema(&self) -> LogicalSchema {
        super::select::output_schema(&self.columns)
    }

    /// The fields of the joined row that key the result: the left table's primary key
    /// after a foreign-key join, else the join key.
    pub fn key_columns(&self) -> Vec<usize> {
        let last = self.steps.last().expect("a join has a step");
        match &last.foreign_key {
            Some(positions) => positions.iter().map(|p| JOINED_DATA_START + p).collect(),
            None => vec![JOINED_KEY_INDEX],
        }
    }

    /// The first source, whose formats and partitions the result inherits.
    pub fn source(&self) -> &Source {
        &self.inputs[0].source
    }
}

/// A join condition side: the expression and the one source it references.
struct ConditionSide {
    expr: sql::Expr,
    source: usize,
}

/// What a step joins on, resolved.
struct Criteria {
    left: ConditionSide,
    right: ConditionSide,
}

/// Plans `query`, whose FROM is a join (a PARTITION BY over it is `joined_select`'s).
pub fn plan_join(
    query: &Query,
    catalog: &Catalog,
    planner: &ExprPlanner,
    key_rule: KeyRule,
    sink_name: &str,
) -> PlanResult<JoinPlan> {
    // ksqlDB refuses a persistent join's pseudo-column names in its projection, aliased or
    // not, before it looks at the sources.
    if key_rule != KeyRule::Transient {
        for item in &query.select {
            if let SelectItem::Expr {
                alias: Some(alias), ..
            } = item
                && PSEUDO_COLUMNS.contains(&alias.as_str())
            {
                return Err(reserved_in_select(alias));
            }
        }
    }
    let mut joins = Vec::new();
    let first = flatten(&query.from, &mut joins);
    let mut inputs = vec![resolve_input(catalog, first)?];
    for join in &joins {
        let (name, alias) = match &join.right {
            Relation::Source { name, alias, .. } => (name, alias),
            Relation::Join(_) => {
                return Err(PlanError::invalid(
                    "Joins must be written left-deep: FROM a JOIN b ON … JOIN c ON …",
                ));
            }
        };
        let input = resolve_input(catalog, (name, alias.as_deref()))?;
        if let Some(previous) = inputs.iter().find(|i| i.source.name == input.source.name) {
            return Err(if joins.len() == 1 {
                PlanError::invalid(format!(
                    "Can not join '{}' to '{}': self joins are not yet supported.",
                    previous.source.name, input.source.name
                ))
            } else {
                PlanError::invalid(format!(
                    "N-way joins do not support multiple occurrences of the same source. Source: '{}'",
                    input.source.name
                ))
            });
        }
        inputs.push(input);
    }
    check_formats(&inputs)?;
    check_windowed(&inputs)?;

    let names = joined_names(&inputs);

    let mut steps = Vec::with_capacity(joins.len());
    let mut left_schema = inputs[0].input_schema.clone();
    let mut left_kind = side_kind(&inputs[0].source);
    // The join expressions that are bare columns and equal the current key, by source.
    let mut key_candidates: Vec<(usize, String)> = Vec::new();
    // The join expressions, as written, that the current key equals.
    let mut key_expressions: Vec<String> = Vec::new();
    let mut synthetic = false;
    // A foreign-key join is keyed by the left table's primary key columns.
    let mut foreign_keys: Option<Vec<(usize, String)>> = None;
    // Each stream source's join expression: (input, step, side, key, source key?, the
    // step's key format).
    let mut side_keys = Vec::new();
    // The key format of the rows so far; `None`: the result's.
    let mut left_key_format = Some(inputs[0].source.key_format.clone());
    // The steps whose left rows (of the steps before) are not keyed by their join
    // expression: (step, key, the step's key format).
    let mut rekeyed_steps = Vec::new();
    // ksqlDB checks every ON before planning any step.
    let all_criteria = joins
        .iter()
        .enumerate()
        .map(|(index, join)| criteria(join, &names, index + 1, &inputs))
        .collect::<PlanResult<Vec<_>>>()?;
    for ((index, join), criteria) in joins.iter().enumerate().zip(all_criteria) {
        let right_index = index + 1;
        let right = &inputs[right_index];
        let right_kind = side_kind(&right.source);
        let shown = (
            qualified(&criteria.left.expr, &names),
            qualified(&criteria.right.expr, &names),
        );

        let left_scope_names = names_for_left(&names, &inputs[..right_index], index == 0);
        let left_scope = RowScope {
            schema: &left_schema,
            qualifier: "",
        };
        let left_key = planner.plan_joined(
            &criteria.left.expr,
            &left_scope,
            &left_scope_names,
            "JOIN ON",
        )?;
        let right_names = names_for_source(right);
        let right_scope = RowScope {
            schema: &right.input_schema,
            qualifier: "",
        };
        let right_key =
            planner.plan_joined(&criteria.right.expr, &right_scope, &right_names, "JOIN ON")?;
        if left_key.sql_type != right_key.sql_type {
            return Err(PlanError::invalid(format!(
                "Invalid join condition: types don't match. Got {}{{{}}} = {}{{{}}}.",
                shown.0, left_key.sql_type, shown.1, right_key.sql_type
            )));
        }
        check_join_type(
            join,
            &inputs,
            criteria.left.source,
            right_index,
            left_kind,
            right_kind,
        )?;
        if right_kind == SideKind::Table && !is_primary_key(&criteria.right.expr, right) {
            return Err(PlanError::invalid(match left_kind {
                SideKind::Stream => format!(
                    "Invalid join condition: stream-table joins require to join on the table's primary key. Got {} = {}.",
                    shown.0, shown.1
                ),
                SideKind::Table => format!(
                    "Invalid join condition: table-table joins require to join on the primary key of the right input table. Got {} = {}.",
                    shown.0, shown.1
                ),
            }));
        }
        // Whether the steps before produced a synthetic key (a FULL join's), which no
        // expression of a later step is.
        let previous_synthetic = synthetic;
        let left_column = column_of(&criteria.left.expr, &names);
        let joins_current_key = left_column
            .as_ref()
            .is_some_and(|c| key_candidates.contains(c));
        let is_foreign_key = left_kind == SideKind::Table
            && right_kind == SideKind::Table
            && !(index == 0 && is_primary_key(&criteria.left.expr, &inputs[0]))
            && !(index > 0 && joins_current_key);
        foreign_keys = None;
        if is_foreign_key {
            if inputs[0].source.window.is_some() || right.source.window.is_some() {
                return Err(PlanError::invalid(
                    "Foreign-key table-table joins are not supported on windowed tables.",
                ));
            }
            if index > 0 {
                return Err(PlanError::invalid(format!(
                    "Invalid join condition: foreign-key table-table joins are not supported as part of n-way joins. Got {} = {}.",
                    shown.0, shown.1
                )));
            }
            match join.kind {
                JoinKind::Right => {
                    return Err(PlanError::invalid(
                        "RIGHT OUTER JOIN on a foreign key is not supported",
                    ));
                }
                JoinKind::Full => {
                    return Err(PlanError::invalid(
                        "FULL OUTER JOIN on a foreign key is not supported",
                    ));
                }
                JoinKind::Inner | JoinKind::Left => {}
            }
            foreign_keys = Some(
                inputs[0]
                    .source
                    .schema
                    .key_columns()
                    .map(|c| (0, c.name.clone()))
                    .collect(),
            );
        }

        // The key candidates after this step.
        let right_column = column_of(&criteria.right.expr, &names);
        let keeps_previous = index > 0 && (joins_current_key || key_expressions.contains(&shown.0));
        if keeps_previous {
            key_expressions.extend([shown.0.clone(), shown.1.clone()]);
        } else {
            key_expressions = vec![shown.0.clone(), shown.1.clone()];
        }
        check_windowed_step(&criteria, &inputs, right_index)?;
        check_co_partitioned(&criteria, &inputs, right_index)?;
        let mut next: Vec<(usize, String)> = Vec::new();
        if keeps_previous {
            next.extend(key_candidates.iter().cloned());
        }
        next.extend(left_column);
        next.extend(right_column);
        next.sort();
        next.dedup();
        key_candidates = match &foreign_keys {
            // A foreign-key join is keyed by the left table's primary key.
            Some(keys) if keys.len() == 1 => keys.clone(),
            Some(_) => Vec::new(),
            None => next,
        };
        synthetic =
            foreign_keys.is_none() && (join.kind == JoinKind::Full || key_candidates.is_empty());
        let internal_key = match key_candidates.first() {
            Some((source, column)) if !synthetic => {
                JoinedNames::field(&inputs[*source].alias, column)
            }
            _ => synthetic_key_name(&inputs),
        };
        if foreign_keys.is_none() {
            check_key_columns(&[Column::key(internal_key, left_key.sql_type.clone())])?;
        }

        let left_is_keyed = match index {
            0 => left_kind == SideKind::Table || is_primary_key(&criteria.left.expr, &inputs[0]),
            _ => left_kind == SideKind::Table || (joins_current_key && !previous_synthetic),
        };
        let right_is_keyed =
            right_kind == SideKind::Table || is_primary_key(&criteria.right.expr, right);
        let step_key_format = match (left_is_keyed, right_is_keyed) {
            (true, _) => left_key_format.clone(),
            (false, true) => Some(right.source.key_format.clone()),
            (false, false) => None,
        };
        if index == 0 && left_kind == SideKind::Stream && inputs[0].source.window.is_none() {
            side_keys.push((
                0,
                index,
                JoinSide::Left,
                left_key.clone(),
                left_is_keyed,
                step_key_format.clone(),
            ));
        }
        if index > 0 && !left_is_keyed && inputs[0].source.window.is_none() {
            rekeyed_steps.push((index, left_key.clone(), step_key_format.clone()));
        }
        if right_kind == SideKind::Stream && right.source.window.is_none() {
            side_keys.push((
                right_index,
                index,
                JoinSide::Right,
                right_key.clone(),
                right_is_keyed,
                step_key_format.clone(),
            ));
        }
        left_key_format = step_key_format;

        let left_columns = data_columns(&left_schema, index == 0);
        let right_columns = data_columns(&right.input_schema, true);
        let foreign_key = foreign_keys.as_ref().map(|keys| {
            keys.iter()
                .filter_map(|(_, name)| {
                    left_columns
                        .iter()
                        .position(|&i| left_schema.field(i).name() == name)
                })
                .collect()
        });
        let mut fields = vec![
            Field::new(ROWTIME, DataType::Int64, false),
            Field::new(ROWPARTITION, DataType::Int32, false),
            Field::new(ROWOFFSET, DataType::Int64, false),
            Field::new(JOIN_KEY, left_key.data_type.clone(), true),
        ];
        for &i in &left_columns {
            let field = left_schema.field(i);
            let name = if index == 0 {
                JoinedNames::field(&inputs[0].alias, field.name())
            } else {
                field.name().clone()
            };
            fields.push(Field::new(name, field.data_type().clone(), true));
        }
        for &i in &right_columns {
            let field = right.input_schema.field(i);
            fields.push(Field::new(
                JoinedNames::field(&right.alias, field.name()),
                field.data_type().clone(),
                true,
            ));
        }
        fields.push(Field::new(TOMBSTONE, DataType::Boolean, false));
        let output_schema: SchemaRef = Arc::new(Schema::new(fields));
        steps.push(JoinStep {
            join_type: join.kind,
            left_kind,
            right_kind,
            window: join.within.map(window_spec),
            left_key: left_key.physical,
            right_key: right_key.physical,
            left_columns,
            right_columns,
            foreign_key,
            windowed: inputs[0].source.window.map(|_| match index {
                0 => vec![(WINDOWSTART.to_string(), WINDOWEND.to_string())],
                _ => inputs[..right_index]
                    .iter()
                    .map(|input| {
                        (
                            JoinedNames::field(&input.alias, WINDOWSTART),
                            JoinedNames::field(&input.alias, WINDOWEND),
                        )
                    })
                    .collect(),
            }),
            left_repartition: None,
            output_schema: output_schema.clone(),
        });
        left_schema = output_schema;
        left_kind = match (left_kind, right_kind) {
            (SideKind::Table, SideKind::Table) => SideKind::Table,
            _ => SideKind::Stream,
        };
    }

    for (step, key, step_key_format) in rekeyed_steps {
        steps[step].left_repartition = Some(SideJoinKey {
            expr: key.physical,
            sql_type: key.sql_type,
            is_source_key: false,
            step_key_format,
            repartition_name: repartition_name(&steps, step, JoinSide::Left),
        });
    }
    for (input, step, side, key, is_source_key, step_key_format) in side_keys {
        inputs[input].join_key = Some(SideJoinKey {
            expr: key.physical,
            sql_type: key.sql_type,
            is_source_key,
            step_key_format,
            repartition_name: repartition_name(&steps, step, side),
        });
    }

    let joined_schema = left_schema;
    let synthetic_name = synthetic.then(|| synthetic_key_name(&inputs));
    let mut names = names;
    if let Some(name) = &synthetic_name {
        names.fields.push((name.clone(), JOIN_KEY.to_string()));
    }
    let scope = RowScope {
        schema: &joined_schema,
        qualifier: "",
    };

    let filter = match &query.where_clause {
        Some(predicate) => {
            let planned = planner.plan_joined(predicate, &scope, &names, "WHERE")?;
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

    let items = expand_wildcards(&query.select, &inputs, &names, synthetic_name.as_deref())?;
    let key_field =
        col(JOIN_KEY, &joined_schema).map_err(|e| PlanError::Internal(e.to_string()))?;
    let key_type = SqlType::from_arrow(
        joined_schema
            .field_with_name(JOIN_KEY)
            .map_err(|e| PlanError::Internal(e.to_string()))?
            .data_type(),
    )
    .ok_or_else(|| PlanError::Internal("join key type".into()))?;
    let mut columns: Vec<OutputColumn> = Vec::with_capacity(items.len());
    let mut key_names: Vec<String> = Vec::new();
    // Foreign-key joins: each left key column the projection selects, with its name.
    let mut projected_keys: Vec<((usize, String), String)> = Vec::new();
    // The candidate that becomes the key: of those the projection selects, the one of the
    // leftmost source.
    let key_reference: Option<(usize, String)> = if synthetic || foreign_keys.is_some() {
        None
    } else {
        items
            .iter()
            .filter_map(|item| column_of(&item.expr, &names))
            .filter(|reference| key_candidates.contains(reference))
            .min()
    };
    let mut generated = 0;
    let taken: Vec<String> = items.iter().filter_map(|i| i.alias.clone()).collect();
    for item in &items {
        let reference = column_of(&item.expr, &names);
        let name = match (&item.alias, &reference) {
            (Some(alias), _) => alias.clone(),
            (None, Some((source, column))) => {
                if item.from_wildcard || !unique_column(column, &inputs) {
                    JoinedNames::field(&inputs[*source].alias, column)
                } else {
                    column.clone()
                }
            }
            (None, None) => match synthetic_reference(&item.expr, synthetic_name.as_deref()) {
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
        if let (Some(keys), Some(reference)) = (&foreign_keys, &reference)
            && key_rule != KeyRule::Transient
            && keys.contains(reference)
        {
            let planned = planner.plan_joined(&item.expr, &scope, &names, "SELECT")?;
            projected_keys.push((reference.clone(), name.clone()));
            columns.push(OutputColumn {
                name,
                expr: planned.physical,
                ty: planned.sql_type,
                kind: ColumnKind::Key,
                source_key: Some(0),
            });
            continue;
        }
        let is_key = key_rule != KeyRule::Transient
            && match &reference {
                Some(reference) => key_reference.as_ref() == Some(reference),
                None => synthetic_reference(&item.expr, synthetic_name.as_deref()).is_some(),
            };
        if is_key {
            key_names.push(name.clone());
            if key_names.len() > 1 {
                continue;
            }
            columns.push(OutputColumn {
                name,
                expr: key_field.clone(),
                ty: key_type.clone(),
                kind: ColumnKind::Key,
                source_key: Some(0),
            });
            continue;
        }
        if item.alias.is_none()
            && key_rule != KeyRule::Transient
            && PSEUDO_COLUMNS.contains(&name.as_str())
        {
            return Err(reserved_in_select(&name));
        }
        let planned = planner.plan_joined(&item.expr, &scope, &names, "SELECT")?;
        columns.push(OutputColumn {
            name,
            expr: planned.physical,
            ty: planned.sql_type,
            kind: ColumnKind::Value,
            source_key: None,
        });
    }
    let internal_name =
        |(source, column): &(usize, String)| JoinedNames::field(&inputs[*source].alias, column);
    if key_names.len() > 1 {
        let internal = key_reference
            .as_ref()
            .map(internal_name)
            .unwrap_or_else(|| key_names[0].clone());
        return Err(duplicate_key(&internal, key_names));
    }
    if let Some(keys) = &foreign_keys {
        for key in keys {
            let names: Vec<String> = projected_keys
                .iter()
                .filter(|(reference, _)| reference == key)
                .map(|(_, name)| name.clone())
                .collect();
            if names.len() > 1 {
                return Err(duplicate_key(&internal_name(key), names));
            }
        }
        let missing: Vec<String> = keys
            .iter()
            .filter(|key| {
                !projected_keys
                    .iter()
                    .any(|(reference, _)| reference == *key)
            })
            .map(|(_, column)| format!("`{column}`"))
            .collect();
        if !missing.is_empty() && key_rule != KeyRule::Transient {
            let (columns, noun) = if missing.len() == 1 {
                ("column", "column")
            } else {
                ("columns", "columns")
            };
            return Err(PlanError::invalid(format!(
                "Primary key {columns} missing in projection. For foreign-key table-table joins, the projection must include all primary key columns from the left input table (`{}`). Missing {noun}: {}.",
                inputs[0].source.name,
                missing.join(", ")
            )));
        }
    }
    if key_names.is_empty() && foreign_keys.is_none() && key_rule == KeyRule::MustProjectKey {
        return Err(PlanError::invalid(missing_key_message(
            sink_name,
            synthetic_name.as_deref(),
            &key_candidates,
            &inputs,
        )));
    }
    for (i, column) in columns.iter().enumerate() {
        if columns[..i].iter().any(|c| c.name == column.name) {
            return Err(PlanError::invalid(format!(
                "Duplicate value columns found in schema: `{}` {}",
                column.name, column.ty
            )));
        }
    }
    let kind = if inputs.iter().all(|i| i.source.kind == SourceKind::Table) {
        SourceKind::Table
    } else {
        SourceKind::Stream
    };
    Ok(JoinPlan {
        inputs,
        steps,
        kind,
        joined_schema,
        filter,
        columns,
        limit: query.limit,
        emit: query.emit,
    })
}

/// ksqlDB's error for a key column selected several times.
fn duplicate_key(internal: &str, mut names: Vec<String>) -> PlanError {
    names.sort();
    let (last, rest) = names.split_last().expect("two or more");
    PlanError::invalid(format!(
        "The projection contains a key column (`{internal}`) more than once, aliased as: {} and {last}.",
        rest.join(", ")
    ))
}

/// The sources of a left-deep join chain: the first, and each join in order.
fn flatten<'a>(relation: &'a Relation, joins: &mut Vec<&'a Join>) -> (&'a String, Option<&'a str>) {
    match relation {
        Relation::Source { name, alias, .. } => (name, alias.as_deref()),
        Relation::Join(join) => {
            let first = flatten(&join.left, joins);
            joins.push(join);
            first
        }
    }
}

fn resolve_input(
    catalog: &Catalog,
    (name, alias): (&String, Option<&str>),
) -> PlanResult<JoinInput> {
    let source = catalog
        .source(name)
        .ok_or_else(|| PlanError::UnknownSource { name: name.clone() })?
        .clone();
    let input_schema = input_schema(&source);
    Ok(JoinInput {
        alias: alias.unwrap_or(name).to_string(),
        source,
        input_schema,
        join_key: None,
    })
}

/// A side of one join step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum JoinSide {
    Left,
    Right,
}

/// ksqlDB's name for a step's repartition topic: the step's node is `Join`, prefixed by
/// `L_` for each step above it in the left-deep tree; a stream–stream step names the side
/// (`Join-left-repartition`), a stream–table step has only its stream side to repartition
/// (`Join-repartition`).
fn repartition_name(steps: &[JoinStep], step: usize, side: JoinSide) -> String {
    let node = format!("{}Join", "L_".repeat(steps.len() - 1 - step));
    let both_streams =
        steps[step].left_kind == SideKind::Stream && steps[step].right_kind == SideKind::Stream;
    match (both_streams, side) {
        (true, JoinSide::Left) => format!("{node}-left-repartition"),
        (true, JoinSide::Right) => format!("{node}-right-repartition"),
        (false, _) => format!("{node}-repartition"),
    }
}

fn side_kind(source: &Source) -> SideKind {
    match source.kind {
        SourceKind::Stream => SideKind::Stream,
        SourceKind::Table => SideKind::Table,
    }
}

/// An expression as ksqlDB prints it in join messages: every column qualified.
fn qualified(expr: &sql::Expr, names: &JoinedNames) -> String {
    struct Qualify<'a>(&'a JoinedNames);
    impl VisitorMut for Qualify<'_> {
        type Break = ();
        fn pre_visit_expr(&mut self, expr: &mut sql::Expr) -> ControlFlow<()> {
            if let sql::Expr::Identifier(ident) = expr
                && let Some((source, _)) = column_of(&sql::Expr::Identifier(ident.clone()), self.0)
            {
                *expr = sql::Expr::CompoundIdentifier(vec![
                    sql::Ident::new(self.0.sources[source].0.clone()),
                    ident.clone(),
                ]);
            }
            ControlFlow::Continue(())
        }
    }
    let mut expr = expr.clone();
    let _ = VisitMut::visit(&mut expr, &mut Qualify(names));
    expr.to_string()
}

/// Sources joined on their keys, without a repartition, must have as many partitions.
fn check_co_partitioned(
    criteria: &Criteria,
    inputs: &[JoinInput],
    right_index: usize,
) -> PlanResult<()> {
    let left = &inputs[criteria.left.source];
    let right = &inputs[right_index];
    if !is_primary_key(&criteria.left.expr, left) || !is_primary_key(&criteria.right.expr, right) {
        return Ok(());
    }
    if left.source.partitions == right.source.partitions {
        return Ok(());
    }
    Err(PlanError::invalid(format!(
        "Can't join `{}` with `{}` since the number of partitions don't match. `{}` partitions = {}; `{}` partitions = {}. Please repartition either one so that the number of partitions match.",
        left.source.name,
        right.source.name,
        left.source.name,
        left.source.partitions,
        right.source.name,
        right.source.partitions
    )))
}

/// ksqlDB cannot join sources whose values are KAFKA-formatted.
fn check_formats(inputs: &[JoinInput]) -> PlanResult<()> {
    let kafka: Vec<&str> = inputs
        .iter()
        .filter(|i| i.source.value_format.kind == FormatKind::Kafka)
        .map(|i| i.source.name.as_str())
        .collect();
    if kafka.is_empty() {
        return Ok(());
    }
    Err(PlanError::invalid(format!(
        "Source(s) {} are using the 'KAFKA' value format. This format does not yet support JOIN.",
        kafka.join(", ")
    )))
}

/// ksqlDB joins windowed sources only to windowed sources of a compatible kind.
fn check_windowed(inputs: &[JoinInput]) -> PlanResult<()> {
    let describe = |input: &JoinInput| match input.source.window {
        Some(window) => format!(
            "`{}` is {} windowed",
            input.source.name,
            window_name(window.kind)
        ),
        None => format!("`{}` is not windowed", input.source.name),
    };
    let Some(windowed) = inputs.iter().find(|i| i.source.window.is_some()) else {
        return Ok(());
    };
    if let Some(plain) = inputs.iter().find(|i| i.source.window.is_none()) {
        let (first, second) = if inputs.iter().position(|i| std::ptr::eq(i, windowed))
            < inputs.iter().position(|i| std::ptr::eq(i, plain))
        {
            (windowed, plain)
        } else {
            (plain, windowed)
        };
        return Err(PlanError::invalid(format!(
            "Can not join windowed source to non-windowed source.\n{}\n{}",
            describe(first),
            describe(second)
        )));
    }
    let session = |i: &JoinInput| {
        i.source
            .window
            .is_some_and(|w| w.kind == WindowKind::Session)
    };
    if inputs.iter().any(session) && !inputs.iter().all(session) {
        let kind = |i: &JoinInput| {
            i.source
                .window
                .map(|w| window_name(w.kind))
                .unwrap_or("NONE")
        };
        return Err(PlanError::invalid(format!(
            "Incompatible windowed sources.\nLeft source: {}\nRight source: {}\nSession windowed sources can only be joined to other session windowed sources, and may still not result in expected behaviour as session bounds must be an exact match for the join to work\nHopping and tumbling windowed sources can only be joined to other hopping and tumbling windowed sources",
            kind(&inputs[0]),
            kind(&inputs[1])
        )));
    }
    Ok(())
}

/// Windowed sources join on their windowed keys as they are: both sides must be joined
/// on their key and be windowed alike, or ksqlDB would have to repartition them.
fn check_windowed_step(
    criteria: &Criteria,
    inputs: &[JoinInput],
    right_index: usize,
) -> PlanResult<()> {
    let left = &inputs[criteria.left.source];
    let right = &inputs[right_index];
    let (Some(left_window), Some(right_window)) = (left.source.window, right.source.window) else {
        return Ok(());
    };
    if !is_primary_key(&criteria.left.expr, left)
        || !is_primary_key(&criteria.right.expr, right)
        || left_window != right_window
    {
        return Err(PlanError::invalid(
            "Implicit repartitioning of windowed sources is not supported. See https://github.com/confluentinc/ksql/issues/4385.",
        ));
    }
    Ok(())
}

fn reserved_in_select(name: &str) -> PlanError {
    PlanError::invalid(format!(
        "Reserved column name in select: `{name}`. Please remove or alias the column."
    ))
}

fn window_name(kind: WindowKind) -> &'static str {
    match kind {
        WindowKind::Tumbling => "TUMBLING",
        WindowKind::Hopping => "HOPPING",
        WindowKind::Session => "SESSION",
    }
}

/// Splits a step's ON into the side over the rows so far and the side over the new
/// source, checking each references exactly one source.
fn criteria(
    join: &Join,
    names: &JoinedNames,
    right_index: usize,
    inputs: &[JoinInput],
) -> PlanResult<Criteria> {
    let (a, b) = match &join.on {
        sql::Expr::Nested(inner) => split_equality(inner, &join.on)?,
        other => split_equality(other, &join.on)?,
    };
    check_qualifiers(&join.on, names)?;
    let sources_a = referenced_sources(a, names)?;
    let sources_b = referenced_sources(b, names)?;
    let condition = format!("({} = {})", ksql_text(a), ksql_text(b));
    for (side, sources) in [(a, &sources_a), (b, &sources_b)] {
        if sources.len() != 1 {
            return Err(PlanError::invalid(format!(
                "Invalid comparison expression '{}' in join '{condition}'. Each side of the join comparision must contain references from exactly one source.",
                ksql_text(side)
            )));
        }
    }
    let (source_a, source_b) = (sources_a[0], sources_b[0]);
    if source_a == source_b {
        let name = &inputs[source_a].source.name;
        return Err(PlanError::invalid(format!(
            "Each side of the join must reference exactly one source and not the same source. Left side references `{name}` and right references `{name}`"
        )));
    }
    let (left, right) = if source_b == right_index {
        ((a, source_a), (b, source_b))
    } else if source_a == right_index {
        ((b, source_b), (a, source_a))
    } else {
        return Err(PlanError::invalid(format!(
            "A join criteria is expected to reference the source (`{}`) in the FROM clause, instead the right source references `{}` and the left source references `{}`",
            inputs[right_index].source.name,
            inputs[source_b].source.name,
            inputs[source_a].source.name
        )));
    };
    if left.1 > right_index {
        return Err(PlanError::invalid(format!(
            "'{}' is not a valid stream/table name or alias.",
            inputs[left.1].alias
        )));
    }
    Ok(Criteria {
        left: ConditionSide {
            expr: left.0.clone(),
            source: left.1,
        },
        right: ConditionSide {
            expr: right.0.clone(),
            source: right.1,
        },
    })
}

fn split_equality<'a>(
    expr: &'a sql::Expr,
    whole: &sql::Expr,
) -> PlanResult<(&'a sql::Expr, &'a sql::Expr)> {
    match expr {
        sql::Expr::BinaryOp {
            left,
            op: sql::BinaryOperator::Eq,
            right,
        } => Ok((left, right)),
        sql::Expr::BinaryOp {
            op: sql::BinaryOperator::And,
            ..
        } => Err(PlanError::invalid(format!(
            "Invalid join condition: joins on multiple conditions are not yet supported. Got {}.",
            parenthesized(whole)
        ))),
        other => Err(PlanError::invalid(format!(
            "Unsupported join expression: {other}. Joins are only supported on equality (=) between one source's expression and another's"
        ))),
    }
}

/// ksqlDB prints binary expressions in parentheses: `((L.A = R.A) AND (L.A = R.A))`.
fn parenthesized(expr: &sql::Expr) -> String {
    match expr {
        sql::Expr::Nested(inner) => parenthesized(inner),
        sql::Expr::BinaryOp { left, op, right } => {
            format!("({} {op} {})", parenthesized(left), parenthesized(right))
        }
        other => other.to_string(),
    }
}

/// Every `X.column` in the ON names a source of the FROM clause.
fn check_qualifiers(on: &sql::Expr, names: &JoinedNames) -> PlanResult<()> {
    struct Qualifiers<'a>(&'a JoinedNames, Option<String>);
    impl Visitor for Qualifiers<'_> {
        type Break = ();
        fn pre_visit_expr(&mut self, expr: &sql::Expr) -> ControlFlow<()> {
            if let sql::Expr::CompoundIdentifier(parts) = expr
                && parts.len() == 2
                && !self
                    .0
                    .sources
                    .iter()
                    .any(|(alias, _)| *alias == parts[0].value)
            {
                self.1 = Some(parts[0].value.clone());
                return ControlFlow::Break(());
            }
            ControlFlow::Continue(())
        }
    }
    let mut visitor = Qualifiers(names, None);
    let _ = on.visit(&mut visitor);
    match visitor.1 {
        Some(qualifier) => Err(PlanError::invalid(format!(
            "Failed to prepare statement: '{qualifier}' is not a valid stream/table name or alias."
        ))),
        None => Ok(()),
    }
}

/// The sources an expression's columns belong to, in FROM order.
fn referenced_sources(expr: &sql::Expr, names: &JoinedNames) -> PlanResult<Vec<usize>> {
    struct Collector<'a> {
        names: &'a JoinedNames,
        found: BTreeSet<usize>,
        error: Option<PlanError>,
    }
    impl Visitor for Collector<'_> {
        type Break = ();
        fn pre_visit_expr(&mut self, expr: &sql::Expr) -> ControlFlow<()> {
            match expr {
                sql::Expr::CompoundIdentifier(parts) if parts.len() == 2 => {
                    match self
                        .names
                        .sources
                        .iter()
                        .position(|(a, _)| *a == parts[0].value)
                    {
                        Some(i) => {
                            self.found.insert(i);
                        }
                        None => {
                            self.error = Some(PlanError::invalid(format!(
                                "Failed to prepare statement: '{}' is not a valid stream/table name or alias.",
                                parts[0].value
                            )));
                            return ControlFlow::Break(());
                        }
                    }
                }
                sql::Expr::Identifier(ident) => {
                    let holders: Vec<usize> = self
                        .names
                        .sources
                        .iter()
                        .enumerate()
                        .filter(|(_, (_, columns))| columns.contains(&ident.value))
                        .map(|(i, _)| i)
                        .collect();
                    if holders.len() > 1 {
                        let candidates: Vec<String> = holders
                            .iter()
                            .map(|&i| format!("{}.{}", self.names.sources[i].0, ident.value))
                            .collect();
                        let (last, rest) = candidates.split_last().expect("two or more");
                        let start = ident.span.start;
                        let at = if start.line > 0 {
                            format!("Line: {}, Col: {}: ", start.line, start.column)
                        } else {
                            String::new()
                        };
                        self.error = Some(PlanError::invalid(format!(
                            "Exception while preparing statement: {at}Column '{}' is ambiguous. Could be {} or {last}.",
                            ident.value,
                            rest.join(", ")
                        )));
                        return ControlFlow::Break(());
                    }
                    self.found.extend(holders);
                }
                sql::Expr::CompoundFieldAccess { root, .. } => {
                    let _ = root.visit(self);
                    return ControlFlow::Continue(());
                }
                _ => {}
            }
            ControlFlow::Continue(())
        }
    }
    let mut collector = Collector {
        names,
        found: BTreeSet::new(),
        error: None,
    };
    let _ = expr.visit(&mut collector);
    if let Some(error) = collector.error {
        return Err(error);
    }
    Ok(collector.found.into_iter().collect())
}

/// Checks that ksqlDB supports this kind of join between these kinds of sources.
fn check_join_type(
    join: &Join,
    inputs: &[JoinInput],
    left_source: usize,
    right_index: usize,
    left_kind: SideKind,
    right_kind: SideKind,
) -> PlanResult<()> {
    let left_name = &inputs[left_source].source.name;
    let right_name = &inputs[right_index].source.name;
    let written = match join.kind {
        JoinKind::Inner => "[INNER] JOIN",
        JoinKind::Left => "LEFT [OUTER] JOIN",
        JoinKind::Right => "RIGHT [OUTER] JOIN",
        JoinKind::Full => "[FULL] OUTER JOIN",
    };
    match (left_kind, right_kind) {
        (SideKind::Table, SideKind::Stream) => Err(PlanError::invalid(format!(
            "Invalid join order: table-stream joins are not supported; only stream-table joins. Got {left_name} {written} {right_name}."
        ))),
        (SideKind::Stream, SideKind::Table) => {
            if let Some(kind) = match join.kind {
                JoinKind::Full => Some("full-outer"),
                JoinKind::Right => Some("right-outer"),
                _ => None,
            } {
                return Err(PlanError::invalid(format!(
                    "Invalid join type: {kind} join not supported for stream-table join. Got {left_name} {written} {right_name}."
                )));
            }
            if join.within.is_some() {
                return Err(PlanError::invalid(
                    "A window definition was provided for a Stream-Table join. These joins are not windowed. Please drop the window definition (ie. the WITHIN clause) and try to execute your join again.",
                ));
            }
            Ok(())
        }
        (SideKind::Table, SideKind::Table) => {
            if join.within.is_some() {
                return Err(PlanError::invalid(
                    "A window definition was provided for a Table-Table join. These joins are not windowed. Please drop the window definition (ie. the WITHIN clause) and try to execute your join again.",
                ));
            }
            Ok(())
        }
        (SideKind::Stream, SideKind::Stream) => {
            if join.within.is_none() {
                return Err(PlanError::invalid(
                    "Stream-Stream joins must have a WITHIN clause specified. None was provided. To learn about how to specify a WITHIN clause with a stream-stream join, please visit: https://docs.confluent.io/current/ksql/docs/syntax-reference.html#create-stream-as-select",
                ));
            }
            Ok(())
        }
    }
}

fn window_spec(within: JoinWindow) -> JoinWindowSpec {
    JoinWindowSpec {
        before_ms: within.before_ms,
        after_ms: within.after_ms,
        grace_ms: within.grace_ms.unwrap_or(DEFAULT_GRACE_MS),
        delays_unmatched: within.grace_ms.is_some(),
    }
}

/// Names for expressions over the left input of step `step`: the first source's own
/// columns for the first step, else the joined row of the steps before.
fn names_for_left(names: &JoinedNames, inputs: &[JoinInput], first: bool) -> JoinedNames {
    if first {
        return names_for_source(&inputs[0]);
    }
    JoinedNames {
        sources: names.sources[..inputs.len()].to_vec(),
        fields: pseudo_fields(),
        prefixed: true,
    }
}

/// Names over one source's decoded batch: `ALIAS.C` and `C` both mean its column `C`.
fn names_for_source(input: &JoinInput) -> JoinedNames {
    JoinedNames {
        sources: vec![(input.alias.clone(), column_names(&input.source))],
        fields: pseudo_fields(),
        prefixed: false,
    }
}

/// The names a source's columns go by in a join: its columns, and its pseudo columns for
/// qualified references (`S.ROWTIME`).
/// How references to the joined sources' columns resolve in a joined row.
pub(super) fn joined_names(inputs: &[JoinInput]) -> JoinedNames {
    JoinedNames {
        sources: inputs
            .iter()
            .map(|i| (i.alias.clone(), column_names(&i.source)))
            .collect(),
        fields: pseudo_fields(),
        prefixed: true,
    }
}

fn column_names(source: &Source) -> Vec<String> {
    let columns = source.schema.columns.iter().map(|c| c.name.clone());
    let pseudo = [ROWTIME, ROWPARTITION, ROWOFFSET].map(String::from);
    // A windowed source's rows carry their window's bounds.
    let bounds = source
        .window
        .is_some()
        .then(|| [WINDOWSTART, WINDOWEND].map(String::from))
        .into_iter()
        .flatten();
    columns.chain(pseudo).chain(bounds).collect()
}

/// The pseudo columns, which every row has under their own names.
fn pseudo_fields() -> Vec<(String, String)> {
    [ROWTIME, ROWPARTITION, ROWOFFSET]
        .iter()
        .map(|c| (c.to_string(), c.to_string()))
        .collect()
}

/// The column a bare or qualified column reference names: (source index, column).
pub(super) fn column_of(expr: &sql::Expr, names: &JoinedNames) -> Option<(usize, String)> {
    match expr {
        sql::Expr::Nested(inner) => column_of(inner, names),
        sql::Expr::Identifier(ident) => {
            let holders: Vec<usize> = names
                .sources
                .iter()
                .enumerate()
                .filter(|(_, (_, columns))| columns.contains(&ident.value))
                .map(|(i, _)| i)
                .collect();
            match holders.as_slice() {
                [one] => Some((*one, ident.value.clone())),
                _ => None,
            }
        }
        sql::Expr::CompoundIdentifier(parts) if parts.len() == 2 => {
            let index = names
                .sources
                .iter()
                .position(|(a, _)| *a == parts[0].value)?;
            names.sources[index]
                .1
                .contains(&parts[1].value)
                .then(|| (index, parts[1].value.clone()))
        }
        _ => None,
    }
}

/// True when `expr` is the source's only key column (a stream's KEY or a table's
/// PRIMARY KEY).
fn is_primary_key(expr: &sql::Expr, input: &JoinInput) -> bool {
    let keys: Vec<&Column> = input.source.schema.key_columns().collect();
    let name = match expr {
        sql::Expr::Nested(inner) => return is_primary_key(inner, input),
        sql::Expr::Identifier(ident) => &ident.value,
        sql::Expr::CompoundIdentifier(parts)
            if parts.len() == 2 && parts[0].value == input.alias =>
        {
            &parts[1].value
        }
        _ => return false,
    };
    keys.len() == 1 && keys[0].name == *name
}

/// True when a later step's left expression is the key the steps before joined on.
/// The indices of a side's data columns: a source's columns with its pseudo columns, or
/// the joined row's source columns (not its own pseudo columns, key and flag).
fn data_columns(schema: &Schema, source: bool) -> Vec<usize> {
    let excluded: &[&str] = if source {
        &[TOMBSTONE]
    } else {
        &[ROWTIME, ROWPARTITION, ROWOFFSET, JOIN_KEY, TOMBSTONE]
    };
    schema
        .fields()
        .iter()
        .enumerate()
        .filter(|(_, f)| !excluded.contains(&f.name().as_str()))
        .map(|(i, _)| i)
        .collect()
}

/// `ROWKEY`, or `ROWKEY_n` when a source already has a column of that name.
fn synthetic_key_name(inputs: &[JoinInput]) -> String {
    let taken = |name: &str| {
        inputs
            .iter()
            .any(|i| i.source.schema.columns.iter().any(|c| c.name == name))
    };
    if !taken("ROWKEY") {
        return "ROWKEY".into();
    }
    let highest = inputs
        .iter()
        .flat_map(|i| i.source.schema.columns.iter())
        .filter_map(|c| c.name.strip_prefix("ROWKEY_")?.parse::<u64>().ok())
        .max();
    format!("ROWKEY_{}", highest.map_or(0, |n| n + 1))
}

fn synthetic_reference(expr: &sql::Expr, synthetic: Option<&str>) -> Option<String> {
    let synthetic = synthetic?;
    match expr {
        sql::Expr::Identifier(ident) if ident.value == synthetic => Some(synthetic.to_string()),
        _ => None,
    }
}

fn unique_column(column: &str, inputs: &[JoinInput]) -> bool {
    inputs
        .iter()
        .filter(|i| i.source.schema.columns.iter().any(|c| c.name == column))
        .count()
        == 1
}

fn missing_key_message(
    sink_name: &str,
    synthetic: Option<&str>,
    candidates: &[(usize, String)],
    inputs: &[JoinInput],
) -> String {
    let prefix = "Key missing from projection (ie, SELECT). See https://cnfl.io/2LV7ouS.\n";
    if let Some(name) = synthetic {
        return format!(
            "{prefix}The query used to build `{sink_name}` must include the join expression {name} in its projection (eg, SELECT {name}...).\n{name} was added as a synthetic key column because the join criteria did not match any source column. This expression must be included in the projection and may be aliased."
        );
    }
    let written: Vec<String> = candidates
        .iter()
        .map(|(source, column)| format!("{}.{column}", inputs[*source].alias))
        .collect();
    let listed = match written.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    };
    let plural = if written.len() > 1 { "s" } else { "" };
    format!(
        "{prefix}The query used to build `{sink_name}` must include the join expression{plural} {listed} in its projection (eg, SELECT {}...).",
        written.first().cloned().unwrap_or_default()
    )
}

/// A select item after `*` expansion.
struct Item {
    expr: sql::Expr,
    alias: Option<String>,
    /// Came from `*` or `A.*`: its name is always `A_COLUMN`.
    from_wildcard: bool,
}

/// Expands `*` (the synthetic key, if any, then every source's columns), `A.*`, and
/// `col->*` (a STRUCT column's fields, each named after its field).
fn expand_wildcards(
    items: &[SelectItem],
    inputs: &[JoinInput],
    names: &JoinedNames,
    synthetic: Option<&str>,
) -> PlanResult<Vec<Item>> {
    let all = |input: &JoinInput| -> Vec<Item> {
        let keys = input.source.schema.key_columns().map(|c| c.name.as_str());
        // A windowed source's window bounds follow its keys; header columns come after the
        // value columns, as ksqlDB's `*` orders them.
        let bounds = input
            .source
            .window
            .is_some()
            .then_some([WINDOWSTART, WINDOWEND])
            .into_iter()
            .flatten();
        let values = input.source.schema.value_columns().map(|c| c.name.as_str());
        let headers = input
            .source
            .schema
            .header_columns()
            .map(|c| c.name.as_str());
        keys.chain(bounds)
            .chain(values)
            .chain(headers)
            .map(|name| Item {
                expr: sql::Expr::CompoundIdentifier(vec![
                    sql::Ident::with_quote('`', input.alias.clone()),
                    sql::Ident::with_quote('`', name.to_string()),
                ]),
                alias: None,
                from_wildcard: true,
            })
            .collect()
    };
    let mut out = Vec::new();
    for item in items {
        match item {
            SelectItem::Expr { expr, alias } => out.push(Item {
                expr: expr.clone(),
                alias: alias.clone(),
                from_wildcard: false,
            }),
            SelectItem::Wildcard => {
                if let Some(name) = synthetic {
                    out.push(Item {
                        expr: sql::Expr::Identifier(sql::Ident::with_quote('`', name)),
                        alias: None,
                        from_wildcard: true,
                    });
                }
                for input in inputs {
                    out.extend(all(input));
                }
            }
            SelectItem::QualifiedWildcard(name) => {
                let input = inputs.iter().find(|i| i.alias == *name).ok_or_else(|| {
                    PlanError::invalid(format!(
                        "'{name}' is not a valid stream/table name or alias."
                    ))
                })?;
                out.extend(all(input));
            }
            SelectItem::StructWildcard(expr) => {
                let column_type = column_of(expr, names).and_then(|(source, column)| {
                    let schema = &inputs[source].source.schema;
                    schema
                        .columns
                        .iter()
                        .find(|c| c.name == column)
                        .map(|c| &c.ty)
                });
                let Some(SqlType::Struct(fields)) = column_type else {
                    return Err(PlanError::invalid(format!(
                        "Expected {expr} to be a STRUCT column in {expr}->*"
                    )));
                };
                out.extend(fields.iter().map(|field| Item {
                    expr: sql::Expr::CompoundFieldAccess {
                        root: Box::new(expr.clone()),
                        access_chain: vec![sql::AccessExpr::Dot(sql::Expr::Identifier(
                            sql::Ident::with_quote('`', field.name.clone()),
                        ))],
                    },
                    alias: Some(field.name.clone()),
                    from_wildcard: false,
                }));
            }
        }
    }
    Ok(out)
}
