//! The objects the emulator starts with: providers, deployments, auth methods, OAuth app
//! credentials, configs, config vaults and auth configs.
//!
//! The API has no operations to create these; they come from a fixtures file
//! (`--fixtures FILE`, JSON or YAML, shaped like [`Fixtures`]) or, by default, from
//! [`Fixtures::builtin`]: the objects shown in Metorial's API docs, with the docs' IDs, so the
//! docs' curl examples work against the emulator. `fixtures/default.yaml` in this crate is that
//! file and a starting point for your own.
//!
//! A provider without `oauth` endpoints uses the emulator's built-in fake provider; give
//! `authorize_url` and `token_url` (and real app credentials) to go through a real provider
//! such as GitHub or Google instead.

use std::collections::HashSet;
use std::path::Path;

use metorial_models::{
    ProviderAuthConfigSource, ProviderAuthConfigStatus, ProviderAuthConfigType,
    ProviderAuthCredentialsStatus, SecretObject, Timestamp,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::Error;

/// A JSON object of custom key-value pairs.
pub type Metadata = Map<String, Value>;

/// A secret string (an OAuth client secret): serialized as is, never printed by `Debug`. The
/// API's own type, so a client secret sent to the API is stored as it came.
pub use metorial_models::SecretString;

/// The date objects without one were created: the docs' `2025-09-15T10:30:00.000Z`.
pub(crate) fn docs_created_at() -> Timestamp {
    crate::time::timestamp(1_757_932_200_000)
}

/// Every object the emulator starts with.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixtures {
    /// Providers (GitHub, Google, ...).
    #[serde(default)]
    pub providers: Vec<Provider>,
    /// Provider deployments.
    #[serde(default)]
    pub deployments: Vec<Deployment>,
    /// How providers authenticate (OAuth 2.0 and its scopes).
    #[serde(default)]
    pub auth_methods: Vec<AuthMethod>,
    /// OAuth app credentials (client ID and secret).
    #[serde(default)]
    pub credentials: Vec<Credentials>,
    /// Config vaults.
    #[serde(default)]
    pub config_vaults: Vec<ConfigVault>,
    /// Provider configs.
    #[serde(default)]
    pub configs: Vec<ProviderConfig>,
    /// Auth configs (stored tokens) that exist from the start.
    #[serde(default)]
    pub auth_configs: Vec<AuthConfig>,
}

/// A provider.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provider {
    /// Its ID (`pro_...`).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Its OAuth endpoints; absent: the emulator's built-in fake provider.
    pub oauth: Option<OAuthEndpoints>,
}

/// Where a real OAuth provider authorizes users and issues tokens.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OAuthEndpoints {
    /// The authorization endpoint (e.g. `https://github.com/login/oauth/authorize`).
    pub authorize_url: String,
    /// The token endpoint (e.g. `https://github.com/login/oauth/access_token`).
    pub token_url: String,
}

/// A provider deployment.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deployment {
    /// Its ID (`pde_...`).
    pub id: String,
    /// The provider it deploys.
    pub provider_id: String,
    /// Whether it is the provider's default deployment.
    #[serde(default)]
    pub is_default: bool,
    /// Display name.
    pub name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Custom key-value pairs.
    pub metadata: Option<Metadata>,
    /// When it was created.
    #[serde(default = "docs_created_at")]
    pub created_at: Timestamp,
    /// When it was last updated.
    #[serde(default = "docs_created_at")]
    pub updated_at: Timestamp,
}

/// An auth method of a provider (e.g. OAuth 2.0).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthMethod {
    /// Its ID (`pam_...`).
    pub id: String,
    /// The provider it belongs to.
    pub provider_id: String,
    /// Its type (`oauth`).
    #[serde(rename = "type", default = "default_auth_method_type")]
    pub type_: String,
    /// Its stable key (`oauth2`).
    pub key: Option<String>,
    /// Display name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// What it supports.
    #[serde(default)]
    pub capabilities: Map<String, Value>,
    /// The JSON schema of its input (a plain JSON schema).
    #[serde(default)]
    pub input_schema: Map<String, Value>,
    /// The JSON schema of its output (a plain JSON schema).
    #[serde(default)]
    pub output_schema: Map<String, Value>,
    /// The OAuth scopes it requests, in order.
    #[serde(default)]
    pub scopes: Vec<AuthMethodScope>,
    /// The provider specification it comes from (`psp_...`).
    pub provider_specification_id: String,
    /// When it was created.
    #[serde(default = "docs_created_at")]
    pub created_at: Timestamp,
    /// When it was last updated.
    #[serde(default = "docs_created_at")]
    pub updated_at: Timestamp,
}

fn default_auth_method_type() -> String {
    "oauth".to_owned()
}

/// An OAuth scope an auth method requests.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthMethodScope {
    /// Its ID (`pams_...`).
    pub id: String,
    /// The scope as sent to the provider (`repo`).
    pub scope: String,
    /// Display name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
}

/// OAuth app credentials of a provider. With the fake provider, these are registered clients
/// (as are the apps OAuth setups name in their `config`): its token endpoint checks the client
/// secret against them.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    /// Its ID (`par_...` or `pcr_...`).
    pub id: String,
    /// The provider it belongs to.
    pub provider_id: String,
    /// Its type (`oauth`).
    #[serde(rename = "type", default = "default_credentials_type")]
    pub type_: String,
    /// Their lifecycle status (`active`; deleting through the API archives them).
    #[serde(default = "default_credentials_status")]
    pub status: ProviderAuthCredentialsStatus,
    /// Whether a session without explicit credentials uses these.
    #[serde(default)]
    pub is_default: bool,
    /// Display name.
    pub name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Custom key-value pairs.
    pub metadata: Option<Metadata>,
    /// The OAuth client ID.
    pub client_id: String,
    /// The OAuth client secret.
    pub client_secret: SecretString,
    /// The OAuth scopes they request, if said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
    /// When they were created.
    #[serde(default = "docs_created_at")]
    pub created_at: Timestamp,
    /// When they were last updated.
    #[serde(default = "docs_created_at")]
    pub updated_at: Timestamp,
}

fn default_credentials_type() -> String {
    "oauth".to_owned()
}

fn default_credentials_status() -> ProviderAuthCredentialsStatus {
    ProviderAuthCredentialsStatus::Active
}

/// A config vault.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigVault {
    /// Its ID (`pcvt_...`).
    pub id: String,
    /// The provider it belongs to.
    pub provider_id: String,
    /// The deployment it belongs to.
    pub deployment_id: Option<String>,
    /// Display name.
    pub name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Custom key-value pairs.
    pub metadata: Option<Metadata>,
    /// When it was created.
    #[serde(default = "docs_created_at")]
    pub created_at: Timestamp,
    /// When it was last updated.
    #[serde(default = "docs_created_at")]
    pub updated_at: Timestamp,
}

/// A provider config. A setup session for a deployment shows the deployment's config.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderConfig {
    /// Its ID (`pcf_...`).
    pub id: String,
    /// The provider it belongs to.
    pub provider_id: String,
    /// The deployment it belongs to.
    pub deployment_id: Option<String>,
    /// The vault its values come from.
    pub vault_id: Option<String>,
    /// The provider specification (`psp_...`).
    pub specification_id: String,
    /// Display name.
    pub name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Custom key-value pairs.
    pub metadata: Option<Metadata>,
    /// When it was created.
    #[serde(default = "docs_created_at")]
    pub created_at: Timestamp,
    /// When it was last updated.
    #[serde(default = "docs_created_at")]
    pub updated_at: Timestamp,
}

/// An auth config: stored authentication (tokens) for a provider. The OAuth flow creates one
/// per completed session; fixtures can hold more (the docs' `pac_8pQrStUvWxYzAbCd`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    /// Its ID (`pac_...`).
    pub id: String,
    /// The provider it authenticates with.
    pub provider_id: String,
    /// The deployment it belongs to.
    pub deployment_id: Option<String>,
    /// The auth method used.
    pub auth_method_id: String,
    /// The OAuth app credentials used.
    pub credentials_id: Option<String>,
    /// How it was obtained.
    #[serde(rename = "type", default = "default_auth_config_type")]
    pub type_: ProviderAuthConfigType,
    /// What created it.
    #[serde(default = "default_auth_config_source")]
    pub source: ProviderAuthConfigSource,
    /// Its lifecycle status; only `active` ones can be exported.
    #[serde(default = "default_auth_config_status")]
    pub status: ProviderAuthConfigStatus,
    /// Whether it is its deployment's default auth config.
    #[serde(default)]
    pub is_default: bool,
    /// Display name.
    pub name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Custom key-value pairs.
    pub metadata: Option<Metadata>,
    /// The token data an export returns as its `value`.
    #[serde(default)]
    pub value: SecretObject,
    /// When it was created.
    #[serde(default = "docs_created_at")]
    pub created_at: Timestamp,
    /// When it was last updated.
    #[serde(default = "docs_created_at")]
    pub updated_at: Timestamp,
}

fn default_auth_config_type() -> ProviderAuthConfigType {
    ProviderAuthConfigType::Manual
}

fn default_auth_config_source() -> ProviderAuthConfigSource {
    ProviderAuthConfigSource::Manual
}

fn default_auth_config_status() -> ProviderAuthConfigStatus {
    ProviderAuthConfigStatus::Active
}

/// The built-in fixtures, as YAML.
const BUILTIN: &str = include_str!("../fixtures/default.yaml");

impl Fixtures {
    /// The objects shown in Metorial's API docs, with the docs' IDs: provider
    /// `pro_5gHjKlMnPqRsTuVw` (served by the fake provider), deployment `pde_1aBcDeFgHjKlMnPq`,
    /// auth method `pam_2mNpQrStUvWxYzAb` (scope `repo`), credentials `par_4sTuVwXyZaBcDeFg`,
    /// config `pcf_7dEfGhJkLmNpQrSt`, vault `pcvt_3bCdEfGhJkLmNpQr` and auth config
    /// `pac_8pQrStUvWxYzAbCd` (holding the docs' example tokens).
    pub fn builtin() -> Self {
        // Checked by a test; an empty catalog is the safe fallback.
        Self::from_yaml(BUILTIN).unwrap_or_default()
    }

    /// Parses fixtures from YAML (which includes JSON) and checks them.
    pub fn from_yaml(text: &str) -> Result<Self, Error> {
        let fixtures: Fixtures = serde_norway::from_str(text).map_err(|e| Error::Fixtures {
            path: None,
            message: e.to_string(),
        })?;
        fixtures.validate().map_err(|message| Error::Fixtures {
            path: None,
            message,
        })?;
        Ok(fixtures)
    }

    /// Reads fixtures from a JSON or YAML file and checks them.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, Error> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| Error::FixturesFile {
            path: path.to_owned(),
            source,
        })?;
        let parsed = if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        {
            serde_json::from_str::<Fixtures>(&text).map_err(|e| e.to_string())
        } else {
            serde_norway::from_str::<Fixtures>(&text).map_err(|e| e.to_string())
        };
        let fixtures = parsed.map_err(|message| Error::Fixtures {
            path: Some(path.to_owned()),
            message,
        })?;
        fixtures.validate().map_err(|message| Error::Fixtures {
            path: Some(path.to_owned()),
            message,
        })?;
        Ok(fixtures)
    }

    /// Checks that IDs are unique and every reference points to an object of the right
    /// provider.
    pub fn validate(&self) -> Result<(), String> {
        self.check_ids()?;
        self.check_provider_urls()?;
        if let Some(c) = self.credentials.iter().find(|c| c.client_id.is_empty()) {
            return Err(format!("credentials {}: empty client_id", c.id));
        }
        self.references().iter().try_for_each(|r| r.check(self))
    }

    /// Every object has a non-empty ID, used once.
    fn check_ids(&self) -> Result<(), String> {
        let mut seen = HashSet::new();
        let all_ids = self
            .providers
            .iter()
            .map(|o| &o.id)
            .chain(self.deployments.iter().map(|o| &o.id))
            .chain(self.auth_methods.iter().map(|o| &o.id))
            .chain(self.credentials.iter().map(|o| &o.id))
            .chain(self.config_vaults.iter().map(|o| &o.id))
            .chain(self.configs.iter().map(|o| &o.id))
            .chain(self.auth_configs.iter().map(|o| &o.id));
        for id in all_ids {
            if id.is_empty() {
                return Err("an object has an empty id".to_owned());
            }
            if !seen.insert(id.as_str()) {
                return Err(format!("the id {id} is used twice"));
            }
        }
        Ok(())
    }

    /// A provider's OAuth endpoints are http(s) URLs.
    fn check_provider_urls(&self) -> Result<(), String> {
        for p in &self.providers {
            let urls = p
                .oauth
                .iter()
                .flat_map(|o| [&o.authorize_url, &o.token_url]);
            for url in urls {
                if !url::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https")) {
                    return Err(format!("provider {}: {url:?} is not an http(s) URL", p.id));
                }
            }
        }
        Ok(())
    }

    /// A reference to a deployment.
    fn deployment_link<'a>(&'a self, id: Option<&'a String>) -> Link<'a> {
        Link::to("deployment", id, &self.deployments)
    }

    /// Every object that belongs to a provider, with the objects it refers to.
    fn references(&self) -> Vec<Reference<'_>> {
        let deployment = |id| self.deployment_link(id);
        let mut out: Vec<Reference<'_>> = Vec::new();
        out.extend(
            self.deployments
                .iter()
                .map(|d| Reference::new("deployment", d, vec![])),
        );
        out.extend(
            self.auth_methods
                .iter()
                .map(|m| Reference::new("auth method", m, vec![])),
        );
        out.extend(
            self.credentials
                .iter()
                .map(|c| Reference::new("credentials", c, vec![])),
        );
        out.extend(self.config_vaults.iter().map(|v| {
            Reference::new(
                "config vault",
                v,
                vec![deployment(v.deployment_id.as_ref())],
            )
        }));
        out.extend(self.configs.iter().map(|c| {
            let vault = Link::to("vault", c.vault_id.as_ref(), &self.config_vaults);
            Reference::new(
                "config",
                c,
                vec![deployment(c.deployment_id.as_ref()), vault],
            )
        }));
        out.extend(self.auth_configs.iter().map(|a| {
            let links = vec![
                deployment(a.deployment_id.as_ref()),
                Link::to("auth method", Some(&a.auth_method_id), &self.auth_methods),
                Link::to("credentials", a.credentials_id.as_ref(), &self.credentials),
            ];
            Reference::new("auth config", a, links)
        }));
        out
    }
}

/// A fixture object that belongs to a provider, and what it refers to.
struct Reference<'a> {
    kind: &'static str,
    id: &'a str,
    provider_id: &'a str,
    links: Vec<Link<'a>>,
}

/// One reference: the field, the ID it holds (if any) and the provider owning that object
/// (`None` when there is no such object).
struct Link<'a> {
    field: &'static str,
    target: Option<&'a str>,
    owner: Option<&'a str>,
}

/// A fixture record that belongs to a provider.
trait Owned {
    fn id(&self) -> &str;
    fn provider_id(&self) -> &str;
}

macro_rules! owned {
    ($($ty:ty),*) => {
        $(impl Owned for $ty {
            fn id(&self) -> &str {
                &self.id
            }
            fn provider_id(&self) -> &str {
                &self.provider_id
            }
        })*
    };
}

owned!(
    Deployment,
    AuthMethod,
    Credentials,
    ConfigVault,
    ProviderConfig,
    AuthConfig
);

impl<'a> Link<'a> {
    /// A reference through `field` to `target` among `records`.
    fn to<T: Owned>(field: &'static str, target: Option<&'a String>, records: &'a [T]) -> Self {
        let target = target.map(String::as_str);
        let owner = target.and_then(|id| {
            records
                .iter()
                .find(|r| r.id() == id)
                .map(Owned::provider_id)
        });
        Link {
            field,
            target,
            owner,
        }
    }
}

impl<'a> Reference<'a> {
    /// `object` of `kind`, referring through `links`.
    fn new(kind: &'static str, object: &'a impl Owned, links: Vec<Link<'a>>) -> Self {
        Reference {
            kind,
            id: object.id(),
            provider_id: object.provider_id(),
            links,
        }
    }

    /// Its provider exists, and everything it refers to exists and is that provider's.
    fn check(&self, fixtures: &Fixtures) -> Result<(), String> {
        let (kind, id, provider_id) = (self.kind, self.id, self.provider_id);
        if !fixtures.providers.iter().any(|p| p.id == provider_id) {
            return Err(format!("{kind} {id}: unknown provider {provider_id}"));
        }
        for link in &self.links {
            match (link.target, link.owner) {
                (None, _) => {}
                (Some(target), None) => {
                    return Err(format!("{kind} {id}: unknown {} {target}", link.field));
                }
                (Some(target), Some(owner)) if owner != provider_id => {
                    return Err(format!(
                        "{kind} {id}: {} {target} belongs to provider {owner}, not {provider_id}",
                        link.field
                    ));
                }
                _ => {}
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_fixtures_parse_and_hold_the_docs_objects() {
        let fixtures = Fixtures::from_yaml(BUILTIN).unwrap();
        assert_eq!(fixtures.providers[0].id, "pro_5gHjKlMnPqRsTuVw");
        assert_eq!(fixtures.deployments[0].id, "pde_1aBcDeFgHjKlMnPq");
        assert_eq!(fixtures.auth_methods[0].id, "pam_2mNpQrStUvWxYzAb");
        assert_eq!(fixtures.auth_methods[0].scopes[0].scope, "repo");
        assert_eq!(fixtures.credentials[0].id, "par_4sTuVwXyZaBcDeFg");
        assert_eq!(fixtures.configs[0].id, "pcf_7dEfGhJkLmNpQrSt");
        assert_eq!(fixtures.config_vaults[0].id, "pcvt_3bCdEfGhJkLmNpQr");
        assert_eq!(fixtures.auth_configs[0].id, "pac_8pQrStUvWxYzAbCd");
        assert_eq!(
            fixtures.auth_configs[0].value.expose_str("access_token"),
            Some("gho_xxxxxxxxxxxxxxxxxxxx")
        );
    }

    #[test]
    fn secrets_do_not_print() {
        let fixtures = Fixtures::builtin();
        let debug = format!("{fixtures:?}");
        assert!(!debug.contains("gho_xxxxxxxxxxxxxxxxxxxx"));
        assert!(!debug.contains(fixtures.credentials[0].client_secret.expose()));
    }

    #[test]
    fn fixtures_load_from_json_and_yaml_files() {
        let dir = tempfile::tempdir().unwrap();
        let json = dir.path().join("fixtures.json");
        std::fs::write(&json, serde_json::to_string(&Fixtures::builtin()).unwrap()).unwrap();
        let from_json = Fixtures::from_file(&json).unwrap();
        assert_eq!(from_json.auth_configs[0].id, "pac_8pQrStUvWxYzAbCd");
        let yaml = dir.path().join("fixtures.yaml");
        std::fs::write(&yaml, BUILTIN).unwrap();
        assert_eq!(Fixtures::from_file(&yaml).unwrap().providers.len(), 1);
        let err = Fixtures::from_file(dir.path().join("missing.yaml")).unwrap_err();
        assert!(err.to_string().contains("missing.yaml"), "{err}");
    }

    #[test]
    fn dangling_references_are_refused() {
        let err = Fixtures::from_yaml(
            "providers: [{id: pro_1, name: P}]\ndeployments: [{id: pde_1, provider_id: pro_2}]",
        )
        .unwrap_err();
        assert!(err.to_string().contains("unknown provider pro_2"), "{err}");
    }
}
