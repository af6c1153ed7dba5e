//! DATETOSTRING(days INT, pattern STRING) → STRING: deprecated FORMAT_DATE over a number
//! of days since the epoch (ksqlDB `DateToString`). Same rules as FORMAT_DATE.

use std::sync::Arc;

use datafusion::arrow::array::{Array, StringArray};
use datafusion::common::Result;
use datafusion::common::cast::{as_int32_array, as_string_array};

use super::format_date::format_days;
use super::java_format::FormatCache;
use datafusion::arrow::datatypes::DataType;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use crate::func::signature::{Overloads, Param};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct DateToString {
    signature: Signature,
    overloads: Overloads,
}

impl DateToString {
    pub(crate) fn new() -> Self {
        DateToString {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new("datetostring", vec![vec![Param::Int, Param::String]]),
        }
    }
}

impl ScalarUDFImpl for DateToString {
    fn name(&self) -> &str {
        "datetostring"
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
        let days = as_int32_array(&arrays[0])?;
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
