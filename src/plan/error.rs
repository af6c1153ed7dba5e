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
    /// A query reads a stream or table that does not exist.
    #[error("Exception while preparing statement: {name} does not exist.")]
    UnknownSource { name: String },
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

    /// ksqlDB's message for a persistent query whose projection leaves out expressions that
    /// make up the result's key: `kind` is `grouping` or `partitioning`, `missing` the
    /// expressions as ksqlDB prints them (at least one).
    pub fn key_expressions_not_projected(sink: &str, kind: &str, missing: &[String]) -> Self {
        let message = match missing {
            [one] => format!(
                "The query used to build `{sink}` must include the {kind} expression {one} in its projection (eg, SELECT {one}...)."
            ),
            [init @ .., last] => format!(
                "The query used to build `{sink}` must include the {kind} expressions {} and {last} in its projection (eg, SELECT {}...).",
                init.join(", "),
                missing.join(", ")
            ),
            [] => format!("The query used to build `{sink}` must include its {kind} expressions."),
        };
        PlanError::Invalid(message)
    }
}
