//! Record serdes: how the key or the value bytes of a record map to typed column values.
//!
//! A [`SerdeSpec`] (format plus options) decodes one payload into a `ScalarValue` per column and
//! encodes a row back, with ksqlDB's semantics for JSON, DELIMITED, KAFKA and NONE. This module
//! does not choose formats or defaults (`KEY_FORMAT`, `WRAP_SINGLE_VALUE`, delimiter names such
//! as `TAB`): that is `plan/`; it does not move bytes: that is `log/`; and it does not decide what
//! happens to a bad record (processing log, skip): that is `runtime/`.
//!
//! Nulls, as ksqlDB has them:
//! * a missing payload (tombstone, null key) decodes to `None`; so does JSON `null`;
//! * a key whose every column is null encodes to no key at all; a value always encodes (JSON
//!   `{"A":null}`), except an unwrapped single null (JSON, KAFKA), which encodes to no value.

mod delimited;
mod json;
mod json_flat;
mod json_record;
mod json_row;
mod json_value;
mod kafka;
mod none;
pub(crate) mod number_text;

use std::borrow::Cow;
use std::fmt;

use datafusion::arrow::array::Array;
use datafusion::scalar::ScalarValue;

use crate::catalog::schema::{Column, ColumnKind};
use crate::catalog::types::SqlType;

pub use json_flat::{FlatCell, FlatRecordReader};
pub use json_row::{FlatRowWriter, FlatRows};
pub use json_value::{json_to_scalar, scalar_to_json};

/// Errors of this module. Statement-time errors (from [`SerdeSpec::validate`], unknown formats)
/// read exactly as ksqlDB's; record-time errors say what was wrong and where (JSON path or
/// column), in ksqlDB's words where ksqlDB has words for it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FormatError {
    /// A `FORMAT`, `KEY_FORMAT` or `VALUE_FORMAT` name sluice does not know.
    #[error("Unknown format: {0}")]
    UnknownFormat(String),
    /// A column type the format cannot carry. DELIMITED names the column, KAFKA does not.
    #[error(
        "The '{format}' format does not support type '{ty}'{}",
        column_suffix(column)
    )]
    UnsupportedType {
        format: FormatKind,
        ty: &'static str,
        column: Option<String>,
    },
    /// KAFKA holds one column; `got` lists the columns as ksqlDB does.
    #[error("The '{format}' format only supports a single field. Got: {got}")]
    SingleFieldOnly { format: FormatKind, got: String },
    /// NONE holds no column.
    #[error("The 'NONE' format can only be used when no columns are defined. Got: {got}")]
    NoneWithColumns { got: String },
    /// JSON objects only have string keys.
    #[error("JSON only supports MAP types with STRING keys")]
    JsonMapKeyNotString,
    /// The payload is not JSON.
    #[error("Invalid JSON: {0}")]
    InvalidJson(String),
    /// The payload is not one DELIMITED record (e.g. an unterminated quote).
    #[error("Error deserializing delimited: {0}")]
    InvalidDelimited(String),
    /// The record has another number of fields than there are columns.
    #[error(
        "Column count mismatch on {}. expected: {expected}, got: {got}",
        if *serialization { "serialization" } else { "deserialization" }
    )]
    ColumnCount {
        expected: usize,
        got: usize,
        serialization: bool,
    },
    /// A JSON value that does not convert, at a JSON path such as `$.A[2]`.
    #[error("{source}, path: {path}")]
    JsonValue { path: String, source: ValueError },
    /// A DELIMITED or KAFKA field that does not convert.
    #[error("{source}, column: `{column}`")]
    ColumnValue { column: String, source: ValueError },
    /// A bug in sluice, not a problem of the data.
    #[error("Internal error in record serde: {0}. This is a bug in sluice; please report it.")]
    Internal(String),
}

/// Result of this module.
pub type FormatResult<T> = Result<T, FormatError>;

/// Why one value does not convert to or from its column type; texts are ksqlDB's.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ValueError {
    /// `source_type` is the Jackson node ksqlDB would have seen (`TextNode`, `IntNode`, …).
    #[error("Can't convert type. sourceType: {source_type}, requiredType: {required}")]
    WrongType {
        source_type: &'static str,
        required: String,
    },
    /// A JSON string where a number is expected, and the string is not that number.
    #[error("Can't coerce string to type. targetType: {target}")]
    NotNumberText { target: &'static str },
    /// Text that is not a number of the column's type (Java's `NumberFormatException` text).
    #[error("For input string: \"{0}\"")]
    NotANumber(String),
    #[error(
        "Numeric field overflow: A field with precision {precision} and scale {scale} must round \
         to an absolute value less than 10^{}. Got {value}",
        i16::from(*precision) - i16::from(*scale)
    )]
    DecimalOverflow {
        precision: u8,
        scale: i8,
        value: String,
    },
    #[error(
        "Cannot fit decimal '{value}' into DECIMAL({precision}, {scale}) without rounding. \
         (Requires {value_precision},{value_scale})"
    )]
    DecimalRounding {
        value: String,
        precision: u8,
        scale: i8,
        value_precision: usize,
        value_scale: i64,
    },
    #[error("Value is not a valid Base64 encoded string: {0}")]
    NotBase64(String),
    #[error("Time values must use number of milliseconds greater than 0 and less than 86400000.")]
    TimeOutOfRange,
    /// KAFKA-format bytes of the wrong length (Kafka's own deserializer text).
    #[error("Size of data received by {deserializer} is not {size}")]
    WrongSize {
        deserializer: &'static str,
        size: usize,
    },
    /// An engine value that is not of the column's type and does not cast to it.
    #[error("value does not match expected type. expected: {expected}, but got: {found}")]
    Mismatch { expected: String, found: String },
}

impl FormatError {
    /// Puts `part` in front of a JSON path, as the error travels out of nested values.
    fn within(self, part: &str) -> FormatError {
        match self {
            FormatError::JsonValue { path, source } => FormatError::JsonValue {
                path: format!("{part}{path}"),
                source,
            },
            other => other,
        }
    }

    fn internal(error: impl fmt::Display) -> FormatError {
        FormatError::Internal(error.to_string())
    }
}

fn column_suffix(column: &Option<String>) -> String {
    column
        .as_ref()
        .map(|c| format!(", column: `{c}`"))
        .unwrap_or_default()
}

/// A serialization format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FormatKind {
    Json,
    Delimited,
    Kafka,
    None,
}

impl FormatKind {
    /// The format called `name`, in any case.
    pub fn parse(name: &str) -> FormatResult<FormatKind> {
        match name.to_ascii_uppercase().as_str() {
            "JSON" => Ok(FormatKind::Json),
            "DELIMITED" => Ok(FormatKind::Delimited),
            "KAFKA" => Ok(FormatKind::Kafka),
            "NONE" => Ok(FormatKind::None),
            _ => Err(FormatError::UnknownFormat(name.to_string())),
        }
    }
}

impl fmt::Display for FormatKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FormatKind::Json => "JSON",
            FormatKind::Delimited => "DELIMITED",
            FormatKind::Kafka => "KAFKA",
            FormatKind::None => "NONE",
        })
    }
}

/// How one side (key or value) of a record is serialized.
#[derive(Debug, Clone, PartialEq)]
pub struct SerdeSpec {
    pub kind: FormatKind,
    /// DELIMITED only; ksqlDB's default is ','.
    pub delimiter: char,
    /// With one column, JSON writes `{"COL": v}` when true and the bare `v` when false. Other
    /// formats never wrap. The engine passes false for keys.
    pub wrap_single: bool,
}

impl SerdeSpec {
    /// Decodes a key or value into one `ScalarValue` per column (in `columns` order, typed per
    /// `column.ty.to_arrow()`).
    ///
    /// A `None` payload (tombstone, null key) and JSON `null` give `Ok(None)`. NONE, and any
    /// format with no columns, ignore the payload and give `Ok(Some(vec![]))` (ksqlDB's lax
    /// void deserializer).
    pub fn decode(
        &self,
        payload: Option<&[u8]>,
        columns: &[Column],
    ) -> FormatResult<Option<Vec<ScalarValue>>> {
        if self.kind == FormatKind::None || columns.is_empty() {
            return Ok(Some(none::decode()));
        }
        let Some(bytes) = payload else {
            return Ok(None);
        };
        match self.kind {
            FormatKind::Json => json::decode(bytes, columns, self.unwrapped(columns)),
            FormatKind::Delimited => delimited::decode(bytes, columns, self.delimiter).map(Some),
            FormatKind::Kafka => kafka::decode(bytes, columns).map(Some),
            FormatKind::None => Ok(Some(none::decode())),
        }
    }

    /// A reader of these columns' records straight from their bytes, when this format has one
    /// for them: wrapped JSON of flat columns. It reads what `decode` reads or declines.
    pub fn flat_reader(&self, columns: &[Column]) -> Option<FlatRecordReader> {
        if self.kind != FormatKind::Json || columns.is_empty() || self.unwrapped(columns) {
            return None;
        }
        FlatRecordReader::new(columns)
    }

    /// Encodes one row's values for `columns`.
    ///
    /// `Ok(None)` means no bytes (a null key or value): NONE; no columns; key columns that are
    /// all null; and an unwrapped single null in JSON or KAFKA. Otherwise a row serializes even
    /// when all its columns are null (JSON `{"A":null}`, DELIMITED `,`).
    pub fn encode(
        &self,
        values: &[ScalarValue],
        columns: &[Column],
    ) -> FormatResult<Option<Vec<u8>>> {
        if values.len() != columns.len() {
            return Err(FormatError::ColumnCount {
                expected: columns.len(),
                got: values.len(),
                serialization: true,
            });
        }
        let is_key = columns.first().is_some_and(|c| c.kind == ColumnKind::Key);
        // ksqlDB: a null key stays null through every format; sluice rows carry a null key as
        // key columns that are all null.
        if columns.is_empty() || (is_key && values.iter().all(ScalarValue::is_null)) {
            return Ok(None);
        }
        match self.kind {
            FormatKind::Json => json::encode(values, columns, self.unwrapped(columns)),
            FormatKind::Delimited => delimited::encode(values, columns, self.delimiter).map(Some),
            FormatKind::Kafka => kafka::encode(values, columns),
            FormatKind::None => Ok(none::encode()),
        }
    }

    /// A writer of these columns' records straight from Arrow arrays, when this format has
    /// one for them: wrapped JSON of flat columns. It writes what `encode` writes.
    pub fn row_writer(&self, columns: &[Column]) -> Option<FlatRowWriter> {
        if self.kind != FormatKind::Json || columns.is_empty() || self.unwrapped(columns) {
            return None;
        }
        FlatRowWriter::new(columns)
    }

    /// Encodes row `row` of columns held in Arrow arrays (one per column).
    pub fn encode_row(
        &self,
        arrays: &[&dyn Array],
        row: usize,
        columns: &[Column],
    ) -> FormatResult<Option<Vec<u8>>> {
        let values = arrays
            .iter()
            .map(|a| ScalarValue::try_from_array(*a, row).map_err(FormatError::internal))
            .collect::<FormatResult<Vec<_>>>()?;
        self.encode(&values, columns)
    }

    /// Whether this format can carry these columns (KAFKA one primitive column, DELIMITED no
    /// ARRAY/MAP/STRUCT, NONE no columns, JSON only STRING map keys), with ksqlDB's error text.
    pub fn validate(&self, columns: &[Column]) -> FormatResult<()> {
        match self.kind {
            FormatKind::Json => json::validate(columns),
            FormatKind::Delimited => delimited::validate(columns),
            FormatKind::Kafka => kafka::validate(columns),
            FormatKind::None => none::validate(columns),
        }
    }

    /// True when a single column is written bare rather than as a one-field object.
    fn unwrapped(&self, columns: &[Column]) -> bool {
        columns.len() == 1 && !self.wrap_single
    }
}

/// ksqlDB's name for a type's kind in format errors: `INTEGER`, `DECIMAL`, `ARRAY`, ….
fn base_type_name(ty: &SqlType) -> &'static str {
    match ty {
        SqlType::Boolean => "BOOLEAN",
        SqlType::Int => "INTEGER",
        SqlType::Bigint => "BIGINT",
        SqlType::Double => "DOUBLE",
        SqlType::Decimal(_, _) => "DECIMAL",
        SqlType::String => "STRING",
        SqlType::Bytes => "BYTES",
        SqlType::Timestamp => "TIMESTAMP",
        SqlType::Date => "DATE",
        SqlType::Time => "TIME",
        SqlType::Array(_) => "ARRAY",
        SqlType::Map(_, _) => "MAP",
        SqlType::Struct(_) => "STRUCT",
    }
}

/// Columns as ksqlDB lists them in format errors: ``[`K` STRING KEY, `V` INTEGER]``.
fn column_list(columns: &[Column]) -> String {
    let items: Vec<String> = columns
        .iter()
        .map(|c| {
            let key = if c.kind == ColumnKind::Key {
                " KEY"
            } else {
                ""
            };
            format!("`{}` {}{key}", c.name, c.ty)
        })
        .collect();
    format!("[{}]", items.join(", "))
}

/// `value` as the column's exact Arrow type, casting engine values of a compatible type
/// (`Utf8View`, `Int64` for INT, …).
fn conform<'a>(value: &'a ScalarValue, ty: &SqlType) -> Result<Cow<'a, ScalarValue>, ValueError> {
    let target = ty.to_arrow();
    if value.data_type() == target {
        return Ok(Cow::Borrowed(value));
    }
    value
        .cast_to(&target)
        .map(Cow::Owned)
        .map_err(|_| ValueError::Mismatch {
            expected: ty.to_string(),
            found: value.data_type().to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::types::StructField;

    fn spec(kind: FormatKind) -> SerdeSpec {
        SerdeSpec {
            kind,
            delimiter: ',',
            wrap_single: true,
        }
    }

    #[test]
    fn format_names_parse_in_any_case() {
        assert_eq!(FormatKind::parse("json"), Ok(FormatKind::Json));
        assert_eq!(FormatKind::parse("Delimited"), Ok(FormatKind::Delimited));
        assert_eq!(FormatKind::parse("KAFKA"), Ok(FormatKind::Kafka));
        assert_eq!(FormatKind::parse("none"), Ok(FormatKind::None));
        let err = FormatKind::parse("FOO").unwrap_err();
        assert_eq!(err.to_string(), "Unknown format: FOO");
        assert_eq!(FormatKind::Delimited.to_string(), "DELIMITED");
    }

    #[test]
    fn validate_speaks_ksqldb() {
        let err = |kind, columns: &[Column]| spec(kind).validate(columns).unwrap_err().to_string();
        let two = [
            Column::value("V0", SqlType::Int),
            Column::value("V1", SqlType::String),
        ];
        assert_eq!(
            err(FormatKind::Kafka, &two),
            "The 'KAFKA' format only supports a single field. Got: [`V0` INTEGER, `V1` STRING]"
        );
        let keys = [
            Column::key("K1", SqlType::Int),
            Column::key("K2", SqlType::Int),
        ];
        assert_eq!(
            err(FormatKind::Kafka, &keys),
            "The 'KAFKA' format only supports a single field. Got: [`K1` INTEGER KEY, `K2` \
             INTEGER KEY]"
        );
        for (ty, name) in [
            (SqlType::Boolean, "BOOLEAN"),
            (SqlType::Decimal(2, 1), "DECIMAL"),
            (SqlType::Array(Box::new(SqlType::Int)), "ARRAY"),
            (SqlType::Struct(vec![]), "STRUCT"),
        ] {
            assert_eq!(
                err(FormatKind::Kafka, &[Column::value("FOO", ty)]),
                format!("The 'KAFKA' format does not support type '{name}'")
            );
        }
        let array_key = [Column::key("K", SqlType::Array(Box::new(SqlType::Double)))];
        assert_eq!(
            err(FormatKind::Delimited, &array_key),
            "The 'DELIMITED' format does not support type 'ARRAY', column: `K`"
        );
        assert_eq!(
            err(FormatKind::None, &[Column::key("K", SqlType::String)]),
            "The 'NONE' format can only be used when no columns are defined. Got: [`K` STRING KEY]"
        );
        assert_eq!(
            err(FormatKind::None, &[Column::value("FOO", SqlType::Int)]),
            "The 'NONE' format can only be used when no columns are defined. Got: [`FOO` INTEGER]"
        );
        let nested_map = SqlType::Struct(vec![StructField {
            name: "F".into(),
            ty: SqlType::Map(Box::new(SqlType::Int), Box::new(SqlType::Double)),
        }]);
        assert_eq!(
            err(FormatKind::Json, &[Column::value("FOO", nested_map)]),
            "JSON only supports MAP types with STRING keys"
        );

        let ok = |kind, columns: &[Column]| spec(kind).validate(columns);
        assert_eq!(
            ok(FormatKind::Kafka, &[Column::value("B", SqlType::Bytes)]),
            Ok(())
        );
        assert_eq!(ok(FormatKind::Kafka, &[]), Ok(()));
        assert_eq!(ok(FormatKind::None, &[]), Ok(()));
        assert_eq!(
            ok(FormatKind::Delimited, &[Column::value("T", SqlType::Time)]),
            Ok(())
        );
        let string_map = SqlType::Map(Box::new(SqlType::String), Box::new(SqlType::Int));
        assert_eq!(
            ok(FormatKind::Json, &[Column::value("M", string_map)]),
            Ok(())
        );
    }

    #[test]
    fn missing_payload_is_a_null_record_and_none_ignores_bytes() {
        let columns = [Column::value("V", SqlType::Int)];
        for kind in [FormatKind::Json, FormatKind::Delimited, FormatKind::Kafka] {
            assert_eq!(spec(kind).decode(None, &columns), Ok(None));
        }
        let none = spec(FormatKind::None);
        assert_eq!(
            none.decode(Some(b"data that should be ignored"), &[]),
            Ok(Some(vec![]))
        );
        assert_eq!(none.decode(None, &[]), Ok(Some(vec![])));
        assert_eq!(none.encode(&[], &[]), Ok(None));
        // ksqlDB: KAFKA with no columns is a lax void serde (none.json "in CSAS from keyless
        // stream").
        assert_eq!(
            spec(FormatKind::Kafka).decode(Some(b"ignored"), &[]),
            Ok(Some(vec![]))
        );
        assert_eq!(spec(FormatKind::Json).encode(&[], &[]), Ok(None));
    }

    #[test]
    fn null_keys_encode_to_no_key_but_null_values_still_serialize() {
        let keys = [
            Column::key("K1", SqlType::String),
            Column::key("K2", SqlType::String),
        ];
        let nulls = [ScalarValue::Utf8(None), ScalarValue::Utf8(None)];
        for kind in [FormatKind::Json, FormatKind::Delimited] {
            assert_eq!(spec(kind).encode(&nulls, &keys), Ok(None));
        }
        let values = [
            Column::value("A", SqlType::String),
            Column::value("B", SqlType::String),
        ];
        assert_eq!(
            spec(FormatKind::Json).encode(&nulls, &values),
            Ok(Some(br#"{"A":null,"B":null}"#.to_vec()))
        );
        assert_eq!(
            spec(FormatKind::Delimited).encode(&nulls, &values),
            Ok(Some(b",".to_vec()))
        );
    }

    #[test]
    fn encode_checks_the_value_count() {
        let columns = [Column::value("A", SqlType::Int)];
        let err = spec(FormatKind::Json).encode(&[], &columns).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Column count mismatch on serialization. expected: 1, got: 0"
        );
    }

    #[test]
    fn engine_values_of_a_compatible_type_are_cast() {
        let columns = [
            Column::value("A", SqlType::String),
            Column::value("B", SqlType::Int),
        ];
        let values = [
            ScalarValue::Utf8View(Some("x".into())),
            ScalarValue::Int64(Some(7)),
        ];
        assert_eq!(
            spec(FormatKind::Json).encode(&values, &columns),
            Ok(Some(br#"{"A":"x","B":7}"#.to_vec()))
        );
        let bad = [
            ScalarValue::Boolean(Some(true)),
            ScalarValue::Int32(Some(1)),
        ];
        let columns = [
            Column::value("A", SqlType::Date),
            Column::value("B", SqlType::Int),
        ];
        let err = spec(FormatKind::Json).encode(&bad, &columns).unwrap_err();
        assert_eq!(
            err.to_string(),
            "value does not match expected type. expected: DATE, but got: Boolean, path: $.A"
        );
    }
}
