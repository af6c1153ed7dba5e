//! The statements of ksqlDB's dialect as sluice parses them.
//!
//! Expressions are `sqlparser`'s `Expr` (ksqlDB's expression grammar is standard SQL plus
//! struct dereference `a->b` and lambdas `x => …`, both parsed by `KsqlDialect` into
//! `sqlparser` nodes; see `sql::dialect`). Every statement keeps its source text and the
//! position where it starts so that errors can point at it.

use datafusion::sql::sqlparser::ast::Expr;

use crate::catalog::types::SqlType;

/// A position in the statement text, 1-based as ksqlDB prints it (`line 2:74`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    pub line: u64,
    pub col: u64,
}

/// One parsed statement with its text.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedStatement {
    /// The statement's text as written, up to and including its `;`.
    pub text: String,
    pub pos: Pos,
    pub statement: Statement,
}

/// An identifier as written: unquoted ones are upper-cased by the parser, quoted ones
/// (`` `x` `` or `"x"`) keep their case.
pub type Name = String;

#[derive(Debug, Clone, PartialEq)]
pub enum Statement {
    /// CREATE [OR REPLACE] [SOURCE] STREAM|TABLE [IF NOT EXISTS] name (cols) WITH (…)
    CreateSource(CreateSource),
    /// CREATE [OR REPLACE] STREAM|TABLE [IF NOT EXISTS] name WITH (…) AS SELECT …
    CreateAsSelect(CreateAsSelect),
    /// INSERT INTO name [WITH (…)] SELECT …
    InsertInto {
        target: Name,
        properties: Properties,
        query: Box<Query>,
    },
    /// INSERT INTO name [(cols)] VALUES (exprs)
    InsertValues {
        target: Name,
        columns: Option<Vec<Name>>,
        values: Vec<Expr>,
    },
    /// A SELECT: a push query with EMIT CHANGES/FINAL, a pull query without.
    Select(Box<Query>),
    /// SHOW/LIST …
    Show(ShowTarget),
    /// DESCRIBE name [EXTENDED], DESCRIBE STREAMS|TABLES [EXTENDED], DESCRIBE FUNCTION f
    Describe(DescribeTarget),
    /// EXPLAIN statement | EXPLAIN query_id
    Explain(ExplainTarget),
    /// DROP STREAM|TABLE [IF EXISTS] name [DELETE TOPIC]
    DropSource {
        kind: SourceKind,
        name: Name,
        if_exists: bool,
        delete_topic: bool,
    },
    /// DROP TYPE [IF EXISTS] name
    DropType { name: Name, if_exists: bool },
    /// CREATE TYPE [IF NOT EXISTS] name AS type
    CreateType {
        name: Name,
        ty: SqlType,
        if_not_exists: bool,
    },
    /// TERMINATE query_id | TERMINATE ALL (None)
    Terminate { query_id: Option<String> },
    /// PAUSE query_id | PAUSE ALL (None)
    Pause { query_id: Option<String> },
    /// RESUME query_id | RESUME ALL (None)
    Resume { query_id: Option<String> },
    /// ASSERT [NOT EXISTS] TOPIC name [WITH (…)] [TIMEOUT n unit]
    AssertTopic {
        topic: Name,
        /// False for ASSERT NOT EXISTS.
        exists: bool,
        properties: Properties,
        timeout_ms: Option<i64>,
    },
    /// PRINT topic [FROM BEGINNING] [INTERVAL n] [LIMIT n]
    Print {
        topic: String,
        from_beginning: bool,
        interval: Option<u64>,
        limit: Option<u64>,
    },
    /// SET 'property' = 'value'
    Set { property: String, value: String },
    /// UNSET 'property'
    Unset { property: String },
    /// DEFINE name = 'value'
    Define { name: String, value: String },
    /// UNDEFINE name
    Undefine { name: String },
    /// RUN SCRIPT 'path'
    RunScript { path: String },
    /// ALTER STREAM|TABLE name ADD [COLUMN] col type, …
    AlterSource {
        kind: SourceKind,
        name: Name,
        columns: Vec<ColumnDef>,
    },
}

/// STREAM or TABLE.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SourceKind {
    Stream,
    Table,
}

/// WITH (name = value, …): names upper-cased, values as literals.
pub type Properties = Vec<(String, Literal)>;

/// A literal property value.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    String(String),
    /// A number as written (kept as text so that no precision is lost).
    Number(String),
    Boolean(bool),
    Null,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CreateSource {
    pub kind: SourceKind,
    pub name: Name,
    pub or_replace: bool,
    /// CREATE SOURCE STREAM/TABLE: read-only.
    pub is_source: bool,
    pub if_not_exists: bool,
    /// Empty when the statement lists no columns.
    pub columns: Vec<ColumnDef>,
    pub properties: Properties,
}

/// A column in CREATE STREAM/TABLE or ALTER.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnDef {
    pub name: Name,
    pub ty: SqlType,
    pub constraint: ColumnConstraint,
    pub pos: Pos,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnConstraint {
    None,
    /// KEY (streams)
    Key,
    /// PRIMARY KEY (tables)
    PrimaryKey,
    /// HEADERS
    Headers,
    /// HEADER('key')
    Header(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct CreateAsSelect {
    pub kind: SourceKind,
    pub name: Name,
    pub or_replace: bool,
    pub if_not_exists: bool,
    pub properties: Properties,
    pub query: Box<Query>,
}

/// SELECT … FROM … [WINDOW] [WHERE] [GROUP BY] [PARTITION BY] [HAVING] [EMIT] [LIMIT]
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub select: Vec<SelectItem>,
    pub from: Relation,
    pub window: Option<WindowSpec>,
    pub where_clause: Option<Expr>,
    pub group_by: Vec<Expr>,
    pub partition_by: Vec<Expr>,
    pub having: Option<Expr>,
    pub emit: Option<Emit>,
    pub limit: Option<u64>,
    /// Where SELECT starts.
    pub pos: Pos,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SelectItem {
    /// expr [AS alias]
    Expr { expr: Expr, alias: Option<Name> },
    /// *
    Wildcard,
    /// source.*
    QualifiedWildcard(Name),
    /// struct->*
    StructWildcard(Expr),
}

/// FROM source [AS alias] [JOIN …]*
#[derive(Debug, Clone, PartialEq)]
pub enum Relation {
    Source {
        name: Name,
        alias: Option<Name>,
        pos: Pos,
    },
    Join(Box<Join>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Join {
    pub left: Relation,
    pub right: Relation,
    pub kind: JoinKind,
    pub within: Option<JoinWindow>,
    pub on: Expr,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinKind {
    Inner,
    Left,
    Right,
    Full,
}

/// WITHIN n unit | WITHIN (before, after) [GRACE PERIOD g]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JoinWindow {
    pub before_ms: i64,
    pub after_ms: i64,
    pub grace_ms: Option<i64>,
}

/// WINDOW TUMBLING|HOPPING|SESSION (…)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowSpec {
    Tumbling {
        size_ms: i64,
        retention_ms: Option<i64>,
        grace_ms: Option<i64>,
    },
    Hopping {
        size_ms: i64,
        advance_ms: i64,
        retention_ms: Option<i64>,
        grace_ms: Option<i64>,
    },
    Session {
        gap_ms: i64,
        retention_ms: Option<i64>,
        grace_ms: Option<i64>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Emit {
    Changes,
    Final,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ShowTarget {
    Streams { extended: bool },
    Tables { extended: bool },
    Topics { all: bool, extended: bool },
    Queries { extended: bool },
    Properties,
    Functions,
    Types,
    Variables,
}

#[derive(Debug, Clone, PartialEq)]
pub enum DescribeTarget {
    Source {
        name: Name,
        extended: bool,
    },
    /// DESCRIBE STREAMS|TABLES [EXTENDED]
    AllSources {
        kind: SourceKind,
        extended: bool,
    },
    Function(Name),
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExplainTarget {
    Statement(Box<Statement>),
    QueryId(String),
}
