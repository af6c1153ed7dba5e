//! Reading a source: log records → an Arrow batch of the source's columns.
//!
//! Each record's key and value are decoded with the source's formats; the pseudo columns
//! ROWTIME, ROWPARTITION and ROWOFFSET come from the record's position. A record that does
//! not decode is reported and skipped; stream records with a null value are skipped, as
//! ksqlDB skips them.

use bytes::Bytes;
use std::sync::Arc;

use datafusion::arrow::array::{
    ArrayRef, BooleanBuilder, Float64Builder, Int32Builder, Int64Builder, StringBuilder,
    new_empty_array,
};
use datafusion::arrow::datatypes::{DataType, Schema, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::scalar::ScalarValue;

use super::record_headers::{self, RecordHeaders};
use super::{ExecError, ExecResult, RecordError, RecordErrorKind};
use crate::catalog::Source;
use crate::catalog::schema::{Column, ColumnKind};
use crate::exec::windowed_key::WindowedKeys;
use crate::format::{FlatCell, FlatRecordReader};
use crate::func::date::java_format::JavaFormat;
use crate::func::date::zone::Zone;
use crate::log::StoredRecord;

/// Decodes records of one source into batches of `plan::select::input_schema`.
pub struct SourceDecoder {
    topic: String,
    key_columns: Vec<Column>,
    value_columns: Vec<Column>,
    /// Each source column, in schema order, with where its value comes from.
    layout: Vec<Slot>,
    /// Index into value columns of the TIMESTAMP column, when ROWTIME comes from it.
    timestamp_column: Option<usize>,
    /// TIMESTAMP_FORMAT, when the TIMESTAMP column is a string to parse.
    timestamp_format: Option<JavaFormat>,
    schema: SchemaRef,
    source: Source,
    /// Reads values straight from their bytes, when the value format has a reader for the
    /// value columns and no column is HEADERS.
    flat_reader: Option<FlatRecordReader>,
    /// A windowed source's keys: `schema` then lacks the window bounds this appends.
    windowed: Option<WindowedKeys>,
    /// Per schema column, the text bytes per row of the last batch: a STRING column's
    /// builder starts with room for that much, so that it is not grown (and copied) while
    /// the batch is decoded.
    text_bytes_per_row: Vec<usize>,
    /// Reading a join side's repartition topic: how its rows become the side's own.
    side_rows: Option<SideRows>,
}

/// Where each column of a join side's own rows sits in its repartition topic's decoded
/// rows, and the side's row schema.
struct SideRows {
    positions: Vec<usize>,
    schema: SchemaRef,
}

impl SideRows {
    fn restore(&self, decoded: RecordBatch) -> ExecResult<RecordBatch> {
        let columns = self.positions.iter().map(|&i| decoded.column(i).clone());
        let rows = RecordBatch::try_new(self.schema.clone(), columns.collect())?;
        record_headers::carry(&decoded, rows)
    }
}

/// Where a source column's value is found in a decoded record.
#[derive(Debug, Clone)]
enum Slot {
    Key(usize),
    Value(usize),
    Headers,
    Header(String),
}

impl SourceDecoder {
    pub fn new(source: &Source, schema: SchemaRef) -> Self {
        let (schema, windowed) = match source.window {
            Some(window) => {
                let fields = schema.fields();
                let base = Schema::new(fields[..fields.len() - 2].to_vec());
                (Arc::new(base), Some(WindowedKeys::new(window, schema)))
            }
            None => (schema, None),
        };
        let key_columns: Vec<Column> = source.schema.key_columns().cloned().collect();
        let value_columns: Vec<Column> = source.schema.value_columns().cloned().collect();
        let mut keys = 0;
        let mut values = 0;
        let layout: Vec<Slot> = source
            .schema
            .columns
            .iter()
            .map(|c| match &c.kind {
                ColumnKind::Key => {
                    keys += 1;
                    Slot::Key(keys - 1)
                }
                ColumnKind::Value => {
                    values += 1;
                    Slot::Value(values - 1)
                }
                ColumnKind::Header(None) => Slot::Headers,
                ColumnKind::Header(Some(k)) => Slot::Header(k.clone()),
            })
            .collect();
        let timestamp_column = source
            .timestamp
            .as_ref()
            .and_then(|t| value_columns.iter().position(|c| c.name == t.column));
        SourceDecoder {
            topic: source.topic.clone(),
            timestamp_column,
            timestamp_format: source
                .timestamp
                .as_ref()
                .and_then(|t| t.format.as_deref())
                .and_then(|pattern| JavaFormat::compile(pattern).ok()),
            flat_reader: if layout.iter().any(|s| matches!(s, Slot::Headers)) {
                None
            } else {
                source.value_format.flat_reader(&value_columns)
            },
            key_columns,
            value_columns,
            layout,
            text_bytes_per_row: vec![0; schema.fields().len()],
            schema,
            windowed,
            source: source.clone(),
            side_rows: None,
        }
    }

    /// Decodes a join side's repartition topic (`plan::repartition`), whose rows are
    /// `topic_schema`, into the side's own rows, `side_schema`: the topic's value holds the
    /// side's ROWPARTITION, ROWOFFSET and columns after the topic's own pseudo columns and
    /// key, and the record keeps the side's timestamp and headers.
    pub fn repartitioned(topic: &Source, topic_schema: SchemaRef, side_schema: SchemaRef) -> Self {
        // The topic's rows: ROWTIME, its own ROWPARTITION and ROWOFFSET, its key, the side's
        // ROWPARTITION, ROWOFFSET and columns, TOMBSTONE. The side's: ROWTIME, its
        // ROWPARTITION, ROWOFFSET and columns, TOMBSTONE.
        const SIDE_ROW_START: usize = 4;
        let mut decoder = SourceDecoder::new(topic, topic_schema);
        let carried = side_schema.fields().len() - 2;
        let tombstone = decoder.schema.fields().len() - 1;
        let positions = std::iter::once(0)
            .chain(SIDE_ROW_START..SIDE_ROW_START + carried)
            .chain(std::iter::once(tombstone))
            .collect();
        decoder.side_rows = Some(SideRows {
            positions,
            schema: side_schema,
        });
        decoder
    }

    /// Decodes `records` into one batch; undecodable records go to `errors`.
    pub fn decode(
        &mut self,
        records: &[StoredRecord],
        errors: &mut Vec<RecordError>,
    ) -> ExecResult<RecordBatch> {
        if let Some(side_rows) = self.side_rows.take() {
            let batch = self
                .decode_records(records, errors)
                .and_then(|decoded| side_rows.restore(decoded));
            self.side_rows = Some(side_rows);
            return batch;
        }
        let Some(windowed) = self.windowed.take() else {
            return self.decode_records(records, errors);
        };
        let (stripped, bounds) = windowed.split(records, &self.topic, errors);
        let decoded = self.decode_records(&stripped, errors);
        let batch = decoded.and_then(|batch| windowed.append_bounds(batch, &bounds));
        self.windowed = Some(windowed);
        batch
    }

    fn decode_records(
        &mut self,
        records: &[StoredRecord],
        errors: &mut Vec<RecordError>,
    ) -> ExecResult<RecordBatch> {
        let rows = records.len();
        let mut builders: Vec<ColumnBuilder> = self
            .schema
            .fields()
            .iter()
            .zip(&self.text_bytes_per_row)
            .map(|(f, per_row)| ColumnBuilder::new(f.data_type(), rows, per_row * rows))
            .collect();
        let mut cells = Vec::with_capacity(self.value_columns.len());
        // Each decoded row's record headers, so that the query's output keeps them; kept
        // only when some record has headers (most streams have none).
        let keep_headers = records.iter().any(|s| !s.record.headers.is_empty());
        let mut row_headers: Vec<&RecordHeaders> = Vec::new();
        for stored in records {
            if self.decode_flat(stored, &mut cells, &mut builders)? {
                if keep_headers {
                    row_headers.push(&stored.record.headers);
                }
                continue;
            }
            let Some(row) = self.decode_one(stored, errors) else {
                continue;
            };
            for (builder, value) in builders.iter_mut().zip(row) {
                builder.push_scalar(value)?;
            }
            if keep_headers {
                row_headers.push(&stored.record.headers);
            }
        }
        for (builder, per_row) in builders.iter().zip(&mut self.text_bytes_per_row) {
            if let ColumnBuilder::Utf8(b) = builder
                && rows > 0
            {
                *per_row = b.values_slice().len().div_ceil(rows);
            }
        }
        let arrays = builders
            .into_iter()
            .map(ColumnBuilder::finish)
            .collect::<ExecResult<Vec<ArrayRef>>>()?;
        let batch = RecordBatch::try_new(self.schema.clone(), arrays)?;
        if !keep_headers {
            return Ok(batch);
        }
        record_headers::attach(batch, &row_headers)
    }

    /// Appends a record whose value the flat reader reads; false, with nothing appended, for
    /// a record `decode_one` must decode (it also reports the errors).
    fn decode_flat<'a>(
        &mut self,
        stored: &'a StoredRecord,
        cells: &mut Vec<FlatCell<'a>>,
        builders: &mut [ColumnBuilder],
    ) -> ExecResult<bool> {
        let record = &stored.record;
        let (Some(reader), Some(bytes)) = (self.flat_reader.as_mut(), record.value.as_deref())
        else {
            return Ok(false);
        };
        if !reader.read(bytes, cells) {
            return Ok(false);
        }
        let key = if self.key_columns.is_empty() {
            Vec::new()
        } else {
            match self
                .source
                .key_format
                .decode(record.key.as_deref(), &self.key_columns)
            {
                Ok(Some(key)) => key,
                _ => return Ok(false),
            }
        };
        let rowtime = match self.timestamp_column.map(|i| cells[i]) {
            None => record.timestamp,
            Some(FlatCell::Bigint(millis)) => millis,
            Some(FlatCell::Int(millis)) => i64::from(millis),
            Some(_) => return Ok(false),
        };
        let (fixed, columns) = builders.split_at_mut(3);
        fixed[0].push_cell(FlatCell::Bigint(rowtime))?;
        fixed[1].push_cell(FlatCell::Int(stored.partition as i32))?;
        fixed[2].push_cell(FlatCell::Bigint(stored.offset))?;
        // The builders after the layout's take the trailing tombstone flag.
        let (columns, tombstone) = columns.split_at_mut(self.layout.len());
        for (slot, builder) in self.layout.iter().zip(columns) {
            match slot {
                Slot::Key(i) => builder.push_scalar(key[*i].clone())?,
                Slot::Value(i) => builder.push_cell(cells[*i])?,
                Slot::Header(name) => builder.push_scalar(header_value(&record.headers, name))?,
                Slot::Headers => {
                    return Err(ExecError::Internal(
                        "a source with HEADERS has no flat reader".into(),
                    ));
                }
            }
        }
        for builder in tombstone {
            builder.push_cell(FlatCell::Boolean(false))?;
        }
        Ok(true)
    }

    /// One record as a row of the input schema, or `None` if it is skipped.
    fn decode_one(
        &self,
        stored: &StoredRecord,
        errors: &mut Vec<RecordError>,
    ) -> Option<Vec<ScalarValue>> {
        let record = &stored.record;
        let fail = |errors: &mut Vec<RecordError>, message: String, bytes: Option<&Bytes>| {
            errors.push(RecordError {
                kind: RecordErrorKind::Deserialization,
                topic: self.topic.clone(),
                partition: stored.partition,
                offset: stored.offset,
                message,
                record: bytes.cloned(),
            });
        };
        let mut tombstone = false;
        let value = match self
            .source
            .value_format
            .decode(record.value.as_deref(), &self.value_columns)
        {
            Ok(Some(value)) => value,
            // ksqlDB: a record with a null value still flows through a stream query, its
            // value columns null; the sink writes it with a null value.
            Ok(None) => {
                tombstone = true;
                self.value_columns
                    .iter()
                    .map(|c| ScalarValue::try_from(&c.ty.to_arrow()))
                    .collect::<Result<_, _>>()
                    .ok()?
            }
            Err(e) => {
                fail(
                    errors,
                    format!(
                        "Failed to deserialize value from topic: {}. {e}",
                        self.topic
                    ),
                    record.value.as_ref(),
                );
                return None;
            }
        };
        let key = if self.key_columns.is_empty() {
            Vec::new()
        } else {
            match self
                .source
                .key_format
                .decode(record.key.as_deref(), &self.key_columns)
            {
                Ok(Some(key)) => key,
                Ok(None) => self
                    .key_columns
                    .iter()
                    .map(|c| ScalarValue::try_from(&c.ty.to_arrow()))
                    .collect::<Result<_, _>>()
                    .ok()?,
                Err(e) => {
                    fail(
                        errors,
                        format!("Failed to deserialize key from topic: {}. {e}", self.topic),
                        record.key.as_ref(),
                    );
                    return None;
                }
            }
        };
        let rowtime = match self.timestamp_column {
            Some(_) if tombstone => record.timestamp,
            Some(i) => match timestamp_millis(&value[i], self.timestamp_format.as_ref()) {
                Some(ts) => ts,
                None => {
                    fail(
                        errors,
                        "Timestamp column is null or not a timestamp".into(),
                        record.value.as_ref(),
                    );
                    return None;
                }
            },
            None => record.timestamp,
        };
        let mut row = Vec::with_capacity(self.layout.len() + 3);
        row.push(ScalarValue::Int64(Some(rowtime)));
        row.push(ScalarValue::Int32(Some(stored.partition as i32)));
        row.push(ScalarValue::Int64(Some(stored.offset)));
        for (slot, field) in self.layout.iter().zip(self.schema.fields().iter().skip(3)) {
            // The zip stops before the trailing tombstone flag.
            let cell = match slot {
                Slot::Key(i) => key[*i].clone(),
                Slot::Value(i) => value[*i].clone(),
                Slot::Header(name) => header_value(&record.headers, name),
                Slot::Headers => match headers_value(&record.headers, field.data_type()) {
                    Ok(v) => v,
                    Err(e) => {
                        fail(errors, e.to_string(), None);
                        return None;
                    }
                },
            };
            row.push(cell);
        }
        row.push(ScalarValue::Boolean(Some(tombstone)));
        Some(row)
    }
}

/// One column of the batch being decoded: an Arrow builder for flat types, the values
/// otherwise.
enum ColumnBuilder {
    Boolean(BooleanBuilder),
    Int32(Int32Builder),
    Int64(Int64Builder),
    Float64(Float64Builder),
    Utf8(StringBuilder),
    Other(DataType, Vec<ScalarValue>),
}

impl ColumnBuilder {
    /// A builder for `capacity` rows; a STRING column's with room for `text_bytes` bytes.
    fn new(data_type: &DataType, capacity: usize, text_bytes: usize) -> ColumnBuilder {
        match data_type {
            DataType::Boolean => ColumnBuilder::Boolean(BooleanBuilder::with_capacity(capacity)),
            DataType::Int32 => ColumnBuilder::Int32(Int32Builder::with_capacity(capacity)),
            DataType::Int64 => ColumnBuilder::Int64(Int64Builder::with_capacity(capacity)),
            DataType::Float64 => ColumnBuilder::Float64(Float64Builder::with_capacity(capacity)),
            DataType::Utf8 => {
                ColumnBuilder::Utf8(StringBuilder::with_capacity(capacity, text_bytes))
            }
            other => ColumnBuilder::Other(other.clone(), Vec::with_capacity(capacity)),
        }
    }

    fn push_scalar(&mut self, value: ScalarValue) -> ExecResult<()> {
        match (self, value) {
            (ColumnBuilder::Boolean(b), ScalarValue::Boolean(v)) => b.append_option(v),
            (ColumnBuilder::Int32(b), ScalarValue::Int32(v)) => b.append_option(v),
            (ColumnBuilder::Int64(b), ScalarValue::Int64(v)) => b.append_option(v),
            (ColumnBuilder::Float64(b), ScalarValue::Float64(v)) => b.append_option(v),
            (ColumnBuilder::Utf8(b), ScalarValue::Utf8(v)) => b.append_option(v),
            (ColumnBuilder::Other(_, values), value) => values.push(value),
            (builder, value) => return Err(builder.mismatch(&value.data_type())),
        }
        Ok(())
    }

    fn push_cell(&mut self, cell: FlatCell) -> ExecResult<()> {
        match (self, cell) {
            (ColumnBuilder::Boolean(b), FlatCell::Null) => b.append_null(),
            (ColumnBuilder::Int32(b), FlatCell::Null) => b.append_null(),
            (ColumnBuilder::Int64(b), FlatCell::Null) => b.append_null(),
            (ColumnBuilder::Float64(b), FlatCell::Null) => b.append_null(),
            (ColumnBuilder::Utf8(b), FlatCell::Null) => b.append_null(),
            (ColumnBuilder::Boolean(b), FlatCell::Boolean(v)) => b.append_value(v),
            (ColumnBuilder::Int32(b), FlatCell::Int(v)) => b.append_value(v),
            (ColumnBuilder::Int64(b), FlatCell::Bigint(v)) => b.append_value(v),
            (ColumnBuilder::Float64(b), FlatCell::Double(v)) => b.append_value(v),
            (ColumnBuilder::Utf8(b), FlatCell::String(v)) => b.append_value(v),
            (builder, cell) => {
                return Err(ExecError::Internal(format!(
                    "decoded {cell:?} for a {} column",
                    builder.data_type()
                )));
            }
        }
        Ok(())
    }

    fn data_type(&self) -> DataType {
        match self {
            ColumnBuilder::Boolean(_) => DataType::Boolean,
            ColumnBuilder::Int32(_) => DataType::Int32,
            ColumnBuilder::Int64(_) => DataType::Int64,
            ColumnBuilder::Float64(_) => DataType::Float64,
            ColumnBuilder::Utf8(_) => DataType::Utf8,
            ColumnBuilder::Other(data_type, _) => data_type.clone(),
        }
    }

    fn mismatch(&self, found: &DataType) -> ExecError {
        ExecError::Internal(format!(
            "decoded a {found} value for a {} column",
            self.data_type()
        ))
    }

    fn finish(self) -> ExecResult<ArrayRef> {
        Ok(match self {
            ColumnBuilder::Boolean(mut b) => Arc::new(b.finish()),
            ColumnBuilder::Int32(mut b) => Arc::new(b.finish()),
            ColumnBuilder::Int64(mut b) => Arc::new(b.finish()),
            ColumnBuilder::Float64(mut b) => Arc::new(b.finish()),
            ColumnBuilder::Utf8(mut b) => Arc::new(b.finish()),
            ColumnBuilder::Other(data_type, values) if values.is_empty() => {
                new_empty_array(&data_type)
            }
            ColumnBuilder::Other(_, values) => ScalarValue::iter_to_array(values)?,
        })
    }
}

/// The last value of header `name`, null when there is none.
fn header_value(headers: &[(String, Option<Vec<u8>>)], name: &str) -> ScalarValue {
    ScalarValue::Binary(
        headers
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .and_then(|(_, v)| v.clone()),
    )
}

/// The ROWTIME a TIMESTAMP column gives: BIGINT milliseconds, a TIMESTAMP, or a string in
/// TIMESTAMP_FORMAT (UTC unless the pattern has a zone).
pub(crate) fn timestamp_millis(value: &ScalarValue, format: Option<&JavaFormat>) -> Option<i64> {
    match value {
        ScalarValue::Utf8(Some(text)) => format?
            .parse(text)
            .and_then(|parsed| parsed.instant_millis(&Zone::utc()))
            .ok(),
        ScalarValue::Int64(v) => *v,
        ScalarValue::Int32(v) => v.map(i64::from),
        ScalarValue::TimestampMillisecond(v, _) => *v,
        _ => None,
    }
}

/// HEADERS as ksqlDB types them: ARRAY<STRUCT<KEY STRING, VALUE BYTES>>.
fn headers_value(
    headers: &[(String, Option<Vec<u8>>)],
    data_type: &datafusion::arrow::datatypes::DataType,
) -> datafusion::error::Result<ScalarValue> {
    use datafusion::arrow::array::{Array, BinaryArray, StringArray, StructArray};
    use datafusion::arrow::datatypes::DataType;
    let DataType::List(item) = data_type else {
        return ScalarValue::try_from(data_type);
    };
    let DataType::Struct(fields) = item.data_type() else {
        return ScalarValue::try_from(data_type);
    };
    let keys = StringArray::from_iter_values(headers.iter().map(|(k, _)| k.as_str()));
    let values: BinaryArray = headers.iter().map(|(_, v)| v.as_deref()).collect();
    let entries = StructArray::try_new(
        fields.clone(),
        vec![Arc::new(keys) as ArrayRef, Arc::new(values) as ArrayRef],
        None,
    )?;
    let list = ScalarValue::new_list_nullable(
        &(0..Array::len(&entries))
            .map(|i| ScalarValue::try_from_array(&entries, i))
            .collect::<Result<Vec<_>, _>>()?,
        &DataType::Struct(fields.clone()),
    );
    Ok(ScalarValue::List(list))
}
