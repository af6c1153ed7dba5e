//! STDDEV_SAMP, STDDEV_SAMPLE and STDDEV_POP over the non-null values of an INT, BIGINT or
//! DOUBLE column, as a DOUBLE.
//!
//! ksqlDB keeps a count, a sum and the sum of squared differences from the mean (`m2`,
//! updated as Youngs and Cramer do, which fixes the last digits of every result).
//! ksqlDB: STDDEV_SAMP returns the sample *variance* (`m2 / (n - 1)`), STDDEV_SAMPLE its square
//! root, the sample standard deviation; both are 0.0 for a group of fewer than two values.
//! STDDEV_POP, which ksqlDB lacks, is the population standard deviation (`√(m2 / n)`, as in
//! standard SQL), 0.0 for an empty group.

use datafusion::scalar::ScalarValue;
use serde_json::{Value, json};

use super::function::{
    Accumulator, AggregateConfig, AggregateError, AggregateFunction, AggregateResult, CallArg,
    no_signature, single, state_i64,
};
use crate::catalog::types::SqlType;

pub(super) fn resolve(
    name: &str,
    args: &[CallArg],
    _config: &AggregateConfig,
) -> Result<AggregateFunction, String> {
    if !matches!(args, [arg] if matches!(arg.ty, SqlType::Int | SqlType::Bigint | SqlType::Double))
    {
        return Err(no_signature(name, args));
    }
    let (name, measure) = match name {
        "STDDEV_SAMP" => ("STDDEV_SAMP", Measure::SampleVariance),
        "STDDEV_POP" => ("STDDEV_POP", Measure::PopulationDeviation),
        _ => ("STDDEV_SAMPLE", Measure::SampleDeviation),
    };
    let deviation = StandardDeviation {
        name,
        measure,
        count: 0,
        sum: 0.0,
        m2: 0.0,
    };
    Ok(
        AggregateFunction::new(name, SqlType::Double, 1, Box::new(deviation))
            .with_undo()
            .structured_state(),
    )
}

/// What a function makes of the count and `m2`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Measure {
    /// STDDEV_SAMP: `m2 / (n - 1)`.
    SampleVariance,
    /// STDDEV_SAMPLE: `√(m2 / (n - 1))`.
    SampleDeviation,
    /// STDDEV_POP: `√(m2 / n)`.
    PopulationDeviation,
}

#[derive(Debug, Clone)]
struct StandardDeviation {
    name: &'static str,
    measure: Measure,
    count: i64,
    sum: f64,
    /// The sum of squared differences from the mean.
    m2: f64,
}

/// A numeric argument as a double; `None` for null.
fn number(args: &[ScalarValue], name: &str) -> AggregateResult<Option<f64>> {
    match single(args, name)? {
        ScalarValue::Int32(v) => Ok(v.map(f64::from)),
        ScalarValue::Int64(v) => Ok(v.map(|v| v as f64)),
        ScalarValue::Float64(v) => Ok(*v),
        other => Err(AggregateError::Internal(format!(
            "{name} got a {}",
            other.data_type()
        ))),
    }
}

impl Accumulator for StandardDeviation {
    fn update(&mut self, args: &[ScalarValue]) -> AggregateResult<()> {
        let Some(value) = number(args, self.name)? else {
            return Ok(());
        };
        self.count += 1;
        self.sum += value;
        if self.count > 1 {
            let t = self.count as f64 * value - self.sum;
            self.m2 += t * t / (self.count as f64 * (self.count - 1) as f64);
        }
        Ok(())
    }

    fn undo(&mut self, args: &[ScalarValue]) -> AggregateResult<()> {
        let Some(value) = number(args, self.name)? else {
            return Ok(());
        };
        if self.count == 0 {
            return Ok(());
        }
        if self.count > 1 {
            let t = self.count as f64 * value - self.sum;
            self.m2 -= t * t / (self.count as f64 * (self.count - 1) as f64);
        } else {
            self.m2 = 0.0;
        }
        self.count -= 1;
        self.sum -= value;
        Ok(())
    }

    /// Chan et al.'s combination of two groups' counts, sums and `m2`.
    fn merge(&mut self, other: &Value) -> AggregateResult<()> {
        let mut merged = self.clone();
        merged.restore(other)?;
        if merged.count == 0 {
            return Ok(());
        }
        if self.count > 0 {
            let (a, b) = (self.count as f64, merged.count as f64);
            let delta = merged.sum / b - self.sum / a;
            self.m2 += merged.m2 + delta * delta * a * b / (a + b);
        } else {
            self.m2 = merged.m2;
        }
        self.count += merged.count;
        self.sum += merged.sum;
        Ok(())
    }

    fn result(&self) -> AggregateResult<ScalarValue> {
        let sample_variance = || {
            if self.count < 2 {
                0.0
            } else {
                self.m2 / (self.count - 1) as f64
            }
        };
        Ok(ScalarValue::Float64(Some(match self.measure {
            Measure::SampleVariance => sample_variance(),
            Measure::SampleDeviation => sample_variance().sqrt(),
            Measure::PopulationDeviation if self.count == 0 => 0.0,
            Measure::PopulationDeviation => (self.m2 / self.count as f64).sqrt(),
        })))
    }

    fn state(&self) -> AggregateResult<Value> {
        Ok(json!({ "count": self.count, "sum": self.sum, "m2": self.m2 }))
    }

    fn restore(&mut self, state: &Value) -> AggregateResult<()> {
        let float = |field: &str| {
            state[field]
                .as_f64()
                .ok_or_else(|| AggregateError::State(format!("missing number {field} in {state}")))
        };
        self.count = state_i64(state, "count")?;
        self.sum = float("sum")?;
        self.m2 = float("m2")?;
        Ok(())
    }

    fn clone_box(&self) -> Box<dyn Accumulator> {
        Box::new(self.clone())
    }

    fn name(&self) -> &'static str {
        self.name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deviation(name: &str) -> Box<dyn Accumulator> {
        let arg = CallArg {
            ty: SqlType::Double,
            literal: None,
            text: String::new(),
        };
        resolve(name, &[arg], &AggregateConfig::default())
            .unwrap()
            .accumulator()
    }

    fn feed(acc: &mut Box<dyn Accumulator>, values: &[Option<f64>]) -> Vec<f64> {
        values
            .iter()
            .map(|v| {
                acc.update(&[ScalarValue::Float64(*v)]).unwrap();
                match acc.result().unwrap() {
                    ScalarValue::Float64(Some(v)) => v,
                    other => panic!("{other:?}"),
                }
            })
            .collect()
    }

    #[test]
    fn samp_is_the_variance_and_sample_its_root_to_the_last_digit() {
        let values = [Some(-1.8), Some(2.3), Some(100.2), None];
        let mut samp = deviation("STDDEV_SAMP");
        assert_eq!(
            feed(&mut samp, &values),
            vec![0.0, 8.405, 3334.2033333333347, 3334.2033333333347]
        );
        let mut sample = deviation("STDDEV_SAMPLE");
        assert_eq!(
            feed(&mut sample, &values),
            vec![0.0, 2.899137802864845, 57.74256084841869, 57.74256084841869]
        );
    }

    #[test]
    fn pop_is_the_population_deviation() {
        let mut pop = deviation("STDDEV_POP");
        assert_eq!(pop.result().unwrap(), ScalarValue::Float64(Some(0.0)));
        let values = [
            Some(2.0),
            Some(4.0),
            Some(4.0),
            Some(4.0),
            Some(5.0),
            Some(5.0),
        ];
        let last = feed(&mut pop, &values).pop();
        let m2 = [2.0f64, 4.0, 4.0, 4.0, 5.0, 5.0]
            .iter()
            .map(|v| (v - 4.0) * (v - 4.0))
            .sum::<f64>();
        assert!((last.unwrap() - (m2 / 6.0).sqrt()).abs() < 1e-12);
        let mut values_and_more = pop.clone_box();
        values_and_more
            .update(&[ScalarValue::Float64(Some(7.0))])
            .unwrap();
        values_and_more
            .undo(&[ScalarValue::Float64(Some(7.0))])
            .unwrap();
        assert_eq!(values_and_more.result().unwrap(), pop.result().unwrap());
    }

    #[test]
    fn merging_two_groups_equals_one_group_of_both() {
        let mut first = deviation("STDDEV_SAMP");
        feed(&mut first, &[Some(1.0), Some(4.0)]);
        let mut second = deviation("STDDEV_SAMP");
        feed(&mut second, &[Some(7.0), Some(10.0)]);
        first.merge(&second.state().unwrap()).unwrap();
        assert_eq!(first.result().unwrap(), ScalarValue::Float64(Some(15.0)));
        let mut empty = deviation("STDDEV_SAMP");
        empty.merge(&first.state().unwrap()).unwrap();
        assert_eq!(empty.result().unwrap(), ScalarValue::Float64(Some(15.0)));
    }

    #[test]
    fn undo_takes_a_value_back_out() {
        let mut samp = deviation("STDDEV_SAMP");
        feed(&mut samp, &[Some(0.0), Some(10.0), Some(4.0)]);
        samp.undo(&[ScalarValue::Float64(Some(4.0))]).unwrap();
        assert_eq!(samp.result().unwrap(), ScalarValue::Float64(Some(50.0)));
        let mut restored = deviation("STDDEV_SAMP");
        restored.restore(&samp.state().unwrap()).unwrap();
        restored.undo(&[ScalarValue::Float64(Some(10.0))]).unwrap();
        assert_eq!(restored.result().unwrap(), ScalarValue::Float64(Some(0.0)));
    }
}
