//! TIMESTAMPTOSTRING(millis BIGINT, pattern STRING[, zone STRING]) → STRING: deprecated
//! FORMAT_TIMESTAMP over milliseconds since the epoch (ksqlDB `TimestampToString`).
//! Same rules as FORMAT_TIMESTAMP.

use std::sync::Arc;

use datafusion::arrow::array::{Array, StringArray};
use datafusion::common::Result;
use datafusion::common::cast::{as_int64_array, as_string_array};

use super::format_timestamp::format_millis;
use super::java_format::FormatCache;
use super::zone::Zone;
use datafusion::arrow::datatypes::DataType;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use crate::func::signature::{Overloads, Param};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct TimestampToString {
    signature: Signature,
    overloads: Overloads,
}

impl TimestampToString {
    pub(crate) fn new() -> Self {
        TimestampToString {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new(
                "timestamptostring",
                vec![
                    vec![Param::Bigint, Param::String],
                    vec![Param::Bigint, Param::String, Param::String],
                ],
            ),
        }
    }
}

impl ScalarUDFImpl for TimestampToString {
    fn name(&self) -> &str {
        "timestamptostring"
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
        let values = as_int64_array(&arrays[0])?;
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
