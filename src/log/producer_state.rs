//! Idempotent-producer bookkeeping shared by the log backends: the last sequence number
//! accepted per producer in one partition, and how many records of a new append repeat it.
//!
//! Finding *where* a repeated record was stored is each backend's job, as is rebuilding this
//! state after a restart.

use std::collections::HashMap;

use super::ProducerSequence;

/// The last sequence accepted per producer id, for one partition.
///
/// Sequences are kept as i64 so that `first_sequence + count - 1` cannot overflow. A
/// negative producer id means "no producer" (Kafka's -1) and is never deduplicated.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct ProducerState {
    last_sequence: HashMap<i64, i64>,
}

impl ProducerState {
    /// How many leading records of an append of `count` records, the first with
    /// `producer.first_sequence`, the partition has accepted before.
    pub(crate) fn duplicates(&self, producer: ProducerSequence, count: usize) -> usize {
        if producer.producer_id < 0 {
            return 0;
        }
        let Some(&last) = self.last_sequence.get(&producer.producer_id) else {
            return 0;
        };
        let repeated = last - i64::from(producer.first_sequence) + 1;
        usize::try_from(repeated).map_or(0, |n| n.min(count))
    }

    /// Notes that `producer_id`'s records up to `last_sequence` are stored.
    pub(crate) fn accept(&mut self, producer_id: i64, last_sequence: i64) {
        if producer_id >= 0 {
            self.last_sequence.insert(producer_id, last_sequence);
        }
    }

    /// Every producer with its last accepted sequence.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (i64, i64)> + '_ {
        self.last_sequence.iter().map(|(&id, &seq)| (id, seq))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seq(producer_id: i64, first_sequence: i32) -> ProducerSequence {
        ProducerSequence {
            producer_id,
            first_sequence,
        }
    }

    #[test]
    fn counts_repeated_prefix() {
        let mut state = ProducerState::default();
        assert_eq!(state.duplicates(seq(1, 0), 3), 0);
        state.accept(1, 2); // sequences 0..=2 stored
        assert_eq!(state.duplicates(seq(1, 0), 3), 3, "exact retry");
        assert_eq!(state.duplicates(seq(1, 1), 1), 1, "older part of a batch");
        assert_eq!(state.duplicates(seq(1, 1), 4), 2, "overlap: 1 and 2 repeat");
        assert_eq!(state.duplicates(seq(1, 3), 2), 0, "next in line");
        assert_eq!(state.duplicates(seq(1, 9), 2), 0, "gap is accepted");
        assert_eq!(state.duplicates(seq(2, 0), 2), 0, "other producer");
    }

    #[test]
    fn ignores_missing_producer_id() {
        let mut state = ProducerState::default();
        state.accept(-1, 5);
        assert_eq!(state.duplicates(seq(-1, 0), 3), 0);
        assert_eq!(state.iter().count(), 0);
    }
}
