//! ksqlDB's type syntax → `SqlType`.
//!
//! Built-in names: `BOOLEAN`, `INT`/`INTEGER`, `BIGINT`, `DOUBLE`, `DECIMAL(p, s)`,
//! `VARCHAR`/`STRING`, `BYTES`, `TIMESTAMP`, `DATE`, `TIME`, `ARRAY<T>`, `MAP<K, V>`,
//! `STRUCT<name T, …>`. Any other identifier names a custom type from `CREATE TYPE`; as in
//! ksqlDB, it is resolved while parsing, through a `TypeLookup` (see
//! `parser::parse_with_types`), so the AST only ever holds resolved `SqlType`s.
//!
//! # CAST convention
//! `CAST(x AS t)` becomes `Expr::Cast` whose `data_type` is
//! `DataType::Custom(ObjectName([t]), [])`: one unquoted identifier whose text is the
//! resolved type in `SqlType`'s rendering (`ARRAY<INTEGER>`, ``STRUCT<`A` INTEGER>``,
//! `DECIMAL(4, 2)`), its span covering the type in the statement. `cast_target_type`
//! turns it back into the `SqlType`.

use datafusion::sql::sqlparser::ast::{DataType, Ident, ObjectName, ObjectNamePart};
use datafusion::sql::sqlparser::parser::Parser;
use datafusion::sql::sqlparser::tokenizer::{Span, Token};

use super::ast::Pos;
use super::dialect::{KsqlDialect, ident_name, is_reserved, tokenize};
use super::error::{ParseError, ParseResult, pos_of};
use crate::catalog::types::{SqlType, StructField};

/// Resolves a custom type name (as the parser cased it: `ADDRESS`, or `` `Address` ``
/// quoted) to its definition.
pub type TypeLookup<'a> = &'a dyn Fn(&str) -> Option<SqlType>;

/// How deep types may nest (`ARRAY<ARRAY<…>>`); deeper input is rejected, not a stack overflow.
const MAX_DEPTH: usize = 64;

/// Parses a whole type written in ksqlDB's syntax, built-in types only.
pub fn parse_type(text: &str) -> ParseResult<SqlType> {
    parse_type_with(text, &|_| None)
}

/// Parses a whole type, resolving custom type names with `lookup`.
pub(super) fn parse_type_with(text: &str, lookup: TypeLookup<'_>) -> ParseResult<SqlType> {
    let tokens = tokenize(text)?;
    let mut parser = Parser::new(&KsqlDialect).with_tokens_with_locations(tokens);
    let ty = parse_sql_type(&mut parser, lookup)?;
    let rest = parser.peek_token();
    match rest.token {
        Token::EOF => Ok(ty),
        other => Err(ParseError::mismatched(
            pos_of(rest.span.start),
            &other,
            "<EOF>",
        )),
    }
}

/// The `SqlType` a `CAST` converts to, from the `data_type` the parser gives `Expr::Cast`
/// (see the module doc).
pub fn cast_target_type(data_type: &DataType) -> ParseResult<SqlType> {
    if let DataType::Custom(ObjectName(parts), modifiers) = data_type
        && let ([ObjectNamePart::Identifier(ident)], []) = (parts.as_slice(), modifiers.as_slice())
    {
        return parse_type(&ident.value).map_err(|e| e.moved_to(pos_of(ident.span.start)));
    }
    Err(ParseError::Invalid {
        pos: Pos::default(),
        message: format!("Unsupported CAST target type: {data_type}"),
    })
}

/// The `data_type` of a `CAST` to `ty`; `span` covers the type in the statement.
pub(super) fn cast_data_type(ty: &SqlType, span: Span) -> DataType {
    DataType::Custom(
        ObjectName::from(vec![Ident {
            value: ty.to_string(),
            quote_style: None,
            span,
        }]),
        vec![],
    )
}

/// A lookup that accepts every name, to check the syntax of a type before custom
/// types are known.
pub(super) fn any_type(_: &str) -> Option<SqlType> {
    Some(SqlType::String)
}

/// Parses one type at the parser's position.
pub(super) fn parse_sql_type(parser: &mut Parser, lookup: TypeLookup<'_>) -> ParseResult<SqlType> {
    let mut types = TypeParser {
        parser,
        lookup,
        split_gt: false,
        depth: 0,
    };
    let ty = types.ty()?;
    if types.split_gt {
        // The second half of a `>>` that no type opened.
        let token = types.parser.get_current_token().clone();
        return Err(ParseError::mismatched(
            pos_of(token.span.start),
            &Token::Gt,
            "a type",
        ));
    }
    Ok(ty)
}

/// Recursive descent over type tokens.
struct TypeParser<'p, 'a, 'l> {
    parser: &'p mut Parser<'a>,
    lookup: TypeLookup<'l>,
    /// `>>` closed two type lists; the second `>` is still to be matched.
    split_gt: bool,
    depth: usize,
}

impl TypeParser<'_, '_, '_> {
    fn ty(&mut self) -> ParseResult<SqlType> {
        let token = self.parser.next_token();
        let pos = pos_of(token.span.start);
        let Token::Word(word) = &token.token else {
            return Err(ParseError::mismatched(pos, &token.token, "a type"));
        };
        if word.quote_style.is_none() {
            let builtin = match word.value.to_ascii_uppercase().as_str() {
                "BOOLEAN" => Some(SqlType::Boolean),
                "INT" | "INTEGER" => Some(SqlType::Int),
                "BIGINT" => Some(SqlType::Bigint),
                "DOUBLE" => Some(SqlType::Double),
                "VARCHAR" | "STRING" => Some(SqlType::String),
                "BYTES" => Some(SqlType::Bytes),
                "TIMESTAMP" => Some(SqlType::Timestamp),
                "DATE" => Some(SqlType::Date),
                "TIME" => Some(SqlType::Time),
                "DECIMAL" => Some(self.decimal(pos)?),
                "ARRAY" => Some(self.nested(pos, Self::array)?),
                "MAP" => Some(self.nested(pos, Self::map)?),
                "STRUCT" => Some(self.nested(pos, Self::struct_fields)?),
                _ if is_reserved(&word.value) => {
                    return Err(ParseError::mismatched(pos, &token.token, "a type"));
                }
                _ => None,
            };
            if let Some(ty) = builtin {
                return Ok(ty);
            }
        }
        let name = ident_name(&word.value, word.quote_style);
        (self.lookup)(&name).ok_or(ParseError::UnknownType { pos, name })
    }

    /// Runs `inner` one nesting level deeper.
    fn nested(
        &mut self,
        pos: Pos,
        inner: fn(&mut Self) -> ParseResult<SqlType>,
    ) -> ParseResult<SqlType> {
        if self.depth >= MAX_DEPTH {
            return Err(ParseError::Invalid {
                pos,
                message: format!("Type nested deeper than {MAX_DEPTH} levels"),
            });
        }
        self.depth += 1;
        let ty = inner(self);
        self.depth -= 1;
        ty
    }

    fn array(&mut self) -> ParseResult<SqlType> {
        self.expect(&Token::Lt, "'<'")?;
        let item = self.ty()?;
        self.expect_gt()?;
        Ok(SqlType::Array(Box::new(item)))
    }

    fn map(&mut self) -> ParseResult<SqlType> {
        self.expect(&Token::Lt, "'<'")?;
        let key = self.ty()?;
        self.expect(&Token::Comma, "','")?;
        let value = self.ty()?;
        self.expect_gt()?;
        Ok(SqlType::Map(Box::new(key), Box::new(value)))
    }

    fn struct_fields(&mut self) -> ParseResult<SqlType> {
        // `STRUCT<>` tokenizes as STRUCT and `<>`.
        if self.parser.consume_token(&Token::Neq) {
            return Ok(SqlType::Struct(vec![]));
        }
        self.expect(&Token::Lt, "'<'")?;
        let mut fields = vec![];
        if self.parser.peek_token_ref().token == Token::Gt {
            self.parser.next_token();
            return Ok(SqlType::Struct(fields));
        }
        loop {
            let token = self.parser.next_token();
            let Token::Word(word) = &token.token else {
                return Err(ParseError::mismatched(
                    pos_of(token.span.start),
                    &token.token,
                    "a field name",
                ));
            };
            let name = ident_name(&word.value, word.quote_style);
            fields.push(StructField {
                name,
                ty: self.ty()?,
            });
            if self.split_gt || self.parser.peek_token_ref().token != Token::Comma {
                break;
            }
            self.parser.next_token();
        }
        self.expect_gt()?;
        Ok(SqlType::Struct(fields))
    }

    /// `DECIMAL(precision, scale)`; ksqlDB requires both.
    fn decimal(&mut self, pos: Pos) -> ParseResult<SqlType> {
        self.expect(&Token::LParen, "'('")?;
        let precision = self.integer()?;
        self.expect(&Token::Comma, "','")?;
        let scale = self.integer()?;
        self.expect(&Token::RParen, "')'")?;
        let invalid = |message: &str| ParseError::Invalid {
            pos,
            message: message.to_string(),
        };
        if precision < 1 {
            return Err(invalid("DECIMAL precision must be >= 1"));
        }
        if scale > precision {
            return Err(invalid("DECIMAL precision must be >= scale"));
        }
        let precision =
            u8::try_from(precision).map_err(|_| invalid("DECIMAL precision must be <= 255"))?;
        let scale = i8::try_from(scale).map_err(|_| invalid("DECIMAL scale must be <= 127"))?;
        Ok(SqlType::Decimal(precision, scale))
    }

    fn integer(&mut self) -> ParseResult<u64> {
        let token = self.parser.next_token();
        let pos = pos_of(token.span.start);
        match &token.token {
            Token::Number(text, _) => text.parse().map_err(|_| ParseError::Invalid {
                pos,
                message: format!("Invalid integer: {text}"),
            }),
            other => Err(ParseError::mismatched(pos, other, "an integer")),
        }
    }

    fn expect(&mut self, expected: &Token, display: &str) -> ParseResult<()> {
        if self.split_gt {
            let pos = pos_of(self.parser.get_current_token().span.start);
            return Err(ParseError::mismatched(pos, &Token::Gt, display));
        }
        let token = self.parser.next_token();
        if token.token == *expected {
            Ok(())
        } else {
            Err(ParseError::mismatched(
                pos_of(token.span.start),
                &token.token,
                display,
            ))
        }
    }

    /// Closes a type list, splitting `>>` into two `>`.
    fn expect_gt(&mut self) -> ParseResult<()> {
        if self.split_gt {
            self.split_gt = false;
            return Ok(());
        }
        let token = self.parser.next_token();
        match token.token {
            Token::Gt => Ok(()),
            Token::ShiftRight => {
                self.split_gt = true;
                Ok(())
            }
            other => Err(ParseError::mismatched(
                pos_of(token.span.start),
                &other,
                "'>'",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(name: &str, ty: SqlType) -> StructField {
        StructField {
            name: name.into(),
            ty,
        }
    }

    #[test]
    fn parses_every_builtin() {
        for (text, ty) in [
            ("BOOLEAN", SqlType::Boolean),
            ("int", SqlType::Int),
            ("INTEGER", SqlType::Int),
            ("BIGINT", SqlType::Bigint),
            ("DOUBLE", SqlType::Double),
            ("DECIMAL(4, 2)", SqlType::Decimal(4, 2)),
            ("VARCHAR", SqlType::String),
            ("STRING", SqlType::String),
            ("BYTES", SqlType::Bytes),
            ("TIMESTAMP", SqlType::Timestamp),
            ("DATE", SqlType::Date),
            ("TIME", SqlType::Time),
        ] {
            assert_eq!(parse_type(text), Ok(ty), "{text}");
        }
    }

    #[test]
    fn parses_nested_types_and_splits_double_angle_brackets() {
        let ty = parse_type("MAP<STRING, ARRAY<STRUCT<a INT, `b` ARRAY<BIGINT>>>>").unwrap();
        let inner = SqlType::Struct(vec![
            field("A", SqlType::Int),
            field("b", SqlType::Array(Box::new(SqlType::Bigint))),
        ]);
        assert_eq!(
            ty,
            SqlType::Map(
                Box::new(SqlType::String),
                Box::new(SqlType::Array(Box::new(inner)))
            )
        );
        assert_eq!(parse_type("STRUCT<>"), Ok(SqlType::Struct(vec![])));
        assert_eq!(parse_type("STRUCT< >"), Ok(SqlType::Struct(vec![])));
    }

    #[test]
    fn renders_back_to_the_same_type() {
        let text = "STRUCT<`A` ARRAY<DECIMAL(10, 3)>, `b c` MAP<STRING, TIME>>";
        let ty = parse_type(text).unwrap();
        assert_eq!(ty.to_string(), text);
        assert_eq!(parse_type(&ty.to_string()), Ok(ty));
    }

    #[test]
    fn quoted_names_unescape_doubled_quotes() {
        let ty = parse_type("STRUCT<`a``b` INT, \"c\"\"d\" INT>").unwrap();
        let SqlType::Struct(fields) = ty else {
            panic!("not a struct")
        };
        let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["a`b", "c\"d"]);
    }

    #[test]
    fn resolves_custom_types() {
        let address = SqlType::Struct(vec![field("CITY", SqlType::String)]);
        let lookup = |name: &str| (name == "ADDRESS").then(|| address.clone());
        assert_eq!(
            parse_type_with("ARRAY<address>", &lookup),
            Ok(SqlType::Array(Box::new(address.clone())))
        );
        assert_eq!(
            parse_type_with("ARRAY<`address`>", &lookup),
            Err(ParseError::UnknownType {
                pos: Pos { line: 1, col: 7 },
                name: "address".into()
            })
        );
    }

    #[test]
    fn rejects_malformed_types() {
        for text in [
            "ARRAY<INT",
            "ARRAY<INT>>",
            "MAP<STRING>",
            "DECIMAL",
            "DECIMAL(4)",
            "NULL",
            "STRUCT<A>",
            "INT INT",
            "",
            "ARRAY<<INT>",
        ] {
            assert!(
                matches!(parse_type(text), Err(ParseError::Syntax { .. })),
                "{text}: {:?}",
                parse_type(text)
            );
        }
        assert_eq!(
            parse_type("DECIMAL(2, 3)").unwrap_err().to_string(),
            "Failed to prepare statement: line 1:1: DECIMAL precision must be >= scale"
        );
        assert!(matches!(
            parse_type("DECIMAL(0, 0)"),
            Err(ParseError::Invalid { .. })
        ));
        assert!(matches!(
            parse_type("DECIMAL(300, 2)"),
            Err(ParseError::Invalid { .. })
        ));
        assert!(matches!(
            parse_type("FOO"),
            Err(ParseError::UnknownType { .. })
        ));
    }

    #[test]
    fn deep_nesting_is_an_error() {
        let text = format!("{}INT{}", "ARRAY<".repeat(200), ">".repeat(200));
        assert!(matches!(parse_type(&text), Err(ParseError::Invalid { .. })));
    }

    #[test]
    fn cast_type_round_trips() {
        let ty = parse_type("STRUCT<A ARRAY<INT>>").unwrap();
        assert_eq!(
            cast_target_type(&cast_data_type(&ty, Span::empty())),
            Ok(ty)
        );
        assert!(cast_target_type(&DataType::Int(None)).is_err());
    }
}
