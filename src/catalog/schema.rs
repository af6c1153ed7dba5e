//! The logical schema of a stream or table: key, value and header columns in order.

use std::fmt;

use super::types::SqlType;

/// Where a column's data lives in a record.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ColumnKind {
    /// Part of the record key (`KEY` on a stream, `PRIMARY KEY` on a table).
    Key,
    /// Part of the record value.
    Value,
    /// All headers (`HEADERS`), or the last header with one key (`HEADER('k')`).
    Header(Option<String>),
}

/// A named, typed column.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Column {
    pub name: String,
    pub ty: SqlType,
    pub kind: ColumnKind,
}

impl Column {
    pub fn key(name: impl Into<String>, ty: SqlType) -> Self {
        Column {
            name: name.into(),
            ty,
            kind: ColumnKind::Key,
        }
    }

    pub fn value(name: impl Into<String>, ty: SqlType) -> Self {
        Column {
            name: name.into(),
            ty,
            kind: ColumnKind::Value,
        }
    }
}

/// The columns of a source, keys first as ksqlDB orders them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LogicalSchema {
    pub columns: Vec<Column>,
}

impl LogicalSchema {
    pub fn new(columns: Vec<Column>) -> Self {
        LogicalSchema { columns }
    }

    pub fn key_columns(&self) -> impl Iterator<Item = &Column> {
        self.columns.iter().filter(|c| c.kind == ColumnKind::Key)
    }

    pub fn value_columns(&self) -> impl Iterator<Item = &Column> {
        self.columns.iter().filter(|c| c.kind == ColumnKind::Value)
    }

    pub fn header_columns(&self) -> impl Iterator<Item = &Column> {
        self.columns
            .iter()
            .filter(|c| matches!(c.kind, ColumnKind::Header(_)))
    }

    /// The column with this name (names are compared exactly; unquoted names are already
    /// upper-cased by the parser).
    pub fn find(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}

/// Renders as ksqlDB's schema text: ``ID BIGINT KEY, NAME STRING``.
impl fmt::Display for LogicalSchema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, c) in self.columns.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "`{}` {}", c.name, c.ty)?;
            match &c.kind {
                ColumnKind::Key => f.write_str(" KEY")?,
                ColumnKind::Value => {}
                ColumnKind::Header(None) => f.write_str(" HEADERS")?,
                ColumnKind::Header(Some(k)) => write!(f, " HEADER('{k}')")?,
            }
        }
        Ok(())
    }
}
