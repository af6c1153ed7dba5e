//! ksqlDB's overload resolution for scalar functions, as DataFusion `coerce_types`.
//!
//! ksqlDB (`UdfIndex`) picks a function's overload from the SQL types of its arguments in
//! two rounds: first among overloads the arguments match exactly, then, only if there is
//! none, among those reached by implicit widening (INT → BIGINT → DECIMAL → DOUBLE). A NULL
//! literal matches any parameter. Within a round a fixed-arity overload beats a variadic
//! one, then the one with more parameters, then the one with fewer generic parameters; two
//! candidates still tied make the call ambiguous. When nothing matches it fails the
//! statement with `Function 'name' does not accept parameters (TYPE, …).`
//!
//! Functions declare their overloads as [`Param`] lists; [`Overloads::coerce`] gives the
//! argument types DataFusion casts to, and [`Overloads::resolve`] (called from
//! `return_type`) tells which overload was chosen or raises ksqlDB's error. When no
//! overload is chosen, `coerce` hands the types back unchanged so that the error comes from
//! `return_type` as a plain planning error, not wrapped in DataFusion's coercion message.

use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, TimeUnit};
use datafusion::common::{Result, plan_err};

use crate::catalog::types::SqlType;

/// A parameter of one overload.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Param {
    Boolean,
    Int,
    Bigint,
    Double,
    /// Any DECIMAL precision and scale.
    Decimal,
    String,
    Bytes,
    Timestamp,
    Date,
    Time,
    /// `ARRAY<item>`.
    Array(Box<Param>),
    /// `MAP<key, value>`.
    Map(Box<Param>, Box<Param>),
    /// Any STRUCT.
    Struct,
    /// A generic `T`: any type, passed as it is.
    Any,
}

impl Param {
    /// `ARRAY<T>` for any `T`.
    pub fn any_array() -> Param {
        Param::Array(Box::new(Param::Any))
    }

    /// `MAP<STRING, T>` for any `T`.
    pub fn any_map() -> Param {
        Param::Map(Box::new(Param::String), Box::new(Param::Any))
    }
}

/// One overload: its parameters, the last one repeated if `variadic`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Overload {
    pub params: Vec<Param>,
    pub variadic: bool,
}

/// The overloads of one function, in declaration order (ties go to the earlier one).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Overloads {
    name: &'static str,
    overloads: Vec<Overload>,
}

impl Overloads {
    /// A function with the given fixed-arity overloads.
    pub fn new(name: &'static str, overloads: Vec<Vec<Param>>) -> Self {
        Overloads {
            name,
            overloads: overloads
                .into_iter()
                .map(|params| Overload {
                    params,
                    variadic: false,
                })
                .collect(),
        }
    }

    /// Adds a variadic overload: `params`, the last repeated zero or more times.
    pub fn with_variadic(mut self, params: Vec<Param>) -> Self {
        self.overloads.push(Overload {
            params,
            variadic: true,
        });
        self
    }

    /// The argument types to cast to: those of the chosen overload, or `args` unchanged
    /// when none is chosen (`resolve` then reports it).
    pub fn coerce(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        Ok(match self.choose(args) {
            Choice::Chosen(_, types) => types,
            Choice::Ambiguous | Choice::NoMatch => args.to_vec(),
        })
    }

    /// The index of the overload that `args` (already coerced) select, or ksqlDB's error.
    pub fn resolve(&self, args: &[DataType]) -> Result<usize> {
        match self.choose(args) {
            Choice::Chosen(index, _) => Ok(index),
            Choice::Ambiguous => plan_err!("{}", ambiguous(self.name, args)),
            Choice::NoMatch => plan_err!("{}", not_accepted(self.name, args)),
        }
    }

    fn choose(&self, args: &[DataType]) -> Choice {
        let matches: Vec<(usize, bool, Vec<DataType>)> = self
            .overloads
            .iter()
            .enumerate()
            .filter_map(|(index, overload)| {
                match_overload(overload, args).map(|(exact, types)| (index, exact, types))
            })
            .collect();
        let exact_round = matches.iter().any(|(_, exact, _)| *exact);
        // The best candidate so far: its rank, index and argument types.
        let mut best: Option<(Rank, usize, Vec<DataType>)> = None;
        let mut tied = false;
        for (index, exact, types) in matches {
            if exact_round && !exact {
                continue;
            }
            let rank = self.overloads[index].rank();
            match &best {
                Some((best_rank, _, _)) if rank < *best_rank => {}
                Some((best_rank, _, _)) if rank == *best_rank => tied = true,
                _ => {
                    best = Some((rank, index, types));
                    tied = false;
                }
            }
        }
        match best {
            None => Choice::NoMatch,
            Some(_) if tied => Choice::Ambiguous,
            Some((_, index, types)) => Choice::Chosen(index, types),
        }
    }
}

/// How much ksqlDB prefers an overload (`Overload::rank`); higher is better.
type Rank = (u8, usize, isize);

/// The outcome of overload resolution.
enum Choice {
    /// The overload's index and the types to cast the arguments to.
    Chosen(usize, Vec<DataType>),
    /// Two or more overloads fit equally well.
    Ambiguous,
    NoMatch,
}

impl Overload {
    /// ksqlDB's preference between two candidates, higher is better: fixed arity, then
    /// more parameters, then fewer generic ones.
    fn rank(&self) -> Rank {
        let generics = self.params.iter().filter(|p| p.is_generic()).count();
        (
            u8::from(!self.variadic),
            self.params.len(),
            -(generics as isize),
        )
    }
}

impl Param {
    fn is_generic(&self) -> bool {
        match self {
            Param::Any => true,
            Param::Array(item) => item.is_generic(),
            Param::Map(key, value) => key.is_generic() || value.is_generic(),
            _ => false,
        }
    }
}

/// ksqlDB's message for arguments that several overloads take equally well.
pub fn ambiguous(name: &str, args: &[DataType]) -> String {
    format!(
        "Function '{name}' cannot be resolved due to ambiguous method parameters ({}).\n\
         Use CAST() to explicitly cast your parameters to one of the supported function calls.",
        type_list(args)
    )
}

/// ksqlDB's message for arguments no overload takes.
pub fn not_accepted(name: &str, args: &[DataType]) -> String {
    format!(
        "Function '{name}' does not accept parameters ({}).",
        type_list(args)
    )
}

fn type_list(args: &[DataType]) -> String {
    let types: Vec<String> = args.iter().map(type_name).collect();
    types.join(", ")
}

/// The SQL name of an argument type as ksqlDB prints it in errors (`null` for NULL).
pub fn type_name(data_type: &DataType) -> String {
    match data_type {
        DataType::Null => "null".to_string(),
        other => SqlType::from_arrow(other)
            .map(|t| t.to_string())
            .unwrap_or_else(|| other.to_string()),
    }
}

/// Whether `overload` takes `args` without any widening, and the types to cast them to.
fn match_overload(overload: &Overload, args: &[DataType]) -> Option<(bool, Vec<DataType>)> {
    let params = &overload.params;
    let fits = if overload.variadic {
        args.len() + 1 >= params.len()
    } else {
        args.len() == params.len()
    };
    if !fits {
        return None;
    }
    let mut exact = true;
    let mut types = Vec::with_capacity(args.len());
    for (i, arg) in args.iter().enumerate() {
        let param = params.get(i).or_else(|| params.last())?;
        let (cost, ty) = coerce_one(param, arg)?;
        exact &= cost == 0;
        types.push(ty);
    }
    Some((exact, types))
}

/// Whether `arg` fits `param` exactly (0) or by widening (more), and the type to cast it to.
fn coerce_one(param: &Param, arg: &DataType) -> Option<(u32, DataType)> {
    use DataType as D;
    if let Param::Any = param {
        return Some((0, canonical(arg)));
    }
    if arg == &D::Null {
        return Some((0, null_target(param)));
    }
    let exact = |ty: DataType| Some((0, ty));
    match (param, arg) {
        (Param::Boolean, D::Boolean) => exact(D::Boolean),
        (Param::Int, D::Int8 | D::Int16 | D::Int32) => exact(D::Int32),
        // sluice's planner types integer literals as BIGINT where ksqlDB says INT; taking a
        // BIGINT for an INT parameter keeps `SUBSTRING(s, 2)` working. Not exact, so a real
        // BIGINT overload always wins.
        (Param::Int, D::Int64) => Some((8, D::Int32)),
        (Param::Bigint, D::Int64) => exact(D::Int64),
        (Param::Bigint, D::Int8 | D::Int16 | D::Int32) => Some((1, D::Int64)),
        (Param::Decimal, D::Decimal128(p, s)) => exact(D::Decimal128(*p, *s)),
        (Param::Decimal, D::Int8 | D::Int16 | D::Int32) => Some((2, D::Decimal128(10, 0))),
        (Param::Decimal, D::Int64) => Some((1, D::Decimal128(19, 0))),
        (Param::Double, D::Float64) => exact(D::Float64),
        (Param::Double, D::Float16 | D::Float32) => Some((0, D::Float64)),
        (Param::Double, D::Decimal128(_, _)) => Some((1, D::Float64)),
        (Param::Double, D::Int64) => Some((2, D::Float64)),
        (Param::Double, D::Int8 | D::Int16 | D::Int32) => Some((3, D::Float64)),
        (Param::String, D::Utf8 | D::LargeUtf8 | D::Utf8View) => exact(D::Utf8),
        (Param::Bytes, D::Binary | D::LargeBinary | D::BinaryView) => exact(D::Binary),
        (Param::Timestamp, D::Timestamp(_, _)) => exact(timestamp()),
        (Param::Date, D::Date32) => exact(D::Date32),
        (Param::Time, D::Time32(_) | D::Time64(_)) => exact(time()),
        (Param::Struct, D::Struct(_)) => exact(arg.clone()),
        (Param::Array(item), D::List(field) | D::LargeList(field)) => {
            let (cost, item) = coerce_item(item, field.data_type())?;
            Some((cost, D::List(Arc::new(Field::new("item", item, true)))))
        }
        (Param::Map(key, value), D::Map(entries, _)) => {
            let D::Struct(kv) = entries.data_type() else {
                return None;
            };
            let [k, v] = kv.iter().collect::<Vec<_>>()[..] else {
                return None;
            };
            let (kc, k) = coerce_item(key, k.data_type())?;
            let (vc, v) = coerce_item(value, v.data_type())?;
            Some((kc + vc, map_type(k, v)))
        }
        _ => None,
    }
}

/// Elements of collections are not widened by ksqlDB (an `ARRAY<INT>` is no
/// `ARRAY<BIGINT>`), except that an empty `ARRAY[]` (NULL items) fits any.
fn coerce_item(param: &Param, item: &DataType) -> Option<(u32, DataType)> {
    match coerce_one(param, item)? {
        (0, ty) => Some((0, ty)),
        _ => None,
    }
}

/// The type a NULL literal is cast to for `param`.
fn null_target(param: &Param) -> DataType {
    use DataType as D;
    match param {
        Param::Boolean => D::Boolean,
        Param::Int => D::Int32,
        Param::Bigint => D::Int64,
        Param::Double => D::Float64,
        Param::Decimal => D::Decimal128(38, 0),
        Param::String => D::Utf8,
        Param::Bytes => D::Binary,
        Param::Timestamp => timestamp(),
        Param::Date => D::Date32,
        Param::Time => time(),
        Param::Array(item) => D::List(Arc::new(Field::new("item", null_target(item), true))),
        Param::Map(k, v) => map_type(null_target(k), null_target(v)),
        Param::Struct | Param::Any => D::Null,
    }
}

/// The canonical physical type of a SQL type that DataFusion may hold in another encoding.
fn canonical(arg: &DataType) -> DataType {
    match arg {
        DataType::Utf8View | DataType::LargeUtf8 => DataType::Utf8,
        DataType::BinaryView | DataType::LargeBinary => DataType::Binary,
        other => other.clone(),
    }
}

/// ksqlDB's TIMESTAMP as Arrow holds it.
pub fn timestamp() -> DataType {
    DataType::Timestamp(TimeUnit::Millisecond, None)
}

/// ksqlDB's TIME as Arrow holds it.
pub fn time() -> DataType {
    DataType::Time32(TimeUnit::Millisecond)
}

/// `ARRAY<item>` as Arrow holds it.
pub fn list_type(item: DataType) -> DataType {
    DataType::List(Arc::new(Field::new("item", item, true)))
}

/// `MAP<key, value>` as Arrow holds it (`SqlType::to_arrow`'s layout).
pub fn map_type(key: DataType, value: DataType) -> DataType {
    DataType::Map(
        Arc::new(Field::new(
            "entries",
            DataType::Struct(
                vec![
                    Field::new("key", key, false),
                    Field::new("value", value, true),
                ]
                .into(),
            ),
            false,
        )),
        false,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn substring() -> Overloads {
        Overloads::new(
            "substring",
            vec![
                vec![Param::String, Param::Int],
                vec![Param::String, Param::Int, Param::Int],
                vec![Param::Bytes, Param::Int],
            ],
        )
    }

    #[test]
    fn exact_match_is_kept() {
        let args = [DataType::Utf8, DataType::Int32];
        assert_eq!(substring().coerce(&args).unwrap(), args.to_vec());
        assert_eq!(substring().resolve(&args).unwrap(), 0);
    }

    #[test]
    fn null_literal_takes_the_parameter_type() {
        let args = [DataType::Utf8, DataType::Null, DataType::Int64];
        assert_eq!(
            substring().coerce(&args).unwrap(),
            vec![DataType::Utf8, DataType::Int32, DataType::Int32]
        );
    }

    #[test]
    fn an_exact_match_beats_widening() {
        let f = Overloads::new(
            "f",
            vec![
                vec![Param::Double],
                vec![Param::Decimal],
                vec![Param::Bigint],
            ],
        );
        assert_eq!(f.resolve(&[DataType::Decimal128(3, 1)]).unwrap(), 1);
        assert_eq!(f.resolve(&[DataType::Int64]).unwrap(), 2);
    }

    #[test]
    fn equal_widenings_are_ambiguous() {
        let f = Overloads::new("greatest", vec![])
            .with_variadic(vec![Param::Bigint, Param::Bigint])
            .with_variadic(vec![Param::Double, Param::Double]);
        let args = [DataType::Int32, DataType::Int64];
        assert_eq!(f.coerce(&args).unwrap(), args.to_vec());
        let err = f.resolve(&args).unwrap_err().to_string();
        assert!(
            err.contains("Function 'greatest' cannot be resolved due to ambiguous method parameters (INTEGER, BIGINT)."),
            "{err}"
        );
        assert_eq!(f.resolve(&[DataType::Int32, DataType::Float64]).unwrap(), 1);
    }

    #[test]
    fn fixed_arity_beats_variadic() {
        let f = Overloads::new("f", vec![vec![Param::String]]).with_variadic(vec![Param::String]);
        assert_eq!(f.resolve(&[DataType::Utf8]).unwrap(), 0);
        assert_eq!(f.resolve(&[DataType::Null]).unwrap(), 0);
    }

    #[test]
    fn no_match_is_ksqldb_error() {
        let args = [DataType::Utf8, DataType::Utf8];
        assert_eq!(substring().coerce(&args).unwrap(), args.to_vec());
        let err = substring().resolve(&args).unwrap_err().to_string();
        assert!(
            err.contains("Function 'substring' does not accept parameters (STRING, STRING)."),
            "{err}"
        );
    }

    #[test]
    fn variadic_takes_any_count() {
        let f = Overloads::new("f", vec![]).with_variadic(vec![Param::String]);
        assert!(f.resolve(&[]).is_ok());
        assert!(
            f.resolve(&[DataType::Utf8, DataType::Utf8, DataType::Utf8])
                .is_ok()
        );
        assert!(f.resolve(&[DataType::Int32]).is_err());
    }
}
