//! The emulator's virtual clock: moved over HTTP (`/_emulator/clock`) or from Rust, every
//! stored time follows it.

use std::time::Duration;

use metorial_e2e::{
    DEPLOYMENT_ID, Emulator, PROVIDER_ID, api_client, api_error, call, create_session, spawn,
};
use metorial_models::{
    ErrorCode, ProviderOauthSetup, ProviderOauthSetupStatus, ProviderSetupSession,
    ProviderSetupSessionStatus,
};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn clock_url(emu: &Emulator) -> String {
    format!("{}/_emulator/clock", emu.base_url())
}

#[tokio::test]
async fn advancing_the_clock_over_http_expires_a_session() {
    let emu = spawn(Emulator::builder()).await;
    let session = create_session(&emu, json!({"provider_id": PROVIDER_ID})).await;
    let api = api_client(&emu);

    let moved: Value = call(
        api.post(clock_url(&emu))
            .json(&json!({"advance_seconds": 31 * 60})),
        StatusCode::OK,
    )
    .await;
    assert_eq!(moved["offset_ms"], 31 * 60 * 1000);
    let read: Value = call(api.get(clock_url(&emu)), StatusCode::OK).await;
    assert_eq!(read["offset_ms"], 31 * 60 * 1000);

    let url = format!("{}/provider-setup-sessions/{}", emu.base_url(), session.id);
    let expired: ProviderSetupSession = call(api.get(&url), StatusCode::OK).await;
    assert_eq!(expired.status, ProviderSetupSessionStatus::Expired);
    emu.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn the_clock_needs_the_key_and_one_change_at_a_time() {
    let emu = spawn(Emulator::builder()).await;
    api_error(
        reqwest::Client::new()
            .post(clock_url(&emu))
            .json(&json!({"advance_seconds": 1})),
        StatusCode::UNAUTHORIZED,
        ErrorCode::Unauthorized,
    )
    .await;
    for body in [
        json!({}),
        json!({"advance_seconds": 1, "set": "2030-01-01T00:00:00.000Z"}),
        json!({"advance_seconds": "soon"}),
    ] {
        api_error(
            api_client(&emu).post(clock_url(&emu)).json(&body),
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidData,
        )
        .await;
    }
    emu.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn stored_times_follow_the_clock_set_from_rust() {
    let emu = spawn(Emulator::builder()).await;
    let setup: ProviderOauthSetup = call(
        api_client(&emu)
            .post(format!(
                "{}/provider-deployments/{DEPLOYMENT_ID}/oauth-setups",
                emu.base_url()
            ))
            .json(&json!({"name": "s", "config": {}})),
        StatusCode::OK,
    )
    .await;
    let later = emu
        .advance_clock(Duration::from_secs(31 * 60))
        .await
        .expect("the clock moves");
    assert!((*emu.now() - *later).num_seconds() <= 1);
    let read: ProviderOauthSetup = call(
        api_client(&emu).get(format!(
            "{}/provider-deployments/{DEPLOYMENT_ID}/oauth-setups/{}",
            emu.base_url(),
            setup.id
        )),
        StatusCode::OK,
    )
    .await;
    assert_eq!(read.status, Some(ProviderOauthSetupStatus::Expired));

    let future: metorial_models::Timestamp = "2030-01-01T00:00:00.000Z".parse().unwrap();
    emu.set_clock(future).await.expect("the clock moves");
    let session = create_session(&emu, json!({"provider_id": PROVIDER_ID})).await;
    assert!(*session.created_at >= *future, "{}", session.created_at);
    assert!(
        (*session.created_at - *future).num_seconds() < 5,
        "{}",
        session.created_at
    );
    emu.shutdown().await.expect("clean shutdown");
}
