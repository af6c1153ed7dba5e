//! ASSERT [NOT EXISTS] TOPIC name [WITH (PARTITIONS=n, REPLICAS=n)] [TIMEOUT n unit]: waits
//! until the topic exists (or does not), as deployment scripts use it to hold back the
//! statements that need a topic. It fails, with ksqlDB's message, once the timeout passes.

use std::time::{Duration, Instant};

use super::{Engine, EngineError, EngineResult, StatementResult};
use crate::sql::ast::{Literal, Properties};

/// ksqlDB's `ksql.assert.topic.default.timeout.ms`.
const DEFAULT_TIMEOUT_MS: i64 = 1_000;

/// How often the log is looked at while waiting.
const POLL_INTERVAL: Duration = Duration::from_millis(50);

pub fn assert_topic(
    engine: &Engine,
    topic: &str,
    exists: bool,
    properties: &Properties,
    timeout_ms: Option<i64>,
) -> EngineResult<StatementResult> {
    let expected = expected_config(topic, properties)?;
    let timeout = Duration::from_millis(timeout_ms.unwrap_or(DEFAULT_TIMEOUT_MS).max(0) as u64);
    let deadline = Instant::now() + timeout;
    loop {
        let config = engine.log.topic_config(topic);
        if config.is_some() == exists {
            if let (Some(config), Some(partitions)) = (&config, expected.partitions)
                && config.partitions != partitions
            {
                return Err(mismatch(topic, "partitions", partitions, config.partitions));
            }
            if let Some(replicas) = expected.replicas
                && exists
                && replicas != 1
            {
                return Err(mismatch(topic, "replicas", replicas, 1));
            }
            let state = if exists { "exists" } else { "does not exist" };
            return Ok(StatementResult::Status {
                message: format!("Topic {topic} {state}"),
                query_id: None,
            });
        }
        if Instant::now() >= deadline {
            let state = if exists { "does not exist" } else { "exists" };
            return Err(EngineError::Statement(format!("Topic {topic} {state}.")));
        }
        std::thread::sleep(POLL_INTERVAL);
    }
}

/// The settings the topic must have.
struct Expected {
    partitions: Option<u32>,
    replicas: Option<u32>,
}

fn expected_config(topic: &str, properties: &Properties) -> EngineResult<Expected> {
    let mut expected = Expected {
        partitions: None,
        replicas: None,
    };
    for (name, value) in properties {
        let number = match value {
            Literal::Number(n) => n.parse::<u32>().ok(),
            _ => None,
        };
        let slot = match name.as_str() {
            "PARTITIONS" => &mut expected.partitions,
            "REPLICAS" => &mut expected.replicas,
            other => {
                return Err(EngineError::Statement(format!(
                    "Cannot assert unknown topic property {other} of topic {topic}: only PARTITIONS and REPLICAS can be asserted."
                )));
            }
        };
        *slot =
            Some(number.ok_or_else(|| {
                EngineError::Statement(format!("{name} must be a positive integer"))
            })?);
    }
    Ok(expected)
}

fn mismatch(topic: &str, config: &str, expected: u32, actual: u32) -> EngineError {
    EngineError::Statement(format!(
        "Mismatched configuration for topic {topic}: For config {config}, expected {expected} got {actual}"
    ))
}
