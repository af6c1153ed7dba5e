//! UNIX_DATE([date DATE]) → INT: days since the epoch of a date, or of today (UTC)
//! without an argument (ksqlDB `UnixDate`). NULL for NULL.

use std::sync::Arc;

use datafusion::arrow::array::Int32Array;
use datafusion::common::Result;
use datafusion::common::cast::as_date32_array;

use super::epoch::MILLIS_PER_DAY;
use datafusion::arrow::datatypes::DataType;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use crate::func::signature::{Overloads, Param};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct UnixDate {
    signature: Signature,
    overloads: Overloads,
}

impl UnixDate {
    pub(crate) fn new() -> Self {
        UnixDate {
            signature: Signature::user_defined(Volatility::Volatile),
            overloads: Overloads::new("unix_date", vec![vec![], vec![Param::Date]]),
        }
    }
}

impl ScalarUDFImpl for UnixDate {
    fn name(&self) -> &str {
        "unix_date"
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
        let out: Int32Array = match arrays.first() {
            Some(dates) => as_date32_array(dates)?.iter().collect(),
            None => {
                let today = i32::try_from(
                    chrono::Utc::now()
                        .timestamp_millis()
                        .div_euclid(MILLIS_PER_DAY),
                )
                .unwrap_or_default();
                std::iter::repeat_n(Some(today), args.number_rows).collect()
            }
        };
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}
