//! The REPL: statements over several lines ended by `;`, history, results as tables,
//! push-query rows as they arrive, Ctrl-C cancelling the query and not the REPL. When
//! standard input is not a terminal, statements are read from it instead. Statements run
//! on an embedded engine or, with `--server`, on a server (`remote`).

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::sync::Arc;

use rustyline::DefaultEditor;
use rustyline::error::ReadlineError;
use tokio::runtime::Runtime;

use super::remote::Remote;
use super::render;
use crate::engine::{Engine, Session, StatementResult};
use crate::sql::ast::Statement;

/// Where the REPL's statements run.
pub enum Backend {
    Embedded {
        engine: Arc<Engine>,
        session: Session,
    },
    Remote {
        remote: Remote,
        url: String,
    },
}

impl Backend {
    pub fn embedded(engine: Arc<Engine>) -> Backend {
        Backend::Embedded {
            engine,
            session: Session::default(),
        }
    }

    fn execute_and_print(&mut self, runtime: &Runtime, text: &str) -> bool {
        match self {
            Backend::Embedded { engine, session } => {
                execute_and_print(engine, runtime, text, session)
            }
            Backend::Remote { remote, .. } => remote.execute_and_print(runtime, text),
        }
    }
}

/// Runs the REPL until `exit` or end of input. Returns false when input was piped and a
/// statement of it failed.
pub fn run(mut backend: Backend, runtime: &Runtime) -> anyhow::Result<bool> {
    if !std::io::stdin().is_terminal() {
        let mut script = String::new();
        std::io::stdin().read_to_string(&mut script)?;
        return Ok(backend.execute_and_print(runtime, &script));
    }
    match &backend {
        Backend::Embedded { .. } => println!(
            "sluice {} — ksqlDB's SQL on an embedded log. End statements with ';', 'exit' to quit.",
            env!("CARGO_PKG_VERSION")
        ),
        Backend::Remote { url, .. } => println!(
            "sluice {} — connected to {url}. End statements with ';', 'exit' to quit.",
            env!("CARGO_PKG_VERSION")
        ),
    }
    let mut editor = DefaultEditor::new()?;
    let history = history_path();
    if let Some(path) = &history {
        let _ = editor.load_history(path);
    }
    let mut buffer = String::new();
    loop {
        let prompt = if buffer.is_empty() {
            "sluice> "
        } else {
            "     >> "
        };
        match editor.readline(prompt) {
            Ok(line) => {
                if buffer.is_empty()
                    && matches!(
                        line.trim().to_lowercase().as_str(),
                        "exit" | "quit" | "exit;" | "quit;"
                    )
                {
                    break;
                }
                buffer.push_str(&line);
                buffer.push('\n');
                if is_complete(&buffer) {
                    let text = std::mem::take(&mut buffer);
                    let _ = editor.add_history_entry(text.trim());
                    backend.execute_and_print(runtime, &text);
                }
            }
            Err(ReadlineError::Interrupted) => buffer.clear(),
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(e.into()),
        }
    }
    if let Some(path) = &history {
        let _ = editor.save_history(path);
    }
    Ok(true)
}

/// Runs every statement of a script, printing results; used for piped input and
/// `sluice run`. Returns false if a statement failed.
pub fn run_script(
    engine: &Arc<Engine>,
    runtime: &Runtime,
    script: &str,
    session: &mut Session,
) -> bool {
    execute_and_print(engine, runtime, script, session)
}

/// How deeply scripts may run scripts (a script that runs itself would never end).
const MAX_SCRIPT_DEPTH: usize = 16;

/// Replaces each `RUN SCRIPT 'file'` by the statements of that file, as ksqlDB's CLI does
/// (the server never sees RUN SCRIPT).
pub fn expand_run_scripts(text: &str, depth: usize) -> Result<String, String> {
    let Ok(statements) = crate::sql::parse(text) else {
        // Let the engine report the syntax error with its position.
        return Ok(text.to_string());
    };
    if !statements
        .iter()
        .any(|s| matches!(s.statement, Statement::RunScript { .. }))
    {
        return Ok(text.to_string());
    }
    if depth >= MAX_SCRIPT_DEPTH {
        return Err(format!(
            "RUN SCRIPT nested more than {MAX_SCRIPT_DEPTH} deep"
        ));
    }
    let mut out = String::new();
    for parsed in statements {
        match &parsed.statement {
            Statement::RunScript { path } => {
                let script = std::fs::read_to_string(path)
                    .map_err(|e| format!("Failed to read file: {path}: {e}"))?;
                out.push_str(&expand_run_scripts(&script, depth + 1)?);
            }
            _ => out.push_str(&parsed.text),
        }
        out.push('\n');
    }
    Ok(out)
}

fn history_path() -> Option<PathBuf> {
    std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".sluice_history"))
}

/// True when the buffer ends with a `;` outside quotes and comments.
fn is_complete(buffer: &str) -> bool {
    let mut in_single = false;
    let mut in_back = false;
    let mut in_double = false;
    let mut last_significant = None;
    let mut chars = buffer.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' if !in_back && !in_double => in_single = !in_single,
            '`' if !in_single && !in_double => in_back = !in_back,
            '"' if !in_single && !in_back => in_double = !in_double,
            '-' if !in_single && !in_back && !in_double && chars.peek() == Some(&'-') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
                continue;
            }
            _ => {}
        }
        if !c.is_whitespace() {
            last_significant = Some((c, in_single || in_back || in_double));
        }
    }
    matches!(last_significant, Some((';', false)))
}

/// Executes `text` and prints each result; push queries and PRINT stream until their
/// limit or Ctrl-C.
fn execute_and_print(
    engine: &Arc<Engine>,
    runtime: &Runtime,
    text: &str,
    session: &mut Session,
) -> bool {
    let _guard = runtime.enter();
    let text = match expand_run_scripts(text, 0) {
        Ok(text) => text,
        Err(message) => {
            eprintln!("{message}");
            return false;
        }
    };
    let (results, error) = match engine.execute(&text, session) {
        Ok(results) => (results, None),
        Err((results, error)) => (results, Some(error)),
    };
    for result in results {
        print_result(runtime, result);
    }
    match error {
        Some(error) => {
            eprintln!("{error}");
            false
        }
        None => true,
    }
}

fn print_result(runtime: &Runtime, result: StatementResult) {
    match result {
        StatementResult::Status { message, .. } => {
            if !message.is_empty() {
                println!("{message}");
            }
        }
        StatementResult::Table(table) => println!("{}", render::table(&table)),
        StatementResult::Tables(tables) => {
            for table in tables {
                println!("{}", render::table(&table));
            }
        }
        StatementResult::Push(mut query) => {
            let names: Vec<String> = query
                .schema
                .columns
                .iter()
                .map(|c| c.name.clone())
                .collect();
            println!("{}", render::push_header(&names));
            let cancelled = runtime.block_on(async {
                loop {
                    tokio::select! {
                        batch = query.rows.recv() => match batch {
                            Some(batch) => {
                                for row in render::batch_rows(&batch) {
                                    println!("{}", render::push_row(&row));
                                }
                                let _ = std::io::stdout().flush();
                            }
                            None => return false,
                        },
                        _ = tokio::signal::ctrl_c() => return true,
                    }
                }
            });
            if cancelled {
                println!("Query terminated");
            } else {
                println!("Limit Reached\nQuery terminated");
            }
        }
        StatementResult::Print(mut lines) => {
            runtime.block_on(async {
                loop {
                    tokio::select! {
                        line = lines.recv() => match line {
                            Some(line) => println!("{line}"),
                            None => return,
                        },
                        _ = tokio::signal::ctrl_c() => return,
                    }
                }
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_complete;

    #[test]
    fn statements_end_at_a_semicolon_outside_quotes() {
        assert!(is_complete("SHOW STREAMS;"));
        assert!(is_complete("SELECT 1\nFROM S;  \n"));
        assert!(!is_complete("SELECT ';"));
        assert!(!is_complete("SELECT 1 -- ;"));
        assert!(is_complete("SELECT 'a;b';"));
    }
}
