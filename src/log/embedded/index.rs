//! The sparse index of one segment, and its two files.
//!
//! Every [`INDEX_INTERVAL_BYTES`] or so of batches, the index notes a batch's offset
//! (relative to the segment's base offset), its byte position in the `.log` file, and the
//! largest record timestamp of the segment up to and including that batch. It is persisted
//! Kafka-style as two files of big-endian entries written when a segment is closed:
//!
//! - `.index`: relative offset u32, position u32 (8 bytes an entry);
//! - `.timeindex`: timestamp i64, relative offset u32 (12 bytes an entry).
//!
//! The active segment's index lives in memory only; opening a partition rebuilds it from the
//! `.log` file, which it reads anyway to check the tail.

use std::fs::{self, File};
use std::io::{ErrorKind, Write};
use std::path::Path;

use super::io_error;
use crate::log::LogResult;

/// Bytes of batches between index entries (Kafka's `index.interval.bytes` default).
pub(super) const INDEX_INTERVAL_BYTES: u64 = 4096;

const OFFSET_ENTRY_LEN: usize = 8;
const TIME_ENTRY_LEN: usize = 12;

/// One indexed batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct IndexEntry {
    /// The batch's base offset minus the segment's base offset.
    pub relative_offset: u32,
    /// Where the batch starts in the `.log` file.
    pub position: u32,
    /// The largest timestamp in the segment up to and including this batch.
    pub max_timestamp: i64,
}

/// The index entries of a segment, in file order.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(super) struct SegmentIndex {
    entries: Vec<IndexEntry>,
}

impl SegmentIndex {
    /// Adds an entry after the existing ones.
    pub fn push(&mut self, entry: IndexEntry) {
        debug_assert!(
            self.entries
                .last()
                .is_none_or(|e| e.position < entry.position)
        );
        self.entries.push(entry);
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn last(&self) -> Option<&IndexEntry> {
        self.entries.last()
    }

    /// The last indexed batch starting at or before `relative_offset`.
    pub fn floor(&self, relative_offset: u32) -> Option<&IndexEntry> {
        let n = self
            .entries
            .partition_point(|e| e.relative_offset <= relative_offset);
        n.checked_sub(1).map(|i| &self.entries[i])
    }

    /// The last indexed batch that, with every batch before it, holds only timestamps below
    /// `timestamp`: the first record at or after `timestamp` comes after it.
    pub fn before_time(&self, timestamp: i64) -> Option<&IndexEntry> {
        let n = self
            .entries
            .partition_point(|e| e.max_timestamp < timestamp);
        n.checked_sub(1).map(|i| &self.entries[i])
    }

    /// Writes the `.index` and `.timeindex` files, replacing what is there.
    pub fn write(&self, index_path: &Path, time_index_path: &Path, sync: bool) -> LogResult<()> {
        let mut offsets = Vec::with_capacity(self.entries.len() * OFFSET_ENTRY_LEN);
        let mut times = Vec::with_capacity(self.entries.len() * TIME_ENTRY_LEN);
        for e in &self.entries {
            offsets.extend_from_slice(&e.relative_offset.to_be_bytes());
            offsets.extend_from_slice(&e.position.to_be_bytes());
            times.extend_from_slice(&e.max_timestamp.to_be_bytes());
            times.extend_from_slice(&e.relative_offset.to_be_bytes());
        }
        write_file(index_path, &offsets, sync)?;
        write_file(time_index_path, &times, sync)
    }

    /// Reads the index files of a segment whose `.log` file is `log_len` bytes long.
    ///
    /// `None` when a file is missing or the two disagree or do not describe that log file;
    /// the caller then rebuilds the index from the log. A lost tail of entries is fine: the
    /// index is sparse and the caller checks the log after the last entry anyway.
    pub fn load(
        index_path: &Path,
        time_index_path: &Path,
        log_len: u64,
    ) -> LogResult<Option<SegmentIndex>> {
        let (Some(offsets), Some(times)) = (read_file(index_path)?, read_file(time_index_path)?)
        else {
            return Ok(None);
        };
        if offsets.len() % OFFSET_ENTRY_LEN != 0
            || times.len() % TIME_ENTRY_LEN != 0
            || offsets.len() / OFFSET_ENTRY_LEN != times.len() / TIME_ENTRY_LEN
        {
            return Ok(None);
        }
        let mut index = SegmentIndex::default();
        for (o, t) in offsets
            .chunks_exact(OFFSET_ENTRY_LEN)
            .zip(times.chunks_exact(TIME_ENTRY_LEN))
        {
            let relative_offset = u32::from_be_bytes([o[0], o[1], o[2], o[3]]);
            let position = u32::from_be_bytes([o[4], o[5], o[6], o[7]]);
            let max_timestamp =
                i64::from_be_bytes([t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7]]);
            let time_relative_offset = u32::from_be_bytes([t[8], t[9], t[10], t[11]]);
            let follows = index.last().is_none_or(|prev| {
                prev.relative_offset < relative_offset
                    && prev.position < position
                    && prev.max_timestamp <= max_timestamp
            });
            if !follows || time_relative_offset != relative_offset || u64::from(position) >= log_len
            {
                return Ok(None);
            }
            index.push(IndexEntry {
                relative_offset,
                position,
                max_timestamp,
            });
        }
        Ok(Some(index))
    }
}

fn write_file(path: &Path, bytes: &[u8], sync: bool) -> LogResult<()> {
    let mut file = File::create(path).map_err(io_error(path))?;
    file.write_all(bytes).map_err(io_error(path))?;
    if sync {
        file.sync_data().map_err(io_error(path))?;
    }
    Ok(())
}

fn read_file(path: &Path) -> LogResult<Option<Vec<u8>>> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_error(path)(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(relative_offset: u32, position: u32, max_timestamp: i64) -> IndexEntry {
        IndexEntry {
            relative_offset,
            position,
            max_timestamp,
        }
    }

    fn sample() -> SegmentIndex {
        let mut index = SegmentIndex::default();
        index.push(entry(10, 4100, 50));
        index.push(entry(25, 8300, 50));
        index.push(entry(40, 12_500, 90));
        index
    }

    #[test]
    fn floor_finds_batch_at_or_before() {
        let index = sample();
        assert_eq!(index.floor(9), None);
        assert_eq!(index.floor(10).map(|e| e.position), Some(4100));
        assert_eq!(index.floor(24).map(|e| e.position), Some(4100));
        assert_eq!(index.floor(1000).map(|e| e.position), Some(12_500));
    }

    #[test]
    fn before_time_skips_only_older_batches() {
        let index = sample();
        assert_eq!(index.before_time(50), None);
        assert_eq!(index.before_time(51).map(|e| e.relative_offset), Some(25));
        assert_eq!(index.before_time(91).map(|e| e.relative_offset), Some(40));
    }

    #[test]
    fn files_round_trip_and_bad_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let (i, t) = (dir.path().join("0.index"), dir.path().join("0.timeindex"));
        assert_eq!(
            SegmentIndex::load(&i, &t, 20_000).unwrap(),
            None,
            "missing files"
        );
        sample().write(&i, &t, true).unwrap();
        assert_eq!(fs::read(&i).unwrap()[..8], [0, 0, 0, 10, 0, 0, 0x10, 0x04]);
        assert_eq!(SegmentIndex::load(&i, &t, 20_000).unwrap(), Some(sample()));
        assert_eq!(
            SegmentIndex::load(&i, &t, 12_500).unwrap(),
            None,
            "points past the log"
        );
        let mut bytes = fs::read(&i).unwrap();
        bytes.truncate(20);
        fs::write(&i, &bytes).unwrap();
        assert_eq!(
            SegmentIndex::load(&i, &t, 20_000).unwrap(),
            None,
            "torn entry"
        );
    }
}
