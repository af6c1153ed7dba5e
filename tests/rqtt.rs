//! `sluice qtt` on REST test files: the runner passes cases whose responses match what the server
//! answers, and fails a wrong value, a missing row, an extra row and an unmet expected
//! error, each against a real server.

use serde_json::{Value, json};
use sluice::testing::qtt;

/// A table of counts per key, fed two records for key "a" and one for "b".
fn case(name: &str, queries: &[&str], responses: Value) -> Value {
    let mut statements = vec![
        "CREATE STREAM CLICKS (USER STRING KEY, PAGE STRING) WITH (kafka_topic='clicks', value_format='JSON');".to_string(),
        "CREATE TABLE VISITS AS SELECT USER, COUNT(*) AS N FROM CLICKS GROUP BY USER;".to_string(),
    ];
    statements.extend(queries.iter().map(|q| q.to_string()));
    json!({
        "name": name,
        "statements": statements,
        "inputs": [
            {"topic": "clicks", "timestamp": 1000, "key": "a", "value": {"page": "/"}},
            {"topic": "clicks", "timestamp": 2000, "key": "b", "value": {"page": "/x"}},
            {"topic": "clicks", "timestamp": 3000, "key": "a", "value": {"page": "/y"}}
        ],
        "responses": responses
    })
}

fn admin() -> Value {
    json!({"admin": {"@type": "currentStatus"}})
}

#[test]
fn matching_responses_pass_and_every_kind_of_difference_fails() {
    let header = json!({"header": {"schema": "`USER` STRING KEY, `N` BIGINT"}});
    let tests = json!({"tests": [
        case(
            "lookup and scan",
            &["SELECT * FROM VISITS WHERE USER = 'a';", "SELECT * FROM VISITS;"],
            json!([admin(), admin(),
                {"query": [header, {"row": {"columns": ["a", 2]}}]},
                {"query": [header, {"row": {"columns": ["b", 1]}}, {"row": {"columns": ["a", 2]}}]}
            ]),
        ),
        case(
            "push query to its limit",
            &["SELECT PAGE FROM CLICKS EMIT CHANGES LIMIT 2;"],
            json!([admin(), admin(),
                {"query": [
                    {"header": {"schema": "`PAGE` STRING", "queryId|starts_with": "transient_"}},
                    {"row": {"columns": ["/"]}},
                    {"row": {"columns": ["/x"]}},
                    {"finalMessage": "Limit Reached"}
                ]}
            ]),
        ),
        case(
            "wrong value",
            &["SELECT * FROM VISITS WHERE USER = 'a';"],
            json!([admin(), admin(), {"query": [header, {"row": {"columns": ["a", 3]}}]}]),
        ),
        case(
            "missing row",
            &["SELECT * FROM VISITS;"],
            json!([admin(), admin(), {"query": [header, {"row": {"columns": ["a", 2]}}]}]),
        ),
        case(
            "extra row",
            &["SELECT * FROM VISITS WHERE USER = 'a';"],
            json!([admin(), admin(),
                {"query": [header, {"row": {"columns": ["a", 2]}}, {"row": {"columns": ["a", 2]}}]}
            ]),
        ),
        {
            "name": "expected error",
            "statements": [
                "CREATE STREAM CLICKS (USER STRING KEY, PAGE STRING) WITH (kafka_topic='clicks', value_format='JSON');",
                "SELECT * FROM CLICKS WHERE PAGE = 1;"
            ],
            "expectedError": {
                "type": "io.confluent.ksql.rest.entity.KsqlStatementErrorMessage",
                "message": "Cannot compare PAGE (STRING) to 1 (INTEGER)",
                "status": 400
            }
        },
        {
            "name": "unmet expected error",
            "statements": [
                "CREATE STREAM CLICKS (USER STRING KEY, PAGE STRING) WITH (kafka_topic='clicks', value_format='JSON');",
                "SELECT * FROM CLICKS;"
            ],
            "expectedError": {"message": "no such thing", "status": 400}
        }
    ]});
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("runner.json");
    std::fs::write(&file, tests.to_string()).unwrap();

    let summary = qtt::run(&[file], false).unwrap();
    let verdict = |name: &str| {
        summary
            .cases
            .iter()
            .find(|c| c.name == format!("runner - {name}"))
            .map(|c| c.verdict)
            .unwrap_or_else(|| panic!("no case {name}"))
    };
    assert_eq!(verdict("lookup and scan"), "passed");
    assert_eq!(verdict("push query to its limit"), "passed");
    assert_eq!(verdict("expected error"), "passed");
    assert_eq!(verdict("wrong value"), "failed");
    assert_eq!(verdict("missing row"), "failed");
    assert_eq!(verdict("extra row"), "failed");
    assert_eq!(verdict("unmet expected error"), "failed");
    assert_eq!((summary.passed, summary.failed), (3, 4));
}
