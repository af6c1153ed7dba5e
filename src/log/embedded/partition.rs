//! One partition of the embedded log: a directory of segments, the last one active.
//!
//! The partition assigns offsets, drops repeated idempotent-producer records, rolls the
//! active segment when it is full, reads across segments, applies retention to closed
//! segments, and syncs appends as the fsync policy says. Opening it recovers from a crash:
//! the active segment is checked batch by batch and cut at the first torn or corrupt batch.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::segment::{Segment, Truncation, parse_segment_name};
use super::{EmbeddedLogOptions, io_error, producer_snapshot, sync_dir};
use crate::log::producer_state::ProducerState;
use crate::log::record_batch::{self, BatchHeader};
use crate::log::{FsyncPolicy, LogResult, ProducerSequence, Record, StoredRecord, TopicConfig};

/// A partition's segments and producer state; callers serialize access with a mutex.
#[derive(Debug)]
pub(super) struct Partition {
    topic: String,
    id: u32,
    dir: PathBuf,
    options: EmbeddedLogOptions,
    /// Segments no longer appended to, oldest first.
    closed: Vec<Segment>,
    /// The segment appends go to.
    active: Segment,
    /// The active segment's file, kept open.
    file: File,
    producers: ProducerState,
    /// When the active segment was last synced (for `FsyncPolicy::Interval`).
    last_sync: Instant,
}

impl Partition {
    /// Opens (or creates) the partition stored in `dir`, recovering a torn tail.
    pub fn open(dir: &Path, topic: &str, id: u32, options: EmbeddedLogOptions) -> LogResult<Self> {
        fs::create_dir_all(dir).map_err(io_error(dir))?;
        let mut bases = Vec::new();
        for entry in fs::read_dir(dir).map_err(io_error(dir))? {
            let entry = entry.map_err(io_error(dir))?;
            if let Some(base) = entry
                .file_name()
                .to_str()
                .and_then(|n| parse_segment_name(n, "log"))
            {
                bases.push(base);
            }
        }
        bases.sort_unstable();
        let sync = options.fsync != FsyncPolicy::Never;
        let (closed, active, file, producers) = match bases.split_last() {
            Some((&active_base, closed_bases)) => {
                recover(dir, topic, id, closed_bases, active_base, sync)?
            }
            None => {
                let (active, file) = Segment::create(dir, 0)?;
                if sync {
                    sync_dir(dir)?;
                }
                (Vec::new(), active, file, ProducerState::default())
            }
        };
        Ok(Partition {
            topic: topic.to_string(),
            id,
            dir: dir.to_path_buf(),
            options,
            closed,
            active,
            file,
            producers,
            last_sync: Instant::now(),
        })
    }

    /// Appends `records` as one batch; returns the offset of the first record and whether
    /// anything was written (repeated producer records are not).
    ///
    /// For a repeated first record, the offset is where it was stored; if retention has
    /// deleted it since, the offset the next record would get.
    pub fn append(
        &mut self,
        records: &[Record],
        producer: Option<ProducerSequence>,
    ) -> LogResult<(i64, bool)> {
        let base = self.active.next_offset();
        // Kafka: a negative producer id is "no producer".
        let producer = producer.filter(|p| p.producer_id >= 0);
        let count = records.len();
        let skip = producer.map_or(0, |p| self.producers.duplicates(p, count));
        let first = match producer {
            Some(p) if skip > 0 => self
                .locate(p.producer_id, i64::from(p.first_sequence))?
                .unwrap_or(base),
            _ => base,
        };
        if skip == count {
            return Ok((first, false));
        }
        let written_producer = producer.map(|p| ProducerSequence {
            producer_id: p.producer_id,
            first_sequence: p
                .first_sequence
                .saturating_add(i32::try_from(skip).unwrap_or(i32::MAX)),
        });
        let bytes = record_batch::encode(base, &records[skip..], written_producer)?;
        let header = BatchHeader::parse(&bytes)?;
        let full = self.active.size() + bytes.len() as u64 > self.options.segment_bytes;
        if self.active.size() > 0 && (full || !self.active.fits(&header, self.active.size())) {
            self.roll()?;
        }
        self.active.append(&self.file, &bytes, &header)?;
        if let Some(p) = producer {
            self.producers.accept(
                p.producer_id,
                i64::from(p.first_sequence) + count as i64 - 1,
            );
        }
        self.sync_after_append()?;
        Ok((first, true))
    }

    /// Syncs the active segment as the policy says. `Interval` is checked on appends only:
    /// the last appends before a quiet spell stay unsynced until the next append.
    fn sync_after_append(&mut self) -> LogResult<()> {
        let due = match self.options.fsync {
            FsyncPolicy::Always => true,
            FsyncPolicy::Interval(interval) => self.last_sync.elapsed() >= interval,
            FsyncPolicy::Never => false,
        };
        if due {
            self.file
                .sync_data()
                .map_err(io_error(self.active.log_path()))?;
            self.last_sync = Instant::now();
        }
        Ok(())
    }

    /// Closes the active segment and starts a new one at the next offset.
    fn roll(&mut self) -> LogResult<()> {
        let sync = self.options.fsync != FsyncPolicy::Never;
        let base = self.active.next_offset();
        // Order matters for recovery: the old segment's index and the producer snapshot are
        // complete before the new segment file exists.
        self.active.write_index(sync)?;
        if sync {
            self.file
                .sync_data()
                .map_err(io_error(self.active.log_path()))?;
        }
        producer_snapshot::write(&self.dir, base, &self.producers, sync)?;
        let (segment, file) = Segment::create(&self.dir, base)?;
        if sync {
            sync_dir(&self.dir)?;
        }
        self.closed
            .push(std::mem::replace(&mut self.active, segment));
        self.file = file;
        self.last_sync = Instant::now();
        producer_snapshot::remove_others(&self.dir, base)
    }

    /// Where the record `producer_id` appended with `sequence` is, if still stored.
    fn locate(&self, producer_id: i64, sequence: i64) -> LogResult<Option<i64>> {
        let find = |segment: &Segment, file: &File| {
            let mut found = None;
            segment.for_each_header(file, &mut |h| {
                let first = i64::from(h.base_sequence);
                let last = first + i64::from(h.last_offset_delta);
                if h.producer_id == producer_id
                    && h.base_sequence >= 0
                    && (first..=last).contains(&sequence)
                {
                    found = Some(h.base_offset + (sequence - first));
                }
            })?;
            LogResult::Ok(found)
        };
        if let Some(offset) = find(&self.active, &self.file)? {
            return Ok(Some(offset));
        }
        for segment in self.closed.iter().rev() {
            if let Some(offset) = find(segment, &segment.open_file()?)? {
                return Ok(Some(offset));
            }
        }
        Ok(None)
    }

    /// Up to `max` records from `offset` on (from the start when `offset` is before it).
    pub fn read(&self, offset: i64, max: usize) -> LogResult<Vec<StoredRecord>> {
        let from = offset.max(self.start_offset());
        let available = usize::try_from(self.end_offset() - from).unwrap_or(0);
        let mut out = Vec::with_capacity(max.min(available));
        if max == 0 || from >= self.end_offset() {
            return Ok(out);
        }
        let first = self.closed.partition_point(|s| s.next_offset() <= from);
        for segment in &self.closed[first..] {
            segment.read(
                &segment.open_file()?,
                from,
                max - out.len(),
                self.id,
                &mut out,
            )?;
            if out.len() >= max {
                return Ok(out);
            }
        }
        self.active
            .read(&self.file, from, max - out.len(), self.id, &mut out)?;
        Ok(out)
    }

    /// The first offset whose record's timestamp is at or after `timestamp`.
    pub fn offset_for_time(&self, timestamp: i64) -> LogResult<Option<i64>> {
        for segment in &self.closed {
            // Segments whose newest record is older are skipped without opening them.
            if segment.max_timestamp().is_some_and(|m| m >= timestamp)
                && let Some(offset) = segment.offset_for_time(&segment.open_file()?, timestamp)?
            {
                return Ok(Some(offset));
            }
        }
        self.active.offset_for_time(&self.file, timestamp)
    }

    pub fn start_offset(&self) -> i64 {
        self.closed.first().unwrap_or(&self.active).base_offset()
    }

    pub fn end_offset(&self) -> i64 {
        self.active.next_offset()
    }

    /// Deletes the oldest closed segments that `config`'s limits allow, `now_ms` being now.
    pub fn enforce_retention(&mut self, config: &TopicConfig, now_ms: i64) -> LogResult<()> {
        // Kafka: a negative retention.ms means no limit.
        if let Some(retention_ms) = config.retention_ms.filter(|ms| *ms >= 0) {
            let cutoff = now_ms.saturating_sub(retention_ms);
            while self
                .closed
                .first()
                .is_some_and(|s| s.max_timestamp().is_none_or(|m| m < cutoff))
            {
                self.delete_oldest("time")?;
            }
        }
        if let Some(limit) = config.retention_bytes {
            let mut total: u64 =
                self.closed.iter().map(Segment::size).sum::<u64>() + self.active.size();
            // Kafka: delete a segment only if the partition stays at or above the limit.
            while let Some(oldest) = self.closed.first()
                && total - oldest.size() >= limit
            {
                total -= oldest.size();
                self.delete_oldest("size")?;
            }
        }
        Ok(())
    }

    /// Deletes the closed segments that hold only records before `offset`; the active
    /// segment is kept, so the start offset may stay below `offset`.
    pub fn delete_segments_before(&mut self, offset: i64) -> LogResult<()> {
        while self
            .closed
            .first()
            .is_some_and(|s| s.next_offset() <= offset)
        {
            self.delete_oldest("deleted records")?;
        }
        Ok(())
    }

    fn delete_oldest(&mut self, reason: &str) -> LogResult<()> {
        let Some(segment) = self.closed.first() else {
            return Ok(());
        };
        segment.delete()?;
        tracing::debug!(
            topic = %self.topic,
            partition = self.id,
            base_offset = segment.base_offset(),
            next_offset = segment.next_offset(),
            reason,
            "retention deleted a segment"
        );
        self.closed.remove(0);
        Ok(())
    }
}

/// Opens the segments of a partition after a restart: the closed ones from their indexes,
/// the active one checked batch by batch; rebuilds the producer state.
fn recover(
    dir: &Path,
    topic: &str,
    id: u32,
    closed_bases: &[i64],
    active_base: i64,
    sync: bool,
) -> LogResult<(Vec<Segment>, Segment, File, ProducerState)> {
    let mut closed = Vec::with_capacity(closed_bases.len());
    for &base in closed_bases {
        let (segment, truncation) = Segment::open_closed(dir, base)?;
        if let Some(t) = truncation {
            warn_truncated(topic, id, &t);
        }
        closed.push(segment);
    }
    let mut producers = match producer_snapshot::load(dir, active_base)? {
        Some(state) => state,
        None => {
            let mut state = ProducerState::default();
            for segment in &closed {
                segment.for_each_header(&segment.open_file()?, &mut |h| accept(&mut state, h))?;
            }
            state
        }
    };
    let (active, file, truncation) =
        Segment::open_active(dir, active_base, &mut |h| accept(&mut producers, h))?;
    if let Some(t) = truncation {
        warn_truncated(topic, id, &t);
        if sync {
            file.sync_all().map_err(io_error(&t.file))?;
        }
    }
    producer_snapshot::remove_others(dir, active_base)?;
    Ok((closed, active, file, producers))
}

/// Folds a stored batch into producer state.
fn accept(state: &mut ProducerState, header: &BatchHeader) {
    if let Some(p) = header.producer() {
        state.accept(
            p.producer_id,
            i64::from(p.first_sequence) + i64::from(header.last_offset_delta),
        );
    }
}

fn warn_truncated(topic: &str, partition: u32, t: &Truncation) {
    tracing::warn!(
        topic,
        partition,
        file = %t.file.display(),
        offset = t.offset,
        position = t.position,
        bytes_dropped = t.bytes_dropped,
        reason = %t.reason,
        "cut a torn or corrupt tail off a segment"
    );
}
