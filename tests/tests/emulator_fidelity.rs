//! The emulator behaves like the live API where the docs say otherwise (FIDELITY.md): setup
//! session defaults and types, references, validation codes, lifetimes and read-time expiry,
//! OAuth setup statuses and URLs, and the deliberate deviations.

use std::time::Duration;

use metorial_e2e::{
    AUTH_METHOD_ID, CREDENTIALS_ID, DEPLOYMENT_ID, Emulator, Fixtures, PROVIDER_ID, api_client,
    api_error, browser_client, call, create_session, first_failure, spawn,
};
use metorial_models::{
    ErrorCode, PathSegment, ProviderOauthSetup, ProviderOauthSetupList, ProviderOauthSetupStatus,
    ProviderSetupSession, ProviderSetupSessionList, ProviderSetupSessionStatus,
    ProviderSetupSessionType, ProviderSetupSessionUiMode,
};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The built-in fixtures plus a second provider (with an auth method but no credentials) and
/// its deployment, and a deployment of the first provider without a config.
fn fixtures() -> Fixtures {
    let mut fixtures = Fixtures::builtin();
    let mut other = fixtures.providers[0].clone();
    other.id = "pro_other".into();
    fixtures.providers.push(other);
    let mut other_deployment = fixtures.deployments[0].clone();
    other_deployment.id = "pde_other".into();
    other_deployment.provider_id = "pro_other".into();
    fixtures.deployments.push(other_deployment);
    let mut bare = fixtures.deployments[0].clone();
    bare.id = "pde_bare".into();
    fixtures.deployments.push(bare);
    let mut method = fixtures.auth_methods[0].clone();
    method.id = "pam_other".into();
    method.provider_id = "pro_other".into();
    fixtures.auth_methods.push(method);
    fixtures
}

async fn emulator() -> Emulator {
    spawn(Emulator::builder().fixtures(fixtures())).await
}

fn sessions_url(emu: &Emulator) -> String {
    format!("{}/provider-setup-sessions", emu.base_url())
}

/// POSTs `body` as a new setup session, expecting the error `status`/`code`.
async fn refused(
    emu: &Emulator,
    body: Value,
    status: StatusCode,
    code: ErrorCode,
) -> metorial_models::ErrorBody {
    api_error(
        api_client(emu).post(sessions_url(emu)).json(&body),
        status,
        code,
    )
    .await
}

#[tokio::test]
async fn a_new_session_has_the_live_defaults() {
    let emu = emulator().await;
    let session = create_session(&emu, json!({"provider_id": PROVIDER_ID})).await;
    assert_eq!(session.name.as_deref(), Some("Setup Session"));
    assert_eq!(
        session.ui_mode,
        ProviderSetupSessionUiMode::MetorialElements
    );
    assert_eq!(session.type_, ProviderSetupSessionType::AuthOnly);
    assert_eq!(session.status, ProviderSetupSessionStatus::Pending);
    assert_eq!(
        (*session.expires_at - *session.created_at).num_minutes(),
        30,
        "sessions live 30 minutes"
    );
    assert_eq!(
        Value::Object(session.configuration.expect("a configuration")),
        json!({
            "provider_search": {"groups": [], "collections": [], "categories": []},
            "tool_filters": {"enabled": false},
            "ui": {"layout": "box"}
        })
    );
    assert_eq!(session.identity_id, None);

    let blank = create_session(&emu, json!({"provider_id": PROVIDER_ID, "name": "  "})).await;
    assert_eq!(blank.name, None, "a blank name is stored as none");
    let trimmed = create_session(&emu, json!({"provider_id": PROVIDER_ID, "name": " Ada "})).await;
    assert_eq!(trimmed.name.as_deref(), Some("Ada"));
    emu.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn sent_configuration_and_identity_are_kept() {
    let emu = emulator().await;
    let session = create_session(
        &emu,
        json!({
            "provider_id": PROVIDER_ID,
            "identity_id": "idn_1",
            "consumer_id": "con_1",
            "configuration": {"ui": {"layout": "side"}, "tool_filters": {"enabled": true}},
            "an_unknown_field": "dropped"
        }),
    )
    .await;
    assert_eq!(session.identity_id.as_deref(), Some("idn_1"));
    let configuration = Value::Object(session.configuration.unwrap());
    assert_eq!(configuration["ui"], json!({"layout": "side"}));
    assert_eq!(configuration["tool_filters"], json!({"enabled": true}));
    assert_eq!(configuration["provider_search"]["groups"], json!([]));
    emu.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn auto_resolves_the_type_as_the_live_api_does() {
    let emu = emulator().await;
    let cases = [
        (
            json!({"provider_id": PROVIDER_ID}),
            ProviderSetupSessionType::AuthOnly,
        ),
        (
            json!({"provider_id": PROVIDER_ID, "provider_deployment_id": DEPLOYMENT_ID}),
            ProviderSetupSessionType::AuthAndConfig,
        ),
        (
            json!({"provider_deployment_id": "pde_bare", "type": "auto"}),
            ProviderSetupSessionType::AuthOnly,
        ),
        (json!({}), ProviderSetupSessionType::ConfigOnly),
        (
            json!({"provider_id": PROVIDER_ID, "type": "config_only"}),
            ProviderSetupSessionType::ConfigOnly,
        ),
    ];
    for (body, expected) in cases {
        let session = create_session(&emu, body.clone()).await;
        assert_eq!(session.type_, expected, "{body}");
        let sets_up_auth = expected != ProviderSetupSessionType::ConfigOnly;
        assert_eq!(session.auth_method.is_some(), sets_up_auth, "{body}");
        assert_eq!(session.credentials.is_some(), sets_up_auth, "{body}");
        let has_config = expected != ProviderSetupSessionType::AuthOnly
            && body.get("provider_deployment_id").is_some();
        assert_eq!(session.config.is_some(), has_config, "{body}");
    }
    let nothing = create_session(&emu, json!({})).await;
    assert_eq!((nothing.provider_id, nothing.auth_method), (None, None));
    emu.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn bad_references_get_the_live_codes() {
    let emu = emulator().await;
    /// (body, status, code, the not-found entity and ID)
    type Case = (
        Value,
        StatusCode,
        ErrorCode,
        Option<(&'static str, &'static str)>,
    );
    let cases: [Case; 6] = [
        (
            json!({"provider_id": "pro_missing"}),
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            Some(("provider", "pro_missing")),
        ),
        (
            json!({"provider_id": PROVIDER_ID, "provider_deployment_id": "pde_missing"}),
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            Some(("provider.deployment", "pde_missing")),
        ),
        (
            json!({"provider_id": PROVIDER_ID, "provider_auth_credentials_id": "par_missing"}),
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            Some(("provider.auth_credentials", "par_missing")),
        ),
        (
            json!({"provider_id": PROVIDER_ID, "provider_auth_method_id": "pam_missing"}),
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidAuthMethod,
            None,
        ),
        (
            json!({"provider_id": PROVIDER_ID, "provider_deployment_id": "pde_other"}),
            StatusCode::BAD_REQUEST,
            ErrorCode::ProviderMismatch,
            None,
        ),
        (
            json!({"provider_id": "pro_other"}),
            StatusCode::BAD_REQUEST,
            ErrorCode::MissingAuthCredentials,
            None,
        ),
    ];
    for (body, status, code, entity) in cases {
        let error = refused(&emu, body.clone(), status, code).await;
        let (entity, id) = entity.unzip();
        assert_eq!(error.entity.as_deref(), entity, "{body}");
        assert_eq!(error.id.as_deref(), id, "{body}");
    }
    let mismatch = refused(
        &emu,
        json!({"provider_id": PROVIDER_ID, "provider_auth_method_id": "pam_other"}),
        StatusCode::BAD_REQUEST,
        ErrorCode::ProviderMismatch,
    )
    .await;
    assert!(
        mismatch.message.contains("pam_other"),
        "{}",
        mismatch.message
    );
    emu.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn an_unknown_type_is_invalid_enum() {
    let emu = emulator().await;
    let error = refused(
        &emu,
        json!({"provider_id": PROVIDER_ID, "type": "oauth"}),
        StatusCode::BAD_REQUEST,
        ErrorCode::InvalidData,
    )
    .await;
    assert_eq!(
        first_failure(&error),
        ("invalid_enum".to_owned(), vec![PathSegment::from("type")])
    );
    emu.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn redirect_urls_of_apps_are_accepted_and_unsafe_schemes_refused() {
    let emu = emulator().await;
    for url in ["myapp://done", "https://app.example.com/back?x=1"] {
        let session = create_session(
            &emu,
            json!({"provider_id": PROVIDER_ID, "redirect_url": url}),
        )
        .await;
        assert_eq!(session.redirect_url.as_deref(), Some(url));
    }
    for url in ["javascript:alert(1)", "data:text/html,hi", "not a url"] {
        let error = refused(
            &emu,
            json!({"provider_id": PROVIDER_ID, "redirect_url": url}),
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidData,
        )
        .await;
        assert_eq!(
            first_failure(&error),
            (
                "invalid_url".to_owned(),
                vec![PathSegment::from("redirect_url")]
            ),
            "{url}"
        );
    }
    emu.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn the_url_of_a_config_only_session_says_the_emulator_cannot_configure() {
    let emu = emulator().await;
    let session = create_session(&emu, json!({"type": "config_only"})).await;
    let page = browser_client()
        .get(&session.url)
        .send()
        .await
        .expect("request sent");
    assert_eq!(page.status(), StatusCode::BAD_REQUEST);
    let text = page.text().await.unwrap();
    assert!(text.contains("configuration UI"), "{text}");
    emu.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn update_sets_the_identity_and_keeps_what_was_not_sent() {
    let emu = emulator().await;
    let session = create_session(
        &emu,
        json!({"provider_id": PROVIDER_ID, "name": "n", "description": "d"}),
    )
    .await;
    let url = format!("{}/{}", sessions_url(&emu), session.id);
    let updated: ProviderSetupSession = call(
        api_client(&emu)
            .patch(&url)
            .json(&json!({"identity_id": "idn_2"})),
        StatusCode::OK,
    )
    .await;
    assert_eq!(updated.identity_id.as_deref(), Some("idn_2"));
    assert_eq!(updated.name.as_deref(), Some("n"));
    assert_eq!(updated.description.as_deref(), Some("d"));
    emu.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn an_archived_session_cannot_be_updated() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("emulator.sqlite");
    let emu = spawn(Emulator::builder().database(&db)).await;
    let session = create_session(&emu, json!({"provider_id": PROVIDER_ID})).await;
    emu.shutdown().await.expect("clean shutdown");
    // Only Metorial archives sessions; the test does it in the database.
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute(
            "UPDATE setup_sessions SET status = 'archived' WHERE id = ?",
            [&session.id],
        )
        .unwrap();
    let emu = spawn(Emulator::builder().database(&db)).await;
    let url = format!("{}/{}", sessions_url(&emu), session.id);
    api_error(
        api_client(&emu).patch(&url).json(&json!({"name": "x"})),
        StatusCode::GONE,
        ErrorCode::Gone,
    )
    .await;
    emu.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn a_session_is_shown_expired_when_read_and_filtered_by_its_stored_status() {
    let emu = spawn(
        Emulator::builder()
            .fixtures(fixtures())
            .session_lifetime(Duration::from_millis(300)),
    )
    .await;
    let session = create_session(&emu, json!({"provider_id": PROVIDER_ID})).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let api = api_client(&emu);
    let url = format!("{}/{}", sessions_url(&emu), session.id);
    let read: ProviderSetupSession = call(api.get(&url), StatusCode::OK).await;
    assert_eq!(read.status, ProviderSetupSessionStatus::Expired);
    assert_eq!(
        read.updated_at, session.updated_at,
        "the row is not touched"
    );
    let pending: ProviderSetupSessionList = call(
        api.get(format!("{}?status=pending", sessions_url(&emu))),
        StatusCode::OK,
    )
    .await;
    assert_eq!(pending.items, std::slice::from_ref(&read));
    let expired: ProviderSetupSessionList = call(
        api.get(format!("{}?status=expired", sessions_url(&emu))),
        StatusCode::OK,
    )
    .await;
    assert!(expired.items.is_empty());
    emu.shutdown().await.expect("clean shutdown");
}

/// Creates an OAuth setup of the fixtures' deployment with this extra JSON.
async fn create_oauth_setup(emu: &Emulator, extra: Value) -> ProviderOauthSetup {
    let mut body = json!({"name": "setup", "config": {}});
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    call(
        api_client(emu)
            .post(format!(
                "{}/provider-deployments/{DEPLOYMENT_ID}/oauth-setups",
                emu.base_url()
            ))
            .json(&body),
        StatusCode::OK,
    )
    .await
}

fn oauth_setup_url(emu: &Emulator, deployment: &str, id: &str) -> String {
    format!(
        "{}/provider-deployments/{deployment}/oauth-setups/{id}",
        emu.base_url()
    )
}

#[tokio::test]
async fn an_oauth_setup_goes_unused_opened_completed_and_then_has_no_url() {
    let emu = spawn(
        Emulator::builder()
            .fixtures(fixtures())
            .oauth_auto_approve(true),
    )
    .await;
    let setup = create_oauth_setup(&emu, json!({})).await;
    assert_eq!(setup.status, Some(ProviderOauthSetupStatus::Unused));
    assert_eq!(
        (*setup.expires_at.unwrap() - *setup.created_at).num_minutes(),
        30
    );
    let url = setup.url.clone().expect("a URL while unused");
    let get = || async {
        call::<ProviderOauthSetup>(
            api_client(&emu).get(oauth_setup_url(&emu, DEPLOYMENT_ID, &setup.id)),
            StatusCode::OK,
        )
        .await
    };

    // The first hop only: the setup is now opened.
    let hop = metorial_e2e::manual_client()
        .get(&url)
        .send()
        .await
        .unwrap();
    assert!(hop.status().is_redirection());
    let opened = get().await;
    assert_eq!(opened.status, Some(ProviderOauthSetupStatus::Opened));
    assert_eq!(opened.url.as_deref(), Some(url.as_str()));

    // The whole dance: completed, and the URL is gone.
    browser_client().get(&url).send().await.unwrap();
    let completed = get().await;
    assert_eq!(completed.status, Some(ProviderOauthSetupStatus::Completed));
    assert_eq!(completed.url, None);
    let auth_config = completed.auth_config.expect("the created auth config");
    assert_eq!(
        auth_config.provider_auth_method_id.as_deref(),
        Some(AUTH_METHOD_ID)
    );
    assert_eq!(
        completed.credentials.map(|c| c.id).as_deref(),
        Some(CREDENTIALS_ID)
    );
    emu.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn an_expired_oauth_setup_has_no_url() {
    let emu = spawn(
        Emulator::builder()
            .fixtures(fixtures())
            .oauth_setup_lifetime(Duration::from_millis(300)),
    )
    .await;
    let setup = create_oauth_setup(&emu, json!({})).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let read: ProviderOauthSetup = call(
        api_client(&emu).get(oauth_setup_url(&emu, DEPLOYMENT_ID, &setup.id)),
        StatusCode::OK,
    )
    .await;
    assert_eq!(read.status, Some(ProviderOauthSetupStatus::Expired));
    assert_eq!(read.url, None);
    emu.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn ephemeral_setups_are_not_listed_and_a_setup_is_found_by_its_id() {
    let emu = emulator().await;
    let kept = create_oauth_setup(&emu, json!({})).await;
    let ephemeral = create_oauth_setup(&emu, json!({"is_ephemeral": true})).await;
    let list: ProviderOauthSetupList = call(
        api_client(&emu).get(format!(
            "{}/provider-deployments/{DEPLOYMENT_ID}/oauth-setups",
            emu.base_url()
        )),
        StatusCode::OK,
    )
    .await;
    let ids: Vec<&str> = list.items.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, [kept.id.as_str()]);
    // The live API loads a setup by its ID alone; the path's deployment must exist.
    let read: ProviderOauthSetup = call(
        api_client(&emu).get(oauth_setup_url(&emu, "pde_bare", &ephemeral.id)),
        StatusCode::OK,
    )
    .await;
    assert_eq!(read.id, ephemeral.id);
    let missing = api_error(
        api_client(&emu).get(oauth_setup_url(&emu, "pde_missing", &kept.id)),
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    )
    .await;
    assert_eq!(missing.entity.as_deref(), Some("provider.deployment"));
    emu.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn nested_objects_carry_the_live_fields() {
    let emu = emulator().await;
    let session = create_session(
        &emu,
        json!({"provider_id": PROVIDER_ID, "provider_deployment_id": DEPLOYMENT_ID}),
    )
    .await;
    let json = serde_json::to_value(&session).unwrap();
    assert_eq!(json["deployment"]["object"], "provider.deployment#preview");
    assert!(json["deployment"]["is_default"].is_boolean(), "{json}");
    let credentials = &json["credentials"];
    assert_eq!(
        (&credentials["status"], &credentials["is_managed"]),
        (&json!("active"), &json!(false))
    );
    assert!(
        credentials.get("client_id").is_none(),
        "no client ID in a session"
    );
    let method = &json["auth_method"];
    assert_eq!(method["type"], "oauth");
    assert_eq!(method["input_schema"]["type"], "json_schema");
    let config = &json["config"];
    assert_eq!(
        (
            &config["status"],
            &config["is_default"],
            &config["tool_filter"]
        ),
        (
            &json!("active"),
            &json!(true),
            &json!({"type": "allow_all", "ignore_parent_filters": false})
        )
    );
    assert_eq!(config["from_vault"]["status"], "active");
    emu.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn an_oauth_setup_without_credentials_is_missing_oauth_credentials() {
    let emu = emulator().await;
    // `pro_other` has an auth method but no OAuth credentials, and the setup names no client.
    let error = api_error(
        api_client(&emu)
            .post(format!(
                "{}/provider-deployments/pde_other/oauth-setups",
                emu.base_url()
            ))
            .json(&json!({"name": "setup", "config": {}})),
        StatusCode::BAD_REQUEST,
        ErrorCode::MissingOauthCredentials,
    )
    .await;
    assert!(error.message.contains("pro_other"), "{}", error.message);
    emu.shutdown().await.expect("clean shutdown");
}
