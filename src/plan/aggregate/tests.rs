//! Planning GROUP BY queries: key and column naming as ksqlDB does it, its analysis errors,
//! and window defaults.

use super::*;
use crate::catalog::types::StructField;
use crate::format::SerdeSpec;
use crate::sql::ast::Statement;

fn serde(kind: FormatKind) -> SerdeSpec {
    SerdeSpec {
        kind,
        delimiter: ',',
        wrap_single: true,
    }
}

fn catalog() -> Catalog {
    let town = SqlType::Struct(vec![StructField {
        name: "TOWN".into(),
        ty: SqlType::String,
    }]);
    let mut catalog = Catalog::default();
    for (name, kind, value_format) in [
        ("TEST", SourceKind::Stream, FormatKind::Json),
        ("DELIM", SourceKind::Stream, FormatKind::Delimited),
        ("TBL", SourceKind::Table, FormatKind::Json),
    ] {
        catalog.sources.insert(
            name.into(),
            Source {
                name: name.into(),
                kind,
                schema: LogicalSchema::new(vec![
                    Column::key("ID", SqlType::Int),
                    Column::value("F1", SqlType::Int),
                    Column::value("F2", SqlType::String),
                    Column::value("ADDRESS", town.clone()),
                ]),
                topic: name.to_lowercase(),
                partitions: 1,
                key_format: serde(FormatKind::Kafka),
                value_format: serde(value_format),
                timestamp: None,
                is_source: false,
                statement: String::new(),
                writers: Vec::new(),
                window: None,
            },
        );
    }
    catalog
}

fn plan(text: &str) -> PlanResult<AggregatePlan> {
    let parsed = crate::sql::parse(text).expect("parses");
    let Statement::CreateAsSelect(create) = &parsed[0].statement else {
        panic!("not a CREATE … AS SELECT: {text}");
    };
    assert!(is_aggregation(&create.query));
    plan_aggregate(
        &create.query,
        &catalog(),
        &ExprPlanner::new(),
        KeyRule::MustProjectKey,
        &create.name,
        &AggregateConfig::default(),
    )
}

fn schema(text: &str) -> String {
    match plan(text) {
        Ok(plan) => plan.output_schema().to_string(),
        Err(e) => panic!("{text}: {e}"),
    }
}

fn error(text: &str) -> String {
    match plan(text) {
        Ok(_) => panic!("planned: {text}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn keys_follow_group_by_order_and_take_their_projected_names() {
    assert_eq!(
        schema("CREATE TABLE T AS SELECT F2, F1, F2 + 'x', COUNT(*) FROM TEST GROUP BY F1, F2;"),
        "`F1` INTEGER KEY, `F2` STRING KEY, `KSQL_COL_0` STRING, `KSQL_COL_1` BIGINT"
    );
    assert_eq!(
        schema("CREATE TABLE T AS SELECT LEN(F2) AS L, COUNT(*) AS C FROM TEST GROUP BY LEN(F2);"),
        "`L` INTEGER KEY, `C` BIGINT"
    );
    assert_eq!(
        schema(
            "CREATE TABLE T AS SELECT ADDRESS->TOWN, COUNT(*) FROM TEST GROUP BY ADDRESS->TOWN;"
        ),
        "`TOWN` STRING KEY, `KSQL_COL_0` BIGINT"
    );
}

#[test]
fn expressions_over_keys_and_aggregates() {
    assert_eq!(
        schema(
            "CREATE TABLE T AS SELECT F1, F1 * SUM(ID) AS P, COUNT(*) > 1 AS MANY FROM TEST GROUP BY F1 HAVING SUM(ID) > 1;"
        ),
        "`F1` INTEGER KEY, `P` INTEGER, `MANY` BOOLEAN"
    );
}

#[test]
fn columns_outside_the_group_by_are_refused() {
    assert_eq!(
        error("CREATE TABLE T AS SELECT F1, F2, COUNT(*) FROM TEST GROUP BY F2 + 'x';"),
        "Non-aggregate SELECT expression(s) not part of GROUP BY: F1, F2\nEither add the column(s) to the GROUP BY or remove them from the SELECT."
    );
    assert_eq!(
        error("CREATE TABLE T AS SELECT F2, COUNT(*) FROM TEST GROUP BY F2 HAVING LEN(F1) < 2;"),
        "Non-aggregate HAVING expression not part of GROUP BY: F1"
    );
}

#[test]
fn grouping_expressions_must_be_projected_once() {
    assert_eq!(
        error("CREATE TABLE T AS SELECT COUNT(*) FROM TEST GROUP BY F1, F2, ID;"),
        "The query used to build `T` must include the grouping expressions F1, F2 and ID in its projection (eg, SELECT F1, F2, ID...)."
    );
    assert_eq!(
        error("CREATE TABLE T AS SELECT F2, F2 AS G, COUNT(*) FROM TEST GROUP BY F2;"),
        "The projection contains a key column more than once: `F2` and `G`."
    );
    assert_eq!(
        error("CREATE TABLE T AS SELECT F2 FROM TEST GROUP BY F2 HAVING COUNT(*) > 1;"),
        "The projection contains no value columns."
    );
}

#[test]
fn misplaced_aggregates_are_refused() {
    assert_eq!(
        error("CREATE TABLE T AS SELECT COUNT(*) FROM TEST GROUP BY 1 + SUM(F1);"),
        "GROUP BY does not support aggregate functions: SUM is an aggregate function."
    );
    assert_eq!(
        error("CREATE TABLE T AS SELECT SUBSTRING(F2, 1, 2) FROM TEST GROUP BY F1;"),
        "GROUP BY requires aggregate functions in either the SELECT or HAVING clause."
    );
    assert_eq!(
        error("CREATE TABLE T AS SELECT COUNT(*) FROM TEST;"),
        "CREATE TABLE AS SELECT statement does not support aggregate function [COUNT(ROWTIME)] without a GROUP BY clause."
    );
    assert_eq!(
        error("CREATE TABLE T AS SELECT COUNT(*) FROM TEST GROUP BY F2, TEST.F2;"),
        "Duplicate GROUP BY expression: TEST.F2"
    );
}

#[test]
fn window_bounds_only_in_a_windowed_select() {
    assert_eq!(
        schema(
            "CREATE TABLE T AS SELECT F1, WINDOWSTART AS WS, COUNT(*) FROM TEST WINDOW TUMBLING (SIZE 1 SECOND) GROUP BY F1;"
        ),
        "`F1` INTEGER KEY, `WS` BIGINT, `KSQL_COL_0` BIGINT"
    );
    assert_eq!(
        error(
            "CREATE TABLE T AS SELECT F1, MIN(WINDOWEND) FROM TEST WINDOW TUMBLING (SIZE 1 SECOND) GROUP BY F1;"
        ),
        "Window bounds column WINDOWEND can only be used in the SELECT clause of windowed aggregations"
    );
    assert_eq!(
        error(
            "CREATE TABLE T AS SELECT F1, WINDOWSTART, COUNT(*) FROM TEST WINDOW TUMBLING (SIZE 1 SECOND) GROUP BY F1;"
        ),
        "Reserved column name in select: `WINDOWSTART`. Please remove or alias the column."
    );
}

#[test]
fn window_defaults() {
    let windows = |text: &str| match plan(text).map(|p| p.windows).expect("plans") {
        Some(Windowing::Time(windows)) => Some(windows),
        _ => None,
    };
    let changes = windows(
        "CREATE TABLE T AS SELECT F1, COUNT(*) FROM TEST WINDOW HOPPING (SIZE 10 SECONDS, ADVANCE BY 5 SECONDS) GROUP BY F1;",
    )
    .expect("windowed");
    assert_eq!((changes.size_ms, changes.advance_ms), (10_000, 5_000));
    assert_eq!(changes.grace_ms, DEFAULT_GRACE_MS);
    assert!(!changes.emit_final);
    let final_ = windows(
        "CREATE TABLE T AS SELECT F1, COUNT(*) FROM TEST WINDOW TUMBLING (SIZE 2 MILLISECONDS) GROUP BY F1 EMIT FINAL;",
    )
    .expect("windowed");
    assert_eq!((final_.grace_ms, final_.retention_ms), (0, 2));
    assert_eq!(
        error("CREATE TABLE T AS SELECT F1, COUNT(*) FROM TEST GROUP BY F1 EMIT FINAL;"),
        "EMIT FINAL is only supported for windowed aggregations."
    );
    let sessions = plan(
        "CREATE TABLE T AS SELECT F1, COUNT(*) FROM TEST WINDOW SESSION (30 SECONDS, GRACE PERIOD 1 MINUTE) GROUP BY F1;",
    )
    .map(|p| (p.windows, p.window_info()))
    .expect("plans");
    assert_eq!(
        sessions.0,
        Some(Windowing::Session(SessionWindows {
            gap_ms: 30_000,
            grace_ms: 60_000,
            retention_ms: 90_000,
            emit_final: false,
        }))
    );
    assert_eq!(
        sessions.1.map(|w| (w.kind, w.size_ms)),
        Some((WindowKind::Session, None))
    );
}

#[test]
fn functions_are_checked_against_the_source() {
    assert_eq!(
        error("CREATE TABLE T AS SELECT F1, AVG(ID) FROM DELIM GROUP BY F1;"),
        "One of the functions used in the statement has an intermediate type that the value format can not handle. Please remove the function or change the format."
    );
    assert_eq!(
        error(
            "CREATE TABLE T AS SELECT ID, LATEST_BY_OFFSET(F1), MIN(F1), MAX(F1), COUNT(*) FROM TBL GROUP BY ID;"
        ),
        "The aggregation functions LATEST_BY_OFFSET, MIN and MAX cannot be applied to a table source, only to a stream source."
    );
    assert!(plan("CREATE TABLE T AS SELECT F1, COUNT(*) FROM TBL GROUP BY F1;").is_ok());
    assert_eq!(
        error(
            "CREATE TABLE T AS SELECT F1, COUNT(*) FROM TBL WINDOW TUMBLING (SIZE 1 SECOND) GROUP BY F1;"
        ),
        "Windowing not supported for table aggregations."
    );
    assert_eq!(
        error("CREATE TABLE T AS SELECT F1, SUM(F2) FROM TEST GROUP BY F1;"),
        "Function 'SUM' does not accept parameters (STRING)."
    );
}
