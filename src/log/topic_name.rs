//! Kafka's rules for topic names, which double as directory names in the embedded log, and
//! the names of the topics a query keeps for itself.

use super::{LogError, LogResult};

/// Kafka: the longest legal topic name.
pub const MAX_TOPIC_NAME_LEN: usize = 249;

/// Checks `name` the way Kafka's `Topic.validate` does: 1 to 249 of `[a-zA-Z0-9._-]`, and
/// neither `.` nor `..` (which would also escape the log's directory).
pub fn validate(name: &str) -> LogResult<()> {
    let legal_chars = name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if name.is_empty()
        || name.len() > MAX_TOPIC_NAME_LEN
        || !legal_chars
        || name == "."
        || name == ".."
    {
        return Err(LogError::InvalidTopicName(name.to_string()));
    }
    Ok(())
}

/// A query's internal topic, named as ksqlDB names them:
/// `_confluent-ksql-<service id>query_<query id>-<name>`, with the service id `default_`.
/// With an empty `name`, the prefix every internal topic of the query starts with.
pub fn internal_topic(query_id: &str, name: &str) -> String {
    format!("_confluent-ksql-default_query_{query_id}-{name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_kafka_names() {
        for name in [
            "orders",
            "a",
            "A.b_c-9",
            "__consumer_offsets",
            &"x".repeat(249),
        ] {
            assert!(validate(name).is_ok(), "{name}");
        }
    }

    #[test]
    fn rejects_illegal_names() {
        for name in ["", ".", "..", "a/b", "a b", "ü", "a:b", &"x".repeat(250)] {
            assert!(
                matches!(validate(name), Err(LogError::InvalidTopicName(_))),
                "{name}"
            );
        }
    }
}
