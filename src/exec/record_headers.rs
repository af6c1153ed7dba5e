//! The Kafka headers of each row's input record, carried from the source to the sink in a
//! hidden column, so that a query's output records keep their input's headers, as Kafka
//! Streams forwards them (and ksqlDB's outputs show them).
//!
//! The source decoder adds the column only to batches whose records have headers, so a
//! query over header-less records pays nothing; operators that keep their input rows pass
//! it on (`carry`), others take it off first (`detach`) and pass on what fits their output;
//! the sink writes it back as record headers (`Headers::of`).

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BinaryBuilder, ListArray, ListBuilder, RecordBatch, StringBuilder,
    StructBuilder,
};
use datafusion::arrow::datatypes::{DataType, Field, Fields, Schema};

use super::ExecResult;

/// Name of the hidden column; `$` cannot start a ksqlDB identifier.
pub const RECORD_HEADERS: &str = "$HEADERS";

/// One record's headers: key and value (a header value may be null).
pub type RecordHeaders = [(String, Option<Vec<u8>>)];

fn entry_fields() -> Fields {
    Fields::from(vec![
        Field::new("key", DataType::Utf8, false),
        Field::new("value", DataType::Binary, true),
    ])
}

/// `batch` with each row's headers added, unless no row has any.
pub fn attach(batch: RecordBatch, rows: &[&RecordHeaders]) -> ExecResult<RecordBatch> {
    if rows.iter().all(|headers| headers.is_empty()) {
        return Ok(batch);
    }
    let mut builder = ListBuilder::new(StructBuilder::new(
        entry_fields(),
        vec![
            Box::new(StringBuilder::new()),
            Box::new(BinaryBuilder::new()),
        ],
    ));
    for headers in rows {
        let entries = builder.values();
        for (key, value) in headers.iter() {
            entries
                .field_builder::<StringBuilder>(0)
                .expect("entry key builder")
                .append_value(key);
            entries
                .field_builder::<BinaryBuilder>(1)
                .expect("entry value builder")
                .append_option(value.as_deref());
            entries.append(true);
        }
        builder.append(true);
    }
    reattach(batch, Arc::new(builder.finish()))
}

/// `output` with `input`'s headers column, when `input` has one and the two batches have the
/// same rows (an operator that keeps each input row, in order).
pub fn carry(input: &RecordBatch, output: RecordBatch) -> ExecResult<RecordBatch> {
    match input.column_by_name(RECORD_HEADERS) {
        Some(headers)
            if headers.len() == output.num_rows()
                && output.column_by_name(RECORD_HEADERS).is_none() =>
        {
            reattach(output, headers.clone())
        }
        _ => Ok(output),
    }
}

/// `batch` without its headers column, and that column: for an operator whose output rows
/// are not its input rows one for one, which decides what to do with the headers.
pub fn detach(batch: RecordBatch) -> ExecResult<(RecordBatch, Option<ArrayRef>)> {
    let Ok(index) = batch.schema().index_of(RECORD_HEADERS) else {
        return Ok((batch, None));
    };
    let headers = batch.column(index).clone();
    let mut batch = batch;
    batch.remove_column(index);
    Ok((batch, Some(headers)))
}

/// `batch` with `headers` (one entry per row) as its headers column: one `detach` took off,
/// or one built for its rows.
pub fn reattach(batch: RecordBatch, headers: ArrayRef) -> ExecResult<RecordBatch> {
    let mut fields: Vec<Arc<Field>> = batch.schema().fields().iter().cloned().collect();
    fields.push(Arc::new(Field::new(
        RECORD_HEADERS,
        headers.data_type().clone(),
        true,
    )));
    let mut columns = batch.columns().to_vec();
    columns.push(headers);
    Ok(RecordBatch::try_new(
        Arc::new(Schema::new(fields)),
        columns,
    )?)
}

/// The headers of a batch's rows, for writing them back to records.
pub struct Headers<'a>(Option<&'a ListArray>);

impl<'a> Headers<'a> {
    pub fn of(batch: &'a RecordBatch) -> Headers<'a> {
        Headers(
            batch
                .column_by_name(RECORD_HEADERS)
                .and_then(|c| c.as_list_opt::<i32>()),
        )
    }

    /// Row `row`'s headers, in order; none when the batch carries none.
    pub fn row(&self, row: usize) -> Vec<(String, Option<Vec<u8>>)> {
        let Some(list) = self.0 else {
            return Vec::new();
        };
        if list.is_null(row) {
            return Vec::new();
        }
        let entries = list.value(row);
        let entries = entries.as_struct();
        let keys = entries.column(0).as_string::<i32>();
        let values = entries.column(1).as_binary::<i32>();
        (0..entries.len())
            .map(|i| {
                (
                    keys.value(i).to_string(),
                    values.is_valid(i).then(|| values.value(i).to_vec()),
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::Int64Array;

    fn batch(rows: usize) -> RecordBatch {
        let schema = Arc::new(Schema::new(vec![Field::new("V", DataType::Int64, true)]));
        RecordBatch::try_new(
            schema,
            vec![Arc::new(Int64Array::from_iter_values(0..rows as i64))],
        )
        .unwrap()
    }

    #[test]
    fn headers_go_in_and_come_back_out() {
        let first: Vec<(String, Option<Vec<u8>>)> =
            vec![("abc".into(), Some(vec![33])), ("abc".into(), None)];
        let none: Vec<(String, Option<Vec<u8>>)> = Vec::new();
        let with = attach(batch(2), &[&first, &none]).unwrap();
        let headers = Headers::of(&with);
        assert_eq!(headers.row(0), first);
        assert_eq!(headers.row(1), none);

        let carried = carry(&with, batch(2)).unwrap();
        assert_eq!(Headers::of(&carried).row(0), first);
    }

    #[test]
    fn batches_without_headers_stay_as_they_are() {
        let none: Vec<(String, Option<Vec<u8>>)> = Vec::new();
        let plain = attach(batch(1), &[&none]).unwrap();
        assert!(plain.column_by_name(RECORD_HEADERS).is_none());
        assert!(Headers::of(&plain).row(0).is_empty());
    }
}
