//! ksqlDB's rules for comparing an expected record value with an actual one
//! (`ExpectedRecordComparator`): objects must have as many fields, matched by name (then
//! upper-cased; a missing one reads as null), numbers compare exactly except doubles
//! (within 1e-6), a decimal keeps its scale, a string may stand for a decimal, arrays
//! compare element-wise, null only matches null.

use serde_json::{Number, Value};

/// Where two values differ, or `None` when they match.
pub fn difference(expected: &Value, actual: &Value) -> Option<String> {
    if matches(expected, actual) {
        None
    } else {
        Some(format!("expected {expected} but got {actual}"))
    }
}

/// True when `actual` satisfies `expected`.
pub fn matches(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::Null, Value::Null) => true,
        (Value::Bool(a), Value::Bool(b)) => a == b,
        (Value::String(a), Value::String(b)) => a == b,
        (Value::Number(e), Value::Number(a)) => numbers_match(e, a),
        // A string can hold a decimal: compared by its exact text.
        (Value::String(e), Value::Number(a)) => e == &a.to_string(),
        (Value::Array(e), Value::Array(a)) => {
            e.len() == a.len() && e.iter().zip(a).all(|(e, a)| matches(e, a))
        }
        (Value::Object(e), Value::Object(a)) => {
            e.len() == a.len()
                && e.iter().all(|(name, value)| {
                    let found = a
                        .get(name)
                        .or_else(|| a.get(&name.to_uppercase()))
                        .or_else(|| {
                            a.iter()
                                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                                .map(|(_, v)| v)
                        });
                    // ksqlDB: a field missing from the actual object reads as null
                    // (Jackson's `get`), so it satisfies an expected null.
                    match found {
                        Some(actual) => matches(value, actual),
                        None => value.is_null(),
                    }
                })
        }
        _ => false,
    }
}

/// Integers compare exactly. Two plain texts of the same value differ only in scale: a
/// decimal mismatch (`1.10` is not `1.1`) unless one side is a whole number (`1` and `1.0`);
/// a text with an exponent is a double, equal to any text of the same double. Other values
/// match within 1e-6, as doubles do.
fn numbers_match(expected: &Number, actual: &Number) -> bool {
    let (e_text, a_text) = (expected.to_string(), actual.to_string());
    if e_text == a_text {
        return true;
    }
    let is_integral = |t: &str| !t.contains(['.', 'e', 'E']);
    if is_integral(&e_text) && is_integral(&a_text) {
        return false;
    }
    let (Some(e), Some(a)) = (expected.as_f64(), actual.as_f64()) else {
        return false;
    };
    if e == a {
        let is_double = |t: &str| t.contains(['e', 'E']);
        return is_integral(&e_text)
            || is_integral(&a_text)
            || is_double(&e_text)
            || is_double(&a_text);
    }
    (e - a).abs() <= 1e-6
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(text: &str) -> Value {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn objects_need_the_same_fields() {
        assert!(matches(&json!({"a": 1}), &json!({"A": 1})));
        assert!(!matches(&json!({"A": 1}), &json!({"A": 1, "B": 2})));
        assert!(!matches(&json!({"A": 1}), &json!({"A": null})));
        assert!(matches(&json!({"A": null}), &json!({"B": null})));
        assert!(!matches(&json!({"A": 1}), &json!({"B": 1})));
    }

    #[test]
    fn decimals_keep_their_scale_and_doubles_are_close() {
        assert!(!matches(&parse("1.10"), &parse("1.1")));
        assert!(matches(&parse("1.0"), &parse("1.0000000001")));
        assert!(matches(&parse("\"1.10\""), &parse("1.10")));
        assert!(!matches(&parse("1"), &parse("2")));
        assert!(matches(&parse("1.5"), &parse("1.5")));
        // Two spellings of one double (2^62): 17 digits and the shortest.
        assert!(matches(
            &parse("4.6116860184273879e+18"),
            &parse("4.611686018427388e+18")
        ));
        assert!(!matches(&parse("4.6e+18"), &parse("4.7e+18")));
    }
}
