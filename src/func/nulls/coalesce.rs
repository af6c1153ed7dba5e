//! COALESCE(value T, …) → T: the first non-NULL argument (ksqlDB `Coalesce`).
//!
//! DataFusion's `coalesce` has the semantics (it is rewritten to a CASE that evaluates
//! arguments lazily); this wrapper only gives a call without arguments ksqlDB's error,
//! `Function 'COALESCE' does not accept parameters ()`.

use datafusion::arrow::datatypes::{DataType, FieldRef};
use datafusion::common::{Result, plan_err};
use datafusion::functions::core::coalesce;
use datafusion::logical_expr::simplify::{ExprSimplifyResult, SimplifyContext};
use datafusion::logical_expr::{
    ColumnarValue, Expr, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
};

/// ksqlDB's message for a call with no arguments.
const NO_ARGUMENTS: &str = "Function 'COALESCE' does not accept parameters ().";

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Coalesce {
    inner: ScalarUDF,
}

impl Coalesce {
    pub(crate) fn new() -> Self {
        Coalesce {
            inner: coalesce().as_ref().clone(),
        }
    }
}

impl ScalarUDFImpl for Coalesce {
    fn name(&self) -> &str {
        "coalesce"
    }

    fn signature(&self) -> &Signature {
        self.inner.signature()
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        if arg_types.is_empty() {
            return Ok(vec![]);
        }
        self.inner.coerce_types(arg_types)
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        match arg_types
            .iter()
            .find(|t| !t.is_null())
            .or(arg_types.first())
        {
            Some(t) => Ok(t.clone()),
            None => plan_err!("{NO_ARGUMENTS}"),
        }
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        if args.arg_fields.is_empty() {
            return plan_err!("{NO_ARGUMENTS}");
        }
        self.inner.return_field_from_args(args)
    }

    fn simplify(&self, args: Vec<Expr>, info: &SimplifyContext) -> Result<ExprSimplifyResult> {
        if args.is_empty() {
            return plan_err!("{NO_ARGUMENTS}");
        }
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
