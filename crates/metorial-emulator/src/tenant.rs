//! Tenants: each API key is its own Metorial instance, with its own database (objects,
//! fixtures, fake provider), clock, request journal and fault rules. Two test suites sharing
//! one emulator never see each other's data.
//!
//! A tenant's ID (`tnt_` and 16 hex digits of the key's SHA-256) names it where no key is sent:
//! its browser pages live under `/t/{tenant id}/` (a flow's `url`, the OAuth callback, the
//! fake provider), so a browser reaches the right tenant without the key. The ID does not
//! reveal the key, and the same key always gets the same ID (and, with a database file, the
//! same file) across restarts.

use std::fmt::{self, Write as _};
use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use sha2::{Digest, Sha256};
use subtle::{Choice, ConstantTimeEq};

use crate::cache::ResponseCache;
use crate::faults::Faults;
use crate::fixtures::Fixtures;
use crate::journal::Journal;
use crate::store::seed::{self, SeedAuthConfig, SeedTokens};
use crate::store::snapshot::{self, Snapshot};
use crate::store::{Store, StoreError, StoreSettings};
use crate::time::Clock;
use metorial_models::ProviderAuthConfig;

/// One tenant: an API key's world. Cheap to clone.
#[derive(Clone)]
pub(crate) struct Tenant(Arc<TenantState>);

/// What a tenant holds.
pub(crate) struct TenantState {
    /// `tnt_…`: names the tenant in browser URLs.
    pub(crate) id: String,
    /// Its database (its clock is in the store's settings).
    pub(crate) store: Store,
    /// Its API requests, newest last.
    pub(crate) journal: Journal,
    /// Its fault rules.
    pub(crate) faults: Faults,
    /// The encoded answers of its reads, while still right.
    pub(crate) cache: ResponseCache,
    /// Base of every URL handed to a browser: `<public URL>/t/<id>`.
    pub(crate) public_url: String,
    /// Base the server reaches this tenant's pages at (the fake provider's token endpoint).
    pub(crate) internal_url: String,
}

impl std::ops::Deref for Tenant {
    type Target = TenantState;

    fn deref(&self) -> &TenantState {
        &self.0
    }
}

impl fmt::Debug for Tenant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tenant").field("id", &self.id).finish()
    }
}

impl Tenant {
    /// The clock every stored time of this tenant comes from.
    pub(crate) fn clock(&self) -> &Clock {
        self.store.clock()
    }

    /// Back to a new tenant's state: the fixtures' objects only, the wall clock, an empty
    /// journal, no fault rules.
    pub(crate) async fn reset(&self, fixtures: Fixtures) -> Result<(), StoreError> {
        self.store
            .call_blocking(move |db| snapshot::reset(db, &fixtures))
            .await?;
        self.journal.clear();
        self.faults.clear();
        self.cache.clear();
        Ok(())
    }

    /// Everything the tenant holds, as JSON.
    pub(crate) async fn export(&self) -> Result<Snapshot, StoreError> {
        self.store.call_blocking(snapshot::export).await
    }

    /// Replaces everything the tenant holds with `snapshot` (nothing changes when it fails).
    pub(crate) async fn import(&self, snapshot: Snapshot) -> Result<(), StoreError> {
        self.store
            .call_blocking(move |db| snapshot::import(db, &snapshot))
            .await
    }

    /// A new auth config holding the seeded tokens.
    pub(crate) async fn seed_auth_config(
        &self,
        seed: SeedAuthConfig,
    ) -> Result<ProviderAuthConfig, StoreError> {
        self.store.call(move |db| seed::auth_config(db, seed)).await
    }

    /// Completes the flow `id` with `tokens`: the new auth config's ID.
    pub(crate) async fn complete_flow(
        &self,
        id: String,
        tokens: SeedTokens,
    ) -> Result<String, StoreError> {
        self.store
            .call(move |db| seed::complete_flow(db, &id, tokens))
            .await
    }

    /// Fails the flow `id` with an OAuth error.
    pub(crate) async fn fail_flow(
        &self,
        id: String,
        error: Option<String>,
        description: Option<String>,
    ) -> Result<(), StoreError> {
        self.store
            .call(move |db| seed::fail_flow(db, &id, error, description))
            .await
    }

    /// The OAuth redirect URI of this tenant's flows.
    pub(crate) fn callback_url(&self) -> String {
        format!("{}{}", self.public_url, crate::oauth::CALLBACK_PATH)
    }
}

/// The tenant ID of an API key: `tnt_` and the first 8 bytes of its SHA-256, in hex.
pub(crate) fn tenant_id(api_key: &str) -> String {
    let digest = Sha256::digest(api_key.as_bytes());
    let mut id = String::from("tnt_");
    for byte in &digest[..8] {
        let _ = write!(id, "{byte:02x}");
    }
    id
}

/// Refuses an empty API key or one with spaces or control characters.
fn check_api_key(key: &str) -> Result<(), crate::Error> {
    if key.is_empty() || key.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(crate::Error::Config {
            option: "api_key",
            message: "an API key must be non-empty, without spaces".to_owned(),
        });
    }
    Ok(())
}

/// What every tenant starts from.
pub(crate) struct Template {
    /// The emulator's public URL (no trailing slash).
    pub(crate) public_url: String,
    /// The URL the server reaches itself at.
    pub(crate) internal_url: String,
    /// How long a setup session stays usable, in milliseconds.
    pub(crate) session_lifetime_ms: i64,
    /// How long an OAuth setup stays usable, in milliseconds.
    pub(crate) oauth_setup_lifetime_ms: i64,
    /// The objects every tenant starts with (and gets back on reset).
    pub(crate) fixtures: Fixtures,
    /// The first tenant's SQLite file; the others' are beside it (`<file>.<tenant id>`).
    pub(crate) database: Option<PathBuf>,
    /// How many requests each journal keeps.
    pub(crate) journal_size: usize,
}

/// Every tenant, by API key.
pub(crate) struct Tenants {
    /// What a new tenant starts from.
    template: Template,
    /// The tenants, in the order they were made (the first is the default one).
    tenants: RwLock<Vec<(String, Tenant)>>,
}

impl fmt::Debug for Tenants {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tenants")
            .field("count", &self.read().len())
            .finish_non_exhaustive()
    }
}

impl Tenants {
    /// One tenant per key (a repeated key is one tenant), opening their databases (blocking).
    pub(crate) fn open(template: Template, keys: &[String]) -> Result<Self, crate::Error> {
        let tenants = Self {
            template,
            tenants: RwLock::new(Vec::new()),
        };
        for key in keys {
            if tenants.by_key(key).is_none() {
                tenants.add(key.clone())?;
            }
        }
        Ok(tenants)
    }

    /// The tenants (a poisoned lock still holds a consistent list: it is only pushed to).
    fn read(&self) -> std::sync::RwLockReadGuard<'_, Vec<(String, Tenant)>> {
        self.tenants.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Opens a new tenant for `key` (blocking: it opens a database). Fails when the key is
    /// empty or has spaces, or has a tenant already.
    pub(crate) fn add(&self, key: String) -> Result<Tenant, crate::Error> {
        check_api_key(&key)?;
        let id = tenant_id(&key);
        let first = self.read().is_empty();
        let tenant = self.open_tenant(id, first)?;
        let mut tenants = self.tenants.write().unwrap_or_else(|e| e.into_inner());
        if tenants.iter().any(|(_, t)| t.id == tenant.id) {
            return Err(crate::Error::Config {
                option: "api_key",
                message: "this API key has a tenant already".to_owned(),
            });
        }
        tenants.push((key, tenant.clone()));
        Ok(tenant)
    }

    /// A tenant's state: its database (the template's file for the first tenant, a file beside
    /// it for the others, or memory), a fresh journal and no fault rules.
    fn open_tenant(&self, id: String, first: bool) -> Result<Tenant, crate::Error> {
        let t = &self.template;
        let public_url = format!("{}/t/{id}", t.public_url);
        let settings = StoreSettings {
            public_url: public_url.clone(),
            session_lifetime_ms: t.session_lifetime_ms,
            oauth_setup_lifetime_ms: t.oauth_setup_lifetime_ms,
            clock: Clock::default(),
        };
        let database = t.database.as_ref().map(|path| {
            if first {
                path.clone()
            } else {
                let mut name = path.clone().into_os_string();
                name.push(format!(".{id}"));
                PathBuf::from(name)
            }
        });
        let store = Store::open(database.as_deref(), &t.fixtures, settings)?;
        Ok(Tenant(Arc::new(TenantState {
            internal_url: format!("{}/t/{id}", t.internal_url),
            id,
            store,
            journal: Journal::new(t.journal_size),
            faults: Faults::default(),
            cache: ResponseCache::default(),
            public_url,
        })))
    }

    /// The tenant of `presented`; every key is compared, in constant time for keys of the same
    /// length.
    pub(crate) fn by_key(&self, presented: &str) -> Option<Tenant> {
        let mut found = None;
        for (key, tenant) in self.read().iter() {
            let matches: Choice = key.as_bytes().ct_eq(presented.as_bytes());
            if bool::from(matches) {
                found = Some(tenant.clone());
            }
        }
        found
    }

    /// The tenant with this ID.
    pub(crate) fn by_id(&self, id: &str) -> Option<Tenant> {
        self.read()
            .iter()
            .find(|(_, tenant)| tenant.id == id)
            .map(|(_, tenant)| tenant.clone())
    }

    /// Every tenant with its key, the default one first.
    pub(crate) fn all(&self) -> Vec<(String, Tenant)> {
        self.read().clone()
    }

    /// The objects a tenant starts with.
    pub(crate) fn fixtures(&self) -> &Fixtures {
        &self.template.fixtures
    }
}

#[cfg(test)]
mod tests {
    use super::tenant_id;

    #[test]
    fn a_key_always_gets_the_same_id_and_keys_differ() {
        let id = tenant_id("metorial_sk_a");
        assert_eq!(id, tenant_id("metorial_sk_a"));
        assert_ne!(id, tenant_id("metorial_sk_b"));
        assert!(id.starts_with("tnt_") && id.len() == 20, "{id}");
        assert!(!id.contains("metorial_sk_a"));
    }
}
