//! What the tests that drive a `sluice server` process share: starting one on a free local
//! port and waiting until it listens; it is killed when the handle is dropped.

use std::ffi::OsStr;
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `sluice server`, killed on drop.
pub struct Server {
    process: Child,
    /// `HOST:PORT` it listens on.
    pub listen: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// Starts `sluice --data-dir DATA server --listen 127.0.0.1:PORT ARGS…` on a free port and
/// waits until it accepts connections.
pub fn start<I, S>(data: &Path, args: I) -> Server
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let listen = format!("127.0.0.1:{port}");
    let process = Command::new(env!("CARGO_BIN_EXE_sluice"))
        .arg("--data-dir")
        .arg(data)
        .args(["server", "--listen", &listen])
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = Server { process, listen };
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(&server.listen).is_err() {
        assert!(Instant::now() < deadline, "the server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    server
}
