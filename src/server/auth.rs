//! HTTP basic authentication, as ksqlDB configures it (`authentication.method=BASIC`).
//!
//! Users come from a password file in the format ksqlDB's Jetty login service reads, one
//! `user: password[,role…]` per line with `#` comments; roles are accepted and not used.
//! With a file configured every request must carry one of its users' credentials, else it
//! gets 401 with ksqlDB's body and a `WWW-Authenticate` challenge.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::json;

/// The realm ksqlDB's examples configure (`authentication.realm`).
pub const REALM: &str = "KsqlServer-Props";

/// The users allowed in, with their passwords.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BasicAuth {
    users: HashMap<String, String>,
}

impl BasicAuth {
    /// Reads a password file; a malformed line is an error naming its line number.
    pub fn from_file(path: &Path) -> Result<BasicAuth, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the password file {}: {e}", path.display()))?;
        BasicAuth::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Parses `user: password[,role…]` lines.
    pub fn parse(text: &str) -> Result<BasicAuth, String> {
        let mut users = HashMap::new();
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((user, rest)) = line.split_once(':') else {
                return Err(format!(
                    "line {}: expected 'user: password[,role...]'",
                    number + 1
                ));
            };
            let password = rest.split(',').next().unwrap_or_default().trim();
            if user.trim().is_empty() || password.is_empty() {
                return Err(format!(
                    "line {}: a user needs a name and a password",
                    number + 1
                ));
            }
            users.insert(user.trim().to_string(), password.to_string());
        }
        if users.is_empty() {
            return Err("no users".into());
        }
        Ok(BasicAuth { users })
    }

    /// True when an `Authorization` header value names a user with its password.
    fn admits(&self, authorization: &str) -> bool {
        let Some(encoded) = authorization.strip_prefix("Basic ") else {
            return false;
        };
        let Ok(decoded) = STANDARD.decode(encoded.trim()) else {
            return false;
        };
        let Ok(credentials) = String::from_utf8(decoded) else {
            return false;
        };
        let Some((user, password)) = credentials.split_once(':') else {
            return false;
        };
        self.users
            .get(user)
            .is_some_and(|expected| same_bytes(expected.as_bytes(), password.as_bytes()))
    }
}

/// Compares without stopping at the first difference, so that the time taken does not
/// tell how much of a password was right.
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

/// The middleware: lets a request through only with valid credentials.
pub async fn require(State(auth): State<Arc<BasicAuth>>, request: Request, next: Next) -> Response {
    let admitted = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| auth.admits(v));
    if admitted {
        return next.run(request).await;
    }
    (
        StatusCode::UNAUTHORIZED,
        [
            (header::CONTENT_TYPE, "application/json".to_string()),
            (header::WWW_AUTHENTICATE, format!("Basic realm=\"{REALM}\"")),
        ],
        json!({"@type": "generic_error", "error_code": 40100, "message": "Unauthorized"})
            .to_string(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(user: &str, password: &str) -> String {
        format!("Basic {}", STANDARD.encode(format!("{user}:{password}")))
    }

    #[test]
    fn reads_jetty_password_files() {
        let auth = BasicAuth::parse("# users\nfred: letmein,admin\n\nbarney:secret\n").unwrap();
        assert!(auth.admits(&header("fred", "letmein")));
        assert!(auth.admits(&header("barney", "secret")));
        assert!(!auth.admits(&header("fred", "letmeout")));
        assert!(!auth.admits(&header("wilma", "letmein")));
        assert!(!auth.admits("Bearer abc"));
        assert!(!auth.admits("Basic not-base64!"));
    }

    #[test]
    fn malformed_files_say_which_line() {
        assert_eq!(
            BasicAuth::parse("fred: letmein\nbarney\n").unwrap_err(),
            "line 2: expected 'user: password[,role...]'"
        );
        assert_eq!(BasicAuth::parse("# none\n").unwrap_err(), "no users");
    }
}
