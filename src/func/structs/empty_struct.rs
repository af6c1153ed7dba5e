//! `STRUCT()`: a struct with no fields (`STRUCT< >`), never NULL, written `{}` (ksqlDB's
//! empty `CreateStructExpression`). DataFusion's `named_struct` needs a field, so the
//! planner calls this instead for a `STRUCT()` without any.

use std::sync::Arc;

use datafusion::arrow::array::StructArray;
use datafusion::arrow::datatypes::{DataType, Fields};
use datafusion::common::{Result, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

/// The name the planner calls it by; `$` keeps it out of reach of SQL.
pub const EMPTY_STRUCT: &str = "$empty_struct";

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct EmptyStruct {
    signature: Signature,
}

impl EmptyStruct {
    pub(crate) fn new() -> Self {
        EmptyStruct {
            signature: Signature::nullary(Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for EmptyStruct {
    fn name(&self) -> &str {
        EMPTY_STRUCT
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        if !arg_types.is_empty() {
            return plan_err!("STRUCT() takes no arguments");
        }
        Ok(DataType::Struct(Fields::empty()))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        Ok(ColumnarValue::Array(Arc::new(
            StructArray::new_empty_fields(args.number_rows, None),
        )))
    }
}
