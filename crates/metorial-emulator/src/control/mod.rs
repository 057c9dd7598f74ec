//! The types of the control API, for Rust callers of [`TenantHandle`]:
//! the request journal, fault rules, snapshots and seeded objects. Over HTTP they are the JSON
//! bodies of `/_emulator/...` (see the README).

mod error;
mod handle;
mod ops;

pub(crate) use error::ControlError;
pub(crate) use ops::{reset, reset_all};

pub use handle::TenantHandle;

pub use crate::faults::{
    ProviderEndpoint, Rule as FaultRule, RuleAction as FaultAction, RuleMatch as FaultMatch,
    RuleView as FaultView,
};
pub use crate::journal::{Entry as JournalEntry, Query as JournalQuery, View as JournalView};
pub use crate::store::seed::{SeedAuthConfig, SeedTokens};
pub use crate::store::snapshot::Snapshot;
