//! Runs every `sql-tests/*.slt` file with sqllogictest against an embedded engine.
//!
//! Each file gets a fresh `Engine` in its own temporary data directory and its own
//! multi-threaded tokio runtime, so files are independent (and run side by side).
//! `connection` records open another session on the same engine. Statements go to
//! `Engine::execute` (after RUN SCRIPT is expanded, as ksqlDB's CLI does); a failure becomes
//! an error carrying the engine's message, so `statement error <regex>` matches ksqlDB's
//! wording. A push query (`SELECT … EMIT CHANGES LIMIT n`) and PRINT are read until their
//! channel closes; if that does not happen within `READ_TIMEOUT`, the record fails instead of
//! hanging. Every record of a file runs, and the report lists each one that failed.
//!
//! Result cells are Arrow's display of the values, `NULL` for nulls. Push query columns are
//! typed `T` (STRING), `I` (INT, BIGINT), `R` (DOUBLE, DECIMAL) or `?` (anything else), and
//! the types are checked; listings (SHOW, DESCRIBE) and PRINT lines are all `T`.
//!
//! `SLT_FILTER=name cargo test --test slt` runs only the files whose name contains `name`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use datafusion::arrow::array::Array;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use sluice::catalog::types::SqlType;
use sluice::engine::{Engine, EngineConfig, Session, StatementResult};
use sluice::log::FsyncPolicy;
use sqllogictest::{DBOutput, DefaultColumnType, Runner, strict_column_validator};
use tokio::runtime::Runtime;

/// Worker threads of each file's tokio runtime.
const WORKER_THREADS: usize = 2;

/// How long a push query or PRINT may take to deliver its LIMIT.
const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// A statement that failed or a query that did not finish, with the message to match.
#[derive(Debug)]
struct SltError(String);

impl std::fmt::Display for SltError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SltError {}

/// A session with ksqlDB's record cache off, as ksqlDB's test drivers run: aggregations
/// emit every update, whatever batches the engine reads (`SET` in a file may turn it on).
fn uncached_session() -> Session {
    let mut session = Session::default();
    session
        .properties
        .insert("ksql.streams.cache.max.bytes.buffering".into(), "0".into());
    session
}

/// One session on a file's engine.
struct SluiceDb {
    engine: Arc<Engine>,
    runtime: Arc<Runtime>,
    session: Session,
}

impl sqllogictest::DB for SluiceDb {
    type Error = SltError;
    type ColumnType = DefaultColumnType;

    fn run(&mut self, sql: &str) -> Result<DBOutput<DefaultColumnType>, SltError> {
        let _guard = self.runtime.enter();
        // RUN SCRIPT is a CLI command in ksqlDB: like the CLI, the harness replaces it by the
        // statements of the file before the engine sees them.
        let sql = sluice::cli::repl::expand_run_scripts(sql, 0).map_err(SltError)?;
        let results = self
            .engine
            .execute(&sql, &mut self.session)
            .map_err(|(_, e)| SltError(e.to_string()))?;
        // A record holds one statement; if it holds several, the last one's output counts.
        let mut output = DBOutput::StatementComplete(0);
        for result in results {
            output = self.collect(result)?;
        }
        Ok(output)
    }

    fn engine_name(&self) -> &str {
        "sluice"
    }
}

impl SluiceDb {
    fn collect(&self, result: StatementResult) -> Result<DBOutput<DefaultColumnType>, SltError> {
        match result {
            StatementResult::Status { .. } => Ok(DBOutput::StatementComplete(0)),
            StatementResult::Table(table) => Ok(rows_output(
                vec![DefaultColumnType::Text; table.columns.len()],
                table.rows,
            )),
            // Several descriptions: their rows one after another.
            StatementResult::Tables(tables) => {
                let width = tables.first().map_or(0, |t| t.columns.len());
                Ok(rows_output(
                    vec![DefaultColumnType::Text; width],
                    tables.into_iter().flat_map(|t| t.rows).collect(),
                ))
            }
            StatementResult::Push(mut query) => {
                let types = query
                    .schema
                    .columns
                    .iter()
                    .map(|c| column_type(&c.ty))
                    .collect();
                let id = query.query_id.clone();
                let rows = self.runtime.block_on(async {
                    tokio::time::timeout(READ_TIMEOUT, async {
                        let mut rows = Vec::new();
                        while let Some(batch) = query.rows.recv().await {
                            rows.extend(batch_rows(&batch));
                        }
                        rows
                    })
                    .await
                    .map_err(|_| {
                        SltError(format!(
                            "push query {id} did not finish within {READ_TIMEOUT:?} (no LIMIT, or fewer rows than its LIMIT)"
                        ))
                    })
                })?;
                Ok(rows_output(types, rows))
            }
            StatementResult::Print(mut lines) => {
                let rows = self.runtime.block_on(async {
                    tokio::time::timeout(READ_TIMEOUT, async {
                        let mut rows = Vec::new();
                        while let Some(line) = lines.recv().await {
                            rows.push(vec![line]);
                        }
                        rows
                    })
                    .await
                    .map_err(|_| {
                        SltError(format!(
                            "PRINT did not finish within {READ_TIMEOUT:?} (no LIMIT, or fewer records than its LIMIT)"
                        ))
                    })
                })?;
                Ok(rows_output(vec![DefaultColumnType::Text], rows))
            }
        }
    }
}

/// A pushed batch as text cells, nulls as `NULL`, leaving out the engine's hidden columns
/// (named with a leading `$`, such as `$ROWTIME`).
fn batch_rows(batch: &RecordBatch) -> Vec<Vec<String>> {
    let options = FormatOptions::default().with_null("NULL");
    let schema = batch.schema();
    let formatters: Vec<Option<ArrayFormatter<'_>>> = batch
        .columns()
        .iter()
        .zip(schema.fields())
        .filter(|(_, field)| !field.name().starts_with('$'))
        .map(|(column, _)| ArrayFormatter::try_new(column.as_ref() as &dyn Array, &options).ok())
        .collect();
    (0..batch.num_rows())
        .map(|row| {
            formatters
                .iter()
                .map(|f| match f {
                    Some(f) => f.value(row).to_string(),
                    None => "<unprintable>".to_string(),
                })
                .collect()
        })
        .collect()
}

/// A push query column's sqllogictest type: `T` text, `I` integer, `R` floating point or
/// decimal, `?` anything else (BOOLEAN, temporal, BYTES, ARRAY, MAP, STRUCT).
fn column_type(ty: &SqlType) -> DefaultColumnType {
    match ty {
        SqlType::String => DefaultColumnType::Text,
        SqlType::Int | SqlType::Bigint => DefaultColumnType::Integer,
        SqlType::Double | SqlType::Decimal(..) => DefaultColumnType::FloatingPoint,
        _ => DefaultColumnType::Any,
    }
}

/// Rows with their column types; an empty cell is written `(empty)` so that it stays visible.
fn rows_output(
    types: Vec<DefaultColumnType>,
    rows: Vec<Vec<String>>,
) -> DBOutput<DefaultColumnType> {
    let rows = rows
        .into_iter()
        .map(|row| {
            row.into_iter()
                .map(|cell| {
                    if cell.is_empty() {
                        "(empty)".to_string()
                    } else {
                        cell
                    }
                })
                .collect()
        })
        .collect();
    DBOutput::Rows { types, rows }
}

/// Runs one file on a fresh engine; the error is the runner's report.
fn run_file(path: &Path) -> Result<(), String> {
    // Two workers, as the REPL and the server run queries: a query starts running as soon as
    // a statement launches it, so the cases also cover a push query that meets its LIMIT
    // before `execute` returns. Dropping the runtime at the end of the file stops the file's
    // queries.
    let runtime = Arc::new(
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(WORKER_THREADS)
            .enable_all()
            .build()
            .map_err(|e| format!("tokio runtime: {e}"))?,
    );
    let dir = tempfile::tempdir().map_err(|e| format!("temp dir: {e}"))?;
    let engine = Engine::open(EngineConfig {
        data_dir: Some(dir.path().to_path_buf()),
        fsync: FsyncPolicy::Never,
        deterministic: false,
        ..EngineConfig::default()
    })
    .map_err(|e| format!("opening the engine: {e}"))?;
    let mut runner = Runner::new(move || {
        let db = SluiceDb {
            engine: engine.clone(),
            runtime: runtime.clone(),
            session: uncached_session(),
        };
        async move { Ok::<_, SltError>(db) }
    });
    // Every record runs even after one fails, so that a report lists all failures of the file.
    let records = sqllogictest::parse_file::<DefaultColumnType>(path)
        .map_err(|e| format!("parsing {}: {e}", path.display()))?;
    runner.with_column_validator(strict_column_validator);
    let mut failures = Vec::new();
    for record in records {
        if let sqllogictest::Record::Halt { .. } = record {
            break;
        }
        if let Err(e) = runner.run(record) {
            failures.push(e.display(false).to_string());
        }
    }
    let result = if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("\n"))
    };
    drop(runner);
    drop(dir);
    result
}

fn slt_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("sql-tests");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "slt"))
        .collect();
    files.sort();
    files
}

#[test]
fn sqllogictest_files() {
    let files = slt_files();
    assert!(!files.is_empty(), "no .slt files in sql-tests/");
    let filter = std::env::var("SLT_FILTER").ok();
    let selected: Vec<(String, &PathBuf)> = files
        .iter()
        .map(|f| {
            (
                f.file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned(),
                f,
            )
        })
        .filter(|(name, _)| filter.as_deref().is_none_or(|f| name.contains(f)))
        .collect();
    assert!(!selected.is_empty(), "no .slt file matched SLT_FILTER");
    // Files are independent, and mostly wait for queries: run them side by side.
    let results: Vec<(String, Result<(), String>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = selected
            .iter()
            .map(|(name, file)| (name.clone(), scope.spawn(move || run_file(file))))
            .collect();
        handles
            .into_iter()
            .map(|(name, handle)| {
                let result = handle
                    .join()
                    .unwrap_or_else(|_| Err("the runner panicked".to_string()));
                (name, result)
            })
            .collect()
    });
    let mut failures = Vec::new();
    for (name, result) in &results {
        match result {
            Ok(()) => eprintln!("ok     {name}"),
            Err(report) => {
                eprintln!("FAILED {name}\n{report}");
                failures.push(format!("{name}:\n{report}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} .slt files failed:\n\n{}",
        failures.len(),
        results.len(),
        failures.join("\n")
    );
}
