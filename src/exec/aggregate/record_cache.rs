//! ksqlDB's record cache, for aggregations: with `ksql.streams.cache.max.bytes.buffering`
//! above 0 (its default), the updates one input batch makes to a group come out as one, the
//! group as the batch left it, and its changelog gets one record for them. Groups come out
//! in the order of their last update, as Kafka Streams' cache flushes its dirty entries
//! eldest first. With the cache off (the setting of ksqlDB's test drivers) every input row
//! emits its group's update.
//!
//! A batch is what a query reads from one partition in one round, and a restart re-reads a
//! round with the bounds it had (`runtime::query`), so what the cache emits depends on the
//! input only and a restart writes it again the same.

use foldhash::HashMap;

use datafusion::scalar::ScalarValue;

/// Groups updated since the last flush.
#[derive(Debug, Default)]
pub struct RecordCache {
    /// By window start (eight big-endian bytes, when windowed) then group key bytes.
    dirty: HashMap<Vec<u8>, Dirty>,
    /// Updates since the cache was created: orders the groups by their last update.
    updates: u64,
    /// Where a group's map key is built, so that a group already dirty costs no allocation.
    lookup: Vec<u8>,
    /// The earliest window start among the dirty groups.
    oldest_window: Option<i64>,
}

#[derive(Debug)]
struct Dirty {
    last_update: u64,
    /// The input row of the last update: a failure to emit the group is reported there.
    row: usize,
    window: Option<i64>,
    /// The group's results before its first update since the flush, when HAVING needs them.
    previous: Option<Vec<ScalarValue>>,
}

/// A group to emit, as the cache gives it back.
#[derive(Debug, PartialEq)]
pub struct CachedUpdate {
    /// The window's start, for a windowed group.
    pub window: Option<i64>,
    pub key_bytes: Vec<u8>,
    pub previous: Option<Vec<ScalarValue>>,
    /// The input row of the group's last update.
    pub row: usize,
}

impl RecordCache {
    /// Notes an update of the group `key` (in the window starting at `window`) by input row
    /// `row`; `previous` is its results before the update, kept only when it is the first
    /// since the flush.
    pub fn update(
        &mut self,
        window: Option<i64>,
        key: &[u8],
        previous: Option<Vec<ScalarValue>>,
        row: usize,
    ) {
        self.lookup.clear();
        if let Some(start) = window {
            self.lookup.extend_from_slice(&start.to_be_bytes());
        }
        self.lookup.extend_from_slice(key);
        self.updates += 1;
        if let Some(start) = window {
            self.oldest_window = Some(self.oldest_window.map_or(start, |o| o.min(start)));
        }
        match self.dirty.get_mut(self.lookup.as_slice()) {
            Some(dirty) => {
                dirty.last_update = self.updates;
                dirty.row = row;
            }
            None => {
                let dirty = Dirty {
                    last_update: self.updates,
                    row,
                    window,
                    previous,
                };
                self.dirty.insert(self.lookup.clone(), dirty);
            }
        }
    }

    /// The groups of windows starting before `bound`, eldest last update first, taken out of
    /// the cache: they are emitted before their windows leave the store.
    pub fn flush_windows_before(&mut self, bound: i64) -> Vec<CachedUpdate> {
        if self.oldest_window.is_none_or(|oldest| oldest >= bound) {
            return Vec::new();
        }
        let taken = self
            .dirty
            .extract_if(|_, dirty| dirty.window.is_some_and(|start| start < bound))
            .collect();
        self.oldest_window = self.dirty.values().filter_map(|d| d.window).min();
        in_update_order(taken)
    }

    /// Every group updated since the last flush, eldest last update first; the cache is
    /// then empty.
    pub fn flush(&mut self) -> Vec<CachedUpdate> {
        self.oldest_window = None;
        in_update_order(self.dirty.drain().collect())
    }
}

/// Dirty groups as updates to emit, eldest last update first.
fn in_update_order(mut dirty: Vec<(Vec<u8>, Dirty)>) -> Vec<CachedUpdate> {
    dirty.sort_unstable_by_key(|(_, d)| d.last_update);
    dirty
        .into_iter()
        .map(|(mut key_bytes, d)| {
            if d.window.is_some() {
                key_bytes.drain(..8);
            }
            CachedUpdate {
                window: d.window,
                key_bytes,
                previous: d.previous,
                row: d.row,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn update(window: Option<i64>, key: &[u8], previous: Option<i64>, row: usize) -> CachedUpdate {
        CachedUpdate {
            window,
            key_bytes: key.to_vec(),
            previous: previous.map(|p| vec![ScalarValue::Int64(Some(p))]),
            row,
        }
    }

    #[test]
    fn groups_come_out_once_in_order_of_their_last_update() {
        let mut cache = RecordCache::default();
        let results = |v: i64| Some(vec![ScalarValue::Int64(Some(v))]);
        cache.update(None, b"a", None, 0);
        cache.update(None, b"b", results(7), 1);
        cache.update(None, b"a", results(1), 2);
        cache.update(None, b"c", None, 3);
        assert_eq!(
            cache.flush(),
            vec![
                update(None, b"b", Some(7), 1),
                update(None, b"a", None, 2),
                update(None, b"c", None, 3),
            ]
        );
        assert_eq!(cache.flush(), vec![]);
    }

    #[test]
    fn one_key_in_two_windows_is_two_groups() {
        let mut cache = RecordCache::default();
        cache.update(Some(0), b"k", None, 0);
        cache.update(Some(-1000), b"k", None, 0);
        cache.update(Some(0), b"k", None, 1);
        assert_eq!(
            cache.flush(),
            vec![
                update(Some(-1000), b"k", None, 0),
                update(Some(0), b"k", None, 1)
            ]
        );
    }
}
