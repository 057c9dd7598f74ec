//! The SQLite schema. Lists page by primary key (`WHERE id > ? ORDER BY id LIMIT n`), and every
//! list filter has an index on `(column, id)`, so a page costs the same however many rows the
//! table holds. The tables a browser can add to without an API key (`oauth_states`, the fake
//! provider's requests and codes) have an index on `expires_at`, so purging expired rows and
//! evicting the oldest is a range read (see `store::expiring`).

/// The schema version this code writes (`PRAGMA user_version`).
pub(crate) const VERSION: i64 = 4;

/// Creates every table and index (idempotent).
pub(crate) const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS providers (
    id TEXT PRIMARY KEY,
    data TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS deployments (
    id TEXT PRIMARY KEY,
    provider_id TEXT NOT NULL,
    data TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS auth_methods (
    id TEXT PRIMARY KEY,
    provider_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    data TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS auth_methods_provider ON auth_methods (provider_id, position);
CREATE INDEX IF NOT EXISTS auth_methods_provider_id ON auth_methods (provider_id, id);

CREATE TABLE IF NOT EXISTS credentials (
    id TEXT PRIMARY KEY,
    provider_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    is_default INTEGER NOT NULL,
    position INTEGER NOT NULL,
    data TEXT NOT NULL,
    -- `fixtures`, or `api` (made through the API: never a default, and not the fake
    -- provider's app: that one is registered when they are made).
    origin TEXT NOT NULL DEFAULT 'fixtures',
    status TEXT GENERATED ALWAYS AS (coalesce(json_extract(data, '$.status'), 'active')) VIRTUAL,
    created_ms INTEGER GENERATED ALWAYS AS (
        CAST(round(unixepoch(json_extract(data, '$.created_at'), 'subsec') * 1000) AS INTEGER)
    ) VIRTUAL,
    updated_ms INTEGER GENERATED ALWAYS AS (
        CAST(round(unixepoch(json_extract(data, '$.updated_at'), 'subsec') * 1000) AS INTEGER)
    ) VIRTUAL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS credentials_provider ON credentials (provider_id, is_default, position);
CREATE INDEX IF NOT EXISTS credentials_provider_id ON credentials (provider_id, id);
CREATE INDEX IF NOT EXISTS credentials_status ON credentials (status, id);
CREATE INDEX IF NOT EXISTS credentials_client ON credentials (client_id);

CREATE TABLE IF NOT EXISTS config_vaults (
    id TEXT PRIMARY KEY,
    provider_id TEXT NOT NULL,
    data TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS configs (
    id TEXT PRIMARY KEY,
    provider_id TEXT NOT NULL,
    deployment_id TEXT,
    data TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS configs_deployment ON configs (deployment_id, id);

-- The list filters' columns are generated from the stored record (`data`), so every writer
-- of a record keeps them right, and snapshots (regular columns only) carry just the record.
CREATE TABLE IF NOT EXISTS auth_configs (
    id TEXT PRIMARY KEY,
    provider_id TEXT NOT NULL,
    data TEXT NOT NULL,
    deployment_id TEXT GENERATED ALWAYS AS (json_extract(data, '$.deployment_id')) VIRTUAL,
    credentials_id TEXT GENERATED ALWAYS AS (json_extract(data, '$.credentials_id')) VIRTUAL,
    auth_method_id TEXT GENERATED ALWAYS AS (json_extract(data, '$.auth_method_id')) VIRTUAL,
    status TEXT GENERATED ALWAYS AS (json_extract(data, '$.status')) VIRTUAL,
    created_ms INTEGER GENERATED ALWAYS AS (
        CAST(round(unixepoch(json_extract(data, '$.created_at'), 'subsec') * 1000) AS INTEGER)
    ) VIRTUAL,
    updated_ms INTEGER GENERATED ALWAYS AS (
        CAST(round(unixepoch(json_extract(data, '$.updated_at'), 'subsec') * 1000) AS INTEGER)
    ) VIRTUAL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS auth_configs_provider ON auth_configs (provider_id, id);
CREATE INDEX IF NOT EXISTS auth_configs_deployment ON auth_configs (deployment_id, id);
CREATE INDEX IF NOT EXISTS auth_configs_credentials ON auth_configs (credentials_id, id);
CREATE INDEX IF NOT EXISTS auth_configs_auth_method ON auth_configs (auth_method_id, id);
CREATE INDEX IF NOT EXISTS auth_configs_status ON auth_configs (status, id);

CREATE TABLE IF NOT EXISTS setup_sessions (
    id TEXT PRIMARY KEY,
    provider_id TEXT,
    deployment_id TEXT,
    auth_method_id TEXT,
    identity_id TEXT,
    configuration TEXT,
    credentials_id TEXT,
    config_id TEXT,
    auth_config_id TEXT,
    status TEXT NOT NULL,
    type TEXT NOT NULL,
    ui_mode TEXT NOT NULL,
    name TEXT,
    description TEXT,
    metadata TEXT,
    redirect_url TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS setup_sessions_provider ON setup_sessions (provider_id, id);
CREATE INDEX IF NOT EXISTS setup_sessions_deployment ON setup_sessions (deployment_id, id);
CREATE INDEX IF NOT EXISTS setup_sessions_auth_method ON setup_sessions (auth_method_id, id);
CREATE INDEX IF NOT EXISTS setup_sessions_auth_config ON setup_sessions (auth_config_id, id);
CREATE INDEX IF NOT EXISTS setup_sessions_credentials ON setup_sessions (credentials_id, id);
CREATE INDEX IF NOT EXISTS setup_sessions_status ON setup_sessions (status, id);
CREATE INDEX IF NOT EXISTS setup_sessions_expiry ON setup_sessions (status, expires_at);

CREATE TABLE IF NOT EXISTS oauth_setups (
    id TEXT PRIMARY KEY,
    deployment_id TEXT NOT NULL,
    provider_id TEXT NOT NULL,
    auth_method_id TEXT NOT NULL,
    credentials_id TEXT,
    auth_config_id TEXT,
    status TEXT NOT NULL,
    is_ephemeral INTEGER NOT NULL,
    name TEXT,
    description TEXT,
    metadata TEXT,
    redirect_url TEXT,
    config TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS oauth_setups_deployment ON oauth_setups (deployment_id, id);
CREATE INDEX IF NOT EXISTS oauth_setups_expiry ON oauth_setups (status, expires_at);

CREATE TABLE IF NOT EXISTS auth_exports (
    id TEXT PRIMARY KEY,
    auth_config_id TEXT NOT NULL,
    provider_id TEXT NOT NULL,
    deployment_id TEXT,
    auth_method_id TEXT NOT NULL,
    credentials_id TEXT,
    note TEXT NOT NULL,
    ip TEXT,
    user_agent TEXT,
    metadata TEXT,
    value TEXT,
    created_at INTEGER NOT NULL,
    expires_at INTEGER
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS auth_exports_provider ON auth_exports (provider_id, id);
CREATE INDEX IF NOT EXISTS auth_exports_credentials ON auth_exports (credentials_id, id);
CREATE INDEX IF NOT EXISTS auth_exports_auth_config ON auth_exports (auth_config_id, id);

CREATE TABLE IF NOT EXISTS oauth_states (
    state TEXT PRIMARY KEY,
    flow_id TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS oauth_states_flow_expiry ON oauth_states (flow_id, expires_at);
CREATE INDEX IF NOT EXISTS oauth_states_expiry ON oauth_states (expires_at);

CREATE TABLE IF NOT EXISTS fake_provider_clients (
    client_id TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    client_secret TEXT NOT NULL,
    PRIMARY KEY (client_id, redirect_uri)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS fake_provider_requests (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    scope TEXT,
    state TEXT,
    code_challenge TEXT NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS fake_provider_requests_expiry ON fake_provider_requests (expires_at);

CREATE TABLE IF NOT EXISTS fake_provider_codes (
    code TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    scope TEXT,
    code_challenge TEXT NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS fake_provider_codes_expiry ON fake_provider_codes (expires_at);

CREATE TABLE IF NOT EXISTS fake_provider_tokens (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    access_token TEXT NOT NULL,
    refresh_token TEXT NOT NULL,
    client_id TEXT NOT NULL,
    scope TEXT,
    expires_in INTEGER NOT NULL,
    issued_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS fake_provider_tokens_refresh ON fake_provider_tokens (refresh_token);
CREATE INDEX IF NOT EXISTS fake_provider_tokens_access ON fake_provider_tokens (access_token);

CREATE TABLE IF NOT EXISTS tenant (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    key_sha256 TEXT NOT NULL,
    clock_offset_ms INTEGER NOT NULL
);
"#;

/// The table holding what the database's tenant is (see `store::tenant_row`): not part of
/// the API's state, so snapshots and resets leave it alone.
pub(crate) const TENANT_TABLE: &str = "tenant";
