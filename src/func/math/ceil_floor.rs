//! CEIL and FLOOR(value INT|BIGINT|DOUBLE|DECIMAL): the nearest whole number above or
//! below, of the argument's own type (ksqlDB `Ceil`, `Floor`): an INT or BIGINT is already
//! whole and comes back as it is, a DECIMAL keeps its precision and scale (`1.25` → `2.00`).
//! NULL for NULL.

use std::sync::Arc;

use datafusion::arrow::array::{Array, Decimal128Array, Float64Array};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::common::cast::{as_decimal128_array, as_float64_array};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use crate::func::signature::{Overloads, Param};

/// Which way a value goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// CEIL: toward positive infinity.
    Up,
    /// FLOOR: toward negative infinity.
    Down,
}

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct CeilFloor {
    direction: Direction,
    signature: Signature,
    overloads: Overloads,
}

impl CeilFloor {
    pub(crate) fn new(direction: Direction) -> Self {
        let name = match direction {
            Direction::Up => "ceil",
            Direction::Down => "floor",
        };
        CeilFloor {
            direction,
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new(
                name,
                vec![
                    vec![Param::Int],
                    vec![Param::Bigint],
                    vec![Param::Double],
                    vec![Param::Decimal],
                ],
            ),
        }
    }

    /// A whole number of units `factor` from `unscaled`, in this direction.
    fn whole(&self, unscaled: i128, factor: i128) -> i128 {
        let (q, r) = (unscaled / factor, unscaled % factor);
        let q = match self.direction {
            Direction::Up if r > 0 => q + 1,
            Direction::Down if r < 0 => q - 1,
            _ => q,
        };
        q.saturating_mul(factor)
    }
}

impl ScalarUDFImpl for CeilFloor {
    fn name(&self) -> &str {
        match self.direction {
            Direction::Up => "ceil",
            Direction::Down => "floor",
        }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        self.overloads.coerce(arg_types)
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        self.overloads.resolve(arg_types)?;
        Ok(arg_types[0].clone())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let array = &arrays[0];
        let out: Arc<dyn Array> = match array.data_type() {
            DataType::Float64 => {
                let rounded: Float64Array = as_float64_array(array)?
                    .iter()
                    .map(|v| {
                        v.map(|v| match self.direction {
                            Direction::Up => v.ceil(),
                            Direction::Down => v.floor(),
                        })
                    })
                    .collect();
                Arc::new(rounded)
            }
            DataType::Decimal128(precision, scale) => {
                let factor = 10i128.pow(u32::try_from(*scale).unwrap_or(0));
                let rounded: Decimal128Array = as_decimal128_array(array)?
                    .iter()
                    .map(|v| v.map(|v| self.whole(v, factor)))
                    .collect();
                Arc::new(rounded.with_precision_and_scale(*precision, *scale)?)
            }
            // INT and BIGINT are whole already.
            _ => array.clone(),
        };
        Ok(ColumnarValue::Array(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_round_to_whole_units_of_their_scale() {
        let (ceil, floor) = (
            CeilFloor::new(Direction::Up),
            CeilFloor::new(Direction::Down),
        );
        assert_eq!(ceil.whole(125, 100), 200);
        assert_eq!(floor.whole(125, 100), 100);
        assert_eq!(ceil.whole(-125, 100), -100);
        assert_eq!(floor.whole(-125, 100), -200);
        assert_eq!(ceil.whole(300, 100), 300);
    }
}
