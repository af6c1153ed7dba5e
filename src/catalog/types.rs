//! SQL types in ksqlDB's type system and their Arrow representation.
//!
//! `SqlType` is what the catalog stores and what users write (`INT`, `STRUCT<A STRING>`, …);
//! execution works on the Arrow `DataType` that `SqlType::to_arrow` gives. Parsing type text
//! belongs to `sql/`; this module only owns the model and its rendering.

use std::fmt;
use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, Fields, TimeUnit};

/// A ksqlDB SQL type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SqlType {
    Boolean,
    Int,
    Bigint,
    Double,
    /// DECIMAL(precision, scale).
    Decimal(u8, i8),
    String,
    Bytes,
    /// Milliseconds since the epoch, no time zone.
    Timestamp,
    /// Days since the epoch.
    Date,
    /// Milliseconds of the day.
    Time,
    Array(Box<SqlType>),
    /// ksqlDB maps; keys are STRING in every format sluice writes.
    Map(Box<SqlType>, Box<SqlType>),
    Struct(Vec<StructField>),
}

/// A named field of a STRUCT type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StructField {
    pub name: String,
    pub ty: SqlType,
}

impl SqlType {
    /// The Arrow type values of this SQL type are stored as.
    pub fn to_arrow(&self) -> DataType {
        match self {
            SqlType::Boolean => DataType::Boolean,
            SqlType::Int => DataType::Int32,
            SqlType::Bigint => DataType::Int64,
            SqlType::Double => DataType::Float64,
            SqlType::Decimal(p, s) => DataType::Decimal128(*p, *s),
            SqlType::String => DataType::Utf8,
            SqlType::Bytes => DataType::Binary,
            SqlType::Timestamp => DataType::Timestamp(TimeUnit::Millisecond, None),
            SqlType::Date => DataType::Date32,
            SqlType::Time => DataType::Time32(TimeUnit::Millisecond),
            SqlType::Array(item) => {
                DataType::List(Arc::new(Field::new("item", item.to_arrow(), true)))
            }
            SqlType::Map(key, value) => DataType::Map(
                Arc::new(Field::new(
                    "entries",
                    DataType::Struct(Fields::from(vec![
                        Field::new("key", key.to_arrow(), false),
                        Field::new("value", value.to_arrow(), true),
                    ])),
                    false,
                )),
                false,
            ),
            SqlType::Struct(fields) => DataType::Struct(
                fields
                    .iter()
                    .map(|f| Field::new(&f.name, f.ty.to_arrow(), true))
                    .collect::<Vec<_>>()
                    .into(),
            ),
        }
    }

    /// The SQL type of an Arrow type, where ksqlDB has one.
    pub fn from_arrow(data_type: &DataType) -> Option<SqlType> {
        Some(match data_type {
            DataType::Boolean => SqlType::Boolean,
            DataType::Int8 | DataType::Int16 | DataType::Int32 => SqlType::Int,
            DataType::Int64 | DataType::UInt32 | DataType::UInt64 => SqlType::Bigint,
            DataType::Float16 | DataType::Float32 | DataType::Float64 => SqlType::Double,
            DataType::Decimal128(p, s) => SqlType::Decimal(*p, *s),
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => SqlType::String,
            DataType::Binary | DataType::LargeBinary | DataType::BinaryView => SqlType::Bytes,
            DataType::Timestamp(_, _) => SqlType::Timestamp,
            DataType::Date32 | DataType::Date64 => SqlType::Date,
            DataType::Time32(_) | DataType::Time64(_) => SqlType::Time,
            DataType::List(item) | DataType::LargeList(item) => {
                SqlType::Array(Box::new(SqlType::from_arrow(item.data_type())?))
            }
            DataType::Map(entries, _) => match entries.data_type() {
                DataType::Struct(kv) if kv.len() == 2 => SqlType::Map(
                    Box::new(SqlType::from_arrow(kv[0].data_type())?),
                    Box::new(SqlType::from_arrow(kv[1].data_type())?),
                ),
                _ => return None,
            },
            DataType::Struct(fields) => SqlType::Struct(
                fields
                    .iter()
                    .map(|f| {
                        Some(StructField {
                            name: f.name().clone(),
                            ty: SqlType::from_arrow(f.data_type())?,
                        })
                    })
                    .collect::<Option<Vec<_>>>()?,
            ),
            _ => return None,
        })
    }

    /// True for the types DELIMITED and KAFKA can hold: everything but ARRAY, MAP and STRUCT.
    pub fn is_primitive(&self) -> bool {
        !matches!(
            self,
            SqlType::Array(_) | SqlType::Map(_, _) | SqlType::Struct(_)
        )
    }

    /// True for INT, BIGINT, DOUBLE and DECIMAL.
    pub fn is_numeric(&self) -> bool {
        matches!(
            self,
            SqlType::Int | SqlType::Bigint | SqlType::Double | SqlType::Decimal(_, _)
        )
    }
}

/// Renders as ksqlDB writes types in schemas: `INTEGER`, `ARRAY<STRING>`,
/// ``STRUCT<`A` STRING>``, `DECIMAL(4, 2)`.
impl fmt::Display for SqlType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SqlType::Boolean => f.write_str("BOOLEAN"),
            SqlType::Int => f.write_str("INTEGER"),
            SqlType::Bigint => f.write_str("BIGINT"),
            SqlType::Double => f.write_str("DOUBLE"),
            SqlType::Decimal(p, s) => write!(f, "DECIMAL({p}, {s})"),
            SqlType::String => f.write_str("STRING"),
            SqlType::Bytes => f.write_str("BYTES"),
            SqlType::Timestamp => f.write_str("TIMESTAMP"),
            SqlType::Date => f.write_str("DATE"),
            SqlType::Time => f.write_str("TIME"),
            SqlType::Array(item) => write!(f, "ARRAY<{item}>"),
            SqlType::Map(k, v) => write!(f, "MAP<{k}, {v}>"),
            SqlType::Struct(fields) => {
                f.write_str("STRUCT<")?;
                for (i, field) in fields.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "`{}` {}", field.name, field.ty)?;
                }
                f.write_str(">")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrow_round_trip_keeps_every_type() {
        let ty = SqlType::Struct(vec![
            StructField {
                name: "A".into(),
                ty: SqlType::Array(Box::new(SqlType::Decimal(4, 2))),
            },
            StructField {
                name: "M".into(),
                ty: SqlType::Map(Box::new(SqlType::String), Box::new(SqlType::Timestamp)),
            },
            StructField {
                name: "T".into(),
                ty: SqlType::Time,
            },
        ]);
        assert_eq!(SqlType::from_arrow(&ty.to_arrow()), Some(ty));
    }

    #[test]
    fn renders_like_ksqldb() {
        let ty = SqlType::Struct(vec![StructField {
            name: "A".into(),
            ty: SqlType::Int,
        }]);
        assert_eq!(ty.to_string(), "STRUCT<`A` INTEGER>");
        assert_eq!(SqlType::Decimal(4, 2).to_string(), "DECIMAL(4, 2)");
    }
}
