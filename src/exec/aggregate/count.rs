//! COUNT: `COUNT(*)` and `COUNT()` count rows, `COUNT(x)` rows where `x` is not null.
//! BIGINT; 0 for a group that has seen none.

use datafusion::scalar::ScalarValue;
use serde_json::{Value, json};

use super::function::{
    Accumulator, AggregateConfig, AggregateFunction, AggregateResult, CallArg, no_signature,
    state_i64, write_integer,
};
use crate::catalog::types::SqlType;

pub(super) fn resolve(
    name: &str,
    args: &[CallArg],
    _config: &AggregateConfig,
) -> Result<AggregateFunction, String> {
    // ksqlDB: COUNT(*) is COUNT(ROWTIME), which is never null.
    let counted = match args {
        [] => Count::rows(),
        [_] => Count::non_null(),
        _ => return Err(no_signature(name, args)),
    };
    Ok(AggregateFunction::new("COUNT", SqlType::Bigint, args.len(), Box::new(counted)).with_undo())
}

#[derive(Debug, Clone)]
pub struct Count {
    count: i64,
    /// True for `COUNT(*)`: every row counts, there is no argument.
    rows: bool,
}

impl Count {
    pub fn rows() -> Self {
        Count {
            count: 0,
            rows: true,
        }
    }

    pub fn non_null() -> Self {
        Count {
            count: 0,
            rows: false,
        }
    }

    fn counts(&self, args: &[ScalarValue]) -> bool {
        self.rows || args.first().is_some_and(|v| !v.is_null())
    }
}

impl Accumulator for Count {
    fn update(&mut self, args: &[ScalarValue]) -> AggregateResult<()> {
        if self.counts(args) {
            self.count += 1;
        }
        Ok(())
    }

    fn undo(&mut self, args: &[ScalarValue]) -> AggregateResult<()> {
        if self.counts(args) {
            self.count -= 1;
        }
        Ok(())
    }

    fn merge(&mut self, other: &Value) -> AggregateResult<()> {
        self.count += state_i64(other, "count")?;
        Ok(())
    }

    fn result(&self) -> AggregateResult<ScalarValue> {
        Ok(ScalarValue::Int64(Some(self.count)))
    }

    fn state(&self) -> AggregateResult<Value> {
        Ok(json!({ "count": self.count }))
    }

    fn write_state(&self, out: &mut Vec<u8>) -> AggregateResult<()> {
        out.extend_from_slice(b"{\"count\":");
        write_integer(out, self.count);
        out.push(b'}');
        Ok(())
    }

    fn restore(&mut self, state: &Value) -> AggregateResult<()> {
        self.count = state_i64(state, "count")?;
        Ok(())
    }

    fn clone_box(&self) -> Box<dyn Accumulator> {
        Box::new(self.clone())
    }

    fn name(&self) -> &'static str {
        "COUNT"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_rows_or_non_null_values() {
        let mut star = Count::rows();
        let mut column = Count::non_null();
        for v in [Some(1), None, Some(3)] {
            star.update(&[]).unwrap();
            column.update(&[ScalarValue::Int32(v)]).unwrap();
        }
        assert_eq!(star.result().unwrap(), ScalarValue::Int64(Some(3)));
        assert_eq!(column.result().unwrap(), ScalarValue::Int64(Some(2)));
    }

    #[test]
    fn undo_counts_back_and_state_round_trips() {
        let mut count = Count::non_null();
        count.update(&[ScalarValue::Int32(Some(1))]).unwrap();
        count.update(&[ScalarValue::Int32(Some(2))]).unwrap();
        count.undo(&[ScalarValue::Int32(None)]).unwrap();
        count.undo(&[ScalarValue::Int32(Some(2))]).unwrap();
        let mut restored = Count::non_null();
        restored.restore(&count.state().unwrap()).unwrap();
        super::super::function::assert_state_written(&count);
        assert_eq!(restored.result().unwrap(), ScalarValue::Int64(Some(1)));
    }

    #[test]
    fn resolves_with_any_single_argument() {
        let config = AggregateConfig::default();
        let arg = CallArg {
            ty: SqlType::String,
            literal: None,
            text: String::new(),
        };
        assert_eq!(resolve("COUNT", &[], &config).unwrap().value_args, 0);
        let one = std::slice::from_ref(&arg);
        assert_eq!(resolve("COUNT", one, &config).unwrap().value_args, 1);
        assert!(resolve("COUNT", &[arg.clone(), arg], &config).is_err());
    }
}
