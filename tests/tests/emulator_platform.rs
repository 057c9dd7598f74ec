//! The emulator as a test platform: tenants, fault rules, the request journal, reset,
//! snapshots, seeding, flows ended without a browser, and the fake provider's failure rules and
//! token expiry, over HTTP (`/_emulator/...`) and from Rust (`TenantHandle`).

use std::time::{Duration, Instant};

use metorial::Metorial;
use metorial::models::CreateProviderSetupSessionBody;
use metorial_e2e::{
    AUTH_CONFIG_ID, DEPLOYMENT_ID, Emulator, PROVIDER_ID, api_error, call, follow_flow,
    keyed_client, query_param, spawn,
};
use metorial_emulator::control::{FaultRule, JournalQuery, ProviderEndpoint, SeedTokens};
use metorial_models::{
    ErrorCode, ProviderSetupSession, ProviderSetupSessionList, ProviderSetupSessionStatus,
};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A client sending `key` as the API key.
fn client(key: &str) -> reqwest::Client {
    keyed_client(key)
}

/// The URL of `path` on the emulator.
fn url(emu: &Emulator, path: &str) -> String {
    format!("{}{path}", emu.base_url())
}

/// The SDK on the emulator with `key`, retrying fast.
fn sdk(emu: &Emulator, key: &str) -> Metorial {
    Metorial::builder()
        .api_key(key)
        .base_url(emu.base_url())
        .retry(
            metorial::RetryPolicy::default()
                .min_delay(Duration::from_millis(1))
                .max_delay(Duration::from_millis(20)),
        )
        .build()
        .unwrap()
}

/// Creates a setup session for the fixtures' provider with `key`.
async fn new_session(emu: &Emulator, key: &str) -> ProviderSetupSession {
    call(
        client(key)
            .post(url(emu, "/provider-setup-sessions"))
            .json(&json!({"provider_id": PROVIDER_ID})),
        StatusCode::OK,
    )
    .await
}

/// The IDs of the sessions `key` lists.
async fn session_ids(emu: &Emulator, key: &str) -> Vec<String> {
    let list: ProviderSetupSessionList = call(
        client(key).get(url(emu, "/provider-setup-sessions?limit=100")),
        StatusCode::OK,
    )
    .await;
    list.items.into_iter().map(|s| s.id).collect()
}

/// The entries of `GET /_emulator/journal{query}` with `api`.
async fn journal(emu: &Emulator, api: &reqwest::Client, query: &str) -> Vec<Value> {
    let view: Value = call(
        api.get(url(emu, &format!("/_emulator/journal{query}"))),
        StatusCode::OK,
    )
    .await;
    view["entries"].as_array().cloned().unwrap_or_default()
}

/// Creates `count` sessions with `key`, one after another; their IDs, sorted.
async fn make_sessions(emu: &Emulator, key: &str, count: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for _ in 0..count {
        ids.push(new_session(emu, key).await.id);
    }
    ids.sort();
    ids
}

#[tokio::test]
async fn two_tenants_in_parallel_never_see_each_other() {
    let emu = spawn(Emulator::builder().oauth_auto_approve(true)).await;
    let a = emu.tenant();
    let b = emu.create_tenant().await.unwrap();
    assert_ne!(a.id(), b.id());
    let (made_a, made_b) = tokio::join!(
        make_sessions(&emu, a.api_key(), 5),
        make_sessions(&emu, b.api_key(), 3),
    );
    let mut listed_a = session_ids(&emu, a.api_key()).await;
    let mut listed_b = session_ids(&emu, b.api_key()).await;
    listed_a.sort();
    listed_b.sort();
    assert_eq!((listed_a, listed_b), (made_a.clone(), made_b));

    // Another tenant's object is not found; its page lives under its own prefix.
    let foreign = url(&emu, &format!("/provider-setup-sessions/{}", made_a[0]));
    api_error(
        client(b.api_key()).get(&foreign),
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    )
    .await;
    let session: ProviderSetupSession =
        call(client(a.api_key()).get(&foreign), StatusCode::OK).await;
    let prefix = format!("{}/t/{}/setup/", emu.public_url(), a.id());
    assert!(session.url.starts_with(&prefix), "{}", session.url);

    // The clock, the journal and the fault rules are each tenant's own.
    b.advance_clock(Duration::from_secs(31 * 60))
        .await
        .expect("the clock moves");
    let still: ProviderSetupSession = call(client(a.api_key()).get(&foreign), StatusCode::OK).await;
    assert_eq!(still.status, ProviderSetupSessionStatus::Pending);
    let creates = JournalQuery {
        operation_id: Some("create_provider_setup_session".into()),
        ..JournalQuery::default()
    };
    assert_eq!(a.journal(&creates).entries.len(), 5);
    assert_eq!(b.journal(&creates).entries.len(), 3);
    b.add_fault(FaultRule::status("list_provider_setup_sessions", 503))
        .unwrap();
    assert_eq!(session_ids(&emu, a.api_key()).await.len(), 5);
    emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_tenants_flow_completes_in_that_tenant_only() {
    let emu = spawn(Emulator::builder().oauth_auto_approve(true)).await;
    let a = emu.tenant();
    let b = emu.create_tenant().await.unwrap();
    let flow: ProviderSetupSession = call(
        client(a.api_key())
            .post(url(&emu, "/provider-setup-sessions"))
            .json(&json!({"provider_id": PROVIDER_ID, "redirect_url": "https://app.example.com/"})),
        StatusCode::OK,
    )
    .await;
    let landed = follow_flow(&emu, &flow.url).await;
    assert_eq!(
        query_param(landed.as_str(), "status").as_deref(),
        Some("completed")
    );
    assert_eq!(a.issued_tokens().await.unwrap().len(), 1);
    assert!(b.issued_tokens().await.unwrap().is_empty());
    // The other tenant's prefix does not know the flow.
    let elsewhere = flow.url.replace(a.id(), b.id());
    let page = reqwest::get(&elsewhere).await.unwrap();
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    let unknown = flow.url.replace(a.id(), "tnt_0000000000000000");
    assert_eq!(
        reqwest::get(&unknown).await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn tenants_are_made_over_http_and_keys_are_checked() {
    let emu = spawn(Emulator::builder().api_key("metorial_sk_first_tenant_key")).await;
    let first = client("metorial_sk_first_tenant_key");
    let made: Value = call(
        first
            .post(url(&emu, "/_emulator/tenants"))
            .json(&json!({"api_key": "metorial_sk_second_tenant_key"})),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(made["api_key"], "metorial_sk_second_tenant_key");
    let me: Value = call(
        client("metorial_sk_second_tenant_key").get(url(&emu, "/_emulator/tenant")),
        StatusCode::OK,
    )
    .await;
    assert_eq!(me["id"], made["id"]);
    assert!(me.get("api_key").is_none(), "{me}");
    assert_eq!(
        me["public_url"],
        format!("{}/t/{}", emu.public_url(), made["id"].as_str().unwrap())
    );

    // A generated key works at once; a key twice, or with a space, is refused.
    let generated: Value = call(
        first.post(url(&emu, "/_emulator/tenants")).json(&json!({})),
        StatusCode::CREATED,
    )
    .await;
    let key = generated["api_key"].as_str().unwrap();
    assert!(key.starts_with("metorial_sk_"), "{key}");
    assert!(session_ids(&emu, key).await.is_empty());
    for bad in ["metorial_sk_second_tenant_key", "with space", ""] {
        let body = api_error(
            first
                .post(url(&emu, "/_emulator/tenants"))
                .json(&json!({"api_key": bad})),
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidData,
        )
        .await;
        assert!(!body.message.contains(bad) || bad.is_empty(), "{body:?}");
    }
    api_error(
        reqwest::Client::new()
            .post(url(&emu, "/_emulator/tenants"))
            .json(&json!({})),
        StatusCode::UNAUTHORIZED,
        ErrorCode::Unauthorized,
    )
    .await;
    emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_curl_walkthrough_expire_fail_journal_reset() {
    // The README's curl lines, step by step, with a second tenant watching.
    let emu = spawn(Emulator::builder().api_key("metorial_sk_one_tenant_key_x")).await;
    let other = emu.create_tenant().await.unwrap();
    let one = client("metorial_sk_one_tenant_key_x");
    let session = new_session(&emu, "metorial_sk_one_tenant_key_x").await;
    let _: Value = call(
        one.post(url(&emu, "/_emulator/clock"))
            .json(&json!({"advance_seconds": 1860})),
        StatusCode::OK,
    )
    .await;
    let session_url = url(&emu, &format!("/provider-setup-sessions/{}", session.id));
    let read: ProviderSetupSession = call(one.get(&session_url), StatusCode::OK).await;
    assert_eq!(read.status, ProviderSetupSessionStatus::Expired);

    let rule: Value = call(
        one.post(url(&emu, "/_emulator/faults")).json(&json!({
            "match": {"operation_id": "get_provider_setup_session"},
            "action": {"status": 503},
            "times": 1
        })),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(rule["remaining"], 1);
    let failed = one.get(&session_url).send().await.unwrap();
    assert_eq!(failed.status(), StatusCode::SERVICE_UNAVAILABLE);
    let request_id = failed.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let body: Value = failed.json().await.unwrap();
    assert_eq!(body["object"], "error");
    assert_eq!(body["status"], 503);
    let _: ProviderSetupSession = call(one.get(&session_url), StatusCode::OK).await;

    let entries = journal(
        &emu,
        &one,
        "?operation_id=get_provider_setup_session&status=503",
    )
    .await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["request_id"], request_id.as_str());
    assert_eq!(entries[0]["fault"], "status 503");
    assert_eq!(
        entries[0]["path"],
        format!("/provider-setup-sessions/{}", session.id)
    );

    let reset = one
        .post(url(&emu, "/_emulator/reset"))
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status(), StatusCode::NO_CONTENT);
    assert!(
        session_ids(&emu, "metorial_sk_one_tenant_key_x")
            .await
            .is_empty()
    );
    let clock: Value = call(one.get(url(&emu, "/_emulator/clock")), StatusCode::OK).await;
    assert_eq!(clock["offset_ms"], 0);
    // Only the list just made is left.
    assert_eq!(journal(&emu, &one, "").await.len(), 1);
    // The other tenant saw nothing of it.
    assert!(other.journal(&JournalQuery::default()).entries.is_empty());
    emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_sdk_retries_a_get_through_two_503s_but_not_a_post() {
    let emu = spawn(Emulator::builder()).await;
    let tenant = emu.tenant();
    let metorial = sdk(&emu, tenant.api_key());
    let created = metorial
        .setup_sessions()
        .create(CreateProviderSetupSessionBody::new().provider_id(PROVIDER_ID))
        .await
        .unwrap();

    tenant
        .add_fault(FaultRule::status("get_provider_setup_session", 503).times(2))
        .unwrap();
    let got = metorial.setup_sessions().get(&created.id).await.unwrap();
    assert_eq!(got.id, created.id);
    let gets = tenant.journal(&JournalQuery {
        operation_id: Some("get_provider_setup_session".into()),
        ..JournalQuery::default()
    });
    let statuses: Vec<u16> = gets.entries.iter().map(|e| e.status).collect();
    assert_eq!(statuses, [503, 503, 200]);

    tenant
        .add_fault(FaultRule::status("create_provider_setup_session", 503).times(1))
        .unwrap();
    let error = metorial
        .setup_sessions()
        .create(CreateProviderSetupSessionBody::new().provider_id(PROVIDER_ID))
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    let creates = tenant.journal(&JournalQuery {
        operation_id: Some("create_provider_setup_session".into()),
        ..JournalQuery::default()
    });
    let statuses: Vec<u16> = creates.entries.iter().map(|e| e.status).collect();
    assert_eq!(statuses, [200, 503], "the POST was sent once");
    assert_eq!(
        error.request_id(),
        Some(creates.entries[1].request_id.as_str())
    );
    emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn faults_answer_429_with_retry_after_add_latency_and_close_connections() {
    let emu = spawn(Emulator::builder()).await;
    let tenant = emu.tenant();
    let api = client(tenant.api_key());
    let list = url(&emu, "/provider-setup-sessions");

    let mut limited = FaultRule::status("list_provider_setup_sessions", 429).times(1);
    limited.action.retry_after_seconds = Some(7);
    tenant.add_fault(limited).unwrap();
    let response = api.get(&list).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers()["retry-after"], "7");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "too_many_requests");

    tenant
        .add_fault(FaultRule::latency("list_provider_setup_sessions", 300).times(1))
        .unwrap();
    let started = Instant::now();
    let _: ProviderSetupSessionList = call(api.get(&list), StatusCode::OK).await;
    assert!(started.elapsed() >= Duration::from_millis(300));

    tenant
        .add_fault(FaultRule::close_connection("list_provider_setup_sessions").times(1))
        .unwrap();
    let closed = reqwest::Client::new()
        .get(&list)
        .bearer_auth(tenant.api_key())
        .send()
        .await;
    assert!(closed.is_err(), "{closed:?}");
    let _: ProviderSetupSessionList = call(api.get(&list), StatusCode::OK).await;

    let entries = tenant
        .journal(&JournalQuery::default())
        .entries
        .into_iter()
        .map(|e| e.fault)
        .collect::<Vec<_>>();
    assert_eq!(
        entries,
        [
            Some("status 429".to_owned()),
            Some("latency 300 ms".to_owned()),
            Some("connection closed".to_owned()),
            None
        ]
    );
    // A rule the emulator cannot follow is refused with the field at fault.
    let body = api_error(
        api.post(url(&emu, "/_emulator/faults")).json(&json!({
            "match": {"operation_id": "get_provider_setup_session"},
            "action": {"status": 404}
        })),
        StatusCode::BAD_REQUEST,
        ErrorCode::InvalidData,
    )
    .await;
    assert!(body.message.contains("status"), "{body:?}");
    emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_journal_keeps_bodies_without_secrets_and_never_the_key() {
    let emu = spawn(Emulator::builder().journal_size(3)).await;
    let tenant = emu.tenant();
    let api = client(tenant.api_key());
    new_session(&emu, tenant.api_key()).await;
    let _: Value = call(
        api.post(url(
            &emu,
            &format!("/provider-deployments/{DEPLOYMENT_ID}/oauth-setups"),
        ))
        .json(&json!({"name": "with a secret", "config": {"client_id": "my-app", "client_secret": "very-secret-value"}})),
        StatusCode::OK,
    )
    .await;
    let view = tenant.journal(&JournalQuery::default());
    assert_eq!(view.entries.len(), 2);
    assert_eq!(
        view.entries[0].body.as_deref(),
        Some(json!({"provider_id": PROVIDER_ID}).to_string().as_str())
    );
    assert_eq!(view.entries[1].body, None, "an operation with secrets");
    let text = serde_json::to_string(&view).unwrap();
    assert!(!text.contains("very-secret-value"), "{text}");
    assert!(!text.contains(tenant.api_key()), "{text}");

    // The ring keeps the newest three.
    for _ in 0..3 {
        let _: ProviderSetupSessionList = call(
            api.get(url(&emu, "/provider-setup-sessions?limit=1")),
            StatusCode::OK,
        )
        .await;
    }
    let view = tenant.journal(&JournalQuery::default());
    assert_eq!((view.recorded, view.dropped, view.entries.len()), (5, 2, 3));
    assert!(
        view.entries
            .iter()
            .all(|e| e.query.as_deref() == Some("limit=1"))
    );
    let cleared = api
        .delete(url(&emu, "/_emulator/journal"))
        .send()
        .await
        .unwrap();
    assert_eq!(cleared.status(), StatusCode::NO_CONTENT);
    assert!(tenant.journal(&JournalQuery::default()).entries.is_empty());
    emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn every_answer_carries_a_request_id() {
    let emu = spawn(Emulator::builder()).await;
    let key = emu.api_key().to_owned();
    let answers = [
        reqwest::Client::new()
            .get(url(&emu, "/provider-setup-sessions"))
            .send()
            .await
            .unwrap(),
        client(&key)
            .get(url(&emu, "/provider-setup-sessions/pas_missing"))
            .send()
            .await
            .unwrap(),
        client(&key)
            .get(url(&emu, "/nowhere"))
            .send()
            .await
            .unwrap(),
        client(&key)
            .get(url(&emu, "/provider-setup-sessions"))
            .send()
            .await
            .unwrap(),
    ];
    let mut ids: Vec<String> = answers
        .iter()
        .map(|a| a.headers()["x-request-id"].to_str().unwrap().to_owned())
        .collect();
    assert!(ids.iter().all(|id| id.starts_with("req_")), "{ids:?}");
    ids.dedup();
    assert_eq!(ids.len(), 4, "each request its own ID");
    emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_snapshot_restores_a_saved_world_in_another_emulator() {
    let emu = spawn(Emulator::builder()).await;
    let session = new_session(&emu, emu.api_key()).await;
    emu.advance_clock(Duration::from_secs(60))
        .await
        .expect("the clock moves");
    let api = client(emu.api_key());
    let saved: Value = call(api.get(url(&emu, "/_emulator/snapshot")), StatusCode::OK).await;
    assert_eq!(saved["clock_offset_ms"], 60_000);

    let fresh = spawn(Emulator::builder()).await;
    let put = client(fresh.api_key())
        .put(url(&fresh, "/_emulator/snapshot"))
        .json(&saved)
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), StatusCode::NO_CONTENT);
    let restored = session_ids(&fresh, fresh.api_key()).await;
    assert_eq!(restored, std::slice::from_ref(&session.id));
    assert_eq!(
        fresh.tenant().snapshot().await.unwrap(),
        emu.tenant().snapshot().await.unwrap()
    );

    // A snapshot of the wrong shape is refused and changes nothing.
    let mut broken = saved.clone();
    broken["tables"]["setup_sessions"][0]["status"] = json!({"not": "a column value"});
    api_error(
        client(fresh.api_key())
            .put(url(&fresh, "/_emulator/snapshot"))
            .json(&broken),
        StatusCode::BAD_REQUEST,
        ErrorCode::InvalidData,
    )
    .await;
    assert_eq!(session_ids(&fresh, fresh.api_key()).await, [session.id]);
    emu.shutdown().await.unwrap();
    fresh.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_seeded_auth_config_exports_its_tokens_without_a_flow() {
    let emu = spawn(Emulator::builder()).await;
    let api = client(emu.api_key());
    let config: Value = call(
        api.post(url(&emu, "/_emulator/auth-configs")).json(&json!({
            "provider_deployment_id": DEPLOYMENT_ID,
            "access_token": "gho_seeded",
            "refresh_token": "ghr_seeded",
            "expires_in": 3600
        })),
        StatusCode::CREATED,
    )
    .await;
    let id = config["id"].as_str().unwrap();
    assert_ne!(id, AUTH_CONFIG_ID);
    let export: Value = call(
        api.post(url(&emu, "/provider-auth-config-exports"))
            .json(&json!({"provider_auth_config_id": id, "note": "seeded"})),
        StatusCode::OK,
    )
    .await;
    assert_eq!(export["value"]["access_token"], "gho_seeded", "{export}");
    assert_eq!(export["value"]["refresh_token"], "ghr_seeded", "{export}");
    api_error(
        api.post(url(&emu, "/_emulator/auth-configs"))
            .json(&json!({"access_token": "x"})),
        StatusCode::BAD_REQUEST,
        ErrorCode::InvalidData,
    )
    .await;
    emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn flows_complete_or_fail_without_a_browser() {
    let emu = spawn(Emulator::builder()).await;
    let tenant = emu.tenant();
    let api = client(tenant.api_key());
    let done = new_session(&emu, tenant.api_key()).await;
    let ended: Value = call(
        api.post(url(&emu, &format!("/_emulator/flows/{}/complete", done.id)))
            .json(&json!({"access_token": "gho_direct", "refresh_token": "ghr_direct"})),
        StatusCode::OK,
    )
    .await;
    assert_eq!(ended["status"], "completed");
    let read: ProviderSetupSession = call(
        api.get(url(&emu, &format!("/provider-setup-sessions/{}", done.id))),
        StatusCode::OK,
    )
    .await;
    assert_eq!(read.status, ProviderSetupSessionStatus::Completed);
    let export: Value = call(
        api.post(url(&emu, "/provider-auth-config-exports"))
            .json(&json!({"provider_auth_config_id": ended["auth_config_id"], "note": "direct"})),
        StatusCode::OK,
    )
    .await;
    assert_eq!(export["value"]["access_token"], "gho_direct", "{export}");

    let failed = new_session(&emu, tenant.api_key()).await;
    tenant
        .fail_flow(&failed.id, Some("access_denied"), None)
        .await
        .unwrap();
    let read: ProviderSetupSession = call(
        api.get(url(
            &emu,
            &format!("/provider-setup-sessions/{}", failed.id),
        )),
        StatusCode::OK,
    )
    .await;
    assert_eq!(read.status, ProviderSetupSessionStatus::Failed);
    // An ended flow cannot end again; an unknown one is not found.
    let again = tenant
        .complete_flow(&failed.id, SeedTokens::new("x"))
        .await
        .unwrap_err();
    assert!(
        matches!(again, metorial_emulator::Error::Control { .. }),
        "{again}"
    );
    api_error(
        api.post(url(&emu, "/_emulator/flows/pas_missing/fail"))
            .json(&json!({})),
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    )
    .await;
    emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn provider_rules_fail_the_authorize_and_token_steps() {
    let emu = spawn(Emulator::builder().oauth_auto_approve(true)).await;
    let tenant = emu.tenant();
    let api = client(tenant.api_key());
    let redirect = "https://app.example.com/back";
    let cases = [
        (
            ProviderEndpoint::Authorize,
            "access_denied",
            "access_denied",
        ),
        (
            ProviderEndpoint::Token,
            "invalid_grant",
            "token_exchange_failed",
        ),
        (
            ProviderEndpoint::Token,
            "server_error",
            "token_exchange_failed",
        ),
    ];
    for (endpoint, error, reported) in cases {
        tenant
            .add_fault(FaultRule::oauth_error(endpoint, error).times(1))
            .unwrap();
        let session: ProviderSetupSession = call(
            api.post(url(&emu, "/provider-setup-sessions"))
                .json(&json!({"provider_id": PROVIDER_ID, "redirect_url": redirect})),
            StatusCode::OK,
        )
        .await;
        let landed = follow_flow(&emu, &session.url).await;
        assert_eq!(
            query_param(landed.as_str(), "status").as_deref(),
            Some("failed")
        );
        assert_eq!(
            query_param(landed.as_str(), "error").as_deref(),
            Some(reported),
            "{error} at {endpoint:?}: {landed}"
        );
        if reported == "token_exchange_failed" {
            let description = query_param(landed.as_str(), "error_description").unwrap();
            assert!(description.contains(error), "{description}");
        }
    }
    assert!(tenant.issued_tokens().await.unwrap().is_empty());
    emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn an_access_token_expires_by_the_virtual_clock() {
    let emu = spawn(Emulator::builder().oauth_auto_approve(true)).await;
    let tenant = emu.tenant();
    let session: ProviderSetupSession = call(
        client(tenant.api_key())
            .post(url(&emu, "/provider-setup-sessions"))
            .json(&json!({"provider_id": PROVIDER_ID, "redirect_url": "https://app.example.com/"})),
        StatusCode::OK,
    )
    .await;
    follow_flow(&emu, &session.url).await;
    let token = tenant.issued_tokens().await.unwrap().remove(0);
    let userinfo = format!(
        "{}/t/{}/_emulator/provider/userinfo",
        emu.public_url(),
        tenant.id()
    );
    let http = reqwest::Client::new();
    let ok: Value = call(
        http.get(&userinfo).bearer_auth(&token.access_token),
        StatusCode::OK,
    )
    .await;
    assert_eq!(ok["client_id"], token.client_id.as_str());

    tenant
        .advance_clock(Duration::from_secs(token.expires_in.unsigned_abs() + 1))
        .await
        .expect("the clock moves");
    let expired = http
        .get(&userinfo)
        .bearer_auth(&token.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(expired.status(), StatusCode::UNAUTHORIZED);
    let challenge = expired.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(challenge.contains("invalid_token"), "{challenge}");
    let body: Value = expired.json().await.unwrap();
    assert_eq!(body["error_description"], "the access token expired");
    emu.shutdown().await.unwrap();
}
