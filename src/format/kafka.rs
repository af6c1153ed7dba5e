//! The KAFKA format: one primitive column as Kafka's own serializers write it — INT as 4
//! big-endian bytes, BIGINT as 8, DOUBLE as an 8-byte IEEE 754 big-endian float, STRING as UTF-8,
//! BYTES as they are. No other type, and never wrapped.

use datafusion::scalar::ScalarValue;

use super::{
    FormatError, FormatKind, FormatResult, ValueError, base_type_name, column_list, conform,
};
use crate::catalog::schema::Column;
use crate::catalog::types::SqlType;

/// Decodes the single column. Invalid UTF-8 in a STRING is replaced, as Kafka's
/// `StringDeserializer` does.
pub(super) fn decode(bytes: &[u8], columns: &[Column]) -> FormatResult<Vec<ScalarValue>> {
    let column = single(columns)?;
    let wrong_size = |deserializer, size| FormatError::ColumnValue {
        column: column.name.clone(),
        source: ValueError::WrongSize { deserializer, size },
    };
    let value = match &column.ty {
        SqlType::Int => ScalarValue::Int32(Some(i32::from_be_bytes(
            bytes
                .try_into()
                .map_err(|_| wrong_size("IntegerDeserializer", 4))?,
        ))),
        SqlType::Bigint => ScalarValue::Int64(Some(i64::from_be_bytes(
            bytes
                .try_into()
                .map_err(|_| wrong_size("LongDeserializer", 8))?,
        ))),
        // Kafka's DoubleDeserializer really says "Deserializer" here.
        SqlType::Double => ScalarValue::Float64(Some(f64::from_be_bytes(
            bytes
                .try_into()
                .map_err(|_| wrong_size("Deserializer", 8))?,
        ))),
        SqlType::String => ScalarValue::Utf8(Some(String::from_utf8_lossy(bytes).into_owned())),
        SqlType::Bytes => ScalarValue::Binary(Some(bytes.to_vec())),
        other => return Err(unsupported(other)),
    };
    Ok(vec![value])
}

/// Encodes the single column; a null is no bytes at all.
pub(super) fn encode(values: &[ScalarValue], columns: &[Column]) -> FormatResult<Option<Vec<u8>>> {
    let ([value], [column]) = (values, columns) else {
        return Err(too_many(columns));
    };
    if value.is_null() {
        return Ok(None);
    }
    let value = conform(value, &column.ty).map_err(|source| FormatError::ColumnValue {
        column: column.name.clone(),
        source,
    })?;
    Ok(Some(match value.as_ref() {
        ScalarValue::Int32(Some(v)) => v.to_be_bytes().to_vec(),
        ScalarValue::Int64(Some(v)) => v.to_be_bytes().to_vec(),
        ScalarValue::Float64(Some(v)) => v.to_be_bytes().to_vec(),
        ScalarValue::Utf8(Some(s)) => s.as_bytes().to_vec(),
        ScalarValue::Binary(Some(b)) => b.clone(),
        _ => return Err(unsupported(&column.ty)),
    }))
}

/// ksqlDB: at most one column, of type INT, BIGINT, DOUBLE, STRING or BYTES.
pub(super) fn validate(columns: &[Column]) -> FormatResult<()> {
    match columns {
        [] => Ok(()),
        [column] if is_supported(&column.ty) => Ok(()),
        [column] => Err(unsupported(&column.ty)),
        _ => Err(too_many(columns)),
    }
}

fn is_supported(ty: &SqlType) -> bool {
    matches!(
        ty,
        SqlType::Int | SqlType::Bigint | SqlType::Double | SqlType::String | SqlType::Bytes
    )
}

fn single(columns: &[Column]) -> FormatResult<&Column> {
    match columns {
        [column] => Ok(column),
        _ => Err(too_many(columns)),
    }
}

fn too_many(columns: &[Column]) -> FormatError {
    FormatError::SingleFieldOnly {
        format: FormatKind::Kafka,
        got: column_list(columns),
    }
}

fn unsupported(ty: &SqlType) -> FormatError {
    FormatError::UnsupportedType {
        format: FormatKind::Kafka,
        ty: base_type_name(ty),
        column: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::SerdeSpec;

    const SPEC: SerdeSpec = SerdeSpec {
        kind: FormatKind::Kafka,
        delimiter: ',',
        wrap_single: false,
    };

    fn column(ty: SqlType) -> [Column; 1] {
        [Column::value("FOO", ty)]
    }

    #[test]
    fn primitives_use_kafka_serializer_bytes() {
        let cases = [
            (SqlType::Int, ScalarValue::Int32(Some(2)), vec![0, 0, 0, 2]),
            (SqlType::Int, ScalarValue::Int32(Some(-1)), vec![0xff; 4]),
            (
                SqlType::Bigint,
                ScalarValue::Int64(Some(2)),
                vec![0, 0, 0, 0, 0, 0, 0, 2],
            ),
            (
                SqlType::Double,
                ScalarValue::Float64(Some(2.2)),
                2.2f64.to_be_bytes().to_vec(),
            ),
            (
                SqlType::String,
                ScalarValue::Utf8(Some("bar".into())),
                b"bar".to_vec(),
            ),
            (
                SqlType::Bytes,
                ScalarValue::Binary(Some(vec![1, 2, 3])),
                vec![1, 2, 3],
            ),
        ];
        for (ty, value, bytes) in cases {
            let columns = column(ty);
            let encoded = SPEC.encode(std::slice::from_ref(&value), &columns);
            assert_eq!(encoded, Ok(Some(bytes.clone())));
            assert_eq!(SPEC.decode(Some(&bytes), &columns), Ok(Some(vec![value])));
        }
        let empty = SPEC.decode(Some(b""), &column(SqlType::String));
        assert_eq!(
            empty,
            Ok(Some(vec![ScalarValue::Utf8(Some(String::new()))]))
        );
    }

    #[test]
    fn null_is_no_bytes() {
        let columns = column(SqlType::Int);
        assert_eq!(SPEC.encode(&[ScalarValue::Int32(None)], &columns), Ok(None));
        assert_eq!(SPEC.decode(None, &columns), Ok(None));
    }

    #[test]
    fn wrong_sizes_are_errors_with_kafka_text() {
        let err = |ty, bytes: &[u8]| {
            SPEC.decode(Some(bytes), &column(ty))
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            err(SqlType::Int, &[0, 1]),
            "Size of data received by IntegerDeserializer is not 4, column: `FOO`"
        );
        assert_eq!(
            err(SqlType::Bigint, &[0; 4]),
            "Size of data received by LongDeserializer is not 8, column: `FOO`"
        );
        assert_eq!(
            err(SqlType::Double, &[]),
            "Size of data received by Deserializer is not 8, column: `FOO`"
        );
        assert_eq!(
            err(SqlType::Boolean, &[1]),
            "The 'KAFKA' format does not support type 'BOOLEAN'"
        );
        let lossy = SPEC.decode(Some(&[b'a', 0xff]), &column(SqlType::String));
        assert_eq!(
            lossy,
            Ok(Some(vec![ScalarValue::Utf8(Some("a\u{fffd}".into()))]))
        );
    }

    #[test]
    fn more_than_one_column_is_an_error() {
        let columns = [
            Column::value("V0", SqlType::Int),
            Column::value("V1", SqlType::String),
        ];
        let err = SPEC.decode(Some(&[0, 0, 0, 1]), &columns).unwrap_err();
        assert_eq!(
            err.to_string(),
            "The 'KAFKA' format only supports a single field. Got: [`V0` INTEGER, `V1` STRING]"
        );
    }
}
