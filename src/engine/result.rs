//! What executing a statement gives back, independent of how it is shown (REPL table,
//! REST entity).

use datafusion::arrow::record_batch::RecordBatch;
use tokio::sync::mpsc;

use crate::catalog::schema::LogicalSchema;

/// The outcome of one statement.
pub enum StatementResult {
    /// A statement that changed something, with ksqlDB's status message.
    Status {
        message: String,
        query_id: Option<String>,
    },
    /// A listing or description as rows of text.
    Table(ResultTable),
    /// Several descriptions, one after another (DESCRIBE STREAMS: one per stream).
    Tables(Vec<ResultTable>),
    /// A push query: its columns, then rows as they are produced.
    Push(PushQuery),
    /// PRINT: formatted records as they arrive.
    Print(mpsc::UnboundedReceiver<String>),
}

/// Rows of text under column headers, with an optional heading above.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResultTable {
    pub heading: Option<String>,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// A running push query. Dropping it ends the query.
pub struct PushQuery {
    pub query_id: String,
    /// The columns of its rows; those a pull query reads from the key are marked as keys,
    /// as ksqlDB's header shows them.
    pub schema: LogicalSchema,
    pub rows: mpsc::UnboundedReceiver<RecordBatch>,
    pub end: ResultEnd,
}

/// How the rows of a query end, which ksqlDB's `/query` tells its clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultEnd {
    /// A push query: it runs until its LIMIT, or until closed.
    Push,
    /// A pull query over a table: its rows, and nothing after them.
    Rows,
    /// A pull query over a stream: a scan of its records, which ends at the LIMIT or at
    /// the end of the topic.
    Scan { limit_reached: bool },
}
