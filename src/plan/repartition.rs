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
//! Tables are never repartitioned: ksqlDB joins them on their primary key (or through a
//! foreign-key join), nor are windowed streams, which join on their keys.

use std::sync::Arc;

use datafusion::arrow::datatypes::SchemaRef;
use datafusion::physical_expr::PhysicalExpr;

use super::join::JoinPlan;
use super::select::{ROWOFFSET, ROWPARTITION};
use crate::catalog::Source;
use crate::catalog::schema::{Column, ColumnKind, LogicalSchema};
use crate::catalog::types::SqlType;
use crate::format::{FormatKind, SerdeSpec};
use crate::log::internal_topic;
use crate::sql::ast::SourceKind;

/// The key column of a repartition topic. `$` cannot start a ksqlDB identifier.
const REPARTITION_KEY: &str = "$REPARTITION_KEY";

/// One join side read through a repartition topic.
pub struct RepartitionPlan {
    /// The joined input (FROM order) whose rows go through the topic.
    pub input: usize,
    /// The side's rows (`select::input_schema` of its source).
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
    join.inputs
        .iter()
        .enumerate()
        .filter_map(|(index, input)| {
            let side = input.join_key.as_ref()?;
            let key_format = side.step_key_format.as_ref().unwrap_or(result_key_format);
            let same_format = input.source.key_format.kind == key_format.kind;
            if side.is_source_key && same_format {
                return None;
            }
            let name = internal_topic(query_id, &side.repartition_name);
            Some(RepartitionPlan {
                input: index,
                side_schema: input.input_schema.clone(),
                topic: topic_source(name, &input.source, &side.sql_type, key_format),
                key: side.expr.clone(),
            })
        })
        .collect()
}

/// The repartition topic of `side` as a source: keyed by the join expression's value, its
/// value the side's pseudo columns and columns, its headers the side's header columns.
fn topic_source(name: String, side: &Source, key_type: &SqlType, key_format: &SerdeSpec) -> Source {
    let key = vec![Column::key(REPARTITION_KEY, key_type.clone())];
    let mut columns = key.clone();
    columns.push(Column::value(ROWPARTITION, SqlType::Int));
    columns.push(Column::value(ROWOFFSET, SqlType::Bigint));
    columns.extend(side.schema.columns.iter().map(|c| Column {
        kind: match &c.kind {
            ColumnKind::Key | ColumnKind::Value => ColumnKind::Value,
            header => header.clone(),
        },
        ..c.clone()
    }));
    let values: Vec<Column> = columns
        .iter()
        .filter(|c| c.kind == ColumnKind::Value)
        .cloned()
        .collect();
    let key_format = carrying(key_format, &key, false);
    let value_format = carrying(&side.value_format, &values, true);
    Source {
        name: name.clone(),
        kind: SourceKind::Stream,
        schema: LogicalSchema::new(columns),
        topic: name,
        partitions: side.partitions,
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
