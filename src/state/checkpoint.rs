//! Checkpoints of state stores: a changelog compacted up to an offset, kept in a file, so
//! that a restart restores from the checkpoint plus the changelog's tail instead of the
//! whole changelog, and the changelog's prefix can be deleted.
//!
//! A checkpoint is built from the changelog alone, never from an operator's memory, so it
//! can be taken beside a running query without stopping it: the previous checkpoint and the
//! changelog records after it are folded together as Kafka compacts a topic — the last
//! record of each key survives, in offset order; a tombstone removes its key — and records
//! of windows past their retention are dropped as the store itself drops them ([`Expiry`]).
//! Restoring the survivors in order leaves a store exactly as replaying the changelog up to
//! the checkpoint's offset would.
//!
//! Files live in `<dir>/<changelog topic>/<offset>.checkpoint`: a header (magic, version,
//! offset, record count), the records, and a CRC-32C of everything before it. They are
//! written to a temporary file and renamed into place; the newest two are kept, so that a
//! damaged newest one (a CRC mismatch is logged and skipped) still has one to fall back on,
//! and the changelog is only ever deleted up to the older one.

use bytes::Bytes;
use std::collections::HashMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::{session, windowed};
use crate::log::{Record, StoredRecord};

const MAGIC: &[u8; 4] = b"SLCK";
const VERSION: u8 = 1;
const SUFFIX: &str = ".checkpoint";
/// Checkpoints kept per changelog.
const KEPT: usize = 2;

/// Why a checkpoint could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    #[error("I/O error on checkpoint {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

pub type CheckpointResult<T> = Result<T, CheckpointError>;

/// When a store forgets records on its own, so that a checkpoint forgets them too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// A keyed store keeps a key until a tombstone removes it.
    Never,
    /// A windowed store (`windowed` key layout) drops windows starting more than
    /// `retention_ms` before the newest window start written.
    Windows { retention_ms: i64 },
    /// A session store (`session` key layout) drops sessions ending more than
    /// `retention_ms` before stream time; the newest changelog timestamp stands in for
    /// stream time, which is never behind it.
    Sessions { retention_ms: i64 },
}

/// A changelog compacted up to `offset`: restoring `records` in order is restoring every
/// changelog record before `offset`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Checkpoint {
    pub offset: i64,
    pub records: Vec<Record>,
}

impl Checkpoint {
    /// This checkpoint followed by the changelog records `tail` (those at or after
    /// `self.offset`, in offset order), compacted up to `until`; records at or after
    /// `until` are left out.
    pub fn advance(self, tail: &[StoredRecord], until: i64, expiry: Expiry) -> Checkpoint {
        let mut slots: Vec<Option<Record>> = self.records.into_iter().map(Some).collect();
        let mut latest: HashMap<Bytes, usize> = HashMap::with_capacity(slots.len());
        for (index, record) in slots.iter().enumerate() {
            if let Some(key) = record.as_ref().and_then(|r| r.key.clone()) {
                latest.insert(key, index);
            }
        }
        for stored in tail
            .iter()
            .filter(|s| s.offset >= self.offset && s.offset < until)
        {
            let record = &stored.record;
            let Some(key) = &record.key else { continue };
            if let Some(previous) = latest.remove(key) {
                slots[previous] = None;
            }
            if record.value.is_some() {
                latest.insert(key.clone(), slots.len());
                slots.push(Some(record.clone()));
            }
        }
        let mut records: Vec<Record> = slots.into_iter().flatten().collect();
        expire(&mut records, expiry);
        Checkpoint {
            offset: until.max(self.offset),
            records,
        }
    }

    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        out.push(VERSION);
        out.extend_from_slice(&self.offset.to_be_bytes());
        out.extend_from_slice(&(self.records.len() as u64).to_be_bytes());
        for record in &self.records {
            out.extend_from_slice(&record.timestamp.to_be_bytes());
            put_bytes(&mut out, record.key.as_deref());
            put_bytes(&mut out, record.value.as_deref());
        }
        let crc = crc32c::crc32c(&out);
        out.extend_from_slice(&crc.to_be_bytes());
        out
    }

    fn decode(bytes: &[u8]) -> Result<Checkpoint, String> {
        let (body, crc) = bytes
            .split_last_chunk::<4>()
            .ok_or("shorter than its checksum")?;
        if crc32c::crc32c(body) != u32::from_be_bytes(*crc) {
            return Err("checksum mismatch".into());
        }
        let mut reader = Reader(body);
        if reader.take(4)? != MAGIC {
            return Err("not a checkpoint file".into());
        }
        let version = reader.take(1)?[0];
        if version != VERSION {
            return Err(format!("unknown version {version}"));
        }
        let offset = reader.i64()?;
        let count = reader.i64()?;
        let mut records = Vec::new();
        for _ in 0..count {
            let timestamp = reader.i64()?;
            let key = reader.bytes()?;
            let value = reader.bytes()?;
            records.push(Record {
                key: key.map(Bytes::from),
                value: value.map(Bytes::from),
                timestamp,
                headers: Vec::new(),
            });
        }
        if !reader.0.is_empty() {
            return Err("trailing bytes".into());
        }
        Ok(Checkpoint { offset, records })
    }
}

/// Drops the records of windows or sessions the store would have expired.
fn expire(records: &mut Vec<Record>, expiry: Expiry) {
    match expiry {
        Expiry::Never => {}
        Expiry::Windows { retention_ms } => {
            let start = |r: &Record| {
                r.key
                    .as_deref()
                    .and_then(windowed::split_changelog_key)
                    .map(|(_, start)| start)
            };
            let Some(newest) = records.iter().filter_map(start).max() else {
                return;
            };
            let oldest_kept = newest.saturating_sub(retention_ms);
            records.retain(|r| start(r).is_none_or(|s| s >= oldest_kept));
        }
        Expiry::Sessions { retention_ms } => {
            let Some(stream_time) = records.iter().map(|r| r.timestamp).max() else {
                return;
            };
            let oldest_kept = stream_time.saturating_sub(retention_ms);
            records.retain(|r| {
                r.key
                    .as_deref()
                    .and_then(session::split_changelog_key)
                    .is_none_or(|(_, s)| s.end >= oldest_kept)
            });
        }
    }
}

fn put_bytes(out: &mut Vec<u8>, bytes: Option<&[u8]>) {
    match bytes {
        Some(bytes) => {
            out.extend_from_slice(&(bytes.len() as i64).to_be_bytes());
            out.extend_from_slice(bytes);
        }
        None => out.extend_from_slice(&(-1i64).to_be_bytes()),
    }
}

/// Reads a checkpoint's fields front to back.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        if self.0.len() < n {
            return Err("truncated".into());
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn i64(&mut self) -> Result<i64, String> {
        let bytes: [u8; 8] = self.take(8)?.try_into().map_err(|_| "truncated")?;
        Ok(i64::from_be_bytes(bytes))
    }

    fn bytes(&mut self) -> Result<Option<Vec<u8>>, String> {
        let len = self.i64()?;
        if len < 0 {
            return Ok(None);
        }
        let len = usize::try_from(len).map_err(|_| "length out of range")?;
        Ok(Some(self.take(len)?.to_vec()))
    }
}

/// Where the checkpoints of every changelog live.
#[derive(Debug, Clone)]
pub struct CheckpointDir {
    root: PathBuf,
}

impl CheckpointDir {
    pub fn new(root: impl Into<PathBuf>) -> CheckpointDir {
        CheckpointDir { root: root.into() }
    }

    /// Writes `checkpoint` for `topic` and removes all but the newest [`KEPT`]; returns the
    /// offset the changelog may be deleted up to (the oldest checkpoint kept).
    pub fn write(&self, topic: &str, checkpoint: &Checkpoint) -> CheckpointResult<i64> {
        let dir = self.root.join(topic);
        fs::create_dir_all(&dir).map_err(io(&dir))?;
        let path = dir.join(format!("{:020}{SUFFIX}", checkpoint.offset));
        let temporary = dir.join(format!("{:020}{SUFFIX}.tmp", checkpoint.offset));
        let mut file = fs::File::create(&temporary).map_err(io(&temporary))?;
        file.write_all(&checkpoint.encode())
            .and_then(|()| file.sync_all())
            .map_err(io(&temporary))?;
        fs::rename(&temporary, &path).map_err(io(&path))?;
        let offsets = self.offsets(topic)?;
        let keep_from = offsets.len().saturating_sub(KEPT);
        for offset in &offsets[..keep_from] {
            let old = self.path(topic, *offset);
            fs::remove_file(&old).map_err(io(&old))?;
        }
        Ok(offsets[keep_from..]
            .first()
            .copied()
            .unwrap_or(checkpoint.offset))
    }

    /// The newest readable checkpoint of `topic` at or before `at_most`, if any; damaged
    /// ones are skipped with a warning.
    pub fn latest(&self, topic: &str, at_most: i64) -> CheckpointResult<Option<Checkpoint>> {
        for offset in self.offsets(topic)?.into_iter().rev() {
            if offset > at_most {
                continue;
            }
            let path = self.path(topic, offset);
            let bytes = fs::read(&path).map_err(io(&path))?;
            match Checkpoint::decode(&bytes) {
                Ok(checkpoint) => return Ok(Some(checkpoint)),
                Err(reason) => tracing::warn!(
                    checkpoint = %path.display(),
                    %reason,
                    "skipping a damaged state checkpoint"
                ),
            }
        }
        Ok(None)
    }

    /// Forgets every checkpoint of `topic` (its query is gone).
    pub fn remove(&self, topic: &str) -> CheckpointResult<()> {
        let dir = self.root.join(topic);
        match fs::remove_dir_all(&dir) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io(&dir)(e)),
            _ => Ok(()),
        }
    }

    /// The offsets of `topic`'s checkpoint files, ascending.
    fn offsets(&self, topic: &str) -> CheckpointResult<Vec<i64>> {
        let dir = self.root.join(topic);
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io(&dir)(e)),
        };
        let mut offsets: Vec<i64> = entries
            .filter_map(|entry| {
                let name = entry.ok()?.file_name();
                name.to_str()?.strip_suffix(SUFFIX)?.parse().ok()
            })
            .collect();
        offsets.sort_unstable();
        Ok(offsets)
    }

    fn path(&self, topic: &str, offset: i64) -> PathBuf {
        self.root.join(topic).join(format!("{offset:020}{SUFFIX}"))
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> CheckpointError + use<> {
    let path = path.display().to_string();
    move |source| CheckpointError::Io { path, source }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::session::Session;

    fn record(key: &[u8], value: Option<&str>, timestamp: i64) -> Record {
        Record {
            key: Some(Bytes::copy_from_slice(key)),
            value: value.map(|v| Bytes::copy_from_slice(v.as_bytes())),
            timestamp,
            headers: Vec::new(),
        }
    }

    fn stored(offset: i64, record: Record) -> StoredRecord {
        StoredRecord {
            partition: 0,
            offset,
            record,
        }
    }

    fn values(checkpoint: &Checkpoint) -> Vec<(Vec<u8>, String)> {
        checkpoint
            .records
            .iter()
            .map(|r| {
                (
                    r.key.as_deref().unwrap().to_vec(),
                    String::from_utf8(r.value.as_deref().unwrap().to_vec()).unwrap(),
                )
            })
            .collect()
    }

    #[test]
    fn the_last_record_of_each_key_survives_in_offset_order() {
        let tail = vec![
            stored(0, record(b"a", Some("1"), 1)),
            stored(1, record(b"b", Some("1"), 2)),
            stored(2, record(b"a", Some("2"), 3)),
            stored(3, record(b"c", Some("1"), 4)),
            stored(4, record(b"b", None, 5)),
            stored(5, record(b"d", Some("1"), 6)),
        ];
        let checkpoint = Checkpoint::default().advance(&tail, 5, Expiry::Never);
        assert_eq!(checkpoint.offset, 5);
        assert_eq!(
            values(&checkpoint),
            [(b"a".to_vec(), "2".into()), (b"c".to_vec(), "1".into())],
            "b was removed; d is past the checkpoint's offset"
        );

        // Advancing again folds in only what follows.
        let next = checkpoint.advance(
            &[
                stored(5, record(b"d", Some("1"), 6)),
                stored(6, record(b"a", Some("3"), 7)),
            ],
            7,
            Expiry::Never,
        );
        assert_eq!(next.offset, 7);
        assert_eq!(
            values(&next),
            [
                (b"c".to_vec(), "1".into()),
                (b"d".to_vec(), "1".into()),
                (b"a".to_vec(), "3".into())
            ]
        );
    }

    #[test]
    fn windows_past_retention_are_dropped() {
        let key = |start: i64| windowed::changelog_key(b"k", start);
        let tail: Vec<StoredRecord> = [0, 1000, 2000, 3000]
            .into_iter()
            .enumerate()
            .map(|(i, start)| stored(i as i64, record(&key(start), Some("v"), start)))
            .collect();
        let checkpoint =
            Checkpoint::default().advance(&tail, 4, Expiry::Windows { retention_ms: 1000 });
        let starts: Vec<i64> = checkpoint
            .records
            .iter()
            .map(|r| {
                windowed::split_changelog_key(r.key.as_deref().unwrap())
                    .unwrap()
                    .1
            })
            .collect();
        assert_eq!(starts, [2000, 3000]);
    }

    #[test]
    fn sessions_past_retention_are_dropped() {
        let key = |start: i64, end: i64| session::changelog_key(b"k", Session { start, end });
        let tail = vec![
            stored(0, record(&key(0, 100), Some("old"), 100)),
            stored(1, record(&key(5000, 6000), Some("new"), 6000)),
        ];
        let checkpoint =
            Checkpoint::default().advance(&tail, 2, Expiry::Sessions { retention_ms: 1000 });
        assert_eq!(checkpoint.records.len(), 1);
        assert_eq!(checkpoint.records[0].value.as_deref(), Some(&b"new"[..]));
    }

    #[test]
    fn files_round_trip_and_only_the_newest_two_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let checkpoints = CheckpointDir::new(dir.path());
        assert_eq!(checkpoints.latest("cl", i64::MAX).unwrap(), None);
        let mut written = Vec::new();
        for offset in [10, 20, 30] {
            let checkpoint = Checkpoint {
                offset,
                records: vec![record(b"k", Some("v"), offset), record(b"n", None, 1)],
            };
            let deletable = checkpoints.write("cl", &checkpoint).unwrap();
            written.push((checkpoint, deletable));
        }
        assert_eq!(written[0].1, 10);
        assert_eq!(written[1].1, 10);
        assert_eq!(
            written[2].1, 20,
            "the oldest kept bounds what may be deleted"
        );
        assert_eq!(checkpoints.offsets("cl").unwrap(), [20, 30]);
        assert_eq!(
            checkpoints.latest("cl", i64::MAX).unwrap().as_ref(),
            Some(&written[2].0)
        );
        assert_eq!(
            checkpoints.latest("cl", 25).unwrap().as_ref(),
            Some(&written[1].0),
            "none newer than the committed changelog offset"
        );

        checkpoints.remove("cl").unwrap();
        assert_eq!(checkpoints.latest("cl", i64::MAX).unwrap(), None);
    }

    #[test]
    fn a_damaged_checkpoint_falls_back_to_the_previous_one() {
        let dir = tempfile::tempdir().unwrap();
        let checkpoints = CheckpointDir::new(dir.path());
        let older = Checkpoint {
            offset: 1,
            records: vec![record(b"k", Some("old"), 1)],
        };
        checkpoints.write("cl", &older).unwrap();
        checkpoints
            .write(
                "cl",
                &Checkpoint {
                    offset: 2,
                    records: vec![record(b"k", Some("new"), 2)],
                },
            )
            .unwrap();
        let newest = checkpoints.path("cl", 2);
        let mut bytes = fs::read(&newest).unwrap();
        let middle = bytes.len() / 2;
        bytes[middle] ^= 0xff;
        fs::write(&newest, bytes).unwrap();
        assert_eq!(checkpoints.latest("cl", i64::MAX).unwrap(), Some(older));
    }
}
