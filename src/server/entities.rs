//! The `/ksql` response entities (ksqlDB's `KsqlEntity` subtypes), built from a statement,
//! the engine's result for it and the catalog.
//!
//! The engine gives listings and descriptions as text tables, for the REPL; the REST API
//! gives structured objects, so those are built here from the catalog instead. Every
//! entity carries `@type`, `statementText` and `warnings`.

use serde_json::{Map, Value, json};

use crate::catalog::schema::{Column, ColumnKind};
use crate::catalog::types::SqlType;
use crate::catalog::{Catalog, QueryInfo, Source, WindowKind};
use crate::engine::{Engine, ResultTable, Session};
use crate::func::catalog::{FunctionInfo, function, functions};
use crate::sql::ast::{DescribeTarget, ExplainTarget, ShowTarget, SourceKind, Statement};

/// ksqlDB's name for a statement's type, as its error messages show it.
pub fn statement_kind(statement: &Statement) -> &'static str {
    match statement {
        Statement::CreateSource(c) => match c.kind {
            SourceKind::Stream => "CreateStream",
            SourceKind::Table => "CreateTable",
        },
        Statement::CreateAsSelect(c) => match c.kind {
            SourceKind::Stream => "CreateStreamAsSelect",
            SourceKind::Table => "CreateTableAsSelect",
        },
        Statement::InsertInto { .. } => "InsertInto",
        Statement::InsertValues { .. } => "InsertValues",
        Statement::Select(_) => "Query",
        Statement::Show(_) => "ListStatement",
        Statement::Describe(_) => "ShowColumns",
        Statement::Explain(_) => "Explain",
        Statement::DropSource { kind, .. } => match kind {
            SourceKind::Stream => "DropStream",
            SourceKind::Table => "DropTable",
        },
        Statement::DropType { .. } => "DropType",
        Statement::CreateType { .. } => "RegisterType",
        Statement::Terminate { .. } => "TerminateQuery",
        Statement::Pause { .. } => "PauseQuery",
        Statement::Resume { .. } => "ResumeQuery",
        Statement::Print { .. } => "PrintTopic",
        Statement::Set { .. } => "SetProperty",
        Statement::Unset { .. } => "UnsetProperty",
        Statement::Define { .. } => "DefineVariable",
        Statement::Undefine { .. } => "UndefineVariable",
        Statement::RunScript { .. } => "RunScript",
        Statement::AlterSource { .. } => "AlterSource",
        Statement::AssertTopic { .. } => "AssertTopic",
    }
}

/// The command id of a statement that goes through ksqlDB's command topic
/// (`CommandIdAssigner`): `` stream/`S1`/create ``, `stream/S1/drop`,
/// `terminate/CSAS_S1_0/execute`. None for statements that are not commands.
pub fn command_id(statement: &Statement) -> Option<String> {
    let kind = |k: SourceKind| match k {
        SourceKind::Stream => "stream",
        SourceKind::Table => "table",
    };
    Some(match statement {
        // ksqlDB: creates print the source name quoted, drops print it bare.
        Statement::CreateSource(c) => format!("{}/`{}`/create", kind(c.kind), c.name),
        Statement::CreateAsSelect(c) => format!("{}/`{}`/create", kind(c.kind), c.name),
        Statement::InsertInto { target, .. } => format!("stream/`{target}`/create"),
        Statement::DropSource { kind: k, name, .. } => format!("{}/{name}/drop", kind(*k)),
        Statement::AlterSource { kind: k, name, .. } => format!("{}/{name}/alter", kind(*k)),
        Statement::CreateType { name, .. } => format!("type/{name}/create"),
        Statement::DropType { name, .. } => format!("type/{name}/drop"),
        Statement::Terminate { query_id } => {
            format!("terminate/{}/execute", query_or_all(query_id))
        }
        Statement::Pause { query_id } => format!("pause/{}/execute", query_or_all(query_id)),
        Statement::Resume { query_id } => format!("resume/{}/execute", query_or_all(query_id)),
        _ => return None,
    })
}

fn query_or_all(query_id: &Option<String>) -> String {
    query_id
        .as_deref()
        .map_or_else(|| "ALL".to_string(), str::to_uppercase)
}

/// A command's outcome (`CommandStatus`): `queryId` only when it started a query.
pub fn command_status(message: &str, query_id: Option<&str>) -> Value {
    let mut status = json!({"status": "SUCCESS", "message": message});
    if let Some(id) = query_id {
        status["queryId"] = json!(id);
    }
    status
}

/// `currentStatus`: a command that ran.
pub fn current_status(
    statement_text: &str,
    command_id: &str,
    status: Value,
    sequence_number: i64,
) -> Value {
    json!({
        "@type": "currentStatus",
        "statementText": statement_text,
        "commandId": command_id,
        "commandStatus": status,
        "commandSequenceNumber": sequence_number,
        "warnings": [],
    })
}

/// The entity for a SHOW, DESCRIBE or EXPLAIN, whose engine result is `table`.
pub fn listing(
    engine: &Engine,
    statement: &Statement,
    statement_text: &str,
    table: &ResultTable,
    session: &Session,
) -> Option<Value> {
    let catalog = engine.catalog();
    let (kind, mut body) = match statement {
        Statement::Show(ShowTarget::Streams { extended: false }) => (
            "streams",
            json!({"streams": source_list(&catalog, SourceKind::Stream)}),
        ),
        Statement::Show(ShowTarget::Tables { extended: false }) => (
            "tables",
            json!({"tables": source_list(&catalog, SourceKind::Table)}),
        ),
        Statement::Show(ShowTarget::Streams { extended: true }) => (
            "source_descriptions",
            json!({"sourceDescriptions": descriptions(engine, &catalog, SourceKind::Stream, true)}),
        ),
        Statement::Show(ShowTarget::Tables { extended: true }) => (
            "source_descriptions",
            json!({"sourceDescriptions": descriptions(engine, &catalog, SourceKind::Table, true)}),
        ),
        Statement::Describe(DescribeTarget::AllSources { kind, extended }) => (
            "source_descriptions",
            json!({"sourceDescriptions": descriptions(engine, &catalog, *kind, *extended)}),
        ),
        Statement::Describe(DescribeTarget::Source { name, extended }) => {
            let source = catalog.source(name)?;
            (
                "sourceDescription",
                json!({"sourceDescription": source_description(engine, &catalog, source, *extended)}),
            )
        }
        Statement::Show(ShowTarget::Topics { extended, .. }) => {
            // The engine already chose the topics (internal ones only with ALL).
            let topics: Vec<Value> = table
                .rows
                .iter()
                .map(|row| {
                    let partitions: usize = row.get(1).and_then(|p| p.parse().ok()).unwrap_or(1);
                    let mut topic =
                        json!({"name": row.first(), "replicaInfo": vec![1; partitions]});
                    if *extended {
                        topic["consumerCount"] = json!(0);
                        topic["consumerGroupCount"] = json!(0);
                    }
                    topic
                })
                .collect();
            let kind = if *extended {
                "kafka_topics_extended"
            } else {
                "kafka_topics"
            };
            (kind, json!({"topics": topics}))
        }
        Statement::Show(ShowTarget::Queries { .. }) => {
            let queries: Vec<Value> = catalog.queries.values().map(running_query).collect();
            ("queries", json!({"queries": queries}))
        }
        Statement::Show(ShowTarget::Properties) => ("properties", properties(table, session)),
        Statement::Show(ShowTarget::Types) => {
            let types: Map<String, Value> = catalog
                .types
                .iter()
                .map(|(name, ty)| (name.clone(), schema_info(ty)))
                .collect();
            ("type_list", json!({"types": types}))
        }
        Statement::Show(ShowTarget::Variables) => {
            let variables: Vec<Value> = session
                .variables
                .iter()
                .map(|(name, value)| json!({"name": name, "value": value}))
                .collect();
            ("variables", json!({"variables": variables}))
        }
        Statement::Show(ShowTarget::Functions) => {
            let functions: Vec<Value> = functions()
                .iter()
                .map(|f| json!({"name": f.name, "category": f.category, "type": f.kind.name()}))
                .collect();
            ("function_names", json!({"functions": functions}))
        }
        Statement::Describe(DescribeTarget::Function(name)) => {
            ("describe_function", function_description(function(name)?))
        }
        Statement::Explain(target) => (
            "queryDescription",
            json!({"queryDescription": query_description(&catalog, target, table)}),
        ),
        _ => return None,
    };
    // ksqlDB (Jackson) writes the type id and the statement first.
    let mut entity = Map::new();
    entity.insert("@type".into(), json!(kind));
    entity.insert("statementText".into(), json!(statement_text));
    if let Some(fields) = body.as_object_mut() {
        entity.append(fields);
    }
    entity.insert("warnings".into(), json!([]));
    Some(Value::Object(entity))
}

/// `FunctionDescriptionList`: a function and its variations, each with its arguments
/// (`name TYPE`, a variadic one ending in `...`).
fn function_description(function: &FunctionInfo) -> Value {
    let variations: Vec<Value> = function
        .variations
        .iter()
        .map(|variation| {
            let arguments: Vec<Value> = variation
                .params
                .iter()
                .map(|param| {
                    let (name, ty) = param.split_once(' ').unwrap_or(("", param));
                    let variadic = ty.ends_with("...");
                    json!({
                        "name": name,
                        "type": ty.trim_end_matches("..."),
                        "description": "",
                        "isVariadic": variadic,
                    })
                })
                .collect();
            json!({
                "arguments": arguments,
                "returnType": variation.returns,
                "description": function.description,
            })
        })
        .collect();
    json!({
        "name": function.name,
        "description": function.description,
        "author": "",
        "version": "",
        "path": "internal",
        "functions": variations,
        "type": function.kind.name(),
    })
}

/// `SourceInfo.Stream` / `SourceInfo.Table`: one line of SHOW STREAMS / TABLES.
fn source_list(catalog: &Catalog, kind: SourceKind) -> Vec<Value> {
    catalog
        .sources
        .values()
        .filter(|s| s.kind == kind)
        .map(|s| {
            json!({
                "type": kind_name(s.kind),
                "name": s.name,
                "topic": s.topic,
                "keyFormat": s.key_format.kind.to_string(),
                "valueFormat": s.value_format.kind.to_string(),
                "isWindowed": s.window.is_some(),
            })
        })
        .collect()
}

fn descriptions(
    engine: &Engine,
    catalog: &Catalog,
    kind: SourceKind,
    extended: bool,
) -> Vec<Value> {
    catalog
        .sources
        .values()
        .filter(|s| s.kind == kind)
        .map(|s| source_description(engine, catalog, s, extended))
        .collect()
}

fn kind_name(kind: SourceKind) -> &'static str {
    match kind {
        SourceKind::Stream => "STREAM",
        SourceKind::Table => "TABLE",
    }
}

/// `SourceDescription`: DESCRIBE. ksqlDB fills partitions and replication only when
/// EXTENDED (they come from describing the topic).
fn source_description(
    engine: &Engine,
    catalog: &Catalog,
    source: &Source,
    extended: bool,
) -> Value {
    let read_queries: Vec<Value> = catalog
        .readers_of(&source.name)
        .map(running_query)
        .collect();
    let write_queries: Vec<Value> = catalog
        .queries
        .values()
        .filter(|q| q.sink == source.name)
        .map(running_query)
        .collect();
    let partitions = if extended {
        engine
            .log()
            .topic_config(&source.topic)
            .map_or(source.partitions, |c| c.partitions)
    } else {
        0
    };
    json!({
        "name": source.name,
        "windowType": source.window.map(|w| match w.kind {
            WindowKind::Tumbling => "TUMBLING",
            WindowKind::Hopping => "HOPPING",
            WindowKind::Session => "SESSION",
        }),
        "readQueries": read_queries,
        "writeQueries": write_queries,
        "fields": source.schema.columns.iter().map(field_info).collect::<Vec<_>>(),
        "type": kind_name(source.kind),
        "timestamp": source.timestamp.as_ref().map_or("", |t| t.column.as_str()),
        "statistics": "",
        "errorStats": "",
        "extended": extended,
        "keyFormat": source.key_format.kind.to_string(),
        "valueFormat": source.value_format.kind.to_string(),
        "topic": source.topic,
        "partitions": partitions,
        "replication": if extended { 1 } else { 0 },
        "statement": source.statement,
        "queryOffsetSummaries": [],
        "sourceConstraints": [],
    })
}

/// `FieldInfo`: a column with its schema; `type` only for key (and header) columns.
fn field_info(column: &Column) -> Value {
    let mut field = json!({"name": column.name, "schema": schema_info(&column.ty)});
    match &column.kind {
        ColumnKind::Key => field["type"] = json!("KEY"),
        ColumnKind::Value => {}
        ColumnKind::Header(key) => {
            field["type"] = json!("HEADER");
            if let Some(key) = key {
                field["headerKey"] = json!(key);
            }
        }
    }
    field
}

/// `SchemaInfo`: a type as `{type, fields, memberSchema}`; DECIMAL adds its parameters.
pub fn schema_info(ty: &SqlType) -> Value {
    let base = match ty {
        SqlType::Boolean => "BOOLEAN",
        SqlType::Int => "INTEGER",
        SqlType::Bigint => "BIGINT",
        SqlType::Double => "DOUBLE",
        SqlType::Decimal(..) => "DECIMAL",
        SqlType::String => "STRING",
        SqlType::Bytes => "BYTES",
        SqlType::Timestamp => "TIMESTAMP",
        SqlType::Date => "DATE",
        SqlType::Time => "TIME",
        SqlType::Array(_) => "ARRAY",
        SqlType::Map(..) => "MAP",
        SqlType::Struct(_) => "STRUCT",
    };
    let fields = match ty {
        SqlType::Struct(fields) => Value::Array(
            fields
                .iter()
                .map(|f| json!({"name": f.name, "schema": schema_info(&f.ty)}))
                .collect(),
        ),
        _ => Value::Null,
    };
    let member = match ty {
        SqlType::Array(item) => schema_info(item),
        SqlType::Map(_, value) => schema_info(value),
        _ => Value::Null,
    };
    let mut info = json!({"type": base, "fields": fields, "memberSchema": member});
    if let SqlType::Decimal(precision, scale) = ty {
        info["parameters"] = json!({"precision": precision, "scale": scale});
    }
    info
}

/// `RunningQuery`: a persistent query in SHOW QUERIES and DESCRIBE.
fn running_query(query: &QueryInfo) -> Value {
    let state = if query.paused { "PAUSED" } else { "RUNNING" };
    json!({
        "queryString": query.statement,
        "sinks": [query.sink],
        "sinkKafkaTopics": [query.sink_topic],
        "id": query.id,
        "statusCount": {state: 1},
        "queryType": "PERSISTENT",
        "state": state,
    })
}

/// `PropertiesList` from the engine's property table (Property, Scope, Level, Value).
fn properties(table: &ResultTable, session: &Session) -> Value {
    let properties: Vec<Value> = table
        .rows
        .iter()
        .filter_map(|row| match row.as_slice() {
            [name, scope, level, value] => Some(json!({
                "name": name,
                "scope": scope,
                "value": value,
                "level": level,
                "editable": false,
            })),
            _ => None,
        })
        .collect();
    json!({
        "properties": properties,
        "overwrittenProperties": session.properties.keys().collect::<Vec<_>>(),
        "defaultProperties": [],
    })
}

/// `QueryDescription` for EXPLAIN; the execution plan is the engine's plan text.
fn query_description(catalog: &Catalog, target: &ExplainTarget, table: &ResultTable) -> Value {
    let plan: Vec<String> = table.rows.iter().map(|row| row.join(" ")).collect();
    let info = match target {
        ExplainTarget::QueryId(id) => catalog.queries.get(&id.to_uppercase()),
        ExplainTarget::Statement(_) => None,
    };
    let fields: Vec<Value> = info
        .and_then(|q| catalog.source(&q.sink))
        .map(|sink| sink.schema.columns.iter().map(field_info).collect())
        .unwrap_or_default();
    json!({
        "id": info.map_or("", |q| q.id.as_str()),
        "statementText": info.map_or("", |q| q.statement.as_str()),
        "windowType": null,
        "fields": fields,
        "sources": info.map(|q| q.sources.clone()).unwrap_or_default(),
        "sinks": info.map(|q| vec![q.sink.clone()]).unwrap_or_default(),
        "topology": "",
        "executionPlan": plan.join("\n"),
        "overriddenProperties": {},
        "ksqlHostQueryStatus": {},
        "queryType": if info.is_some() { "PERSISTENT" } else { "PUSH" },
        "queryErrors": [],
        "tasksMetadata": [],
        "state": match info {
            Some(q) if q.paused => "PAUSED",
            Some(_) => "RUNNING",
            None => "UNKNOWN",
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::types::StructField;

    #[test]
    fn schema_info_nests_like_ksqldb() {
        let ty = SqlType::Struct(vec![StructField {
            name: "A".into(),
            ty: SqlType::Array(Box::new(SqlType::Decimal(4, 2))),
        }]);
        assert_eq!(
            schema_info(&ty),
            json!({
                "type": "STRUCT",
                "fields": [{"name": "A", "schema": {
                    "type": "ARRAY",
                    "fields": null,
                    "memberSchema": {
                        "type": "DECIMAL", "fields": null, "memberSchema": null,
                        "parameters": {"precision": 4, "scale": 2},
                    },
                }}],
                "memberSchema": null,
            })
        );
    }

    #[test]
    fn command_ids_follow_ksqldb() {
        let parse = |sql: &str| crate::sql::parse(sql).unwrap().remove(0).statement;
        assert_eq!(
            command_id(&parse(
                "CREATE STREAM s1 (id INT) WITH (kafka_topic='t', value_format='json');"
            )),
            Some("stream/`S1`/create".into())
        );
        assert_eq!(
            command_id(&parse("DROP TABLE t;")),
            Some("table/T/drop".into())
        );
        assert_eq!(
            command_id(&parse("TERMINATE csas_s1_0;")),
            Some("terminate/CSAS_S1_0/execute".into())
        );
        assert_eq!(command_id(&parse("SHOW STREAMS;")), None);
    }
}
