//! The catalog survives a restart as the statements left it: a column added by ALTER is
//! still there when the command topic is replayed.

use std::io::Write;
use std::process::{Command, Stdio};

/// Pipes `script` into `sluice --data-dir DIR`; returns stdout, panicking on failure.
fn run(dir: &std::path::Path, script: &str) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sluice"))
        .args(["--data-dir", dir.to_str().unwrap()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

#[test]
fn altered_columns_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    run(
        dir.path(),
        "CREATE STREAM S (ID INT KEY, NAME STRING) WITH (KAFKA_TOPIC='s', PARTITIONS=1, VALUE_FORMAT='JSON');\n\
         INSERT INTO S (ID, NAME) VALUES (1, 'before');\n\
         ALTER STREAM S ADD COLUMN SCORE DOUBLE;\n",
    );
    let out = run(
        dir.path(),
        "INSERT INTO S (ID, NAME, SCORE) VALUES (2, 'after', 2.5);\n\
         DESCRIBE S;\n\
         SET 'auto.offset.reset'='earliest';\n\
         SELECT * FROM S EMIT CHANGES LIMIT 2;\n",
    );
    assert!(out.contains("| SCORE | DOUBLE"), "{out}");
    assert!(out.contains("|1|before|null|"), "{out}");
    assert!(out.contains("|2|after|2.5|"), "{out}");
}
