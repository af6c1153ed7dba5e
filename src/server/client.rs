//! A client of the REST API, over HTTP/1.1 with a connection per request: what the remote
//! CLI (`sluice --server URL`) and the REST test runner speak to a server with.
//!
//! `/ksql` answers are read whole; a `/query` answer is read element by element, since
//! ksqlDB writes its JSON array one StreamedRow per line (`[{…},\n{…},\n{…}]`) and a push
//! query's rows must be seen as they come.

use std::net::SocketAddr;
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::client::conn::http1;
use hyper::{Request, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Map, Value, json};
use tokio::net::TcpStream;

/// How long a request may wait for the server to answer (its head; a body may stream on),
/// unless the client is told otherwise.
const PATIENCE: Duration = Duration::from_secs(10);

/// A server's address.
#[derive(Debug, Clone)]
pub struct Client {
    addr: SocketAddr,
    host: String,
    /// `Authorization` for HTTP basic authentication.
    authorization: Option<String>,
    /// How long a request waits for the answer's head.
    patience: Duration,
}

impl Client {
    pub fn new(addr: SocketAddr) -> Client {
        Client {
            addr,
            host: addr.to_string(),
            authorization: None,
            patience: PATIENCE,
        }
    }

    /// Waits up to `patience` for each answer's head.
    pub fn with_patience(mut self, patience: Duration) -> Client {
        self.patience = patience;
        self
    }

    /// Logs in as `(user, password)` with every request (HTTP basic authentication).
    pub fn with_credentials(mut self, credentials: Option<(String, String)>) -> Client {
        use base64::Engine as _;
        self.authorization = credentials.map(|(user, password)| {
            let token =
                base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
            format!("Basic {token}")
        });
        self
    }

    /// A client of `http://HOST:PORT` (the scheme and port are optional; 8088 by default,
    /// as ksqlDB's).
    pub fn from_url(url: &str) -> Result<Client, String> {
        let rest = url.strip_prefix("http://").unwrap_or(url);
        if rest.starts_with("https://") || url.starts_with("https://") {
            return Err(format!("{url}: only http:// servers are supported"));
        }
        let authority = rest.trim_end_matches('/');
        let authority = if authority.contains(':') {
            authority.to_string()
        } else {
            format!("{authority}:8088")
        };
        use std::net::ToSocketAddrs;
        let addr = authority
            .to_socket_addrs()
            .map_err(|e| format!("{url}: {e}"))?
            .next()
            .ok_or_else(|| format!("{url}: no address"))?;
        Ok(Client {
            addr,
            host: authority,
            authorization: None,
            patience: PATIENCE,
        })
    }

    /// POSTs a JSON body and returns the response head, its body still to read.
    pub async fn post(
        &self,
        path: &str,
        body: &Value,
    ) -> Result<hyper::Response<Incoming>, String> {
        self.post_bytes(path, Bytes::from(body.to_string())).await
    }

    /// POSTs `body` (JSON, or newline-delimited JSON) and returns the response head, its
    /// body still to read.
    pub async fn post_bytes(
        &self,
        path: &str,
        body: Bytes,
    ) -> Result<hyper::Response<Incoming>, String> {
        let stream = TcpStream::connect(self.addr)
            .await
            .map_err(|e| format!("cannot connect to the server at {}: {e}", self.addr))?;
        let (mut sender, connection) = http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| format!("HTTP handshake: {e}"))?;
        tokio::spawn(connection);
        let mut request = Request::post(path)
            .header("host", &self.host)
            .header("content-type", "application/json");
        if let Some(authorization) = &self.authorization {
            request = request.header("authorization", authorization);
        }
        let request = request
            .body(Full::new(body))
            .map_err(|e| format!("request: {e}"))?;
        tokio::time::timeout(self.patience, sender.send_request(request))
            .await
            .map_err(|_| format!("no answer to {path} within {:?}", self.patience))?
            .map_err(|e| format!("{path}: {e}"))
    }

    /// Sends statements to `/ksql` and reads the whole answer: the entities, or an error
    /// body with its status.
    pub async fn ksql(
        &self,
        statements: &str,
        properties: &Map<String, Value>,
    ) -> Result<(StatusCode, Value), String> {
        let request = json!({"ksql": statements, "streamsProperties": properties});
        let response = self.post("/ksql", &request).await?;
        let status = response.status();
        let text = RowStream::new(status, response.into_body()).text().await?;
        Ok((status, parse_json(&text)))
    }

    /// Sends a SELECT or PRINT to `/query` and returns its StreamedRows as they come.
    pub async fn query(
        &self,
        sql: &str,
        properties: &Map<String, Value>,
    ) -> Result<RowStream, String> {
        let body = json!({"ksql": sql, "streamsProperties": properties});
        let response = self.post("/query", &body).await?;
        Ok(RowStream::new(response.status(), response.into_body()))
    }

    /// Inserts `rows` (JSON objects by column name) into the stream or table `target`
    /// through `/inserts-stream`; returns the server's acknowledgement for each row, in
    /// order, or the error body of a refused request.
    pub async fn insert_rows(&self, target: &str, rows: &[Value]) -> Result<Vec<Value>, String> {
        let mut body = json!({"target": target}).to_string();
        for row in rows {
            body.push('\n');
            body.push_str(&row.to_string());
        }
        let response = self
            .post_bytes("/inserts-stream", Bytes::from(body))
            .await?;
        let status = response.status();
        let text = RowStream::new(status, response.into_body()).text().await?;
        if status != StatusCode::OK {
            return Err(format!("/inserts-stream answered {status}: {text}"));
        }
        Ok(text.lines().map(parse_json).collect())
    }
}

/// JSON, or the text itself as a JSON string when it is not JSON.
pub fn parse_json(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|_| Value::String(body.to_string()))
}

/// A `/query` answer, read one array element at a time.
pub struct RowStream {
    status: StatusCode,
    body: Incoming,
    /// Text received and not read yet, from `read` on: elements are taken by moving
    /// `read` forward, and the text before it is dropped once per chunk received, so a
    /// client that falls behind does not copy what is left for every element it takes.
    pending: String,
    read: usize,
    ended: bool,
}

impl RowStream {
    fn new(status: StatusCode, body: Incoming) -> RowStream {
        RowStream {
            status,
            body,
            pending: String::new(),
            read: 0,
            ended: false,
        }
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The rest of the body as text (an error body, or a `/ksql` answer).
    pub async fn text(&mut self) -> Result<String, String> {
        while self.read_chunk().await? {}
        Ok(self.pending.split_off(self.read))
    }

    /// The next element of the array; `None` once the body ended.
    pub async fn next(&mut self) -> Result<Option<Value>, String> {
        match self.next_text().await? {
            Some(element) => serde_json::from_str(&element)
                .map(Some)
                .map_err(|e| format!("not a StreamedRow: {element}: {e}")),
            None => Ok(None),
        }
    }

    /// The next element of the array as its JSON text, not parsed; `None` once the body
    /// ended.
    pub async fn next_text(&mut self) -> Result<Option<String>, String> {
        loop {
            if let Some(element) = self.take_element() {
                return Ok(Some(element));
            }
            if !self.read_chunk().await? {
                return Ok(self.take_element());
            }
        }
    }

    /// The next line of a text answer (PRINT's records); `None` once the body ended.
    pub async fn next_line(&mut self) -> Result<Option<String>, String> {
        loop {
            if let Some(end) = self.pending[self.read..].find('\n') {
                let line = self.pending[self.read..self.read + end].to_string();
                self.read += end + 1;
                return Ok(Some(line));
            }
            if !self.read_chunk().await? {
                let rest = self.pending.split_off(self.read);
                return Ok((!rest.is_empty()).then_some(rest));
            }
        }
    }

    /// Appends the next chunk to `pending`; false at the end of the body.
    async fn read_chunk(&mut self) -> Result<bool, String> {
        if self.ended {
            return Ok(false);
        }
        match self.body.frame().await {
            Some(Ok(frame)) => {
                if let Ok(data) = frame.into_data() {
                    self.pending.drain(..self.read);
                    self.read = 0;
                    self.pending.push_str(&String::from_utf8_lossy(&data));
                }
                Ok(true)
            }
            Some(Err(e)) => Err(format!("reading the response: {e}")),
            None => {
                self.ended = true;
                Ok(false)
            }
        }
    }

    /// The first complete line of `pending` as an element's text, if there is one.
    fn take_element(&mut self) -> Option<String> {
        loop {
            let unread = &self.pending[self.read..];
            let end = match unread.find('\n') {
                Some(end) => end,
                None if self.ended && !unread.trim().is_empty() => unread.len(),
                None => return None,
            };
            let element = unread[..end]
                .trim()
                .trim_start_matches('[')
                .trim_end_matches(']')
                .trim_end_matches(',')
                .trim()
                .to_string();
            self.read = (self.read + end + 1).min(self.pending.len());
            if !element.is_empty() {
                return Some(element);
            }
        }
    }
}
