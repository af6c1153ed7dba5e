//! A CREATE … AS SELECT as ksqlDB's statement formatter prints it in the `Statement:`
//! line of its errors: the statement after ksqlDB's rewrite, every column qualified by its
//! source, every select item named (`KSQL_COL_n` where it has no name), one per line, and
//! EMIT CHANGES written out.

use super::expr_text::qualified_text;
use super::select::derived_name;
use crate::sql::ast::{CreateAsSelect, Literal, Relation, SelectItem, SourceKind};

/// The statement's text, or `None` for what this formatter does not cover (joins, `*`,
/// windows): a message then goes without it.
pub fn create_as_select_text(create: &CreateAsSelect) -> Option<String> {
    let query = &create.query;
    let Relation::Source { name, alias, .. } = &query.from else {
        return None;
    };
    if query.window.is_some() {
        return None;
    }
    let source = alias.as_deref().unwrap_or(name);
    let mut generated = 0;
    let mut items = Vec::with_capacity(query.select.len());
    for item in &query.select {
        let SelectItem::Expr { expr, alias } = item else {
            return None;
        };
        let name = alias
            .clone()
            .or_else(|| derived_name(expr))
            .unwrap_or_else(|| {
                generated += 1;
                format!("KSQL_COL_{}", generated - 1)
            });
        items.push(format!("  {} {name}", qualified_text(expr, source)));
    }
    let kind = match create.kind {
        SourceKind::Stream => "STREAM",
        SourceKind::Table => "TABLE",
    };
    let mut text = format!("CREATE {kind} {}", create.name);
    if !create.properties.is_empty() {
        let properties: Vec<String> = create
            .properties
            .iter()
            .map(|(key, value)| format!("{}={}", key.to_uppercase(), literal(value)))
            .collect();
        text.push_str(&format!(" WITH ({})", properties.join(", ")));
    }
    text.push_str(&format!(
        " AS SELECT\n{}\nFROM {name} {source}",
        items.join(",\n")
    ));
    if let Some(filter) = &query.where_clause {
        text.push_str(&format!("\nWHERE {}", qualified_text(filter, source)));
    }
    let list = |exprs: &[datafusion::sql::sqlparser::ast::Expr]| {
        exprs
            .iter()
            .map(|e| qualified_text(e, source))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !query.group_by.is_empty() {
        text.push_str(&format!("\nGROUP BY {}", list(&query.group_by)));
    }
    if !query.partition_by.is_empty() {
        text.push_str(&format!("\nPARTITION BY {}", list(&query.partition_by)));
    }
    if let Some(having) = &query.having {
        text.push_str(&format!("\nHAVING {}", qualified_text(having, source)));
    }
    text.push_str("\nEMIT CHANGES");
    Some(text)
}

fn literal(value: &Literal) -> String {
    match value {
        Literal::String(text) => format!("'{}'", text.replace('\'', "''")),
        Literal::Number(number) => number.clone(),
        Literal::Boolean(b) => b.to_string(),
        Literal::Null => "null".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::ast::Statement;

    fn text(sql: &str) -> Option<String> {
        match crate::sql::parse(sql).unwrap().remove(0).statement {
            Statement::CreateAsSelect(create) => create_as_select_text(&create),
            other => panic!("not a C*AS: {other:?}"),
        }
    }

    #[test]
    fn qualifies_names_and_lists_items_as_ksqldb_does() {
        assert_eq!(
            text(
                "CREATE TABLE OUTPUT AS SELECT f2, f1, f2+f1, COUNT(*) FROM TEST GROUP BY f1, f2;"
            )
            .unwrap(),
            "CREATE TABLE OUTPUT AS SELECT\n  TEST.F2 F2,\n  TEST.F1 F1,\n  (TEST.F2 + TEST.F1) KSQL_COL_0,\n  COUNT(*) KSQL_COL_1\nFROM TEST TEST\nGROUP BY TEST.F1, TEST.F2\nEMIT CHANGES"
        );
        assert_eq!(
            text("CREATE TABLE OUTPUT WITH (KEY_FORMAT='KAFKA') AS SELECT f1 AS k1, COUNT(*) AS total FROM TEST t WHERE f1 > 0 GROUP BY f1;")
                .unwrap(),
            "CREATE TABLE OUTPUT WITH (KEY_FORMAT='KAFKA') AS SELECT\n  T.F1 K1,\n  COUNT(*) TOTAL\nFROM TEST T\nWHERE (T.F1 > 0)\nGROUP BY T.F1\nEMIT CHANGES"
        );
        assert_eq!(text("CREATE STREAM S AS SELECT * FROM TEST;"), None);
    }
}
