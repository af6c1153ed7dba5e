//! `sluice --server URL`: the REPL over a server's REST API, with the embedded REPL's output.
//!
//! Statements go to `/ksql` one at a time, SELECT and PRINT to `/query`; SET, UNSET,
//! DEFINE and UNDEFINE stay in the client, as in ksqlDB's CLI, and its properties travel
//! with every request. The entities the server answers with are turned back into the
//! tables the embedded engine prints (`engine::describe` draws the same ones), and query
//! rows into the same `|`-separated lines.

use std::io::Write;

use serde_json::{Map, Value};
use tokio::runtime::Runtime;

use super::render;
use crate::engine::{ResultTable, Session};
use crate::server::client::{Client, RowStream};
use crate::sql::ast::Statement;

/// A REPL session against a server.
pub struct Remote {
    client: Client,
    session: Session,
}

impl Remote {
    pub fn new(client: Client) -> Remote {
        Remote {
            client,
            session: Session::default(),
        }
    }

    /// Checks that a server answers at the client's address and lets this client in.
    pub fn connect(&self, runtime: &Runtime) -> Result<(), String> {
        let (status, body) = runtime.block_on(self.client.ksql("SHOW STREAMS;", &Map::new()))?;
        if status == hyper::StatusCode::UNAUTHORIZED {
            return Err(format!(
                "the server refused the credentials ({}); pass --user and --password",
                error_message(&body)
            ));
        }
        Ok(())
    }

    /// Executes `text` and prints each result, as the embedded REPL does. Returns false if
    /// a statement failed; the statements after it are not run.
    pub fn execute_and_print(&mut self, runtime: &Runtime, text: &str) -> bool {
        let text = match super::repl::expand_run_scripts(text, 0) {
            Ok(text) => self.session.substitute(&text),
            Err(message) => {
                eprintln!("{message}");
                return false;
            }
        };
        let statements = match crate::sql::parse(&text) {
            Ok(statements) => statements,
            // The server parses it again and says what is wrong, in ksqlDB's words.
            Err(_) => return self.send(runtime, &text),
        };
        for parsed in statements {
            let ok = match &parsed.statement {
                Statement::Set { property, value } => {
                    self.session
                        .properties
                        .insert(property.clone(), value.clone());
                    println!("Successfully changed local property '{property}' to '{value}'.");
                    true
                }
                Statement::Unset { property } => {
                    self.session.properties.remove(property);
                    println!("Successfully unset local property '{property}'.");
                    true
                }
                Statement::Define { name, value } => {
                    self.session.variables.insert(name.clone(), value.clone());
                    true
                }
                Statement::Undefine { name } => {
                    self.session.variables.remove(name);
                    true
                }
                Statement::Select(_) | Statement::Print { .. } => {
                    self.stream(runtime, &parsed.text)
                }
                _ => self.send(runtime, &parsed.text),
            };
            if !ok {
                return false;
            }
        }
        true
    }

    fn properties(&self) -> Map<String, Value> {
        self.session
            .properties
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect()
    }

    /// A statement for `/ksql`: prints its entities, or its error.
    fn send(&self, runtime: &Runtime, statement: &str) -> bool {
        match runtime.block_on(self.client.ksql(statement, &self.properties())) {
            Ok((status, body)) if status.is_success() => {
                for entity in body.as_array().into_iter().flatten() {
                    print_entity(entity);
                }
                true
            }
            Ok((_, body)) => {
                eprintln!("{}", error_message(&body));
                false
            }
            Err(message) => {
                eprintln!("{message}");
                false
            }
        }
    }

    /// A SELECT or PRINT for `/query`: prints its rows as they come, until it ends or
    /// Ctrl-C, which closes the connection and so ends the query on the server.
    fn stream(&self, runtime: &Runtime, statement: &str) -> bool {
        runtime.block_on(async {
            let mut rows = match self.client.query(statement, &self.properties()).await {
                Ok(rows) => rows,
                Err(message) => {
                    eprintln!("{message}");
                    return false;
                }
            };
            if !rows.status().is_success() {
                let body = rows.text().await.unwrap_or_default();
                eprintln!(
                    "{}",
                    error_message(&crate::server::client::parse_json(&body))
                );
                return false;
            }
            let is_print = matches!(
                crate::sql::parse(statement).map(|s| s.into_iter().next().map(|p| p.statement)),
                Ok(Some(Statement::Print { .. }))
            );
            let ended = tokio::select! {
                result = print_rows(&mut rows, is_print) => result,
                _ = tokio::signal::ctrl_c() => Ok(false),
            };
            match ended {
                Ok(true) if !is_print => println!("Limit Reached\nQuery terminated"),
                Ok(true) => {}
                Ok(false) => println!("Query terminated"),
                Err(message) => {
                    eprintln!("{message}");
                    return false;
                }
            }
            true
        })
    }
}

/// Prints a query's header and rows (or PRINT's lines) until the answer ends (true).
async fn print_rows(rows: &mut RowStream, is_print: bool) -> Result<bool, String> {
    if is_print {
        while let Some(line) = rows.next_line().await? {
            println!("{line}");
        }
        return Ok(true);
    }
    while let Some(element) = rows.next().await? {
        if let Some(schema) = element.pointer("/header/schema").and_then(Value::as_str) {
            println!("{}", render::push_header(&column_names(schema)));
        } else if let Some(columns) = element.pointer("/row/columns").and_then(Value::as_array) {
            let cells: Vec<String> = columns.iter().map(cell).collect();
            println!("{}", render::push_row(&cells));
            let _ = std::io::stdout().flush();
        } else if let Some(message) = element.get("errorMessage") {
            return Err(error_message(message));
        }
    }
    Ok(true)
}

/// The column names of a header schema: ``"`ID` STRING KEY, `S` STRUCT<`A` INT>"``.
fn column_names(schema: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut depth = 0usize;
    let mut at_column_start = true;
    let mut chars = schema.chars();
    while let Some(c) = chars.next() {
        match c {
            '`' => {
                let name: String = chars.by_ref().take_while(|&c| c != '`').collect();
                if depth == 0 && at_column_start {
                    names.push(name);
                }
                at_column_start = false;
            }
            '<' | '(' => depth += 1,
            '>' | ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => at_column_start = true,
            _ => {}
        }
    }
    names
}

/// A JSON value as the embedded REPL prints the same value from Arrow: strings bare,
/// nulls as `null`, lists as `[a, b]`, structs and maps as `{k: v}`.
fn cell(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::String(s) => s.clone(),
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(cell).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Object(fields) => {
            let fields: Vec<String> = fields
                .iter()
                .map(|(k, v)| format!("{k}: {}", cell(v)))
                .collect();
            format!("{{{}}}", fields.join(", "))
        }
        other => other.to_string(),
    }
}

/// The message of an error body (`KsqlErrorMessage`).
fn error_message(body: &Value) -> String {
    body.get("message")
        .and_then(Value::as_str)
        .map_or_else(|| body.to_string(), str::to_string)
}

/// Prints one `/ksql` entity as the embedded REPL prints the same statement's result.
fn print_entity(entity: &Value) {
    let kind = entity
        .get("@type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let text = |v: &Value, field: &str| {
        v.get(field)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let table = match kind {
        "currentStatus" => {
            let message = entity
                .pointer("/commandStatus/message")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if !message.is_empty() {
                println!("{message}");
            }
            return;
        }
        "streams" | "tables" => {
            let label = if kind == "streams" {
                "Stream Name"
            } else {
                "Table Name"
            };
            ResultTable {
                heading: None,
                columns: strings(&[
                    label,
                    "Kafka Topic",
                    "Key Format",
                    "Value Format",
                    "Windowed",
                ]),
                rows: items(entity, kind)
                    .map(|s| {
                        vec![
                            text(s, "name"),
                            text(s, "topic"),
                            text(s, "keyFormat"),
                            text(s, "valueFormat"),
                            s.get("isWindowed")
                                .and_then(Value::as_bool)
                                .unwrap_or(false)
                                .to_string(),
                        ]
                    })
                    .collect(),
            }
        }
        "kafka_topics" | "kafka_topics_extended" => ResultTable {
            heading: None,
            columns: strings(&["Kafka Topic", "Partitions", "Partition Replicas"]),
            rows: items(entity, "topics")
                .map(|t| {
                    let partitions = t
                        .get("replicaInfo")
                        .and_then(Value::as_array)
                        .map_or(1, Vec::len);
                    vec![text(t, "name"), partitions.to_string(), "1".into()]
                })
                .collect(),
        },
        "queries" => ResultTable {
            heading: None,
            columns: strings(&[
                "Query ID",
                "Query Type",
                "Status",
                "Sink Name",
                "Sink Kafka Topic",
                "Query String",
            ]),
            rows: items(entity, "queries")
                .map(|q| {
                    let first = |field: &str| {
                        q.get(field)
                            .and_then(Value::as_array)
                            .and_then(|a| a.first())
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_string()
                    };
                    let status = q
                        .get("statusCount")
                        .and_then(Value::as_object)
                        .map(|counts| {
                            counts
                                .iter()
                                .map(|(state, n)| format!("{state}:{n}"))
                                .collect::<Vec<_>>()
                                .join(",")
                        })
                        .unwrap_or_default();
                    vec![
                        text(q, "id"),
                        text(q, "queryType"),
                        status,
                        first("sinks"),
                        first("sinkKafkaTopics"),
                        text(q, "queryString"),
                    ]
                })
                .collect(),
        },
        "properties" => ResultTable {
            heading: None,
            columns: strings(&["Property", "Scope", "Level", "Value"]),
            rows: items(entity, "properties")
                .map(|p| {
                    vec![
                        text(p, "name"),
                        text(p, "scope"),
                        text(p, "level"),
                        text(p, "value"),
                    ]
                })
                .collect(),
        },
        "type_list" => ResultTable {
            heading: None,
            columns: strings(&["Type Name", "Schema"]),
            rows: entity
                .get("types")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .map(|(name, schema)| vec![name.clone(), sql_type(schema)])
                .collect(),
        },
        "function_names" => ResultTable {
            heading: None,
            columns: strings(&["Function Name", "Category"]),
            rows: items(entity, "functions")
                .map(|f| vec![text(f, "name"), text(f, "category")])
                .collect(),
        },
        "describe_function" => ResultTable {
            heading: Some(format!(
                "\nName        : {}\nOverview    : {}\nType        : {}\nVariations  :",
                text(entity, "name"),
                text(entity, "description"),
                text(entity, "type")
            )),
            columns: strings(&["Variation", "Returns"]),
            rows: items(entity, "functions")
                .map(|variation| {
                    let arguments: Vec<String> = items(variation, "arguments")
                        .map(|a| {
                            let dots = if a["isVariadic"] == true { "..." } else { "" };
                            format!("{} {}{dots}", text(a, "name"), text(a, "type"))
                        })
                        .collect();
                    vec![
                        format!("{}({})", text(entity, "name"), arguments.join(", ")),
                        text(variation, "returnType"),
                    ]
                })
                .collect(),
        },
        "sourceDescription" => {
            if let Some(source) = entity.get("sourceDescription") {
                println!("{}", render::table(&source_description(source)));
            }
            return;
        }
        "source_descriptions" => {
            for source in items(entity, "sourceDescriptions") {
                println!("{}", render::table(&source_description(source)));
            }
            return;
        }
        "queryDescription" => {
            let query = entity.get("queryDescription").cloned().unwrap_or_default();
            let statement = text(&query, "statementText");
            ResultTable {
                heading: (!statement.is_empty()).then(|| format!("Query: {statement}")),
                columns: strings(&["Execution plan"]),
                rows: text(&query, "executionPlan")
                    .lines()
                    .map(|line| vec![line.to_string()])
                    .collect(),
            }
        }
        _ => {
            println!(
                "{}",
                serde_json::to_string_pretty(entity).unwrap_or_default()
            );
            return;
        }
    };
    println!("{}", render::table(&table));
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn items<'a>(entity: &'a Value, field: &str) -> impl Iterator<Item = &'a Value> {
    entity
        .get(field)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

/// DESCRIBE's table from a `SourceDescription`: the name, then each column with its type
/// and whether it is a key or header.
fn source_description(source: &Value) -> ResultTable {
    let name = source
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let is_table = source.get("type").and_then(Value::as_str) == Some("TABLE");
    let window = source
        .get("windowType")
        .and_then(Value::as_str)
        .map(|w| format!(" (Window type: {w})"))
        .unwrap_or_default();
    let rows = items(source, "fields")
        .map(|field| {
            let ty = field.get("schema").map(type_label).unwrap_or_default();
            let label = match field.get("type").and_then(Value::as_str) {
                Some("KEY") => {
                    let note = if is_table { "(primary key)" } else { "(key)" };
                    format!("{ty:<16} {note}{window}")
                }
                Some("HEADER") => match field.get("headerKey").and_then(Value::as_str) {
                    Some(key) => format!("{ty:<16} (header('{key}'))"),
                    None => format!("{ty:<16} (headers)"),
                },
                _ => ty,
            };
            let column = field
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default();
            vec![column.to_string(), label]
        })
        .collect();
    ResultTable {
        heading: Some(format!("\nName                 : {name}")),
        columns: strings(&["Field", "Type"]),
        rows,
    }
}

/// A `SchemaInfo` as ksqlDB's CLI writes a column's type: strings as `VARCHAR(STRING)`.
fn type_label(schema: &Value) -> String {
    match schema
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default()
    {
        "STRING" => "VARCHAR(STRING)".into(),
        other => compound_type(schema, other, type_label),
    }
}

/// A `SchemaInfo` as a SQL type: `ARRAY<STRING>`, `DECIMAL(4, 2)`.
fn sql_type(schema: &Value) -> String {
    let base = schema
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    compound_type(schema, base, sql_type)
}

fn compound_type(schema: &Value, base: &str, inner: fn(&Value) -> String) -> String {
    let member = || schema.get("memberSchema").map(inner).unwrap_or_default();
    match base {
        "ARRAY" => format!("ARRAY<{}>", member()),
        "MAP" => format!(
            "MAP<{}, {}>",
            inner(&serde_json::json!({"type": "STRING"})),
            member()
        ),
        "STRUCT" => {
            let fields: Vec<String> = items(schema, "fields")
                .map(|f| {
                    let name = f.get("name").and_then(Value::as_str).unwrap_or_default();
                    format!("{name} {}", f.get("schema").map(inner).unwrap_or_default())
                })
                .collect();
            format!("STRUCT<{}>", fields.join(", "))
        }
        "DECIMAL" => {
            let param = |p: &str| {
                schema
                    .pointer(&format!("/parameters/{p}"))
                    .map(Value::to_string)
                    .unwrap_or_default()
            };
            format!("DECIMAL({}, {})", param("precision"), param("scale"))
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn header_schemas_give_their_column_names() {
        assert_eq!(
            column_names(
                "`ID` STRING KEY, `S` STRUCT<`A` INTEGER, `B` MAP<STRING, DECIMAL(4, 2)>>, `N` BIGINT"
            ),
            vec!["ID", "S", "N"]
        );
    }

    #[test]
    fn values_print_as_arrow_prints_them() {
        assert_eq!(cell(&json!(null)), "null");
        assert_eq!(cell(&json!("a")), "a");
        assert_eq!(cell(&json!(1.5)), "1.5");
        assert_eq!(cell(&json!([1, [2]])), "[1, [2]]");
        assert_eq!(cell(&json!({"A": 1, "B": "x"})), "{A: 1, B: x}");
    }

    #[test]
    fn schema_infos_print_as_the_cli_prints_types() {
        let schema = json!({"type": "STRUCT", "fields": [
            {"name": "A", "schema": {"type": "ARRAY", "memberSchema": {"type": "STRING"}}},
            {"name": "D", "schema": {"type": "DECIMAL", "parameters": {"precision": 4, "scale": 2}}}
        ]});
        assert_eq!(
            type_label(&schema),
            "STRUCT<A ARRAY<VARCHAR(STRING)>, D DECIMAL(4, 2)>"
        );
        assert_eq!(
            sql_type(&schema),
            "STRUCT<A ARRAY<STRING>, D DECIMAL(4, 2)>"
        );
    }
}
