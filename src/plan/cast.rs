//! CAST as ksqlDB types it: an ARRAY, MAP or STRUCT is cast only from its own kind
//! (`Cast of STRING to ARRAY<INTEGER> is not supported`), and to STRING it becomes
//! Java's text of the value (`func::compound_text`). The Resolver in `plan::expr` has
//! already turned `CAST(x AS T)` into DataFusion's `arrow_cast(x, 'T')`.

use std::str::FromStr;
use std::sync::Arc;

use datafusion::arrow::datatypes::DataType;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::{DFSchema, ScalarValue, plan_err};
use datafusion::logical_expr::expr::ScalarFunction;
use datafusion::logical_expr::{Expr, ExprSchemable, ScalarUDF};

use crate::catalog::types::SqlType;
use crate::func::compound_text::CompoundText;
use crate::func::narrowing_cast::NarrowingCast;

/// Checks and rewrites every cast in `expr`; `clause` names where it stands.
pub(super) fn ksql_casts(
    expr: Expr,
    schema: &DFSchema,
    clause: &str,
) -> datafusion::error::Result<Expr> {
    expr.transform_up(|e| match e {
        Expr::ScalarFunction(call) if call.func.name() == "arrow_cast" => {
            cast(call, schema, clause)
        }
        other => Ok(Transformed::no(other)),
    })
    .map(|t| t.data)
}

fn cast(
    call: ScalarFunction,
    schema: &DFSchema,
    clause: &str,
) -> datafusion::error::Result<Transformed<Expr>> {
    let (Some(value), Some(Expr::Literal(ScalarValue::Utf8(Some(target)), _))) =
        (call.args.first(), call.args.get(1))
    else {
        return Ok(Transformed::no(Expr::ScalarFunction(call)));
    };
    let Ok(target) = DataType::from_str(target) else {
        return Ok(Transformed::no(Expr::ScalarFunction(call)));
    };
    let source = value.get_type(schema)?;
    let kind = |t: &DataType| match t {
        DataType::List(_) | DataType::LargeList(_) => Some("ARRAY"),
        DataType::Map(_, _) => Some("MAP"),
        DataType::Struct(_) => Some("STRUCT"),
        _ => None,
    };
    if source == DataType::Null {
        return Ok(Transformed::no(Expr::ScalarFunction(call)));
    }
    if NarrowingCast::needed(&source, &target) {
        let narrowing = ScalarUDF::new_from_impl(NarrowingCast::new(target));
        return Ok(Transformed::yes(Expr::ScalarFunction(
            ScalarFunction::new_udf(Arc::new(narrowing), vec![value.clone()]),
        )));
    }
    if target == DataType::Utf8 && kind(&source).is_some() {
        let text = ScalarUDF::new_from_impl(CompoundText::new());
        return Ok(Transformed::yes(Expr::ScalarFunction(
            ScalarFunction::new_udf(Arc::new(text), vec![value.clone()]),
        )));
    }
    if kind(&target).is_some() && kind(&target) != kind(&source) {
        let name = |t: &DataType| {
            SqlType::from_arrow(t)
                .map(|s| s.to_string())
                .unwrap_or_else(|| t.to_string())
        };
        // ksqlDB: the projection's analyser raises it, naming the clause.
        let prefix = if clause == "SELECT" {
            "Invalid Select: "
        } else {
            ""
        };
        return plan_err!(
            "{prefix}Cast of {} to {} is not supported",
            name(&source),
            name(&target)
        );
    }
    Ok(Transformed::no(Expr::ScalarFunction(call)))
}
