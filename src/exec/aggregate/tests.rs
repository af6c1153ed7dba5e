//! The `Aggregate` operator on small batches: one update per row, null keys and null-value
//! records, windows and late records, EMIT FINAL, restoring from the changelog, and the same
//! output and changelog whatever the batch boundaries.

use std::sync::Arc;

use datafusion::arrow::array::{Array, BooleanArray, Int32Array, Int64Array, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::physical_expr::expressions::col;
use datafusion::scalar::ScalarValue;

use super::function::{AggregateConfig, CallArg, resolve};
use super::projection::{OutputColumn, TableProjection, WindowBounds};
use super::session::SessionWindows;
use super::window::TimeWindows;
use super::{Aggregate, AggregateSpec, Windowing};
use crate::catalog::types::SqlType;
use crate::exec::{Operator, RecordError};
use crate::plan::select::{ROWOFFSET, ROWPARTITION, ROWTIME, TOMBSTONE};
use crate::state::StateStore;

/// One input record: ROWTIME, key `K`, value `V`; `None` value = a null-value record.
type Row = (i64, Option<&'static str>, Option<i64>);

fn input_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new(ROWTIME, DataType::Int64, false),
        Field::new(ROWPARTITION, DataType::Int32, false),
        Field::new(ROWOFFSET, DataType::Int64, false),
        Field::new("K", DataType::Utf8, true),
        Field::new("V", DataType::Int64, true),
        Field::new(TOMBSTONE, DataType::Boolean, false),
    ]))
}

fn batch(rows: &[Row]) -> RecordBatch {
    let n = rows.len() as i64;
    RecordBatch::try_new(
        input_schema(),
        vec![
            Arc::new(rows.iter().map(|r| r.0).collect::<Int64Array>()),
            Arc::new(Int32Array::from(vec![0; rows.len()])),
            Arc::new((0..n).collect::<Int64Array>()),
            Arc::new(rows.iter().map(|r| r.1).collect::<StringArray>()),
            Arc::new(rows.iter().map(|r| r.2).collect::<Int64Array>()),
            Arc::new(
                rows.iter()
                    .map(|r| Some(r.2.is_none()))
                    .collect::<BooleanArray>(),
            ),
        ],
    )
    .unwrap()
}

/// `SELECT K, COUNT(*) AS C, SUM(V) AS S FROM input [WINDOW …] GROUP BY K`, with the record
/// cache off (every update emitted).
fn count_and_sum(windows: Option<Windowing>) -> Aggregate {
    count_and_sum_cached(windows, false)
}

/// `count_and_sum` with the record cache on or off.
fn count_and_sum_cached(windows: Option<Windowing>, record_cache: bool) -> Aggregate {
    let config = AggregateConfig::default();
    let count = resolve("COUNT", &[], &config).unwrap().unwrap();
    let sum_arg = CallArg {
        ty: SqlType::Bigint,
        literal: None,
        text: String::new(),
    };
    let sum = resolve("SUM", &[sum_arg], &config).unwrap().unwrap();
    let mut fields = vec![
        Field::new("$KEY_0", DataType::Utf8, true),
        Field::new("$AGG_0", DataType::Int64, true),
        Field::new("$AGG_1", DataType::Int64, true),
    ];
    if windows.is_some() {
        fields.push(Field::new("WINDOWSTART", DataType::Int64, false));
        fields.push(Field::new("WINDOWEND", DataType::Int64, false));
    }
    let aggregated: SchemaRef = Arc::new(Schema::new(fields));
    let column = |name: &str, source: &str| OutputColumn {
        name: name.into(),
        expr: col(source, &aggregated).unwrap(),
        data_type: aggregated
            .field_with_name(source)
            .unwrap()
            .data_type()
            .clone(),
    };
    let projection = TableProjection::new(
        vec![
            column("K", "$KEY_0"),
            column("C", "$AGG_0"),
            column("S", "$AGG_1"),
        ],
        None,
        match windows {
            None => WindowBounds::None,
            Some(Windowing::Time(_)) => WindowBounds::Start,
            Some(Windowing::Session(_)) => WindowBounds::StartAndEnd,
        },
    );
    let input = input_schema();
    Aggregate::new(AggregateSpec {
        group_by: vec![col("K", &input).unwrap()],
        key_types: vec![SqlType::String],
        functions: vec![count, sum],
        arguments: vec![vec![], vec![col("V", &input).unwrap()]],
        windows,
        aggregated_schema: aggregated,
        projection,
        changelog_topic: "changelog".into(),
        table_input: false,
        record_cache,
    })
}

fn tumbling(size_ms: i64, grace_ms: i64, emit_final: bool) -> Windowing {
    Windowing::Time(TimeWindows {
        size_ms,
        advance_ms: size_ms,
        grace_ms,
        retention_ms: size_ms + grace_ms,
        emit_final,
    })
}

fn sessions(gap_ms: i64, grace_ms: i64, emit_final: bool) -> Windowing {
    Windowing::Session(SessionWindows {
        gap_ms,
        grace_ms,
        retention_ms: gap_ms + grace_ms,
        emit_final,
    })
}

/// Runs batches through the operator; each output row as `key count sum @timestamp
/// [window start]`.
fn run(aggregate: &mut Aggregate, batches: &[&[Row]]) -> (Vec<String>, Vec<RecordError>) {
    let mut errors = Vec::new();
    let mut out = Vec::new();
    for rows in batches {
        if let Some(output) = aggregate.on_batch(batch(rows), &mut errors).unwrap() {
            out.extend(render(&output));
        }
    }
    (out, errors)
}

fn render(batch: &RecordBatch) -> Vec<String> {
    let int = |name: &str| {
        batch
            .column_by_name(name)
            .and_then(|a| a.as_any().downcast_ref::<Int64Array>().cloned())
    };
    let keys = batch
        .column_by_name("K")
        .and_then(|a| a.as_any().downcast_ref::<StringArray>().cloned())
        .unwrap();
    let (ts, counts, sums) = (
        int("$ROWTIME").unwrap(),
        int("C").unwrap(),
        int("S").unwrap(),
    );
    let starts = int("$WINDOWSTART");
    let ends = int("$WINDOWEND");
    let tombstones = batch
        .column_by_name(TOMBSTONE)
        .and_then(|a| a.as_any().downcast_ref::<BooleanArray>().cloned())
        .unwrap();
    (0..batch.num_rows())
        .map(|i| {
            let window = match (&starts, &ends) {
                (Some(s), Some(e)) => format!(" [{}-{}]", s.value(i), e.value(i)),
                (Some(s), None) => format!(" [{}]", s.value(i)),
                _ => String::new(),
            };
            if tombstones.value(i) {
                return format!("{} deleted @{}{window}", keys.value(i), ts.value(i));
            }
            format!(
                "{} {} {} @{}{window}",
                keys.value(i),
                counts.value(i),
                sums.value(i),
                ts.value(i)
            )
        })
        .collect()
}

#[test]
fn one_update_per_row_with_the_newest_timestamp() {
    let mut aggregate = count_and_sum(None);
    let (out, errors) = run(
        &mut aggregate,
        &[&[
            (10, Some("a"), Some(1)),
            (5, Some("b"), Some(2)),
            (7, Some("a"), Some(3)),
        ]],
    );
    assert_eq!(out, vec!["a 1 1 @10", "b 1 2 @5", "a 2 4 @10"]);
    assert!(errors.is_empty());
}

#[test]
fn null_keys_go_to_the_processing_log_and_null_values_are_skipped() {
    let mut aggregate = count_and_sum(None);
    let (out, errors) = run(
        &mut aggregate,
        &[&[
            (1, None, Some(1)),
            (2, Some("a"), None),
            (3, Some("a"), Some(5)),
        ]],
    );
    assert_eq!(out, vec!["a 1 5 @3"]);
    assert_eq!(errors.len(), 1);
    assert_eq!(
        errors[0].message,
        "Group-by column with index 0 resolved to null. The source row will be excluded from the table."
    );
    assert_eq!(errors[0].offset, 0);
}

#[test]
fn late_records_are_dropped_and_counted() {
    // 10 ms windows, 5 ms grace: [0, 10) closes when stream time reaches 15.
    let mut aggregate = count_and_sum(Some(tumbling(10, 5, false)));
    let (out, _) = run(
        &mut aggregate,
        &[&[
            (1, Some("a"), Some(1)),
            (14, Some("a"), Some(2)),
            (9, Some("a"), Some(3)),  // still open: 10 + 5 > 14
            (15, Some("a"), Some(4)), // closes [0, 10)
            (8, Some("a"), Some(5)),  // late
        ]],
    );
    assert_eq!(
        out,
        vec![
            "a 1 1 @1 [0]",
            "a 1 2 @14 [10]",
            "a 2 4 @9 [0]",
            "a 2 6 @15 [10]"
        ]
    );
    assert_eq!(aggregate.late_records(), 1);
}

#[test]
fn emit_final_emits_each_window_once_when_it_closes() {
    let mut aggregate = count_and_sum(Some(tumbling(2, 0, true)));
    let (out, _) = run(
        &mut aggregate,
        &[
            &[
                (0, Some("a"), Some(1)),
                (1, Some("b"), Some(2)),
                (1, Some("a"), Some(3)),
            ],
            &[(2, Some("a"), Some(4))],
            &[(3, Some("a"), Some(5)), (4, Some("b"), Some(6))],
        ],
    );
    assert_eq!(out, vec!["a 2 4 @1 [0]", "b 1 2 @1 [0]", "a 2 9 @3 [2]"]);
}

#[test]
fn restored_state_continues_where_the_changelog_left_off() {
    for windows in [
        None,
        Some(tumbling(10, 0, true)),
        Some(sessions(5, 100, false)),
    ] {
        let first_rows: &[Row] = &[
            (1, Some("a"), Some(1)),
            (2, Some("a"), Some(2)),
            (12, Some("b"), Some(3)),
        ];
        let later_rows: &[Row] = &[(13, Some("a"), Some(4)), (25, Some("b"), Some(5))];

        let mut original = count_and_sum(windows);
        run(&mut original, &[first_rows]);
        let changelog = original.take_changes();
        let (expected, _) = run(&mut original, &[later_rows]);

        let mut restored = count_and_sum(windows);
        for record in &changelog {
            restored.restore(record).unwrap();
        }
        let (out, _) = run(&mut restored, &[later_rows]);
        assert_eq!(out, expected, "windows: {windows:?}");
        assert!(!out.is_empty());
    }
}

#[test]
fn output_does_not_depend_on_batch_boundaries() {
    let rows: Vec<Row> = (0..40)
        .map(|i| {
            let key = ["a", "b", "c"][(i * 7 % 3) as usize];
            let value = (i % 5 != 0).then_some(i);
            (i * 3 % 50, Some(key), value)
        })
        .collect();
    for windows in [
        None,
        Some(tumbling(10, 20, false)),
        Some(tumbling(10, 5, true)),
        Some(sessions(4, 10, false)),
        Some(sessions(4, 3, true)),
    ] {
        let mut one = count_and_sum(windows);
        let (whole, _) = run(&mut one, &[&rows]);
        let whole_changelog = one.take_changes();
        for size in [1, 3, 7] {
            let chunks: Vec<&[Row]> = rows.chunks(size).collect();
            let mut many = count_and_sum(windows);
            let (split, _) = run(&mut many, &chunks);
            assert_eq!(split, whole, "batches of {size}, windows {windows:?}");
            // Input re-run after a crash must log the same records under the same sequence
            // numbers, whatever the batches.
            let changelog = many.take_changes();
            assert_eq!(changelog, whole_changelog, "changelog, batches of {size}");
        }
    }
}

#[test]
fn a_row_joining_sessions_deletes_them_and_emits_the_merged_session() {
    let mut aggregate = count_and_sum(Some(sessions(10, 100, false)));
    let (out, _) = run(
        &mut aggregate,
        &[&[
            (0, Some("a"), Some(1)),
            (15, Some("a"), Some(2)),
            (30, Some("b"), Some(3)),
            (7, Some("a"), Some(4)), // within 10 of both sessions of a
        ]],
    );
    assert_eq!(
        out,
        vec![
            "a 1 1 @0 [0-0]",
            "a 1 2 @15 [15-15]",
            "b 1 3 @30 [30-30]",
            "a deleted @0 [0-0]",
            "a deleted @15 [15-15]",
            "a 3 7 @15 [0-15]",
        ]
    );
}

#[test]
fn rows_of_closed_sessions_are_dropped() {
    // Gap 10, grace 5: at stream time 100 a session ending before 85 is closed.
    let mut aggregate = count_and_sum(Some(sessions(10, 5, false)));
    let (out, _) = run(
        &mut aggregate,
        &[&[
            (100, Some("a"), Some(1)),
            (84, Some("a"), Some(2)),
            (85, Some("a"), Some(3)),
        ]],
    );
    assert_eq!(out, vec!["a 1 1 @100 [100-100]", "a 1 3 @85 [85-85]"]);
    assert_eq!(aggregate.late_records(), 1);
}

#[test]
fn emit_final_emits_each_session_once_when_it_closes() {
    // ksqlDB's qtt/suppress.json "should support final results for session windows".
    let mut aggregate = count_and_sum(Some(sessions(5, 6, true)));
    let rows: Vec<Row> = [0, 4, 8, 12, 14, 30, 29, 17, 42]
        .into_iter()
        .map(|t| (t, Some("k1"), Some(1)))
        .collect();
    let (out, _) = run(&mut aggregate, &[&rows]);
    assert_eq!(out, vec!["k1 5 5 @14 [0-14]", "k1 2 2 @30 [29-30]"]);
}

#[test]
fn group_keys_are_the_json_of_their_values() {
    let key = [
        ScalarValue::Int32(Some(-3)),
        ScalarValue::Int64(Some(1_700_000_000_000)),
        ScalarValue::Utf8(Some("a \"quoted\" \u{e9}".into())),
        ScalarValue::Boolean(Some(true)),
        ScalarValue::Float64(Some(1.5)),
    ];
    let types = [
        SqlType::Int,
        SqlType::Bigint,
        SqlType::String,
        SqlType::Boolean,
        SqlType::Double,
    ];
    let values: Vec<serde_json::Value> = key
        .iter()
        .zip(&types)
        .map(|(v, ty)| crate::format::scalar_to_json(v, ty).unwrap())
        .collect();
    assert_eq!(
        String::from_utf8(super::encode_key(&key, &types).unwrap()).unwrap(),
        serde_json::to_string(&values).unwrap()
    );
}

#[test]
fn the_record_cache_emits_each_group_once_per_batch_as_the_batch_left_it() {
    let mut aggregate = count_and_sum_cached(None, true);
    let (out, errors) = run(
        &mut aggregate,
        &[
            &[
                (10, Some("a"), Some(1)),
                (5, Some("b"), Some(2)),
                (7, Some("a"), Some(3)),
            ],
            &[(11, Some("b"), Some(4))],
        ],
    );
    // Groups come out in the order of their last update in the batch.
    assert_eq!(out, vec!["b 1 2 @5", "a 2 4 @10", "b 2 6 @11"]);
    assert!(errors.is_empty());
    assert_eq!(aggregate.take_changes().len(), 3);
}

#[test]
fn with_the_record_cache_each_batch_ends_with_the_groups_of_an_uncached_run() {
    let rows: Vec<Row> = (0..40)
        .map(|i| {
            let key = ["a", "b", "c"][(i * 7 % 3) as usize];
            (i * 3 % 50, Some(key), Some(i))
        })
        .collect();
    for windows in [
        None,
        Some(tumbling(10, 20, false)),
        Some(tumbling(10, 5, true)),
    ] {
        for size in [1, 3, 7, 40] {
            let chunks: Vec<&[Row]> = rows.chunks(size).collect();
            let mut cached = count_and_sum_cached(windows, true);
            let mut uncached = count_and_sum(windows);
            for chunk in &chunks {
                let (coalesced, _) = run(&mut cached, &[chunk]);
                let (every, _) = run(&mut uncached, &[chunk]);
                // The last update of each group (and window), in order of that update.
                let mut last: Vec<String> = Vec::new();
                for row in every.iter().rev() {
                    let group = |r: &str| {
                        let mut words = r.split(' ');
                        (
                            words.next().map(str::to_string),
                            r.split_once('[').map(|w| w.1.to_string()),
                        )
                    };
                    if !last.iter().any(|l| group(l) == group(row)) {
                        last.insert(0, row.clone());
                    }
                }
                assert_eq!(coalesced, last, "batches of {size}, windows {windows:?}");
            }
            if size == 1 {
                assert_eq!(cached.take_changes(), uncached.take_changes());
            }
        }
    }
}
