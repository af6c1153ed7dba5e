//! LATEST_BY_OFFSET and EARLIEST_BY_OFFSET: the last (first) value seen for a group, in
//! input order, or the last (first) `n` as an array.
//!
//! Forms: `F(x)`, `F(x, ignoreNulls)`, `F(x, n)`, `F(x, n, ignoreNulls)`, with literal `n`
//! (≥ 1) and `ignoreNulls` (true unless given). With nulls ignored a null value leaves the
//! aggregate as it is; otherwise it counts as a value. Stream-only (no `undo`) in ksqlDB.
//!
//! ksqlDB numbers every value a function instance takes (one sequence across all groups), so
//! that merging the aggregates of two session windows keeps the latest (earliest) values of
//! both by that number. The sequence goes on from the highest number restored.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use datafusion::scalar::ScalarValue;
use serde_json::{Value, json};

use super::function::{
    Accumulator, AggregateConfig, AggregateError, AggregateFunction, AggregateResult, CallArg,
    no_signature, not_literal, single, value_from_state, value_to_state,
};
use crate::catalog::types::SqlType;

pub(super) fn resolve(
    name: &str,
    args: &[CallArg],
    _config: &AggregateConfig,
) -> Result<AggregateFunction, String> {
    let refused = || no_signature(name, args);
    let (value, params) = args.split_first().ok_or_else(refused)?;
    let parameter_type =
        |ty: &SqlType| matches!(ty, SqlType::Int | SqlType::Bigint | SqlType::Boolean);
    if let Some((i, p)) = params
        .iter()
        .enumerate()
        .find(|(_, p)| p.literal.is_none() && parameter_type(&p.ty))
    {
        return Err(not_literal(name, i + 2, p));
    }
    let mut count = None;
    let mut ignore_nulls = true;
    match params {
        [] => {}
        [p] if p.ty == SqlType::Boolean => ignore_nulls = literal_bool(p).ok_or_else(refused)?,
        [p] => count = Some(literal_count(p).ok_or_else(refused)?),
        [n, i] if i.ty == SqlType::Boolean => {
            count = Some(literal_count(n).ok_or_else(refused)?);
            ignore_nulls = literal_bool(i).ok_or_else(refused)?;
        }
        _ => return Err(refused()),
    }
    if count == Some(0) {
        return Err(format!("{name}: the number of values must be 1 or greater"));
    }
    let latest = name == "LATEST_BY_OFFSET";
    let return_type = match count {
        Some(_) => SqlType::Array(Box::new(value.ty.clone())),
        None => value.ty.clone(),
    };
    let accumulator = ByOffset {
        latest,
        keep: count.unwrap_or(1),
        as_array: count.is_some(),
        ignore_nulls,
        values: VecDeque::new(),
        ty: value.ty.clone(),
        sequence: Arc::new(AtomicI64::new(0)),
    };
    let name = if latest {
        "LATEST_BY_OFFSET"
    } else {
        "EARLIEST_BY_OFFSET"
    };
    Ok(AggregateFunction::new(name, return_type, 1, Box::new(accumulator)).structured_state())
}

fn literal_bool(arg: &CallArg) -> Option<bool> {
    match arg.literal {
        Some(ScalarValue::Boolean(Some(b))) => Some(b),
        _ => None,
    }
}

fn literal_count(arg: &CallArg) -> Option<usize> {
    let n = match arg.literal {
        Some(ScalarValue::Int32(Some(n))) => i64::from(n),
        Some(ScalarValue::Int64(Some(n))) => n,
        _ => return None,
    };
    usize::try_from(n).ok()
}

#[derive(Debug, Clone)]
struct ByOffset {
    /// LATEST_BY_OFFSET when true, EARLIEST_BY_OFFSET otherwise.
    latest: bool,
    /// How many values are kept (1 for the single-value forms).
    keep: usize,
    /// The `n` forms answer an array.
    as_array: bool,
    ignore_nulls: bool,
    /// The kept values with their sequence numbers, in input order (nulls included when they
    /// are not ignored).
    values: VecDeque<(i64, ScalarValue)>,
    ty: SqlType,
    /// The next sequence number, shared by the accumulators of every group.
    sequence: Arc<AtomicI64>,
}

impl ByOffset {
    /// Keeps the latest (earliest) `keep` of `values` (in sequence order) as the values.
    fn trim(&mut self, mut values: VecDeque<(i64, ScalarValue)>) {
        while values.len() > self.keep {
            if self.latest {
                values.pop_front();
            } else {
                values.pop_back();
            }
        }
        self.values = values;
    }
}

impl Accumulator for ByOffset {
    fn update(&mut self, args: &[ScalarValue]) -> AggregateResult<()> {
        let value = single(args, self.name())?;
        if value.is_null() && self.ignore_nulls {
            return Ok(());
        }
        if self.latest || self.values.len() < self.keep {
            let sequence = self.sequence.fetch_add(1, Ordering::Relaxed);
            let mut values = std::mem::take(&mut self.values);
            values.push_back((sequence, value.clone()));
            self.trim(values);
        }
        Ok(())
    }

    fn merge(&mut self, other: &Value) -> AggregateResult<()> {
        let mut merged = self.clone();
        merged.restore(other)?;
        let mut values: Vec<(i64, ScalarValue)> = std::mem::take(&mut self.values).into();
        values.extend(merged.values);
        values.sort_by_key(|(sequence, _)| *sequence);
        self.trim(values.into());
        Ok(())
    }

    fn result(&self) -> AggregateResult<ScalarValue> {
        let arrow_type = self.ty.to_arrow();
        if self.as_array {
            let values: Vec<ScalarValue> = self.values.iter().map(|(_, v)| v.clone()).collect();
            return Ok(ScalarValue::List(ScalarValue::new_list_nullable(
                &values,
                &arrow_type,
            )));
        }
        match self.values.back() {
            Some((_, value)) => Ok(value.clone()),
            None => ScalarValue::try_new_null(&arrow_type)
                .map_err(|e| AggregateError::Internal(e.to_string())),
        }
    }

    fn state(&self) -> AggregateResult<Value> {
        let values = self
            .values
            .iter()
            .map(|(_, v)| value_to_state(v, &self.ty))
            .collect::<AggregateResult<Vec<_>>>()?;
        let sequences: Vec<i64> = self.values.iter().map(|(s, _)| *s).collect();
        Ok(json!({ "values": values, "sequences": sequences }))
    }

    fn restore(&mut self, state: &Value) -> AggregateResult<()> {
        let values = state["values"]
            .as_array()
            .ok_or_else(|| AggregateError::State(format!("no values in {state}")))?;
        let sequences = state["sequences"].as_array();
        self.values = values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let sequence = sequences
                    .and_then(|s| s.get(i))
                    .and_then(Value::as_i64)
                    .unwrap_or_default();
                Ok((sequence, value_from_state(v, &self.ty)?))
            })
            .collect::<AggregateResult<_>>()?;
        if let Some((highest, _)) = self.values.iter().max_by_key(|(s, _)| *s) {
            self.sequence.fetch_max(highest + 1, Ordering::Relaxed);
        }
        Ok(())
    }

    fn clone_box(&self) -> Box<dyn Accumulator> {
        Box::new(self.clone())
    }

    fn name(&self) -> &'static str {
        if self.latest {
            "LATEST_BY_OFFSET"
        } else {
            "EARLIEST_BY_OFFSET"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn by_offset(name: &str, params: &[ScalarValue]) -> Box<dyn Accumulator> {
        let mut args = vec![CallArg {
            ty: SqlType::Int,
            literal: None,
            text: String::new(),
        }];
        for p in params {
            let ty = match p {
                ScalarValue::Boolean(_) => SqlType::Boolean,
                _ => SqlType::Int,
            };
            args.push(CallArg {
                ty,
                literal: Some(p.clone()),
                text: p.to_string(),
            });
        }
        resolve(name, &args, &AggregateConfig::default())
            .unwrap()
            .accumulator()
    }

    fn feed(acc: &mut Box<dyn Accumulator>, values: &[Option<i32>]) -> Vec<ScalarValue> {
        values
            .iter()
            .map(|v| {
                acc.update(&[ScalarValue::Int32(*v)]).unwrap();
                acc.result().unwrap()
            })
            .collect()
    }

    fn ints(values: &[Option<i32>]) -> ScalarValue {
        let values: Vec<_> = values.iter().map(|v| ScalarValue::Int32(*v)).collect();
        ScalarValue::List(ScalarValue::new_list_nullable(
            &values,
            &datafusion::arrow::datatypes::DataType::Int32,
        ))
    }

    #[test]
    fn latest_ignores_nulls_unless_told() {
        let input = [Some(12), None, Some(13)];
        let mut ignoring = by_offset("LATEST_BY_OFFSET", &[]);
        let mut keeping = by_offset("LATEST_BY_OFFSET", &[ScalarValue::Boolean(Some(false))]);
        let i = |v| ScalarValue::Int32(v);
        assert_eq!(
            feed(&mut ignoring, &input),
            vec![i(Some(12)), i(Some(12)), i(Some(13))]
        );
        assert_eq!(
            feed(&mut keeping, &input),
            vec![i(Some(12)), i(None), i(Some(13))]
        );
    }

    #[test]
    fn earliest_keeps_the_first_value_even_null_when_told() {
        let input = [None, Some(13)];
        let mut ignoring = by_offset("EARLIEST_BY_OFFSET", &[ScalarValue::Boolean(Some(true))]);
        let mut keeping = by_offset("EARLIEST_BY_OFFSET", &[ScalarValue::Boolean(Some(false))]);
        let i = |v| ScalarValue::Int32(v);
        assert_eq!(feed(&mut ignoring, &input), vec![i(None), i(Some(13))]);
        assert_eq!(feed(&mut keeping, &input), vec![i(None), i(None)]);
    }

    #[test]
    fn n_forms_answer_arrays() {
        let two = ScalarValue::Int64(Some(2));
        let mut latest = by_offset(
            "LATEST_BY_OFFSET",
            &[two.clone(), ScalarValue::Boolean(Some(false))],
        );
        assert_eq!(
            feed(&mut latest, &[Some(12), None, Some(13)]),
            vec![
                ints(&[Some(12)]),
                ints(&[Some(12), None]),
                ints(&[None, Some(13)])
            ]
        );
        let mut earliest = by_offset("EARLIEST_BY_OFFSET", &[two]);
        assert_eq!(
            feed(&mut earliest, &[None, Some(12), None, Some(13), Some(14)]),
            vec![
                ints(&[]),
                ints(&[Some(12)]),
                ints(&[Some(12)]),
                ints(&[Some(12), Some(13)]),
                ints(&[Some(12), Some(13)])
            ]
        );
        let mut restored = by_offset("EARLIEST_BY_OFFSET", &[ScalarValue::Int64(Some(2))]);
        restored.restore(&earliest.state().unwrap()).unwrap();
        assert_eq!(restored.result().unwrap(), ints(&[Some(12), Some(13)]));
    }

    #[test]
    fn merging_keeps_values_in_sequence_order() {
        let two = ScalarValue::Int64(Some(2));
        let keeping = ScalarValue::Boolean(Some(false));
        let mut first = by_offset("LATEST_BY_OFFSET", &[two.clone(), keeping.clone()]);
        let mut second = first.clone_box();
        feed(&mut first, &[Some(1)]);
        feed(&mut second, &[None]);
        let mut merged = first.clone_box();
        merged.restore(&json!({ "values": [] })).unwrap();
        merged.merge(&first.state().unwrap()).unwrap();
        merged.merge(&second.state().unwrap()).unwrap();
        assert_eq!(feed(&mut merged, &[Some(2)]), vec![ints(&[None, Some(2)])]);
        let mut earliest = by_offset("EARLIEST_BY_OFFSET", &[]);
        let mut later = earliest.clone_box();
        feed(&mut earliest, &[Some(1)]);
        feed(&mut later, &[Some(3)]);
        later.merge(&earliest.state().unwrap()).unwrap();
        assert_eq!(later.result().unwrap(), ScalarValue::Int32(Some(1)));
    }

    #[test]
    fn parameters_must_be_literals() {
        let args = [
            CallArg {
                ty: SqlType::Int,
                literal: None,
                text: String::new(),
            },
            CallArg {
                ty: SqlType::Int,
                literal: None,
                text: String::new(),
            },
        ];
        assert_eq!(
            resolve("LATEST_BY_OFFSET", &args, &AggregateConfig::default()).err(),
            Some(
                "Parameter 2 passed to function LATEST_BY_OFFSET must be a literal constant, but was expression: ''"
                    .to_string()
            )
        );
    }
}
