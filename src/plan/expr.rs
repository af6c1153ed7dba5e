//! Expressions: ksqlDB expression syntax → DataFusion physical expressions.
//!
//! The parser hands over `sqlparser` expressions. Before DataFusion sees one we resolve its
//! column references against the row schema ourselves (so an unknown column gets ksqlDB's
//! error) and lower-case function names (ksqlDB's are case-insensitive; the function
//! library in `func/` registers them under lower-case names). DataFusion's SQL planner then
//! builds the logical expression, and its session applies type coercion and creates the
//! physical expression that `exec/` evaluates on Arrow batches.

use std::ops::ControlFlow;
use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Schema};
use datafusion::common::{DFSchema, TableReference};
use datafusion::execution::context::SessionState;
use datafusion::logical_expr::{Expr, ExprSchemable, ScalarUDF};
use datafusion::optimizer::simplify_expressions::{ExprSimplifier, SimplifyContext};
use datafusion::physical_expr::PhysicalExpr;
use datafusion::physical_expr::expressions::cast;
use datafusion::prelude::{SessionConfig, SessionContext};
use datafusion::sql::sqlparser::ast::{
    self as sql, ExprWithAlias, Ident, ObjectNamePart, VisitMut, VisitorMut,
};

use super::collection_literal;
use super::error::{PlanError, PlanResult};
use crate::catalog::types::SqlType;
use crate::func;
use crate::func::string::like_escape::LikeEscape;
use crate::func::structs::empty_struct::EMPTY_STRUCT;

/// Turns parsed expressions into physical expressions over one row schema.
pub struct ExprPlanner {
    state: SessionState,
}

/// An expression ready to evaluate, with its result type.
#[derive(Debug, Clone)]
pub struct PlannedExpr {
    pub physical: Arc<dyn PhysicalExpr>,
    pub data_type: DataType,
    pub sql_type: SqlType,
}

/// The columns an expression may reference: a row schema and the name (or alias) its
/// source is known by, for qualified references like `S.ID`.
pub struct RowScope<'a> {
    pub schema: &'a Schema,
    pub qualifier: &'a str,
}

impl Default for ExprPlanner {
    fn default() -> Self {
        Self::new()
    }
}

impl ExprPlanner {
    pub fn new() -> Self {
        let mut config = SessionConfig::new();
        let options = config.options_mut();
        options.sql_parser.enable_ident_normalization = false;
        options.sql_parser.map_string_types_to_utf8view = false;
        let ctx = SessionContext::new_with_config(config);
        func::register(&ctx);
        ExprPlanner { state: ctx.state() }
    }

    /// Plans `expr` over `scope`; `clause` names where it stands for error messages
    /// (`SELECT`, `WHERE`, `PARTITION BY`).
    pub fn plan(
        &self,
        expr: &sql::Expr,
        scope: &RowScope<'_>,
        clause: &'static str,
    ) -> PlanResult<PlannedExpr> {
        let logical = self.to_logical(expr, scope, clause)?;
        self.to_physical(logical, scope)
    }

    /// The DataFusion logical expression for `expr`, columns resolved.
    pub fn to_logical(
        &self,
        expr: &sql::Expr,
        scope: &RowScope<'_>,
        clause: &'static str,
    ) -> PlanResult<Expr> {
        self.to_logical_in(expr, scope, None, clause)
    }

    /// Plans `expr` over the rows of a join, where columns are named by the source they
    /// come from (see [`JoinedNames`]).
    pub fn plan_joined(
        &self,
        expr: &sql::Expr,
        scope: &RowScope<'_>,
        names: &JoinedNames,
        clause: &'static str,
    ) -> PlanResult<PlannedExpr> {
        let logical = self.to_logical_in(expr, scope, Some(names), clause)?;
        self.to_physical(logical, scope)
    }

    fn to_logical_in(
        &self,
        expr: &sql::Expr,
        scope: &RowScope<'_>,
        joined: Option<&JoinedNames>,
        clause: &'static str,
    ) -> PlanResult<Expr> {
        // ksqlDB: arithmetic with an untyped NULL is an error, not a null result.
        if let Some((operation, left, right)) = null_arithmetic(expr) {
            let type_of = |operand: &sql::Expr| -> PlanResult<String> {
                if is_null_literal(operand) {
                    return Ok("null".into());
                }
                let logical = self.to_logical_in(operand, scope, joined, clause)?;
                Ok(self.to_physical(logical, scope)?.sql_type.to_string())
            };
            return Err(PlanError::invalid(format!(
                "Error processing expression: {}. Arithmetic on types {} and {} are not supported.",
                super::expr_text::ksql_text(operation),
                type_of(left)?,
                type_of(right)?
            )));
        }
        let mut expr = expr.clone();
        let mut resolver = Resolver {
            scope,
            joined,
            clause,
            lambda_params: Vec::new(),
            error: None,
        };
        let _ = expr.visit(&mut resolver);
        if let Some(error) = resolver.error {
            return Err(error);
        }
        let df_schema = df_schema(scope)?;
        let logical = self
            .state
            .create_logical_expr_from_sql_expr(ExprWithAlias { expr, alias: None }, &df_schema)
            .map_err(|e| PlanError::Expression(clean_datafusion_message(&e.to_string())))?;
        let logical = super::timestamp_literal::rewrite(logical)
            .and_then(|e| super::cast::ksql_casts(e, &df_schema, clause))
            .map_err(|e| PlanError::Expression(clean_datafusion_message(&e.to_string())))?;
        // ksqlDB's INT literals can change the type of a lambda's parameters (REDUCE's state).
        func::lambda::resolve_lambda_variables(ksql_operators(logical, &df_schema)?, &df_schema)
            .map_err(|e| PlanError::Expression(clean_datafusion_message(&e.to_string())))
    }

    /// The physical expression for a logical one over `scope`, with coercions applied.
    pub fn to_physical(&self, logical: Expr, scope: &RowScope<'_>) -> PlanResult<PlannedExpr> {
        let df_schema = df_schema(scope)?;
        // Some DataFusion functions (COALESCE, arrow_cast, …) only run after its simplifier
        // rewrote them, so coerce and simplify before building the physical expression.
        let context = SimplifyContext::builder()
            .with_schema(Arc::new(df_schema.clone()))
            .with_config_options(Arc::new(self.state.config_options().as_ref().clone()))
            .build();
        let simplifier = ExprSimplifier::new(context);
        let plan_error = |e: datafusion::error::DataFusionError| {
            PlanError::Expression(clean_datafusion_message(&e.to_string()))
        };
        let simplified = simplifier
            .coerce(logical, &df_schema)
            .and_then(|e| simplifier.simplify(e))
            .map_err(plan_error)?;
        let physical = self
            .state
            .create_physical_expr(simplified, &df_schema)
            .map_err(plan_error)?;
        let data_type = physical
            .data_type(scope.schema)
            .map_err(|e| PlanError::Expression(clean_datafusion_message(&e.to_string())))?;
        if data_type == DataType::Null {
            return Err(PlanError::invalid(
                "Can't infer a type of null. Please explicitly cast it to a required type, e.g. CAST(null AS VARCHAR).",
            ));
        }
        let sql_type = SqlType::from_arrow(&data_type).ok_or_else(|| {
            PlanError::Unsupported(format!("Expression type {data_type} has no SQL type"))
        })?;
        // DataFusion may pick another physical encoding of the same SQL type (Utf8View for
        // STRING, Int64 for ROWPARTITION + 1 …); batches always carry the canonical one.
        let canonical = sql_type.to_arrow();
        let physical = if canonical == data_type {
            physical
        } else {
            cast(physical, scope.schema, canonical.clone())
                .map_err(|e| PlanError::Expression(clean_datafusion_message(&e.to_string())))?
        };
        Ok(PlannedExpr {
            physical,
            data_type: canonical,
            sql_type,
        })
    }

    /// The type a logical expression has over `scope`.
    pub fn type_of(&self, logical: &Expr, scope: &RowScope<'_>) -> PlanResult<DataType> {
        let df_schema = df_schema(scope)?;
        logical
            .get_type(&df_schema)
            .map_err(|e| PlanError::Expression(clean_datafusion_message(&e.to_string())))
    }
}

fn df_schema(scope: &RowScope<'_>) -> PlanResult<DFSchema> {
    // `bare`: the qualifier is already a resolved name; parsing it would lower-case it.
    DFSchema::try_from_qualified_schema(TableReference::bare(scope.qualifier), scope.schema)
        .map_err(|e| PlanError::Internal(e.to_string()))
}

/// DataFusion prefixes messages with its error kind; users of a ksqlDB dialect need only
/// the reason.
fn clean_datafusion_message(message: &str) -> String {
    let mut text = message;
    for prefix in [
        "Error during planning: ",
        "Schema error: ",
        "Execution error: ",
        "This feature is not implemented: ",
    ] {
        if let Some(rest) = text.strip_prefix(prefix) {
            text = rest;
        }
    }
    // DataFusion: "Invalid function 'name'.\nDid you mean 'other'?"; ksqlDB names it in
    // upper case and suggests nothing.
    if let Some(name) = text
        .strip_prefix("Invalid function '")
        .and_then(|rest| rest.split_once('\'').map(|(name, _)| name))
    {
        return format!(
            "Can't find any functions with the name '{}'",
            name.to_uppercase()
        );
    }
    text.to_string()
}

/// The columns of a joined row, by the source (alias) they come from. In the row each
/// source column `C` of source `A` is the field `A_C`, as ksqlDB names them; a reference
/// `A.C`, or a bare `C` that only one source has, resolves to that field.
#[derive(Debug, Clone, Default)]
pub struct JoinedNames {
    /// Each source's alias and column names, in FROM order.
    pub sources: Vec<(String, Vec<String>)>,
    /// Names that stand for a field of the row as they are (the synthetic key `ROWKEY`,
    /// pseudo columns), with the field they stand for.
    pub fields: Vec<(String, String)>,
    /// The row names its fields `ALIAS_COLUMN`; false for one source's own decoded row,
    /// whose fields are its column names.
    pub prefixed: bool,
}

impl JoinedNames {
    /// The field of a joined row holding `alias.column`.
    pub fn field(alias: &str, column: &str) -> String {
        format!("{alias}_{column}")
    }

    fn field_of(&self, alias: &str, column: &str) -> String {
        if self.prefixed {
            Self::field(alias, column)
        } else {
            column.to_string()
        }
    }

    fn resolve(&self, qualifier: Option<&str>, column: &str) -> Result<String, JoinNameError> {
        match qualifier {
            Some(qualifier) => {
                let (alias, columns) = self
                    .sources
                    .iter()
                    .find(|(alias, _)| alias == qualifier)
                    .ok_or(JoinNameError::UnknownQualifier)?;
                if columns.iter().any(|c| c == column) {
                    Ok(self.field_of(alias, column))
                } else {
                    Err(JoinNameError::UnknownColumn)
                }
            }
            None => {
                if let Some((_, field)) = self.fields.iter().find(|(name, _)| name == column) {
                    return Ok(field.clone());
                }
                let holders: Vec<&str> = self
                    .sources
                    .iter()
                    .filter(|(_, columns)| columns.iter().any(|c| c == column))
                    .map(|(alias, _)| alias.as_str())
                    .collect();
                match holders.as_slice() {
                    [] => Err(JoinNameError::UnknownColumn),
                    [alias] => Ok(self.field_of(alias, column)),
                    many => Err(JoinNameError::Ambiguous(
                        many.iter().map(|a| format!("{a}.{column}")).collect(),
                    )),
                }
            }
        }
    }
}

enum JoinNameError {
    UnknownQualifier,
    UnknownColumn,
    Ambiguous(Vec<String>),
}

/// Checks every column reference against the scope and normalizes function names.
struct Resolver<'a, 'b> {
    scope: &'a RowScope<'b>,
    joined: Option<&'a JoinedNames>,
    clause: &'static str,
    /// The parameters of the lambdas around the node being visited: they are not columns.
    lambda_params: Vec<String>,
    error: Option<PlanError>,
}

impl Resolver<'_, '_> {
    fn has_column(&self, name: &str) -> bool {
        self.scope.schema.fields().iter().any(|f| f.name() == name)
    }

    fn unknown(&mut self, name: String, ident: &Ident) {
        self.error = Some(PlanError::UnknownColumn {
            clause: self.clause,
            name,
            pos: position(ident),
        });
    }

    /// Rewrites a column reference of a joined row to its field; false on an error.
    fn resolve_joined(&mut self, names: &JoinedNames, expr: &mut sql::Expr) -> bool {
        let (qualifier, column) = match expr {
            sql::Expr::Identifier(ident) => (None, ident.clone()),
            sql::Expr::CompoundIdentifier(parts) if parts.len() == 2 => {
                (Some(parts[0].clone()), parts[1].clone())
            }
            _ => return true,
        };
        let at = qualifier.as_ref().unwrap_or(&column).clone();
        match names.resolve(qualifier.as_ref().map(|q| q.value.as_str()), &column.value) {
            Ok(field) => {
                *expr = sql::Expr::Identifier(Ident::with_quote('`', field));
                true
            }
            Err(JoinNameError::UnknownQualifier) => {
                self.error = Some(PlanError::invalid(format!(
                    "'{}' is not a valid stream/table name or alias.",
                    at.value
                )));
                false
            }
            Err(JoinNameError::UnknownColumn) => {
                let name = match &qualifier {
                    Some(q) => format!("{}.{}", q.value, column.value),
                    None => column.value.clone(),
                };
                self.unknown(name, &at);
                false
            }
            Err(JoinNameError::Ambiguous(candidates)) => {
                let (last, rest) = candidates.split_last().expect("two or more candidates");
                let prefix = position(&at)
                    .map(|p| format!("Line: {}, Col: {}: ", p.line, p.col))
                    .unwrap_or_default();
                self.error = Some(PlanError::invalid(format!(
                    "{prefix}Column '{}' is ambiguous. Could be {} or {last}.",
                    column.value,
                    rest.join(", ")
                )));
                false
            }
        }
    }
}

/// Where an identifier stands in the statement text, when the parser recorded it.
fn position(ident: &Ident) -> Option<crate::sql::ast::Pos> {
    let start = ident.span.start;
    (start.line > 0).then_some(crate::sql::ast::Pos {
        line: start.line,
        col: start.column,
    })
}

impl VisitorMut for Resolver<'_, '_> {
    type Break = ();

    fn pre_visit_expr(&mut self, expr: &mut sql::Expr) -> ControlFlow<()> {
        if self.error.is_some() {
            return ControlFlow::Break(());
        }
        match expr {
            sql::Expr::Lambda(lambda) => {
                // DataFusion lower-cases unquoted lambda parameters whatever its identifier
                // normalization says; quoted, they keep the case their references have.
                for param in lambda_params_mut(lambda) {
                    param.quote_style.get_or_insert('"');
                    self.lambda_params.push(param.value.clone());
                }
            }
            sql::Expr::Identifier(ident) if self.lambda_params.contains(&ident.value) => {
                return ControlFlow::Continue(());
            }
            _ => {}
        }
        if let Some(names) = self.joined {
            if !self.resolve_joined(names, expr) {
                return ControlFlow::Break(());
            }
            if matches!(expr, sql::Expr::Identifier(_)) {
                return ControlFlow::Continue(());
            }
        }
        match expr {
            sql::Expr::Identifier(ident) if !self.has_column(&ident.value) => {
                let ident = ident.clone();
                self.unknown(ident.value.clone(), &ident);
                return ControlFlow::Break(());
            }
            sql::Expr::CompoundIdentifier(parts) if parts.len() == 2 => {
                let (qualifier, column) = (&parts[0], &parts[1]);
                if qualifier.value != self.scope.qualifier {
                    self.error = Some(PlanError::invalid(format!(
                        "'{}' is not a valid stream/table name or alias.",
                        qualifier.value
                    )));
                    return ControlFlow::Break(());
                }
                if !self.has_column(&column.value) {
                    let ident = qualifier.clone();
                    self.unknown(format!("{}.{}", qualifier.value, column.value), &ident);
                    return ControlFlow::Break(());
                }
            }
            sql::Expr::Cast {
                expr: inner,
                data_type,
                ..
            } => {
                let target = match crate::sql::cast_target_type(data_type) {
                    Ok(ty) => ty,
                    Err(e) => {
                        self.error = Some(PlanError::invalid(e.to_string()));
                        return ControlFlow::Break(());
                    }
                };
                *expr = function_call(
                    "arrow_cast",
                    vec![
                        (**inner).clone(),
                        string_literal(&target.to_arrow().to_string()),
                    ],
                );
            }
            sql::Expr::Value(value) => {
                if let Some(decimal) = decimal_literal(&value.value) {
                    *expr = decimal;
                }
            }
            sql::Expr::CompoundFieldAccess { root, access_chain } => {
                *expr = struct_access((**root).clone(), std::mem::take(access_chain));
            }
            // DataFusion plans the items of an `ARRAY[…]` literal without the lambda's
            // parameters in scope; as a `make_array` call they are.
            sql::Expr::Case {
                conditions,
                else_result,
                ..
            } if conditions
                .iter()
                .all(|when| collection_literal::is_null(&when.result))
                && else_result
                    .as_deref()
                    .is_none_or(collection_literal::is_null) =>
            {
                self.error = Some(PlanError::invalid(
                    "Invalid Case expression. All case branches have NULL type",
                ));
                return ControlFlow::Break(());
            }
            sql::Expr::Array(array) => {
                if let Err(e) = collection_literal::check_array(&array.elem) {
                    self.error = Some(e);
                    return ControlFlow::Break(());
                }
                if !self.lambda_params.is_empty() {
                    *expr = function_call("make_array", std::mem::take(&mut array.elem));
                }
            }
            sql::Expr::Function(function) => {
                for part in function.name.0.iter_mut() {
                    if let ObjectNamePart::Identifier(ident) = part {
                        ident.value = ident.value.to_lowercase();
                    }
                }
                time_unit_argument(function);
                star_argument(function);
                if let Err(e) = collection_literal::check_constructor(function) {
                    self.error = Some(e);
                    return ControlFlow::Break(());
                }
                if let Some(constructor) = constructor_call(function) {
                    *expr = constructor;
                }
            }
            _ => {}
        }
        ControlFlow::Continue(())
    }

    fn post_visit_expr(&mut self, expr: &mut sql::Expr) -> ControlFlow<()> {
        if let sql::Expr::Lambda(lambda) = expr {
            let inner = self.lambda_params.len() - lambda_params(lambda).count();
            self.lambda_params.truncate(inner);
        }
        ControlFlow::Continue(())
    }
}

/// The parameters a lambda declares.
fn lambda_params(lambda: &sql::LambdaFunction) -> impl Iterator<Item = &Ident> {
    let params: &[sql::LambdaFunctionParameter] = match &lambda.params {
        sql::OneOrManyWithParens::One(param) => std::slice::from_ref(param),
        sql::OneOrManyWithParens::Many(params) => params,
    };
    params.iter().map(|p| &p.name)
}

fn lambda_params_mut(lambda: &mut sql::LambdaFunction) -> impl Iterator<Item = &mut Ident> {
    let params: &mut [sql::LambdaFunctionParameter] = match &mut lambda.params {
        sql::OneOrManyWithParens::One(param) => std::slice::from_mut(param),
        sql::OneOrManyWithParens::Many(params) => params,
    };
    params.iter_mut().map(|p| &mut p.name)
}

/// `a->b->c[1]` as DataFusion plans it: struct fields through `get_field`, subscripts left
/// to its field-access planner.
fn struct_access(root: sql::Expr, chain: Vec<sql::AccessExpr>) -> sql::Expr {
    let mut expr = root;
    let mut subscripts = Vec::new();
    for access in chain {
        match access {
            sql::AccessExpr::Dot(sql::Expr::Identifier(field)) => {
                if !subscripts.is_empty() {
                    expr = sql::Expr::CompoundFieldAccess {
                        root: Box::new(expr),
                        access_chain: std::mem::take(&mut subscripts),
                    };
                }
                expr = function_call("get_field", vec![expr, string_literal(&field.value)]);
            }
            other => subscripts.push(other),
        }
    }
    if subscripts.is_empty() {
        expr
    } else {
        sql::Expr::CompoundFieldAccess {
            root: Box::new(expr),
            access_chain: subscripts,
        }
    }
}

/// Functions whose first argument is a time unit keyword (`DATEADD(DAYS, 1, d)`).
const TIME_UNIT_FUNCTIONS: [&str; 6] = [
    "dateadd",
    "datesub",
    "timeadd",
    "timesub",
    "timestampadd",
    "timestampsub",
];
const TIME_UNITS: [&str; 7] = [
    "NANOSECONDS",
    "MICROSECONDS",
    "MILLISECONDS",
    "SECONDS",
    "MINUTES",
    "HOURS",
    "DAYS",
];

/// ksqlDB: the unit of DATEADD and its siblings is a keyword, not a column; the functions
/// take it as a string.
fn time_unit_argument(function: &mut sql::Function) {
    if !TIME_UNIT_FUNCTIONS.contains(&function.name.to_string().as_str()) {
        return;
    }
    let sql::FunctionArguments::List(list) = &mut function.args else {
        return;
    };
    if let Some(sql::FunctionArg::Unnamed(sql::FunctionArgExpr::Expr(first))) =
        list.args.first_mut()
        && let sql::Expr::Identifier(unit) = first
        && TIME_UNITS.contains(&unit.value.to_uppercase().as_str())
    {
        *first = string_literal(&unit.value.to_uppercase());
    }
}

/// ksqlDB: a number with a point and no exponent is a DECIMAL of just its digits (`2.345`
/// is a `DECIMAL(4, 3)`, `0.05` a `DECIMAL(3, 2)`); one with an exponent is a DOUBLE. Beyond
/// 38 digits it stays a DOUBLE, as Arrow's decimals end there.
fn decimal_literal(value: &sql::Value) -> Option<sql::Expr> {
    let sql::Value::Number(text, _) = value else {
        return None;
    };
    if !text.contains('.') || text.contains(['e', 'E']) {
        return None;
    }
    let (whole, fraction) = text.split_once('.')?;
    let scale = fraction.len() as u64;
    let significant = format!("{whole}{fraction}").trim_start_matches('0').len() as u64;
    let precision = if significant <= scale {
        scale + 1
    } else {
        significant
    };
    (precision <= 38).then(|| {
        sql::Expr::TypedString(sql::TypedString {
            data_type: sql::DataType::Decimal(sql::ExactNumberInfo::PrecisionAndScale(
                precision,
                scale as i64,
            )),
            value: sql::Value::SingleQuotedString(text.clone()).into(),
            uses_odbc_syntax: false,
        })
    })
}

/// ksqlDB: `*` as the only argument of a scalar function stands for no arguments, so
/// `GREATEST(*)` is `GREATEST()`.
fn star_argument(function: &mut sql::Function) {
    if let sql::FunctionArguments::List(list) = &mut function.args
        && let [sql::FunctionArg::Unnamed(sql::FunctionArgExpr::Wildcard)] = list.args[..]
    {
        list.args.clear();
    }
}

/// ksqlDB's constructors as DataFusion functions: `STRUCT(A := 1)` is
/// `named_struct('A', 1)` (`STRUCT()` the empty struct's own function) and `MAP('k' := 1)`
/// is `make_map('k', 1)`.
fn constructor_call(function: &sql::Function) -> Option<sql::Expr> {
    let name = function.name.to_string();
    let sql::FunctionArguments::List(list) = &function.args else {
        return None;
    };
    let mut args = Vec::with_capacity(list.args.len() * 2);
    match name.as_str() {
        "struct" if list.args.is_empty() => Some(function_call(EMPTY_STRUCT, args)),
        "struct" => {
            for arg in &list.args {
                let sql::FunctionArg::Named {
                    name,
                    arg: sql::FunctionArgExpr::Expr(value),
                    ..
                } = arg
                else {
                    return None;
                };
                args.push(string_literal(&name.value));
                args.push(value.clone());
            }
            Some(function_call("named_struct", args))
        }
        "map" => {
            for arg in &list.args {
                let sql::FunctionArg::ExprNamed {
                    name,
                    arg: sql::FunctionArgExpr::Expr(value),
                    ..
                } = arg
                else {
                    return None;
                };
                args.push(name.clone());
                args.push(value.clone());
            }
            Some(function_call("make_map", args))
        }
        _ => None,
    }
}

fn string_literal(text: &str) -> sql::Expr {
    sql::Expr::Value(sql::Value::SingleQuotedString(text.to_string()).into())
}

fn function_call(name: &str, args: Vec<sql::Expr>) -> sql::Expr {
    sql::Expr::Function(sql::Function {
        name: sql::ObjectName::from(vec![Ident::new(name)]),
        uses_odbc_syntax: false,
        parameters: sql::FunctionArguments::None,
        args: sql::FunctionArguments::List(sql::FunctionArgumentList {
            duplicate_treatment: None,
            args: args
                .into_iter()
                .map(|a| sql::FunctionArg::Unnamed(sql::FunctionArgExpr::Expr(a)))
                .collect(),
            clauses: vec![],
        }),
        filter: None,
        null_treatment: None,
        over: None,
        within_group: vec![],
    })
}

/// What ksqlDB lets a value be compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Comparable {
    Numeric,
    String,
    Boolean,
    Temporal,
    Bytes,
    /// ARRAY, MAP, STRUCT: equality only.
    Compound,
    Null,
}

fn comparable(data_type: &DataType) -> Comparable {
    match data_type {
        DataType::Null => Comparable::Null,
        DataType::Boolean => Comparable::Boolean,
        DataType::Utf8 | DataType::Utf8View | DataType::LargeUtf8 => Comparable::String,
        DataType::Binary | DataType::BinaryView | DataType::LargeBinary => Comparable::Bytes,
        DataType::Timestamp(_, _)
        | DataType::Date32
        | DataType::Date64
        | DataType::Time32(_)
        | DataType::Time64(_) => Comparable::Temporal,
        t if t.is_numeric() => Comparable::Numeric,
        _ => Comparable::Compound,
    }
}

/// Rejects comparisons ksqlDB rejects, with its message: `Cannot compare QTY (INTEGER) to
/// 'many' (STRING) with GREATER_THAN`, and comparisons of two NULL literals.
fn check_comparison(
    left: &Expr,
    op: datafusion::logical_expr::Operator,
    right: &Expr,
    schema: &DFSchema,
) -> datafusion::error::Result<()> {
    use datafusion::logical_expr::Operator;
    let (left_type, right_type) = (left.get_type(schema)?, right.get_type(schema)?);
    let (l, r) = (comparable(&left_type), comparable(&right_type));
    if l == Comparable::Null && r == Comparable::Null {
        let symbol = match op {
            Operator::NotEq => "<>".to_string(),
            other => other.to_string(),
        };
        return datafusion::common::plan_err!(
            "Comparison with NULL not supported: NULL {symbol} NULL"
        );
    }
    let equality = matches!(op, Operator::Eq | Operator::NotEq);
    // ksqlDB reads a string compared with ROWTIME or a window bound as a timestamp.
    let is_time_column = |e: &Expr| matches!(e, Expr::Column(c) if ["ROWTIME", "WINDOWSTART", "WINDOWEND"].contains(&c.name.as_str()));
    let allowed = match (l, r) {
        (Comparable::Null, _) | (_, Comparable::Null) => true,
        (Comparable::Numeric, Comparable::String) if is_time_column(left) => true,
        (Comparable::String, Comparable::Numeric) if is_time_column(right) => true,
        (Comparable::Temporal, Comparable::String) | (Comparable::String, Comparable::Temporal) => {
            true
        }
        (Comparable::Compound | Comparable::Boolean, _) => l == r && equality,
        _ => l == r,
    };
    if allowed {
        return Ok(());
    }
    let name = match op {
        Operator::Eq => "EQUAL",
        Operator::NotEq => "NOT_EQUAL",
        Operator::Lt => "LESS_THAN",
        Operator::LtEq => "LESS_THAN_OR_EQUAL",
        Operator::Gt => "GREATER_THAN",
        _ => "GREATER_THAN_OR_EQUAL",
    };
    let type_name = |t: &DataType| {
        SqlType::from_arrow(t)
            .map(|s| s.to_string())
            .unwrap_or_else(|| t.to_string())
    };
    datafusion::common::plan_err!(
        "Cannot compare {} ({}) to {} ({}) with {name}.",
        ksql_text(left),
        type_name(&left_type),
        ksql_text(right),
        type_name(&right_type)
    )
}

/// The first arithmetic operation with a bare NULL operand, with its two operands.
fn null_arithmetic(expr: &sql::Expr) -> Option<(&sql::Expr, &sql::Expr, &sql::Expr)> {
    struct Finder<'a>(Option<(&'a sql::Expr, &'a sql::Expr, &'a sql::Expr)>);
    impl<'a> Finder<'a> {
        fn find(&mut self, expr: &'a sql::Expr) {
            if self.0.is_some() {
                return;
            }
            match expr {
                sql::Expr::BinaryOp { left, op, right } => {
                    let arithmetic = matches!(
                        op,
                        sql::BinaryOperator::Plus
                            | sql::BinaryOperator::Minus
                            | sql::BinaryOperator::Multiply
                            | sql::BinaryOperator::Divide
                            | sql::BinaryOperator::Modulo
                    );
                    if arithmetic && (is_null_literal(left) || is_null_literal(right)) {
                        self.0 = Some((expr, left, right));
                        return;
                    }
                    self.find(left);
                    self.find(right);
                }
                sql::Expr::Nested(inner) | sql::Expr::UnaryOp { expr: inner, .. } => {
                    self.find(inner)
                }
                _ => {}
            }
        }
    }
    let mut finder = Finder(None);
    finder.find(expr);
    finder.0
}

fn is_null_literal(expr: &sql::Expr) -> bool {
    match expr {
        sql::Expr::Nested(inner) => is_null_literal(inner),
        sql::Expr::Value(value) => matches!(value.value, sql::Value::Null),
        _ => false,
    }
}

/// An operand as ksqlDB prints it in messages: a column by name, a string quoted.
fn ksql_text(expr: &Expr) -> String {
    use datafusion::common::ScalarValue;
    match expr {
        Expr::Column(column) => column.name.clone(),
        Expr::Literal(ScalarValue::Utf8(Some(s)), _) => format!("'{s}'"),
        Expr::Literal(value, _) => value.to_string(),
        // A decimal literal (see `decimal_literal`).
        Expr::Cast(cast)
            if matches!(cast.field.data_type(), DataType::Decimal128(_, _))
                && let Expr::Literal(ScalarValue::Utf8(Some(digits)), _) = cast.expr.as_ref() =>
        {
            digits.clone()
        }
        Expr::Cast(cast) => ksql_text(&cast.expr),
        other => other.to_string(),
    }
}

/// `LIKE … ESCAPE 'c'` as DataFusion runs it: with the pattern's escapes made backslashes.
fn backslash_like(mut like: datafusion::logical_expr::Like) -> Expr {
    use datafusion::logical_expr::expr::ScalarFunction;
    if let Some(escape) = like.escape_char.take() {
        let rewrite = ScalarUDF::new_from_impl(LikeEscape::new(escape));
        like.pattern = Box::new(Expr::ScalarFunction(ScalarFunction::new_udf(
            Arc::new(rewrite),
            vec![*like.pattern],
        )));
    }
    Expr::Like(like)
}

/// ksqlDB's operators and literals on DataFusion: `+` between two strings concatenates
/// them; an integer literal that fits in 32 bits is an INT; a comparison with a NULL
/// operand is false, not NULL.
fn ksql_operators(expr: Expr, schema: &DFSchema) -> PlanResult<Expr> {
    use datafusion::common::ScalarValue;
    use datafusion::common::tree_node::{Transformed, TreeNode};
    use datafusion::logical_expr::{BinaryExpr, Operator};
    let is_string = |e: &Expr| {
        e.get_type(schema)
            .is_ok_and(|t| matches!(t, DataType::Utf8 | DataType::Utf8View | DataType::LargeUtf8))
    };
    let is_null = |e: &Expr| e.get_type(schema).is_ok_and(|t| t == DataType::Null);
    expr.transform_up(|e| match e {
        Expr::BinaryExpr(BinaryExpr {
            left,
            op: Operator::Plus,
            right,
        }) if is_string(&left) && is_string(&right) => Ok(Transformed::yes(
            datafusion::functions::string::expr_fn::concat(vec![*left, *right]),
        )),
        Expr::Literal(ScalarValue::Int64(Some(v)), metadata) if i32::try_from(v).is_ok() => Ok(
            Transformed::yes(Expr::Literal(ScalarValue::Int32(Some(v as i32)), metadata)),
        ),
        Expr::BinaryExpr(BinaryExpr { left, op, right })
            if matches!(
                op,
                Operator::Eq
                    | Operator::NotEq
                    | Operator::Lt
                    | Operator::LtEq
                    | Operator::Gt
                    | Operator::GtEq
            ) =>
        {
            check_comparison(&left, op, &right, schema)?;
            let comparison = Expr::BinaryExpr(BinaryExpr { left, op, right });
            Ok(Transformed::yes(
                datafusion::functions::core::expr_fn::coalesce(vec![
                    comparison,
                    Expr::Literal(ScalarValue::Boolean(Some(false)), None),
                ]),
            ))
        }
        Expr::Between(between) => {
            // ksqlDB checks `x BETWEEN a AND b` as `x >= a` and `x <= b`.
            for (op, bound) in [
                (Operator::GtEq, &between.low),
                (Operator::LtEq, &between.high),
            ] {
                check_comparison(&between.expr, op, bound, schema).map_err(|e| match e {
                    datafusion::error::DataFusionError::Plan(message) => {
                        datafusion::error::DataFusionError::Plan(format!(
                            "Invalid expression: {message}"
                        ))
                    }
                    other => other,
                })?;
            }
            Ok(Transformed::no(Expr::Between(between)))
        }
        Expr::ScalarFunction(call) => {
            collection_literal::coerce_string_literals(Expr::ScalarFunction(call), schema)
        }
        Expr::Like(like) if !is_string(&like.expr) && !is_null(&like.expr) => {
            let column_type = like.expr.get_type(schema)?;
            let name = SqlType::from_arrow(&column_type)
                .map_or_else(|| column_type.to_string(), |t| t.to_string());
            datafusion::common::plan_err!(
                "The column type for Like condition must be VARCHAR. The column type is {name}"
            )
        }
        Expr::Like(like) if like.escape_char.is_some_and(|c| c != '\\') => {
            Ok(Transformed::yes(backslash_like(like)))
        }
        other => Ok(Transformed::no(other)),
    })
    .map(|t| t.data)
    .map_err(|e| PlanError::Expression(clean_datafusion_message(&e.to_string())))
}
