//! ksqlDB's text for expressions, as its messages print them: binary operations in
//! parentheses, function names upper case, struct fields as `->`, `null` in lower case.

use datafusion::sql::sqlparser::ast::{
    self as sql, AccessExpr, FunctionArg, FunctionArgExpr, FunctionArguments, Subscript,
};

/// The text two expressions share when they mean the same: ksqlDB's text with `source.`
/// qualifiers dropped and function names upper case.
pub fn canonical(expr: &sql::Expr, qualifier: &str) -> String {
    Text {
        strip: Some(qualifier),
        qualify: None,
    }
    .expr(expr)
}

/// An expression as ksqlDB prints it in messages: `(F1 * SUM(F2))`, `SUBSTRING(S, 0, 1)`.
pub fn ksql_text(expr: &sql::Expr) -> String {
    Text {
        strip: None,
        qualify: None,
    }
    .expr(expr)
}

/// An expression as ksqlDB's statement formatter prints it, every bare column qualified by
/// the one source it reads: `(TEST.F2 + TEST.F1)`.
pub fn qualified_text(expr: &sql::Expr, source: &str) -> String {
    Text {
        strip: None,
        qualify: Some(source),
    }
    .expr(expr)
}

/// ksqlDB's expression formatter: binary operations in parentheses, function names upper
/// case, struct dereference as `->`.
struct Text<'a> {
    /// Drop this qualifier from column references.
    strip: Option<&'a str>,
    /// Qualify bare column references with this source.
    qualify: Option<&'a str>,
}

impl Text<'_> {
    fn expr(&self, expr: &sql::Expr) -> String {
        match expr {
            sql::Expr::Identifier(ident) => match self.qualify {
                Some(source) => format!("{source}.{}", ident.value),
                None => ident.value.clone(),
            },
            sql::Expr::CompoundIdentifier(parts) => match parts.as_slice() {
                [q, column] if Some(q.value.as_str()) == self.strip => column.value.clone(),
                _ => parts
                    .iter()
                    .map(|p| p.value.as_str())
                    .collect::<Vec<_>>()
                    .join("."),
            },
            sql::Expr::Nested(inner) => self.expr(inner),
            sql::Expr::Value(value) if matches!(value.value, sql::Value::Null) => "null".into(),
            sql::Expr::BinaryOp { left, op, right } => {
                format!("({} {op} {})", self.expr(left), self.expr(right))
            }
            sql::Expr::UnaryOp { op, expr } => match op {
                sql::UnaryOperator::Not => format!("(NOT {})", self.expr(expr)),
                _ => format!("{op}{}", self.expr(expr)),
            },
            sql::Expr::IsNull(inner) => format!("({} IS NULL)", self.expr(inner)),
            sql::Expr::IsNotNull(inner) => format!("({} IS NOT NULL)", self.expr(inner)),
            sql::Expr::Cast {
                expr, data_type, ..
            } => format!("CAST({} AS {data_type})", self.expr(expr)),
            sql::Expr::Function(function) => {
                let args: Vec<String> = match &function.args {
                    FunctionArguments::List(list) => list
                        .args
                        .iter()
                        .map(|arg| match arg {
                            FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => self.expr(e),
                            // A MAP or STRUCT constructor's `name := value`.
                            FunctionArg::ExprNamed {
                                name,
                                arg: FunctionArgExpr::Expr(value),
                                ..
                            } => format!("{}:={}", self.expr(name), self.expr(value)),
                            other => other.to_string(),
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                format!(
                    "{}({})",
                    function.name.to_string().to_uppercase(),
                    args.join(", ")
                )
            }
            sql::Expr::Array(array) => {
                let elements: Vec<String> = array.elem.iter().map(|e| self.expr(e)).collect();
                format!("ARRAY[{}]", elements.join(", "))
            }
            sql::Expr::CompoundFieldAccess { root, access_chain } => {
                let mut text = self.expr(root);
                for access in access_chain {
                    match access {
                        AccessExpr::Dot(sql::Expr::Identifier(field)) => {
                            text.push_str("->");
                            text.push_str(&field.value);
                        }
                        AccessExpr::Subscript(Subscript::Index { index }) => {
                            text.push_str(&format!("[{}]", self.expr(index)));
                        }
                        other => text.push_str(&other.to_string()),
                    }
                }
                text
            }
            other => other.to_string(),
        }
    }
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
    fn prints_like_ksqldb() {
        assert_eq!(ksql_text(&parse("F1 * sum(F2)")), "(F1 * SUM(F2))");
        assert_eq!(
            ksql_text(&parse("substring(SOURCE, 0, 1)")),
            "SUBSTRING(SOURCE, 0, 1)"
        );
        assert_eq!(ksql_text(&parse("TEST.DATA")), "TEST.DATA");
        assert_eq!(ksql_text(&parse("ID = NULL")), "(ID = null)");
        assert_eq!(
            ksql_text(&parse("ARRAY[1, 2] + NULL")),
            "(ARRAY[1, 2] + null)"
        );
    }

    #[test]
    fn canonical_ignores_qualifiers_parentheses_and_case() {
        assert_eq!(
            canonical(&parse("(T.V0 + V1)"), "T"),
            canonical(&parse("V0 + V1"), "T")
        );
        assert_eq!(
            canonical(&parse("len(T.D)"), "T"),
            canonical(&parse("LEN(D)"), "T")
        );
        assert_ne!(
            canonical(&parse("F1 - F2"), "T"),
            canonical(&parse("F2 - F1"), "T")
        );
    }
}
