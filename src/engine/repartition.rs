//! Sets up the implicit repartitions of a persistent join (`plan::repartition`): creates
//! each repartition topic, builds the stage that rewrites the side's source to it, and
//! points the join's input for that side at the topic.
//!
//! Push queries join their sources directly: their task reads every partition, and a
//! transient query would leave topics behind for nothing.

use std::collections::BTreeMap;

use datafusion::physical_expr::expressions::col;

use super::ddl::ensure_topic;
use super::{Engine, EngineResult};
use crate::catalog::schema::ColumnKind;
use crate::exec::project::{Project, ProjectedColumn};
use crate::exec::sink::SinkEncoder;
use crate::exec::source::SourceDecoder;
use crate::plan::PlanError;
use crate::plan::repartition::RepartitionPlan;
use crate::plan::select::{ROWTIME, input_schema};
use crate::runtime::offsets::Commit;
use crate::runtime::query::TaskInput;
use crate::runtime::repartition::{RepartitionStage, RepartitionTopic};

/// The repartition stages `plans` describe; each repartitioned side's entry in `inputs`
/// (read from its source until now) becomes its stage's input, and the join reads the
/// repartition topic there instead, from where `commit` left it.
pub(super) fn repartition_stages(
    engine: &Engine,
    plans: Vec<RepartitionPlan>,
    commit: Option<&Commit>,
    inputs: &mut [TaskInput],
) -> EngineResult<Vec<RepartitionStage>> {
    let internal = |e: datafusion::error::DataFusionError| PlanError::Internal(e.to_string());
    let mut stages = Vec::new();
    for plan in plans {
        let topic = &plan.topic;
        ensure_topic(engine, &topic.topic, Some(topic.partitions), None)?;
        let physical_partitions = engine
            .log
            .topic_config(&topic.topic)
            .map_or(1, |c| c.partitions);
        let side_schema = plan.side_schema;
        let progress = commit.and_then(|c| c.repartitions.get(&topic.topic));
        let join_positions = match commit.and_then(|c| c.positions.get(&topic.topic)) {
            Some(positions) => positions.clone(),
            None => {
                let mut positions = BTreeMap::new();
                for partition in 0..physical_partitions {
                    positions.insert(partition, engine.log.start_offset(&topic.topic, partition)?);
                }
                positions
            }
        };
        let mut source_input = std::mem::replace(
            &mut inputs[plan.input],
            TaskInput {
                topic: topic.topic.clone(),
                positions: join_positions,
                decoder: SourceDecoder::repartitioned(
                    topic,
                    input_schema(topic),
                    side_schema.clone(),
                ),
            },
        );
        if let Some(progress) = progress {
            source_input.positions = progress.positions.clone();
        }
        let mut columns = Vec::new();
        for column in &topic.schema.columns {
            let expr = match column.kind {
                ColumnKind::Key => plan.key.clone(),
                ColumnKind::Value => col(&column.name, &side_schema).map_err(internal)?,
                ColumnKind::Header(_) => continue,
            };
            columns.push(ProjectedColumn {
                name: column.name.clone(),
                expr,
                data_type: column.ty.to_arrow(),
                keeps_on_tombstone: false,
            });
        }
        let rowtime = col(ROWTIME, &side_schema).map_err(internal)?;
        let encoder = SinkEncoder::new(
            &topic.topic,
            &topic.schema,
            topic.key_format.clone(),
            topic.value_format.clone(),
            physical_partitions,
        );
        stages.push(RepartitionStage::new(
            source_input,
            Project::new(rowtime, columns),
            encoder,
            RepartitionTopic {
                topic: topic.topic.clone(),
                key_format: topic.key_format.kind,
                value_format: topic.value_format.kind,
            },
            super::queries::producer_id(&topic.topic),
            progress.map(|p| p.sequences.clone()).unwrap_or_default(),
        ));
    }
    Ok(stages)
}
