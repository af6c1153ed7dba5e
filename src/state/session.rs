//! A session store: per key, the sessions (time ranges of activity) and their values.
//!
//! As in Kafka Streams' session stores, a session is found by key and by how it overlaps a
//! range, and expires once its end falls more than the retention behind stream time; expired
//! sessions are dropped and can no longer be found. Changelog keys are the key bytes, then the
//! session's end, then its start, each as 8 big-endian bytes (Kafka Streams' session key
//! layout, also how session-windowed keys are written to topics); a removed session is logged
//! with a null value.

use std::collections::BTreeSet;

use foldhash::{HashMap, HashMapExt};

use super::Changelog;

/// A session's time range, both ends inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Session {
    pub start: i64,
    pub end: i64,
}

/// Values by key and session, with the changelog of their changes.
pub struct SessionStore<V> {
    /// Key bytes → the key's sessions.
    sessions: HashMap<Vec<u8>, HashMap<Session, V>>,
    /// Every stored session by end, to expire them in order.
    by_end: BTreeSet<(i64, Vec<u8>, i64)>,
    /// Sessions ending more than this before stream time expire.
    retention_ms: i64,
    changelog: Changelog,
}

impl<V> SessionStore<V> {
    pub fn new(changelog_topic: impl Into<String>, retention_ms: i64) -> Self {
        SessionStore {
            sessions: HashMap::new(),
            by_end: BTreeSet::new(),
            retention_ms,
            changelog: Changelog::new(changelog_topic),
        }
    }

    /// The sessions of `key` that end at or after `earliest_end` and start at or before
    /// `latest_start`, ordered by end then start.
    pub fn find(&self, key: &[u8], earliest_end: i64, latest_start: i64) -> Vec<Session> {
        let mut found: Vec<Session> = self
            .sessions
            .get(key)
            .into_iter()
            .flat_map(|sessions| sessions.keys())
            .filter(|s| s.end >= earliest_end && s.start <= latest_start)
            .copied()
            .collect();
        found.sort_by_key(|s| (s.end, s.start));
        found
    }

    pub fn get(&self, key: &[u8], session: Session) -> Option<&V> {
        self.sessions.get(key)?.get(&session)
    }

    /// Removes a session, logging its removal; returns its value.
    pub fn remove(&mut self, key: &[u8], session: Session, timestamp: i64) -> Option<V> {
        let removed = self.forget(key, session)?;
        self.changelog
            .push(changelog_key(key, session), None, timestamp);
        Some(removed)
    }

    /// Stores a session's value; `log` records it.
    pub fn insert(&mut self, key: Vec<u8>, session: Session, value: V) {
        self.by_end
            .insert((session.end, key.clone(), session.start));
        self.sessions.entry(key).or_default().insert(session, value);
    }

    /// Logs `encoded` as the state of `key`'s `session`.
    pub fn log(&mut self, key: &[u8], session: Session, encoded: Vec<u8>, timestamp: i64) {
        self.changelog
            .push(changelog_key(key, session), Some(encoded), timestamp);
    }

    /// The sessions ending after `after` (if given) and at or before `upto`, ordered by end,
    /// key, then start.
    pub fn ended_between(&self, after: Option<i64>, upto: i64) -> Vec<(&[u8], Session, &V)> {
        let lower = after.map_or(i64::MIN, |a| a.saturating_add(1));
        if lower > upto {
            return Vec::new();
        }
        self.by_end
            .range((lower, Vec::new(), i64::MIN)..)
            .take_while(|(end, _, _)| *end <= upto)
            .filter_map(|(end, key, start)| {
                let session = Session {
                    start: *start,
                    end: *end,
                };
                let value = self.sessions.get(key)?.get(&session)?;
                Some((key.as_slice(), session, value))
            })
            .collect()
    }

    /// Drops the sessions that end more than the retention before `stream_time`; nothing is
    /// logged (a restart expires them again from the same stream time).
    pub fn expire(&mut self, stream_time: i64) {
        let oldest_kept = stream_time.saturating_sub(self.retention_ms);
        while let Some((end, key, start)) = self.by_end.first().cloned() {
            if end >= oldest_kept {
                break;
            }
            self.forget(&key, Session { start, end });
        }
    }

    /// Puts back (or, for `None`, removes) a session read from the changelog; nothing is
    /// logged. A key too short to hold a session is refused.
    pub fn restore(&mut self, changelog_key: &[u8], value: Option<V>) -> Result<(), String> {
        let (key, session) = split_changelog_key(changelog_key)
            .ok_or_else(|| "a session key is shorter than its session".to_string())?;
        match value {
            Some(value) => self.insert(key.to_vec(), session, value),
            None => {
                self.forget(key, session);
            }
        }
        Ok(())
    }

    pub fn changelog(&mut self) -> &mut Changelog {
        &mut self.changelog
    }

    pub fn changelog_topic(&self) -> &str {
        self.changelog.topic()
    }

    /// How checkpoints of this store drop sessions: as the store does.
    pub fn expiry(&self) -> super::Expiry {
        super::Expiry::Sessions {
            retention_ms: self.retention_ms,
        }
    }

    fn forget(&mut self, key: &[u8], session: Session) -> Option<V> {
        let sessions = self.sessions.get_mut(key)?;
        let removed = sessions.remove(&session)?;
        if sessions.is_empty() {
            self.sessions.remove(key);
        }
        self.by_end
            .remove(&(session.end, key.to_vec(), session.start));
        Some(removed)
    }
}

/// The changelog (and topic) key of a key's session: key bytes, end, start (Kafka Streams'
/// session key layout).
pub fn changelog_key(key: &[u8], session: Session) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(key.len() + 16);
    bytes.extend_from_slice(key);
    bytes.extend_from_slice(&session.end.to_be_bytes());
    bytes.extend_from_slice(&session.start.to_be_bytes());
    bytes
}

/// The key bytes and session of a session key, if it is long enough.
pub fn split_changelog_key(bytes: &[u8]) -> Option<(&[u8], Session)> {
    let split = bytes.len().checked_sub(16)?;
    let (key, times) = bytes.split_at(split);
    let end: [u8; 8] = times[..8].try_into().ok()?;
    let start: [u8; 8] = times[8..].try_into().ok()?;
    Some((
        key,
        Session {
            start: i64::from_be_bytes(start),
            end: i64::from_be_bytes(end),
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(start: i64, end: i64) -> Session {
        Session { start, end }
    }

    #[test]
    fn finds_overlapping_sessions_of_a_key_in_order() {
        let mut store: SessionStore<u32> = SessionStore::new("cl", 1_000);
        store.insert(b"k".to_vec(), session(50, 60), 2);
        store.insert(b"k".to_vec(), session(0, 10), 1);
        store.insert(b"j".to_vec(), session(0, 10), 3);
        assert_eq!(
            store.find(b"k", 5, 55),
            vec![session(0, 10), session(50, 60)]
        );
        assert_eq!(store.find(b"k", 11, 49), vec![]);
        assert_eq!(store.remove(b"k", session(0, 10), 10), Some(1));
        assert_eq!(store.find(b"k", 0, 100), vec![session(50, 60)]);
        let changes = store.changelog().take();
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].value, None);
    }

    #[test]
    fn lists_sessions_by_end() {
        let mut store: SessionStore<u32> = SessionStore::new("cl", 1_000);
        store.insert(b"k".to_vec(), session(0, 14), 1);
        store.insert(b"j".to_vec(), session(20, 30), 2);
        store.insert(b"k".to_vec(), session(29, 30), 3);
        let ended = |after, upto| -> Vec<u32> {
            store
                .ended_between(after, upto)
                .into_iter()
                .map(|(_, _, v)| *v)
                .collect()
        };
        assert_eq!(ended(None, 30), vec![1, 2, 3]);
        assert_eq!(ended(Some(14), 30), vec![2, 3]);
        assert_eq!(ended(Some(14), 29), Vec::<u32>::new());
        assert_eq!(ended(Some(30), 20), Vec::<u32>::new());
    }

    #[test]
    fn sessions_expire_by_end_behind_stream_time() {
        let mut store: SessionStore<u32> = SessionStore::new("cl", 100);
        store.insert(b"k".to_vec(), session(0, 10), 1);
        store.insert(b"k".to_vec(), session(200, 300), 2);
        store.expire(110);
        assert_eq!(store.find(b"k", 0, 1_000).len(), 2, "10 is 100 before 110");
        store.expire(111);
        assert_eq!(store.find(b"k", 0, 1_000), vec![session(200, 300)]);
        assert!(store.changelog().take().is_empty());
    }

    #[test]
    fn changelog_keys_round_trip_and_restore() {
        let key = changelog_key(b"abc", session(-5, 7));
        assert_eq!(
            split_changelog_key(&key),
            Some((&b"abc"[..], session(-5, 7)))
        );
        assert_eq!(split_changelog_key(b"too short"), None);
        let mut store: SessionStore<u32> = SessionStore::new("cl", 100);
        store.restore(&key, Some(4)).unwrap();
        assert_eq!(store.get(b"abc", session(-5, 7)), Some(&4));
        store.restore(&key, None).unwrap();
        assert_eq!(store.get(b"abc", session(-5, 7)), None);
        assert!(store.changelog().take().is_empty());
    }
}
