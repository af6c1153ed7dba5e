//! TIMESUB(unit, interval INT, value TIME) → TIME: subtracts `interval` time units
//! from a TIME (ksqlDB `TimeSub`).
//!
//! `unit` is a Java `TimeUnit` (`DAYS`, `HOURS`, …, `MILLISECONDS`); ksqlDB writes it as a
//! bare keyword, which the planner must hand over as a string. ksqlDB: the result wraps around midnight (`TIMEADD(MILLISECONDS, 10, '23:59:59.995')`
//! is 5 ms past midnight).
//! NULL if the interval or value is NULL.

use std::sync::Arc;

use datafusion::arrow::array::{Array, Time32MillisecondArray};
use datafusion::common::cast::{as_int32_array, as_string_array, as_time32_millisecond_array};
use datafusion::common::{Result, exec_datafusion_err};

use super::epoch::MILLIS_PER_DAY;
use super::time_unit::to_nanos;
use datafusion::arrow::datatypes::DataType;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use crate::func::signature::{Overloads, Param};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct TimeSub {
    signature: Signature,
    overloads: Overloads,
}

impl TimeSub {
    pub(crate) fn new() -> Self {
        TimeSub {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new(
                "timesub",
                vec![vec![Param::String, Param::Int, Param::Time]],
            ),
        }
    }
}

impl ScalarUDFImpl for TimeSub {
    fn name(&self) -> &str {
        "timesub"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        self.overloads.coerce(arg_types)
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        self.overloads.resolve(arg_types)?;
        Ok(crate::func::signature::time())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let units = as_string_array(&arrays[0])?;
        let intervals = as_int32_array(&arrays[1])?;
        let values = as_time32_millisecond_array(&arrays[2])?;
        let out = (0..args.number_rows)
            .map(|row| {
                if units.is_null(row) || intervals.is_null(row) || values.is_null(row) {
                    return Ok(None);
                }
                shift(values.value(row), units.value(row), intervals.value(row)).map(Some)
            })
            .collect::<Result<Time32MillisecondArray>>()?;
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

fn shift(value: i32, unit: &str, interval: i32) -> Result<i32> {
    // ksqlDB adds in nanoseconds on a `LocalTime` (wrapping at midnight), then truncates
    // to milliseconds.
    let delta = -to_nanos(unit, i64::from(interval))?;
    let nanos = (i64::from(value) * 1_000_000 + delta).rem_euclid(MILLIS_PER_DAY * 1_000_000);
    i32::try_from(nanos / 1_000_000).map_err(|_| exec_datafusion_err!("TIME out of range"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ksqldb_examples() {
        // ksqlDB: timesub.json.
        assert_eq!(shift(20, "MILLISECONDS", 10).unwrap(), 10);
        assert_eq!(shift(5, "MILLISECONDS", 10).unwrap(), 86_399_995);
        assert_eq!(shift(86_399_997, "MILLISECONDS", -5).unwrap(), 2);
        assert_eq!(shift(0, "NANOSECONDS", 1).unwrap(), 86_399_999);
    }
}
