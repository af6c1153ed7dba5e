//! AS_VALUE(value T) → T: its argument unchanged (ksqlDB `AsValue`).
//!
//! ksqlDB uses it to copy a key column into the value (`SELECT ID, AS_VALUE(ID) AS ID2`);
//! as a function it is the identity.

use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use crate::func::signature::{Overloads, Param};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct AsValue {
    signature: Signature,
    overloads: Overloads,
}

impl AsValue {
    pub(crate) fn new() -> Self {
        AsValue {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new("as_value", vec![vec![Param::Any]]),
        }
    }
}

impl ScalarUDFImpl for AsValue {
    fn name(&self) -> &str {
        "as_value"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        self.overloads.coerce(arg_types)
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        self.overloads.resolve(arg_types)?;
        Ok(arg_types[0].clone())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let mut args = args.args;
        Ok(args.remove(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::logical_expr::ScalarUDF;

    #[test]
    fn returns_its_argument_type() {
        let udf = ScalarUDF::new_from_impl(AsValue::new());
        assert_eq!(
            udf.return_type(&[DataType::Int32]).unwrap(),
            DataType::Int32
        );
        assert!(udf.return_type(&[]).is_err());
    }
}
