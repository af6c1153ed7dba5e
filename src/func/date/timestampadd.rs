//! TIMESTAMPADD(unit, interval INT, value TIMESTAMP) → TIMESTAMP: adds `interval` time units
//! to a TIMESTAMP (ksqlDB `TimestampAdd`).
//!
//! `unit` is a Java `TimeUnit` (`DAYS`, `HOURS`, …, `MILLISECONDS`); ksqlDB writes it as a
//! bare keyword, which the planner must hand over as a string. The interval is added in milliseconds.
//! NULL if the interval or value is NULL.

use std::sync::Arc;

use datafusion::arrow::array::{Array, TimestampMillisecondArray};
use datafusion::common::cast::{as_int32_array, as_string_array, as_timestamp_millisecond_array};
use datafusion::common::{Result, exec_datafusion_err};

use super::time_unit::to_millis;
use datafusion::arrow::datatypes::DataType;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use crate::func::signature::{Overloads, Param};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct TimestampAdd {
    signature: Signature,
    overloads: Overloads,
}

impl TimestampAdd {
    pub(crate) fn new() -> Self {
        TimestampAdd {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new(
                "timestampadd",
                vec![vec![Param::String, Param::Int, Param::Timestamp]],
            ),
        }
    }
}

impl ScalarUDFImpl for TimestampAdd {
    fn name(&self) -> &str {
        "timestampadd"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        self.overloads.coerce(arg_types)
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        self.overloads.resolve(arg_types)?;
        Ok(crate::func::signature::timestamp())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let units = as_string_array(&arrays[0])?;
        let intervals = as_int32_array(&arrays[1])?;
        let values = as_timestamp_millisecond_array(&arrays[2])?;
        let out = (0..args.number_rows)
            .map(|row| {
                if units.is_null(row) || intervals.is_null(row) || values.is_null(row) {
                    return Ok(None);
                }
                shift(values.value(row), units.value(row), intervals.value(row)).map(Some)
            })
            .collect::<Result<TimestampMillisecondArray>>()?;
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

fn shift(value: i64, unit: &str, interval: i32) -> Result<i64> {
    let delta = to_millis(unit, i64::from(interval))?;
    value
        .checked_add(delta)
        .ok_or_else(|| exec_datafusion_err!("TIMESTAMP out of range"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ksqldb_examples() {
        // ksqlDB: timestampadd.json.
        assert_eq!(shift(10, "MILLISECONDS", 10).unwrap(), 20);
        assert_eq!(shift(2, "MILLISECONDS", -5).unwrap(), -3);
    }
}
