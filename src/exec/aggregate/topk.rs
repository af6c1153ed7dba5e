//! TOPK and TOPKDISTINCT: the `k` greatest values of a group (TOPKDISTINCT: the `k`
//! greatest distinct values), greatest first, as an array; nulls are skipped. `k` is a
//! literal of at least 1.
//!
//! ksqlDB's `TOPK(x, y1, …, k)` carries other columns along with the sorted one: the result is
//! an array of `STRUCT<sort_col, col0, …>`, ordered by `x` alone.

use datafusion::arrow::datatypes::Field;
use datafusion::common::scalar::ScalarStructBuilder;
use datafusion::scalar::ScalarValue;
use serde_json::{Value, json};

use super::function::{
    Accumulator, AggregateConfig, AggregateError, AggregateFunction, AggregateResult, CallArg,
    no_signature, not_literal, value_from_state, value_to_state,
};
use crate::catalog::types::{SqlType, StructField};

pub(super) fn resolve(
    name: &str,
    args: &[CallArg],
    _config: &AggregateConfig,
) -> Result<AggregateFunction, String> {
    let distinct = name == "TOPKDISTINCT";
    let (k, values) = match args.split_last() {
        Some((k, values @ [value, carried @ ..]))
            if sortable(&value.ty) && (carried.is_empty() || !distinct) =>
        {
            (k, values)
        }
        _ => return Err(no_signature(name, args)),
    };
    if k.literal.is_none() && matches!(k.ty, SqlType::Int | SqlType::Bigint) {
        return Err(not_literal(name, args.len(), k));
    }
    let k = match k.literal {
        Some(ScalarValue::Int64(Some(k))) => usize::try_from(k).ok().filter(|k| *k > 0),
        _ => None,
    }
    .ok_or_else(|| format!("{name}: the number of values must be a literal of 1 or more"))?;
    let types: Vec<SqlType> = values.iter().map(|a| a.ty.clone()).collect();
    let top = TopK {
        distinct,
        k,
        entries: Vec::new(),
        types,
    };
    let return_type = SqlType::Array(Box::new(top.item_type()));
    let name = if distinct { "TOPKDISTINCT" } else { "TOPK" };
    Ok(AggregateFunction::new(name, return_type, values.len(), Box::new(top)).structured_state())
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
    /// At most `k` entries, greatest sorted value first: the sorted value, then the carried
    /// ones.
    entries: Vec<Vec<ScalarValue>>,
    /// The sorted column's type, then the carried columns' types.
    types: Vec<SqlType>,
}

impl TopK {
    /// Whether other columns are carried along, making each item a struct.
    fn carries(&self) -> bool {
        self.types.len() > 1
    }

    /// The struct fields of an item: `sort_col`, then `col0`, `col1`, … (ksqlDB's names).
    fn fields(&self) -> Vec<StructField> {
        self.types
            .iter()
            .enumerate()
            .map(|(i, ty)| StructField {
                name: if i == 0 {
                    "sort_col".to_string()
                } else {
                    format!("col{}", i - 1)
                },
                ty: ty.clone(),
            })
            .collect()
    }

    fn item_type(&self) -> SqlType {
        if self.carries() {
            SqlType::Struct(self.fields())
        } else {
            self.types[0].clone()
        }
    }
}

impl Accumulator for TopK {
    fn update(&mut self, args: &[ScalarValue]) -> AggregateResult<()> {
        if args.len() != self.types.len() {
            return Err(AggregateError::Internal(format!(
                "{} got {} arguments instead of {}",
                self.name(),
                args.len(),
                self.types.len()
            )));
        }
        let value = &args[0];
        if value.is_null() || (self.distinct && self.entries.iter().any(|e| e[0] == *value)) {
            return Ok(());
        }
        // After the values greater than or equal to it: among equal values, the earlier
        // ones stay first.
        let mut at = self.entries.len();
        for (i, kept) in self.entries.iter().enumerate() {
            let order = value.partial_cmp(&kept[0]).ok_or_else(|| {
                AggregateError::Internal(format!("cannot compare {value:?} with {:?}", kept[0]))
            })?;
            if order == std::cmp::Ordering::Greater {
                at = i;
                break;
            }
        }
        if at < self.k {
            self.entries.insert(at, args.to_vec());
            self.entries.truncate(self.k);
        }
        Ok(())
    }

    fn merge(&mut self, other: &Value) -> AggregateResult<()> {
        let mut merged = self.clone();
        merged.restore(other)?;
        for entry in merged.entries {
            self.update(&entry)?;
        }
        Ok(())
    }

    fn result(&self) -> AggregateResult<ScalarValue> {
        let items = if self.carries() {
            let fields = self.fields();
            self.entries
                .iter()
                .map(|entry| {
                    let mut builder = ScalarStructBuilder::new();
                    for (field, value) in fields.iter().zip(entry) {
                        let field = Field::new(&field.name, field.ty.to_arrow(), true);
                        builder = builder.with_scalar(field, value.clone());
                    }
                    builder
                        .build()
                        .map_err(|e| AggregateError::Internal(e.to_string()))
                })
                .collect::<AggregateResult<Vec<_>>>()?
        } else {
            self.entries.iter().map(|e| e[0].clone()).collect()
        };
        Ok(ScalarValue::List(ScalarValue::new_list_nullable(
            &items,
            &self.item_type().to_arrow(),
        )))
    }

    fn state(&self) -> AggregateResult<Value> {
        let entries = self
            .entries
            .iter()
            .map(|entry| {
                let values = entry
                    .iter()
                    .zip(&self.types)
                    .map(|(v, ty)| value_to_state(v, ty))
                    .collect::<AggregateResult<Vec<_>>>()?;
                // The sorted value alone when nothing is carried, as before carried columns.
                Ok(match values.as_slice() {
                    [only] => only.clone(),
                    _ => Value::Array(values),
                })
            })
            .collect::<AggregateResult<Vec<_>>>()?;
        Ok(json!({ "values": entries }))
    }

    fn restore(&mut self, state: &Value) -> AggregateResult<()> {
        let entries = state["values"]
            .as_array()
            .ok_or_else(|| AggregateError::State(format!("no values in {state}")))?;
        self.entries = entries
            .iter()
            .map(|entry| {
                let values: Vec<&Value> = if self.carries() {
                    entry
                        .as_array()
                        .ok_or_else(|| AggregateError::State(format!("{entry} is not an entry")))?
                        .iter()
                        .collect()
                } else {
                    vec![entry]
                };
                values
                    .into_iter()
                    .zip(&self.types)
                    .map(|(v, ty)| value_from_state(v, ty))
                    .collect()
            })
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
                text: String::new(),
            },
            CallArg {
                ty: SqlType::Bigint,
                literal: Some(ScalarValue::Int64(Some(k))),
                text: String::new(),
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
    fn carried_columns_come_along_in_structs() {
        let arg = |ty: SqlType, literal| CallArg {
            ty,
            literal,
            text: String::new(),
        };
        let args = [
            arg(SqlType::Int, None),
            arg(SqlType::String, None),
            arg(SqlType::Bigint, Some(ScalarValue::Int64(Some(2)))),
        ];
        let function = resolve("TOPK", &args, &AggregateConfig::default()).unwrap();
        assert_eq!(function.value_args, 2);
        let mut topk = function.accumulator();
        for (v, name) in [
            (Some(0), "zero"),
            (Some(100), "one"),
            (None, "three"),
            (Some(99), "two"),
        ] {
            topk.update(&[ScalarValue::Int32(v), ScalarValue::Utf8(Some(name.into()))])
                .unwrap();
        }
        let mut restored = function.accumulator();
        restored.restore(&topk.state().unwrap()).unwrap();
        let json =
            crate::format::scalar_to_json(&restored.result().unwrap(), &function.return_type)
                .unwrap();
        assert_eq!(
            json,
            json!([{"sort_col": 100, "col0": "one"}, {"sort_col": 99, "col0": "two"}])
        );
        assert!(resolve("TOPKDISTINCT", &args, &AggregateConfig::default()).is_err());
    }

    #[test]
    fn k_must_be_a_positive_literal() {
        let args = [
            CallArg {
                ty: SqlType::Int,
                literal: None,
                text: String::new(),
            },
            CallArg {
                ty: SqlType::Bigint,
                literal: Some(ScalarValue::Int64(Some(0))),
                text: String::new(),
            },
        ];
        assert!(resolve("TOPK", &args, &AggregateConfig::default()).is_err());
    }
}
