//! Building result columns of ksqlDB's collection types row by row, in the Arrow layout
//! `SqlType::to_arrow` gives (`item` list fields, `entries`/`key`/`value` maps), so
//! function results need no cast before they reach a sink.

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, BinaryBuilder, ListArray, ListBuilder, MapArray, MapBuilder, MapFieldNames,
    StringBuilder, StructArray, UInt32Array,
};
use datafusion::arrow::buffer::{NullBuffer, OffsetBuffer};
use datafusion::arrow::compute::take;
use datafusion::arrow::datatypes::{DataType, Field};
use datafusion::common::{Result, exec_datafusion_err};

/// An `ARRAY<STRING>` column: one list (or NULL) per row, items possibly NULL.
pub fn string_list<I, S>(rows: I) -> ArrayRef
where
    I: IntoIterator<Item = Option<Vec<Option<S>>>>,
    S: AsRef<str>,
{
    let mut builder = ListBuilder::new(StringBuilder::new());
    for row in rows {
        match row {
            Some(items) => {
                for item in items {
                    builder.values().append_option(item);
                }
                builder.append(true);
            }
            None => builder.append(false),
        }
    }
    Arc::new(builder.finish())
}

/// An `ARRAY<BYTES>` column.
pub fn binary_list<I, B>(rows: I) -> ArrayRef
where
    I: IntoIterator<Item = Option<Vec<Option<B>>>>,
    B: AsRef<[u8]>,
{
    let mut builder = ListBuilder::new(BinaryBuilder::new());
    for row in rows {
        match row {
            Some(items) => {
                for item in items {
                    builder.values().append_option(item);
                }
                builder.append(true);
            }
            None => builder.append(false),
        }
    }
    Arc::new(builder.finish())
}

/// A `MAP<STRING, STRING>` column from each row's entries in order (later duplicates of a
/// key are the caller's to drop: ksqlDB maps hold a key once).
pub fn string_map<I, K, V>(rows: I) -> Result<ArrayRef>
where
    I: IntoIterator<Item = Option<Vec<(K, Option<V>)>>>,
    K: AsRef<str>,
    V: AsRef<str>,
{
    let names = MapFieldNames {
        entry: "entries".to_string(),
        key: "key".to_string(),
        value: "value".to_string(),
    };
    let mut builder = MapBuilder::new(Some(names), StringBuilder::new(), StringBuilder::new())
        .with_values_field(Arc::new(Field::new("value", DataType::Utf8, true)));
    for row in rows {
        match row {
            Some(entries) => {
                for (key, value) in entries {
                    builder.keys().append_value(key);
                    builder.values().append_option(value);
                }
                builder.append(true)?;
            }
            None => builder.append(false)?,
        }
    }
    Ok(Arc::new(builder.finish()))
}

/// A list column of the same type as `list` whose rows hold the items of `list.values()`
/// at the given positions (absolute indexes into the values), or NULL.
pub fn list_from_positions(
    list: &ListArray,
    rows: impl IntoIterator<Item = Option<Vec<usize>>>,
) -> Result<ArrayRef> {
    let DataType::List(field) = list.data_type() else {
        return Err(exec_datafusion_err!(
            "expected a list, got {}",
            list.data_type()
        ));
    };
    let mut offsets = vec![0i32];
    let mut indices: Vec<u32> = Vec::new();
    let mut valid = Vec::new();
    for row in rows {
        match row {
            Some(positions) => {
                for p in positions {
                    indices
                        .push(u32::try_from(p).map_err(|_| exec_datafusion_err!("list too long"))?);
                }
                valid.push(true);
            }
            None => valid.push(false),
        }
        let end =
            i32::try_from(indices.len()).map_err(|_| exec_datafusion_err!("list too long"))?;
        offsets.push(end);
    }
    let values = take(list.values().as_ref(), &UInt32Array::from(indices), None)?;
    let nulls = valid.iter().any(|v| !v).then(|| NullBuffer::from(valid));
    Ok(Arc::new(ListArray::try_new(
        field.clone(),
        OffsetBuffer::new(offsets.into()),
        values,
        nulls,
    )?))
}

/// A map column of type `map_type` (`signature::map_type`'s layout) whose row `i` holds
/// the entries `offsets[i]..offsets[i + 1]` of the keys in `keys` at `key_positions` and
/// the values in `values` at `value_positions`; `valid` tells the rows that are not NULL.
pub fn map_from_positions(
    map_type: &DataType,
    (keys, key_positions): (&dyn Array, Vec<u32>),
    (values, value_positions): (&dyn Array, Vec<u32>),
    offsets: Vec<i32>,
    valid: Vec<bool>,
) -> Result<ArrayRef> {
    let DataType::Map(entries_field, _) = map_type else {
        return Err(exec_datafusion_err!("expected a map, got {map_type}"));
    };
    let DataType::Struct(fields) = entries_field.data_type() else {
        return Err(exec_datafusion_err!("map entries are not a struct"));
    };
    let entries = StructArray::try_new(
        fields.clone(),
        vec![
            take(keys, &UInt32Array::from(key_positions), None)?,
            take(values, &UInt32Array::from(value_positions), None)?,
        ],
        None,
    )?;
    Ok(Arc::new(MapArray::try_new(
        entries_field.clone(),
        OffsetBuffer::new(offsets.into()),
        entries,
        Some(NullBuffer::from(valid)),
        false,
    )?))
}

/// The absolute positions of row `row`'s items in `list.values()`, or `None` for NULL.
pub fn positions(list: &ListArray, row: usize) -> Option<std::ops::Range<usize>> {
    if list.is_null(row) {
        return None;
    }
    let offsets = list.value_offsets();
    let start = usize::try_from(offsets[row]).ok()?;
    let end = usize::try_from(offsets[row + 1]).ok()?;
    Some(start..end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::types::SqlType;
    use datafusion::arrow::array::Int32Array;

    #[test]
    fn builders_use_the_canonical_layout() {
        let list = string_list(vec![Some(vec![Some("a"), None]), None]);
        assert_eq!(
            list.data_type(),
            &SqlType::Array(Box::new(SqlType::String)).to_arrow()
        );
        assert_eq!(list.null_count(), 1);
        let map = string_map(vec![Some(vec![("k", Some("v"))]), None]).unwrap();
        assert_eq!(
            map.data_type(),
            &SqlType::Map(Box::new(SqlType::String), Box::new(SqlType::String)).to_arrow()
        );
    }

    #[test]
    fn positions_pick_items() {
        let list =
            ListArray::from_iter_primitive::<datafusion::arrow::datatypes::Int32Type, _, _>(vec![
                Some(vec![Some(1), Some(2), Some(3)]),
                None,
            ]);
        let picked = list_from_positions(&list, vec![Some(vec![2, 0]), None]).unwrap();
        let picked = picked.as_any().downcast_ref::<ListArray>().unwrap();
        let first = picked.value(0);
        let first = first.as_any().downcast_ref::<Int32Array>().unwrap();
        assert_eq!(first.values(), &[3, 1]);
        assert!(picked.is_null(1));
        assert_eq!(positions(&list, 0), Some(0..3));
    }
}
