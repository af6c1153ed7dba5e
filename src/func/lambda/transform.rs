//! TRANSFORM(array, x => …) → ARRAY and TRANSFORM(map, (k, v) => key, (k, v) => value)
//! → MAP: every item, or every entry's key and value, replaced by what the lambdas give
//! (ksqlDB `Transform`). A NULL collection gives NULL.
//!
//! ksqlDB builds the new map with Java's `Collectors.toMap`, which fails on two equal keys
//! and on a NULL key or value: such a map fails the call (so NULL, and a processing-log
//! entry).

use std::collections::HashSet;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, new_empty_array};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, HigherOrderFunctionArgs, HigherOrderReturnFieldArgs, HigherOrderSignature,
    HigherOrderUDFImpl, LambdaArgument, LambdaParametersProgress, ValueOrLambda, Volatility,
};

use super::elements::{Elements, canonical};
use super::{Collection, not_accepted_error};
use crate::catalog::types::SqlType;

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Transform {
    signature: HigherOrderSignature,
}

impl Transform {
    pub(crate) fn new() -> Self {
        Transform {
            signature: HigherOrderSignature::variadic_any(Volatility::Immutable),
        }
    }
}

impl HigherOrderUDFImpl for Transform {
    fn name(&self) -> &str {
        "transform"
    }

    fn signature(&self) -> &HigherOrderSignature {
        &self.signature
    }

    fn lambda_parameters(
        &self,
        _step: usize,
        fields: &[ValueOrLambda<FieldRef, Option<FieldRef>>],
    ) -> Result<LambdaParametersProgress> {
        let collection = match fields {
            [ValueOrLambda::Value(c), ValueOrLambda::Lambda(_)]
            | [
                ValueOrLambda::Value(c),
                ValueOrLambda::Lambda(_),
                ValueOrLambda::Lambda(_),
            ] => Collection::of(c.data_type()),
            _ => None,
        };
        match (collection, fields.len()) {
            (Some(c @ Collection::Array { .. }), 2) => {
                Ok(LambdaParametersProgress::Complete(vec![c.element_params()]))
            }
            (Some(c @ Collection::Map { .. }), 3) => Ok(LambdaParametersProgress::Complete(vec![
                c.element_params(),
                c.element_params(),
            ])),
            _ => not_accepted_error(self.name(), fields),
        }
    }

    fn return_field_from_args(&self, args: HigherOrderReturnFieldArgs) -> Result<FieldRef> {
        let sql_type = |field: &FieldRef| {
            SqlType::from_arrow(&canonical(field.data_type())?)
                .ok_or_else(|| datafusion::common::plan_datafusion_err!("no SQL type"))
        };
        let data_type = match args.arg_fields {
            [_, ValueOrLambda::Lambda(item)] => SqlType::Array(Box::new(sql_type(item)?)),
            [_, ValueOrLambda::Lambda(key), ValueOrLambda::Lambda(value)] => {
                SqlType::Map(Box::new(sql_type(key)?), Box::new(sql_type(value)?))
            }
            _ => return exec_err!("TRANSFORM takes a collection and lambdas"),
        };
        Ok(Arc::new(Field::new("", data_type.to_arrow(), true)))
    }

    fn invoke_with_args(&self, args: HigherOrderFunctionArgs) -> Result<ColumnarValue> {
        let [ValueOrLambda::Value(collection), lambdas @ ..] = args.args.as_slice() else {
            return exec_err!("TRANSFORM takes a collection and lambdas");
        };
        let lambdas: Vec<&LambdaArgument> = lambdas
            .iter()
            .filter_map(|l| match l {
                ValueOrLambda::Lambda(lambda) => Some(lambda),
                ValueOrLambda::Value(_) => None,
            })
            .collect();
        let elements = Elements::of(&collection.to_array(args.number_rows)?)?;
        let result = match (args.return_type(), lambdas.as_slice()) {
            (DataType::List(item), [lambda]) => {
                let items = run(&elements, lambda, item.data_type())?;
                elements.into_array(items)?
            }
            (DataType::Map(entries, _), [key_lambda, value_lambda]) => {
                let DataType::Struct(fields) = entries.data_type() else {
                    return exec_err!("MAP entries are not a struct");
                };
                let keys = run(&elements, key_lambda, fields[0].data_type())?;
                let values = run(&elements, value_lambda, fields[1].data_type())?;
                check_entries(&elements, &keys, &values)?;
                elements.into_map(keys, values)?
            }
            (other, _) => return exec_err!("TRANSFORM cannot return {other}"),
        };
        Ok(ColumnarValue::Array(result))
    }
}

/// `lambda` over every element, in the Arrow type the result column declares.
fn run(elements: &Elements, lambda: &LambdaArgument, data_type: &DataType) -> Result<ArrayRef> {
    if elements.is_empty() {
        return Ok(new_empty_array(data_type));
    }
    let out = elements.apply(lambda, &elements.values)?;
    if out.data_type() == data_type {
        Ok(out)
    } else {
        Ok(cast(&out, data_type)?)
    }
}

/// Fails when a row of the transformed map would hold a key twice, or a NULL key or value.
fn check_entries(elements: &Elements, keys: &ArrayRef, values: &ArrayRef) -> Result<()> {
    let texts = cast(keys, &DataType::Utf8)?;
    let texts = texts.as_string::<i32>();
    for row in elements.offsets.windows(2) {
        let (start, end) = (row[0] as usize, row[1] as usize);
        let mut seen = HashSet::new();
        for i in start..end {
            if keys.is_null(i) || values.is_null(i) {
                return exec_err!("TRANSFORM: a map cannot hold a NULL key or value");
            }
            if !seen.insert(texts.value(i)) {
                return exec_err!("Duplicate key {}", texts.value(i));
            }
        }
    }
    Ok(())
}
