//! ROUND(value[, places INT]): ksqlDB's `Round`.
//!
//! * ROUND(INT|BIGINT) → BIGINT, the value itself;
//! * ROUND(DOUBLE) → BIGINT, Java's `Math.round` (halves toward +∞: `-1.5` → `-1`);
//! * ROUND(DOUBLE, places) → DOUBLE, rounded on its decimal digits (negative `places`
//!   round left of the point; zero is `0.0`, never `-0.0`);
//! * ROUND(DECIMAL(p, s)) → DECIMAL(p - s, 0) and ROUND(DECIMAL(p, s), places) →
//!   DECIMAL(p, s), halves toward +∞.
//!
//! DataFusion's `round` returns DOUBLE and rounds halves away from zero. NULL if any
//! argument is NULL.

use std::sync::Arc;

use datafusion::arrow::array::{Array, Decimal128Array, Float64Array, Int64Array};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::common::cast::{
    as_decimal128_array, as_float64_array, as_int32_array, as_int64_array,
};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::decimal_rounding::{Rounding, java_round, round_double, round_unscaled};
use crate::func::signature::{Overloads, Param};

const MODE: Rounding = Rounding::HalfTowardPositive;

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Round {
    signature: Signature,
    overloads: Overloads,
}

impl Round {
    pub(crate) fn new() -> Self {
        Round {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new(
                "round",
                vec![
                    vec![Param::Bigint],
                    vec![Param::Int],
                    vec![Param::Double],
                    vec![Param::Double, Param::Int],
                    vec![Param::Decimal],
                    vec![Param::Decimal, Param::Int],
                ],
            ),
        }
    }
}

impl ScalarUDFImpl for Round {
    fn name(&self) -> &str {
        "round"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        self.overloads.coerce(arg_types)
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        Ok(match (self.overloads.resolve(arg_types)?, &arg_types[0]) {
            (3, _) => DataType::Float64,
            (4, DataType::Decimal128(p, s)) => {
                let digits = i16::from(*p) - i16::from(*s);
                DataType::Decimal128(u8::try_from(digits.max(1)).unwrap_or(1), 0)
            }
            (5, ty) => ty.clone(),
            _ => DataType::Int64,
        })
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let places = arrays.get(1).map(|a| as_int32_array(a)).transpose()?;
        let places_at = |row: usize| places.map(|p| p.is_valid(row).then(|| p.value(row)));
        let out: Arc<dyn Array> = match (arrays[0].data_type(), args.return_type()) {
            (DataType::Int32, _) => Arc::new(
                as_int32_array(&arrays[0])?
                    .iter()
                    .map(|v| v.map(i64::from))
                    .collect::<Int64Array>(),
            ),
            (DataType::Int64, _) => Arc::new(as_int64_array(&arrays[0])?.clone()),
            (DataType::Float64, DataType::Int64) => Arc::new(
                as_float64_array(&arrays[0])?
                    .iter()
                    .map(|v| v.map(java_round))
                    .collect::<Int64Array>(),
            ),
            (DataType::Float64, _) => {
                let values = as_float64_array(&arrays[0])?;
                Arc::new(
                    (0..values.len())
                        .map(|row| {
                            let v = values.is_valid(row).then(|| values.value(row))?;
                            Some(round_double(v, places_at(row)??, MODE))
                        })
                        .collect::<Float64Array>(),
                )
            }
            (DataType::Decimal128(_, scale), DataType::Decimal128(p, s)) => {
                let values = as_decimal128_array(&arrays[0])?;
                let scale = i32::from(*scale);
                let rounded = (0..values.len())
                    .map(|row| {
                        let v = values.is_valid(row).then(|| values.value(row))?;
                        let places = places_at(row).unwrap_or(Some(0))?;
                        let r = round_unscaled(v, scale, places, MODE);
                        // Re-express at the result's scale (0 without `places`); exact, as
                        // `r` has no digits past it.
                        let drop = u32::try_from(scale - i32::from(*s)).unwrap_or(0);
                        Some(r / 10i128.checked_pow(drop)?)
                    })
                    .collect::<Decimal128Array>();
                Arc::new(rounded.with_precision_and_scale(*p, *s)?)
            }
            (other, _) => {
                return datafusion::common::exec_err!("ROUND: unexpected argument type {other}");
            }
        };
        Ok(ColumnarValue::Array(out))
    }
}
