//! CAST of collections whose BIGINT items become INT, as ksqlDB casts them: Java's
//! narrowing (`longValue.intValue()`) keeps the low 32 bits, so 2147483648 becomes
//! -2147483648, where Arrow's cast would give NULL. Other item types cast as Arrow casts.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, ListArray, MapArray, StructArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Int32Type, Int64Type};
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

/// A CAST to `target` that narrows BIGINT to INT as Java does, at any depth of ARRAYs and
/// MAPs.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct NarrowingCast {
    target: DataType,
    signature: Signature,
}

impl NarrowingCast {
    pub fn new(target: DataType) -> Self {
        NarrowingCast {
            target,
            signature: Signature::any(1, Volatility::Immutable),
        }
    }

    /// Whether casting `source` to `target` narrows a BIGINT to INT inside an ARRAY or MAP.
    pub fn needed(source: &DataType, target: &DataType) -> bool {
        match (source, target) {
            (DataType::List(from), DataType::List(to)) => narrows(from.data_type(), to.data_type()),
            (DataType::Map(from, _), DataType::Map(to, _)) => {
                narrows(from.data_type(), to.data_type())
            }
            _ => false,
        }
    }
}

fn narrows(source: &DataType, target: &DataType) -> bool {
    match (source, target) {
        (DataType::Int64, DataType::Int32) => true,
        (DataType::Struct(from), DataType::Struct(to)) => from
            .iter()
            .zip(to.iter())
            .any(|(f, t)| narrows(f.data_type(), t.data_type())),
        _ => NarrowingCast::needed(source, target),
    }
}

impl ScalarUDFImpl for NarrowingCast {
    fn name(&self) -> &str {
        "narrowing_cast"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(self.target.clone())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        Ok(ColumnarValue::Array(narrow(&arrays[0], &self.target)?))
    }
}

/// `array` cast to `target`, BIGINT items narrowed to INT as Java narrows them.
fn narrow(array: &ArrayRef, target: &DataType) -> Result<ArrayRef> {
    Ok(match (array.data_type(), target) {
        (from, to) if from == to => array.clone(),
        (DataType::Int64, DataType::Int32) => Arc::new(
            array
                .as_primitive::<Int64Type>()
                .unary::<_, Int32Type>(|v| v as i32),
        ),
        (DataType::List(_), DataType::List(item)) => {
            let list = array.as_list::<i32>();
            Arc::new(ListArray::try_new(
                item.clone(),
                list.offsets().clone(),
                narrow(list.values(), item.data_type())?,
                list.nulls().cloned(),
            )?)
        }
        (DataType::Map(_, _), DataType::Map(entries, sorted)) => {
            let map = array.as_map();
            let DataType::Struct(fields) = entries.data_type() else {
                return exec_err!("map entries are not a struct: {entries}");
            };
            let columns = map
                .entries()
                .columns()
                .iter()
                .zip(fields.iter())
                .map(|(column, field)| narrow(column, field.data_type()))
                .collect::<Result<Vec<_>>>()?;
            Arc::new(MapArray::try_new(
                entries.clone(),
                map.offsets().clone(),
                StructArray::try_new(fields.clone(), columns, map.entries().nulls().cloned())?,
                map.nulls().cloned(),
                *sorted,
            )?)
        }
        (DataType::Struct(_), DataType::Struct(fields)) => {
            let structs = array.as_struct();
            let columns = structs
                .columns()
                .iter()
                .zip(fields.iter())
                .map(|(column, field)| narrow(column, field.data_type()))
                .collect::<Result<Vec<_>>>()?;
            Arc::new(StructArray::try_new(
                fields.clone(),
                columns,
                structs.nulls().cloned(),
            )?)
        }
        _ => cast(array, target)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{Int32Array, Int64Builder, ListBuilder};
    use datafusion::arrow::datatypes::Field;

    #[test]
    fn bigint_items_wrap_as_java_narrows_them() {
        let mut builder = ListBuilder::new(Int64Builder::new());
        builder.append_value([Some(1), Some(2_147_483_648), None]);
        builder.append_null();
        let list: ArrayRef = Arc::new(builder.finish());
        let target = DataType::List(Arc::new(Field::new_list_field(DataType::Int32, true)));
        assert!(NarrowingCast::needed(list.data_type(), &target));
        let narrowed = narrow(&list, &target).unwrap();
        let narrowed = narrowed.as_list::<i32>();
        assert!(narrowed.is_null(1));
        let items = narrowed.value(0);
        assert_eq!(
            items.as_primitive::<Int32Type>(),
            &Int32Array::from(vec![Some(1), Some(-2_147_483_648), None])
        );
    }
}
