//! Kafka's default partitioner, so that sluice places keyed records where a Kafka producer
//! would: `toPositive(murmur2(key)) % partitions`; records without a key go round-robin.

use std::sync::atomic::{AtomicU32, Ordering};

use super::{LogError, LogResult};

/// Kafka's `Utils.murmur2`: 32-bit MurmurHash2 with seed `0x9747b28c`, as Java computes it.
pub fn murmur2(data: &[u8]) -> i32 {
    const SEED: u32 = 0x9747_b28c;
    const M: u32 = 0x5bd1_e995;
    const R: u32 = 24;
    // Java's int arithmetic: wrapping, and `>>>` is a logical shift.
    let mut h = SEED ^ data.len() as u32;
    let mut body = data.chunks_exact(4);
    for chunk in &mut body {
        let mut k = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h = h.wrapping_mul(M);
        h ^= k;
    }
    // Kafka's switch on `length % 4` falls through from case 3 to case 1.
    let tail = body.remainder();
    if tail.len() >= 3 {
        h ^= u32::from(tail[2]) << 16;
    }
    if tail.len() >= 2 {
        h ^= u32::from(tail[1]) << 8;
    }
    if let Some(&first) = tail.first() {
        h ^= u32::from(first);
        h = h.wrapping_mul(M);
    }
    h ^= h >> 13;
    h = h.wrapping_mul(M);
    h ^= h >> 15;
    h as i32
}

/// Kafka's `Utils.toPositive`: clears the sign bit (not `abs`, which overflows on `MIN`).
pub fn to_positive(n: i32) -> i32 {
    n & 0x7fff_ffff
}

/// The partition Kafka's default partitioner picks for a record with `key`.
pub fn partition_for_key(key: &[u8], partitions: u32) -> LogResult<u32> {
    if partitions == 0 {
        return Err(LogError::NoPartitions);
    }
    Ok(to_positive(murmur2(key)) as u32 % partitions)
}

/// Picks partitions for records: by key hash when keyed, round-robin otherwise.
#[derive(Debug, Default)]
pub struct Partitioner {
    /// The next round-robin slot for unkeyed records.
    next: AtomicU32,
}

impl Partitioner {
    /// A partitioner whose round-robin starts at partition 0.
    pub fn new() -> Self {
        Self::default()
    }

    /// The partition for a record with `key` in a topic of `partitions` partitions.
    pub fn partition(&self, key: Option<&[u8]>, partitions: u32) -> LogResult<u32> {
        match key {
            Some(key) => partition_for_key(key, partitions),
            None if partitions == 0 => Err(LogError::NoPartitions),
            None => Ok(self.next.fetch_add(1, Ordering::Relaxed) % partitions),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn murmur2_matches_kafka_utils_test() {
        let cases = [
            ("21", -973_932_308),
            ("foobar", -790_332_482),
            ("a-little-bit-long-string", -985_981_536),
            ("a-little-bit-longer-string", -1_486_304_829),
            (
                "lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8",
                -58_897_971,
            ),
            ("abc", 479_470_107),
        ];
        for (input, expected) in cases {
            assert_eq!(murmur2(input.as_bytes()), expected, "{input}");
        }
    }

    #[test]
    fn keyed_records_use_positive_hash_modulo() {
        // murmur2("foobar") = -790332482; toPositive = 1357151166.
        assert_eq!(to_positive(-790_332_482), 1_357_151_166);
        assert_eq!(partition_for_key(b"foobar", 7).unwrap(), 1_357_151_166 % 7);
        assert_eq!(partition_for_key(b"21", 1).unwrap(), 0);
        assert!(matches!(
            partition_for_key(b"a", 0),
            Err(LogError::NoPartitions)
        ));
        assert_eq!(to_positive(i32::MIN), 0);
    }

    #[test]
    fn unkeyed_records_round_robin() {
        let p = Partitioner::new();
        let picks: Vec<u32> = (0..7).map(|_| p.partition(None, 3).unwrap()).collect();
        assert_eq!(picks, vec![0, 1, 2, 0, 1, 2, 0]);
        assert_eq!(p.partition(Some(b"foobar"), 7).unwrap(), 1_357_151_166 % 7);
        assert!(p.partition(None, 0).is_err());
    }
}
