//! ENTRIES(map MAP<STRING, V>, sorted BOOLEAN) → ARRAY<STRUCT<K STRING, V V>>: a map's
//! entries as structs, by key when `sorted` (ksqlDB `Entries`).
//!
//! A NULL map gives NULL; unsorted entries keep the map's own order.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, ListArray, StructArray, UInt32Array};
use datafusion::arrow::buffer::OffsetBuffer;
use datafusion::arrow::compute::take;
use datafusion::arrow::datatypes::{DataType, Field, Fields};
use datafusion::common::{Result, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use crate::func::signature::{Overloads, Param};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Entries {
    signature: Signature,
    overloads: Overloads,
}

impl Entries {
    pub(crate) fn new() -> Self {
        Entries {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new("entries", vec![vec![Param::any_map(), Param::Boolean]]),
        }
    }
}

/// `STRUCT<K STRING, V value>`.
fn entry_fields(value: &DataType) -> Fields {
    Fields::from(vec![
        Field::new("K", DataType::Utf8, true),
        Field::new("V", value.clone(), true),
    ])
}

impl ScalarUDFImpl for Entries {
    fn name(&self) -> &str {
        "entries"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        self.overloads.coerce(arg_types)
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        self.overloads.resolve(arg_types)?;
        let DataType::Map(entries, _) = &arg_types[0] else {
            return plan_err!("ENTRIES takes a MAP");
        };
        let DataType::Struct(fields) = entries.data_type() else {
            return plan_err!("ENTRIES takes a MAP");
        };
        let value = fields[1].data_type();
        Ok(DataType::List(Arc::new(Field::new_list_field(
            DataType::Struct(entry_fields(value)),
            true,
        ))))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let map = arrays[0].as_map();
        let sorted = arrays[1].as_boolean();
        let keys = map.keys().as_string::<i32>();
        let mut indices: Vec<u32> = Vec::with_capacity(keys.len());
        let mut offsets: Vec<i32> = Vec::with_capacity(map.len() + 1);
        offsets.push(0);
        for row in 0..map.len() {
            if map.is_valid(row) {
                let range = map.value_offsets()[row] as u32..map.value_offsets()[row + 1] as u32;
                let mut entries: Vec<u32> = range.collect();
                if sorted.is_valid(row) && sorted.value(row) {
                    entries.sort_by(|a, b| keys.value(*a as usize).cmp(keys.value(*b as usize)));
                }
                indices.extend(entries);
            }
            offsets.push(indices.len() as i32);
        }
        let indices = UInt32Array::from(indices);
        let fields = entry_fields(map.values().data_type());
        let entries = StructArray::try_new(
            fields.clone(),
            vec![
                take(map.keys(), &indices, None)?,
                take(map.values(), &indices, None)?,
            ],
            None,
        )?;
        let list = ListArray::try_new(
            Arc::new(Field::new_list_field(DataType::Struct(fields), true)),
            OffsetBuffer::new(offsets.into()),
            Arc::new(entries),
            map.nulls().cloned(),
        )?;
        Ok(ColumnarValue::Array(Arc::new(list) as ArrayRef))
    }
}
