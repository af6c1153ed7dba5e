//! Rendering results as ksqlDB's CLI does: boxed tables, status lines, streamed rows.

use comfy_table::presets::ASCII_MARKDOWN;
use comfy_table::{ContentArrangement, Table};

use datafusion::arrow::array::Array;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};

use crate::engine::ResultTable;

/// A table with a header row, as ksqlDB's CLI draws listings.
pub fn table(result: &ResultTable) -> String {
    let mut out = String::new();
    if let Some(heading) = &result.heading {
        out.push_str(heading);
        out.push('\n');
    }
    let mut table = Table::new();
    table
        .load_preset(ASCII_MARKDOWN)
        .set_content_arrangement(ContentArrangement::Dynamic);
    table.set_header(&result.columns);
    for row in &result.rows {
        table.add_row(row);
    }
    out.push_str(&table.to_string());
    out
}

/// The header line of a push query's output.
pub fn push_header(columns: &[String]) -> String {
    let mut table = Table::new();
    table.load_preset(ASCII_MARKDOWN);
    table.set_header(columns);
    table.to_string()
}

/// Each row of a batch as text cells (nulls as `null`, as ksqlDB prints them), leaving out
/// the engine's hidden columns (named with a leading `$`).
pub fn batch_rows(batch: &RecordBatch) -> Vec<Vec<String>> {
    let options = FormatOptions::default().with_null("null");
    let formatters: Vec<Option<ArrayFormatter<'_>>> = batch
        .columns()
        .iter()
        .zip(batch.schema().fields())
        .filter(|(_, field)| !field.name().starts_with('$'))
        .map(|(column, _)| column)
        .map(|c| ArrayFormatter::try_new(c.as_ref() as &dyn Array, &options).ok())
        .collect();
    (0..batch.num_rows())
        .map(|row| {
            formatters
                .iter()
                .map(|f| match f {
                    Some(f) => f.value(row).to_string(),
                    None => "?".to_string(),
                })
                .collect()
        })
        .collect()
}

/// One pushed row as a `|`-separated line.
pub fn push_row(cells: &[String]) -> String {
    format!("|{}|", cells.join("|"))
}
