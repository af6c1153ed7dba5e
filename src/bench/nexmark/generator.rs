//! The Nexmark event generator, after `nexmark/nexmark`'s Java generator (module
//! `nexmark-flink`, the one Flink's and RisingWave's Nexmark numbers come from), as pinned in
//! `shared/bench/nexmark/GENERATOR.md`.
//!
//! One logical stream of events, each a Person, an Auction or a Bid, split among
//! `num_event_generators` generators with disjoint id spaces. Ids, event times and the
//! event-type pattern are exactly Java's; random fields come from a seeded
//! [`SplittableRandom`] per generator (Java's is unseeded), drawn in Java's order, so a seed
//! makes a run repeat. The channel URL cache and the 1 MiB text that `extra` fields are cut
//! from are built once from the seed and shared by all generators, as Java builds them once
//! per JVM. Encoding events for a topic is the runner's business, not this file's.

use serde::Serialize;

use super::random::SplittableRandom;

// Constants of Java's `GeneratorConfig` / `*Generator` classes.
const FIRST_PERSON_ID: i64 = 1000;
const FIRST_AUCTION_ID: i64 = 1000;
const FIRST_CATEGORY_ID: i64 = 10;
const NUM_CATEGORIES: i32 = 5;
/// How many ids past the last one generated a random person or auction id may point.
const PERSON_ID_LEAD: i64 = 10;
const AUCTION_ID_LEAD: i64 = 10;
/// The hot seller, auction and bidder change every this many ids.
const HOT_SELLER_RATIO: i64 = 100;
const HOT_AUCTION_RATIO: i64 = 100;
const HOT_BIDDER_RATIO: i64 = 100;
/// One bid in this many uses a hot channel.
const HOT_CHANNELS_RATIO: i32 = 2;
const CHANNELS_NUMBER: i32 = 10_000;
const MIN_STRING_LENGTH: i32 = 3;
/// Length of the random text `extra` fields are cut from.
const EXACT_TEXT_LEN: usize = 1024 * 1024;

const HOT_CHANNELS: [&str; 4] = ["Google", "Facebook", "Baidu", "Apple"];
const FIRST_NAMES: [&str; 11] = [
    "Peter", "Paul", "Luke", "John", "Saul", "Vicky", "Kate", "Julie", "Sarah", "Deiter", "Walter",
];
const LAST_NAMES: [&str; 9] = [
    "Shultz", "Abrams", "Spencer", "White", "Bartels", "Walton", "Smith", "Jones", "Noris",
];
const CITIES: [&str; 10] = [
    "Phoenix",
    "Los Angeles",
    "San Francisco",
    "Boise",
    "Portland",
    "Bend",
    "Redmond",
    "Seattle",
    "Kent",
    "Cheyenne",
];
const STATES: [&str; 6] = ["AZ", "CA", "ID", "OR", "WA", "WY"];

/// Generator settings; the defaults are the Java generator's (`NexmarkConfiguration`).
#[derive(Debug, Clone)]
pub struct GeneratorConfig {
    /// Out of every `person + auction + bid` consecutive event ids, how many are of each type.
    pub person_proportion: i64,
    pub auction_proportion: i64,
    pub bid_proportion: i64,
    /// Average sizes in bytes; `extra` pads events up to about these.
    pub avg_person_bytes: i64,
    pub avg_auction_bytes: i64,
    pub avg_bid_bytes: i64,
    /// A bid goes to the current hot auction unless a draw below this is 0 (2: half the bids).
    pub hot_auction_ratio: i32,
    /// A bid comes from the current hot bidder unless a draw below this is 0 (4: 3/4 of bids).
    pub hot_bidders_ratio: i32,
    /// An auction has the current hot seller unless a draw below this is 0.
    pub hot_sellers_ratio: i32,
    /// Random auction ids are drawn among the last this many auctions (plus the lead).
    pub num_in_flight_auctions: i64,
    /// Random person ids are drawn among the last this many persons (plus the lead).
    pub num_active_people: i64,
    /// Events are shuffled within groups of this many (1: in order).
    pub out_of_order_group_size: i64,
    /// Events per second of event time, all generators together.
    pub first_event_rate: u64,
    /// Generators sharing the stream; each advances event time this many times slower.
    pub num_event_generators: u32,
    /// Event time of the first event, milliseconds since the epoch.
    pub base_time_ms: i64,
    /// Java's generator adds `FIRST_PERSON_ID` to bidders twice since 2021 (commit 8ff9866),
    /// so its bidders miss persons by 1000; off by default, as in the 2020 original, Arroyo
    /// and Feldera.
    pub double_bidder_offset: bool,
    /// Seeds every random draw; the same seed gives the same events.
    pub seed: u64,
}

impl Default for GeneratorConfig {
    fn default() -> Self {
        GeneratorConfig {
            person_proportion: 1,
            auction_proportion: 3,
            bid_proportion: 46,
            avg_person_bytes: 200,
            avg_auction_bytes: 500,
            avg_bid_bytes: 100,
            hot_auction_ratio: 2,
            hot_bidders_ratio: 4,
            hot_sellers_ratio: 4,
            num_in_flight_auctions: 100,
            num_active_people: 1000,
            out_of_order_group_size: 1,
            first_event_rate: 10_000,
            num_event_generators: 1,
            base_time_ms: 0,
            double_bidder_offset: false,
            seed: 0,
        }
    }
}

impl GeneratorConfig {
    fn total_proportion(&self) -> i64 {
        self.person_proportion + self.auction_proportion + self.bid_proportion
    }

    /// Events one generator must be allowed so that it can emit `bids` bids: every
    /// `total_proportion` consecutive ids hold exactly `bid_proportion` bids.
    pub fn events_for_bids(&self, bids: u64) -> u64 {
        let total = self.total_proportion() as u64;
        bids.div_ceil(self.bid_proportion as u64) * total + total
    }

    /// The kind of the event with this id.
    pub fn kind_of(&self, event_id: i64) -> EventKind {
        let rem = event_id % self.total_proportion();
        if rem < self.person_proportion {
            EventKind::Person
        } else if rem < self.person_proportion + self.auction_proportion {
            EventKind::Auction
        } else {
            EventKind::Bid
        }
    }

    /// Java's `lastBase0PersonId`: the newest person at or before `event_id`.
    fn last_base0_person_id(&self, event_id: i64) -> i64 {
        let epoch = event_id / self.total_proportion();
        let offset = (event_id % self.total_proportion()).min(self.person_proportion - 1);
        epoch * self.person_proportion + offset
    }

    /// Java's `lastBase0AuctionId`: the newest auction at or before `event_id`.
    fn last_base0_auction_id(&self, event_id: i64) -> i64 {
        let mut epoch = event_id / self.total_proportion();
        let mut offset = event_id % self.total_proportion();
        if offset < self.person_proportion {
            // Before this epoch's first auction: the last auction of the previous epoch.
            epoch -= 1;
            offset = self.auction_proportion - 1;
        } else if offset >= self.person_proportion + self.auction_proportion {
            offset = self.auction_proportion - 1;
        } else {
            offset -= self.person_proportion;
        }
        epoch * self.auction_proportion + offset
    }
}

/// What kind of event an event id is: Java's `eventId % totalProportion` rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    Person,
    Auction,
    Bid,
}

/// A person who sells or bids.
#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    pub id: i64,
    pub name: String,
    pub email_address: String,
    pub credit_card: String,
    pub city: String,
    pub state: String,
    /// Milliseconds since the epoch.
    pub date_time: i64,
    pub extra: String,
}

/// An item for sale; serializes with Nexmark's field names (`itemName`, `dateTime`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Auction {
    pub id: i64,
    pub item_name: String,
    pub description: String,
    pub initial_bid: i64,
    pub reserve: i64,
    /// Milliseconds since the epoch.
    pub date_time: i64,
    pub expires: i64,
    pub seller: i64,
    pub category: i64,
    pub extra: String,
}

/// A bid on an auction; serializes with Nexmark's field names (`dateTime`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Bid {
    pub auction: i64,
    pub bidder: i64,
    pub price: i64,
    pub channel: String,
    pub url: String,
    /// Milliseconds since the epoch.
    pub date_time: i64,
    pub extra: String,
}

/// One Nexmark event.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Person(Person),
    Auction(Auction),
    Bid(Bid),
}

/// What every generator shares: built once from the seed, as Java builds it once per JVM.
#[derive(Debug, Clone)]
struct SharedText {
    /// Java's `HOT_URLS`, one per hot channel.
    hot_urls: Vec<String>,
    /// Java's `CHANNEL_URL_CACHE`: the URL of channel `c`.
    channel_urls: Vec<String>,
    /// Random lowercase text that `extra` fields are substrings of.
    exact_text: String,
}

impl SharedText {
    fn new(seed: u64) -> Self {
        // A seed apart from the generators' own (they use `seed + 1 + index`).
        let mut random = SplittableRandom::new(seed);
        let hot_urls = (0..HOT_CHANNELS.len())
            .map(|_| base_url(&mut random))
            .collect();
        let channel_urls = (0..CHANNELS_NUMBER)
            .map(|c| {
                let mut url = base_url(&mut random);
                if random.next_int_below(10) > 0 {
                    // Java: Math.abs(Integer.reverse(c)); abs(MIN_VALUE) stays negative, so
                    // channel 1 gets "-2147483648".
                    url.push_str("&channel_id=");
                    url.push_str(&c.reverse_bits().wrapping_abs().to_string());
                }
                url
            })
            .collect();
        let exact_text = (0..EXACT_TEXT_LEN)
            .map(|_| random_letter(&mut random))
            .collect();
        SharedText {
            hot_urls,
            channel_urls,
            exact_text,
        }
    }
}

/// Java's `getBaseUrl`.
fn base_url(random: &mut SplittableRandom) -> String {
    let a = next_string(random, 5, '_');
    let b = next_string(random, 5, '_');
    let c = next_string(random, 5, '_');
    format!("https://www.nexmark.com/{a}/{b}/{c}/item.htm?query=1")
}

fn random_letter(random: &mut SplittableRandom) -> char {
    char::from(b'a' + random.next_int_below(26) as u8)
}

/// Java's `nextString(random, maxLength, special)`: 3 to `max_len - 1` letters, each one
/// `special` with p = 1/13, then trimmed (so possibly shorter than 3).
fn next_string(random: &mut SplittableRandom, max_len: i32, special: char) -> String {
    let len = MIN_STRING_LENGTH + random.next_int_below(max_len - MIN_STRING_LENGTH);
    let text: String = (0..len)
        .map(|_| {
            if random.next_int_below(13) == 0 {
                special
            } else {
                random_letter(random)
            }
        })
        .collect();
    // Java's String.trim: drops characters up to ' ' at both ends.
    text.trim_matches(|c: char| c <= ' ').to_string()
}

/// Java's `LongGenerator.nextLong(random, n)`: uniform in `0..n` for positive `n`.
fn next_long_below(random: &mut SplittableRandom, n: i64) -> i64 {
    match i32::try_from(n) {
        Ok(n) if n < i32::MAX => i64::from(random.next_int_below(n)),
        _ => (random.next_long() % n).abs(),
    }
}

/// Java's `PriceGenerator.nextPrice`: log-uniform cents, 100 to 100 000 000.
fn next_price(random: &mut SplittableRandom) -> i64 {
    // Java's Math.round: floor(x + 0.5).
    (10f64.powf(random.next_double() * 6.0) * 100.0 + 0.5).floor() as i64
}

/// One generator's share of the event stream.
pub struct NexmarkGenerator {
    config: GeneratorConfig,
    /// The id of this generator's event number 0; ids of generators never overlap.
    first_event_id: i64,
    /// Events this generator emits in all.
    max_events: u64,
    /// Events emitted so far.
    emitted: u64,
    /// Microseconds of event time between two events of this generator.
    inter_event_delay_us: f64,
    random: SplittableRandom,
    shared: SharedText,
}

impl NexmarkGenerator {
    /// Generator `index` of `config.num_event_generators`, each owning `events_per_generator`
    /// event ids (Java: `maxEvents / n`).
    pub fn new(config: &GeneratorConfig, index: u32, events_per_generator: u64) -> Self {
        let generators = config.num_event_generators.max(1);
        NexmarkGenerator {
            first_event_id: 1 + i64::from(index) * events_per_generator as i64,
            max_events: events_per_generator,
            emitted: 0,
            inter_event_delay_us: 1_000_000.0 / config.first_event_rate.max(1) as f64
                * f64::from(generators),
            random: SplittableRandom::new(config.seed.wrapping_add(1 + u64::from(index))),
            shared: SharedText::new(config.seed),
            config: config.clone(),
        }
    }

    /// Java's `timestampForEvent`: note the cast to long before the division.
    fn timestamp(&self, event_number: i64) -> i64 {
        self.config.base_time_ms + (event_number as f64 * self.inter_event_delay_us) as i64 / 1000
    }

    /// Java's `nextBase0PersonId`: a recently active person, possibly a few ids ahead.
    fn next_base0_person_id(&mut self, event_id: i64) -> i64 {
        let num_people = self.config.last_base0_person_id(event_id) + 1;
        let active = num_people.min(self.config.num_active_people);
        num_people - active + next_long_below(&mut self.random, active + PERSON_ID_LEAD)
    }

    /// Java's `nextBase0AuctionId`: an auction in flight, possibly a few ids ahead.
    fn next_base0_auction_id(&mut self, event_id: i64) -> i64 {
        let max = self.config.last_base0_auction_id(event_id);
        let min = (max - self.config.num_in_flight_auctions).max(0);
        min + next_long_below(&mut self.random, max - min + 1 + AUCTION_ID_LEAD)
    }

    /// Java's `nextExtra`: padding that brings an event of `current` bytes to about `avg`.
    fn next_extra(&mut self, current: i64, avg: i64) -> String {
        if current > avg {
            return String::new();
        }
        let wanted = avg - current;
        let delta = (wanted as f64 * 0.2).round() as i64;
        let size = wanted - delta
            + if delta == 0 {
                0
            } else {
                next_long_below(&mut self.random, 2 * delta)
            };
        self.next_exact_string(size as usize)
    }

    /// Java's `nextExactString`: `len` random letters, cut from the shared text when short.
    fn next_exact_string(&mut self, len: usize) -> String {
        if len < EXACT_TEXT_LEN / 2 {
            let start = self.random.next_int_below((EXACT_TEXT_LEN - len) as i32) as usize;
            return self.shared.exact_text[start..start + len].to_string();
        }
        (0..len).map(|_| random_letter(&mut self.random)).collect()
    }

    fn next_person(&mut self, event_id: i64, date_time: i64) -> Person {
        let id = self.config.last_base0_person_id(event_id) + FIRST_PERSON_ID;
        let first = FIRST_NAMES[self.random.next_int_below(FIRST_NAMES.len() as i32) as usize];
        let last = LAST_NAMES[self.random.next_int_below(LAST_NAMES.len() as i32) as usize];
        let name = format!("{first} {last}");
        let email_address = format!(
            "{}@{}.com",
            next_string(&mut self.random, 7, ' '),
            next_string(&mut self.random, 5, ' ')
        );
        let credit_card = (0..4)
            .map(|_| format!("{:04}", self.random.next_int_below(10_000)))
            .collect::<Vec<_>>()
            .join(" ");
        let city = CITIES[self.random.next_int_below(CITIES.len() as i32) as usize].to_string();
        let state = STATES[self.random.next_int_below(STATES.len() as i32) as usize].to_string();
        let current = 8 + [&name, &email_address, &credit_card, &city, &state]
            .iter()
            .map(|s| s.len() as i64)
            .sum::<i64>();
        let extra = self.next_extra(current, self.config.avg_person_bytes);
        Person {
            id,
            name,
            email_address,
            credit_card,
            city,
            state,
            date_time,
            extra,
        }
    }

    fn next_auction(&mut self, event_id: i64, adjusted_number: i64, date_time: i64) -> Auction {
        let id = self.config.last_base0_auction_id(event_id) + FIRST_AUCTION_ID;
        let base0_seller = if self.random.next_int_below(self.config.hot_sellers_ratio) > 0 {
            (self.config.last_base0_person_id(event_id) / HOT_SELLER_RATIO) * HOT_SELLER_RATIO
        } else {
            self.next_base0_person_id(event_id)
        };
        let seller = base0_seller + FIRST_PERSON_ID;
        let category = FIRST_CATEGORY_ID + i64::from(self.random.next_int_below(NUM_CATEGORIES));
        let initial_bid = next_price(&mut self.random);
        // Auctions last about as long as it takes to generate `num_in_flight_auctions` more.
        let events_for_auctions = self.config.num_in_flight_auctions
            * self.config.total_proportion()
            / self.config.auction_proportion;
        let horizon_ms = self.timestamp(adjusted_number + events_for_auctions) - date_time;
        let expires = date_time + 1 + next_long_below(&mut self.random, (2 * horizon_ms).max(1));
        let item_name = next_string(&mut self.random, 20, ' ');
        let description = next_string(&mut self.random, 100, ' ');
        let reserve = initial_bid + next_price(&mut self.random);
        let current = 8 + item_name.len() as i64 + description.len() as i64 + 5 * 8;
        let extra = self.next_extra(current, self.config.avg_auction_bytes);
        Auction {
            id,
            item_name,
            description,
            initial_bid,
            reserve,
            date_time,
            expires,
            seller,
            category,
            extra,
        }
    }

    fn next_bid(&mut self, event_id: i64, date_time: i64) -> Bid {
        let base0_auction = if self.random.next_int_below(self.config.hot_auction_ratio) > 0 {
            (self.config.last_base0_auction_id(event_id) / HOT_AUCTION_RATIO) * HOT_AUCTION_RATIO
        } else {
            self.next_base0_auction_id(event_id)
        };
        let base0_bidder = if self.random.next_int_below(self.config.hot_bidders_ratio) > 0 {
            // The hot bidder is the one after the hot seller.
            (self.config.last_base0_person_id(event_id) / HOT_BIDDER_RATIO) * HOT_BIDDER_RATIO + 1
        } else {
            self.next_base0_person_id(event_id)
        };
        let auction = base0_auction + FIRST_AUCTION_ID;
        let mut bidder = base0_bidder + FIRST_PERSON_ID;
        let price = next_price(&mut self.random);
        let (channel, url) = if self.random.next_int_below(HOT_CHANNELS_RATIO) > 0 {
            let i = self.random.next_int_below(HOT_CHANNELS.len() as i32) as usize;
            (HOT_CHANNELS[i].to_string(), self.shared.hot_urls[i].clone())
        } else {
            let c = self.random.next_int_below(CHANNELS_NUMBER);
            (
                format!("channel-{c}"),
                self.shared.channel_urls[c as usize].clone(),
            )
        };
        if self.config.double_bidder_offset {
            bidder += FIRST_PERSON_ID;
        }
        let extra = self.next_extra(32, self.config.avg_bid_bytes);
        Bid {
            auction,
            bidder,
            price,
            channel,
            url,
            date_time,
            extra,
        }
    }
}

impl Iterator for NexmarkGenerator {
    type Item = Event;

    fn next(&mut self) -> Option<Event> {
        if self.emitted >= self.max_events {
            return None;
        }
        let event_number = 1 + self.emitted as i64;
        self.emitted += 1;
        let group = self.config.out_of_order_group_size.max(1);
        let adjusted_number = (event_number / group) * group + (event_number * 953) % group;
        let event_id = self.first_event_id + adjusted_number;
        let date_time = self.timestamp(adjusted_number);
        Some(match self.config.kind_of(event_id) {
            EventKind::Person => Event::Person(self.next_person(event_id, date_time)),
            EventKind::Auction => {
                Event::Auction(self.next_auction(event_id, adjusted_number, date_time))
            }
            EventKind::Bid => Event::Bid(self.next_bid(event_id, date_time)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(config: &GeneratorConfig, index: u32, count: u64) -> Vec<Event> {
        NexmarkGenerator::new(config, index, count).collect()
    }

    fn bids(events: &[Event]) -> Vec<&Bid> {
        events
            .iter()
            .filter_map(|e| match e {
                Event::Bid(b) => Some(b),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn same_seed_same_events_other_seed_same_ids_and_times() {
        let config = GeneratorConfig::default();
        let a = events(&config, 0, 5_000);
        assert_eq!(a, events(&config, 0, 5_000));
        let other = events(
            &GeneratorConfig {
                seed: 99,
                ..config.clone()
            },
            0,
            5_000,
        );
        assert_ne!(a, other);
        // Ids of persons and auctions and every event time do not depend on the seed.
        for (x, y) in a.iter().zip(&other) {
            match (x, y) {
                (Event::Person(p), Event::Person(q)) => {
                    assert_eq!((p.id, p.date_time), (q.id, q.date_time))
                }
                (Event::Auction(p), Event::Auction(q)) => {
                    assert_eq!((p.id, p.date_time), (q.id, q.date_time))
                }
                (Event::Bid(p), Event::Bid(q)) => assert_eq!(p.date_time, q.date_time),
                _ => panic!("event kinds differ: {x:?} vs {y:?}"),
            }
        }
    }

    #[test]
    fn proportions_are_exact_per_fifty_ids() {
        let config = GeneratorConfig::default();
        let all = events(&config, 0, 50_000);
        let count = |kind: fn(&Event) -> bool| all.iter().filter(|e| kind(e)).count();
        assert_eq!(count(|e| matches!(e, Event::Person(_))), 1_000);
        assert_eq!(count(|e| matches!(e, Event::Auction(_))), 3_000);
        assert_eq!(count(|e| matches!(e, Event::Bid(_))), 46_000);
        // The first event has id 2: ids 2 and 3 are auctions, 4..=49 bids, 50 a person.
        let kinds: Vec<EventKind> = (2..=51).map(|id| config.kind_of(id)).collect();
        assert_eq!(kinds[..2], [EventKind::Auction, EventKind::Auction]);
        assert!(kinds[2..48].iter().all(|k| *k == EventKind::Bid));
        assert_eq!(kinds[48..], [EventKind::Person, EventKind::Auction]);
        assert!(matches!(all[0], Event::Auction(_)));
        assert!(matches!(all[48], Event::Person(_)));
    }

    #[test]
    fn ids_follow_the_java_rules() {
        let config = GeneratorConfig::default();
        let all = events(&config, 0, 20_000);
        let mut persons = Vec::new();
        let mut auctions = Vec::new();
        for (k, event) in all.iter().enumerate() {
            let event_id = 2 + k as i64;
            let last_person = config.last_base0_person_id(event_id) + FIRST_PERSON_ID;
            let last_auction = config.last_base0_auction_id(event_id) + FIRST_AUCTION_ID;
            match event {
                Event::Person(p) => {
                    assert_eq!(p.id, event_id / 50 + FIRST_PERSON_ID);
                    persons.push(p.id);
                }
                Event::Auction(a) => {
                    assert_eq!(a.id, last_auction);
                    auctions.push(a.id);
                    assert!((10..=14).contains(&a.category));
                    assert!(a.seller <= last_person + PERSON_ID_LEAD);
                    assert!(a.expires > a.date_time);
                    assert!(a.reserve > a.initial_bid);
                }
                Event::Bid(b) => {
                    let hot_auction = (last_auction - FIRST_AUCTION_ID) / 100 * 100 + 1000;
                    assert!(
                        b.auction == hot_auction
                            || (b.auction >= (last_auction - 100).max(FIRST_AUCTION_ID)
                                && b.auction <= last_auction + AUCTION_ID_LEAD),
                        "bid {b:?} for event {event_id}"
                    );
                    let hot_bidder = (last_person - FIRST_PERSON_ID) / 100 * 100 + 1001;
                    assert!(
                        b.bidder == hot_bidder
                            || (b.bidder >= (last_person - 999).max(FIRST_PERSON_ID)
                                && b.bidder <= last_person + PERSON_ID_LEAD),
                        "bid {b:?} for event {event_id}"
                    );
                }
            }
        }
        // Persons and auctions get consecutive ids from 1000 on.
        assert!(persons.windows(2).all(|w| w[1] == w[0] + 1));
        // Event id 1 (auction 1000) precedes the first event.
        assert_eq!(auctions[..3], [1001, 1002, 1003]);
        assert_eq!(persons[0], 1001);
        assert!(auctions.windows(2).all(|w| w[1] == w[0] + 1));
    }

    #[test]
    fn bid_fields_follow_the_spec() {
        let config = GeneratorConfig::default();
        let all = events(&config, 0, 20_000);
        let bids = bids(&all);
        let hot_urls = SharedText::new(config.seed).hot_urls;
        let mut hot = 0u32;
        for bid in &bids {
            assert!((100..=100_000_000).contains(&bid.price), "{bid:?}");
            assert!((54..=81).contains(&bid.extra.len()), "{bid:?}");
            assert!(bid.extra.bytes().all(|b| b.is_ascii_lowercase()));
            assert!(bid.url.starts_with("https://www.nexmark.com/"), "{bid:?}");
            if let Some(i) = HOT_CHANNELS.iter().position(|c| *c == bid.channel) {
                hot += 1;
                assert_eq!(bid.url, hot_urls[i]);
            } else {
                let c: usize = bid
                    .channel
                    .strip_prefix("channel-")
                    .and_then(|n| n.parse().ok())
                    .expect("channel-<n>");
                assert!(c < 10_000);
            }
        }
        // Half the bids use a hot channel.
        let share = f64::from(hot) / bids.len() as f64;
        assert!((share - 0.5).abs() < 0.03, "hot channel share {share}");
        // The double offset quirk moves every bidder by 1000.
        let quirky = events(
            &GeneratorConfig {
                double_bidder_offset: true,
                ..config.clone()
            },
            0,
            20_000,
        );
        for (a, b) in bids.iter().zip(self::bids(&quirky)) {
            assert_eq!(a.bidder + 1000, b.bidder);
        }
    }

    #[test]
    fn channel_urls_carry_the_bit_reversed_id() {
        let shared = SharedText::new(0);
        let with_id = shared
            .channel_urls
            .iter()
            .filter(|u| u.contains("&channel_id="))
            .count();
        assert!((8_800..=9_200).contains(&with_id), "{with_id}");
        // Java: Math.abs(Integer.reverse(2)) = 2^30; channel 1 keeps Integer.MIN_VALUE.
        let expect = |c: usize, suffix: &str| {
            let url = &shared.channel_urls[c];
            assert!(
                !url.contains("&channel_id=") || url.ends_with(suffix),
                "{url}"
            );
        };
        expect(2, "&channel_id=1073741824");
        expect(1, "&channel_id=-2147483648");
    }

    #[test]
    fn event_time_advances_at_the_configured_rate() {
        let config = GeneratorConfig {
            base_time_ms: 1_000_000,
            ..GeneratorConfig::default()
        };
        let all = events(&config, 0, 10_000);
        let time = |e: &Event| match e {
            Event::Person(p) => p.date_time,
            Event::Auction(a) => a.date_time,
            Event::Bid(b) => b.date_time,
        };
        // 10 000 events/s: ten events per millisecond, in order.
        assert!(all.windows(2).all(|w| time(&w[0]) <= time(&w[1])));
        assert_eq!(time(&all[0]), 1_000_000);
        assert_eq!(time(&all[9_998]), 1_000_999);
        // Two generators each advance half as fast, over disjoint ids.
        let two = GeneratorConfig {
            num_event_generators: 2,
            ..config.clone()
        };
        let second = events(&two, 1, 10_000);
        assert_eq!(time(&second[9_998]), 1_001_999);
        let first_ids: Vec<i64> = auction_ids(&events(&two, 0, 10_000));
        let second_ids: Vec<i64> = auction_ids(&second);
        assert!(first_ids.iter().max() < second_ids.iter().min());
    }

    fn auction_ids(events: &[Event]) -> Vec<i64> {
        events
            .iter()
            .filter_map(|e| match e {
                Event::Auction(a) => Some(a.id),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn events_for_bids_leaves_room_for_the_bids() {
        let config = GeneratorConfig::default();
        for wanted in [1, 45, 46, 47, 1000] {
            let room = config.events_for_bids(wanted);
            let got = bids(&events(&config, 0, room)).len() as u64;
            assert!(got >= wanted, "{wanted} bids need more than {room} events");
        }
    }
}
