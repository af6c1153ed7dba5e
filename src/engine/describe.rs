//! SHOW and DESCRIBE: what exists, as tables of text.

use std::sync::Arc;

use super::{Engine, EngineResult, ResultTable, Session, StatementResult};
use crate::catalog::schema::ColumnKind;
use crate::catalog::types::SqlType;
use crate::catalog::{Source, WindowKind};
use crate::func::catalog::{FunctionInfo, function, functions};
use crate::plan::PlanError;
use crate::sql::ast::{DescribeTarget, ShowTarget, SourceKind};

/// Internal topics are hidden from SHOW TOPICS unless ALL is asked for.
fn is_internal_topic(name: &str) -> bool {
    name.starts_with('_')
}

pub fn show(
    engine: &Arc<Engine>,
    target: &ShowTarget,
    session: &Session,
) -> EngineResult<StatementResult> {
    let catalog = engine.catalog();
    let table = match target {
        ShowTarget::Streams { .. } | ShowTarget::Tables { .. } => {
            let (kind, label) = match target {
                ShowTarget::Streams { .. } => (SourceKind::Stream, "Stream Name"),
                _ => (SourceKind::Table, "Table Name"),
            };
            ResultTable {
                heading: None,
                columns: vec![
                    label.into(),
                    "Kafka Topic".into(),
                    "Key Format".into(),
                    "Value Format".into(),
                    "Windowed".into(),
                ],
                rows: catalog
                    .sources
                    .values()
                    .filter(|s| s.kind == kind)
                    .map(|s| {
                        vec![
                            s.name.clone(),
                            s.topic.clone(),
                            s.key_format.kind.to_string(),
                            s.value_format.kind.to_string(),
                            s.window.is_some().to_string(),
                        ]
                    })
                    .collect(),
            }
        }
        ShowTarget::Topics { all, .. } => ResultTable {
            heading: None,
            columns: vec![
                "Kafka Topic".into(),
                "Partitions".into(),
                "Partition Replicas".into(),
            ],
            rows: engine
                .log
                .list_topics()
                .into_iter()
                .filter(|t| *all || !is_internal_topic(t))
                .map(|t| {
                    let declared = catalog.sources_on_topic(&t).map(|s| s.partitions).next();
                    let partitions = declared
                        .or_else(|| engine.log.topic_config(&t).map(|c| c.partitions))
                        .unwrap_or(1);
                    vec![t, partitions.to_string(), "1".into()]
                })
                .collect(),
        },
        ShowTarget::Queries { .. } => ResultTable {
            heading: None,
            columns: vec![
                "Query ID".into(),
                "Query Type".into(),
                "Status".into(),
                "Sink Name".into(),
                "Sink Kafka Topic".into(),
                "Query String".into(),
            ],
            rows: catalog
                .queries
                .values()
                .map(|q| {
                    vec![
                        q.id.clone(),
                        "PERSISTENT".into(),
                        if q.paused { "PAUSED:1" } else { "RUNNING:1" }.into(),
                        q.sink.clone(),
                        q.sink_topic.clone(),
                        q.statement.clone(),
                    ]
                })
                .collect(),
        },
        ShowTarget::Properties => ResultTable {
            heading: None,
            columns: vec![
                "Property".into(),
                "Scope".into(),
                "Level".into(),
                "Value".into(),
            ],
            rows: default_properties(engine)
                .into_iter()
                .map(|(k, v)| (k, v, "SERVER"))
                .chain(
                    session
                        .properties
                        .iter()
                        .map(|(k, v)| (k.clone(), v.clone(), "SESSION")),
                )
                .map(|(k, v, level)| vec![k, "KSQL".into(), level.into(), v])
                .collect(),
        },
        ShowTarget::Types => ResultTable {
            heading: None,
            columns: vec!["Type Name".into(), "Schema".into()],
            rows: catalog
                .types
                .iter()
                .map(|(n, t)| vec![n.clone(), t.to_string()])
                .collect(),
        },
        ShowTarget::Variables => ResultTable {
            heading: None,
            columns: vec!["Variable Name".into(), "Value".into()],
            rows: session
                .variables
                .iter()
                .map(|(n, v)| vec![n.clone(), v.clone()])
                .collect(),
        },
        ShowTarget::Functions => {
            let mut rows: Vec<Vec<String>> = functions()
                .iter()
                .map(|f| vec![f.name.to_string(), f.category.to_string()])
                .collect();
            rows.sort();
            ResultTable {
                heading: None,
                columns: vec!["Function Name".into(), "Category".into()],
                rows,
            }
        }
    };
    Ok(StatementResult::Table(table))
}

fn default_properties(engine: &Engine) -> Vec<(String, String)> {
    vec![
        ("auto.offset.reset".into(), "latest".into()),
        ("ksql.persistence.wrap.single.values".into(), "true".into()),
        (
            "sluice.data.dir".into(),
            engine
                .config
                .data_dir
                .as_ref()
                .map(|d| d.display().to_string())
                .unwrap_or_else(|| "(in memory)".into()),
        ),
    ]
}

pub fn describe(engine: &Arc<Engine>, target: &DescribeTarget) -> EngineResult<StatementResult> {
    let catalog = engine.catalog();
    match target {
        DescribeTarget::Source { name, extended } => {
            let source = catalog.source(name).ok_or_else(|| {
                PlanError::invalid(format!(
                    "Could not find STREAM/TABLE '{name}' in the Metastore"
                ))
            })?;
            Ok(StatementResult::Table(describe_source(
                engine, source, *extended,
            )))
        }
        DescribeTarget::AllSources { kind, extended } => Ok(StatementResult::Tables(
            catalog
                .sources
                .values()
                .filter(|s| s.kind == *kind)
                .map(|source| describe_source(engine, source, *extended))
                .collect(),
        )),
        DescribeTarget::Function(name) => {
            let function = function(name).ok_or_else(|| {
                PlanError::invalid(format!("Can't find any functions with the name '{name}'"))
            })?;
            Ok(StatementResult::Table(describe_function(function)))
        }
    }
}

/// DESCRIBE FUNCTION: what the function does, then each way to call it.
fn describe_function(function: &FunctionInfo) -> ResultTable {
    ResultTable {
        heading: Some(format!(
            "\nName        : {}\nOverview    : {}\nType        : {}\nVariations  :",
            function.name,
            function.description,
            function.kind.name()
        )),
        columns: vec!["Variation".into(), "Returns".into()],
        rows: function
            .variations
            .iter()
            .map(|v| vec![v.signature(function.name), v.returns.to_string()])
            .collect(),
    }
}

fn describe_source(engine: &Engine, source: &Source, extended: bool) -> ResultTable {
    let mut heading = format!("\nName                 : {}", source.name);
    if extended {
        let kind = match source.kind {
            SourceKind::Stream => "STREAM",
            SourceKind::Table => "TABLE",
        };
        let offsets: Vec<String> = engine
            .log
            .topic_config(&source.topic)
            .map(|c| {
                (0..c.partitions)
                    .map(|p| {
                        let end = engine.log.end_offset(&source.topic, p).unwrap_or_default();
                        format!("{p}:{end}")
                    })
                    .collect()
            })
            .unwrap_or_default();
        heading.push_str(&format!(
            "\nType                 : {kind}\nTimestamp field      : {}\nKey format           : {}\nValue format         : {}\nKafka topic          : {} (partitions: {}, replication: 1)\nStatement            : {}\nEnd offsets          : {}",
            source.timestamp.as_ref().map(|t| t.column.as_str()).unwrap_or("Not set - using <ROWTIME>"),
            source.key_format.kind,
            source.value_format.kind,
            source.topic,
            source.partitions,
            source.statement,
            offsets.join(", "),
        ));
        if !source.writers.is_empty() {
            heading.push_str(&format!(
                "\nWritten by           : {}",
                source.writers.join(", ")
            ));
        }
    }
    // ksqlDB's CLI (`Console.formatFieldType`) lists the key and value columns only, with
    // the key type padded to 16 characters before its note.
    let window = source.window.map(|w| {
        let kind = match w.kind {
            WindowKind::Tumbling => "TUMBLING",
            WindowKind::Hopping => "HOPPING",
            WindowKind::Session => "SESSION",
        };
        format!(" (Window type: {kind})")
    });
    let rows = source
        .schema
        .columns
        .iter()
        .map(|c| {
            let ty = type_label(&c.ty);
            let label = match &c.kind {
                ColumnKind::Key => {
                    let note = match source.kind {
                        SourceKind::Table => "(primary key)",
                        SourceKind::Stream => "(key)",
                    };
                    format!("{ty:<16} {note}{}", window.as_deref().unwrap_or_default())
                }
                ColumnKind::Value => ty,
                ColumnKind::Header(None) => format!("{ty:<16} (headers)"),
                ColumnKind::Header(Some(k)) => format!("{ty:<16} (header('{k}'))"),
            };
            vec![c.name.clone(), label]
        })
        .collect();
    ResultTable {
        heading: Some(heading),
        columns: vec!["Field".into(), "Type".into()],
        rows,
    }
}

/// A type as ksqlDB's CLI writes it (`SchemaInfo.toTypeString`): strings as
/// `VARCHAR(STRING)` at every depth, struct fields unquoted (`STRUCT<CITY VARCHAR(STRING)>`).
fn type_label(ty: &SqlType) -> String {
    match ty {
        SqlType::String => "VARCHAR(STRING)".into(),
        SqlType::Array(item) => format!("ARRAY<{}>", type_label(item)),
        SqlType::Map(key, value) => format!("MAP<{}, {}>", type_label(key), type_label(value)),
        SqlType::Struct(fields) => {
            let fields: Vec<String> = fields
                .iter()
                .map(|f| format!("{} {}", f.name, type_label(&f.ty)))
                .collect();
            format!("STRUCT<{}>", fields.join(", "))
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::types::StructField;

    #[test]
    fn writes_nested_types_as_the_cli_does() {
        let ty = SqlType::Struct(vec![
            StructField {
                name: "TAGS".into(),
                ty: SqlType::Array(Box::new(SqlType::String)),
            },
            StructField {
                name: "M".into(),
                ty: SqlType::Map(Box::new(SqlType::String), Box::new(SqlType::Decimal(4, 2))),
            },
        ]);
        assert_eq!(
            type_label(&ty),
            "STRUCT<TAGS ARRAY<VARCHAR(STRING)>, M MAP<VARCHAR(STRING), DECIMAL(4, 2)>>"
        );
    }
}
