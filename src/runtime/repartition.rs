//! A join side's repartition (`plan::repartition`) as its query's task runs it: before each
//! round of the join, what the side's source has is rewritten to the repartition topic,
//! keyed by the join expression, and the join then reads that topic. The rows of earlier
//! steps that a later step joins on another expression are written to their topic as the
//! join hands them out (`exec::join::Joined::Repartition`).
//!
//! The writes carry the query's own producer id for the topic, with the sequences and
//! source positions of the last commit, so that after a crash the stage writes again what
//! it had written and the log drops the repeats: the topic holds each source record once.

use std::collections::BTreeMap;
use std::sync::Arc;

use datafusion::arrow::record_batch::RecordBatch;
use serde::{Deserialize, Serialize};

use super::RuntimeResult;
use super::query::{MAX_RECORDS_PER_POLL, TaskInput, append_produced};
use crate::exec::project::Project;
use crate::exec::sink::SinkEncoder;
use crate::exec::{Operator, RecordError};
use crate::format::FormatKind;
use crate::log::Log;

/// Where a repartition stands at a commit: how far it has read its source, and the next
/// producer sequence of each partition of its topic.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepartitionProgress {
    pub positions: BTreeMap<u32, i64>,
    pub sequences: BTreeMap<u32, i32>,
}

/// A repartition topic and its formats, as a query's topology lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepartitionTopic {
    pub topic: String,
    pub key_format: FormatKind,
    pub value_format: FormatKind,
}

/// Writes a side's rows to its repartition topic, keyed by the join expression.
pub struct RepartitionWriter {
    /// The side's row → the topic's: the join expression as key, then the row.
    project: Project,
    encoder: SinkEncoder,
    topic: RepartitionTopic,
    producer_id: i64,
    sequences: BTreeMap<u32, i32>,
}

impl RepartitionWriter {
    pub fn new(
        project: Project,
        encoder: SinkEncoder,
        topic: RepartitionTopic,
        producer_id: i64,
        sequences: BTreeMap<u32, i32>,
    ) -> Self {
        RepartitionWriter {
            project,
            encoder,
            topic,
            producer_id,
            sequences,
        }
    }

    /// The repartition topic.
    pub fn topic(&self) -> &RepartitionTopic {
        &self.topic
    }

    /// Appends `rows` to the topic.
    pub fn write(
        &mut self,
        rows: RecordBatch,
        log: &dyn Log,
        errors: &mut Vec<RecordError>,
    ) -> RuntimeResult<()> {
        let Some(rows) = self.project.on_batch(rows, errors)? else {
            return Ok(());
        };
        let produced = self.encoder.encode(&rows, errors)?;
        append_produced(
            log,
            &self.topic.topic,
            self.producer_id,
            &mut self.sequences,
            produced,
        )
    }

    /// What a commit records of the writer: the next sequence of each partition.
    pub fn progress(&self) -> RepartitionProgress {
        RepartitionProgress {
            positions: BTreeMap::new(),
            sequences: self.sequences.clone(),
        }
    }
}

/// One side's source rewritten to its repartition topic.
pub struct RepartitionStage {
    /// The side's source, read from where the stage stands.
    pub input: TaskInput,
    writer: RepartitionWriter,
}

impl RepartitionStage {
    pub fn new(input: TaskInput, writer: RepartitionWriter) -> Self {
        RepartitionStage { input, writer }
    }

    /// The repartition topic.
    pub fn topic(&self) -> &RepartitionTopic {
        self.writer.topic()
    }

    /// Rewrites what every partition of the source has, up to [`MAX_RECORDS_PER_POLL`]
    /// records each, to the topic; returns how many records it read.
    pub fn run(
        &mut self,
        log: &Arc<dyn Log>,
        errors: &mut Vec<RecordError>,
    ) -> RuntimeResult<usize> {
        let mut read = 0;
        let partitions: Vec<(u32, i64)> =
            self.input.positions.iter().map(|(&p, &o)| (p, o)).collect();
        for (partition, position) in partitions {
            let records = log.read(&self.input.topic, partition, position, MAX_RECORDS_PER_POLL)?;
            let Some(last) = records.last() else { continue };
            let next = last.offset + 1;
            read += records.len();
            let rows = self.input.decoder.decode(&records, errors)?;
            self.writer.write(rows, log.as_ref(), errors)?;
            self.input.positions.insert(partition, next);
        }
        Ok(read)
    }

    /// What a commit records of the stage.
    pub fn progress(&self) -> RepartitionProgress {
        RepartitionProgress {
            positions: self.input.positions.clone(),
            ..self.writer.progress()
        }
    }
}
