//! Parse errors, rendered the way ksqlDB renders them: `line 2:74: Syntax Error` and a detail
//! line (`Syntax error at or near 'FOO' at line 1:8`, `missing ')' at ','`); where sluice
//! knows what was expected instead, it says so after the position.
//!
//! Errors from `sqlparser` (the expression grammar) arrive as text ending in
//! ` at Line: L, Column: C`; `from_sqlparser` turns them into the same shape.

use datafusion::sql::sqlparser::parser::ParserError;
use datafusion::sql::sqlparser::tokenizer::{Location, Token, TokenizerError};

use super::ast::Pos;

/// Why a statement could not be parsed; every variant knows where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The text does not follow the grammar.
    #[error("line {}:{}: Syntax Error\n{detail}", pos.line, pos.col)]
    Syntax { pos: Pos, detail: String },
    /// Well-formed, but a value is out of range (`Invalid numeric literal: …`,
    /// `DECIMAL precision must be >= 1`, a window size that overflows). ksqlDB finds these
    /// while preparing the parsed statement, and says so.
    #[error("Failed to prepare statement: line {}:{}: {message}", pos.line, pos.col)]
    Invalid { pos: Pos, message: String },
    /// As `Invalid`, for the checks ksqlDB reports without a position (a LIMIT that is not
    /// an integer); `pos` is still where the problem is.
    #[error("Failed to prepare statement: {message}")]
    Unplaced { pos: Pos, message: String },
    /// A type name that is neither built in nor registered with CREATE TYPE.
    #[error("line {}:{}: Cannot resolve unknown type: {name}", pos.line, pos.col)]
    UnknownType { pos: Pos, name: String },
    /// Valid ksqlDB that sluice does not implement (connectors, ASSERT TOPIC, ALTER SYSTEM).
    #[error("line {}:{}: {what} is not supported", pos.line, pos.col)]
    Unsupported { pos: Pos, what: String },
}

/// Result of parsing.
pub type ParseResult<T> = Result<T, ParseError>;

impl ParseError {
    /// Where the error is.
    pub fn pos(&self) -> Pos {
        match self {
            ParseError::Syntax { pos, .. }
            | ParseError::Invalid { pos, .. }
            | ParseError::Unplaced { pos, .. }
            | ParseError::UnknownType { pos, .. }
            | ParseError::Unsupported { pos, .. } => *pos,
        }
    }

    /// A token where another was expected: `Syntax error at or near 'X' at line L:C`, as
    /// ksqlDB words it, then what was expected.
    pub(super) fn mismatched(pos: Pos, found: &Token, expected: &str) -> Self {
        ParseError::Syntax {
            pos,
            detail: near(pos, &quote_token(found), expected),
        }
    }

    /// Converts an error of `sqlparser`'s expression parser; `fallback` is used when the
    /// error carries no location.
    pub(super) fn from_sqlparser(err: ParserError, fallback: Pos) -> Self {
        match err {
            ParserError::RecursionLimitExceeded => ParseError::Invalid {
                pos: fallback,
                message: "Expression nested too deeply".to_string(),
            },
            ParserError::TokenizerError(text) | ParserError::ParserError(text) => {
                let (message, pos) = split_location(&text);
                let pos = pos.unwrap_or(fallback);
                let detail = match message
                    .strip_prefix("Expected: ")
                    .and_then(|m| m.split_once(", found: "))
                {
                    Some((expected, found)) => {
                        let found = if found == "EOF" {
                            "'<EOF>'".to_string()
                        } else {
                            format!("'{found}'")
                        };
                        near(pos, &found, expected)
                    }
                    None => message.to_string(),
                };
                ParseError::Syntax { pos, detail }
            }
        }
    }

    /// The same error as `sqlparser` text, for errors raised inside `KsqlDialect` hooks;
    /// `from_sqlparser` reads it back as a syntax error with the same position and text.
    pub(super) fn into_sqlparser(self) -> ParserError {
        let pos = self.pos();
        let detail = match self {
            ParseError::Syntax { detail, .. } => detail,
            ParseError::Invalid { message, .. } | ParseError::Unplaced { message, .. } => message,
            // Display is `line L:C: message`.
            other => {
                let text = other.to_string();
                text.split_once(": ")
                    .map_or(text.clone(), |(_, message)| message.to_string())
            }
        };
        ParserError::ParserError(format!("{detail}{}", Location::new(pos.line, pos.col)))
    }

    /// The same error at another position.
    pub(super) fn moved_to(mut self, to: Pos) -> Self {
        match &mut self {
            ParseError::Syntax { pos, .. }
            | ParseError::Invalid { pos, .. }
            | ParseError::Unplaced { pos, .. }
            | ParseError::UnknownType { pos, .. }
            | ParseError::Unsupported { pos, .. } => *pos = to,
        }
        self
    }

    pub(super) fn from_tokenizer(err: TokenizerError) -> Self {
        ParseError::Syntax {
            pos: pos_of(err.location),
            detail: err.message,
        }
    }
}

/// The 1-based position of a `sqlparser` location.
pub(super) fn pos_of(location: Location) -> Pos {
    Pos {
        line: location.line,
        col: location.column,
    }
}

/// `Syntax error at or near 'X' at line L:C; expecting Y`.
fn near(pos: Pos, found: &str, expected: &str) -> String {
    format!(
        "Syntax error at or near {found} at line {}:{}; expecting {expected}",
        pos.line, pos.col
    )
}

/// A token as ANTLR quotes it in messages: `'FROM'`, `'<EOF>'`.
pub(super) fn quote_token(token: &Token) -> String {
    match token {
        Token::EOF => "'<EOF>'".to_string(),
        other => format!("'{other}'"),
    }
}

/// Splits `"… at Line: 3, Column: 7"` into the message and its position.
fn split_location(text: &str) -> (&str, Option<Pos>) {
    let Some(at) = text.rfind(" at Line: ") else {
        return (text, None);
    };
    let rest = &text[at + " at Line: ".len()..];
    let parsed = rest.split_once(", Column: ").and_then(|(line, col)| {
        Some(Pos {
            line: line.trim().parse().ok()?,
            col: col.trim().parse().ok()?,
        })
    });
    match parsed {
        Some(pos) => (&text[..at], Some(pos)),
        None => (text, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_like_ksqldb() {
        let err = ParseError::Syntax {
            pos: Pos { line: 2, col: 74 },
            detail: "missing ')' at ','".into(),
        };
        assert_eq!(
            err.to_string(),
            "line 2:74: Syntax Error\nmissing ')' at ','"
        );
        let err = ParseError::UnknownType {
            pos: Pos { line: 1, col: 3 },
            name: "ADDR".into(),
        };
        assert_eq!(
            err.to_string(),
            "line 1:3: Cannot resolve unknown type: ADDR"
        );
    }

    #[test]
    fn converts_sqlparser_expectations() {
        let err = ParserError::ParserError(
            "Expected: an expression, found: FROM at Line: 3, Column: 9".into(),
        );
        let err = ParseError::from_sqlparser(err, Pos::default());
        assert_eq!(err.pos(), Pos { line: 3, col: 9 });
        assert_eq!(
            err.to_string(),
            "line 3:9: Syntax Error\nSyntax error at or near 'FROM' at line 3:9; expecting an expression"
        );
    }

    #[test]
    fn round_trips_through_sqlparser() {
        let err = ParseError::Syntax {
            pos: Pos { line: 4, col: 2 },
            detail: "missing ')' at ','".into(),
        };
        assert_eq!(
            ParseError::from_sqlparser(err.clone().into_sqlparser(), Pos::default()),
            err
        );
        let err = ParseError::UnknownType {
            pos: Pos { line: 1, col: 5 },
            name: "X".into(),
        };
        let back = ParseError::from_sqlparser(err.into_sqlparser(), Pos::default());
        assert_eq!(
            back.to_string(),
            "line 1:5: Syntax Error\nCannot resolve unknown type: X"
        );
    }

    #[test]
    fn keeps_a_message_without_location() {
        let err = ParseError::from_sqlparser(
            ParserError::ParserError("odd".into()),
            Pos { line: 1, col: 1 },
        );
        assert_eq!(
            err,
            ParseError::Syntax {
                pos: Pos { line: 1, col: 1 },
                detail: "odd".into()
            }
        );
    }
}
