//! Producer snapshots: a partition's last accepted sequence per producer as of the base offset
//! of its active segment, in `<base offset, 20 digits>.producers` (JSON).
//!
//! A snapshot is written when a segment rolls, so that opening a partition rebuilds producer
//! state from the snapshot plus the active segment instead of every segment (Kafka keeps
//! `.snapshot` files for the same reason). Without a usable snapshot the partition falls back
//! to reading the headers of all its segments.

use std::fs;
use std::io::ErrorKind;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::segment::{parse_segment_name, segment_path};
use super::{io_error, write_atomically};
use crate::log::LogResult;
use crate::log::producer_state::ProducerState;

const EXTENSION: &str = "producers";

#[derive(Debug, Serialize, Deserialize)]
struct Snapshot {
    /// Producer id and last accepted sequence.
    producers: Vec<(i64, i64)>,
}

/// Writes the snapshot for `offset`, atomically.
pub(super) fn write(dir: &Path, offset: i64, state: &ProducerState, sync: bool) -> LogResult<()> {
    let path = segment_path(dir, offset, EXTENSION);
    let mut producers: Vec<(i64, i64)> = state.iter().collect();
    producers.sort_unstable();
    let json =
        serde_json::to_vec(&Snapshot { producers }).map_err(|e| io_error(&path)(e.into()))?;
    write_atomically(&path, &json, sync)
}

/// The snapshot for `offset`, or `None` when there is none or it cannot be read.
pub(super) fn load(dir: &Path, offset: i64) -> LogResult<Option<ProducerState>> {
    let path = segment_path(dir, offset, EXTENSION);
    let bytes = match fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error(&path)(e)),
    };
    match serde_json::from_slice::<Snapshot>(&bytes) {
        Ok(snapshot) => {
            let mut state = ProducerState::default();
            for (producer_id, last_sequence) in snapshot.producers {
                state.accept(producer_id, last_sequence);
            }
            Ok(Some(state))
        }
        Err(error) => {
            tracing::warn!(file = %path.display(), %error, "ignoring unreadable producer snapshot");
            Ok(None)
        }
    }
}

/// Removes every snapshot but the one for `keep`.
pub(super) fn remove_others(dir: &Path, keep: i64) -> LogResult<()> {
    for entry in fs::read_dir(dir).map_err(io_error(dir))? {
        let entry = entry.map_err(io_error(dir))?;
        let name = entry.file_name();
        let stale = name
            .to_str()
            .and_then(|n| parse_segment_name(n, EXTENSION))
            .is_some_and(|o| o != keep);
        if stale {
            fs::remove_file(entry.path()).map_err(io_error(&entry.path()))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_cleanup() {
        let dir = tempfile::tempdir().unwrap();
        let mut state = ProducerState::default();
        state.accept(3, 41);
        state.accept(1, 7);
        assert_eq!(load(dir.path(), 10).unwrap(), None);
        write(dir.path(), 10, &state, true).unwrap();
        write(dir.path(), 20, &state, false).unwrap();
        assert_eq!(load(dir.path(), 10).unwrap(), Some(state.clone()));
        remove_others(dir.path(), 20).unwrap();
        assert_eq!(load(dir.path(), 10).unwrap(), None);
        assert_eq!(load(dir.path(), 20).unwrap(), Some(state));
        fs::write(segment_path(dir.path(), 20, EXTENSION), b"{oops").unwrap();
        assert_eq!(load(dir.path(), 20).unwrap(), None);
    }
}
