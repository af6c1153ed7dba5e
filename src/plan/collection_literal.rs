//! ksqlDB's rules for the collection constructors `ARRAY[…]`, `MAP(k := v, …)` and
//! `STRUCT(f := v, …)`: what they reject before planning (no elements, only NULLs,
//! repeated field names) and how string literals among their elements take the type of
//! the others (`ARRAY[1, '2']` is an `ARRAY<INTEGER>`), and how STRUCT elements of an
//! array with different fields take the union of them. DataFusion's `make_array` and
//! `make_map` unify the rest.

use datafusion::arrow::datatypes::{DataType, Field, Fields};
use datafusion::common::tree_node::Transformed;
use datafusion::common::{DFSchema, ScalarValue, plan_err};
use datafusion::functions::core::expr_fn::{get_field, named_struct};
use datafusion::logical_expr::{Cast, Expr, ExprSchemable, when};
use datafusion::sql::sqlparser::ast::{self as sql, Ident};

use super::error::{PlanError, PlanResult};
use crate::catalog::types::SqlType;
use crate::func::math::extremum::widen_decimal;

const ISSUE: &str = "(see https://github.com/confluentinc/ksql/issues/4239)";

/// Rejects a `MAP(…)` or `STRUCT(…)` call ksqlDB rejects; other calls pass.
pub(super) fn check_constructor(function: &sql::Function) -> PlanResult<()> {
    let sql::FunctionArguments::List(list) = &function.args else {
        return Ok(());
    };
    match function.name.to_string().as_str() {
        "map" => {
            let entries: Vec<(&sql::Expr, &sql::Expr)> = list
                .args
                .iter()
                .filter_map(|arg| match arg {
                    sql::FunctionArg::ExprNamed {
                        name,
                        arg: sql::FunctionArgExpr::Expr(value),
                        ..
                    } => Some((name, value)),
                    _ => None,
                })
                .collect();
            check_map(&entries)
        }
        "struct" => {
            let names: Vec<&Ident> = list
                .args
                .iter()
                .filter_map(|arg| match arg {
                    sql::FunctionArg::Named { name, .. } => Some(name),
                    _ => None,
                })
                .collect();
            check_struct(&names)
        }
        _ => Ok(()),
    }
}

/// Rejects an `ARRAY[…]` without elements or with only NULL literals.
pub(super) fn check_array(elements: &[sql::Expr]) -> PlanResult<()> {
    if elements.is_empty() {
        return Err(PlanError::invalid(format!(
            "Array constructor cannot be empty. Please supply at least one element {ISSUE}."
        )));
    }
    if elements.iter().all(is_null) {
        return Err(PlanError::invalid(format!(
            "Cannot construct an array with all NULL elements {ISSUE}. As a workaround, you \
             may cast a NULL value to the desired type."
        )));
    }
    Ok(())
}

/// Rejects a `MAP(…)` without entries, or whose keys or values are all NULL literals.
fn check_map(entries: &[(&sql::Expr, &sql::Expr)]) -> PlanResult<()> {
    if entries.is_empty() {
        return Err(PlanError::invalid(format!(
            "Map constructor cannot be empty. Please supply at least one key value pair {ISSUE}."
        )));
    }
    if entries.iter().all(|(key, _)| is_null(key)) {
        return Err(PlanError::invalid(
            "Cannot construct a map with all NULL keys",
        ));
    }
    if entries.iter().all(|(_, value)| is_null(value)) {
        return Err(PlanError::invalid(
            "Cannot construct a map with all NULL values",
        ));
    }
    Ok(())
}

/// Rejects a `STRUCT(…)` that names a field twice.
fn check_struct(names: &[&Ident]) -> PlanResult<()> {
    for (i, name) in names.iter().enumerate() {
        if names[..i].iter().any(|n| n.value == name.value) {
            return Err(PlanError::invalid(format!(
                "Duplicate field names found in STRUCT: '{}'",
                name.value
            )));
        }
    }
    Ok(())
}

/// True for the literal `NULL`.
pub(super) fn is_null(expr: &sql::Expr) -> bool {
    matches!(expr, sql::Expr::Value(v) if v.value == sql::Value::Null)
}

/// Gives the string literals among the elements of a `make_array` (or the keys, or the
/// values, of a `make_map`) the type of the other elements.
pub(super) fn coerce_string_literals(
    expr: Expr,
    schema: &DFSchema,
) -> datafusion::error::Result<Transformed<Expr>> {
    let Expr::ScalarFunction(mut call) = expr else {
        return Ok(Transformed::no(expr));
    };
    match call.func.name() {
        "make_array" => {
            let args = coerce_group(std::mem::take(&mut call.args), schema)?;
            call.args = unify_structs(args, schema)?;
        }
        "make_map" => {
            let (mut keys, mut values) = (Vec::new(), Vec::new());
            for (i, arg) in std::mem::take(&mut call.args).into_iter().enumerate() {
                if i % 2 == 0 {
                    keys.push(arg)
                } else {
                    values.push(arg)
                }
            }
            let keys = coerce_group(keys, schema)?;
            let values = coerce_group(values, schema)?;
            call.args = keys
                .into_iter()
                .zip(values)
                .flat_map(|(k, v)| [k, v])
                .collect();
        }
        _ => {}
    }
    Ok(Transformed::yes(Expr::ScalarFunction(call)))
}

/// ksqlDB: string literals among elements of other types are read as that type (numbers
/// widened to the widest of them); among strings, other elements become strings.
fn coerce_group(args: Vec<Expr>, schema: &DFSchema) -> datafusion::error::Result<Vec<Expr>> {
    let string_literal = |e: &Expr| match e {
        Expr::Literal(ScalarValue::Utf8(Some(text)), _) => Some(text.clone()),
        _ => None,
    };
    let mut typed = Vec::new();
    for arg in &args {
        let data_type = arg.get_type(schema)?;
        if string_literal(arg).is_none() && data_type != DataType::Null {
            typed.push(data_type);
        }
    }
    let Some(common) = common_type(&typed) else {
        return Ok(args);
    };
    let args = args
        .into_iter()
        .map(|arg| match string_literal(&arg) {
            Some(text) if common != DataType::Utf8 => read_as(&text, &common),
            _ if common == DataType::Utf8
                && !matches!(arg.get_type(schema)?, DataType::Null | DataType::Utf8) =>
            {
                Ok(Expr::Cast(Cast::new(Box::new(arg), DataType::Utf8)))
            }
            _ => Ok(arg),
        })
        .collect::<datafusion::error::Result<Vec<_>>>()?;
    widen_to_decimal(args, schema)
}

/// ksqlDB: STRUCT elements with different fields make an array of the union of their
/// fields, in order of first appearance, each the widest of its types; an element lacks a
/// field as a null. `ARRAY[STRUCT(X := 1), STRUCT(Y := 2)]` is an
/// `ARRAY<STRUCT<X INTEGER, Y INTEGER>>`.
fn unify_structs(args: Vec<Expr>, schema: &DFSchema) -> datafusion::error::Result<Vec<Expr>> {
    let types = args
        .iter()
        .map(|a| a.get_type(schema))
        .collect::<datafusion::error::Result<Vec<_>>>()?;
    let structs: Vec<&Fields> = types
        .iter()
        .filter_map(|t| match t {
            DataType::Struct(fields) => Some(fields),
            _ => None,
        })
        .collect();
    let all_structs = types
        .iter()
        .all(|t| matches!(t, DataType::Struct(_) | DataType::Null));
    if !all_structs || structs.windows(2).all(|pair| pair[0] == pair[1]) {
        return Ok(args);
    }
    let mut union: Vec<(String, DataType)> = Vec::new();
    for field in structs.iter().flat_map(|fields| fields.iter()) {
        match union.iter_mut().find(|(name, _)| name == field.name()) {
            Some((_, ty)) if ty == field.data_type() => {}
            Some((_, ty)) => match common_type(&[ty.clone(), field.data_type().clone()]) {
                Some(wider) if wider != DataType::Utf8 => *ty = wider,
                // Not unifiable: `make_array` reports it.
                _ => return Ok(args),
            },
            None => union.push((field.name().clone(), field.data_type().clone())),
        }
    }
    let union_type = DataType::Struct(
        union
            .iter()
            .map(|(name, ty)| Field::new(name, ty.clone(), true))
            .collect(),
    );
    let mut unified = Vec::with_capacity(args.len());
    for (arg, ty) in args.into_iter().zip(&types) {
        let DataType::Struct(fields) = ty else {
            unified.push(arg);
            continue;
        };
        let mut pairs = Vec::with_capacity(union.len() * 2);
        for (name, wanted) in &union {
            let value = match fields.find(name) {
                Some((_, field)) => {
                    let value = get_field(arg.clone(), name.as_str());
                    if field.data_type() == wanted {
                        value
                    } else {
                        Expr::Cast(Cast::new(Box::new(value), wanted.clone()))
                    }
                }
                None => Expr::Literal(ScalarValue::try_from(wanted)?, None),
            };
            pairs.push(Expr::Literal(ScalarValue::Utf8(Some(name.clone())), None));
            pairs.push(value);
        }
        // A null struct stays null, not a struct of nulls.
        let null = Expr::Literal(ScalarValue::try_from(&union_type)?, None);
        unified.push(when(arg.is_null(), null).otherwise(named_struct(pairs))?);
    }
    Ok(unified)
}

/// ksqlDB: integers among decimals widen to one decimal holding them all (an INT is a
/// `DECIMAL(10, 0)`, a BIGINT a `DECIMAL(19, 0)`).
fn widen_to_decimal(args: Vec<Expr>, schema: &DFSchema) -> datafusion::error::Result<Vec<Expr>> {
    let types = args
        .iter()
        .map(|a| a.get_type(schema))
        .collect::<datafusion::error::Result<Vec<_>>>()?;
    if !types
        .iter()
        .any(|t| matches!(t, DataType::Decimal128(_, _)))
    {
        return Ok(args);
    }
    let as_decimal = |t: &DataType| match t {
        DataType::Int8 | DataType::Int16 | DataType::Int32 => Some(DataType::Decimal128(10, 0)),
        DataType::Int64 => Some(DataType::Decimal128(19, 0)),
        DataType::Decimal128(_, _) => Some(t.clone()),
        _ => None,
    };
    let decimals: Option<Vec<DataType>> = types
        .iter()
        .filter(|t| **t != DataType::Null)
        .map(as_decimal)
        .collect();
    let Some(common) = decimals.and_then(|d| d.into_iter().reduce(widen_decimal)) else {
        return Ok(args);
    };
    Ok(args
        .into_iter()
        .zip(types)
        .map(|(arg, t)| {
            if t == DataType::Null || t == common {
                arg
            } else {
                Expr::Cast(Cast::new(Box::new(arg), common.clone()))
            }
        })
        .collect())
}

/// The type string literals take among elements of `types`, if ksqlDB converts them.
fn common_type(types: &[DataType]) -> Option<DataType> {
    if types.is_empty() {
        return None;
    }
    if types
        .iter()
        .any(|t| matches!(t, DataType::Utf8 | DataType::Utf8View | DataType::LargeUtf8))
    {
        return Some(DataType::Utf8);
    }
    if types.iter().all(|t| *t == DataType::Boolean) {
        return Some(DataType::Boolean);
    }
    if !types.iter().all(DataType::is_numeric) {
        return None;
    }
    let rank = |t: &DataType| match t {
        DataType::Float16 | DataType::Float32 | DataType::Float64 => 3,
        DataType::Decimal128(_, _) => 2,
        DataType::Int64 => 1,
        _ => 0,
    };
    types.iter().max_by_key(|t| rank(t)).map(|t| match rank(t) {
        0 => DataType::Int32,
        3 => DataType::Float64,
        _ => t.clone(),
    })
}

/// A string literal read as `data_type`, or ksqlDB's error when it is not one. Among
/// numbers a literal keeps its own numeric type (`'2e1'` is a `DECIMAL(2, 0)`), which
/// `make_array` then widens with the others.
fn read_as(text: &str, data_type: &DataType) -> datafusion::error::Result<Expr> {
    let trimmed = text.trim();
    let value = match data_type {
        DataType::Boolean => {
            boolean(trimmed).map(|v| Expr::Literal(ScalarValue::Boolean(Some(v)), None))
        }
        DataType::Float64 => trimmed
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .map(|v| Expr::Literal(ScalarValue::Float64(Some(v)), None)),
        _ => number(trimmed),
    };
    match value {
        Some(value) => Ok(value),
        None => invalid(text, data_type),
    }
}

/// A numeric text as ksqlDB types it: INT, BIGINT, else a DECIMAL of its digits.
fn number(text: &str) -> Option<Expr> {
    if let Ok(v) = text.parse::<i32>() {
        return Some(Expr::Literal(ScalarValue::Int32(Some(v)), None));
    }
    if let Ok(v) = text.parse::<i64>() {
        return Some(Expr::Literal(ScalarValue::Int64(Some(v)), None));
    }
    text.parse::<f64>().ok().filter(|v| v.is_finite())?;
    let (mantissa, exponent) = match text.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i64>().ok()?),
        None => (text, 0),
    };
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", mantissa.strip_prefix('+').unwrap_or(mantissa)),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let mut digits = format!("{whole}{fraction}");
    let mut scale = fraction.len() as i64 - exponent;
    if scale < 0 {
        digits.push_str(&"0".repeat(usize::try_from(-scale).ok()?));
        scale = 0;
    }
    let scale = usize::try_from(scale).ok()?;
    let significant = digits.trim_start_matches('0').len();
    let precision = if significant <= scale {
        scale + 1
    } else {
        significant
    };
    if precision > 38 {
        return None;
    }
    let digits = format!("{digits:0>width$}", width = scale + 1);
    let (int_part, frac_part) = digits.split_at(digits.len() - scale);
    let text = if scale == 0 {
        format!("{sign}{int_part}")
    } else {
        format!("{sign}{int_part}.{frac_part}")
    };
    Some(Expr::Cast(Cast::new(
        Box::new(Expr::Literal(ScalarValue::Utf8(Some(text)), None)),
        DataType::Decimal128(precision as u8, scale as i8),
    )))
}

fn invalid(text: &str, data_type: &DataType) -> datafusion::error::Result<Expr> {
    let name = SqlType::from_arrow(data_type)
        .map(|t| t.to_string())
        .unwrap_or_else(|| data_type.to_string());
    plan_err!("invalid input syntax for type {name}: \"{text}\".")
}

/// ksqlDB's `SqlBooleans`: true/false, yes/no, t/f, y/n in any case.
fn boolean(text: &str) -> Option<bool> {
    match text.to_lowercase().as_str() {
        "true" | "yes" | "t" | "y" => Some(true),
        "false" | "no" | "f" | "n" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_take_the_type_of_numbers() {
        assert_eq!(
            common_type(&[DataType::Int32, DataType::Int64]),
            Some(DataType::Int64)
        );
        assert_eq!(
            read_as("7", &DataType::Int64).unwrap(),
            Expr::Literal(ScalarValue::Int32(Some(7)), None)
        );
        let Expr::Cast(cast) = read_as("2e1", &DataType::Int64).unwrap() else {
            panic!("a decimal");
        };
        assert_eq!(cast.field.data_type(), &DataType::Decimal128(2, 0));
        assert_eq!(
            *cast.expr,
            Expr::Literal(ScalarValue::Utf8(Some("20".into())), None)
        );
        let err = read_as("not a number", &DataType::Int32)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("invalid input syntax for type INTEGER: \"not a number\"."),
            "{err}"
        );
        assert_eq!(
            read_as("no", &DataType::Boolean).unwrap(),
            Expr::Literal(ScalarValue::Boolean(Some(false)), None)
        );
    }

    #[test]
    fn empty_and_null_constructors_are_rejected() {
        let null = sql::Expr::Value(sql::Value::Null.into());
        assert!(check_array(&[]).is_err());
        assert!(check_array(std::slice::from_ref(&null)).is_err());
        let one = sql::Expr::Value(sql::Value::Number("1".into(), false).into());
        assert!(check_map(&[(&null, &one)]).is_err());
        assert!(check_map(&[(&one, &null)]).is_err());
        assert!(check_map(&[(&one, &one), (&null, &null)]).is_ok());
        let (a, b) = (Ident::new("A"), Ident::new("A"));
        assert!(check_struct(&[&a, &b]).is_err());
    }
}
