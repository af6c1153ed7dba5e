//! REDUCE(array, initial, (s, x) => …) and REDUCE(map, initial, (s, k, v) => …): the
//! state after applying the lambda to the initial state and each item, or entry, in turn
//! (ksqlDB `Reduce`). The result has the initial state's type.
//!
//! ksqlDB: a NULL initial state gives NULL; a NULL collection gives the initial state. A
//! map's entries are visited in Java `HashMap` order (`java_map_order`).
//!
//! Rows are reduced side by side: step `i` runs the lambda once over the `i`-th element
//! of every row that has one, so a batch costs as many lambda calls as its longest
//! collection has elements.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, UInt32Array};
use datafusion::arrow::compute::{cast, interleave, take, take_arrays};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, HigherOrderFunctionArgs, HigherOrderReturnFieldArgs, HigherOrderSignature,
    HigherOrderUDFImpl, LambdaArgument, LambdaParametersProgress, ValueOrLambda, Volatility,
};

use super::elements::{Elements, apply, canonical};
use super::java_map_order::hash_map_order;
use super::{Collection, not_accepted_error};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Reduce {
    signature: HigherOrderSignature,
}

impl Reduce {
    pub(crate) fn new() -> Self {
        Reduce {
            signature: HigherOrderSignature::variadic_any(Volatility::Immutable),
        }
    }
}

impl HigherOrderUDFImpl for Reduce {
    fn name(&self) -> &str {
        "reduce"
    }

    fn signature(&self) -> &HigherOrderSignature {
        &self.signature
    }

    fn lambda_parameters(
        &self,
        _step: usize,
        fields: &[ValueOrLambda<FieldRef, Option<FieldRef>>],
    ) -> Result<LambdaParametersProgress> {
        let [
            ValueOrLambda::Value(collection),
            ValueOrLambda::Value(initial),
            ValueOrLambda::Lambda(_),
        ] = fields
        else {
            return not_accepted_error(self.name(), fields);
        };
        let Some(collection) = Collection::of(collection.data_type()) else {
            return not_accepted_error(self.name(), fields);
        };
        // The state may become NULL on the way (`s + x` with a NULL item).
        let mut params = vec![Arc::new(initial.as_ref().clone().with_nullable(true))];
        params.extend(collection.element_params());
        Ok(LambdaParametersProgress::Complete(vec![params]))
    }

    fn return_field_from_args(&self, args: HigherOrderReturnFieldArgs) -> Result<FieldRef> {
        match args.arg_fields {
            [_, ValueOrLambda::Value(initial), _] => Ok(Arc::new(Field::new(
                "",
                canonical(initial.data_type())?,
                true,
            ))),
            _ => exec_err!("REDUCE takes a collection, an initial state and a lambda"),
        }
    }

    fn invoke_with_args(&self, args: HigherOrderFunctionArgs) -> Result<ColumnarValue> {
        let [
            ValueOrLambda::Value(collection),
            ValueOrLambda::Value(initial),
            ValueOrLambda::Lambda(lambda),
        ] = args.args.as_slice()
        else {
            return exec_err!("REDUCE takes a collection, an initial state and a lambda");
        };
        let elements = Elements::of(&collection.to_array(args.number_rows)?)?;
        let initial = cast(&initial.to_array(args.number_rows)?, args.return_type())?;
        Ok(ColumnarValue::Array(reduce(&elements, initial, lambda)?))
    }
}

/// Folds each row's elements into its state, starting from `initial`.
fn reduce(elements: &Elements, initial: ArrayRef, lambda: &LambdaArgument) -> Result<ArrayRef> {
    let state_type = initial.data_type().clone();
    let lengths: Vec<usize> = elements
        .offsets
        .windows(2)
        .map(|w| (w[1] - w[0]) as usize)
        .collect();
    let longest = lengths.iter().copied().max().unwrap_or(0);
    let values = visiting_order(elements)?;
    let mut state = initial.clone();
    for step in 0..longest {
        let rows: Vec<u32> = (0..lengths.len())
            .filter(|&row| lengths[row] > step && initial.is_valid(row))
            .map(|row| row as u32)
            .collect();
        if rows.is_empty() {
            continue;
        }
        let positions = UInt32Array::from_iter_values(
            rows.iter()
                .map(|&row| elements.offsets[row as usize] as u32 + step as u32),
        );
        let rows = UInt32Array::from(rows);
        let mut params = vec![take(&state, &rows, None)?];
        for values in &values {
            params.push(take(values, &positions, None)?);
        }
        let mut out = apply(lambda, &params, &rows)?;
        if out.data_type() != &state_type {
            out = cast(&out, &state_type)?;
        }
        state = scatter(&state, &rows, &out)?;
    }
    Ok(state)
}

/// The element arrays, a map's entries reordered as ksqlDB visits them.
fn visiting_order(elements: &Elements) -> Result<Vec<ArrayRef>> {
    match elements.values.as_slice() {
        [keys, _] if keys.data_type() == &DataType::Utf8 => {
            let order = hash_map_order(keys.as_string::<i32>(), &elements.offsets);
            Ok(take_arrays(&elements.values, &order, None)?)
        }
        _ => Ok(elements.values.clone()),
    }
}

/// `state` with the value of each row in `rows` replaced by the matching one of `new`.
fn scatter(state: &ArrayRef, rows: &UInt32Array, new: &ArrayRef) -> Result<ArrayRef> {
    let mut sources: Vec<(usize, usize)> = (0..state.len()).map(|row| (0, row)).collect();
    for (position, row) in rows.values().iter().enumerate() {
        sources[*row as usize] = (1, position);
    }
    Ok(interleave(&[state.as_ref(), new.as_ref()], &sources)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scatter_replaces_only_the_given_rows() {
        let state: ArrayRef = Arc::new(datafusion::arrow::array::Int32Array::from(vec![1, 2, 3]));
        let new: ArrayRef = Arc::new(datafusion::arrow::array::Int32Array::from(vec![20]));
        let out = scatter(&state, &UInt32Array::from(vec![1]), &new).unwrap();
        let expected: ArrayRef =
            Arc::new(datafusion::arrow::array::Int32Array::from(vec![1, 20, 3]));
        assert_eq!(&out, &expected);
    }
}
