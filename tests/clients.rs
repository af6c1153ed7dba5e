//! Real ksqlDB clients from the package registries, unchanged, against `sluice server`:
//! the npm package `ksqldb-client` (HTTP/2, `/query-stream`, `/inserts-stream`) and the
//! PyPI package `ksql` (HTTP/1.1, `/ksql`, `/query`, `/inserts-stream`). Each creates a
//! stream, inserts rows, and reads a push query and a pull query (tests/clients/*).
//!
//! The clients are installed on first use from the registries: `npm ci` in
//! tests/clients/node, a virtual environment under target/tmp for Python. A machine without
//! node, npm or python3 fails these tests; it does not skip them.

mod server_process;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

fn clients_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients")
}

/// Runs `program args` in `dir`; panics with its output unless it succeeds.
fn run(dir: &Path, program: impl AsRef<std::ffi::OsStr>, args: &[&str]) -> String {
    let program = program.as_ref();
    let output = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run {} (this test needs it installed): {e}",
                program.to_string_lossy()
            )
        });
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{} {} failed in {}:\n{stdout}\n{}",
        program.to_string_lossy(),
        args.join(" "),
        dir.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// Installs each client once per test binary, even when both tests start together.
static INSTALL: Mutex<()> = Mutex::new(());

#[test]
fn the_npm_ksqldb_client_works_unchanged() {
    let dir = clients_dir().join("node");
    {
        let _installing = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
        if !dir.join("node_modules/ksqldb-client").exists() {
            run(&dir, "npm", &["ci", "--no-audit", "--no-fund"]);
        }
    }
    let data = tempfile::tempdir().unwrap();
    let server = server_process::start(data.path(), [] as [&str; 0]);
    let out = run(&dir, "node", &["e2e.js", &server.listen]);
    assert!(out.contains("push and pull queries read"), "{out}");
}

#[test]
fn the_pypi_ksql_client_works_unchanged() {
    let dir = clients_dir().join("python");
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("ksql-python-client");
    let python = venv.join("bin/python");
    {
        let _installing = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
        if !venv.join("installed").exists() {
            run(
                &dir,
                "python3",
                &["-m", "venv", "--clear", venv.to_str().unwrap()],
            );
            let pip = [
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ];
            run(
                &dir,
                &python,
                &[&pip[..], &["setuptools", "wheel"]].concat(),
            );
            run(
                &dir,
                &python,
                &[
                    &pip[..],
                    &["--no-build-isolation", "-r", "requirements.txt"],
                ]
                .concat(),
            );
            std::fs::write(venv.join("installed"), "").unwrap();
        }
    }
    let data = tempfile::tempdir().unwrap();
    let server = server_process::start(data.path(), [] as [&str; 0]);
    // sitecustomize.py in tests/clients/python lets the client's `hyper` import on
    // Python 3.10+; it is found on PYTHONPATH.
    let output = Command::new(&python)
        .args(["e2e.py", &server.listen])
        .current_dir(&dir)
        .env("PYTHONPATH", &dir)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "e2e.py failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
