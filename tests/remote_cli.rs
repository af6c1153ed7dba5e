//! `sluice --server URL`: the same script piped into the REPL of an embedded engine and into
//! the REPL of a running `sluice server` prints the same output.

mod server_process;

use std::io::Write;
use std::process::{Command, Stdio};

const SCRIPT: &str = "\
CREATE STREAM CLICKS (USER STRING KEY, PAGE STRING, MS INT, TAGS ARRAY<STRING>) WITH (KAFKA_TOPIC='clicks', PARTITIONS=1, VALUE_FORMAT='JSON');
INSERT INTO CLICKS (USER, PAGE, MS, TAGS) VALUES ('a', '/', 10, ARRAY['x', 'y']);
INSERT INTO CLICKS (USER, PAGE, MS, TAGS) VALUES ('b', '/x', 20, ARRAY['z']);
INSERT INTO CLICKS (USER, PAGE, MS) VALUES ('a', '/y', 30);
SET 'auto.offset.reset'='earliest';
CREATE TABLE VISITS AS SELECT USER, COUNT(*) AS N, SUM(MS) AS TOTAL FROM CLICKS GROUP BY USER;
SHOW STREAMS;
SHOW TABLES;
SHOW QUERIES;
SHOW TOPICS;
DESCRIBE CLICKS;
DESCRIBE VISITS;
SELECT PAGE, MS, TAGS FROM CLICKS EMIT CHANGES LIMIT 3;
SELECT USER, MS FROM CLICKS WHERE MS > 15;
UNSET 'auto.offset.reset';
SELECT * FROM MISSING EMIT CHANGES;
";

/// Runs `sluice ARGS` with the script on standard input; returns its stdout and stderr.
fn run_repl(args: &[&str]) -> (String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sluice"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(SCRIPT.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn the_remote_repl_prints_what_the_embedded_one_prints() {
    let server_data = tempfile::tempdir().unwrap();
    let server = server_process::start(server_data.path(), [] as [&str; 0]);
    let listen = &server.listen;

    let embedded_data = tempfile::tempdir().unwrap();
    let (embedded, embedded_errors) =
        run_repl(&["--data-dir", embedded_data.path().to_str().unwrap()]);
    let (remote, remote_errors) = run_repl(&["--server", &format!("http://{listen}")]);

    assert!(embedded.contains("|/|10|[x, y]|\n"), "{embedded}");
    assert!(
        embedded.contains("Created query with ID CTAS_VISITS_0"),
        "{embedded}"
    );
    assert_eq!(remote, embedded);
    assert!(
        remote_errors.contains("MISSING does not exist"),
        "{remote_errors}"
    );
    assert_eq!(remote_errors, embedded_errors);
}
