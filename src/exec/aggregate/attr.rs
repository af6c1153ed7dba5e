//! ATTR: the one value a group's rows agree on, or NULL when they hold several.
//!
//! ksqlDB (after Tableau's ATTR) asserts that a column has a single value per group, as a
//! column of a table joined or grouped by its key should. It counts the rows of each distinct
//! value (NULL is a value like any other) and returns the value only while exactly one has
//! rows. Taking a row back out (`undo`, for table aggregation) lowers its value's count, never
//! below zero; a value whose count reaches zero keeps its entry, as ksqlDB's list does.

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
    _config: &AggregateConfig,
) -> Result<AggregateFunction, String> {
    let [arg] = args else {
        return Err(no_signature(name, args));
    };
    let attr = Attr {
        ty: arg.ty.clone(),
        entries: Vec::new(),
    };
    Ok(
        AggregateFunction::new("ATTR", arg.ty.clone(), 1, Box::new(attr))
            .with_undo()
            .structured_state(),
    )
}

#[derive(Debug, Clone)]
struct Attr {
    ty: SqlType,
    /// Each distinct value seen, in order of first occurrence.
    entries: Vec<Entry>,
}

#[derive(Debug, Clone)]
struct Entry {
    /// The value's identity (`distinct_key`): values equal as Java's `Objects.equals`.
    key: String,
    value: ScalarValue,
    /// The rows holding it now.
    count: i64,
}

impl Attr {
    /// Adds `delta` rows of `value`; a value not seen yet gets an entry only when added.
    fn count(&mut self, value: &ScalarValue, delta: i64) -> AggregateResult<()> {
        let key = distinct_key(value, &self.ty)?;
        match self.entries.iter_mut().find(|e| e.key == key) {
            Some(entry) => entry.count = (entry.count + delta).max(0),
            None if delta > 0 => self.entries.push(Entry {
                key,
                value: value.clone(),
                count: delta,
            }),
            None => {}
        }
        Ok(())
    }
}

impl Accumulator for Attr {
    fn update(&mut self, args: &[ScalarValue]) -> AggregateResult<()> {
        self.count(single(args, "ATTR")?, 1)
    }

    fn undo(&mut self, args: &[ScalarValue]) -> AggregateResult<()> {
        self.count(single(args, "ATTR")?, -1)
    }

    fn merge(&mut self, other: &Value) -> AggregateResult<()> {
        let mut merged = self.clone();
        merged.restore(other)?;
        for entry in merged.entries {
            self.count(&entry.value, entry.count)?;
        }
        Ok(())
    }

    fn result(&self) -> AggregateResult<ScalarValue> {
        let mut held = self.entries.iter().filter(|e| e.count > 0);
        match (held.next(), held.next()) {
            (Some(only), None) => Ok(only.value.clone()),
            _ => ScalarValue::try_from(self.ty.to_arrow())
                .map_err(|e| AggregateError::Internal(e.to_string())),
        }
    }

    fn state(&self) -> AggregateResult<Value> {
        let entries = self
            .entries
            .iter()
            .map(|e| Ok(json!({ "value": value_to_state(&e.value, &self.ty)?, "count": e.count })))
            .collect::<AggregateResult<Vec<_>>>()?;
        Ok(json!({ "entries": entries }))
    }

    fn restore(&mut self, state: &Value) -> AggregateResult<()> {
        let entries = state["entries"]
            .as_array()
            .ok_or_else(|| AggregateError::State(format!("no entries in {state}")))?;
        self.entries = entries
            .iter()
            .map(|entry| {
                let value = value_from_state(&entry["value"], &self.ty)?;
                let count = entry["count"]
                    .as_i64()
                    .ok_or_else(|| AggregateError::State(format!("no count in {entry}")))?;
                Ok(Entry {
                    key: distinct_key(&value, &self.ty)?,
                    value,
                    count,
                })
            })
            .collect::<AggregateResult<_>>()?;
        Ok(())
    }

    fn clone_box(&self) -> Box<dyn Accumulator> {
        Box::new(self.clone())
    }

    fn name(&self) -> &'static str {
        "ATTR"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attr() -> Box<dyn Accumulator> {
        let arg = CallArg {
            ty: SqlType::String,
            literal: None,
            text: String::new(),
        };
        resolve("ATTR", &[arg], &AggregateConfig::default())
            .unwrap()
            .accumulator()
    }

    fn text(v: Option<&str>) -> [ScalarValue; 1] {
        [ScalarValue::Utf8(v.map(str::to_string))]
    }

    #[test]
    fn one_value_while_the_rows_agree() {
        let mut attr = attr();
        attr.update(&text(Some("a"))).unwrap();
        attr.update(&text(Some("a"))).unwrap();
        assert_eq!(attr.result().unwrap(), ScalarValue::Utf8(Some("a".into())));
        attr.update(&text(Some("b"))).unwrap();
        assert_eq!(attr.result().unwrap(), ScalarValue::Utf8(None));
        attr.undo(&text(Some("b"))).unwrap();
        assert_eq!(attr.result().unwrap(), ScalarValue::Utf8(Some("a".into())));
    }

    #[test]
    fn null_is_a_value_and_counts_survive_a_restore() {
        let mut attr = attr();
        attr.update(&text(None)).unwrap();
        attr.update(&text(Some("a"))).unwrap();
        assert_eq!(attr.result().unwrap(), ScalarValue::Utf8(None));
        attr.undo(&text(Some("a"))).unwrap();
        attr.undo(&text(Some("a"))).unwrap();
        let mut restored = self::attr();
        restored.restore(&attr.state().unwrap()).unwrap();
        // NULL alone, and "a" at zero (not below): one more "a" makes two values again.
        restored.update(&text(Some("a"))).unwrap();
        assert_eq!(restored.result().unwrap(), ScalarValue::Utf8(None));
        restored.undo(&text(None)).unwrap();
        assert_eq!(
            restored.result().unwrap(),
            ScalarValue::Utf8(Some("a".into()))
        );
    }
}
