//! SQRT(value DOUBLE) → DOUBLE: the square root (ksqlDB `Sqrt`); a negative value gives
//! NaN, not NULL. NULL for NULL. INT and BIGINT arguments are widened.

use std::sync::Arc;

use datafusion::arrow::array::Float64Array;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::common::cast::as_float64_array;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use crate::func::signature::{Overloads, Param};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Sqrt {
    signature: Signature,
    overloads: Overloads,
}

impl Sqrt {
    pub(crate) fn new() -> Self {
        Sqrt {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new("sqrt", vec![vec![Param::Double]]),
        }
    }
}

impl ScalarUDFImpl for Sqrt {
    fn name(&self) -> &str {
        "sqrt"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        self.overloads.coerce(arg_types)
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        self.overloads.resolve(arg_types)?;
        Ok(DataType::Float64)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let out: Float64Array = as_float64_array(&arrays[0])?
            .iter()
            .map(|v| v.map(f64::sqrt))
            .collect();
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn negative_is_nan() {
        assert!((-1f64).sqrt().is_nan());
    }
}
