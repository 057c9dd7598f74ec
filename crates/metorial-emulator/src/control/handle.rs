//! [`TenantHandle`]: a test's hold on one tenant of a running emulator: its clock, state,
//! journal and fault rules. Each method does what the control API (`/_emulator/...`) does with
//! that tenant's key: both call the same code.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use metorial_models::{ProviderAuthConfig, Timestamp};

use crate::control::ControlError;
use crate::control::{
    FaultRule, FaultView, JournalQuery, JournalView, SeedAuthConfig, SeedTokens, Snapshot,
};
use crate::error::Error;
use crate::store::fake_provider::IssuedToken;
use crate::store::{ClockMove, StoreError, fake_provider};
use crate::tenant::{Tenant, Tenants};
use crate::time::timestamp;

/// One tenant of a running emulator (an API key's own world), from
/// [`Emulator::tenant`](crate::Emulator::tenant),
/// [`tenant_for`](crate::Emulator::tenant_for) or
/// [`create_tenant`](crate::Emulator::create_tenant). Cheap to clone.
#[derive(Clone)]
pub struct TenantHandle {
    /// The tenant's API key.
    api_key: String,
    /// The tenant.
    tenant: Tenant,
    /// Every tenant (for what a tenant starts from).
    tenants: Arc<Tenants>,
}

impl fmt::Debug for TenantHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TenantHandle")
            .field("id", &self.tenant.id)
            .field("api_key", &"<redacted>")
            .finish()
    }
}

impl TenantHandle {
    /// The handle on `tenant`, whose key is `api_key`.
    pub(crate) fn new(api_key: String, tenant: Tenant, tenants: &Arc<Tenants>) -> Self {
        Self {
            api_key,
            tenant,
            tenants: Arc::clone(tenants),
        }
    }

    /// The tenant's ID (`tnt_…`): its browser pages are under `<public URL>/t/<id>`.
    pub fn id(&self) -> &str {
        &self.tenant.id
    }

    /// The tenant's API key (send it as `Authorization: Bearer <key>`).
    pub fn api_key(&self) -> &str {
        &self.api_key
    }

    /// The tenant's current time (its virtual clock: the wall clock unless moved).
    pub fn now(&self) -> Timestamp {
        timestamp(self.tenant.clock().now_ms())
    }

    /// Moves the tenant's clock forward by `by`; every stored time follows it (expiry of
    /// sessions, setups and the fake provider's tokens, `created_at`, the time part of new
    /// IDs). Returns the new time. The same as `POST /_emulator/clock` with
    /// `{"advance_seconds": ...}`.
    ///
    /// # Errors
    ///
    /// [`Error::Control`] (`invalid_data`) when the clock would pass
    /// 9999-12-31T23:59:59.999Z, the latest time the emulator represents; the clock is then
    /// unchanged.
    pub async fn advance_clock(&self, by: Duration) -> Result<Timestamp, Error> {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.move_clock(ClockMove::Advance(ms)).await
    }

    /// Sets the tenant's clock to `to` (it keeps running from there). Returns the new time.
    /// The same as `POST /_emulator/clock` with `{"set": ...}`.
    ///
    /// # Errors
    ///
    /// [`Error::Control`] (`invalid_data`) when `to` is before 1970 (the clock is then
    /// unchanged).
    pub async fn set_clock(&self, to: Timestamp) -> Result<Timestamp, Error> {
        self.move_clock(ClockMove::Set(to.timestamp_millis())).await
    }

    /// Moves the clock and records it in the tenant's database.
    async fn move_clock(&self, change: ClockMove) -> Result<Timestamp, Error> {
        let now = self
            .tenant
            .move_clock(change)
            .await
            .map_err(control_error)?;
        Ok(timestamp(now))
    }

    /// Deletes the tenant: its key stops working at once, and its objects (its database file,
    /// with `--database`), journal, fault rules and cache are freed. The same as `DELETE
    /// /_emulator/tenants/{id}` with the tenant's own key.
    ///
    /// # Errors
    ///
    /// [`Error::Control`]: `forbidden` for a tenant given at the start
    /// ([`EmulatorBuilder::api_key`](crate::EmulatorBuilder::api_key)), which is never
    /// deleted; `not_found` when it was deleted already.
    pub async fn delete(self) -> Result<(), Error> {
        self.tenants
            .delete(&self.tenant.id, &self.tenant)
            .await
            .map_err(|error| ControlError::from(error).into())
    }

    /// Back to a new tenant's state: the fixtures' objects only (every session, setup, auth
    /// config and export made since is gone), the wall clock, an empty journal and no fault
    /// rules. The key and the ID stay. The same as `POST /_emulator/reset`.
    pub async fn reset(&self) -> Result<(), Error> {
        Ok(crate::control::reset(&self.tenant).await?)
    }

    /// The tenant's whole state (every object, the fake provider's tokens and codes, the clock's
    /// offset) as JSON, secrets included. The same as `GET /_emulator/snapshot`.
    pub async fn snapshot(&self) -> Result<Snapshot, Error> {
        self.tenant.export().await.map_err(control_error)
    }

    /// Replaces the tenant's whole state with `snapshot` (from [`snapshot`](Self::snapshot) of
    /// this or another tenant or emulator of the same version); a snapshot the emulator cannot
    /// take changes nothing. The same as `PUT /_emulator/snapshot`.
    pub async fn restore(&self, snapshot: Snapshot) -> Result<(), Error> {
        self.tenant.import(snapshot).await.map_err(control_error)
    }

    /// The requests recorded in the tenant's journal that pass `query`, oldest first. The
    /// same as `GET /_emulator/journal`.
    pub fn journal(&self, query: &JournalQuery) -> JournalView {
        self.tenant.journal.query(query)
    }

    /// Empties the tenant's journal. The same as `DELETE /_emulator/journal`.
    pub fn clear_journal(&self) {
        self.tenant.journal.clear();
    }

    /// Adds a fault rule (tried after the ones already there). The same as `POST
    /// /_emulator/faults`.
    pub fn add_fault(&self, rule: FaultRule) -> Result<FaultView, Error> {
        self.tenant
            .faults
            .add(rule)
            .map_err(|error| ControlError::from(error).into())
    }

    /// The tenant's fault rules, in the order they are tried. The same as `GET
    /// /_emulator/faults`.
    pub fn faults(&self) -> Vec<FaultView> {
        self.tenant.faults.list()
    }

    /// Removes the fault rule `id`; whether there was one. The same as `DELETE
    /// /_emulator/faults/{id}`.
    pub fn remove_fault(&self, id: &str) -> bool {
        self.tenant.faults.remove(id)
    }

    /// Removes every fault rule. The same as `DELETE /_emulator/faults`.
    pub fn clear_faults(&self) {
        self.tenant.faults.clear();
    }

    /// Creates an auth config holding the given tokens, without an OAuth flow (an export of it
    /// returns them). The same as `POST /_emulator/auth-configs`.
    pub async fn seed_auth_config(
        &self,
        seed: SeedAuthConfig,
    ) -> Result<ProviderAuthConfig, Error> {
        self.tenant
            .seed_auth_config(seed)
            .await
            .map_err(control_error)
    }

    /// Completes the setup session or OAuth setup `id` with these tokens, as if the user had
    /// approved at the provider; the new auth config's ID. The same as `POST
    /// /_emulator/flows/{id}/complete`.
    pub async fn complete_flow(&self, id: &str, tokens: SeedTokens) -> Result<String, Error> {
        self.tenant
            .complete_flow(id.to_owned(), tokens)
            .await
            .map_err(control_error)
    }

    /// Fails the setup session or OAuth setup `id`, as if the provider had answered `error`
    /// (default `access_denied`). The same as `POST /_emulator/flows/{id}/fail`.
    pub async fn fail_flow(
        &self,
        id: &str,
        error: Option<&str>,
        description: Option<&str>,
    ) -> Result<(), Error> {
        self.tenant
            .fail_flow(
                id.to_owned(),
                error.map(str::to_owned),
                description.map(str::to_owned),
            )
            .await
            .map_err(control_error)
    }

    /// The tokens the built-in fake provider issued in this tenant, oldest first.
    pub async fn issued_tokens(&self) -> Result<Vec<IssuedToken>, Error> {
        self.tenant
            .store
            .call(fake_provider::issued_tokens)
            .await
            .map_err(control_error)
    }
}

/// A store failure as [`Error::Control`], with the code the control API answers.
fn control_error(error: StoreError) -> Error {
    ControlError::from(error).into()
}
