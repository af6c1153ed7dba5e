//! STRINGTODATE(text STRING, pattern STRING) → INT: deprecated PARSE_DATE giving days
//! since the epoch (ksqlDB `StringToDate`). Same rules as PARSE_DATE.

use std::sync::Arc;

use datafusion::arrow::array::{Array, Int32Array};
use datafusion::common::Result;
use datafusion::common::cast::as_string_array;

use super::java_format::FormatCache;
use super::parse_date::parse_days;
use datafusion::arrow::datatypes::DataType;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use crate::func::signature::{Overloads, Param};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct StringToDate {
    signature: Signature,
    overloads: Overloads,
}

impl StringToDate {
    pub(crate) fn new() -> Self {
        StringToDate {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new("stringtodate", vec![vec![Param::String, Param::String]]),
        }
    }
}

impl ScalarUDFImpl for StringToDate {
    fn name(&self) -> &str {
        "stringtodate"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        self.overloads.coerce(arg_types)
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        self.overloads.resolve(arg_types)?;
        Ok(DataType::Int32)
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
                parse_days(format, texts.value(row)).map(Some)
            })
            .collect::<Result<Int32Array>>()?;
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}
