//! GENERATE_SERIES(start, end[, step]) → ARRAY<INT> or ARRAY<BIGINT>: `start`, `start +
//! step`, … up to and including `end` (ksqlDB `GenerateSeries`).
//!
//! Without a step it is 1, or -1 when `end` is below `start`. A zero step, or one that
//! moves away from `end`, fails the call (NULL and a processing-log entry, as ksqlDB's
//! exception does); so does a NULL argument, which ksqlDB's primitive parameters cannot
//! take.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, Int32Builder, Int64Builder, ListBuilder};
use datafusion::arrow::datatypes::{DataType, Field, Int32Type, Int64Type};
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use crate::func::signature::{Overloads, Param};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct GenerateSeries {
    signature: Signature,
    overloads: Overloads,
}

impl GenerateSeries {
    pub(crate) fn new() -> Self {
        GenerateSeries {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new(
                "generate_series",
                vec![
                    vec![Param::Int, Param::Int],
                    vec![Param::Int, Param::Int, Param::Int],
                    vec![Param::Bigint, Param::Bigint],
                    vec![Param::Bigint, Param::Bigint, Param::Int],
                ],
            ),
        }
    }
}

impl ScalarUDFImpl for GenerateSeries {
    fn name(&self) -> &str {
        "generate_series"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        self.overloads.coerce(arg_types)
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        let item = match self.overloads.resolve(arg_types)? {
            0 | 1 => DataType::Int32,
            _ => DataType::Int64,
        };
        Ok(DataType::List(Arc::new(Field::new_list_field(item, true))))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let rows = arrays[0].len();
        let step = arrays.get(2).map(|a| a.as_primitive::<Int32Type>());
        let bound = |array: &ArrayRef, row: usize| -> Option<i64> {
            if array.is_null(row) {
                return None;
            }
            Some(match array.data_type() {
                DataType::Int32 => i64::from(array.as_primitive::<Int32Type>().value(row)),
                _ => array.as_primitive::<Int64Type>().value(row),
            })
        };
        let mut series = Vec::with_capacity(rows);
        for row in 0..rows {
            let (Some(start), Some(end)) = (bound(&arrays[0], row), bound(&arrays[1], row)) else {
                return exec_err!("GENERATE_SERIES does not accept NULL arguments");
            };
            let step = match step {
                Some(step) if step.is_null(row) => {
                    return exec_err!("GENERATE_SERIES does not accept NULL arguments");
                }
                Some(step) => i64::from(step.value(row)),
                None if end < start => -1,
                None => 1,
            };
            series.push(values(start, end, step)?);
        }
        let list: ArrayRef = match arrays[0].data_type() {
            DataType::Int32 => {
                let mut builder = ListBuilder::new(Int32Builder::new());
                for values in series {
                    // Both bounds are INT, so every value between them is too.
                    builder
                        .values()
                        .extend(values.into_iter().map(|v| i32::try_from(v).ok()));
                    builder.append(true);
                }
                Arc::new(builder.finish())
            }
            _ => {
                let mut builder = ListBuilder::new(Int64Builder::new());
                for values in series {
                    builder.values().extend(values.into_iter().map(Some));
                    builder.append(true);
                }
                Arc::new(builder.finish())
            }
        };
        Ok(ColumnarValue::Array(list))
    }
}

/// `start`, `start + step`, … while not past `end`.
fn values(start: i64, end: i64, step: i64) -> Result<Vec<i64>> {
    if step == 0 {
        return exec_err!("GENERATE_SERIES step cannot be zero");
    }
    if (end > start && step < 0) || (end < start && step > 0) {
        return exec_err!("GENERATE_SERIES step has wrong sign");
    }
    let count = (i128::from(end) - i128::from(start)) / i128::from(step) + 1;
    Ok((0..count)
        .map(|i| (i128::from(start) + i * i128::from(step)) as i64)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_up_or_down_to_the_end() {
        assert_eq!(values(0, 3, 1).unwrap(), [0, 1, 2, 3]);
        assert_eq!(values(4, 0, -1).unwrap(), [4, 3, 2, 1, 0]);
        assert_eq!(values(0, 9, 4).unwrap(), [0, 4, 8]);
        assert_eq!(values(5, 5, 1).unwrap(), [5]);
        assert!(values(0, 3, 0).is_err());
        assert!(values(0, 3, -1).is_err());
    }
}
