//! The JSON format: a record is a JSON object with a field per column, or, for one unwrapped
//! column (single keys, `WRAP_SINGLE_VALUE=false`), that column's bare JSON value.
//!
//! Value conversions live in `json_value`; this file owns the record shape: wrapping, field
//! lookup, `null` records, and which columns JSON can carry.

use datafusion::scalar::ScalarValue;
use serde_json::Value;

use super::json_record::{self, RecordShape};
use super::json_value::{read as read_value, wrong_type};
use super::{FormatError, FormatResult, json_to_scalar, scalar_to_json};
use crate::catalog::schema::Column;
use crate::catalog::types::{SqlType, StructField};

/// Decodes a JSON record. Missing fields are null, extra fields are ignored, and field names
/// match case-insensitively (see `json_value::find_field`).
pub(super) fn decode(
    bytes: &[u8],
    columns: &[Column],
    unwrapped: bool,
) -> FormatResult<Option<Vec<ScalarValue>>> {
    if !unwrapped || columns.len() != 1 {
        let values = match json_record::read(bytes, columns) {
            Err(e) => return Err(FormatError::InvalidJson(e.to_string())),
            // ksqlDB: a JSON `null` is a null record, wrapped or not (json.json "… -
            // deserialize").
            Ok(RecordShape::Null) => return Ok(None),
            Ok(RecordShape::Object(values)) => values,
            // Re-read as a whole value for the error, which names what was found.
            Ok(RecordShape::NotObject) => return decode_value(bytes, columns, unwrapped),
        };
        return values
            .iter()
            .zip(columns)
            .map(|(json, column)| {
                read_value(json.as_ref().unwrap_or(&Value::Null), &column.ty)
                    .map_err(|e| e.within(&format!(".{}", column.name)))
            })
            .collect::<FormatResult<Vec<_>>>()
            .map(Some)
            .map_err(|e| e.within("$"));
    }
    decode_value(bytes, columns, unwrapped)
}

/// Decodes a record from its whole JSON value: unwrapped single columns, and the errors of
/// records that are not objects.
fn decode_value(
    bytes: &[u8],
    columns: &[Column],
    unwrapped: bool,
) -> FormatResult<Option<Vec<ScalarValue>>> {
    let json: Value =
        serde_json::from_slice(bytes).map_err(|e| FormatError::InvalidJson(e.to_string()))?;
    // ksqlDB: a JSON `null` is a null record, wrapped or not (json.json "… - deserialize").
    if json.is_null() {
        return Ok(None);
    }
    match (unwrapped, columns) {
        (true, [column]) => json_to_scalar(&json, &column.ty).map(|v| Some(vec![v])),
        _ => Err(wrong_type(&json, &row_type(columns)).within("$")),
    }
}

/// Encodes a JSON record; `Ok(None)` for an unwrapped null.
pub(super) fn encode(
    values: &[ScalarValue],
    columns: &[Column],
    unwrapped: bool,
) -> FormatResult<Option<Vec<u8>>> {
    match (unwrapped, values, columns) {
        // ksqlDB: an unwrapped null value is a null record (json.json "serialize anonymous
        // primitive - value").
        (true, [value], _) if value.is_null() => Ok(None),
        (true, [value], [column]) => serde_json::to_vec(&scalar_to_json(value, &column.ty)?)
            .map(Some)
            .map_err(FormatError::internal),
        _ => {
            // Written field by field: no intermediate object for the whole record.
            let mut out = Vec::with_capacity(16 * columns.len() + 2);
            out.push(b'{');
            for (i, (value, column)) in values.iter().zip(columns).enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                let json = scalar_to_json(value, &column.ty)
                    .map_err(|e| reroot(e, &format!("$.{}", column.name)))?;
                serde_json::to_writer(&mut out, &column.name).map_err(FormatError::internal)?;
                out.push(b':');
                serde_json::to_writer(&mut out, &json).map_err(FormatError::internal)?;
            }
            out.push(b'}');
            Ok(Some(out))
        }
    }
}

/// ksqlDB: JSON only supports MAP types with STRING keys, at any depth.
pub(super) fn validate(columns: &[Column]) -> FormatResult<()> {
    if columns.iter().any(|c| has_non_string_map_key(&c.ty)) {
        return Err(FormatError::JsonMapKeyNotString);
    }
    Ok(())
}

fn has_non_string_map_key(ty: &SqlType) -> bool {
    match ty {
        SqlType::Map(key, value) => **key != SqlType::String || has_non_string_map_key(value),
        SqlType::Array(item) => has_non_string_map_key(item),
        SqlType::Struct(fields) => fields.iter().any(|f| has_non_string_map_key(&f.ty)),
        _ => false,
    }
}

/// The row as the STRUCT type ksqlDB's messages name when a wrapped record is not an object.
fn row_type(columns: &[Column]) -> SqlType {
    SqlType::Struct(
        columns
            .iter()
            .map(|c| StructField {
                name: c.name.clone(),
                ty: c.ty.clone(),
            })
            .collect(),
    )
}

/// Replaces the `$` root of a column value's error path by the column's own path.
fn reroot(error: FormatError, root: &str) -> FormatError {
    match error {
        FormatError::JsonValue { path, source } => FormatError::JsonValue {
            path: format!("{root}{}", path.strip_prefix('$').unwrap_or(&path)),
            source,
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use datafusion::arrow::array::{Array, AsArray};
    use datafusion::arrow::datatypes::Int32Type;

    use super::*;
    use crate::format::{FormatKind, SerdeSpec};

    fn spec(wrap_single: bool) -> SerdeSpec {
        SerdeSpec {
            kind: FormatKind::Json,
            delimiter: ',',
            wrap_single,
        }
    }

    fn decode_with(
        spec: &SerdeSpec,
        json: &str,
        columns: &[Column],
    ) -> FormatResult<Option<Vec<ScalarValue>>> {
        spec.decode(Some(json.as_bytes()), columns)
    }

    fn encode_text(spec: &SerdeSpec, values: &[ScalarValue], columns: &[Column]) -> Option<String> {
        let bytes = spec.encode(values, columns).expect("encodes");
        bytes.map(|b| String::from_utf8(b).expect("utf-8"))
    }

    fn int(v: i32) -> ScalarValue {
        ScalarValue::Int32(Some(v))
    }

    #[test]
    fn wrapped_fields_match_case_insensitively_and_missing_fields_are_null() {
        let columns = [
            Column::value("FOO", SqlType::Int),
            Column::value("BAR", SqlType::String),
        ];
        let row = decode_with(&spec(true), r#"{"foo": 10, "extra": true}"#, &columns);
        assert_eq!(row, Ok(Some(vec![int(10), ScalarValue::Utf8(None)])));
        // A quoted lower-case column matches only its exact name.
        let quoted = [Column::value("foo", SqlType::Int)];
        assert_eq!(
            decode_with(&spec(true), r#"{"FOO": 1}"#, &quoted),
            Ok(Some(vec![ScalarValue::Int32(None)]))
        );
        assert_eq!(
            decode_with(&spec(true), r#"{"foo": 1}"#, &quoted),
            Ok(Some(vec![int(1)]))
        );
    }

    #[test]
    fn json_null_is_a_null_record_wrapped_or_not() {
        let columns = [Column::value("V", SqlType::Boolean)];
        assert_eq!(decode_with(&spec(false), "null", &columns), Ok(None));
        assert_eq!(decode_with(&spec(true), " null ", &columns), Ok(None));
        assert_eq!(
            decode_with(&spec(true), r#"{"V": null}"#, &columns),
            Ok(Some(vec![ScalarValue::Boolean(None)]))
        );
    }

    #[test]
    fn unwrapped_single_values_are_bare() {
        let v = [Column::value("V", SqlType::Bigint)];
        assert_eq!(
            decode_with(&spec(false), "10827272222", &v),
            Ok(Some(vec![ScalarValue::Int64(Some(10827272222))]))
        );
        let value = [ScalarValue::Int64(Some(1234567890))];
        assert_eq!(
            encode_text(&spec(false), &value, &v).as_deref(),
            Some("1234567890")
        );
        assert_eq!(
            encode_text(&spec(true), &value, &v).as_deref(),
            Some(r#"{"V":1234567890}"#)
        );
        // ksqlDB: an unwrapped null serializes to a null record, a wrapped one to {"V":null}.
        let null = [ScalarValue::Int64(None)];
        assert_eq!(encode_text(&spec(false), &null, &v), None);
        assert_eq!(
            encode_text(&spec(true), &null, &v).as_deref(),
            Some(r#"{"V":null}"#)
        );
        // Unwrapped struct: the object is the struct (serdes.json "deserialize and serialize
        // unwrapped struct").
        let s = SqlType::Struct(vec![StructField {
            name: "F1".into(),
            ty: SqlType::String,
        }]);
        let foo = [Column::value("FOO", s)];
        let row = decode_with(&spec(false), r#"{"F1": "bar"}"#, &foo).expect("decodes");
        let row = row.expect("not null");
        assert_eq!(
            encode_text(&spec(false), &row, &foo).as_deref(),
            Some(r#"{"F1":"bar"}"#)
        );
    }

    #[test]
    fn multi_column_keys_are_objects() {
        let keys = [
            Column::key("K1", SqlType::String),
            Column::key("K2", SqlType::Int),
        ];
        let row = decode_with(&spec(false), r#"{"k1": "foo", "K2": 2}"#, &keys);
        let row = row.expect("decodes").expect("not null");
        assert_eq!(row, vec![ScalarValue::Utf8(Some("foo".into())), int(2)]);
        assert_eq!(
            encode_text(&spec(false), &row, &keys).as_deref(),
            Some(r#"{"K1":"foo","K2":2}"#)
        );
    }

    #[test]
    fn decimals_keep_their_scale() {
        // decimal.json: DECIMAL(6,4) reads 10 as 10.0000 and writes it so.
        let dec = [Column::value("DEC", SqlType::Decimal(6, 4))];
        for (input, output) in [("10", "10.0000"), ("0.01", "0.0100"), ("1.0", "1.0000")] {
            let row = decode_with(&spec(true), &format!(r#"{{"DEC": {input}}}"#), &dec);
            let row = row.expect("decodes").expect("not null");
            let text = encode_text(&spec(true), &row, &dec);
            assert_eq!(text, Some(format!(r#"{{"DEC":{output}}}"#)));
        }
        let exact = [Column::value("DEC", SqlType::Decimal(21, 19))];
        let row = decode_with(&spec(true), r#"{"DEC": 10.1234512345123451234}"#, &exact);
        let row = row.expect("decodes").expect("not null");
        assert_eq!(
            encode_text(&spec(true), &row, &exact).as_deref(),
            Some(r#"{"DEC":10.1234512345123451234}"#)
        );
        // ksqlDB accepts decimals as strings too.
        let row = decode_with(&spec(true), r#"{"DEC": "1.5"}"#, &dec);
        assert_eq!(
            row,
            Ok(Some(vec![ScalarValue::Decimal128(Some(15_000), 6, 4)]))
        );
        let err = decode_with(&spec(true), r#"{"DEC": 123.45}"#, &dec).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Numeric field overflow: A field with precision 6 and scale 4 must round to an \
             absolute value less than 10^2. Got 123.45, path: $.DEC"
        );
    }

    #[test]
    fn doubles_are_written_like_ksqldb() {
        let d = [Column::value("D", SqlType::Double)];
        let text = |v: f64| encode_text(&spec(true), &[ScalarValue::Float64(Some(v))], &d);
        assert_eq!(text(1.0).as_deref(), Some(r#"{"D":1.0}"#));
        assert_eq!(text(9876.54321).as_deref(), Some(r#"{"D":9876.54321}"#));
        // Java writes 1.0E10; serde_json normalizes the exponent's spelling, same number.
        assert_eq!(text(1e10).as_deref(), Some(r#"{"D":1.0e+10}"#));
        assert_eq!(text(f64::NAN).as_deref(), Some(r#"{"D":"NaN"}"#));
        let back = decode_with(&spec(true), r#"{"D":"NaN"}"#, &d)
            .expect("decodes")
            .expect("row");
        assert!(matches!(back[0], ScalarValue::Float64(Some(v)) if v.is_nan()));
        assert_eq!(
            decode_with(&spec(true), r#"{"D": 1.0E10}"#, &d),
            Ok(Some(vec![ScalarValue::Float64(Some(1e10))]))
        );
    }

    #[test]
    fn temporal_and_bytes_values() {
        let columns = [
            Column::value("TS", SqlType::Timestamp),
            Column::value("D", SqlType::Date),
            Column::value("T", SqlType::Time),
            Column::value("B", SqlType::Bytes),
        ];
        let input = r#"{"ts": 10, "d": 19000, "t": "5000", "b": "dmFyaWF0aW9ucw=="}"#;
        let row = decode_with(&spec(true), input, &columns)
            .expect("decodes")
            .expect("row");
        assert_eq!(
            row,
            vec![
                ScalarValue::TimestampMillisecond(Some(10), None),
                ScalarValue::Date32(Some(19000)),
                ScalarValue::Time32Millisecond(Some(5000)),
                ScalarValue::Binary(Some(b"variations".to_vec())),
            ]
        );
        assert_eq!(
            encode_text(&spec(true), &row, &columns).as_deref(),
            Some(r#"{"TS":10,"D":19000,"T":5000,"B":"dmFyaWF0aW9ucw=="}"#)
        );
        let err = decode_with(&spec(true), r#"{"T": 86400001}"#, &columns[2..3]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Time values must use number of milliseconds greater than 0 and less than 86400000., \
             path: $.T"
        );
        let err = decode_with(&spec(true), r#"{"B": "not base64!"}"#, &columns[3..]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Value is not a valid Base64 encoded string: not base64!, path: $.B"
        );
    }

    #[test]
    fn strings_take_any_json_like_ksqldb() {
        let s = [Column::value("S", SqlType::String)];
        let text = |json: &str| match decode_with(&spec(false), json, &s) {
            Ok(Some(row)) => row[0].to_string(),
            other => panic!("unexpected {other:?}"),
        };
        assert_eq!(text("1.10"), "1.10");
        assert_eq!(text("true"), "true");
        assert_eq!(text(r#"{"a": [1, 2]}"#), r#"{"a":[1,2]}"#);
        assert_eq!(text(r#"[1, "a", null, [2]]"#), "[1, a, null, [2]]");
        // json.json "deserialize anonymous array - value - with coercion".
        let a = [Column::value(
            "FOO",
            SqlType::Array(Box::new(SqlType::String)),
        )];
        let row = decode_with(&spec(false), "[1, 2, 3]", &a)
            .expect("decodes")
            .expect("row");
        assert_eq!(
            encode_text(&spec(true), &row, &a).as_deref(),
            Some(r#"{"FOO":["1","2","3"]}"#)
        );
    }

    #[test]
    fn numbers_coerce_like_ksqldb() {
        let i = [Column::value("I", SqlType::Int)];
        let read = |json: &str| decode_with(&spec(true), json, &i);
        assert_eq!(read(r#"{"I": "42"}"#), Ok(Some(vec![int(42)])));
        assert_eq!(read(r#"{"I": 1.9}"#), Ok(Some(vec![int(1)])));
        let err = |json: &str| read(json).unwrap_err().to_string();
        assert_eq!(
            err(r#"{"I": "abc"}"#),
            "Can't coerce string to type. targetType: INTEGER, path: $.I"
        );
        assert_eq!(
            err(r#"{"I": true}"#),
            "Can't convert type. sourceType: BooleanNode, requiredType: INTEGER, path: $.I"
        );
        assert_eq!(
            err(r#"{"I": 3000000000}"#),
            "Can't convert type. sourceType: LongNode, requiredType: INTEGER, path: $.I"
        );
        assert_eq!(
            err(r#"{"I": [1]}"#),
            "Can't convert type. sourceType: ArrayNode, requiredType: INTEGER, path: $.I"
        );
        let b = [Column::value("B", SqlType::Boolean)];
        assert_eq!(
            decode_with(&spec(true), r#"{"B": "true"}"#, &b)
                .unwrap_err()
                .to_string(),
            "Can't convert type. sourceType: TextNode, requiredType: BOOLEAN, path: $.B"
        );
    }

    #[test]
    fn bad_records_are_errors_with_paths() {
        let columns = [
            Column::value("A", SqlType::Array(Box::new(SqlType::Int))),
            Column::value(
                "M",
                SqlType::Map(Box::new(SqlType::String), Box::new(SqlType::Int)),
            ),
        ];
        let err = |json: &str| {
            decode_with(&spec(true), json, &columns)
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            err(r#"{"A": [1, "x"]}"#),
            "Can't coerce string to type. targetType: INTEGER, path: $.A[1]"
        );
        assert_eq!(
            err(r#"{"M": {"k": false}}"#),
            "Can't convert type. sourceType: BooleanNode, requiredType: INTEGER, path: $.M.k.value"
        );
        assert_eq!(
            err("[1]"),
            "Can't convert type. sourceType: ArrayNode, requiredType: STRUCT<A ARRAY<INTEGER>, M \
             MAP<STRING, INTEGER>>, path: $"
        );
        assert!(matches!(
            decode_with(&spec(true), "{not json", &columns),
            Err(FormatError::InvalidJson(_))
        ));
        assert!(decode_with(&spec(true), "", &columns).is_err());
        assert!(decode_with(&spec(true), "\u{0}\u{1}", &columns).is_err());
        assert!(spec(true).decode(Some(&[0xff, 0xfe]), &columns).is_err());
    }

    #[test]
    fn nested_values_round_trip_and_build_arrays() {
        let inner = SqlType::Struct(vec![
            StructField {
                name: "X".into(),
                ty: SqlType::Int,
            },
            StructField {
                name: "TAGS".into(),
                ty: SqlType::Array(Box::new(SqlType::String)),
            },
        ]);
        let ty = SqlType::Map(Box::new(SqlType::String), Box::new(inner));
        let columns = [
            Column::value("M", ty.clone()),
            Column::value("L", SqlType::Array(Box::new(SqlType::Decimal(4, 2)))),
        ];
        let rows = [
            r#"{"M": {"a": {"x": 1, "tags": ["p", null]}, "b": null}, "L": [1.5, null]}"#,
            r#"{"M": {}, "L": []}"#,
            r#"{"M": null, "L": null}"#,
            r#"{"M": {"c": {"X": null, "TAGS": null}}}"#,
        ];
        let decoded: Vec<Vec<ScalarValue>> = rows
            .iter()
            .map(|json| {
                decode_with(&spec(true), json, &columns)
                    .expect("decodes")
                    .expect("row")
            })
            .collect();
        assert_eq!(decoded[0][0].data_type(), ty.to_arrow());

        let maps = ScalarValue::iter_to_array(decoded.iter().map(|r| r[0].clone()))
            .expect("maps make an array");
        assert_eq!(maps.data_type(), &ty.to_arrow());
        assert_eq!(maps.len(), 4);
        assert!(maps.is_null(2));
        let lists = ScalarValue::iter_to_array(decoded.iter().map(|r| r[1].clone()))
            .expect("lists make an array");
        assert_eq!(lists.as_list::<i32>().value_length(0), 2);
        assert!(lists.is_null(3));

        let first = encode_text(&spec(true), &decoded[0], &columns);
        assert_eq!(
            first.as_deref(),
            Some(r#"{"M":{"a":{"X":1,"TAGS":["p",null]},"b":null},"L":[1.50,null]}"#)
        );
        assert_eq!(
            encode_text(&spec(true), &decoded[1], &columns).as_deref(),
            Some(r#"{"M":{},"L":[]}"#)
        );
        assert_eq!(
            encode_text(&spec(true), &decoded[2], &columns).as_deref(),
            Some(r#"{"M":null,"L":null}"#)
        );

        let ints = SqlType::Array(Box::new(SqlType::Int));
        let list = json_to_scalar(&serde_json::json!([1, 2]), &ints).expect("converts");
        let ScalarValue::List(array) = &list else {
            panic!("not a list: {list:?}")
        };
        let values = array.value(0);
        assert_eq!(
            values.as_primitive::<Int32Type>().values().as_ref(),
            &[1, 2]
        );
        assert_eq!(scalar_to_json(&list, &ints), Ok(serde_json::json!([1, 2])));
    }
}
