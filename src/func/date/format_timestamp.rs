//! FORMAT_TIMESTAMP(ts TIMESTAMP, pattern STRING[, zone STRING]) → STRING: a timestamp
//! in a Java `DateTimeFormatter` pattern, in a time zone (default UTC) (ksqlDB
//! `FormatTimestamp`).
//!
//! The zone is a Java zone ID (`America/Los_Angeles`, `+05:00`, `UTC`). NULL if any
//! argument is NULL; a bad pattern or zone is an error (NULL plus a processing-log
//! entry).

use std::sync::Arc;

use datafusion::arrow::array::{Array, StringArray};
use datafusion::common::Result;
use datafusion::common::cast::{as_string_array, as_timestamp_millisecond_array};

use super::epoch::datetime_of_millis;
use super::java_format::{FormatCache, JavaFormat};
use super::zone::Zone;
use datafusion::arrow::datatypes::DataType;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use crate::func::signature::{Overloads, Param};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct FormatTimestamp {
    signature: Signature,
    overloads: Overloads,
}

impl FormatTimestamp {
    pub(crate) fn new() -> Self {
        FormatTimestamp {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new(
                "format_timestamp",
                vec![
                    vec![Param::Timestamp, Param::String],
                    vec![Param::Timestamp, Param::String, Param::String],
                ],
            ),
        }
    }
}

impl ScalarUDFImpl for FormatTimestamp {
    fn name(&self) -> &str {
        "format_timestamp"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        self.overloads.coerce(arg_types)
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        self.overloads.resolve(arg_types)?;
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let values = as_timestamp_millisecond_array(&arrays[0])?;
        let patterns = as_string_array(&arrays[1])?;
        let zones = arrays.get(2).map(|a| as_string_array(a)).transpose()?;
        let mut cache = FormatCache::default();
        let out = (0..args.number_rows)
            .map(|row| {
                if values.is_null(row) || patterns.is_null(row) {
                    return Ok(None);
                }
                let zone = match zones {
                    None => Zone::utc(),
                    Some(z) if z.is_valid(row) => Zone::of(z.value(row))?,
                    Some(_) => return Ok(None),
                };
                let format = cache.get(patterns.value(row))?;
                format_millis(format, values.value(row), &zone).map(Some)
            })
            .collect::<Result<StringArray>>()?;
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

/// The instant `millis` as local time in `zone`, in `format`; shared with
/// TIMESTAMPTOSTRING.
pub(super) fn format_millis(format: &JavaFormat, millis: i64, zone: &Zone) -> Result<String> {
    let offset = zone
        .offset_at(millis)
        .map_or(0, |o| i64::from(o.local_minus_utc()));
    let local = datetime_of_millis(millis + offset * 1000)?;
    format.format(&local, zone)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_in_zones() {
        let f = |p: &str, ms: i64, z: &str| {
            format_millis(&JavaFormat::compile(p).unwrap(), ms, &Zone::of(z).unwrap()).unwrap()
        };
        assert_eq!(
            f("yyyy-MM-dd'T'HH:mm:ssX", 1_526_075_913_000, "UTC"),
            "2018-05-11T21:58:33Z"
        );
        assert_eq!(
            f(
                "yyyy-MM-dd HH:mm:ss z",
                1_526_075_913_000,
                "America/Los_Angeles"
            ),
            "2018-05-11 14:58:33 PDT"
        );
        assert_eq!(f("HH:mm XXX", 0, "+05:30"), "05:30 +05:30");
    }
}
