//! A keyed store: one value per key, each change logged.
//!
//! Keys are serialized key bytes, also the changelog record keys. A value is logged whole,
//! as the encoding its owner hands over once it is done changing it, so that the last
//! changelog record of a key is its state.

use foldhash::HashMap;
use foldhash::HashMapExt;

use super::Changelog;

/// Values by key, with the changelog of their changes.
pub struct KeyedStore<V> {
    values: HashMap<Vec<u8>, V>,
    changelog: Changelog,
}

impl<V> KeyedStore<V> {
    pub fn new(changelog_topic: impl Into<String>) -> Self {
        KeyedStore {
            values: HashMap::new(),
            changelog: Changelog::new(changelog_topic),
        }
    }

    pub fn get_mut(&mut self, key: &[u8]) -> Option<&mut V> {
        self.values.get_mut(key)
    }

    /// Stores a new value under `key`, returning the one it replaces; `log` records it.
    pub fn insert(&mut self, key: Vec<u8>, value: V) -> Option<V> {
        self.values.insert(key, value)
    }

    /// Removes `key`, logging its removal if it held a value; returns that value.
    pub fn remove(&mut self, key: &[u8], timestamp: i64) -> Option<V> {
        let removed = self.values.remove(key);
        if removed.is_some() {
            self.changelog.push(key.to_vec(), None, timestamp);
        }
        removed
    }

    /// Logs `encoded` as the state of `key`, after an insert or a change in place.
    pub fn log(&mut self, key: &[u8], encoded: Vec<u8>, timestamp: i64) {
        self.changelog.push(key.to_vec(), Some(encoded), timestamp);
    }

    /// Puts back a value read from the changelog (`None`: the key was removed); nothing is
    /// logged.
    pub fn restore(&mut self, key: Vec<u8>, value: Option<V>) {
        match value {
            Some(value) => self.values.insert(key, value),
            None => self.values.remove(&key),
        };
    }

    pub fn changelog(&mut self) -> &mut Changelog {
        &mut self.changelog
    }

    pub fn changelog_topic(&self) -> &str {
        self.changelog.topic()
    }

    /// How many keys hold a value.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.values.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    #[test]
    fn logs_inserts_and_in_place_changes_in_order() {
        let mut store: KeyedStore<i64> = KeyedStore::new("cl");
        store.insert(b"k".to_vec(), 1);
        store.log(b"k", b"1".to_vec(), 10);
        if let Some(v) = store.get_mut(b"k") {
            *v += 1;
        }
        store.log(b"k", b"2".to_vec(), 11);
        let changes = store.changelog().take();
        let values: Vec<_> = changes.iter().map(|r| r.value.clone()).collect();
        assert_eq!(
            values,
            vec![
                Some(Bytes::from_static(b"1")),
                Some(Bytes::from_static(b"2"))
            ]
        );
        assert_eq!(store.get_mut(b"k"), Some(&mut 2));
        assert_eq!(store.remove(b"k", 12), Some(2));
        assert_eq!(
            store.remove(b"k", 13),
            None,
            "a second removal logs nothing"
        );
        let removals = store.changelog().take();
        assert_eq!(removals.len(), 1);
        assert_eq!(removals[0].value, None);
    }

    #[test]
    fn restore_logs_nothing() {
        let mut store: KeyedStore<i64> = KeyedStore::new("cl");
        store.restore(b"k".to_vec(), Some(7));
        store.restore(b"j".to_vec(), Some(8));
        store.restore(b"j".to_vec(), None);
        assert_eq!(store.len(), 1);
        assert!(store.changelog().take().is_empty());
    }
}
