//! GROUP BY over a stream or a table: the `Aggregate` operator, and the aggregate functions
//! it runs.
//!
//! For each input row, in input order, the operator computes the group key (and, when
//! windowed, the windows the row falls in), folds the row's arguments into that group's
//! accumulators and emits the group's new aggregated row, which `projection` turns into the
//! query's output: one update per input record, as ksqlDB emits with caching off. Argument
//! and key expressions run vectorized over the batch first; only the fold walks rows.
//!
//! ksqlDB's rules kept here: a row whose group key has a null column goes to the processing
//! log and is left out; a null-value record (`$TOMBSTONE`) is skipped; an output record's
//! timestamp is the newest ROWTIME its group has seen.
//!
//! Over a table (ksqlDB's KGroupedTable aggregate), each input row is a change: the row it
//! replaces, which a materialized `TableSource` emits just before it, is taken back out of
//! its group with each function's `undo`, then the new row (unless it is a tombstone) is added
//! to its group. A change within one group is one update; a row that moves emits its old
//! group first, then its new one.
//!
//! Groups live in a `state::KeyedStore` (or `WindowedStore`, `SessionStore`); every change
//! is queued for the changelog as the group's key and its accumulators' state, in JSON (with
//! the window clock, for windowed aggregations), so that a restart rebuilds the same groups
//! and clock (`StateStore::restore`). An input row's changelog records and output rows depend only on
//! the rows before it, never on batch boundaries: re-running input after a crash produces
//! them again with the same sequence numbers, which is what lets the log drop the repeats.
//!
//! Files: `function` (the accumulator trait and resolving a call), one file per function
//! family (`count`, `sum`, `average`, `min_max`, `by_offset`, `collect`, `count_distinct`,
//! `topk`, `histogram`, `standard_deviation`, `correlation`),
//! `window` (time windows, stream time, grace), `session` (session windows), `projection`
//! (SELECT and HAVING).

mod attr;
mod average;
mod by_offset;
mod collect;
mod correlation;
mod count;
mod count_distinct;
pub mod function;
mod histogram;
mod min_max;
pub mod projection;
mod record_cache;
pub mod session;
mod standard_deviation;
mod sum;
mod topk;
pub mod window;

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, BooleanArray, Int32Array, Int64Array, UInt32Array, new_null_array,
};
use datafusion::arrow::compute::take;
use datafusion::arrow::datatypes::{DataType, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::physical_expr::PhysicalExpr;
use datafusion::scalar::ScalarValue;
use serde_json::Value;

use self::function::{Accumulator, AggregateError, AggregateFunction, write_integer};
use self::projection::{AggregatedRows, TableProjection};
use self::record_cache::RecordCache;
use self::session::{SessionWindows, union};
use self::window::{TimeWindows, WindowClock};
use super::project::evaluate_lenient;
use super::record_headers::RECORD_HEADERS;
use super::table_source::PREVIOUS;
use super::{ExecError, ExecResult, Operator, RecordError, RecordErrorKind};
use crate::catalog::types::SqlType;
use crate::format::{json_to_scalar, scalar_to_json};
use crate::log::Record;
use crate::plan::select::{ROWOFFSET, ROWPARTITION, ROWTIME, TOMBSTONE};
use crate::state::keyed::KeyedStore;
use crate::state::session::{Session, SessionStore, split_changelog_key as session_key};
use crate::state::windowed::{WindowedStore, split_changelog_key};
use crate::state::{Expiry, StateError, StateResult, StateStore};

/// Everything the operator runs, as the planner built it.
pub struct AggregateSpec {
    /// The GROUP BY expressions over input rows.
    pub group_by: Vec<Arc<dyn PhysicalExpr>>,
    /// The SQL type of each GROUP BY expression.
    pub key_types: Vec<SqlType>,
    pub functions: Vec<AggregateFunction>,
    /// Each function's per-row arguments over input rows.
    pub arguments: Vec<Vec<Arc<dyn PhysicalExpr>>>,
    pub windows: Option<Windowing>,
    /// Key columns, then one column per function, then WINDOWSTART and WINDOWEND when
    /// windowed: the rows `projection` reads.
    pub aggregated_schema: SchemaRef,
    pub projection: TableProjection,
    pub changelog_topic: String,
    /// The input is a table's changes, from a materialized `TableSource`: a row flagged
    /// `PREVIOUS` is taken back out of its group (`undo`) before the row replacing it is added.
    pub table_input: bool,
    /// ksqlDB's record cache is on: a batch's updates to a group come out as one
    /// (`record_cache`). Session windows always emit every update.
    pub record_cache: bool,
}

/// How a windowed aggregation windows its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Windowing {
    /// TUMBLING and HOPPING.
    Time(TimeWindows),
    Session(SessionWindows),
}

/// A group's key values, shared by the group and every row it outputs.
type GroupKey = Arc<[ScalarValue]>;

/// One group's state.
struct Group {
    key: GroupKey,
    accumulators: Vec<Box<dyn Accumulator>>,
    /// The newest ROWTIME folded in: the timestamp of the group's output records.
    timestamp: i64,
}

impl Group {
    fn results(&self) -> Result<Vec<ScalarValue>, AggregateError> {
        self.accumulators.iter().map(|a| a.result()).collect()
    }
}

/// Where the groups live.
enum Groups {
    Keyed(KeyedStore<Group>),
    Windowed {
        store: WindowedStore<Group>,
        windows: TimeWindows,
        clock: WindowClock,
    },
    Sessions {
        store: SessionStore<Group>,
        windows: SessionWindows,
        /// Only its stream time is used.
        clock: WindowClock,
    },
}

/// GROUP BY over a stream (optionally windowed) or a table.
pub struct Aggregate {
    group_by: Vec<Arc<dyn PhysicalExpr>>,
    key_types: Vec<SqlType>,
    functions: Vec<AggregateFunction>,
    arguments: Vec<Vec<Arc<dyn PhysicalExpr>>>,
    aggregated_schema: SchemaRef,
    projection: TableProjection,
    /// Whether some function can refuse a row: groups are copied before an update then.
    fallible: bool,
    /// See `AggregateSpec::table_input`.
    table_input: bool,
    /// The live state; every change is also queued for the changelog.
    groups: Groups,
    /// The groups this batch updated, when updates are coalesced; `None` emits each update
    /// as its row is folded in.
    cache: Option<RecordCache>,
    /// Records dropped because every window they fall in had closed.
    late_records: u64,
}

/// The aggregated rows one input batch produces, in output order, column by column: a row
/// is a group's key and results as an update left them, with no allocation of its own.
struct OutputRows {
    timestamps: Vec<i64>,
    keys: Vec<GroupKey>,
    /// Every row's results, one per function, row after row.
    results: Vec<ScalarValue>,
    /// The group's results before each row, when HAVING needs them and the group existed.
    previous: Vec<Option<Vec<ScalarValue>>>,
    /// Each row's window start and end, when windowed.
    windows: Vec<(i64, i64)>,
    /// Rows that delete their key (sessions merged into another).
    tombstones: Vec<bool>,
    /// Each row's input row: the record whose update it is, whose headers it carries.
    input_rows: Vec<u32>,
    /// The input row being folded (or whose cached update is emitted).
    current_row: u32,
}

impl OutputRows {
    /// Room for `rows` rows of `functions` results each.
    fn with_capacity(rows: usize, functions: usize) -> Self {
        OutputRows {
            timestamps: Vec::with_capacity(rows),
            keys: Vec::with_capacity(rows),
            results: Vec::with_capacity(rows * functions),
            previous: Vec::with_capacity(rows),
            windows: Vec::with_capacity(rows),
            tombstones: Vec::with_capacity(rows),
            input_rows: Vec::with_capacity(rows),
            current_row: 0,
        }
    }

    fn is_empty(&self) -> bool {
        self.timestamps.is_empty()
    }

    /// Appends `group`'s row as it is now.
    fn push(
        &mut self,
        group: &Group,
        timestamp: i64,
        previous: Option<Vec<ScalarValue>>,
        window: Option<(i64, i64)>,
    ) -> Result<(), AggregateError> {
        for accumulator in &group.accumulators {
            self.results.push(accumulator.result()?);
        }
        self.timestamps.push(timestamp);
        self.keys.push(group.key.clone());
        self.previous.push(previous);
        self.windows.push(window.unwrap_or_default());
        self.tombstones.push(false);
        self.input_rows.push(self.current_row);
        Ok(())
    }

    /// Appends the deletion of `group`'s row (a session merged into another).
    fn push_tombstone(
        &mut self,
        group: &Group,
        timestamp: i64,
        window: (i64, i64),
    ) -> Result<(), AggregateError> {
        self.push(group, timestamp, None, Some(window))?;
        if let Some(last) = self.tombstones.last_mut() {
            *last = true;
        }
        Ok(())
    }
}

impl Aggregate {
    pub fn new(spec: AggregateSpec) -> Self {
        let groups = match spec.windows {
            Some(Windowing::Time(windows)) => Groups::Windowed {
                store: WindowedStore::new(spec.changelog_topic, windows.retention_ms),
                windows,
                clock: WindowClock::default(),
            },
            Some(Windowing::Session(windows)) => Groups::Sessions {
                store: SessionStore::new(spec.changelog_topic, windows.retention_ms),
                windows,
                clock: WindowClock::default(),
            },
            None => Groups::Keyed(KeyedStore::new(spec.changelog_topic)),
        };
        let coalesce = spec.record_cache && !matches!(spec.windows, Some(Windowing::Session(_)));
        Aggregate {
            cache: coalesce.then(RecordCache::default),
            fallible: spec.functions.iter().any(|f| f.fallible),
            table_input: spec.table_input,
            group_by: spec.group_by,
            key_types: spec.key_types,
            functions: spec.functions,
            arguments: spec.arguments,
            aggregated_schema: spec.aggregated_schema,
            projection: spec.projection,
            groups,
            late_records: 0,
        }
    }

    /// Records dropped since start because their windows had closed.
    pub fn late_records(&self) -> u64 {
        self.late_records
    }

    /// Folds input row `row` into its group(s), appending the rows to output and logging the
    /// groups' new states (or noting the groups in the cache).
    fn fold_row(
        &mut self,
        row: usize,
        contribution: Contribution,
        timestamp: i64,
        out: &mut OutputRows,
    ) -> Result<(), AggregateError> {
        let Contribution {
            key,
            key_bytes,
            args,
        } = contribution;
        let args = args.as_slice();
        let folder = Folder {
            functions: &self.functions,
            fallible: self.fallible,
            keep_previous: self.projection.needs_previous(),
        };
        let cache = &mut self.cache;
        match &mut self.groups {
            Groups::Keyed(store) => {
                let change = Change {
                    undo: None,
                    add: Some(args),
                };
                let update = KeyedUpdate {
                    row,
                    key,
                    key_bytes: &key_bytes,
                    change,
                    timestamp,
                };
                folder.change_keyed(store, cache.as_mut(), update, out)?;
            }
            Groups::Windowed {
                store,
                windows,
                clock,
            } => {
                let close = clock.advance(timestamp, windows);
                // EMIT FINAL: the windows that closed since the last row, emitted after this
                // row's updates. The clock is moved first, so that the row's changelog records
                // carry the clock as the row leaves it, whatever batch it came in.
                let closed_since_last_emit = if windows.emit_final {
                    clock.closed_since_last_emit(windows)
                } else {
                    None
                };
                let mut updated = 0;
                let mut closed = 0;
                for start in windows.starts(timestamp) {
                    if windows.end(start) <= close {
                        closed += 1;
                        continue;
                    }
                    let add = Change {
                        undo: None,
                        add: Some(args),
                    };
                    let previous = match store.get_mut(start, &key_bytes) {
                        Some(group) => folder.fold(group, add, timestamp, true)?,
                        None => {
                            let mut group = folder.new_group(key.clone(), timestamp);
                            let previous = folder.fold(&mut group, add, timestamp, false)?;
                            // Cached groups of windows the insert drops come out first.
                            if let Some(cache) = cache.as_mut() {
                                let bound = store.oldest_kept_after(start);
                                for update in cache.flush_windows_before(bound) {
                                    let (start, key_bytes) =
                                        (update.window.unwrap_or(start), &update.key_bytes);
                                    emit_windowed(
                                        store,
                                        windows,
                                        clock,
                                        start,
                                        key_bytes,
                                        update.previous,
                                        out,
                                    )?;
                                }
                            }
                            store.insert(start, key_bytes.clone(), group);
                            previous
                        }
                    };
                    match cache.as_mut() {
                        Some(cache) => cache.update(Some(start), &key_bytes, previous, row),
                        None => {
                            emit_windowed(store, windows, clock, start, &key_bytes, previous, out)?
                        }
                    }
                    updated += 1;
                }
                if updated == 0 && closed > 0 {
                    self.late_records += 1;
                }
                if let Some((lower, upper)) = closed_since_last_emit {
                    for (start, _, group) in store.range(lower, upper) {
                        let window = Some((start, windows.end(start)));
                        out.push(group, group.timestamp, None, window)?;
                    }
                }
            }
            Groups::Sessions {
                store,
                windows,
                clock,
            } => {
                let now = timestamp.max(clock.stream_time.unwrap_or(timestamp));
                clock.stream_time = Some(now);
                let close = windows.close_time(now);
                // EMIT FINAL: the sessions that closed since the last row, before they expire.
                let emitted_upto = clock.last_final_close;
                if windows.emit_final && emitted_upto.is_none_or(|upto| close > upto) {
                    for (_, session, group) in store.ended_between(emitted_upto, close) {
                        let window = Some((session.start, session.end));
                        out.push(group, session.end, None, window)?;
                    }
                    clock.last_final_close = Some(close);
                }
                store.expire(now);
                let (earliest_end, latest_start) = windows.merge_range(timestamp);
                let found = store.find(&key_bytes, earliest_end, latest_start);
                let own = Session {
                    start: timestamp,
                    end: timestamp,
                };
                let merged = found.iter().fold(own, |m, s| union(m, *s));
                if merged.end < close {
                    self.late_records += 1;
                    return Ok(());
                }
                let mut group = folder.new_group(key, timestamp);
                for session in &found {
                    if let Some(old) = store.get(&key_bytes, *session) {
                        folder.merge(&mut group, old)?;
                    }
                }
                let previous = folder.fold(
                    &mut group,
                    Change {
                        undo: None,
                        add: Some(args),
                    },
                    timestamp,
                    !found.is_empty(),
                )?;
                // ksqlDB: each merged session is deleted, at its own end, before the merged
                // session is written.
                for session in found {
                    if let Some(old) = store.remove(&key_bytes, session, session.end)
                        && !windows.emit_final
                    {
                        out.push_tombstone(&old, session.end, (session.start, session.end))?;
                    }
                }
                let encoded = encode_group(&group, Some(clock))?;
                store.log(&key_bytes, merged, encoded, merged.end);
                // EMIT FINAL emits this row's session only if it closes with the row.
                if !windows.emit_final || merged.end <= close {
                    let window = Some((merged.start, merged.end));
                    out.push(&group, merged.end, previous, window)?;
                }
                store.insert(key_bytes, merged, group);
            }
        }
        Ok(())
    }

    /// Table input: takes a replaced row's contribution out of its group and adds the new
    /// row's to its group, appending the rows to output and logging the groups' new states.
    ///
    /// ksqlDB: a row that stays in its group updates it once (one output row); a row that
    /// moves emits its old group without it, then its new group with it.
    fn fold_change(
        &mut self,
        row: usize,
        replaced: Option<Contribution>,
        new: Option<Contribution>,
        timestamp: i64,
        out: &mut OutputRows,
    ) -> Result<(), AggregateError> {
        let folder = Folder {
            functions: &self.functions,
            fallible: self.fallible,
            keep_previous: self.projection.needs_previous(),
        };
        let cache = &mut self.cache;
        let Groups::Keyed(store) = &mut self.groups else {
            return Err(AggregateError::Internal(
                "a table aggregation cannot be windowed".into(),
            ));
        };
        match (replaced, new) {
            (Some(old), Some(new)) if old.key_bytes == new.key_bytes => {
                let change = Change {
                    undo: Some(&old.args),
                    add: Some(&new.args),
                };
                folder.change_keyed(
                    store,
                    cache.as_mut(),
                    KeyedUpdate::of(row, &new, change, timestamp),
                    out,
                )?;
            }
            (old, new) => {
                if let Some(old) = old {
                    let change = Change {
                        undo: Some(&old.args),
                        add: None,
                    };
                    folder.change_keyed(
                        store,
                        cache.as_mut(),
                        KeyedUpdate::of(row, &old, change, timestamp),
                        out,
                    )?;
                }
                if let Some(new) = new {
                    let change = Change {
                        undo: None,
                        add: Some(&new.args),
                    };
                    folder.change_keyed(
                        store,
                        cache.as_mut(),
                        KeyedUpdate::of(row, &new, change, timestamp),
                        out,
                    )?;
                }
            }
        }
        Ok(())
    }

    /// The aggregated rows (and previous rows, for HAVING) as batches; `input_headers` is
    /// the input batch's headers column, when it has one.
    fn aggregated_rows(
        &self,
        rows: OutputRows,
        input_headers: Option<&ArrayRef>,
    ) -> ExecResult<AggregatedRows> {
        let keys = self.key_types.len();
        let functions = self.functions.len();
        let build = |previous: bool| -> ExecResult<RecordBatch> {
            let fields = self.aggregated_schema.fields();
            let mut arrays: Vec<ArrayRef> = Vec::with_capacity(fields.len());
            for (i, field) in fields.iter().enumerate() {
                if i >= keys + functions {
                    // WINDOWSTART, then WINDOWEND.
                    let bound = |&(start, end): &(i64, i64)| {
                        if i == keys + functions { start } else { end }
                    };
                    let bounds = rows.windows.iter().map(bound);
                    arrays.push(Arc::new(Int64Array::from_iter_values(bounds)));
                    continue;
                }
                let data_type = field.data_type();
                arrays.push(if i < keys {
                    column_array(rows.keys.iter().map(|key| &key[i]), data_type)?
                } else if previous {
                    let null = ScalarValue::try_new_null(data_type)?;
                    let before = |p: &Option<Vec<ScalarValue>>| match p {
                        Some(results) => results[i - keys].clone(),
                        None => null.clone(),
                    };
                    let column: Vec<ScalarValue> = rows.previous.iter().map(before).collect();
                    column_array(column.iter(), data_type)?
                } else {
                    let results = rows.results.iter().skip(i - keys).step_by(functions);
                    column_array(results, data_type)?
                });
            }
            Ok(RecordBatch::try_new(
                self.aggregated_schema.clone(),
                arrays,
            )?)
        };
        let previous = if self.projection.needs_previous() {
            let had: BooleanArray = rows.previous.iter().map(|p| Some(p.is_some())).collect();
            Some((build(true)?, had))
        } else {
            None
        };
        let rows_batch = build(false)?;
        Ok(AggregatedRows {
            rows: rows_batch,
            previous,
            tombstones: BooleanArray::from(rows.tombstones),
            windows: match self.groups {
                Groups::Keyed(_) => None,
                Groups::Windowed { .. } | Groups::Sessions { .. } => {
                    Some(rows.windows.into_iter().unzip())
                }
            },
            timestamps: Int64Array::from(rows.timestamps),
            headers: match input_headers {
                Some(headers) => Some(take(headers, &UInt32Array::from(rows.input_rows), None)?),
                None => None,
            },
        })
    }

    /// A group read back from the changelog (`key` is its key bytes), with the clock its
    /// record carries.
    fn decode_group(
        &self,
        key: &[u8],
        value: &[u8],
    ) -> Result<(Group, Option<WindowClock>), String> {
        let key_json: Vec<Value> = serde_json::from_slice(key).map_err(|e| e.to_string())?;
        if key_json.len() != self.key_types.len() {
            return Err(format!("key {key_json:?} does not fit the GROUP BY"));
        }
        let key = key_json
            .iter()
            .zip(&self.key_types)
            .map(|(json, ty)| json_to_scalar(json, ty).map_err(|e| e.to_string()))
            .collect::<Result<GroupKey, _>>()?;
        let state: Value = serde_json::from_slice(value).map_err(|e| e.to_string())?;
        let timestamp = state["t"].as_i64().ok_or("no timestamp")?;
        let states = state["a"].as_array().ok_or("no aggregates")?;
        if states.len() != self.functions.len() {
            return Err(format!(
                "{} aggregates for {} functions",
                states.len(),
                self.functions.len()
            ));
        }
        let mut accumulators = Vec::with_capacity(states.len());
        for (function, state) in self.functions.iter().zip(states) {
            let mut accumulator = function.accumulator();
            accumulator.restore(state).map_err(|e| e.to_string())?;
            accumulators.push(accumulator);
        }
        let clock = match state.get("clock") {
            Some(clock) => Some(serde_json::from_value(clock.clone()).map_err(|e| e.to_string())?),
            None => None,
        };
        let group = Group {
            key,
            accumulators,
            timestamp,
        };
        Ok((group, clock))
    }
}

/// What one input row does to a group: each function's arguments to take out, then to add.
#[derive(Clone, Copy)]
struct Change<'a> {
    undo: Option<&'a [Vec<ScalarValue>]>,
    add: Option<&'a [Vec<ScalarValue>]>,
}

/// One row's change to a group of a keyed store.
struct KeyedUpdate<'a> {
    /// The input row.
    row: usize,
    key: GroupKey,
    key_bytes: &'a [u8],
    change: Change<'a>,
    timestamp: i64,
}

impl<'a> KeyedUpdate<'a> {
    fn of(row: usize, to: &'a Contribution, change: Change<'a>, timestamp: i64) -> Self {
        KeyedUpdate {
            row,
            key: to.key.clone(),
            key_bytes: &to.key_bytes,
            change,
            timestamp,
        }
    }
}

/// A row's part in an aggregation: its group and its arguments.
struct Contribution {
    key: GroupKey,
    key_bytes: Vec<u8>,
    args: Vec<Vec<ScalarValue>>,
}

/// Folding rows into groups.
struct Folder<'a> {
    functions: &'a [AggregateFunction],
    fallible: bool,
    keep_previous: bool,
}

impl Folder<'_> {
    fn new_group(&self, key: GroupKey, timestamp: i64) -> Group {
        Group {
            key,
            accumulators: self.functions.iter().map(|f| f.accumulator()).collect(),
            timestamp,
        }
    }

    /// Applies an update to its group in a keyed store, creating the group if needed, then
    /// emits the group (or notes it in the cache).
    fn change_keyed(
        &self,
        store: &mut KeyedStore<Group>,
        cache: Option<&mut RecordCache>,
        update: KeyedUpdate<'_>,
        out: &mut OutputRows,
    ) -> Result<(), AggregateError> {
        let KeyedUpdate {
            row,
            key,
            key_bytes,
            change,
            timestamp,
        } = update;
        let previous = match store.get_mut(key_bytes) {
            Some(group) => self.fold(group, change, timestamp, true)?,
            None => {
                let mut group = self.new_group(key, timestamp);
                let previous = self.fold(&mut group, change, timestamp, false)?;
                store.insert(key_bytes.to_vec(), group);
                previous
            }
        };
        match cache {
            Some(cache) => cache.update(None, key_bytes, previous, row),
            None => emit_keyed(store, key_bytes, previous, out)?,
        }
        Ok(())
    }

    /// Merges `other`'s aggregates into `group` (a session joining another).
    fn merge(&self, group: &mut Group, other: &Group) -> Result<(), AggregateError> {
        for (mine, theirs) in group.accumulators.iter_mut().zip(&other.accumulators) {
            mine.merge(&theirs.state()?)?;
        }
        group.timestamp = group.timestamp.max(other.timestamp);
        Ok(())
    }

    /// Applies a row's change to `group` (`existed`: it had rows before); returns the group's
    /// results before it, when HAVING needs them and the group existed. On error the group
    /// is left as it was.
    fn fold(
        &self,
        group: &mut Group,
        change: Change<'_>,
        timestamp: i64,
        existed: bool,
    ) -> Result<Option<Vec<ScalarValue>>, AggregateError> {
        let previous = if self.keep_previous && existed {
            Some(group.results()?)
        } else {
            None
        };
        let backup: Option<Vec<_>> = self
            .fallible
            .then(|| group.accumulators.iter().map(|a| a.clone_box()).collect());
        for (i, accumulator) in group.accumulators.iter_mut().enumerate() {
            let mut result = Ok(());
            if let Some(undo) = change.undo {
                result = accumulator.undo(&undo[i]);
            }
            if let (Ok(()), Some(add)) = (&result, change.add) {
                result = accumulator.update(&add[i]);
            }
            if let Err(e) = result {
                if let Some(backup) = backup {
                    group.accumulators = backup;
                }
                return Err(e);
            }
        }
        group.timestamp = group.timestamp.max(timestamp);
        Ok(previous)
    }
}

/// Emits a keyed group as it stands: its row to output (`previous`: its results before the
/// update, for HAVING), its state to the changelog.
fn emit_keyed(
    store: &mut KeyedStore<Group>,
    key_bytes: &[u8],
    previous: Option<Vec<ScalarValue>>,
    out: &mut OutputRows,
) -> Result<(), AggregateError> {
    let Some(group) = store.get_mut(key_bytes) else {
        return Ok(());
    };
    out.push(group, group.timestamp, previous, None)?;
    let (encoded, time) = (encode_group(group, None)?, group.timestamp);
    store.log(key_bytes, encoded, time);
    Ok(())
}

/// Emits a windowed group as it stands, as `emit_keyed` does; under EMIT FINAL only its
/// state, since its row comes out when the window closes. A group already expired is gone.
fn emit_windowed(
    store: &mut WindowedStore<Group>,
    windows: &TimeWindows,
    clock: &WindowClock,
    start: i64,
    key_bytes: &[u8],
    previous: Option<Vec<ScalarValue>>,
    out: &mut OutputRows,
) -> Result<(), AggregateError> {
    let Some(group) = store.get_mut(start, key_bytes) else {
        return Ok(());
    };
    if !windows.emit_final {
        let window = Some((start, windows.end(start)));
        out.push(group, group.timestamp, previous, window)?;
    }
    let (encoded, time) = (encode_group(group, Some(clock))?, group.timestamp);
    store.log(start, key_bytes, encoded, time);
    Ok(())
}

/// A group's changelog state: its timestamp, its accumulators' states and, for windowed
/// aggregations, the clock as the row that changed the group left it.
///
/// JSON, `{"t":…,"a":[…],"clock":{…}}`, written straight to bytes: one is written per update.
fn encode_group(group: &Group, clock: Option<&WindowClock>) -> Result<Vec<u8>, AggregateError> {
    let mut out = Vec::with_capacity(128);
    out.extend_from_slice(b"{\"t\":");
    write_integer(&mut out, group.timestamp);
    out.extend_from_slice(b",\"a\":[");
    for (i, accumulator) in group.accumulators.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        accumulator.write_state(&mut out)?;
    }
    out.push(b']');
    if let Some(clock) = clock {
        out.extend_from_slice(b",\"clock\":");
        clock.write_json(&mut out);
    }
    out.push(b'}');
    Ok(out)
}

impl Operator for Aggregate {
    fn on_batch(
        &mut self,
        batch: RecordBatch,
        errors: &mut Vec<RecordError>,
    ) -> ExecResult<Option<RecordBatch>> {
        let rowtimes = int64_column(&batch, ROWTIME)?;
        let tombstones = batch
            .column_by_name(TOMBSTONE)
            .and_then(|a| a.as_any().downcast_ref::<BooleanArray>().cloned());
        let keys = self
            .group_by
            .iter()
            .map(|e| evaluate_lenient(e, &batch, errors))
            .collect::<ExecResult<Vec<_>>>()?;
        let arguments = self
            .arguments
            .iter()
            .map(|args| {
                args.iter()
                    .map(|e| evaluate_lenient(e, &batch, errors))
                    .collect::<ExecResult<Vec<_>>>()
            })
            .collect::<ExecResult<Vec<_>>>()?;
        let previous = if self.table_input {
            Some(
                batch
                    .column_by_name(PREVIOUS)
                    .and_then(|a| a.as_any().downcast_ref::<BooleanArray>().cloned())
                    .ok_or_else(|| ExecError::Internal("table changes without PREVIOUS".into()))?,
            )
        } else {
            None
        };
        let late_before = self.late_records;
        let mut out = OutputRows::with_capacity(batch.num_rows(), self.functions.len());
        let mut replaced: Option<Contribution> = None;
        for row in 0..batch.num_rows() {
            out.current_row = row as u32;
            let is_previous = previous.as_ref().is_some_and(|p| p.value(row));
            let contribution = if tombstones.as_ref().is_some_and(|t| t.value(row)) {
                None
            } else {
                // A replaced row's problems were reported when it was added.
                let report = if is_previous {
                    &mut Vec::new()
                } else {
                    &mut *errors
                };
                contribution(&batch, row, &keys, &arguments, &self.key_types, report)?
            };
            if is_previous {
                replaced = contribution;
                continue;
            }
            let result = match (self.table_input, contribution) {
                (false, Some(c)) => self.fold_row(row, c, rowtimes.value(row), &mut out),
                (false, None) => continue,
                (true, new) => {
                    self.fold_change(row, replaced.take(), new, rowtimes.value(row), &mut out)
                }
            };
            match result {
                Ok(()) => {}
                Err(AggregateError::Internal(e)) => return Err(ExecError::Internal(e)),
                Err(e) => errors.push(row_error(&batch, row, e.to_string())),
            }
        }
        if self.late_records > late_before {
            tracing::debug!(
                dropped = self.late_records - late_before,
                total = self.late_records,
                "records dropped: their windows had closed"
            );
        }
        let cached = self.cache.as_mut().map(RecordCache::flush);
        for update in cached.into_iter().flatten() {
            out.current_row = update.row as u32;
            let emitted = match (&mut self.groups, update.window) {
                (Groups::Keyed(store), None) => {
                    emit_keyed(store, &update.key_bytes, update.previous, &mut out)
                }
                (
                    Groups::Windowed {
                        store,
                        windows,
                        clock,
                    },
                    Some(start),
                ) => emit_windowed(
                    store,
                    windows,
                    clock,
                    start,
                    &update.key_bytes,
                    update.previous,
                    &mut out,
                ),
                _ => Err(AggregateError::Internal(
                    "the record cache holds a group of another kind".into(),
                )),
            };
            match emitted {
                Ok(()) => {}
                Err(AggregateError::Internal(e)) => return Err(ExecError::Internal(e)),
                Err(e) => errors.push(row_error(&batch, update.row, e.to_string())),
            }
        }
        if out.is_empty() {
            return Ok(None);
        }
        let aggregated = self.aggregated_rows(out, batch.column_by_name(RECORD_HEADERS))?;
        self.projection.apply(aggregated, errors)
    }

    fn state(&mut self) -> Option<&mut dyn StateStore> {
        Some(self)
    }

    fn depends_on_batch_bounds(&self) -> bool {
        self.cache.is_some()
    }
}

impl StateStore for Aggregate {
    fn changelog_topic(&self) -> &str {
        match &self.groups {
            Groups::Keyed(store) => store.changelog_topic(),
            Groups::Windowed { store, .. } => store.changelog_topic(),
            Groups::Sessions { store, .. } => store.changelog_topic(),
        }
    }

    fn expiry(&self) -> Expiry {
        match &self.groups {
            Groups::Keyed(_) => Expiry::Never,
            Groups::Windowed { store, .. } => store.expiry(),
            Groups::Sessions { store, .. } => store.expiry(),
        }
    }

    fn take_changes(&mut self) -> Vec<Record> {
        match &mut self.groups {
            Groups::Keyed(store) => store.changelog().take(),
            Groups::Windowed { store, .. } => store.changelog().take(),
            Groups::Sessions { store, .. } => store.changelog().take(),
        }
    }

    fn restore(&mut self, record: &Record) -> StateResult<()> {
        let topic = self.changelog_topic().to_string();
        let corrupt = |reason: String| StateError::Corrupt {
            topic: topic.clone(),
            reason,
        };
        let key = record
            .key
            .as_deref()
            .ok_or_else(|| corrupt("a record has no key".into()))?;
        let Some(value) = &record.value else {
            match &mut self.groups {
                Groups::Keyed(store) => store.restore(key.to_vec(), None),
                Groups::Sessions { store, .. } => store.restore(key, None).map_err(&corrupt)?,
                Groups::Windowed { .. } => {}
            }
            return Ok(());
        };
        match &self.groups {
            Groups::Keyed(_) => {
                let (group, _) = self.decode_group(key, value).map_err(&corrupt)?;
                if let Groups::Keyed(store) = &mut self.groups {
                    store.restore(key.to_vec(), Some(group));
                }
            }
            Groups::Windowed { .. } => {
                let (inner, _) = split_changelog_key(key)
                    .ok_or_else(|| corrupt("a windowed key is too short".into()))?;
                let (group, restored_clock) = self.decode_group(inner, value).map_err(&corrupt)?;
                if let Groups::Windowed { store, clock, .. } = &mut self.groups {
                    store.restore(key, group).map_err(&corrupt)?;
                    // The last record holds the latest clock.
                    if let Some(restored) = restored_clock {
                        *clock = restored;
                    }
                }
            }
            Groups::Sessions { .. } => {
                let (inner, _) =
                    session_key(key).ok_or_else(|| corrupt("a session key is too short".into()))?;
                let (group, restored_clock) = self.decode_group(inner, value).map_err(&corrupt)?;
                if let Groups::Sessions { store, clock, .. } = &mut self.groups {
                    store.restore(key, Some(group)).map_err(&corrupt)?;
                    if let Some(restored) = restored_clock {
                        *clock = restored;
                    }
                }
            }
        }
        Ok(())
    }
}

/// A row's group key and arguments; `None` (and a processing error) when its group key has a
/// null column or cannot be encoded.
fn contribution(
    batch: &RecordBatch,
    row: usize,
    keys: &[ArrayRef],
    arguments: &[Vec<ArrayRef>],
    key_types: &[SqlType],
    errors: &mut Vec<RecordError>,
) -> ExecResult<Option<Contribution>> {
    let key = row_values(keys, row)?;
    if let Some(index) = key.iter().position(ScalarValue::is_null) {
        errors.push(row_error(
            batch,
            row,
            format!(
                "Group-by column with index {index} resolved to null. The source row will be excluded from the table."
            ),
        ));
        return Ok(None);
    }
    let key_bytes = match encode_key(&key, key_types) {
        Ok(bytes) => bytes,
        Err(e) => {
            errors.push(row_error(batch, row, e));
            return Ok(None);
        }
    };
    let args = arguments
        .iter()
        .map(|a| row_values(a, row))
        .collect::<ExecResult<Vec<_>>>()?;
    Ok(Some(Contribution {
        key: key.into(),
        key_bytes,
        args,
    }))
}

/// Key bytes of a group: its key values as a JSON array, stable across versions.
///
/// Integers, strings and booleans are written straight to the bytes (one key per input
/// row); other values go through their JSON `Value`, which writes the same text.
fn encode_key(key: &[ScalarValue], types: &[SqlType]) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(16);
    out.push(b'[');
    for (i, (value, ty)) in key.iter().zip(types).enumerate() {
        if i > 0 {
            out.push(b',');
        }
        match (value, ty) {
            (ScalarValue::Int32(Some(v)), SqlType::Int) => write_integer(&mut out, *v),
            (ScalarValue::Int64(Some(v)), SqlType::Bigint) => write_integer(&mut out, *v),
            (ScalarValue::Boolean(Some(v)), SqlType::Boolean) => {
                out.extend_from_slice(if *v { b"true" } else { b"false" })
            }
            (ScalarValue::Utf8(Some(v)), SqlType::String) => {
                serde_json::to_writer(&mut out, v).map_err(|e| e.to_string())?
            }
            (value, ty) => {
                let json = scalar_to_json(value, ty).map_err(|e| e.to_string())?;
                serde_json::to_writer(&mut out, &json).map_err(|e| e.to_string())?
            }
        }
    }
    out.push(b']');
    Ok(out)
}

/// A column of aggregated values as an array of `data_type`. BIGINT columns (counts, sums,
/// BIGINT keys) are built directly; the others through `ScalarValue::iter_to_array`.
fn column_array<'a>(
    values: impl Iterator<Item = &'a ScalarValue> + Clone,
    data_type: &DataType,
) -> ExecResult<ArrayRef> {
    if *data_type == DataType::Int64 {
        let int64 = |value: &ScalarValue| match value {
            ScalarValue::Int64(v) => Some(*v),
            _ => None,
        };
        if let Some(values) = values.clone().map(int64).collect::<Option<Vec<_>>>() {
            return Ok(Arc::new(Int64Array::from(values)));
        }
    }
    let column: Vec<ScalarValue> = values.cloned().collect();
    let mut array = if column.is_empty() {
        new_null_array(data_type, 0)
    } else {
        ScalarValue::iter_to_array(column)?
    };
    if array.data_type() != data_type {
        array = datafusion::arrow::compute::cast(&array, data_type)?;
    }
    Ok(array)
}

fn row_values(arrays: &[ArrayRef], row: usize) -> ExecResult<Vec<ScalarValue>> {
    arrays
        .iter()
        .map(|a| ScalarValue::try_from_array(a, row).map_err(ExecError::from))
        .collect()
}

fn int64_column<'a>(batch: &'a RecordBatch, name: &str) -> ExecResult<&'a Int64Array> {
    batch
        .column_by_name(name)
        .and_then(|a| a.as_any().downcast_ref::<Int64Array>())
        .ok_or_else(|| ExecError::Internal(format!("aggregation input has no {name}")))
}

/// A processing error for one input row, located by its pseudo columns.
fn row_error(batch: &RecordBatch, row: usize, message: String) -> RecordError {
    let partition = batch
        .column_by_name(ROWPARTITION)
        .and_then(|a| {
            a.as_any()
                .downcast_ref::<Int32Array>()
                .map(|a| a.value(row))
        })
        .unwrap_or_default();
    let offset = batch
        .column_by_name(ROWOFFSET)
        .and_then(|a| {
            a.as_any()
                .downcast_ref::<Int64Array>()
                .map(|a| a.value(row))
        })
        .unwrap_or(-1);
    RecordError {
        kind: RecordErrorKind::RecordProcessing,
        topic: String::new(),
        partition: u32::try_from(partition).unwrap_or_default(),
        offset,
        message,
        record: None,
    }
}

#[cfg(test)]
mod tests;
