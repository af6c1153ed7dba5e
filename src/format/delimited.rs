//! The DELIMITED format: one CSV record per key or value, a field per column, primitives only.
//!
//! ksqlDB parses and prints with Apache Commons CSV (`CSVFormat.DEFAULT` with the configured
//! delimiter): fields may be quoted with `"` (`""` inside quotes is a quote), an empty field is
//! null, and the printer quotes minimally by Commons CSV's rules, which this file reproduces so
//! output bytes match ksqlDB's (e.g. a first field starting with `-` is quoted).

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_PAD_INDIFFERENT};
use datafusion::scalar::ScalarValue;

use super::number_text::{format_decimal, format_double, parse_decimal, parse_double};
use super::{FormatError, FormatKind, FormatResult, ValueError, base_type_name, conform};
use crate::catalog::schema::Column;
use crate::catalog::types::SqlType;

/// Decodes the first record of `bytes` (ksqlDB ignores any further lines).
///
/// Text is read as UTF-8 with invalid bytes replaced, as Java's `new String(bytes, UTF_8)` does.
/// An empty payload is one empty field, i.e. a null single column; ksqlDB rejects it ("No fields
/// in record") although its own serializer writes a null single column that way.
pub(super) fn decode(
    bytes: &[u8],
    columns: &[Column],
    delimiter: char,
) -> FormatResult<Vec<ScalarValue>> {
    let text = String::from_utf8_lossy(bytes);
    let fields = parse_record(&text, delimiter)?;
    if fields.len() != columns.len() {
        return Err(FormatError::ColumnCount {
            expected: columns.len(),
            got: fields.len(),
            serialization: false,
        });
    }
    fields
        .iter()
        .zip(columns)
        .map(|(field, column)| read_field(field, column))
        .collect()
}

/// Encodes one record; nulls are empty fields.
pub(super) fn encode(
    values: &[ScalarValue],
    columns: &[Column],
    delimiter: char,
) -> FormatResult<Vec<u8>> {
    let mut record = String::new();
    for (i, (value, column)) in values.iter().zip(columns).enumerate() {
        if i > 0 {
            record.push(delimiter);
        }
        if let Some(text) = field_text(value, column)? {
            print_field(&mut record, &text, i == 0, delimiter);
        }
    }
    Ok(record.into_bytes())
}

/// ksqlDB: DELIMITED holds no ARRAY, MAP or STRUCT.
pub(super) fn validate(columns: &[Column]) -> FormatResult<()> {
    match columns.iter().find(|c| !c.ty.is_primitive()) {
        Some(column) => Err(unsupported(column)),
        None => Ok(()),
    }
}

fn unsupported(column: &Column) -> FormatError {
    FormatError::UnsupportedType {
        format: FormatKind::Delimited,
        ty: base_type_name(&column.ty),
        column: Some(column.name.clone()),
    }
}

/// Splits the first record of `text` into fields, as Commons CSV's lexer does: a field that
/// starts with a quote runs to the closing quote (only whitespace may follow it before the
/// delimiter); any other field runs to the delimiter or the end of the line.
fn parse_record(text: &str, delimiter: char) -> FormatResult<Vec<String>> {
    let mut fields = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        let mut field = String::new();
        if chars.next_if_eq(&'"').is_some() {
            loop {
                match chars.next() {
                    Some('"') if chars.next_if_eq(&'"').is_some() => field.push('"'),
                    Some('"') => break,
                    Some(c) => field.push(c),
                    None => {
                        return Err(FormatError::InvalidDelimited(
                            "EOF reached before encapsulated token finished".to_string(),
                        ));
                    }
                }
            }
            while let Some(&c) = chars.peek() {
                if c == delimiter || c == '\r' || c == '\n' {
                    break;
                }
                if !c.is_whitespace() {
                    return Err(FormatError::InvalidDelimited(
                        "invalid char between encapsulated token and delimiter".to_string(),
                    ));
                }
                chars.next();
            }
        } else {
            while let Some(c) = chars.next_if(|&c| c != delimiter && c != '\r' && c != '\n') {
                field.push(c);
            }
        }
        fields.push(field);
        if chars.next_if_eq(&delimiter).is_none() {
            return Ok(fields);
        }
    }
}

fn read_field(text: &str, column: &Column) -> FormatResult<ScalarValue> {
    let ty = &column.ty;
    // ksqlDB: an empty field, quoted or not, is null for every type, STRING included.
    if text.is_empty() {
        return ScalarValue::try_new_null(&ty.to_arrow()).map_err(FormatError::internal);
    }
    let fail = |source| FormatError::ColumnValue {
        column: column.name.clone(),
        source,
    };
    let not_a_number = || fail(ValueError::NotANumber(text.to_string()));
    Ok(match ty {
        // ksqlDB: Java's `Boolean.parseBoolean`, so anything but "true" in any case is false.
        SqlType::Boolean => ScalarValue::Boolean(Some(text.eq_ignore_ascii_case("true"))),
        SqlType::Int => ScalarValue::Int32(Some(text.parse().map_err(|_| not_a_number())?)),
        SqlType::Bigint => ScalarValue::Int64(Some(text.parse().map_err(|_| not_a_number())?)),
        SqlType::Double => ScalarValue::Float64(Some(parse_double(text).ok_or_else(not_a_number)?)),
        SqlType::Decimal(precision, scale) => ScalarValue::Decimal128(
            Some(parse_decimal(text, *precision, *scale).map_err(fail)?),
            *precision,
            *scale,
        ),
        SqlType::String => ScalarValue::Utf8(Some(text.to_string())),
        SqlType::Bytes => ScalarValue::Binary(Some(
            STANDARD_PAD_INDIFFERENT
                .decode(text)
                .map_err(|_| fail(ValueError::NotBase64(text.to_string())))?,
        )),
        SqlType::Timestamp => {
            ScalarValue::TimestampMillisecond(Some(text.parse().map_err(|_| not_a_number())?), None)
        }
        SqlType::Date => ScalarValue::Date32(Some(text.parse().map_err(|_| not_a_number())?)),
        SqlType::Time => {
            let millis: i32 = text.parse().map_err(|_| not_a_number())?;
            if !(0..=86_400_000).contains(&millis) {
                return Err(fail(ValueError::TimeOutOfRange));
            }
            ScalarValue::Time32Millisecond(Some(millis))
        }
        SqlType::Array(_) | SqlType::Map(_, _) | SqlType::Struct(_) => {
            return Err(unsupported(column));
        }
    })
}

/// A value's field text as ksqlDB writes it, or `None` for null: DECIMAL plain with its scale,
/// DOUBLE as Java prints it, BYTES base64, TIMESTAMP/TIME as milliseconds, DATE as days.
fn field_text(value: &ScalarValue, column: &Column) -> FormatResult<Option<String>> {
    if value.is_null() {
        return Ok(None);
    }
    let fail = |source| FormatError::ColumnValue {
        column: column.name.clone(),
        source,
    };
    let value = conform(value, &column.ty).map_err(fail)?;
    Ok(Some(match value.as_ref() {
        ScalarValue::Boolean(Some(b)) => b.to_string(),
        ScalarValue::Int32(Some(v)) => v.to_string(),
        ScalarValue::Int64(Some(v)) => v.to_string(),
        ScalarValue::Float64(Some(v)) => format_double(*v),
        ScalarValue::Decimal128(Some(v), _, scale) => format_decimal(*v, *scale),
        ScalarValue::Utf8(Some(s)) => s.clone(),
        ScalarValue::Binary(Some(b)) => STANDARD.encode(b),
        ScalarValue::TimestampMillisecond(Some(v), _) => v.to_string(),
        ScalarValue::Date32(Some(v)) => v.to_string(),
        ScalarValue::Time32Millisecond(Some(v)) => v.to_string(),
        _ => return Err(unsupported(column)),
    }))
}

/// Appends `text`, quoted when Commons CSV's `QuoteMode.MINIMAL` (the version ksqlDB ships)
/// would quote it: an empty first field; a first field not starting with an ASCII letter or
/// digit; a field starting with a character up to `#`; one holding a quote, the delimiter or a
/// line break; or one ending in a character up to space.
fn print_field(record: &mut String, text: &str, first_in_record: bool, delimiter: char) {
    let quote = match (text.chars().next(), text.chars().last()) {
        (None, _) | (_, None) => first_in_record,
        (Some(first), Some(last)) => {
            (first_in_record && !first.is_ascii_alphanumeric())
                || first <= '#'
                || text.contains(['"', '\r', '\n', delimiter])
                || last <= ' '
        }
    };
    if quote {
        record.push('"');
        record.push_str(&text.replace('"', "\"\""));
        record.push('"');
    } else {
        record.push_str(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::SerdeSpec;

    fn spec(delimiter: char) -> SerdeSpec {
        SerdeSpec {
            kind: FormatKind::Delimited,
            delimiter,
            wrap_single: false,
        }
    }

    fn decode_text(
        text: &str,
        columns: &[Column],
        delimiter: char,
    ) -> FormatResult<Vec<ScalarValue>> {
        spec(delimiter)
            .decode(Some(text.as_bytes()), columns)
            .map(|row| row.unwrap_or_default())
    }

    fn encode_text(values: &[ScalarValue], columns: &[Column], delimiter: char) -> String {
        let bytes = spec(delimiter)
            .encode(values, columns)
            .expect("encodes")
            .expect("bytes");
        String::from_utf8(bytes).expect("utf-8")
    }

    fn round_trip(text: &str, columns: &[Column], delimiter: char) -> String {
        let row = decode_text(text, columns, delimiter).expect("decodes");
        encode_text(&row, columns, delimiter)
    }

    fn test_columns() -> Vec<Column> {
        vec![
            Column::value("ID", SqlType::Bigint),
            Column::value("NAME", SqlType::String),
            Column::value("VALUE", SqlType::Int),
        ]
    }

    #[test]
    fn records_round_trip_with_any_delimiter() {
        let columns = test_columns();
        assert_eq!(round_trip("0,zero,0", &columns, ','), "0,zero,0");
        assert_eq!(round_trip("100|100|500", &columns, '|'), "100|100|500");
        assert_eq!(round_trip("0\tzero\t0", &columns, '\t'), "0\tzero\t0");
        assert_eq!(round_trip("0 zero 0", &columns, ' '), "0 zero 0");
        let row = decode_text("0,zero,0", &columns, ',').expect("decodes");
        assert_eq!(
            row,
            vec![
                ScalarValue::Int64(Some(0)),
                ScalarValue::Utf8(Some("zero".into())),
                ScalarValue::Int32(Some(0)),
            ]
        );
    }

    #[test]
    fn quoted_fields_and_empty_fields() {
        // delimited.json "STRING - key", "multi-column key": quotes are CSV quoting.
        let keys = [
            Column::key("K1", SqlType::String),
            Column::key("K2", SqlType::String),
        ];
        let row = decode_text(r#""foo","bar""#, &keys, ',').expect("decodes");
        assert_eq!(row, decode_text("foo,bar", &keys, ',').expect("decodes"));
        let row = decode_text("foo,bar;baz", &keys, ';').expect("decodes");
        assert_eq!(row[0], ScalarValue::Utf8(Some("foo,bar".into())));
        let row = decode_text(r#""a ""b"", c" ,"#, &keys, ',').expect("decodes");
        assert_eq!(
            row,
            vec![
                ScalarValue::Utf8(Some(r#"a "b", c"#.into())),
                ScalarValue::Utf8(None)
            ]
        );
        assert_eq!(encode_text(&row, &keys, ','), r#""a ""b"", c","#);
        let row = decode_text(r#"x"y,"""#, &keys, ',').expect("decodes");
        assert_eq!(
            row,
            vec![
                ScalarValue::Utf8(Some(r#"x"y"#.into())),
                ScalarValue::Utf8(None)
            ]
        );
        // Only the first line is a record.
        let row = decode_text("a,b\r\nc,d", &keys, ',').expect("decodes");
        assert_eq!(row[1], ScalarValue::Utf8(Some("b".into())));
    }

    #[test]
    fn typed_keys_accept_quotes() {
        let read = |text: &str, ty: SqlType| {
            decode_text(text, &[Column::key("K", ty)], ',')
                .expect("decodes")
                .remove(0)
        };
        assert_eq!(
            read(r#""true""#, SqlType::Boolean),
            ScalarValue::Boolean(Some(true))
        );
        assert_eq!(
            read("TRUE", SqlType::Boolean),
            ScalarValue::Boolean(Some(true))
        );
        assert_eq!(
            read("yes", SqlType::Boolean),
            ScalarValue::Boolean(Some(false))
        );
        assert_eq!(read(r#""22""#, SqlType::Int), ScalarValue::Int32(Some(22)));
        assert_eq!(
            read(r#""123.456""#, SqlType::Double),
            ScalarValue::Float64(Some(123.456))
        );
        assert_eq!(
            read(r#""12.0""#, SqlType::Decimal(6, 4)),
            ScalarValue::Decimal128(Some(120_000), 6, 4)
        );
    }

    #[test]
    fn decimals_are_written_plain_and_quoted_like_ksqldb() {
        // delimited.json "read written decimals".
        let columns = [Column::value("V", SqlType::Decimal(33, 16))];
        for (input, output) in [
            (
                "12345678987654321.2345678987654321",
                "12345678987654321.2345678987654321",
            ),
            (".12", "0.1200000000000000"),
            ("-12345.12", r#""-12345.1200000000000000""#),
            (r#""-12345.12""#, r#""-12345.1200000000000000""#),
            ("0", "0.0000000000000000"),
        ] {
            assert_eq!(round_trip(input, &columns, ','), output, "for {input}");
        }
        // Only a first field gets the start-of-record rule.
        let two = [
            Column::value("A", SqlType::Int),
            Column::value("B", SqlType::Int),
        ];
        assert_eq!(round_trip("-1,-2", &two, ','), r#""-1",-2"#);
    }

    #[test]
    fn printer_quotes_minimally() {
        let mut out = String::new();
        let print = |text: &str, first: bool| {
            let mut record = String::new();
            print_field(&mut record, text, first, ',');
            record
        };
        assert_eq!(print("", true), r#""""#);
        assert_eq!(print("", false), "");
        assert_eq!(print("a,b", false), r#""a,b""#);
        assert_eq!(print("line\nbreak", false), "\"line\nbreak\"");
        assert_eq!(print("trailing ", false), r#""trailing ""#);
        assert_eq!(print("#hash", false), r##""#hash""##);
        assert_eq!(print("-x", false), "-x");
        assert_eq!(print("éa", true), r#""éa""#);
        assert_eq!(print("éa", false), "éa");
        print_field(&mut out, "a|b", false, '|');
        assert_eq!(out, r#""a|b""#);
    }

    #[test]
    fn other_types_as_text() {
        let columns = [
            Column::value("B", SqlType::Bytes),
            Column::value("TS", SqlType::Timestamp),
            Column::value("T", SqlType::Time),
            Column::value("D", SqlType::Date),
            Column::value("X", SqlType::Double),
            Column::value("F", SqlType::Boolean),
        ];
        let text = "dmFyaWF0aW9ucw==,10,10,19000,1.0E7,false";
        assert_eq!(round_trip(text, &columns, ','), text);
        let row = decode_text(text, &columns, ',').expect("decodes");
        assert_eq!(row[0], ScalarValue::Binary(Some(b"variations".to_vec())));
        assert_eq!(row[4], ScalarValue::Float64(Some(1e7)));
    }

    #[test]
    fn single_nulls_and_empty_payloads() {
        let single = [Column::value("FOO", SqlType::Int)];
        assert_eq!(encode_text(&[ScalarValue::Int32(None)], &single, ','), "");
        assert_eq!(
            decode_text("", &single, ','),
            Ok(vec![ScalarValue::Int32(None)])
        );
        let s = [Column::value("S", SqlType::String)];
        assert_eq!(
            encode_text(&[ScalarValue::Utf8(Some(String::new()))], &s, ','),
            r#""""#
        );
        assert_eq!(
            decode_text(r#""""#, &s, ','),
            Ok(vec![ScalarValue::Utf8(None)])
        );
    }

    #[test]
    fn bad_records_are_errors() {
        let columns = test_columns();
        let err = |text: &str| decode_text(text, &columns, ',').unwrap_err().to_string();
        assert_eq!(
            err("1,2"),
            "Column count mismatch on deserialization. expected: 3, got: 2"
        );
        assert_eq!(err("1,a,b"), "For input string: \"b\", column: `VALUE`");
        assert_eq!(
            err("99999999999999999999,a,1"),
            "For input string: \"99999999999999999999\", column: `ID`"
        );
        assert_eq!(
            err(r#"1,"open,1"#),
            "Error deserializing delimited: EOF reached before encapsulated token finished"
        );
        assert_eq!(
            err(r#"1,"a"b,1"#),
            "Error deserializing delimited: invalid char between encapsulated token and delimiter"
        );
        let dec = [Column::value("D", SqlType::Decimal(4, 2))];
        assert!(decode_text("1.234", &dec, ',').is_err());
        let t = [Column::value("T", SqlType::Time)];
        assert!(decode_text("-1", &t, ',').is_err());
        let b = [Column::value("B", SqlType::Bytes)];
        assert!(decode_text("%%%", &b, ',').is_err());
        assert!(
            spec(',')
                .decode(Some(&[0xff, b',', 0xfe, b',', b'1']), &columns)
                .is_err()
        );
        let array = [Column::value("A", SqlType::Array(Box::new(SqlType::Int)))];
        assert_eq!(
            decode_text("1", &array, ',').unwrap_err().to_string(),
            "The 'DELIMITED' format does not support type 'ARRAY', column: `A`"
        );
    }
}
