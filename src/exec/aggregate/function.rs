//! Aggregate functions: the accumulator every one implements, and resolving a call
//! (`SUM(x)`, `LATEST_BY_OFFSET(x, 2, true)`) to a function with its result type.
//!
//! This follows ksqlDB's UDAF model: each group starts from a fresh accumulator, which is fed
//! every row's argument values (`update`) and asked for its current value (`result`, ksqlDB's
//! `map`). Functions ksqlDB can aggregate tables with can also take a row back out (`undo`).
//! The accumulator's state goes to the changelog as JSON and is read back on restore. Each
//! function family lives in its own file with its signature checks; this file only routes a
//! name to its family.

use datafusion::scalar::ScalarValue;
use serde_json::Value;

use super::{
    attr, average, by_offset, collect, correlation, count, count_distinct, histogram, min_max,
    standard_deviation, sum, topk,
};
use crate::catalog::types::SqlType;

/// A row that an aggregate cannot take, or state that cannot be read back.
#[derive(Debug, thiserror::Error)]
pub enum AggregateError {
    /// A value the function refuses (a DECIMAL sum overflowing its precision): the row goes
    /// to the processing log.
    #[error("{0}")]
    Value(String),
    /// Changelog state that does not fit the function.
    #[error("Aggregate state cannot be read: {0}")]
    State(String),
    /// The function cannot take rows back out (ksqlDB has no `undo` for it).
    #[error("{0} cannot remove a row from its aggregate")]
    NoUndo(&'static str),
    /// A bug: arguments of the wrong type reached an accumulator.
    #[error("Internal error (please report it): {0}")]
    Internal(String),
}

pub type AggregateResult<T> = Result<T, AggregateError>;

/// One aggregate's running state for one group.
pub trait Accumulator: Send {
    /// Folds in one row's argument values (ksqlDB's `aggregate`). On error the state is left
    /// as it was.
    fn update(&mut self, args: &[ScalarValue]) -> AggregateResult<()>;

    /// Takes one row's argument values back out (ksqlDB's `undo`, for table aggregation).
    fn undo(&mut self, _args: &[ScalarValue]) -> AggregateResult<()> {
        Err(AggregateError::NoUndo(self.name()))
    }

    /// Folds in another group's aggregate, given as its `state` (ksqlDB's `merge`, for
    /// session windows that a row joins into one). `self` holds the earlier rows.
    fn merge(&mut self, other: &Value) -> AggregateResult<()>;

    /// The aggregate's current value, of the function's result type.
    fn result(&self) -> AggregateResult<ScalarValue>;

    /// The state, for the changelog.
    fn state(&self) -> AggregateResult<Value>;

    /// Appends `state()` to `out` as JSON text, the form the changelog stores it in.
    /// Accumulators whose state is a few numbers write it without building a `Value`.
    fn write_state(&self, out: &mut Vec<u8>) -> AggregateResult<()> {
        write_json(out, &self.state()?)
    }

    /// Replaces the state by one `state` wrote.
    fn restore(&mut self, state: &Value) -> AggregateResult<()>;

    /// A copy with the same state.
    fn clone_box(&self) -> Box<dyn Accumulator>;

    /// The function's name, for messages.
    fn name(&self) -> &'static str;
}

/// A resolved aggregate call.
pub struct AggregateFunction {
    pub name: &'static str,
    pub return_type: SqlType,
    /// How many leading arguments are evaluated per row; the rest are literal parameters.
    pub value_args: usize,
    /// Whether ksqlDB can aggregate a table with it (it has `undo`).
    pub supports_undo: bool,
    /// Whether `update` can refuse a row (so the operator keeps a copy to roll back to).
    pub fallible: bool,
    /// Whether ksqlDB's intermediate state is a STRUCT, ARRAY or MAP, which it cannot keep in
    /// a DELIMITED changelog.
    pub structured_state: bool,
    /// The state of a group that has seen no row.
    initial: Box<dyn Accumulator>,
}

impl AggregateFunction {
    pub fn new(
        name: &'static str,
        return_type: SqlType,
        value_args: usize,
        initial: Box<dyn Accumulator>,
    ) -> Self {
        AggregateFunction {
            name,
            return_type,
            value_args,
            supports_undo: false,
            fallible: false,
            structured_state: false,
            initial,
        }
    }

    pub fn with_undo(mut self) -> Self {
        self.supports_undo = true;
        self
    }

    pub fn fallible(mut self) -> Self {
        self.fallible = true;
        self
    }

    pub fn structured_state(mut self) -> Self {
        self.structured_state = true;
        self
    }

    /// A fresh accumulator for a new group.
    pub fn accumulator(&self) -> Box<dyn Accumulator> {
        self.initial.clone_box()
    }
}

impl std::fmt::Debug for AggregateFunction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}(…) -> {}", self.name, self.return_type)
    }
}

/// An argument of an aggregate call as the planner sees it.
#[derive(Debug, Clone)]
pub struct CallArg {
    pub ty: SqlType,
    /// The value, when the argument is a literal (`2`, `true`).
    pub literal: Option<ScalarValue>,
    /// The argument as ksqlDB writes it, for messages.
    pub text: String,
}

/// Session settings that aggregate functions read.
#[derive(Debug, Clone, Copy, Default)]
pub struct AggregateConfig {
    /// `ksql.functions.collect_list.limit`
    pub collect_list_limit: Option<usize>,
    /// `ksql.functions.collect_set.limit`
    pub collect_set_limit: Option<usize>,
    /// `ksql.streams.cache.max.bytes.buffering` above 0: the aggregation coalesces a batch's
    /// updates to a group (`AggregateSpec::record_cache`).
    pub record_cache: bool,
}

/// ksqlDB aggregate functions sluice does not have yet.
const NOT_YET: [&str; 1] = ["COLLECT_MAP"];

/// True when `name` (any case) is an aggregate function.
pub fn is_aggregate(name: &str) -> bool {
    let name = name.to_uppercase();
    family(&name).is_some() || NOT_YET.contains(&name.as_str())
}

/// Resolves a call to an aggregate function; `None` when `name` is not one. `args` excludes
/// `*` (`COUNT(*)` has no arguments).
pub fn resolve(
    name: &str,
    args: &[CallArg],
    config: &AggregateConfig,
) -> Option<Result<AggregateFunction, String>> {
    let upper = name.to_uppercase();
    if NOT_YET.contains(&upper.as_str()) {
        return Some(Err(format!(
            "The aggregate function {upper} is not supported yet"
        )));
    }
    let resolve = family(&upper)?;
    Some(resolve(&upper, args, config))
}

type Resolver = fn(&str, &[CallArg], &AggregateConfig) -> Result<AggregateFunction, String>;

fn family(name: &str) -> Option<Resolver> {
    Some(match name {
        "ATTR" => attr::resolve,
        "COUNT" => count::resolve,
        "COUNT_DISTINCT" => count_distinct::resolve,
        "SUM" | "SUM_LIST" => sum::resolve,
        "AVG" => average::resolve,
        "MIN" | "MAX" => min_max::resolve,
        "LATEST_BY_OFFSET" | "EARLIEST_BY_OFFSET" => by_offset::resolve,
        "COLLECT_LIST" | "COLLECT_SET" => collect::resolve,
        "TOPK" | "TOPKDISTINCT" => topk::resolve,
        "HISTOGRAM" => histogram::resolve,
        "STDDEV_SAMP" | "STDDEV_SAMPLE" | "STDDEV_POP" => standard_deviation::resolve,
        "CORRELATION" => correlation::resolve,
        _ => return None,
    })
}

/// ksqlDB's message for arguments no signature of a function accepts.
pub fn no_signature(name: &str, args: &[CallArg]) -> String {
    let types: Vec<String> = args.iter().map(|a| a.ty.to_string()).collect();
    format!(
        "Function '{name}' does not accept parameters ({}).",
        types.join(", ")
    )
}

/// ksqlDB's message for an expression where a function takes a literal (`position` counts
/// from 1).
pub fn not_literal(name: &str, position: usize, arg: &CallArg) -> String {
    format!(
        "Parameter {position} passed to function {name} must be a literal constant, but was expression: '{}'",
        arg.text
    )
}

/// Reads a state number that must be an i64.
pub(super) fn state_i64(state: &Value, field: &str) -> AggregateResult<i64> {
    state
        .get(field)
        .and_then(Value::as_i64)
        .ok_or_else(|| AggregateError::State(format!("missing integer {field} in {state}")))
}

/// Appends `value` to `out` as JSON text.
pub(super) fn write_json(out: &mut Vec<u8>, value: &Value) -> AggregateResult<()> {
    serde_json::to_writer(out, value).map_err(|e| AggregateError::Internal(e.to_string()))
}

/// Appends an integer to `out` as JSON text.
pub(crate) fn write_integer(out: &mut Vec<u8>, value: impl itoa::Integer) {
    out.extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
}

/// Checks that `accumulator.write_state` writes exactly the JSON of its `state()`.
#[cfg(test)]
pub(super) fn assert_state_written(accumulator: &dyn Accumulator) {
    let mut written = Vec::new();
    accumulator.write_state(&mut written).unwrap();
    let state = serde_json::to_string(&accumulator.state().unwrap()).unwrap();
    assert_eq!(String::from_utf8(written).unwrap(), state);
}

/// A typed value as changelog JSON.
pub(super) fn value_to_state(value: &ScalarValue, ty: &SqlType) -> AggregateResult<Value> {
    crate::format::scalar_to_json(value, ty).map_err(|e| AggregateError::State(e.to_string()))
}

/// A typed value from changelog JSON.
pub(super) fn value_from_state(state: &Value, ty: &SqlType) -> AggregateResult<ScalarValue> {
    crate::format::json_to_scalar(state, ty).map_err(|e| AggregateError::State(e.to_string()))
}

/// A value's identity for distinct-value functions: its JSON text with object keys sorted,
/// so that maps holding the same entries in another order are the same value (as Java's
/// maps are equal).
pub(super) fn distinct_key(value: &ScalarValue, ty: &SqlType) -> AggregateResult<String> {
    fn sorted(json: Value) -> Value {
        match json {
            Value::Object(map) => {
                let mut entries: Vec<(String, Value)> = map.into_iter().collect();
                entries.sort_by(|a, b| a.0.cmp(&b.0));
                Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
            }
            Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
            other => other,
        }
    }
    Ok(sorted(value_to_state(value, ty)?).to_string())
}

/// The one argument an accumulator of one argument was given.
pub(super) fn single<'a>(args: &'a [ScalarValue], name: &str) -> AggregateResult<&'a ScalarValue> {
    match args {
        [value] => Ok(value),
        _ => Err(AggregateError::Internal(format!(
            "{name} got {} arguments instead of 1",
            args.len()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arg(ty: SqlType) -> CallArg {
        CallArg {
            ty,
            literal: None,
            text: String::new(),
        }
    }

    #[test]
    fn routes_names_in_any_case() {
        assert!(is_aggregate("count"));
        assert!(is_aggregate("TopK"));
        assert!(is_aggregate("histogram"));
        assert!(!is_aggregate("LEN"));
        let sum = resolve("sum", &[arg(SqlType::Int)], &AggregateConfig::default());
        assert_eq!(
            sum.map(|r| r.map(|f| f.return_type))
                .transpose()
                .ok()
                .flatten(),
            Some(SqlType::Int)
        );
        assert!(resolve("len", &[], &AggregateConfig::default()).is_none());
        assert!(matches!(
            resolve("collect_map", &[arg(SqlType::Int)], &AggregateConfig::default()),
            Some(Err(e)) if e.contains("not supported yet")
        ));
    }

    #[test]
    fn refusal_names_the_argument_types() {
        assert_eq!(
            no_signature("SUM", &[arg(SqlType::String), arg(SqlType::Int)]),
            "Function 'SUM' does not accept parameters (STRING, INTEGER)."
        );
    }
}
