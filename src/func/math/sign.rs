//! SIGN(value INT|BIGINT|DOUBLE) → INT: -1, 0 or 1 by the sign of a number (ksqlDB
//! `Sign`, Java's `signum`; NaN gives 0). NULL for NULL.

use std::sync::Arc;

use datafusion::arrow::array::Int32Array;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::common::cast::{as_float64_array, as_int32_array, as_int64_array};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use crate::func::signature::{Overloads, Param};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Sign {
    signature: Signature,
    overloads: Overloads,
}

impl Sign {
    pub(crate) fn new() -> Self {
        Sign {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new(
                "sign",
                vec![vec![Param::Int], vec![Param::Bigint], vec![Param::Double]],
            ),
        }
    }
}

impl ScalarUDFImpl for Sign {
    fn name(&self) -> &str {
        "sign"
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
        let out: Int32Array = match arrays[0].data_type() {
            DataType::Int32 => as_int32_array(&arrays[0])?
                .iter()
                .map(|v| v.map(i32::signum))
                .collect(),
            DataType::Int64 => as_int64_array(&arrays[0])?
                .iter()
                .map(|v| v.map(|v| i32::try_from(v.signum()).unwrap_or(0)))
                .collect(),
            _ => as_float64_array(&arrays[0])?
                .iter()
                .map(|v| v.map(signum))
                .collect(),
        };
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

/// Java `(int) Math.signum(v)`: NaN and ±0 give 0.
fn signum(v: f64) -> i32 {
    if v > 0.0 {
        1
    } else if v < 0.0 {
        -1
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs() {
        assert_eq!(signum(-3.0), -1);
        assert_eq!(signum(0.0), 0);
        assert_eq!(signum(-0.0), 0);
        assert_eq!(signum(f64::NAN), 0);
        assert_eq!(signum(3.0), 1);
    }
}
