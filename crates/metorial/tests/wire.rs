//! Each operation sends exactly the documented request (method, path, query, headers, JSON
//! body) and decodes the docs' examples, checked with the generated typed mocks.

mod support;

use httpmock::{Method, MockServer};
use metorial::models::{
    CreateProviderAuthExportBody, CreateProviderOauthSetupBody, CreateProviderSetupSessionBody,
    ProviderAuthExport, ProviderAuthExportList, ProviderOauthSetup, ProviderOauthSetupList,
    ProviderSetupSession, ProviderSetupSessionList, ProviderSetupSessionStatus, SecretObject,
    SortOrder, UpdateProviderOauthSetupBody, UpdateProviderSetupSessionBody,
};
use metorial::models::{Pagination, Timestamp};
use metorial::{ListAuthExports, ListOauthSetups, ListSetupSessions, Metorial};
use metorial_httpmock::MockServerExt;
use serde_json::json;
use support::{EXPORT, KEY, OAUTH_SETUP, SESSION};

fn session() -> ProviderSetupSession {
    serde_json::from_str(SESSION).unwrap()
}
fn oauth_setup() -> ProviderOauthSetup {
    serde_json::from_str(OAUTH_SETUP).unwrap()
}
fn export() -> ProviderAuthExport {
    serde_json::from_str(EXPORT).unwrap()
}

fn sdk(server: &MockServer) -> Metorial {
    Metorial::builder()
        .api_key(KEY)
        .base_url(server.base_url())
        .user_agent_suffix("wire-tests")
        .build()
        .unwrap()
}

/// The headers every request carries.
fn headers(when: httpmock::When) -> httpmock::When {
    when.header("authorization", format!("Bearer {KEY}"))
        .header(
            "user-agent",
            format!("metorial-rust/{} wire-tests", env!("CARGO_PKG_VERSION")),
        )
        .header("metorial-version", "2026-01-01-magnetar")
        .header("accept", "application/json")
        .header_missing("api-version")
}

/// The headers of a request with a JSON body, and that body exactly.
fn json_request(when: httpmock::When, body: serde_json::Value) -> httpmock::When {
    headers(when)
        .header("content-type", "application/json")
        .json_body(body)
}

#[tokio::test]
async fn list_setup_sessions() {
    let server = MockServer::start_async().await;
    let page: ProviderSetupSessionList = ProviderSetupSessionList::builder()
        .items(vec![session()])
        .pagination(
            Pagination::builder()
                .has_more_before(false)
                .has_more_after(true),
        )
        .try_into()
        .unwrap();
    let mock = server.list_provider_setup_sessions(|when, then| {
        headers(when.into_inner())
            .method(Method::GET)
            .path("/provider-setup-sessions")
            .query_param("limit", "10")
            .query_param("order", "desc")
            .query_param("after", "pas_0")
            .query_param("provider_id", "pro_5gHjKlMnPqRsTuVw")
            .query_param("status", "pending")
            .query_param("status", "failed")
            .query_param_count("status", ".*", 2)
            .query_param("created_at[gt]", "2026-01-01T00:00:00.000Z")
            .query_param("updated_at[lt]", "2026-02-01T00:00:00.000Z")
            .query_param_missing("created_at[lt]")
            .query_param_missing("before")
            .query_param_missing("id");
        then.ok(&page);
    });
    let params = ListSetupSessions::new()
        .limit(10)
        .order(SortOrder::Desc)
        .after("pas_0")
        .provider_id("pro_5gHjKlMnPqRsTuVw")
        .status([
            ProviderSetupSessionStatus::Pending,
            ProviderSetupSessionStatus::Failed,
        ])
        .created_after("2026-01-01T00:00:00.000Z".parse::<Timestamp>().unwrap())
        .updated_before("2026-02-01T00:00:00.000Z".parse::<Timestamp>().unwrap());
    let got = sdk(&server).setup_sessions().list(&params).await.unwrap();
    mock.assert_async().await;
    assert_eq!(got.items, page.items);
    assert!(got.has_more_after && !got.has_more_before);
}

#[tokio::test]
async fn the_api_version_header_follows_the_spec_unless_overridden() {
    assert_eq!(metorial::api_version(), "2026-01-01-magnetar");
    let server = MockServer::start_async().await;
    let mock = server.get_provider_setup_session(|when, then| {
        when.into_inner()
            .header("metorial-version", "2026-02-01-magnetar")
            .path("/provider-setup-sessions/pas_1");
        then.ok(&session());
    });
    let pinned = Metorial::builder()
        .api_key(KEY)
        .base_url(server.base_url())
        .api_version("2026-02-01-magnetar")
        .build()
        .unwrap();
    pinned.setup_sessions().get("pas_1").await.unwrap();
    mock.assert_async().await;
}

#[tokio::test]
async fn get_setup_session() {
    let server = MockServer::start_async().await;
    let mock = server.get_provider_setup_session(|when, then| {
        headers(when.into_inner())
            .method(Method::GET)
            .path("/provider-setup-sessions/pas_6eFgHjKlMnPqRsTu");
        then.ok(&session());
    });
    let got = sdk(&server)
        .setup_sessions()
        .get("pas_6eFgHjKlMnPqRsTu")
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(got, session());
}

#[tokio::test]
async fn create_setup_session() {
    let server = MockServer::start_async().await;
    let mock = server.create_provider_setup_session(|when, then| {
        json_request(
            when.into_inner(),
            json!({
                "provider_id": "pro_5gHjKlMnPqRsTuVw",
                "name": "GitHub OAuth Setup",
                "metadata": {"team": "platform"},
                "redirect_url": "https://app.example.com/callback"
            }),
        )
        .method(Method::POST)
        .path("/provider-setup-sessions");
        then.ok(&session());
    });
    let mut metadata = serde_json::Map::new();
    metadata.insert("team".into(), "platform".into());
    let body = CreateProviderSetupSessionBody::new()
        .provider_id("pro_5gHjKlMnPqRsTuVw")
        .name("GitHub OAuth Setup")
        .metadata(metadata)
        .redirect_url("https://app.example.com/callback");
    let got = sdk(&server).setup_sessions().create(body).await.unwrap();
    mock.assert_async().await;
    assert_eq!(got, session());
}

#[tokio::test]
async fn update_setup_session_sends_only_the_fields_set() {
    let server = MockServer::start_async().await;
    let mock = server.update_provider_setup_session(|when, then| {
        json_request(
            when.into_inner(),
            json!({"name": "Renamed", "identity_id": "idn_1"}),
        )
        .method(Method::PATCH)
        .path("/provider-setup-sessions/pas_6eFgHjKlMnPqRsTu");
        then.ok(&session());
    });
    let body = UpdateProviderSetupSessionBody::new()
        .name("Renamed")
        .identity_id("idn_1");
    sdk(&server)
        .setup_sessions()
        .update("pas_6eFgHjKlMnPqRsTu", body)
        .await
        .unwrap();
    mock.assert_async().await;
}

#[tokio::test]
async fn delete_setup_session() {
    let server = MockServer::start_async().await;
    let mock = server.delete_provider_setup_session(|when, then| {
        headers(when.into_inner())
            .method(Method::DELETE)
            .path("/provider-setup-sessions/pas_6eFgHjKlMnPqRsTu");
        then.ok(&session());
    });
    let got = sdk(&server)
        .setup_sessions()
        .delete("pas_6eFgHjKlMnPqRsTu")
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(got.id, "pas_6eFgHjKlMnPqRsTu");
}

#[tokio::test]
async fn list_oauth_setups() {
    let server = MockServer::start_async().await;
    let page: ProviderOauthSetupList = ProviderOauthSetupList::builder()
        .items(vec![oauth_setup()])
        .pagination(
            Pagination::builder()
                .has_more_before(true)
                .has_more_after(false),
        )
        .try_into()
        .unwrap();
    let mock = server.list_provider_oauth_setups(|when, then| {
        headers(when.into_inner())
            .method(Method::GET)
            .path("/provider-deployments/pde_1aBcDeFgHjKlMnPq/oauth-setups")
            .query_param("before", "pos_9")
            .query_param("limit", "3");
        then.ok(&page);
    });
    let got = sdk(&server)
        .oauth_setups("pde_1aBcDeFgHjKlMnPq")
        .list(&ListOauthSetups::new().before("pos_9").limit(3))
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(got.items, page.items);
    assert!(got.has_more_before);
}

#[tokio::test]
async fn get_oauth_setup() {
    let server = MockServer::start_async().await;
    let mock = server.get_provider_oauth_setup(|when, then| {
        headers(when.into_inner())
            .method(Method::GET)
            .path("/provider-deployments/pde_1aBcDeFgHjKlMnPq/oauth-setups/pos_1aBcDeFgHjKlMnPq");
        then.ok(&oauth_setup());
    });
    let got = sdk(&server)
        .oauth_setups("pde_1aBcDeFgHjKlMnPq")
        .get("pos_1aBcDeFgHjKlMnPq")
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(got, oauth_setup());
}

#[tokio::test]
async fn create_oauth_setup() {
    let server = MockServer::start_async().await;
    let mock = server.create_provider_oauth_setup(|when, then| {
        json_request(
            when.into_inner(),
            json!({
                "name": "GitHub",
                "config": {"client_id": "abc", "client_secret": "shh"},
                "is_ephemeral": false,
                "redirect_url": "https://app.example.com/oauth/callback"
            }),
        )
        .method(Method::POST)
        .path("/provider-deployments/pde_1aBcDeFgHjKlMnPq/oauth-setups");
        then.ok(&oauth_setup());
    });
    let config: SecretObject =
        serde_json::from_value(json!({"client_id": "abc", "client_secret": "shh"})).unwrap();
    let body = CreateProviderOauthSetupBody::new("GitHub", config)
        .is_ephemeral(false)
        .redirect_url("https://app.example.com/oauth/callback");
    let got = sdk(&server)
        .oauth_setups("pde_1aBcDeFgHjKlMnPq")
        .create(body)
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(got, oauth_setup());
}

#[tokio::test]
async fn update_oauth_setup() {
    let server = MockServer::start_async().await;
    let mock = server.update_provider_oauth_setup(|when, then| {
        json_request(
            when.into_inner(),
            json!({"description": "Moved", "metadata": {"env": "prod"}}),
        )
        .method(Method::PATCH)
        .path("/provider-deployments/pde_1/oauth-setups/pos_1");
        then.ok(&oauth_setup());
    });
    let mut metadata = serde_json::Map::new();
    metadata.insert("env".into(), "prod".into());
    let body = UpdateProviderOauthSetupBody::new()
        .description("Moved")
        .metadata(metadata);
    sdk(&server)
        .oauth_setups("pde_1")
        .update("pos_1", body)
        .await
        .unwrap();
    mock.assert_async().await;
}

#[tokio::test]
async fn list_auth_exports() {
    let server = MockServer::start_async().await;
    let page: ProviderAuthExportList = ProviderAuthExportList::builder()
        .items(vec![export()])
        .pagination(
            Pagination::builder()
                .has_more_before(false)
                .has_more_after(false),
        )
        .try_into()
        .unwrap();
    let mock = server.list_provider_auth_exports(|when, then| {
        headers(when.into_inner())
            .method(Method::GET)
            .path("/provider-auth-config-exports")
            .query_param("provider_auth_config_id", "pac_8pQrStUvWxYzAbCd")
            .query_param("id", "pace_1")
            .query_param("id", "pace_2")
            .query_param("cursor", "c1");
        then.ok(&page);
    });
    let params = ListAuthExports::new()
        .provider_auth_config_id("pac_8pQrStUvWxYzAbCd")
        .id(["pace_1", "pace_2"])
        .cursor("c1");
    let got = sdk(&server).auth_exports().list(&params).await.unwrap();
    mock.assert_async().await;
    assert_eq!(got.items, page.items);
}

#[tokio::test]
async fn get_auth_export() {
    let server = MockServer::start_async().await;
    let mock = server.get_provider_auth_export(|when, then| {
        headers(when.into_inner())
            .method(Method::GET)
            .path("/provider-auth-config-exports/pace_7yZaBcDeFgHjKlMn");
        then.ok(&export());
    });
    let got = sdk(&server)
        .auth_exports()
        .get("pace_7yZaBcDeFgHjKlMn")
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(got, export());
    assert_eq!(
        got.value.unwrap().expose_str("refresh_token"),
        Some("ghr_xxxxxxxxxxxxxxxxxxxx")
    );
}

#[tokio::test]
async fn create_auth_export() {
    let server = MockServer::start_async().await;
    let mock = server.create_provider_auth_export(|when, then| {
        json_request(
            when.into_inner(),
            json!({"provider_auth_config_id": "pac_8pQrStUvWxYzAbCd", "note": "Exported for backup purposes"}),
        )
        .method(Method::POST)
        .path("/provider-auth-config-exports");
        then.ok(&export());
    });
    let body =
        CreateProviderAuthExportBody::new("pac_8pQrStUvWxYzAbCd", "Exported for backup purposes");
    let got = sdk(&server).auth_exports().create(body).await.unwrap();
    mock.assert_async().await;
    assert_eq!(got, export());
}

#[tokio::test]
async fn path_segments_are_percent_encoded() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(Method::GET)
                .path("/provider-setup-sessions/a%2Fb%3Fc");
            then.status(200)
                .json_body(serde_json::to_value(session()).unwrap());
        })
        .await;
    sdk(&server).setup_sessions().get("a/b?c").await.unwrap();
    mock.assert_async().await;
}
