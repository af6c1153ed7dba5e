//! The implicit repartition of a join's stream sides, as ksqlDB does it.
//!
//! Rows meet in a join only if they sit in the same partition, so ksqlDB first rewrites a
//! stream whose records are not keyed by its join expression, or whose key format is not
//! the join's, to an internal topic keyed by that expression
//! (`_confluent-ksql-<service id>query_<id>-Join-left-repartition`, …), and joins what it
//! reads from there. This module decides which sides that is and describes each topic as a
//! source: its key is the join expression's value, in the join's key format; its value holds
//! the side's whole row, with ROWPARTITION and ROWOFFSET of the record it came from (the
//! record's timestamp and headers travel as the record's own). The join reads the topic back
//! into the side's own row shape (`exec::source::SourceDecoder::repartitioned`).
//!
//! The rows of earlier steps of an n-way join are repartitioned the same way when a later
//! step joins them on another expression than their key (ksqlDB's
//! `L_Join-left-repartition`…): the task writes what those steps produce to the topic and
//! the later step reads it back.
//!
//! Tables are never repartitioned: ksqlDB joins them on their primary key (or through a
//! foreign-key join), nor are windowed streams, which join on their keys.

use std::sync::Arc;

use datafusion::arrow::datatypes::SchemaRef;
use datafusion::physical_expr::PhysicalExpr;

use super::join::{JoinPlan, SideJoinKey};
use super::select::{ROWOFFSET, ROWPARTITION};
use crate::catalog::Source;
use crate::catalog::schema::{Column, ColumnKind, LogicalSchema};
use crate::catalog::types::SqlType;
use crate::format::{FormatKind, SerdeSpec};
use crate::log::internal_topic;
use crate::sql::ast::SourceKind;

/// The key column of a repartition topic. `$` cannot start a ksqlDB identifier.
const REPARTITION_KEY: &str = "$REPARTITION_KEY";

/// Whose rows go through a repartition topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepartitionedSide {
    /// A joined source, by its position in FROM.
    Source(usize),
    /// The rows of the steps before this step, read as its left side.
    StepLeft(usize),
}

/// One join side read through a repartition topic.
pub struct RepartitionPlan {
    pub side: RepartitionedSide,
    /// The side's rows: `select::input_schema` of a source, or the row the step before
    /// produces.
    pub side_schema: SchemaRef,
    /// The repartition topic, described as a source.
    pub topic: Source,
    /// The join expression over the side's rows: the topic's key.
    pub key: Arc<dyn PhysicalExpr>,
}

/// The sides of `join` to repartition, for the query `query_id` whose result is keyed in
/// `result_key_format`: every stream side not keyed by its join expression, or keyed in
/// another format than its step's join key.
pub fn plan_repartitions(
    join: &JoinPlan,
    query_id: &str,
    result_key_format: &SerdeSpec,
) -> Vec<RepartitionPlan> {
    let key_format = |side: &SideJoinKey| {
        side.step_key_format
            .clone()
            .unwrap_or_else(|| result_key_format.clone())
    };
    let sources = join.inputs.iter().enumerate().filter_map(|(index, input)| {
        let side = input.join_key.as_ref()?;
        let key_format = key_format(side);
        if side.is_source_key && input.source.key_format.kind == key_format.kind {
            return None;
        }
        // The source's columns, keys as values; header columns stay headers.
        let columns = input.source.schema.columns.iter().map(|c| Column {
            kind: match &c.kind {
                ColumnKind::Key | ColumnKind::Value => ColumnKind::Value,
                header => header.clone(),
            },
            ..c.clone()
        });
        Some(RepartitionPlan {
            side: RepartitionedSide::Source(index),
            side_schema: input.input_schema.clone(),
            topic: topic_source(
                internal_topic(query_id, &side.repartition_name),
                columns.collect(),
                side,
                &key_format,
                &input.source,
            ),
            key: side.expr.clone(),
        })
    });
    let steps = join
        .steps
        .iter()
        .enumerate()
        .skip(1)
        .filter_map(|(index, step)| {
            let side = step.left_repartition.as_ref()?;
            let rows = join.steps[index - 1].output_schema.clone();
            // The joined row's join key and fields, after its pseudo columns.
            let columns = rows.fields()[ROW_DATA_START..rows.fields().len() - 1]
                .iter()
                .map(|f| SqlType::from_arrow(f.data_type()).map(|ty| Column::value(f.name(), ty)))
                .collect::<Option<Vec<_>>>()?;
            Some(RepartitionPlan {
                side: RepartitionedSide::StepLeft(index),
                side_schema: rows,
                topic: topic_source(
                    internal_topic(query_id, &side.repartition_name),
                    columns,
                    side,
                    &key_format(side),
                    join.source(),
                ),
                key: side.expr.clone(),
            })
        });
    sources.chain(steps).collect()
}

/// Where the fields of a joined row start, after ROWTIME, ROWPARTITION and ROWOFFSET.
const ROW_DATA_START: usize = 3;

/// A repartition topic as a source: keyed by the join expression's value (`side`), its
/// value the side's ROWPARTITION, ROWOFFSET and `columns` (header columns read the
/// record's headers), its value format `first`'s when that can carry them.
fn topic_source(
    name: String,
    side_columns: Vec<Column>,
    side: &SideJoinKey,
    key_format: &SerdeSpec,
    first: &Source,
) -> Source {
    let key = vec![Column::key(REPARTITION_KEY, side.sql_type.clone())];
    let mut columns = key.clone();
    columns.push(Column::value(ROWPARTITION, SqlType::Int));
    columns.push(Column::value(ROWOFFSET, SqlType::Bigint));
    columns.extend(side_columns);
    let values: Vec<Column> = columns
        .iter()
        .filter(|c| c.kind == ColumnKind::Value)
        .cloned()
        .collect();
    let key_format = carrying(key_format, &key, false);
    let value_format = carrying(&first.value_format, &values, true);
    Source {
        name: name.clone(),
        kind: SourceKind::Stream,
        schema: LogicalSchema::new(columns),
        topic: name,
        partitions: first.partitions,
        key_format,
        value_format,
        timestamp: None,
        is_source: false,
        statement: String::new(),
        writers: Vec::new(),
        window: None,
    }
}

/// `format` if it can carry `columns`, else JSON (which carries any row).
fn carrying(format: &SerdeSpec, columns: &[Column], wrap_single: bool) -> SerdeSpec {
    let spec = SerdeSpec {
        wrap_single,
        ..format.clone()
    };
    if spec.kind != FormatKind::None && spec.validate(columns).is_ok() {
        return spec;
    }
    SerdeSpec {
        kind: FormatKind::Json,
        ..spec
    }
}
