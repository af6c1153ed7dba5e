//! The examples in `examples/` run end to end: each pipeline over its generator's events,
//! every output checked against values computed from the events themselves.

#[path = "../examples/clickstream/events.rs"]
mod clickstream;
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
        ScalarValue::Int32(Some(v)) => i64::from(*v),
        other => panic!("expected an integer, got {other:?}"),
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
            .rfind(|s| s.host == host)
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

/// One session as the example's tables report it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct UserSession {
    user_id: String,
    start: i64,
    end: i64,
    clicks: i64,
    pages: i64,
    landing_page: String,
    exit_page: String,
    purchases: i64,
}

/// Sessions computed from the clicks themselves: a user's clicks at most the gap apart.
fn expected_sessions(clicks: &[clickstream::Click]) -> Vec<UserSession> {
    let mut by_user: BTreeMap<&str, Vec<&clickstream::Click>> = BTreeMap::new();
    for click in clicks {
        by_user.entry(&click.user_id).or_default().push(click);
    }
    let mut sessions = Vec::new();
    for (user, clicks) in by_user {
        let mut run: Vec<&clickstream::Click> = Vec::new();
        for click in clicks
            .into_iter()
            .chain(std::iter::once(&clickstream::Click {
                user_id: String::new(),
                page: String::new(),
                action: String::new(),
                ts: i64::MAX,
            }))
        {
            if let Some(last) = run.last()
                && click.ts - last.ts > clickstream::SESSION_GAP_MS
            {
                let pages: std::collections::BTreeSet<&str> =
                    run.iter().map(|c| c.page.as_str()).collect();
                sessions.push(UserSession {
                    user_id: user.to_string(),
                    start: run[0].ts,
                    end: last.ts,
                    clicks: run.len() as i64,
                    pages: pages.len() as i64,
                    landing_page: run[0].page.clone(),
                    exit_page: last.page.clone(),
                    purchases: run.iter().filter(|c| c.action == "purchase").count() as i64,
                });
                run.clear();
            }
            run.push(click);
        }
    }
    sessions.sort();
    sessions
}

#[test]
fn clickstream_sessions_match_the_clicks() {
    let engine = engine();
    let mut session = Session::default();
    run(
        &engine,
        &mut session,
        include_str!("../examples/clickstream/pipeline.sql"),
    );
    let clicks = clickstream::clicks(4, 12, 3);
    let inserts: Vec<String> = clicks.iter().map(clickstream::insert_statement).collect();
    run(&engine, &mut session, &inserts.join("\n"));
    engine.run_until_idle().expect("queries run");

    let expected = expected_sessions(&clicks);
    assert!(
        expected.len() > 8 && expected.iter().any(|s| s.purchases > 0),
        "the generator makes several sessions, some with purchases"
    );

    // Every session, once, by a pull query over the whole table.
    let rows = pull(
        &engine,
        &mut session,
        "SELECT user_id, WINDOWSTART, WINDOWEND, clicks, pages, landing_page, exit_page, \
         purchases FROM user_sessions;",
    );
    let mut got: Vec<UserSession> = rows
        .iter()
        .map(|r| UserSession {
            user_id: text(&r[0]),
            start: int(&r[1]),
            end: int(&r[2]),
            clicks: int(&r[3]),
            pages: int(&r[4]),
            landing_page: text(&r[5]),
            exit_page: text(&r[6]),
            purchases: int(&r[7]),
        })
        .collect();
    got.sort();
    assert_eq!(got, expected);

    // One user's sessions by key.
    let rows = pull(
        &engine,
        &mut session,
        "SELECT WINDOWSTART, clicks FROM user_sessions WHERE user_id = 'user-2';",
    );
    let mut got: Vec<(i64, i64)> = rows.iter().map(|r| (int(&r[0]), int(&r[1]))).collect();
    got.sort();
    let want: Vec<(i64, i64)> = expected
        .iter()
        .filter(|s| s.user_id == "user-2")
        .map(|s| (s.start, s.clicks))
        .collect();
    assert_eq!(got, want);

    // EMIT FINAL: one row per session that stream time has closed, none for the others.
    let stream_time = clicks.iter().map(|c| c.ts).max().expect("clicks");
    let rows = pull(
        &engine,
        &mut session,
        "SELECT user_id, WINDOWSTART, clicks, exit_page FROM finished_sessions;",
    );
    let mut finished: Vec<(String, i64, i64, String)> = rows
        .iter()
        .map(|r| (text(&r[0]), int(&r[1]), int(&r[2]), text(&r[3])))
        .collect();
    finished.sort();
    let closed = |s: &&UserSession| s.end + clickstream::SESSION_GAP_MS < stream_time;
    let want: Vec<(String, i64, i64, String)> = expected
        .iter()
        .filter(closed)
        .map(|s| (s.user_id.clone(), s.start, s.clicks, s.exit_page.clone()))
        .collect();
    assert!(!want.is_empty());
    assert_eq!(finished, want);
}
