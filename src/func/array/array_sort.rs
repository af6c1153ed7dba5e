//! ARRAY_SORT(array ARRAY<T>[, direction STRING]) → ARRAY<T>: the items sorted, `ASC`
//! (default) or `DESC`, case-insensitive (ksqlDB `ArraySort`).
//!
//! ksqlDB: NULL items go last in either direction (DataFusion's `array_sort` puts them
//! first). NULL for a NULL array, a NULL or unknown direction.

use datafusion::arrow::array::Array;
use datafusion::arrow::compute::{SortOptions, sort_to_indices};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::common::cast::{as_list_array, as_string_array};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use crate::func::collections::{list_from_positions, positions};
use crate::func::signature::{Overloads, Param};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ArraySort {
    signature: Signature,
    overloads: Overloads,
}

impl ArraySort {
    pub(crate) fn new() -> Self {
        ArraySort {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new(
                "array_sort",
                vec![
                    vec![Param::any_array()],
                    vec![Param::any_array(), Param::String],
                ],
            ),
        }
    }
}

impl ScalarUDFImpl for ArraySort {
    fn name(&self) -> &str {
        "array_sort"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        self.overloads.coerce(arg_types)
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        self.overloads.resolve(arg_types)?;
        Ok(arg_types[0].clone())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let list = as_list_array(&arrays[0])?;
        let directions = arrays.get(1).map(|a| as_string_array(a)).transpose()?;
        let mut rows = Vec::with_capacity(list.len());
        for row in 0..list.len() {
            let descending = match directions {
                None => Some(false),
                Some(d) if d.is_valid(row) => descending(d.value(row)),
                Some(_) => None,
            };
            let (Some(items), Some(descending)) = (positions(list, row), descending) else {
                rows.push(None);
                continue;
            };
            let values = list.values().slice(items.start, items.len());
            let options = SortOptions {
                descending,
                nulls_first: false,
            };
            let order = sort_to_indices(&values, Some(options), None)?;
            rows.push(Some(
                order
                    .values()
                    .iter()
                    .map(|i| items.start + *i as usize)
                    .collect(),
            ));
        }
        Ok(ColumnarValue::Array(list_from_positions(list, rows)?))
    }
}

fn descending(direction: &str) -> Option<bool> {
    match direction.to_ascii_uppercase().as_str() {
        "ASC" => Some(false),
        "DESC" => Some(true),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directions() {
        assert_eq!(descending("asc"), Some(false));
        assert_eq!(descending("DESC"), Some(true));
        assert_eq!(descending("up"), None);
    }
}
