//! The SELECT grammar (ksqlDB's `query` rule):
//!
//! `SELECT items FROM relation [WINDOW w] [WHERE e] [GROUP BY es] [PARTITION BY es]
//! [HAVING e] [EMIT CHANGES|FINAL] [LIMIT n]`, clauses in that order, with joins
//! `[INNER|LEFT [OUTER]|RIGHT [OUTER]|FULL [OUTER]] JOIN s [WITHIN …] ON e` and windows
//! `TUMBLING|HOPPING|SESSION (…)`. Durations (`10 SECONDS`) become milliseconds.

use datafusion::sql::sqlparser::ast::Expr;
use datafusion::sql::sqlparser::tokenizer::Token;

use super::ast::{Emit, Join, JoinKind, JoinWindow, Pos, Query, Relation, SelectItem, WindowSpec};
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
            Some(self.integer()?)
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
        let alias = if self.eat_kw("AS") {
            Some(self.name("an alias")?.0)
        } else if self.implicit_alias_ahead() {
            Some(self.name("an alias")?.0)
        } else {
            None
        };
        Ok(SelectItem::Expr { expr, alias })
    }

    /// True if the next token can be an alias written without AS.
    fn implicit_alias_ahead(&self) -> bool {
        match &self.p.peek_token_ref().token {
            Token::Word(w) if w.quote_style.is_some() => true,
            // PARTITION and EMIT are not reserved in ksqlDB, but start clauses here.
            Token::Word(w) => {
                !is_reserved(&w.value)
                    && !is_word(&self.p.peek_token_ref().token, "PARTITION")
                    && !is_word(&self.p.peek_token_ref().token, "EMIT")
            }
            _ => false,
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
        let alias = if self.eat_kw("AS") || self.implicit_alias_ahead() {
            Some(self.name("an alias")?.0)
        } else {
            None
        };
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
    fn duration(&mut self) -> ParseResult<i64> {
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

    /// GROUP BY / PARTITION BY: `e, …` or `(e, …)`.
    fn grouping(&mut self) -> ParseResult<Vec<Expr>> {
        if self.peek_nth_is(0, &Token::LParen) && self.parenthesized_list_ahead() {
            self.p.next_token();
            let mut exprs = vec![];
            if !self.eat(&Token::RParen) {
                loop {
                    exprs.push(self.value_expr()?);
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
