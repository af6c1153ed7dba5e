//! CORRELATION(x, y): the Pearson correlation coefficient of the rows where both x and y are
//! not null, as a DOUBLE; NaN until it is defined (fewer than two points, or a constant x or y).
//!
//! ksqlDB keeps the count and the sums of x, y, x², y² and xy, and computes
//! `(n·Σxy − Σx·Σy) / √((n·Σx² − (Σx)²)·(n·Σy² − (Σy)²))`; the same sums in the same order give
//! the same last digits.

use datafusion::scalar::ScalarValue;
use serde_json::{Value, json};

use super::function::{
    Accumulator, AggregateConfig, AggregateError, AggregateFunction, AggregateResult, CallArg,
    no_signature, state_i64,
};
use crate::catalog::types::SqlType;

pub(super) fn resolve(
    name: &str,
    args: &[CallArg],
    _config: &AggregateConfig,
) -> Result<AggregateFunction, String> {
    let numeric = |a: &CallArg| matches!(a.ty, SqlType::Int | SqlType::Bigint | SqlType::Double);
    if !matches!(args, [x, y] if numeric(x) && numeric(y)) {
        return Err(no_signature(name, args));
    }
    Ok(AggregateFunction::new(
        "CORRELATION",
        SqlType::Double,
        2,
        Box::new(Correlation::default()),
    )
    .with_undo()
    .structured_state())
}

#[derive(Debug, Clone, Default)]
struct Correlation {
    count: i64,
    x: f64,
    y: f64,
    xx: f64,
    yy: f64,
    xy: f64,
}

/// A numeric argument as a double; `None` for null.
fn number(value: &ScalarValue) -> AggregateResult<Option<f64>> {
    match value {
        ScalarValue::Int32(v) => Ok(v.map(f64::from)),
        ScalarValue::Int64(v) => Ok(v.map(|v| v as f64)),
        ScalarValue::Float64(v) => Ok(*v),
        other => Err(AggregateError::Internal(format!(
            "CORRELATION got a {}",
            other.data_type()
        ))),
    }
}

impl Correlation {
    fn apply(&mut self, args: &[ScalarValue], sign: f64) -> AggregateResult<()> {
        let [x, y] = args else {
            return Err(AggregateError::Internal(format!(
                "CORRELATION got {} arguments instead of 2",
                args.len()
            )));
        };
        let (Some(x), Some(y)) = (number(x)?, number(y)?) else {
            return Ok(());
        };
        self.count += sign as i64;
        self.x += sign * x;
        self.y += sign * y;
        self.xx += sign * x * x;
        self.yy += sign * y * y;
        self.xy += sign * x * y;
        Ok(())
    }
}

impl Accumulator for Correlation {
    fn update(&mut self, args: &[ScalarValue]) -> AggregateResult<()> {
        self.apply(args, 1.0)
    }

    fn undo(&mut self, args: &[ScalarValue]) -> AggregateResult<()> {
        self.apply(args, -1.0)
    }

    fn merge(&mut self, other: &Value) -> AggregateResult<()> {
        let mut merged = self.clone();
        merged.restore(other)?;
        self.count += merged.count;
        self.x += merged.x;
        self.y += merged.y;
        self.xx += merged.xx;
        self.yy += merged.yy;
        self.xy += merged.xy;
        Ok(())
    }

    fn result(&self) -> AggregateResult<ScalarValue> {
        let n = self.count as f64;
        let numerator = n * self.xy - self.x * self.y;
        let denominator =
            ((n * self.xx - self.x * self.x) * (n * self.yy - self.y * self.y)).sqrt();
        Ok(ScalarValue::Float64(Some(numerator / denominator)))
    }

    fn state(&self) -> AggregateResult<Value> {
        Ok(json!({
            "count": self.count,
            "x": self.x, "y": self.y, "xx": self.xx, "yy": self.yy, "xy": self.xy,
        }))
    }

    fn restore(&mut self, state: &Value) -> AggregateResult<()> {
        let float = |field: &str| {
            state[field]
                .as_f64()
                .ok_or_else(|| AggregateError::State(format!("missing number {field} in {state}")))
        };
        self.count = state_i64(state, "count")?;
        self.x = float("x")?;
        self.y = float("y")?;
        self.xx = float("xx")?;
        self.yy = float("yy")?;
        self.xy = float("xy")?;
        Ok(())
    }

    fn clone_box(&self) -> Box<dyn Accumulator> {
        Box::new(self.clone())
    }

    fn name(&self) -> &'static str {
        "CORRELATION"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(x: Option<f64>, y: Option<f64>) -> [ScalarValue; 2] {
        [ScalarValue::Float64(x), ScalarValue::Float64(y)]
    }

    fn result(acc: &Correlation) -> f64 {
        match acc.result().unwrap() {
            ScalarValue::Float64(Some(v)) => v,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn nan_until_defined_then_pearson() {
        let mut acc = Correlation::default();
        acc.update(&point(Some(1.5), Some(8.0))).unwrap();
        assert!(result(&acc).is_nan());
        acc.update(&point(Some(13.1), None)).unwrap();
        acc.update(&point(Some(-1.0), Some(-2.0))).unwrap();
        assert_eq!(result(&acc), 1.0);
        acc.update(&point(Some(-4.5), Some(-1.0))).unwrap();
        assert_eq!(result(&acc), 0.7580764521133173);
    }

    #[test]
    fn undo_and_restore() {
        let mut acc = Correlation::default();
        for (x, y) in [(1.5, 8.0), (-3.5, -2.0)] {
            acc.update(&point(Some(x), Some(y))).unwrap();
        }
        acc.undo(&point(Some(1.5), Some(8.0))).unwrap();
        let mut restored = Correlation::default();
        restored.restore(&acc.state().unwrap()).unwrap();
        restored.update(&point(Some(-1.0), Some(-2.0))).unwrap();
        assert!(result(&restored).is_nan(), "y is constant");
        restored.update(&point(Some(-4.5), Some(-1.0))).unwrap();
        assert_eq!(result(&restored), -0.7205766921228921);
    }
}
