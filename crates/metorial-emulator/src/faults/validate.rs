//! Checking a fault rule: [`validate`] refuses a bad rule with a [`FaultError`] (the field and
//! why), and turns a good one into the form the engine runs: a [`Matcher`], an [`Effect`]
//! (an [`ApiFault`] or an [`OAuthFault`]) and its chance of firing.

use std::time::Duration;

use rand::distributions::Bernoulli;

use super::rule::{ProviderEndpoint, Rule, RuleAction, RuleMatch};

/// The statuses a rule may answer with.
const STATUSES: [u16; 5] = [429, 500, 502, 503, 504];
/// The statuses that may carry a `Retry-After`.
const RETRY_AFTER_STATUSES: [u16; 2] = [429, 503];
/// `Retry-After` of a 429 whose rule gives none, in seconds.
const DEFAULT_RETRY_AFTER_429: u64 = 1;
/// The longest latency a rule may add, in milliseconds.
const MAX_LATENCY_MS: u64 = 60_000;
/// The HTTP methods a path match may name (upper case).
const METHODS: [&str; 9] = [
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT",
];
/// The `error` codes the fake provider's authorize endpoint may answer (RFC 6749, 4.1.2.1).
const AUTHORIZE_ERRORS: [&str; 4] = [
    "access_denied",
    "invalid_scope",
    "server_error",
    "temporarily_unavailable",
];
/// The `error` codes the fake provider's token endpoint may answer (RFC 6749, 5.2, plus the
/// two an overloaded server answers in practice).
const TOKEN_ERRORS: [&str; 4] = [
    "invalid_grant",
    "invalid_client",
    "server_error",
    "temporarily_unavailable",
];
/// The longest `description` of an OAuth error, in characters.
const MAX_DESCRIPTION_CHARS: usize = 1_000;

/// Why a rule is refused.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub(crate) struct FaultError {
    /// The JSON path of the bad field, as segments (`["action", "status"]`; empty for the
    /// rule as a whole).
    pub(crate) field: Vec<String>,
    /// What is wrong, as a sentence.
    pub(crate) message: String,
}

impl FaultError {
    /// The error of the field at `field`.
    pub(super) fn new(field: &[&str], message: impl Into<String>) -> Self {
        FaultError {
            field: field.iter().map(|&segment| segment.to_owned()).collect(),
            message: message.into(),
        }
    }
}

/// What happens to an API request a rule fired for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ApiFault {
    /// Answer with this status and the API's error body (and `Retry-After` when given).
    Status {
        /// 429, 500, 502, 503 or 504.
        status: u16,
        /// The `Retry-After` header, in seconds.
        retry_after_seconds: Option<u64>,
    },
    /// Wait this long, then serve the request normally.
    Latency(Duration),
    /// Close the connection without an answer.
    Close,
}

impl ApiFault {
    /// The fault in a few words, for the request journal: `status 503`, `latency 250 ms`,
    /// `connection closed`.
    pub(crate) fn describe(&self) -> String {
        match self {
            ApiFault::Status { status, .. } => format!("status {status}"),
            ApiFault::Latency(delay) => format!("latency {} ms", delay.as_millis()),
            ApiFault::Close => "connection closed".to_owned(),
        }
    }
}

/// The error the fake provider answers when a rule fired for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OAuthFault {
    /// The OAuth `error` code.
    pub(crate) error: String,
    /// The `error_description`.
    pub(crate) description: Option<String>,
}

/// A rule's `match`, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Matcher {
    /// Requests of this operation.
    Operation(String),
    /// Requests with this method (any when `None`, else upper case) and path.
    Route {
        /// The method, upper case.
        method: Option<String>,
        /// The path's segments (split on `/`), `*` matching any one.
        segments: Vec<String>,
    },
    /// Requests to this endpoint of the fake provider.
    Provider(ProviderEndpoint),
}

/// A rule's `action`, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Effect {
    /// For API requests.
    Api(ApiFault),
    /// For the fake provider.
    OAuth(OAuthFault),
}

/// A rule checked: the form the engine runs.
#[derive(Debug)]
pub(super) struct Checked {
    /// The rule as listed: method upper-cased, defaults filled in.
    pub(super) rule: Rule,
    /// The requests it applies to.
    pub(super) matcher: Matcher,
    /// Its fault.
    pub(super) effect: Effect,
    /// The chance that a matching request fires it (`None`: every one does).
    pub(super) chance: Option<Bernoulli>,
}

/// Checks `rule`, returning it with its defaults filled in, its matcher, effect and chance.
pub(super) fn validate(mut rule: Rule) -> Result<Checked, FaultError> {
    let matcher = validate_match(&rule.matcher)?;
    let effect = validate_action(&rule.action, &matcher)?;
    if rule.times == Some(0) {
        return Err(FaultError::new(&["times"], "times must be at least 1"));
    }
    let chance = match (rule.probability, rule.seed) {
        (Some(p), _) => match Bernoulli::new(p) {
            Ok(chance) if p > 0.0 => Some(chance),
            _ => {
                let message = format!("probability must be more than 0 and at most 1, not {p}");
                return Err(FaultError::new(&["probability"], message));
            }
        },
        (None, Some(_)) => {
            return Err(FaultError::new(
                &["seed"],
                "seed needs probability: a rule without one fires on every matching request",
            ));
        }
        (None, None) => None,
    };
    rule.seed = rule.seed.or(chance.map(|_| 0));
    if let Matcher::Route {
        method: Some(method),
        ..
    } = &matcher
    {
        rule.matcher.method = Some(method.clone());
    }
    if let Effect::Api(ApiFault::Status {
        retry_after_seconds,
        ..
    }) = &effect
    {
        rule.action.retry_after_seconds = *retry_after_seconds;
    }
    Ok(Checked {
        rule,
        matcher,
        effect,
        chance,
    })
}

/// Checks a rule's `match`.
fn validate_match(matcher: &RuleMatch) -> Result<Matcher, FaultError> {
    let kinds = [
        ("operation_id", matcher.operation_id.is_some()),
        ("path", matcher.path.is_some()),
        ("provider", matcher.provider.is_some()),
    ];
    if matcher.method.is_some() && matcher.path.is_none() {
        return Err(FaultError::new(
            &["match", "method"],
            "method needs a path: it narrows a path match",
        ));
    }
    exactly_one("match", &kinds, "operation_id, path or provider")?;
    if let Some(id) = &matcher.operation_id {
        return validate_operation(id);
    }
    if let Some(endpoint) = matcher.provider {
        return Ok(Matcher::Provider(endpoint));
    }
    let path = matcher.path.as_deref().unwrap_or_default();
    let method = matcher.method.as_deref().map(validate_method).transpose()?;
    Ok(Matcher::Route {
        method,
        segments: validate_path(path)?,
    })
}

/// Checks that exactly one of `kinds` (name, present) is present in `object`.
fn exactly_one(object: &str, kinds: &[(&str, bool)], names: &str) -> Result<(), FaultError> {
    let mut present = kinds.iter().filter(|(_, is)| *is).map(|(name, _)| *name);
    match (present.next(), present.next()) {
        (None, _) => Err(FaultError::new(
            &[object],
            format!("{object} needs one of {names}"),
        )),
        (Some(first), Some(second)) => Err(FaultError::new(
            &[object, second],
            format!("{object} takes only one of {names}, not both {first} and {second}"),
        )),
        (Some(_), None) => Ok(()),
    }
}

/// Checks an operation ID against the spec's operations.
fn validate_operation(id: &str) -> Result<Matcher, FaultError> {
    if metorial_models::OPERATIONS.iter().any(|op| op.id == id) {
        Ok(Matcher::Operation(id.to_owned()))
    } else {
        Err(FaultError::new(
            &["match", "operation_id"],
            format!(
                "operation_id must be an operation of the API \
                 (such as create_provider_setup_session), not {id:?}"
            ),
        ))
    }
}

/// Checks a method, returning it upper-cased.
fn validate_method(method: &str) -> Result<String, FaultError> {
    let upper = method.to_ascii_uppercase();
    if METHODS.contains(&upper.as_str()) {
        Ok(upper)
    } else {
        Err(FaultError::new(
            &["match", "method"],
            format!(
                "method must be GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, TRACE or CONNECT, \
                 not {method:?}"
            ),
        ))
    }
}

/// Checks a path pattern, returning its segments.
fn validate_path(path: &str) -> Result<Vec<String>, FaultError> {
    let error = |message: String| Err(FaultError::new(&["match", "path"], message));
    if !path.starts_with('/') {
        return error(format!("path must start with /, not {path:?}"));
    }
    if path.contains(['?', '#']) {
        return error(format!(
            "path must not hold a query or fragment (it matches the request path alone), \
             not {path:?}"
        ));
    }
    if let Some(segment) = path.split('/').find(|s| *s != "*" && s.contains('*')) {
        return error(format!(
            "a * in path must be a whole segment (as in /provider-setup-sessions/*), \
             not part of {segment:?}"
        ));
    }
    Ok(path.split('/').map(str::to_owned).collect())
}

/// Checks a rule's `action` (against its `match`).
fn validate_action(action: &RuleAction, matcher: &Matcher) -> Result<Effect, FaultError> {
    let kinds = [
        ("status", action.status.is_some()),
        ("latency_ms", action.latency_ms.is_some()),
        ("close_connection", action.close_connection.is_some()),
        ("oauth_error", action.oauth_error.is_some()),
    ];
    exactly_one(
        "action",
        &kinds,
        "status, latency_ms, close_connection or oauth_error",
    )?;
    if action.retry_after_seconds.is_some() && action.status.is_none() {
        return Err(FaultError::new(
            &["action", "retry_after_seconds"],
            "retry_after_seconds needs status 429 or 503",
        ));
    }
    if action.description.is_some() && action.oauth_error.is_none() {
        return Err(FaultError::new(
            &["action", "description"],
            "description needs oauth_error",
        ));
    }
    match (matcher, &action.oauth_error) {
        (Matcher::Provider(endpoint), Some(error)) => {
            validate_oauth_error(*endpoint, error, action.description.as_deref())
        }
        (Matcher::Provider(_), None) => {
            let (kind, _) = kinds.iter().find(|(_, is)| *is).unwrap_or(&("", false));
            Err(FaultError::new(
                &["action"],
                format!("a provider match needs an oauth_error action, not {kind}"),
            ))
        }
        (_, Some(_)) => Err(FaultError::new(
            &["action", "oauth_error"],
            "oauth_error needs a provider match ({\"provider\": \"authorize\"} or \
             {\"provider\": \"token\"})",
        )),
        (_, None) => validate_api_action(action).map(Effect::Api),
    }
}

/// Checks the action of an API rule (a status, a latency or a closed connection).
fn validate_api_action(action: &RuleAction) -> Result<ApiFault, FaultError> {
    if let Some(status) = action.status {
        return validate_status(status, action.retry_after_seconds);
    }
    if let Some(latency_ms) = action.latency_ms {
        if latency_ms > MAX_LATENCY_MS {
            return Err(FaultError::new(
                &["action", "latency_ms"],
                format!("latency_ms must be at most {MAX_LATENCY_MS}, not {latency_ms}"),
            ));
        }
        return Ok(ApiFault::Latency(Duration::from_millis(latency_ms)));
    }
    if action.close_connection == Some(true) {
        return Ok(ApiFault::Close);
    }
    Err(FaultError::new(
        &["action", "close_connection"],
        "close_connection must be true (a rule that does nothing is refused)",
    ))
}

/// Checks a status and its `Retry-After`, filling in a 429's default.
fn validate_status(status: u64, retry_after: Option<u64>) -> Result<ApiFault, FaultError> {
    let Some(status) = STATUSES.into_iter().find(|&s| u64::from(s) == status) else {
        return Err(FaultError::new(
            &["action", "status"],
            format!("status must be 429, 500, 502, 503 or 504, not {status}"),
        ));
    };
    if retry_after.is_some() && !RETRY_AFTER_STATUSES.contains(&status) {
        return Err(FaultError::new(
            &["action", "retry_after_seconds"],
            format!("retry_after_seconds needs status 429 or 503, not {status}"),
        ));
    }
    let default = (status == 429).then_some(DEFAULT_RETRY_AFTER_429);
    Ok(ApiFault::Status {
        status,
        retry_after_seconds: retry_after.or(default),
    })
}

/// Checks an OAuth error (and its description) at `endpoint`.
fn validate_oauth_error(
    endpoint: ProviderEndpoint,
    error: &str,
    description: Option<&str>,
) -> Result<Effect, FaultError> {
    let (name, allowed) = match endpoint {
        ProviderEndpoint::Authorize => ("authorize", &AUTHORIZE_ERRORS),
        ProviderEndpoint::Token => ("token", &TOKEN_ERRORS),
    };
    if !allowed.contains(&error) {
        return Err(FaultError::new(
            &["action", "oauth_error"],
            format!(
                "oauth_error at the {name} endpoint must be {}, not {error:?}",
                one_of(allowed)
            ),
        ));
    }
    if let Some(description) = description {
        validate_description(description)?;
    }
    Ok(Effect::OAuth(OAuthFault {
        error: error.to_owned(),
        description: description.map(str::to_owned),
    }))
}

/// Checks an `error_description` against RFC 6749's grammar (and a length limit).
fn validate_description(description: &str) -> Result<(), FaultError> {
    let error = |message: String| Err(FaultError::new(&["action", "description"], message));
    if description.is_empty() {
        return error("description must not be empty".to_owned());
    }
    if description.chars().count() > MAX_DESCRIPTION_CHARS {
        return error(format!(
            "description must be at most {MAX_DESCRIPTION_CHARS} characters"
        ));
    }
    let allowed = |c: char| matches!(c, ' '..='~') && c != '"' && c != '\\';
    if !description.chars().all(allowed) {
        return error(
            "description must be printable ASCII without \" or \\ (RFC 6749's error_description)"
                .to_owned(),
        );
    }
    Ok(())
}

/// `a, b, c or d`.
fn one_of(names: &[&str]) -> String {
    match names.split_last() {
        Some((last, [])) => (*last).to_owned(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// `value`, a rule's JSON, checked.
    fn check(value: serde_json::Value) -> Result<Checked, FaultError> {
        let rule = serde_json::from_value(value).unwrap_or_else(|e| panic!("a rule's JSON: {e}"));
        validate(rule)
    }

    const CREATE: &str = "create_provider_setup_session";

    #[test]
    fn statuses_carry_their_retry_after() {
        let cases = [
            (json!({"status": 429}), 429, Some(1)),
            (
                json!({"status": 429, "retry_after_seconds": 2}),
                429,
                Some(2),
            ),
            (
                json!({"status": 503, "retry_after_seconds": 5}),
                503,
                Some(5),
            ),
            (json!({"status": 503}), 503, None),
        ];
        for (action, status, seconds) in cases {
            let checked = check(json!({"match": {"path": "/a"}, "action": action})).unwrap();
            let fault = ApiFault::Status {
                status,
                retry_after_seconds: seconds,
            };
            assert_eq!(checked.effect, Effect::Api(fault));
            assert_eq!(checked.rule.action.retry_after_seconds, seconds, "listed");
        }
    }

    #[test]
    fn a_valid_rule_is_listed_with_its_defaults() {
        let checked = check(json!({
            "match": {"method": "post", "path": "/provider-setup-sessions/*"},
            "action": {"close_connection": true},
            "probability": 1.0
        }))
        .unwrap();
        let route = Matcher::Route {
            method: Some("POST".to_owned()),
            segments: vec![String::new(), "provider-setup-sessions".into(), "*".into()],
        };
        assert_eq!(checked.matcher, route);
        assert_eq!(checked.effect, Effect::Api(ApiFault::Close));
        assert!(checked.chance.is_some());
        assert_eq!(checked.rule.matcher.method.as_deref(), Some("POST"));
        assert_eq!(checked.rule.seed, Some(0));
        let always = check(json!({"match": {"operation_id": CREATE}, "action": {"status": 500}}));
        let always = always.unwrap();
        assert_eq!(always.matcher, Matcher::Operation(CREATE.to_owned()));
        assert!(always.chance.is_none() && always.rule.seed.is_none());
    }

    #[test]
    fn api_faults_describe_themselves() {
        let described = [
            (
                ApiFault::Status {
                    status: 503,
                    retry_after_seconds: None,
                },
                "status 503",
            ),
            (
                ApiFault::Latency(Duration::from_millis(250)),
                "latency 250 ms",
            ),
            (ApiFault::Close, "connection closed"),
        ];
        for (fault, text) in described {
            assert_eq!(fault.describe(), text);
        }
    }

    #[test]
    fn every_invalid_rule_is_refused_with_its_field_and_reason() {
        let p = json!({"path": "/a"});
        let token = json!({"provider": "token"});
        let cases = [
            (
                json!({"match": {}, "action": {"status": 500}}),
                &["match"][..],
                "match needs one of operation_id, path or provider",
            ),
            (
                json!({"match": {"operation_id": CREATE, "path": "/a"}, "action": {"status": 500}}),
                &["match", "path"],
                "match takes only one of operation_id, path or provider, not both operation_id and path",
            ),
            (
                json!({"match": {"path": "/a", "provider": "token"}, "action": {"status": 500}}),
                &["match", "provider"],
                "match takes only one of operation_id, path or provider, not both path and provider",
            ),
            (
                json!({"match": {"method": "GET"}, "action": {"status": 500}}),
                &["match", "method"],
                "method needs a path: it narrows a path match",
            ),
            (
                json!({"match": {"operation_id": CREATE, "method": "GET"}, "action": {"status": 500}}),
                &["match", "method"],
                "method needs a path: it narrows a path match",
            ),
            (
                json!({"match": {"provider": "token", "method": "GET"}, "action": {"oauth_error": "invalid_grant"}}),
                &["match", "method"],
                "method needs a path: it narrows a path match",
            ),
            (
                json!({"match": {"operation_id": "create_thing"}, "action": {"status": 500}}),
                &["match", "operation_id"],
                "operation_id must be an operation of the API (such as create_provider_setup_session), not \"create_thing\"",
            ),
            (
                json!({"match": {"method": "FETCH", "path": "/a"}, "action": {"status": 500}}),
                &["match", "method"],
                "method must be GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, TRACE or CONNECT, not \"FETCH\"",
            ),
            (
                json!({"match": {"path": "a/b"}, "action": {"status": 500}}),
                &["match", "path"],
                "path must start with /, not \"a/b\"",
            ),
            (
                json!({"match": {"path": ""}, "action": {"status": 500}}),
                &["match", "path"],
                "path must start with /, not \"\"",
            ),
            (
                json!({"match": {"path": "/a?b=1"}, "action": {"status": 500}}),
                &["match", "path"],
                "path must not hold a query or fragment (it matches the request path alone), not \"/a?b=1\"",
            ),
            (
                json!({"match": {"path": "/a/pas_*"}, "action": {"status": 500}}),
                &["match", "path"],
                "a * in path must be a whole segment (as in /provider-setup-sessions/*), not part of \"pas_*\"",
            ),
            (
                json!({"match": p, "action": {}}),
                &["action"],
                "action needs one of status, latency_ms, close_connection or oauth_error",
            ),
            (
                json!({"match": p, "action": {"status": 500, "latency_ms": 5}}),
                &["action", "latency_ms"],
                "action takes only one of status, latency_ms, close_connection or oauth_error, not both status and latency_ms",
            ),
            (
                json!({"match": p, "action": {"status": 404}}),
                &["action", "status"],
                "status must be 429, 500, 502, 503 or 504, not 404",
            ),
            (
                json!({"match": p, "action": {"status": 70000}}),
                &["action", "status"],
                "status must be 429, 500, 502, 503 or 504, not 70000",
            ),
            (
                json!({"match": p, "action": {"status": 500, "retry_after_seconds": 1}}),
                &["action", "retry_after_seconds"],
                "retry_after_seconds needs status 429 or 503, not 500",
            ),
            (
                json!({"match": p, "action": {"latency_ms": 5, "retry_after_seconds": 1}}),
                &["action", "retry_after_seconds"],
                "retry_after_seconds needs status 429 or 503",
            ),
            (
                json!({"match": p, "action": {"latency_ms": 60001}}),
                &["action", "latency_ms"],
                "latency_ms must be at most 60000, not 60001",
            ),
            (
                json!({"match": p, "action": {"close_connection": false}}),
                &["action", "close_connection"],
                "close_connection must be true (a rule that does nothing is refused)",
            ),
            (
                json!({"match": p, "action": {"status": 500, "description": "x"}}),
                &["action", "description"],
                "description needs oauth_error",
            ),
            (
                json!({"match": p, "action": {"oauth_error": "access_denied"}}),
                &["action", "oauth_error"],
                "oauth_error needs a provider match ({\"provider\": \"authorize\"} or {\"provider\": \"token\"})",
            ),
            (
                json!({"match": token, "action": {"status": 500}}),
                &["action"],
                "a provider match needs an oauth_error action, not status",
            ),
            (
                json!({"match": token, "action": {"oauth_error": "access_denied"}}),
                &["action", "oauth_error"],
                "oauth_error at the token endpoint must be invalid_grant, invalid_client, server_error or temporarily_unavailable, not \"access_denied\"",
            ),
            (
                json!({"match": {"provider": "authorize"}, "action": {"oauth_error": "invalid_grant"}}),
                &["action", "oauth_error"],
                "oauth_error at the authorize endpoint must be access_denied, invalid_scope, server_error or temporarily_unavailable, not \"invalid_grant\"",
            ),
            (
                json!({"match": token, "action": {"oauth_error": "invalid_grant", "description": ""}}),
                &["action", "description"],
                "description must not be empty",
            ),
            (
                json!({"match": token, "action": {"oauth_error": "invalid_grant", "description": "say \"no\""}}),
                &["action", "description"],
                "description must be printable ASCII without \" or \\ (RFC 6749's error_description)",
            ),
            (
                json!({"match": token, "action": {"oauth_error": "invalid_grant", "description": "x".repeat(1001)}}),
                &["action", "description"],
                "description must be at most 1000 characters",
            ),
            (
                json!({"match": p, "action": {"status": 500}, "times": 0}),
                &["times"],
                "times must be at least 1",
            ),
            (
                json!({"match": p, "action": {"status": 500}, "probability": 0.0}),
                &["probability"],
                "probability must be more than 0 and at most 1, not 0",
            ),
            (
                json!({"match": p, "action": {"status": 500}, "probability": 1.5}),
                &["probability"],
                "probability must be more than 0 and at most 1, not 1.5",
            ),
            (
                json!({"match": p, "action": {"status": 500}, "probability": -0.5}),
                &["probability"],
                "probability must be more than 0 and at most 1, not -0.5",
            ),
            (
                json!({"match": p, "action": {"status": 500}, "seed": 7}),
                &["seed"],
                "seed needs probability: a rule without one fires on every matching request",
            ),
        ];
        for (value, field, message) in cases {
            let error = check(value.clone()).unwrap_err();
            assert_eq!(error.field, field, "{value}");
            assert_eq!(error.message, message, "{value}");
            assert_eq!(error.to_string(), message);
        }
    }
}
