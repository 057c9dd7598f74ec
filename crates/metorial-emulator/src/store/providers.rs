//! Providers (`list_providers`, `get_provider`) and their auth methods
//! (`list_provider_auth_methods`, `get_provider_auth_method`): catalog records, read-only.
//!
//! The fixtures give a provider only its ID, name and OAuth endpoints; the rest of the live
//! object is derived here: one current version (`prv_` and the provider ID's suffix), the
//! emulator as publisher, and `oauth` when the provider has an OAuth auth method (the
//! emulator's callback to register, auto-registration `unsupported`: an OAuth session needs
//! credentials, the provider's default ones or `provider_auth_credentials_id`).

use metorial_models::{
    Provider as ProviderView, ProviderAccess, ProviderAuthMethod, ProviderAuthMethodList,
    ProviderList, ProviderOauth, ProviderOauthAutoRegistration,
    ProviderOauthAutoRegistrationStatus, ProviderOauthStatus, ProviderPublisher, ProviderStatus,
    ProviderVersion,
};
use rusqlite::Connection;

use super::catalog::{self, load};
use super::paging::{Filter, PageRequest, Table};
use super::{Context, Db, StoreError, views};
use crate::entity;
use crate::fixtures::{AuthMethod, Provider};

/// The providers' table, for paging.
pub(crate) const PROVIDERS: Table = Table {
    name: "providers",
    columns: "id, data",
    filters: &[("id", "id")],
};

/// The auth methods' table, for paging (a version's methods are its provider's).
pub(crate) const AUTH_METHODS: Table = Table {
    name: "auth_methods",
    columns: "id, data",
    filters: &[("provider_version_id", "provider_id")],
};

/// The `entity` of an unknown provider version.
const VERSION: &str = "provider.version";

/// The ID of a provider's one version: `prv_` and the provider ID's part after its prefix.
fn version_id(provider_id: &str) -> String {
    let suffix = provider_id
        .split_once('_')
        .map_or(provider_id, |(_, rest)| rest);
    format!("prv_{suffix}")
}

/// A page of providers.
pub(crate) fn list(
    db: &mut Db<'_>,
    request: &PageRequest,
    filters: &[Filter],
) -> Result<ProviderList, StoreError> {
    let (providers, pagination) = catalog::page::<Provider>(db.conn, &PROVIDERS, filters, request)?;
    let items = providers.iter().map(|p| view(db.conn, db.context, p));
    Ok(ProviderList::builder()
        .items(items.collect::<Result<Vec<_>, _>>()?)
        .pagination(pagination)
        .try_into()?)
}

/// The provider `id` (404 `provider`).
pub(crate) fn get(db: &mut Db<'_>, id: &str) -> Result<ProviderView, StoreError> {
    let provider = load::<Provider>(db.conn, id)?
        .ok_or_else(|| StoreError::not_found(entity::PROVIDER, id))?;
    view(db.conn, db.context, &provider)
}

/// A page of the auth methods of one provider version (400 without one; 404
/// `provider.version` for an unknown one).
pub(crate) fn list_auth_methods(
    db: &mut Db<'_>,
    request: &PageRequest,
    filters: &[Filter],
) -> Result<ProviderAuthMethodList, StoreError> {
    let version = filters.iter().find(|f| f.key == "provider_version_id");
    let Some(version) = version else {
        let path = vec!["provider_version_id".into()];
        return Err(StoreError::invalid_with_code(
            path,
            "invalid_type",
            "is required",
        ));
    };
    let mut providers = Vec::with_capacity(version.values.len());
    for id in &version.values {
        let provider = id
            .strip_prefix("prv_")
            .map(|suffix| provider_of(db.conn, suffix));
        match provider.transpose()?.flatten() {
            Some(provider) => providers.push(provider),
            None => return Err(StoreError::not_found(VERSION, id)),
        }
    }
    let by_provider = [Filter {
        key: "provider_version_id",
        values: providers,
    }];
    let (methods, pagination) =
        catalog::page::<AuthMethod>(db.conn, &AUTH_METHODS, &by_provider, request)?;
    let items = methods.iter().map(views::auth_method_full);
    Ok(ProviderAuthMethodList::builder()
        .items(items.collect::<Result<Vec<_>, _>>()?)
        .pagination(pagination)
        .try_into()?)
}

/// The ID of the provider whose version is `prv_<suffix>`, if one is.
fn provider_of(conn: &Connection, suffix: &str) -> Result<Option<String>, StoreError> {
    let version = format!("prv_{suffix}");
    let mut stmt = conn.prepare_cached("SELECT id FROM providers")?;
    let ids = stmt.query_map([], |row| row.get::<_, String>(0))?;
    for id in ids {
        let id = id?;
        if version_id(&id) == version {
            return Ok(Some(id));
        }
    }
    Ok(None)
}

/// The auth method `id` (404 `provider_tool`, as the live service labels it).
pub(crate) fn get_auth_method(db: &mut Db<'_>, id: &str) -> Result<ProviderAuthMethod, StoreError> {
    let method = load::<AuthMethod>(db.conn, id)?
        .ok_or_else(|| StoreError::not_found(entity::PROVIDER_TOOL, id))?;
    views::auth_method_full(&method)
}

/// A provider as the live API shows it.
fn view(conn: &Connection, context: &Context, p: &Provider) -> Result<ProviderView, StoreError> {
    let methods = catalog::auth_methods(conn, &p.id)?;
    let created = crate::fixtures::docs_created_at();
    let oauth = if methods.iter().any(|m| m.type_ == "oauth") {
        Some(
            ProviderOauth::builder()
                .status(ProviderOauthStatus::Enabled)
                .callback_url(Some(super::fake_provider::callback_url(context)))
                .auto_registration(
                    ProviderOauthAutoRegistration::builder()
                        .status(ProviderOauthAutoRegistrationStatus::Unsupported),
                )
                .try_into()?,
        )
    } else {
        None
    };
    let version = ProviderVersion::builder()
        .object("provider.version")
        .id(version_id(&p.id))
        .version("1.0.0")
        .provider_id(p.id.clone())
        .is_current(true)
        .name("1.0.0")
        .description(None)
        .metadata(None)
        .specification_id(methods.first().map(|m| m.provider_specification_id.clone()))
        .created_at(created)
        .updated_at(created);
    let publisher = ProviderPublisher::builder()
        .object("provider.publisher")
        .id("pub_metorialEmulator")
        .name("Metorial emulator")
        .description(None)
        .image_url("")
        .created_at(created)
        .updated_at(created);
    Ok(ProviderView::builder()
        .object("provider")
        .id(p.id.clone())
        .access(ProviderAccess::Public)
        .status(ProviderStatus::Active)
        .publisher(publisher)
        .current_version(Some(version.try_into()?))
        .oauth(oauth)
        .identifier(None)
        .name(p.name.clone())
        .description(None)
        .slug(slug(&p.name))
        .metadata(None)
        .created_at(created)
        .updated_at(created)
        .try_into()?)
}

/// A name as a URL-friendly slug (`GitHub Enterprise` is `github-enterprise`).
fn slug(name: &str) -> String {
    let words = name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty());
    words
        .map(str::to_ascii_lowercase)
        .collect::<Vec<_>>()
        .join("-")
}
