//! The clickstream example's events: page views of a few users over some hours, in time
//! order, reproducible from a seed. Each user visits in sessions of several clicks a few
//! minutes apart, with pauses of two hours or more between sessions, so every session is
//! unambiguous under a 30-minute inactivity gap; some sessions end in a purchase.

/// One page view.
#[derive(Debug, Clone, PartialEq)]
pub struct Click {
    pub user_id: String,
    pub page: String,
    /// `view`, or `purchase` on the checkout page.
    pub action: String,
    /// Event time, epoch milliseconds.
    pub ts: i64,
}

/// 2026-01-01T00:00:00Z, where the generated time starts.
pub const START_MS: i64 = 1_767_225_600_000;
/// The inactivity gap of the example's session windows.
pub const SESSION_GAP_MS: i64 = 30 * 60 * 1000;

const PAGES: [&str; 6] = ["/home", "/search", "/product", "/reviews", "/cart", "/help"];
const MINUTE_MS: i64 = 60 * 1000;

/// `users` users clicking through `hours` hours, ordered by time.
pub fn clicks(users: usize, hours: i64, seed: u64) -> Vec<Click> {
    let mut random = Lcg(seed.wrapping_mul(2).wrapping_add(1));
    let end = START_MS + hours * 60 * MINUTE_MS;
    let mut out = Vec::new();
    for user in 0..users {
        let user_id = format!("user-{}", user + 1);
        let mut ts = START_MS + random.below(90) as i64 * MINUTE_MS;
        while ts < end {
            let views = 2 + random.below(8);
            for view in 0..views {
                let last = view + 1 == views;
                let buys = last && random.below(3) == 0;
                let page = if buys {
                    "/checkout"
                } else {
                    PAGES[random.below(PAGES.len() as u64) as usize]
                };
                out.push(Click {
                    user_id: user_id.clone(),
                    page: page.to_string(),
                    action: if buys { "purchase" } else { "view" }.to_string(),
                    ts,
                });
                ts += (1 + random.below(5) as i64) * MINUTE_MS;
            }
            // Far longer than the session gap: the next click starts a new session.
            ts += 4 * SESSION_GAP_MS + random.below(240) as i64 * MINUTE_MS;
        }
    }
    out.sort_by_key(|click| click.ts);
    out
}

/// The click as the statement that writes it into the `clicks` stream.
pub fn insert_statement(click: &Click) -> String {
    format!(
        "INSERT INTO clicks (user_id, page, action, ts) VALUES ('{}', '{}', '{}', {});",
        click.user_id, click.page, click.action, click.ts
    )
}

/// Knuth's MMIX linear congruential generator: enough for demo data.
struct Lcg(u64);

impl Lcg {
    /// Uniform in `0..n` (n > 0), from the generator's high bits.
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}
