//! The emulator behaves like the live API where the docs say less (see
//! `FIDELITY.md`): body validation (nulls, missing fields, unknown fields), list
//! cursors, date range filters and `qs`-style keys, the `status` filter's values, and auth
//! exports (the tokens only in the create answer, the auth config's lifecycle, `user_agent`,
//! `expires_at`). Everything is checked on the wire, as plain JSON.

use std::time::Duration;

use metorial_e2e::{
    AUTH_CONFIG_ID, DEPLOYMENT_ID, Emulator, Fixtures, PROVIDER_ID, api_client, base62,
    browser_client, cursor, spawn,
};
use metorial_models::SecretObject;
use reqwest::{RequestBuilder, StatusCode};
use serde_json::{Value, json};

/// Sends a request; the status and the JSON body.
async fn send(request: RequestBuilder) -> (StatusCode, Value) {
    let response = request.send().await.expect("request sent");
    let status = response.status();
    let text = response.text().await.expect("body read");
    match serde_json::from_str(&text) {
        Ok(body) => (status, body),
        Err(e) => panic!("not JSON ({status}): {text}: {e}"),
    }
}

/// Sends a request that must succeed; its JSON body.
async fn ok(request: RequestBuilder) -> Value {
    let (status, body) = send(request).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// Sends a request that must fail with `status` and `code`; the error body.
async fn failure(request: RequestBuilder, status: StatusCode, code: &str) -> Value {
    let (got, body) = send(request).await;
    assert_eq!(got, status, "{body}");
    assert_eq!(body["object"], "error", "{body}");
    assert_eq!(body["ok"], false, "{body}");
    assert_eq!(body["status"], status.as_u16(), "{body}");
    assert_eq!(body["code"], code, "{body}");
    body
}

/// Sends a request that must fail with 400 `invalid_data` and exactly one validation error,
/// of kind `code` at `path`.
async fn invalid(request: RequestBuilder, code: &str, path: Value) -> Value {
    let body = failure(request, StatusCode::BAD_REQUEST, "invalid_data").await;
    let errors = body["errors"].as_array().cloned().unwrap_or_default();
    assert_eq!(errors.len(), 1, "only the first failing field: {body}");
    assert_eq!(errors[0]["code"], code, "{body}");
    assert_eq!(errors[0]["path"], path, "{body}");
    body
}

/// The IDs of a list answer's items.
fn ids(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// A query value, percent-encoded.
fn encoded(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// Creates a setup session of the built-in provider; its JSON.
async fn create_session(emu: &Emulator, name: &str) -> Value {
    ok(api_client(emu)
        .post(format!("{}/provider-setup-sessions", emu.base_url()))
        .json(&json!({"provider_id": PROVIDER_ID, "name": name})))
    .await
}

/// Creates `n` sessions a few milliseconds apart (distinct `created_at`s); their JSON.
async fn create_sessions(emu: &Emulator, n: usize) -> Vec<Value> {
    let mut sessions = Vec::new();
    for i in 0..n {
        sessions.push(create_session(emu, &format!("s{i}")).await);
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    sessions
}

/// Exports `auth_config` (as `user_agent`, if given); the answer's status and JSON.
async fn export(
    emu: &Emulator,
    auth_config: &str,
    user_agent: Option<&str>,
) -> (StatusCode, Value) {
    let mut request = api_client(emu)
        .post(format!("{}/provider-auth-config-exports", emu.base_url()))
        .json(&json!({"provider_auth_config_id": auth_config, "note": "backup"}));
    if let Some(agent) = user_agent {
        request = request.header("user-agent", agent);
    }
    send(request).await
}

/// The built-in fixtures plus auth configs that are archived, deleted, and hold tokens with
/// an expiry (`expires_in` and `expires_at`).
fn fixtures() -> Fixtures {
    let mut fixtures = Fixtures::builtin();
    let docs = fixtures.auth_configs[0].clone();
    for (id, status) in [("pac_archived", "archived"), ("pac_deleted", "deleted")] {
        let mut auth_config = docs.clone();
        auth_config.id = id.into();
        auth_config.status = status.into();
        fixtures.auth_configs.push(auth_config);
    }
    for (id, tokens) in [
        (
            "pac_expires_in",
            json!({"access_token": "a", "expires_in": 3600}),
        ),
        (
            "pac_expires_at",
            json!({"access_token": "b", "expires_at": "2030-01-02T03:04:05.678Z"}),
        ),
    ] {
        let mut auth_config = docs.clone();
        auth_config.id = id.into();
        auth_config.value = SecretObject::new(tokens.as_object().cloned().unwrap_or_default());
        fixtures.auth_configs.push(auth_config);
    }
    fixtures
}

#[tokio::test]
async fn an_explicit_null_is_refused_for_every_field_of_a_body() {
    let emu = spawn(Emulator::builder()).await;
    let api = api_client(&emu);
    let sessions = format!("{}/provider-setup-sessions", emu.base_url());
    let exports = format!("{}/provider-auth-config-exports", emu.base_url());
    for (field, body) in [
        (
            "description",
            json!({"provider_id": PROVIDER_ID, "description": null}),
        ),
        ("provider_id", json!({"provider_id": null, "name": "n"})),
        ("configuration", json!({"configuration": null})),
    ] {
        invalid(
            api.post(&sessions).json(&body),
            "invalid_type",
            json!([field]),
        )
        .await;
    }
    let body = json!({"provider_auth_config_id": AUTH_CONFIG_ID, "note": "n", "metadata": null});
    invalid(
        api.post(&exports).json(&body),
        "invalid_type",
        json!(["metadata"]),
    )
    .await;
    let list = ok(api.get(&sessions)).await;
    assert!(
        ids(&list).is_empty(),
        "a refused body created nothing: {list}"
    );

    // Nulls inside a free-form object are data.
    let session = ok(api.post(&sessions).json(&json!({
        "provider_id": PROVIDER_ID,
        "metadata": {"kept": null, "nested": {"also": null}}
    })))
    .await;
    assert_eq!(
        session["metadata"],
        json!({"kept": null, "nested": {"also": null}})
    );

    // An update cannot clear a field: null is refused and nothing changes.
    let url = format!("{sessions}/{}", session["id"].as_str().unwrap_or_default());
    for field in ["name", "description", "metadata"] {
        let body = json!({ field: null });
        invalid(api.patch(&url).json(&body), "invalid_type", json!([field])).await;
    }
    let again = ok(api.get(&url)).await;
    assert_eq!(again["metadata"], session["metadata"]);
    assert_eq!(again["name"], session["name"]);
    emu.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn a_missing_or_mistyped_field_is_invalid_type_and_only_the_first_is_named() {
    let emu = spawn(Emulator::builder()).await;
    let api = api_client(&emu);
    let exports = format!("{}/provider-auth-config-exports", emu.base_url());
    let cases = [
        (json!({"note": "n"}), json!(["provider_auth_config_id"])),
        (
            json!({"provider_auth_config_id": AUTH_CONFIG_ID}),
            json!(["note"]),
        ),
        (
            json!({"provider_auth_config_id": 5, "note": "n"}),
            json!(["provider_auth_config_id"]),
        ),
        (
            json!({"provider_auth_config_id": AUTH_CONFIG_ID, "note": ["n"]}),
            json!(["note"]),
        ),
        (
            json!({"provider_auth_config_id": AUTH_CONFIG_ID, "note": "n", "metadata": 1}),
            json!(["metadata"]),
        ),
    ];
    for (body, path) in cases {
        invalid(api.post(&exports).json(&body), "invalid_type", path).await;
    }
    // Two fields at fault: one error.
    let body = invalid(
        api.post(&exports).json(&json!({"note": 5})),
        "invalid_type",
        json!(["note"]),
    )
    .await;
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
    let setups = format!(
        "{}/provider-deployments/{DEPLOYMENT_ID}/oauth-setups",
        emu.base_url()
    );
    invalid(
        api.post(&setups).json(&json!({"name": "x"})),
        "invalid_type",
        json!(["config"]),
    )
    .await;
    emu.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn unknown_fields_are_dropped() {
    let emu = spawn(Emulator::builder()).await;
    let api = api_client(&emu);
    let export = ok(api
        .post(format!("{}/provider-auth-config-exports", emu.base_url()))
        .json(&json!({
            "provider_auth_config_id": AUTH_CONFIG_ID,
            "note": "n",
            "bogus": {"x": 1},
            "unknown_null": null
        })))
    .await;
    assert_eq!(export["note"], "n");
    assert!(export.get("bogus").is_none() && export.get("unknown_null").is_none());
    let session = ok(api
        .post(format!("{}/provider-setup-sessions", emu.base_url()))
        .json(&json!({"provider_id": PROVIDER_ID, "name": "n", "colour": "blue"})))
    .await;
    assert_eq!(session["name"], "n");
    assert!(session.get("colour").is_none());
    emu.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn a_cursor_is_cur_and_base62_of_its_type_and_id() {
    let emu = spawn(Emulator::builder()).await;
    let api = api_client(&emu);
    let base = format!("{}/provider-setup-sessions", emu.base_url());
    let all: Vec<String> = create_sessions(&emu, 5)
        .await
        .iter()
        .map(|s| s["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    let page = |query: String| api.get(format!("{base}?limit=2&{query}"));

    let list = ok(page(format!("cursor={}", cursor("after", &all[1])))).await;
    assert_eq!(ids(&list), all[2..4]);
    assert_eq!(
        list["pagination"],
        json!({"has_more_before": true, "has_more_after": true})
    );
    let list = ok(page(format!("cursor={}", cursor("before", &all[3])))).await;
    assert_eq!(ids(&list), all[1..3]);
    let list = ok(page(format!(
        "order=desc&cursor={}",
        cursor("after", &all[3])
    )))
    .await;
    assert_eq!(ids(&list), [all[2].clone(), all[1].clone()]);
    // `after`, then `before`, win over `cursor`, which is then not even read.
    let list = ok(page(format!("after={}&cursor=junk", all[0]))).await;
    assert_eq!(ids(&list), all[1..3]);
    let list = ok(page(format!(
        "before={}&cursor={}",
        all[2],
        cursor("after", &all[3])
    )))
    .await;
    assert_eq!(ids(&list), all[0..2]);
    // An empty cursor is no cursor.
    let list = ok(page("cursor=".to_owned())).await;
    assert_eq!(ids(&list), all[0..2]);

    for bad in [
        all[1].clone(),
        "cur_".to_owned(),
        "cur_!!!".to_owned(),
        cursor("sideways", &all[1]),
        format!("cur_{}", base62(br#"{"after":"pas_1"}"#)),
        format!("cur_{}", base62(b"not json")),
        format!("cur_{}", base62(br#"["after"]"#)),
    ] {
        failure(
            page(format!("cursor={}", encoded(&bad))),
            StatusCode::BAD_REQUEST,
            "bad_request",
        )
        .await;
    }
    // Export lists read cursors the same way.
    let exports = format!("{}/provider-auth-config-exports", emu.base_url());
    failure(
        api.get(format!("{exports}?cursor=pace_1")),
        StatusCode::BAD_REQUEST,
        "bad_request",
    )
    .await;
    emu.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn date_filters_bound_setup_sessions_by_created_and_updated_at() {
    let emu = spawn(Emulator::builder()).await;
    let api = api_client(&emu);
    let base = format!("{}/provider-setup-sessions", emu.base_url());
    let sessions = create_sessions(&emu, 3).await;
    let id = |i: usize| sessions[i]["id"].as_str().unwrap_or_default().to_owned();
    let created = |i: usize| encoded(sessions[i]["created_at"].as_str().unwrap_or_default());

    // Bounds are exclusive; the keys may come bracketed or URL-encoded (as qs and the Rust
    // client send them).
    let list = ok(api.get(format!("{base}?created_at[gt]={}", created(0)))).await;
    assert_eq!(ids(&list), [id(1), id(2)]);
    let list = ok(api.get(format!(
        "{base}?created_at%5Bgt%5D={}&created_at%5Blt%5D={}",
        created(0),
        created(2)
    )))
    .await;
    assert_eq!(ids(&list), [id(1)]);
    let created_at_2 = sessions[2]["created_at"].as_str().unwrap_or_default();
    let list = ok(api.get(&base).query(&[("created_at[lt]", created_at_2)])).await;
    assert_eq!(ids(&list), [id(0), id(1)]);

    // An update moves `updated_at`, not `created_at`.
    tokio::time::sleep(Duration::from_millis(5)).await;
    ok(api
        .patch(format!("{base}/{}", id(0)))
        .json(&json!({"name": "renamed"})))
    .await;
    let list = ok(api.get(format!("{base}?updated_at%5Bgt%5D={}", created(2)))).await;
    assert_eq!(ids(&list), [id(0)]);
    let list = ok(api.get(format!(
        "{base}?updated_at[lt]={}&order=desc",
        encoded("2100-01-01T00:00:00.000Z")
    )))
    .await;
    assert_eq!(ids(&list), [id(2), id(1), id(0)]);
    // With another filter driving.
    let list = ok(api.get(format!(
        "{base}?status=pending&id={}&id={}&created_at[gt]={}",
        id(0),
        id(2),
        created(0)
    )))
    .await;
    assert_eq!(ids(&list), [id(2)]);

    for (query, path) in [
        ("created_at[gt]=yesterday", json!(["created_at", "gt"])),
        (
            "created_at%5Blt%5D=2025-13-01T00:00:00Z",
            json!(["created_at", "lt"]),
        ),
        ("updated_at%5Bgt%5D=", json!(["updated_at", "gt"])),
    ] {
        invalid(api.get(format!("{base}?{query}")), "invalid_type", path).await;
    }
    emu.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn date_filters_bound_exports_whose_updated_at_is_their_created_at() {
    let emu = spawn(Emulator::builder()).await;
    let api = api_client(&emu);
    let base = format!("{}/provider-auth-config-exports", emu.base_url());
    let mut exports = Vec::new();
    for _ in 0..3 {
        let (status, body) = export(&emu, AUTH_CONFIG_ID, None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        exports.push(body);
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let id = |i: usize| exports[i]["id"].as_str().unwrap_or_default().to_owned();
    let created = |i: usize| encoded(exports[i]["created_at"].as_str().unwrap_or_default());
    let list = ok(api.get(format!("{base}?created_at%5Bgt%5D={}", created(0)))).await;
    assert_eq!(ids(&list), [id(1), id(2)]);
    let list = ok(api.get(format!("{base}?updated_at%5Bgt%5D={}", created(1)))).await;
    assert_eq!(ids(&list), [id(2)]);
    let list = ok(api.get(format!(
        "{base}?updated_at[lt]={}&provider_auth_config_id={AUTH_CONFIG_ID}",
        created(1)
    )))
    .await;
    assert_eq!(ids(&list), [id(0)]);
    invalid(
        api.get(format!("{base}?updated_at[lt]=soon")),
        "invalid_type",
        json!(["updated_at", "lt"]),
    )
    .await;
    emu.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn one_or_many_filters_take_the_qs_array_form() {
    let emu = spawn(Emulator::builder()).await;
    let api = api_client(&emu);
    let base = format!("{}/provider-setup-sessions", emu.base_url());
    let sessions = create_sessions(&emu, 3).await;
    let id = |i: usize| sessions[i]["id"].as_str().unwrap_or_default().to_owned();
    for query in [
        format!("id[0]={}&id[1]={}", id(0), id(2)),
        format!("id%5B0%5D={}&id%5B1%5D={}", id(0), id(2)),
        format!("id[]={}&id[]={}", id(2), id(0)),
        format!("id={}&id={}&id=pas_unknown", id(0), id(2)),
    ] {
        let list = ok(api.get(format!("{base}?{query}"))).await;
        assert_eq!(ids(&list), [id(0), id(2)], "{query}");
    }
    let list = ok(api.get(format!(
        "{base}?provider_id[0]={PROVIDER_ID}&id[0]={}",
        id(1)
    )))
    .await;
    assert_eq!(ids(&list), [id(1)]);
    // An object where a list goes is a type error.
    invalid(
        api.get(format!("{base}?id[x]={}", id(0))),
        "invalid_type",
        json!(["id"]),
    )
    .await;

    let (_, exported) = export(&emu, AUTH_CONFIG_ID, None).await;
    let exports = format!("{}/provider-auth-config-exports", emu.base_url());
    let list = ok(api.get(format!(
        "{exports}?provider_auth_config_id%5B0%5D={AUTH_CONFIG_ID}&provider_auth_config_id%5B1%5D=pac_other"
    )))
    .await;
    assert_eq!(ids(&list), [exported["id"].as_str().unwrap_or_default()]);
    emu.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn the_status_filter_takes_only_the_five_statuses() {
    let emu = spawn(Emulator::builder()).await;
    let api = api_client(&emu);
    let base = format!("{}/provider-setup-sessions", emu.base_url());
    let session = create_session(&emu, "s").await;
    for status in ["pending", "completed", "failed", "expired", "archived"] {
        let list = ok(api.get(format!("{base}?status={status}"))).await;
        let expected: Vec<String> = if status == "pending" {
            vec![session["id"].as_str().unwrap_or_default().to_owned()]
        } else {
            Vec::new()
        };
        assert_eq!(ids(&list), expected, "{status}");
    }
    let list = ok(api.get(format!("{base}?status[0]=failed&status[1]=pending"))).await;
    assert_eq!(ids(&list).len(), 1);
    for query in [
        "status=in_progress",
        "status=deleted",
        "status=PENDING",
        "status=pending&status=bogus",
        "status%5B0%5D=pending&status%5B1%5D=oauth",
    ] {
        let body = invalid(
            api.get(format!("{base}?{query}")),
            "invalid_value",
            json!(["status"]),
        )
        .await;
        assert!(
            body["message"]
                .as_str()
                .is_some_and(|m| m.contains("status")),
            "{body}"
        );
    }
    emu.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn an_export_value_is_only_in_the_create_answer() {
    let emu = spawn(Emulator::builder().fixtures(fixtures())).await;
    let api = api_client(&emu);
    let base = format!("{}/provider-auth-config-exports", emu.base_url());
    let (status, created) = export(&emu, AUTH_CONFIG_ID, Some("sync-job/2.0")).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    assert_eq!(
        created["value"],
        json!({
            "access_token": "gho_xxxxxxxxxxxxxxxxxxxx",
            "refresh_token": "ghr_xxxxxxxxxxxxxxxxxxxx",
            "token_type": "bearer",
            "scope": "repo,read:user,read:org"
        })
    );
    assert_eq!(created["user_agent"], "sync-job/2.0");
    assert_eq!(created["ip"], "127.0.0.1");
    assert_eq!(
        created["expires_at"],
        Value::Null,
        "the docs' tokens carry no expiry"
    );

    let id = created["id"].as_str().unwrap_or_default();
    let got = ok(api.get(format!("{base}/{id}"))).await;
    assert!(got.get("value").is_some_and(Value::is_null), "{got}");
    let mut expected = created.clone();
    expected["value"] = Value::Null;
    assert_eq!(got, expected, "get shows what create did, but the tokens");
    let list = ok(api.get(&base)).await;
    assert_eq!(list["items"], json!([expected]));

    // The tokens' expiry: `expires_in` from when the auth config was made, or `expires_at`.
    let (_, expiring) = export(&emu, "pac_expires_in", None).await;
    assert_eq!(
        expiring["auth_config"]["created_at"],
        "2025-09-15T10:30:00.000Z"
    );
    assert_eq!(expiring["expires_at"], "2025-09-15T11:30:00.000Z");
    let (_, expiring) = export(&emu, "pac_expires_at", None).await;
    assert_eq!(expiring["expires_at"], "2030-01-02T03:04:05.678Z");
    let got = ok(api.get(format!(
        "{base}/{}",
        expiring["id"].as_str().unwrap_or_default()
    )))
    .await;
    assert_eq!(got["expires_at"], "2030-01-02T03:04:05.678Z");
    emu.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn exporting_needs_an_auth_config_that_exists_and_is_not_archived_or_deleted() {
    let emu = spawn(Emulator::builder().fixtures(fixtures())).await;
    let api = api_client(&emu);
    let base = format!("{}/provider-auth-config-exports", emu.base_url());
    let body = failure(
        api.post(&base)
            .json(&json!({"provider_auth_config_id": "pac_unknown", "note": "n"})),
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert_eq!(
        (&body["entity"], &body["id"]),
        (&json!("provider.auth_config"), &json!("pac_unknown"))
    );
    for (id, status) in [("pac_archived", "archived"), ("pac_deleted", "deleted")] {
        let body = failure(
            api.post(&base)
                .json(&json!({"provider_auth_config_id": id, "note": "n"})),
            StatusCode::BAD_REQUEST,
            "use_after_delete",
        )
        .await;
        let message = body["message"].as_str().unwrap_or_default();
        assert!(message.contains(id) && message.contains(status), "{body}");
    }
    let body = failure(
        api.get(format!("{base}/pace_unknown")),
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert_eq!(
        (&body["entity"], &body["id"]),
        (&json!("provider.auth_export"), &json!("pace_unknown"))
    );
    let list = ok(api.get(&base)).await;
    assert!(
        ids(&list).is_empty(),
        "refused exports left nothing: {list}"
    );
    emu.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn an_export_records_the_user_agent_or_unknown() {
    let emu = spawn(Emulator::builder()).await;
    let api = api_client(&emu);
    let (status, anonymous) = export(&emu, AUTH_CONFIG_ID, None).await;
    assert_eq!(status, StatusCode::OK, "{anonymous}");
    assert_eq!(anonymous["user_agent"], "unknown");
    let (_, named) = export(&emu, AUTH_CONFIG_ID, Some("curl/8.5.0")).await;
    assert_eq!(named["user_agent"], "curl/8.5.0");
    let got = ok(api.get(format!(
        "{}/provider-auth-config-exports/{}",
        emu.base_url(),
        anonymous["id"].as_str().unwrap_or_default()
    )))
    .await;
    assert_eq!(got["user_agent"], "unknown");
    emu.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn an_export_of_a_flow_expires_when_its_token_does() {
    let emu = spawn(Emulator::builder().oauth_auto_approve(true)).await;
    let api = api_client(&emu);
    let session = ok(api
        .post(format!("{}/provider-setup-sessions", emu.base_url()))
        .json(&json!({"provider_id": PROVIDER_ID, "provider_deployment_id": DEPLOYMENT_ID})))
    .await;
    let done = browser_client()
        .get(session["url"].as_str().unwrap_or_default())
        .send()
        .await
        .expect("flow ran");
    assert_eq!(done.status(), StatusCode::OK);
    let session = ok(api.get(format!(
        "{}/provider-setup-sessions/{}",
        emu.base_url(),
        session["id"].as_str().unwrap_or_default()
    )))
    .await;
    let auth_config = session["auth_config"]["id"].as_str().unwrap_or_default();
    let (status, exported) = export(&emu, auth_config, None).await;
    assert_eq!(status, StatusCode::OK, "{exported}");
    let issued = emu.issued_tokens().await.expect("issued tokens");
    let lifetime = issued.last().map(|t| t.expires_in).unwrap_or_default();
    assert!(lifetime > 0);
    let date = |value: &Value| {
        millis_of(value.as_str().unwrap_or_default()).unwrap_or_else(|| panic!("{value}"))
    };
    assert_eq!(
        date(&exported["expires_at"]) - date(&exported["auth_config"]["created_at"]),
        lifetime * 1000
    );
    emu.shutdown().await.expect("clean shutdown");
}

/// Milliseconds since the epoch of the API's `YYYY-MM-DDTHH:MM:SS.mmmZ`.
fn millis_of(text: &str) -> Option<i64> {
    let date: metorial_models::Timestamp = serde_json::from_value(json!(text)).ok()?;
    Some(date.timestamp_millis())
}
