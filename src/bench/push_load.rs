//! The push-query load benchmark (`sluice bench push-load`): many HTTP clients, each with
//! its own push query over one stream, while a producer inserts events into the stream at a
//! fixed rate. It measures what a client of `sluice server` sees: every row delivered to
//! every client (rows lost must be 0) and how long each row took from its insert request to
//! its arrival at the client.
//!
//! The server runs in this process on a temporary log, listening on a free local port; the
//! clients and the producer speak to it over HTTP exactly as external ones would (`/query`
//! for the push queries, `/inserts-stream` for the events). Each event carries a sequence
//! number and the wall-clock microsecond it was sent at, so a client can tell which rows it
//! missed or saw twice and how late each one arrived.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use hdrhistogram::Histogram;
use serde_json::{Map, Value, json};
use tokio::sync::watch;

use super::data_dir::{DataDir, DataDirError};
use super::process::{peak_rss, thousands};
use crate::engine::{Engine, EngineConfig, EngineError};
use crate::log::FsyncPolicy;
use crate::server::client::Client;
use crate::server::{Server, ServerConfig};

/// The stream every client reads and the producer writes.
const STREAM_DDL: &str = "CREATE STREAM load_events (id BIGINT KEY, seq BIGINT, sent_us BIGINT, \
     payload STRING) WITH (KAFKA_TOPIC='load_events', PARTITIONS=1, VALUE_FORMAT='JSON');";
/// Each client's push query. `earliest`, so that a row inserted while the last clients are
/// still connecting is not missed by them.
const PUSH_QUERY: &str = "SELECT seq, sent_us FROM load_events EMIT CHANGES;";
/// How often the producer sends what is due.
const PRODUCE_TICK: Duration = Duration::from_millis(10);
/// How long clients may take, after the last insert, to receive every row.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(60);
/// How long the producer waits for a request's acknowledgements before giving up.
const INSERT_PATIENCE: Duration = Duration::from_secs(120);
/// The largest latency recorded exactly, in microseconds; later rows count at this value.
const MAX_LATENCY_US: u64 = 600_000_000;

/// What to run.
#[derive(Debug, Clone)]
pub struct PushLoadOptions {
    /// Concurrent push-query clients.
    pub clients: usize,
    /// Events inserted per second.
    pub rate: u64,
    /// How long the producer inserts.
    pub duration: Duration,
    /// Where the log lives; a temporary directory when `None`.
    pub data_dir: Option<PathBuf>,
}

/// Why a run failed.
#[derive(Debug, thiserror::Error)]
pub enum PushLoadError {
    #[error(transparent)]
    DataDir(#[from] DataDirError),
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error("Cannot start the server or the async runtime: {0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Http(String),
}

/// What the clients saw.
#[derive(Debug)]
pub struct PushLoadReport {
    pub clients: usize,
    /// Events the producer inserted, each acknowledged by the server.
    pub produced: u64,
    /// How long the producer took to insert them.
    pub produce_time: Duration,
    /// The longest an insert request waited for its acknowledgements.
    pub slowest_ack: Duration,
    /// Rows received, summed over the clients (each event once per client when none is lost).
    pub delivered: u64,
    /// Events some client never received, summed over the clients.
    pub lost: u64,
    /// Rows a client received more than once.
    pub duplicated: u64,
    /// From the insert request to the client, over every delivered row.
    pub latency: Histogram<u64>,
    pub peak_rss: Option<u64>,
}

/// Runs the benchmark.
pub fn run(options: &PushLoadOptions) -> Result<PushLoadReport, PushLoadError> {
    let dir = DataDir::prepare(options.data_dir.as_deref())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let engine = {
        let _guard = runtime.enter();
        Engine::open(EngineConfig {
            data_dir: Some(dir.path().to_path_buf()),
            fsync: FsyncPolicy::Never,
            deterministic: false,
            ..EngineConfig::default()
        })?
    };
    let report = runtime.block_on(measure(engine, options));
    runtime.shutdown_timeout(Duration::from_secs(5));
    report
}

async fn measure(
    engine: Arc<Engine>,
    options: &PushLoadOptions,
) -> Result<PushLoadReport, PushLoadError> {
    let server = Server::bind(
        engine,
        &ServerConfig {
            listen: "127.0.0.1:0".to_string(),
            ..ServerConfig::default()
        },
    )
    .await?;
    let addr = server.local_addr()?;
    let (stop_server, server_stopped) = watch::channel(false);
    let served = tokio::spawn(server.run_until(async move {
        let mut stopped = server_stopped;
        let _ = stopped.wait_for(|stop| *stop).await;
    }));

    let client = Client::new(addr);
    let (status, body) = client
        .ksql(STREAM_DDL, &Map::new())
        .await
        .map_err(PushLoadError::Http)?;
    if !status.is_success() {
        return Err(PushLoadError::Http(format!("CREATE STREAM failed: {body}")));
    }

    let total = Arc::new(AtomicU64::new(u64::MAX));
    let mut readers = Vec::with_capacity(options.clients);
    let mut subscribed = Vec::with_capacity(options.clients);
    for _ in 0..options.clients {
        let (ready, ready_rx) = tokio::sync::oneshot::channel();
        subscribed.push(ready_rx);
        readers.push(tokio::spawn(read_pushed_rows(addr, total.clone(), ready)));
    }
    for ready in subscribed {
        ready
            .await
            .map_err(|_| PushLoadError::Http("a client could not start its push query".into()))?;
    }

    let started = Instant::now();
    let (produced, slowest_ack) =
        produce(&client.clone().with_patience(INSERT_PATIENCE), options).await?;
    let produce_time = started.elapsed();
    total.store(produced, Ordering::Release);

    let mut report = PushLoadReport {
        clients: options.clients,
        produced,
        produce_time,
        slowest_ack,
        delivered: 0,
        lost: 0,
        duplicated: 0,
        latency: new_histogram(),
        peak_rss: None,
    };
    for reader in readers {
        let seen = reader
            .await
            .map_err(|e| PushLoadError::Http(format!("a client failed: {e}")))??;
        report.delivered += seen.rows;
        report.duplicated += seen.duplicated;
        report.lost += produced - seen.distinct;
        report
            .latency
            .add(&seen.latency)
            .map_err(|e| PushLoadError::Http(format!("latency histogram: {e}")))?;
    }
    report.peak_rss = peak_rss();
    let _ = stop_server.send(true);
    let _ = served.await;
    Ok(report)
}

/// Inserts `rate` events per second for the run's duration, in a request per tick;
/// returns how many the server acknowledged (every one, or an error) and the longest an
/// acknowledgement took.
async fn produce(
    client: &Client,
    options: &PushLoadOptions,
) -> Result<(u64, Duration), PushLoadError> {
    let target = options
        .rate
        .saturating_mul(options.duration.as_millis() as u64)
        / 1000;
    let started = Instant::now();
    let mut ticks = tokio::time::interval(PRODUCE_TICK);
    let mut sent = 0u64;
    let mut slowest_ack = Duration::ZERO;
    while sent < target {
        ticks.tick().await;
        let due = (options.rate as f64 * started.elapsed().as_secs_f64()) as u64;
        let batch: Vec<Value> = (sent..due.min(target))
            .map(|seq| {
                json!({
                    "ID": seq % 1024,
                    "SEQ": seq,
                    "SENT_US": now_micros(),
                    "PAYLOAD": "host-17 cpu=0.73 mem=0.41",
                })
            })
            .collect();
        if batch.is_empty() {
            continue;
        }
        let asked = Instant::now();
        let acks = client
            .insert_rows("LOAD_EVENTS", &batch)
            .await
            .map_err(PushLoadError::Http)?;
        slowest_ack = slowest_ack.max(asked.elapsed());
        let accepted = acks
            .iter()
            .filter(|ack| ack.get("status").and_then(Value::as_str) == Some("ok"))
            .count();
        if accepted != batch.len() {
            return Err(PushLoadError::Http(format!(
                "the server accepted {accepted} of {} rows: {acks:?}",
                batch.len()
            )));
        }
        sent += batch.len() as u64;
    }
    Ok((sent, slowest_ack))
}

/// What one client received.
struct Seen {
    rows: u64,
    distinct: u64,
    duplicated: u64,
    latency: Histogram<u64>,
}

/// One client: runs the push query, says when its header arrived (the query runs), then
/// reads rows until it has every event the producer sent or the drain time is over.
async fn read_pushed_rows(
    addr: SocketAddr,
    total: Arc<AtomicU64>,
    ready: tokio::sync::oneshot::Sender<()>,
) -> Result<Seen, PushLoadError> {
    let properties = Map::from_iter([("auto.offset.reset".to_string(), json!("earliest"))]);
    let mut rows = Client::new(addr)
        .query(PUSH_QUERY, &properties)
        .await
        .map_err(PushLoadError::Http)?;
    let header = rows.next().await.map_err(PushLoadError::Http)?;
    if !rows.status().is_success() || header.is_none() {
        return Err(PushLoadError::Http(format!(
            "the push query failed ({}): {header:?}",
            rows.status()
        )));
    }
    let _ = ready.send(());
    let mut seen = Seen {
        rows: 0,
        distinct: 0,
        duplicated: 0,
        latency: new_histogram(),
    };
    let mut received: Vec<bool> = Vec::new();
    let mut drain_deadline: Option<Instant> = None;
    loop {
        let total = total.load(Ordering::Acquire);
        if seen.distinct >= total {
            break;
        }
        // Once the producer is done, the rest must arrive within the drain time.
        if total != u64::MAX {
            let deadline = *drain_deadline.get_or_insert_with(|| Instant::now() + DRAIN_TIMEOUT);
            if Instant::now() > deadline {
                break;
            }
        }
        let next = match tokio::time::timeout(Duration::from_millis(200), rows.next_text()).await {
            Ok(next) => next.map_err(PushLoadError::Http)?,
            Err(_) => continue,
        };
        let Some(element) = next else { break };
        let Some((seq, sent_us)) = seq_and_sent(&element) else {
            return Err(PushLoadError::Http(format!("not a row: {element}")));
        };
        seen.rows += 1;
        let seq = seq as usize;
        if received.len() <= seq {
            received.resize(seq + 1, false);
        }
        if received[seq] {
            seen.duplicated += 1;
        } else {
            received[seq] = true;
            seen.distinct += 1;
        }
        seen.latency
            .saturating_record(now_micros().saturating_sub(sent_us).min(MAX_LATENCY_US));
    }
    Ok(seen)
}

/// The two numbers of a row `{"row":{"columns":[SEQ,SENT_US]}}`, read without parsing the
/// whole JSON: the clients share the CPU with the server they measure.
fn seq_and_sent(element: &str) -> Option<(u64, u64)> {
    let columns = element.strip_prefix("{\"row\":{\"columns\":[")?;
    let (seq, rest) = columns.split_once(',')?;
    let sent = rest.split(']').next()?;
    Some((seq.trim().parse().ok()?, sent.trim().parse().ok()?))
}

fn new_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, MAX_LATENCY_US, 3).expect("valid histogram bounds")
}

fn now_micros() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as u64)
}

impl fmt::Display for PushLoadReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = |us: u64| us as f64 / 1000.0;
        let rate = self.produced as f64 / self.produce_time.as_secs_f64().max(1e-9);
        writeln!(
            f,
            "produced: {} events in {:.1} s = {} events/s through /inserts-stream \
             (slowest acknowledgement {:.0} ms)",
            thousands(self.produced),
            self.produce_time.as_secs_f64(),
            thousands(rate.round() as u64),
            self.slowest_ack.as_secs_f64() * 1000.0,
        )?;
        writeln!(
            f,
            "delivered: {} rows to {} push-query clients ({} expected); lost {}, duplicated {}",
            thousands(self.delivered),
            self.clients,
            thousands(self.produced * self.clients as u64),
            thousands(self.lost),
            thousands(self.duplicated),
        )?;
        writeln!(
            f,
            "latency (insert request to client): p50 {:.1} ms, p99 {:.1} ms, p99.9 {:.1} ms, max {:.1} ms",
            ms(self.latency.value_at_quantile(0.5)),
            ms(self.latency.value_at_quantile(0.99)),
            ms(self.latency.value_at_quantile(0.999)),
            ms(self.latency.max()),
        )?;
        match self.peak_rss {
            Some(bytes) => write!(f, "peak RSS: {} MiB", bytes / (1024 * 1024)),
            None => write!(f, "peak RSS: unknown"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_client_receives_every_event_once() {
        let report = run(&PushLoadOptions {
            clients: 4,
            rate: 500,
            duration: Duration::from_secs(1),
            data_dir: None,
        })
        .expect("the run completes");
        assert_eq!(report.produced, 500);
        assert_eq!(report.lost, 0, "{report}");
        assert_eq!(report.duplicated, 0, "{report}");
        assert_eq!(report.delivered, 4 * 500, "{report}");
        assert_eq!(report.latency.len(), 4 * 500);
    }

    #[test]
    fn reads_a_rows_two_numbers() {
        assert_eq!(
            seq_and_sent("{\"row\":{\"columns\":[17,1767225600000123]}}"),
            Some((17, 1_767_225_600_000_123))
        );
        assert_eq!(seq_and_sent("{\"finalMessage\":\"Limit Reached\"}"), None);
    }
}
