//! Which rows of a table a pull query's WHERE reads.
//!
//! The WHERE is read as a disjunction of conjunctions. A disjunct that pins every key
//! column to constants (`ID = 10`, `ID IN (1, 2)`) names its keys: the query looks them up
//! in the table's state. Anything else (ranges, value columns alone, functions of the key)
//! needs a scan of every row; the whole WHERE still filters whatever rows are read, so the
//! choice only changes the cost. With table scans off
//! (`ksql.query.pull.table.scan.enabled=false`) a WHERE that is not key lookups is refused
//! with ksqlDB's reason, as is a single range over a string key when range scans are off.

use datafusion::common::ScalarValue;
use datafusion::sql::sqlparser::ast::{self as sql, BinaryOperator, Visit, Visitor};

use crate::catalog::schema::Column;
use crate::catalog::types::SqlType;
use crate::plan::expr_text::ksql_text;
use crate::plan::{PlanError, PlanResult};

/// How a pull query reads a table.
#[derive(Debug, Clone, PartialEq)]
pub enum KeyAccess {
    /// The rows of exactly these keys: one value per key column, in key column order.
    Lookup(Vec<Vec<ScalarValue>>),
    /// Every row.
    Scan,
}

/// `ksql.query.pull.table.scan.enabled` and `ksql.query.pull.range.scan.enabled` (both on
/// by default, as in ksqlDB).
#[derive(Debug, Clone, Copy)]
pub struct ScanSettings {
    pub table_scans: bool,
    pub range_scans: bool,
}

/// Evaluates an expression that references no column, with its type; `None` for a bare
/// NULL.
pub type Constant<'a> = dyn Fn(&sql::Expr) -> PlanResult<Option<(ScalarValue, SqlType)>> + 'a;

/// The rows a WHERE reads from a table with these key columns.
pub fn key_access(
    predicate: Option<&sql::Expr>,
    keys: &[&Column],
    windowed: bool,
    settings: ScanSettings,
    constant: &Constant<'_>,
) -> PlanResult<KeyAccess> {
    let Some(predicate) = predicate else {
        return if settings.table_scans {
            Ok(KeyAccess::Scan)
        } else {
            Err(requires_table_scan())
        };
    };
    let disjuncts = split(predicate, &BinaryOperator::Or);
    let single_disjunct = disjuncts.len() == 1;
    let mut lookups = Vec::new();
    let mut scan = false;
    for disjunct in disjuncts {
        let analysis = Disjunct::analyze(disjunct, keys, constant)?;
        match analysis.lookups() {
            Some(tuples) => lookups.extend(tuples),
            None if settings.table_scans => scan = true,
            None => {
                analysis.refuse(disjunct, keys, windowed, settings, single_disjunct)?;
                scan = true;
            }
        }
    }
    Ok(if scan {
        KeyAccess::Scan
    } else {
        KeyAccess::Lookup(lookups)
    })
}

fn requires_table_scan() -> PlanError {
    PlanError::invalid("Query requires table scan to be enabled")
}

/// The operands of a chain of `op` (AND or OR), looking through parentheses.
fn split<'a>(expr: &'a sql::Expr, op: &BinaryOperator) -> Vec<&'a sql::Expr> {
    match expr {
        sql::Expr::Nested(inner) => split(inner, op),
        sql::Expr::BinaryOp { left, op: o, right } if o == op => {
            let mut parts = split(left, op);
            parts.extend(split(right, op));
            parts
        }
        other => vec![other],
    }
}

/// What one conjunct says about the key.
enum Constraint<'a> {
    /// `key = constant` or `key IN (constants…)`.
    Equal {
        key: usize,
        values: Vec<&'a sql::Expr>,
        from_in: bool,
    },
    /// `key` against a constant with `<`, `<=`, `>`, `>=` or BETWEEN.
    Range { key: usize },
    /// `key <> constant`, `key NOT IN (…)`.
    NotEqual { key: usize },
    /// A key column inside a larger expression: `ID + 10 = 20`.
    Indirect,
    /// A key column compared with something that reads other columns: `ID = COUNT`.
    Unresolvable,
    /// No key column.
    Other,
}

/// The constraints of one disjunct, by key column.
struct Disjunct {
    /// The constant values each key column is pinned to, once evaluated.
    pinned: Vec<Option<Vec<ScalarValue>>>,
    /// How many conjuncts constrain each key column.
    constraints: Vec<usize>,
    has_range: bool,
    not_equal: Option<usize>,
    indirect: bool,
    unresolvable: bool,
}

impl Disjunct {
    fn analyze(
        disjunct: &sql::Expr,
        keys: &[&Column],
        constant: &Constant<'_>,
    ) -> PlanResult<Self> {
        let mut analysis = Disjunct {
            pinned: vec![None; keys.len()],
            constraints: vec![0; keys.len()],
            has_range: false,
            not_equal: None,
            indirect: false,
            unresolvable: false,
        };
        for conjunct in split(disjunct, &BinaryOperator::And) {
            match classify(conjunct, keys) {
                Constraint::Equal {
                    key,
                    values,
                    from_in,
                } => {
                    analysis.constraints[key] += 1;
                    let column = keys[key];
                    let values = values
                        .into_iter()
                        .map(|value| key_value(value, column, from_in, constant))
                        .collect::<PlanResult<Vec<_>>>()?;
                    analysis.pinned[key] = Some(values);
                }
                Constraint::Range { key } => {
                    analysis.constraints[key] += 1;
                    analysis.has_range = true;
                }
                Constraint::NotEqual { key } => {
                    analysis.constraints[key] += 1;
                    analysis.not_equal = Some(key);
                }
                Constraint::Indirect => analysis.indirect = true,
                Constraint::Unresolvable => analysis.unresolvable = true,
                Constraint::Other => {}
            }
        }
        Ok(analysis)
    }

    /// The keys this disjunct names, when it pins every key column exactly once.
    fn lookups(&self) -> Option<Vec<Vec<ScalarValue>>> {
        if self.constraints.iter().any(|&n| n != 1) {
            return None;
        }
        let mut tuples: Vec<Vec<ScalarValue>> = vec![Vec::new()];
        for values in &self.pinned {
            let values = values.as_ref()?;
            tuples = tuples
                .into_iter()
                .flat_map(|prefix| {
                    values.iter().map(move |v| {
                        let mut tuple = prefix.clone();
                        tuple.push(v.clone());
                        tuple
                    })
                })
                .collect();
        }
        Some(tuples)
    }

    /// With table scans off, why this disjunct cannot be served; a single range over a
    /// string key is served by a range scan when those are on.
    fn refuse(
        &self,
        disjunct: &sql::Expr,
        keys: &[&Column],
        windowed: bool,
        settings: ScanSettings,
        single_disjunct: bool,
    ) -> PlanResult<()> {
        let mentions_key = self.constraints.iter().any(|&n| n > 0);
        if !mentions_key && !self.indirect && !self.unresolvable {
            return Err(if keys.len() > 1 {
                multi_column_keys()
            } else {
                PlanError::invalid(format!(
                    "WHERE clause missing key column for disjunct: {}",
                    ksql_text(disjunct)
                ))
            });
        }
        if self.constraints.iter().any(|&n| n > 1) {
            return Err(PlanError::invalid(
                "A comparison condition on the key column cannot be combined with other comparisons such as an IN predicate",
            ));
        }
        if self.indirect {
            return Err(PlanError::invalid(
                "A comparison must directly reference a key column.",
            ));
        }
        if self.unresolvable {
            return Err(PlanError::invalid(
                "A comparison must be between a key column and a resolvable expression.",
            ));
        }
        if let Some(key) = self.not_equal {
            let column = keys[key];
            return Err(PlanError::invalid(format!(
                "Bound on key columns '[`{}` {} KEY]' must currently be '='. ",
                column.name, column.ty
            )));
        }
        if self.constraints.contains(&0) {
            return Err(multi_column_keys());
        }
        let range_scan = settings.range_scans
            && single_disjunct
            && keys.len() == 1
            && keys[0].ty == SqlType::String
            && !windowed;
        if self.has_range && range_scan {
            return Ok(());
        }
        Err(requires_table_scan())
    }
}

fn multi_column_keys() -> PlanError {
    PlanError::invalid("Multi-column sources must specify every key in the WHERE clause.")
}

/// A constant a key column is pinned to, as a value of the key's type.
fn key_value(
    expr: &sql::Expr,
    column: &Column,
    from_in: bool,
    constant: &Constant<'_>,
) -> PlanResult<ScalarValue> {
    let Some((value, ty)) = constant(expr)?.filter(|(value, _)| !value.is_null()) else {
        return Err(PlanError::invalid(if from_in {
            format!(
                "Primary key columns can not be NULL: ({} = null)",
                column.name
            )
        } else {
            format!(
                "Error in WHERE expression: Comparison with NULL not supported: {} = NULL\nUse 'IS NULL' or 'IS NOT NULL' instead.\nStatement: ({} = null)",
                column.ty, column.name
            )
        }));
    };
    let convertible = ty == column.ty || (ty.is_numeric() && column.ty.is_numeric());
    let cast = convertible
        .then(|| value.cast_to(&column.ty.to_arrow()).ok())
        .flatten();
    cast.ok_or_else(|| {
        PlanError::invalid(format!(
            "{} can not be converted to the type of the key column: {} {} KEY",
            ksql_text(expr),
            column.name,
            column.ty
        ))
    })
}

/// The key column an expression is a bare reference to.
fn key_index(expr: &sql::Expr, keys: &[&Column]) -> Option<usize> {
    let name = match expr {
        sql::Expr::Nested(inner) => return key_index(inner, keys),
        sql::Expr::Identifier(ident) => &ident.value,
        sql::Expr::CompoundIdentifier(parts) if parts.len() == 2 => &parts[1].value,
        _ => return None,
    };
    keys.iter().position(|k| &k.name == name)
}

/// What a conjunct constrains.
fn classify<'a>(conjunct: &'a sql::Expr, keys: &[&Column]) -> Constraint<'a> {
    match conjunct {
        sql::Expr::Nested(inner) => classify(inner, keys),
        sql::Expr::BinaryOp { left, op, right } if is_comparison(op) => {
            let (key, other, op) = match (key_index(left, keys), key_index(right, keys)) {
                (Some(key), None) => (key, right.as_ref(), op.clone()),
                (None, Some(key)) => (key, left.as_ref(), mirrored(op)),
                (Some(_), Some(_)) => return Constraint::Unresolvable,
                (None, None) if mentions(conjunct, |name| is_key(name, keys)) => {
                    return Constraint::Indirect;
                }
                (None, None) => return Constraint::Other,
            };
            if mentions(other, |_| true) {
                return Constraint::Unresolvable;
            }
            match op {
                BinaryOperator::Eq => Constraint::Equal {
                    key,
                    values: vec![other],
                    from_in: false,
                },
                BinaryOperator::NotEq => Constraint::NotEqual { key },
                _ => Constraint::Range { key },
            }
        }
        sql::Expr::InList {
            expr,
            list,
            negated,
        } => match key_index(expr, keys) {
            Some(_) if list.iter().any(|item| mentions(item, |_| true)) => Constraint::Unresolvable,
            Some(key) if *negated => Constraint::NotEqual { key },
            Some(key) => Constraint::Equal {
                key,
                values: list.iter().collect(),
                from_in: true,
            },
            None if mentions(conjunct, |name| is_key(name, keys)) => Constraint::Indirect,
            None => Constraint::Other,
        },
        sql::Expr::Between { expr, .. } => match key_index(expr, keys) {
            Some(key) => Constraint::Range { key },
            None if mentions(conjunct, |name| is_key(name, keys)) => Constraint::Indirect,
            None => Constraint::Other,
        },
        other if mentions(other, |name| is_key(name, keys)) => Constraint::Indirect,
        _ => Constraint::Other,
    }
}

fn is_comparison(op: &BinaryOperator) -> bool {
    matches!(
        op,
        BinaryOperator::Eq
            | BinaryOperator::NotEq
            | BinaryOperator::Lt
            | BinaryOperator::LtEq
            | BinaryOperator::Gt
            | BinaryOperator::GtEq
    )
}

/// `a op b` as `b op' a`.
fn mirrored(op: &BinaryOperator) -> BinaryOperator {
    match op {
        BinaryOperator::Lt => BinaryOperator::Gt,
        BinaryOperator::LtEq => BinaryOperator::GtEq,
        BinaryOperator::Gt => BinaryOperator::Lt,
        BinaryOperator::GtEq => BinaryOperator::LtEq,
        other => other.clone(),
    }
}

fn is_key(name: &str, keys: &[&Column]) -> bool {
    keys.iter().any(|k| k.name == name)
}

/// True when the expression reads a column whose name passes `wanted`.
fn mentions(expr: &sql::Expr, wanted: impl Fn(&str) -> bool) -> bool {
    struct Finder<F> {
        wanted: F,
    }
    impl<F: Fn(&str) -> bool> Visitor for Finder<F> {
        type Break = ();
        fn pre_visit_expr(&mut self, expr: &sql::Expr) -> std::ops::ControlFlow<()> {
            let name = match expr {
                sql::Expr::Identifier(ident) => Some(&ident.value),
                sql::Expr::CompoundIdentifier(parts) => parts.last().map(|p| &p.value),
                _ => None,
            };
            match name {
                Some(name) if (self.wanted)(name) => std::ops::ControlFlow::Break(()),
                _ => std::ops::ControlFlow::Continue(()),
            }
        }
    }
    expr.visit(&mut Finder { wanted }).is_break()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::ast::Statement;
    use crate::sql::parse;

    fn predicate(text: &str) -> sql::Expr {
        let statement = parse(&format!("SELECT * FROM T WHERE {text};")).unwrap();
        match &statement[0].statement {
            Statement::Select(query) => query.where_clause.clone().unwrap(),
            other => panic!("not a query: {other:?}"),
        }
    }

    /// Literal numbers and strings, as the planner would evaluate them.
    fn literal(expr: &sql::Expr) -> PlanResult<Option<(ScalarValue, SqlType)>> {
        match expr {
            sql::Expr::Value(v) => match &v.value {
                sql::Value::Number(n, _) => Ok(Some((
                    ScalarValue::Int32(Some(n.parse().unwrap())),
                    SqlType::Int,
                ))),
                sql::Value::SingleQuotedString(s) => {
                    Ok(Some((ScalarValue::Utf8(Some(s.clone())), SqlType::String)))
                }
                sql::Value::Null => Ok(None),
                other => panic!("unexpected {other}"),
            },
            other => panic!("unexpected {other}"),
        }
    }

    const ON: ScanSettings = ScanSettings {
        table_scans: true,
        range_scans: true,
    };
    const OFF: ScanSettings = ScanSettings {
        table_scans: false,
        range_scans: true,
    };

    fn access(
        keys: &[(&str, SqlType)],
        text: &str,
        settings: ScanSettings,
    ) -> PlanResult<KeyAccess> {
        let columns: Vec<Column> = keys
            .iter()
            .map(|(name, ty)| Column::key(*name, ty.clone()))
            .collect();
        let keys: Vec<&Column> = columns.iter().collect();
        key_access(Some(&predicate(text)), &keys, false, settings, &literal)
    }

    fn error(keys: &[(&str, SqlType)], text: &str) -> String {
        access(keys, text, OFF).unwrap_err().to_string()
    }

    #[test]
    fn equalities_and_in_lists_on_every_key_column_are_lookups() {
        let id = [("ID", SqlType::Bigint)];
        assert_eq!(
            access(&id, "ID = 10 AND COUNT > 1", OFF).unwrap(),
            KeyAccess::Lookup(vec![vec![ScalarValue::Int64(Some(10))]])
        );
        assert_eq!(
            access(&id, "ID IN (1, 2) OR ID = 3", OFF).unwrap(),
            KeyAccess::Lookup(vec![
                vec![ScalarValue::Int64(Some(1))],
                vec![ScalarValue::Int64(Some(2))],
                vec![ScalarValue::Int64(Some(3))],
            ])
        );
        let two = [("A", SqlType::String), ("B", SqlType::Int)];
        assert_eq!(
            access(&two, "A = 'x' AND B IN (1, 2)", OFF).unwrap(),
            KeyAccess::Lookup(vec![
                vec![
                    ScalarValue::Utf8(Some("x".into())),
                    ScalarValue::Int32(Some(1))
                ],
                vec![
                    ScalarValue::Utf8(Some("x".into())),
                    ScalarValue::Int32(Some(2))
                ],
            ])
        );
    }

    #[test]
    fn anything_else_scans_when_table_scans_are_on() {
        let id = [("ID", SqlType::Bigint)];
        for text in [
            "ID > 10",
            "COUNT = 1",
            "ID = 1 OR COUNT = 2",
            "ID + 1 = 2",
            "ID = COUNT",
        ] {
            assert_eq!(access(&id, text, ON).unwrap(), KeyAccess::Scan, "{text}");
        }
    }

    #[test]
    fn refusals_with_table_scans_off_give_ksqldbs_reasons() {
        let id = [("ID", SqlType::Int)];
        assert_eq!(
            error(&id, "COUNT = 100"),
            "WHERE clause missing key column for disjunct: (COUNT = 100)"
        );
        assert!(error(&id, "0 < ID AND ID < 100").contains("cannot be combined"));
        assert!(error(&id, "ID = 10 AND ID IN (1, 2)").contains("cannot be combined"));
        assert!(error(&id, "ID + 10 = 20").contains("must directly reference a key column"));
        assert!(error(&id, "ID = COUNT - 1").contains("a resolvable expression"));
        assert!(error(&id, "ID IN (2, COUNT + 1)").contains("a resolvable expression"));
        assert_eq!(
            error(&id, "ID != 100"),
            "Bound on key columns '[`ID` INTEGER KEY]' must currently be '='. "
        );
        assert_eq!(
            error(&id, "ID >= 12"),
            "Query requires table scan to be enabled"
        );
        let two = [("A", SqlType::String), ("B", SqlType::Int)];
        assert!(error(&two, "A = 'x'").starts_with("Multi-column sources must specify every key"));
        assert_eq!(
            error(&two, "A <= 'x' AND B >= 1"),
            "Query requires table scan to be enabled"
        );
    }

    #[test]
    fn a_single_range_over_a_string_key_is_a_range_scan() {
        let id = [("ID", SqlType::String)];
        assert_eq!(access(&id, "ID <= '10'", OFF).unwrap(), KeyAccess::Scan);
        let no_ranges = ScanSettings {
            table_scans: false,
            range_scans: false,
        };
        assert!(access(&id, "ID <= '10'", no_ranges).is_err());
        assert!(access(&id, "ID <= '11' OR ID >= '13'", OFF).is_err());
    }

    #[test]
    fn key_values_must_fit_the_key_type_and_not_be_null() {
        let id = [("ID", SqlType::Int)];
        assert_eq!(
            access(&id, "ID IN ('10', 8)", ON).unwrap_err().to_string(),
            "'10' can not be converted to the type of the key column: ID INTEGER KEY"
        );
        assert_eq!(
            access(&id, "ID IN (NULL)", ON).unwrap_err().to_string(),
            "Primary key columns can not be NULL: (ID = null)"
        );
        assert!(
            access(&id, "ID = NULL", ON)
                .unwrap_err()
                .to_string()
                .contains("Comparison with NULL not supported: INTEGER = NULL")
        );
    }
}
