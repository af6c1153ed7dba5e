//! Finishing an expression `sqlparser` has parsed, so that it means what ksqlDB means:
//!
//! * identifiers: unquoted ones upper-cased (columns, qualifiers, dereferenced fields,
//!   lambda parameters, `STRUCT` field names, function names); quoted ones keep their case
//!   and their `quote_style`, so later layers can tell them apart;
//! * `CAST` types resolved (custom types included) and rewritten in the form
//!   `types::cast_target_type` reads;
//! * `-` before a number folded into the literal (`-5` is one literal in ksqlDB), and
//!   numeric literals range-checked as ksqlDB does (`Invalid numeric literal: …`,
//!   `Number overflows DOUBLE: …`);
//! * constructs `sqlparser` knows but ksqlDB does not (subqueries, `OVER`, `DISTINCT`
//!   arguments, `INTERVAL`, bare `[…]` arrays) rejected.

use std::ops::ControlFlow;

use datafusion::sql::sqlparser::ast::{
    DataType, Expr, FunctionArg, FunctionArguments, Ident, ObjectNamePart, OneOrManyWithParens,
    Spanned, UnaryOperator, Value, ValueWithSpan, VisitMut, VisitorMut,
};

use super::ast::Pos;
use super::error::{ParseError, ParseResult, pos_of};
use super::types::{TypeLookup, cast_data_type, parse_type_with};

/// Applies ksqlDB's rules to `expr`; `pos` is where it starts, for errors on nodes
/// without a position.
pub(super) fn finish_expr(mut expr: Expr, lookup: TypeLookup<'_>, pos: Pos) -> ParseResult<Expr> {
    match expr.visit(&mut Finisher { lookup, pos }) {
        ControlFlow::Break(err) => Err(err),
        ControlFlow::Continue(()) => Ok(expr),
    }
}

/// Upper-cases an unquoted identifier.
pub(super) fn normalize_ident(ident: &mut Ident) {
    if ident.quote_style.is_none() {
        ident.value = ident.value.to_uppercase();
    }
}

struct Finisher<'l> {
    lookup: TypeLookup<'l>,
    pos: Pos,
}

impl VisitorMut for Finisher<'_> {
    type Break = ParseError;

    // Pre-order, so that a folded `-N` is checked as one literal before its parts.
    fn pre_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<ParseError> {
        match self.finish(expr) {
            Ok(()) => ControlFlow::Continue(()),
            Err(err) => ControlFlow::Break(err),
        }
    }
}

impl Finisher<'_> {
    fn finish(&self, expr: &mut Expr) -> ParseResult<()> {
        match expr {
            Expr::Identifier(ident) => normalize_ident(ident),
            Expr::CompoundIdentifier(parts) => parts.iter_mut().for_each(normalize_ident),
            Expr::Lambda(lambda) => match &mut lambda.params {
                OneOrManyWithParens::One(param) => normalize_ident(&mut param.name),
                OneOrManyWithParens::Many(params) => {
                    params.iter_mut().for_each(|p| normalize_ident(&mut p.name))
                }
            },
            Expr::Function(function) => {
                let plain = function.over.is_none()
                    && function.filter.is_none()
                    && function.within_group.is_empty()
                    && function.null_treatment.is_none()
                    && matches!(function.parameters, FunctionArguments::None)
                    && match &function.args {
                        FunctionArguments::List(list) => {
                            list.duplicate_treatment.is_none() && list.clauses.is_empty()
                        }
                        FunctionArguments::None => true,
                        FunctionArguments::Subquery(_) => false,
                    };
                if !plain {
                    let pos = pos_of(function.name.span().start);
                    return Err(self.unsupported_at(pos, "This form of function call"));
                }
                for part in &mut function.name.0 {
                    if let ObjectNamePart::Identifier(ident) = part {
                        normalize_ident(ident);
                    }
                }
                if let FunctionArguments::List(list) = &mut function.args {
                    for arg in &mut list.args {
                        if let FunctionArg::Named { name, .. } = arg {
                            normalize_ident(name);
                        }
                    }
                }
            }
            Expr::Cast { data_type, .. } => self.resolve_cast(data_type)?,
            Expr::UnaryOp {
                op: UnaryOperator::Minus,
                expr: operand,
            } => {
                if let Expr::Value(ValueWithSpan {
                    value: Value::Number(digits, long),
                    span,
                }) = operand.as_ref()
                {
                    let value = Value::Number(format!("-{digits}"), *long);
                    *expr = Expr::Value(ValueWithSpan { value, span: *span });
                    self.check_number(expr)?;
                }
            }
            Expr::Value(_) => self.check_number(expr)?,
            Expr::Subquery(_) | Expr::InSubquery { .. } | Expr::Exists { .. } => {
                return Err(self.unsupported(expr, "A subquery"));
            }
            Expr::Tuple(_) => return Err(self.unsupported(expr, "A tuple")),
            Expr::Interval(_) => return Err(self.unsupported(expr, "INTERVAL")),
            Expr::Array(array) if !array.named => {
                return Err(self.unsupported(expr, "An array without ARRAY"));
            }
            _ => {}
        }
        Ok(())
    }

    /// Replaces the type text `KsqlDialect` kept with the resolved type.
    fn resolve_cast(&self, data_type: &mut DataType) -> ParseResult<()> {
        let DataType::Custom(name, _) = data_type else {
            return Ok(());
        };
        let [ObjectNamePart::Identifier(ident)] = name.0.as_slice() else {
            return Ok(());
        };
        let pos = pos_of(ident.span.start);
        let ty = parse_type_with(&ident.value, self.lookup).map_err(|e| e.moved_to(pos))?;
        *data_type = cast_data_type(&ty, ident.span);
        Ok(())
    }

    /// ksqlDB: integers must fit a BIGINT, exponent literals a DOUBLE.
    fn check_number(&self, expr: &Expr) -> ParseResult<()> {
        let Expr::Value(ValueWithSpan {
            value: Value::Number(text, _),
            span,
        }) = expr
        else {
            return Ok(());
        };
        // ksqlDB: errors raised while building its AST report the literal's column plus
        // one (its node locations are 1-based and its ParsingException adds 1 again). A
        // folded `-N` starts at the `-`, one before the digits, so it gets their column.
        let mut pos = pos_of(span.start);
        if !text.starts_with('-') {
            pos.col = pos.col.saturating_add(1);
        }
        let invalid = |message: String| ParseError::Invalid {
            pos: self.pos_or(pos),
            message,
        };
        if text.contains(['e', 'E']) {
            if text.parse::<f64>().map_or(true, f64::is_infinite) {
                return Err(invalid(format!("Number overflows DOUBLE: {text}")));
            }
        } else if !text.contains('.') && text.parse::<i64>().is_err() {
            return Err(invalid(format!("Invalid numeric literal: {text}")));
        }
        Ok(())
    }

    fn unsupported(&self, expr: &Expr, what: &str) -> ParseError {
        self.unsupported_at(pos_of(expr.span().start), what)
    }

    fn unsupported_at(&self, pos: Pos, what: &str) -> ParseError {
        ParseError::Syntax {
            pos: self.pos_or(pos),
            detail: format!("{what} is not supported"),
        }
    }

    /// `pos` unless it is the empty position of a node `sqlparser` did not locate.
    fn pos_or(&self, pos: Pos) -> Pos {
        if pos.line == 0 { self.pos } else { pos }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::parser::parse_expression;

    fn shown(text: &str) -> String {
        parse_expression(text)
            .unwrap_or_else(|e| panic!("{text}: {e}"))
            .to_string()
    }

    #[test]
    fn unquoted_identifiers_are_upper_cased_and_quoted_ones_kept() {
        assert_eq!(shown("col + `Col` + \"cOl\""), "COL + `Col` + \"cOl\"");
        assert_eq!(shown("src.col = `Src`.`Col`"), "SRC.COL = `Src`.`Col`");
        assert_eq!(shown("s->field->`Field`"), "S.FIELD.`Field`");
        assert_eq!(
            shown("transform(arr, x => x + y)"),
            "TRANSFORM(ARR, X -> X + Y)"
        );
        assert_eq!(
            shown("struct(name := 'Ann', `Mixed` := 1)"),
            "STRUCT(NAME := 'Ann', `Mixed` := 1)"
        );
        assert_eq!(shown("`myUdf`(a)"), "`myUdf`(A)");
        let Expr::Identifier(ident) = parse_expression("`Col`").unwrap() else {
            panic!("not an identifier")
        };
        assert_eq!(
            (ident.value.as_str(), ident.quote_style),
            ("Col", Some('`'))
        );
    }

    #[test]
    fn string_and_number_literals_keep_their_text() {
        assert_eq!(shown("'MiXed' || 'it''s'"), "'MiXed' || 'it''s'");
        assert_eq!(shown("1.50 + 1e3 + .5 + 007"), "1.50 + 1e3 + .5 + 007");
        let Expr::Value(value) = parse_expression("0.10").unwrap() else {
            panic!("not a value")
        };
        assert_eq!(value.value, Value::Number("0.10".into(), false));
    }

    #[test]
    fn negative_numbers_are_one_literal() {
        let Expr::Value(value) = parse_expression("-9223372036854775808").unwrap() else {
            panic!("not folded")
        };
        assert_eq!(
            value.value,
            Value::Number("-9223372036854775808".into(), false)
        );
        assert_eq!(shown("1 - -2"), "1 - -2");
        assert!(matches!(parse_expression("-a"), Ok(Expr::UnaryOp { .. })));
    }

    #[test]
    fn numeric_literals_are_range_checked_like_ksqldb() {
        for (text, message) in [
            (
                "9223372036854775808",
                "Failed to prepare statement: line 1:2: Invalid numeric literal: 9223372036854775808",
            ),
            (
                "-9223372036854775809",
                "Failed to prepare statement: line 1:2: Invalid numeric literal: -9223372036854775809",
            ),
            (
                "1.7976931348623159E308",
                "Failed to prepare statement: line 1:2: Number overflows DOUBLE: 1.7976931348623159E308",
            ),
            (
                "-1.7976931348623160E308",
                "Failed to prepare statement: line 1:2: Number overflows DOUBLE: -1.7976931348623160E308",
            ),
        ] {
            assert_eq!(parse_expression(text).unwrap_err().to_string(), message);
        }
        assert!(parse_expression("123456789012345678901234567890.5").is_ok());
        assert!(parse_expression("1.7976931348623157E308").is_ok());
    }

    #[test]
    fn unknown_cast_types_are_reported_where_the_type_is() {
        let err = parse_expression("CAST(a AS\n  ARRAY<Nope>)").unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 2:3: Cannot resolve unknown type: NOPE"
        );
    }
}
