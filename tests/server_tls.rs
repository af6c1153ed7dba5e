//! `sluice server --tls-cert --tls-key`: the API over HTTPS (rustls), checked with a TLS
//! client that trusts the test CA (tests/tls/: a CA and a localhost certificate it signed,
//! made for these tests only).

use std::path::PathBuf;
use std::sync::Arc;

use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper::body::Bytes;
use hyper::client::conn::http1;
use hyper_util::rt::TokioIo;
use sluice::engine::{Engine, EngineConfig};
use sluice::server::tls::TlsFiles;
use sluice::server::{Server, ServerConfig};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::rustls::{self, ClientConfig, RootCertStore};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/tls")
        .join(name)
}

fn files() -> TlsFiles {
    TlsFiles {
        cert: fixture("server.crt"),
        key: fixture("server.key"),
    }
}

fn connector() -> TlsConnector {
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(fixture("ca.crt")).unwrap() {
        roots.add(cert.unwrap()).unwrap();
    }
    let config =
        ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
    TlsConnector::from(Arc::new(config))
}

#[tokio::test]
async fn the_api_is_served_over_https() {
    let engine = Engine::open(EngineConfig::default()).unwrap();
    let config = ServerConfig {
        listen: "127.0.0.1:0".into(),
        tls: Some(files()),
        ..ServerConfig::default()
    };
    let server = Server::bind(engine, &config).await.unwrap();
    assert_eq!(server.scheme(), "https");
    let addr = server.local_addr().unwrap();
    let task = tokio::spawn(server.run_until(std::future::pending()));

    let tcp = TcpStream::connect(addr).await.unwrap();
    let name = ServerName::try_from("localhost").unwrap();
    let tls = connector().connect(name, tcp).await.unwrap();
    let (mut sender, connection) = http1::handshake(TokioIo::new(tls)).await.unwrap();
    tokio::spawn(connection);
    let request = Request::post("/ksql")
        .header("host", "localhost")
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(r#"{"ksql": "SHOW STREAMS;"}"#)))
        .unwrap();
    let response = sender.send_request(request).await.unwrap();
    assert_eq!(response.status(), 200);
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let entities: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(entities[0]["@type"], "streams");

    // Plain HTTP to the HTTPS port gets no answer.
    let plain = TcpStream::connect(addr).await.unwrap();
    let (mut sender, connection) = http1::handshake(TokioIo::new(plain)).await.unwrap();
    tokio::spawn(connection);
    let request = Request::get("/info")
        .header("host", "localhost")
        .body(Full::new(Bytes::new()))
        .unwrap();
    assert!(sender.send_request(request).await.is_err());
    task.abort();
}

#[tokio::test]
async fn a_key_that_is_not_pem_stops_the_server_from_starting() {
    let dir = tempfile::tempdir().unwrap();
    let bad_key = dir.path().join("bad.key");
    std::fs::write(&bad_key, "not a key").unwrap();
    let config = ServerConfig {
        listen: "127.0.0.1:0".into(),
        tls: Some(TlsFiles {
            cert: fixture("server.crt"),
            key: bad_key.clone(),
        }),
        ..ServerConfig::default()
    };
    let engine = Engine::open(EngineConfig::default()).unwrap();
    let error = Server::bind(engine, &config).await.err().unwrap();
    assert!(
        error.to_string().contains(bad_key.to_str().unwrap()),
        "{error}"
    );
}
