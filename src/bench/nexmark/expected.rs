//! What a query must write, counted by the loader from the events it loads.
//!
//! The runner checks a run against these counts, so a query that drops or repeats records
//! fails the benchmark instead of being timed. They are worked out from the events alone, by
//! the rules of each query's SQL (and ksqlDB's one update per input record with caching off),
//! never by the engine's code.

use std::collections::HashMap;

use super::generator::{Auction, Bid};
use super::queries::{NexmarkQuery, Q4_WITHIN_MS, Q5_WINDOW_MS};

/// The records each of a query's sinks must end up with, over the events of one generator.
#[derive(Debug)]
pub struct ExpectedOutputs {
    query: NexmarkQuery,
    /// Records every sink of the query must hold (all of a query's stages write one record per
    /// record of the stage before).
    records: u64,
    /// q4: bids matched to their auctions so far.
    auctions: Option<AuctionBids>,
}

impl ExpectedOutputs {
    pub fn new(query: NexmarkQuery) -> Self {
        ExpectedOutputs {
            query,
            records: 0,
            auctions: query.reads_auctions().then(AuctionBids::default),
        }
    }

    pub fn bid(&mut self, bid: &Bid) {
        self.records += match self.query {
            NexmarkQuery::Q0 | NexmarkQuery::Q1 | NexmarkQuery::Q7 => 1,
            NexmarkQuery::Q2 => u64::from(bid.auction % 123 == 0),
            NexmarkQuery::Q4 => self.auctions.as_mut().map_or(0, |a| a.bid(bid)),
            NexmarkQuery::Q5 => {
                let (size, advance) = Q5_WINDOW_MS;
                hopping_windows_holding(bid.date_time, size, advance)
            }
        };
    }

    pub fn auction(&mut self, auction: &Auction) {
        if let Some(auctions) = &mut self.auctions {
            self.records += auctions.auction(auction);
        }
    }

    /// Records each sink of the query must hold.
    pub fn records(&self) -> u64 {
        self.records
    }
}

/// How many HOPPING windows of `size` starting at the multiples of `advance` from 0 on hold
/// `time`: one output update each.
pub fn hopping_windows_holding(time: i64, size: i64, advance: i64) -> u64 {
    let mut windows = 0;
    let mut start = time - time.rem_euclid(advance);
    while start >= 0 && start + size > time {
        windows += 1;
        start -= advance;
    }
    windows
}

/// q4's join: a bid joins its auction when it falls in `[dateTime, expires]` and in the
/// `WITHIN` window after the auction. A bid may name an auction a few ids ahead of the last
/// one generated; it waits for it.
#[derive(Debug, Default)]
struct AuctionBids {
    /// Auction id → the times a bid on it joins in (inclusive).
    auctions: HashMap<i64, (i64, i64)>,
    /// Auction id → times of the bids on it that came before it.
    waiting: HashMap<i64, Vec<i64>>,
}

impl AuctionBids {
    /// Joins of `auction` with the bids that came before it.
    fn auction(&mut self, auction: &Auction) -> u64 {
        let joins = (
            auction.date_time,
            auction.expires.min(auction.date_time + Q4_WITHIN_MS),
        );
        self.auctions.insert(auction.id, joins);
        let waited = self.waiting.remove(&auction.id).unwrap_or_default();
        waited.iter().filter(|t| in_range(**t, joins)).count() as u64
    }

    /// Joins of `bid`: one if its auction came and it falls in the auction's time.
    fn bid(&mut self, bid: &Bid) -> u64 {
        match self.auctions.get(&bid.auction) {
            Some(joins) => u64::from(in_range(bid.date_time, *joins)),
            None => {
                self.waiting
                    .entry(bid.auction)
                    .or_default()
                    .push(bid.date_time);
                0
            }
        }
    }
}

fn in_range(time: i64, (from, to): (i64, i64)) -> bool {
    from <= time && time <= to
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hopping_windows_start_at_zero() {
        assert_eq!(hopping_windows_holding(1_000, 10_000, 2_000), 1);
        assert_eq!(hopping_windows_holding(3_000, 10_000, 2_000), 2);
        assert_eq!(hopping_windows_holding(10_000, 10_000, 2_000), 5);
        assert_eq!(hopping_windows_holding(1_700_000_000_001, 10_000, 2_000), 5);
        assert_eq!(hopping_windows_holding(-1, 10_000, 2_000), 0);
        assert_eq!(hopping_windows_holding(12_345, 10_000, 10_000), 1);
    }
}
