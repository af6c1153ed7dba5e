//! JSON_KEYS(json STRING) → ARRAY<STRING>: the top-level keys of a JSON object, in
//! document order (ksqlDB `JsonKeys`).
//!
//! NULL for NULL, blank text, or JSON that is not an object; text that is not JSON is an
//! error (NULL plus a processing-log entry).

use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::common::cast::as_string_array;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};
use serde_json::Value;

use super::jackson::read_tree;
use crate::func::collections::string_list;
use crate::func::signature::{Overloads, Param, list_type};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct JsonKeys {
    signature: Signature,
    overloads: Overloads,
}

impl JsonKeys {
    pub(crate) fn new() -> Self {
        JsonKeys {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new("json_keys", vec![vec![Param::String]]),
        }
    }
}

impl ScalarUDFImpl for JsonKeys {
    fn name(&self) -> &str {
        "json_keys"
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
            .map(|json| json.map(keys).transpose().map(Option::flatten))
            .collect::<Result<Vec<_>>>()?;
        Ok(ColumnarValue::Array(string_list(rows)))
    }
}

fn keys(json: &str) -> Result<Option<Vec<Option<String>>>> {
    Ok(match read_tree(json)? {
        Some(Value::Object(object)) => Some(object.keys().cloned().map(Some).collect()),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_in_document_order() {
        assert_eq!(
            keys(r#"{"Red": 3, "Green": 5}"#).unwrap(),
            Some(vec![Some("Red".to_string()), Some("Green".to_string())])
        );
        assert_eq!(keys("{}").unwrap(), Some(vec![]));
        assert_eq!(keys("").unwrap(), None);
        assert_eq!(keys("[1]").unwrap(), None);
    }
}
