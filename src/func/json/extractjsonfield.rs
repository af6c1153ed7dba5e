//! EXTRACTJSONFIELD(json STRING, path STRING) → STRING: the value at a JSONPath
//! (ksqlDB `JsonExtractString`).
//!
//! A text value comes back unquoted, anything else as compact JSON (`1.23450`,
//! `{"a":1}`); a missing field, an out-of-range or non-numeric array index, or a NULL
//! argument give NULL. Text that is not JSON or a bad path is an error (NULL plus a
//! processing-log entry).

use datafusion::arrow::array::{Array, StringArray};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::common::cast::as_string_array;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};
use serde_json::Value;
use std::sync::Arc;

use super::jackson::{read_tree, text_or_json};
use super::json_path::tokenize;
use crate::func::signature::{Overloads, Param};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ExtractJsonField {
    signature: Signature,
    overloads: Overloads,
}

impl ExtractJsonField {
    pub(crate) fn new() -> Self {
        ExtractJsonField {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new("extractjsonfield", vec![vec![Param::String, Param::String]]),
        }
    }
}

impl ScalarUDFImpl for ExtractJsonField {
    fn name(&self) -> &str {
        "extractjsonfield"
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
        let json = as_string_array(&arrays[0])?;
        let path = as_string_array(&arrays[1])?;
        let mut cached: Option<(&str, Vec<String>)> = None;
        let mut out = Vec::with_capacity(json.len());
        for (json, path) in json.iter().zip(path.iter()) {
            let (Some(json), Some(path)) = (json, path) else {
                out.push(None);
                continue;
            };
            if cached.as_ref().is_none_or(|(p, _)| *p != path) {
                cached = Some((path, tokenize(path)?));
            }
            let tokens = cached
                .as_ref()
                .map(|(_, t)| t.as_slice())
                .unwrap_or_default();
            out.push(extract(json, tokens)?);
        }
        Ok(ColumnarValue::Array(Arc::new(StringArray::from(out))))
    }
}

/// The value of `json` at `tokens`, as EXTRACTJSONFIELD returns it.
fn extract(json: &str, tokens: &[String]) -> Result<Option<String>> {
    // ksqlDB: blank text is Jackson's missing node, where every lookup finds nothing.
    let Some(root) = read_tree(json)? else {
        return Ok(None);
    };
    let mut node = &root;
    for token in tokens {
        let next = match node {
            // ksqlDB: a non-numeric or negative index into an array gives NULL.
            Value::Array(items) => match token.parse::<i64>() {
                Ok(index) => usize::try_from(index).ok().and_then(|i| items.get(i)),
                Err(_) => None,
            },
            Value::Object(object) => object.get(token),
            _ => None,
        };
        match next {
            Some(next) => node = next,
            None => return Ok(None),
        }
    }
    Ok(Some(text_or_json(node)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(json: &str, path: &str) -> Option<String> {
        extract(json, &tokenize(path).unwrap()).unwrap()
    }

    #[test]
    fn extracts_text_unquoted_and_the_rest_as_json() {
        let doc = r#"{"name": "cdc", "@type": "UDF", "array": [1.23450, {"a": 1}]}"#;
        assert_eq!(at(doc, "$.name").as_deref(), Some("cdc"));
        assert_eq!(at(doc, "$.@type").as_deref(), Some("UDF"));
        assert_eq!(at(doc, "$.array[0]").as_deref(), Some("1.23450"));
        assert_eq!(at(doc, "$.array[1]").as_deref(), Some(r#"{"a":1}"#));
    }

    #[test]
    fn missing_paths_are_null() {
        let doc = r#"{"array": [1, 2, 3]}"#;
        assert_eq!(at(doc, "$.array[-1]"), None);
        assert_eq!(at(doc, "$.array[3]"), None);
        assert_eq!(at(doc, "$.array.x"), None);
        assert_eq!(at(doc, "$.nope"), None);
        assert_eq!(at("", "$.a"), None);
    }

    #[test]
    fn invalid_json_is_an_error() {
        assert!(extract("{", &[]).is_err());
    }
}
