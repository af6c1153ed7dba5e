//! AVG: the mean of the non-null values of an INT, BIGINT or DOUBLE column, as a DOUBLE.
//!
//! ksqlDB keeps a sum (of the column's type, wrapping as Java's does) and a count, and maps a
//! group with no values to 0.0.

use datafusion::scalar::ScalarValue;
use serde_json::{Value, json};

use super::function::{
    Accumulator, AggregateConfig, AggregateFunction, AggregateResult, CallArg, no_signature,
    single, state_i64, write_integer,
};
use super::sum::Total;
use crate::catalog::types::SqlType;

pub(super) fn resolve(
    name: &str,
    args: &[CallArg],
    _config: &AggregateConfig,
) -> Result<AggregateFunction, String> {
    let total = match args {
        [arg] if matches!(arg.ty, SqlType::Int | SqlType::Bigint | SqlType::Double) => {
            Total::zero(&arg.ty)
        }
        _ => None,
    };
    let total = total.ok_or_else(|| no_signature(name, args))?;
    let average = Average { total, count: 0 };
    Ok(
        AggregateFunction::new("AVG", SqlType::Double, 1, Box::new(average))
            .with_undo()
            .structured_state(),
    )
}

#[derive(Debug, Clone)]
struct Average {
    total: Total,
    count: i64,
}

impl Average {
    fn apply(&mut self, args: &[ScalarValue], negate: bool) -> AggregateResult<()> {
        let value = single(args, "AVG")?;
        if value.is_null() {
            return Ok(());
        }
        self.total.add(value, negate)?;
        self.count += if negate { -1 } else { 1 };
        Ok(())
    }
}

impl Accumulator for Average {
    fn update(&mut self, args: &[ScalarValue]) -> AggregateResult<()> {
        self.apply(args, false)
    }

    fn undo(&mut self, args: &[ScalarValue]) -> AggregateResult<()> {
        self.apply(args, true)
    }

    fn merge(&mut self, other: &Value) -> AggregateResult<()> {
        let mut merged = self.clone();
        merged.restore(other)?;
        self.total.add(&merged.total.value(), false)?;
        self.count += merged.count;
        Ok(())
    }

    fn result(&self) -> AggregateResult<ScalarValue> {
        let average = if self.count == 0 {
            0.0
        } else {
            self.total.as_f64() / self.count as f64
        };
        Ok(ScalarValue::Float64(Some(average)))
    }

    fn state(&self) -> AggregateResult<Value> {
        Ok(json!({ "total": self.total.state(), "count": self.count }))
    }

    fn write_state(&self, out: &mut Vec<u8>) -> AggregateResult<()> {
        out.extend_from_slice(b"{\"total\":");
        self.total.write_state(out);
        out.extend_from_slice(b",\"count\":");
        write_integer(out, self.count);
        out.push(b'}');
        Ok(())
    }

    fn restore(&mut self, state: &Value) -> AggregateResult<()> {
        self.total.restore(&state["total"])?;
        self.count = state_i64(state, "count")?;
        Ok(())
    }

    fn clone_box(&self) -> Box<dyn Accumulator> {
        Box::new(self.clone())
    }

    fn name(&self) -> &'static str {
        "AVG"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn average_of(ty: SqlType) -> Box<dyn Accumulator> {
        let arg = CallArg {
            ty,
            literal: None,
            text: String::new(),
        };
        resolve("AVG", &[arg], &AggregateConfig::default())
            .unwrap()
            .accumulator()
    }

    #[test]
    fn averages_non_null_values_as_double() {
        let mut avg = average_of(SqlType::Int);
        assert_eq!(avg.result().unwrap(), ScalarValue::Float64(Some(0.0)));
        for v in [Some(1), Some(2), None, Some(2)] {
            avg.update(&[ScalarValue::Int32(v)]).unwrap();
        }
        assert_eq!(avg.result().unwrap(), ScalarValue::Float64(Some(5.0 / 3.0)));
        avg.undo(&[ScalarValue::Int32(Some(2))]).unwrap();
        assert_eq!(avg.result().unwrap(), ScalarValue::Float64(Some(1.5)));
    }

    #[test]
    fn bigint_average_of_large_values() {
        let mut avg = average_of(SqlType::Bigint);
        avg.update(&[ScalarValue::Int64(Some(-1))]).unwrap();
        avg.update(&[ScalarValue::Int64(Some(i64::MAX))]).unwrap();
        assert_eq!(
            avg.result().unwrap(),
            ScalarValue::Float64(Some(4.611686018427388e18))
        );
    }

    #[test]
    fn state_round_trips() {
        let mut avg = average_of(SqlType::Double);
        avg.update(&[ScalarValue::Float64(Some(-1.8))]).unwrap();
        avg.update(&[ScalarValue::Float64(Some(9.1))]).unwrap();
        let mut restored = average_of(SqlType::Double);
        restored.restore(&avg.state().unwrap()).unwrap();
        assert_eq!(restored.result().unwrap(), avg.result().unwrap());
        super::super::function::assert_state_written(&*avg);
    }

    #[test]
    fn refuses_other_types() {
        let arg = CallArg {
            ty: SqlType::Decimal(4, 2),
            literal: None,
            text: String::new(),
        };
        assert!(resolve("AVG", &[arg], &AggregateConfig::default()).is_err());
    }
}
