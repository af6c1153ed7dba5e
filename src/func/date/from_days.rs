//! FROM_DAYS(days INT) → DATE: days since the epoch as a DATE (ksqlDB `FromDays`).
//! NULL for NULL.

use std::sync::Arc;

use datafusion::arrow::array::Date32Array;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::common::cast::as_int32_array;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use crate::func::signature::{Overloads, Param};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct FromDays {
    signature: Signature,
    overloads: Overloads,
}

impl FromDays {
    pub(crate) fn new() -> Self {
        FromDays {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new("from_days", vec![vec![Param::Int]]),
        }
    }
}

impl ScalarUDFImpl for FromDays {
    fn name(&self) -> &str {
        "from_days"
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
        let days = as_int32_array(&arrays[0])?;
        let out: Date32Array = days.iter().collect();
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}
