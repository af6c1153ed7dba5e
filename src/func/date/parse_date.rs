//! PARSE_DATE(text STRING, pattern STRING) → DATE: text read with a Java
//! `DateTimeFormatter` pattern (ksqlDB `ParseDate`).
//!
//! Missing fields default to 1970, January, the 1st (`'MMM-yyyy'` reads `JAN-2022`),
//! matching is case-insensitive. ksqlDB (null.json "coalesce - with parse_date"): text
//! after a matching start is ignored (`2003-12-24-01-01` reads as 2003-12-24) and text
//! that does not match gives a plain NULL, so `COALESCE(PARSE_DATE(a, f), …)` falls
//! through. NULL if either argument is NULL; a bad pattern, or a pattern with time fields,
//! is an error (NULL plus a processing-log entry).

use std::sync::Arc;

use datafusion::arrow::array::{Array, Date32Array};
use datafusion::common::cast::as_string_array;
use datafusion::common::{Result, exec_datafusion_err, exec_err};

use super::epoch::days_of_date;
use super::java_format::{FormatCache, JavaFormat};
use datafusion::arrow::datatypes::DataType;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use crate::func::signature::{Overloads, Param};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ParseDate {
    signature: Signature,
    overloads: Overloads,
}

impl ParseDate {
    pub(crate) fn new() -> Self {
        ParseDate {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new("parse_date", vec![vec![Param::String, Param::String]]),
        }
    }
}

impl ScalarUDFImpl for ParseDate {
    fn name(&self) -> &str {
        "parse_date"
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
        let texts = as_string_array(&arrays[0])?;
        let patterns = as_string_array(&arrays[1])?;
        let mut cache = FormatCache::default();
        let out = (0..args.number_rows)
            .map(|row| {
                if texts.is_null(row) || patterns.is_null(row) {
                    return Ok(None);
                }
                let format = cache.get(patterns.value(row))?;
                if format.has_time_fields() {
                    return exec_err!("Date format contains time field.");
                }
                Ok(format
                    .parse_prefix(texts.value(row))
                    .and_then(|parsed| days_of_date(parsed.date().ok()?).ok()))
            })
            .collect::<Result<Date32Array>>()?;
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

/// Days since the epoch of the date `text` holds; shared with STRINGTODATE.
pub(super) fn parse_days(format: &JavaFormat, text: &str) -> Result<i32> {
    let parsed = format.parse(text).map_err(|e| {
        exec_datafusion_err!(
            "Failed to parse date '{text}' with formatter '{}': {e}",
            format.pattern()
        )
    })?;
    days_of_date(parsed.date()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ksqldb_examples() {
        // ksqlDB: parse-date.json.
        let p = |t: &str, f: &str| parse_days(&JavaFormat::compile(f).unwrap(), t);
        assert_eq!(p("2018-05-11Lit", "yyyy-MM-dd'Lit'").unwrap(), 17662);
        assert_eq!(p("01-01-1970", "dd-MM-yyyy").unwrap(), 0);
        assert_eq!(p("JAN-2022", "MMM-yyyy").unwrap(), 18993);
        assert!(p("2004", "yyyy-MM-dd").is_err());
    }
}
