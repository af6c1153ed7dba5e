//! Nexmark q0–q2 in ksqlDB's dialect, and the `bid` stream they read.
//!
//! The Flink texts are in `shared/bench/nexmark/queries-flink/`; these are sluice's own
//! versions. Each query is a persistent `CREATE STREAM … AS SELECT` into a topic named after
//! it, so its progress is the end offset of that topic.

use super::generator::Bid;

/// The topic the bids are loaded into.
pub const BID_TOPIC: &str = "bid";

/// The source stream over [`BID_TOPIC`]: keyless, JSON values whose field names match the
/// unquoted (upper-case) columns case-insensitively.
pub const BID_DDL: &str = "CREATE STREAM bid (auction BIGINT, bidder BIGINT, price BIGINT, \
     channel STRING, url STRING, dateTime BIGINT, extra STRING) \
     WITH (KAFKA_TOPIC='bid', VALUE_FORMAT='JSON');";

/// A Nexmark query this benchmark runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum NexmarkQuery {
    /// Pass-through: every bid, five of its columns.
    Q0,
    /// Currency conversion: the price in euros.
    Q1,
    /// Selection: the bids on every 123rd auction.
    Q2,
}

impl NexmarkQuery {
    /// The query's name as the report prints it (`q0`).
    pub fn name(self) -> &'static str {
        match self {
            NexmarkQuery::Q0 => "q0",
            NexmarkQuery::Q1 => "q1",
            NexmarkQuery::Q2 => "q2",
        }
    }

    /// The statement that starts the query.
    pub fn sql(self) -> &'static str {
        match self {
            NexmarkQuery::Q0 => {
                "CREATE STREAM q0 AS SELECT auction, bidder, price, dateTime, extra FROM bid;"
            }
            // Flink multiplies by the DECIMAL literal 0.908 (a DECIMAL(23, 3) result); here the
            // literal is a DOUBLE, so the price is a DOUBLE.
            NexmarkQuery::Q1 => {
                "CREATE STREAM q1 AS SELECT auction, bidder, price * 0.908 AS price, dateTime, \
                 extra FROM bid;"
            }
            // Flink's MOD(auction, 123) is `%` in ksqlDB, which has no MOD function.
            NexmarkQuery::Q2 => {
                "CREATE STREAM q2 AS SELECT auction, price FROM bid WHERE auction % 123 = 0;"
            }
        }
    }

    /// The sink stream's topic: the unquoted stream name, upper-cased.
    pub fn sink_topic(self) -> &'static str {
        match self {
            NexmarkQuery::Q0 => "Q0",
            NexmarkQuery::Q1 => "Q1",
            NexmarkQuery::Q2 => "Q2",
        }
    }

    /// Whether `bid` yields an output record.
    pub fn selects(self, bid: &Bid) -> bool {
        match self {
            NexmarkQuery::Q0 | NexmarkQuery::Q1 => true,
            NexmarkQuery::Q2 => bid.auction % 123 == 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Engine, EngineConfig, Session};
    use crate::log::{Record, TopicConfig};

    fn bid(auction: i64, price: i64) -> Bid {
        Bid {
            auction,
            bidder: 1001,
            price,
            channel: "Google".into(),
            url: "https://www.nexmark.com/a/b/c/item.htm?query=1".into(),
            date_time: 1_700_000_000_000,
            extra: "padding".into(),
        }
    }

    /// Runs `query` over `bids` in a deterministic in-memory engine; the sink's values.
    fn run(query: NexmarkQuery, bids: &[Bid]) -> Vec<serde_json::Value> {
        let engine = Engine::open(EngineConfig {
            deterministic: true,
            ..EngineConfig::default()
        })
        .expect("engine opens");
        let log = engine.log().clone();
        log.create_topic(BID_TOPIC, TopicConfig::default())
            .expect("topic");
        let records = bids
            .iter()
            .map(|b| Record {
                value: Some(serde_json::to_vec(b).expect("encodes")),
                timestamp: b.date_time,
                ..Record::default()
            })
            .collect();
        log.append(BID_TOPIC, 0, records, None).expect("appends");
        let mut session = Session::default();
        let script = format!(
            "SET 'auto.offset.reset'='earliest'; {BID_DDL} {}",
            query.sql()
        );
        if let Err((_, e)) = engine.execute(&script, &mut session) {
            panic!("{}: {e}", e.statement);
        }
        engine.run_until_idle().expect("runs");
        log.read(query.sink_topic(), 0, 0, 1000)
            .expect("reads")
            .into_iter()
            .map(|r| serde_json::from_slice(&r.record.value.expect("value")).expect("json"))
            .collect()
    }

    #[test]
    fn q0_passes_bids_through() {
        let out = run(NexmarkQuery::Q0, &[bid(1000, 250), bid(1001, 100)]);
        assert_eq!(
            out[0],
            serde_json::json!({"AUCTION": 1000, "BIDDER": 1001, "PRICE": 250,
                "DATETIME": 1_700_000_000_000i64, "EXTRA": "padding"})
        );
        assert_eq!(out.len(), 2);
    }

    #[test]
    fn q1_converts_prices() {
        let out = run(NexmarkQuery::Q1, &[bid(1000, 1000)]);
        assert_eq!(out.len(), 1);
        let price = out[0]["PRICE"].as_f64().expect("a number");
        assert!((price - 908.0).abs() < 1e-9, "{price}");
    }

    #[test]
    fn q2_keeps_every_123rd_auction() {
        let bids: Vec<Bid> = (1000..1500).map(|a| bid(a, 100)).collect();
        let expected = bids.iter().filter(|b| NexmarkQuery::Q2.selects(b)).count();
        let out = run(NexmarkQuery::Q2, &bids);
        assert_eq!(out.len(), expected);
        assert_eq!(out[0], serde_json::json!({"AUCTION": 1107, "PRICE": 100}));
    }
}
