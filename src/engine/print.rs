//! PRINT topic: the raw records of a topic, as ksqlDB's CLI shows them.

use std::sync::Arc;

use tokio::sync::mpsc;

use super::{Engine, EngineError, EngineResult, StatementResult};
use crate::log::StoredRecord;

pub fn print(
    engine: &Arc<Engine>,
    topic: &str,
    from_beginning: bool,
    interval: Option<u64>,
    limit: Option<u64>,
) -> EngineResult<StatementResult> {
    let topics = engine.log.list_topics();
    let topic = topics
        .iter()
        .find(|t| *t == topic)
        .or_else(|| topics.iter().find(|t| t.eq_ignore_ascii_case(topic)))
        .cloned()
        .ok_or_else(|| {
            EngineError::Statement(format!(
                "Could not find topic '{topic}', or the KSQL user does not have permissions to list the topic. Topic names are case-sensitive.\nTo list topics, use 'SHOW TOPICS;'"
            ))
        })?;
    let partitions = engine
        .log
        .topic_config(&topic)
        .map(|c| c.partitions)
        .unwrap_or(1);
    let mut positions = Vec::with_capacity(partitions as usize);
    for partition in 0..partitions {
        positions.push(if from_beginning {
            engine.log.start_offset(&topic, partition)?
        } else {
            engine.log.end_offset(&topic, partition)?
        });
    }
    let mut changes = engine.log.subscribe(&topic)?;
    let (sender, lines) = mpsc::unbounded_channel();
    let log = engine.log.clone();
    let every = interval.unwrap_or(1).max(1);
    let handle = tokio::runtime::Handle::try_current()
        .map_err(|_| EngineError::Statement("PRINT needs a tokio runtime".into()))?;
    handle.spawn(async move {
        let mut seen = 0u64;
        let mut printed = 0u64;
        loop {
            changes.borrow_and_update();
            let mut any = false;
            for (partition, position) in positions.iter_mut().enumerate() {
                let Ok(records) = log.read(&topic, partition as u32, *position, 1000) else {
                    return;
                };
                for record in records {
                    *position = record.offset + 1;
                    any = true;
                    seen += 1;
                    if (seen - 1) % every != 0 {
                        continue;
                    }
                    if sender.send(format_record(&record)).is_err() {
                        return;
                    }
                    printed += 1;
                    if limit.is_some_and(|l| printed >= l) {
                        return;
                    }
                }
            }
            if !any {
                tokio::select! {
                    changed = changes.changed() => if changed.is_err() { return },
                    _ = sender.closed() => return,
                }
            }
        }
    });
    Ok(StatementResult::Print(lines))
}

/// One record as ksqlDB's PRINT writes it.
pub fn format_record(stored: &StoredRecord) -> String {
    let record = &stored.record;
    let show = |bytes: &Option<Vec<u8>>| match bytes {
        None => "<null>".to_string(),
        Some(b) => match std::str::from_utf8(b) {
            Ok(text) => text.to_string(),
            Err(_) => b.iter().map(|x| format!("{x:02x}")).collect(),
        },
    };
    format!(
        "rowtime: {}, key: {}, value: {}, partition: {}",
        format_timestamp(record.timestamp),
        show(&record.key),
        show(&record.value),
        stored.partition
    )
}

/// `yyyy/MM/dd HH:mm:ss.SSS Z` in UTC.
pub fn format_timestamp(millis: i64) -> String {
    let days = millis.div_euclid(86_400_000);
    let ms_of_day = millis.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}/{m:02}/{d:02} {:02}:{:02}:{:02}.{:03} Z",
        ms_of_day / 3_600_000,
        ms_of_day / 60_000 % 60,
        ms_of_day / 1000 % 60,
        ms_of_day % 1000
    )
}

/// Days since 1970-01-01 → (year, month, day), Howard Hinnant's algorithm.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_timestamps_in_utc() {
        assert_eq!(format_timestamp(0), "1970/01/01 00:00:00.000 Z");
        assert_eq!(
            format_timestamp(1_620_326_592_345),
            "2021/05/06 18:43:12.345 Z"
        );
    }
}
