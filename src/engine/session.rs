//! Per-client state: properties from SET and variables from DEFINE.

use std::collections::BTreeMap;

/// Properties and variables of one REPL or request.
#[derive(Debug, Clone, Default)]
pub struct Session {
    pub properties: BTreeMap<String, String>,
    pub variables: BTreeMap<String, String>,
}

impl Session {
    /// Where new queries start reading: `earliest`, or `latest` by default as in ksqlDB.
    pub fn reads_from_earliest(&self) -> bool {
        ["auto.offset.reset", "ksql.streams.auto.offset.reset"]
            .iter()
            .filter_map(|k| self.properties.get(*k))
            .any(|v| v.eq_ignore_ascii_case("earliest"))
    }

    /// `ksql.persistence.default.format.key`: the key format of a source or sink that needs
    /// a key and names no format (KAFKA when unset).
    pub fn default_key_format(&self) -> Option<&str> {
        self.properties
            .get("ksql.persistence.default.format.key")
            .map(String::as_str)
    }

    /// `ksql.output.topic.name.prefix`: what a C*AS sink's default topic name starts with
    /// (nothing by default).
    pub fn output_topic_prefix(&self) -> &str {
        self.properties
            .get("ksql.output.topic.name.prefix")
            .map_or("", String::as_str)
    }

    /// True when `ksql.new.query.planner.enabled` is on (off by default, as in ksqlDB).
    pub fn new_query_planner(&self) -> bool {
        self.properties
            .get("ksql.new.query.planner.enabled")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }

    /// A boolean property that is on unless set to false (`ksql.query.pull.table.scan.enabled`
    /// and other switches ksqlDB turns on by default).
    pub fn property_enabled(&self, name: &str) -> bool {
        self.properties
            .get(name)
            .is_none_or(|v| !v.eq_ignore_ascii_case("false"))
    }

    /// `ksql.query.push.v2.enabled`: push queries over a persistent query's sink run as
    /// scalable push queries (off by default, as in ksqlDB).
    pub fn scalable_push_queries(&self) -> bool {
        self.properties
            .get("ksql.query.push.v2.enabled")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }

    /// `ksql.persistence.wrap.single.values`: whether single-column values are wrapped in an
    /// object (true unless set to false).
    pub fn wrap_single_values(&self) -> bool {
        self.properties
            .get("ksql.persistence.wrap.single.values")
            .is_none_or(|v| !v.eq_ignore_ascii_case("false"))
    }

    /// `ksql.streams.cache.max.bytes.buffering` (or Kafka Streams' `cache.max.bytes.buffering`)
    /// above 0, as it is unless set: aggregations emit a batch's updates to a group as one.
    /// ksqlDB's test drivers set it to 0, for an update per input record.
    pub fn record_cache(&self) -> bool {
        [
            "ksql.streams.cache.max.bytes.buffering",
            "cache.max.bytes.buffering",
        ]
        .iter()
        .filter_map(|k| self.properties.get(*k))
        .all(|v| v.trim().parse::<i64>().is_ok_and(|bytes| bytes > 0))
    }

    /// Replaces `${name}` by DEFINEd values.
    pub fn substitute(&self, text: &str) -> String {
        if self.variables.is_empty() || !text.contains("${") {
            return text.to_string();
        }
        let mut out = text.to_string();
        for (name, value) in &self.variables {
            out = out.replace(&format!("${{{name}}}"), value);
        }
        out
    }
}
