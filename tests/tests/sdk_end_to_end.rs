//! The `metorial` SDK against a spawned emulator: every operation, end to end.

use futures_util::TryStreamExt;
use metorial::models::{
    CreateProviderAuthExportBody, CreateProviderOauthSetupBody, CreateProviderSetupSessionBody,
    ProviderAuthConfigSource, ProviderAuthConfigStatus, ProviderSetupSessionStatus, SecretObject,
    SortOrder, UpdateProviderOauthSetupBody, UpdateProviderSetupSessionBody,
};
use metorial::{ListAuthExports, ListOauthSetups, ListSetupSessions, Metorial, WaitOptions};
use metorial_e2e::follow_flow;
use metorial_emulator::Emulator;

const PROVIDER: &str = "pro_5gHjKlMnPqRsTuVw";
const DEPLOYMENT: &str = "pde_1aBcDeFgHjKlMnPq";
const AUTH_CONFIG: &str = "pac_8pQrStUvWxYzAbCd";

async fn emulator() -> (Emulator, Metorial) {
    let emulator = Emulator::builder()
        .oauth_auto_approve(true)
        .spawn()
        .await
        .expect("the emulator starts");
    let metorial = Metorial::builder()
        .api_key(emulator.api_key())
        .base_url(emulator.base_url())
        .build()
        .expect("a client");
    (emulator, metorial)
}

#[tokio::test]
async fn setup_sessions_end_to_end() {
    let (emulator, metorial) = emulator().await;
    let sessions = metorial.setup_sessions();

    let created = sessions
        .create(
            CreateProviderSetupSessionBody::new()
                .provider_id(PROVIDER)
                .name("E2E")
                .description("through the SDK")
                .redirect_url("https://app.example.com/connected"),
        )
        .await
        .unwrap();
    assert_eq!(created.status, ProviderSetupSessionStatus::Pending);
    assert_eq!(created.provider_id.as_deref(), Some(PROVIDER));
    assert!(
        created.url.starts_with(emulator.base_url()),
        "{}",
        created.url
    );
    assert_eq!(sessions.get(&created.id).await.unwrap(), created);

    let renamed = sessions
        .update(
            &created.id,
            UpdateProviderSetupSessionBody::new()
                .name("Renamed")
                .identity_id("idn_e2e"),
        )
        .await
        .unwrap();
    assert_eq!(renamed.name.as_deref(), Some("Renamed"));
    assert_eq!(renamed.identity_id.as_deref(), Some("idn_e2e"));
    assert_eq!(renamed.description, created.description);
    assert_eq!(
        renamed.redirect_url, created.redirect_url,
        "fields not sent are unchanged"
    );

    // The OAuth dance, then the SDK sees the session completed with an auth config.
    let landed = follow_flow(&emulator, &created.url).await;
    assert_eq!(landed.host_str(), Some("app.example.com"));
    assert!(
        landed
            .query_pairs()
            .any(|(k, v)| k == "setup_session_id" && v == created.id)
    );
    let options = WaitOptions::default().poll_interval(std::time::Duration::from_millis(20));
    let completed = sessions
        .wait_for_completion(&created.id, options)
        .await
        .unwrap();
    let auth_config = completed.auth_config.expect("an auth config");
    assert_eq!(auth_config.status, Some(ProviderAuthConfigStatus::Active));
    assert_eq!(auth_config.source, ProviderAuthConfigSource::SetupSession);

    // The export holds exactly the tokens the fake provider issued.
    let export = metorial
        .auth_exports()
        .create(CreateProviderAuthExportBody::new(&auth_config.id, "e2e"))
        .await
        .unwrap();
    let issued = emulator.issued_tokens().await.unwrap();
    let issued = issued.last().expect("a token was issued");
    let value = export.value.as_ref().expect("a value");
    assert_eq!(
        value.expose_str("access_token"),
        Some(issued.access_token.as_str())
    );
    assert_eq!(
        value.expose_str("refresh_token"),
        Some(issued.refresh_token.as_str())
    );
    assert!(!format!("{export:?}").contains(&issued.access_token));

    // As on the live API, delete answers the session unchanged and it stays readable.
    let deleted = sessions.delete(&created.id).await.unwrap();
    assert_eq!(deleted, sessions.get(&created.id).await.unwrap());
    assert_eq!(deleted.status, ProviderSetupSessionStatus::Completed);
    emulator.shutdown().await.unwrap();
}

#[tokio::test]
async fn pagination_across_pages_with_filters() {
    let (emulator, metorial) = emulator().await;
    let sessions = metorial.setup_sessions();
    let mut ids = Vec::new();
    for i in 0..7 {
        let body = CreateProviderSetupSessionBody::new()
            .provider_id(PROVIDER)
            .name(format!("s{i}"));
        ids.push(sessions.create(body).await.unwrap().id);
    }
    let fourth = ids[3].clone();
    let params = ListSetupSessions::new()
        .limit(3)
        .provider_id(PROVIDER)
        .status(ProviderSetupSessionStatus::Pending);

    let page = sessions.list(&params).await.unwrap();
    assert_eq!(page.items.len(), 3);
    assert!(page.has_more_after && !page.has_more_before);

    let all: Vec<String> = sessions
        .list_all(params.clone())
        .map_ok(|s| s.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all, ids, "ascending creation order, across 3 pages");

    let desc: Vec<String> = sessions
        .list_all(params.clone().order(SortOrder::Desc))
        .map_ok(|s| s.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(desc, ids.iter().rev().cloned().collect::<Vec<_>>());

    let backward: Vec<String> = sessions
        .list_all_backward(params.clone().before(&ids[6]))
        .map_ok(|s| s.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(backward, ids[..6].iter().rev().cloned().collect::<Vec<_>>());

    let picked = sessions
        .list(&ListSetupSessions::new().id(vec![ids[1].as_str(), fourth.as_str()]))
        .await
        .unwrap();
    assert_eq!(
        picked
            .items
            .iter()
            .map(|s| s.id.clone())
            .collect::<Vec<_>>(),
        [ids[1].clone(), fourth]
    );

    let none = sessions
        .list(&ListSetupSessions::new().status(ProviderSetupSessionStatus::Completed))
        .await
        .unwrap();
    assert!(none.items.is_empty() && !none.has_more_after);
    emulator.shutdown().await.unwrap();
}

#[tokio::test]
async fn oauth_setups_end_to_end() {
    let (emulator, metorial) = emulator().await;
    let setups = metorial.oauth_setups(DEPLOYMENT);
    let config: SecretObject =
        serde_json::from_value(serde_json::json!({"client_id": "abc", "client_secret": "shh"}))
            .unwrap();
    let created = setups
        .create(
            CreateProviderOauthSetupBody::new("GitHub", config)
                .redirect_url("https://app.example.com/oauth"),
        )
        .await
        .unwrap();
    assert_eq!(setups.get(&created.id).await.unwrap(), created);

    let updated = setups
        .update(
            &created.id,
            UpdateProviderOauthSetupBody::new().description("described"),
        )
        .await
        .unwrap();
    assert_eq!(updated.description.as_deref(), Some("described"));

    let page = setups
        .list(&ListOauthSetups::new().limit(10))
        .await
        .unwrap();
    assert_eq!(
        page.items.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
        [created.id.as_str()]
    );

    let url = created.url.clone().expect("a URL");
    follow_flow(&emulator, &url).await;
    let options = WaitOptions::default().poll_interval(std::time::Duration::from_millis(20));
    let done = setups
        .wait_for_completion(&created.id, options)
        .await
        .unwrap();
    assert!(done.auth_config.is_some());

    assert!(
        metorial
            .oauth_setups("pde_unknown")
            .get(&created.id)
            .await
            .unwrap_err()
            .is_not_found()
    );
    emulator.shutdown().await.unwrap();
}

#[tokio::test]
async fn auth_exports_end_to_end() {
    let (emulator, metorial) = emulator().await;
    let exports = metorial.auth_exports();
    let created = exports
        .create(CreateProviderAuthExportBody::new(AUTH_CONFIG, "backup"))
        .await
        .unwrap();
    assert_eq!(created.note, "backup");
    assert!(
        created
            .value
            .as_ref()
            .is_some_and(|v| v.expose_str("access_token").is_some())
    );
    assert_eq!(exports.get(&created.id).await.unwrap().id, created.id);
    let listed = exports
        .list(&ListAuthExports::new().provider_auth_config_id(AUTH_CONFIG))
        .await
        .unwrap();
    assert_eq!(
        listed
            .items
            .iter()
            .map(|e| e.id.as_str())
            .collect::<Vec<_>>(),
        [created.id.as_str()]
    );

    let error = exports
        .create(CreateProviderAuthExportBody::new("pac_missing", "x"))
        .await
        .unwrap_err();
    assert!(
        matches!(error.status().map(|s| s.as_u16()), Some(400 | 404)),
        "{error}"
    );
    emulator.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_wrong_key_is_a_typed_401() {
    let (emulator, _) = emulator().await;
    let metorial = Metorial::builder()
        .api_key("metorial_sk_wrong")
        .base_url(emulator.base_url())
        .build()
        .unwrap();
    let error = metorial
        .setup_sessions()
        .list(&ListSetupSessions::new())
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(
        error.api_error().unwrap().code,
        Some(metorial::models::ErrorCode::Unauthorized)
    );
    assert!(!error.to_string().contains("metorial_sk_wrong"));
    emulator.shutdown().await.unwrap();
}
