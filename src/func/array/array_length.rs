//! ARRAY_LENGTH(array ARRAY<T>) → INT: how many elements an array holds, NULL for a NULL
//! array (ksqlDB `ArrayLength`; DataFusion's answers a BIGINT).

use std::sync::Arc;

use datafusion::arrow::array::{Array, Int32Array};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::common::cast::as_list_array;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use crate::func::signature::{Overloads, Param};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ArrayLength {
    signature: Signature,
    overloads: Overloads,
}

impl ArrayLength {
    pub(crate) fn new() -> Self {
        ArrayLength {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new("array_length", vec![vec![Param::any_array()]]),
        }
    }
}

impl ScalarUDFImpl for ArrayLength {
    fn name(&self) -> &str {
        "array_length"
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
        let lists = match arrays[0].data_type() {
            // A bare NULL argument.
            DataType::Null => {
                return Ok(ColumnarValue::Array(Arc::new(Int32Array::new_null(
                    arrays[0].len(),
                ))));
            }
            _ => as_list_array(&arrays[0])?,
        };
        let lengths: Int32Array = (0..lists.len())
            .map(|row| lists.is_valid(row).then(|| lists.value_length(row)))
            .collect();
        Ok(ColumnarValue::Array(Arc::new(lengths)))
    }
}
