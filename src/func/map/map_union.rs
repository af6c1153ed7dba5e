//! MAP_UNION(map1 MAP<STRING, T>, map2 MAP<STRING, T>) → MAP<STRING, T>: every entry of
//! both maps, map2's value where both have a key; NULL only when both maps are NULL, a NULL
//! map otherwise counting as empty (ksqlDB `MapUnion`). The result keeps map1's keys in
//! their order, then map2's new ones.

use datafusion::arrow::array::{Array, ArrayRef, AsArray, new_null_array};
use datafusion::arrow::compute::concat;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use crate::func::collections::map_from_positions;
use crate::func::signature::{Overloads, Param, map_type, not_accepted};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct MapUnion {
    signature: Signature,
    overloads: Overloads,
}

impl MapUnion {
    pub(crate) fn new() -> Self {
        MapUnion {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new("map_union", vec![vec![Param::any_map(), Param::any_map()]]),
        }
    }
}

/// The value type of a map type; `None` for a NULL literal (typed as NULL, or as a map of
/// NULLs).
fn value_type(map: &DataType) -> Option<DataType> {
    let DataType::Map(entries, _) = map else {
        return None;
    };
    let DataType::Struct(fields) = entries.data_type() else {
        return None;
    };
    fields
        .get(1)
        .map(|f| f.data_type().clone())
        .filter(|t| *t != DataType::Null)
}

impl ScalarUDFImpl for MapUnion {
    fn name(&self) -> &str {
        "map_union"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let coerced = self.overloads.coerce(arg_types)?;
        // A NULL map takes the other map's type.
        match (value_type(&coerced[0]), value_type(&coerced[1])) {
            (Some(_), None) => Ok(vec![coerced[0].clone(), coerced[0].clone()]),
            (None, Some(_)) => Ok(vec![coerced[1].clone(), coerced[1].clone()]),
            _ => Ok(coerced),
        }
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        self.overloads.resolve(arg_types)?;
        match (value_type(&arg_types[0]), value_type(&arg_types[1])) {
            (Some(first), Some(second)) if first == second => Ok(map_type(DataType::Utf8, first)),
            (Some(only), None) | (None, Some(only)) => Ok(map_type(DataType::Utf8, only)),
            _ => plan_err!("{}", not_accepted("MAP_UNION", arg_types)),
        }
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let rows = args.number_rows;
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let as_map = |array: &ArrayRef| -> ArrayRef {
            match array.data_type() {
                DataType::Map(..) => array.clone(),
                _ => new_null_array(args.return_field.data_type(), rows),
            }
        };
        let (first, second) = (as_map(&arrays[0]), as_map(&arrays[1]));
        let (first, second) = (first.as_map(), second.as_map());
        // Both maps' entries in one array: map1's, then map2's after them.
        let entries = concat(&[first.entries(), second.entries()])?;
        let entries = entries.as_struct();
        let keys = entries.column(0).as_string::<i32>();
        let second_start = first.entries().len();
        let mut picked: Vec<u32> = Vec::new();
        let mut offsets: Vec<i32> = vec![0];
        let mut nulls = Vec::with_capacity(rows);
        for row in 0..rows {
            let valid = first.is_valid(row) || second.is_valid(row);
            nulls.push(valid);
            let row_start = picked.len();
            let ranges = [
                (first.is_valid(row), first.value_offsets(), 0),
                (second.is_valid(row), second.value_offsets(), second_start),
            ];
            for (present, offsets, base) in ranges {
                if !present {
                    continue;
                }
                let (start, end) = (offsets[row] as usize, offsets[row + 1] as usize);
                for entry in base + start..base + end {
                    let key = keys.value(entry);
                    match picked[row_start..]
                        .iter()
                        .position(|&e| keys.value(e as usize) == key)
                    {
                        Some(at) => picked[row_start + at] = entry as u32,
                        None => picked.push(entry as u32),
                    }
                }
            }
            offsets.push(picked.len() as i32);
        }
        let map = map_from_positions(
            args.return_field.data_type(),
            (entries.column(0), picked.clone()),
            (entries.column(1), picked),
            offsets,
            nulls,
        )?;
        Ok(ColumnarValue::Array(map))
    }
}
