//! JSON_CONCAT(json STRING, …) → STRING: JSON values merged like PostgreSQL's `||`
//! (ksqlDB `JsonConcat`).
//!
//! All objects: one object with every key, later values winning. Otherwise arrays are
//! concatenated, any non-array value counting as a one-item array. NULL if any argument
//! is NULL or blank; text that is not JSON is an error (NULL plus a processing-log entry).
//! The result is written as ksqlDB's mapper writes it (decimals plain).

use std::sync::Arc;

use datafusion::arrow::array::{Array, StringArray};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::common::cast::as_string_array;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};
use serde_json::Value;

use super::jackson::{read_tree, write_plain};
use crate::func::signature::{Overloads, Param};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct JsonConcat {
    signature: Signature,
    overloads: Overloads,
}

impl JsonConcat {
    pub(crate) fn new() -> Self {
        JsonConcat {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new("json_concat", vec![])
                .with_variadic(vec![Param::String, Param::String]),
        }
    }
}

impl ScalarUDFImpl for JsonConcat {
    fn name(&self) -> &str {
        "json_concat"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        self.overloads.coerce(arg_types)
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        self.overloads.resolve(arg_types)?;
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let columns = arrays
            .iter()
            .map(|a| as_string_array(a))
            .collect::<Result<Vec<_>>>()?;
        let out = (0..args.number_rows)
            .map(|row| {
                let texts: Option<Vec<&str>> = columns
                    .iter()
                    .map(|c| c.is_valid(row).then(|| c.value(row)))
                    .collect();
                match texts {
                    Some(texts) => concat(&texts),
                    None => Ok(None),
                }
            })
            .collect::<Result<StringArray>>()?;
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

fn concat(texts: &[&str]) -> Result<Option<String>> {
    let mut nodes = Vec::with_capacity(texts.len());
    for text in texts {
        match read_tree(text)? {
            Some(node) => nodes.push(node),
            None => return Ok(None),
        }
    }
    let mut nodes = nodes.into_iter();
    let Some(first) = nodes.next() else {
        return Ok(None);
    };
    let all_objects = first.is_object() && nodes.as_slice().iter().all(Value::is_object);
    let merged = if all_objects {
        let mut merged = first;
        for node in nodes {
            if let (Value::Object(acc), Value::Object(more)) = (&mut merged, node) {
                acc.extend(more);
            }
        }
        merged
    } else {
        let mut merged = into_items(first);
        for node in nodes {
            merged.extend(into_items(node));
        }
        Value::Array(merged)
    };
    Ok(Some(write_plain(&merged)))
}

fn into_items(node: Value) -> Vec<Value> {
    match node {
        Value::Array(items) => items,
        other => vec![other],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(texts: &[&str]) -> Option<String> {
        concat(texts).unwrap()
    }

    #[test]
    fn objects_merge_later_wins() {
        assert_eq!(
            c(&[r#"{"a": 1, "b": 2}"#, r#"{"b": 3, "c": 4}"#]).as_deref(),
            Some(r#"{"a":1,"b":3,"c":4}"#)
        );
    }

    #[test]
    fn anything_else_concatenates_as_arrays() {
        assert_eq!(c(&["[1, 2]", "[3]"]).as_deref(), Some("[1,2,3]"));
        assert_eq!(
            c(&[r#"{"a": 1}"#, "[2]"]).as_deref(),
            Some(r#"[{"a":1},2]"#)
        );
        assert_eq!(c(&["1", "\"x\""]).as_deref(), Some(r#"[1,"x"]"#));
        assert_eq!(c(&["[1]", ""]), None);
        assert!(concat(&["[1]", "{"]).is_err());
    }
}
