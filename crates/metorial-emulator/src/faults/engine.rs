//! The fault engine: one tenant's rules ([`Faults`]), and which request each one fails.
//!
//! Matching order: rules are tried in the order they were added; the first rule that matches
//! the request *and* fires decides the fault. A probabilistic rule draws only when a request
//! reaches it (no earlier rule fired) and matches it. A rule whose `times` is used up stays in
//! [`Faults::list`] (with `remaining: 0`, so a test can read its `fired` count) but matches
//! nothing any more. Rule IDs (`flt_1`, `flt_2`, ...) are never reused within a [`Faults`],
//! not even after [`Faults::clear`].

use std::sync::{Mutex, MutexGuard};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::rule::{ProviderEndpoint, Rule, RuleView};
use super::validate::{ApiFault, Checked, Effect, FaultError, Matcher, OAuthFault, validate};

/// The most rules one [`Faults`] holds (used-up rules included).
const MAX_RULES: usize = 1_000;

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

/// A checked rule with its counters.
#[derive(Debug)]
struct ActiveRule {
    /// `flt_<n>`.
    id: String,
    /// The rule, checked.
    checked: Checked,
    /// The generator its chance draws from, seeded with its `seed` (used with a probability).
    rng: StdRng,
    /// How many times it fired.
    fired: u64,
}

impl Faults {
    /// Validates `rule` and adds it after the others.
    pub(crate) fn add(&self, rule: Rule) -> Result<RuleView, FaultError> {
        let checked = validate(rule)?;
        let rng = StdRng::seed_from_u64(checked.rule.seed.unwrap_or(0));
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
            checked,
            rng,
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

    /// The fault for an API request. `path` is the request's path (a query is ignored).
    pub(crate) fn for_api(
        &self,
        operation_id: Option<&str>,
        method: &str,
        path: &str,
    ) -> Option<ApiFault> {
        let path = path.split(['?', '#']).next().unwrap_or(path);
        self.first_firing(|rule| match &rule.effect {
            Effect::Api(fault) if rule.matcher.matches_api(operation_id, method, path) => {
                Some(fault)
            }
            _ => None,
        })
    }

    /// The fault for a request to the fake provider's endpoint.
    pub(crate) fn for_provider(&self, endpoint: ProviderEndpoint) -> Option<OAuthFault> {
        self.first_firing(|rule| match &rule.effect {
            Effect::OAuth(fault) if rule.matcher == Matcher::Provider(endpoint) => Some(fault),
            _ => None,
        })
    }

    /// The fault (`fault` gives it) of the first rule, in the order added, that matches AND
    /// fires, consuming one firing of it.
    fn first_firing<T: Clone>(&self, fault: impl Fn(&Checked) -> Option<&T>) -> Option<T> {
        let mut state = self.state();
        state.rules.iter_mut().find_map(|rule| {
            let fault = fault(&rule.checked)?.clone();
            rule.fire().then_some(fault)
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
            rule: self.checked.rule.clone(),
            fired: self.fired,
            remaining: self.remaining(),
        }
    }

    /// How many more times the rule may fire (`None`: no limit).
    fn remaining(&self) -> Option<u64> {
        let times = self.checked.rule.times;
        times.map(|times| times.saturating_sub(self.fired))
    }

    /// Whether the rule fires for a request it matches (drawing when it has a probability),
    /// counting the firing.
    fn fire(&mut self) -> bool {
        if self.remaining() == Some(0) {
            return false;
        }
        if let Some(chance) = self.checked.chance
            && !self.rng.sample(chance)
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

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
    fn a_refused_rule_is_not_added() {
        let faults = Faults::default();
        let refused = json!({"match": {"path": "a"}, "action": {"status": 500}});
        assert!(faults.add(rule(refused)).is_err());
        assert!(faults.list().is_empty());
        assert_eq!(faults.for_api(None, "GET", "a"), None);
    }
}
