//! The control operations that act on more than one tenant's parts, written once for the
//! control API's routes and for [`TenantHandle`](crate::control::TenantHandle) and
//! [`Emulator`](crate::Emulator).

use crate::control::ControlError;
use crate::tenant::{Tenant, Tenants};

/// Back to a new tenant's state: the fixtures' objects, the wall clock, an empty journal, no
/// fault rules.
pub(crate) async fn reset(tenant: &Tenant) -> Result<(), ControlError> {
    Ok(tenant.reset().await?)
}

/// [`reset`] for every tenant.
pub(crate) async fn reset_all(tenants: &Tenants) -> Result<(), ControlError> {
    for tenant in tenants.all() {
        reset(&tenant).await?;
    }
    Ok(())
}
