//! The SELECT grammar (ksqlDB's `query` rule):
//!
//! `SELECT items FROM relation [WINDOW w] [WHERE e] [GROUP BY es] [PARTITION BY es]
//! [HAVING e] [EMIT CHANGES|FINAL] [LIMIT n]`, clauses in that order, with joins
//! `[INNER|LEFT [OUTER]|RIGHT [OUTER]|FULL [OUTER]] JOIN s [WITHIN …] ON e` and windows
//! `TUMBLING|HOPPING|SESSION (…)`. Durations (`10 SECONDS`) become milliseconds.

use datafusion::sql::sqlparser::ast::Expr;
use datafusion::sql::sqlparser::tokenizer::Token;

use super::ast::{
    Emit, Join, JoinKind, JoinWindow, Name, Pos, Query, Relation, SelectItem, WindowSpec,
};
use super::dialect::{ident_name, is_reserved, is_word, tokens_ahead};
use super::error::{ParseError, ParseResult, pos_of};
use super::parser::StatementParser;

impl StatementParser<'_> {
    /// SELECT … up to (not including) the `;`.
    pub(super) fn query(&mut self) -> ParseResult<Query> {
        let pos = self.peek_pos();
        self.expect_kw("SELECT")?;
        let mut select = vec![self.select_item()?];
        while self.eat(&Token::Comma) {
            select.push(self.select_item()?);
        }
        self.expect_kw("FROM")?;
        let from = self.relation()?;
        let window = if self.eat_kw("WINDOW") {
            Some(self.window()?)
        } else {
            None
        };
        let where_clause = if self.eat_kw("WHERE") {
            Some(self.expr()?)
        } else {
            None
        };
        let group_by = if self.eat_kws(&["GROUP", "BY"]) {
            self.grouping()?
        } else {
            vec![]
        };
        let partition_by = if self.eat_kws(&["PARTITION", "BY"]) {
            self.grouping()?
        } else {
            vec![]
        };
        let having = if self.eat_kw("HAVING") {
            Some(self.expr()?)
        } else {
            None
        };
        let emit = if self.eat_kw("EMIT") {
            if self.eat_kw("CHANGES") {
                Some(Emit::Changes)
            } else if self.eat_kw("FINAL") {
                Some(Emit::Final)
            } else {
                return Err(self.mismatch("{'CHANGES', 'FINAL'}"));
            }
        } else {
            None
        };
        let limit = if self.eat_kw("LIMIT") {
            Some(self.limit(emit.is_none())?)
        } else {
            None
        };
        Ok(Query {
            select,
            from,
            window,
            where_clause,
            group_by,
            partition_by,
            having,
            emit,
            limit,
            pos,
        })
    }

    /// The `n` of `LIMIT n`. ksqlDB's grammar takes any number and rejects the wrong
    /// ones while preparing the statement; the messages are ksqlDB's.
    fn limit(&mut self, pull: bool) -> ParseResult<u64> {
        let pos = self.peek_pos();
        let negative = self.eat(&Token::Minus);
        let token = self.p.next_token();
        let Token::Number(text, _) = &token.token else {
            return Err(ParseError::mismatched(
                pos_of(token.span.start),
                &token.token,
                "an integer",
            ));
        };
        let invalid = |message: &str| ParseError::Invalid {
            pos,
            message: message.to_string(),
        };
        if text.contains(['.', 'e', 'E']) {
            return Err(ParseError::Unplaced {
                pos,
                message: "Value must be integer for command: LIMIT".into(),
            });
        }
        if negative && text.bytes().any(|b| b != b'0') {
            return Err(invalid(if pull {
                "Pull queries don't support negative integers in the LIMIT clause. See https://cnfl.io/queries for more info."
            } else {
                "LIMIT must not be negative"
            }));
        }
        text.parse()
            .map_err(|_| invalid(&format!("Invalid numeric literal: {text}")))
    }

    /// `*` | `src.*` | `expr->*` | `expr [[AS] alias]`
    fn select_item(&mut self) -> ParseResult<SelectItem> {
        if self.eat(&Token::Mul) {
            return Ok(SelectItem::Wildcard);
        }
        if let Token::Word(w) = &self.p.peek_token_ref().token
            && self.peek_nth_is(1, &Token::Period)
            && self.peek_nth_is(2, &Token::Mul)
        {
            let source = ident_name(&w.value, w.quote_style);
            for _ in 0..3 {
                self.p.next_token();
            }
            return Ok(SelectItem::QualifiedWildcard(source));
        }
        let expr = self.expr()?;
        if self.peek_nth_is(0, &Token::Arrow) && self.peek_nth_is(1, &Token::Mul) {
            self.p.next_token();
            self.p.next_token();
            return Ok(SelectItem::StructWildcard(expr));
        }
        let alias = self.alias()?;
        Ok(SelectItem::Expr { expr, alias })
    }

    /// `[[AS] alias]`
    fn alias(&mut self) -> ParseResult<Option<Name>> {
        let token = &self.p.peek_token_ref().token;
        // Without AS, any identifier but a reserved word; PARTITION and EMIT are not
        // reserved in ksqlDB, but start clauses here.
        let implicit = match token {
            Token::Word(w) => {
                w.quote_style.is_some()
                    || !(is_reserved(&w.value)
                        || is_word(token, "PARTITION")
                        || is_word(token, "EMIT"))
            }
            _ => false,
        };
        if self.eat_kw("AS") || implicit {
            Ok(Some(self.name("an alias")?.0))
        } else {
            Ok(None)
        }
    }

    /// `source [[AS] alias] ([kind] JOIN source [[AS] alias] [WITHIN …] ON expr)*`
    fn relation(&mut self) -> ParseResult<Relation> {
        let mut relation = self.aliased_source()?;
        while let Some(kind) = self.join_kind()? {
            let right = self.aliased_source()?;
            let within = if self.eat_kw("WITHIN") {
                Some(self.join_window()?)
            } else {
                None
            };
            self.expect_kw("ON")?;
            let on = self.expr()?;
            relation = Relation::Join(Box::new(Join {
                left: relation,
                right,
                kind,
                within,
                on,
            }));
        }
        Ok(relation)
    }

    fn aliased_source(&mut self) -> ParseResult<Relation> {
        let (name, pos) = self.name("a source name")?;
        let alias = self.alias()?;
        Ok(Relation::Source { name, alias, pos })
    }

    /// The join type and JOIN, if a join comes next.
    fn join_kind(&mut self) -> ParseResult<Option<JoinKind>> {
        let kind = if self.eat_kw("JOIN") {
            return Ok(Some(JoinKind::Inner));
        } else if self.eat_kw("INNER") {
            JoinKind::Inner
        } else if self.eat_kw("LEFT") {
            self.eat_kw("OUTER");
            JoinKind::Left
        } else if self.eat_kw("RIGHT") {
            self.eat_kw("OUTER");
            JoinKind::Right
        } else if self.eat_kw("FULL") {
            self.eat_kw("OUTER");
            JoinKind::Full
        } else {
            return Ok(None);
        };
        self.expect_kw("JOIN")?;
        Ok(Some(kind))
    }

    /// `n unit | (n unit, n unit)`, then `[GRACE PERIOD n unit]`.
    fn join_window(&mut self) -> ParseResult<JoinWindow> {
        let (before_ms, after_ms) = if self.eat(&Token::LParen) {
            let before = self.duration()?;
            self.expect(&Token::Comma, "','")?;
            let after = self.duration()?;
            self.expect(&Token::RParen, "')'")?;
            (before, after)
        } else {
            let size = self.duration()?;
            (size, size)
        };
        let grace_ms = if self.eat_kws(&["GRACE", "PERIOD"]) {
            Some(self.duration()?)
        } else {
            None
        };
        Ok(JoinWindow {
            before_ms,
            after_ms,
            grace_ms,
        })
    }

    /// `[name] TUMBLING (…) | HOPPING (…) | SESSION (…)`
    fn window(&mut self) -> ParseResult<WindowSpec> {
        let kinds = ["TUMBLING", "HOPPING", "SESSION"];
        if !kinds.iter().any(|kind| self.peek_kw(kind))
            && kinds.iter().any(|kind| self.peek_nth_kw(1, kind))
        {
            // ksqlDB accepts a window name here and ignores it.
            self.p.next_token();
        }
        let spec = if self.eat_kw("TUMBLING") {
            self.expect(&Token::LParen, "'('")?;
            self.expect_kw("SIZE")?;
            let size_ms = self.duration()?;
            let (retention_ms, grace_ms) = self.window_options()?;
            WindowSpec::Tumbling {
                size_ms,
                retention_ms,
                grace_ms,
            }
        } else if self.eat_kw("HOPPING") {
            self.expect(&Token::LParen, "'('")?;
            self.expect_kw("SIZE")?;
            let size_ms = self.duration()?;
            self.expect(&Token::Comma, "','")?;
            self.expect_kw("ADVANCE")?;
            self.expect_kw("BY")?;
            let advance_ms = self.duration()?;
            let (retention_ms, grace_ms) = self.window_options()?;
            WindowSpec::Hopping {
                size_ms,
                advance_ms,
                retention_ms,
                grace_ms,
            }
        } else if self.eat_kw("SESSION") {
            self.expect(&Token::LParen, "'('")?;
            let gap_ms = self.duration()?;
            let (retention_ms, grace_ms) = self.window_options()?;
            WindowSpec::Session {
                gap_ms,
                retention_ms,
                grace_ms,
            }
        } else {
            return Err(self.mismatch("{'TUMBLING', 'HOPPING', 'SESSION'}"));
        };
        Ok(spec)
    }

    /// `[, RETENTION n unit] [, GRACE PERIOD n unit] )`
    fn window_options(&mut self) -> ParseResult<(Option<i64>, Option<i64>)> {
        let (mut retention, mut grace) = (None, None);
        while self.eat(&Token::Comma) {
            if retention.is_none() && grace.is_none() && self.eat_kw("RETENTION") {
                retention = Some(self.duration()?);
            } else if grace.is_none() && self.eat_kws(&["GRACE", "PERIOD"]) {
                grace = Some(self.duration()?);
            } else {
                return Err(self.mismatch("{'RETENTION', 'GRACE'}"));
            }
        }
        self.expect(&Token::RParen, "{',', ')'}")?;
        Ok((retention, grace))
    }

    /// `n unit` in milliseconds; units MILLISECOND(S) to DAY(S).
    pub(super) fn duration(&mut self) -> ParseResult<i64> {
        let pos = self.peek_pos();
        let amount = self.integer()?;
        let token = self.p.next_token();
        let unit_ms: i64 = match &token.token {
            Token::Word(w) if w.quote_style.is_none() => {
                match w.value.to_ascii_uppercase().as_str() {
                    "MILLISECOND" | "MILLISECONDS" => 1,
                    "SECOND" | "SECONDS" => 1_000,
                    "MINUTE" | "MINUTES" => 60_000,
                    "HOUR" | "HOURS" => 3_600_000,
                    "DAY" | "DAYS" => 86_400_000,
                    _ => return Err(unit_expected(&token.token, pos_of(token.span.start))),
                }
            }
            other => return Err(unit_expected(other, pos_of(token.span.start))),
        };
        i64::try_from(amount)
            .ok()
            .and_then(|amount| amount.checked_mul(unit_ms))
            .ok_or_else(|| ParseError::Invalid {
                pos,
                message: format!("Duration too large: {amount} {}", token.token),
            })
    }

    /// GROUP BY / PARTITION BY: `e, …` or `(e, …)`. In the second form ksqlDB allows value
    /// expressions, or one parenthesized expression of any kind (`(NAME IS NULL)`); any
    /// expression is accepted here.
    fn grouping(&mut self) -> ParseResult<Vec<Expr>> {
        if self.peek_nth_is(0, &Token::LParen) && self.parenthesized_list_ahead() {
            self.p.next_token();
            let mut exprs = vec![];
            if !self.eat(&Token::RParen) {
                loop {
                    exprs.push(self.expr()?);
                    if !self.eat(&Token::Comma) {
                        break;
                    }
                }
                self.expect(&Token::RParen, "{',', ')'}")?;
            }
            return Ok(exprs);
        }
        let mut exprs = vec![self.value_expr()?];
        while self.eat(&Token::Comma) {
            exprs.push(self.value_expr()?);
        }
        Ok(exprs)
    }

    /// True if the `(` ahead closes right before the end of the grouping clause, so it
    /// wraps the whole list rather than starting its first expression.
    fn parenthesized_list_ahead(&self) -> bool {
        let mut depth = 0usize;
        let mut tokens = tokens_ahead(&self.p);
        while let Some(token) = tokens.next() {
            match token {
                Token::LParen => depth += 1,
                Token::RParen => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        let after = tokens.next().unwrap_or(&Token::EOF);
                        return matches!(after, Token::SemiColon | Token::EOF)
                            || ["PARTITION", "HAVING", "EMIT", "LIMIT"]
                                .iter()
                                .any(|kw| is_word(after, kw));
                    }
                }
                Token::EOF | Token::SemiColon => return false,
                _ => {}
            }
        }
        false
    }
}

fn unit_expected(found: &Token, pos: Pos) -> ParseError {
    ParseError::mismatched(
        pos,
        found,
        "{'MILLISECOND', 'SECOND', 'MINUTE', 'HOUR', 'DAY', …S}",
    )
}

#[cfg(test)]
mod tests {
    use datafusion::sql::sqlparser::ast::Ident;

    use super::*;
    use crate::sql::ast::Statement;
    use crate::sql::parser::parse;

    fn query(sql: &str) -> Query {
        match parse(sql)
            .unwrap_or_else(|e| panic!("{sql}\n{e}"))
            .remove(0)
            .statement
        {
            Statement::Select(query) => *query,
            Statement::CreateAsSelect(create) => *create.query,
            other => panic!("not a query: {other:?}"),
        }
    }

    fn source(name: &str, alias: Option<&str>, col: u64) -> Relation {
        Relation::Source {
            name: name.into(),
            alias: alias.map(Into::into),
            pos: Pos { line: 1, col },
        }
    }

    #[test]
    fn select_items_of_every_kind() {
        let q =
            query("SELECT *, s.*, `t`.*, a->b->*, x AS `Alias`, y z, 1 + 2 \"w\", f(x) FROM s;");
        let shown: Vec<String> = q
            .select
            .iter()
            .map(|item| match item {
                SelectItem::Wildcard => "*".into(),
                SelectItem::QualifiedWildcard(source) => format!("{source}.*"),
                SelectItem::StructWildcard(expr) => format!("{expr}->*"),
                SelectItem::Expr { expr, alias } => format!("{expr} AS {alias:?}"),
            })
            .collect();
        assert_eq!(
            shown,
            [
                "*",
                "S.*",
                "t.*",
                "A.B->*",
                "X AS Some(\"Alias\")",
                "Y AS Some(\"Z\")",
                "1 + 2 AS Some(\"w\")",
                "F(X) AS None",
            ]
        );
        assert_eq!(q.pos, Pos { line: 1, col: 1 });
    }

    #[test]
    fn joins_of_every_kind() {
        let q = query(
            "SELECT * FROM a AS x JOIN b ON x.k = b.k INNER JOIN c ON c.k = x.k \
             LEFT JOIN d WITHIN 10 SECONDS ON d.k = x.k LEFT OUTER JOIN e ON e.k = x.k \
             RIGHT JOIN f ON f.k = x.k RIGHT OUTER JOIN g ON g.k = x.k \
             FULL JOIN h WITHIN (1 MINUTE, 2 HOURS) GRACE PERIOD 3 MILLISECONDS ON h.k = x.k \
             FULL OUTER JOIN i i2 WITHIN 1 DAY GRACE PERIOD 1 SECOND ON i2.k = x.k EMIT CHANGES;",
        );
        let mut joins = vec![];
        let mut relation = &q.from;
        while let Relation::Join(join) = relation {
            joins.push(join);
            relation = &join.left;
        }
        assert_eq!(relation, &source("A", Some("X"), 15));
        joins.reverse();
        let kinds: Vec<JoinKind> = joins.iter().map(|j| j.kind).collect();
        use JoinKind::{Full, Inner, Left, Right};
        assert_eq!(kinds, [Inner, Inner, Left, Left, Right, Right, Full, Full]);
        assert_eq!(
            joins[2].within,
            Some(JoinWindow {
                before_ms: 10_000,
                after_ms: 10_000,
                grace_ms: None
            })
        );
        assert_eq!(
            joins[6].within,
            Some(JoinWindow {
                before_ms: 60_000,
                after_ms: 7_200_000,
                grace_ms: Some(3)
            })
        );
        assert_eq!(
            joins[7].within,
            Some(JoinWindow {
                before_ms: 86_400_000,
                after_ms: 86_400_000,
                grace_ms: Some(1_000)
            })
        );
        let Relation::Source { alias, .. } = &joins[7].right else {
            panic!("not a source")
        };
        assert_eq!(alias.as_deref(), Some("I2"));
        assert_eq!(joins[0].on.to_string(), "X.K = B.K");
    }

    #[test]
    fn windows_of_every_kind() {
        let window =
            |w: &str| query(&format!("SELECT COUNT(*) FROM s WINDOW {w} GROUP BY k;")).window;
        assert_eq!(
            window("TUMBLING (SIZE 30 SECONDS)"),
            Some(WindowSpec::Tumbling {
                size_ms: 30_000,
                retention_ms: None,
                grace_ms: None
            })
        );
        assert_eq!(
            window("TUMBLING (SIZE 1 MILLISECOND, RETENTION 2 DAYS, GRACE PERIOD 0 SECONDS)"),
            Some(WindowSpec::Tumbling {
                size_ms: 1,
                retention_ms: Some(172_800_000),
                grace_ms: Some(0)
            })
        );
        assert_eq!(
            window("HOPPING(SIZE 4 SECOND, ADVANCE BY 1 SECONDS, GRACE PERIOD 1 HOUR)"),
            Some(WindowSpec::Hopping {
                size_ms: 4_000,
                advance_ms: 1_000,
                retention_ms: None,
                grace_ms: Some(3_600_000)
            })
        );
        assert_eq!(
            window("SESSION (5 MINUTES, RETENTION 1 DAY)"),
            Some(WindowSpec::Session {
                gap_ms: 300_000,
                retention_ms: Some(86_400_000),
                grace_ms: None
            })
        );
        assert_eq!(
            window("w SESSION (5 MILLISECONDS)"),
            Some(WindowSpec::Session {
                gap_ms: 5,
                retention_ms: None,
                grace_ms: None
            })
        );
        for bad in [
            "TUMBLING (30 SECONDS)",
            "TUMBLING (SIZE 30 BOBS)",
            "TUMBLING (SIZE 1 SECOND, GRACE PERIOD 1 SECOND, RETENTION 1 DAY)",
            "HOPPING (SIZE 1 SECOND)",
            "SLIDING (SIZE 1 SECOND)",
        ] {
            assert!(
                parse(&format!("SELECT * FROM s WINDOW {bad};")).is_err(),
                "{bad}"
            );
        }
        let err =
            parse("SELECT * FROM s WINDOW TUMBLING (SIZE 9223372036854775807 DAYS);").unwrap_err();
        assert!(matches!(err, ParseError::Invalid { .. }), "{err}");
    }

    #[test]
    fn clauses_in_order() {
        let q = query(
            "SELECT k, COUNT(*) FROM s src WHERE a > 1 AND b IS NULL GROUP BY k, f(x) \
             HAVING COUNT(*) > 2 EMIT FINAL LIMIT 10;",
        );
        assert_eq!(q.from, source("S", Some("SRC"), 25));
        assert_eq!(
            q.where_clause.map(|e| e.to_string()).as_deref(),
            Some("A > 1 AND B IS NULL")
        );
        assert_eq!(
            q.group_by
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            ["K", "F(X)"]
        );
        assert_eq!(
            q.having.map(|e| e.to_string()).as_deref(),
            Some("COUNT(*) > 2")
        );
        assert_eq!((q.emit, q.limit), (Some(Emit::Final), Some(10)));

        let q = query("SELECT * FROM s PARTITION BY a, b->c EMIT CHANGES;");
        assert_eq!(
            q.partition_by
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            ["A", "B.C"]
        );
        assert_eq!(q.from, source("S", None, 15));
        assert!(
            parse("SELECT * FROM s WHERE a GROUP BY b WINDOW TUMBLING (SIZE 1 SECOND);").is_err()
        );
    }

    #[test]
    fn grouping_lists_may_be_parenthesized() {
        let grouped = |g: &str| {
            query(&format!("SELECT COUNT(*) FROM s GROUP BY {g};"))
                .group_by
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
        };
        assert_eq!(grouped("(a, b)"), ["A", "B"]);
        assert_eq!(grouped("(a + 1) * 2, c"), ["(A + 1) * 2", "C"]);
        assert_eq!(grouped("(NAME IS NULL)"), ["NAME IS NULL"]);
        assert!(grouped("()").is_empty());
        assert!(parse("SELECT COUNT(*) FROM s GROUP BY a AND b;").is_err());
        assert!(parse("SELECT COUNT(*) FROM s GROUP BY a = b;").is_err());
        let q = query("SELECT * FROM s PARTITION BY (a, b) EMIT CHANGES;");
        assert_eq!(q.partition_by.len(), 2);
    }

    #[test]
    fn implicit_aliases_stop_at_clause_words() {
        let q = query("SELECT * FROM s PARTITION BY a;");
        assert_eq!(q.from, source("S", None, 15));
        let q = query("SELECT * FROM s EMIT CHANGES;");
        assert_eq!(q.from, source("S", None, 15));
        let q = query("SELECT a FROM s `window` WINDOW TUMBLING (SIZE 1 SECOND);");
        assert_eq!(q.from, source("S", Some("window"), 15));
        assert!(parse("SELECT * FROM EXPLODE(arr);").is_err());
    }

    #[test]
    fn lambda_and_struct_queries_from_the_docs() {
        let q = query(
            "SELECT TRANSFORM(arr, x => x * 2) AS doubled, FILTER(m, (k, v) => v > 1) AS big, \
             s->address->city, ARRAY[1, 2][1], MAP('a' := 1)['a'] FROM s EMIT CHANGES;",
        );
        let SelectItem::Expr { expr, .. } = &q.select[2] else {
            panic!("not an expression")
        };
        assert_eq!(
            *expr,
            Expr::CompoundFieldAccess {
                root: Box::new(Expr::Identifier(Ident::new("S"))),
                access_chain: vec![
                    datafusion::sql::sqlparser::ast::AccessExpr::Dot(Expr::Identifier(Ident::new(
                        "ADDRESS"
                    ))),
                    datafusion::sql::sqlparser::ast::AccessExpr::Dot(Expr::Identifier(Ident::new(
                        "CITY"
                    ))),
                ],
            }
        );
    }
}
