//! FILTER(array, x => …) → ARRAY and FILTER(map, (k, v) => …) → MAP: the items, or
//! entries, for which the lambda is true (ksqlDB `Filter`). NULL counts as false; a NULL
//! collection gives NULL.
//!
//! ksqlDB builds the filtered map with Java's `Collectors.toMap`, which fails on a NULL
//! value: keeping one fails the call (so NULL, and a processing-log entry).

use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::{DataType, FieldRef};
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, HigherOrderFunctionArgs, HigherOrderReturnFieldArgs, HigherOrderSignature,
    HigherOrderUDFImpl, LambdaParametersProgress, ValueOrLambda, Volatility,
};

use super::elements::Elements;
use super::{Collection, not_accepted_error};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Filter {
    signature: HigherOrderSignature,
}

impl Filter {
    pub(crate) fn new() -> Self {
        Filter {
            signature: HigherOrderSignature::variadic_any(Volatility::Immutable),
        }
    }
}

impl HigherOrderUDFImpl for Filter {
    fn name(&self) -> &str {
        "filter"
    }

    fn signature(&self) -> &HigherOrderSignature {
        &self.signature
    }

    fn lambda_parameters(
        &self,
        _step: usize,
        fields: &[ValueOrLambda<FieldRef, Option<FieldRef>>],
    ) -> Result<LambdaParametersProgress> {
        match fields {
            [ValueOrLambda::Value(c), ValueOrLambda::Lambda(_)] => {
                match Collection::of(c.data_type()) {
                    Some(collection) => Ok(LambdaParametersProgress::Complete(vec![
                        collection.element_params(),
                    ])),
                    None => not_accepted_error(self.name(), fields),
                }
            }
            _ => not_accepted_error(self.name(), fields),
        }
    }

    fn return_field_from_args(&self, args: HigherOrderReturnFieldArgs) -> Result<FieldRef> {
        match args.arg_fields {
            [
                ValueOrLambda::Value(collection),
                ValueOrLambda::Lambda(predicate),
            ] => {
                if predicate.data_type() != &DataType::Boolean {
                    return exec_err!(
                        "FILTER's lambda must return BOOLEAN, not {}",
                        predicate.data_type()
                    );
                }
                Ok(collection.clone())
            }
            _ => exec_err!("FILTER takes a collection and a lambda"),
        }
    }

    fn invoke_with_args(&self, args: HigherOrderFunctionArgs) -> Result<ColumnarValue> {
        let [
            ValueOrLambda::Value(collection),
            ValueOrLambda::Lambda(predicate),
        ] = args.args.as_slice()
        else {
            return exec_err!("FILTER takes a collection and a lambda");
        };
        let collection = collection.to_array(args.number_rows)?;
        let elements = Elements::of(&collection)?;
        if elements.is_empty() {
            return Ok(ColumnarValue::Array(collection));
        }
        let keep = elements.apply(predicate, &elements.values)?;
        let Some(keep) = keep.as_boolean_opt() else {
            return exec_err!("FILTER's lambda must return BOOLEAN");
        };
        let kept = elements.retain(keep)?;
        let result = match kept.values.as_slice() {
            [items] => {
                let items = items.clone();
                kept.into_array(items)?
            }
            [keys, values] => {
                if values.null_count() > 0 {
                    return exec_err!("FILTER: a map cannot hold a NULL value");
                }
                let (keys, values) = (keys.clone(), values.clone());
                kept.into_map(keys, values)?
            }
            _ => return exec_err!("FILTER takes an ARRAY or a MAP"),
        };
        Ok(ColumnarValue::Array(result))
    }
}
