//! COLLECT_LIST and COLLECT_SET: every value of a group (or every distinct value), in input
//! order, as an array.
//!
//! ksqlDB: nulls are collected like any value; once the array holds
//! `ksql.functions.collect_list.limit` (`…collect_set.limit`) values, later ones are dropped.
//! COLLECT_LIST can take a value back out (its last occurrence); COLLECT_SET cannot.

use std::collections::HashSet;

use datafusion::scalar::ScalarValue;
use serde_json::{Value, json};

use super::function::{
    Accumulator, AggregateConfig, AggregateError, AggregateFunction, AggregateResult, CallArg,
    distinct_key, no_signature, single, value_from_state, value_to_state,
};
use crate::catalog::types::SqlType;

pub(super) fn resolve(
    name: &str,
    args: &[CallArg],
    config: &AggregateConfig,
) -> Result<AggregateFunction, String> {
    let [arg] = args else {
        return Err(no_signature(name, args));
    };
    let set = name == "COLLECT_SET";
    let limit = if set {
        config.collect_set_limit
    } else {
        config.collect_list_limit
    };
    let collect = Collect {
        set,
        limit: limit.unwrap_or(usize::MAX),
        values: Vec::new(),
        distinct: HashSet::new(),
        ty: arg.ty.clone(),
    };
    let return_type = SqlType::Array(Box::new(arg.ty.clone()));
    let function = AggregateFunction::new(
        if set { "COLLECT_SET" } else { "COLLECT_LIST" },
        return_type,
        1,
        Box::new(collect),
    )
    .structured_state();
    Ok(if set { function } else { function.with_undo() })
}

#[derive(Debug, Clone)]
struct Collect {
    /// COLLECT_SET when true: a value already collected is not collected again.
    set: bool,
    /// The most values the array holds.
    limit: usize,
    values: Vec<ScalarValue>,
    /// COLLECT_SET: the identities (`distinct_key`) of the values collected.
    distinct: HashSet<String>,
    ty: SqlType,
}

impl Accumulator for Collect {
    fn update(&mut self, args: &[ScalarValue]) -> AggregateResult<()> {
        let value = single(args, self.name())?;
        if self.values.len() >= self.limit {
            return Ok(());
        }
        if self.set && !self.distinct.insert(distinct_key(value, &self.ty)?) {
            return Ok(());
        }
        self.values.push(value.clone());
        Ok(())
    }

    fn undo(&mut self, args: &[ScalarValue]) -> AggregateResult<()> {
        if self.set {
            return Err(AggregateError::NoUndo("COLLECT_SET"));
        }
        let value = single(args, self.name())?;
        // ksqlDB removes the last occurrence; a value never collected (past the limit) is
        // simply not there.
        if let Some(last) = self.values.iter().rposition(|v| v == value) {
            self.values.remove(last);
        }
        Ok(())
    }

    fn merge(&mut self, other: &Value) -> AggregateResult<()> {
        let mut merged = self.clone();
        merged.restore(other)?;
        for value in merged.values {
            self.update(&[value])?;
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
        self.distinct = if self.set {
            self.values
                .iter()
                .map(|v| distinct_key(v, &self.ty))
                .collect::<AggregateResult<_>>()?
        } else {
            HashSet::new()
        };
        Ok(())
    }

    fn clone_box(&self) -> Box<dyn Accumulator> {
        Box::new(self.clone())
    }

    fn name(&self) -> &'static str {
        if self.set {
            "COLLECT_SET"
        } else {
            "COLLECT_LIST"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(name: &str, limit: Option<usize>) -> Box<dyn Accumulator> {
        let arg = CallArg {
            ty: SqlType::Int,
            literal: None,
            text: String::new(),
        };
        let config = AggregateConfig {
            collect_list_limit: limit,
            collect_set_limit: limit,
            ..AggregateConfig::default()
        };
        resolve(name, &[arg], &config).unwrap().accumulator()
    }

    fn ints(values: &[Option<i32>]) -> ScalarValue {
        let values: Vec<_> = values.iter().map(|v| ScalarValue::Int32(*v)).collect();
        ScalarValue::List(ScalarValue::new_list_nullable(
            &values,
            &datafusion::arrow::datatypes::DataType::Int32,
        ))
    }

    fn feed(acc: &mut Box<dyn Accumulator>, values: &[Option<i32>]) {
        for v in values {
            acc.update(&[ScalarValue::Int32(*v)]).unwrap();
        }
    }

    #[test]
    fn list_keeps_order_duplicates_and_nulls() {
        let mut list = collect("COLLECT_LIST", None);
        feed(&mut list, &[Some(1), None, Some(1)]);
        assert_eq!(list.result().unwrap(), ints(&[Some(1), None, Some(1)]));
        list.undo(&[ScalarValue::Int32(Some(1))]).unwrap();
        assert_eq!(list.result().unwrap(), ints(&[Some(1), None]));
    }

    #[test]
    fn set_keeps_first_occurrences() {
        let mut set = collect("COLLECT_SET", None);
        feed(&mut set, &[Some(500), Some(100), Some(500)]);
        assert_eq!(set.result().unwrap(), ints(&[Some(500), Some(100)]));
        let mut restored = collect("COLLECT_SET", None);
        restored.restore(&set.state().unwrap()).unwrap();
        feed(&mut restored, &[Some(100), Some(7)]);
        assert_eq!(
            restored.result().unwrap(),
            ints(&[Some(500), Some(100), Some(7)])
        );
        assert!(set.undo(&[ScalarValue::Int32(Some(7))]).is_err());
    }

    #[test]
    fn limit_drops_later_values() {
        let mut list = collect("COLLECT_LIST", Some(1));
        feed(&mut list, &[Some(0), Some(100)]);
        assert_eq!(list.result().unwrap(), ints(&[Some(0)]));
    }
}
