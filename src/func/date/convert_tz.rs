//! CONVERT_TZ(ts TIMESTAMP, from STRING, to STRING) → TIMESTAMP: a local timestamp in
//! one zone as local time in another (ksqlDB `ConvertTz`).
//!
//! Zones are Java zone IDs (`+0200`, `America/New_York`). NULL if any argument is NULL;
//! an unknown zone is an error (NULL plus a processing-log entry).

use std::sync::Arc;

use datafusion::arrow::array::{Array, TimestampMillisecondArray};
use datafusion::common::cast::{as_string_array, as_timestamp_millisecond_array};
use datafusion::common::{Result, exec_datafusion_err};

use super::epoch::datetime_of_millis;
use super::zone::Zone;
use datafusion::arrow::datatypes::DataType;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use crate::func::signature::{Overloads, Param};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ConvertTz {
    signature: Signature,
    overloads: Overloads,
}

impl ConvertTz {
    pub(crate) fn new() -> Self {
        ConvertTz {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new(
                "convert_tz",
                vec![vec![Param::Timestamp, Param::String, Param::String]],
            ),
        }
    }
}

impl ScalarUDFImpl for ConvertTz {
    fn name(&self) -> &str {
        "convert_tz"
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
        let values = as_timestamp_millisecond_array(&arrays[0])?;
        let from = as_string_array(&arrays[1])?;
        let to = as_string_array(&arrays[2])?;
        let out = (0..args.number_rows)
            .map(|row| {
                if values.is_null(row) || from.is_null(row) || to.is_null(row) {
                    return Ok(None);
                }
                let (from, to) = (Zone::of(from.value(row))?, Zone::of(to.value(row))?);
                convert(values.value(row), &from, &to).map(Some)
            })
            .collect::<Result<TimestampMillisecondArray>>()?;
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

fn convert(millis: i64, from: &Zone, to: &Zone) -> Result<i64> {
    let local = datetime_of_millis(millis)?;
    let instant = from
        .local_to_utc_millis(&local)
        .ok_or_else(|| exec_datafusion_err!("CONVERT_TZ: no such local time"))?;
    let offset = to
        .offset_at(instant)
        .map_or(0, |o| i64::from(o.local_minus_utc()));
    Ok(instant + offset * 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ksqldb_examples() {
        // ksqlDB: convert-tz.json.
        let z = |s: &str| Zone::of(s).unwrap();
        assert_eq!(convert(100, &z("+0200"), &z("+0500")).unwrap(), 10_800_100);
        assert_eq!(
            convert(
                1_589_234_313_000,
                &z("America/Los_Angeles"),
                &z("America/New_York")
            )
            .unwrap(),
            1_589_245_113_000
        );
    }
}
