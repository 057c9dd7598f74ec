//! Fault injection: per-tenant rules that make matching requests fail, so a test can see how
//! its client copes with errors, slowness and dropped connections.
//!
//! A test adds a rule through the control API (`POST /_emulator/faults`) as JSON:
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
//!
//! Matching order: rules are tried in the order they were added; the first rule that matches
//! the request *and* fires decides the fault. A probabilistic rule draws only when a request
//! reaches it (no earlier rule fired) and matches it. A rule whose `times` is used up stays in
//! [`Faults::list`] (with `remaining: 0`, so a test can read its `fired` count) but matches
//! nothing any more. Rule IDs (`flt_1`, `flt_2`, ...) are never reused within a [`Faults`],
//! not even after [`Faults::clear`].

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rand::distributions::Bernoulli;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

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
/// The most rules one [`Faults`] holds (used-up rules included).
const MAX_RULES: usize = 1_000;

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
    /// A rule for the operation `operation_id` (its `operationId` in the spec) doing `action`.
    fn for_operation(operation_id: &str, action: RuleAction) -> Self {
        Self {
            matcher: RuleMatch {
                operation_id: Some(operation_id.to_owned()),
                ..RuleMatch::default()
            },
            action,
            times: None,
            probability: None,
            seed: None,
        }
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
        Self {
            matcher: RuleMatch {
                provider: Some(endpoint),
                ..RuleMatch::default()
            },
            action: RuleAction {
                oauth_error: Some(error.to_owned()),
                ..RuleAction::default()
            },
            times: None,
            probability: None,
            seed: None,
        }
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

impl ProviderEndpoint {
    /// The `error` codes the endpoint may answer.
    fn errors(self) -> &'static [&'static str] {
        match self {
            ProviderEndpoint::Authorize => &AUTHORIZE_ERRORS,
            ProviderEndpoint::Token => &TOKEN_ERRORS,
        }
    }

    /// The endpoint's name, as in the JSON.
    fn name(self) -> &'static str {
        match self {
            ProviderEndpoint::Authorize => "authorize",
            ProviderEndpoint::Token => "token",
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
    fn new(field: &[&str], message: impl Into<String>) -> Self {
        FaultError {
            field: field.iter().map(|&segment| segment.to_owned()).collect(),
            message: message.into(),
        }
    }
}

/// One tenant's fault rules.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    /// The rules and the ID counter.
    state: Mutex<State>,
}

/// What [`Faults`] guards.
#[derive(Debug, Default)]
struct State {
    /// The number of the last rule ID handed out.
    last_id: u64,
    /// The rules, in the order added.
    rules: Vec<ActiveRule>,
}

/// A validated rule with its counters.
#[derive(Debug)]
struct ActiveRule {
    /// `flt_<n>`.
    id: String,
    /// The rule as listed.
    rule: Rule,
    /// The requests it applies to.
    matcher: Matcher,
    /// Its fault.
    effect: Effect,
    /// The chance of firing and its generator, when the rule has a probability.
    chance: Option<(Bernoulli, StdRng)>,
    /// How many times it fired.
    fired: u64,
}

/// A rule's `match`, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Matcher {
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

/// A rule's `action`, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Effect {
    /// For API requests.
    Api(ApiFault),
    /// For the fake provider.
    OAuth(OAuthFault),
}

impl Faults {
    /// Validates `rule` and adds it after the others.
    pub(crate) fn add(&self, rule: Rule) -> Result<RuleView, FaultError> {
        let (rule, matcher, effect) = validate(rule)?;
        let chance = match rule.probability {
            Some(p) => Some((
                Bernoulli::new(p).map_err(|_| probability_error(p))?,
                StdRng::seed_from_u64(rule.seed.unwrap_or(0)),
            )),
            None => None,
        };
        let mut state = self.state();
        if state.rules.len() >= MAX_RULES {
            return Err(FaultError::new(
                &[],
                format!("a tenant holds at most {MAX_RULES} fault rules: remove some first"),
            ));
        }
        state.last_id += 1;
        let active = ActiveRule {
            id: format!("flt_{}", state.last_id),
            rule,
            matcher,
            effect,
            chance,
            fired: 0,
        };
        let view = active.view();
        state.rules.push(active);
        Ok(view)
    }

    /// Every rule, in the order added (used-up ones included, with `remaining: 0`).
    pub(crate) fn list(&self) -> Vec<RuleView> {
        self.state().rules.iter().map(ActiveRule::view).collect()
    }

    /// Removes the rule `id`; `false` when there is none.
    pub(crate) fn remove(&self, id: &str) -> bool {
        let mut state = self.state();
        let before = state.rules.len();
        state.rules.retain(|rule| rule.id != id);
        state.rules.len() != before
    }

    /// Removes every rule (IDs keep counting).
    pub(crate) fn clear(&self) {
        self.state().rules.clear();
    }

    /// The fault for an API request, consuming one firing of the first rule (in the order
    /// added) that matches AND fires. `path` is the request's path (a query is ignored).
    pub(crate) fn for_api(
        &self,
        operation_id: Option<&str>,
        method: &str,
        path: &str,
    ) -> Option<ApiFault> {
        let path = path.split(['?', '#']).next().unwrap_or(path);
        let mut state = self.state();
        state.rules.iter_mut().find_map(|rule| match &rule.effect {
            Effect::Api(fault) if rule.matcher.matches_api(operation_id, method, path) => {
                let fault = fault.clone();
                rule.fire().then_some(fault)
            }
            _ => None,
        })
    }

    /// The fault for a request to the fake provider's endpoint.
    pub(crate) fn for_provider(&self, endpoint: ProviderEndpoint) -> Option<OAuthFault> {
        let mut state = self.state();
        state.rules.iter_mut().find_map(|rule| match &rule.effect {
            Effect::OAuth(fault) if rule.matcher == Matcher::Provider(endpoint) => {
                let fault = fault.clone();
                rule.fire().then_some(fault)
            }
            _ => None,
        })
    }

    /// The state, even after a panic elsewhere while holding it.
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl ActiveRule {
    /// The rule as listed.
    fn view(&self) -> RuleView {
        RuleView {
            id: self.id.clone(),
            rule: self.rule.clone(),
            fired: self.fired,
            remaining: self
                .rule
                .times
                .map(|times| times.saturating_sub(self.fired)),
        }
    }

    /// Whether the rule fires for a request it matches (drawing when it has a probability),
    /// counting the firing.
    fn fire(&mut self) -> bool {
        if self.rule.times.is_some_and(|times| self.fired >= times) {
            return false;
        }
        if let Some((chance, rng)) = &mut self.chance
            && !rng.sample(*chance)
        {
            return false;
        }
        self.fired = self.fired.saturating_add(1);
        true
    }
}

impl Matcher {
    /// Whether an API request with this operation ID, method and path (no query) matches.
    fn matches_api(&self, operation_id: Option<&str>, method: &str, path: &str) -> bool {
        match self {
            Matcher::Operation(id) => operation_id == Some(id.as_str()),
            Matcher::Route {
                method: expected,
                segments,
            } => {
                expected
                    .as_deref()
                    .is_none_or(|expected| expected.eq_ignore_ascii_case(method))
                    && path.split('/').count() == segments.len()
                    && path.split('/').zip(segments).all(|(actual, pattern)| {
                        actual == pattern || (pattern == "*" && !actual.is_empty())
                    })
            }
            Matcher::Provider(_) => false,
        }
    }
}

/// Checks `rule`, returning it with its defaults filled in, its matcher and its effect.
fn validate(mut rule: Rule) -> Result<(Rule, Matcher, Effect), FaultError> {
    let matcher = validate_match(&rule.matcher)?;
    let effect = validate_action(&rule.action, &matcher)?;
    if rule.times == Some(0) {
        return Err(FaultError::new(&["times"], "times must be at least 1"));
    }
    match (rule.probability, rule.seed) {
        (Some(p), _) if !(p > 0.0 && p <= 1.0) => return Err(probability_error(p)),
        (None, Some(_)) => {
            return Err(FaultError::new(
                &["seed"],
                "seed needs probability: a rule without one fires on every matching request",
            ));
        }
        (Some(_), None) => rule.seed = Some(0),
        _ => {}
    }
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
    Ok((rule, matcher, effect))
}

/// The error of a probability out of range.
fn probability_error(p: f64) -> FaultError {
    FaultError::new(
        &["probability"],
        format!("probability must be more than 0 and at most 1, not {p}"),
    )
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
    let allowed = endpoint.errors();
    if !allowed.contains(&error) {
        return Err(FaultError::new(
            &["action", "oauth_error"],
            format!(
                "oauth_error at the {} endpoint must be {}, not {error:?}",
                endpoint.name(),
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

    /// A rule from its JSON.
    fn rule(value: serde_json::Value) -> Rule {
        serde_json::from_value(value).unwrap_or_else(|e| panic!("a valid rule's JSON: {e}"))
    }

    /// Faults holding the rules of `values`, in order.
    fn faults(values: &[serde_json::Value]) -> Faults {
        let faults = Faults::default();
        for value in values {
            faults.add(rule(value.clone())).unwrap();
        }
        faults
    }

    /// A status fault without `Retry-After`.
    fn status(status: u16) -> Option<ApiFault> {
        Some(ApiFault::Status {
            status,
            retry_after_seconds: None,
        })
    }

    const CREATE: &str = "create_provider_setup_session";

    #[test]
    fn times_two_fires_exactly_twice() {
        let faults = faults(&[json!({
            "match": {"operation_id": CREATE}, "action": {"status": 503}, "times": 2
        })]);
        assert_eq!(faults.for_api(Some(CREATE), "POST", "/x"), status(503));
        assert_eq!(faults.for_api(Some(CREATE), "POST", "/x"), status(503));
        assert_eq!(faults.for_api(Some(CREATE), "POST", "/x"), None);
        assert_eq!(faults.for_api(Some(CREATE), "POST", "/x"), None);
        let views = faults.list();
        assert_eq!(views.len(), 1, "a used-up rule stays listed");
        assert_eq!((views[0].fired, views[0].remaining), (2, Some(0)));
    }

    #[test]
    fn rules_are_checked_in_the_order_added() {
        let faults = faults(&[
            json!({"match": {"operation_id": CREATE}, "action": {"status": 500}, "times": 1}),
            json!({"match": {"path": "/provider-setup-sessions"}, "action": {"status": 502}}),
            json!({"match": {"operation_id": CREATE}, "action": {"status": 504}}),
        ]);
        let path = "/provider-setup-sessions";
        assert_eq!(faults.for_api(Some(CREATE), "POST", path), status(500));
        assert_eq!(faults.for_api(Some(CREATE), "POST", path), status(502));
        assert_eq!(faults.for_api(Some(CREATE), "POST", "/other"), status(504));
        let fired: Vec<u64> = faults.list().iter().map(|view| view.fired).collect();
        assert_eq!(fired, [1, 1, 1]);
    }

    #[test]
    fn a_probabilistic_rule_that_does_not_fire_lets_later_rules_decide() {
        let faults = faults(&[
            json!({"match": {"path": "/a"}, "action": {"status": 500}, "probability": 0.5}),
            json!({"match": {"path": "/a"}, "action": {"status": 503}}),
        ]);
        let answers: Vec<_> = (0..20).map(|_| faults.for_api(None, "GET", "/a")).collect();
        assert!(answers.contains(&status(500)));
        assert!(answers.contains(&status(503)));
        assert!(answers.iter().all(Option::is_some));
    }

    /// Whether each of 20 requests fired a `probability: 0.5, seed: 7` rule.
    fn seeded_sequence() -> Vec<bool> {
        let faults = faults(&[json!({
            "match": {"path": "/a"}, "action": {"close_connection": true},
            "probability": 0.5, "seed": 7
        })]);
        (0..20)
            .map(|_| faults.for_api(None, "GET", "/a").is_some())
            .collect()
    }

    #[test]
    fn probability_with_a_seed_repeats_across_instances() {
        let first = seeded_sequence();
        assert_eq!(first, seeded_sequence());
        assert!(first.contains(&true) && first.contains(&false), "{first:?}");
    }

    #[test]
    fn probability_and_times_draw_for_each_match_and_cap_the_firings() {
        let faults = faults(&[json!({
            "match": {"path": "/a"}, "action": {"close_connection": true},
            "probability": 0.5, "times": 3
        })]);
        let fired = (0..50)
            .filter(|_| faults.for_api(None, "GET", "/a") == Some(ApiFault::Close))
            .count();
        assert_eq!(fired, 3);
        let view = &faults.list()[0];
        assert_eq!(
            (view.fired, view.remaining, view.rule.seed),
            (3, Some(0), Some(0))
        );
    }

    #[test]
    fn a_star_segment_matches_any_one_segment() {
        let faults = faults(&[json!({
            "match": {"path": "/provider-setup-sessions/*/tokens"},
            "action": {"latency_ms": 250}
        })]);
        let latency = Some(ApiFault::Latency(Duration::from_millis(250)));
        let hit = |path| faults.for_api(None, "GET", path);
        assert_eq!(hit("/provider-setup-sessions/pas_1/tokens"), latency);
        assert_eq!(hit("/provider-setup-sessions/pas_2/tokens?x=1"), latency);
        assert_eq!(hit("/provider-setup-sessions/pas_1/x/tokens"), None);
        assert_eq!(hit("/provider-setup-sessions/tokens"), None);
        assert_eq!(hit("/provider-setup-sessions//tokens"), None);
        assert_eq!(hit("/provider-setup-sessions/pas_1/tokens/"), None);
        assert_eq!(hit("/provider-oauth-setups/pas_1/tokens"), None);
    }

    #[test]
    fn method_is_optional_and_compared_case_insensitively() {
        let any = faults(&[json!({"match": {"path": "/a"}, "action": {"status": 500}})]);
        for method in ["GET", "POST", "DELETE"] {
            assert_eq!(any.for_api(None, method, "/a"), status(500));
        }
        let post = faults(&[json!({
            "match": {"method": "post", "path": "/a"}, "action": {"status": 500}
        })]);
        assert_eq!(post.for_api(None, "POST", "/a"), status(500));
        assert_eq!(post.for_api(None, "post", "/a"), status(500));
        assert_eq!(post.for_api(None, "GET", "/a"), None);
        assert_eq!(post.list()[0].rule.matcher.method.as_deref(), Some("POST"));
    }

    #[test]
    fn operation_id_matches_only_requests_with_that_id() {
        let faults = faults(&[json!({
            "match": {"operation_id": CREATE}, "action": {"status": 502}
        })]);
        assert_eq!(faults.for_api(Some(CREATE), "POST", "/a"), status(502));
        assert_eq!(faults.for_api(None, "POST", "/a"), None);
        let other = "list_provider_auth_exports";
        assert_eq!(faults.for_api(Some(other), "POST", "/a"), None);
    }

    #[test]
    fn statuses_carry_their_retry_after() {
        let faults = faults(&[
            json!({"match": {"path": "/a"}, "action": {"status": 429}}),
            json!({"match": {"path": "/b"}, "action": {"status": 429, "retry_after_seconds": 2}}),
            json!({"match": {"path": "/c"}, "action": {"status": 503, "retry_after_seconds": 5}}),
        ]);
        let with = |status, seconds| {
            Some(ApiFault::Status {
                status,
                retry_after_seconds: Some(seconds),
            })
        };
        assert_eq!(faults.for_api(None, "GET", "/a"), with(429, 1));
        assert_eq!(faults.for_api(None, "GET", "/b"), with(429, 2));
        assert_eq!(faults.for_api(None, "GET", "/c"), with(503, 5));
        assert_eq!(faults.list()[0].rule.action.retry_after_seconds, Some(1));
    }

    #[test]
    fn api_faults_describe_themselves() {
        let described = [
            (status(503), "status 503"),
            (
                Some(ApiFault::Latency(Duration::from_millis(250))),
                "latency 250 ms",
            ),
            (Some(ApiFault::Close), "connection closed"),
        ];
        for (fault, text) in described {
            assert_eq!(fault.map(|f| f.describe()).as_deref(), Some(text));
        }
    }

    #[test]
    fn provider_and_api_rules_never_cross() {
        let faults = faults(&[
            json!({"match": {"provider": "token"},
                   "action": {"oauth_error": "invalid_grant", "description": "code expired"}}),
            json!({"match": {"path": "/_emulator/provider/token"}, "action": {"status": 500}}),
        ]);
        assert_eq!(faults.for_provider(ProviderEndpoint::Authorize), None);
        assert_eq!(
            faults.for_provider(ProviderEndpoint::Token),
            Some(OAuthFault {
                error: "invalid_grant".to_owned(),
                description: Some("code expired".to_owned()),
            })
        );
        assert_eq!(faults.for_api(None, "POST", "/a"), None);
        assert_eq!(
            faults.for_api(None, "POST", "/_emulator/provider/token"),
            status(500)
        );
        let fired: Vec<u64> = faults.list().iter().map(|view| view.fired).collect();
        assert_eq!(fired, [1, 1]);
    }

    #[test]
    fn remove_and_clear() {
        let faults = faults(&[
            json!({"match": {"path": "/a"}, "action": {"status": 500}}),
            json!({"match": {"path": "/a"}, "action": {"status": 502}}),
        ]);
        assert!(faults.remove("flt_1"));
        assert!(!faults.remove("flt_1"));
        assert!(!faults.remove("flt_9"));
        assert_eq!(faults.for_api(None, "GET", "/a"), status(502));
        faults.clear();
        assert!(faults.list().is_empty());
        assert_eq!(faults.for_api(None, "GET", "/a"), None);
        let view = faults
            .add(rule(
                json!({"match": {"path": "/a"}, "action": {"status": 504}}),
            ))
            .unwrap();
        assert_eq!(view.id, "flt_3", "IDs are not reused");
        let ids: Vec<String> = faults.list().into_iter().map(|view| view.id).collect();
        assert_eq!(ids, ["flt_3"]);
    }

    #[test]
    fn a_rule_view_is_flat_json() {
        let faults = faults(&[json!({
            "match": {"method": "post", "path": "/provider-setup-sessions/*"},
            "action": {"status": 429},
            "times": 2,
            "probability": 1.0
        })]);
        assert!(
            faults
                .for_api(None, "POST", "/provider-setup-sessions/p")
                .is_some()
        );
        let view = serde_json::to_value(&faults.list()[0]).unwrap();
        let expected = json!({
            "id": "flt_1",
            "match": {"method": "POST", "path": "/provider-setup-sessions/*"},
            "action": {"status": 429, "retry_after_seconds": 1},
            "times": 2,
            "probability": 1.0,
            "seed": 0,
            "fired": 1,
            "remaining": 1
        });
        assert_eq!(view, expected);
        let unlimited = Faults::default()
            .add(rule(json!({"match": {"provider": "authorize"},
                             "action": {"oauth_error": "access_denied"}})))
            .unwrap();
        let expected = json!({
            "id": "flt_1",
            "match": {"provider": "authorize"},
            "action": {"oauth_error": "access_denied"},
            "fired": 0,
            "remaining": null
        });
        assert_eq!(serde_json::to_value(&unlimited).unwrap(), expected);
    }

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
    fn a_tenant_holds_a_limited_number_of_rules() {
        let faults = Faults::default();
        let value = json!({"match": {"path": "/a"}, "action": {"status": 500}, "times": 1});
        for _ in 0..MAX_RULES {
            faults.add(rule(value.clone())).unwrap();
        }
        let error = faults.add(rule(value)).unwrap_err();
        assert!(error.field.is_empty());
        assert_eq!(
            error.message,
            "a tenant holds at most 1000 fault rules: remove some first"
        );
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
            let faults = Faults::default();
            let error = faults.add(rule(value.clone())).unwrap_err();
            assert_eq!(error.field, field, "{value}");
            assert_eq!(error.message, message, "{value}");
            assert_eq!(error.to_string(), message);
            assert!(faults.list().is_empty(), "{value}");
        }
    }
}
