//! ksqlDB statements: a script of `;`-terminated statements → `ParsedStatement`s.
//!
//! The text is tokenized once by `sqlparser`'s tokenizer (comments, `--@` directives
//! included, are whitespace to it) and one `sqlparser` `Parser` walks all of it: the
//! statement grammar here drives it with keyword helpers and hands expressions to
//! `Parser::parse_subexpr`, finished by `expr::finish_expr`. Positions are 1-based
//! line/column in the whole script, as ksqlDB reports them. SELECT is in `query.rs`.
//!
//! Names: unquoted identifiers are upper-cased, quoted ones (`` `x` ``, `"x"`) keep their
//! case. Property names in `WITH (…)` are upper-cased whatever their quoting; `SET`/`UNSET`
//! properties, `DEFINE` names, `PRINT` topics and string values keep their case.
//!
//! Custom types: a type name that is not built in is looked up first among the
//! `CREATE TYPE`/`DROP TYPE` statements earlier in the same script, then through the
//! caller's `TypeLookup` (the catalog's registered types), as ksqlDB resolves types while
//! preparing each statement. An unknown name is a `ParseError::UnknownType`.
//!
//! Not part of ksqlDB's server grammar but accepted: `RUN SCRIPT` (a CLI command). The
//! test tool's `ASSERT VALUES|STREAM|TABLE` statements are refused, as ksqlDB's server
//! refuses them; `testing::sql_tests` handles them.

use std::collections::HashMap;

use datafusion::sql::sqlparser::ast::Expr;
use datafusion::sql::sqlparser::dialect::{Dialect, Precedence};
use datafusion::sql::sqlparser::parser::Parser;
use datafusion::sql::sqlparser::tokenizer::{Location, Token};

use super::ast::{
    ColumnConstraint, ColumnDef, CreateAsSelect, CreateSource, DescribeTarget, ExplainTarget,
    Literal, Name, ParsedStatement, Pos, Properties, ShowTarget, SourceKind, Statement,
};
use super::dialect::{KsqlDialect, ident_name, is_reserved, is_word, tokenize};
use super::error::{ParseError, ParseResult, pos_of};
use super::expr::finish_expr;
use super::types::{TypeLookup, parse_sql_type};
use crate::catalog::types::SqlType;

/// Parses a script of `;`-terminated statements; custom types may only come from
/// `CREATE TYPE` statements in the same script.
pub fn parse(sql: &str) -> ParseResult<Vec<ParsedStatement>> {
    parse_with_types(sql, &|_| None)
}

/// Parses a script, resolving custom type names the script does not define with `types`.
pub fn parse_with_types(sql: &str, types: TypeLookup<'_>) -> ParseResult<Vec<ParsedStatement>> {
    let mut parser = StatementParser::new(sql, types)?;
    let lines = LineIndex::new(sql);
    let mut statements = vec![];
    loop {
        // ksqlDB rejects empty statements; sluice skips them.
        while parser.p.consume_token(&Token::SemiColon) {}
        let start = parser.p.peek_token_ref().span.start;
        if parser.p.peek_token_ref().token == Token::EOF {
            break;
        }
        let statement = parser.statement()?;
        let end = parser.p.peek_token_ref().span.start;
        parser.expect(&Token::SemiColon, "';'")?;
        match &statement {
            Statement::CreateType { name, ty, .. } => {
                parser.script_types.insert(name.clone(), Some(ty.clone()));
            }
            Statement::DropType { name, .. } => {
                parser.script_types.insert(name.clone(), None);
            }
            _ => {}
        }
        statements.push(ParsedStatement {
            text: lines.slice(sql, start, end),
            pos: pos_of(start),
            statement,
        });
    }
    Ok(statements)
}

/// Parses one expression (ksqlDB's `singleExpression`), with built-in types only.
pub fn parse_expression(sql: &str) -> ParseResult<Expr> {
    let mut parser = StatementParser::new(sql, &|_| None)?;
    let expr = parser.expr()?;
    parser.expect(&Token::EOF, "<EOF>")?;
    Ok(expr)
}

/// Byte offsets of line starts, to cut statement text out at token locations.
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(sql: &str) -> Self {
        let starts = std::iter::once(0)
            .chain(sql.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { starts }
    }

    /// Byte offset of a 1-based line/column (columns count characters).
    fn offset(&self, sql: &str, at: Location) -> usize {
        let line_start = usize::try_from(at.line.saturating_sub(1))
            .ok()
            .and_then(|line| self.starts.get(line))
            .copied()
            .unwrap_or(sql.len());
        let col = usize::try_from(at.column.saturating_sub(1)).unwrap_or(usize::MAX);
        sql[line_start..]
            .char_indices()
            .nth(col)
            .map_or(sql.len(), |(i, _)| line_start + i)
    }

    /// From `start` up to and including the `;` at `semicolon`.
    fn slice(&self, sql: &str, start: Location, semicolon: Location) -> String {
        let from = self.offset(sql, start);
        let to = (self.offset(sql, semicolon) + 1).min(sql.len());
        sql.get(from..to).unwrap_or_default().to_string()
    }
}

/// Custom types: the script's own first, then the caller's.
fn script_lookup<'s>(
    script_types: &'s HashMap<String, Option<SqlType>>,
    types: TypeLookup<'s>,
) -> impl Fn(&str) -> Option<SqlType> + 's {
    move |name| match script_types.get(name) {
        Some(defined) => defined.clone(),
        None => types(name),
    }
}

/// The statement grammar over one `sqlparser` `Parser`.
pub(super) struct StatementParser<'a> {
    pub(super) p: Parser<'a>,
    types: TypeLookup<'a>,
    /// Types created (`Some`) or dropped (`None`) by earlier statements of the script.
    script_types: HashMap<String, Option<SqlType>>,
}

impl<'a> StatementParser<'a> {
    fn new(sql: &'a str, types: TypeLookup<'a>) -> ParseResult<Self> {
        let tokens = tokenize(sql)?;
        Ok(StatementParser {
            p: Parser::new(&KsqlDialect).with_tokens_with_locations(tokens),
            types,
            script_types: HashMap::new(),
        })
    }

    fn statement(&mut self) -> ParseResult<Statement> {
        let first = self.p.peek_token_ref().clone();
        let keyword = match &first.token {
            Token::Word(w) if w.quote_style.is_none() => w.value.to_ascii_uppercase(),
            _ => String::new(),
        };
        match keyword.as_str() {
            "SELECT" => Ok(Statement::Select(Box::new(self.query()?))),
            "CREATE" => self.create(),
            "INSERT" => self.insert(),
            "SHOW" | "LIST" => self.show(),
            "DESCRIBE" => self.describe(),
            "EXPLAIN" => self.explain(),
            "DROP" => self.drop(),
            "TERMINATE" | "PAUSE" | "RESUME" => self.query_control(&keyword),
            "PRINT" => self.print(),
            "SET" => self.set(),
            "UNSET" => {
                self.p.next_token();
                Ok(Statement::Unset {
                    property: self.string("a property name")?,
                })
            }
            "DEFINE" => self.define(),
            "UNDEFINE" => {
                self.p.next_token();
                Ok(Statement::Undefine {
                    name: self.variable_name()?,
                })
            }
            "RUN" => {
                self.p.next_token();
                self.expect_kw("SCRIPT")?;
                Ok(Statement::RunScript {
                    path: self.string("a script path")?,
                })
            }
            "ALTER" => self.alter(),
            "ASSERT" => self.assert(),
            _ => Err(ParseError::Syntax {
                pos: pos_of(first.span.start),
                detail: format!("Unknown statement '{}'", first.token),
            }),
        }
    }

    /// CREATE [OR REPLACE] [SOURCE] STREAM|TABLE … and CREATE TYPE.
    fn create(&mut self) -> ParseResult<Statement> {
        self.expect_kw("CREATE")?;
        let or_replace = self.eat_kw("OR");
        if or_replace {
            self.expect_kw("REPLACE")?;
        }
        if !or_replace && self.peek_kw("TYPE") {
            return self.create_type();
        }
        if (self.peek_kw("SOURCE") || self.peek_kw("SINK")) && self.peek_nth_kw(1, "CONNECTOR") {
            return Err(self.unsupported("CREATE CONNECTOR"));
        }
        let is_source = self.eat_kw("SOURCE");
        let kind = self.source_kind()?;
        let if_not_exists = self.eat_kws(&["IF", "NOT", "EXISTS"]);
        let (name, _) = self.name("a source name")?;
        let columns = if self.p.peek_token_ref().token == Token::LParen {
            self.column_defs()?
        } else {
            vec![]
        };
        let properties = self.with_properties()?;
        if !is_source && columns.is_empty() && self.eat_kw("AS") {
            let query = Box::new(self.query()?);
            return Ok(Statement::CreateAsSelect(CreateAsSelect {
                kind,
                name,
                or_replace,
                if_not_exists,
                properties,
                query,
            }));
        }
        Ok(Statement::CreateSource(CreateSource {
            kind,
            name,
            or_replace,
            is_source,
            if_not_exists,
            columns,
            properties,
        }))
    }

    /// CREATE TYPE [IF NOT EXISTS] name AS type
    fn create_type(&mut self) -> ParseResult<Statement> {
        self.expect_kw("TYPE")?;
        let if_not_exists = self.eat_kws(&["IF", "NOT", "EXISTS"]);
        let (name, _) = self.name("a type name")?;
        self.expect_kw("AS")?;
        let ty = self.sql_type()?;
        Ok(Statement::CreateType {
            name,
            ty,
            if_not_exists,
        })
    }

    /// `( column type [constraint], … )`
    fn column_defs(&mut self) -> ParseResult<Vec<ColumnDef>> {
        self.expect(&Token::LParen, "'('")?;
        let mut columns = vec![];
        loop {
            let (name, pos) = self.name("a column name")?;
            let ty = self.sql_type()?;
            let constraint = self.column_constraint()?;
            columns.push(ColumnDef {
                name,
                ty,
                constraint,
                pos,
            });
            if !self.eat(&Token::Comma) {
                break;
            }
        }
        self.expect(&Token::RParen, "{',', ')'}")?;
        Ok(columns)
    }

    fn column_constraint(&mut self) -> ParseResult<ColumnConstraint> {
        if self.eat_kws(&["PRIMARY", "KEY"]) {
            Ok(ColumnConstraint::PrimaryKey)
        } else if self.eat_kw("KEY") {
            Ok(ColumnConstraint::Key)
        } else if self.eat_kw("HEADERS") {
            Ok(ColumnConstraint::Headers)
        } else if self.eat_kw("HEADER") {
            self.expect(&Token::LParen, "'('")?;
            let key = self.string("a header key")?;
            self.expect(&Token::RParen, "')'")?;
            Ok(ColumnConstraint::Header(key))
        } else {
            Ok(ColumnConstraint::None)
        }
    }

    /// `[WITH (name = literal, …)]`
    pub(super) fn with_properties(&mut self) -> ParseResult<Properties> {
        if !self.eat_kw("WITH") {
            return Ok(vec![]);
        }
        self.expect(&Token::LParen, "'('")?;
        let mut properties = vec![];
        loop {
            let token = self.p.next_token();
            let name = match token.token {
                Token::Word(w) => w.value.to_uppercase(),
                Token::SingleQuotedString(s) => s.to_uppercase(),
                other => {
                    return Err(ParseError::mismatched(
                        pos_of(token.span.start),
                        &other,
                        "a property name",
                    ));
                }
            };
            self.expect(&Token::Eq, "'='")?;
            properties.push((name, self.literal()?));
            if !self.eat(&Token::Comma) {
                break;
            }
        }
        self.expect(&Token::RParen, "{',', ')'}")?;
        Ok(properties)
    }

    fn literal(&mut self) -> ParseResult<Literal> {
        let token = self.p.next_token();
        let pos = pos_of(token.span.start);
        match token.token {
            Token::SingleQuotedString(s) => Ok(Literal::String(s)),
            Token::Number(n, _) => Ok(Literal::Number(n)),
            Token::Minus => match self.p.next_token().token {
                Token::Number(n, _) => Ok(Literal::Number(format!("-{n}"))),
                other => Err(ParseError::mismatched(pos, &other, "a number")),
            },
            ref word if is_word(word, "TRUE") => Ok(Literal::Boolean(true)),
            ref word if is_word(word, "FALSE") => Ok(Literal::Boolean(false)),
            ref word if is_word(word, "NULL") => Ok(Literal::Null),
            other => Err(ParseError::mismatched(pos, &other, "a literal")),
        }
    }

    /// INSERT INTO name [(cols)] VALUES (…) | INSERT INTO name [WITH (…)] SELECT …
    fn insert(&mut self) -> ParseResult<Statement> {
        self.expect_kw("INSERT")?;
        self.expect_kw("INTO")?;
        let (target, _) = self.name("a source name")?;
        if self.p.peek_token_ref().token == Token::LParen || self.peek_kw("VALUES") {
            let (columns, values) = self.columns_and_values()?;
            return Ok(Statement::InsertValues {
                target,
                columns,
                values,
            });
        }
        let properties = self.with_properties()?;
        let query = Box::new(self.query()?);
        Ok(Statement::InsertInto {
            target,
            properties,
            query,
        })
    }

    /// `[(col, …)] VALUES (expr, …)`
    fn columns_and_values(&mut self) -> ParseResult<(Option<Vec<Name>>, Vec<Expr>)> {
        let columns = if self.eat(&Token::LParen) {
            let mut names = vec![];
            loop {
                names.push(self.name("a column name")?.0);
                if !self.eat(&Token::Comma) {
                    break;
                }
            }
            self.expect(&Token::RParen, "{',', ')'}")?;
            Some(names)
        } else {
            None
        };
        self.expect_kw("VALUES")?;
        self.expect(&Token::LParen, "'('")?;
        let mut values = vec![];
        if !self.eat(&Token::RParen) {
            loop {
                values.push(self.value_expr()?);
                if !self.eat(&Token::Comma) {
                    break;
                }
            }
            self.expect(&Token::RParen, "{',', ')'}")?;
        }
        Ok((columns, values))
    }

    /// SHOW | LIST …
    fn show(&mut self) -> ParseResult<Statement> {
        self.p.next_token();
        let target = if self.eat_kw("PROPERTIES") {
            ShowTarget::Properties
        } else if self.eat_kws(&["ALL", "TOPICS"]) {
            ShowTarget::Topics {
                all: true,
                extended: self.eat_kw("EXTENDED"),
            }
        } else if self.eat_kw("TOPICS") {
            ShowTarget::Topics {
                all: false,
                extended: self.eat_kw("EXTENDED"),
            }
        } else if self.eat_kw("STREAMS") {
            ShowTarget::Streams {
                extended: self.eat_kw("EXTENDED"),
            }
        } else if self.eat_kw("TABLES") {
            ShowTarget::Tables {
                extended: self.eat_kw("EXTENDED"),
            }
        } else if self.eat_kw("QUERIES") {
            ShowTarget::Queries {
                extended: self.eat_kw("EXTENDED"),
            }
        } else if self.eat_kw("FUNCTIONS") {
            ShowTarget::Functions
        } else if self.eat_kw("TYPES") {
            ShowTarget::Types
        } else if self.eat_kw("VARIABLES") {
            ShowTarget::Variables
        } else if ["SOURCE", "SINK", "CONNECTORS", "CONNECTOR"]
            .iter()
            .any(|kw| self.peek_kw(kw))
        {
            return Err(self.unsupported("SHOW CONNECTORS"));
        } else {
            return Err(self.mismatch(
                "{'PROPERTIES', 'ALL', 'TOPICS', 'STREAMS', 'TABLES', 'QUERIES', 'FUNCTIONS', 'TYPES', 'VARIABLES'}",
            ));
        };
        Ok(Statement::Show(target))
    }

    /// DESCRIBE name [EXTENDED] | DESCRIBE STREAMS|TABLES [EXTENDED] | DESCRIBE FUNCTION f
    fn describe(&mut self) -> ParseResult<Statement> {
        self.expect_kw("DESCRIBE")?;
        let target = if self.eat_kw("STREAMS") {
            DescribeTarget::AllSources {
                kind: SourceKind::Stream,
                extended: self.eat_kw("EXTENDED"),
            }
        } else if self.eat_kw("TABLES") {
            DescribeTarget::AllSources {
                kind: SourceKind::Table,
                extended: self.eat_kw("EXTENDED"),
            }
        } else if self.peek_kw("FUNCTION") && !self.peek_nth_is(1, &Token::SemiColon) {
            self.p.next_token();
            DescribeTarget::Function(self.name("a function name")?.0)
        } else if self.peek_kw("CONNECTOR") && !self.peek_nth_is(1, &Token::SemiColon) {
            return Err(self.unsupported("DESCRIBE CONNECTOR"));
        } else {
            let (name, _) = self.name("a source name")?;
            DescribeTarget::Source {
                name,
                extended: self.eat_kw("EXTENDED"),
            }
        };
        Ok(Statement::Describe(target))
    }

    /// EXPLAIN statement | EXPLAIN query_id
    fn explain(&mut self) -> ParseResult<Statement> {
        self.expect_kw("EXPLAIN")?;
        if self.peek_kw("EXPLAIN") {
            return Err(self.mismatch("a statement or query id"));
        }
        let single_word = matches!(self.p.peek_token_ref().token, Token::Word(_))
            && matches!(
                self.p.peek_nth_token_ref(1).token,
                Token::SemiColon | Token::EOF
            );
        if single_word {
            return Ok(Statement::Explain(ExplainTarget::QueryId(
                self.name("a query id")?.0,
            )));
        }
        Ok(Statement::Explain(ExplainTarget::Statement(Box::new(
            self.statement()?,
        ))))
    }

    /// DROP STREAM|TABLE [IF EXISTS] name [DELETE TOPIC] | DROP TYPE [IF EXISTS] name
    fn drop(&mut self) -> ParseResult<Statement> {
        self.expect_kw("DROP")?;
        if self.eat_kw("TYPE") {
            let if_exists = self.eat_kws(&["IF", "EXISTS"]);
            let (name, _) = self.name("a type name")?;
            return Ok(Statement::DropType { name, if_exists });
        }
        if self.peek_kw("CONNECTOR") {
            return Err(self.unsupported("DROP CONNECTOR"));
        }
        let kind = self.source_kind()?;
        let if_exists = self.eat_kws(&["IF", "EXISTS"]);
        let (name, _) = self.name("a source name")?;
        let delete_topic = self.eat_kws(&["DELETE", "TOPIC"]);
        Ok(Statement::DropSource {
            kind,
            name,
            if_exists,
            delete_topic,
        })
    }

    /// TERMINATE|PAUSE|RESUME query_id | ALL
    fn query_control(&mut self, keyword: &str) -> ParseResult<Statement> {
        self.p.next_token();
        let query_id = if self.eat_kw("ALL") {
            None
        } else {
            Some(self.name("a query id or ALL")?.0)
        };
        Ok(match keyword {
            "TERMINATE" => Statement::Terminate { query_id },
            "PAUSE" => Statement::Pause { query_id },
            _ => Statement::Resume { query_id },
        })
    }

    /// PRINT topic [FROM BEGINNING] [INTERVAL|SAMPLE n] [LIMIT n]
    fn print(&mut self) -> ParseResult<Statement> {
        self.expect_kw("PRINT")?;
        let token = self.p.next_token();
        let topic = match token.token {
            // ksqlDB: a topic name keeps its case, quoted or not.
            Token::SingleQuotedString(s) => s,
            Token::Word(w) => w.value,
            other => {
                return Err(ParseError::mismatched(
                    pos_of(token.span.start),
                    &other,
                    "a topic name",
                ));
            }
        };
        let from_beginning = self.eat_kws(&["FROM", "BEGINNING"]);
        let interval = if self.eat_kw("INTERVAL") || self.eat_kw("SAMPLE") {
            Some(self.integer()?)
        } else {
            None
        };
        let limit = if self.eat_kw("LIMIT") {
            Some(self.integer()?)
        } else {
            None
        };
        Ok(Statement::Print {
            topic,
            from_beginning,
            interval,
            limit,
        })
    }

    /// SET 'property' = 'value'
    fn set(&mut self) -> ParseResult<Statement> {
        self.expect_kw("SET")?;
        let property = self.string("a property name")?;
        self.expect(&Token::Eq, "'='")?;
        let value = self.string("a property value")?;
        Ok(Statement::Set { property, value })
    }

    /// DEFINE name = 'value'
    fn define(&mut self) -> ParseResult<Statement> {
        self.expect_kw("DEFINE")?;
        let name = self.variable_name()?;
        self.expect(&Token::Eq, "'='")?;
        let value = self.string("a variable value")?;
        Ok(Statement::Define { name, value })
    }

    /// A variable name, as written.
    fn variable_name(&mut self) -> ParseResult<String> {
        let token = self.p.next_token();
        match token.token {
            Token::Word(w) if w.quote_style.is_none() => Ok(w.value),
            other => Err(ParseError::mismatched(
                pos_of(token.span.start),
                &other,
                "a variable name",
            )),
        }
    }

    /// ALTER STREAM|TABLE name ADD [COLUMN] col type, …
    fn alter(&mut self) -> ParseResult<Statement> {
        self.expect_kw("ALTER")?;
        if self.peek_kw("SYSTEM") {
            return Err(self.unsupported("ALTER SYSTEM"));
        }
        let kind = self.source_kind()?;
        let (name, _) = self.name("a source name")?;
        let mut columns = vec![];
        loop {
            self.expect_kw("ADD")?;
            self.eat_kw("COLUMN");
            let (column, pos) = self.name("a column name")?;
            let ty = self.sql_type()?;
            columns.push(ColumnDef {
                name: column,
                ty,
                constraint: ColumnConstraint::None,
                pos,
            });
            if !self.eat(&Token::Comma) {
                break;
            }
        }
        Ok(Statement::AlterSource {
            kind,
            name,
            columns,
        })
    }

    /// ASSERT [NOT EXISTS] TOPIC name [WITH (…)] [TIMEOUT n unit]. ASSERT SCHEMA needs a
    /// Schema Registry, which sluice does not have; ksqlDB's server grammar has no other
    /// ASSERT.
    fn assert(&mut self) -> ParseResult<Statement> {
        self.expect_kw("ASSERT")?;
        let exists = !self.eat_kws(&["NOT", "EXISTS"]);
        if self.eat_kw("TOPIC") {
            let (topic, _) = self.name("a topic name")?;
            let properties = self.with_properties()?;
            let timeout_ms = match self.eat_kw("TIMEOUT") {
                true => Some(self.duration()?),
                false => None,
            };
            return Ok(Statement::AssertTopic {
                topic,
                exists,
                properties,
                timeout_ms,
            });
        }
        if self.peek_kw("SCHEMA") {
            return Err(self.unsupported("ASSERT SCHEMA (sluice has no Schema Registry)"));
        }
        Err(self.mismatch("{'TOPIC', 'SCHEMA', 'NOT'}"))
    }

    fn source_kind(&mut self) -> ParseResult<SourceKind> {
        if self.eat_kw("STREAM") {
            Ok(SourceKind::Stream)
        } else if self.eat_kw("TABLE") {
            Ok(SourceKind::Table)
        } else {
            Err(self.mismatch("{'STREAM', 'TABLE'}"))
        }
    }

    /// A type, custom names resolved through the script's and the caller's types.
    fn sql_type(&mut self) -> ParseResult<SqlType> {
        let lookup = script_lookup(&self.script_types, self.types);
        parse_sql_type(&mut self.p, &lookup)
    }

    /// A full expression (`booleanExpression`).
    pub(super) fn expr(&mut self) -> ParseResult<Expr> {
        self.expr_above(KsqlDialect.prec_unknown())
    }

    /// A `valueExpression`: no comparison, predicate or boolean operator at the top.
    pub(super) fn value_expr(&mut self) -> ParseResult<Expr> {
        self.expr_above(KsqlDialect.prec_value(Precedence::Eq))
    }

    fn expr_above(&mut self, precedence: u8) -> ParseResult<Expr> {
        let pos = self.peek_pos();
        let expr = self
            .p
            .parse_subexpr(precedence)
            .map_err(|e| ParseError::from_sqlparser(e, pos))?;
        let lookup = script_lookup(&self.script_types, self.types);
        finish_expr(expr, &lookup, pos)
    }

    /// An identifier naming a source, column, alias, type or query.
    pub(super) fn name(&mut self, expected: &str) -> ParseResult<(Name, Pos)> {
        let token = self.p.peek_token_ref().clone();
        let pos = pos_of(token.span.start);
        match &token.token {
            Token::Word(w) if w.quote_style.is_some() || !is_reserved(&w.value) => {
                self.p.next_token();
                Ok((ident_name(&w.value, w.quote_style), pos))
            }
            other => Err(ParseError::mismatched(pos, other, expected)),
        }
    }

    fn string(&mut self, expected: &str) -> ParseResult<String> {
        let token = self.p.next_token();
        match token.token {
            Token::SingleQuotedString(s) => Ok(s),
            other => Err(ParseError::mismatched(
                pos_of(token.span.start),
                &other,
                expected,
            )),
        }
    }

    /// A non-negative integer literal.
    pub(super) fn integer(&mut self) -> ParseResult<u64> {
        let token = self.p.next_token();
        let pos = pos_of(token.span.start);
        match &token.token {
            Token::Number(text, _) => text
                .parse()
                .map_err(|_| ParseError::mismatched(pos, &token.token, "an integer")),
            other => Err(ParseError::mismatched(pos, other, "an integer")),
        }
    }

    pub(super) fn peek_pos(&self) -> Pos {
        pos_of(self.p.peek_token_ref().span.start)
    }

    pub(super) fn peek_kw(&self, keyword: &str) -> bool {
        is_word(&self.p.peek_token_ref().token, keyword)
    }

    pub(super) fn peek_nth_kw(&self, n: usize, keyword: &str) -> bool {
        is_word(&self.p.peek_nth_token_ref(n).token, keyword)
    }

    pub(super) fn peek_nth_is(&self, n: usize, token: &Token) -> bool {
        self.p.peek_nth_token_ref(n).token == *token
    }

    pub(super) fn eat_kw(&mut self, keyword: &str) -> bool {
        let found = self.peek_kw(keyword);
        if found {
            self.p.next_token();
        }
        found
    }

    /// Consumes all of `keywords` if they come next, else nothing.
    pub(super) fn eat_kws(&mut self, keywords: &[&str]) -> bool {
        let found = keywords
            .iter()
            .enumerate()
            .all(|(n, kw)| self.peek_nth_kw(n, kw));
        if found {
            for _ in keywords {
                self.p.next_token();
            }
        }
        found
    }

    pub(super) fn expect_kw(&mut self, keyword: &str) -> ParseResult<()> {
        if self.eat_kw(keyword) {
            Ok(())
        } else {
            Err(self.mismatch(&format!("'{keyword}'")))
        }
    }

    pub(super) fn eat(&mut self, token: &Token) -> bool {
        self.p.consume_token(token)
    }

    pub(super) fn expect(&mut self, token: &Token, display: &str) -> ParseResult<()> {
        if self.eat(token) {
            Ok(())
        } else {
            Err(self.mismatch(display))
        }
    }

    /// `Syntax error at or near 'X' …; expecting …` at the next token.
    pub(super) fn mismatch(&self, expected: &str) -> ParseError {
        let next = self.p.peek_token_ref();
        ParseError::mismatched(pos_of(next.span.start), &next.token, expected)
    }

    fn unsupported(&self, what: &str) -> ParseError {
        ParseError::Unsupported {
            pos: self.peek_pos(),
            what: what.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::types::StructField;
    use crate::sql::ast::{Emit, Query, Relation, SelectItem};

    fn one(sql: &str) -> Statement {
        let mut parsed = parse(sql).unwrap_or_else(|e| panic!("{sql}\n{e}"));
        assert_eq!(parsed.len(), 1, "{sql}");
        parsed.remove(0).statement
    }

    fn err(sql: &str) -> ParseError {
        parse(sql).expect_err(sql)
    }

    fn column(name: &str, ty: SqlType, constraint: ColumnConstraint, col: u64) -> ColumnDef {
        ColumnDef {
            name: name.into(),
            ty,
            constraint,
            pos: Pos { line: 1, col },
        }
    }

    fn string(value: &str) -> Literal {
        Literal::String(value.into())
    }

    #[test]
    fn create_stream_with_columns_constraints_and_properties() {
        let sql = "CREATE STREAM s (id INT KEY, `Name` STRING, h ARRAY<STRUCT<KEY STRING, VALUE BYTES>> HEADERS, \
                   hk BYTES HEADER('k')) WITH (kafka_topic='t', \"Value_Format\"='JSON', partitions=4, \
                   wrap_single_value=false, x=-1.5, y=null);";
        let headers = SqlType::Array(Box::new(SqlType::Struct(vec![
            StructField {
                name: "KEY".into(),
                ty: SqlType::String,
            },
            StructField {
                name: "VALUE".into(),
                ty: SqlType::Bytes,
            },
        ])));
        let expected = CreateSource {
            kind: SourceKind::Stream,
            name: "S".into(),
            or_replace: false,
            is_source: false,
            if_not_exists: false,
            columns: vec![
                column("ID", SqlType::Int, ColumnConstraint::Key, 18),
                column("Name", SqlType::String, ColumnConstraint::None, 30),
                column("H", headers, ColumnConstraint::Headers, 45),
                column(
                    "HK",
                    SqlType::Bytes,
                    ColumnConstraint::Header("k".into()),
                    95,
                ),
            ],
            properties: vec![
                ("KAFKA_TOPIC".into(), string("t")),
                ("VALUE_FORMAT".into(), string("JSON")),
                ("PARTITIONS".into(), Literal::Number("4".into())),
                ("WRAP_SINGLE_VALUE".into(), Literal::Boolean(false)),
                ("X".into(), Literal::Number("-1.5".into())),
                ("Y".into(), Literal::Null),
            ],
        };
        assert_eq!(one(sql), Statement::CreateSource(expected));
    }

    #[test]
    fn create_table_variants() {
        let Statement::CreateSource(table) = one(
            "create or replace source table if not exists `t` (k STRING PRIMARY KEY) with (kafka_topic='t');",
        ) else {
            panic!("not a CREATE TABLE");
        };
        assert_eq!(
            (
                table.kind,
                table.name.as_str(),
                table.or_replace,
                table.is_source,
                table.if_not_exists
            ),
            (SourceKind::Table, "t", true, true, true)
        );
        assert_eq!(table.columns[0].constraint, ColumnConstraint::PrimaryKey);
        let Statement::CreateSource(bare) =
            one("CREATE TABLE t WITH (kafka_topic='t', format='AVRO');")
        else {
            panic!("not a CREATE TABLE");
        };
        assert!(bare.columns.is_empty());
    }

    #[test]
    fn create_as_select() {
        let Statement::CreateAsSelect(csas) =
            one("CREATE STREAM out WITH (kafka_topic='o') AS SELECT * FROM s EMIT CHANGES;")
        else {
            panic!("not CSAS");
        };
        assert_eq!((csas.kind, csas.name.as_str()), (SourceKind::Stream, "OUT"));
        assert_eq!(csas.properties, vec![("KAFKA_TOPIC".into(), string("o"))]);
        assert_eq!(csas.query.select, vec![SelectItem::Wildcard]);
        let Statement::CreateAsSelect(ctas) = one(
            "CREATE OR REPLACE TABLE IF NOT EXISTS agg AS SELECT id, COUNT(*) FROM s GROUP BY id;",
        ) else {
            panic!("not CTAS");
        };
        assert_eq!(
            (ctas.kind, ctas.or_replace, ctas.if_not_exists),
            (SourceKind::Table, true, true)
        );
        assert!(matches!(
            err("CREATE SOURCE TABLE t AS SELECT * FROM s;"),
            ParseError::Syntax { .. }
        ));
        assert!(matches!(
            err("CREATE STREAM t (a INT) AS SELECT * FROM s;"),
            ParseError::Syntax { .. }
        ));
    }

    #[test]
    fn insert_statements() {
        let Statement::InsertInto {
            target,
            properties,
            query,
        } = one("INSERT INTO out WITH (QUERY_ID='q1') SELECT * FROM s;")
        else {
            panic!("not INSERT INTO");
        };
        assert_eq!(
            (target.as_str(), properties),
            ("OUT", vec![("QUERY_ID".into(), string("q1"))])
        );
        assert_eq!(
            query.from,
            Relation::Source {
                name: "S".into(),
                alias: None,
                pos: Pos { line: 1, col: 52 }
            }
        );
        assert_eq!(
            one("INSERT INTO s (rowtime, id, `v`) VALUES (1, 'a', ARRAY[1]);").to_string_for_test(),
            "InsertValues S [ROWTIME, ID, v] [1, 'a', ARRAY[1]]"
        );
        assert_eq!(
            one("INSERT INTO s VALUES ();").to_string_for_test(),
            "InsertValues S - []"
        );
    }

    #[test]
    fn show_and_list() {
        for (sql, target) in [
            ("SHOW STREAMS;", ShowTarget::Streams { extended: false }),
            (
                "list streams extended;",
                ShowTarget::Streams { extended: true },
            ),
            ("SHOW TABLES;", ShowTarget::Tables { extended: false }),
            (
                "SHOW TOPICS;",
                ShowTarget::Topics {
                    all: false,
                    extended: false,
                },
            ),
            (
                "SHOW ALL TOPICS EXTENDED;",
                ShowTarget::Topics {
                    all: true,
                    extended: true,
                },
            ),
            (
                "SHOW QUERIES EXTENDED;",
                ShowTarget::Queries { extended: true },
            ),
            ("SHOW PROPERTIES;", ShowTarget::Properties),
            ("SHOW FUNCTIONS;", ShowTarget::Functions),
            ("LIST TYPES;", ShowTarget::Types),
            ("SHOW VARIABLES;", ShowTarget::Variables),
        ] {
            assert_eq!(one(sql), Statement::Show(target), "{sql}");
        }
        assert!(matches!(
            err("SHOW CONNECTORS;"),
            ParseError::Unsupported { .. }
        ));
        assert!(matches!(err("SHOW FOO;"), ParseError::Syntax { .. }));
    }

    #[test]
    fn describe_and_explain() {
        assert_eq!(
            one("DESCRIBE s EXTENDED;"),
            Statement::Describe(DescribeTarget::Source {
                name: "S".into(),
                extended: true
            })
        );
        assert_eq!(
            one("DESCRIBE `s`;"),
            Statement::Describe(DescribeTarget::Source {
                name: "s".into(),
                extended: false
            })
        );
        assert_eq!(
            one("DESCRIBE STREAMS EXTENDED;"),
            Statement::Describe(DescribeTarget::AllSources {
                kind: SourceKind::Stream,
                extended: true
            })
        );
        assert_eq!(
            one("DESCRIBE TABLES;"),
            Statement::Describe(DescribeTarget::AllSources {
                kind: SourceKind::Table,
                extended: false
            })
        );
        assert_eq!(
            one("DESCRIBE FUNCTION concat;"),
            Statement::Describe(DescribeTarget::Function("CONCAT".into()))
        );
        assert_eq!(
            one("EXPLAIN csas_out_1;"),
            Statement::Explain(ExplainTarget::QueryId("CSAS_OUT_1".into()))
        );
        let Statement::Explain(ExplainTarget::Statement(inner)) =
            one("EXPLAIN SELECT * FROM s EMIT CHANGES;")
        else {
            panic!("not EXPLAIN statement");
        };
        assert!(matches!(*inner, Statement::Select(_)));
        assert!(
            err("EXPLAIN EXPLAIN x;")
                .to_string()
                .contains("Syntax error at or near 'EXPLAIN'")
        );
    }

    #[test]
    fn drop_and_types() {
        assert_eq!(
            one("DROP STREAM IF EXISTS s DELETE TOPIC;"),
            Statement::DropSource {
                kind: SourceKind::Stream,
                name: "S".into(),
                if_exists: true,
                delete_topic: true
            }
        );
        assert_eq!(
            one("DROP TABLE t;"),
            Statement::DropSource {
                kind: SourceKind::Table,
                name: "T".into(),
                if_exists: false,
                delete_topic: false
            }
        );
        assert_eq!(
            one("DROP TYPE IF EXISTS addr;"),
            Statement::DropType {
                name: "ADDR".into(),
                if_exists: true
            }
        );
        let address = SqlType::Struct(vec![StructField {
            name: "CITY".into(),
            ty: SqlType::String,
        }]);
        assert_eq!(
            one("CREATE TYPE IF NOT EXISTS address AS STRUCT<city STRING>;"),
            Statement::CreateType {
                name: "ADDRESS".into(),
                ty: address.clone(),
                if_not_exists: true
            }
        );
    }

    #[test]
    fn custom_types_resolve_from_the_script_then_the_caller() {
        let address = SqlType::Struct(vec![StructField {
            name: "CITY".into(),
            ty: SqlType::String,
        }]);
        let parsed = parse(
            "CREATE TYPE address AS STRUCT<city STRING>;\n\
             CREATE STREAM s (a ADDRESS, b ARRAY<Address>) WITH (kafka_topic='s');\n\
             SELECT CAST(x AS address) FROM s;",
        )
        .unwrap();
        let Statement::CreateSource(stream) = &parsed[1].statement else {
            panic!("not CREATE STREAM")
        };
        assert_eq!(stream.columns[0].ty, address);
        assert_eq!(
            stream.columns[1].ty,
            SqlType::Array(Box::new(address.clone()))
        );
        let Statement::Select(query) = &parsed[2].statement else {
            panic!("not SELECT")
        };
        let SelectItem::Expr {
            expr: Expr::Cast { data_type, .. },
            ..
        } = &query.select[0]
        else {
            panic!("not CAST")
        };
        assert_eq!(
            crate::sql::types::cast_target_type(data_type),
            Ok(address.clone())
        );

        let dropped = err(
            "CREATE TYPE a AS INT;\nDROP TYPE a;\nCREATE STREAM s (x a) WITH (kafka_topic='s');",
        );
        assert_eq!(
            dropped.to_string(),
            "line 3:20: Cannot resolve unknown type: A"
        );
        let registered = |name: &str| (name == "ADDRESS").then(|| address.clone());
        let parsed = parse_with_types(
            "CREATE STREAM s (a address) WITH (kafka_topic='s');",
            &registered,
        )
        .unwrap();
        let Statement::CreateSource(stream) = &parsed[0].statement else {
            panic!("not CREATE STREAM")
        };
        assert_eq!(stream.columns[0].ty, address);
        assert!(matches!(
            err("SELECT CAST(x AS nope) FROM s;"),
            ParseError::UnknownType { .. }
        ));
    }

    #[test]
    fn query_control_statements() {
        assert_eq!(
            one("TERMINATE csas_x_1;"),
            Statement::Terminate {
                query_id: Some("CSAS_X_1".into())
            }
        );
        assert_eq!(
            one("TERMINATE ALL;"),
            Statement::Terminate { query_id: None }
        );
        assert_eq!(
            one("PAUSE `q`;"),
            Statement::Pause {
                query_id: Some("q".into())
            }
        );
        assert_eq!(one("RESUME ALL;"), Statement::Resume { query_id: None });
    }

    #[test]
    fn print_statements() {
        assert_eq!(
            one("PRINT 'my-topic' FROM BEGINNING INTERVAL 2 LIMIT 10;"),
            Statement::Print {
                topic: "my-topic".into(),
                from_beginning: true,
                interval: Some(2),
                limit: Some(10)
            }
        );
        assert_eq!(
            one("PRINT myTopic SAMPLE 3;"),
            Statement::Print {
                topic: "myTopic".into(),
                from_beginning: false,
                interval: Some(3),
                limit: None
            }
        );
    }

    #[test]
    fn session_statements() {
        assert_eq!(
            one("SET 'auto.offset.reset' = 'Earliest';"),
            Statement::Set {
                property: "auto.offset.reset".into(),
                value: "Earliest".into()
            }
        );
        assert_eq!(
            one("UNSET 'auto.offset.reset';"),
            Statement::Unset {
                property: "auto.offset.reset".into()
            }
        );
        assert_eq!(
            one("DEFINE myVar = 'x';"),
            Statement::Define {
                name: "myVar".into(),
                value: "x".into()
            }
        );
        assert_eq!(
            one("UNDEFINE myVar;"),
            Statement::Undefine {
                name: "myVar".into()
            }
        );
        assert_eq!(
            one("RUN SCRIPT '/a/b.sql';"),
            Statement::RunScript {
                path: "/a/b.sql".into()
            }
        );
    }

    #[test]
    fn alter_adds_columns() {
        assert_eq!(
            one("ALTER STREAM s ADD COLUMN c1 INT, ADD c2 ARRAY<STRING>;"),
            Statement::AlterSource {
                kind: SourceKind::Stream,
                name: "S".into(),
                columns: vec![
                    column("C1", SqlType::Int, ColumnConstraint::None, 27),
                    column(
                        "C2",
                        SqlType::Array(Box::new(SqlType::String)),
                        ColumnConstraint::None,
                        39
                    ),
                ],
            }
        );
    }

    #[test]
    fn unsupported_statements_say_so() {
        for sql in [
            "CREATE SOURCE CONNECTOR c WITH ('a'='b');",
            "ALTER SYSTEM 'a'='b';",
            "ASSERT SCHEMA SUBJECT s;",
            "DROP CONNECTOR c;",
            "DESCRIBE CONNECTOR c;",
        ] {
            assert!(matches!(err(sql), ParseError::Unsupported { .. }), "{sql}");
        }
    }

    #[test]
    fn statements_keep_text_and_position() {
        let sql = "-- a comment\n--@test: directive\n  SHOW STREAMS ;\n/* block\n */ SELECT a\n  FROM s\n  EMIT CHANGES;SHOW TABLES;;\n";
        let parsed = parse(sql).unwrap();
        let summary: Vec<(&str, Pos)> = parsed.iter().map(|p| (p.text.as_str(), p.pos)).collect();
        assert_eq!(
            summary,
            vec![
                ("SHOW STREAMS ;", Pos { line: 3, col: 3 }),
                (
                    "SELECT a\n  FROM s\n  EMIT CHANGES;",
                    Pos { line: 5, col: 5 }
                ),
                ("SHOW TABLES;", Pos { line: 7, col: 16 }),
            ]
        );
        let Statement::Select(query) = &parsed[1].statement else {
            panic!("not SELECT")
        };
        assert_eq!(query.pos, Pos { line: 5, col: 5 });
        assert_eq!(
            query.from,
            Relation::Source {
                name: "S".into(),
                alias: None,
                pos: Pos { line: 6, col: 8 }
            }
        );
        assert_eq!(query.emit, Some(Emit::Changes));
        let unicode = parse("SELECT 'é' FROM s;\nSHOW TABLES;").unwrap();
        assert_eq!(unicode[0].text, "SELECT 'é' FROM s;");
        assert_eq!(unicode[1].text, "SHOW TABLES;");
        assert!(parse("  -- nothing\n").unwrap().is_empty());
    }

    #[test]
    fn errors_point_where_ksqldb_does() {
        let statements = [
            "CREATE STREAM TEST (ID INT KEY, f1 INT, f2 INT, f3 INT) WITH (kafka_topic='test_topic', value_format='JSON');",
            "CREATE TABLE OUTPUT AS SELECT f1, f2, COUNT(*) FROM TEST GROUP BY f3, (f2, f1);",
        ];
        assert_eq!(
            err(&statements.join("\n")).to_string(),
            "line 2:74: Syntax Error\nmissing ')' at ','"
        );
        assert_eq!(
            err("SHOW STREAMS").to_string(),
            "line 1:13: Syntax Error\nSyntax error at or near '<EOF>' at line 1:13; expecting ';'"
        );
        assert_eq!(
            err("FOO BAR;").to_string(),
            "line 1:1: Syntax Error\nUnknown statement 'FOO'"
        );
        assert_eq!(
            err("ASSERT VALUES foo (id INT) VALUES (123);").to_string(),
            "line 1:8: Syntax Error\nSyntax error at or near 'VALUES' at line 1:8; expecting {'TOPIC', 'SCHEMA', 'NOT'}"
        );
        assert_eq!(
            err("CREATE STREAM OUTPUT AS SELECT ID, cast(f0 as NULL) FROM TEST;").to_string(),
            "line 1:47: Syntax Error\nSyntax error at or near 'NULL' at line 1:47; expecting a type"
        );
        assert!(
            err("CREATE TABLE OUTPUT AS SELECT COUNT(*) FROM TEST GROUP BY DATA AND ID;")
                .to_string()
                .contains("Syntax Error")
        );
        assert!(
            err("CREATE STREAM INPUT (K INT KEY, COL0 NULL) WITH (kafka_topic='t');")
                .to_string()
                .contains("Syntax Error")
        );
        assert_eq!(err("SELECT 'abc FROM s;").pos(), Pos { line: 1, col: 8 });
        assert_eq!(
            err("CREATE STREAM OUTPUT AS select K, id, 9223372036854775808 FROM INPUT;")
                .to_string(),
            "Failed to prepare statement: line 1:40: Invalid numeric literal: 9223372036854775808"
        );
    }

    #[test]
    fn never_panics_on_truncated_or_garbage_input() {
        let statements = [
            "CREATE STREAM s (id INT KEY, a ARRAY<STRUCT<b MAP<STRING, DECIMAL(4,2)>>>) WITH (kafka_topic='t');",
            "CREATE TABLE t AS SELECT a->b[1], MAP('k' := x), STRUCT(A := 1), CAST(x AS ARRAY<INT>), \
             TRANSFORM(arr, (k, v) => k || v) AS y FROM s WINDOW HOPPING (SIZE 1 HOUR, ADVANCE BY 5 MINUTES, \
             RETENTION 2 DAYS, GRACE PERIOD 1 SECOND) WHERE a IS NOT DISTINCT FROM b GROUP BY (a, b) \
             HAVING COUNT(*) > 1 EMIT FINAL LIMIT 3;",
            "SELECT * FROM a LEFT OUTER JOIN b WITHIN (1 SECOND, 2 SECONDS) GRACE PERIOD 3 SECONDS ON a.k = b.k;",
            "PRINT 'x' FROM BEGINNING; SET 'a'='b'; DEFINE v = 'x'; EXPLAIN q;",
        ];
        for sql in statements {
            for (end, _) in sql.char_indices() {
                let _ = parse(&sql[..end]);
            }
        }
        for garbage in [
            "",
            ";",
            "((((",
            "))))",
            "'",
            "`",
            "\"",
            "->",
            "=>",
            "SELECT",
            "SELECT * FROM",
            "CREATE",
            "a->*",
            "\u{0}",
            "ARRAY<",
        ] {
            let _ = parse(garbage);
            let _ = parse_expression(garbage);
        }
        let deep = format!("SELECT {}1{} FROM s;", "(".repeat(5000), ")".repeat(5000));
        assert!(parse(&deep).is_err());
        let deep_type = format!(
            "CREATE STREAM s (a {}INT{});",
            "ARRAY<".repeat(5000),
            ">".repeat(5000)
        );
        assert!(parse(&deep_type).is_err());
        let deep_minus = format!("SELECT {}1 FROM s;", "- ".repeat(5000));
        assert!(parse(&deep_minus).is_err());
    }

    /// A compact rendering of INSERT VALUES for assertions.
    trait ForTest {
        fn to_string_for_test(&self) -> String;
    }

    impl ForTest for Statement {
        fn to_string_for_test(&self) -> String {
            match self {
                Statement::InsertValues {
                    target,
                    columns,
                    values,
                } => {
                    let columns = columns
                        .as_ref()
                        .map_or("-".to_string(), |c| format!("[{}]", c.join(", ")));
                    let values: Vec<String> = values.iter().map(ToString::to_string).collect();
                    format!("InsertValues {target} {columns} [{}]", values.join(", "))
                }
                other => format!("{other:?}"),
            }
        }
    }

    #[test]
    fn pull_queries_have_no_emit() {
        let Statement::Select(query) = one("SELECT * FROM t WHERE k = 'a' LIMIT 1;") else {
            panic!("not SELECT")
        };
        let Query {
            emit,
            limit,
            where_clause,
            ..
        } = *query;
        assert_eq!((emit, limit), (None, Some(1)));
        assert_eq!(where_clause.map(|w| w.to_string()), Some("K = 'a'".into()));
    }
}
