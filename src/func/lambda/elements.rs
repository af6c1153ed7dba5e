//! The elements of an ARRAY or MAP column laid out for a lambda: the elements of every
//! non-null row side by side, with the row each came from, and the way back to a column
//! of the same kind once the lambda has run.
//!
//! A lambda body is an ordinary expression evaluated once over all elements of a batch;
//! the columns it captures from the row are repeated per element through `rows`.

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, ListArray, MapArray, StructArray, UInt32Array,
};
use datafusion::arrow::buffer::{NullBuffer, OffsetBuffer};
use datafusion::arrow::compute::{cast, take, take_arrays};
use datafusion::arrow::datatypes::{DataType, Field, Fields};
use datafusion::common::{Result, exec_err, plan_err};
use datafusion::logical_expr::LambdaArgument;

use crate::catalog::types::SqlType;

/// A collection column flattened into its elements.
pub struct Elements {
    /// Per input row, where its elements are in `values`; a NULL row has none.
    pub offsets: OffsetBuffer<i32>,
    /// The NULL rows of the input.
    pub nulls: Option<NullBuffer>,
    /// The input row of each element.
    pub rows: UInt32Array,
    /// The items of an ARRAY, or the keys then the values of a MAP.
    pub values: Vec<ArrayRef>,
}

impl Elements {
    /// The elements of `collection`, an ARRAY or a MAP column.
    pub fn of(collection: &ArrayRef) -> Result<Elements> {
        let (offsets, children): (&OffsetBuffer<i32>, Vec<ArrayRef>) = match collection.data_type()
        {
            DataType::List(_) => {
                let list = collection.as_list::<i32>();
                (list.offsets(), vec![list.values().clone()])
            }
            DataType::Map(_, _) => {
                let map = collection.as_map();
                (
                    map.offsets(),
                    vec![map.keys().clone(), map.values().clone()],
                )
            }
            other => return exec_err!("expected an ARRAY or a MAP, got {other}"),
        };
        let mut lengths = Vec::with_capacity(collection.len());
        let mut indices = Vec::new();
        let mut rows = Vec::new();
        for row in 0..collection.len() {
            if collection.is_null(row) {
                lengths.push(0);
                continue;
            }
            let (start, end) = (offsets[row] as u32, offsets[row + 1] as u32);
            lengths.push((end - start) as usize);
            indices.extend(start..end);
            rows.extend(std::iter::repeat_n(row as u32, (end - start) as usize));
        }
        let indices = UInt32Array::from(indices);
        Ok(Elements {
            offsets: OffsetBuffer::from_lengths(lengths),
            nulls: collection.logical_nulls(),
            rows: UInt32Array::from(rows),
            values: take_arrays(&children, &indices, None)?,
        })
    }

    /// How many elements there are.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when no row has an element.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Runs `lambda` over every element: its parameters are `values`, one array per
    /// parameter, each as long as the elements.
    pub fn apply(&self, lambda: &LambdaArgument, params: &[ArrayRef]) -> Result<ArrayRef> {
        apply(lambda, params, &self.rows)
    }

    /// Keeps the elements where `keep` is true (NULL counts as false).
    pub fn retain(self, keep: &BooleanArray) -> Result<Elements> {
        let mut lengths = Vec::with_capacity(self.offsets.len() - 1);
        let mut indices = Vec::new();
        for window in self.offsets.windows(2) {
            let (start, end) = (window[0] as usize, window[1] as usize);
            let kept: Vec<u32> = (start..end)
                .filter(|&i| keep.is_valid(i) && keep.value(i))
                .map(|i| i as u32)
                .collect();
            lengths.push(kept.len());
            indices.extend(kept);
        }
        let indices = UInt32Array::from(indices);
        Ok(Elements {
            offsets: OffsetBuffer::from_lengths(lengths),
            nulls: self.nulls,
            rows: take(&self.rows, &indices, None)?.as_primitive().clone(),
            values: take_arrays(&self.values, &indices, None)?,
        })
    }

    /// An ARRAY column of the rows, holding `items` (one per element).
    pub fn into_array(self, items: ArrayRef) -> Result<ArrayRef> {
        let field = Arc::new(Field::new("item", items.data_type().clone(), true));
        Ok(Arc::new(ListArray::try_new(
            field,
            self.offsets,
            items,
            self.nulls,
        )?))
    }

    /// A MAP column of the rows, holding `keys` and `values` (one of each per element).
    pub fn into_map(self, keys: ArrayRef, values: ArrayRef) -> Result<ArrayRef> {
        let fields = Fields::from(vec![
            Field::new("key", keys.data_type().clone(), false),
            Field::new("value", values.data_type().clone(), true),
        ]);
        let entries = StructArray::try_new(fields.clone(), vec![keys, values], None)?;
        let field = Arc::new(Field::new("entries", DataType::Struct(fields), false));
        Ok(Arc::new(MapArray::try_new(
            field,
            self.offsets,
            entries,
            self.nulls,
            false,
        )?))
    }
}

/// Runs `lambda` with `params` as its arguments; the columns it captures are repeated
/// for each argument row as `rows` (the input row of each) says.
pub fn apply(lambda: &LambdaArgument, params: &[ArrayRef], rows: &UInt32Array) -> Result<ArrayRef> {
    let closures: Vec<_> = params
        .iter()
        .map(|param| move || -> Result<ArrayRef> { Ok(param.clone()) })
        .collect();
    let closures: Vec<&dyn Fn() -> Result<ArrayRef>> = closures
        .iter()
        .map(|c| c as &dyn Fn() -> Result<ArrayRef>)
        .collect();
    lambda
        .evaluate(&closures, |captured| Ok(take_arrays(captured, rows, None)?))?
        .into_array(rows.len())
}

/// The Arrow type sluice carries a SQL type in (a lambda may answer in another encoding,
/// Utf8View for STRING): nested types too, so results need no cast at the sink.
pub fn canonical(data_type: &DataType) -> Result<DataType> {
    match SqlType::from_arrow(data_type) {
        Some(sql_type) => Ok(sql_type.to_arrow()),
        None => plan_err!("Lambda result type {data_type} has no SQL type"),
    }
}

/// `array` in the canonical encoding of its type.
pub fn canonical_array(array: ArrayRef) -> Result<ArrayRef> {
    let target = canonical(array.data_type())?;
    if &target == array.data_type() {
        Ok(array)
    } else {
        Ok(cast(&array, &target)?)
    }
}
