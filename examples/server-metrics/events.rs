//! The server-metrics example's events: what a metrics agent on each host sends every ten
//! seconds (CPU and memory use in percent, disk use in percent), reproducible from a seed.
//! Host `web-1` runs hot during the third minute, so the alert query has something to say.

/// One agent report.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub host: String,
    pub cpu: f64,
    pub mem: f64,
    pub disk: f64,
    /// Event time, epoch milliseconds.
    pub ts: i64,
}

/// 2026-01-01T00:00:00Z, where the generated time starts.
pub const START_MS: i64 = 1_767_225_600_000;
/// Seconds between two reports of one host.
pub const INTERVAL_S: i64 = 10;

/// `hosts` hosts reporting every ten seconds for `minutes` minutes.
pub fn samples(hosts: usize, minutes: i64, seed: u64) -> Vec<Sample> {
    let mut random = SplitMix64(seed);
    let mut out = Vec::new();
    let reports = minutes * 60 / INTERVAL_S;
    for report in 0..reports {
        let ts = START_MS + report * INTERVAL_S * 1000;
        let minute = report * INTERVAL_S / 60;
        for host in 0..hosts {
            let hot = host == 0 && minute == 2;
            let cpu = if hot {
                92.0 + 6.0 * random.unit()
            } else {
                20.0 + 50.0 * random.unit()
            };
            out.push(Sample {
                host: format!("web-{}", host + 1),
                cpu: round2(cpu),
                mem: round2(30.0 + 50.0 * random.unit()),
                disk: round2(40.0 + host as f64 + report as f64 * 0.01),
                ts,
            });
        }
    }
    out
}

/// The sample as the statement that writes it into the `metrics` stream.
pub fn insert_statement(sample: &Sample) -> String {
    format!(
        "INSERT INTO metrics (host, cpu, mem, disk, ts) VALUES ('{}', {:.2}, {:.2}, {:.2}, {});",
        sample.host, sample.cpu, sample.mem, sample.disk, sample.ts
    )
}

fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

/// SplitMix64: a tiny, well-known generator; enough for demo data.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}
