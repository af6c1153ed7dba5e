//! Choosing and checking the key and value formats of a source or sink, with ksqlDB's
//! defaults (KAFKA keys, NONE for keyless, wrapped single values) and its error messages.

use super::error::{PlanError, PlanResult};
use super::properties::WithProperties;
use crate::catalog::schema::Column;
use crate::catalog::types::SqlType;
use crate::format::{FormatKind, SerdeSpec};

/// What a sink inherits when its WITH clause is silent.
#[derive(Debug, Clone, Copy)]
pub struct FormatDefaults<'a> {
    pub key: Option<&'a SerdeSpec>,
    pub value: Option<&'a SerdeSpec>,
    /// `ksql.persistence.wrap.single.values`, true unless set.
    pub wrap_single_values: bool,
    /// `ksql.persistence.default.format.key`: the key format when a key is needed and none is
    /// named or inherited (KAFKA when unset).
    pub key_format: Option<&'a str>,
}

/// The key and value serdes for columns under a WITH clause.
pub fn serde_specs(
    props: &WithProperties,
    key_columns: &[Column],
    value_columns: &[Column],
    defaults: FormatDefaults<'_>,
) -> PlanResult<(SerdeSpec, SerdeSpec)> {
    let parse = |name: &str| FormatKind::parse(name).map_err(|e| PlanError::invalid(e.to_string()));
    let key_kind = match props.key_format_name() {
        Some(name) => parse(name)?,
        None if key_columns.is_empty() => FormatKind::None,
        None => match (defaults.key.map(|k| k.kind), defaults.key_format) {
            (Some(FormatKind::None) | None, Some(name)) => parse(name)?,
            (Some(FormatKind::None) | None, None) => FormatKind::Kafka,
            (Some(kind), _) => kind,
        },
    };
    let value_kind = match (props.value_format_name(), defaults.value) {
        (Some(name), _) => parse(name)?,
        (None, Some(value)) => value.kind,
        (None, None) => {
            return Err(PlanError::invalid(
                "Statement is missing the 'VALUE_FORMAT' property from the WITH clause. Either provide one or set a default via the 'ksql.persistence.default.format.value' config.",
            ));
        }
    };
    for (kind, delimiter) in [
        (key_kind, props.key_delimiter),
        (value_kind, props.value_delimiter),
    ] {
        if delimiter.is_some() && kind != FormatKind::Delimited {
            return Err(PlanError::invalid(format!(
                "{kind} does not support the following configs: [delimiter]"
            )));
        }
    }
    let wrap_single = match props.wrap_single_value {
        Some(true) if matches!(value_kind, FormatKind::Kafka | FormatKind::Delimited) => {
            return Err(PlanError::invalid(format!(
                "Format '{value_kind}' does not support 'WRAP_SINGLE_VALUE' set to 'true'."
            )));
        }
        Some(_) if value_columns.len() != 1 => {
            return Err(PlanError::invalid(
                "'WRAP_SINGLE_VALUE' is only valid for single-field value schemas",
            ));
        }
        Some(wrap) => wrap,
        None => defaults.wrap_single_values,
    };
    let inherited = |spec: Option<&SerdeSpec>| spec.map(|s| s.delimiter).unwrap_or(',');
    let key = SerdeSpec {
        kind: key_kind,
        delimiter: props
            .key_delimiter
            .unwrap_or_else(|| inherited(defaults.key)),
        wrap_single: false,
    };
    let value = SerdeSpec {
        kind: value_kind,
        delimiter: props
            .value_delimiter
            .unwrap_or_else(|| inherited(defaults.value)),
        wrap_single,
    };
    check_key_columns(key_columns)?;
    key.validate(key_columns).map_err(|e| {
        let columns: Vec<String> =
            key_columns.iter().map(|c| format!("`{}` {} KEY", c.name, c.ty)).collect();
        PlanError::invalid(format!(
            "Key format does not support schema.\nformat: {key_kind}\nschema: Persistence{{columns=[{}], features=[]}}\nreason: {e}",
            columns.join(", ")
        ))
    })?;
    value
        .validate(value_columns)
        .map_err(|e| PlanError::invalid(e.to_string()))?;
    Ok((key, value))
}

/// ksqlDB rejects maps anywhere in a key: their serialization is not stable.
pub fn check_key_columns(key_columns: &[Column]) -> PlanResult<()> {
    fn has_map(ty: &SqlType) -> bool {
        match ty {
            SqlType::Map(_, _) => true,
            SqlType::Array(item) => has_map(item),
            SqlType::Struct(fields) => fields.iter().any(|f| has_map(&f.ty)),
            _ => false,
        }
    }
    match key_columns.iter().find(|c| has_map(&c.ty)) {
        Some(column) => Err(PlanError::invalid(format!(
            "Map keys, including types that contain maps, are not supported as they may lead to unexpected behavior due to inconsistent serialization. Key column name: `{}`. Column type: {}. See https://github.com/confluentinc/ksql/issues/6621 for more.",
            column.name, column.ty
        ))),
        None => Ok(()),
    }
}
