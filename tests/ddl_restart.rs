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

#[test]
fn an_upgraded_query_goes_on_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    run(
        dir.path(),
        "SET 'auto.offset.reset'='earliest';\n\
         CREATE STREAM ORDERS (ID INT KEY, QTY INT) WITH (KAFKA_TOPIC='orders', PARTITIONS=1, VALUE_FORMAT='JSON');\n\
         INSERT INTO ORDERS (ID, QTY) VALUES (1, 0);\n\
         CREATE STREAM BIG AS SELECT ID, QTY FROM ORDERS;\n\
         SELECT * FROM BIG EMIT CHANGES LIMIT 1;\n\
         CREATE OR REPLACE STREAM BIG AS SELECT ID, QTY, QTY * 2 AS DOUBLED FROM ORDERS WHERE QTY > 0;\n\
         INSERT INTO ORDERS (ID, QTY) VALUES (2, 0);\n\
         INSERT INTO ORDERS (ID, QTY) VALUES (3, 5);\n\
         SELECT * FROM BIG EMIT CHANGES LIMIT 2;\n",
    );
    let out = run(
        dir.path(),
        "INSERT INTO ORDERS (ID, QTY) VALUES (4, 7);\n\
         SET 'auto.offset.reset'='earliest';\n\
         SELECT * FROM BIG EMIT CHANGES LIMIT 3;\n\
         SHOW QUERIES;\n",
    );
    // The upgraded query went on from its commit: nothing repeated, nothing lost.
    let rows = out
        .find("|1|0|null|")
        .map(|at| &out[at..])
        .unwrap_or_default();
    assert!(
        rows.starts_with("|1|0|null|\n|3|5|10|\n|4|7|14|\n"),
        "{out}"
    );
    assert!(!out.contains("|2|0|"), "{out}");
    assert!(out.contains("CSAS_BIG_0"), "{out}");
}

#[test]
fn a_paused_query_stays_paused_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    run(
        dir.path(),
        "SET 'auto.offset.reset'='earliest';\n\
         CREATE STREAM ORDERS (ID INT KEY, QTY INT) WITH (KAFKA_TOPIC='orders', PARTITIONS=1, VALUE_FORMAT='JSON');\n\
         INSERT INTO ORDERS (ID, QTY) VALUES (1, 1);\n\
         CREATE TABLE TOTALS AS SELECT ID, SUM(QTY) AS TOTAL FROM ORDERS GROUP BY ID;\n\
         SELECT * FROM TOTALS EMIT CHANGES LIMIT 1;\n\
         PAUSE ALL;\n\
         INSERT INTO ORDERS (ID, QTY) VALUES (1, 2);\n",
    );
    let out = run(dir.path(), "SHOW QUERIES;\nSELECT * FROM TOTALS;\n");
    assert!(out.contains("PAUSED:1"), "{out}");
    assert!(out.contains("|1|1|"), "{out}");
    let out = run(
        dir.path(),
        "RESUME ALL;\n\
         SET 'auto.offset.reset'='earliest';\n\
         SELECT * FROM TOTALS EMIT CHANGES LIMIT 2;\n",
    );
    assert!(out.contains("|1|1|") && out.contains("|1|3|"), "{out}");
}
