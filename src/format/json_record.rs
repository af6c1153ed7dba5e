//! Reading a wrapped JSON record straight into its columns.
//!
//! The record's object is walked field by field with serde: a field whose name matches a
//! column (exactly, or upper-cased — ksqlDB's rule, see `json_value::find_field`) has just its
//! value parsed; other fields are skipped unparsed. No `Value` tree of the whole record and no
//! allocated key is built, which is most of the cost of decoding a record otherwise.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;

use crate::catalog::schema::Column;

/// What the walk found at the top of the record.
pub(super) enum RecordShape {
    /// JSON `null`: a null record.
    Null,
    /// Not an object: the caller reports the error with the whole value.
    NotObject,
    /// An object: each column's value, when a field named it.
    Object(Vec<Option<Value>>),
}

/// Walks one record's bytes. Syntax errors are serde_json's.
pub(super) fn read(bytes: &[u8], columns: &[Column]) -> serde_json::Result<RecordShape> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let shape = RecordSeed { columns }.deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(shape)
}

struct RecordSeed<'c> {
    columns: &'c [Column],
}

impl<'de> DeserializeSeed<'de> for RecordSeed<'_> {
    type Value = RecordShape;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<RecordShape, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for RecordSeed<'_> {
    type Value = RecordShape;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON record")
    }

    fn visit_unit<E>(self) -> Result<RecordShape, E> {
        Ok(RecordShape::Null)
    }

    fn visit_bool<E>(self, _: bool) -> Result<RecordShape, E> {
        Ok(RecordShape::NotObject)
    }

    fn visit_i64<E>(self, _: i64) -> Result<RecordShape, E> {
        Ok(RecordShape::NotObject)
    }

    fn visit_u64<E>(self, _: u64) -> Result<RecordShape, E> {
        Ok(RecordShape::NotObject)
    }

    fn visit_f64<E>(self, _: f64) -> Result<RecordShape, E> {
        Ok(RecordShape::NotObject)
    }

    fn visit_str<E>(self, _: &str) -> Result<RecordShape, E> {
        Ok(RecordShape::NotObject)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<RecordShape, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(RecordShape::NotObject)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RecordShape, A::Error> {
        let mut values: Vec<Option<Value>> = vec![None; self.columns.len()];
        // Whether a column's value came from an exact name match, which no
        // case-insensitive match may replace.
        let mut exact = vec![false; self.columns.len()];
        while let Some(found) = map.next_key_seed(KeySeed {
            columns: self.columns,
        })? {
            match found {
                Some((index, is_exact)) if is_exact || !exact[index] => {
                    values[index] = Some(map.next_value()?);
                    exact[index] |= is_exact;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(RecordShape::Object(values))
    }
}

/// Matches a field name against the columns without allocating for ASCII names.
struct KeySeed<'c> {
    columns: &'c [Column],
}

impl KeySeed<'_> {
    /// The column a field name selects, and whether the match is exact.
    fn find(&self, key: &str) -> Option<(usize, bool)> {
        if let Some(index) = self.columns.iter().position(|c| c.name == key) {
            return Some((index, true));
        }
        let matches = |name: &str| {
            if key.is_ascii() {
                key.len() == name.len()
                    && key
                        .bytes()
                        .zip(name.bytes())
                        .all(|(k, n)| k.to_ascii_uppercase() == n)
            } else {
                key.to_uppercase() == name
            }
        };
        self.columns
            .iter()
            .position(|c| matches(&c.name))
            .map(|index| (index, false))
    }
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Option<(usize, bool)>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = Option<(usize, bool)>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E>(self, key: &str) -> Result<Self::Value, E> {
        Ok(self.find(key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::types::SqlType;

    fn shape(text: &str, columns: &[Column]) -> RecordShape {
        read(text.as_bytes(), columns).unwrap()
    }

    #[test]
    fn exact_names_win_and_later_loose_matches_replace_earlier_ones() {
        let columns = [
            Column::value("A", SqlType::Int),
            Column::value("b", SqlType::Int),
        ];
        let RecordShape::Object(values) = shape(
            r#"{"a": 1, "A": 2, "a": 3, "B": 4, "b": 5, "B": 6, "x": {"deep": [1]}}"#,
            &columns,
        ) else {
            panic!("an object")
        };
        assert_eq!(values, vec![Some(Value::from(2)), Some(Value::from(5))]);
    }

    #[test]
    fn null_and_non_objects_are_told_apart() {
        let columns = [Column::value("A", SqlType::Int)];
        assert!(matches!(shape("null", &columns), RecordShape::Null));
        assert!(matches!(shape("[1, 2]", &columns), RecordShape::NotObject));
        assert!(matches!(
            shape("\"text\"", &columns),
            RecordShape::NotObject
        ));
        assert!(read(b"{\"A\": 1", &columns).is_err());
        assert!(read(b"{\"A\": 1} trailing", &columns).is_err());
    }
}
