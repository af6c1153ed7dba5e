//! DDL: CREATE STREAM/TABLE over a topic, ALTER, DROP, CREATE/DROP TYPE.

use std::sync::Arc;

use super::{Engine, EngineError, EngineResult, Session, StatementResult, commands};
use crate::catalog::schema::{Column, ColumnKind, LogicalSchema};
use crate::catalog::types::{SqlType, StructField};
use crate::catalog::{Source, TimestampColumn, WindowInfo, WindowKind};
use crate::func::date::java_format::JavaFormat;
use crate::log::TopicConfig;
use crate::plan::PlanError;
use crate::plan::properties::WithProperties;
use crate::plan::serde::{FormatDefaults, serde_specs};
use crate::runtime::processing_log::{
    PROCESSING_LOG_COLUMNS, PROCESSING_LOG_STREAM, PROCESSING_LOG_TOPIC,
};
use crate::sql::ast::{ColumnConstraint, ColumnDef, CreateSource, SourceKind};

/// The word ksqlDB uses for a source kind in messages.
pub fn kind_name(kind: SourceKind) -> &'static str {
    match kind {
        SourceKind::Stream => "stream",
        SourceKind::Table => "table",
    }
}

fn title(kind: SourceKind) -> &'static str {
    match kind {
        SourceKind::Stream => "Stream",
        SourceKind::Table => "Table",
    }
}

/// CREATE [OR REPLACE] [SOURCE] STREAM|TABLE [IF NOT EXISTS] name (columns) WITH (…).
pub fn create_source(
    engine: &Arc<Engine>,
    create: &CreateSource,
    text: &str,
    session: &Session,
    replaying: bool,
) -> EngineResult<StatementResult> {
    // ksqlDB: a source stream or table is read-only, so it can never be replaced, nor
    // replace an existing one.
    let existing_is_source = engine
        .catalog()
        .source(&create.name)
        .is_some_and(|s| s.is_source);
    if create.or_replace && (create.is_source || existing_is_source) {
        return Err(PlanError::invalid(format!(
            "Cannot add {} '{}': CREATE OR REPLACE is not supported on source {}s.",
            kind_name(create.kind),
            create.name,
            kind_name(create.kind)
        ))
        .into());
    }
    if let Some(existing) = engine.catalog().source(&create.name) {
        if create.if_not_exists {
            return Ok(status(format!(
                "Cannot add {} '{}': A {} with the same name already exists",
                kind_name(create.kind),
                create.name,
                kind_name(existing.kind)
            )));
        }
        if !create.or_replace || existing.kind != create.kind {
            return Err(PlanError::SourceExists {
                kind: kind_name(create.kind),
                existing: kind_name(existing.kind),
                name: create.name.clone(),
            }
            .into());
        }
    }
    let props = WithProperties::parse(&create.properties)?;
    let source = source_from_create(create, &props, text, session)?;
    if let Some(existing) = engine.catalog().source(&create.name) {
        super::upgrade::check_schema(&create.name, &existing.schema, &source.schema)?;
    }
    ensure_topic(engine, &source.topic, props.partitions, props.retention_ms)?;
    let partitions = engine.log.topic_config(&source.topic).map(|c| c.partitions);
    let mut source = source;
    source.partitions = props.partitions.or(partitions).unwrap_or(1);
    if !replaying {
        commands::record(engine, text)?;
    }
    let message = format!("{} created", title(create.kind));
    engine
        .catalog_mut()
        .sources
        .insert(source.name.clone(), source);
    Ok(status(message))
}

impl Engine {
    /// The source a CREATE STREAM|TABLE with columns would add, checked as the statement
    /// would be, without adding it or creating its topic.
    pub fn declared_source(
        &self,
        create: &CreateSource,
        text: &str,
        session: &Session,
    ) -> EngineResult<Source> {
        let props = WithProperties::parse(&create.properties)?;
        source_from_create(create, &props, text, session)
    }
}

/// Builds the catalog entry a CREATE statement describes, checking it as ksqlDB does.
fn source_from_create(
    create: &CreateSource,
    props: &WithProperties,
    text: &str,
    session: &Session,
) -> EngineResult<Source> {
    let wrap_single_values = session.wrap_single_values();
    let statement_kind = match create.kind {
        SourceKind::Stream => "CREATE STREAM",
        SourceKind::Table => "CREATE TABLE",
    };
    let topic = props.kafka_topic.clone().ok_or_else(|| {
        PlanError::invalid(format!(
            "Missing required property \"KAFKA_TOPIC\" for {statement_kind}"
        ))
    })?;
    let value_format_name = props.value_format_name().ok_or_else(|| {
        PlanError::invalid(
            "Statement is missing the 'VALUE_FORMAT' property from the WITH clause. Either provide one or set a default via the 'ksql.persistence.default.format.value' config.",
        )
    })?;
    if create.columns.is_empty() {
        // Format options are checked first, as ksqlDB does.
        serde_specs(
            props,
            &[],
            &[],
            FormatDefaults {
                key: None,
                value: None,
                wrap_single_values,
                key_format: session.default_key_format(),
            },
        )?;
        return Err(PlanError::invalid(format!(
            "The statement does not define any columns. {statement_kind} requires columns for the {value_format_name} format."
        ))
        .into());
    }
    let mut columns = Vec::with_capacity(create.columns.len());
    for def in &create.columns {
        let kind = match (&def.constraint, create.kind) {
            (ColumnConstraint::None, _) => ColumnKind::Value,
            (ColumnConstraint::Key, SourceKind::Stream) => ColumnKind::Key,
            (ColumnConstraint::PrimaryKey, SourceKind::Table) => ColumnKind::Key,
            (ColumnConstraint::Key, SourceKind::Table) => {
                return Err(PlanError::invalid(format!(
                    "Line: {}, Col: {}: Column `{}` is a 'KEY' column: please use 'PRIMARY KEY' for tables.\nTables have PRIMARY KEYs, which are unique and NON NULL.\nStreams have KEYs, which have no uniqueness or NON NULL constraints.",
                    def.pos.line, def.pos.col, def.name
                ))
                .into());
            }
            (ColumnConstraint::PrimaryKey, SourceKind::Stream) => {
                return Err(PlanError::invalid(format!(
                    "Line: {}, Col: {}: Column `{}` is a 'PRIMARY KEY' column: please use 'KEY' for streams.\nTables have PRIMARY KEYs, which are unique and NON NULL.\nStreams have KEYs, which have no uniqueness or NON NULL constraints.",
                    def.pos.line, def.pos.col, def.name
                ))
                .into());
            }
            (ColumnConstraint::Headers, _) => ColumnKind::Header(None),
            (ColumnConstraint::Header(k), _) => ColumnKind::Header(Some(k.clone())),
        };
        header_type_check(&def.constraint, &def.ty)?;
        if let ColumnKind::Header(key) = &kind {
            let clash = columns.iter().find_map(|c: &Column| match (&c.kind, key) {
                (ColumnKind::Header(None), _) => Some("HEADERS".to_string()),
                (ColumnKind::Header(Some(_)), None) => Some("HEADERS".to_string()),
                (ColumnKind::Header(Some(k)), Some(new)) if k == new => {
                    Some(format!("HEADER('{k}')"))
                }
                _ => None,
            });
            if let Some(clash) = clash {
                return Err(PlanError::invalid(format!(
                    "Schema already contains a {clash} column."
                ))
                .into());
            }
        }
        if columns.iter().any(|c: &Column| c.name == def.name) {
            return Err(
                PlanError::invalid(format!("Duplicate column names:\n\t{}", def.name)).into(),
            );
        }
        if [
            "ROWTIME",
            "ROWPARTITION",
            "ROWOFFSET",
            "WINDOWSTART",
            "WINDOWEND",
        ]
        .contains(&def.name.as_str())
        {
            return Err(PlanError::invalid(format!(
                "'{}' is a reserved column name. You cannot use it as a name for a column.",
                def.name
            ))
            .into());
        }
        columns.push(Column {
            name: def.name.clone(),
            ty: def.ty.clone(),
            kind,
        });
    }
    // ksqlDB orders key columns first.
    columns.sort_by_key(|c| match c.kind {
        ColumnKind::Key => 0,
        _ => 1,
    });
    let schema = LogicalSchema::new(columns);
    let key_columns: Vec<Column> = schema.key_columns().cloned().collect();
    let value_columns: Vec<Column> = schema.value_columns().cloned().collect();
    if create.kind == SourceKind::Table && key_columns.is_empty() {
        return Err(PlanError::invalid(
            "Tables require a PRIMARY KEY. Please define the PRIMARY KEY.",
        )
        .into());
    }

    let (key_format, value_format) = serde_specs(
        props,
        &key_columns,
        &value_columns,
        FormatDefaults {
            key: None,
            value: None,
            wrap_single_values,
            key_format: session.default_key_format(),
        },
    )?;

    let timestamp = timestamp_column(&schema, props)?;
    let window = window_info(props)?;
    if window.is_some() && key_columns.is_empty() {
        return Err(PlanError::invalid("Windowed sources require a key column.").into());
    }
    Ok(Source {
        name: create.name.clone(),
        kind: create.kind,
        schema,
        topic,
        partitions: 1,
        key_format,
        value_format,
        timestamp,
        is_source: create.is_source,
        statement: text.to_string(),
        writers: Vec::new(),
        window,
    })
}

/// ksqlDB: a HEADERS column is `ARRAY<STRUCT<KEY STRING, VALUE BYTES>>`, a `HEADER('k')`
/// column is BYTES.
fn header_type_check(constraint: &ColumnConstraint, ty: &SqlType) -> EngineResult<()> {
    let (what, expected) = match constraint {
        ColumnConstraint::Headers => (
            "HEADERS".to_string(),
            SqlType::Array(Box::new(SqlType::Struct(vec![
                StructField {
                    name: "KEY".to_string(),
                    ty: SqlType::String,
                },
                StructField {
                    name: "VALUE".to_string(),
                    ty: SqlType::Bytes,
                },
            ]))),
        ),
        ColumnConstraint::Header(key) => (format!("HEADER('{key}')"), SqlType::Bytes),
        _ => return Ok(()),
    };
    if *ty == expected {
        return Ok(());
    }
    Err(PlanError::invalid(format!(
        "Invalid type for {what} column: expected {expected}, got {ty}"
    ))
    .into())
}

/// WITH (WINDOW_TYPE=…, WINDOW_SIZE=…): how the keys of a source over a windowed
/// aggregation's output are windowed.
fn window_info(props: &WithProperties) -> EngineResult<Option<WindowInfo>> {
    let Some(kind) = &props.window_type else {
        if props.window_size.is_some() {
            return Err(PlanError::invalid(
                "'WINDOW_SIZE' should not be set without 'WINDOW_TYPE'.",
            )
            .into());
        }
        return Ok(None);
    };
    let kind = match kind.as_str() {
        "TUMBLING" => WindowKind::Tumbling,
        "HOPPING" => WindowKind::Hopping,
        "SESSION" => WindowKind::Session,
        other => {
            return Err(PlanError::invalid(format!(
                "Invalid value for 'WINDOW_TYPE' property: '{other}'. Valid values are: SESSION, HOPPING, TUMBLING"
            ))
            .into());
        }
    };
    let size_ms = match (kind, &props.window_size) {
        (WindowKind::Session, Some(_)) => {
            return Err(
                PlanError::invalid("'WINDOW_SIZE' should not be set for SESSION windows.").into(),
            );
        }
        (WindowKind::Session, None) => None,
        (_, None) => {
            return Err(PlanError::invalid(
                "Tumbling and Hopping window types should set 'WINDOW_SIZE' in the WITH clause.",
            )
            .into());
        }
        (_, Some(size)) => Some(duration_ms(size).map_err(|reason| {
            PlanError::invalid(format!(
                "Configuration WINDOW_SIZE is invalid: Invalid duration: '{size}'. {reason}"
            ))
        })?),
    };
    Ok(Some(WindowInfo { kind, size_ms }))
}

/// `'30 SECONDS'` and the like, in milliseconds; else why not, in ksqlDB's words.
fn duration_ms(text: &str) -> Result<i64, String> {
    let expected = || "Expected something like '10 SECONDS'.".to_string();
    let parts: Vec<&str> = text.split_whitespace().collect();
    let [amount, unit] = parts.as_slice() else {
        return Err(expected());
    };
    let amount: i64 = amount.parse().map_err(|_| expected())?;
    let unit = unit.to_uppercase();
    let millis = match unit.trim_end_matches('S') {
        "MILLISECOND" => 1,
        "SECOND" => 1_000,
        "MINUTE" => 60_000,
        "HOUR" => 3_600_000,
        "DAY" => 86_400_000,
        _ => return Err(format!("Unknown time unit: '{unit}'")),
    };
    amount.checked_mul(millis).ok_or_else(expected)
}

/// WITH (TIMESTAMP='col' [, TIMESTAMP_FORMAT='…']): checks the column as ksqlDB does.
pub fn timestamp_column(
    schema: &LogicalSchema,
    props: &WithProperties,
) -> EngineResult<Option<TimestampColumn>> {
    Ok(match &props.timestamp {
        Some(column) => {
            let found = schema.find(column).ok_or_else(|| {
                PlanError::invalid(format!(
                    "The TIMESTAMP column set in the WITH clause does not exist in the schema: '{column}'"
                ))
            })?;
            match (&found.ty, &props.timestamp_format) {
                (SqlType::Bigint | SqlType::Timestamp, _) => {}
                (SqlType::String, Some(pattern)) => {
                    JavaFormat::compile(pattern).map_err(|e| {
                        PlanError::invalid(format!("Invalid TIMESTAMP_FORMAT '{pattern}': {e}"))
                    })?;
                }
                (other, _) => {
                    return Err(PlanError::invalid(format!(
                        "Timestamp column, `{column}`, should be LONG(INT64), TIMESTAMP, or a String with a timestamp_format specified. Got {other}"
                    ))
                    .into());
                }
            }
            Some(TimestampColumn {
                column: column.clone(),
                format: props.timestamp_format.clone(),
            })
        }
        None => None,
    })
}

/// Makes sure a source's topic exists: creates it when PARTITIONS says how, else fails as
/// ksqlDB does.
pub fn ensure_topic(
    engine: &Engine,
    topic: &str,
    partitions: Option<u32>,
    retention_ms: Option<i64>,
) -> EngineResult<()> {
    if engine.log.topic_config(topic).is_some() {
        return Ok(());
    }
    let Some(partitions) = partitions else {
        return Err(PlanError::invalid(format!(
            "Topic '{topic}' does not exist. If you want to create a new topic for the stream/table please re-run the statement providing the required 'PARTITIONS' configuration in the WITH clause (and optionally 'REPLICAS'). For example: CREATE STREAM FOO (ID INT, NAME STRING) WITH (KAFKA_TOPIC='{topic}', PARTITIONS=2, REPLICAS=1, VALUE_FORMAT='JSON');"
        ))
        .into());
    };
    let physical = if engine.config.deterministic {
        1
    } else {
        partitions
    };
    engine.log.create_topic(
        topic,
        TopicConfig {
            partitions: physical,
            retention_ms,
            retention_bytes: None,
        },
    )?;
    Ok(())
}

/// DROP STREAM|TABLE [IF EXISTS] name [DELETE TOPIC].
pub fn drop_source(
    engine: &Arc<Engine>,
    kind: SourceKind,
    name: &str,
    if_exists: bool,
    delete_topic: bool,
    text: &str,
    replaying: bool,
) -> EngineResult<StatementResult> {
    let source = engine.catalog().source(name).cloned();
    let Some(source) = source else {
        if if_exists {
            return Ok(status(format!("Source `{name}` does not exist.")));
        }
        return Err(PlanError::invalid(format!("{} {name} does not exist.", title(kind))).into());
    };
    if source.kind != kind {
        return Err(PlanError::invalid(format!(
            "Incompatible data source type is {}, but statement was DROP {}",
            kind_name(source.kind).to_uppercase(),
            kind_name(kind).to_uppercase()
        ))
        .into());
    }
    // ksqlDB: a source that other queries read cannot go before their sinks do; the query
    // that created it (CSAS, CTAS) goes with it, an INSERT INTO into it must be terminated
    // first.
    let creator = {
        let catalog = engine.catalog();
        let mut readers: Vec<String> = catalog.readers_of(name).map(|q| q.sink.clone()).collect();
        readers.sort();
        readers.dedup();
        if !readers.is_empty() {
            return Err(PlanError::invalid(format!(
                "Cannot drop {name}.\nThe following streams and/or tables read from this source: [{}].\nYou need to drop them before dropping {name}.",
                readers.join(", ")
            ))
            .into());
        }
        let (created_by, inserting): (Vec<&String>, Vec<&String>) = source
            .writers
            .iter()
            .partition(|id| id.starts_with("CSAS_") || id.starts_with("CTAS_"));
        if !inserting.is_empty() {
            return Err(PlanError::invalid(format!(
                "Cannot drop {name}.\nThe following queries write into this source: [{}].\nYou need to terminate them before dropping {name}.",
                inserting.iter().map(|id| id.as_str()).collect::<Vec<_>>().join(", ")
            ))
            .into());
        }
        created_by.first().map(|id| id.to_string())
    };
    if delete_topic && source.is_source {
        return Err(PlanError::invalid(format!(
            "Cannot delete topic for read-only source: {name}"
        ))
        .into());
    }
    if !replaying {
        commands::record(engine, text)?;
    }
    if let Some(query_id) = creator {
        // Recorded as part of this DROP, which replays it.
        super::queries::terminate(engine, Some(&query_id), text, true)?;
    }
    engine.catalog_mut().sources.remove(name);
    engine.materialized.forget(name);
    if delete_topic
        && engine
            .catalog()
            .sources_on_topic(&source.topic)
            .next()
            .is_none()
    {
        engine.log.delete_topic(&source.topic)?;
    }
    Ok(status(format!(
        "Source `{name}` (topic: {}) was dropped.",
        source.topic
    )))
}

/// ALTER STREAM|TABLE name ADD [COLUMN] name type, …: new value columns at the end of the
/// schema, which records written from now on may carry and earlier ones read as null.
pub fn alter_source(
    engine: &Arc<Engine>,
    kind: SourceKind,
    name: &str,
    columns: &[ColumnDef],
    text: &str,
    replaying: bool,
) -> EngineResult<StatementResult> {
    let Some(source) = engine.catalog().source(name).cloned() else {
        return Err(PlanError::invalid(format!("Source {name} does not exist.")).into());
    };
    if source.kind != kind {
        return Err(PlanError::invalid(format!(
            "Incompatible data source type is {}, but statement was ALTER {}",
            kind_name(source.kind).to_uppercase(),
            kind_name(kind).to_uppercase()
        ))
        .into());
    }
    let plural = match kind {
        SourceKind::Stream => "streams",
        SourceKind::Table => "tables",
    };
    if source.is_source {
        return Err(PlanError::invalid(format!(
            "Cannot alter {} '{name}': ALTER operations are not supported on source {plural}.",
            kind_name(kind)
        ))
        .into());
    }
    if !source.writers.is_empty() {
        return Err(PlanError::invalid(
            "ALTER command is not supported for CREATE ... AS statements.",
        )
        .into());
    }
    let mut schema = source.schema.clone();
    for def in columns {
        if def.constraint != ColumnConstraint::None {
            return Err(PlanError::invalid(format!(
                "Line: {}, Col: {}: ALTER can only add value columns: `{}` is a key or header column.",
                def.pos.line, def.pos.col, def.name
            ))
            .into());
        }
        if schema.find(&def.name).is_some() {
            return Err(PlanError::invalid(format!(
                "Cannot add column `{}` to schema. A column with the same name already exists.",
                def.name
            ))
            .into());
        }
        schema.columns.push(Column {
            name: def.name.clone(),
            ty: def.ty.clone(),
            kind: ColumnKind::Value,
        });
    }
    let value_columns: Vec<Column> = schema.value_columns().cloned().collect();
    source.value_format.validate(&value_columns)?;
    if !replaying {
        commands::record(engine, text)?;
    }
    if let Some(altered) = engine.catalog_mut().sources.get_mut(name) {
        altered.schema = schema;
    }
    Ok(status(format!("{} altered.", title(kind))))
}

/// CREATE TYPE [IF NOT EXISTS] name AS type.
pub fn create_type(
    engine: &Arc<Engine>,
    name: &str,
    ty: &SqlType,
    if_not_exists: bool,
    text: &str,
    replaying: bool,
) -> EngineResult<StatementResult> {
    if let Some(existing) = engine.catalog().types.get(name) {
        if if_not_exists {
            return Ok(status(format!(
                "Registered custom type with name '{name}' and SQL type {ty}"
            )));
        }
        return Err(PlanError::invalid(format!(
            "Cannot register custom type '{name}' since it is already registered with type: {existing}"
        ))
        .into());
    }
    if !replaying {
        commands::record(engine, text)?;
    }
    engine
        .catalog_mut()
        .types
        .insert(name.to_string(), ty.clone());
    Ok(status(format!(
        "Registered custom type with name '{name}' and SQL type {ty}"
    )))
}

/// DROP TYPE [IF EXISTS] name.
pub fn drop_type(
    engine: &Arc<Engine>,
    name: &str,
    if_exists: bool,
    text: &str,
    replaying: bool,
) -> EngineResult<StatementResult> {
    if !engine.catalog().types.contains_key(name) {
        if if_exists {
            return Ok(status(format!("Type {name} does not exist.")));
        }
        return Err(PlanError::invalid(format!("Type {name} does not exist.")).into());
    }
    if !replaying {
        commands::record(engine, text)?;
    }
    engine.catalog_mut().types.remove(name);
    Ok(status(format!("Dropped type '{name}'")))
}

/// Registers the `KSQL_PROCESSING_LOG` stream over the processing-log topic.
pub fn register_processing_log(engine: &Arc<Engine>) -> EngineResult<()> {
    let text = format!(
        "CREATE STREAM {PROCESSING_LOG_STREAM} ({PROCESSING_LOG_COLUMNS}) WITH (KAFKA_TOPIC='{PROCESSING_LOG_TOPIC}', VALUE_FORMAT='JSON');"
    );
    let parsed = crate::sql::parse(&text)?;
    let Some(crate::sql::ast::Statement::CreateSource(create)) =
        parsed.first().map(|p| &p.statement)
    else {
        return Err(EngineError::Statement(
            "processing log stream definition did not parse".into(),
        ));
    };
    create_source(engine, create, &text, &Session::default(), true)?;
    Ok(())
}

fn status(message: String) -> StatementResult {
    StatementResult::Status {
        message,
        query_id: None,
    }
}
