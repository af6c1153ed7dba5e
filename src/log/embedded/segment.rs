//! One segment of a partition: a `.log` file of record batches named by its base offset
//! (`00000000000000000042.log`), with its sparse index.
//!
//! A segment appends batches at its end, reads records from an offset by seeking to the
//! indexed batch at or before it, and finds the first record at or after a time. Opening a
//! segment checks its batches (length, CRC, records, contiguous offsets) and cuts the file at
//! the first torn or corrupt one, reporting what it dropped; the partition decides which
//! segments to open how and logs the cut. A segment never holds a file handle: the partition
//! keeps the active segment's open and passes it in.

use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use bytes::Bytes;

use super::index::{INDEX_INTERVAL_BYTES, IndexEntry, SegmentIndex};
use super::io_error;
use crate::log::record_batch::{self, BatchHeader, DecodedBatch, HEADER_LEN};
use crate::log::{LogError, LogResult, StoredRecord};

/// Read buffer for walking batches: big enough that most batches take one read.
const READ_BUFFER_BYTES: usize = 64 * 1024;

/// A file of a segment: `<base offset, 20 digits>.<extension>`.
pub(super) fn segment_path(dir: &Path, base_offset: i64, extension: &str) -> PathBuf {
    dir.join(format!("{base_offset:020}.{extension}"))
}

/// The base offset a segment file name stands for, if `name` is one with `extension`.
pub(super) fn parse_segment_name(name: &str, extension: &str) -> Option<i64> {
    let digits = name.strip_suffix(extension)?.strip_suffix('.')?;
    if digits.len() != 20 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// What opening a segment cut from the end of its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Truncation {
    pub file: PathBuf,
    /// The offset the first dropped batch should have had.
    pub offset: i64,
    /// Where the file now ends.
    pub position: u64,
    pub bytes_dropped: u64,
    pub reason: String,
}

/// The first bad batch a scan met.
struct Problem {
    position: u64,
    offset: i64,
    reason: String,
}

/// A segment's place in the partition and its index; the bytes stay in the file.
#[derive(Debug)]
pub(super) struct Segment {
    base_offset: i64,
    log_path: PathBuf,
    /// Bytes of whole batches in the file.
    size: u64,
    /// The offset after the last batch.
    next_offset: i64,
    /// The largest record timestamp, `None` while the segment holds no record.
    max_timestamp: Option<i64>,
    index: SegmentIndex,
    /// Bytes appended since the last index entry.
    bytes_since_index: u64,
}

impl Segment {
    fn empty(dir: &Path, base_offset: i64) -> Segment {
        Segment {
            base_offset,
            log_path: segment_path(dir, base_offset, "log"),
            size: 0,
            next_offset: base_offset,
            max_timestamp: None,
            index: SegmentIndex::default(),
            bytes_since_index: 0,
        }
    }

    /// A new, empty segment file, opened for appending.
    pub fn create(dir: &Path, base_offset: i64) -> LogResult<(Segment, File)> {
        let segment = Segment::empty(dir, base_offset);
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&segment.log_path)
            .map_err(io_error(&segment.log_path))?;
        Ok((segment, file))
    }

    /// Opens the last segment of a partition for appending: checks every batch, cuts the file
    /// at the first bad one, rebuilds the index, and shows each good batch to `on_batch`.
    pub fn open_active(
        dir: &Path,
        base_offset: i64,
        on_batch: &mut dyn FnMut(&BatchHeader),
    ) -> LogResult<(Segment, File, Option<Truncation>)> {
        let mut segment = Segment::empty(dir, base_offset);
        let path = segment.log_path.clone();
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .map_err(io_error(&path))?;
        let len = file.metadata().map_err(io_error(&path))?.len();
        let problem = segment.scan(&file, None, len, on_batch)?;
        let truncation = segment.cut(&file, problem, len)?;
        Ok((segment, file, truncation))
    }

    /// Opens a closed segment: loads its index and checks the batches after the last entry.
    /// Without a usable index, or with a bad batch, it checks the whole file, cuts it at the
    /// first bad batch, and writes a new index.
    pub fn open_closed(dir: &Path, base_offset: i64) -> LogResult<(Segment, Option<Truncation>)> {
        let mut segment = Segment::empty(dir, base_offset);
        let path = segment.log_path.clone();
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .map_err(io_error(&path))?;
        let len = file.metadata().map_err(io_error(&path))?.len();
        let (index_path, time_index_path) = segment.index_paths();
        if let Some(index) = SegmentIndex::load(&index_path, &time_index_path, len)? {
            let last = index.last().copied();
            let entries = index.len();
            segment.index = index;
            if let Some(last) = last {
                segment.max_timestamp = Some(last.max_timestamp);
            }
            let tail_ok = segment.scan(&file, last, len, &mut |_| {})?.is_none();
            if tail_ok {
                if segment.index.len() != entries {
                    segment.write_index(false)?;
                }
                return Ok((segment, None));
            }
            segment = Segment::empty(dir, base_offset);
        }
        let problem = segment.scan(&file, None, len, &mut |_| {})?;
        let truncation = segment.cut(&file, problem, len)?;
        segment.write_index(false)?;
        Ok((segment, truncation))
    }

    /// Walks the batches from `from` (an indexed batch, or the start) to `end`, checking
    /// each fully and accounting for it. Returns the first bad batch, if any.
    fn scan(
        &mut self,
        file: &File,
        from: Option<IndexEntry>,
        end: u64,
        on_batch: &mut dyn FnMut(&BatchHeader),
    ) -> LogResult<Option<Problem>> {
        let (position, mut expected) = match from {
            Some(e) => (
                u64::from(e.position),
                self.base_offset + i64::from(e.relative_offset),
            ),
            None => (0, self.base_offset),
        };
        self.bytes_since_index = 0;
        let mut cursor = BatchCursor::new(file, &self.log_path, position, end)?;
        loop {
            let at = cursor.position();
            let problem = |reason: String| {
                Ok(Some(Problem {
                    position: at,
                    offset: expected,
                    reason,
                }))
            };
            let header = match cursor.next_batch() {
                Ok(None) => return Ok(None),
                Ok(Some(header)) => header,
                Err(LogError::Corrupt(reason)) => return problem(reason),
                Err(e) => return Err(e),
            };
            if header.base_offset != expected {
                return problem(format!(
                    "batch at position {at} starts at offset {}, expected {expected}",
                    header.base_offset
                ));
            }
            if !self.fits(&header, at) {
                return problem(format!(
                    "batch at position {at} with offsets up to {} does not fit a segment \
                     based at {}",
                    header.next_offset() - 1,
                    self.base_offset
                ));
            }
            match cursor.decode() {
                Ok(_) => {}
                Err(LogError::Corrupt(reason)) => return problem(reason),
                Err(e) => return Err(e),
            }
            self.track(at, &header);
            on_batch(&header);
            expected = header.next_offset();
        }
    }

    /// Cuts the file after the good batches when a scan found a bad one.
    fn cut(
        &self,
        file: &File,
        problem: Option<Problem>,
        len: u64,
    ) -> LogResult<Option<Truncation>> {
        let Some(problem) = problem else {
            return Ok(None);
        };
        debug_assert_eq!(problem.position, self.size);
        file.set_len(problem.position)
            .map_err(io_error(&self.log_path))?;
        Ok(Some(Truncation {
            file: self.log_path.clone(),
            offset: problem.offset,
            position: problem.position,
            bytes_dropped: len - problem.position,
            reason: problem.reason,
        }))
    }

    /// Whether a batch at `position` can be indexed in this segment (u32 relative offsets
    /// and positions).
    pub fn fits(&self, header: &BatchHeader, position: u64) -> bool {
        header.next_offset() - self.base_offset <= i64::from(u32::MAX)
            && position <= u64::from(u32::MAX)
    }

    /// Accounts for the batch at `position` in the segment's size, offsets and index.
    fn track(&mut self, position: u64, header: &BatchHeader) {
        if header.record_count > 0 {
            self.max_timestamp = Some(
                self.max_timestamp
                    .map_or(header.max_timestamp, |m| m.max(header.max_timestamp)),
            );
        }
        // Kafka: index a batch once more than the interval was written since the last entry.
        if self.bytes_since_index >= INDEX_INTERVAL_BYTES {
            // fits() was checked before the batch was written or accepted.
            self.index.push(IndexEntry {
                relative_offset: (header.base_offset - self.base_offset) as u32,
                position: position as u32,
                max_timestamp: self.max_timestamp.unwrap_or(i64::MIN),
            });
            self.bytes_since_index = 0;
        }
        let len = header.total_len() as u64;
        self.bytes_since_index += len;
        self.size = position + len;
        self.next_offset = header.next_offset();
    }

    /// Appends an encoded batch to the segment, whose open file is `file`.
    pub fn append(&mut self, file: &File, bytes: &[u8], header: &BatchHeader) -> LogResult<()> {
        let mut writer = file;
        let written = writer
            .seek(SeekFrom::Start(self.size))
            .and_then(|_| writer.write_all(bytes));
        if let Err(e) = written {
            // Leave no partial batch behind for the next append to follow.
            let _ = file.set_len(self.size);
            return Err(io_error(&self.log_path)(e));
        }
        self.track(self.size, header);
        Ok(())
    }

    /// Reads up to `max` records from `from` on into `out`.
    pub fn read(
        &self,
        file: &File,
        from: i64,
        max: usize,
        partition: u32,
        out: &mut Vec<StoredRecord>,
    ) -> LogResult<()> {
        let relative = u32::try_from((from - self.base_offset).max(0)).unwrap_or(u32::MAX);
        let start = self
            .index
            .floor(relative)
            .map_or(0, |e| u64::from(e.position));
        let mut cursor = BatchCursor::new(file, &self.log_path, start, self.size)?;
        let mut taken = 0;
        while taken < max {
            let Some(header) = cursor.next_batch()? else {
                break;
            };
            if header.next_offset() <= from {
                continue;
            }
            for (offset, record) in cursor.decode()?.records {
                if offset >= from && taken < max {
                    out.push(StoredRecord {
                        partition,
                        offset,
                        record,
                    });
                    taken += 1;
                }
            }
        }
        Ok(())
    }

    /// The first offset whose record has a timestamp at or after `timestamp`.
    pub fn offset_for_time(&self, file: &File, timestamp: i64) -> LogResult<Option<i64>> {
        if self.max_timestamp.is_none_or(|m| m < timestamp) {
            return Ok(None);
        }
        let start = self
            .index
            .before_time(timestamp)
            .map_or(0, |e| u64::from(e.position));
        let mut cursor = BatchCursor::new(file, &self.log_path, start, self.size)?;
        while let Some(header) = cursor.next_batch()? {
            // Batches carry their largest timestamp: skip the ones entirely before.
            if header.record_count == 0 || header.max_timestamp < timestamp {
                continue;
            }
            let DecodedBatch { records, .. } = cursor.decode()?;
            if let Some((offset, _)) = records.iter().find(|(_, r)| r.timestamp >= timestamp) {
                return Ok(Some(*offset));
            }
        }
        Ok(None)
    }

    /// Shows the header of every batch, in order, to `f`.
    pub fn for_each_header(&self, file: &File, f: &mut dyn FnMut(&BatchHeader)) -> LogResult<()> {
        let mut cursor = BatchCursor::new(file, &self.log_path, 0, self.size)?;
        while let Some(header) = cursor.next_batch()? {
            f(&header);
        }
        Ok(())
    }

    /// Writes the index files (when the segment closes, or after a repair).
    pub fn write_index(&self, sync: bool) -> LogResult<()> {
        let (index_path, time_index_path) = self.index_paths();
        self.index.write(&index_path, &time_index_path, sync)
    }

    /// Removes the segment's files.
    pub fn delete(&self) -> LogResult<()> {
        let (index_path, time_index_path) = self.index_paths();
        for path in [&index_path, &time_index_path] {
            match fs::remove_file(path) {
                Err(e) if e.kind() != ErrorKind::NotFound => return Err(io_error(path)(e)),
                _ => {}
            }
        }
        fs::remove_file(&self.log_path).map_err(io_error(&self.log_path))
    }

    /// Opens the segment's file for reading (closed segments hold no handle).
    pub fn open_file(&self) -> LogResult<File> {
        File::open(&self.log_path).map_err(io_error(&self.log_path))
    }

    fn index_paths(&self) -> (PathBuf, PathBuf) {
        (
            self.log_path.with_extension("index"),
            self.log_path.with_extension("timeindex"),
        )
    }

    pub fn base_offset(&self) -> i64 {
        self.base_offset
    }

    pub fn next_offset(&self) -> i64 {
        self.next_offset
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    pub fn max_timestamp(&self) -> Option<i64> {
        self.max_timestamp
    }

    pub fn log_path(&self) -> &Path {
        &self.log_path
    }
}

/// Walks the batches of a segment file one header at a time, reading a batch's body only
/// when asked to. Reads are positional (`pread`) through the cursor's own buffer, never
/// through the file's shared position, so readers of one file may walk it side by side.
struct BatchCursor<'a> {
    file: &'a File,
    path: PathBuf,
    /// File position of the next byte to read.
    position: u64,
    /// Where the batches end (bytes after it are not the segment's).
    end: u64,
    /// Bytes of the current batch not read yet.
    unread: u64,
    /// The current batch: its header, then its body once decoded.
    batch: Vec<u8>,
    /// File bytes read ahead, starting at file position `buffered_at`.
    buffer: Vec<u8>,
    buffered_at: u64,
}

impl<'a> BatchCursor<'a> {
    fn new(file: &'a File, path: &Path, position: u64, end: u64) -> LogResult<Self> {
        Ok(BatchCursor {
            file,
            path: path.to_path_buf(),
            position,
            end,
            unread: 0,
            batch: Vec::with_capacity(HEADER_LEN),
            buffer: Vec::new(),
            buffered_at: position,
        })
    }

    /// Where the next batch starts, once the current one is passed.
    fn position(&self) -> u64 {
        self.position + self.unread
    }

    /// Appends `len` file bytes from `self.position` to `self.batch`, from the read-ahead
    /// buffer when they are in it; reads ahead when they fit in it.
    fn read_into_batch(&mut self, len: usize) -> LogResult<()> {
        let buffered_end = self.buffered_at + self.buffer.len() as u64;
        let inside =
            self.position >= self.buffered_at && self.position + len as u64 <= buffered_end;
        if !inside && len <= READ_BUFFER_BYTES {
            let ahead = (self.end - self.position).min(READ_BUFFER_BYTES as u64) as usize;
            self.buffer.resize(ahead.max(len), 0);
            self.file
                .read_exact_at(&mut self.buffer, self.position)
                .map_err(io_error(&self.path))?;
            self.buffered_at = self.position;
        } else if !inside {
            return self.read_large(len).map_err(io_error(&self.path));
        }
        let from = (self.position - self.buffered_at) as usize;
        self.batch.extend_from_slice(&self.buffer[from..from + len]);
        Ok(())
    }

    /// Appends `len` file bytes from `self.position` to `self.batch`, for a batch larger than
    /// the read-ahead buffer. `read_to_end` fills the batch's spare capacity as it is, where a
    /// positional read would need it zero-filled first (a megabyte per large batch); it reads
    /// through its own handle, whose position no other reader shares.
    fn read_large(&mut self, len: usize) -> std::io::Result<()> {
        let mut file = File::open(&self.path)?;
        file.seek(SeekFrom::Start(self.position))?;
        self.batch.reserve_exact(len);
        let read = file.take(len as u64).read_to_end(&mut self.batch)?;
        if read < len {
            return Err(std::io::Error::new(
                ErrorKind::UnexpectedEof,
                format!("{read} of {len} bytes at position {}", self.position),
            ));
        }
        Ok(())
    }

    /// Moves to the next batch and reads its header; `None` at the end. A header that does
    /// not parse, or a batch running past the end, is `Corrupt`.
    fn next_batch(&mut self) -> LogResult<Option<BatchHeader>> {
        self.position += self.unread;
        self.unread = 0;
        let left = self.end.saturating_sub(self.position);
        if left == 0 {
            return Ok(None);
        }
        if left < HEADER_LEN as u64 {
            return Err(LogError::Corrupt(format!(
                "truncated batch header at position {}: {left} of {HEADER_LEN} bytes",
                self.position
            )));
        }
        self.batch.clear();
        self.read_into_batch(HEADER_LEN)?;
        let header = BatchHeader::parse(&self.batch)?;
        let total = header.total_len() as u64;
        if total > left {
            return Err(LogError::Corrupt(format!(
                "truncated batch at position {}: {left} of {total} bytes",
                self.position
            )));
        }
        self.position += HEADER_LEN as u64;
        self.unread = total - HEADER_LEN as u64;
        Ok(Some(header))
    }

    /// Reads the rest of the current batch and decodes it, checking its CRC.
    fn decode(&mut self) -> LogResult<DecodedBatch> {
        // unread is at most one batch length, which fits in i32.
        self.read_into_batch(self.unread as usize)?;
        self.position += self.unread;
        self.unread = 0;
        // The records share the batch's bytes; the next batch starts a new buffer.
        record_batch::decode(&Bytes::from(std::mem::take(&mut self.batch)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::Record;

    fn record(i: i64, value_len: usize) -> Record {
        Record {
            key: Some(Bytes::from(i.to_string().into_bytes())),
            value: Some(Bytes::from(vec![b'v'; value_len])),
            timestamp: 1000 + (i % 7) * 10,
            headers: vec![],
        }
    }

    /// A segment of `batches` one-record batches with ~1 KiB values, so it gets index entries.
    fn filled(dir: &Path, batches: i64) -> (Segment, File) {
        let (mut segment, file) = Segment::create(dir, 100).unwrap();
        for i in 0..batches {
            let bytes = record_batch::encode(100 + i, &[record(i, 1000)], None).unwrap();
            let header = BatchHeader::parse(&bytes).unwrap();
            segment.append(&file, &bytes, &header).unwrap();
        }
        (segment, file)
    }

    #[test]
    fn segment_names_have_twenty_digits() {
        let dir = Path::new("/d");
        assert_eq!(
            segment_path(dir, 42, "log"),
            Path::new("/d/00000000000000000042.log")
        );
        assert_eq!(
            parse_segment_name("00000000000000000042.log", "log"),
            Some(42)
        );
        assert_eq!(
            parse_segment_name("00000000000000000042.index", "log"),
            None
        );
        assert_eq!(parse_segment_name("42.log", "log"), None);
        assert_eq!(parse_segment_name("0000000000000000004x.log", "log"), None);
    }

    #[test]
    fn reads_from_every_offset_through_the_index() {
        let dir = tempfile::tempdir().unwrap();
        let (segment, file) = filled(dir.path(), 30);
        assert!(segment.index.len() >= 5, "{} entries", segment.index.len());
        for from in 100..130 {
            let mut out = Vec::new();
            segment.read(&file, from, 3, 0, &mut out).unwrap();
            let offsets: Vec<i64> = out.iter().map(|r| r.offset).collect();
            let expected: Vec<i64> = (from..(from + 3).min(130)).collect();
            assert_eq!(offsets, expected);
            assert_eq!(out[0].record, record(from - 100, 1000));
        }
    }

    #[test]
    fn offset_for_time_matches_a_full_scan() {
        let dir = tempfile::tempdir().unwrap();
        let (segment, file) = filled(dir.path(), 30);
        for t in 990..1070 {
            let expected = (0..30)
                .find(|&i| record(i, 0).timestamp >= t)
                .map(|i| 100 + i);
            assert_eq!(
                segment.offset_for_time(&file, t).unwrap(),
                expected,
                "t={t}"
            );
        }
    }

    #[test]
    fn closed_segment_reopens_from_its_index() {
        let dir = tempfile::tempdir().unwrap();
        let (segment, file) = filled(dir.path(), 30);
        segment.write_index(false).unwrap();
        drop(file);
        let (reopened, cut) = Segment::open_closed(dir.path(), 100).unwrap();
        assert_eq!(cut, None);
        assert_eq!(reopened.index, segment.index);
        assert_eq!(reopened.size, segment.size);
        assert_eq!(reopened.next_offset, 130);
        assert_eq!(reopened.max_timestamp, Some(1060));

        // A lost index is rebuilt from the log.
        fs::remove_file(segment.log_path.with_extension("timeindex")).unwrap();
        let (rebuilt, cut) = Segment::open_closed(dir.path(), 100).unwrap();
        assert_eq!(cut, None);
        assert_eq!(rebuilt.index, segment.index);
        assert!(segment.log_path.with_extension("timeindex").exists());
    }

    #[test]
    fn open_cuts_at_a_batch_with_a_wrong_offset() {
        let dir = tempfile::tempdir().unwrap();
        let (mut segment, file) = filled(dir.path(), 3);
        // A valid batch, but not the offset that follows.
        let bytes = record_batch::encode(500, &[record(0, 10)], None).unwrap();
        let header = BatchHeader::parse(&bytes).unwrap();
        segment.append(&file, &bytes, &header).unwrap();
        drop(file);
        let (reopened, _, cut) = Segment::open_active(dir.path(), 100, &mut |_| {}).unwrap();
        let cut = cut.unwrap();
        assert_eq!(cut.offset, 103);
        assert_eq!(cut.bytes_dropped, bytes.len() as u64);
        assert!(cut.reason.contains("expected 103"), "{}", cut.reason);
        assert_eq!(reopened.next_offset, 103);
    }
}
