//! Table functions in SELECT (EXPLODE, CUBE_EXPLODE): ksqlDB's user-facing rules and the
//! step that turns each input row into one row per element before the projection.
//!
//! Every table function call of the projection is planned over the input row and replaced
//! by a reference to a generated column (`$TF_n`) of the row the step produces; the
//! projection is then planned over those rows, so `EXPLODE(arr)->F1` or `ABS(EXPLODE(a))`
//! work like any expression. Running the step is `exec::table_function`'s job.

use std::ops::ControlFlow;
use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::sql::sqlparser::ast::{self as sql, Visit, VisitMut, Visitor, VisitorMut};

use super::error::{PlanError, PlanResult};
use super::expr::{ExprPlanner, RowScope};
use crate::catalog::types::SqlType;
use crate::exec::table_function::{TableFunctionCall, TableFunctionKind};
use crate::sql::ast::{Query, SelectItem};

/// The table function a call names, if it names one.
fn kind_of(function: &sql::Function) -> Option<TableFunctionKind> {
    TableFunctionKind::named(&function.name.to_string())
}

/// The name of the first table function `expr` calls, as written, if any.
fn first_table_function(expr: &sql::Expr) -> Option<String> {
    struct Finder;
    impl Visitor for Finder {
        type Break = String;
        fn pre_visit_expr(&mut self, expr: &sql::Expr) -> ControlFlow<String> {
            match expr {
                sql::Expr::Function(f) if kind_of(f).is_some() => {
                    ControlFlow::Break(f.name.to_string())
                }
                _ => ControlFlow::Continue(()),
            }
        }
    }
    match expr.visit(&mut Finder) {
        ControlFlow::Break(name) => Some(name),
        ControlFlow::Continue(()) => None,
    }
}

/// True when `expr` calls a table function anywhere.
pub fn contains_table_function(expr: &sql::Expr) -> bool {
    first_table_function(expr).is_some()
}

/// ksqlDB: table functions and aggregations do not mix.
pub fn check_not_aggregated(query: &Query) -> PlanResult<()> {
    let calls_one = query.select.iter().any(|item| match item {
        SelectItem::Expr { expr, .. } => contains_table_function(expr),
        _ => false,
    });
    if calls_one {
        return Err(PlanError::invalid(
            "Table functions cannot be used with aggregations.",
        ));
    }
    Ok(())
}

/// The table function step of a SELECT.
pub struct TableFunctionPlan {
    /// The calls, in SELECT order; call `n` fills the column `$TF_n`.
    pub calls: Vec<TableFunctionCall>,
    /// The rows the step produces: the input row's columns, then one per call.
    pub schema: SchemaRef,
}

/// The name of the column that holds the value of table function call `n`.
fn column_name(n: usize) -> String {
    format!("$TF_{n}")
}

/// Plans the table function calls of `exprs` (the SELECT expressions, over `scope`) and
/// rewrites each call into a reference to its column; `None` when there is none.
/// `is_table` says the query reads a table, which ksqlDB refuses.
pub fn plan_table_functions(
    exprs: &mut [sql::Expr],
    scope: &RowScope<'_>,
    planner: &ExprPlanner,
    is_table: bool,
) -> PlanResult<Option<TableFunctionPlan>> {
    let mut rewriter = Rewriter {
        scope,
        planner,
        calls: Vec::new(),
        fields: Vec::new(),
        cases: Vec::new(),
        error: None,
    };
    for expr in exprs.iter_mut() {
        let _ = expr.visit(&mut rewriter);
        if let Some(error) = rewriter.error.take() {
            return Err(error);
        }
    }
    if rewriter.calls.is_empty() {
        return Ok(None);
    }
    if is_table {
        return Err(PlanError::invalid(
            "Table source is not supported with table functions",
        ));
    }
    let fields = scope
        .schema
        .fields()
        .iter()
        .map(|f| f.as_ref().clone())
        .chain(rewriter.fields)
        .collect::<Vec<Field>>();
    Ok(Some(TableFunctionPlan {
        calls: rewriter.calls,
        schema: Arc::new(Schema::new(fields)),
    }))
}

/// Replaces table function calls by their column, planning each call's argument.
struct Rewriter<'a, 'b> {
    scope: &'a RowScope<'b>,
    planner: &'a ExprPlanner,
    calls: Vec<TableFunctionCall>,
    /// The generated column of each call.
    fields: Vec<Field>,
    /// The CASE expressions around the node being visited, as written.
    cases: Vec<String>,
    error: Option<PlanError>,
}

impl Rewriter<'_, '_> {
    fn plan_call(
        &mut self,
        kind: TableFunctionKind,
        function: &sql::Function,
    ) -> PlanResult<sql::Expr> {
        let name = kind.name();
        let args: Vec<&sql::Expr> = match &function.args {
            sql::FunctionArguments::List(list) => list
                .args
                .iter()
                .filter_map(|a| match a {
                    sql::FunctionArg::Unnamed(sql::FunctionArgExpr::Expr(e)) => Some(e),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        if let Some(inner) = args.iter().find_map(|a| first_table_function(a)) {
            return Err(PlanError::invalid(format!(
                "Table functions cannot be nested: {}({}())",
                function.name.to_string().to_uppercase(),
                inner.to_uppercase()
            )));
        }
        let planned = args
            .iter()
            .map(|a| self.planner.plan(a, self.scope, "SELECT"))
            .collect::<PlanResult<Vec<_>>>()?;
        let item = match planned.as_slice() {
            [arg] => match &arg.data_type {
                DataType::List(item) => Some(item.data_type().clone()),
                _ => None,
            },
            _ => None,
        };
        let Some(item) = item else {
            let types: Vec<String> = planned.iter().map(|p| p.sql_type.to_string()).collect();
            return Err(PlanError::invalid(format!(
                "Function '{name}' does not accept parameters ({}).\nValid alternatives are:\n{}",
                types.join(", "),
                kind.signatures()
            )));
        };
        let arg = planned.into_iter().next().expect("one argument");
        let data_type = match kind {
            TableFunctionKind::Explode => item,
            TableFunctionKind::CubeExplode => arg.data_type.clone(),
        };
        if SqlType::from_arrow(&data_type).is_none() {
            return Err(PlanError::Internal(format!(
                "{name} of {} has no SQL type",
                arg.sql_type
            )));
        }
        let column = column_name(self.calls.len());
        self.fields.push(Field::new(&column, data_type, true));
        self.calls.push(TableFunctionCall {
            kind,
            arg: arg.physical,
        });
        Ok(sql::Expr::Identifier(sql::Ident::with_quote('`', column)))
    }
}

impl VisitorMut for Rewriter<'_, '_> {
    type Break = ();

    fn pre_visit_expr(&mut self, expr: &mut sql::Expr) -> ControlFlow<()> {
        if let sql::Expr::Case { .. } = expr {
            self.cases.push(expr.to_string());
        }
        let sql::Expr::Function(function) = expr else {
            return ControlFlow::Continue(());
        };
        let Some(kind) = kind_of(function) else {
            return ControlFlow::Continue(());
        };
        if let Some(case) = self.cases.first() {
            self.error = Some(PlanError::invalid(format!(
                "Table functions cannot be used in CASE: {case}"
            )));
            return ControlFlow::Break(());
        }
        match self.plan_call(kind, function) {
            Ok(column) => {
                *expr = column;
                ControlFlow::Continue(())
            }
            Err(error) => {
                self.error = Some(error);
                ControlFlow::Break(())
            }
        }
    }

    fn post_visit_expr(&mut self, expr: &mut sql::Expr) -> ControlFlow<()> {
        if let sql::Expr::Case { .. } = expr {
            self.cases.pop();
        }
        ControlFlow::Continue(())
    }
}
