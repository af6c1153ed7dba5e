//! Writing a JSON record straight from Arrow arrays, for the common record of flat columns
//! (BOOLEAN, INT, BIGINT, DOUBLE, STRING): no `ScalarValue` or `serde_json::Value` per cell.
//! Records with other column types go through `json::encode`.

use std::io::Write as _;

use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::{DataType, Float64Type, Int32Type, Int64Type};

use super::number_text::format_double;
use super::{FormatError, FormatResult};
use crate::catalog::schema::Column;
use crate::catalog::types::SqlType;

/// Whether `write` can encode records of these columns.
pub(super) fn supports(columns: &[Column]) -> bool {
    columns.iter().all(|c| {
        matches!(
            c.ty,
            SqlType::Boolean | SqlType::Int | SqlType::Bigint | SqlType::Double | SqlType::String
        )
    })
}

/// Writes row `row` of `arrays` (one per column) as a JSON object, as `json::encode` would.
pub(super) fn write(
    arrays: &[&dyn Array],
    row: usize,
    columns: &[Column],
) -> FormatResult<Vec<u8>> {
    let mut out = Vec::with_capacity(24 * columns.len() + 2);
    out.push(b'{');
    for (i, (array, column)) in arrays.iter().zip(columns).enumerate() {
        if i > 0 {
            out.push(b',');
        }
        serde_json::to_writer(&mut out, &column.name).map_err(FormatError::internal)?;
        out.push(b':');
        write_cell(&mut out, *array, row)?;
    }
    out.push(b'}');
    Ok(out)
}

fn write_cell(out: &mut Vec<u8>, array: &dyn Array, row: usize) -> FormatResult<()> {
    if array.is_null(row) {
        out.extend_from_slice(b"null");
        return Ok(());
    }
    match array.data_type() {
        DataType::Boolean => {
            let value = array.as_boolean().value(row);
            out.extend_from_slice(if value { b"true" } else { b"false" });
        }
        DataType::Int32 => {
            write!(out, "{}", array.as_primitive::<Int32Type>().value(row))
                .map_err(FormatError::internal)?;
        }
        DataType::Int64 => {
            write!(out, "{}", array.as_primitive::<Int64Type>().value(row))
                .map_err(FormatError::internal)?;
        }
        DataType::Float64 => {
            let value = array.as_primitive::<Float64Type>().value(row);
            let text = format_double(value);
            // ksqlDB writes NaN and the infinities as strings, as JSON has no such numbers.
            if value.is_finite() {
                out.extend_from_slice(text.as_bytes());
            } else {
                serde_json::to_writer(&mut *out, &text).map_err(FormatError::internal)?;
            }
        }
        DataType::Utf8 => {
            serde_json::to_writer(&mut *out, array.as_string::<i32>().value(row))
                .map_err(FormatError::internal)?;
        }
        other => {
            return Err(FormatError::internal(format!(
                "flat JSON writer given a {other} column"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{ArrayRef, BooleanArray, Float64Array, Int64Array, StringArray};
    use datafusion::scalar::ScalarValue;

    use super::*;
    use crate::format::{FormatKind, SerdeSpec};

    #[test]
    fn writes_what_the_value_path_writes() {
        let columns = [
            Column::value("B", SqlType::Boolean),
            Column::value("N", SqlType::Bigint),
            Column::value("D", SqlType::Double),
            Column::value("S", SqlType::String),
        ];
        let arrays: Vec<ArrayRef> = vec![
            Arc::new(BooleanArray::from(vec![Some(true), None])),
            Arc::new(Int64Array::from(vec![Some(-7), None])),
            Arc::new(Float64Array::from(vec![Some(1.0), Some(f64::NAN)])),
            Arc::new(StringArray::from(vec![Some("a \"q\""), None])),
        ];
        let refs: Vec<&dyn Array> = arrays.iter().map(|a| a.as_ref()).collect();
        let spec = SerdeSpec {
            kind: FormatKind::Json,
            delimiter: ',',
            wrap_single: true,
        };
        for row in 0..2 {
            let values: Vec<ScalarValue> = arrays
                .iter()
                .map(|a| ScalarValue::try_from_array(a, row).unwrap())
                .collect();
            let expected = spec.encode(&values, &columns).unwrap().unwrap();
            assert_eq!(
                String::from_utf8(write(&refs, row, &columns).unwrap()).unwrap(),
                String::from_utf8(expected).unwrap()
            );
        }
    }
}
