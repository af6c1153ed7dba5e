//! COUNT_DISTINCT: how many distinct non-null values a group has seen. BIGINT.
//!
//! ksqlDB estimates this with a HyperLogLog sketch (under 1% error); sluice keeps the distinct
//! values' identities and counts exactly, which agrees with ksqlDB wherever its estimate is
//! exact (small groups) and costs memory proportional to the distinct values.

use std::collections::HashSet;

use datafusion::scalar::ScalarValue;
use serde_json::{Value, json};

use super::function::{
    Accumulator, AggregateConfig, AggregateError, AggregateFunction, AggregateResult, CallArg,
    distinct_key, no_signature, single,
};
use crate::catalog::types::SqlType;

pub(super) fn resolve(
    name: &str,
    args: &[CallArg],
    _config: &AggregateConfig,
) -> Result<AggregateFunction, String> {
    let [arg] = args else {
        return Err(no_signature(name, args));
    };
    let distinct = CountDistinct {
        seen: HashSet::new(),
        ty: arg.ty.clone(),
    };
    Ok(
        AggregateFunction::new("COUNT_DISTINCT", SqlType::Bigint, 1, Box::new(distinct))
            .structured_state(),
    )
}

#[derive(Debug, Clone)]
struct CountDistinct {
    /// The identities (`distinct_key`) of the values seen.
    seen: HashSet<String>,
    ty: SqlType,
}

impl Accumulator for CountDistinct {
    fn update(&mut self, args: &[ScalarValue]) -> AggregateResult<()> {
        let value = single(args, "COUNT_DISTINCT")?;
        if !value.is_null() {
            self.seen.insert(distinct_key(value, &self.ty)?);
        }
        Ok(())
    }

    fn merge(&mut self, other: &Value) -> AggregateResult<()> {
        let mut merged = self.clone();
        merged.restore(other)?;
        self.seen.extend(merged.seen);
        Ok(())
    }

    fn result(&self) -> AggregateResult<ScalarValue> {
        let count =
            i64::try_from(self.seen.len()).map_err(|e| AggregateError::Internal(e.to_string()))?;
        Ok(ScalarValue::Int64(Some(count)))
    }

    fn state(&self) -> AggregateResult<Value> {
        let mut seen: Vec<&String> = self.seen.iter().collect();
        seen.sort();
        Ok(json!({ "seen": seen }))
    }

    fn restore(&mut self, state: &Value) -> AggregateResult<()> {
        let seen = state["seen"]
            .as_array()
            .ok_or_else(|| AggregateError::State(format!("no values in {state}")))?;
        self.seen = seen
            .iter()
            .map(|v| {
                v.as_str()
                    .map(String::from)
                    .ok_or_else(|| AggregateError::State(format!("{v} is not a value identity")))
            })
            .collect::<AggregateResult<_>>()?;
        Ok(())
    }

    fn clone_box(&self) -> Box<dyn Accumulator> {
        Box::new(self.clone())
    }

    fn name(&self) -> &'static str {
        "COUNT_DISTINCT"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_distinct_non_null_values() {
        let arg = CallArg {
            ty: SqlType::String,
            literal: None,
            text: String::new(),
        };
        let function = resolve("COUNT_DISTINCT", &[arg], &AggregateConfig::default()).unwrap();
        let mut count = function.accumulator();
        for v in [Some("one"), Some("two"), Some("one"), None] {
            count
                .update(&[ScalarValue::Utf8(v.map(String::from))])
                .unwrap();
        }
        assert_eq!(count.result().unwrap(), ScalarValue::Int64(Some(2)));
        let mut restored = function.accumulator();
        restored.restore(&count.state().unwrap()).unwrap();
        restored
            .update(&[ScalarValue::Utf8(Some("two".into()))])
            .unwrap();
        assert_eq!(restored.result().unwrap(), ScalarValue::Int64(Some(2)));
    }
}
