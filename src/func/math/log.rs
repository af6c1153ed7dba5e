//! LOG(value DOUBLE) → DOUBLE: the natural logarithm, and LOG(base DOUBLE, value DOUBLE)
//! → DOUBLE: the logarithm in a base (ksqlDB `Log`).
//!
//! ksqlDB: one-argument LOG is the *natural* log (DataFusion's `log` is base 10). A base
//! that is not positive, or is 1, gives NaN; a value of 0 gives -Infinity and a negative
//! value NaN. NULL if any argument is NULL. INT and BIGINT arguments are widened.

use std::sync::Arc;

use datafusion::arrow::array::{Array, Float64Array};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::common::cast::as_float64_array;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use crate::func::signature::{Overloads, Param};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Log {
    signature: Signature,
    overloads: Overloads,
}

impl Log {
    pub(crate) fn new() -> Self {
        Log {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new(
                "log",
                vec![vec![Param::Double], vec![Param::Double, Param::Double]],
            ),
        }
    }
}

impl ScalarUDFImpl for Log {
    fn name(&self) -> &str {
        "log"
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
        let columns = arrays
            .iter()
            .map(|a| as_float64_array(a))
            .collect::<Result<Vec<_>>>()?;
        let out: Float64Array = (0..args.number_rows)
            .map(|row| {
                if columns.iter().any(|c| c.is_null(row)) {
                    return None;
                }
                Some(match columns.as_slice() {
                    [value] => value.value(row).ln(),
                    [base, value] => log(base.value(row), value.value(row)),
                    _ => f64::NAN,
                })
            })
            .collect();
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

fn log(base: f64, value: f64) -> f64 {
    if base <= 0.0 || base == 1.0 {
        return f64::NAN;
    }
    value.ln() / base.ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ksqldb_cases() {
        // ksqlDB: math.json "log-custom-base".
        assert_eq!(log(15.0, 13.0), 0.9471572411831843);
        assert_eq!(log(15.0, 0.0), f64::NEG_INFINITY);
        assert!(log(15.0, -13.0).is_nan());
        assert!(log(-15.0, 13.0).is_nan());
        assert!(log(0.0, 13.0).is_nan());
        assert!(log(1.0, 13.0).is_nan());
        assert_eq!(13f64.ln(), 2.5649493574615367);
    }
}
