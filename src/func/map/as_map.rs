//! AS_MAP(keys ARRAY<STRING>, values ARRAY<V>) → MAP<STRING, V>: the i-th key mapped to
//! the i-th value (ksqlDB `AsMap`).
//!
//! Items past the shorter list are left out; a later duplicate key replaces the earlier
//! value where it stands; a NULL key is skipped (a map key cannot be NULL here). A NULL
//! list gives NULL.

use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use crate::func::collections::map_from_positions;
use crate::func::signature::{Overloads, Param, map_type};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct AsMap {
    signature: Signature,
    overloads: Overloads,
}

impl AsMap {
    pub(crate) fn new() -> Self {
        AsMap {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new(
                "as_map",
                vec![vec![
                    Param::Array(Box::new(Param::String)),
                    Param::any_array(),
                ]],
            ),
        }
    }
}

impl ScalarUDFImpl for AsMap {
    fn name(&self) -> &str {
        "as_map"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        self.overloads.coerce(arg_types)
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        self.overloads.resolve(arg_types)?;
        let DataType::List(item) = &arg_types[1] else {
            return plan_err!("AS_MAP takes two ARRAYs");
        };
        Ok(map_type(DataType::Utf8, item.data_type().clone()))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let keys = arrays[0].as_list::<i32>();
        let values = arrays[1].as_list::<i32>();
        let key_items = keys.values().as_string::<i32>();
        let mut key_indices: Vec<u32> = Vec::new();
        let mut value_indices: Vec<u32> = Vec::new();
        let mut offsets: Vec<i32> = vec![0];
        let mut nulls = Vec::with_capacity(keys.len());
        for row in 0..keys.len() {
            let valid = keys.is_valid(row) && values.is_valid(row);
            nulls.push(valid);
            if valid {
                let key_start = keys.value_offsets()[row] as usize;
                let value_start = values.value_offsets()[row] as usize;
                let len = (keys.value_length(row) as usize).min(values.value_length(row) as usize);
                let row_start = key_indices.len();
                for i in 0..len {
                    let key = key_start + i;
                    if key_items.is_null(key) {
                        continue;
                    }
                    let existing = key_indices[row_start..]
                        .iter()
                        .position(|k| key_items.value(*k as usize) == key_items.value(key));
                    match existing {
                        Some(at) => value_indices[row_start + at] = (value_start + i) as u32,
                        None => {
                            key_indices.push(key as u32);
                            value_indices.push((value_start + i) as u32);
                        }
                    }
                }
            }
            offsets.push(key_indices.len() as i32);
        }
        let map = map_from_positions(
            &map_type(DataType::Utf8, values.value_type()),
            (key_items, key_indices),
            (values.values(), value_indices),
            offsets,
            nulls,
        )?;
        Ok(ColumnarValue::Array(map))
    }
}
