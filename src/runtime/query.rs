//! One running query: read → decode → operators → sink, then commit.
//!
//! `QueryTask::poll_once` does one round over every source partition and returns how many
//! records it consumed; the engine either drives it from a tokio task (waiting on the log
//! for new data when a round finds none) or, in deterministic mode, steps every query in
//! creation order until all are idle, which is how the QTT runner reproduces ksqlDB's
//! test driver.
//!
//! A persistent query with stateful operators also writes their state changes to each one's
//! changelog topic, with the query's producer id, before the output those changes led to;
//! the changelog's end is part of every commit (see `state`).

use std::collections::BTreeMap;
use std::sync::Arc;

use datafusion::arrow::array::AsArray;
use datafusion::arrow::datatypes::Int64Type;
use datafusion::arrow::record_batch::RecordBatch;
use tokio::sync::mpsc;

use super::RuntimeResult;
use super::checkpointer::ChangelogToCheckpoint;
use super::offsets::{ChangelogPosition, Commit, RoundJournal};
use super::processing_log::ProcessingLog;
use super::repartition::{RepartitionStage, RepartitionTopic, RepartitionWriter};
use crate::exec::join::{Join, Joined};
use crate::exec::sink::{OutputRecord, SinkEncoder};
use crate::exec::source::SourceDecoder;
use crate::exec::{ExecError, Operator, RecordError};
use crate::log::{Log, ProducerSequence, StoredRecord};
use crate::plan::select::ROWTIME;

/// Records read from one partition per round.
pub(super) const MAX_RECORDS_PER_POLL: usize = 4096;

/// What one round read: the input, the partition and its records, for every partition that
/// had some.
type Round = Vec<(usize, u32, Vec<StoredRecord>)>;

/// Source topic → partition → offset.
type Positions = BTreeMap<String, BTreeMap<u32, i64>>;

/// Where a query's output goes.
pub enum QueryOutput {
    /// A persistent query appends to its sink topic, idempotently.
    Topic {
        /// Boxed: the variant would otherwise dwarf `Channel`.
        encoder: Box<SinkEncoder>,
        topic: String,
        /// The producer id of this query's appends.
        producer_id: i64,
        /// Next sequence per sink partition.
        sequences: BTreeMap<u32, i32>,
        /// Where each stateful operator's changelog (partition 0) stands, by topic.
        changelogs: BTreeMap<String, ChangelogPosition>,
    },
    /// A push query hands its rows to the client. Unbounded, so that a slow client
    /// never makes the query drop rows; the client's reader bounds what it buffers.
    Channel(mpsc::UnboundedSender<RecordBatch>),
}

/// A query's whole pipeline and its progress.
pub struct QueryTask {
    pub id: String,
    log: Arc<dyn Log>,
    /// The sources read: one, or one per joined source in FROM order.
    inputs: Vec<TaskInput>,
    /// Combines the inputs' rows when the query joins.
    join: Option<Join>,
    /// The join sides read through repartition topics: each is rewritten to its topic
    /// before the round that reads it.
    repartitions: Vec<RepartitionStage>,
    /// By step: where the rows of the steps before it go, when it reads them back from a
    /// repartition topic.
    step_repartitions: BTreeMap<usize, RepartitionWriter>,
    operators: Vec<Box<dyn Operator>>,
    output: QueryOutput,
    /// Rows still allowed by LIMIT.
    remaining: Option<u64>,
    /// Records read from the inputs since the task started.
    records_in: u64,
    /// Rows written to the sink or handed to the client since the task started.
    records_out: u64,
    /// Rows into and out of each operator since the task started, in pipeline order.
    operator_rows: Vec<OperatorRows>,
    /// Where each round's ends are noted before its output is written, for a persistent
    /// query whose output depends on its batches' bounds.
    journal: Option<RoundJournal>,
    /// The ends of a round cut short by a crash: the first round after the restart reads
    /// exactly up to them.
    replay_ends: Option<Positions>,
}

/// Rows into and out of one operator.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OperatorRows {
    pub rows_in: u64,
    pub rows_out: u64,
}

/// A running query's pipeline as the console draws it: sources, operators, sink, with
/// their counters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topology {
    /// Each input, in FROM order.
    pub sources: Vec<SourceProgress>,
    /// Whether the sources are joined before the operators.
    pub join: bool,
    /// The topics the join's sides are repartitioned through.
    pub repartitions: Vec<RepartitionTopic>,
    pub operators: Vec<(&'static str, OperatorRows)>,
    /// The sink topic; `None` for a push query's client.
    pub sink: Option<String>,
    pub records_in: u64,
    pub records_out: u64,
}

/// How far a query has read one of its input topics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceProgress {
    pub topic: String,
    /// The sum over partitions of the next offset to read: its growth over time is the
    /// rate at which the query reads the topic.
    pub position: u64,
    /// Records in the topic not read yet, over every partition.
    pub lag: u64,
}

/// What `/metrics` reports of one query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryMetrics {
    pub records_in: u64,
    pub records_out: u64,
    /// Records in the inputs not read yet, over every partition.
    pub lag: u64,
}

/// Decoded rows of one input partition waiting to be joined, with their times.
struct TimedBatch {
    input: usize,
    batch: RecordBatch,
    times: Vec<i64>,
    /// The first row not yet fed.
    next: usize,
}

/// The queue holding the earliest waiting row (the first on ties) and where its run of
/// rows no later than every other queue's head ends.
fn next_run(queues: &[TimedBatch]) -> Option<(usize, usize)> {
    let head = |q: &TimedBatch| q.times.get(q.next).copied();
    let (queue, _) = queues
        .iter()
        .enumerate()
        .filter_map(|(i, q)| head(q).map(|t| (i, t)))
        .min_by_key(|&(i, t)| (t, i))?;
    let others = queues
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != queue)
        .filter_map(|(_, q)| head(q))
        .min()
        .unwrap_or(i64::MAX);
    let run = &queues[queue];
    let end = run.next
        + run.times[run.next..]
            .iter()
            .take_while(|&&t| t <= others)
            .count()
            .max(1);
    Some((queue, end))
}

/// One source topic a query reads.
pub struct TaskInput {
    pub topic: String,
    /// Next offset to read, per partition.
    pub positions: BTreeMap<u32, i64>,
    pub decoder: SourceDecoder,
}

/// What a round did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Consumed this many records (0 = nothing new).
    Consumed(usize),
    /// The query is done: its LIMIT was reached or its client went away.
    Finished,
}

impl QueryTask {
    pub fn new(
        id: String,
        log: Arc<dyn Log>,
        inputs: Vec<TaskInput>,
        join: Option<Join>,
        operators: Vec<Box<dyn Operator>>,
        output: QueryOutput,
        limit: Option<u64>,
    ) -> Self {
        let operator_count = operators.len();
        QueryTask {
            id,
            log,
            inputs,
            join,
            repartitions: Vec::new(),
            step_repartitions: BTreeMap::new(),
            operators,
            output,
            remaining: limit,
            records_in: 0,
            records_out: 0,
            operator_rows: vec![OperatorRows::default(); operator_count],
            journal: None,
            replay_ends: None,
        }
    }

    /// Whether some operator's output depends on where its batches start and end.
    pub fn depends_on_batch_bounds(&self) -> bool {
        self.operators.iter().any(|o| o.depends_on_batch_bounds())
    }

    /// Reads the join sides `stages` rewrite to repartition topics through them: each input
    /// of the join that reads such a topic is fed by its stage. `steps`: by step, where the
    /// rows the join hands out for that step's repartition go.
    pub fn repartition_through(
        &mut self,
        stages: Vec<RepartitionStage>,
        steps: BTreeMap<usize, RepartitionWriter>,
    ) {
        self.repartitions = stages;
        self.step_repartitions = steps;
    }

    /// Notes each round's ends in `journal` before the round's output is written.
    pub fn journal_rounds(&mut self, journal: RoundJournal) {
        self.journal = Some(journal);
    }

    /// Makes the next round read exactly up to `ends`: the round a crash cut short.
    pub fn replay_round(&mut self, ends: Positions) {
        self.replay_ends = Some(ends);
    }

    /// Records in and out since the task started, and how far it is behind its inputs.
    pub fn metrics(&self) -> RuntimeResult<QueryMetrics> {
        let mut lag = 0;
        for input in self.all_inputs() {
            lag += self.lag(input)?;
        }
        Ok(QueryMetrics {
            records_in: self.records_in,
            records_out: self.records_out,
            lag,
        })
    }

    /// The pipeline with its counters, for the web console.
    pub fn topology(&self) -> RuntimeResult<Topology> {
        let mut sources = Vec::with_capacity(self.inputs.len());
        for input in self.all_inputs() {
            sources.push(SourceProgress {
                topic: input.topic.clone(),
                position: input.positions.values().map(|&p| p.max(0) as u64).sum(),
                lag: self.lag(input)?,
            });
        }
        Ok(Topology {
            sources,
            join: self.join.is_some(),
            repartitions: self
                .repartitions
                .iter()
                .map(|stage| stage.topic())
                .chain(self.step_repartitions.values().map(|w| w.topic()))
                .cloned()
                .collect(),
            operators: self
                .operators
                .iter()
                .map(|o| o.name())
                .zip(self.operator_rows.iter().copied())
                .collect(),
            sink: match &self.output {
                QueryOutput::Topic { topic, .. } => Some(topic.clone()),
                QueryOutput::Channel(_) => None,
            },
            records_in: self.records_in,
            records_out: self.records_out,
        })
    }

    /// Records of `input` not read yet, over its partitions.
    fn lag(&self, input: &TaskInput) -> RuntimeResult<u64> {
        let mut lag = 0;
        for (&partition, &position) in &input.positions {
            let end = self.log.end_offset(&input.topic, partition)?;
            lag += (end - position).max(0) as u64;
        }
        Ok(lag)
    }

    /// Rebuilds a join's state after a restart: replays every input from the start of its
    /// log up to where the query stands, through the join only, dropping what it emits
    /// (that output was written before the restart). The join's state is a function of
    /// its inputs, so the replay restores it without a changelog of its own.
    pub fn rebuild_join_state(&mut self) -> RuntimeResult<()> {
        let Some(join) = self.join.as_mut() else {
            return Ok(());
        };
        let mut errors = Vec::new();
        for (index, input) in self.inputs.iter_mut().enumerate() {
            for (&partition, &until) in &input.positions {
                let mut offset = self.log.start_offset(&input.topic, partition)?;
                while offset < until {
                    let records =
                        self.log
                            .read(&input.topic, partition, offset, MAX_RECORDS_PER_POLL)?;
                    let Some(last) = records.last() else { break };
                    offset = last.offset + 1;
                    let replayed: Vec<_> =
                        records.into_iter().filter(|r| r.offset < until).collect();
                    let batch = input.decoder.decode(&replayed, &mut errors)?;
                    // What it emits, repartitioned rows included, was written before.
                    join.on_input(index, batch, &mut errors)?;
                    errors.clear();
                }
            }
        }
        Ok(())
    }

    /// The source topics this query reads.
    pub fn topics(&self) -> Vec<String> {
        self.all_inputs().map(|i| i.topic.clone()).collect()
    }

    /// What the query reads: the sources its repartitions read, then its inputs.
    fn all_inputs(&self) -> impl Iterator<Item = &TaskInput> {
        self.repartitions
            .iter()
            .map(|stage| &stage.input)
            .chain(&self.inputs)
    }

    /// Processes what is available on every partition of every input once (a join's
    /// inputs in time order, see `poll_joined`).
    pub fn poll_once(&mut self, processing_log: &ProcessingLog) -> RuntimeResult<Progress> {
        if self.join.is_some() {
            return self.poll_joined(processing_log);
        }
        let mut consumed = 0;
        let mut errors = Vec::new();
        let round = self.read_round()?;
        self.begin_round(&round)?;
        for (input, partition, records) in round {
            let Some(last) = records.last() else { continue };
            let next = last.offset + 1;
            consumed += records.len();
            self.records_in += records.len() as u64;
            let batch = self.inputs[input].decoder.decode(&records, &mut errors)?;
            let finished = self.process(Some(batch), &mut errors)?;
            self.inputs[input].positions.insert(partition, next);
            if finished {
                self.report(&mut errors, processing_log)?;
                return Ok(Progress::Finished);
            }
        }
        self.report(&mut errors, processing_log)?;
        Ok(Progress::Consumed(consumed))
    }

    /// Reads what every partition of every input has, up to [`MAX_RECORDS_PER_POLL`] each
    /// (and, replaying a round a crash cut short, up to its ends).
    fn read_round(&mut self) -> RuntimeResult<Round> {
        let replay = self.replay_ends.take();
        let mut round = Vec::new();
        for (input, source) in self.inputs.iter().enumerate() {
            for (&partition, &position) in &source.positions {
                let limit = match &replay {
                    Some(ends) => ends
                        .get(&source.topic)
                        .and_then(|p| p.get(&partition))
                        .map_or(0, |&end| usize::try_from(end - position).unwrap_or(0))
                        .min(MAX_RECORDS_PER_POLL),
                    None => MAX_RECORDS_PER_POLL,
                };
                if limit == 0 {
                    continue;
                }
                let records = self.log.read(&source.topic, partition, position, limit)?;
                if !records.is_empty() {
                    round.push((input, partition, records));
                }
            }
        }
        Ok(round)
    }

    /// Notes where `round` ends before its output is written, when the query journals its
    /// rounds.
    fn begin_round(&self, round: &Round) -> RuntimeResult<()> {
        let (Some(journal), Some(mut progress)) = (&self.journal, self.commit()) else {
            return Ok(());
        };
        if round.is_empty() {
            return Ok(());
        }
        let mut ends = progress.positions.clone();
        for (input, partition, records) in round {
            if let Some(last) = records.last() {
                let topic = &self.inputs[*input].topic;
                ends.entry(topic.clone())
                    .or_default()
                    .insert(*partition, last.offset + 1);
            }
        }
        progress.round_ends = Some(ends);
        journal.begin_round(progress)
    }

    /// One round of a join: what every input partition has is read, then fed to the join
    /// in time order across them (Kafka Streams' timestamp-synchronized processing), so
    /// that a table row is in place before a later stream row looks it up.
    fn poll_joined(&mut self, processing_log: &ProcessingLog) -> RuntimeResult<Progress> {
        let mut errors = Vec::new();
        let mut queues = Vec::new();
        let mut consumed = 0;
        for stage in &mut self.repartitions {
            consumed += stage.run(&self.log, &mut errors)?;
        }
        let round = self.read_round()?;
        self.begin_round(&round)?;
        for (input, partition, records) in round {
            let Some(last) = records.last() else { continue };
            let source = &mut self.inputs[input];
            source.positions.insert(partition, last.offset + 1);
            consumed += records.len();
            self.records_in += records.len() as u64;
            let batch = source.decoder.decode(&records, &mut errors)?;
            let times = batch
                .column_by_name(ROWTIME)
                .map(|c| c.as_primitive::<Int64Type>().values().to_vec())
                .unwrap_or_default();
            queues.push(TimedBatch {
                input,
                batch,
                times,
                next: 0,
            });
        }
        while let Some((queue, end)) = next_run(&queues) {
            let run = &mut queues[queue];
            let slice = run.batch.slice(run.next, end - run.next);
            run.next = end;
            let input = run.input;
            let joined = match &mut self.join {
                Some(join) => join.on_input(input, slice, &mut errors)?,
                None => Joined::Rows(Some(slice)),
            };
            let joined = match joined {
                Joined::Rows(rows) => rows,
                Joined::Repartition { step, rows } => {
                    let writer = self.step_repartitions.get_mut(&step).ok_or_else(|| {
                        ExecError::Internal(format!("join step {step} has no repartition"))
                    })?;
                    writer.write(rows, self.log.as_ref(), &mut errors)?;
                    None
                }
            };
            if self.process(joined, &mut errors)? {
                self.report(&mut errors, processing_log)?;
                return Ok(Progress::Finished);
            }
        }
        self.report(&mut errors, processing_log)?;
        Ok(Progress::Consumed(consumed))
    }

    /// Runs one batch through the operators into the output; true when the query is done.
    fn process(
        &mut self,
        batch: Option<RecordBatch>,
        errors: &mut Vec<RecordError>,
    ) -> RuntimeResult<bool> {
        let mut current = batch;
        for (operator, rows) in self.operators.iter_mut().zip(&mut self.operator_rows) {
            let Some(batch) = current.take() else { break };
            rows.rows_in += batch.num_rows() as u64;
            current = operator.on_batch(batch, errors)?;
            rows.rows_out += current.as_ref().map_or(0, |b| b.num_rows() as u64);
        }
        self.write_changelogs()?;
        let Some(mut batch) = current.filter(|b| b.num_rows() > 0) else {
            return Ok(false);
        };
        let mut finished = false;
        self.records_out += batch.num_rows() as u64;
        if let Some(remaining) = self.remaining.as_mut() {
            let take = (*remaining).min(batch.num_rows() as u64);
            batch = batch.slice(0, take as usize);
            *remaining -= take;
            finished = *remaining == 0;
        }
        match &mut self.output {
            QueryOutput::Topic {
                encoder,
                topic,
                producer_id,
                sequences,
                ..
            } => {
                let records = encoder.encode(&batch, errors)?;
                append_produced(self.log.as_ref(), topic, *producer_id, sequences, records)?;
            }
            QueryOutput::Channel(sender) => {
                if sender.send(batch).is_err() {
                    // The client went away.
                    return Ok(true);
                }
            }
        }
        Ok(finished)
    }

    /// Appends the state changes of stateful operators to their changelogs. A push query
    /// keeps its state in memory only: its changes are dropped.
    fn write_changelogs(&mut self) -> RuntimeResult<()> {
        for operator in &mut self.operators {
            let Some(state) = operator.state() else {
                continue;
            };
            let changes = state.take_changes();
            let QueryOutput::Topic {
                producer_id,
                changelogs,
                ..
            } = &mut self.output
            else {
                continue;
            };
            if changes.is_empty() {
                continue;
            }
            let position = changelogs
                .entry(state.changelog_topic().to_string())
                .or_default();
            let count = changes.len();
            let producer = ProducerSequence {
                producer_id: *producer_id,
                first_sequence: position.next_sequence,
            };
            let first = self
                .log
                .append(state.changelog_topic(), 0, changes, Some(producer))?;
            // Appends of one producer are contiguous, also when the log recognises them as
            // repeats after a restart (it then answers where they were).
            position.end_offset = first + count as i64;
            position.next_sequence += count as i32;
        }
        Ok(())
    }

    /// The progress to commit: where each source partition stands, the next sequence of
    /// each sink partition, and where each changelog stands. `None` for push queries, which
    /// commit nothing.
    pub fn commit(&self) -> Option<Commit> {
        match &self.output {
            QueryOutput::Topic {
                sequences,
                changelogs,
                ..
            } => Some(Commit {
                positions: self
                    .inputs
                    .iter()
                    .map(|i| (i.topic.clone(), i.positions.clone()))
                    .collect(),
                sequences: sequences.clone(),
                changelogs: changelogs.clone(),
                round_ends: None,
                repartitions: self
                    .repartitions
                    .iter()
                    .map(|stage| (stage.topic().topic.clone(), stage.progress()))
                    .chain(
                        self.step_repartitions
                            .values()
                            .map(|writer| (writer.topic().topic.clone(), writer.progress())),
                    )
                    .collect(),
            }),
            QueryOutput::Channel(_) => None,
        }
    }

    /// The changelogs of this query's stateful operators with the ends its last commit
    /// recorded, for a checkpoint; none for push queries.
    pub fn changelogs_to_checkpoint(&mut self) -> Vec<ChangelogToCheckpoint> {
        let QueryOutput::Topic { changelogs, .. } = &self.output else {
            return Vec::new();
        };
        let ends: BTreeMap<String, i64> = changelogs
            .iter()
            .map(|(topic, position)| (topic.clone(), position.end_offset))
            .collect();
        self.operators
            .iter_mut()
            .filter_map(|operator| operator.state())
            .filter_map(|state| {
                let topic = state.changelog_topic().to_string();
                Some(ChangelogToCheckpoint {
                    end: *ends.get(&topic)?,
                    expiry: state.expiry(),
                    topic,
                })
            })
            .collect()
    }

    /// Resolves when a push query's client has gone away; never for persistent queries.
    pub fn client_gone(&self) -> impl std::future::Future<Output = ()> + use<> {
        let sender = match &self.output {
            QueryOutput::Channel(sender) => Some(sender.clone()),
            QueryOutput::Topic { .. } => None,
        };
        async move {
            match sender {
                Some(sender) => sender.closed().await,
                None => std::future::pending().await,
            }
        }
    }

    fn report(
        &self,
        errors: &mut Vec<RecordError>,
        processing_log: &ProcessingLog,
    ) -> RuntimeResult<()> {
        for error in errors.iter_mut() {
            if error.topic.is_empty() {
                error.topic = self.inputs[0].topic.clone();
            }
        }
        processing_log.write(&self.id, errors)?;
        errors.clear();
        Ok(())
    }
}

/// Appends a query's output records to `topic`, a batch per partition, as the idempotent
/// producer `producer_id` whose next sequence per partition is in `sequences`.
pub(super) fn append_produced(
    log: &dyn Log,
    topic: &str,
    producer_id: i64,
    sequences: &mut BTreeMap<u32, i32>,
    records: Vec<OutputRecord>,
) -> RuntimeResult<()> {
    let mut counts: BTreeMap<u32, usize> = BTreeMap::new();
    for record in &records {
        *counts.entry(record.partition).or_default() += 1;
    }
    let mut by_partition: BTreeMap<u32, Vec<_>> = counts
        .into_iter()
        .map(|(partition, count)| (partition, Vec::with_capacity(count)))
        .collect();
    for record in records {
        if let Some(partition) = by_partition.get_mut(&record.partition) {
            partition.push(record.record);
        }
    }
    for (partition, records) in by_partition {
        let sequence = sequences.entry(partition).or_insert(0);
        let count = records.len() as i32;
        let producer = ProducerSequence {
            producer_id,
            first_sequence: *sequence,
        };
        log.append(topic, partition, records, Some(producer))?;
        *sequence += count;
    }
    Ok(())
}
