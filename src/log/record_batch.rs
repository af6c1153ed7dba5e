//! Kafka's record-batch v2 (magic 2) byte layout: encoding a batch of [`Record`]s and decoding
//! one back with full validation.
//!
//! This file owns bytes only: where a batch lives (segment files, offsets to assign, producer
//! bookkeeping) is the business of the log backends. The layout is Kafka's, field for field,
//! so that segment bytes can be served to Kafka clients as they are:
//!
//! ```text
//! offset  size  field
//!  0      8     baseOffset
//!  8      4     batchLength (bytes after this field)
//! 12      4     partitionLeaderEpoch
//! 16      1     magic (2)
//! 17      4     crc: CRC-32C of everything from attributes to the end
//! 21      2     attributes (compression 0..=2, timestamp type 3, transactional 4, control 5)
//! 23      4     lastOffsetDelta
//! 27      8     baseTimestamp
//! 35      8     maxTimestamp
//! 43      8     producerId (-1: none)
//! 51      2     producerEpoch (-1: none)
//! 53      4     baseSequence (-1: none)
//! 57      4     records count
//! 61            records: length varint, attributes i8, timestampDelta varlong, offsetDelta
//!               varint, key (varint length, -1 null), value (same), header count varint,
//!               headers (varint key length, UTF-8 key, varint value length (-1 null), value)
//! ```
//!
//! Varints are zig-zag encoded, seven bits a byte, least significant group first (Kafka's
//! `ByteUtils.writeVarint`). Decoding never panics on arbitrary bytes: every problem is a
//! [`LogError::Corrupt`] saying what is wrong.

use bytes::Bytes;

use super::{LogError, LogResult, ProducerSequence, Record};

/// Bytes before the part `batchLength` counts: baseOffset and batchLength.
pub const LOG_OVERHEAD: usize = 12;
/// Bytes of the batch header, up to the first record.
pub const HEADER_LEN: usize = 61;
/// The record-batch format version this file speaks.
pub const MAGIC: i8 = 2;

const CRC_OFFSET: usize = 17;
/// The CRC covers the batch from here to its end.
const ATTRIBUTES_OFFSET: usize = 21;
/// Bits 0..=2 of the attributes name the compression codec.
const COMPRESSION_MASK: i16 = 0x07;
// Kafka: "no producer" is -1 in all three producer fields.
const NO_PRODUCER_ID: i64 = -1;
const NO_PRODUCER_EPOCH: i16 = -1;
const NO_SEQUENCE: i32 = -1;
/// Kafka: the timestamp fields of a batch without records.
const NO_TIMESTAMP: i64 = -1;
/// The smallest encoded record: a length byte and six one-byte fields.
const MIN_RECORD_LEN: usize = 7;
/// The smallest encoded header: two one-byte lengths.
const MIN_HEADER_LEN: usize = 2;

/// The fixed fields of a batch, as found in its first [`HEADER_LEN`] bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchHeader {
    pub base_offset: i64,
    /// Bytes of the batch after the batchLength field.
    pub batch_length: i32,
    pub partition_leader_epoch: i32,
    pub crc: u32,
    pub attributes: i16,
    /// Offset of the last record minus `base_offset`.
    pub last_offset_delta: i32,
    pub base_timestamp: i64,
    /// Largest record timestamp in the batch (-1 when it has none).
    pub max_timestamp: i64,
    /// -1 when the batch was not written by an idempotent producer.
    pub producer_id: i64,
    pub producer_epoch: i16,
    /// Sequence number of the first record, -1 without a producer.
    pub base_sequence: i32,
    pub record_count: i32,
}

impl BatchHeader {
    /// Parses and checks the header at the start of `buf` (the records are not looked at).
    pub fn parse(buf: &[u8]) -> LogResult<BatchHeader> {
        if buf.len() < HEADER_LEN {
            return Err(corrupt(format!(
                "truncated batch header: {} of {HEADER_LEN} bytes",
                buf.len()
            )));
        }
        let mut r = Reader::new(&buf[..HEADER_LEN]);
        let base_offset = r.i64()?;
        let batch_length = r.i32()?;
        let partition_leader_epoch = r.i32()?;
        let magic = r.i8()?;
        let crc = r.u32()?;
        let header = BatchHeader {
            base_offset,
            batch_length,
            partition_leader_epoch,
            crc,
            attributes: r.i16()?,
            last_offset_delta: r.i32()?,
            base_timestamp: r.i64()?,
            max_timestamp: r.i64()?,
            producer_id: r.i64()?,
            producer_epoch: r.i16()?,
            base_sequence: r.i32()?,
            record_count: r.i32()?,
        };
        if magic != MAGIC {
            return Err(corrupt(format!(
                "unsupported magic {magic} (expected {MAGIC})"
            )));
        }
        if base_offset < 0 {
            return Err(corrupt(format!("negative base offset {base_offset}")));
        }
        let body_len = usize::try_from(batch_length).unwrap_or(0);
        if body_len < HEADER_LEN - LOG_OVERHEAD {
            return Err(corrupt(format!(
                "batch length {batch_length} is shorter than the batch header"
            )));
        }
        if header.record_count < 0 {
            return Err(corrupt(format!(
                "negative record count {}",
                header.record_count
            )));
        }
        if header.last_offset_delta < header.record_count - 1 {
            return Err(corrupt(format!(
                "last offset delta {} is too small for {} records",
                header.last_offset_delta, header.record_count
            )));
        }
        if base_offset
            .checked_add(i64::from(header.last_offset_delta) + 1)
            .is_none()
        {
            return Err(corrupt(format!(
                "last offset delta {} overflows base offset {base_offset}",
                header.last_offset_delta
            )));
        }
        let room = (body_len - (HEADER_LEN - LOG_OVERHEAD)) / MIN_RECORD_LEN;
        if usize::try_from(header.record_count).unwrap_or(usize::MAX) > room {
            return Err(corrupt(format!(
                "{} records cannot fit in a batch of {batch_length} bytes",
                header.record_count
            )));
        }
        let codec = header.attributes & COMPRESSION_MASK;
        if codec != 0 {
            return Err(corrupt(format!(
                "compression codec {codec} is not supported"
            )));
        }
        Ok(header)
    }

    /// Bytes of the whole batch, header included.
    pub fn total_len(&self) -> usize {
        // parse() guarantees a positive length.
        LOG_OVERHEAD + usize::try_from(self.batch_length).unwrap_or(0)
    }

    /// The offset after the batch's last one.
    pub fn next_offset(&self) -> i64 {
        self.base_offset + i64::from(self.last_offset_delta) + 1
    }

    /// The idempotent-producer identity of the batch, if it has one.
    pub fn producer(&self) -> Option<ProducerSequence> {
        (self.producer_id >= 0 && self.base_sequence >= 0).then_some(ProducerSequence {
            producer_id: self.producer_id,
            first_sequence: self.base_sequence,
        })
    }
}

/// A decoded batch: its header and each record with its offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedBatch {
    pub header: BatchHeader,
    pub records: Vec<(i64, Record)>,
}

/// Encodes `records` as one batch whose first record gets `base_offset`.
///
/// The batch carries the producer's id and first sequence when given; its timestamps are the
/// records' (create time). Fails only when the batch would not fit Kafka's 32-bit lengths.
pub fn encode(
    base_offset: i64,
    records: &[Record],
    producer: Option<ProducerSequence>,
) -> LogResult<Vec<u8>> {
    let base_timestamp = records.first().map_or(NO_TIMESTAMP, |r| r.timestamp);
    let max_timestamp = records
        .iter()
        .map(|r| r.timestamp)
        .max()
        .unwrap_or(NO_TIMESTAMP);
    let mut sizes = Vec::with_capacity(records.len());
    let mut total = HEADER_LEN;
    for (delta, record) in records.iter().enumerate() {
        // The size check below keeps every delta and length within i32.
        let offset_delta = i32::try_from(delta).unwrap_or(i32::MAX);
        let body = record_body_len(
            record,
            record.timestamp.wrapping_sub(base_timestamp),
            offset_delta,
        );
        sizes.push(body);
        total = total.saturating_add(varint_len(len_i32(body)) + body);
    }
    if total - LOG_OVERHEAD > i32::MAX as usize {
        return Err(LogError::BatchTooLarge { bytes: total });
    }
    let (producer_id, producer_epoch, base_sequence) = match producer {
        Some(p) => (p.producer_id, 0, p.first_sequence),
        None => (NO_PRODUCER_ID, NO_PRODUCER_EPOCH, NO_SEQUENCE),
    };

    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(&base_offset.to_be_bytes());
    out.extend_from_slice(&len_i32(total - LOG_OVERHEAD).to_be_bytes());
    // The embedded log is its own single leader, always in epoch 0.
    out.extend_from_slice(&0i32.to_be_bytes());
    out.extend_from_slice(&MAGIC.to_be_bytes());
    out.extend_from_slice(&0u32.to_be_bytes()); // crc, filled in below
    out.extend_from_slice(&0i16.to_be_bytes()); // no compression, create time
    out.extend_from_slice(&len_i32(records.len()).wrapping_sub(1).to_be_bytes());
    out.extend_from_slice(&base_timestamp.to_be_bytes());
    out.extend_from_slice(&max_timestamp.to_be_bytes());
    out.extend_from_slice(&producer_id.to_be_bytes());
    out.extend_from_slice(&producer_epoch.to_be_bytes());
    out.extend_from_slice(&base_sequence.to_be_bytes());
    out.extend_from_slice(&len_i32(records.len()).to_be_bytes());
    for (delta, (record, body_len)) in records.iter().zip(sizes).enumerate() {
        put_varint(&mut out, len_i32(body_len));
        out.push(0); // record attributes: unused
        put_varlong(&mut out, record.timestamp.wrapping_sub(base_timestamp));
        put_varint(&mut out, len_i32(delta));
        put_bytes(&mut out, record.key.as_deref());
        put_bytes(&mut out, record.value.as_deref());
        put_varint(&mut out, len_i32(record.headers.len()));
        for (key, value) in &record.headers {
            put_bytes(&mut out, Some(key.as_bytes()));
            put_bytes(&mut out, value.as_deref());
        }
    }
    let crc = crc32c::crc32c(&out[ATTRIBUTES_OFFSET..]);
    out[CRC_OFFSET..ATTRIBUTES_OFFSET].copy_from_slice(&crc.to_be_bytes());
    Ok(out)
}

/// Decodes the batch at the start of `buf`, checking its CRC and every length in it.
///
/// `buf` may run past the batch; the batch's size is `header.total_len()`. The records'
/// keys and values are slices of `buf`, not copies.
pub fn decode(buf: &Bytes) -> LogResult<DecodedBatch> {
    let header = BatchHeader::parse(buf)?;
    let total = header.total_len();
    if buf.len() < total {
        return Err(corrupt(format!(
            "truncated batch: {} of {total} bytes at offset {}",
            buf.len(),
            header.base_offset
        )));
    }
    let batch = &buf[..total];
    let actual = crc32c::crc32c(&batch[ATTRIBUTES_OFFSET..]);
    if actual != header.crc {
        return Err(corrupt(format!(
            "CRC mismatch in batch at offset {}: stored {:#010x}, computed {actual:#010x}",
            header.base_offset, header.crc
        )));
    }
    let mut r = Reader::new(&batch[HEADER_LEN..]);
    let count = usize::try_from(header.record_count).unwrap_or(0);
    let mut records = Vec::with_capacity(count);
    let mut previous_delta = -1;
    for index in 0..count {
        let (offset_delta, record) =
            decode_record(&mut r, &header, previous_delta, buf).map_err(|e| match e {
                LogError::Corrupt(what) => corrupt(format!(
                    "record {index} of batch at offset {}: {what}",
                    header.base_offset
                )),
                other => other,
            })?;
        previous_delta = offset_delta;
        records.push((header.base_offset + i64::from(offset_delta), record));
    }
    if r.remaining() > 0 {
        return Err(corrupt(format!(
            "batch at offset {} has {} bytes after its last record",
            header.base_offset,
            r.remaining()
        )));
    }
    Ok(DecodedBatch { header, records })
}

/// Decodes the record at `r`, whose offset delta must follow `previous_delta`; `r` reads
/// `batch`, which the key and value are sliced from.
fn decode_record(
    r: &mut Reader<'_>,
    header: &BatchHeader,
    previous_delta: i32,
    batch: &Bytes,
) -> LogResult<(i32, Record)> {
    let len = r
        .length("record")?
        .ok_or_else(|| corrupt("length -1".to_string()))?;
    let mut rec = Reader::new(r.take(len, "record")?);
    rec.i8()?; // record attributes: unused
    let timestamp = header.base_timestamp.wrapping_add(rec.varlong()?);
    let offset_delta = rec.varint()?;
    if offset_delta <= previous_delta || offset_delta > header.last_offset_delta {
        return Err(corrupt(format!(
            "offset delta {offset_delta} does not follow {previous_delta} within {}",
            header.last_offset_delta
        )));
    }
    let key = rec.nullable_bytes("key")?.map(|k| batch.slice_ref(k));
    let value = rec.nullable_bytes("value")?.map(|v| batch.slice_ref(v));
    let header_count = rec
        .length("header count")?
        .ok_or_else(|| corrupt("header count -1".to_string()))?;
    if header_count > rec.remaining() / MIN_HEADER_LEN {
        return Err(corrupt(format!(
            "{header_count} headers cannot fit in {} bytes",
            rec.remaining()
        )));
    }
    let mut headers = Vec::with_capacity(header_count);
    for _ in 0..header_count {
        let name = rec
            .nullable_bytes("header key")?
            .ok_or_else(|| corrupt("a header key is null".to_string()))?;
        let name = std::str::from_utf8(name)
            .map_err(|_| corrupt("a header key is not UTF-8".to_string()))?;
        let value = rec.nullable_bytes("header value")?.map(<[u8]>::to_vec);
        headers.push((name.to_string(), value));
    }
    if rec.remaining() > 0 {
        return Err(corrupt(format!(
            "{} bytes after the last field",
            rec.remaining()
        )));
    }
    Ok((
        offset_delta,
        Record {
            key,
            value,
            timestamp,
            headers,
        },
    ))
}

fn corrupt(what: String) -> LogError {
    LogError::Corrupt(what)
}

/// A length that [`encode`]'s size check has already bounded.
fn len_i32(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

fn record_body_len(record: &Record, timestamp_delta: i64, offset_delta: i32) -> usize {
    let bytes = |b: Option<&[u8]>| match b {
        Some(b) => varint_len(len_i32(b.len())) + b.len(),
        None => 1,
    };
    1 + varlong_len(timestamp_delta)
        + varint_len(offset_delta)
        + bytes(record.key.as_deref())
        + bytes(record.value.as_deref())
        + varint_len(len_i32(record.headers.len()))
        + record
            .headers
            .iter()
            .map(|(k, v)| bytes(Some(k.as_bytes())) + bytes(v.as_deref()))
            .sum::<usize>()
}

fn put_bytes(out: &mut Vec<u8>, bytes: Option<&[u8]>) {
    match bytes {
        Some(b) => {
            put_varint(out, len_i32(b.len()));
            out.extend_from_slice(b);
        }
        None => put_varint(out, -1),
    }
}

fn zigzag32(v: i32) -> u32 {
    ((v << 1) ^ (v >> 31)) as u32
}

fn zigzag64(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn put_varint(out: &mut Vec<u8>, v: i32) {
    put_unsigned(out, u64::from(zigzag32(v)));
}

fn put_varlong(out: &mut Vec<u8>, v: i64) {
    put_unsigned(out, zigzag64(v));
}

fn put_unsigned(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8 & 0x7f) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn unsigned_len(v: u64) -> usize {
    // One byte per started group of seven bits, at least one.
    (64 - (v | 1).leading_zeros() as usize).div_ceil(7)
}

fn varint_len(v: i32) -> usize {
    unsigned_len(u64::from(zigzag32(v)))
}

fn varlong_len(v: i64) -> usize {
    unsigned_len(zigzag64(v))
}

/// A bounds-checked cursor over a byte slice.
struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }

    fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    fn take(&mut self, n: usize, what: &str) -> LogResult<&'a [u8]> {
        if n > self.remaining() {
            return Err(corrupt(format!(
                "{what} needs {n} bytes but only {} remain",
                self.remaining()
            )));
        }
        let bytes = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(bytes)
    }

    fn array<const N: usize>(&mut self) -> LogResult<[u8; N]> {
        let mut a = [0; N];
        a.copy_from_slice(self.take(N, "a fixed-size field")?);
        Ok(a)
    }

    fn i8(&mut self) -> LogResult<i8> {
        Ok(i8::from_be_bytes(self.array()?))
    }

    fn i16(&mut self) -> LogResult<i16> {
        Ok(i16::from_be_bytes(self.array()?))
    }

    fn i32(&mut self) -> LogResult<i32> {
        Ok(i32::from_be_bytes(self.array()?))
    }

    fn u32(&mut self) -> LogResult<u32> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    fn i64(&mut self) -> LogResult<i64> {
        Ok(i64::from_be_bytes(self.array()?))
    }

    /// An unsigned varint of at most `max_bytes` bytes (Kafka: 5 for int, 10 for long).
    fn unsigned(&mut self, max_bytes: usize) -> LogResult<u64> {
        // Most varints in a record (lengths, deltas) are one byte.
        if let Some(&b) = self.buf.get(self.pos)
            && b & 0x80 == 0
        {
            self.pos += 1;
            return Ok(u64::from(b));
        }
        let mut value = 0u64;
        let bytes = &self.buf[self.pos..];
        for (i, &b) in bytes.iter().take(max_bytes).enumerate() {
            // Bits beyond the type's width are dropped, as Java's shifts drop them.
            value |= u64::from(b & 0x7f).checked_shl(7 * i as u32).unwrap_or(0);
            if b & 0x80 == 0 {
                self.pos += i + 1;
                return Ok(value);
            }
        }
        if bytes.len() < max_bytes {
            self.pos = self.buf.len();
            return Err(corrupt(
                "a varint needs 1 bytes but only 0 remain".to_string(),
            ));
        }
        Err(corrupt(format!("varint longer than {max_bytes} bytes")))
    }

    fn varint(&mut self) -> LogResult<i32> {
        let v = self.unsigned(5)? as u32;
        Ok((v >> 1) as i32 ^ -((v & 1) as i32))
    }

    fn varlong(&mut self) -> LogResult<i64> {
        let v = self.unsigned(10)?;
        Ok((v >> 1) as i64 ^ -((v & 1) as i64))
    }

    /// A varint length: `None` for -1, an error below that.
    fn length(&mut self, what: &str) -> LogResult<Option<usize>> {
        match self.varint()? {
            -1 => Ok(None),
            n if n < -1 => Err(corrupt(format!("{what} has invalid length {n}"))),
            n => Ok(Some(n as usize)),
        }
    }

    fn nullable_bytes(&mut self, what: &str) -> LogResult<Option<&'a [u8]>> {
        match self.length(what)? {
            None => Ok(None),
            Some(n) => Ok(Some(self.take(n, what)?)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(key: Option<&[u8]>, value: Option<&[u8]>, timestamp: i64) -> Record {
        Record {
            key: key.map(Bytes::copy_from_slice),
            value: value.map(Bytes::copy_from_slice),
            timestamp,
            headers: vec![],
        }
    }

    fn sample() -> Vec<Record> {
        vec![
            rec(Some(b"k1"), Some(b"v1"), 1_700_000_000_000),
            rec(None, Some(&[0u8; 300]), 1_700_000_000_500),
            // Timestamps need not be ordered; a tombstone with headers.
            Record {
                key: Some(Bytes::from_static(b"k3")),
                value: None,
                timestamp: 1_699_999_999_000,
                headers: vec![("h1".into(), Some(b"x".to_vec())), ("h2".into(), None)],
            },
        ]
    }

    #[test]
    fn round_trip() {
        let producer = ProducerSequence {
            producer_id: 42,
            first_sequence: 7,
        };
        let bytes = encode(100, &sample(), Some(producer)).unwrap();
        let batch = decode(&Bytes::from(bytes.clone())).unwrap();
        assert_eq!(batch.header.total_len(), bytes.len());
        assert_eq!(batch.header.next_offset(), 103);
        assert_eq!(batch.header.max_timestamp, 1_700_000_000_500);
        assert_eq!(batch.header.base_timestamp, 1_700_000_000_000);
        assert_eq!(batch.header.producer(), Some(producer));
        let offsets: Vec<i64> = batch.records.iter().map(|(o, _)| *o).collect();
        assert_eq!(offsets, vec![100, 101, 102]);
        let records: Vec<Record> = batch.records.into_iter().map(|(_, r)| r).collect();
        assert_eq!(records, sample());
    }

    #[test]
    fn round_trip_without_producer_and_extreme_timestamps() {
        let records = vec![
            rec(Some(b""), Some(b""), i64::MAX),
            rec(None, None, i64::MIN),
        ];
        let bytes = encode(0, &records, None).unwrap();
        let batch = decode(&Bytes::from(bytes.clone())).unwrap();
        assert_eq!(batch.header.producer(), None);
        assert_eq!(batch.header.producer_id, -1);
        assert_eq!(batch.header.base_sequence, -1);
        let decoded: Vec<Record> = batch.records.into_iter().map(|(_, r)| r).collect();
        assert_eq!(decoded, records);
    }

    #[test]
    fn crc32c_is_castagnoli() {
        // The standard check value of CRC-32C.
        assert_eq!(crc32c::crc32c(b"123456789"), 0xE306_9283);
    }

    #[test]
    fn byte_layout_matches_kafka_spec() {
        let record = Record {
            key: Some(Bytes::from_static(b"k")),
            value: Some(Bytes::from_static(b"v")),
            timestamp: 1000,
            headers: vec![("h".into(), Some(b"x".to_vec()))],
        };
        let producer = ProducerSequence {
            producer_id: 7,
            first_sequence: 3,
        };
        let bytes = encode(5, &[record], Some(producer)).unwrap();

        let mut expected = Vec::new();
        expected.extend_from_slice(&5i64.to_be_bytes()); // baseOffset
        expected.extend_from_slice(&62i32.to_be_bytes()); // batchLength = 74 - 12
        expected.extend_from_slice(&0i32.to_be_bytes()); // partitionLeaderEpoch
        expected.push(2); // magic
        expected.extend_from_slice(&[0; 4]); // crc, checked below
        expected.extend_from_slice(&0i16.to_be_bytes()); // attributes
        expected.extend_from_slice(&0i32.to_be_bytes()); // lastOffsetDelta
        expected.extend_from_slice(&1000i64.to_be_bytes()); // baseTimestamp
        expected.extend_from_slice(&1000i64.to_be_bytes()); // maxTimestamp
        expected.extend_from_slice(&7i64.to_be_bytes()); // producerId
        expected.extend_from_slice(&0i16.to_be_bytes()); // producerEpoch
        expected.extend_from_slice(&3i32.to_be_bytes()); // baseSequence
        expected.extend_from_slice(&1i32.to_be_bytes()); // records count
        assert_eq!(expected.len(), HEADER_LEN);
        expected.extend_from_slice(&[
            0x18, // length 12, zig-zag
            0x00, // attributes
            0x00, // timestampDelta 0
            0x00, // offsetDelta 0
            0x02, b'k', // key length 1
            0x02, b'v', // value length 1
            0x02, // one header
            0x02, b'h', // header key length 1
            0x02, b'x', // header value length 1
        ]);
        let crc = crc32c::crc32c(&bytes[21..]);
        expected[17..21].copy_from_slice(&crc.to_be_bytes());
        assert_eq!(bytes, expected);
    }

    #[test]
    fn varints_match_kafka() {
        let cases: &[(i32, &[u8])] = &[
            (0, &[0x00]),
            (-1, &[0x01]),
            (1, &[0x02]),
            (63, &[0x7e]),
            (-64, &[0x7f]),
            (64, &[0x80, 0x01]),
            (300, &[0xd8, 0x04]),
            (i32::MAX, &[0xfe, 0xff, 0xff, 0xff, 0x0f]),
            (i32::MIN, &[0xff, 0xff, 0xff, 0xff, 0x0f]),
        ];
        for &(v, bytes) in cases {
            let mut out = Vec::new();
            put_varint(&mut out, v);
            assert_eq!(out, bytes, "{v}");
            assert_eq!(varint_len(v), bytes.len(), "{v}");
            assert_eq!(Reader::new(bytes).varint().unwrap(), v);
        }
        for v in [0, 1, -1, i64::MAX, i64::MIN, 1 << 40] {
            let mut out = Vec::new();
            put_varlong(&mut out, v);
            assert_eq!(varlong_len(v), out.len(), "{v}");
            assert_eq!(Reader::new(&out).varlong().unwrap(), v);
        }
        assert!(Reader::new(&[0xff; 6]).varint().is_err());
        assert!(Reader::new(&[0xff; 11]).varlong().is_err());
    }

    #[test]
    fn flipped_byte_is_detected() {
        let bytes = encode(0, &sample(), None).unwrap();
        // baseOffset and partitionLeaderEpoch are outside the CRC, as in Kafka; the log checks
        // base offsets against its own. Every other byte is covered.
        for pos in (8..12).chain(16..bytes.len()) {
            for bit in [0x01, 0x80] {
                let mut bad = bytes.clone();
                bad[pos] ^= bit;
                assert!(
                    matches!(decode(&Bytes::from(bad.clone())), Err(LogError::Corrupt(_))),
                    "flipping {bit:#x} at byte {pos} went unnoticed"
                );
            }
        }
    }

    #[test]
    fn truncated_input_is_detected() {
        let bytes = encode(0, &sample(), None).unwrap();
        for len in 0..bytes.len() {
            let err = decode(&Bytes::copy_from_slice(&bytes[..len])).unwrap_err();
            assert!(
                matches!(err, LogError::Corrupt(ref m) if m.contains("truncated")),
                "{err}"
            );
        }
    }

    #[test]
    fn bad_lengths_inside_a_valid_crc_are_detected() {
        let mut bytes = encode(0, &[rec(Some(b"k"), Some(b"v"), 1)], None).unwrap();
        // Key length 1 (0x02) becomes 5 (0x0a), past the end of the record.
        bytes[HEADER_LEN + 4] = 0x0a;
        let crc = crc32c::crc32c(&bytes[ATTRIBUTES_OFFSET..]);
        bytes[CRC_OFFSET..ATTRIBUTES_OFFSET].copy_from_slice(&crc.to_be_bytes());
        let err = decode(&Bytes::from(bytes.clone())).unwrap_err();
        assert!(err.to_string().contains("key needs 5 bytes"), "{err}");
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        // xorshift: deterministic noise, mutated into valid-CRC batches so that the record
        // parser (not just the CRC check) sees garbage.
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let good = encode(0, &sample(), None).unwrap();
        for _ in 0..20_000 {
            let mut bytes = good.clone();
            for _ in 0..(next() % 4 + 1) {
                let pos = HEADER_LEN - 4 + (next() as usize % (bytes.len() - HEADER_LEN + 4));
                bytes[pos] = next() as u8;
            }
            let crc = crc32c::crc32c(&bytes[ATTRIBUTES_OFFSET..]);
            bytes[CRC_OFFSET..ATTRIBUTES_OFFSET].copy_from_slice(&crc.to_be_bytes());
            let _ = decode(&Bytes::from(bytes.clone()));
            let len = next() as usize % 200;
            let noise: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            let _ = decode(&Bytes::from(noise.clone()));
        }
    }
}
