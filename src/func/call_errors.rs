//! ksqlDB's per-call error handling: a function that fails on a row gives NULL for that
//! call only, and the rest of the expression goes on (`ARRAY[44, STRINGTODATE('foo',
//! 'yyyyMMdd')]` is `[44, NULL]`, array.json "Output array with an error"); the failure
//! goes to the processing log.
//!
//! [`NullOnError`] wraps each ksqlDB function: when a batch fails it re-runs the call row
//! by row, NULLs the failing rows and keeps their messages in a per-thread list that the
//! executor drains with [`take`] to write processing-log entries.

use std::cell::RefCell;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, new_null_array};
use datafusion::arrow::compute::concat;
use datafusion::arrow::datatypes::{DataType, FieldRef};
use datafusion::common::Result;
use datafusion::logical_expr::simplify::{ExprSimplifyResult, SimplifyContext};
use datafusion::logical_expr::{
    ColumnarValue, Expr, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
};

thread_local! {
    static FAILURES: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// The messages of calls that failed on this thread since the last `take`.
pub fn take() -> Vec<String> {
    FAILURES.with(|f| std::mem::take(&mut *f.borrow_mut()))
}

fn record(message: String) {
    FAILURES.with(|f| f.borrow_mut().push(message));
}

/// A ksqlDB function whose row failures become NULLs (see the module doc).
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct NullOnError {
    inner: ScalarUDF,
}

impl NullOnError {
    /// Wraps `inner`.
    pub fn new(inner: Arc<dyn ScalarUDFImpl>) -> Self {
        NullOnError {
            inner: ScalarUDF::new_from_shared_impl(inner),
        }
    }
}

impl ScalarUDFImpl for NullOnError {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn signature(&self) -> &Signature {
        self.inner.signature()
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        self.inner.coerce_types(arg_types)
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        self.inner.return_type(arg_types)
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        self.inner.return_field_from_args(args)
    }

    fn simplify(&self, args: Vec<Expr>, info: &SimplifyContext) -> Result<ExprSimplifyResult> {
        self.inner.simplify(args, info)
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

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        if let Ok(value) = self.inner.invoke_with_args(args.clone()) {
            return Ok(value);
        }
        let data_type = args.return_field.data_type().clone();
        let mut rows: Vec<ArrayRef> = Vec::with_capacity(args.number_rows);
        for row in 0..args.number_rows {
            let one = ScalarFunctionArgs {
                args: args
                    .args
                    .iter()
                    .map(|a| match a {
                        ColumnarValue::Array(array) => ColumnarValue::Array(array.slice(row, 1)),
                        scalar => scalar.clone(),
                    })
                    .collect(),
                number_rows: 1,
                ..args.clone()
            };
            match self
                .inner
                .invoke_with_args(one)
                .and_then(|v| v.into_array(1))
            {
                Ok(array) => rows.push(array),
                Err(e) => {
                    record(format!(
                        "{}: {}",
                        self.name().to_uppercase(),
                        e.strip_backtrace()
                    ));
                    rows.push(new_null_array(&data_type, 1));
                }
            }
        }
        if rows.is_empty() {
            return Ok(ColumnarValue::Array(new_null_array(&data_type, 0)));
        }
        let refs: Vec<&dyn Array> = rows.iter().map(|a| a.as_ref()).collect();
        Ok(ColumnarValue::Array(concat(&refs)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::func::string::chr::Chr;
    use datafusion::arrow::array::StringArray;
    use datafusion::arrow::datatypes::Field;
    use datafusion::common::config::ConfigOptions;

    #[test]
    fn failing_rows_become_null_and_are_recorded() {
        let udf = NullOnError::new(Arc::new(Chr::new()));
        let input: ArrayRef = Arc::new(StringArray::from(vec!["\\u004b", "\\uzzzz"]));
        let args = ScalarFunctionArgs {
            args: vec![ColumnarValue::Array(input)],
            arg_fields: vec![Arc::new(Field::new("a", DataType::Utf8, true))],
            number_rows: 2,
            return_field: Arc::new(Field::new("r", DataType::Utf8, true)),
            config_options: Arc::new(ConfigOptions::default()),
        };
        let _ = take();
        let out = udf.invoke_with_args(args).unwrap().into_array(2).unwrap();
        let out = out.as_any().downcast_ref::<StringArray>().unwrap();
        assert_eq!(out.value(0), "K");
        assert!(out.is_null(1));
        assert_eq!(take().len(), 1);
    }
}
