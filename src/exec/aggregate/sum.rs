//! SUM and SUM_LIST: the sum of a column (INT, BIGINT, DOUBLE or DECIMAL, of the same type),
//! or of every element of an array column (INT, BIGINT or DOUBLE elements).
//!
//! ksqlDB: nulls are skipped and a group's sum starts at 0, so a group of nulls sums to 0.
//! INT and BIGINT sums wrap around on overflow as Java's do; a DECIMAL sum that no longer fits
//! its precision is refused.

use datafusion::scalar::ScalarValue;
use serde_json::{Value, json};

use super::function::{
    Accumulator, AggregateConfig, AggregateError, AggregateFunction, AggregateResult, CallArg,
    no_signature, single, write_integer,
};
use crate::catalog::types::SqlType;

pub(super) fn resolve(
    name: &str,
    args: &[CallArg],
    _config: &AggregateConfig,
) -> Result<AggregateFunction, String> {
    let refused = || no_signature(name, args);
    let [arg] = args else {
        return Err(refused());
    };
    if name == "SUM_LIST" {
        let SqlType::Array(item) = &arg.ty else {
            return Err(refused());
        };
        let zero = Total::zero(item).filter(|t| !matches!(t, Total::Decimal { .. }));
        let zero = zero.ok_or_else(refused)?;
        let sum = Sum {
            total: zero,
            list: true,
        };
        return Ok(
            AggregateFunction::new("SUM_LIST", (**item).clone(), 1, Box::new(sum)).with_undo(),
        );
    }
    let total = Total::zero(&arg.ty).ok_or_else(refused)?;
    let fallible = matches!(total, Total::Decimal { .. });
    let function = AggregateFunction::new(
        "SUM",
        arg.ty.clone(),
        1,
        Box::new(Sum { total, list: false }),
    )
    .with_undo();
    Ok(if fallible {
        function.fallible()
    } else {
        function
    })
}

/// A running numeric total of one SQL type, shared by SUM and AVG.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Total {
    Int(i32),
    Bigint(i64),
    Double(f64),
    /// An unscaled value of DECIMAL(precision, scale).
    Decimal {
        unscaled: i128,
        precision: u8,
        scale: i8,
    },
}

impl Total {
    /// Zero of `ty`, if values of `ty` can be summed.
    pub(super) fn zero(ty: &SqlType) -> Option<Total> {
        Some(match ty {
            SqlType::Int => Total::Int(0),
            SqlType::Bigint => Total::Bigint(0),
            SqlType::Double => Total::Double(0.0),
            SqlType::Decimal(precision, scale) => Total::Decimal {
                unscaled: 0,
                precision: *precision,
                scale: *scale,
            },
            _ => None?,
        })
    }

    /// Adds `value` (nulls are skipped); `negate` subtracts it instead.
    pub(super) fn add(&mut self, value: &ScalarValue, negate: bool) -> AggregateResult<()> {
        if value.is_null() {
            return Ok(());
        }
        match (self, value) {
            (Total::Int(total), ScalarValue::Int32(Some(v))) => {
                *total = if negate {
                    total.wrapping_sub(*v)
                } else {
                    total.wrapping_add(*v)
                };
            }
            (Total::Bigint(total), ScalarValue::Int64(Some(v))) => {
                *total = if negate {
                    total.wrapping_sub(*v)
                } else {
                    total.wrapping_add(*v)
                };
            }
            (Total::Double(total), ScalarValue::Float64(Some(v))) => {
                *total += if negate { -v } else { *v };
            }
            (
                Total::Decimal {
                    unscaled,
                    precision,
                    scale,
                },
                ScalarValue::Decimal128(Some(v), _, _),
            ) => {
                let next = if negate {
                    unscaled.checked_sub(*v)
                } else {
                    unscaled.checked_add(*v)
                };
                let limit = 10i128
                    .checked_pow(u32::from(*precision))
                    .unwrap_or(i128::MAX);
                match next {
                    Some(next) if next.abs() < limit => *unscaled = next,
                    _ => {
                        let digits = i16::from(*precision) - i16::from(*scale);
                        let got =
                            next.map_or_else(|| "overflow".into(), |n| plain_decimal(n, *scale));
                        return Err(AggregateError::Value(format!(
                            "Numeric field overflow: A field with precision {precision} and scale {scale} must round to an absolute value less than 10^{digits}. Got {got}"
                        )));
                    }
                }
            }
            (total, value) => {
                return Err(AggregateError::Internal(format!(
                    "cannot add {value:?} to a total of {total:?}"
                )));
            }
        }
        Ok(())
    }

    pub(super) fn value(&self) -> ScalarValue {
        match self {
            Total::Int(v) => ScalarValue::Int32(Some(*v)),
            Total::Bigint(v) => ScalarValue::Int64(Some(*v)),
            Total::Double(v) => ScalarValue::Float64(Some(*v)),
            Total::Decimal {
                unscaled,
                precision,
                scale,
            } => ScalarValue::Decimal128(Some(*unscaled), *precision, *scale),
        }
    }

    /// The total as a double, for averages.
    pub(super) fn as_f64(&self) -> f64 {
        match self {
            Total::Int(v) => f64::from(*v),
            Total::Bigint(v) => *v as f64,
            Total::Double(v) => *v,
            Total::Decimal {
                unscaled, scale, ..
            } => *unscaled as f64 / 10f64.powi(i32::from(*scale)),
        }
    }

    /// Appends `state()` to `out` as JSON text.
    pub(super) fn write_state(&self, out: &mut Vec<u8>) {
        match self {
            Total::Int(v) => write_integer(out, *v),
            Total::Bigint(v) => write_integer(out, *v),
            Total::Double(v) => write_integer(out, v.to_bits()),
            Total::Decimal { unscaled, .. } => {
                out.push(b'"');
                write_integer(out, *unscaled);
                out.push(b'"');
            }
        }
    }

    /// The total as changelog JSON: doubles by their bits so that they read back exactly.
    pub(super) fn state(&self) -> Value {
        match self {
            Total::Int(v) => json!(v),
            Total::Bigint(v) => json!(v),
            Total::Double(v) => json!(v.to_bits()),
            Total::Decimal { unscaled, .. } => json!(unscaled.to_string()),
        }
    }

    pub(super) fn restore(&mut self, state: &Value) -> AggregateResult<()> {
        let bad = || AggregateError::State(format!("{state} is not a sum's state"));
        match self {
            Total::Int(v) => {
                *v = state
                    .as_i64()
                    .and_then(|n| i32::try_from(n).ok())
                    .ok_or_else(bad)?;
            }
            Total::Bigint(v) => *v = state.as_i64().ok_or_else(bad)?,
            Total::Double(v) => *v = f64::from_bits(state.as_u64().ok_or_else(bad)?),
            Total::Decimal { unscaled, .. } => {
                *unscaled = state
                    .as_str()
                    .and_then(|s| s.parse().ok())
                    .ok_or_else(bad)?;
            }
        }
        Ok(())
    }
}

/// An unscaled decimal as plain text (`-12.30`), as Java's `toPlainString` prints it.
fn plain_decimal(unscaled: i128, scale: i8) -> String {
    if scale <= 0 {
        let shifted = 10i128
            .checked_pow(u32::from(scale.unsigned_abs()))
            .and_then(|factor| unscaled.checked_mul(factor));
        return match shifted {
            Some(value) => value.to_string(),
            None => format!("{unscaled}E+{}", scale.unsigned_abs()),
        };
    }
    let digits = unscaled.unsigned_abs().to_string();
    let scale = scale as usize;
    let padded = format!("{digits:0>width$}", width = scale + 1);
    let (whole, fraction) = padded.split_at(padded.len() - scale);
    let sign = if unscaled < 0 { "-" } else { "" };
    format!("{sign}{whole}.{fraction}")
}

#[derive(Debug, Clone)]
struct Sum {
    total: Total,
    /// SUM_LIST: the argument is an array whose elements are added.
    list: bool,
}

impl Sum {
    fn apply(&mut self, args: &[ScalarValue], negate: bool) -> AggregateResult<()> {
        let value = single(args, self.name())?;
        if !self.list {
            return self.total.add(value, negate);
        }
        let ScalarValue::List(list) = value else {
            return Err(AggregateError::Internal(format!("SUM_LIST got {value:?}")));
        };
        let mut total = self.total.clone();
        for i in 0..list.values().len() {
            let item = ScalarValue::try_from_array(list.values(), i)
                .map_err(|e| AggregateError::Internal(e.to_string()))?;
            total.add(&item, negate)?;
        }
        self.total = total;
        Ok(())
    }
}

impl Accumulator for Sum {
    fn update(&mut self, args: &[ScalarValue]) -> AggregateResult<()> {
        self.apply(args, false)
    }

    fn undo(&mut self, args: &[ScalarValue]) -> AggregateResult<()> {
        self.apply(args, true)
    }

    fn merge(&mut self, other: &Value) -> AggregateResult<()> {
        let mut merged = self.clone();
        merged.restore(other)?;
        self.total.add(&merged.total.value(), false)
    }

    fn result(&self) -> AggregateResult<ScalarValue> {
        Ok(self.total.value())
    }

    fn state(&self) -> AggregateResult<Value> {
        Ok(json!({ "total": self.total.state() }))
    }

    fn write_state(&self, out: &mut Vec<u8>) -> AggregateResult<()> {
        out.extend_from_slice(b"{\"total\":");
        self.total.write_state(out);
        out.push(b'}');
        Ok(())
    }

    fn restore(&mut self, state: &Value) -> AggregateResult<()> {
        self.total.restore(&state["total"])
    }

    fn clone_box(&self) -> Box<dyn Accumulator> {
        Box::new(self.clone())
    }

    fn name(&self) -> &'static str {
        if self.list { "SUM_LIST" } else { "SUM" }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sum_of(ty: SqlType) -> Box<dyn Accumulator> {
        let arg = CallArg {
            ty,
            literal: None,
            text: String::new(),
        };
        resolve("SUM", &[arg], &AggregateConfig::default())
            .unwrap()
            .accumulator()
    }

    #[test]
    fn keeps_the_argument_type_and_skips_nulls() {
        let mut sum = sum_of(SqlType::Int);
        assert_eq!(
            sum.result().unwrap(),
            ScalarValue::Int32(Some(0)),
            "ksqlDB starts at 0"
        );
        for v in [Some(2), None, Some(5)] {
            sum.update(&[ScalarValue::Int32(v)]).unwrap();
        }
        assert_eq!(sum.result().unwrap(), ScalarValue::Int32(Some(7)));
        sum.undo(&[ScalarValue::Int32(Some(5))]).unwrap();
        assert_eq!(sum.result().unwrap(), ScalarValue::Int32(Some(2)));
    }

    #[test]
    fn int_sums_wrap_like_java() {
        let mut sum = sum_of(SqlType::Int);
        sum.update(&[ScalarValue::Int32(Some(i32::MAX))]).unwrap();
        sum.update(&[ScalarValue::Int32(Some(1))]).unwrap();
        assert_eq!(sum.result().unwrap(), ScalarValue::Int32(Some(i32::MIN)));
    }

    #[test]
    fn decimal_overflow_is_refused_and_leaves_the_sum() {
        let mut sum = sum_of(SqlType::Decimal(4, 1));
        sum.update(&[ScalarValue::Decimal128(Some(5009), 4, 1)])
            .unwrap();
        let err = sum
            .update(&[ScalarValue::Decimal128(Some(5008), 4, 1)])
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Numeric field overflow: A field with precision 4 and scale 1 must round to an absolute value less than 10^3. Got 1001.7"
        );
        assert_eq!(
            sum.result().unwrap(),
            ScalarValue::Decimal128(Some(5009), 4, 1)
        );
    }

    #[test]
    fn double_state_round_trips_exactly() {
        let mut sum = sum_of(SqlType::Double);
        sum.update(&[ScalarValue::Float64(Some(0.1))]).unwrap();
        sum.update(&[ScalarValue::Float64(Some(0.2))]).unwrap();
        let mut restored = sum_of(SqlType::Double);
        restored.restore(&sum.state().unwrap()).unwrap();
        assert_eq!(restored.result().unwrap(), sum.result().unwrap());
        super::super::function::assert_state_written(&*sum);
    }

    #[test]
    fn sum_list_adds_elements() {
        let arg = CallArg {
            ty: SqlType::Array(Box::new(SqlType::Bigint)),
            literal: None,
            text: String::new(),
        };
        let function = resolve("SUM_LIST", &[arg], &AggregateConfig::default()).unwrap();
        assert_eq!(function.return_type, SqlType::Bigint);
        let mut sum = function.accumulator();
        let list = ScalarValue::new_list_nullable(
            &[
                ScalarValue::Int64(Some(100)),
                ScalarValue::Int64(None),
                ScalarValue::Int64(Some(6)),
            ],
            &datafusion::arrow::datatypes::DataType::Int64,
        );
        sum.update(&[ScalarValue::List(list)]).unwrap();
        assert_eq!(sum.result().unwrap(), ScalarValue::Int64(Some(106)));
    }

    #[test]
    fn refuses_strings() {
        let arg = CallArg {
            ty: SqlType::String,
            literal: None,
            text: String::new(),
        };
        let err = resolve("SUM", &[arg], &AggregateConfig::default()).unwrap_err();
        assert_eq!(err, "Function 'SUM' does not accept parameters (STRING).");
    }

    #[test]
    fn plain_decimal_text() {
        assert_eq!(plain_decimal(-1230, 2), "-12.30");
        assert_eq!(plain_decimal(5, 3), "0.005");
        assert_eq!(plain_decimal(12, 0), "12");
    }
}
