//! ARRAY_REMOVE(array ARRAY<T>, element T) → ARRAY<T>: the array without any item equal
//! to `element` (ksqlDB `ArrayRemove`).
//!
//! Equality is ksqlDB's `Objects.equals`: a NULL element removes the NULL items, and
//! arrays, maps and structs compare by content. A NULL array gives NULL.

use datafusion::arrow::array::Array;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::cast::as_list_array;
use datafusion::common::{Result, ScalarValue, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use crate::func::collections::{list_from_positions, positions};
use crate::func::signature::not_accepted;

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ArrayRemove {
    signature: Signature,
}

impl ArrayRemove {
    pub(crate) fn new() -> Self {
        ArrayRemove {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for ArrayRemove {
    fn name(&self) -> &str {
        "array_remove"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    /// The element takes the array's item type.
    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        match arg_types {
            [DataType::List(item), _] => Ok(vec![arg_types[0].clone(), item.data_type().clone()]),
            _ => plan_err!("{}", not_accepted("ARRAY_REMOVE", arg_types)),
        }
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        Ok(arg_types[0].clone())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let list = as_list_array(&arrays[0])?;
        let items = list.values();
        let mut rows = Vec::with_capacity(list.len());
        for row in 0..list.len() {
            let Some(range) = positions(list, row) else {
                rows.push(None);
                continue;
            };
            let element = ScalarValue::try_from_array(&arrays[1], row)?;
            let mut kept = Vec::with_capacity(range.len());
            for position in range {
                if ScalarValue::try_from_array(items, position)? != element {
                    kept.push(position);
                }
            }
            rows.push(Some(kept));
        }
        Ok(ColumnarValue::Array(list_from_positions(list, rows)?))
    }
}
