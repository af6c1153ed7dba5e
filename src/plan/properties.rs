//! The WITH clause of CREATE, CREATE … AS SELECT and INSERT INTO, typed and checked.

use super::error::{PlanError, PlanResult};
use crate::sql::ast::{Literal, Properties};

/// Every WITH property sluice understands; all optional, as written.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WithProperties {
    pub kafka_topic: Option<String>,
    pub partitions: Option<u32>,
    pub replicas: Option<i16>,
    pub format: Option<String>,
    pub key_format: Option<String>,
    pub value_format: Option<String>,
    pub key_delimiter: Option<char>,
    pub value_delimiter: Option<char>,
    pub wrap_single_value: Option<bool>,
    pub timestamp: Option<String>,
    pub timestamp_format: Option<String>,
    pub retention_ms: Option<i64>,
    pub query_id: Option<String>,
    /// WINDOW_TYPE: the source's keys are windowed (TUMBLING, HOPPING or SESSION).
    pub window_type: Option<String>,
    /// WINDOW_SIZE, e.g. '30 SECONDS', for TUMBLING and HOPPING keys.
    pub window_size: Option<String>,
}

impl WithProperties {
    /// Reads a WITH clause; an unknown name or a value of the wrong kind is an error.
    pub fn parse(properties: &Properties) -> PlanResult<Self> {
        let mut out = WithProperties::default();
        let mut unknown = Vec::new();
        for (name, value) in properties {
            match name.as_str() {
                "KAFKA_TOPIC" => out.kafka_topic = Some(string(name, value)?),
                "PARTITIONS" => out.partitions = Some(integer(name, value)?),
                "REPLICAS" => out.replicas = Some(integer(name, value)?),
                "FORMAT" => out.format = Some(string(name, value)?),
                "KEY_FORMAT" => out.key_format = Some(string(name, value)?),
                "VALUE_FORMAT" => out.value_format = Some(string(name, value)?),
                "KEY_DELIMITER" => out.key_delimiter = Some(delimiter(name, value)?),
                "VALUE_DELIMITER" => out.value_delimiter = Some(delimiter(name, value)?),
                "WRAP_SINGLE_VALUE" => out.wrap_single_value = Some(boolean(name, value)?),
                "TIMESTAMP" => out.timestamp = Some(string(name, value)?.to_uppercase()),
                "TIMESTAMP_FORMAT" => out.timestamp_format = Some(string(name, value)?),
                "RETENTION_MS" => out.retention_ms = Some(integer(name, value)?),
                "QUERY_ID" => out.query_id = Some(string(name, value)?),
                "WINDOW_TYPE" => out.window_type = Some(string(name, value)?.to_uppercase()),
                "WINDOW_SIZE" => out.window_size = Some(string(name, value)?),
                _ => unknown.push(name.clone()),
            }
        }
        if !unknown.is_empty() {
            return Err(PlanError::invalid(format!(
                "Invalid config variable(s) in the WITH clause: {}",
                unknown.join(",")
            )));
        }
        if out.format.is_some() && (out.key_format.is_some() || out.value_format.is_some()) {
            return Err(PlanError::invalid(
                "Cannot supply both 'FORMAT' and 'KEY_FORMAT' or 'VALUE_FORMAT' properties, \
                 as 'FORMAT' sets both key and value formats. Either use just 'FORMAT', or \
                 use 'KEY_FORMAT' and 'VALUE_FORMAT'.",
            ));
        }
        if out.partitions == Some(0) {
            return Err(PlanError::invalid("Invalid number of partitions: 0"));
        }
        Ok(out)
    }

    /// The key format name that applies: KEY_FORMAT, else FORMAT.
    pub fn key_format_name(&self) -> Option<&str> {
        self.key_format.as_deref().or(self.format.as_deref())
    }

    /// The value format name that applies: VALUE_FORMAT, else FORMAT.
    pub fn value_format_name(&self) -> Option<&str> {
        self.value_format.as_deref().or(self.format.as_deref())
    }
}

fn string(name: &str, value: &Literal) -> PlanResult<String> {
    match value {
        Literal::String(s) => Ok(s.clone()),
        Literal::Number(n) => Ok(n.clone()),
        Literal::Boolean(b) => Ok(b.to_string()),
        Literal::Null => Err(PlanError::invalid(format!(
            "Invalid value null for property {name}"
        ))),
    }
}

fn integer<T: std::str::FromStr>(name: &str, value: &Literal) -> PlanResult<T> {
    let text = string(name, value)?;
    text.trim().parse().map_err(|_| {
        PlanError::invalid(format!(
            "Invalid value {text} for property {name}: Not a number"
        ))
    })
}

fn boolean(name: &str, value: &Literal) -> PlanResult<bool> {
    match value {
        Literal::Boolean(b) => Ok(*b),
        other => match string(name, other)?.to_lowercase().as_str() {
            "true" => Ok(true),
            "false" => Ok(false),
            text => Err(PlanError::invalid(format!(
                "Property '{name}' is not a boolean value: {text}"
            ))),
        },
    }
}

/// A delimiter is one visible character, or `TAB`/`SPACE` for the invisible ones.
fn delimiter(name: &str, value: &Literal) -> PlanResult<char> {
    let text = string(name, value)?;
    let invalid = |reason: String| {
        PlanError::invalid(format!(
            "Failed to prepare statement: Configuration {name} is invalid: {reason}\nExample valid value: ';'"
        ))
    };
    match text.as_str() {
        "TAB" => Ok('\t'),
        "SPACE" => Ok(' '),
        _ => {
            let mut chars = text.chars();
            match (chars.next(), chars.next()) {
                (None, _) | (Some(' ' | '\t'), None) => Err(invalid(
                    "Delimiter cannot be empty, if you meant to have a tab or space for delimiter, please use the special values 'TAB' or 'SPACE'".into(),
                )),
                (Some(c), None) => Ok(c),
                _ => Err(invalid(format!(
                    "Invalid delimiter value: '{text}'. Delimiter must be a single character or TAB,SPACE"
                ))),
            }
        }
    }
}
