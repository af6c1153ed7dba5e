//! SLICE(array ARRAY<T>, from INT, to INT) → ARRAY<T>: items `from` to `to`, 1-based and
//! inclusive (ksqlDB `Slice`).
//!
//! ksqlDB: a NULL `from` means the start and a NULL `to` the end; bounds outside the
//! array, or `from` after `to` + 1, give NULL (Java's `subList` throws and ksqlDB returns
//! NULL). A NULL array gives NULL.

use datafusion::arrow::array::Array;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::common::cast::{as_int32_array, as_list_array};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use crate::func::collections::{list_from_positions, positions};
use crate::func::signature::{Overloads, Param};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Slice {
    signature: Signature,
    overloads: Overloads,
}

impl Slice {
    pub(crate) fn new() -> Self {
        Slice {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new(
                "slice",
                vec![vec![Param::any_array(), Param::Int, Param::Int]],
            ),
        }
    }
}

impl ScalarUDFImpl for Slice {
    fn name(&self) -> &str {
        "slice"
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
        let from = as_int32_array(&arrays[1])?;
        let to = as_int32_array(&arrays[2])?;
        let rows = (0..list.len()).map(|row| {
            let items = positions(list, row)?;
            let from = from.is_valid(row).then(|| from.value(row));
            let to = to.is_valid(row).then(|| to.value(row));
            let (start, end) = sub_list(items.len(), from, to)?;
            Some((items.start + start..items.start + end).collect())
        });
        Ok(ColumnarValue::Array(list_from_positions(list, rows)?))
    }
}

/// Java's `subList(from - 1, to)` bounds for a list `len` long, or None where it throws.
fn sub_list(len: usize, from: Option<i32>, to: Option<i32>) -> Option<(usize, usize)> {
    let start = from.map_or(Some(0), |f| usize::try_from(i64::from(f) - 1).ok())?;
    let end = to.map_or(Some(len), |t| usize::try_from(t).ok())?;
    (start <= end && end <= len).then_some((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_sub_list_bounds() {
        assert_eq!(sub_list(4, Some(2), Some(3)), Some((1, 3)));
        assert_eq!(sub_list(4, None, Some(2)), Some((0, 2)));
        assert_eq!(sub_list(4, Some(3), None), Some((2, 4)));
        assert_eq!(sub_list(4, Some(3), Some(2)), Some((2, 2)));
        assert_eq!(sub_list(4, Some(0), Some(2)), None);
        assert_eq!(sub_list(4, Some(1), Some(5)), None);
        assert_eq!(sub_list(4, Some(4), Some(2)), None);
    }
}
