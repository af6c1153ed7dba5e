//! INSERT INTO source [(columns)] VALUES (…), and the rows of `/inserts-stream`: one record
//! each, written straight to the topic.

use bytes::Bytes;
use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::sync::Arc;

use datafusion::arrow::datatypes::Schema;
use datafusion::arrow::record_batch::{RecordBatch, RecordBatchOptions};
use datafusion::scalar::ScalarValue;
use datafusion::sql::sqlparser::ast::{Expr, visit_expressions};

use super::{Engine, EngineError, EngineResult, StatementResult};
use crate::catalog::Source;
use crate::catalog::schema::{Column, ColumnKind};
use crate::catalog::types::SqlType;
use crate::format::{json_to_scalar, scalar_to_json};
use crate::log::Record;
use crate::log::partitioner::Partitioner;
use crate::plan::PlanError;
use crate::plan::expr::RowScope;
use crate::plan::select::{ROWOFFSET, ROWPARTITION, ROWTIME};
use crate::runtime::offsets::now_millis;
use crate::sql::ast::SourceKind;

pub fn insert_values(
    engine: &Arc<Engine>,
    target: &str,
    columns: Option<&[String]>,
    values: &[Expr],
) -> EngineResult<StatementResult> {
    let source = writable_source(engine, target)?;
    let row = values_row(engine, &source, columns, values)?;
    write_row(engine, &source, &row.columns, row.rowtime)?;
    Ok(StatementResult::Status {
        message: String::new(),
        query_id: None,
    })
}

/// A VALUES row checked against its source: each named column with its value cast to the
/// column's type, and the ROWTIME it names, if any.
pub struct ValuesRow<'a> {
    pub columns: Vec<(&'a Column, ScalarValue)>,
    pub rowtime: Option<i64>,
}

/// Evaluates the VALUES of `columns` (every column when `None`) of `source`, as INSERT
/// VALUES does: constants only, each coerced to its column's type.
pub fn values_row<'a>(
    engine: &Engine,
    source: &'a Source,
    columns: Option<&[String]>,
    values: &[Expr],
) -> EngineResult<ValuesRow<'a>> {
    let names: Vec<String> = match columns {
        Some(names) => names.to_vec(),
        // ksqlDB: every column, header columns too (which are then refused).
        None => source
            .schema
            .columns
            .iter()
            .map(|c| c.name.clone())
            .collect(),
    };
    if names.len() != values.len() {
        return Err(PlanError::invalid(format!(
            "Failed to prepare statement: Expected number columns and values to match: {}, {}",
            names.len(),
            values.len()
        ))
        .into());
    }
    let mut timestamp = None;
    let mut assigned: Vec<(&Column, ScalarValue)> = Vec::new();
    for (name, expr) in names.iter().zip(values) {
        let value = constant(engine, expr)?;
        if name == ROWTIME {
            let cast = value
                .cast_to(&datafusion::arrow::datatypes::DataType::Int64)
                .map_err(|e| PlanError::invalid(format!("Expected ROWTIME to be a BIGINT: {e}")))?;
            timestamp = match cast {
                ScalarValue::Int64(v) => v,
                _ => None,
            };
            continue;
        }
        if name == ROWPARTITION || name == ROWOFFSET {
            return Err(PlanError::invalid(format!(
                "Inserting into column `{name}` is not allowed."
            ))
            .into());
        }
        let column = source
            .schema
            .find(name)
            .ok_or_else(|| PlanError::invalid(format!("Column name `{name}` does not exist.")))?;
        if matches!(column.kind, ColumnKind::Header(_)) {
            return Err(
                PlanError::invalid(format!("Cannot insert into HEADER columns: {name}")).into(),
            );
        }
        let cast = coerce(&value, &column.ty).ok_or_else(|| {
            PlanError::invalid(format!(
                "Expected type {} for field {name} but got {expr}",
                column.ty
            ))
        })?;
        assigned.push((column, cast));
    }
    Ok(ValuesRow {
        columns: assigned,
        rowtime: timestamp,
    })
}

/// Inserts rows given as JSON objects by column name (`/inserts-stream`); returns each
/// row's outcome, in order. The rows that encode are appended together, one append per
/// partition, so that a request of many rows wakes the topic's readers once, not once per
/// row; an outcome is `Ok` only once its row is in the log.
pub fn insert_json_rows(
    engine: &Arc<Engine>,
    target: &str,
    rows: Vec<Result<serde_json::Map<String, serde_json::Value>, String>>,
) -> Vec<Result<(), String>> {
    let source = match writable_source(engine, target) {
        Ok(source) => source,
        Err(e) => return rows.iter().map(|_| Err(e.to_string())).collect(),
    };
    let mut outcomes = Vec::with_capacity(rows.len());
    let mut by_partition: BTreeMap<u32, (Vec<usize>, Vec<Record>)> = BTreeMap::new();
    for (index, row) in rows.into_iter().enumerate() {
        let encoded = row.and_then(|row| {
            json_row_values(&source, &row)
                .and_then(|(assigned, timestamp)| encode_row(engine, &source, &assigned, timestamp))
                .map_err(|e| e.to_string())
        });
        match encoded {
            Ok((partition, record)) => {
                let (indexes, records) = by_partition.entry(partition).or_default();
                indexes.push(index);
                records.push(record);
                outcomes.push(Ok(()));
            }
            Err(message) => outcomes.push(Err(message)),
        }
    }
    for (partition, (indexes, records)) in by_partition {
        if let Err(e) = engine.log.append(&source.topic, partition, records, None) {
            for index in indexes {
                outcomes[index] = Err(e.to_string());
            }
        }
    }
    outcomes
}

/// Values to write, by the column each goes to.
type AssignedValues<'a> = Vec<(&'a Column, ScalarValue)>;

/// A JSON row's values by column, and its ROWTIME if it gives one.
fn json_row_values<'a>(
    source: &'a Source,
    row: &serde_json::Map<String, serde_json::Value>,
) -> EngineResult<(AssignedValues<'a>, Option<i64>)> {
    let mut timestamp = None;
    let mut assigned: Vec<(&Column, ScalarValue)> = Vec::new();
    for (name, json) in row {
        let upper = name.to_uppercase();
        if upper == ROWTIME {
            timestamp = json.as_i64();
            if timestamp.is_none() && !json.is_null() {
                return Err(PlanError::invalid(format!(
                    "Expected ROWTIME to be a BIGINT, got {json}"
                ))
                .into());
            }
            continue;
        }
        let column = source
            .schema
            .columns
            .iter()
            .find(|c| c.name == upper || c.name == *name)
            .filter(|c| matches!(c.kind, ColumnKind::Key | ColumnKind::Value))
            .ok_or_else(|| PlanError::invalid(format!("Column name `{name}` does not exist.")))?;
        let value = json_to_scalar(json, &column.ty).map_err(|e| {
            PlanError::invalid(format!(
                "Expected type {} for field {} but got {json}: {e}",
                column.ty, column.name
            ))
        })?;
        assigned.push((column, value));
    }
    Ok((assigned, timestamp))
}

/// The source an insert may write into, or ksqlDB's error.
fn writable_source(engine: &Engine, target: &str) -> EngineResult<Source> {
    let source = engine.catalog().source(target).cloned().ok_or_else(|| {
        PlanError::invalid(format!(
            "Cannot insert values into an unknown stream/table: {target}"
        ))
    })?;
    if source.is_source {
        return Err(PlanError::invalid(format!(
            "Cannot insert values into read-only {}: {target}",
            if source.kind == SourceKind::Table {
                "table"
            } else {
                "stream"
            }
        ))
        .into());
    }
    Ok(source)
}

/// Encodes a row of assigned columns (the others null) and appends it to the source's
/// topic, in the partition its key hashes to.
fn write_row(
    engine: &Engine,
    source: &Source,
    assigned: &[(&Column, ScalarValue)],
    timestamp: Option<i64>,
) -> EngineResult<()> {
    let (partition, record) = encode_row(engine, source, assigned, timestamp)?;
    engine
        .log
        .append(&source.topic, partition, vec![record], None)?;
    Ok(())
}

/// A row as the record its source's formats make of it, and the partition it goes to.
fn encode_row(
    engine: &Engine,
    source: &Source,
    assigned: &[(&Column, ScalarValue)],
    timestamp: Option<i64>,
) -> EngineResult<(u32, Record)> {
    let row_of = |kind: ColumnKind| -> EngineResult<(Vec<Column>, Vec<ScalarValue>)> {
        let cols: Vec<Column> = source
            .schema
            .columns
            .iter()
            .filter(|c| c.kind == kind)
            .cloned()
            .collect();
        let vals = cols
            .iter()
            .map(|c| match assigned.iter().find(|(a, _)| a.name == c.name) {
                Some((_, v)) => Ok(v.clone()),
                None => ScalarValue::try_from(&c.ty.to_arrow())
                    .map_err(|e| EngineError::Statement(e.to_string())),
            })
            .collect::<EngineResult<Vec<_>>>()?;
        Ok((cols, vals))
    };
    let (key_columns, key_values) = row_of(ColumnKind::Key)?;
    let (value_columns, value_values) = row_of(ColumnKind::Value)?;
    let key = if key_columns.is_empty() || key_values.iter().all(ScalarValue::is_null) {
        None
    } else {
        source.key_format.encode(&key_values, &key_columns)?
    };
    let value = source.value_format.encode(&value_values, &value_columns)?;
    let partitions = engine
        .log
        .topic_config(&source.topic)
        .map(|c| c.partitions)
        .ok_or_else(|| crate::log::LogError::UnknownTopic(source.topic.clone()))?;
    let partition = Partitioner::new().partition(key.as_deref(), partitions)?;
    Ok((
        partition,
        Record {
            key: key.map(Bytes::from),
            value: value.map(Bytes::from),
            timestamp: timestamp.unwrap_or_else(now_millis),
            headers: Vec::new(),
        },
    ))
}

/// Evaluates an expression that references no column.
fn constant(engine: &Engine, expr: &Expr) -> EngineResult<ScalarValue> {
    Ok(typed_constant(engine, expr)?.map_or(ScalarValue::Null, |(value, _)| value))
}

/// `value` as a value of `ty`: cast, or, for a STRUCT, field by field by name (a field the
/// value lacks is NULL, as ksqlDB fills a struct literal in).
fn coerce(value: &ScalarValue, ty: &SqlType) -> Option<ScalarValue> {
    if let Ok(cast) = value.cast_to(&ty.to_arrow()) {
        return Some(cast);
    }
    let (ScalarValue::Struct(_), SqlType::Struct(_)) = (value, ty) else {
        return None;
    };
    let json = scalar_to_json(value, &SqlType::from_arrow(&value.data_type())?).ok()?;
    json_to_scalar(&json, ty).ok()
}

/// ksqlDB's parser refuses a qualified column in VALUES, where no source is in scope, while
/// it prepares the statement.
fn check_unqualified(expr: &Expr) -> Result<(), PlanError> {
    let qualified = visit_expressions(expr, |e| match e {
        Expr::CompoundIdentifier(parts) if parts.len() > 1 => {
            let qualifier = &parts[0];
            ControlFlow::Break(match qualifier.quote_style {
                Some(_) => qualifier.value.clone(),
                None => qualifier.value.to_uppercase(),
            })
        }
        _ => ControlFlow::Continue(()),
    });
    match qualified {
        ControlFlow::Break(qualifier) => Err(PlanError::invalid(format!(
            "Failed to prepare statement: '{qualifier}' is not a valid stream/table name or alias."
        ))),
        ControlFlow::Continue(()) => Ok(()),
    }
}

/// Evaluates an expression that references no column, with its type; `None` for a bare
/// NULL, which has none.
pub(super) fn typed_constant(
    engine: &Engine,
    expr: &Expr,
) -> Result<Option<(ScalarValue, SqlType)>, PlanError> {
    if let Expr::Value(value) = expr
        && matches!(value.value, datafusion::sql::sqlparser::ast::Value::Null)
    {
        return Ok(None);
    }
    check_unqualified(expr)?;
    let schema = Schema::empty();
    let scope = RowScope {
        schema: &schema,
        qualifier: "",
    };
    let planned = engine.planner.plan(expr, &scope, "VALUES")?;
    let batch = RecordBatch::try_new_with_options(
        Arc::new(schema.clone()),
        vec![],
        &RecordBatchOptions::new().with_row_count(Some(1)),
    )
    .map_err(|e| PlanError::invalid(e.to_string()))?;
    let value = planned
        .physical
        .evaluate(&batch)
        .and_then(|v| v.into_array(1))
        .and_then(|a| ScalarValue::try_from_array(&a, 0))
        .map_err(|e| PlanError::invalid(format!("Failed to evaluate {expr}: {e}")))?;
    Ok(Some((value, planned.sql_type)))
}
