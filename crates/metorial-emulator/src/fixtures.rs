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
use std::fmt;
use std::path::Path;

use metorial_models::{
    ProviderAuthConfigSource, ProviderAuthConfigStatus, ProviderAuthConfigType, SecretObject,
    Timestamp,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::Error;

/// A JSON object of custom key-value pairs.
pub type Metadata = Map<String, Value>;

/// A secret string (an OAuth client secret): serialized as is, never printed by `Debug`.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SecretString(String);

impl SecretString {
    /// Wraps a secret.
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    /// The secret itself.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// The date objects without one were created: the docs' `2025-09-15T10:30:00.000Z`.
fn docs_created_at() -> Timestamp {
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
    #[serde(default)]
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
    #[serde(default)]
    pub name: Option<String>,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Custom key-value pairs.
    #[serde(default)]
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
    #[serde(default)]
    pub key: Option<String>,
    /// Display name.
    pub name: String,
    /// Description.
    #[serde(default)]
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
    #[serde(default)]
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
    /// Whether a session without explicit credentials uses these.
    #[serde(default)]
    pub is_default: bool,
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Custom key-value pairs.
    #[serde(default)]
    pub metadata: Option<Metadata>,
    /// The OAuth client ID.
    pub client_id: String,
    /// The OAuth client secret.
    pub client_secret: SecretString,
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

/// A config vault.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigVault {
    /// Its ID (`pcvt_...`).
    pub id: String,
    /// The provider it belongs to.
    pub provider_id: String,
    /// The deployment it belongs to.
    #[serde(default)]
    pub deployment_id: Option<String>,
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Custom key-value pairs.
    #[serde(default)]
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
    #[serde(default)]
    pub deployment_id: Option<String>,
    /// The vault its values come from.
    #[serde(default)]
    pub vault_id: Option<String>,
    /// The provider specification (`psp_...`).
    pub specification_id: String,
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Custom key-value pairs.
    #[serde(default)]
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
    #[serde(default)]
    pub deployment_id: Option<String>,
    /// The auth method used.
    pub auth_method_id: String,
    /// The OAuth app credentials used.
    #[serde(default)]
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
    #[serde(default)]
    pub name: Option<String>,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Custom key-value pairs.
    #[serde(default)]
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
        let provider = |kind: &str, id: &str, provider_id: &str| {
            if self.providers.iter().any(|p| p.id == provider_id) {
                Ok(())
            } else {
                Err(format!("{kind} {id}: unknown provider {provider_id}"))
            }
        };
        let of_provider = |kind: &str,
                           id: &str,
                           field: &str,
                           target: Option<&str>,
                           found: Option<&str>,
                           provider_id: &str| {
            match (target, found) {
                (None, _) => Ok(()),
                (Some(target), None) => Err(format!("{kind} {id}: unknown {field} {target}")),
                (Some(target), Some(owner)) if owner != provider_id => Err(format!(
                    "{kind} {id}: {field} {target} belongs to provider {owner}, not {provider_id}"
                )),
                _ => Ok(()),
            }
        };
        let deployment_owner = |id: &str| {
            self.deployments
                .iter()
                .find(|d| d.id == id)
                .map(|d| d.provider_id.as_str())
        };
        for p in &self.providers {
            if let Some(oauth) = &p.oauth {
                for url in [&oauth.authorize_url, &oauth.token_url] {
                    match url::Url::parse(url) {
                        Ok(u) if matches!(u.scheme(), "http" | "https") => {}
                        _ => {
                            return Err(format!(
                                "provider {}: {url:?} is not an http(s) URL",
                                p.id
                            ));
                        }
                    }
                }
            }
        }
        for d in &self.deployments {
            provider("deployment", &d.id, &d.provider_id)?;
        }
        for m in &self.auth_methods {
            provider("auth method", &m.id, &m.provider_id)?;
        }
        for c in &self.credentials {
            provider("credentials", &c.id, &c.provider_id)?;
            if c.client_id.is_empty() {
                return Err(format!("credentials {}: empty client_id", c.id));
            }
        }
        for v in &self.config_vaults {
            provider("config vault", &v.id, &v.provider_id)?;
            let dep = v.deployment_id.as_deref();
            of_provider(
                "config vault",
                &v.id,
                "deployment",
                dep,
                dep.and_then(deployment_owner),
                &v.provider_id,
            )?;
        }
        for c in &self.configs {
            provider("config", &c.id, &c.provider_id)?;
            let dep = c.deployment_id.as_deref();
            of_provider(
                "config",
                &c.id,
                "deployment",
                dep,
                dep.and_then(deployment_owner),
                &c.provider_id,
            )?;
            let vault = c.vault_id.as_deref();
            let owner = vault.and_then(|id| {
                self.config_vaults
                    .iter()
                    .find(|v| v.id == id)
                    .map(|v| v.provider_id.as_str())
            });
            of_provider("config", &c.id, "vault", vault, owner, &c.provider_id)?;
        }
        for a in &self.auth_configs {
            provider("auth config", &a.id, &a.provider_id)?;
            let dep = a.deployment_id.as_deref();
            of_provider(
                "auth config",
                &a.id,
                "deployment",
                dep,
                dep.and_then(deployment_owner),
                &a.provider_id,
            )?;
            let method = Some(a.auth_method_id.as_str());
            let owner = self
                .auth_methods
                .iter()
                .find(|m| m.id == a.auth_method_id)
                .map(|m| m.provider_id.as_str());
            of_provider(
                "auth config",
                &a.id,
                "auth method",
                method,
                owner,
                &a.provider_id,
            )?;
            let creds = a.credentials_id.as_deref();
            let owner = creds.and_then(|id| {
                self.credentials
                    .iter()
                    .find(|c| c.id == id)
                    .map(|c| c.provider_id.as_str())
            });
            of_provider(
                "auth config",
                &a.id,
                "credentials",
                creds,
                owner,
                &a.provider_id,
            )?;
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
