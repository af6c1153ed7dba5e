//! UNIX_TIMESTAMP([ts TIMESTAMP]) → BIGINT: milliseconds since the epoch of a timestamp,
//! or of now without an argument (ksqlDB `UnixTimestamp`). NULL for NULL.

use std::sync::Arc;

use datafusion::arrow::array::Int64Array;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::common::cast::as_timestamp_millisecond_array;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use crate::func::signature::{Overloads, Param};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct UnixTimestamp {
    signature: Signature,
    overloads: Overloads,
}

impl UnixTimestamp {
    pub(crate) fn new() -> Self {
        UnixTimestamp {
            signature: Signature::user_defined(Volatility::Volatile),
            overloads: Overloads::new("unix_timestamp", vec![vec![], vec![Param::Timestamp]]),
        }
    }
}

impl ScalarUDFImpl for UnixTimestamp {
    fn name(&self) -> &str {
        "unix_timestamp"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        self.overloads.coerce(arg_types)
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        self.overloads.resolve(arg_types)?;
        Ok(DataType::Int64)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let out: Int64Array = match arrays.first() {
            Some(ts) => as_timestamp_millisecond_array(ts)?.iter().collect(),
            None => {
                let now = chrono::Utc::now().timestamp_millis();
                std::iter::repeat_n(Some(now), args.number_rows).collect()
            }
        };
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}
