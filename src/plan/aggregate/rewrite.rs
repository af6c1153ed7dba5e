//! Rewriting a GROUP BY query's SELECT and HAVING expressions over aggregated rows.
//!
//! A sub-expression equal to a GROUP BY expression (up to `source.` qualifiers, parentheses
//! and the case of function names) becomes a reference to that key column; an aggregate call
//! becomes a reference to its aggregate column; WINDOWSTART and WINDOWEND stay window bound
//! references. A column reference left over is not part of the GROUP BY: ksqlDB's error.

use std::collections::HashSet;
use std::ops::ControlFlow;

use datafusion::sql::sqlparser::ast::{
    self as sql, AccessExpr, FunctionArg, FunctionArgExpr, FunctionArguments, Ident, VisitMut,
    VisitorMut,
};

use crate::exec::aggregate::function::is_aggregate;
pub(super) use crate::plan::expr_text::{canonical, ksql_text};
use crate::plan::{PlanError, PlanResult};

/// The window bound pseudo columns of windowed aggregations.
pub(super) const WINDOW_BOUNDS: [&str; 2] = ["WINDOWSTART", "WINDOWEND"];

/// The aggregated row's column for GROUP BY expression `i`.
pub(super) fn key_column(i: usize) -> String {
    format!("$KEY_{i}")
}

/// The aggregated row's column for aggregate call `i`.
pub(super) fn aggregate_column(i: usize) -> String {
    format!("$AGG_{i}")
}

/// ksqlDB's message for window bounds outside a windowed aggregation's SELECT.
pub(super) fn window_bounds_error(bound: &str) -> PlanError {
    PlanError::invalid(format!(
        "Window bounds column {bound} can only be used in the SELECT clause of windowed aggregations"
    ))
}

/// An aggregate call found in SELECT or HAVING.
#[derive(Debug, Clone)]
pub(super) struct AggregateCall {
    /// The function name, upper case.
    pub name: String,
    /// The arguments, without a `*`.
    pub args: Vec<sql::Expr>,
    /// The call as ksqlDB prints it.
    pub text: String,
}

/// Where an expression stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Clause {
    Select,
    Having,
}

/// Rewrites expressions of one query, collecting its aggregate calls.
pub(super) struct Rewriter<'a> {
    /// The name (or alias) the source is known by.
    pub qualifier: &'a str,
    /// The GROUP BY expressions' canonical texts.
    pub group_by: &'a [String],
    pub windowed: bool,
    /// Every distinct aggregate call, in order of appearance.
    pub calls: Vec<AggregateCall>,
    /// Each call's canonical text, for spotting repeats.
    call_texts: Vec<String>,
}

/// An expression over aggregated rows, and the columns in it that are neither aggregated
/// nor grouped by (each as written).
pub(super) struct Rewritten {
    pub expr: sql::Expr,
    pub loose_columns: Vec<String>,
}

impl<'a> Rewriter<'a> {
    pub fn new(qualifier: &'a str, group_by: &'a [String], windowed: bool) -> Self {
        Rewriter {
            qualifier,
            group_by,
            windowed,
            calls: Vec::new(),
            call_texts: Vec::new(),
        }
    }

    pub fn rewrite(&mut self, expr: &sql::Expr, clause: Clause) -> PlanResult<Rewritten> {
        let mut expr = expr.clone();
        let mut visitor = RewriteVisitor {
            rewriter: self,
            clause,
            loose: Vec::new(),
            field_names: HashSet::new(),
            bound_names: HashSet::new(),
            error: None,
        };
        let _ = expr.visit(&mut visitor);
        if let Some(error) = visitor.error {
            return Err(error);
        }
        let loose_columns = visitor.loose;
        Ok(Rewritten {
            expr,
            loose_columns,
        })
    }

    /// The index of a call among the aggregated columns, adding it if it is new.
    fn add_call(&mut self, function: &sql::Function) -> PlanResult<usize> {
        let text = canonical(&sql::Expr::Function(function.clone()), self.qualifier);
        if let Some(i) = self.call_texts.iter().position(|t| *t == text) {
            return Ok(i);
        }
        let name = function_name(function);
        let list = match &function.args {
            FunctionArguments::List(list) => list,
            FunctionArguments::None => {
                return Err(PlanError::invalid(format!("{name} needs parentheses")));
            }
            FunctionArguments::Subquery(_) => {
                return Err(PlanError::Unsupported(
                    "Subqueries are not supported".into(),
                ));
            }
        };
        if list.duplicate_treatment.is_some() || !list.clauses.is_empty() {
            return Err(PlanError::Unsupported(format!(
                "{name}(DISTINCT …) and clauses in aggregate calls are not supported"
            )));
        }
        let mut args = Vec::new();
        for arg in &list.args {
            match arg {
                FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => args.push(e.clone()),
                FunctionArg::Unnamed(_) => {}
                _ => {
                    return Err(PlanError::invalid(format!(
                        "Function '{name}' does not support named arguments"
                    )));
                }
            }
        }
        self.calls.push(AggregateCall {
            name,
            args,
            text: ksql_text(&sql::Expr::Function(function.clone())),
        });
        self.call_texts.push(text);
        Ok(self.calls.len() - 1)
    }
}

struct RewriteVisitor<'r, 'a> {
    rewriter: &'r mut Rewriter<'a>,
    clause: Clause,
    loose: Vec<String>,
    /// Struct field names (`s->f`) are not column references; their nodes, by address.
    field_names: HashSet<*const sql::Expr>,
    /// Lambda parameters are not column references either.
    bound_names: HashSet<String>,
    error: Option<PlanError>,
}

impl RewriteVisitor<'_, '_> {
    fn fail(&mut self, error: PlanError) -> ControlFlow<()> {
        self.error = Some(error);
        ControlFlow::Break(())
    }
}

impl VisitorMut for RewriteVisitor<'_, '_> {
    type Break = ();

    fn pre_visit_expr(&mut self, expr: &mut sql::Expr) -> ControlFlow<()> {
        let text = canonical(expr, self.rewriter.qualifier);
        if let Some(i) = self.rewriter.group_by.iter().position(|g| *g == text) {
            *expr = quoted(&key_column(i));
            return ControlFlow::Continue(());
        }
        match expr {
            sql::Expr::Function(function) if is_aggregate(&function_name(function)) => {
                let call = sql::Expr::Function(function.clone());
                for arg in function_args(function) {
                    if contains_aggregate(arg) {
                        return self.fail(PlanError::invalid(format!(
                            "Aggregate functions can not be nested: {}",
                            ksql_text(&call)
                        )));
                    }
                    if let Some(bound) = window_bound(arg, self.rewriter.qualifier) {
                        return self.fail(window_bounds_error(bound));
                    }
                }
                match self.rewriter.add_call(function) {
                    Ok(i) => *expr = quoted(&aggregate_column(i)),
                    Err(e) => return self.fail(e),
                }
            }
            sql::Expr::CompoundFieldAccess { access_chain, .. } => {
                for access in access_chain.iter() {
                    if let AccessExpr::Dot(field) = access {
                        self.field_names.insert(field as *const sql::Expr);
                    }
                }
            }
            sql::Expr::Lambda(lambda) => {
                self.bound_names
                    .extend(lambda.params.iter().map(|p| p.name.value.clone()));
            }
            sql::Expr::Identifier(_) | sql::Expr::CompoundIdentifier(_) => {
                if self.field_names.contains(&(expr as *const sql::Expr)) {
                    return ControlFlow::Continue(());
                }
                if let Some(bound) = window_bound(expr, self.rewriter.qualifier) {
                    if !self.rewriter.windowed {
                        // Left as written: resolving it fails with "cannot be resolved".
                        return ControlFlow::Continue(());
                    }
                    if self.clause != Clause::Select {
                        return self.fail(window_bounds_error(bound));
                    }
                    *expr = sql::Expr::Identifier(Ident::new(bound));
                    return ControlFlow::Continue(());
                }
                let name = ksql_text(expr);
                if !self.bound_names.contains(&name) {
                    self.loose.push(name);
                }
            }
            _ => {}
        }
        ControlFlow::Continue(())
    }
}

/// A quoted identifier: it keeps its exact name through parsing rules.
fn quoted(name: &str) -> sql::Expr {
    sql::Expr::Identifier(Ident::with_quote('`', name))
}

/// A function's name, upper case.
pub(super) fn function_name(function: &sql::Function) -> String {
    function.name.to_string().to_uppercase()
}

/// The expressions among a call's arguments.
fn function_args(function: &sql::Function) -> Vec<&sql::Expr> {
    match &function.args {
        FunctionArguments::List(list) => list
            .args
            .iter()
            .filter_map(|arg| match arg {
                FunctionArg::Unnamed(FunctionArgExpr::Expr(e))
                | FunctionArg::Named {
                    arg: FunctionArgExpr::Expr(e),
                    ..
                } => Some(e),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// True when an aggregate call appears anywhere in `expr`.
pub(super) fn contains_aggregate(expr: &sql::Expr) -> bool {
    first_aggregate(expr).is_some()
}

/// The name of the first aggregate function called in `expr`.
pub(super) fn first_aggregate(expr: &sql::Expr) -> Option<String> {
    let mut found = None;
    let _ = sql::visit_expressions(expr, |e| {
        if let sql::Expr::Function(function) = e {
            let name = function_name(function);
            if is_aggregate(&name) {
                found = Some(name);
                return ControlFlow::Break(());
            }
        }
        ControlFlow::Continue(())
    });
    found
}

/// The first window bound (WINDOWSTART, WINDOWEND) `expr` refers to.
pub(super) fn window_bound(expr: &sql::Expr, qualifier: &str) -> Option<&'static str> {
    let mut found = None;
    let _ = sql::visit_expressions(expr, |e| {
        let name = match e {
            sql::Expr::Identifier(ident) => Some(&ident.value),
            sql::Expr::CompoundIdentifier(parts)
                if parts.len() == 2 && parts[0].value == qualifier =>
            {
                Some(&parts[1].value)
            }
            _ => None,
        };
        if let Some(bound) = name.and_then(|n| WINDOW_BOUNDS.iter().find(|b| **b == n.as_str())) {
            found = Some(*bound);
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    });
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::sql::sqlparser::dialect::GenericDialect;
    use datafusion::sql::sqlparser::parser::Parser;

    fn parse(text: &str) -> sql::Expr {
        Parser::new(&GenericDialect {})
            .try_with_sql(text)
            .and_then(|mut p| p.parse_expr())
            .unwrap()
    }

    #[test]
    fn rewrites_keys_and_aggregates_and_reports_loose_columns() {
        let group_by = vec![canonical(&parse("F0"), "T")];
        let mut rewriter = Rewriter::new("T", &group_by, false);
        let out = rewriter
            .rewrite(&parse("F0 * SUM(F1) + F2"), Clause::Select)
            .unwrap();
        assert_eq!(out.expr.to_string(), "`$KEY_0` * `$AGG_0` + F2");
        assert_eq!(out.loose_columns, vec!["F2"]);
        let again = rewriter
            .rewrite(&parse("sum(T.F1)"), Clause::Having)
            .unwrap();
        assert_eq!(
            again.expr.to_string(),
            "`$AGG_0`",
            "a repeated call is computed once"
        );
        assert_eq!(rewriter.calls.len(), 1);
        assert_eq!(rewriter.calls[0].text, "SUM(F1)");
    }

    #[test]
    fn refuses_nested_aggregates_and_misplaced_window_bounds() {
        let mut rewriter = Rewriter::new("T", &[], true);
        let nested = rewriter.rewrite(&parse("SUM(COUNT())"), Clause::Select);
        assert_eq!(
            nested.err().map(|e| e.to_string()),
            Some("Aggregate functions can not be nested: SUM(COUNT())".into())
        );
        let having = rewriter.rewrite(&parse("WINDOWSTART > 1"), Clause::Having);
        assert!(having.is_err());
        let select = rewriter
            .rewrite(&parse("T.WINDOWSTART / 2"), Clause::Select)
            .unwrap();
        assert_eq!(select.expr.to_string(), "WINDOWSTART / 2");
        assert!(select.loose_columns.is_empty());
    }
}
