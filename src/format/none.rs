//! The NONE format: no columns, and the bytes (if any) are ignored — ksqlDB's key format for
//! keyless streams.

use datafusion::scalar::ScalarValue;

use super::{FormatError, FormatResult, column_list};
use crate::catalog::schema::Column;

/// Whatever the payload, a row with no columns (ksqlDB's lax void deserializer).
pub(super) fn decode() -> Vec<ScalarValue> {
    Vec::new()
}

/// Always no bytes.
pub(super) fn encode() -> Option<Vec<u8>> {
    None
}

/// ksqlDB: NONE only carries an empty set of columns.
pub(super) fn validate(columns: &[Column]) -> FormatResult<()> {
    if columns.is_empty() {
        Ok(())
    } else {
        Err(FormatError::NoneWithColumns {
            got: column_list(columns),
        })
    }
}
