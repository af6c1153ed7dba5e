//! IFNULL(value T, default T) → T: `value` unless it is NULL, else `default` (ksqlDB
//! `IfNull`).
//!
//! Two-argument COALESCE: DataFusion's own `ifnull` (an alias of `nvl`) coerces mixed
//! types to text, so `IFNULL(array, ARRAY[…])` came back as a string; this one takes
//! COALESCE's types and lazy evaluation, and wants exactly two arguments.

use datafusion::arrow::datatypes::{DataType, FieldRef};
use datafusion::common::{Result, plan_err};
use datafusion::functions::core::coalesce;
use datafusion::logical_expr::simplify::{ExprSimplifyResult, SimplifyContext};
use datafusion::logical_expr::{
    ColumnarValue, Expr, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
};

use crate::func::signature::not_accepted;

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct IfNull {
    inner: ScalarUDF,
}

impl IfNull {
    pub(crate) fn new() -> Self {
        IfNull {
            inner: coalesce().as_ref().clone(),
        }
    }
}

impl ScalarUDFImpl for IfNull {
    fn name(&self) -> &str {
        "ifnull"
    }

    fn signature(&self) -> &Signature {
        self.inner.signature()
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        if arg_types.len() != 2 {
            return Ok(arg_types.to_vec());
        }
        self.inner.coerce_types(arg_types)
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        if arg_types.len() != 2 {
            return plan_err!("{}", not_accepted("IFNULL", arg_types));
        }
        Ok(arg_types
            .iter()
            .find(|t| !t.is_null())
            .unwrap_or(&arg_types[0])
            .clone())
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        if args.arg_fields.len() != 2 {
            let types: Vec<DataType> = args
                .arg_fields
                .iter()
                .map(|f| f.data_type().clone())
                .collect();
            return plan_err!("{}", not_accepted("IFNULL", &types));
        }
        self.inner.return_field_from_args(args)
    }

    fn simplify(&self, args: Vec<Expr>, info: &SimplifyContext) -> Result<ExprSimplifyResult> {
        self.inner.simplify(args, info)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        self.inner.invoke_with_args(args)
    }

    fn conditional_arguments<'a>(
        &self,
        args: &'a [Expr],
    ) -> Option<(Vec<&'a Expr>, Vec<&'a Expr>)> {
        self.inner.conditional_arguments(args)
    }

    fn short_circuits(&self) -> bool {
        self.inner.short_circuits()
    }
}
