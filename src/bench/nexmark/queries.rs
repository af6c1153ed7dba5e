//! The Nexmark queries in ksqlDB's dialect, and the `bid` and `auction` streams they read.
//!
//! The Flink texts are in `shared/bench/nexmark/queries-flink/`; these are sluice's own
//! versions. Each query is one or more persistent `CREATE STREAM|TABLE … AS SELECT`s, each
//! writing a topic named after it, so a query's progress is the end offsets of those topics.

/// The topic the bids are loaded into.
pub const BID_TOPIC: &str = "bid";
/// The topic the auctions are loaded into, for the queries that read them.
pub const AUCTION_TOPIC: &str = "auction";

/// The source stream over [`BID_TOPIC`]: keyless, JSON values whose field names match the
/// unquoted (upper-case) columns case-insensitively.
pub const BID_DDL: &str = "CREATE STREAM bid (auction BIGINT, bidder BIGINT, price BIGINT, \
     channel STRING, url STRING, dateTime BIGINT, extra STRING) \
     WITH (KAFKA_TOPIC='bid', VALUE_FORMAT='JSON');";

/// The source stream over [`AUCTION_TOPIC`], like [`BID_DDL`].
pub const AUCTION_DDL: &str = "CREATE STREAM auction (id BIGINT, itemName STRING, \
     description STRING, initialBid BIGINT, reserve BIGINT, dateTime BIGINT, expires BIGINT, \
     seller BIGINT, category BIGINT, extra STRING) \
     WITH (KAFKA_TOPIC='auction', VALUE_FORMAT='JSON');";

/// q5's HOPPING window: its size and advance, in milliseconds, as its SQL states them.
pub const Q5_WINDOW_MS: (i64, i64) = (10_000, 2_000);
/// q7's TUMBLING window size, in milliseconds, as its SQL states it.
pub const Q7_WINDOW_MS: i64 = 10_000;
/// How long after its auction a bid may be joined to it in q4 (`WITHIN`), milliseconds.
pub const Q4_WITHIN_MS: i64 = 10_000;

/// A Nexmark query this benchmark runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum NexmarkQuery {
    /// Pass-through: every bid, five of its columns.
    Q0,
    /// Currency conversion: the price in euros.
    Q1,
    /// Selection: the bids on every 123rd auction.
    Q2,
    /// Average closing price per category: a join of auctions and bids, then two aggregations.
    Q4,
    /// Hot items: bids per auction in a HOPPING window.
    Q5,
    /// Highest bid: the largest price in a TUMBLING window.
    Q7,
}

/// One persistent query of a benchmark query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stage {
    /// The `CREATE … AS SELECT` that starts it.
    pub sql: &'static str,
    /// The topic it writes: the unquoted sink name, upper-cased.
    pub sink_topic: &'static str,
    /// Whether it aggregates: with the record cache on, it writes fewer records than the
    /// one update per input record it writes with the cache off.
    pub aggregates: bool,
}

impl NexmarkQuery {
    /// The query's name as the report prints it (`q0`).
    pub fn name(self) -> &'static str {
        match self {
            NexmarkQuery::Q0 => "q0",
            NexmarkQuery::Q1 => "q1",
            NexmarkQuery::Q2 => "q2",
            NexmarkQuery::Q4 => "q4",
            NexmarkQuery::Q5 => "q5",
            NexmarkQuery::Q7 => "q7",
        }
    }

    /// Whether the query reads auctions as well as bids.
    pub fn reads_auctions(self) -> bool {
        self == NexmarkQuery::Q4
    }

    /// The persistent queries that make up the query, in the order they are started; the
    /// last one writes the query's result.
    pub fn stages(self) -> &'static [Stage] {
        match self {
            NexmarkQuery::Q0 => &[Stage {
                sql: "CREATE STREAM q0 AS SELECT auction, bidder, price, dateTime, extra FROM bid;",
                sink_topic: "Q0",
                aggregates: false,
            }],
            // Flink multiplies by the DECIMAL literal 0.908 (a DECIMAL(23, 3) result); here the
            // literal is a DOUBLE, so the price is a DOUBLE.
            NexmarkQuery::Q1 => &[Stage {
                sql: "CREATE STREAM q1 AS SELECT auction, bidder, price * 0.908 AS price, \
                      dateTime, extra FROM bid;",
                sink_topic: "Q1",
                aggregates: false,
            }],
            // Flink's MOD(auction, 123) is `%` in ksqlDB, which has no MOD function.
            NexmarkQuery::Q2 => &[Stage {
                sql: "CREATE STREAM q2 AS SELECT auction, price FROM bid WHERE auction % 123 = 0;",
                sink_topic: "Q2",
                aggregates: false,
            }],
            // Flink's one statement joins and aggregates twice; here the join and the first
            // aggregation are one query, the second aggregation (over the first's table)
            // another, as in ksqlDB. A stream-stream join needs WITHIN: an auction lasts far
            // less than 10 s of event time (`expires`), and the WHERE keeps Flink's
            // `BETWEEN dateTime AND expires`. The first aggregation has a two-column key,
            // which the KAFKA key format cannot hold. AVG over a table takes each replaced
            // maximum back out (ksqlDB's undo).
            NexmarkQuery::Q4 => &[
                Stage {
                    sql: "CREATE TABLE q4_winning_bid WITH (KEY_FORMAT='JSON') AS \
                          SELECT A.id AS id, A.category AS category, MAX(B.price) AS final \
                          FROM auction A JOIN bid B WITHIN (0 SECONDS, 10 SECONDS) \
                          ON A.id = B.auction WHERE B.dateTime <= A.expires \
                          GROUP BY A.id, A.category;",
                    sink_topic: "Q4_WINNING_BID",
                    aggregates: true,
                },
                Stage {
                    sql: "CREATE TABLE q4 AS SELECT category, AVG(final) AS final \
                          FROM q4_winning_bid GROUP BY category;",
                    sink_topic: "Q4",
                    aggregates: true,
                },
            ],
            // Flink's q5 goes on to keep, per window, the auctions with the most bids: a join
            // of the counts with their maximum per window. ksqlDB cannot group the windowed
            // counts by their window (it regroups no windowed source, and allows WINDOWSTART
            // only in a windowed aggregation's SELECT), so the count is the query.
            NexmarkQuery::Q5 => &[Stage {
                sql: "CREATE TABLE q5 AS SELECT auction, COUNT(*) AS num FROM bid \
                      WINDOW HOPPING (SIZE 10 SECONDS, ADVANCE BY 2 SECONDS) GROUP BY auction;",
                sink_topic: "Q5",
                aggregates: true,
            }],
            // Flink groups by the window alone; ksqlDB needs a GROUP BY, here a constant. Flink
            // then joins the bids with their window's maximum; ksqlDB joins no windowed source
            // to a non-windowed one, so the maximum per window is the query.
            NexmarkQuery::Q7 => &[Stage {
                sql: "CREATE TABLE q7 AS SELECT 1 AS slot, MAX(price) AS maxprice, \
                      WINDOWEND AS dateTime FROM bid WINDOW TUMBLING (SIZE 10 SECONDS) \
                      GROUP BY 1;",
                sink_topic: "Q7",
                aggregates: true,
            }],
        }
    }

    /// The topic the query's result is written to.
    pub fn sink_topic(self) -> &'static str {
        self.stages().last().map_or("", |stage| stage.sink_topic)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::nexmark::generator::{Auction, Bid};
    use crate::engine::{Engine, EngineConfig, Session};
    use crate::log::{Record, TopicConfig};

    fn bid(auction: i64, price: i64) -> Bid {
        bid_at(auction, price, 1_700_000_000_000)
    }

    fn bid_at(auction: i64, price: i64, date_time: i64) -> Bid {
        Bid {
            auction,
            bidder: 1001,
            price,
            channel: "Google".into(),
            url: "https://www.nexmark.com/a/b/c/item.htm?query=1".into(),
            date_time,
            extra: "padding".into(),
        }
    }

    fn auction(id: i64, category: i64, date_time: i64, expires: i64) -> Auction {
        Auction {
            id,
            item_name: "item".into(),
            description: "description".into(),
            initial_bid: 100,
            reserve: 200,
            date_time,
            expires,
            seller: 1000,
            category,
            extra: "padding".into(),
        }
    }

    fn records<T: serde::Serialize>(events: &[T], time: impl Fn(&T) -> i64) -> Vec<Record> {
        events
            .iter()
            .map(|e| Record {
                value: Some(serde_json::to_vec(e).expect("encodes").into()),
                timestamp: time(e),
                ..Record::default()
            })
            .collect()
    }

    /// Runs `query` over `auctions` and `bids` in a deterministic in-memory engine; the keys
    /// and (JSON) values of its last sink.
    fn run_with_auctions(
        query: NexmarkQuery,
        auctions: &[Auction],
        bids: &[Bid],
    ) -> Vec<(Option<Vec<u8>>, serde_json::Value)> {
        let engine = Engine::open(EngineConfig {
            deterministic: true,
            ..EngineConfig::default()
        })
        .expect("engine opens");
        let log = engine.log().clone();
        for topic in [BID_TOPIC, AUCTION_TOPIC] {
            log.create_topic(topic, TopicConfig::default())
                .expect("topic");
        }
        log.append(AUCTION_TOPIC, 0, records(auctions, |a| a.date_time), None)
            .expect("appends");
        log.append(BID_TOPIC, 0, records(bids, |b| b.date_time), None)
            .expect("appends");
        let mut session = Session::default();
        // An update per input record, as ksqlDB's test drivers run.
        let mut script = format!(
            "SET 'auto.offset.reset'='earliest'; \
             SET 'ksql.streams.cache.max.bytes.buffering'='0'; {BID_DDL} {AUCTION_DDL}"
        );
        for stage in query.stages() {
            script.push_str(stage.sql);
        }
        if let Err((_, e)) = engine.execute(&script, &mut session) {
            panic!("{}: {e}", e.statement);
        }
        engine.run_until_idle().expect("runs");
        log.read(query.sink_topic(), 0, 0, 1000)
            .expect("reads")
            .into_iter()
            .map(|r| {
                let value = r.record.value.as_deref().expect("value");
                let key = r.record.key.as_deref().map(<[u8]>::to_vec);
                (key, serde_json::from_slice(value).expect("json"))
            })
            .collect()
    }

    /// The values of `query`'s last sink over `bids`.
    fn run(query: NexmarkQuery, bids: &[Bid]) -> Vec<serde_json::Value> {
        run_with_auctions(query, &[], bids)
            .into_iter()
            .map(|(_, value)| value)
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
        let out = run(NexmarkQuery::Q2, &bids);
        assert_eq!(out.len(), 4);
        assert_eq!(out[0], serde_json::json!({"AUCTION": 1107, "PRICE": 100}));
    }

    #[test]
    fn q4_averages_the_winning_bids_per_category() {
        let auctions = [
            auction(1, 10, 1_000, 1_500),
            auction(2, 10, 1_000, 1_500),
            auction(3, 11, 1_100, 1_200),
        ];
        let bids = [
            bid_at(1, 5, 1_000),
            bid_at(3, 4, 1_150),
            bid_at(1, 7, 1_200),
            bid_at(2, 3, 1_300),
            // Lower than the winning bid: the average is updated with the same maximum.
            bid_at(1, 6, 1_400),
            // After its auction expired.
            bid_at(1, 9, 1_600),
        ];
        let out = run_with_auctions(NexmarkQuery::Q4, &auctions, &bids);
        let averages: Vec<(i64, f64)> = out
            .iter()
            .map(|(key, value)| {
                // The key format is Q4_WINNING_BID's, JSON.
                let key: i64 = serde_json::from_slice(key.as_deref().expect("key")).expect("json");
                (key, value["FINAL"].as_f64().expect("a number"))
            })
            .collect();
        assert_eq!(
            averages,
            vec![(10, 5.0), (11, 4.0), (10, 7.0), (10, 5.0), (10, 5.0)]
        );
    }

    #[test]
    fn q7_keeps_the_highest_price_per_window() {
        let bids = [
            bid_at(1, 5, 1_000),
            bid_at(2, 9, 3_000),
            bid_at(3, 4, 9_999),
            bid_at(4, 2, 10_000),
        ];
        let out = run(NexmarkQuery::Q7, &bids);
        let maxima: Vec<(i64, i64)> = out
            .iter()
            .map(|v| {
                (
                    v["MAXPRICE"].as_i64().unwrap(),
                    v["DATETIME"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            maxima,
            vec![(5, 10_000), (9, 10_000), (9, 10_000), (2, 20_000)]
        );
    }
}
