//! HISTOGRAM: how many times each value of a STRING column occurs in a group, as a
//! `MAP<STRING, BIGINT>`.
//!
//! ksqlDB: null values are not counted; once the map holds 1000 distinct values, new values
//! are dropped (values already in it still count). Taking a value back out (`undo`, for table
//! aggregation) removes its entry when its count reaches zero.

use datafusion::scalar::ScalarValue;
use serde_json::{Map, Value, json};

use super::function::{
    Accumulator, AggregateConfig, AggregateError, AggregateFunction, AggregateResult, CallArg,
    no_signature, single,
};
use crate::catalog::types::SqlType;

/// ksqlDB's bound on the distinct values of one histogram.
const LIMIT: usize = 1000;

pub(super) fn resolve(
    name: &str,
    args: &[CallArg],
    _config: &AggregateConfig,
) -> Result<AggregateFunction, String> {
    if !matches!(args, [arg] if arg.ty == SqlType::String) {
        return Err(no_signature(name, args));
    }
    Ok(AggregateFunction::new(
        "HISTOGRAM",
        result_type(),
        1,
        Box::new(Histogram::default()),
    )
    .with_undo()
    .structured_state())
}

fn result_type() -> SqlType {
    SqlType::Map(Box::new(SqlType::String), Box::new(SqlType::Bigint))
}

#[derive(Debug, Clone, Default)]
struct Histogram {
    /// Each value and its count, in order of first occurrence.
    counts: Vec<(String, i64)>,
}

impl Histogram {
    /// Counts `value` `count` more times; a new value past the limit is dropped.
    fn add(&mut self, value: &str, count: i64) {
        match self.counts.iter().position(|(v, _)| v == value) {
            Some(index) => self.counts[index].1 += count,
            None if self.counts.len() < LIMIT => self.counts.push((value.to_string(), count)),
            None => {}
        }
    }
}

/// The string argument; `None` for null.
fn text(args: &[ScalarValue]) -> AggregateResult<Option<&str>> {
    match single(args, "HISTOGRAM")? {
        ScalarValue::Utf8(v) | ScalarValue::LargeUtf8(v) | ScalarValue::Utf8View(v) => {
            Ok(v.as_deref())
        }
        other => Err(AggregateError::Internal(format!(
            "HISTOGRAM got a {}",
            other.data_type()
        ))),
    }
}

impl Accumulator for Histogram {
    fn update(&mut self, args: &[ScalarValue]) -> AggregateResult<()> {
        let Some(value) = text(args)? else {
            return Ok(());
        };
        self.add(value, 1);
        Ok(())
    }

    fn undo(&mut self, args: &[ScalarValue]) -> AggregateResult<()> {
        let Some(value) = text(args)? else {
            return Ok(());
        };
        if let Some(index) = self.counts.iter().position(|(v, _)| v == value) {
            self.counts[index].1 -= 1;
            if self.counts[index].1 < 1 {
                self.counts.remove(index);
            }
        }
        Ok(())
    }

    fn merge(&mut self, other: &Value) -> AggregateResult<()> {
        let mut merged = self.clone();
        merged.restore(other)?;
        for (value, count) in merged.counts {
            self.add(&value, count);
        }
        Ok(())
    }

    fn result(&self) -> AggregateResult<ScalarValue> {
        let map: Map<String, Value> = self
            .counts
            .iter()
            .map(|(v, count)| (v.clone(), json!(count)))
            .collect();
        crate::format::json_to_scalar(&Value::Object(map), &result_type())
            .map_err(|e| AggregateError::Internal(e.to_string()))
    }

    fn state(&self) -> AggregateResult<Value> {
        Ok(json!({ "counts": self.counts }))
    }

    fn restore(&mut self, state: &Value) -> AggregateResult<()> {
        self.counts = serde_json::from_value(state["counts"].clone())
            .map_err(|e| AggregateError::State(format!("{e} in {state}")))?;
        Ok(())
    }

    fn clone_box(&self) -> Box<dyn Accumulator> {
        Box::new(self.clone())
    }

    fn name(&self) -> &'static str {
        "HISTOGRAM"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(v: Option<&str>) -> [ScalarValue; 1] {
        [ScalarValue::Utf8(v.map(str::to_string))]
    }

    #[test]
    fn counts_values_and_undoes_to_removal() {
        let mut histogram = Histogram::default();
        for v in [Some("baz"), None, Some("baz"), Some("foo")] {
            histogram.update(&value(v)).unwrap();
        }
        assert_eq!(
            histogram.counts,
            vec![("baz".to_string(), 2), ("foo".to_string(), 1)]
        );
        histogram.undo(&value(Some("foo"))).unwrap();
        let mut restored = Histogram::default();
        restored.restore(&histogram.state().unwrap()).unwrap();
        assert_eq!(restored.counts, vec![("baz".to_string(), 2)]);
        assert!(matches!(restored.result().unwrap(), ScalarValue::Map(_)));
    }

    #[test]
    fn stops_taking_new_values_at_the_limit() {
        let mut histogram = Histogram::default();
        for i in 0..=LIMIT {
            histogram.update(&value(Some(&i.to_string()))).unwrap();
        }
        histogram.update(&value(Some("0"))).unwrap();
        assert_eq!(histogram.counts.len(), LIMIT);
        assert_eq!(histogram.counts[0].1, 2);
    }
}
