//! ELT(n INT, text STRING, …) → STRING: the `n`-th of the strings, 1-based (ksqlDB
//! `Elt`, the complement of FIELD).
//!
//! NULL if `n` is below 1 or above the number of strings, or if that string is NULL. A
//! NULL `n` is an error (a Java `int` parameter): NULL plus a processing-log entry.

use std::sync::Arc;

use datafusion::arrow::array::{Array, StringArray};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::cast::{as_int32_array, as_string_array};
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use crate::func::signature::{Overloads, Param};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Elt {
    signature: Signature,
    overloads: Overloads,
}

impl Elt {
    pub(crate) fn new() -> Self {
        Elt {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new("elt", vec![]).with_variadic(vec![Param::Int, Param::String]),
        }
    }
}

impl ScalarUDFImpl for Elt {
    fn name(&self) -> &str {
        "elt"
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
        let n = as_int32_array(&arrays[0])?;
        let strings = arrays[1..]
            .iter()
            .map(|a| as_string_array(a))
            .collect::<Result<Vec<_>>>()?;
        let out = (0..args.number_rows)
            .map(|row| {
                if n.is_null(row) {
                    return exec_err!("ELT: n must not be null");
                }
                let chosen = usize::try_from(n.value(row))
                    .ok()
                    .and_then(|n| n.checked_sub(1))
                    .and_then(|i| strings.get(i));
                Ok(chosen.and_then(|s| s.is_valid(row).then(|| s.value(row))))
            })
            .collect::<Result<StringArray>>()?;
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::logical_expr::ScalarUDF;

    #[test]
    fn takes_an_int_then_strings() {
        let udf = ScalarUDF::new_from_impl(Elt::new());
        assert!(udf.return_type(&[DataType::Int32, DataType::Utf8]).is_ok());
        assert!(udf.return_type(&[DataType::Int32]).is_ok());
        assert!(udf.return_type(&[DataType::Utf8]).is_err());
    }
}
