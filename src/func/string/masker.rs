//! The masking shared by MASK, MASK_LEFT, MASK_RIGHT, MASK_KEEP_LEFT and
//! MASK_KEEP_RIGHT (ksqlDB `Masker`): upper-case letters become `X`, lower-case `x`,
//! digits `n`, anything else `-`.
//!
//! ksqlDB: with the four-mask overloads, a NULL mask leaves that class of characters as
//! it is, and a mask of more or fewer than one character is an error; a negative count
//! is an error too (both NULL plus a processing-log entry). A NULL input gives NULL.

use std::ops::Range;
use std::sync::Arc;

use datafusion::arrow::array::{Array, StringArray};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::cast::{as_int32_array, as_string_array};
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use crate::func::signature::{Overloads, Param};

/// Replacement characters per class; `None` keeps characters of that class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Masker {
    upper: Option<char>,
    lower: Option<char>,
    digit: Option<char>,
    other: Option<char>,
}

impl Default for Masker {
    fn default() -> Self {
        Masker {
            upper: Some('X'),
            lower: Some('x'),
            digit: Some('n'),
            other: Some('-'),
        }
    }
}

impl Masker {
    /// `text` with every character masked.
    pub fn mask(&self, text: &str) -> String {
        text.chars().map(|c| self.mask_char(c)).collect()
    }

    // ksqlDB classes by Java's general category (Lu, Ll, Nd); Rust's properties are the
    // nearest (`is_numeric` also takes the few other numeric characters, like `½`).
    fn mask_char(&self, c: char) -> char {
        let mask = if c.is_uppercase() && c.is_alphabetic() {
            self.upper
        } else if c.is_lowercase() && c.is_alphabetic() {
            self.lower
        } else if c.is_numeric() {
            self.digit
        } else {
            self.other
        };
        mask.unwrap_or(c)
    }
}

/// ksqlDB's `getMaskCharacter`: NULL keeps the class, otherwise exactly one character.
fn mask_character(mask: Option<&str>) -> Result<Option<char>> {
    let Some(mask) = mask else { return Ok(None) };
    let mut chars = mask.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Ok(Some(c)),
        _ => exec_err!("Invalid mask character. Must be only single character, but was '{mask}'"),
    }
}

/// Which characters of a text `len` characters long a mask function masks, given its
/// count argument (`None` for MASK, which has none).
pub type Region = fn(len: usize, count: usize) -> Range<usize>;

/// One of the mask functions: its name, whether it takes a count, and its region.
#[derive(Debug)]
pub struct MaskUdf {
    name: &'static str,
    counted: bool,
    region: Region,
    signature: Signature,
    overloads: Overloads,
}

// A mask function is known by its name (function pointers have no meaningful equality).
impl PartialEq for MaskUdf {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for MaskUdf {}

impl std::hash::Hash for MaskUdf {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.name.hash(state);
    }
}

impl MaskUdf {
    /// A mask function; `counted` ones take `(input, n[, upper, lower, digit, other])`,
    /// the others `(input[, upper, lower, digit, other])`.
    pub fn new(name: &'static str, counted: bool, region: Region) -> Self {
        let mut short = vec![Param::String];
        if counted {
            short.push(Param::Int);
        }
        let mut long = short.clone();
        long.extend([Param::String, Param::String, Param::String, Param::String]);
        MaskUdf {
            name,
            counted,
            region,
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new(name, vec![short, long]),
        }
    }
}

impl ScalarUDFImpl for MaskUdf {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        self.overloads.coerce(arg_types)
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        self.overloads.resolve(arg_types)?;
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let input = as_string_array(&arrays[0])?;
        let count = if self.counted {
            Some(as_int32_array(&arrays[1])?)
        } else {
            None
        };
        let first_mask = if self.counted { 2 } else { 1 };
        let masks = arrays[first_mask.min(arrays.len())..]
            .iter()
            .map(|a| as_string_array(a))
            .collect::<Result<Vec<_>>>()?;
        let out = (0..args.number_rows)
            .map(|row| {
                let masker = if masks.is_empty() {
                    Masker::default()
                } else {
                    let m = |i: usize| {
                        let column = masks[i];
                        mask_character(column.is_valid(row).then(|| column.value(row)))
                    };
                    Masker {
                        upper: m(0)?,
                        lower: m(1)?,
                        digit: m(2)?,
                        other: m(3)?,
                    }
                };
                let count = match count {
                    None => 0,
                    Some(c) if c.is_valid(row) => c.value(row),
                    Some(_) => return exec_err!("function {} requires a count", self.name),
                };
                let Ok(count) = usize::try_from(count) else {
                    return exec_err!(
                        "function {} requires a non-negative number of characters to mask or skip",
                        self.name
                    );
                };
                if input.is_null(row) {
                    return Ok(None);
                }
                Ok(Some(mask_region(
                    &masker,
                    input.value(row),
                    count,
                    self.region,
                )))
            })
            .collect::<Result<StringArray>>()?;
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

/// `text` with the characters in `region(len, count)` masked.
pub fn mask_region(masker: &Masker, text: &str, count: usize, region: Region) -> String {
    let chars: Vec<char> = text.chars().collect();
    let masked = region(chars.len(), count);
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if masked.contains(&i) {
                masker.mask_char(*c)
            } else {
                *c
            }
        })
        .collect()
}

/// A ready-to-register mask function.
pub fn mask_udf(name: &'static str, counted: bool, region: Region) -> Arc<dyn ScalarUDFImpl> {
    Arc::new(MaskUdf::new(name, counted, region))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_classes() {
        assert_eq!(Masker::default().mask("AbCd#$123xy Z"), "XxXx--nnnxx-X");
    }

    #[test]
    fn custom_masks_and_null_keeps() {
        let m = Masker {
            upper: Some('U'),
            lower: None,
            digit: Some('#'),
            other: None,
        };
        assert_eq!(m.mask("Ab1-"), "Ub#-");
        assert!(mask_character(Some("ab")).is_err());
        assert_eq!(mask_character(None).unwrap(), None);
    }
}
