//! Tenants: each API key is its own Metorial instance, with its own database (objects,
//! fixtures, fake provider), clock, request journal and fault rules. Two test suites sharing
//! one emulator never see each other's data.
//!
//! A tenant's ID (`tnt_` and 16 hex digits of the key's SHA-256) names it where no key is sent:
//! its browser pages live under `/t/{tenant id}/` (a flow's `url`, the OAuth callback, the
//! fake provider), so a browser reaches the right tenant without the key. The ID does not
//! reveal the key, and the same key always gets the same ID (and, with a database file, the
//! same file) across restarts.

use std::collections::HashMap;
use std::fmt::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::cache::ResponseCache;
use crate::config::Config;
use crate::faults::Faults;
use crate::journal::Journal;
use crate::store::seed::{self, SeedAuthConfig, SeedTokens};
use crate::store::snapshot::{self, Snapshot};
use crate::store::{ClockMove, Context, Owner, Store, StoreError};
use crate::time::Clock;
use metorial_models::{ErrorCode, ProviderAuthConfig};

/// The fewest characters of an API key given to the emulator.
const MIN_KEY_LEN: usize = 20;

/// The most characters of an API key given to the emulator.
const MAX_KEY_LEN: usize = 256;

/// The rule every given API key follows, as error messages state it.
pub(crate) const KEY_RULE: &str =
    "an API key must be 20 to 256 characters of A-Z, a-z, 0-9 and _ (like metorial_sk_...)";

/// Why a tenant could not be made or deleted.
#[derive(Debug, thiserror::Error)]
pub(crate) enum TenantError {
    /// The key breaks [`KEY_RULE`].
    #[error("{KEY_RULE}")]
    InvalidKey,
    /// The key has a tenant already.
    #[error("this API key has a tenant already")]
    KeyTaken,
    /// The emulator holds its maximum of tenants.
    #[error(
        "the emulator holds its maximum of {max} tenants (--max-tenants); \
         delete one with DELETE /_emulator/tenants/{{id}}"
    )]
    Full {
        /// The bound.
        max: usize,
    },
    /// The tenant was given at the start (`--api-key`): it is not deleted.
    #[error("tenant {id} was given with --api-key and cannot be deleted")]
    Protected {
        /// Its ID.
        id: String,
    },
    /// No tenant with this ID (or not one the caller may delete).
    #[error("no tenant {id}")]
    NotFound {
        /// The ID asked for.
        id: String,
    },
    /// Its database could not be opened.
    #[error(transparent)]
    Open(#[from] crate::error::Error),
    /// Its database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl TenantError {
    /// The API's error code for it.
    pub(crate) fn code(&self) -> ErrorCode {
        match self {
            Self::InvalidKey | Self::KeyTaken => ErrorCode::InvalidData,
            Self::Full { .. } => ErrorCode::Conflict,
            Self::Protected { .. } => ErrorCode::Forbidden,
            Self::NotFound { .. } => ErrorCode::NotFound,
            Self::Open(_) => ErrorCode::InternalServerError,
            Self::Store(error) => error.code(),
        }
    }
}

/// One tenant: an API key's world. Cheap to clone.
#[derive(Clone)]
pub(crate) struct Tenant(Arc<TenantInner>);

/// What a tenant holds.
pub(crate) struct TenantInner {
    /// `tnt_…`: names the tenant in browser URLs.
    pub(crate) id: String,
    /// The SHA-256 of its API key (the key itself is not kept).
    key_sha256: [u8; 32],
    /// Given at the start (`--api-key`): it cannot be deleted, and it may delete others.
    pub(crate) protected: bool,
    /// Its database (its clock is in the store's context).
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
    type Target = TenantInner;

    fn deref(&self) -> &TenantInner {
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

    /// Moves the tenant's clock (checked; recorded in its database): the new time.
    pub(crate) async fn move_clock(&self, change: ClockMove) -> Result<i64, StoreError> {
        self.store.move_clock(change).await
    }

    /// Back to a new tenant's state: the fixtures' objects only, the wall clock, an empty
    /// journal, no fault rules.
    pub(crate) async fn reset(&self) -> Result<(), StoreError> {
        self.store.call_blocking(snapshot::reset).await?;
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
        format!("{}{}", self.public_url, crate::paths::CALLBACK_PATH)
    }
}

/// The SHA-256 of an API key.
fn key_sha256(api_key: &str) -> [u8; 32] {
    Sha256::digest(api_key.as_bytes()).into()
}

/// Lowercase hex of `bytes`.
fn hex(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        let _ = write!(text, "{byte:02x}");
    }
    text
}

/// The tenant ID of a key's SHA-256: `tnt_` and its first 8 bytes, in hex.
fn id_of_hash(hash: &[u8; 32]) -> String {
    format!("tnt_{}", hex(&hash[..8]))
}

/// Refuses a key that breaks [`KEY_RULE`] (generated keys follow it).
pub(crate) fn check_api_key(key: &str) -> Result<(), TenantError> {
    let alphabet = key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if alphabet && (MIN_KEY_LEN..=MAX_KEY_LEN).contains(&key.len()) {
        Ok(())
    } else {
        Err(TenantError::InvalidKey)
    }
}

/// A key's hash read back from a database, as 32 bytes.
fn parse_hash(text: &str) -> Option<[u8; 32]> {
    if text.len() != 64 || !text.is_ascii() {
        return None;
    }
    let mut hash = [0u8; 32];
    for (i, byte) in hash.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(hash)
}

/// Where the tenants' databases are: the first tenant's is the configured file itself, the
/// others' are beside it (`<file>.<tenant id>`); `None` in memory.
struct Files<'a>(Option<&'a Path>);

impl Files<'_> {
    /// The database file of tenant `id`.
    fn of(&self, id: &str, first: bool) -> Option<PathBuf> {
        self.0.map(|path| {
            let path = path.to_path_buf();
            if first {
                path
            } else {
                let mut name = path.into_os_string();
                name.push(format!(".{id}"));
                PathBuf::from(name)
            }
        })
    }

    /// The tenant files kept beside the first one (`<file>.tnt_<16 hex digits>`), sorted.
    fn kept(&self) -> Result<Vec<PathBuf>, crate::error::Error> {
        let Some(path) = self.0 else {
            return Ok(Vec::new());
        };
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let prefix = format!(
            "{}.tnt_",
            path.file_name().unwrap_or_default().to_string_lossy()
        );
        let entries = std::fs::read_dir(&dir).map_err(|source| crate::error::Error::Config {
            option: "database",
            message: format!("cannot list {}: {source}", dir.display()),
        })?;
        let mut files: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|file| is_tenant_file(file, &prefix))
            .collect();
        files.sort();
        Ok(files)
    }
}

/// Whether `file` is named `<prefix><16 hex digits>` (not SQLite's `-wal` or `-shm`).
fn is_tenant_file(file: &Path, prefix: &str) -> bool {
    let name = file.file_name().unwrap_or_default().to_string_lossy();
    name.strip_prefix(prefix)
        .is_some_and(|digits| digits.len() == 16 && digits.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Every tenant, by ID.
pub(crate) struct Tenants {
    /// The emulator's configuration (fixtures, database file, lifetimes, bounds).
    config: Arc<Config>,
    /// The emulator's public URL (no trailing slash); a tenant's is under `/t/<id>`.
    public_url: String,
    /// The URL the server reaches itself at.
    internal_url: String,
    /// The tenants, by ID.
    tenants: RwLock<HashMap<String, Tenant>>,
}

impl fmt::Debug for Tenants {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tenants")
            .field("count", &self.read().len())
            .finish_non_exhaustive()
    }
}

impl Tenants {
    /// One protected tenant per configured key (a repeated key is one tenant), then, with a
    /// database file, every tenant kept beside it (blocking: it opens databases). `urls`: the
    /// public URL, and the one the server reaches itself at.
    pub(crate) fn open(
        config: Arc<Config>,
        (public_url, internal_url): (String, String),
    ) -> Result<Self, crate::error::Error> {
        let kept = Files(config.database.as_deref()).kept()?;
        let tenants = Self {
            config: Arc::clone(&config),
            public_url,
            internal_url,
            tenants: RwLock::new(HashMap::new()),
        };
        for key in &config.api_keys {
            check_api_key(key).map_err(|e| crate::error::Error::Config {
                option: "api_key",
                message: e.to_string(),
            })?;
            if tenants.by_key(key).is_none() {
                tenants.add_protected(key)?;
            }
        }
        for file in kept {
            tenants.reopen(&file)?;
        }
        Ok(tenants)
    }

    /// The tenants (a poisoned lock still holds a consistent map: each change is one call).
    fn read(&self) -> RwLockReadGuard<'_, HashMap<String, Tenant>> {
        self.tenants.read().unwrap_or_else(|e| e.into_inner())
    }

    /// The tenants, to change.
    fn write(&self) -> RwLockWriteGuard<'_, HashMap<String, Tenant>> {
        self.tenants.write().unwrap_or_else(|e| e.into_inner())
    }

    /// A start key's tenant: protected, the first one in the configured file itself.
    fn add_protected(&self, key: &str) -> Result<(), crate::error::Error> {
        let hash = key_sha256(key);
        let first = self.read().is_empty();
        let tenant = self.open_tenant(hash, first, true)?;
        self.insert(tenant)
            .map_err(|e| crate::error::Error::Config {
                option: "max_tenants",
                message: e.to_string(),
            })
    }

    /// A tenant made at run time by an earlier emulator on the same files, unless one of the
    /// start keys has it already.
    fn reopen(&self, file: &Path) -> Result<(), crate::error::Error> {
        let context = self.context(String::new());
        let (store, hash) = Store::open(Some(file), context, Owner::Recorded)?;
        drop(store);
        let name = file.display();
        let hash = parse_hash(&hash).ok_or_else(|| crate::error::Error::Config {
            option: "database",
            message: format!("{name} records a malformed key hash"),
        })?;
        if !file.to_string_lossy().ends_with(&id_of_hash(&hash)) {
            tracing::warn!(file = %name, "a tenant file whose name is not its tenant's: left alone");
            return Ok(());
        }
        if self.read().contains_key(&id_of_hash(&hash)) {
            return Ok(());
        }
        let tenant = self.open_tenant(hash, false, false)?;
        self.insert(tenant)
            .map_err(|e| crate::error::Error::Config {
                option: "max_tenants",
                message: format!("{e} (the database keeps more)"),
            })
    }

    /// Opens a new tenant for `key` (blocking: it opens a database). Fails when the key breaks
    /// [`KEY_RULE`], has a tenant already, or the emulator is full.
    pub(crate) fn add(&self, key: &str) -> Result<Tenant, TenantError> {
        check_api_key(key)?;
        let hash = key_sha256(key);
        if self.read().contains_key(&id_of_hash(&hash)) {
            return Err(TenantError::KeyTaken);
        }
        self.check_room(&self.read())?;
        let tenant = self.open_tenant(hash, false, false)?;
        self.insert(tenant.clone())?;
        Ok(tenant)
    }

    /// Refuses a new tenant when the emulator holds its maximum.
    fn check_room(&self, tenants: &HashMap<String, Tenant>) -> Result<(), TenantError> {
        let max = self.config.max_tenants;
        if tenants.len() >= max {
            return Err(TenantError::Full { max });
        }
        Ok(())
    }

    /// Adds `tenant`, checking again under the lock (another may have been added meanwhile).
    fn insert(&self, tenant: Tenant) -> Result<(), TenantError> {
        let mut tenants = self.write();
        if tenants.contains_key(&tenant.id) {
            return Err(TenantError::KeyTaken);
        }
        self.check_room(&tenants)?;
        tenants.insert(tenant.id.clone(), tenant);
        Ok(())
    }

    /// The store context of a tenant whose pages are under `public_url`.
    fn context(&self, public_url: String) -> Context {
        Context {
            config: Arc::clone(&self.config),
            public_url,
            clock: Clock::default(),
        }
    }

    /// A tenant's state: its database (the configured file for the first tenant, a file beside
    /// it for the others, or memory), a fresh journal and no fault rules.
    fn open_tenant(
        &self,
        hash: [u8; 32],
        first: bool,
        protected: bool,
    ) -> Result<Tenant, crate::error::Error> {
        let id = id_of_hash(&hash);
        let public_url = format!("{}/t/{id}", self.public_url);
        let context = self.context(public_url.clone());
        let file = Files(self.config.database.as_deref()).of(&id, first);
        let owner = Owner::Key(&hex(&hash));
        let (store, _) = Store::open(file.as_deref(), context, owner)?;
        Ok(Tenant(Arc::new(TenantInner {
            internal_url: format!("{}/t/{id}", self.internal_url),
            id,
            key_sha256: hash,
            protected,
            store,
            journal: Journal::new(self.config.journal_size),
            faults: Faults::default(),
            cache: ResponseCache::default(),
            public_url,
        })))
    }

    /// Deletes tenant `id` at the request of `by`: its key stops working at once, and its
    /// database (its file included), journal, fault rules and cache are freed. `by` may
    /// delete itself; a protected tenant may delete any other; a tenant given at the start is
    /// never deleted. Another caller gets [`TenantError::NotFound`], as for an unknown ID.
    pub(crate) async fn delete(&self, id: &str, by: &Tenant) -> Result<(), TenantError> {
        let tenant = {
            let mut tenants = self.write();
            let not_found = || TenantError::NotFound { id: id.to_owned() };
            let tenant = tenants.get(id).ok_or_else(not_found)?;
            if tenant.id != by.id && !by.protected {
                return Err(not_found());
            }
            if tenant.protected {
                return Err(TenantError::Protected { id: id.to_owned() });
            }
            tenants.remove(id).ok_or_else(not_found)?
        };
        tenant.journal.clear();
        tenant.faults.clear();
        tenant.cache.clear();
        tenant.store.close_and_delete().await?;
        Ok(())
    }

    /// The tenant of `presented`: found by its ID (from the key's hash), then the whole hash
    /// compared in constant time.
    pub(crate) fn by_key(&self, presented: &str) -> Option<Tenant> {
        let hash = key_sha256(presented);
        let tenant = self.read().get(&id_of_hash(&hash)).cloned()?;
        bool::from(tenant.key_sha256.ct_eq(&hash)).then_some(tenant)
    }

    /// The tenant with this ID.
    pub(crate) fn by_id(&self, id: &str) -> Option<Tenant> {
        self.read().get(id).cloned()
    }

    /// Every tenant.
    pub(crate) fn all(&self) -> Vec<Tenant> {
        self.read().values().cloned().collect()
    }

    /// How many tenants there are.
    pub(crate) fn len(&self) -> usize {
        self.read().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tenant ID of an API key.
    fn tenant_id(api_key: &str) -> String {
        id_of_hash(&key_sha256(api_key))
    }

    #[test]
    fn a_key_always_gets_the_same_id_and_keys_differ() {
        let id = tenant_id("metorial_sk_aaaaaaaaaaaa");
        assert_eq!(id, tenant_id("metorial_sk_aaaaaaaaaaaa"));
        assert_ne!(id, tenant_id("metorial_sk_bbbbbbbbbbbb"));
        assert!(id.starts_with("tnt_") && id.len() == 20, "{id}");
        assert!(!id.contains("metorial_sk_a"));
    }

    #[test]
    fn keys_follow_the_rule() {
        for good in [
            "metorial_sk_0123456789",
            "abcdefghijABCDEFGHIJ",
            &"a".repeat(256),
        ] {
            assert!(check_api_key(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "short",
            "metorial_sk_012345",
            "metorial_sk_0123456789 ",
            "metorial-sk-0123456789",
            "metorial_sk_01234567é9",
            &"a".repeat(257),
        ] {
            assert!(
                matches!(check_api_key(bad), Err(TenantError::InvalidKey)),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_hash_reads_back() {
        let hash = key_sha256("metorial_sk_0123456789");
        assert_eq!(parse_hash(&hex(&hash)), Some(hash));
        assert_eq!(parse_hash("zz"), None);
        assert_eq!(parse_hash(&"g".repeat(64)), None);
    }
}
