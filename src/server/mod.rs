//! `sluice server`: ksqlDB's REST API over HTTP/1.1 on one engine.
//!
//! Owns the HTTP side only: routes, request bodies, response shapes, status codes and
//! ksqlDB's error bodies. Statements run on the `engine`, exactly as the REPL runs them;
//! this module turns their results into ksqlDB's JSON entities (`entities`) and streams
//! push-query rows (`query`, `query_stream`).
//!
//! | route | file |
//! |---|---|
//! | `POST /ksql` | `ksql.rs` |
//! | `POST /query` | `query.rs` |
//! | `POST /query-stream`, `POST /close-query` | `query_stream.rs` |
//! | `GET /info`, `/healthcheck` | `info.rs` |
//! | `GET /` (the web console), `/console/…` | `console.rs` |
//! | `GET /status`, `/status/{type}/{entity}/{action}` | `status.rs` |
//!
//! With a password file, every route needs HTTP basic credentials (`auth.rs`); with a
//! certificate and key, the server speaks HTTPS (`tls.rs`).

pub mod auth;
pub mod client;
mod console;
mod entities;
mod errors;
mod info;
mod inserts_stream;
mod ksql;
mod metrics;
mod push;
mod query;
mod query_stream;
mod request;
mod rows;
mod status;
pub mod tls;

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::Value;
use tokio::net::TcpListener;

use crate::engine::Engine;

pub use errors::ApiError;

/// ksqlDB's listener port.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8088";

/// Requests larger than this are refused with 413.
pub const DEFAULT_MAX_REQUEST_BYTES: usize = 10 * 1024 * 1024;

/// How the server listens.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// `HOST:PORT` to listen on; port 0 picks a free one.
    pub listen: String,
    /// The largest request body accepted, in bytes.
    pub max_request_bytes: usize,
    /// Users who may call the API; `None` lets everyone in.
    pub basic_auth: Option<auth::BasicAuth>,
    /// Serve HTTPS with this certificate chain and key (PEM files) instead of HTTP.
    pub tls: Option<tls::TlsFiles>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: DEFAULT_LISTEN.to_string(),
            max_request_bytes: DEFAULT_MAX_REQUEST_BYTES,
            basic_auth: None,
            tls: None,
        }
    }
}

/// What every handler shares.
#[derive(Clone)]
pub(crate) struct AppState {
    pub engine: Arc<Engine>,
    /// Push queries being streamed to a client, by query id, so `/close-query` can end them.
    pub push_queries: Arc<push::PushQueries>,
    /// The outcome of each command this server ran, for `/status`.
    pub statuses: Arc<status::CommandStatuses>,
    /// `/ksql` requests run one at a time, as ksqlDB's command queue runs commands: command
    /// sequence numbers and the catalog a request sees stay consistent.
    pub ksql_lock: Arc<tokio::sync::Mutex<()>>,
    /// The largest request body accepted, for the 413 message.
    pub max_request_bytes: usize,
}

/// The HTTP routes over `engine`.
pub fn router(engine: Arc<Engine>, config: &ServerConfig) -> Router {
    let state = AppState {
        engine,
        push_queries: Arc::default(),
        statuses: Arc::default(),
        ksql_lock: Arc::default(),
        max_request_bytes: config.max_request_bytes,
    };
    let routes = Router::new()
        .route("/", get(console::index))
        .route("/console/api/queries", get(console::queries))
        .route(
            "/console/api/topics/{topic}/records",
            get(console::topic_records),
        )
        .route("/console/{*path}", get(console::asset))
        .route("/info", get(info::info))
        .route("/healthcheck", get(info::healthcheck))
        .route("/clusterStatus", get(info::cluster_status))
        .route("/status", get(status::all))
        .route("/status/{kind}/{entity}/{action}", get(status::one))
        .route("/ksql", post(ksql::handle))
        .route("/query", post(query::handle))
        .route("/query-stream", post(query_stream::handle))
        .route("/close-query", post(query_stream::close))
        .route("/inserts-stream", post(inserts_stream::handle))
        .route("/metrics", get(metrics::handle))
        .fallback(errors::not_found)
        .method_not_allowed_fallback(errors::method_not_allowed)
        .layer(DefaultBodyLimit::max(config.max_request_bytes))
        .with_state(state);
    match &config.basic_auth {
        Some(users) => routes.layer(axum::middleware::from_fn_with_state(
            Arc::new(users.clone()),
            auth::require,
        )),
        None => routes,
    }
}

/// A JSON response; ksqlDB sends every old-API answer as `application/json`.
pub(crate) fn json_response(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// A bound server, ready to run.
pub struct Server {
    listener: TcpListener,
    app: Router,
    tls: Option<tokio_rustls::TlsAcceptor>,
}

impl Server {
    /// Binds `config.listen` and builds the routes over `engine`; with `config.tls`, reads
    /// the certificate and key first, so that a bad file stops the server from starting.
    pub async fn bind(engine: Arc<Engine>, config: &ServerConfig) -> io::Result<Server> {
        let tls = config.tls.as_ref().map(tls::acceptor).transpose()?;
        let listener = TcpListener::bind(&config.listen).await?;
        Ok(Server {
            listener,
            app: router(engine, config),
            tls,
        })
    }

    /// `https` with TLS, else `http`.
    pub fn scheme(&self) -> &'static str {
        if self.tls.is_some() { "https" } else { "http" }
    }

    /// The address actually bound (the port, when 0 was asked for).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` completes; open connections (push queries) are dropped then.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send) -> io::Result<()> {
        match self.tls {
            Some(acceptor) => tokio::select! {
                served = tls::serve(self.listener, acceptor, self.app) => served,
                () = shutdown => Ok(()),
            },
            None => tokio::select! {
                served = axum::serve(self.listener, self.app) => served,
                () = shutdown => Ok(()),
            },
        }
    }
}
