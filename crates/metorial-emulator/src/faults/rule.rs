//! A fault rule's wire form: what a test sends to `POST /_emulator/faults` (or, in Rust, to
//! `TenantHandle::add_fault`) and gets back from a listing, as JSON:
//!
//! ```json
//! {
//!   "match": {"operation_id": "create_provider_setup_session"},
//!   "action": {"status": 503},
//!   "times": 2,
//!   "probability": 0.5,
//!   "seed": 7
//! }
//! ```
//!
//! - `match` is exactly one of: `{"operation_id": ...}` (an operation of the spec);
//!   `{"method": ..., "path": ...}` (`method` optional, any HTTP method, compared
//!   case-insensitively; `path` compared with the request's path, query left out, segment by
//!   segment, where a `*` segment matches any one non-empty segment); or
//!   `{"provider": "authorize" | "token"}` (an endpoint of the built-in fake OAuth provider).
//! - `action` is exactly one of: `{"status": 429 | 500 | 502 | 503 | 504}` (answered with the
//!   API's error body), with `retry_after_seconds` for 429 (default 1) or 503 (default none);
//!   `{"latency_ms": ...}` (at most 60000: a delay, then the request proceeds normally);
//!   `{"close_connection": true}`; or `{"oauth_error": ..., "description": ...}` (RFC 6749
//!   error codes; only, and required, with a provider match).
//! - `times` (at least 1) limits the rule to its next N firings; `probability` (more than 0,
//!   at most 1) makes each matching request fire with that chance, drawn from the rule's own
//!   random generator seeded with `seed` (default 0, allowed only with `probability`), so runs
//!   repeat exactly. Without either, a rule fires on every matching request until removed.

use serde::{Deserialize, Serialize};

/// A fault rule as the control API takes and shows it: which requests it matches (`match`),
/// what happens to them (`action`), and how often (`times`, `probability` with `seed`). The
/// README's "Driving the emulator from a test" has the JSON form.
#[derive(Deserialize, Serialize, Clone, Debug)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Which requests the rule applies to.
    #[serde(rename = "match")]
    pub matcher: RuleMatch,
    /// What happens to them.
    pub action: RuleAction,
    /// Fire for the next N matching requests only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u64>,
    /// The chance that a matching request fires the rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
    /// The seed of the rule's random generator (with `probability` only; default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
}

impl Rule {
    /// A rule doing `action` to the requests of `matcher`, every time.
    fn new(matcher: RuleMatch, action: RuleAction) -> Self {
        Self {
            matcher,
            action,
            times: None,
            probability: None,
            seed: None,
        }
    }

    /// A rule for the operation `operation_id` (its `operationId` in the spec) doing `action`.
    fn for_operation(operation_id: &str, action: RuleAction) -> Self {
        let matcher = RuleMatch {
            operation_id: Some(operation_id.to_owned()),
            ..RuleMatch::default()
        };
        Self::new(matcher, action)
    }

    /// Answers the operation `operation_id` with `status` (429, 500, 502, 503 or 504) and
    /// the API's error body.
    pub fn status(operation_id: &str, status: u16) -> Self {
        Self::for_operation(
            operation_id,
            RuleAction {
                status: Some(u64::from(status)),
                ..RuleAction::default()
            },
        )
    }

    /// Delays the operation `operation_id` by `ms` milliseconds, then serves it.
    pub fn latency(operation_id: &str, ms: u64) -> Self {
        Self::for_operation(
            operation_id,
            RuleAction {
                latency_ms: Some(ms),
                ..RuleAction::default()
            },
        )
    }

    /// Closes the connection of a request to the operation `operation_id`, unanswered.
    pub fn close_connection(operation_id: &str) -> Self {
        Self::for_operation(
            operation_id,
            RuleAction {
                close_connection: Some(true),
                ..RuleAction::default()
            },
        )
    }

    /// Makes the fake provider's `endpoint` answer the OAuth error `error` (e.g.
    /// `access_denied` at authorize, `invalid_grant` or `server_error` at token).
    pub fn oauth_error(endpoint: ProviderEndpoint, error: &str) -> Self {
        Self::new(
            RuleMatch {
                provider: Some(endpoint),
                ..RuleMatch::default()
            },
            RuleAction {
                oauth_error: Some(error.to_owned()),
                ..RuleAction::default()
            },
        )
    }

    /// Fires for the next `n` matching requests only.
    #[must_use]
    pub fn times(mut self, n: u64) -> Self {
        self.times = Some(n);
        self
    }

    /// Fires for each matching request with chance `probability`, drawn from a generator
    /// seeded with `seed` (the same seed gives the same sequence).
    #[must_use]
    pub fn with_probability(mut self, probability: f64, seed: u64) -> Self {
        self.probability = Some(probability);
        self.seed = Some(seed);
        self
    }
}

/// A rule's `match`: exactly one of `operation_id`, `path` (with an optional `method`) or
/// `provider`.
#[derive(Deserialize, Serialize, Clone, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct RuleMatch {
    /// The spec's `operationId` of the requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation_id: Option<String>,
    /// The HTTP method of the requests (any when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// The request path, `*` segments matching any one segment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// An endpoint of the fake OAuth provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<ProviderEndpoint>,
}

/// A rule's `action`: exactly one of `status`, `latency_ms`, `close_connection` or
/// `oauth_error`, with `retry_after_seconds` (for a status) or `description` (for an OAuth
/// error).
#[derive(Deserialize, Serialize, Clone, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct RuleAction {
    /// Answer with this status and the API's error body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u64>,
    /// The `Retry-After` of a 429 or 503, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_seconds: Option<u64>,
    /// Delay the request by this many milliseconds, then serve it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u64>,
    /// Close the connection without an answer (must be `true`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub close_connection: Option<bool>,
    /// The fake provider answers this OAuth `error`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth_error: Option<String>,
    /// The OAuth `error_description`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A rule as listed: its ID, the rule (defaults filled in), and how often it fired.
#[derive(Serialize, Debug, Clone)]
pub struct RuleView {
    /// `flt_<n>`.
    pub id: String,
    /// The rule, with its method upper-cased and its defaults (`seed`, a 429's
    /// `retry_after_seconds`) filled in.
    #[serde(flatten)]
    pub rule: Rule,
    /// How many requests the rule failed so far.
    pub fired: u64,
    /// How many more it may fail (`None`: no limit).
    pub remaining: Option<u64>,
}

/// An endpoint of the built-in fake OAuth provider.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProviderEndpoint {
    /// The authorize endpoint (its error goes back through the redirect).
    Authorize,
    /// The token endpoint (its error is the JSON answer).
    Token,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_fields_are_refused_when_parsing() {
        let unknown = [
            json!({"match": {"path": "/a"}, "action": {"status": 500}, "extra": 1}),
            json!({"match": {"path": "/a", "query": "x"}, "action": {"status": 500}}),
            json!({"match": {"path": "/a"}, "action": {"status": 500, "body": "x"}}),
            json!({"match": {"provider": "revoke"}, "action": {"oauth_error": "x"}}),
        ];
        for value in unknown {
            assert!(
                serde_json::from_value::<Rule>(value.clone()).is_err(),
                "{value}"
            );
        }
    }

    #[test]
    fn the_builders_give_the_json_form() {
        let status = Rule::status("list_provider_setup_sessions", 503).times(2);
        let expected = json!({
            "match": {"operation_id": "list_provider_setup_sessions"},
            "action": {"status": 503},
            "times": 2
        });
        assert_eq!(serde_json::to_value(&status).unwrap(), expected);
        let oauth =
            Rule::oauth_error(ProviderEndpoint::Token, "invalid_grant").with_probability(0.5, 7);
        let expected = json!({
            "match": {"provider": "token"},
            "action": {"oauth_error": "invalid_grant"},
            "probability": 0.5,
            "seed": 7
        });
        assert_eq!(serde_json::to_value(&oauth).unwrap(), expected);
        let latency = serde_json::to_value(Rule::latency("x", 250)).unwrap();
        assert_eq!(latency["action"], json!({"latency_ms": 250}));
        let close = serde_json::to_value(Rule::close_connection("x")).unwrap();
        assert_eq!(close["action"], json!({"close_connection": true}));
    }
}
