//! ksqlDB's lambda functions, TRANSFORM, FILTER and REDUCE, as DataFusion higher-order
//! functions: each takes an ARRAY or a MAP and lambdas (`x => x + 1`, `(k, v) => …`,
//! `(s, x) => s + x`) that DataFusion's SQL planner types from the parameters declared here.
//!
//! `elements` lays a collection column out so that a lambda body runs once per batch over
//! all elements; the functions only decide which parameters the lambdas get and how the
//! results are put back together.

use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, FieldRef};
use datafusion::common::tree_node::{Transformed, TreeNode, TreeNodeRecursion};
use datafusion::common::{DFSchema, Result, plan_err};
use datafusion::logical_expr::expr::HigherOrderFunction;
use datafusion::logical_expr::{Expr, HigherOrderUDF, ValueOrLambda};

use super::signature::type_name;

pub mod elements;
pub mod filter;
pub mod java_map_order;
pub mod reduce;
pub mod transform;

/// The lambda functions, for registration.
pub fn functions() -> Vec<Arc<HigherOrderUDF>> {
    vec![
        Arc::new(HigherOrderUDF::new_from_impl(transform::Transform::new())),
        Arc::new(HigherOrderUDF::new_from_impl(filter::Filter::new())),
        Arc::new(HigherOrderUDF::new_from_impl(reduce::Reduce::new())),
    ]
}

/// What a lambda function iterates over: the items of an ARRAY or the entries of a MAP.
pub enum Collection {
    Array { item: FieldRef },
    Map { key: FieldRef, value: FieldRef },
}

impl Collection {
    /// The collection a value of `data_type` is, if any.
    pub fn of(data_type: &DataType) -> Option<Collection> {
        match data_type {
            DataType::List(item) => Some(Collection::Array { item: item.clone() }),
            DataType::Map(entries, _) => match entries.data_type() {
                DataType::Struct(fields) if fields.len() == 2 => Some(Collection::Map {
                    key: fields[0].clone(),
                    value: fields[1].clone(),
                }),
                _ => None,
            },
            _ => None,
        }
    }

    /// The parameters a lambda over one element gets: the item, or the key and the value.
    pub fn element_params(&self) -> Vec<FieldRef> {
        match self {
            Collection::Array { item } => vec![item.clone()],
            Collection::Map { key, value } => vec![key.clone(), value.clone()],
        }
    }
}

/// ksqlDB's error for a call no overload takes; a lambda argument shows as `LAMBDA`.
pub fn not_accepted_error<T>(
    name: &str,
    fields: &[ValueOrLambda<FieldRef, Option<FieldRef>>],
) -> Result<T> {
    let types: Vec<String> = fields
        .iter()
        .map(|f| match f {
            ValueOrLambda::Value(field) => type_name(field.data_type()),
            ValueOrLambda::Lambda(_) => "LAMBDA".to_string(),
        })
        .collect();
    plan_err!(
        "Function '{name}' does not accept parameters ({}).",
        types.join(", ")
    )
}

/// Types the parameters of every lambda in `expr` from the arguments its function gets
/// now: rewrites after DataFusion planned the expression (ksqlDB's INT literals) can
/// change them, REDUCE's state above all.
///
/// DataFusion's own `Expr::resolve_lambda_variables` leaves a lambda function alone when
/// it is a value argument of another one outside any lambda (`TRANSFORM(FILTER(m, …), …)`),
/// so the value arguments of each function are resolved first, innermost first.
pub fn resolve_lambda_variables(expr: Expr, schema: &DFSchema) -> Result<Expr> {
    expr.transform_down(|expr| match expr {
        Expr::HigherOrderFunction(HigherOrderFunction { func, args }) => {
            let args = args
                .into_iter()
                .map(|arg| match arg {
                    Expr::Lambda(_) => Ok(arg),
                    value => resolve_lambda_variables(value, schema),
                })
                .collect::<Result<Vec<_>>>()?;
            let resolved = Expr::HigherOrderFunction(HigherOrderFunction::new(func, args))
                .resolve_lambda_variables(schema)?
                .data;
            Ok(Transformed::new(resolved, true, TreeNodeRecursion::Jump))
        }
        other => Ok(Transformed::no(other)),
    })
    .map(|t| t.data)
}
