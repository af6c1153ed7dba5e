//! Reading a source: log records → an Arrow batch of the source's columns.
//!
//! Each record's key and value are decoded with the source's formats; the pseudo columns
//! ROWTIME, ROWPARTITION and ROWOFFSET come from the record's position. A record that does
//! not decode is reported and skipped; stream records with a null value are skipped, as
//! ksqlDB skips them.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, new_empty_array};
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::scalar::ScalarValue;

use super::{ExecResult, RecordError, RecordErrorKind};
use crate::catalog::Source;
use crate::catalog::schema::{Column, ColumnKind};
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
        let key_columns: Vec<Column> = source.schema.key_columns().cloned().collect();
        let value_columns: Vec<Column> = source.schema.value_columns().cloned().collect();
        let mut keys = 0;
        let mut values = 0;
        let layout = source
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
            key_columns,
            value_columns,
            layout,
            timestamp_column,
            timestamp_format: source
                .timestamp
                .as_ref()
                .and_then(|t| t.format.as_deref())
                .and_then(|pattern| JavaFormat::compile(pattern).ok()),
            schema,
            source: source.clone(),
        }
    }

    /// Decodes `records` into one batch; undecodable records go to `errors`.
    pub fn decode(
        &self,
        records: &[StoredRecord],
        errors: &mut Vec<RecordError>,
    ) -> ExecResult<RecordBatch> {
        let width = self.schema.fields().len();
        let mut columns: Vec<Vec<ScalarValue>> = (0..width)
            .map(|_| Vec::with_capacity(records.len()))
            .collect();
        for stored in records {
            let Some(row) = self.decode_one(stored, errors) else {
                continue;
            };
            for (column, value) in columns.iter_mut().zip(row) {
                column.push(value);
            }
        }
        let arrays = columns
            .into_iter()
            .zip(self.schema.fields())
            .map(|(values, field)| {
                if values.is_empty() {
                    Ok(new_empty_array(field.data_type()))
                } else {
                    ScalarValue::iter_to_array(values)
                }
            })
            .collect::<Result<Vec<ArrayRef>, _>>()?;
        Ok(RecordBatch::try_new(self.schema.clone(), arrays)?)
    }

    /// One record as a row of the input schema, or `None` if it is skipped.
    fn decode_one(
        &self,
        stored: &StoredRecord,
        errors: &mut Vec<RecordError>,
    ) -> Option<Vec<ScalarValue>> {
        let record = &stored.record;
        let fail = |errors: &mut Vec<RecordError>, message: String, bytes: Option<&Vec<u8>>| {
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
                Slot::Header(name) => ScalarValue::Binary(
                    record
                        .headers
                        .iter()
                        .rev()
                        .find(|(k, _)| k == name)
                        .and_then(|(_, v)| v.clone()),
                ),
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

/// The ROWTIME a TIMESTAMP column gives: BIGINT milliseconds, a TIMESTAMP, or a string in
/// TIMESTAMP_FORMAT (UTC unless the pattern has a zone).
fn timestamp_millis(value: &ScalarValue, format: Option<&JavaFormat>) -> Option<i64> {
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
