//! DATEADD and DATESUB(unit, interval INT, value DATE) → DATE: add or subtract `interval`
//! time units to or from a DATE (ksqlDB `DateAdd`, `DateSub`).
//!
//! `unit` is a Java `TimeUnit` (`DAYS`, `HOURS`, …, `MILLISECONDS`); ksqlDB writes it as a
//! bare keyword, which the planner must hand over as a string. ksqlDB: the interval is added to the date's midnight in milliseconds and the result
//! truncated toward zero to whole days, so `DATEADD(HOURS, 25, d)` is the next day.
//! NULL if the interval or value is NULL.

use std::sync::Arc;

use datafusion::arrow::array::{Array, Date32Array};
use datafusion::common::cast::{as_date32_array, as_int32_array, as_string_array};
use datafusion::common::{Result, exec_datafusion_err};

use super::epoch::MILLIS_PER_DAY;
use super::time_unit::to_millis;
use datafusion::arrow::datatypes::DataType;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use crate::func::signature::{Overloads, Param};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct DateAdd {
    /// DATESUB: the interval is subtracted.
    subtract: bool,
    signature: Signature,
    overloads: Overloads,
}

impl DateAdd {
    /// DATEADD, or DATESUB when `subtract`.
    pub(crate) fn new(subtract: bool) -> Self {
        DateAdd {
            subtract,
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new(
                if subtract { "datesub" } else { "dateadd" },
                vec![vec![Param::String, Param::Int, Param::Date]],
            ),
        }
    }
}

impl ScalarUDFImpl for DateAdd {
    fn name(&self) -> &str {
        if self.subtract { "datesub" } else { "dateadd" }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        self.overloads.coerce(arg_types)
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        self.overloads.resolve(arg_types)?;
        Ok(DataType::Date32)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let units = as_string_array(&arrays[0])?;
        let intervals = as_int32_array(&arrays[1])?;
        let values = as_date32_array(&arrays[2])?;
        let out = (0..args.number_rows)
            .map(|row| {
                if units.is_null(row) || intervals.is_null(row) || values.is_null(row) {
                    return Ok(None);
                }
                let interval = i64::from(intervals.value(row));
                let interval = if self.subtract { -interval } else { interval };
                shift(values.value(row), units.value(row), interval).map(Some)
            })
            .collect::<Result<Date32Array>>()?;
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

fn shift(value: i32, unit: &str, interval: i64) -> Result<i32> {
    let delta = to_millis(unit, interval)?;
    let millis = i64::from(value) * MILLIS_PER_DAY + delta;
    // ksqlDB: Java's `MILLISECONDS.toDays` truncates toward zero.
    i32::try_from(millis / MILLIS_PER_DAY).map_err(|_| exec_datafusion_err!("DATE out of range"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ksqldb_examples() {
        // ksqlDB: dateadd.json.
        assert_eq!(shift(10, "DAYS", 10).unwrap(), 20);
        assert_eq!(shift(2, "DAYS", -5).unwrap(), -3);
        assert_eq!(shift(5, "MILLISECONDS", 5).unwrap(), 5);
    }

    #[test]
    fn ksqldb_datesub_examples() {
        // ksqlDB: datesub.json (DATESUB shifts by the negated interval).
        assert_eq!(shift(20, "DAYS", -10).unwrap(), 10);
        assert_eq!(shift(2, "DAYS", 5).unwrap(), 7);
        assert_eq!(shift(5, "MILLISECONDS", -5).unwrap(), 4);
        assert_eq!(shift(0, "MILLISECONDS", -1).unwrap(), 0);
    }
}
