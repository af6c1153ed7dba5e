//! PARSE_TIME(text STRING, pattern STRING) → TIME: a time of day read with a Java
//! `DateTimeFormatter` pattern (ksqlDB `ParseTime`).
//!
//! Matching is case-insensitive (`Pm` is PM); missing fields are 0. NULL if either
//! argument is NULL; text that does not match is an error (NULL plus a processing-log
//! entry).

use std::sync::Arc;

use datafusion::arrow::array::{Array, Time32MillisecondArray};
use datafusion::common::cast::as_string_array;
use datafusion::common::{Result, exec_datafusion_err};

use super::epoch::millis_of_time;
use super::java_format::{FormatCache, JavaFormat};
use datafusion::arrow::datatypes::DataType;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use crate::func::signature::{Overloads, Param};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ParseTime {
    signature: Signature,
    overloads: Overloads,
}

impl ParseTime {
    pub(crate) fn new() -> Self {
        ParseTime {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new("parse_time", vec![vec![Param::String, Param::String]]),
        }
    }
}

impl ScalarUDFImpl for ParseTime {
    fn name(&self) -> &str {
        "parse_time"
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
        let texts = as_string_array(&arrays[0])?;
        let patterns = as_string_array(&arrays[1])?;
        let mut cache = FormatCache::default();
        let out = (0..args.number_rows)
            .map(|row| {
                if texts.is_null(row) || patterns.is_null(row) {
                    return Ok(None);
                }
                let format = cache.get(patterns.value(row))?;
                parse_time(format, texts.value(row)).map(Some)
            })
            .collect::<Result<Time32MillisecondArray>>()?;
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

fn parse_time(format: &JavaFormat, text: &str) -> Result<i32> {
    let parsed = format.parse(text).map_err(|e| {
        exec_datafusion_err!(
            "Failed to parse time '{text}' with formatter '{}': {e}",
            format.pattern()
        )
    })?;
    Ok(millis_of_time(parsed.time()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ksqldb_examples() {
        // ksqlDB: parse-time.json.
        let p = |t: &str, f: &str| parse_time(&JavaFormat::compile(f).unwrap(), t).unwrap();
        assert_eq!(p("00:01:05Lit", "HH:mm:ss'Lit'"), 65_000);
        assert_eq!(p("11/05/19", "HH/mm/ss"), 39_919_000);
        assert_eq!(p("01:00:00 PM", "hh:mm:ss a"), 46_800_000);
        assert_eq!(p("01:00:00 Pm", "hh:mm:ss a"), 46_800_000);
    }
}
