//! REGEXP_REPLACE(text STRING, regexp STRING, replacement STRING) → STRING: every match
//! replaced (ksqlDB `RegexpReplace`, Java's `String.replaceAll`).
//!
//! Unlike DataFusion's `regexp_replace` (first match only without the `g` flag, `\1`
//! references), ksqlDB replaces all matches and reads the replacement in Java's syntax
//! (`$1`, `${name}`, `\$`). NULL if any argument is NULL; a bad pattern or replacement is
//! an error (NULL plus a processing-log entry).

use std::sync::Arc;

use datafusion::arrow::array::{Array, StringArray};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::common::cast::as_string_array;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};
use regex::Regex;

use super::java_pattern::{PatternCache, expand_replacement};
use crate::func::signature::{Overloads, Param};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct RegexpReplace {
    signature: Signature,
    overloads: Overloads,
}

impl RegexpReplace {
    pub(crate) fn new() -> Self {
        RegexpReplace {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new("regexp_replace", vec![vec![Param::String; 3]]),
        }
    }
}

impl ScalarUDFImpl for RegexpReplace {
    fn name(&self) -> &str {
        "regexp_replace"
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
        let columns = arrays
            .iter()
            .map(|a| as_string_array(a))
            .collect::<Result<Vec<_>>>()?;
        let mut patterns = PatternCache::default();
        let out = (0..args.number_rows)
            .map(|row| {
                if columns.iter().any(|c| c.is_null(row)) {
                    return Ok(None);
                }
                let [text, pattern, replacement] = [0, 1, 2].map(|i| columns[i].value(row));
                replace_all(text, patterns.get(pattern)?, replacement).map(Some)
            })
            .collect::<Result<StringArray>>()?;
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

fn replace_all(text: &str, regex: &Regex, replacement: &str) -> Result<String> {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for caps in regex.captures_iter(text) {
        let Some(m) = caps.get(0) else { continue };
        out.push_str(&text[last..m.start()]);
        expand_replacement(regex, &caps, replacement, &mut out)?;
        last = m.end();
    }
    out.push_str(&text[last..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_every_match() {
        // ksqlDB: replace.json "regexp_replace".
        let ab = Regex::new("(ab)+").unwrap();
        assert_eq!(replace_all("baababaa", &ab, "cat").unwrap(), "bacataa");
        assert_eq!(replace_all("baabbabaa", &ab, "cat").unwrap(), "bacatbcataa");
        let empty = Regex::new("").unwrap();
        assert_eq!(replace_all("ab", &empty, "-").unwrap(), "-a-b-");
    }
}
