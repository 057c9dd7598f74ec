//! Keeping secrets out of errors, `Debug` output and logs.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

/// The API key: sent as a bearer token, never printed.
#[derive(Clone)]
pub(crate) struct ApiKey(Arc<str>);

impl ApiKey {
    pub(crate) fn new(key: String) -> Self {
        Self(key.into())
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

/// JSON keys whose string values are secrets.
const SECRET_KEYS: &[&str] = &[
    "access_token",
    "refresh_token",
    "id_token",
    "token",
    "client_secret",
    "secret",
    "password",
    "api_key",
    "authorization",
];

/// Prefixes of Metorial API keys, and of well-known provider tokens (GitHub's), whose
/// following characters are scrubbed wherever they appear.
const KEY_PREFIXES: &[&str] = &[
    "metorial_sk_",
    "metorial_pk_",
    "metorial_uk_",
    "metorial_mk_",
    "metorial_ak_",
    "gho_",
    "ghp_",
    "ghr_",
    "ghs_",
    "ghu_",
    "github_pat_",
];

const REDACTED: &str = "[REDACTED]";

/// Longest body start kept in an error.
pub(crate) const SNIPPET_LIMIT: usize = 512;

/// Scrubs secrets from text that came from a response.
#[derive(Clone)]
pub(crate) struct Redactor {
    key: ApiKey,
    /// Secrets a call sent (e.g. an OAuth setup's client secret), scrubbed from its errors.
    sent: Vec<Arc<str>>,
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Redactor").finish_non_exhaustive()
    }
}

impl Redactor {
    pub(crate) fn new(key: ApiKey) -> Self {
        Self {
            key,
            sent: Vec::new(),
        }
    }

    /// This redactor, also scrubbing `secrets` (values a call sent).
    pub(crate) fn with_sent(&self, secrets: impl IntoIterator<Item = String>) -> Self {
        let mut sent = self.sent.clone();
        sent.extend(secrets.into_iter().filter(|s| !s.is_empty()).map(Arc::from));
        Self {
            key: self.key.clone(),
            sent,
        }
    }

    /// `text` without the API key, anything shaped like a Metorial key or a GitHub token, or
    /// the string values of secret-named JSON keys.
    pub(crate) fn scrub(&self, text: &str) -> String {
        // Each pass runs only on text that holds what it looks for: a clean text (a request
        // ID, most messages) is copied once, not rebuilt some thirty times.
        let mut out = Cow::Borrowed(text);
        for secret in std::iter::once(self.key.expose()).chain(self.sent.iter().map(|s| &**s)) {
            if out.contains(secret) {
                out = Cow::Owned(out.replace(secret, REDACTED));
            }
        }
        for prefix in KEY_PREFIXES {
            if out.contains(prefix) {
                out = Cow::Owned(redact_after(&out, prefix, |c| {
                    c.is_ascii_alphanumeric() || c == '_' || c == '-'
                }));
            }
        }
        for key in SECRET_KEYS {
            if out.contains('"') && out.contains(key) {
                out = Cow::Owned(redact_json_string_values(&out, key));
            }
        }
        out.into_owned()
    }

    /// The scrubbed start of a body, at most [`SNIPPET_LIMIT`] bytes.
    pub(crate) fn snippet(&self, body: &[u8]) -> String {
        let text = String::from_utf8_lossy(body);
        let mut end = text.len().min(SNIPPET_LIMIT);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        self.scrub(&text[..end])
    }
}

/// Replaces the run of `keep`-characters after each `prefix` with `[REDACTED]`.
fn redact_after(text: &str, prefix: &str, keep: impl Fn(char) -> bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(prefix) {
        out.push_str(&rest[..at]);
        out.push_str(REDACTED);
        let after = &rest[at + prefix.len()..];
        let len = after.find(|c: char| !keep(c)).unwrap_or(after.len());
        rest = &after[len..];
    }
    out.push_str(rest);
    out
}

/// Replaces the string value of every `"key": "..."` with `[REDACTED]`, even when the value
/// is cut off by truncation.
fn redact_json_string_values(text: &str, key: &str) -> String {
    let needle = format!("\"{key}\"");
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(&needle) {
        let after_key = at + needle.len();
        out.push_str(&rest[..after_key]);
        let tail = &rest[after_key..];
        let trimmed = tail.trim_start();
        let Some(after_colon) = trimmed.strip_prefix(':') else {
            rest = tail;
            continue;
        };
        let value = after_colon.trim_start();
        let Some(string) = value.strip_prefix('"') else {
            rest = tail;
            continue;
        };
        out.push_str(&tail[..tail.len() - value.len()]);
        out.push('"');
        out.push_str(REDACTED);
        let mut escaped = false;
        let close = string.find(|c: char| {
            let end = c == '"' && !escaped;
            escaped = c == '\\' && !escaped;
            end
        });
        rest = match close {
            Some(i) => &string[i..],
            None => "",
        };
    }
    out.push_str(rest);
    out
}

/// The string values a request body holds at the secret `paths` the spec gives (keys from the
/// body down, arrays crossed, `*` for any key of a map), at any depth below each, to scrub
/// from the call's errors and logs.
pub(crate) fn sent_secrets<T: serde::Serialize>(body: &T, paths: &[&[&str]]) -> Vec<String> {
    let Ok(body) = serde_json::to_value(body) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for path in paths {
        secrets_under(&body, path, &mut out);
    }
    out
}

/// Collects the strings of `value` below `path`.
fn secrets_under(value: &serde_json::Value, path: &[&str], out: &mut Vec<String>) {
    use serde_json::Value;
    match (value, path.split_first()) {
        (Value::Array(items), _) => items.iter().for_each(|v| secrets_under(v, path, out)),
        (Value::String(s), None) => out.push(s.clone()),
        (Value::Object(map), None) => map.values().for_each(|v| secrets_under(v, path, out)),
        (Value::Object(map), Some((&"*", rest))) => {
            map.values().for_each(|v| secrets_under(v, rest, out));
        }
        (Value::Object(map), Some((key, rest))) => {
            if let Some(v) = map.get(*key) {
                secrets_under(v, rest, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redactor() -> Redactor {
        Redactor::new(ApiKey::new("metorial_sk_live123".into()))
    }

    #[test]
    fn scrubs_the_key_and_key_shaped_words() {
        let text = "bad key metorial_sk_live123, also metorial_pk_other-9 here";
        assert_eq!(
            redactor().scrub(text),
            "bad key [REDACTED], also [REDACTED] here"
        );
    }

    #[test]
    fn scrubs_secret_json_values_even_when_truncated() {
        let text =
            r#"{"value": {"access_token": "gho_abc", "scope": "repo", "refresh_token":"ghr_de"#;
        let scrubbed = redactor().scrub(text);
        assert_eq!(
            scrubbed,
            r#"{"value": {"access_token": "[REDACTED]", "scope": "repo", "refresh_token":"[REDACTED]"#
        );
    }

    #[test]
    fn keeps_escaped_quotes_inside_the_secret() {
        let text = r#"{"secret": "a\"b", "next": 1}"#;
        assert_eq!(
            redactor().scrub(text),
            r#"{"secret": "[REDACTED]", "next": 1}"#
        );
    }

    #[test]
    fn snippets_are_bounded_on_a_char_boundary() {
        let body = "é".repeat(SNIPPET_LIMIT);
        let snippet = redactor().snippet(body.as_bytes());
        assert!(snippet.len() <= SNIPPET_LIMIT);
        assert!(snippet.chars().all(|c| c == 'é'));
    }

    #[test]
    fn api_key_debug_is_redacted() {
        let key = ApiKey::new("metorial_sk_live123".into());
        assert_eq!(format!("{key:?}"), "ApiKey(<redacted>)");
    }

    #[test]
    fn sent_secrets_are_found_at_their_paths_at_any_depth() {
        let body = serde_json::json!({
            "name": "visible",
            "config": {"oauth": {"client_secret": "cs_1", "nested": {"k": "cs_2"}}, "id": "x"},
            "list": [{"token": "t_1"}, {"token": "t_2"}],
            "map": {"a": {"token": "t_3"}},
        });
        let found = sent_secrets(
            &body,
            &[
                &["config", "oauth"],
                &["list", "token"],
                &["map", "*", "token"],
                &["absent"],
            ],
        );
        assert_eq!(found, ["cs_1", "cs_2", "t_1", "t_2", "t_3"]);
        assert!(sent_secrets(&body, &[]).is_empty());
    }
}
