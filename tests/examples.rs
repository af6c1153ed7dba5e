//! The examples in `examples/` run end to end: each pipeline over its generator's events,
//! every output checked against values computed from the events themselves.

#[path = "../examples/server-metrics/events.rs"]
mod server_metrics;

use std::collections::BTreeMap;
use std::sync::Arc;

use datafusion::arrow::record_batch::RecordBatch;
use datafusion::scalar::ScalarValue;
use sluice::engine::{Engine, EngineConfig, Session, StatementResult};
use sluice::log::memory::MemoryLog;

fn engine() -> Arc<Engine> {
    let config = EngineConfig {
        data_dir: None,
        deterministic: true,
        ..EngineConfig::default()
    };
    Engine::with_log(config, Arc::new(MemoryLog::new())).expect("engine opens")
}

fn run(engine: &Arc<Engine>, session: &mut Session, text: &str) -> Vec<StatementResult> {
    match engine.execute(text, session) {
        Ok(results) => results,
        Err((_, error)) => panic!("statement failed: {error}"),
    }
}

/// The rows of a pull query, each as its cells.
fn pull(engine: &Arc<Engine>, session: &mut Session, query: &str) -> Vec<Vec<ScalarValue>> {
    let mut results = run(engine, session, query);
    let Some(StatementResult::Push(mut answer)) = results.pop() else {
        panic!("{query} did not return rows");
    };
    let mut rows = Vec::new();
    while let Ok(batch) = answer.rows.try_recv() {
        rows.extend(batch_rows(&batch, answer.schema.columns.len()));
    }
    rows
}

/// The user-visible cells of each row (the batch's first column is the record time).
fn batch_rows(batch: &RecordBatch, width: usize) -> Vec<Vec<ScalarValue>> {
    let visible: Vec<usize> = batch
        .schema()
        .fields()
        .iter()
        .enumerate()
        .filter(|(_, f)| !f.name().starts_with('$'))
        .map(|(i, _)| i)
        .take(width)
        .collect();
    (0..batch.num_rows())
        .map(|row| {
            visible
                .iter()
                .map(|&c| ScalarValue::try_from_array(batch.column(c), row).expect("cell"))
                .collect()
        })
        .collect()
}

fn text(value: &ScalarValue) -> String {
    match value {
        ScalarValue::Utf8(Some(s)) => s.clone(),
        other => panic!("expected a string, got {other:?}"),
    }
}

fn float(value: &ScalarValue) -> f64 {
    match value {
        ScalarValue::Float64(Some(v)) => *v,
        other => panic!("expected a double, got {other:?}"),
    }
}

fn int(value: &ScalarValue) -> i64 {
    match value {
        ScalarValue::Int64(Some(v)) => *v,
        other => panic!("expected a bigint, got {other:?}"),
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn server_metrics_averages_alerts_and_latest_readings() {
    let engine = engine();
    let mut session = Session::default();
    run(
        &engine,
        &mut session,
        include_str!("../examples/server-metrics/pipeline.sql"),
    );
    let samples = server_metrics::samples(4, 5, 7);
    let inserts: Vec<String> = samples
        .iter()
        .map(server_metrics::insert_statement)
        .collect();
    run(&engine, &mut session, &inserts.join("\n"));
    engine.run_until_idle().expect("queries run");

    // Alerts: every hot sample, in order.
    let alerts = pull(
        &engine,
        &mut session,
        "SELECT host, cpu, ts FROM hot_hosts;",
    );
    let expected: Vec<(String, f64, i64)> = samples
        .iter()
        .filter(|s| s.cpu > 90.0 || s.mem > 95.0)
        .map(|s| (s.host.clone(), s.cpu, s.ts))
        .collect();
    assert!(!expected.is_empty(), "the generator makes web-1 run hot");
    let got: Vec<(String, f64, i64)> = alerts
        .iter()
        .map(|r| (text(&r[0]), float(&r[1]), int(&r[2])))
        .collect();
    assert_eq!(got, expected);

    // Each host's latest reading, by pull query.
    for host in ["web-1", "web-3"] {
        let last = samples
            .iter()
            .filter(|s| s.host == host)
            .next_back()
            .expect("the host reported");
        let rows = pull(
            &engine,
            &mut session,
            &format!(
                "SELECT host, cpu, mem, disk, last_seen FROM host_latest WHERE host = '{host}';"
            ),
        );
        assert_eq!(rows.len(), 1, "one row for {host}");
        let row = &rows[0];
        assert_eq!(text(&row[0]), host);
        assert!(close(float(&row[1]), last.cpu));
        assert!(close(float(&row[2]), last.mem));
        assert!(close(float(&row[3]), last.disk));
        assert_eq!(int(&row[4]), last.ts);
    }

    // One-minute averages: one row per host and minute, in host then window order.
    let mut minutes: BTreeMap<(String, i64), Vec<f64>> = BTreeMap::new();
    for sample in &samples {
        let minute = (sample.ts - server_metrics::START_MS) / 60_000;
        minutes
            .entry((sample.host.clone(), minute))
            .or_default()
            .push(sample.cpu);
    }
    let rows = pull(
        &engine,
        &mut session,
        "SELECT host, avg_cpu, samples FROM metrics_per_minute;",
    );
    assert_eq!(rows.len(), minutes.len());
    for (row, ((host, _), cpus)) in rows.iter().zip(&minutes) {
        assert_eq!(&text(&row[0]), host);
        let average = cpus.iter().sum::<f64>() / cpus.len() as f64;
        assert!(
            close(float(&row[1]), average),
            "{host}: {} != {average}",
            float(&row[1])
        );
        assert_eq!(int(&row[2]), cpus.len() as i64);
    }
}
