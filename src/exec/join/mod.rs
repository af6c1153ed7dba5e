//! JOIN: combines the rows of several inputs into joined rows, one join step per source
//! after the first, as `plan::join` chains them.
//!
//! Input 0 feeds the first step's left side; input `i` (i ≥ 1) feeds step `i - 1`'s right
//! side; each step's output feeds the next step's left side, unless that step reads its
//! left rows back from a repartition topic (`plan::repartition`): the rows are then handed
//! out to be written there, and come back as one more input, after the sources, that feeds
//! the step's left side. Which rows a step emits, and
//! when, depends on what it joins: `stream_stream` (windowed), `stream_table` (lookups)
//! or `table_table` (changelogs). Rows are handled one at a time, as Kafka Streams does,
//! because what a row emits depends on the state every earlier row left behind.

mod foreign_key;
mod stream_stream;
mod stream_table;
mod table_table;

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, Int64Array, StructArray, UInt32Array,
};
use datafusion::arrow::compute::take;
use datafusion::arrow::datatypes::{DataType, Field, Fields, Int32Type, Int64Type, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::physical_expr::PhysicalExpr;
use datafusion::scalar::ScalarValue;

use super::record_headers::{self, RECORD_HEADERS};
use super::{ExecError, ExecResult, RecordError};
use crate::plan::join::{JoinStep, SideKind};
use crate::plan::select::{ROWOFFSET, ROWPARTITION, ROWTIME, TOMBSTONE, WINDOWEND, WINDOWSTART};
use crate::sql::ast::JoinKind;
use foreign_key::ForeignKeyJoin;
use stream_stream::StreamStreamJoin;
use stream_table::StreamTableJoin;
use table_table::TableTableJoin;

/// The whole join chain of a query.
pub struct Join {
    steps: Vec<Step>,
    /// The steps whose left rows come back from a repartition topic, each as input
    /// `steps.len() + 1 + i`.
    repartitioned_steps: Vec<usize>,
}

/// What one batch of an input led to.
#[derive(Debug)]
pub enum Joined {
    /// The last step's rows; none when nothing matched.
    Rows(Option<RecordBatch>),
    /// The rows of the steps before `step`, to be written to the repartition topic `step`
    /// reads its left rows from.
    Repartition { step: usize, rows: RecordBatch },
}

/// One step: its plan and the state its kind of join keeps.
struct Step {
    plan: JoinStep,
    state: StepState,
}

enum StepState {
    StreamStream(StreamStreamJoin),
    StreamTable(StreamTableJoin),
    TableTable(TableTableJoin),
    ForeignKey(ForeignKeyJoin),
}

/// Which side of a step a row arrived on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Side {
    Left,
    Right,
}

/// One input row of a step, decoded out of its batch.
#[derive(Debug, Clone)]
pub struct SideRow {
    pub timestamp: i64,
    pub partition: i32,
    pub offset: i64,
    /// Null when the join expression evaluated to null.
    pub key: ScalarValue,
    /// The side's data columns, in output order.
    pub values: Vec<ScalarValue>,
    /// The record's value was null: a delete for a table.
    pub tombstone: bool,
}

/// One row a step emits.
#[derive(Debug, Clone)]
pub struct JoinedRow {
    pub timestamp: i64,
    pub partition: i32,
    pub offset: i64,
    pub key: ScalarValue,
    /// `None` pads the side with nulls.
    pub left: Option<Vec<ScalarValue>>,
    pub right: Option<Vec<ScalarValue>>,
    /// A delete of the key (table joins).
    pub tombstone: bool,
}

impl JoinedRow {
    /// The joined row of `row` arriving on `side` with `other` from the other side, at
    /// the given time; positions are those of the triggering row.
    fn of(side: Side, row: &SideRow, other: Option<&[ScalarValue]>, timestamp: i64) -> Self {
        let (left, right) = match side {
            Side::Left => (Some(row.values.clone()), other.map(<[_]>::to_vec)),
            Side::Right => (other.map(<[_]>::to_vec), Some(row.values.clone())),
        };
        JoinedRow {
            timestamp,
            partition: row.partition,
            offset: row.offset,
            key: row.key.clone(),
            left,
            right,
            tombstone: false,
        }
    }

    /// A delete of `row`'s key.
    fn tombstone(row: &SideRow, timestamp: i64) -> Self {
        JoinedRow {
            timestamp,
            partition: row.partition,
            offset: row.offset,
            key: row.key.clone(),
            left: None,
            right: None,
            tombstone: true,
        }
    }
}

impl Join {
    pub fn new(steps: Vec<JoinStep>) -> Self {
        let steps = steps
            .into_iter()
            .map(|plan| {
                let state = match (plan.left_kind, plan.right_kind) {
                    _ if plan.foreign_key.is_some() => StepState::ForeignKey(ForeignKeyJoin::new(
                        plan.join_type,
                        plan.foreign_key.clone().unwrap_or_default(),
                    )),
                    (SideKind::Stream, SideKind::Stream) => {
                        let window = plan.window.expect("stream-stream joins are windowed");
                        StepState::StreamStream(StreamStreamJoin::new(plan.join_type, window))
                    }
                    (SideKind::Stream, SideKind::Table) => {
                        StepState::StreamTable(StreamTableJoin::new(plan.join_type))
                    }
                    _ => StepState::TableTable(TableTableJoin::new(plan.join_type)),
                };
                Step { plan, state }
            })
            .collect();
        Join {
            steps,
            repartitioned_steps: Vec::new(),
        }
    }

    /// Makes `step` read its left rows from a repartition topic; returns the input that
    /// brings them.
    pub fn read_left_through_repartition(&mut self, step: usize) -> usize {
        self.repartitioned_steps.push(step);
        self.steps.len() + self.repartitioned_steps.len()
    }

    /// Runs a batch of input `input` through the chain, up to its end or to the first step
    /// that reads its left rows from a repartition topic.
    pub fn on_input(
        &mut self,
        input: usize,
        batch: RecordBatch,
        errors: &mut Vec<RecordError>,
    ) -> ExecResult<Joined> {
        let sources = self.steps.len() + 1;
        let (first, side) = match input {
            0 => (0, Side::Left),
            i if i < sources => (i - 1, Side::Right),
            i => (self.repartitioned_steps[i - sources], Side::Left),
        };
        let mut current = self.steps[first].on_batch(side, &batch, errors)?;
        for step in first + 1..self.steps.len() {
            let Some(rows) = current else {
                return Ok(Joined::Rows(None));
            };
            if self.repartitioned_steps.contains(&step) {
                return Ok(Joined::Repartition { step, rows });
            }
            current = self.steps[step].on_batch(Side::Left, &rows, errors)?;
        }
        Ok(Joined::Rows(current))
    }
}

impl Step {
    fn on_batch(
        &mut self,
        side: Side,
        batch: &RecordBatch,
        _errors: &mut Vec<RecordError>,
    ) -> ExecResult<Option<RecordBatch>> {
        let (key, columns) = match side {
            Side::Left => (&self.plan.left_key, &self.plan.left_columns),
            Side::Right => (&self.plan.right_key, &self.plan.right_columns),
        };
        let mut rows = side_rows(batch, key, columns)?;
        if let Some(left_bounds) = &self.plan.windowed {
            let source_bounds = [(WINDOWSTART.to_string(), WINDOWEND.to_string())];
            let bounds = match side {
                Side::Left => left_bounds.as_slice(),
                Side::Right => &source_bounds,
            };
            in_windows(&mut rows, batch, bounds)?;
        }
        let headers = batch.column_by_name(RECORD_HEADERS);
        let mut out = Vec::new();
        // The input row each output row came from: its headers are the output's, as Kafka
        // Streams forwards the current record's.
        let mut sources: Vec<u32> = Vec::new();
        for (index, row) in rows.into_iter().enumerate() {
            match &mut self.state {
                StepState::StreamStream(join) => join.on_row(side, row, &mut out),
                StepState::StreamTable(join) => join.on_row(side, row, &mut out),
                StepState::TableTable(join) => join.on_row(side, row, &mut out),
                StepState::ForeignKey(join) => join.on_row(side, row, &mut out),
            }
            if headers.is_some() {
                sources.resize(out.len(), index as u32);
            }
        }
        if out.is_empty() {
            return Ok(None);
        }
        if self.plan.windowed.is_some() {
            for row in &mut out {
                row.key = key_of_windowed(&row.key)?;
            }
        }
        let joined = joined_batch(&self.plan.output_schema, &out, self.plan.left_columns.len())?;
        match headers {
            Some(headers) => {
                let taken = take(headers, &UInt32Array::from(sources), None)?;
                record_headers::reattach(joined, taken).map(Some)
            }
            None => Ok(Some(joined)),
        }
    }
}

/// Splits a batch into rows with their join keys.
fn side_rows(
    batch: &RecordBatch,
    key: &Arc<dyn PhysicalExpr>,
    columns: &[usize],
) -> ExecResult<Vec<SideRow>> {
    let keys = key.evaluate(batch)?.into_array(batch.num_rows())?;
    let column = |name: &str| {
        batch
            .column_by_name(name)
            .cloned()
            .ok_or_else(|| ExecError::Internal(format!("join input without {name}")))
    };
    let timestamps = column(ROWTIME)?;
    let timestamps = timestamps.as_primitive::<Int64Type>();
    let partitions = column(ROWPARTITION)?;
    let partitions = partitions.as_primitive::<Int32Type>();
    let offsets = column(ROWOFFSET)?;
    let offsets = offsets.as_primitive::<Int64Type>();
    let tombstones = column(TOMBSTONE)?;
    let tombstones = tombstones.as_boolean();
    let mut rows = Vec::with_capacity(batch.num_rows());
    for row in 0..batch.num_rows() {
        let values = columns
            .iter()
            .map(|&c| ScalarValue::try_from_array(batch.column(c), row))
            .collect::<Result<Vec<_>, _>>()?;
        rows.push(SideRow {
            timestamp: timestamps.value(row),
            partition: partitions.value(row),
            offset: offsets.value(row),
            key: ScalarValue::try_from_array(&keys, row)?,
            values,
            tombstone: tombstones.value(row),
        });
    }
    Ok(rows)
}

/// Makes each row's join key its key and its window's bounds, so that rows of windowed
/// sources match only within one window. The bounds are the batch's first pair of
/// `bounds` fields (WINDOWSTART, WINDOWEND) that is not null in the row. A null key stays
/// null: it matches nothing.
fn in_windows(
    rows: &mut [SideRow],
    batch: &RecordBatch,
    bounds: &[(String, String)],
) -> ExecResult<()> {
    let bound = |name: &str| {
        batch
            .column_by_name(name)
            .and_then(|c| c.as_primitive_opt::<Int64Type>().cloned())
            .ok_or_else(|| ExecError::Internal(format!("windowed join input without {name}")))
    };
    let pairs = bounds
        .iter()
        .map(|(start, end)| Ok((bound(start)?, bound(end)?)))
        .collect::<ExecResult<Vec<_>>>()?;
    for (index, row) in rows.iter_mut().enumerate() {
        if row.key.is_null() {
            continue;
        }
        let Some((starts, ends)) = pairs.iter().find(|(starts, _)| starts.is_valid(index)) else {
            continue;
        };
        let (start, end) = (starts.value(index), ends.value(index));
        let fields = Fields::from(vec![
            Field::new("key", row.key.data_type(), true),
            Field::new("start", DataType::Int64, false),
            Field::new("end", DataType::Int64, false),
        ]);
        let columns: Vec<ArrayRef> = vec![
            row.key.to_array()?,
            Arc::new(Int64Array::from(vec![start])),
            Arc::new(Int64Array::from(vec![end])),
        ];
        row.key = ScalarValue::Struct(Arc::new(StructArray::try_new(fields, columns, None)?));
    }
    Ok(())
}

/// The key a windowed row's join key (`in_windows`) was made from.
fn key_of_windowed(key: &ScalarValue) -> ExecResult<ScalarValue> {
    match key {
        ScalarValue::Struct(array) => Ok(ScalarValue::try_from_array(array.column(0), 0)?),
        other => Ok(other.clone()),
    }
}

/// Builds a step's output batch: pseudo columns, key, left columns, right columns, flag.
fn joined_batch(
    schema: &SchemaRef,
    rows: &[JoinedRow],
    left_width: usize,
) -> ExecResult<RecordBatch> {
    let fields = schema.fields();
    // ROWTIME, ROWPARTITION, ROWOFFSET, key, data…, tombstone
    let data_width = fields.len() - 5;
    let mut arrays: Vec<ArrayRef> = Vec::with_capacity(fields.len());
    arrays.push(ScalarValue::iter_to_array(
        rows.iter().map(|r| ScalarValue::Int64(Some(r.timestamp))),
    )?);
    arrays.push(ScalarValue::iter_to_array(
        rows.iter().map(|r| ScalarValue::Int32(Some(r.partition))),
    )?);
    arrays.push(ScalarValue::iter_to_array(
        rows.iter().map(|r| ScalarValue::Int64(Some(r.offset))),
    )?);
    arrays.push(column_array(
        fields[3].data_type(),
        rows.iter().map(|r| Some(&r.key)),
    )?);
    for i in 0..data_width {
        let data_type = fields[4 + i].data_type();
        let values = rows.iter().map(|r| {
            let (side, index) = if i < left_width {
                (&r.left, i)
            } else {
                (&r.right, i - left_width)
            };
            side.as_ref().map(|values| &values[index])
        });
        arrays.push(column_array(data_type, values)?);
    }
    arrays.push(Arc::new(BooleanArray::from(
        rows.iter().map(|r| r.tombstone).collect::<Vec<_>>(),
    )));
    Ok(RecordBatch::try_new(schema.clone(), arrays)?)
}

/// One column from optional cells; `None` is a null of the column's type.
fn column_array<'a>(
    data_type: &datafusion::arrow::datatypes::DataType,
    cells: impl Iterator<Item = Option<&'a ScalarValue>>,
) -> ExecResult<ArrayRef> {
    let null = ScalarValue::try_from(data_type)?;
    let cells: Vec<ScalarValue> = cells
        .map(|c| match c {
            Some(value) if !value.is_null() => value.clone(),
            _ => null.clone(),
        })
        .collect();
    if cells.is_empty() {
        return Ok(datafusion::arrow::array::new_empty_array(data_type));
    }
    let array = ScalarValue::iter_to_array(cells)?;
    if array.data_type() == data_type {
        Ok(array)
    } else {
        Ok(datafusion::arrow::compute::cast(&array, data_type)?)
    }
}

/// Whether a join type emits a row of `side` that found no match.
fn keeps_unmatched(join_type: JoinKind, side: Side) -> bool {
    matches!(
        (join_type, side),
        (JoinKind::Full, _) | (JoinKind::Left, Side::Left) | (JoinKind::Right, Side::Right)
    )
}
