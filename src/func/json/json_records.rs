//! JSON_RECORDS(json STRING) → MAP<STRING, STRING>: the top-level entries of a JSON object,
//! values as JSON text (ksqlDB `JsonRecords`).
//!
//! ksqlDB: a string value is returned unquoted (`{"White": "Seven"}` → `Seven`), any other
//! value as compact JSON. NULL for NULL, blank text, or JSON that is not an object; text
//! that is not JSON is an error (NULL plus a processing-log entry).

use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::common::cast::as_string_array;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};
use serde_json::Value;

use super::jackson::{read_tree, text_or_json};
use crate::func::collections::string_map;
use crate::func::signature::{Overloads, Param, map_type};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct JsonRecords {
    signature: Signature,
    overloads: Overloads,
}

impl JsonRecords {
    pub(crate) fn new() -> Self {
        JsonRecords {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new("json_records", vec![vec![Param::String]]),
        }
    }
}

impl ScalarUDFImpl for JsonRecords {
    fn name(&self) -> &str {
        "json_records"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        self.overloads.coerce(arg_types)
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        self.overloads.resolve(arg_types)?;
        Ok(map_type(DataType::Utf8, DataType::Utf8))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let rows = as_string_array(&arrays[0])?
            .iter()
            .map(|json| json.map(records).transpose().map(Option::flatten))
            .collect::<Result<Vec<_>>>()?;
        Ok(ColumnarValue::Array(string_map(rows)?))
    }
}

type Entries = Vec<(String, Option<String>)>;

fn records(json: &str) -> Result<Option<Entries>> {
    Ok(match read_tree(json)? {
        Some(Value::Object(object)) => Some(
            object
                .iter()
                .map(|(k, v)| (k.clone(), Some(text_or_json(v))))
                .collect(),
        ),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_as_text() {
        let got = records(r#"{"Red": 3, "White": "Seven", "O": {"a": [1]}}"#).unwrap();
        let want = vec![
            ("Red".to_string(), Some("3".to_string())),
            ("White".to_string(), Some("Seven".to_string())),
            ("O".to_string(), Some(r#"{"a":[1]}"#.to_string())),
        ];
        assert_eq!(got, Some(want));
        assert_eq!(records("").unwrap(), None);
        assert_eq!(records("1").unwrap(), None);
    }
}
