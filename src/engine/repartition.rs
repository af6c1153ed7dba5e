//! Sets up the implicit repartitions of a persistent join (`plan::repartition`): creates
//! each repartition topic, builds what writes to it (a stage reading a side's source, or a
//! writer for the rows of earlier steps the join hands out) and points the join's input
//! for that side at the topic.
//!
//! Push queries join their sources directly: their task reads every partition, and a
//! transient query would leave topics behind for nothing.

use std::collections::BTreeMap;

use datafusion::arrow::datatypes::SchemaRef;
use datafusion::physical_expr::expressions::col;

use super::ddl::ensure_topic;
use super::{Engine, EngineResult};
use crate::catalog::Source;
use crate::catalog::schema::ColumnKind;
use crate::exec::join::Join;
use crate::exec::project::{Project, ProjectedColumn};
use crate::exec::sink::SinkEncoder;
use crate::exec::source::SourceDecoder;
use crate::plan::PlanError;
use crate::plan::repartition::{RepartitionPlan, RepartitionedSide};
use crate::plan::select::{ROWTIME, input_schema};
use crate::runtime::offsets::Commit;
use crate::runtime::query::TaskInput;
use crate::runtime::repartition::{RepartitionStage, RepartitionTopic, RepartitionWriter};

/// What a join's repartitions run: a stage per repartitioned source, a writer per step
/// whose left rows are repartitioned.
pub(super) struct Repartitions {
    pub stages: Vec<RepartitionStage>,
    pub steps: BTreeMap<usize, RepartitionWriter>,
}

/// The repartitions `plans` describe, from where `commit` left them. A repartitioned
/// source's entry in `inputs` (read from the source until now) becomes its stage's input
/// and reads the topic instead; a repartitioned step's topic becomes one more input, which
/// `join` feeds to the step.
pub(super) fn repartitions(
    engine: &Engine,
    plans: Vec<RepartitionPlan>,
    commit: Option<&Commit>,
    inputs: &mut Vec<TaskInput>,
    join: &mut Join,
) -> EngineResult<Repartitions> {
    let mut repartitions = Repartitions {
        stages: Vec::new(),
        steps: BTreeMap::new(),
    };
    for plan in plans {
        let topic = &plan.topic;
        ensure_topic(engine, &topic.topic, Some(topic.partitions), None)?;
        let progress = commit.and_then(|c| c.repartitions.get(&topic.topic));
        let topic_input = TaskInput {
            topic: topic.topic.clone(),
            positions: topic_positions(engine, topic, commit)?,
            decoder: SourceDecoder::repartitioned(
                topic,
                input_schema(topic),
                plan.side_schema.clone(),
            ),
        };
        let writer = RepartitionWriter::new(
            writer_projection(topic, &plan)?,
            SinkEncoder::new(
                &topic.topic,
                &topic.schema,
                topic.key_format.clone(),
                topic.value_format.clone(),
                physical_partitions(engine, topic),
            ),
            RepartitionTopic {
                topic: topic.topic.clone(),
                key_format: topic.key_format.kind,
                value_format: topic.value_format.kind,
            },
            super::queries::producer_id(&topic.topic),
            progress.map(|p| p.sequences.clone()).unwrap_or_default(),
        );
        match plan.side {
            RepartitionedSide::Source(index) => {
                let mut source_input = std::mem::replace(&mut inputs[index], topic_input);
                if let Some(progress) = progress {
                    source_input.positions = progress.positions.clone();
                }
                repartitions
                    .stages
                    .push(RepartitionStage::new(source_input, writer));
            }
            RepartitionedSide::StepLeft(step) => {
                let input = join.read_left_through_repartition(step);
                debug_assert_eq!(input, inputs.len());
                inputs.push(topic_input);
                repartitions.steps.insert(step, writer);
            }
        }
    }
    Ok(repartitions)
}

/// The side's row → the topic's: the join expression as key, then the side's pseudo
/// columns and columns by name (header columns travel as the record's headers).
fn writer_projection(topic: &Source, plan: &RepartitionPlan) -> EngineResult<Project> {
    let internal = |e: datafusion::error::DataFusionError| PlanError::Internal(e.to_string());
    let side_schema: &SchemaRef = &plan.side_schema;
    let mut columns = Vec::new();
    for column in &topic.schema.columns {
        let expr = match column.kind {
            ColumnKind::Key => plan.key.clone(),
            ColumnKind::Value => col(&column.name, side_schema).map_err(internal)?,
            ColumnKind::Header(_) => continue,
        };
        columns.push(ProjectedColumn {
            name: column.name.clone(),
            expr,
            data_type: column.ty.to_arrow(),
            keeps_on_tombstone: false,
        });
    }
    let rowtime = col(ROWTIME, side_schema).map_err(internal)?;
    Ok(Project::new(rowtime, columns))
}

/// Where the join reads `topic` from: its commit, else the topic's start (the query
/// created it).
fn topic_positions(
    engine: &Engine,
    topic: &Source,
    commit: Option<&Commit>,
) -> EngineResult<BTreeMap<u32, i64>> {
    if let Some(positions) = commit.and_then(|c| c.positions.get(&topic.topic)) {
        return Ok(positions.clone());
    }
    let mut positions = BTreeMap::new();
    for partition in 0..physical_partitions(engine, topic) {
        positions.insert(partition, engine.log.start_offset(&topic.topic, partition)?);
    }
    Ok(positions)
}

fn physical_partitions(engine: &Engine, topic: &Source) -> u32 {
    engine
        .log
        .topic_config(&topic.topic)
        .map_or(1, |c| c.partitions)
}
