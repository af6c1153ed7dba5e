//! `sluice server --password-file FILE`: HTTP basic authentication as ksqlDB's BASIC
//! method does it, for the API and for the remote CLI.

mod server_process;

use std::ffi::OsStr;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::{Map, json};
use sluice::server::client::Client;

fn start_server(password_file: &Path, data: &Path) -> server_process::Server {
    server_process::start(
        data,
        [OsStr::new("--password-file"), password_file.as_os_str()],
    )
}

/// Pipes `script` into `sluice ARGS`; returns the exit status, stdout and stderr.
fn repl(args: &[&str], script: &str) -> (bool, String, String) {
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
        .write_all(script.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn only_users_of_the_password_file_get_in() {
    let dir = tempfile::tempdir().unwrap();
    let passwords = dir.path().join("password.properties");
    std::fs::write(&passwords, "# ksqlDB users\nfred: letmein,admin\n").unwrap();
    let server = start_server(&passwords, &dir.path().join("data"));
    let listen = &server.listen;

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let client = Client::from_url(listen).unwrap();
    let ask = |client: &Client| {
        runtime
            .block_on(client.ksql("SHOW STREAMS;", &Map::new()))
            .unwrap()
    };
    let (status, body) = ask(&client);
    assert_eq!(status, 401);
    assert_eq!(
        body,
        json!({"@type": "generic_error", "error_code": 40100, "message": "Unauthorized"})
    );
    let wrong = client
        .clone()
        .with_credentials(Some(("fred".into(), "letmeout".into())));
    assert_eq!(ask(&wrong).0, 401);
    let fred = client.with_credentials(Some(("fred".into(), "letmein".into())));
    let (status, body) = ask(&fred);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body[0]["@type"], "streams");

    let url = format!("http://{listen}");
    let (ok, _, errors) = repl(&["--server", &url], "SHOW STREAMS;\n");
    assert!(!ok);
    assert!(errors.contains("refused the credentials"), "{errors}");
    let (ok, out, errors) = repl(
        &["--server", &url, "--user", "fred", "--password", "letmein"],
        "SHOW STREAMS;\n",
    );
    assert!(ok, "{errors}");
    assert!(out.contains("KSQL_PROCESSING_LOG"), "{out}");
}
