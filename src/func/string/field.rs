//! FIELD(text STRING, candidate STRING, …) → INT: the 1-based position of the first
//! candidate equal to the text, 0 if none (ksqlDB `Field`, the complement of ELT).
//!
//! ksqlDB: NULL never equals anything, so a NULL text gives 0, not NULL.

use std::sync::Arc;

use datafusion::arrow::array::{Array, Int32Array};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::common::cast::as_string_array;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use crate::func::signature::{Overloads, Param};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Field {
    signature: Signature,
    overloads: Overloads,
}

impl Field {
    pub(crate) fn new() -> Self {
        Field {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new("field", vec![])
                .with_variadic(vec![Param::String, Param::String]),
        }
    }
}

impl ScalarUDFImpl for Field {
    fn name(&self) -> &str {
        "field"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        self.overloads.coerce(arg_types)
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        self.overloads.resolve(arg_types)?;
        Ok(DataType::Int32)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let columns = arrays
            .iter()
            .map(|a| as_string_array(a))
            .collect::<Result<Vec<_>>>()?;
        let out: Int32Array = (0..args.number_rows)
            .map(|row| {
                let text = columns[0];
                if text.is_null(row) {
                    return Some(0);
                }
                let wanted = text.value(row);
                let found = columns[1..]
                    .iter()
                    .position(|c| c.is_valid(row) && c.value(row) == wanted);
                Some(found.map_or(0, |i| i32::try_from(i + 1).unwrap_or(0)))
            })
            .collect();
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}
