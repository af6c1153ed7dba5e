//! `CAST(value AS STRING)` of an ARRAY, MAP or STRUCT: the text ksqlDB gives, which is
//! Java's `toString` of its value: `[1, 2]` for a list, `{k=1, j=2}` for a map,
//! `Struct{A=1,B=x}` for a Connect struct (whose NULL fields are left out). Not a
//! ksqlDB function: the expression planner calls it for such casts.

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, Float32Array, Float64Array, StringBuilder,
};
use datafusion::arrow::datatypes::DataType;
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use crate::format::number_text::format_double;

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct CompoundText {
    signature: Signature,
}

impl CompoundText {
    pub(crate) fn new() -> Self {
        CompoundText {
            signature: Signature::any(1, Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for CompoundText {
    fn name(&self) -> &str {
        "compound_text"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let array = &arrays[0];
        let mut out = StringBuilder::new();
        for row in 0..array.len() {
            if array.is_null(row) {
                out.append_null();
            } else {
                out.append_value(java_text(array, row)?);
            }
        }
        Ok(ColumnarValue::Array(Arc::new(out.finish())))
    }
}

/// Java's `toString` of the value at `row` (`null` for NULL).
fn java_text(array: &ArrayRef, row: usize) -> Result<String> {
    if array.is_null(row) {
        return Ok("null".to_string());
    }
    Ok(match array.data_type() {
        DataType::List(_) => {
            let items = array.as_list::<i32>().value(row);
            let texts: Result<Vec<String>> =
                (0..items.len()).map(|i| java_text(&items, i)).collect();
            format!("[{}]", texts?.join(", "))
        }
        DataType::Map(_, _) => {
            let entries = array.as_map().value(row);
            let (keys, values) = (entries.column(0), entries.column(1));
            let texts: Result<Vec<String>> = (0..entries.len())
                .map(|i| Ok(format!("{}={}", java_text(keys, i)?, java_text(values, i)?)))
                .collect();
            format!("{{{}}}", texts?.join(", "))
        }
        DataType::Struct(fields) => {
            let columns = array.as_struct().columns();
            let mut texts = Vec::new();
            for (field, column) in fields.iter().zip(columns) {
                if !column.is_null(row) {
                    texts.push(format!("{}={}", field.name(), java_text(column, row)?));
                }
            }
            format!("Struct{{{}}}", texts.join(","))
        }
        DataType::Float64 => format_double(
            array
                .as_any()
                .downcast_ref::<Float64Array>()
                .map_or(0.0, |a| a.value(row)),
        ),
        DataType::Float32 => format_double(f64::from(
            array
                .as_any()
                .downcast_ref::<Float32Array>()
                .map_or(0.0, |a| a.value(row)),
        )),
        _ => ArrayFormatter::try_new(array.as_ref(), &FormatOptions::default())?
            .value(row)
            .to_string(),
    })
}

#[cfg(test)]
mod tests {
    use datafusion::arrow::array::{Int32Array, MapBuilder, StringBuilder, StructArray};
    use datafusion::arrow::datatypes::{Field, Fields};

    use super::*;

    #[test]
    fn maps_and_structs_print_as_java() {
        let mut map = MapBuilder::new(None, StringBuilder::new(), Int32Array::builder(2));
        map.keys().append_value("this");
        map.values().append_value(1);
        map.keys().append_value("that");
        map.values().append_null();
        map.append(true).unwrap();
        let map: ArrayRef = Arc::new(map.finish());
        assert_eq!(java_text(&map, 0).unwrap(), "{this=1, that=null}");

        let fields = Fields::from(vec![
            Field::new("F0", DataType::Int32, true),
            Field::new("f1", DataType::Int32, true),
        ]);
        let columns: Vec<ArrayRef> = vec![
            Arc::new(Int32Array::from(vec![Some(1)])),
            Arc::new(Int32Array::from(vec![None])),
        ];
        let structs: ArrayRef = Arc::new(StructArray::new(fields, columns, None));
        assert_eq!(java_text(&structs, 0).unwrap(), "Struct{F0=1}");
    }
}
