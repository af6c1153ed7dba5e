//! JSON text read and written as ksqlDB's JSON functions do with Jackson
//! (`UdfJsonMapper`: exact big decimals for floats).
//!
//! * Reading (`readTree`) takes the first JSON value of the text and ignores whatever
//!   follows it; blank text is Jackson's "missing node" (`Ok(None)`).
//! * A number keeps its digits; Jackson prints a float node with `BigDecimal.toString()`
//!   (`1E+2` for `1e2`) in a node's `toString()`, and plainly (`100`) where ksqlDB's mapper
//!   writes with `WRITE_BIGDECIMAL_AS_PLAIN` (TO_JSON_STRING, JSON_CONCAT).

use datafusion::common::{DataFusionError, Result, exec_datafusion_err};
use serde_json::Value;

/// Parses `text` as `ObjectReader.readTree`; `Ok(None)` for blank text, and ksqlDB's
/// `Invalid JSON format:<text>` error for anything else that is not JSON.
pub fn read_tree(text: &str) -> Result<Option<Value>> {
    let mut values = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    match values.next() {
        None => Ok(None),
        Some(Ok(value)) => Ok(Some(value)),
        Some(Err(_)) => Err(invalid_json(text)),
    }
}

/// ksqlDB's error for text that is not JSON.
pub fn invalid_json(text: &str) -> DataFusionError {
    exec_datafusion_err!("Invalid JSON format:{text}")
}

/// A node as Jackson's `JsonNode.toString()` prints it: compact, float numbers in
/// `BigDecimal.toString()` form.
pub fn node_to_string(value: &Value) -> String {
    let mut out = String::new();
    write(value, &|n| java_number_text(n, false), &mut out);
    out
}

/// A node as ksqlDB's `UdfJsonMapper.writeValueAsJson` prints it: compact, decimals plain.
pub fn write_plain(value: &Value) -> String {
    let mut out = String::new();
    write(value, &|n| java_number_text(n, true), &mut out);
    out
}

/// Compact JSON of values built from SQL data, whose numbers are integers, plain decimals
/// or doubles; doubles get Java's `Double.toString` exponent spelling (`1.0E10`), which
/// serde_json respells as `1.0e+10`.
pub fn write_sql_values(value: &Value) -> String {
    let mut out = String::new();
    write(
        value,
        &|n| {
            if n.contains(['e', 'E']) {
                n.to_uppercase().replace("E+", "E")
            } else {
                n.to_string()
            }
        },
        &mut out,
    );
    out
}

/// A text node's text, else the node's `toString()` (EXTRACTJSONFIELD, JSON_RECORDS).
pub fn text_or_json(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => node_to_string(other),
    }
}

/// Compact JSON as Jackson writes it, numbers spelled by `number` from serde_json's text.
fn write(value: &Value, number: &dyn Fn(&str) -> String, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&number(&n.to_string())),
        Value::String(s) => out.push_str(&Value::String(s.clone()).to_string()),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(item, number, out);
            }
            out.push(']');
        }
        Value::Object(object) => {
            out.push('{');
            for (i, (key, item)) in object.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                write(item, number, out);
            }
            out.push('}');
        }
    }
}

/// A JSON number's text as Jackson prints the node it reads: integers in canonical form
/// (`-0` → `0`), floats as a `BigDecimal` (`toPlainString()` if `plain`, else `toString()`).
fn java_number_text(text: &str, plain: bool) -> String {
    let is_float = text.contains(['.', 'e', 'E']);
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], body[i + 1..].parse::<i64>().unwrap_or(0)),
        None => (body, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = format!("{whole}{fraction}");
    let digits = digits.trim_start_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    let scale = i64::try_from(fraction.len()).unwrap_or(0) - exponent;
    let sign = if negative && (digits != "0" || is_float) {
        "-"
    } else {
        ""
    };
    if !is_float {
        return format!("{sign}{digits}");
    }
    format!("{sign}{}", big_decimal_text(digits, scale, plain))
}

/// `BigDecimal.toString()` / `toPlainString()` of unscaled `digits` (no sign) and `scale`.
fn big_decimal_text(digits: &str, scale: i64, plain: bool) -> String {
    let len = i64::try_from(digits.len()).unwrap_or(0);
    let adjusted = len - 1 - scale;
    if plain || (scale >= 0 && adjusted >= -6) {
        if scale <= 0 {
            let zeros = usize::try_from(-scale).unwrap_or(0);
            if digits == "0" {
                return "0".to_string();
            }
            return format!("{digits}{}", "0".repeat(zeros));
        }
        let scale = usize::try_from(scale).unwrap_or(0);
        if digits.len() > scale {
            let (w, f) = digits.split_at(digits.len() - scale);
            return format!("{w}.{f}");
        }
        return format!("0.{}{digits}", "0".repeat(scale - digits.len()));
    }
    let (first, rest) = digits.split_at(1);
    let mantissa = if rest.is_empty() {
        first.to_string()
    } else {
        format!("{first}.{rest}")
    };
    let exp_sign = if adjusted >= 0 { "+" } else { "" };
    format!("{mantissa}E{exp_sign}{adjusted}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_first_value_and_ignores_the_rest() {
        // ksqlDB: extract-json-field.json feeds `{…}}`.
        let v = read_tree(r#"{"a": 1}}"#).unwrap().unwrap();
        assert_eq!(v["a"], Value::from(1));
        assert_eq!(read_tree("  ").unwrap(), None);
        assert_eq!(read_tree("").unwrap(), None);
        assert!(read_tree("{x").is_err());
    }

    #[test]
    fn numbers_keep_their_digits() {
        let v = read_tree("[1.23450, 10, -0, 1e2, 0.00000001]")
            .unwrap()
            .unwrap();
        assert_eq!(node_to_string(&v), "[1.23450,10,0,1E+2,1E-8]");
        assert_eq!(write_plain(&v), "[1.23450,10,0,100,0.00000001]");
    }

    #[test]
    fn text_nodes_are_unquoted() {
        assert_eq!(text_or_json(&Value::from("x")), "x");
        assert_eq!(text_or_json(&serde_json::json!({"a": "b"})), r#"{"a":"b"}"#);
    }
}
