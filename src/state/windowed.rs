//! A windowed store: one value per key and time window, ordered by window start.
//!
//! Retention works as in Kafka Streams' window stores: it is measured back from the newest
//! window start written, and a window whose start falls more than the retention behind it is
//! dropped (and can no longer be read). Changelog keys are the key bytes followed by the
//! window start as 8 big-endian bytes.

use std::collections::BTreeMap;

use foldhash::HashMap;

use super::Changelog;

/// Values by window start and key, with the changelog of their changes.
pub struct WindowedStore<V> {
    /// Window start → key bytes → value.
    windows: BTreeMap<i64, HashMap<Vec<u8>, V>>,
    /// Windows starting more than this before `newest_start` are dropped.
    retention_ms: i64,
    /// The latest window start written.
    newest_start: Option<i64>,
    changelog: Changelog,
}

impl<V> WindowedStore<V> {
    pub fn new(changelog_topic: impl Into<String>, retention_ms: i64) -> Self {
        WindowedStore {
            windows: BTreeMap::new(),
            retention_ms,
            newest_start: None,
            changelog: Changelog::new(changelog_topic),
        }
    }

    pub fn get_mut(&mut self, start: i64, key: &[u8]) -> Option<&mut V> {
        self.windows.get_mut(&start)?.get_mut(key)
    }

    /// Stores a new value for `key` in the window starting at `start` and drops the windows
    /// that leave retention; `log` records it.
    pub fn insert(&mut self, start: i64, key: Vec<u8>, value: V) {
        self.put(start, key, value);
    }

    /// Logs `encoded` as the state of `key` in the window at `start`, after an insert or a
    /// change in place.
    pub fn log(&mut self, start: i64, key: &[u8], encoded: Vec<u8>, timestamp: i64) {
        self.changelog
            .push(changelog_key(key, start), Some(encoded), timestamp);
    }

    /// Puts back a value read from the changelog, under the key and start its changelog key
    /// holds; nothing is logged. A key too short to hold a window start is refused.
    pub fn restore(&mut self, changelog_key: &[u8], value: V) -> Result<(), String> {
        let (key, start) = split_changelog_key(changelog_key)
            .ok_or_else(|| "a windowed key is shorter than its window start".to_string())?;
        self.put(start, key.to_vec(), value);
        Ok(())
    }

    /// Every stored window whose start is in `lower..=upper`, in order of start, then key.
    pub fn range(&self, lower: i64, upper: i64) -> Vec<(i64, &[u8], &V)> {
        let mut found = Vec::new();
        if lower > upper {
            return found;
        }
        for (start, keys) in self.windows.range(lower..=upper) {
            let mut entries: Vec<(&Vec<u8>, &V)> = keys.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            found.extend(entries.into_iter().map(|(k, v)| (*start, k.as_slice(), v)));
        }
        found
    }

    pub fn changelog(&mut self) -> &mut Changelog {
        &mut self.changelog
    }

    pub fn changelog_topic(&self) -> &str {
        self.changelog.topic()
    }

    /// How checkpoints of this store drop windows: as the store does.
    pub fn expiry(&self) -> super::Expiry {
        super::Expiry::Windows {
            retention_ms: self.retention_ms,
        }
    }

    /// The oldest window start kept once a window starting at `start` is written: windows
    /// before it are dropped then.
    pub fn oldest_kept_after(&self, start: i64) -> i64 {
        let newest = self.newest_start.map_or(start, |n| n.max(start));
        newest.saturating_sub(self.retention_ms)
    }

    /// How many key-window pairs hold a value.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.windows.values().map(HashMap::len).sum()
    }

    fn put(&mut self, start: i64, key: Vec<u8>, value: V) {
        self.windows.entry(start).or_default().insert(key, value);
        let oldest_kept = self.oldest_kept_after(start);
        self.newest_start = Some(self.newest_start.map_or(start, |n| n.max(start)));
        while let Some(entry) = self.windows.first_entry() {
            if *entry.key() >= oldest_kept {
                break;
            }
            entry.remove();
        }
    }
}

/// The changelog key of a key in a window: key bytes, then the start as 8 big-endian bytes
/// (Kafka Streams' time-window key layout).
pub fn changelog_key(key: &[u8], start: i64) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(key.len() + 8);
    bytes.extend_from_slice(key);
    bytes.extend_from_slice(&start.to_be_bytes());
    bytes
}

/// The key bytes and window start of a time-windowed key, if it is long enough.
pub fn split_changelog_key(bytes: &[u8]) -> Option<(&[u8], i64)> {
    let split = bytes.len().checked_sub(8)?;
    let (key, start) = bytes.split_at(split);
    let start: [u8; 8] = start.try_into().ok()?;
    Some((key, i64::from_be_bytes(start)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_leave_retention_behind_the_newest_start() {
        let mut store: WindowedStore<u32> = WindowedStore::new("cl", 3);
        store.insert(0, b"k".to_vec(), 1);
        store.insert(2, b"k".to_vec(), 2);
        assert_eq!(store.len(), 2, "0 is within 3 of 2");
        store.insert(4, b"k".to_vec(), 3);
        assert_eq!(store.range(0, 10).len(), 2, "0 is more than 3 before 4");
        assert!(store.get_mut(0, b"k").is_none());
        // An older window written late does not move retention back.
        store.insert(2, b"j".to_vec(), 4);
        assert_eq!(store.len(), 3);
    }

    #[test]
    fn range_is_ordered_by_start_then_key() {
        let mut store: WindowedStore<u32> = WindowedStore::new("cl", 100);
        store.insert(5, b"b".to_vec(), 1);
        store.insert(5, b"a".to_vec(), 2);
        store.insert(1, b"z".to_vec(), 3);
        let found: Vec<(i64, &[u8])> = store.range(0, 5).iter().map(|(s, k, _)| (*s, *k)).collect();
        assert_eq!(found, vec![(1, &b"z"[..]), (5, &b"a"[..]), (5, &b"b"[..])]);
        assert!(store.range(6, 5).is_empty());
    }

    #[test]
    fn changelog_keys_round_trip_and_restore_logs_nothing() {
        let key = changelog_key(b"abc", -2);
        assert_eq!(split_changelog_key(&key), Some((&b"abc"[..], -2)));
        assert_eq!(split_changelog_key(b"short"), None);
        let mut store: WindowedStore<u32> = WindowedStore::new("cl", 100);
        store.restore(&key, 9).unwrap();
        assert_eq!(store.get_mut(-2, b"abc"), Some(&mut 9));
        assert!(store.restore(b"x", 1).is_err());
        assert!(store.changelog().take().is_empty());
    }
}
