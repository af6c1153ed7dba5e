//! ARRAY_JOIN(array ARRAY<T>[, delimiter STRING]) → STRING: the items as text, joined by
//! the delimiter, `,` by default (ksqlDB `ArrayJoin`).
//!
//! ksqlDB: items are written as Java's `toString` writes them (a NULL item as `null`, a
//! DOUBLE as `Double.toString`: `0.0`, `1.0E10`); a NULL delimiter joins with nothing.
//! Only arrays of primitive types are accepted (anything else fails the call, so NULL).
//! A NULL array gives NULL.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, StringBuilder};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Float64Type};
use datafusion::common::cast::as_list_array;
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use crate::format::number_text::format_double;
use crate::func::signature::{Overloads, Param};

/// ksqlDB's default delimiter.
const DEFAULT_DELIMITER: &str = ",";

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ArrayJoin {
    signature: Signature,
    overloads: Overloads,
}

impl ArrayJoin {
    pub(crate) fn new() -> Self {
        ArrayJoin {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new(
                "array_join",
                vec![
                    vec![Param::any_array()],
                    vec![Param::any_array(), Param::String],
                ],
            ),
        }
    }
}

impl ScalarUDFImpl for ArrayJoin {
    fn name(&self) -> &str {
        "array_join"
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
        let list = as_list_array(&arrays[0])?;
        let delimiters = arrays
            .get(1)
            .map(|d| cast(d, &DataType::Utf8))
            .transpose()?;
        let delimiters = delimiters.as_ref().map(|d| d.as_string::<i32>());
        let items = item_texts(list.values())?;
        let mut out = StringBuilder::new();
        for row in 0..list.len() {
            if list.is_null(row) {
                out.append_null();
                continue;
            }
            let delimiter = match delimiters {
                None => DEFAULT_DELIMITER,
                Some(d) if d.is_valid(row) => d.value(row),
                Some(_) => "",
            };
            let (start, end) = (
                list.offsets()[row] as usize,
                list.offsets()[row + 1] as usize,
            );
            let texts: Vec<&str> = (start..end)
                .map(|i| {
                    if items.is_valid(i) {
                        items.value(i)
                    } else {
                        "null"
                    }
                })
                .collect();
            out.append_value(texts.join(delimiter));
        }
        Ok(ColumnarValue::Array(Arc::new(out.finish())))
    }
}

/// Every item as ksqlDB writes it in the joined text.
fn item_texts(items: &ArrayRef) -> Result<datafusion::arrow::array::StringArray> {
    let text = match items.data_type() {
        DataType::Float64 => Arc::new(
            items
                .as_primitive::<Float64Type>()
                .iter()
                .map(|v| v.map(format_double))
                .collect::<datafusion::arrow::array::StringArray>(),
        ) as ArrayRef,
        DataType::Boolean
        | DataType::Int32
        | DataType::Int64
        | DataType::Decimal128(_, _)
        | DataType::Utf8
        | DataType::Null => cast(items, &DataType::Utf8)?,
        other => {
            return exec_err!(
                "error in ARRAY_JOIN: only primitive types are supported, not {other}"
            );
        }
    };
    Ok(text.as_string::<i32>().clone())
}
