//! The web console end to end in headless Chromium (Debian's `chromium`, driven by
//! `playwright-core` from web/e2e): create a stream and a persistent query, insert rows,
//! start a push query and see the rows arrive, stop it, see the query's topology and the
//! topic's records. Screenshots go to target/console.png, console-topics.png and
//! console-queries.png. The editor's text functions have their own node tests
//! (web/e2e/editor.test.mjs).
//!
//! `npm ci` in web/e2e runs on first use, and `apt-get install chromium` when
//! /usr/bin/chromium is missing (as .ci/run does first); a machine where either cannot be
//! had fails this test, it does not skip it.

mod server_process;

use std::path::Path;
use std::process::Command;

fn run(dir: &Path, program: &str, args: &[&str]) -> String {
    let output = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program} (this test needs it installed): {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{program} {} failed:\n{stdout}\n{}",
        args.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

#[test]
fn the_console_streams_a_push_query_and_stops_it() {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).exists() {
        // A fresh machine of the project's kind can install it (as root); elsewhere the
        // test fails and says what to install.
        let installed = Command::new("apt-get")
            .arg("update")
            .status()
            .is_ok_and(|s| s.success())
            && Command::new("apt-get")
                .args(["install", "-y", "chromium"])
                .env("DEBIAN_FRONTEND", "noninteractive")
                .status()
                .is_ok_and(|s| s.success());
        assert!(
            installed && Path::new(&chromium).exists(),
            "{chromium} is missing and could not be installed: install Debian's chromium \
             (apt-get install chromium), as .ci/run does"
        );
    }
    let e2e = Path::new(env!("CARGO_MANIFEST_DIR")).join("web/e2e");
    if !e2e.join("node_modules/playwright-core").exists() {
        run(&e2e, "npm", &["ci", "--no-audit", "--no-fund"]);
    }

    let data = tempfile::tempdir().unwrap();
    let server = server_process::start(data.path(), [] as [&str; 0]);

    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
    std::fs::create_dir_all(&shots).unwrap();
    let out = run(
        &e2e,
        "node",
        &[
            "console.mjs",
            &format!("http://{}/", server.listen),
            shots.to_str().unwrap(),
        ],
    );
    assert!(out.contains("query stopped"), "{out}");
    assert!(shots.join("console.png").exists());
}

#[test]
fn the_editor_splits_and_highlights_statements() {
    let e2e = Path::new(env!("CARGO_MANIFEST_DIR")).join("web/e2e");
    let out = run(&e2e, "node", &["--test", "editor.test.mjs"]);
    assert!(out.contains("# fail 0"), "{out}");
}
