//! FORMAT_DATE(date DATE, pattern STRING) → STRING: a date in a Java `DateTimeFormatter`
//! pattern (ksqlDB `FormatDate`).
//!
//! NULL if either argument is NULL; a bad pattern, or one with time or zone fields a
//! DATE lacks, is an error (NULL plus a processing-log entry).

use std::sync::Arc;

use datafusion::arrow::array::{Array, StringArray};
use datafusion::common::cast::{as_date32_array, as_string_array};
use datafusion::common::{Result, exec_err};

use super::epoch::date_of_days;
use super::java_format::{FormatCache, JavaFormat};
use super::zone::Zone;
use datafusion::arrow::datatypes::DataType;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use crate::func::signature::{Overloads, Param};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct FormatDate {
    signature: Signature,
    overloads: Overloads,
}

impl FormatDate {
    pub(crate) fn new() -> Self {
        FormatDate {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new("format_date", vec![vec![Param::Date, Param::String]]),
        }
    }
}

impl ScalarUDFImpl for FormatDate {
    fn name(&self) -> &str {
        "format_date"
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
        let days = as_date32_array(&arrays[0])?;
        let patterns = as_string_array(&arrays[1])?;
        let mut cache = FormatCache::default();
        let out = (0..args.number_rows)
            .map(|row| {
                if days.is_null(row) || patterns.is_null(row) {
                    return Ok(None);
                }
                let format = cache.get(patterns.value(row))?;
                format_days(format, i64::from(days.value(row))).map(Some)
            })
            .collect::<Result<StringArray>>()?;
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

/// A date (days since the epoch) in `format`; shared with DATETOSTRING.
pub(super) fn format_days(format: &JavaFormat, days: i64) -> Result<String> {
    if format.has_time_fields() || format.has_zone_fields() {
        return exec_err!(
            "Failed to format date with pattern '{}': it has fields a DATE lacks",
            format.pattern()
        );
    }
    let date = date_of_days(days)?;
    format.format(&date.and_time(chrono::NaiveTime::MIN), &Zone::utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ksqldb_examples() {
        // ksqlDB: format-date.json.
        let f = |p: &str, d: i64| format_days(&JavaFormat::compile(p).unwrap(), d).unwrap();
        assert_eq!(f("yyyy-MM-dd", 17662), "2018-05-11");
        assert_eq!(f("dd-MMM-yyyy", 18993), "01-Jan-2022");
        assert_eq!(f("dd-MM-yyyy'Sophia'", -1), "31-12-1969Sophia");
        assert!(format_days(&JavaFormat::compile("HH").unwrap(), 0).is_err());
    }
}
