//! GREATEST and LEAST(value, value…) → the highest (lowest) non-null argument, NULL when
//! all are NULL (ksqlDB `Greatest`, `Least`).
//!
//! ksqlDB declares one variadic overload per comparable type (INT, BIGINT, DOUBLE,
//! DECIMAL, STRING, BYTES, DATE, TIME, TIMESTAMP), so mixed numbers resolve as any
//! overloaded call does: `GREATEST(INT, BIGINT)` is ambiguous, `GREATEST(INT, DOUBLE)` is
//! a DOUBLE. Decimals of different precision and scale widen to one that holds them all.
//! The comparison itself is DataFusion's `greatest`/`least` over the coerced arguments.

use std::sync::Arc;

use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

use crate::func::signature::{Overloads, Param};

/// Which end of the order the function returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Extreme {
    Greatest,
    Least,
}

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Extremum {
    signature: Signature,
    overloads: Overloads,
    /// DataFusion's implementation, fed arguments of one type.
    inner: Arc<ScalarUDF>,
    extreme: Extreme,
}

impl Extremum {
    pub(crate) fn new(extreme: Extreme) -> Self {
        let (name, inner) = match extreme {
            Extreme::Greatest => ("greatest", datafusion::functions::core::greatest()),
            Extreme::Least => ("least", datafusion::functions::core::least()),
        };
        let overloads = [
            Param::Int,
            Param::Bigint,
            Param::Double,
            Param::Decimal,
            Param::String,
            Param::Bytes,
            Param::Date,
            Param::Time,
            Param::Timestamp,
        ]
        .into_iter()
        .fold(Overloads::new(name, vec![]), |overloads, param| {
            overloads.with_variadic(vec![param.clone(), param])
        });
        Extremum {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads,
            inner,
            extreme,
        }
    }
}

impl ScalarUDFImpl for Extremum {
    fn name(&self) -> &str {
        match self.extreme {
            Extreme::Greatest => "greatest",
            Extreme::Least => "least",
        }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let args = temporal_strings(arg_types);
        let coerced = self.overloads.coerce(&args)?;
        if self.overloads.resolve(&coerced).is_err() {
            return Ok(arg_types.to_vec());
        }
        // NULL literals and decimals of other scales take the one type of the result.
        let common = coerced
            .iter()
            .zip(arg_types)
            .filter(|(_, arg)| **arg != DataType::Null)
            .map(|(coerced, _)| coerced.clone())
            .reduce(widen_decimal);
        Ok(match common {
            Some(common) => vec![common; coerced.len()],
            None => coerced,
        })
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        self.overloads.resolve(arg_types)?;
        Ok(arg_types[0].clone())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        self.inner.invoke_with_args(args)
    }
}

/// ksqlDB reads a string literal among dates, times or timestamps as one of them. Every
/// string argument is read so, as the type alone does not tell a literal from a column.
fn temporal_strings(args: &[DataType]) -> Vec<DataType> {
    let temporal = args.iter().find(|t| {
        matches!(
            t,
            DataType::Date32 | DataType::Time32(_) | DataType::Timestamp(_, _)
        )
    });
    match temporal {
        Some(temporal) => args
            .iter()
            .map(|t| match t {
                DataType::Utf8 | DataType::Utf8View | DataType::LargeUtf8 => temporal.clone(),
                other => other.clone(),
            })
            .collect(),
        None => args.to_vec(),
    }
}

/// ksqlDB's `DecimalUtil.widen` for two decimals (enough integer digits and scale for
/// both); other types are already equal.
pub(crate) fn widen_decimal(a: DataType, b: DataType) -> DataType {
    match (&a, &b) {
        (DataType::Decimal128(p1, s1), DataType::Decimal128(p2, s2)) => {
            let scale = (*s1).max(*s2);
            let integer = (i16::from(*p1) - i16::from(*s1)).max(i16::from(*p2) - i16::from(*s2));
            let precision = (integer + i16::from(scale)).min(38) as u8;
            DataType::Decimal128(precision, scale)
        }
        _ => a,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn coerce(extreme: Extreme, args: &[DataType]) -> Vec<DataType> {
        Extremum::new(extreme).coerce_types(args).unwrap()
    }

    #[test]
    fn decimals_widen_and_nulls_follow() {
        let args = [
            DataType::Decimal128(9, 2),
            DataType::Null,
            DataType::Decimal128(7, 6),
        ];
        assert_eq!(
            coerce(Extreme::Greatest, &args),
            vec![DataType::Decimal128(13, 6); 3]
        );
    }

    #[test]
    fn mixed_numbers_resolve_as_overloads_do() {
        let f = Extremum::new(Extreme::Least);
        let ambiguous = [DataType::Int32, DataType::Int64];
        let coerced = f.coerce_types(&ambiguous).unwrap();
        let err = f.return_type(&coerced).unwrap_err().to_string();
        assert!(
            err.contains("ambiguous method parameters (INTEGER, BIGINT)"),
            "{err}"
        );
        let args = [DataType::Int32, DataType::Float64, DataType::Null];
        assert_eq!(coerce(Extreme::Least, &args), vec![DataType::Float64; 3]);
    }

    #[test]
    fn strings_and_numbers_do_not_mix() {
        let f = Extremum::new(Extreme::Greatest);
        let err = f
            .return_type(&[DataType::Utf8, DataType::Int32])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("Function 'greatest' does not accept parameters (STRING, INTEGER)."),
            "{err}"
        );
        assert!(f.return_type(&[]).is_err());
    }
}
