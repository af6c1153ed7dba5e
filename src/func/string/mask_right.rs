//! MASK_RIGHT(input STRING, n INT[, upper, lower, digit, other STRING])
//! → STRING: the last `n` characters masked (ksqlDB `MaskRight`).
//!
//! Masking rules and errors are `masker`'s.

use std::ops::Range;
use std::sync::Arc;

use datafusion::logical_expr::ScalarUDFImpl;

use super::masker::mask_udf;

/// The function, ready to register.
pub(crate) fn udf() -> Arc<dyn ScalarUDFImpl> {
    mask_udf("mask_right", true, region)
}

/// The characters masked in a text `len` characters long.
fn region(len: usize, count: usize) -> Range<usize> {
    len.saturating_sub(count)..len
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::func::string::masker::{Masker, mask_region};

    #[test]
    fn masked_region() {
        let r = region;
        assert_eq!(r(5, 2), 3..5);
        assert_eq!(r(2, 5), 0..2);
    }

    #[test]
    fn masks_text() {
        let masked = mask_region(&Masker::default(), "Ab-1x", 2, region);
        assert_eq!(masked.chars().count(), 5);
    }
}
