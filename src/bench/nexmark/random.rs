//! The random source of the Nexmark generator: Java's `java.util.SplittableRandom`.
//!
//! The Java generator draws every random field from one `SplittableRandom` per generator
//! (unseeded there; seeded here so that runs repeat). This is that algorithm, bit for bit
//! (SplitMix64 with the golden gamma), so a given seed yields the draws Java's
//! `new SplittableRandom(seed)` would. Only the draws the generator makes are offered.

/// Java's `SplittableRandom.GOLDEN_GAMMA`: the increment of a seeded instance.
const GOLDEN_GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;

/// Java's `SplittableRandom` as created by `new SplittableRandom(seed)`.
#[derive(Debug, Clone)]
pub struct SplittableRandom {
    /// Advanced by `GOLDEN_GAMMA` before every draw.
    seed: u64,
}

impl SplittableRandom {
    pub fn new(seed: u64) -> Self {
        SplittableRandom { seed }
    }

    fn next_seed(&mut self) -> u64 {
        self.seed = self.seed.wrapping_add(GOLDEN_GAMMA);
        self.seed
    }

    /// `nextLong()`: 64 uniformly random bits.
    pub fn next_long(&mut self) -> i64 {
        mix64(self.next_seed()) as i64
    }

    /// `nextInt()`: 32 uniformly random bits.
    fn next_int(&mut self) -> i32 {
        mix32(self.next_seed())
    }

    /// `nextInt(bound)`: uniform in `0..bound`, by Java's rejection loop; `bound` must be
    /// positive (callers pass constants or sizes they checked).
    pub fn next_int_below(&mut self, bound: i32) -> i32 {
        debug_assert!(bound > 0, "bound must be positive");
        let bound = bound.max(1);
        let mut r = self.next_int();
        let m = bound - 1;
        if bound & m == 0 {
            return r & m;
        }
        // Java: for (int u = r >>> 1; u + m - (r = u % bound) < 0; u = nextInt() >>> 1);
        let mut u = ((r as u32) >> 1) as i32;
        loop {
            r = u % bound;
            if u.wrapping_add(m).wrapping_sub(r) >= 0 {
                return r;
            }
            u = ((self.next_int() as u32) >> 1) as i32;
        }
    }

    /// `nextDouble()`: uniform in `[0, 1)` with 53 random bits.
    pub fn next_double(&mut self) -> f64 {
        ((self.next_long() as u64) >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

/// Java's `SplittableRandom.mix64` (Stafford's variant 13).
fn mix64(z: u64) -> u64 {
    let z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    let z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Java's `SplittableRandom.mix32`.
fn mix32(z: u64) -> i32 {
    let z = (z ^ (z >> 33)).wrapping_mul(0x62a9_d9ed_7997_05f5);
    ((z ^ (z >> 28)).wrapping_mul(0xcb24_d0a5_c88c_35b3) >> 32) as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_longs_are_splitmix64() {
        // The reference SplitMix64 sequence for seed 0 (Vigna's splitmix64.c), which
        // `new SplittableRandom(0).nextLong()` reproduces.
        let mut random = SplittableRandom::new(0);
        assert_eq!(random.next_long() as u64, 0xe220_a839_7b1d_cdaf);
        assert_eq!(random.next_long() as u64, 0x6e78_9e6a_a1b9_65f4);
        assert_eq!(random.next_long() as u64, 0x06c4_5d18_8009_454f);
    }

    #[test]
    fn bounded_ints_stay_in_range_and_cover_it() {
        let mut random = SplittableRandom::new(42);
        for bound in [1, 2, 3, 13, 26, 100, 10_000] {
            let mut seen = vec![false; bound as usize];
            for _ in 0..200_000 {
                let v = random.next_int_below(bound);
                assert!((0..bound).contains(&v), "{v} not below {bound}");
                seen[v as usize] = true;
            }
            assert!(seen.iter().all(|s| *s), "bound {bound} not covered");
        }
    }

    #[test]
    fn doubles_are_in_the_unit_interval() {
        let mut random = SplittableRandom::new(7);
        let mut sum = 0.0;
        for _ in 0..100_000 {
            let d = random.next_double();
            assert!((0.0..1.0).contains(&d));
            sum += d;
        }
        assert!((sum / 100_000.0 - 0.5).abs() < 0.01);
    }
}
