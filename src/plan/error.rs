//! Errors found while analysing a statement, worded as ksqlDB words them.

use crate::sql::ast::Pos;

/// A statement that cannot run as written. Every variant is a user error unless it says
/// otherwise; nothing in the catalog or the log has changed when one is returned.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("{}{clause} column '{name}' cannot be resolved.", at(.pos))]
    UnknownColumn {
        clause: &'static str,
        name: String,
        pos: Option<Pos>,
    },
    #[error("{kind} {name} does not exist.")]
    UnknownSource { kind: &'static str, name: String },
    #[error("Cannot add {kind} '{name}': A {existing} with the same name already exists")]
    SourceExists {
        kind: &'static str,
        existing: &'static str,
        name: String,
    },
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Unsupported(String),
    /// DataFusion rejected an expression (a type mismatch, an unknown function, …).
    #[error("{0}")]
    Expression(String),
    /// A bug in sluice: the message asks for a report.
    #[error("Internal error (please report it): {0}")]
    Internal(String),
}

pub type PlanResult<T> = Result<T, PlanError>;

/// ksqlDB's `Line: L, Col: C: ` prefix of a located error, or nothing.
fn at(pos: &Option<Pos>) -> String {
    pos.map(|p| format!("Line: {}, Col: {}: ", p.line, p.col))
        .unwrap_or_default()
}

impl PlanError {
    pub fn invalid(message: impl Into<String>) -> Self {
        PlanError::Invalid(message.into())
    }
}
