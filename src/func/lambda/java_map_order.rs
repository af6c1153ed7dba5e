//! The order in which ksqlDB visits a MAP's entries: a ksqlDB map is a Java `HashMap`, which
//! iterates bucket by bucket, so a lambda that is not commutative (REDUCE with `ceil(s * v)`)
//! sees the entries in that order, not in the order of the record's text.
//!
//! ksqlDB's JSON deserializer builds each map with `new HashMap<>(size)` and puts the
//! entries in the record's order; the table then has `tableSizeFor(size)` buckets, doubled
//! while more than three quarters full. Within a bucket, entries keep their insertion order.

use datafusion::arrow::array::{Array, StringArray, UInt32Array};
use datafusion::arrow::buffer::OffsetBuffer;

/// Java's `String.hashCode`: over UTF-16 code units, wrapping.
fn java_hash(key: &str) -> i32 {
    key.encode_utf16()
        .fold(0i32, |h, unit| h.wrapping_mul(31).wrapping_add(unit as i32))
}

/// The bucket count of a `HashMap` built for `entries` entries and filled with them.
fn bucket_count(entries: usize) -> usize {
    let mut buckets = entries.max(1).next_power_of_two();
    while entries * 4 > buckets * 3 {
        buckets *= 2;
    }
    buckets
}

/// The positions of each row's keys (rows as `offsets` delimit them in `keys`), each row's
/// in Java `HashMap` iteration order.
pub fn hash_map_order(keys: &StringArray, offsets: &OffsetBuffer<i32>) -> UInt32Array {
    let mut order = Vec::with_capacity(keys.len());
    for row in offsets.windows(2) {
        let (start, end) = (row[0] as usize, row[1] as usize);
        let mask = bucket_count(end - start) - 1;
        let mut positions: Vec<(usize, usize)> = (start..end)
            .map(|i| {
                let h = java_hash(keys.value(i)) as u32;
                (((h ^ (h >> 16)) as usize) & mask, i)
            })
            .collect();
        positions.sort_unstable();
        order.extend(positions.into_iter().map(|(_, i)| i as u32));
    }
    UInt32Array::from(order)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_like_java() {
        assert_eq!(java_hash(""), 0);
        assert_eq!(java_hash("a"), 97);
        assert_eq!(java_hash("hello"), 99162322);
        assert_eq!(java_hash("yes, thanks"), 2669973796u32 as i32);
    }

    #[test]
    fn sizes_tables_as_java_does() {
        assert_eq!(bucket_count(0), 1);
        assert_eq!(bucket_count(3), 4);
        assert_eq!(bucket_count(4), 8);
        assert_eq!(bucket_count(12), 16);
        assert_eq!(bucket_count(13), 32);
    }

    #[test]
    fn orders_entries_by_bucket() {
        let keys = StringArray::from(vec!["yes, thanks", "nope", "sure, yeah"]);
        let order = hash_map_order(&keys, &OffsetBuffer::from_lengths([3]));
        assert_eq!(order.values().to_vec(), vec![0, 2, 1]);
    }
}
