//! SPLIT_TO_MAP(text STRING, entryDelimiter STRING, kvDelimiter STRING)
//! → MAP<STRING, STRING> (ksqlDB `SplitToMap`).
//!
//! ksqlDB: empty entries are skipped, entries without the key-value delimiter are
//! dropped, an entry `k=v=x` maps `k` to `v`, and a repeated key keeps its last value.
//! NULL if any argument is NULL, if a delimiter is empty, or if both are equal.

use datafusion::arrow::array::Array;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::common::cast::as_string_array;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use crate::func::collections::string_map;
use crate::func::signature::{Overloads, Param, map_type};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct SplitToMap {
    signature: Signature,
    overloads: Overloads,
}

impl SplitToMap {
    pub(crate) fn new() -> Self {
        SplitToMap {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new("split_to_map", vec![vec![Param::String; 3]]),
        }
    }
}

impl ScalarUDFImpl for SplitToMap {
    fn name(&self) -> &str {
        "split_to_map"
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
        let columns = arrays
            .iter()
            .map(|a| as_string_array(a))
            .collect::<Result<Vec<_>>>()?;
        let rows = (0..args.number_rows).map(|row| {
            if columns.iter().any(|c| c.is_null(row)) {
                return None;
            }
            let [text, entry, kv] = [0, 1, 2].map(|i| columns[i].value(row));
            split_to_map(text, entry, kv)
        });
        Ok(ColumnarValue::Array(string_map(rows)?))
    }
}

fn split_to_map<'a>(
    text: &'a str,
    entry: &str,
    kv: &str,
) -> Option<Vec<(&'a str, Option<&'a str>)>> {
    if entry.is_empty() || kv.is_empty() || entry == kv {
        return None;
    }
    let mut map: Vec<(&str, Option<&str>)> = Vec::new();
    for item in text.split(entry).filter(|e| !e.is_empty()) {
        let mut parts = item.split(kv);
        let (Some(key), Some(value)) = (parts.next(), parts.next()) else {
            continue;
        };
        match map.iter_mut().find(|(k, _)| *k == key) {
            Some(existing) => existing.1 = Some(value),
            None => map.push((key, Some(value))),
        }
    }
    Some(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_and_quirks() {
        assert_eq!(
            split_to_map("a=1;;b=2;c;a=3;d=4=5", ";", "="),
            Some(vec![("a", Some("3")), ("b", Some("2")), ("d", Some("4"))])
        );
        assert_eq!(split_to_map("a=1", "", "="), None);
        assert_eq!(split_to_map("a=1", "=", "="), None);
        assert_eq!(split_to_map("", ";", "="), Some(vec![]));
    }
}
