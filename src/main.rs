//! The `sluice` binary: the REPL on an embedded engine, headless runs, and the test runners.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use sluice::bench::nexmark::{BenchOptions, NexmarkQuery};
use sluice::bench::push_load::PushLoadOptions;
use sluice::cli::remote::Remote;
use sluice::cli::repl::Backend;
use sluice::engine::{CheckpointConfig, Engine, EngineConfig, Session};
use sluice::log::FsyncPolicy;

/// mimalloc for every allocation of the binary (see Cargo.toml).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "sluice",
    version,
    about = "Streaming SQL in ksqlDB's dialect, on a built-in log"
)]
struct Cli {
    /// Where the embedded log keeps its data.
    #[arg(
        long,
        env = "SLUICE_DATA_DIR",
        default_value = "sluice-data",
        global = true
    )]
    data_dir: PathBuf,
    /// Run the REPL against the sluice (or ksqlDB) server at this URL instead of an
    /// embedded engine, e.g. http://localhost:8088.
    #[arg(long, env = "SLUICE_SERVER")]
    server: Option<String>,
    /// The user to log in to `--server` as (HTTP basic authentication).
    #[arg(short = 'u', long, env = "SLUICE_USER", requires = "server")]
    user: Option<String>,
    /// The password of `--user`.
    #[arg(short = 'p', long, env = "SLUICE_PASSWORD", requires = "user")]
    password: Option<String>,
    /// When appends are forced to disk.
    #[arg(long, env = "SLUICE_FSYNC", value_enum, default_value_t = Fsync::Never, global = true)]
    fsync: Fsync,
    /// Include the failed record in processing-log entries
    /// (ksql.logging.processing.rows.include).
    #[arg(long, env = "SLUICE_PROCESSING_LOG_ROWS", global = true)]
    processing_log_rows: bool,
    /// The least time between two state checkpoints of a persistent query, in
    /// milliseconds; a restart restores state from the newest checkpoint and replays only
    /// the changelog after it.
    #[arg(
        long,
        env = "SLUICE_CHECKPOINT_INTERVAL_MS",
        default_value_t = 30_000,
        global = true
    )]
    checkpoint_interval_ms: u64,
    /// The size at which a partition's log segment is rolled, in bytes (Kafka's
    /// log.segment.bytes); retention and checkpointed changelogs free whole segments.
    #[arg(
        long,
        env = "SLUICE_SEGMENT_BYTES",
        default_value_t = 64 * 1024 * 1024,
        global = true
    )]
    segment_bytes: u64,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Fsync {
    /// After every append.
    Always,
    /// At most once a second.
    Interval,
    /// Left to the operating system.
    Never,
}

#[derive(Subcommand)]
enum Command {
    /// Serve ksqlDB's REST API (/ksql, /query, /query-stream, …) over HTTP.
    Server {
        /// Address to listen on.
        #[arg(long, env = "SLUICE_LISTEN", default_value = sluice::server::DEFAULT_LISTEN)]
        listen: String,
        /// Require HTTP basic authentication by the users of this password file, one
        /// `user: password[,role...]` per line (the file ksqlDB's BASIC authentication reads).
        #[arg(long, env = "SLUICE_PASSWORD_FILE")]
        password_file: Option<PathBuf>,
        /// Serve HTTPS with this PEM certificate chain (with --tls-key).
        #[arg(long, env = "SLUICE_TLS_CERT", requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// The PEM private key of --tls-cert.
        #[arg(long, env = "SLUICE_TLS_KEY", requires = "tls_cert")]
        tls_key: Option<PathBuf>,
    },
    /// Run the statements of a SQL file, then keep its persistent queries running.
    Run {
        file: PathBuf,
        /// Exit once the statements have run instead of serving the queries.
        #[arg(long)]
        exit: bool,
    },
    /// Run one test as ksql-test-runner does: statements, input records, expected output.
    Test {
        /// The SQL statements.
        #[arg(short = 's', long = "sql-file")]
        sql_file: PathBuf,
        /// Input records ({"inputs": [...]}); optional when the statements INSERT VALUES.
        #[arg(short = 'i', long = "input-file")]
        input_file: Option<PathBuf>,
        /// Expected output records ({"outputs": [...]}).
        #[arg(short = 'o', long = "output-file")]
        output_file: PathBuf,
    },
    /// Run ksqlDB query-validation test (QTT) files or folders of them; REST test files
    /// (RQTT) run against a server started for each case.
    Qtt {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Write a per-case report as JSON to this file.
        #[arg(long)]
        json: Option<PathBuf>,
        /// Write the conformance report (pass counts per file, a line per failure) as
        /// Markdown to this file.
        #[arg(long)]
        markdown: Option<PathBuf>,
        /// Print passing cases too.
        #[arg(short, long)]
        verbose: bool,
    },
    /// Run a built-in benchmark and print its figures.
    Bench {
        #[command(subcommand)]
        bench: Bench,
    },
}

#[derive(Subcommand)]
enum Bench {
    /// Nexmark q0-q2, q4, q5 and q7 over generated events in the embedded log (docs/benchmarks.md).
    Nexmark {
        /// The query to run.
        #[arg(long, value_enum)]
        query: NexmarkQuery,
        /// Bids to load, each an input event of the query.
        #[arg(long, default_value_t = 10_000_000)]
        events: u64,
        /// Partitions of the bid topic, one generator each.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
        partitions: u32,
        /// Seeds the event generator.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// ksqlDB's record cache (`ksql.streams.cache.max.bytes.buffering`, on by default as
        /// in ksqlDB): aggregations emit a batch's updates to a group as one. `false` emits
        /// an update per input record, as ksqlDB's test drivers do.
        #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
        record_cache: bool,
        /// Where the log lives: must be new or empty, and is kept. Without it, a temporary
        /// directory, removed after the run.
        #[arg(long)]
        data_dir: Option<PathBuf>,
    },
    /// Push-query clients over HTTP on a stream receiving events at a fixed rate: rows
    /// delivered, rows lost, delivery latency (docs/benchmarks.md).
    PushLoad {
        /// Concurrent push-query clients.
        #[arg(long, default_value_t = 200)]
        clients: usize,
        /// Events inserted per second.
        #[arg(long, default_value_t = 10_000)]
        rate: u64,
        /// Seconds of inserting.
        #[arg(long, default_value_t = 30)]
        seconds: u64,
    },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SLUICE_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = parse_cli();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Parses the command line. `--data-dir` is global with a default; a benchmark takes it
/// only when it is given on the command line, and otherwise runs in a temporary directory.
fn parse_cli() -> Cli {
    let matches = Cli::command().get_matches();
    let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    if let Some(Command::Bench {
        bench: Bench::Nexmark { data_dir, .. },
    }) = &mut cli.command
    {
        let source = matches
            .subcommand_matches("bench")
            .and_then(|m| m.subcommand_matches("nexmark"))
            .and_then(|m| m.value_source("data_dir"));
        if source != Some(ValueSource::CommandLine) {
            *data_dir = None;
        }
    }
    cli
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let engine_command = match cli.command {
        Some(Command::Bench { bench }) => return run_bench(&bench),
        Some(Command::Test {
            sql_file,
            input_file,
            output_file,
        }) => return Ok(run_test(&sql_file, input_file.as_deref(), &output_file)),
        Some(Command::Qtt {
            paths,
            json,
            markdown,
            verbose,
        }) => return run_qtt(&paths, json.as_deref(), markdown.as_deref(), verbose),
        Some(Command::Server {
            listen,
            password_file,
            tls_cert,
            tls_key,
        }) => EngineCommand::Server {
            listen,
            password_file,
            tls: tls_cert
                .zip(tls_key)
                .map(|(cert, key)| sluice::server::tls::TlsFiles { cert, key }),
        },
        Some(Command::Run { file, exit }) => EngineCommand::Run { file, exit },
        None => EngineCommand::Repl,
    };
    if let (Some(url), EngineCommand::Repl) = (&cli.server, &engine_command) {
        let credentials = cli
            .user
            .clone()
            .map(|user| (user, cli.password.clone().unwrap_or_default()));
        return run_remote(url, credentials);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let fsync = match cli.fsync {
        Fsync::Always => FsyncPolicy::Always,
        Fsync::Interval => FsyncPolicy::Interval(std::time::Duration::from_secs(1)),
        Fsync::Never => FsyncPolicy::Never,
    };
    let config = EngineConfig {
        // Not a valid topic name, so the log never mistakes it for a topic's directory.
        checkpoints: Some(CheckpointConfig {
            dir: cli.data_dir.join("@checkpoints"),
            interval: std::time::Duration::from_millis(cli.checkpoint_interval_ms),
        }),
        data_dir: Some(cli.data_dir),
        fsync,
        segment_bytes: cli.segment_bytes,
        deterministic: false,
        processing_log_rows: cli.processing_log_rows,
    };
    let engine = {
        let _guard = runtime.enter();
        Engine::open(config)?
    };
    match engine_command {
        EngineCommand::Repl => {
            let ok = sluice::cli::repl::run(Backend::embedded(engine), &runtime)?;
            Ok(if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        EngineCommand::Server {
            listen,
            password_file,
            tls,
        } => {
            let basic_auth = password_file
                .map(|path| sluice::server::auth::BasicAuth::from_file(&path))
                .transpose()
                .map_err(anyhow::Error::msg)?;
            let config = sluice::server::ServerConfig {
                listen,
                basic_auth,
                tls,
                ..Default::default()
            };
            runtime.block_on(async {
                let server = sluice::server::Server::bind(engine, &config).await?;
                eprintln!(
                    "sluice server listening on {}://{}",
                    server.scheme(),
                    server.local_addr()?
                );
                server
                    .run_until(async {
                        let _ = tokio::signal::ctrl_c().await;
                    })
                    .await
            })?;
            Ok(ExitCode::SUCCESS)
        }
        EngineCommand::Run { file, exit } => {
            let script = std::fs::read_to_string(&file)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
            let ok =
                sluice::cli::repl::run_script(&engine, &runtime, &script, &mut Session::default());
            if !ok {
                return Ok(ExitCode::FAILURE);
            }
            if !exit {
                runtime.block_on(tokio::signal::ctrl_c())?;
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The REPL against a server: no engine or data directory of its own.
fn run_remote(url: &str, credentials: Option<(String, String)>) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let client = sluice::server::client::Client::from_url(url)
        .map_err(anyhow::Error::msg)?
        .with_credentials(credentials);
    let remote = Remote::new(client);
    remote.connect(&runtime).map_err(anyhow::Error::msg)?;
    let backend = Backend::Remote {
        remote,
        url: url.to_string(),
    };
    let ok = sluice::cli::repl::run(backend, &runtime)?;
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The commands that run on an engine over the data directory.
enum EngineCommand {
    Repl,
    Server {
        listen: String,
        password_file: Option<PathBuf>,
        tls: Option<sluice::server::tls::TlsFiles>,
    },
    Run {
        file: PathBuf,
        exit: bool,
    },
}

/// Runs a benchmark and prints its figures; a push-load run that lost rows fails.
fn run_bench(bench: &Bench) -> anyhow::Result<ExitCode> {
    match bench {
        Bench::Nexmark {
            query,
            events,
            partitions,
            seed,
            record_cache,
            data_dir,
        } => {
            let report = sluice::bench::nexmark::run(&BenchOptions {
                query: *query,
                events: *events,
                partitions: *partitions,
                data_dir: data_dir.clone(),
                seed: *seed,
                record_cache: *record_cache,
            })?;
            println!("{report}");
            Ok(ExitCode::SUCCESS)
        }
        Bench::PushLoad {
            clients,
            rate,
            seconds,
        } => {
            let report = sluice::bench::push_load::run(&PushLoadOptions {
                clients: *clients,
                rate: *rate,
                duration: std::time::Duration::from_secs(*seconds),
                data_dir: None,
            })?;
            println!("{report}");
            Ok(if report.lost == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
    }
}

fn run_test(sql_file: &Path, input_file: Option<&Path>, output_file: &Path) -> ExitCode {
    use sluice::testing::{case::Verdict, test_runner};
    let case = match test_runner::load(sql_file, input_file, output_file) {
        Ok(case) => case,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    match test_runner::run(&case) {
        Verdict::Pass => {
            println!("\t >>> Test passed!");
            ExitCode::SUCCESS
        }
        Verdict::Fail(reason) | Verdict::Skip(reason) => {
            eprintln!("\t>>>>> Test failed: {reason}");
            ExitCode::FAILURE
        }
    }
}

/// Runs QTT and RQTT files, writes the reports asked for and prints the totals; fails
/// when a case failed.
fn run_qtt(
    paths: &[PathBuf],
    json: Option<&Path>,
    markdown: Option<&Path>,
    verbose: bool,
) -> anyhow::Result<ExitCode> {
    let summary = sluice::testing::qtt::run(paths, verbose).map_err(anyhow::Error::msg)?;
    if let Some(path) = json {
        std::fs::write(path, serde_json::to_vec_pretty(&summary)?)?;
    }
    if let Some(path) = markdown {
        let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        let command = format!("sluice qtt {}", shown.join(" "));
        std::fs::write(path, sluice::testing::report::markdown(&summary, &command))?;
    }
    for (reason, count) in &summary.skip_reasons {
        println!("skipped {count}: {reason}");
    }
    println!(
        "{} passed, {} failed, {} skipped",
        summary.passed, summary.failed, summary.skipped
    );
    Ok(if summary.failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
