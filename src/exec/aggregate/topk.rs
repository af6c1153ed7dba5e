//! TOPK and TOPKDISTINCT: the `k` greatest values of a group (TOPKDISTINCT: the `k`
//! greatest distinct values), greatest first, as an array; nulls are skipped. `k` is a
//! literal of at least 1. ksqlDB's form that carries other columns along with the sorted one
//! (`TOPK(x, y, k)`, an array of structs) is not supported yet.

use datafusion::scalar::ScalarValue;
use serde_json::{Value, json};

use super::function::{
    Accumulator, AggregateConfig, AggregateError, AggregateFunction, AggregateResult, CallArg,
    no_signature, single, value_from_state, value_to_state,
};
use crate::catalog::types::SqlType;

pub(super) fn resolve(
    name: &str,
    args: &[CallArg],
    _config: &AggregateConfig,
) -> Result<AggregateFunction, String> {
    let (value, k) = match args {
        [value, k] if sortable(&value.ty) => (value, k),
        [_, _, _, ..] => {
            return Err(format!(
                "{name} with columns carried along the sorted one is not supported yet"
            ));
        }
        _ => return Err(no_signature(name, args)),
    };
    let k = match k.literal {
        Some(ScalarValue::Int64(Some(k))) => usize::try_from(k).ok().filter(|k| *k > 0),
        _ => None,
    }
    .ok_or_else(|| format!("{name}: the number of values must be a literal of 1 or more"))?;
    let distinct = name == "TOPKDISTINCT";
    let top = TopK {
        distinct,
        k,
        values: Vec::new(),
        ty: value.ty.clone(),
    };
    let return_type = SqlType::Array(Box::new(value.ty.clone()));
    let name = if distinct { "TOPKDISTINCT" } else { "TOPK" };
    Ok(AggregateFunction::new(name, return_type, 1, Box::new(top)).structured_state())
}

fn sortable(ty: &SqlType) -> bool {
    matches!(
        ty,
        SqlType::Int
            | SqlType::Bigint
            | SqlType::Double
            | SqlType::Decimal(_, _)
            | SqlType::String
            | SqlType::Date
            | SqlType::Time
            | SqlType::Timestamp
    )
}

#[derive(Debug, Clone)]
struct TopK {
    /// TOPKDISTINCT when true: a value already kept is not kept twice.
    distinct: bool,
    k: usize,
    /// At most `k` values, greatest first.
    values: Vec<ScalarValue>,
    ty: SqlType,
}

impl Accumulator for TopK {
    fn update(&mut self, args: &[ScalarValue]) -> AggregateResult<()> {
        let value = single(args, self.name())?;
        if value.is_null() || (self.distinct && self.values.contains(value)) {
            return Ok(());
        }
        // After the values greater than or equal to it: among equal values, the earlier
        // ones stay first.
        let mut at = self.values.len();
        for (i, kept) in self.values.iter().enumerate() {
            let order = value.partial_cmp(kept).ok_or_else(|| {
                AggregateError::Internal(format!("cannot compare {value:?} with {kept:?}"))
            })?;
            if order == std::cmp::Ordering::Greater {
                at = i;
                break;
            }
        }
        if at < self.k {
            self.values.insert(at, value.clone());
            self.values.truncate(self.k);
        }
        Ok(())
    }

    fn result(&self) -> AggregateResult<ScalarValue> {
        Ok(ScalarValue::List(ScalarValue::new_list_nullable(
            &self.values,
            &self.ty.to_arrow(),
        )))
    }

    fn state(&self) -> AggregateResult<Value> {
        let values = self
            .values
            .iter()
            .map(|v| value_to_state(v, &self.ty))
            .collect::<AggregateResult<Vec<_>>>()?;
        Ok(json!({ "values": values }))
    }

    fn restore(&mut self, state: &Value) -> AggregateResult<()> {
        let values = state["values"]
            .as_array()
            .ok_or_else(|| AggregateError::State(format!("no values in {state}")))?;
        self.values = values
            .iter()
            .map(|v| value_from_state(v, &self.ty))
            .collect::<AggregateResult<_>>()?;
        Ok(())
    }

    fn clone_box(&self) -> Box<dyn Accumulator> {
        Box::new(self.clone())
    }

    fn name(&self) -> &'static str {
        if self.distinct {
            "TOPKDISTINCT"
        } else {
            "TOPK"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn top(name: &str, k: i64) -> Box<dyn Accumulator> {
        let args = [
            CallArg {
                ty: SqlType::Int,
                literal: None,
            },
            CallArg {
                ty: SqlType::Bigint,
                literal: Some(ScalarValue::Int64(Some(k))),
            },
        ];
        resolve(name, &args, &AggregateConfig::default())
            .unwrap()
            .accumulator()
    }

    fn results(acc: &mut Box<dyn Accumulator>, values: &[Option<i32>]) -> Vec<Vec<i32>> {
        values
            .iter()
            .map(|v| {
                acc.update(&[ScalarValue::Int32(*v)]).unwrap();
                match acc.result().unwrap() {
                    ScalarValue::List(list) => (0..list.values().len())
                        .map(
                            |i| match ScalarValue::try_from_array(list.values(), i).unwrap() {
                                ScalarValue::Int32(Some(n)) => n,
                                other => panic!("{other:?}"),
                            },
                        )
                        .collect(),
                    other => panic!("{other:?}"),
                }
            })
            .collect()
    }

    #[test]
    fn keeps_the_greatest_values_first() {
        let mut topk = top("TOPK", 3);
        let seen = results(
            &mut topk,
            &[Some(0), Some(100), None, Some(99), Some(7), Some(100)],
        );
        assert_eq!(seen.last().unwrap(), &vec![100, 100, 99]);
        assert_eq!(seen[3], vec![100, 99, 0]);
    }

    #[test]
    fn distinct_keeps_each_value_once_and_state_round_trips() {
        let mut topk = top("TOPKDISTINCT", 2);
        let seen = results(&mut topk, &[Some(0), Some(100), Some(10), Some(100)]);
        assert_eq!(
            seen,
            vec![vec![0], vec![100, 0], vec![100, 10], vec![100, 10]]
        );
        let mut restored = top("TOPKDISTINCT", 2);
        restored.restore(&topk.state().unwrap()).unwrap();
        assert_eq!(results(&mut restored, &[Some(50)]), vec![vec![100, 50]]);
    }

    #[test]
    fn k_must_be_a_positive_literal() {
        let args = [
            CallArg {
                ty: SqlType::Int,
                literal: None,
            },
            CallArg {
                ty: SqlType::Bigint,
                literal: Some(ScalarValue::Int64(Some(0))),
            },
        ];
        assert!(resolve("TOPK", &args, &AggregateConfig::default()).is_err());
    }
}
