//! `KsqlDialect`: ksqlDB's lexical rules and expression syntax, taught to `sqlparser`.
//!
//! `sqlparser` parses the standard part of ksqlDB expressions; the hooks below add the rest
//! and remove what ksqlDB does not have. How the ksqlDB-only syntax lands in `Expr`:
//!
//! | ksqlDB | `Expr` |
//! |---|---|
//! | `s->f` (struct dereference) | `CompoundFieldAccess { root: s, access_chain: [Dot(Identifier(F))] }` |
//! | `a[1]`, `m['k']`, `s->a[1]->b` | the same chain with `Subscript(Index)` entries |
//! | `src.col` | `CompoundIdentifier([SRC, COL])`: always a qualified column, never a field |
//! | `x => x + 1`, `(x, y) => …` | `Lambda` (`LambdaSyntax::Arrow`; its `Display` prints `->`) |
//! | `ARRAY[1, 2]` | `Array` (sqlparser's own) |
//! | `MAP(k := v, …)` | `Function` `MAP` with `ExprNamed { name: k, arg: v, operator: Assignment }` args |
//! | `STRUCT(F := v, …)` | `Function` `STRUCT` with `Named { name: F, arg: v, operator: Assignment }` args |
//! | `CAST(x AS t)` | `Cast` whose `data_type` is `Custom(t)`, see `types::cast_target_type` |
//!
//! So every `AccessExpr::Dot` in a chain is a dereference. ksqlDB's precedence is kept:
//! dereference and subscript bind tightest, `||` binds looser than `+`/`-`. Not ksqlDB and
//! rejected here: `::` casts, `:=` outside constructors, named function arguments, tuples.
//!
//! Identifier case is not applied here: the hooks keep identifiers as written and
//! `expr::finish_expr` upper-cases the unquoted ones afterwards.

use datafusion::sql::sqlparser::ast::{
    AccessExpr, CastKind, DataType, Expr, Function, FunctionArg, FunctionArgExpr,
    FunctionArgOperator, FunctionArgumentList, FunctionArguments, Ident, LambdaFunction,
    LambdaFunctionParameter, LambdaSyntax, ObjectName, OneOrManyWithParens,
};
use datafusion::sql::sqlparser::dialect::{Dialect, Precedence};
use datafusion::sql::sqlparser::parser::{Parser, ParserError};
use datafusion::sql::sqlparser::tokenizer::{
    Location, Span, Token, TokenWithSpan, Tokenizer, Word,
};

use super::error::{ParseError, pos_of};
use super::types;

/// ksqlDB's dialect for `sqlparser`'s tokenizer and expression parser.
#[derive(Debug, Default, Clone, Copy)]
pub struct KsqlDialect;

impl Dialect for KsqlDialect {
    fn is_identifier_start(&self, ch: char) -> bool {
        ch.is_alphabetic() || ch == '_'
    }

    fn is_identifier_part(&self, ch: char) -> bool {
        ch.is_alphanumeric() || ch == '_' || ch == '@'
    }

    /// `` `x` `` and `"x"` are both quoted identifiers.
    fn is_delimited_identifier_start(&self, ch: char) -> bool {
        ch == '`' || ch == '"'
    }

    /// ksqlDB's DIGIT_IDENTIFIER: `1R` is a name (`1e5` stays a number).
    fn supports_numeric_prefix(&self) -> bool {
        true
    }

    fn supports_named_fn_args_with_rarrow_operator(&self) -> bool {
        false
    }

    fn get_next_precedence(&self, parser: &Parser) -> Option<Result<u8, ParserError>> {
        let precedence = match &parser.peek_token_ref().token {
            // `s->*` is a select item, not a dereference.
            Token::Arrow if parser.peek_nth_token_ref(1).token == Token::Mul => 0,
            Token::Arrow | Token::LBracket => self.prec_value(Precedence::DoubleColon) + 1,
            // ksqlDB: concatenation is the loosest value operator.
            Token::StringConcat => self.prec_value(Precedence::PlusMinus) - 1,
            Token::DoubleColon | Token::Assignment | Token::Colon | Token::RArrow => 0,
            _ => return None,
        };
        Some(Ok(precedence))
    }

    fn parse_prefix(&self, parser: &mut Parser) -> Option<Result<Expr, ParserError>> {
        let first = parser.peek_token_ref().clone();
        let next = parser.peek_nth_token_ref(1).token.clone();
        match &first.token {
            Token::LParen if lambda_params_ahead(parser) => Some(parse_lambda(parser)),
            Token::LParen => Some(parse_parenthesized(parser)),
            Token::Word(_) if next == Token::RArrow => Some(parse_lambda(parser)),
            Token::Word(w) if w.quote_style.is_none() && !starts_expression(&w.value) => {
                Some(parser.expected("an expression", first))
            }
            Token::Word(w) if next == Token::LParen => {
                let keyword = w
                    .quote_style
                    .is_none()
                    .then(|| w.value.to_ascii_uppercase());
                match keyword.as_deref() {
                    Some("CAST") => Some(parse_cast(parser)),
                    Some("MAP") => Some(parse_map(parser)),
                    Some("STRUCT") => Some(parse_struct(parser)),
                    Some("NOT" | "CASE" | "NULL" | "TRUE" | "FALSE") => None,
                    _ => Some(parse_function(parser)),
                }
            }
            Token::Word(_) if next == Token::Period => match parser.peek_nth_token_ref(2).token {
                Token::Word(_) => Some(parse_qualified_column(parser)),
                _ => None,
            },
            _ => None,
        }
    }

    fn parse_infix(
        &self,
        parser: &mut Parser,
        expr: &Expr,
        _precedence: u8,
    ) -> Option<Result<Expr, ParserError>> {
        match parser.peek_token_ref().token {
            Token::Arrow => Some(parse_dereference(parser, expr)),
            Token::LBracket => {
                let mut chain = vec![];
                Some(
                    parser
                        .parse_multi_dim_subscript(&mut chain)
                        .map(|()| access(expr, chain)),
                )
            }
            _ => None,
        }
    }
}

/// Tokenizes `sql` with its locations, ending with an EOF token located just past the
/// text so that errors at the end have a position (ANTLR's `<EOF>`).
pub(super) fn tokenize(sql: &str) -> Result<Vec<TokenWithSpan>, ParseError> {
    let mut tokens = Tokenizer::new(&KsqlDialect, sql)
        .tokenize_with_location()
        .map_err(ParseError::from_tokenizer)?;
    let last_line = sql.rsplit('\n').next().unwrap_or_default();
    let line = sql.matches('\n').count() as u64 + 1;
    let end = Location::new(line, last_line.chars().count() as u64 + 1);
    tokens.push(TokenWithSpan::new(Token::EOF, Span::new(end, end)));
    Ok(tokens)
}

/// The identifier as ksqlDB names it: unquoted ones are upper-cased, quoted ones kept.
pub(super) fn ident_name(value: &str, quote_style: Option<char>) -> String {
    match quote_style {
        Some(_) => value.to_string(),
        None => value.to_uppercase(),
    }
}

/// True for ksqlDB's reserved words (keywords of `SqlBase.g4` outside `nonReserved`):
/// unquoted, they cannot name a column, source or type.
pub(super) fn is_reserved(word: &str) -> bool {
    const RESERVED: &[&str] = &[
        "ADVANCE",
        "ALL",
        "AND",
        "AS",
        "AT",
        "BEGINNING",
        "BETWEEN",
        "BY",
        "CASE",
        "CAST",
        "CATALOG",
        "CONNECTOR",
        "CONNECTORS",
        "CREATE",
        "DAYS",
        "DECIMAL",
        "DELETE",
        "DESCRIBE",
        "DISTINCT",
        "DROP",
        "ELSE",
        "END",
        "EXISTS",
        "EXPORT",
        "EXTENDED",
        "FALSE",
        "FROM",
        "FULL",
        "GROUP",
        "HAVING",
        "HOPPING",
        "HOURS",
        "IN",
        "INNER",
        "INSERT",
        "INTO",
        "IS",
        "JOIN",
        "LEFT",
        "LIKE",
        "LIMIT",
        "LIST",
        "LOAD",
        "MATERIALIZED",
        "MILLISECOND",
        "MILLISECONDS",
        "MINUTES",
        "MONTHS",
        "NAMESPACE",
        "NOT",
        "NULL",
        "ON",
        "OR",
        "OUTER",
        "PRINT",
        "PROPERTIES",
        "QUERIES",
        "QUERY",
        "RENAME",
        "RETENTION",
        "RIGHT",
        "RUN",
        "SAMPLE",
        "SCRIPT",
        "SECONDS",
        "SELECT",
        "SIZE",
        "STREAM",
        "STREAMS",
        "TABLE",
        "TERMINATE",
        "THEN",
        "TO",
        "TOPIC",
        "TOPICS",
        "TRUE",
        "TUMBLING",
        "UNSET",
        "VALUES",
        "VIEW",
        "WHEN",
        "WHERE",
        "WINDOW",
        "WITH",
        "WITHIN",
        "YEARS",
    ];
    RESERVED.contains(&word.to_ascii_uppercase().as_str())
}

/// True unless `word`, unquoted, is a reserved word that cannot begin an expression.
fn starts_expression(word: &str) -> bool {
    // Literals and expression keywords, and window units, which ksqlDB accepts as
    // function arguments (`TIMESTAMPADD(SECONDS, 1, ts)`).
    const ALLOWED: &[&str] = &[
        "CASE",
        "CAST",
        "DAYS",
        "FALSE",
        "HOURS",
        "MILLISECOND",
        "MILLISECONDS",
        "MINUTES",
        "NOT",
        "NULL",
        "SECONDS",
        "TRUE",
    ];
    !is_reserved(word) || ALLOWED.contains(&word.to_ascii_uppercase().as_str())
}

/// `Expr` plus more accesses, flattened into one chain.
fn access(expr: &Expr, mut more: Vec<AccessExpr>) -> Expr {
    match expr {
        Expr::CompoundFieldAccess { root, access_chain } => {
            let mut chain = access_chain.clone();
            chain.append(&mut more);
            Expr::CompoundFieldAccess {
                root: root.clone(),
                access_chain: chain,
            }
        }
        other => Expr::CompoundFieldAccess {
            root: Box::new(other.clone()),
            access_chain: more,
        },
    }
}

/// `expr -> field`, positioned at `->`.
fn parse_dereference(parser: &mut Parser, expr: &Expr) -> Result<Expr, ParserError> {
    parser.expect_token(&Token::Arrow)?;
    let field = parser.next_token();
    match field.token {
        Token::Word(w) => Ok(access(
            expr,
            vec![AccessExpr::Dot(Expr::Identifier(w.into_ident(field.span)))],
        )),
        _ => parser.expected("a field name after '->'", field),
    }
}

/// True when the tokens ahead read `( name [, name]* ) =>`.
fn lambda_params_ahead(parser: &Parser) -> bool {
    let mut tokens = tokens_ahead(parser).skip(1);
    loop {
        if !matches!(tokens.next(), Some(Token::Word(_))) {
            return false;
        }
        match tokens.next() {
            Some(Token::Comma) => {}
            Some(Token::RParen) => return tokens.next() == Some(&Token::RArrow),
            _ => return false,
        }
    }
}

/// The tokens from the parser's position on, whitespace skipped; EOF repeats at the end.
pub(super) fn tokens_ahead<'p>(parser: &'p Parser) -> impl Iterator<Item = &'p Token> {
    (parser.index()..)
        .map(|i| &parser.token_at(i).token)
        .filter(|token| !matches!(token, Token::Whitespace(_)))
}

/// `x => body` or `(x, y) => body`.
fn parse_lambda(parser: &mut Parser) -> Result<Expr, ParserError> {
    let params = if parser.consume_token(&Token::LParen) {
        let names = parser.parse_comma_separated(lambda_param)?;
        parser.expect_token(&Token::RParen)?;
        OneOrManyWithParens::Many(names)
    } else {
        OneOrManyWithParens::One(lambda_param(parser)?)
    };
    parser.expect_token(&Token::RArrow)?;
    let body = parser.parse_expr()?;
    Ok(Expr::Lambda(LambdaFunction {
        params,
        body: Box::new(body),
        syntax: LambdaSyntax::Arrow,
    }))
}

fn lambda_param(parser: &mut Parser) -> Result<LambdaFunctionParameter, ParserError> {
    Ok(LambdaFunctionParameter {
        name: parse_word(parser, "a lambda parameter")?,
        data_type: None,
    })
}

/// Any word as an identifier, keywords included.
fn parse_word(parser: &mut Parser, expected: &str) -> Result<Ident, ParserError> {
    let token = parser.next_token();
    match token.token {
        Token::Word(w) => Ok(w.into_ident(token.span)),
        _ => parser.expected(expected, token),
    }
}

/// `( expr )`; ksqlDB has no tuples, and says so as ANTLR would.
fn parse_parenthesized(parser: &mut Parser) -> Result<Expr, ParserError> {
    parser.expect_token(&Token::LParen)?;
    let expr = parser.parse_expr()?;
    let close = parser.peek_token_ref();
    if close.token == Token::Comma {
        let at = close.span.start;
        return Err(syntax_error("missing ')' at ','", at));
    }
    parser.expect_token(&Token::RParen)?;
    Ok(Expr::Nested(Box::new(expr)))
}

/// `src.col`: a qualified column reference, which ksqlDB limits to two parts.
fn parse_qualified_column(parser: &mut Parser) -> Result<Expr, ParserError> {
    let source = parse_word(parser, "a source name")?;
    parser.expect_token(&Token::Period)?;
    let column = parse_word(parser, "a column name")?;
    let after = parser.peek_token_ref();
    if after.token == Token::Period {
        return parser.expected("'->' to access a field", after.clone());
    }
    Ok(Expr::CompoundIdentifier(vec![source, column]))
}

/// `name(args)` for every function, including those `sqlparser` gives special syntax
/// (`SUBSTRING`, `TRIM`, `CEIL`, …): in ksqlDB they are all plain functions.
fn parse_function(parser: &mut Parser) -> Result<Expr, ParserError> {
    let name = parse_word(parser, "a function name")?;
    parser.parse_function(ObjectName::from(vec![name]))
}

/// `CAST(expr AS type)`: the type is checked here and kept as its token text, resolved
/// (custom types included) by `expr::finish_expr`.
fn parse_cast(parser: &mut Parser) -> Result<Expr, ParserError> {
    parser.next_token(); // CAST
    parser.expect_token(&Token::LParen)?;
    let expr = parser.parse_expr()?;
    let as_token = parser.next_token();
    if !is_word(&as_token.token, "AS") {
        return parser.expected("AS", as_token);
    }
    let start = parser.get_current_index() + 1;
    types::parse_sql_type(parser, &types::any_type).map_err(ParseError::into_sqlparser)?;
    let end = parser.get_current_index();
    let tokens: Vec<&TokenWithSpan> = (start..=end)
        .map(|i| parser.token_at(i))
        .filter(|t| !matches!(t.token, Token::Whitespace(_)))
        .collect();
    let text = tokens
        .iter()
        .map(|t| match &t.token {
            // Re-escape the quote character, which `Word`'s Display does not.
            Token::Word(Word {
                value,
                quote_style: Some(q),
                ..
            }) => {
                format!("{q}{}{q}", value.replace(*q, &format!("{q}{q}")))
            }
            other => other.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ");
    let span = match (tokens.first(), tokens.last()) {
        (Some(first), Some(last)) => first.span.union(&last.span),
        _ => Span::empty(),
    };
    parser.expect_token(&Token::RParen)?;
    Ok(Expr::Cast {
        kind: CastKind::Cast,
        expr: Box::new(expr),
        data_type: DataType::Custom(
            ObjectName::from(vec![Ident {
                value: text,
                quote_style: None,
                span,
            }]),
            vec![],
        ),
        array: false,
        format: None,
    })
}

/// `MAP(key := value, …)`.
fn parse_map(parser: &mut Parser) -> Result<Expr, ParserError> {
    let name = parse_word(parser, "MAP")?;
    let args = parse_assignments(parser, |p| {
        let key = p.parse_expr()?;
        p.expect_token(&Token::Assignment)?;
        let value = p.parse_expr()?;
        Ok(FunctionArg::ExprNamed {
            name: key,
            arg: FunctionArgExpr::Expr(value),
            operator: FunctionArgOperator::Assignment,
        })
    })?;
    Ok(constructor(name, args))
}

/// `STRUCT(name := value, …)`.
fn parse_struct(parser: &mut Parser) -> Result<Expr, ParserError> {
    let name = parse_word(parser, "STRUCT")?;
    let args = parse_assignments(parser, |p| {
        let field = parse_word(p, "a field name")?;
        p.expect_token(&Token::Assignment)?;
        let value = p.parse_expr()?;
        Ok(FunctionArg::Named {
            name: field,
            arg: FunctionArgExpr::Expr(value),
            operator: FunctionArgOperator::Assignment,
        })
    })?;
    Ok(constructor(name, args))
}

/// `( [item [, item]*] )`.
fn parse_assignments(
    parser: &mut Parser,
    item: impl FnMut(&mut Parser) -> Result<FunctionArg, ParserError>,
) -> Result<Vec<FunctionArg>, ParserError> {
    parser.expect_token(&Token::LParen)?;
    if parser.consume_token(&Token::RParen) {
        return Ok(vec![]);
    }
    let args = parser.parse_comma_separated(item)?;
    parser.expect_token(&Token::RParen)?;
    Ok(args)
}

fn constructor(name: Ident, args: Vec<FunctionArg>) -> Expr {
    Expr::Function(Function {
        name: ObjectName::from(vec![name]),
        uses_odbc_syntax: false,
        parameters: FunctionArguments::None,
        args: FunctionArguments::List(FunctionArgumentList {
            duplicate_treatment: None,
            args,
            clauses: vec![],
        }),
        filter: None,
        null_treatment: None,
        over: None,
        within_group: vec![],
    })
}

/// True if `token` is the unquoted word `keyword` (any case).
pub(super) fn is_word(token: &Token, keyword: &str) -> bool {
    matches!(token, Token::Word(Word { value, quote_style: None, .. }) if value.eq_ignore_ascii_case(keyword))
}

/// A syntax error raised inside a hook, in the form `ParseError::from_sqlparser` reads back.
fn syntax_error(detail: &str, at: Location) -> ParserError {
    ParseError::Syntax {
        pos: pos_of(at),
        detail: detail.to_string(),
    }
    .into_sqlparser()
}

#[cfg(test)]
mod tests {
    use datafusion::sql::sqlparser::ast::{BinaryOperator, Subscript, Value};

    use super::*;
    use crate::catalog::types::{SqlType, StructField};
    use crate::sql::parser::parse_expression;
    use crate::sql::types::cast_target_type;

    fn expr(text: &str) -> Expr {
        parse_expression(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn ident(name: &str) -> Expr {
        Expr::Identifier(Ident::new(name))
    }

    fn field(name: &str) -> AccessExpr {
        AccessExpr::Dot(ident(name))
    }

    fn index(i: Expr) -> AccessExpr {
        AccessExpr::Subscript(Subscript::Index { index: i })
    }

    fn number(text: &str) -> Expr {
        Expr::value(Value::Number(text.into(), false))
    }

    fn string(text: &str) -> Expr {
        Expr::value(Value::SingleQuotedString(text.into()))
    }

    #[test]
    fn dereference_is_a_field_access_chain() {
        assert_eq!(
            expr("a->b->c"),
            Expr::CompoundFieldAccess {
                root: Box::new(ident("A")),
                access_chain: vec![field("B"), field("C")]
            }
        );
        let qualified = Expr::CompoundIdentifier(vec![Ident::new("S"), Ident::new("COL")]);
        assert_eq!(
            expr("s.col->f"),
            Expr::CompoundFieldAccess {
                root: Box::new(qualified.clone()),
                access_chain: vec![field("F")]
            }
        );
        assert_eq!(
            expr("s.col[1]->f['k']"),
            Expr::CompoundFieldAccess {
                root: Box::new(qualified),
                access_chain: vec![index(number("1")), field("F"), index(string("k"))],
            }
        );
        assert_eq!(
            expr("a->b[1]->`c`"),
            Expr::CompoundFieldAccess {
                root: Box::new(ident("A")),
                access_chain: vec![
                    field("B"),
                    index(number("1")),
                    AccessExpr::Dot(Expr::Identifier(Ident::with_quote('`', "c"))),
                ],
            }
        );
    }

    #[test]
    fn dereference_binds_tighter_than_operators() {
        let deref = Expr::CompoundFieldAccess {
            root: Box::new(ident("A")),
            access_chain: vec![field("B")],
        };
        assert_eq!(
            expr("-a->b"),
            Expr::UnaryOp {
                op: datafusion::sql::sqlparser::ast::UnaryOperator::Minus,
                expr: Box::new(deref.clone())
            }
        );
        assert_eq!(
            expr("1 + a->b"),
            Expr::BinaryOp {
                left: Box::new(number("1")),
                op: BinaryOperator::Plus,
                right: Box::new(deref)
            }
        );
    }

    #[test]
    fn subscripts_keep_their_index_expression() {
        assert_eq!(
            expr("arr[1 + 1]"),
            Expr::CompoundFieldAccess {
                root: Box::new(ident("ARR")),
                access_chain: vec![index(Expr::BinaryOp {
                    left: Box::new(number("1")),
                    op: BinaryOperator::Plus,
                    right: Box::new(number("1")),
                })],
            }
        );
        assert_eq!(
            expr("m['k']"),
            Expr::CompoundFieldAccess {
                root: Box::new(ident("M")),
                access_chain: vec![index(string("k"))]
            }
        );
        assert!(
            matches!(expr("f(x)[-1]"), Expr::CompoundFieldAccess { root, .. } if matches!(*root, Expr::Function(_)))
        );
    }

    #[test]
    fn lambdas_take_one_or_many_parameters() {
        let Expr::Lambda(one) = expr("x => x + 1") else {
            panic!("not a lambda")
        };
        assert_eq!(
            one.params,
            OneOrManyWithParens::One(LambdaFunctionParameter {
                name: Ident::new("X"),
                data_type: None
            })
        );
        assert_eq!(
            *one.body,
            Expr::BinaryOp {
                left: Box::new(ident("X")),
                op: BinaryOperator::Plus,
                right: Box::new(number("1"))
            }
        );
        let Expr::Lambda(many) = expr("(k, v) => k || v") else {
            panic!("not a lambda")
        };
        let names: Vec<String> = many.params.iter().map(|p| p.name.value.clone()).collect();
        assert_eq!(names, ["K", "V"]);
        let Expr::Function(call) = expr("REDUCE(arr, 0, (s, x) => s + x)") else {
            panic!("not a call")
        };
        let FunctionArguments::List(list) = call.args else {
            panic!("no arguments")
        };
        assert!(matches!(
            list.args[2],
            FunctionArg::Unnamed(FunctionArgExpr::Expr(Expr::Lambda(_)))
        ));
        assert!(matches!(expr("(x) => x"), Expr::Lambda(_)));
    }

    #[test]
    fn constructors_are_named_argument_calls() {
        assert_eq!(expr("ARRAY[1, 2]").to_string(), "ARRAY[1, 2]");
        assert_eq!(expr("ARRAY[]").to_string(), "ARRAY[]");
        let map = expr("MAP('a' := 1, 'b' := x)");
        assert_eq!(map.to_string(), "MAP('a' := 1, 'b' := X)");
        let Expr::Function(call) = map else {
            panic!("not a call")
        };
        let FunctionArguments::List(list) = call.args else {
            panic!("no arguments")
        };
        assert!(matches!(
            &list.args[0],
            FunctionArg::ExprNamed {
                operator: FunctionArgOperator::Assignment,
                ..
            }
        ));
        let strct = expr("STRUCT(a := 1, `b` := 'x')");
        assert_eq!(strct.to_string(), "STRUCT(A := 1, `b` := 'x')");
        let Expr::Function(call) = strct else {
            panic!("not a call")
        };
        let FunctionArguments::List(list) = call.args else {
            panic!("no arguments")
        };
        assert!(matches!(&list.args[0], FunctionArg::Named { name, .. } if name.value == "A"));
        assert_eq!(expr("MAP()").to_string(), "MAP()");
        assert_eq!(expr("STRUCT()").to_string(), "STRUCT()");
    }

    #[test]
    fn casts_carry_a_resolvable_ksql_type() {
        let cases = [
            ("CAST(x AS STRING)", SqlType::String),
            ("cast(x as decimal(4,2))", SqlType::Decimal(4, 2)),
            (
                "CAST(x AS ARRAY<INT>)",
                SqlType::Array(Box::new(SqlType::Int)),
            ),
            (
                "CAST(x AS MAP<STRING, ARRAY<BIGINT>>)",
                SqlType::Map(
                    Box::new(SqlType::String),
                    Box::new(SqlType::Array(Box::new(SqlType::Bigint))),
                ),
            ),
            (
                "CAST(x AS STRUCT<A INT, `b` STRING>)",
                SqlType::Struct(vec![
                    StructField {
                        name: "A".into(),
                        ty: SqlType::Int,
                    },
                    StructField {
                        name: "b".into(),
                        ty: SqlType::String,
                    },
                ]),
            ),
        ];
        for (text, ty) in cases {
            let Expr::Cast {
                data_type,
                expr: inner,
                ..
            } = expr(text)
            else {
                panic!("{text}: not a cast")
            };
            assert_eq!(*inner, ident("X"));
            assert_eq!(cast_target_type(&data_type), Ok(ty.clone()), "{text}");
            assert_eq!(data_type.to_string(), ty.to_string());
        }
        let Expr::Cast { data_type, .. } = expr("CAST(x AS STRUCT<\"c\"\"d\" INT>)") else {
            panic!("not a cast");
        };
        let names = match cast_target_type(&data_type) {
            Ok(SqlType::Struct(fields)) => fields.into_iter().map(|f| f.name).collect::<Vec<_>>(),
            other => panic!("{other:?}"),
        };
        assert_eq!(names, ["c\"d"]);
        assert_eq!(
            expr("CAST(a->b AS INT) + 1").to_string(),
            "CAST(A.B AS INTEGER) + 1"
        );
    }

    #[test]
    fn standard_predicates_parse() {
        for (text, display) in [
            ("a IS DISTINCT FROM b", "A IS DISTINCT FROM B"),
            ("a IS NOT DISTINCT FROM b", "A IS NOT DISTINCT FROM B"),
            ("a LIKE 'x%' ESCAPE '!'", "A LIKE 'x%' ESCAPE '!'"),
            ("a NOT LIKE 'x'", "A NOT LIKE 'x'"),
            ("a BETWEEN 1 AND 2", "A BETWEEN 1 AND 2"),
            ("a NOT BETWEEN 1 AND 2", "A NOT BETWEEN 1 AND 2"),
            ("a IN (1, 2)", "A IN (1, 2)"),
            ("a NOT IN ('x')", "A NOT IN ('x')"),
            ("a IS NULL AND b IS NOT NULL", "A IS NULL AND B IS NOT NULL"),
            (
                "CASE a WHEN 1 THEN 'x' ELSE 'y' END",
                "CASE A WHEN 1 THEN 'x' ELSE 'y' END",
            ),
            (
                "CASE WHEN a > 1 THEN 'x' END",
                "CASE WHEN A > 1 THEN 'x' END",
            ),
            ("a != b OR NOT c <> d", "A <> B OR NOT C <> D"),
            ("DATE '2020-01-01'", "DATE '2020-01-01'"),
            ("COUNT(*)", "COUNT(*)"),
            ("ts AT TIME ZONE 'UTC'", "TS AT TIME ZONE 'UTC'"),
        ] {
            assert_eq!(expr(text).to_string(), display, "{text}");
        }
    }

    #[test]
    fn concatenation_binds_looser_than_arithmetic() {
        let Expr::BinaryOp { op, right, .. } = expr("a || b + 1") else {
            panic!("not binary")
        };
        assert_eq!(op, BinaryOperator::StringConcat);
        assert!(matches!(
            *right,
            Expr::BinaryOp {
                op: BinaryOperator::Plus,
                ..
            }
        ));
        let Expr::BinaryOp { op, .. } = expr("a || b = c") else {
            panic!("not binary")
        };
        assert_eq!(op, BinaryOperator::Eq);
    }

    #[test]
    fn special_sqlparser_functions_are_plain_calls() {
        for text in [
            "SUBSTRING(s, 1, 2)",
            "TRIM(s)",
            "CEIL(x)",
            "FLOOR(x)",
            "POSITION(a, b)",
            "EXTRACTJSONFIELD(s, '$.a')",
            "REPLACE(s, 'a', 'b')",
        ] {
            assert!(matches!(expr(text), Expr::Function(_)), "{text}");
        }
        assert!(matches!(
            expr("TIMESTAMPADD(SECONDS, 1, ts)"),
            Expr::Function(_)
        ));
    }

    #[test]
    fn rejects_what_ksqldb_does_not_have() {
        for text in [
            "x::INT",
            "(a, b)",
            "a.b.c",
            "(SELECT 1)",
            "a IN (SELECT b FROM t)",
            "f(a := 1)",
            "LEFT(s, 1)",
            "EXISTS(a)",
            "COUNT(DISTINCT a)",
            "SUM(a) OVER ()",
            "[1, 2]",
            "INTERVAL '1' DAY",
            "x -> 1",
            "CAST(x AS NULL)",
            "MAP('a' = 1)",
            "FROM",
        ] {
            assert!(
                parse_expression(text).is_err(),
                "{text} parsed as {:?}",
                parse_expression(text)
            );
        }
        let err = parse_expression("(f2, f1)").unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 1:4: Syntax Error\nmissing ')' at ','"
        );
    }

    #[test]
    fn reserved_words_are_reserved_in_any_case() {
        assert!(
            is_reserved("select")
                && is_reserved("WITHIN")
                && !is_reserved("KEY")
                && !is_reserved("EMIT")
        );
    }
}
