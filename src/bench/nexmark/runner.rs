//! One benchmark run: load events into the embedded log, start a query, time it to its last
//! output record, and check that it consumed every input and wrote every expected record.
//!
//! Phases, timed apart: generate N bids and append them to topic `bid` as JSON (and, for the
//! queries that read them, the auctions generated meanwhile to topic `auction`; one generator
//! per partition, in batches of [`APPEND_BATCH`]), counting the records each sink must end up
//! with the record cache off (`expected`); declare the source streams; then run the query's
//! `CREATE … AS SELECT`s and poll until its last sink topic holds every expected record or,
//! when the record cache coalesces an aggregation's updates, until every persistent query has
//! read all its input. Only the last phase is the query's time. Then every persistent query
//! must have read all its input and every sink must hold exactly the expected records (an
//! aggregating stage with the cache on: at least one, at most that many). Peak RSS is
//! measured per phase when the kernel lets the high-water mark be reset.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::expected::ExpectedOutputs;
use super::generator::{Event, GeneratorConfig, NexmarkGenerator};
use super::queries::{AUCTION_DDL, AUCTION_TOPIC, BID_DDL, BID_TOPIC, NexmarkQuery};
use super::{NexmarkError, NexmarkResult};
use crate::bench::data_dir::DataDir;
use crate::bench::process::{peak_rss, process_cpu_time, reset_peak_rss, thousands};
use crate::engine::{Engine, EngineConfig, Session};
use crate::log::{FsyncPolicy, Log, Record, TopicConfig};
use crate::runtime::processing_log::PROCESSING_LOG_TOPIC;

/// Records per `Log::append` while loading.
const APPEND_BATCH: usize = 4096;
/// How often the sink's end offsets are polled.
const POLL_INTERVAL: Duration = Duration::from_millis(1);
/// A query that writes nothing for this long is reported as stalled.
const STALL_TIMEOUT: Duration = Duration::from_secs(60);

/// What to run.
#[derive(Debug, Clone)]
pub struct BenchOptions {
    pub query: NexmarkQuery,
    /// Bids to load (Nexmark events generated: about 50/46 as many).
    pub events: u64,
    /// Partitions of the `bid` topic, one generator each.
    pub partitions: u32,
    /// Where the log lives; a fresh directory under the system temp dir, removed after the
    /// run, when `None`. A given directory must be empty or absent, and is kept.
    pub data_dir: Option<PathBuf>,
    /// Seeds the generator.
    pub seed: u64,
    /// ksqlDB's record cache: off, the session sets `ksql.streams.cache.max.bytes.buffering`
    /// to 0 and aggregations emit an update per input record.
    pub record_cache: bool,
}

/// What a run measured.
#[derive(Debug, Clone)]
pub struct BenchReport {
    pub query: NexmarkQuery,
    pub partitions: u32,
    /// Bids loaded, each an input event of the query.
    pub events: u64,
    /// Auctions loaded, each an input event of the queries that read them (0 for the others).
    pub auctions: u64,
    /// Nexmark events generated to get the bids (persons, and auctions for the queries that
    /// do not read them, are not loaded).
    pub generated: u64,
    /// Records the query wrote to its last sink.
    pub outputs: u64,
    /// Whether the record cache was on.
    pub record_cache: bool,
    /// Generating, encoding and appending the bids.
    pub load: Duration,
    /// From `CREATE … AS SELECT` to its last output record.
    pub query_time: Duration,
    /// CPU time the process used meanwhile (all threads), when the kernel reports it: the
    /// figure to compare per core on a machine shared with other work.
    pub query_cpu: Option<Duration>,
    /// Peak resident memory while loading, bytes.
    pub load_peak_rss: Option<u64>,
    /// Peak resident memory while the query ran (the whole process' peak when the peak
    /// could not be reset after loading), bytes.
    pub query_peak_rss: Option<u64>,
    /// False when the kernel refused to reset the peak after loading.
    pub peak_reset: bool,
}

/// Runs one benchmark.
pub fn run(options: &BenchOptions) -> NexmarkResult<BenchReport> {
    let dir = DataDir::prepare(options.data_dir.as_deref())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(NexmarkError::Runtime)?;
    let report = {
        let _guard = runtime.enter();
        measure(options, dir.path())
    };
    runtime.shutdown_timeout(Duration::from_secs(5));
    report
}

fn measure(options: &BenchOptions, dir: &Path) -> NexmarkResult<BenchReport> {
    let engine = Engine::open(EngineConfig {
        data_dir: Some(dir.to_path_buf()),
        fsync: FsyncPolicy::Never,
        deterministic: false,
        ..EngineConfig::default()
    })?;
    let partitions = options.partitions.max(1);
    let mut topics = vec![BID_TOPIC];
    if options.query.reads_auctions() {
        topics.push(AUCTION_TOPIC);
    }
    for topic in topics {
        engine.log().create_topic(
            topic,
            TopicConfig {
                partitions,
                ..TopicConfig::default()
            },
        )?;
    }

    let started = Instant::now();
    let loaded = load(engine.log(), options, partitions)?;
    let load = started.elapsed();
    let load_peak_rss = peak_rss();
    let peak_reset = reset_peak_rss();

    let mut session = Session::default();
    let mut ddl = format!("SET 'auto.offset.reset'='earliest'; {BID_DDL}");
    if !options.record_cache {
        ddl.push_str("SET 'ksql.streams.cache.max.bytes.buffering'='0';");
    }
    if options.query.reads_auctions() {
        ddl.push_str(AUCTION_DDL);
    }
    execute(&engine, &ddl, &mut session)?;
    let cpu_before = process_cpu_time();
    let started = Instant::now();
    for stage in options.query.stages() {
        execute(&engine, stage.sql, &mut session)?;
    }
    let coalesced = options.record_cache && options.query.stages().iter().any(|s| s.aggregates);
    if coalesced {
        wait_for_input(&engine, options.query)?;
    } else {
        wait_for_outputs(
            &engine,
            options.query,
            options.query.sink_topic(),
            loaded.expected,
        )?;
    }
    let query_time = started.elapsed();
    let query_cpu = cpu_before
        .zip(process_cpu_time())
        .map(|(before, after)| after.saturating_sub(before));
    let query_peak_rss = peak_rss();
    check_completion(&engine, options, loaded.expected)?;
    Ok(BenchReport {
        query: options.query,
        partitions,
        events: loaded.bids,
        auctions: loaded.auctions,
        generated: loaded.generated,
        outputs: records_in(engine.log(), options.query.sink_topic())?,
        record_cache: coalesced,
        load,
        query_time,
        query_cpu,
        load_peak_rss,
        query_peak_rss,
        peak_reset,
    })
}

/// What loading wrote.
#[derive(Debug, Default)]
struct Loaded {
    bids: u64,
    auctions: u64,
    generated: u64,
    /// The records each of the query's sinks must end up with.
    expected: u64,
}

/// Generates and appends the bids, one thread and generator per partition.
fn load(log: &Arc<dyn Log>, options: &BenchOptions, partitions: u32) -> NexmarkResult<Loaded> {
    let config = GeneratorConfig {
        num_event_generators: partitions,
        base_time_ms: now_millis(),
        seed: options.seed,
        ..GeneratorConfig::default()
    };
    let share = options.events / u64::from(partitions);
    let last_share = share + options.events % u64::from(partitions);
    // Java splits the id space evenly; every generator gets room for the largest share.
    let events_per_generator = config.events_for_bids(last_share);
    std::thread::scope(|scope| {
        let loaders: Vec<_> = (0..partitions)
            .map(|partition| {
                let bids = if partition + 1 == partitions {
                    last_share
                } else {
                    share
                };
                let config = &config;
                scope.spawn(move || {
                    let generator = NexmarkGenerator::new(config, partition, events_per_generator);
                    load_partition(log.as_ref(), generator, partition, bids, options.query)
                })
            })
            .collect();
        let mut total = Loaded::default();
        for loader in loaders {
            let loaded = loader.join().map_err(|_| NexmarkError::LoaderPanicked)??;
            total.bids += loaded.bids;
            total.auctions += loaded.auctions;
            total.generated += loaded.generated;
            total.expected += loaded.expected;
        }
        Ok(total)
    })
}

/// Appends `bids` bids of `generator` to one partition of the bid topic, and the auctions
/// generated meanwhile to the same partition of the auction topic when the query reads them.
fn load_partition(
    log: &dyn Log,
    generator: NexmarkGenerator,
    partition: u32,
    bids: u64,
    query: NexmarkQuery,
) -> NexmarkResult<Loaded> {
    let mut loaded = Loaded::default();
    let mut expected = ExpectedOutputs::new(query);
    let mut bid_topic = Appender::new(log, BID_TOPIC, partition);
    let mut auction_topic = Appender::new(log, AUCTION_TOPIC, partition);
    for event in generator {
        if loaded.bids == bids {
            break;
        }
        loaded.generated += 1;
        match event {
            Event::Bid(bid) => {
                loaded.bids += 1;
                expected.bid(&bid);
                bid_topic.push(&bid, bid.date_time)?;
            }
            Event::Auction(auction) if query.reads_auctions() => {
                loaded.auctions += 1;
                expected.auction(&auction);
                auction_topic.push(&auction, auction.date_time)?;
            }
            Event::Auction(_) | Event::Person(_) => {}
        }
    }
    bid_topic.flush()?;
    auction_topic.flush()?;
    if loaded.bids < bids {
        // `events_for_bids` leaves room for every bid; this is a bug if it happens.
        return Err(NexmarkError::ShortGenerator {
            wanted: bids,
            got: loaded.bids,
        });
    }
    loaded.expected = expected.records();
    Ok(loaded)
}

/// Appends events to one partition of a topic as JSON values, [`APPEND_BATCH`] at a time.
struct Appender<'a> {
    log: &'a dyn Log,
    topic: &'static str,
    partition: u32,
    batch: Vec<Record>,
}

impl<'a> Appender<'a> {
    fn new(log: &'a dyn Log, topic: &'static str, partition: u32) -> Self {
        Appender {
            log,
            topic,
            partition,
            batch: Vec::new(),
        }
    }

    /// Queues `event` with its event time as the record timestamp.
    fn push(&mut self, event: &impl serde::Serialize, timestamp: i64) -> NexmarkResult<()> {
        self.batch.push(Record {
            key: None,
            value: Some(
                serde_json::to_vec(event)
                    .map_err(NexmarkError::Encode)?
                    .into(),
            ),
            timestamp,
            headers: Vec::new(),
        });
        if self.batch.len() == APPEND_BATCH {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> NexmarkResult<()> {
        if !self.batch.is_empty() {
            let full = std::mem::replace(&mut self.batch, Vec::with_capacity(APPEND_BATCH));
            self.log.append(self.topic, self.partition, full, None)?;
        }
        Ok(())
    }
}

fn execute(engine: &Arc<Engine>, sql: &str, session: &mut Session) -> NexmarkResult<()> {
    engine
        .execute(sql, session)
        .map(drop)
        .map_err(|(_, e)| NexmarkError::Statement {
            statement: e.statement,
            error: e.error,
        })
}

/// Polls `topic` until it holds `expected` records.
fn wait_for_outputs(
    engine: &Arc<Engine>,
    query: NexmarkQuery,
    topic: &str,
    expected: u64,
) -> NexmarkResult<()> {
    let log = engine.log();
    let mut written = 0;
    let mut last_progress = Instant::now();
    loop {
        let now_written = records_in(log, topic)?;
        if now_written >= expected {
            return Ok(());
        }
        if now_written > written {
            written = now_written;
            last_progress = Instant::now();
        }
        let running = engine.queries.ids().len();
        let stalled = last_progress.elapsed() > STALL_TIMEOUT;
        if running == 0 || stalled {
            return Err(NexmarkError::QueryStopped {
                query: query.name(),
                written,
                expected,
                record_errors: log.end_offset(PROCESSING_LOG_TOPIC, 0).unwrap_or(0),
                stalled,
            });
        }
        std::thread::sleep(POLL_INTERVAL);
    }
}

/// Polls until every persistent query has read all of its input (in creation order, so a
/// stage has read all that the stages before it wrote).
fn wait_for_input(engine: &Arc<Engine>, query: NexmarkQuery) -> NexmarkResult<()> {
    let mut least_unread = u64::MAX;
    let mut last_progress = Instant::now();
    loop {
        let unread = unread_input(engine);
        if unread == 0 {
            return Ok(());
        }
        if unread < least_unread {
            least_unread = unread;
            last_progress = Instant::now();
        }
        if last_progress.elapsed() > STALL_TIMEOUT || engine.queries.ids().is_empty() {
            return Err(NexmarkError::InputLeft {
                query: query.name(),
                unread,
            });
        }
        std::thread::sleep(POLL_INTERVAL);
    }
}

/// Input records the persistent queries have not read yet.
fn unread_input(engine: &Arc<Engine>) -> u64 {
    engine
        .query_metrics()
        .iter()
        .filter(|(_, persistent, _)| *persistent)
        .map(|(_, _, metrics)| metrics.lag)
        .sum()
}

/// Checks that the query ran to the end: every persistent query has read all of its input
/// (waiting for the last rounds to finish), and every sink holds exactly `expected` records;
/// with the record cache on, an aggregating stage's sink at least one and at most that many.
fn check_completion(
    engine: &Arc<Engine>,
    options: &BenchOptions,
    expected: u64,
) -> NexmarkResult<()> {
    let query = options.query;
    let started = Instant::now();
    loop {
        let unread = unread_input(engine);
        if unread == 0 {
            break;
        }
        if started.elapsed() > STALL_TIMEOUT {
            return Err(NexmarkError::InputLeft {
                query: query.name(),
                unread,
            });
        }
        std::thread::sleep(POLL_INTERVAL);
    }
    for stage in query.stages() {
        let written = records_in(engine.log(), stage.sink_topic)?;
        let (right, wanted) = if options.record_cache && stage.aggregates {
            (
                (1..=expected).contains(&written),
                format!("1 to {expected}"),
            )
        } else {
            (written == expected, format!("exactly {expected}"))
        };
        if !right {
            return Err(NexmarkError::WrongOutput {
                query: query.name(),
                topic: stage.sink_topic,
                written,
                expected: wanted,
            });
        }
    }
    Ok(())
}

/// Records in every partition of `topic`.
fn records_in(log: &Arc<dyn Log>, topic: &str) -> NexmarkResult<u64> {
    let partitions = log
        .topic_config(topic)
        .map(|c| c.partitions)
        .ok_or_else(|| crate::log::LogError::UnknownTopic(topic.to_string()))?;
    let mut records = 0;
    for partition in 0..partitions {
        records += log.end_offset(topic, partition)? as u64;
    }
    Ok(records)
}

fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

impl fmt::Display for BenchReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rate = |count: u64, time: Duration| {
            thousands((count as f64 / time.as_secs_f64().max(1e-9)).round() as u64)
        };
        let mib = |bytes: Option<u64>| match bytes {
            Some(b) => format!("{} MiB", b / (1024 * 1024)),
            None => "unknown".to_string(),
        };
        let auctions = if self.auctions > 0 {
            format!(" and {} auctions", self.auctions)
        } else {
            String::new()
        };
        let inputs = self.inputs();
        writeln!(
            f,
            "load: {} bids{auctions} ({} Nexmark events) into {} partition(s) in {:.2} s = {} \
             records/s; peak RSS {}",
            self.events,
            self.generated,
            self.partitions,
            self.load.as_secs_f64(),
            rate(inputs, self.load),
            mib(self.load_peak_rss),
        )?;
        let cpu = match self.query_cpu {
            Some(cpu) => format!(
                " (CPU {:.2} s = {} events per CPU-second)",
                cpu.as_secs_f64(),
                rate(inputs, cpu)
            ),
            None => String::new(),
        };
        write!(
            f,
            "{}: {} events in {:.2} s = {} events/s{cpu}; {} output records{}; peak RSS {}{}",
            self.query.name(),
            inputs,
            self.query_time.as_secs_f64(),
            rate(inputs, self.query_time),
            self.outputs,
            if self.record_cache {
                " (record cache on: a batch's updates to a group coalesced)"
            } else {
                ""
            },
            mib(self.query_peak_rss),
            if self.peak_reset {
                ""
            } else {
                " (whole process: the peak could not be reset after loading)"
            },
        )
    }
}

impl BenchReport {
    /// The query's input events: the bids, and the auctions when it reads them.
    pub fn inputs(&self) -> u64 {
        self.events + self.auctions
    }
}

/// `1218000` as `1,218,000`.
#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn a_small_run_writes_every_expected_record() {
        for (query, partitions) in [(NexmarkQuery::Q1, 1), (NexmarkQuery::Q2, 3)] {
            let report = run(&BenchOptions {
                query,
                events: 20_000,
                partitions,
                data_dir: None,
                seed: 0,
                record_cache: true,
            })
            .expect("runs");
            assert_eq!(report.events, 20_000);
            // 46 bids in every 50 events.
            assert!((21_700..=21_800).contains(&report.generated), "{report}");
            match query {
                NexmarkQuery::Q2 => assert!((1..20_000).contains(&report.outputs), "{report}"),
                _ => assert_eq!(report.outputs, 20_000),
            }
        }
    }

    /// Every record of `topic` in the log under `dir`.
    fn read_topic(dir: &Path, topic: &str) -> Vec<Record> {
        let log = crate::log::embedded::EmbeddedLog::open(dir, Default::default()).expect("opens");
        let partitions = log.topic_config(topic).expect("topic").partitions;
        let mut records = Vec::new();
        for partition in 0..partitions {
            let end = log.end_offset(topic, partition).expect("end");
            let read = log.read(topic, partition, 0, end as usize).expect("reads");
            records.extend(read.into_iter().map(|r| r.record));
        }
        records
    }

    /// A windowed key of the KAFKA format: the key column (an INT or a BIGINT), then the
    /// window start as 8 big-endian bytes.
    fn windowed_key(key: &[u8]) -> (i64, i64) {
        let (column, start) = key.split_at(key.len() - 8);
        let column = match column.len() {
            4 => i64::from(i32::from_be_bytes(column.try_into().unwrap())),
            _ => i64::from_be_bytes(column.try_into().unwrap()),
        };
        (column, i64::from_be_bytes(start.try_into().unwrap()))
    }

    /// Runs `query` over `events` bids kept in a temporary directory; the report, the bids
    /// as JSON, and the last value written per key of the query's sink.
    fn run_and_read(
        query: NexmarkQuery,
        events: u64,
        partitions: u32,
        record_cache: bool,
    ) -> (
        BenchReport,
        Vec<serde_json::Value>,
        BTreeMap<(i64, i64), serde_json::Value>,
    ) {
        let dir = tempfile::tempdir().expect("temp dir");
        let report = run(&BenchOptions {
            query,
            events,
            partitions,
            data_dir: Some(dir.path().to_path_buf()),
            seed: 7,
            record_cache,
        })
        .expect("runs");
        let json = |record: &Record| -> serde_json::Value {
            serde_json::from_slice(record.value.as_deref().expect("a value")).expect("JSON")
        };
        let bids = read_topic(dir.path(), BID_TOPIC).iter().map(json).collect();
        let outputs = read_topic(dir.path(), query.sink_topic());
        assert_eq!(outputs.len() as u64, report.outputs);
        let last = outputs
            .iter()
            .map(|r| (windowed_key(r.key.as_deref().expect("a key")), json(r)))
            .collect();
        (report, bids, last)
    }

    fn field(value: &serde_json::Value, name: &str) -> i64 {
        value[name]
            .as_i64()
            .unwrap_or_else(|| panic!("{name} in {value}"))
    }

    #[test]
    fn q5_counts_the_bids_per_auction_and_hopping_window() {
        for record_cache in [false, true] {
            let (report, bids, counts) = run_and_read(NexmarkQuery::Q5, 30_000, 2, record_cache);
            let mut expected: BTreeMap<(i64, i64), i64> = BTreeMap::new();
            for bid in &bids {
                let time = field(bid, "dateTime");
                // Windows [start, start + 10 s) with start a multiple of 2 s.
                for start in (time - 10_000 + 1..=time).filter(|s| s % 2_000 == 0 && *s >= 0) {
                    *expected.entry((field(bid, "auction"), start)).or_default() += 1;
                }
            }
            let counts: BTreeMap<(i64, i64), i64> = counts
                .iter()
                .map(|(key, value)| (*key, field(value, "NUM")))
                .collect();
            assert_eq!(counts, expected);
            let updates = expected.values().sum::<i64>() as u64;
            if record_cache {
                assert!(report.outputs < updates, "{report}");
            } else {
                assert_eq!(report.outputs, updates);
            }
        }
    }

    #[test]
    fn q7_keeps_the_highest_price_per_tumbling_window() {
        let (report, bids, maxima) = run_and_read(NexmarkQuery::Q7, 100_000, 1, false);
        let mut expected: BTreeMap<(i64, i64), (i64, i64)> = BTreeMap::new();
        for bid in &bids {
            let time = field(bid, "dateTime");
            let start = time - time % 10_000;
            let max = expected.entry((1, start)).or_insert((0, start + 10_000));
            max.0 = max.0.max(field(bid, "price"));
        }
        assert!(expected.len() >= 2, "{expected:?}");
        let maxima: BTreeMap<(i64, i64), (i64, i64)> = maxima
            .iter()
            .map(|(key, value)| (*key, (field(value, "MAXPRICE"), field(value, "DATETIME"))))
            .collect();
        assert_eq!(maxima, expected);
        assert_eq!(report.outputs, 100_000);
    }

    #[test]
    fn q4_writes_one_update_per_bid_joined_to_its_auction() {
        let report = run(&BenchOptions {
            query: NexmarkQuery::Q4,
            events: 20_000,
            partitions: 2,
            data_dir: None,
            seed: 0,
            record_cache: false,
        })
        .expect("runs");
        // About 3 auctions per 46 bids, and most bids fall in their auction's time.
        assert!((1_200..1_400).contains(&report.auctions), "{report}");
        assert!((1_000..20_000).contains(&report.outputs), "{report}");
    }
}
