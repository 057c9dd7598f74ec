//! The emulator's read cache never shows stale data: every write (the API, the OAuth flow, the
//! control API), every move of the clock, a session's own expiry, and tenants each invalidate
//! or separate what a read answered before. Each step reads twice first, so the second read is
//! the one a cache would answer.

use std::time::Duration;

use metorial_e2e::{Emulator, PROVIDER_ID, api_client, call, follow_flow, spawn};
use metorial_emulator::control::SeedTokens;
use metorial_models::{ProviderSetupSession, ProviderSetupSessionList, ProviderSetupSessionStatus};
use reqwest::StatusCode;
use serde_json::json;

/// Reads session `id` twice with `key` and returns the second answer.
async fn read_twice(emu: &Emulator, key: &str, id: &str) -> ProviderSetupSession {
    let url = format!("{}/provider-setup-sessions/{id}", emu.base_url());
    let http = reqwest::Client::new();
    let _: ProviderSetupSession = call(http.get(&url).bearer_auth(key), StatusCode::OK).await;
    call(http.get(&url).bearer_auth(key), StatusCode::OK).await
}

/// Lists sessions twice with `key` (the same request target) and returns the second answer.
async fn list_twice(emu: &Emulator, key: &str) -> ProviderSetupSessionList {
    let url = format!("{}/provider-setup-sessions?limit=50", emu.base_url());
    let http = reqwest::Client::new();
    let _: ProviderSetupSessionList = call(http.get(&url).bearer_auth(key), StatusCode::OK).await;
    call(http.get(&url).bearer_auth(key), StatusCode::OK).await
}

/// Creates a session that redirects to `https://app.example.com/`.
async fn new_session(emu: &Emulator, key: &str) -> ProviderSetupSession {
    call(
        reqwest::Client::new()
            .post(format!("{}/provider-setup-sessions", emu.base_url()))
            .bearer_auth(key)
            .json(&json!({"provider_id": PROVIDER_ID, "redirect_url": "https://app.example.com/"})),
        StatusCode::OK,
    )
    .await
}

#[tokio::test]
async fn api_writes_and_the_clock_invalidate_cached_reads() {
    let emu = spawn(Emulator::builder()).await;
    let key = emu.api_key().to_owned();
    let session = new_session(&emu, &key).await;
    assert_eq!(read_twice(&emu, &key, &session.id).await.name, session.name);
    assert_eq!(list_twice(&emu, &key).await.items.len(), 1);

    // An update through the API.
    let url = format!("{}/provider-setup-sessions/{}", emu.base_url(), session.id);
    let _: ProviderSetupSession = call(
        api_client(&emu)
            .patch(&url)
            .json(&json!({"name": "renamed"})),
        StatusCode::OK,
    )
    .await;
    let read = read_twice(&emu, &key, &session.id).await;
    assert_eq!(read.name.as_deref(), Some("renamed"));
    // A create.
    new_session(&emu, &key).await;
    assert_eq!(list_twice(&emu, &key).await.items.len(), 2);

    // The clock, forward and back.
    emu.advance_clock(Duration::from_secs(31 * 60))
        .await
        .expect("the clock moves");
    let expired = read_twice(&emu, &key, &session.id).await;
    assert_eq!(expired.status, ProviderSetupSessionStatus::Expired);
    let listed = list_twice(&emu, &key).await;
    assert!(
        listed
            .items
            .iter()
            .all(|s| s.status == ProviderSetupSessionStatus::Expired)
    );
    emu.set_clock(session.created_at)
        .await
        .expect("the clock moves");
    let back = read_twice(&emu, &key, &session.id).await;
    assert_eq!(back.status, ProviderSetupSessionStatus::Pending);
    emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_flow_and_the_control_api_invalidate_cached_reads() {
    let emu = spawn(Emulator::builder().oauth_auto_approve(true)).await;
    let tenant = emu.tenant();
    let key = tenant.api_key().to_owned();

    // The OAuth flow through the browser pages.
    let browsed = new_session(&emu, &key).await;
    assert_eq!(
        read_twice(&emu, &key, &browsed.id).await.status,
        ProviderSetupSessionStatus::Pending
    );
    follow_flow(&emu, &browsed.url).await;
    assert_eq!(
        read_twice(&emu, &key, &browsed.id).await.status,
        ProviderSetupSessionStatus::Completed
    );

    // Ending a flow through the control API.
    let ended = new_session(&emu, &key).await;
    read_twice(&emu, &key, &ended.id).await;
    tenant
        .complete_flow(&ended.id, SeedTokens::new("gho_cache"))
        .await
        .unwrap();
    assert_eq!(
        read_twice(&emu, &key, &ended.id).await.status,
        ProviderSetupSessionStatus::Completed
    );

    // A snapshot taken now, a reset, then the snapshot imported again.
    let saved = tenant.snapshot().await.unwrap();
    assert_eq!(list_twice(&emu, &key).await.items.len(), 2);
    tenant.reset().await.unwrap();
    assert!(list_twice(&emu, &key).await.items.is_empty());
    tenant.restore(saved).await.unwrap();
    assert_eq!(list_twice(&emu, &key).await.items.len(), 2);
    emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_cached_pending_session_turns_expired_at_its_time() {
    let emu = spawn(Emulator::builder().session_lifetime(Duration::from_millis(1500))).await;
    let key = emu.api_key().to_owned();
    let session = new_session(&emu, &key).await;
    assert_eq!(
        read_twice(&emu, &key, &session.id).await.status,
        ProviderSetupSessionStatus::Pending
    );
    assert_eq!(
        list_twice(&emu, &key).await.items[0].status,
        ProviderSetupSessionStatus::Pending
    );
    tokio::time::sleep(Duration::from_millis(1600)).await;
    assert_eq!(
        read_twice(&emu, &key, &session.id).await.status,
        ProviderSetupSessionStatus::Expired
    );
    assert_eq!(
        list_twice(&emu, &key).await.items[0].status,
        ProviderSetupSessionStatus::Expired
    );
    emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn tenants_never_share_a_cached_read() {
    let emu = spawn(Emulator::builder()).await;
    let other = emu.create_tenant().await.unwrap();
    let mine = new_session(&emu, emu.api_key()).await;
    assert_eq!(list_twice(&emu, emu.api_key()).await.items[0].id, mine.id);
    // The same request target, another tenant: its own (empty) list.
    assert!(list_twice(&emu, other.api_key()).await.items.is_empty());
    let theirs = new_session(&emu, other.api_key()).await;
    assert_eq!(
        list_twice(&emu, other.api_key()).await.items[0].id,
        theirs.id
    );
    assert_eq!(list_twice(&emu, emu.api_key()).await.items[0].id, mine.id);
    emu.shutdown().await.unwrap();
}
