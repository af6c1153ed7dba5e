//! Table functions (EXPLODE, CUBE_EXPLODE): each input row becomes one row per element its
//! table functions return, ahead of the projection.
//!
//! ksqlDB: several table functions in one SELECT are zipped: a row yields as many rows as
//! the longest result, and the shorter ones give NULL past their end. A NULL or empty
//! array yields no row. The planner (`plan::table_function`) decides which calls run and
//! plans the projection over the rows this operator produces: the input columns, then
//! one column per call.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, ListArray, UInt32Array};
use datafusion::arrow::buffer::OffsetBuffer;
use datafusion::arrow::compute::{take, take_arrays};
use datafusion::arrow::datatypes::{DataType, Field, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::physical_expr::PhysicalExpr;

use super::project::{evaluate_lenient, row_error};
use super::record_headers;
use super::{ExecError, ExecResult, Operator, RecordError};

/// ksqlDB's built-in table functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFunctionKind {
    /// EXPLODE(ARRAY<T>) → T: one row per item.
    Explode,
    /// CUBE_EXPLODE(ARRAY<T>) → ARRAY<T>: one row per combination of the items with NULLs.
    CubeExplode,
}

impl TableFunctionKind {
    /// The table function called `name` (any case), if one is.
    pub fn named(name: &str) -> Option<Self> {
        match name.to_lowercase().as_str() {
            "explode" => Some(TableFunctionKind::Explode),
            "cube_explode" => Some(TableFunctionKind::CubeExplode),
            _ => None,
        }
    }

    /// The function's name as ksqlDB prints it in errors.
    pub fn name(self) -> &'static str {
        match self {
            TableFunctionKind::Explode => "explode",
            TableFunctionKind::CubeExplode => "cube_explode",
        }
    }

    /// The overloads ksqlDB lists when a call matches none.
    pub fn signatures(self) -> &'static str {
        match self {
            TableFunctionKind::Explode => "explode(ARRAY<DECIMAL> input)\nexplode(ARRAY<T> list)",
            TableFunctionKind::CubeExplode => "cube_explode(ARRAY<T> columns)",
        }
    }
}

/// One table function call: which function, and its argument over the input row.
#[derive(Clone)]
pub struct TableFunctionCall {
    pub kind: TableFunctionKind,
    pub arg: Arc<dyn PhysicalExpr>,
}

pub struct TableFunction {
    /// The calls, in the order of their output columns.
    calls: Vec<TableFunctionCall>,
    /// The input columns, then one column per call.
    schema: SchemaRef,
}

impl TableFunction {
    pub fn new(calls: Vec<TableFunctionCall>, schema: SchemaRef) -> Self {
        TableFunction { calls, schema }
    }
}

/// The values of one call for a batch: per input row, a range of `values`.
struct CallResult {
    offsets: Vec<usize>,
    values: ArrayRef,
}

impl CallResult {
    fn len(&self, row: usize) -> usize {
        self.offsets[row + 1] - self.offsets[row]
    }
}

/// The rows of `batch` repeated per element of `results`, zipped, then the elements.
fn zip_rows(
    batch: &RecordBatch,
    results: &[CallResult],
    schema: &SchemaRef,
) -> ExecResult<RecordBatch> {
    let mut rows = Vec::new();
    let mut positions: Vec<Vec<Option<u32>>> = vec![Vec::new(); results.len()];
    for row in 0..batch.num_rows() {
        let count = results.iter().map(|r| r.len(row)).max().unwrap_or(0);
        for n in 0..count {
            rows.push(row as u32);
            for (result, positions) in results.iter().zip(positions.iter_mut()) {
                positions.push((n < result.len(row)).then(|| (result.offsets[row] + n) as u32));
            }
        }
    }
    let mut columns = take_arrays(batch.columns(), &UInt32Array::from(rows), None)?;
    for (result, positions) in results.iter().zip(positions) {
        columns.push(take(&result.values, &UInt32Array::from(positions), None)?);
    }
    Ok(RecordBatch::try_new(schema.clone(), columns)?)
}

/// The items of each row of an ARRAY column; a NULL array has none.
fn explode(array: &ArrayRef) -> ExecResult<CallResult> {
    let list = array
        .as_list_opt::<i32>()
        .ok_or_else(|| ExecError::Internal(format!("EXPLODE of {}", array.data_type())))?;
    let mut offsets = Vec::with_capacity(list.len() + 1);
    let mut indices = Vec::new();
    offsets.push(0);
    for row in 0..list.len() {
        if list.is_valid(row) {
            let (start, end) = (list.offsets()[row] as u32, list.offsets()[row + 1] as u32);
            indices.extend(start..end);
        }
        offsets.push(indices.len());
    }
    let values = take(list.values(), &UInt32Array::from(indices), None)?;
    Ok(CallResult { offsets, values })
}

/// ksqlDB: the most items CUBE_EXPLODE combines (2^20 rows for one input row already).
const CUBE_MAX_ITEMS: usize = 20;

/// Every combination of each row's items with NULLs, from all NULL to all items, the
/// first item varying slowest. ksqlDB: a NULL item gives each combination once, not once
/// with the item and once without. A row with too many items gives no row and an error
/// (its row index and message) in `failures`.
fn cube(array: &ArrayRef, failures: &mut Vec<(usize, String)>) -> ExecResult<CallResult> {
    let list = array
        .as_list_opt::<i32>()
        .ok_or_else(|| ExecError::Internal(format!("CUBE_EXPLODE of {}", array.data_type())))?;
    let items = list.values();
    let mut offsets = vec![0];
    let mut lengths = Vec::new();
    let mut indices: Vec<Option<u32>> = Vec::new();
    for row in 0..list.len() {
        if list.is_valid(row) {
            let start = list.offsets()[row] as usize;
            let n = list.offsets()[row + 1] as usize - start;
            if n > CUBE_MAX_ITEMS {
                failures.push((
                    row,
                    format!(
                        "CUBE_EXPLODE input size ({n}) exceeds the maximum of {CUBE_MAX_ITEMS} columns. The output cardinality is 2^N rows and would exhaust server memory."
                    ),
                ));
                offsets.push(lengths.len());
                continue;
            }
            for mask in 0u32..(1 << n) {
                let kept = |j: usize| mask >> (n - 1 - j) & 1 == 1;
                if (0..n).any(|j| kept(j) && items.is_null(start + j)) {
                    continue;
                }
                indices.extend((0..n).map(|j| kept(j).then_some((start + j) as u32)));
                lengths.push(n);
            }
        }
        offsets.push(lengths.len());
    }
    let values = take(items, &UInt32Array::from(indices), None)?;
    let field = match list.data_type() {
        DataType::List(field) => field.clone(),
        _ => Arc::new(Field::new("item", values.data_type().clone(), true)),
    };
    let combinations =
        ListArray::try_new(field, OffsetBuffer::from_lengths(lengths), values, None)?;
    Ok(CallResult {
        offsets,
        values: Arc::new(combinations),
    })
}

impl Operator for TableFunction {
    fn on_batch(
        &mut self,
        batch: RecordBatch,
        errors: &mut Vec<RecordError>,
    ) -> ExecResult<Option<RecordBatch>> {
        // One input row becomes several: headers do not follow.
        let (batch, _) = record_headers::detach(batch)?;
        let mut results = Vec::with_capacity(self.calls.len());
        let mut failures = Vec::new();
        for call in &self.calls {
            let array = evaluate_lenient(&call.arg, &batch, errors)?;
            results.push(match call.kind {
                TableFunctionKind::Explode => explode(&array)?,
                TableFunctionKind::CubeExplode => cube(&array, &mut failures)?,
            });
        }
        errors.extend(
            failures
                .into_iter()
                .map(|(row, message)| row_error(&batch, row, message)),
        );
        let out = zip_rows(&batch, &results, &self.schema)?;
        Ok((out.num_rows() > 0).then_some(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{Int64Array, Int64Builder, ListBuilder};
    use datafusion::arrow::datatypes::Schema;
    use datafusion::physical_expr::expressions::col;

    fn lists(rows: Vec<Option<Vec<Option<i64>>>>) -> ArrayRef {
        let mut builder = ListBuilder::new(Int64Builder::new());
        for row in rows {
            match row {
                Some(items) => {
                    for item in items {
                        builder.values().append_option(item);
                    }
                    builder.append(true);
                }
                None => builder.append(false),
            }
        }
        Arc::new(builder.finish())
    }

    fn int64s(array: &ArrayRef) -> Vec<Option<i64>> {
        array
            .as_primitive::<datafusion::arrow::datatypes::Int64Type>()
            .iter()
            .collect()
    }

    #[test]
    fn zips_several_calls_longest_first() {
        let a = lists(vec![Some(vec![Some(1), Some(2)]), None, Some(vec![])]);
        let b = lists(vec![
            Some(vec![Some(10), Some(11), Some(12)]),
            Some(vec![Some(20)]),
            None,
        ]);
        let id: ArrayRef = Arc::new(Int64Array::from(vec![100, 200, 300]));
        let input = RecordBatch::try_from_iter(vec![("ID", id), ("A", a), ("B", b)]).unwrap();
        let schema = Arc::new(Schema::new(vec![
            input.schema().field(0).clone(),
            input.schema().field(1).clone(),
            input.schema().field(2).clone(),
            Field::new("$TF_0", DataType::Int64, true),
            Field::new("$TF_1", DataType::Int64, true),
        ]));
        let calls = ["A", "B"]
            .iter()
            .map(|name| TableFunctionCall {
                kind: TableFunctionKind::Explode,
                arg: col(name, &input.schema()).unwrap(),
            })
            .collect();
        let out = TableFunction::new(calls, schema)
            .on_batch(input, &mut Vec::new())
            .unwrap()
            .unwrap();
        assert_eq!(
            int64s(out.column(0)),
            vec![Some(100), Some(100), Some(100), Some(200)]
        );
        assert_eq!(int64s(out.column(3)), vec![Some(1), Some(2), None, None]);
        assert_eq!(
            int64s(out.column(4)),
            vec![Some(10), Some(11), Some(12), Some(20)]
        );
    }

    #[test]
    fn cube_refuses_rows_with_too_many_items() {
        let input = lists(vec![Some(vec![Some(1); 21]), Some(vec![Some(1)])]);
        let mut failures = Vec::new();
        let result = cube(&input, &mut failures).unwrap();
        assert_eq!(result.offsets, vec![0, 0, 2]);
        assert_eq!(failures.len(), 1);
        assert_eq!(failures[0].0, 0);
    }

    #[test]
    fn cube_gives_each_combination_once() {
        let input = lists(vec![
            Some(vec![Some(1), Some(2)]),
            Some(vec![Some(3), None]),
        ]);
        let result = cube(&input, &mut Vec::new()).unwrap();
        assert_eq!(result.offsets, vec![0, 4, 6]);
        let combos = result.values.as_list::<i32>();
        let rows: Vec<Vec<Option<i64>>> = (0..combos.len())
            .map(|i| int64s(&combos.value(i)))
            .collect();
        assert_eq!(
            rows,
            vec![
                vec![None, None],
                vec![None, Some(2)],
                vec![Some(1), None],
                vec![Some(1), Some(2)],
                vec![None, None],
                vec![Some(3), None],
            ]
        );
    }
}
