//! JSON_ITEMS(json STRING) → ARRAY<STRING>: the objects of a JSON array, each as compact
//! JSON text (ksqlDB `JsonItems`).
//!
//! NULL for NULL, or when any item is not an object; text that is not a JSON array is an
//! error (NULL plus a processing-log entry).

use datafusion::arrow::datatypes::DataType;
use datafusion::common::cast::as_string_array;
use datafusion::common::{Result, exec_datafusion_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};
use serde_json::Value;

use super::jackson::{node_to_string, read_tree};
use crate::func::collections::string_list;
use crate::func::signature::{Overloads, Param, list_type};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct JsonItems {
    signature: Signature,
    overloads: Overloads,
}

impl JsonItems {
    pub(crate) fn new() -> Self {
        JsonItems {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new("json_items", vec![vec![Param::String]]),
        }
    }
}

impl ScalarUDFImpl for JsonItems {
    fn name(&self) -> &str {
        "json_items"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        self.overloads.coerce(arg_types)
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        self.overloads.resolve(arg_types)?;
        Ok(list_type(DataType::Utf8))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let rows = as_string_array(&arrays[0])?
            .iter()
            .map(|json| json.map(items).transpose().map(Option::flatten))
            .collect::<Result<Vec<_>>>()?;
        Ok(ColumnarValue::Array(string_list(rows)))
    }
}

fn items(json: &str) -> Result<Option<Vec<Option<String>>>> {
    let Some(Value::Array(items)) = read_tree(json)? else {
        return Err(exec_datafusion_err!("Invalid JSON array format:{json}"));
    };
    Ok(items
        .iter()
        .map(|item| item.is_object().then(|| Some(node_to_string(item))))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_as_text() {
        let got = items(r#"[{"type": "A", "timestamp": "2022-01-27"}, {"b": 1.50}]"#).unwrap();
        assert_eq!(
            got,
            Some(vec![
                Some(r#"{"type":"A","timestamp":"2022-01-27"}"#.to_string()),
                Some(r#"{"b":1.50}"#.to_string()),
            ])
        );
        assert_eq!(items("[]").unwrap(), Some(vec![]));
        assert_eq!(items("[1]").unwrap(), None);
        assert!(items("{}").is_err());
    }
}
