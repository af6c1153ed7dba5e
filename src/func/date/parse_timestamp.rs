//! PARSE_TIMESTAMP(text STRING, pattern STRING[, zone STRING]) → TIMESTAMP: text read
//! with a Java `DateTimeFormatter` pattern (ksqlDB `ParseTimestamp`).
//!
//! A zone or offset in the text wins over the `zone` argument (default UTC); missing
//! fields default to 1970-01-01T00:00; matching is case-insensitive (`z` reads as `Z`).
//! NULL if any argument is NULL; text that does not match, or a bad pattern or zone, is an
//! error (NULL plus a processing-log entry).

use std::sync::Arc;

use datafusion::arrow::array::{Array, TimestampMillisecondArray};
use datafusion::common::cast::as_string_array;
use datafusion::common::{Result, exec_datafusion_err};

use super::java_format::{FormatCache, JavaFormat};
use super::zone::Zone;
use datafusion::arrow::datatypes::DataType;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use crate::func::signature::{Overloads, Param};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ParseTimestamp {
    signature: Signature,
    overloads: Overloads,
}

impl ParseTimestamp {
    pub(crate) fn new() -> Self {
        ParseTimestamp {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new(
                "parse_timestamp",
                vec![
                    vec![Param::String, Param::String],
                    vec![Param::String, Param::String, Param::String],
                ],
            ),
        }
    }
}

impl ScalarUDFImpl for ParseTimestamp {
    fn name(&self) -> &str {
        "parse_timestamp"
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
        let values = as_string_array(&arrays[0])?;
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
                parse_millis(format, values.value(row), &zone).map(Some)
            })
            .collect::<Result<TimestampMillisecondArray>>()?;
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

/// The instant `text` holds; shared with STRINGTOTIMESTAMP.
pub(super) fn parse_millis(format: &JavaFormat, text: &str, zone: &Zone) -> Result<i64> {
    let parsed = format.parse(text).map_err(|e| {
        exec_datafusion_err!(
            "Failed to parse timestamp '{text}' with formatter '{}': {e}",
            format.pattern()
        )
    })?;
    parsed.instant_millis(zone)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ksqldb_examples() {
        // ksqlDB: stringtimestamp.json.
        let p = |t: &str, f: &str| {
            parse_millis(&JavaFormat::compile(f).unwrap(), t, &Zone::utc()).unwrap()
        };
        assert_eq!(
            p("2018-05-11T21:58:33", "yyyy-MM-dd'T'HH:mm:ss"),
            1_526_075_913_000
        );
        assert_eq!(
            p("2020-05-11T21:58:33 PST", "yyyy-MM-dd'T'HH:mm:ss zzz"),
            1_589_259_513_000
        );
        let la = Zone::of("America/Los_Angeles").unwrap();
        let f = JavaFormat::compile("yyyy-MM-dd HH:mm").unwrap();
        assert_eq!(
            parse_millis(&f, "1970-01-01 00:00", &la).unwrap(),
            8 * 3_600_000
        );
    }
}
