//! FORMAT_TIME(time TIME, pattern STRING) → STRING: a time of day in a Java
//! `DateTimeFormatter` pattern (ksqlDB `FormatTime`).
//!
//! NULL if either argument is NULL; a bad pattern, or one with date or zone fields a TIME
//! lacks, is an error (NULL plus a processing-log entry).

use std::sync::Arc;

use datafusion::arrow::array::{Array, StringArray};
use datafusion::common::cast::{as_string_array, as_time32_millisecond_array};
use datafusion::common::{Result, exec_err};

use super::epoch::time_of_millis;
use super::java_format::{FormatCache, JavaFormat};
use super::zone::Zone;
use datafusion::arrow::datatypes::DataType;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use crate::func::signature::{Overloads, Param};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct FormatTime {
    signature: Signature,
    overloads: Overloads,
}

impl FormatTime {
    pub(crate) fn new() -> Self {
        FormatTime {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new("format_time", vec![vec![Param::Time, Param::String]]),
        }
    }
}

impl ScalarUDFImpl for FormatTime {
    fn name(&self) -> &str {
        "format_time"
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
        let times = as_time32_millisecond_array(&arrays[0])?;
        let patterns = as_string_array(&arrays[1])?;
        let mut cache = FormatCache::default();
        let out = (0..args.number_rows)
            .map(|row| {
                if times.is_null(row) || patterns.is_null(row) {
                    return Ok(None);
                }
                let format = cache.get(patterns.value(row))?;
                format_time(format, times.value(row)).map(Some)
            })
            .collect::<Result<StringArray>>()?;
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

fn format_time(format: &JavaFormat, millis: i32) -> Result<String> {
    if format.has_date_fields() || format.has_zone_fields() {
        return exec_err!(
            "Failed to format time with pattern '{}': it has fields a TIME lacks",
            format.pattern()
        );
    }
    let time = time_of_millis(i64::from(millis))?;
    let at = chrono::NaiveDate::default().and_time(time);
    format.format(&at, &Zone::utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_times() {
        let f = |p: &str, ms: i32| format_time(&JavaFormat::compile(p).unwrap(), ms);
        assert_eq!(f("HH:mm:ss.SSS", 46_800_123).unwrap(), "13:00:00.123");
        assert_eq!(f("hh:mm a", 46_800_000).unwrap(), "01:00 PM");
        assert!(f("yyyy", 0).is_err());
    }
}
