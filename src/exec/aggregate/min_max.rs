//! MIN and MAX: the least or greatest non-null value of a column, of the column's type
//! (INT, BIGINT, DOUBLE, DECIMAL, STRING, BYTES, DATE, TIME, TIMESTAMP); null until a
//! non-null value is seen. ksqlDB has no `undo` for them, so they aggregate streams only.

use std::cmp::Ordering;

use datafusion::scalar::ScalarValue;
use serde_json::{Value, json};

use super::function::{
    Accumulator, AggregateConfig, AggregateError, AggregateFunction, AggregateResult, CallArg,
    no_signature, single, value_from_state, value_to_state, write_integer, write_json,
};
use crate::catalog::types::SqlType;

pub(super) fn resolve(
    name: &str,
    args: &[CallArg],
    _config: &AggregateConfig,
) -> Result<AggregateFunction, String> {
    let ty = match args {
        [arg] if comparable(&arg.ty) => arg.ty.clone(),
        _ => return Err(no_signature(name, args)),
    };
    let max = name == "MAX";
    let extreme = Extreme {
        max,
        best: None,
        ty: ty.clone(),
    };
    Ok(AggregateFunction::new(
        if max { "MAX" } else { "MIN" },
        ty,
        1,
        Box::new(extreme),
    ))
}

fn comparable(ty: &SqlType) -> bool {
    matches!(
        ty,
        SqlType::Int
            | SqlType::Bigint
            | SqlType::Double
            | SqlType::Decimal(_, _)
            | SqlType::String
            | SqlType::Bytes
            | SqlType::Date
            | SqlType::Time
            | SqlType::Timestamp
    )
}

#[derive(Debug, Clone)]
struct Extreme {
    /// MAX when true, MIN otherwise.
    max: bool,
    /// The extreme non-null value so far.
    best: Option<ScalarValue>,
    ty: SqlType,
}

impl Accumulator for Extreme {
    fn update(&mut self, args: &[ScalarValue]) -> AggregateResult<()> {
        let value = single(args, self.name())?;
        if value.is_null() {
            return Ok(());
        }
        let better = match &self.best {
            None => true,
            Some(best) => {
                let order = value.partial_cmp(best).ok_or_else(|| {
                    AggregateError::Internal(format!("cannot compare {value:?} with {best:?}"))
                })?;
                if self.max {
                    order == Ordering::Greater
                } else {
                    order == Ordering::Less
                }
            }
        };
        if better {
            self.best = Some(value.clone());
        }
        Ok(())
    }

    fn merge(&mut self, other: &Value) -> AggregateResult<()> {
        let mut merged = self.clone();
        merged.restore(other)?;
        match merged.best {
            Some(best) => self.update(&[best]),
            None => Ok(()),
        }
    }

    fn result(&self) -> AggregateResult<ScalarValue> {
        match &self.best {
            Some(best) => Ok(best.clone()),
            None => ScalarValue::try_new_null(&self.ty.to_arrow())
                .map_err(|e| AggregateError::Internal(e.to_string())),
        }
    }

    fn state(&self) -> AggregateResult<Value> {
        let best = match &self.best {
            Some(best) => value_to_state(best, &self.ty)?,
            None => Value::Null,
        };
        Ok(json!({ "best": best }))
    }

    fn write_state(&self, out: &mut Vec<u8>) -> AggregateResult<()> {
        out.extend_from_slice(b"{\"best\":");
        match (&self.best, &self.ty) {
            (None, _) => out.extend_from_slice(b"null"),
            (Some(ScalarValue::Int32(Some(v))), SqlType::Int) => write_integer(out, *v),
            (Some(ScalarValue::Int64(Some(v))), SqlType::Bigint) => write_integer(out, *v),
            (Some(best), ty) => write_json(out, &value_to_state(best, ty)?)?,
        }
        out.push(b'}');
        Ok(())
    }

    fn restore(&mut self, state: &Value) -> AggregateResult<()> {
        self.best = match &state["best"] {
            Value::Null => None,
            best => Some(value_from_state(best, &self.ty)?),
        };
        Ok(())
    }

    fn clone_box(&self) -> Box<dyn Accumulator> {
        Box::new(self.clone())
    }

    fn name(&self) -> &'static str {
        if self.max { "MAX" } else { "MIN" }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn extreme(name: &str, ty: SqlType) -> Box<dyn Accumulator> {
        let arg = CallArg {
            ty,
            literal: None,
            text: String::new(),
        };
        resolve(name, &[arg], &AggregateConfig::default())
            .unwrap()
            .accumulator()
    }

    #[test]
    fn null_until_a_value_then_the_extreme() {
        let mut max = extreme("MAX", SqlType::Int);
        let mut min = extreme("MIN", SqlType::Int);
        max.update(&[ScalarValue::Int32(None)]).unwrap();
        assert_eq!(max.result().unwrap(), ScalarValue::Int32(None));
        for v in [Some(5), None, Some(-2), Some(9)] {
            max.update(&[ScalarValue::Int32(v)]).unwrap();
            min.update(&[ScalarValue::Int32(v)]).unwrap();
        }
        assert_eq!(max.result().unwrap(), ScalarValue::Int32(Some(9)));
        assert_eq!(min.result().unwrap(), ScalarValue::Int32(Some(-2)));
        assert!(max.undo(&[ScalarValue::Int32(Some(9))]).is_err(), "no undo");
    }

    #[test]
    fn strings_and_state_round_trip() {
        let mut max = extreme("MAX", SqlType::String);
        for s in ["b", "c", "a"] {
            max.update(&[ScalarValue::Utf8(Some(s.into()))]).unwrap();
        }
        let mut restored = extreme("MAX", SqlType::String);
        restored.restore(&max.state().unwrap()).unwrap();
        super::super::function::assert_state_written(&*max);
        let mut bigint = extreme("MAX", SqlType::Bigint);
        super::super::function::assert_state_written(&*bigint);
        bigint.update(&[ScalarValue::Int64(Some(-7))]).unwrap();
        super::super::function::assert_state_written(&*bigint);
        assert_eq!(
            restored.result().unwrap(),
            ScalarValue::Utf8(Some("c".into()))
        );
    }

    #[test]
    fn refuses_structured_types() {
        let arg = CallArg {
            ty: SqlType::Array(Box::new(SqlType::Int)),
            literal: None,
            text: String::new(),
        };
        assert!(resolve("MIN", &[arg], &AggregateConfig::default()).is_err());
    }
}
