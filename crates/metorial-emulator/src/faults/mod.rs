//! Fault injection: per-tenant rules that make matching requests fail, so a test can see how
//! its client copes with errors, slowness and dropped connections. [`rule`]: a rule's wire
//! form; [`validate`]: checking one; [`engine`]: a tenant's rules, deciding each request.

mod engine;
mod rule;
mod validate;

pub(crate) use engine::Faults;
pub use rule::{ProviderEndpoint, Rule, RuleAction, RuleMatch, RuleView};
pub(crate) use validate::{ApiFault, FaultError, OAuthFault};
