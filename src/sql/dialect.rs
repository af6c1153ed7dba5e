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
use datafusion::sql::sqlparser::tokenizer::{Location, Span, Token, TokenWithSpan, Word};

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
    let upper = word.to_ascii_uppercase();
    RESERVED.binary_search(&upper.as_str()).is_ok()
}

/// True unless `word`, unquoted, is a reserved word that cannot begin an expression.
fn starts_expression(word: &str) -> bool {
    // Literals and expression keywords, and window units, which ksqlDB accepts as
    // function arguments (`TIMESTAMPADD(SECONDS, 1, ts)`).
    const ALLOWED: &[&str] = &[
        "CASE",
        "CAST",
        "DAYS",
        "EXISTS",
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
        .map(|t| t.token.to_string())
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
