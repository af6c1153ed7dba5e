//! FROM_UNIXTIME(millis BIGINT) → TIMESTAMP: milliseconds since the epoch as a TIMESTAMP
//! (ksqlDB `FromUnixTime`; DataFusion's `from_unixtime` takes seconds). NULL for NULL.

use std::sync::Arc;

use datafusion::arrow::array::TimestampMillisecondArray;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::common::cast::as_int64_array;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use crate::func::signature::{Overloads, Param};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct FromUnixTime {
    signature: Signature,
    overloads: Overloads,
}

impl FromUnixTime {
    pub(crate) fn new() -> Self {
        FromUnixTime {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new("from_unixtime", vec![vec![Param::Bigint]]),
        }
    }
}

impl ScalarUDFImpl for FromUnixTime {
    fn name(&self) -> &str {
        "from_unixtime"
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
        let millis = as_int64_array(&arrays[0])?;
        let out: TimestampMillisecondArray = millis.iter().collect();
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}
