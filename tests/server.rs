//! `sluice server` end to end: the server runs in-process on an ephemeral port over a
//! temporary data directory and is driven over plain HTTP/1.1 (hyper's client connection).

use std::net::SocketAddr;
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::client::conn::http1;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use sluice::engine::{Engine, EngineConfig};
use sluice::server::{Server, ServerConfig};
use tempfile::TempDir;
use tokio::net::TcpStream;

/// How long a test waits for something the server should do at once.
const PATIENCE: Duration = Duration::from_secs(10);

struct TestServer {
    addr: SocketAddr,
    _data: TempDir,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn start() -> TestServer {
    start_with(ServerConfig::default()).await
}

async fn start_with(config: ServerConfig) -> TestServer {
    let data = tempfile::tempdir().unwrap();
    let engine = Engine::open(EngineConfig {
        data_dir: Some(data.path().to_path_buf()),
        ..EngineConfig::default()
    })
    .unwrap();
    let config = ServerConfig {
        listen: "127.0.0.1:0".into(),
        ..config
    };
    let server = Server::bind(engine, &config).await.unwrap();
    let addr = server.local_addr().unwrap();
    let task = tokio::spawn(server.run_until(std::future::pending()));
    TestServer {
        addr,
        _data: data,
        task,
    }
}

impl TestServer {
    /// Sends one request on a new connection and returns the response head and body stream.
    async fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: impl Into<Bytes>,
    ) -> Response<Incoming> {
        let stream = TcpStream::connect(self.addr).await.unwrap();
        let (mut sender, connection) = http1::handshake(TokioIo::new(stream)).await.unwrap();
        tokio::spawn(connection);
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header("host", "localhost");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request.body(Full::new(body.into())).unwrap();
        tokio::time::timeout(PATIENCE, sender.send_request(request))
            .await
            .expect("response head in time")
            .unwrap()
    }

    async fn post(&self, path: &str, body: Value) -> Response<Incoming> {
        self.send(
            "POST",
            path,
            &[("content-type", "application/json")],
            body.to_string(),
        )
        .await
    }

    /// POSTs to `/ksql` and returns the status and the JSON body.
    async fn ksql(&self, statements: &str) -> (StatusCode, Value) {
        let response = self
            .post(
                "/ksql",
                json!({"ksql": statements, "streamsProperties": {}}),
            )
            .await;
        let status = response.status();
        assert_eq!(content_type(&response), "application/json");
        (status, json_body(response).await)
    }
}

fn content_type(response: &Response<Incoming>) -> &str {
    response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

async fn full_body(response: Response<Incoming>) -> String {
    let bytes = tokio::time::timeout(PATIENCE, response.into_body().collect())
        .await
        .expect("whole body in time")
        .unwrap()
        .to_bytes();
    String::from_utf8(bytes.to_vec()).unwrap()
}

async fn json_body(response: Response<Incoming>) -> Value {
    let text = full_body(response).await;
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// Reads body chunks into `seen` until it contains `needle`; the chunks must arrive while the
/// response is still open, which is what streaming means.
async fn read_until(body: &mut Incoming, seen: &mut String, needle: &str) {
    tokio::time::timeout(PATIENCE, async {
        while !seen.contains(needle) {
            let frame = body
                .frame()
                .await
                .unwrap_or_else(|| panic!("body ended before {needle:?}; got {seen:?}"))
                .unwrap();
            if let Ok(data) = frame.into_data() {
                seen.push_str(std::str::from_utf8(&data).unwrap());
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("no {needle:?} in time; got {seen:?}"));
}

const CREATE_S1: &str = "CREATE STREAM S1 (ID STRING KEY, V INT) \
     WITH (kafka_topic='s1', value_format='JSON', partitions=1);";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn show_and_describe_functions_answer_ksqldb_entities() {
    let server = start().await;
    let (status, body) = server
        .ksql("SHOW FUNCTIONS; DESCRIBE FUNCTION concat_ws;")
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let listed = &body[0];
    assert_eq!(listed["@type"], "function_names");
    let functions = listed["functions"].as_array().unwrap();
    assert!(
        functions.contains(&json!({"name": "EXPLODE", "category": "TABLE", "type": "TABLE"})),
        "{listed}"
    );
    assert!(
        functions
            .contains(&json!({"name": "URL_EXTRACT_HOST", "category": "URL", "type": "SCALAR"}))
    );

    let described = &body[1];
    assert_eq!(described["@type"], "describe_function");
    assert_eq!(described["name"], "CONCAT_WS");
    assert_eq!(described["type"], "SCALAR");
    let arguments = &described["functions"][0]["arguments"];
    assert_eq!(arguments[1]["isVariadic"], true, "{described}");
    assert_eq!(described["functions"][0]["returnType"], "STRING");

    let (status, body) = server.ksql("DESCRIBE FUNCTION no_such_function;").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["message"],
        "Can't find any functions with the name 'NO_SUCH_FUNCTION'"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ksql_runs_statements_and_answers_entities() {
    let server = start().await;
    let (status, body) = server
        .ksql(&format!(
            "{CREATE_S1} SHOW STREAMS; DESCRIBE S1; INSERT INTO S1 (ID, V) VALUES ('a', 1);"
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let entities = body.as_array().unwrap();
    // INSERT … VALUES adds no entity, as in ksqlDB.
    assert_eq!(entities.len(), 3, "{body}");

    let created = &entities[0];
    assert_eq!(created["@type"], "currentStatus");
    assert_eq!(created["statementText"], CREATE_S1);
    assert_eq!(created["commandId"], "stream/`S1`/create");
    assert_eq!(created["commandStatus"]["status"], "SUCCESS");
    assert_eq!(created["commandStatus"]["message"], "Stream created");
    assert!(created["commandSequenceNumber"].as_i64().unwrap() >= 0);
    assert_eq!(created["warnings"], json!([]));

    let streams = &entities[1];
    assert_eq!(streams["@type"], "streams");
    let s1 = streams["streams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "S1")
        .unwrap();
    assert_eq!(
        s1,
        &json!({"type": "STREAM", "name": "S1", "topic": "s1", "keyFormat": "KAFKA",
                "valueFormat": "JSON", "isWindowed": false})
    );

    let described = &entities[2];
    assert_eq!(described["@type"], "sourceDescription");
    let description = &described["sourceDescription"];
    assert_eq!(description["name"], "S1");
    assert_eq!(description["type"], "STREAM");
    assert_eq!(
        description["fields"],
        json!([
            {"name": "ID", "schema": {"type": "STRING", "fields": null, "memberSchema": null}, "type": "KEY"},
            {"name": "V", "schema": {"type": "INTEGER", "fields": null, "memberSchema": null}},
        ])
    );

    // The command is listed in /status.
    let response = server.send("GET", "/status", &[], "").await;
    assert_eq!(
        json_body(response).await["commandStatuses"]["stream/`S1`/create"],
        "SUCCESS"
    );
    let response = server
        .send("GET", "/status/stream/S1/create", &[], "")
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(json_body(response).await["message"], "Stream created");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn query_streams_rows_as_they_are_produced() {
    let server = start().await;
    assert_eq!(server.ksql(CREATE_S1).await.0, StatusCode::OK);

    let response = server
        .post(
            "/query",
            json!({"ksql": "SELECT ID, V FROM S1 EMIT CHANGES LIMIT 2;", "streamsProperties": {}}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(content_type(&response), "application/vnd.ksql.v1+json");
    let mut body = response.into_body();
    let mut seen = String::new();
    read_until(&mut body, &mut seen, "},\n").await;
    assert!(seen.starts_with("[{\"header\":"), "{seen}");
    assert!(
        seen.contains("\"schema\":\"`ID` STRING, `V` INTEGER\""),
        "{seen}"
    );

    // Each row arrives while the query still runs, before the next one is inserted.
    server.ksql("INSERT INTO S1 (ID, V) VALUES ('a', 1);").await;
    read_until(&mut body, &mut seen, "{\"row\":{\"columns\":[\"a\",1]}},\n").await;
    server
        .ksql("INSERT INTO S1 (ID, V) VALUES ('b', NULL);")
        .await;
    read_until(&mut body, &mut seen, "\"Limit Reached\"}]").await;
    let rest = tokio::time::timeout(PATIENCE, body.collect()).await;
    assert_eq!(
        rest.expect("the body ends after the limit")
            .unwrap()
            .to_bytes(),
        ""
    );

    let rows: Value = serde_json::from_str(&seen).unwrap();
    let rows = rows.as_array().unwrap();
    assert!(
        rows[0]["header"]["queryId"]
            .as_str()
            .unwrap()
            .starts_with("transient_")
    );
    assert_eq!(
        &rows[1..],
        &[
            json!({"row": {"columns": ["a", 1]}}),
            json!({"row": {"columns": ["b", null]}}),
            json!({"finalMessage": "Limit Reached"}),
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn query_stream_delimited_until_closed() {
    let server = start().await;
    assert_eq!(server.ksql(CREATE_S1).await.0, StatusCode::OK);

    let response = server
        .post(
            "/query-stream",
            json!({"sql": "SELECT * FROM S1 EMIT CHANGES;", "properties": {}}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        content_type(&response),
        "application/vnd.ksqlapi.delimited.v1"
    );
    let mut body = response.into_body();
    let mut seen = String::new();
    read_until(&mut body, &mut seen, "\n").await;
    let metadata: Value = serde_json::from_str(seen.trim()).unwrap();
    assert_eq!(metadata["columnNames"], json!(["ID", "V"]));
    assert_eq!(metadata["columnTypes"], json!(["STRING", "INTEGER"]));
    let query_id = metadata["queryId"].as_str().unwrap().to_string();

    server.ksql("INSERT INTO S1 (ID, V) VALUES ('k', 7);").await;
    read_until(&mut body, &mut seen, "[\"k\",7]\n").await;

    let closed = server
        .post("/close-query", json!({"queryId": query_id}))
        .await;
    assert_eq!(closed.status(), StatusCode::OK);
    assert_eq!(full_body(closed).await, "");
    // The stream ends once the query is closed.
    let rest = tokio::time::timeout(PATIENCE, body.collect())
        .await
        .expect("body ends after close-query");
    assert!(rest.is_ok());

    // Closed queries are gone.
    let again = server
        .post("/close-query", json!({"queryId": query_id}))
        .await;
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        json_body(again).await,
        json!({"@type": "generic_error", "error_code": 40000,
               "message": format!("No query with id {query_id}")})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn query_stream_json_array_with_accept() {
    let server = start().await;
    let (status, _) = server
        .ksql(&format!(
            "{CREATE_S1} INSERT INTO S1 (ID, V) VALUES ('x', 3);"
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    let response = server
        .send(
            "POST",
            "/query-stream",
            &[("accept", "application/json")],
            json!({"sql": "SELECT V, ID FROM S1 EMIT CHANGES LIMIT 1;",
                   "properties": {"auto.offset.reset": "earliest"}})
            .to_string(),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(content_type(&response), "application/json");
    let body = json_body(response).await;
    assert_eq!(body[0]["columnNames"], json!(["V", "ID"]));
    assert_eq!(body[1], json!([3, "x"]));
    assert_eq!(body.as_array().unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_going_away_ends_its_query() {
    let server = start().await;
    assert_eq!(server.ksql(CREATE_S1).await.0, StatusCode::OK);
    let query_id = {
        let response = server
            .post(
                "/query-stream",
                json!({"sql": "SELECT * FROM S1 EMIT CHANGES;"}),
            )
            .await;
        let mut body = response.into_body();
        let mut seen = String::new();
        read_until(&mut body, &mut seen, "\n").await;
        let metadata: Value = serde_json::from_str(seen.trim()).unwrap();
        metadata["queryId"].as_str().unwrap().to_string()
        // The body and its connection are dropped here.
    };
    // Once the server sees the connection gone, the query leaves its registry.
    tokio::time::timeout(PATIENCE, async {
        loop {
            let closed = server
                .post("/close-query", json!({"queryId": query_id}))
                .await;
            if closed.status() == StatusCode::BAD_REQUEST {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("the query ends when its client goes away");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_have_ksqldb_bodies() {
    let server = start_with(ServerConfig {
        max_request_bytes: 4096,
        ..ServerConfig::default()
    })
    .await;

    // Not JSON.
    let response = server
        .send(
            "POST",
            "/ksql",
            &[("content-type", "application/json")],
            "{\"ksql\": ",
        )
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(content_type(&response), "application/json");
    assert_eq!(
        json_body(response).await,
        json!({"@type": "generic_error", "error_code": 40000, "message": "Malformed JSON in request"})
    );

    // A failing statement: the ones before it ran and are in `entities`.
    let (status, body) = server
        .ksql(&format!(
            "{CREATE_S1} CREATE STREAM S2 AS SELECT * FROM NOPE;"
        ))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["@type"], "statement_error");
    assert_eq!(body["error_code"], 40001);
    assert_eq!(
        body["statementText"],
        "CREATE STREAM S2 AS SELECT * FROM NOPE;"
    );
    assert!(!body["message"].as_str().unwrap().is_empty());
    assert_eq!(body["entities"][0]["commandId"], "stream/`S1`/create");

    // A SELECT belongs on /query; nothing in the request runs.
    let (status, body) = server
        .ksql("CREATE STREAM S3 (V INT) WITH (kafka_topic='s3', value_format='JSON', partitions=1); SELECT * FROM S1 EMIT CHANGES;")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error_code"], 40002);
    assert_eq!(body["statementText"], "SELECT * FROM S1 EMIT CHANGES;");
    let (_, listed) = server.ksql("SHOW STREAMS;").await;
    assert!(!listed[0]["streams"].to_string().contains("S3"));

    // An unknown stream on /query.
    let response = server
        .post(
            "/query",
            json!({"ksql": "SELECT * FROM NOPE EMIT CHANGES;"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(json_body(response).await["error_code"], 40001);

    // Missing fields.
    let response = server
        .post("/query-stream", json!({"properties": {}}))
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(json_body(response).await["message"], "No sql in arguments");

    // Unknown path, wrong method, too large.
    let response = server.send("GET", "/nope", &[], "").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(json_body(response).await["error_code"], 40400);
    let response = server.send("GET", "/ksql", &[], "").await;
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(content_type(&response), "application/json");
    let response = server
        .post("/ksql", json!({"ksql": "x".repeat(10_000)}))
        .await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(json_body(response).await["@type"], "generic_error");

    // Garbage of every kind is answered, never a panic.
    for body in [
        "",
        "null",
        "[]",
        "{\"ksql\": null}",
        "{\"ksql\": \";;;\"}",
        "{\"ksql\": \"\\u0000\"}",
    ] {
        for path in ["/ksql", "/query", "/query-stream", "/close-query"] {
            let response = server
                .send("POST", path, &[("content-type", "application/json")], body)
                .await;
            assert!(
                response.status().is_client_error() || response.status() == StatusCode::OK,
                "{path} {body}: {}",
                response.status()
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn info_healthcheck_and_root() {
    let server = start().await;
    let response = server.send("GET", "/info", &[], "").await;
    assert_eq!(content_type(&response), "application/json");
    assert_eq!(
        json_body(response).await,
        json!({"KsqlServerInfo": {"version": "8.5.0", "kafkaClusterId": "sluice",
               "ksqlServiceId": "default_", "serverStatus": "RUNNING"}})
    );
    let response = server.send("GET", "/healthcheck", &[], "").await;
    let health = json_body(response).await;
    assert_eq!(health["isHealthy"], true);
    assert_eq!(health["details"]["metastore"]["isHealthy"], true);
    assert_eq!(health["serverState"], "READY");
    // `/` is the web console; its scripts are embedded too.
    let response = server.send("GET", "/", &[], "").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "text/html; charset=utf-8"
    );
    assert!(full_body(response).await.contains("/console/js/app.js"));
    let response = server.send("GET", "/console/js/app.js", &[], "").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
    let response = server.send("GET", "/console/nope.js", &[], "").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let response = server
        .send("GET", "/status/stream/NOPE/create", &[], "")
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inserts_stream_acknowledges_each_row() {
    let server = start().await;
    let (status, body) = server.ksql(CREATE_S1).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let rows = concat!(
        "{\"target\": \"s1\"}\n",
        "{\"ID\": \"a\", \"V\": 1}\n",
        "{\"id\": \"b\", \"v\": 2, \"ROWTIME\": 5000}\n",
        "{\"ID\": \"c\", \"V\": \"not a number\"}\n",
        "[1, 2]\n",
        "{\"ID\": \"d\", \"NOPE\": 4}\n",
        "{\"ID\": \"e\", \"V\": 5}\n",
    );
    let response = server.send("POST", "/inserts-stream", &[], rows).await;
    assert_eq!(response.status(), StatusCode::OK);
    let acks: Vec<Value> = full_body(response)
        .await
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let statuses: Vec<(&str, u64)> = acks
        .iter()
        .map(|a| (a["status"].as_str().unwrap(), a["seq"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        statuses,
        [
            ("ok", 0),
            ("ok", 1),
            ("error", 2),
            ("error", 3),
            ("error", 4),
            ("ok", 5)
        ],
        "{acks:?}"
    );
    assert_eq!(acks[2]["error_code"], 40000);
    assert!(
        acks[4]["message"].as_str().unwrap().contains("NOPE"),
        "{acks:?}"
    );

    // The accepted rows are in the stream, with the time the row gave.
    let response = server
        .send(
            "POST",
            "/query-stream",
            &[],
            json!({"sql": "SELECT ID, V, ROWTIME FROM S1;"}).to_string(),
        )
        .await;
    let body = full_body(response).await;
    let rows: Vec<Value> = body
        .lines()
        .skip(1)
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(rows.len(), 3, "{body}");
    assert_eq!(rows[0][0], "a");
    assert_eq!(rows[1], json!(["b", 2, 5000]));
    assert_eq!(rows[2][0], "e");

    // A client that accepts application/json gets the acknowledgements as one array.
    let response = server
        .send(
            "POST",
            "/inserts-stream",
            &[("accept", "application/json")],
            "{\"target\": \"S1\"}\n{\"ID\": \"f\", \"V\": 6}\n{\"ID\": \"g\", \"V\": 7}\n",
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "application/json",
        "{response:?}"
    );
    assert_eq!(
        json_body(response).await,
        json!([{"status": "ok", "seq": 0}, {"status": "ok", "seq": 1}])
    );

    // A request without a target, or for an unknown one, is refused whole.
    let response = server
        .send("POST", "/inserts-stream", &[], "{\"nope\": 1}\n")
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let response = server
        .send("POST", "/inserts-stream", &[], "{\"target\": \"X\"}\n{}\n")
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(json_body(response).await["error_code"], 40000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_in_prometheus_format() {
    let server = start().await;
    let (status, body) = server
        .ksql(&format!(
            "{CREATE_S1} INSERT INTO S1 (ID, V) VALUES ('a', 1); INSERT INTO S1 (ID, V) VALUES ('b', 2);"
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = server
        .ksql("SET 'auto.offset.reset'='earliest'; CREATE STREAM COPY AS SELECT * FROM S1;")
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The persistent query reads both records, then the gauges and counters show it.
    let deadline = tokio::time::Instant::now() + PATIENCE;
    let text = loop {
        let response = server.send("GET", "/metrics", &[], "").await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(content_type(&response).starts_with("text/plain; version=0.0.4"));
        let text = full_body(response).await;
        if text.contains(
            "sluice_query_records_out_total{query_id=\"CSAS_COPY_0\",kind=\"persistent\"} 2",
        ) || tokio::time::Instant::now() > deadline
        {
            break text;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    for line in [
        "# TYPE sluice_query_records_in_total counter",
        "sluice_query_records_in_total{query_id=\"CSAS_COPY_0\",kind=\"persistent\"} 2",
        "sluice_query_records_out_total{query_id=\"CSAS_COPY_0\",kind=\"persistent\"} 2",
        "sluice_query_consumer_lag{query_id=\"CSAS_COPY_0\",kind=\"persistent\"} 0",
        "sluice_processing_log_errors_total 0",
        "sluice_push_query_clients 0",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "missing {line:?} in\n{text}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_api_shows_query_pipelines_and_topic_records() {
    let server = start().await;
    let (status, body) = server
        .ksql(&format!(
            "{CREATE_S1} INSERT INTO S1 (ID, V) VALUES ('a', 1); INSERT INTO S1 (ID, V) VALUES ('b', 2);"
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = server
        .ksql(
            "SET 'auto.offset.reset'='earliest'; \
             CREATE STREAM BIG AS SELECT ID, V * 10 AS V10 FROM S1 WHERE V > 1;",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Once the query has read both records, its pipeline shows where each went.
    let deadline = tokio::time::Instant::now() + PATIENCE;
    let query = loop {
        let response = server.send("GET", "/console/api/queries", &[], "").await;
        assert_eq!(content_type(&response), "application/json");
        let queries = json_body(response).await;
        let query = queries[0].clone();
        if query["recordsOut"] == 1 || tokio::time::Instant::now() > deadline {
            break query;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(query["id"], "CSAS_BIG_0", "{query}");
    assert_eq!(query["kind"], "PERSISTENT");
    assert_eq!(
        query["sources"],
        json!([{"topic": "s1", "position": 2, "lag": 0}])
    );
    assert_eq!(
        query["operators"],
        json!([
            {"name": "Filter", "rowsIn": 2, "rowsOut": 1},
            {"name": "Project", "rowsIn": 1, "rowsOut": 1},
        ]),
        "{query}"
    );
    assert_eq!(query["sink"], "BIG");

    let response = server
        .send("GET", "/console/api/topics/s1/records?limit=1", &[], "")
        .await;
    let records = json_body(response).await;
    assert_eq!(records.as_array().map(Vec::len), Some(1), "{records}");
    assert_eq!(records[0]["partition"], 0);
    assert_eq!(records[0]["offset"], 1);
    assert_eq!(records[0]["key"], "b");
    assert_eq!(records[0]["value"], "{\"V\":2}");
    let response = server
        .send("GET", "/console/api/topics/nope/records", &[], "")
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cluster_status_lists_this_host_and_its_queries() {
    let server = start().await;
    let (status, body) = server
        .ksql(&format!(
            "{CREATE_S1} CREATE STREAM COPY AS SELECT * FROM S1;"
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let response = server.send("GET", "/clusterStatus", &[], "").await;
    assert_eq!(response.status(), StatusCode::OK);
    let body = json_body(response).await;
    let hosts = body["clusterStatus"].as_object().unwrap();
    assert_eq!(hosts.len(), 1, "{body}");
    let host = hosts.values().next().unwrap();
    assert_eq!(host["hostAlive"], true);
    assert_eq!(
        host["activeStandbyPerQuery"]["CSAS_COPY_0"]["activePartitions"],
        json!([{"topic": "s1", "partition": 0}])
    );
}
