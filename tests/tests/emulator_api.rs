//! The emulator's REST API over HTTP: every operation, paging and filters, updates, deletes,
//! errors, concurrency and persistence.

use std::collections::HashSet;

use metorial_e2e::{
    AUTH_CONFIG_ID, AUTH_METHOD_ID, CREDENTIALS_ID, DEPLOYMENT_ID, Emulator, Fixtures, PROVIDER_ID,
    api_client, api_error as error, browser_client, call, create_session, cursor, pages, spawn,
};
use metorial_models::{
    ErrorBody, ErrorCode, PathSegment, ProviderAuthExport, ProviderAuthExportList,
    ProviderOauthSetup, ProviderOauthSetupList, ProviderSetupSession, ProviderSetupSessionList,
    ProviderSetupSessionStatus,
};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn path_of(body: &ErrorBody) -> Vec<PathSegment> {
    body.errors
        .as_ref()
        .and_then(|e| e.first())
        .and_then(|e| e.path.clone())
        .unwrap_or_default()
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ`.
fn is_api_timestamp(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 24
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            19 => *c == b'.',
            23 => *c == b'Z',
            _ => c.is_ascii_digit(),
        })
}

#[tokio::test]
async fn the_docs_objects_are_there_and_a_session_shows_them() {
    let emu = spawn(Emulator::builder()).await;
    let session = create_session(
        &emu,
        json!({
            "provider_id": PROVIDER_ID,
            "provider_deployment_id": DEPLOYMENT_ID,
            "type": "auth_and_config",
            "name": "GitHub OAuth Setup",
            "description": "Connect your GitHub account",
            "metadata": {"redirect_uri": "https://app.example.com/callback"},
            "redirect_url": "https://app.example.com/callback"
        }),
    )
    .await;
    assert!(session.id.starts_with("pas_"), "{}", session.id);
    assert_eq!(session.object, "provider.setup_session");
    assert_eq!(session.status, ProviderSetupSessionStatus::Pending);
    assert_eq!(session.url, format!("{}/setup/{}", pages(&emu), session.id));
    let auth_method = session.auth_method.as_ref().expect("an auth method");
    assert_eq!(auth_method.id, AUTH_METHOD_ID);
    assert_eq!(
        auth_method.scopes.as_ref().expect("scopes")[0].scope,
        "repo"
    );
    assert_eq!(
        session.deployment.as_ref().map(|d| d.id.as_str()),
        Some(DEPLOYMENT_ID)
    );
    assert_eq!(
        session.credentials.as_ref().map(|c| c.id.as_str()),
        Some(CREDENTIALS_ID)
    );
    assert_eq!(
        session
            .config
            .as_ref()
            .and_then(|c| c.from_vault.as_ref())
            .map(|v| v.id.as_str()),
        Some("pcvt_3bCdEfGhJkLmNpQr")
    );
    assert_eq!(
        session.config.as_ref().map(|c| c.id.as_str()),
        Some("pcf_7dEfGhJkLmNpQrSt")
    );
    assert!(session.auth_config.is_none());
    let expires_in = *session.expires_at - *session.created_at;
    assert_eq!(
        expires_in.num_seconds(),
        30 * 60,
        "30 minutes, as on the live API"
    );

    // Dates on the wire: RFC 3339 with milliseconds.
    let raw: Value = call(
        api_client(&emu).get(format!(
            "{}/provider-setup-sessions/{}",
            emu.base_url(),
            session.id
        )),
        StatusCode::OK,
    )
    .await;
    for key in ["created_at", "updated_at", "expires_at"] {
        let text = raw[key].as_str().unwrap_or_default();
        assert!(is_api_timestamp(text), "{key}: {text}");
    }

    // The docs' export curl: the auth config's tokens, and who asked.
    let export: ProviderAuthExport = call(
        api_client(&emu)
            .post(format!("{}/provider-auth-config-exports", emu.base_url()))
            .header("user-agent", "docs-curl/1.0")
            .json(&json!({
                "provider_auth_config_id": AUTH_CONFIG_ID,
                "note": "Exported for backup purposes",
                "metadata": {"reason": "backup"}
            })),
        StatusCode::OK,
    )
    .await;
    assert!(export.id.starts_with("pace_"));
    assert_eq!(export.object, "provider.auth_export");
    let value = export.value.expect("value");
    assert_eq!(
        value.expose_str("access_token"),
        Some("gho_xxxxxxxxxxxxxxxxxxxx")
    );
    assert_eq!(
        value.expose_str("refresh_token"),
        Some("ghr_xxxxxxxxxxxxxxxxxxxx")
    );
    assert_eq!(export.ip.as_deref(), Some("127.0.0.1"));
    assert_eq!(export.user_agent.as_deref(), Some("docs-curl/1.0"));
    assert_eq!(export.auth_config.id, AUTH_CONFIG_ID);
    assert_eq!(export.provider_id, PROVIDER_ID);
    assert_eq!(export.credentials_id.as_deref(), Some(CREDENTIALS_ID));

    // The docs' tokens carry no expiry.
    assert_eq!(export.expires_at, None);

    // Only the create call hands out the tokens: a get shows `value: null`.
    let again: Value = call(
        api_client(&emu).get(format!(
            "{}/provider-auth-config-exports/{}",
            emu.base_url(),
            export.id
        )),
        StatusCode::OK,
    )
    .await;
    assert_eq!(again["id"], json!(export.id));
    assert_eq!(again["value"], Value::Null);
    assert_eq!(again["user_agent"], json!("docs-curl/1.0"));
    emu.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn update_touches_only_the_fields_sent_and_refuses_null() {
    let emu = spawn(Emulator::builder()).await;
    let api = api_client(&emu);
    let session = create_session(
        &emu,
        json!({"provider_id": PROVIDER_ID, "name": "n", "description": "d", "metadata": {"k": 1}}),
    )
    .await;
    let url = format!("{}/provider-setup-sessions/{}", emu.base_url(), session.id);

    let updated: ProviderSetupSession = call(
        api.patch(&url)
            .json(&json!({"name": "renamed", "description": "d2"})),
        StatusCode::OK,
    )
    .await;
    assert_eq!(updated.name.as_deref(), Some("renamed"));
    assert_eq!(updated.description.as_deref(), Some("d2"));
    assert_eq!(
        updated.metadata,
        Some(json!({"k": 1}).as_object().cloned().unwrap())
    );
    assert!(updated.updated_at >= session.updated_at);

    let same: ProviderSetupSession = call(api.patch(&url).json(&json!({})), StatusCode::OK).await;
    assert_eq!(same.name.as_deref(), Some("renamed"));
    assert_eq!(same.metadata, updated.metadata);

    // The live API refuses `null` (nothing can be cleared), naming the field; nothing changes.
    for (body, field) in [
        (json!({"name": "x", "description": null}), "description"),
        (json!({"metadata": null}), "metadata"),
        (json!({"name": null}), "name"),
    ] {
        let refused = error(
            api.patch(&url).json(&body),
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidData,
        )
        .await;
        let errors = refused.errors.clone().unwrap_or_default();
        assert_eq!(errors.len(), 1, "{refused:?}");
        assert_eq!(errors[0].code, "invalid_type");
        assert_eq!(path_of(&refused), [PathSegment::from(field)]);
    }

    // Invalid updates change nothing.
    let body = error(
        api.patch(&url)
            .json(&json!({"name": 5, "description": "x"})),
        StatusCode::BAD_REQUEST,
        ErrorCode::InvalidData,
    )
    .await;
    assert_eq!(path_of(&body), [PathSegment::from("name")]);
    assert_eq!(
        body.errors.as_ref().map(|e| e[0].code.as_str()),
        Some("invalid_type")
    );
    let after: ProviderSetupSession = call(api.get(&url), StatusCode::OK).await;
    assert_eq!(after.name.as_deref(), Some("renamed"));
    assert_eq!(after.description.as_deref(), Some("d2"));
    assert_eq!(after.metadata, updated.metadata);
    emu.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn delete_answers_the_session_unchanged_and_it_stays_readable() {
    // The live API's delete (at the version this emulator follows) changes nothing.
    let emu = spawn(Emulator::builder()).await;
    let api = api_client(&emu);
    let session = create_session(&emu, json!({"provider_id": PROVIDER_ID})).await;
    let url = format!("{}/provider-setup-sessions/{}", emu.base_url(), session.id);

    let deleted: ProviderSetupSession = call(api.delete(&url), StatusCode::OK).await;
    assert_eq!(deleted, session);
    let again: ProviderSetupSession = call(api.get(&url), StatusCode::OK).await;
    assert_eq!(again, session);
    let list: ProviderSetupSessionList = call(
        api.get(format!(
            "{}/provider-setup-sessions?id={}",
            emu.base_url(),
            session.id
        )),
        StatusCode::OK,
    )
    .await;
    assert_eq!(list.items, [session]);

    let missing = format!(
        "{}/provider-setup-sessions/pas_000000000000000000",
        emu.base_url()
    );
    let body = error(
        api.delete(&missing),
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    )
    .await;
    assert_eq!(body.entity.as_deref(), Some("provider.setup_session"));
    assert_eq!(body.id.as_deref(), Some("pas_000000000000000000"));
    emu.shutdown().await.expect("clean shutdown");
}

/// Walks every page of `base` (a list URL with its filters) with `limit`, in `order`.
async fn walk(api: &reqwest::Client, base: &str, limit: usize, order: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut after: Option<String> = None;
    let sep = if base.contains('?') { '&' } else { '?' };
    for page_number in 0.. {
        let mut url = format!("{base}{sep}limit={limit}&order={order}");
        if let Some(after) = &after {
            url.push_str(&format!("&after={after}"));
        }
        let page: ProviderSetupSessionList = call(api.get(&url), StatusCode::OK).await;
        assert!(page.items.len() <= limit);
        assert_eq!(page.pagination.has_more_before, page_number > 0, "{url}");
        ids.extend(page.items.iter().map(|s| s.id.clone()));
        if !page.pagination.has_more_after {
            break;
        }
        assert_eq!(
            page.items.len(),
            limit,
            "a page before the last one is full"
        );
        after = page.items.last().map(|s| s.id.clone());
    }
    ids
}

#[tokio::test]
async fn lists_page_across_pages_with_filters_in_both_orders() {
    let emu = spawn(Emulator::builder().oauth_auto_approve(true)).await;
    let api = api_client(&emu);
    let base = format!("{}/provider-setup-sessions", emu.base_url());
    let mut all = Vec::new();
    let mut with_deployment = Vec::new();
    let mut completed = Vec::new();
    for i in 0..23 {
        let body = if i % 3 == 0 {
            json!({"provider_id": PROVIDER_ID, "provider_deployment_id": DEPLOYMENT_ID, "name": format!("s{i}")})
        } else {
            json!({"provider_id": PROVIDER_ID, "name": format!("s{i}")})
        };
        let session = create_session(&emu, body).await;
        if i % 3 == 0 {
            with_deployment.push(session.id.clone());
        }
        if i % 4 == 0 {
            // Through the (auto-approved) OAuth flow: completed.
            let done = browser_client()
                .get(&session.url)
                .send()
                .await
                .expect("flow ran");
            assert_eq!(done.status(), StatusCode::OK);
            completed.push(session.id.clone());
        }
        all.push(session.id);
    }
    let mut sorted = all.clone();
    sorted.sort();
    assert_eq!(sorted, all, "IDs sort by creation time");

    // Default page: 20, ascending.
    let first: ProviderSetupSessionList = call(api.get(&base), StatusCode::OK).await;
    assert_eq!(first.items.len(), 20);
    assert!(!first.pagination.has_more_before && first.pagination.has_more_after);

    assert_eq!(walk(&api, &base, 5, "asc").await, all);
    let mut reversed = all.clone();
    reversed.reverse();
    assert_eq!(walk(&api, &base, 7, "desc").await, reversed);
    assert_eq!(walk(&api, &base, 100, "asc").await, all);

    // Backward from the end with `before`.
    let last_page: ProviderSetupSessionList = call(
        api.get(format!("{base}?limit=5&before={}", all[10])),
        StatusCode::OK,
    )
    .await;
    let ids: Vec<_> = last_page.items.iter().map(|s| s.id.clone()).collect();
    assert_eq!(ids, all[5..10]);
    assert!(last_page.pagination.has_more_before && last_page.pagination.has_more_after);
    // `after` wins over `before`, which wins over `cursor`.
    let page: ProviderSetupSessionList = call(
        api.get(format!(
            "{base}?limit=2&after={}&before={}&cursor={}",
            all[3],
            all[20],
            cursor("after", &all[15])
        )),
        StatusCode::OK,
    )
    .await;
    assert_eq!(page.items[0].id, all[4]);
    let page: ProviderSetupSessionList = call(
        api.get(format!(
            "{base}?limit=2&before={}&cursor={}",
            all[3],
            cursor("after", &all[15])
        )),
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        page.items.iter().map(|s| s.id.clone()).collect::<Vec<_>>(),
        all[1..3]
    );
    let page: ProviderSetupSessionList = call(
        api.get(format!(
            "{base}?limit=2&cursor={}",
            cursor("after", &all[15])
        )),
        StatusCode::OK,
    )
    .await;
    assert_eq!(page.items[0].id, all[16]);
    let page: ProviderSetupSessionList = call(
        api.get(format!(
            "{base}?limit=2&cursor={}",
            cursor("before", &all[15])
        )),
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        page.items.iter().map(|s| s.id.clone()).collect::<Vec<_>>(),
        all[13..15]
    );
    // A cursor is `cur_` + base62 of `[type, id]`: a bare ID is a 400.
    error(
        api.get(format!("{base}?limit=2&cursor={}", all[15])),
        StatusCode::BAD_REQUEST,
        ErrorCode::BadRequest,
    )
    .await;
    // Past the end: empty, with items before.
    let page: ProviderSetupSessionList =
        call(api.get(format!("{base}?after={}", all[22])), StatusCode::OK).await;
    assert!(page.items.is_empty());
    assert!(page.pagination.has_more_before && !page.pagination.has_more_after);

    // Filters, one value or repeated keys, across pages and in both orders.
    let url = format!("{base}?provider_deployment_id={DEPLOYMENT_ID}");
    assert_eq!(walk(&api, &url, 3, "asc").await, with_deployment);
    let url = format!("{base}?status=completed");
    assert_eq!(walk(&api, &url, 2, "asc").await, completed);
    let url = format!("{base}?status=completed&status=pending");
    assert_eq!(walk(&api, &url, 4, "asc").await, all);
    let url =
        format!("{base}?status=completed&status=failed&provider_deployment_id={DEPLOYMENT_ID}");
    let expected: Vec<_> = completed
        .iter()
        .filter(|id| with_deployment.contains(id))
        .cloned()
        .collect();
    assert!(!expected.is_empty());
    let mut expected_desc = expected.clone();
    expected_desc.reverse();
    assert_eq!(walk(&api, &url, 1, "asc").await, expected);
    assert_eq!(walk(&api, &url, 1, "desc").await, expected_desc);
    let url = format!("{base}?id={}&id={}&id=pas_unknown", all[2], all[7]);
    assert_eq!(
        walk(&api, &url, 1, "asc").await,
        [all[2].clone(), all[7].clone()]
    );
    let url = format!("{base}?provider_id=pro_other");
    assert!(walk(&api, &url, 5, "asc").await.is_empty());

    // The completed sessions point at their auth configs, which filter too.
    let done: ProviderSetupSession =
        call(api.get(format!("{base}/{}", completed[1])), StatusCode::OK).await;
    let auth_config = done
        .auth_config
        .expect("completed session has its auth config");
    let url = format!("{base}?provider_auth_config_id={}", auth_config.id);
    assert_eq!(walk(&api, &url, 5, "asc").await, [completed[1].clone()]);
    let url = format!(
        "{base}?provider_auth_method_id={AUTH_METHOD_ID}&provider_auth_credentials_id={CREDENTIALS_ID}"
    );
    assert_eq!(walk(&api, &url, 10, "desc").await.len(), all.len());
    emu.shutdown().await.expect("clean shutdown");
}

/// The built-in fixtures plus a second deployment and an archived auth config.
fn fixtures_with_extras() -> Fixtures {
    let mut fixtures = Fixtures::builtin();
    let mut staging = fixtures.deployments[0].clone();
    staging.id = "pde_staging".into();
    staging.name = Some("Staging".into());
    fixtures.deployments.push(staging);
    let mut archived = fixtures.auth_configs[0].clone();
    archived.id = "pac_archived".into();
    archived.status = "archived".into();
    fixtures.auth_configs.push(archived);
    fixtures
}

#[tokio::test]
async fn oauth_setups_live_under_their_deployment() {
    let emu = spawn(Emulator::builder().fixtures(fixtures_with_extras())).await;
    let api = api_client(&emu);
    let base = format!(
        "{}/provider-deployments/{DEPLOYMENT_ID}/oauth-setups",
        emu.base_url()
    );
    let setup: ProviderOauthSetup = call(
        api.post(&base).json(&json!({
            "name": "GitHub OAuth Setup",
            "description": "Setup OAuth for GitHub integration",
            "metadata": {"environment": "production"},
            "redirect_url": "https://app.example.com/oauth/callback",
            "config": {}
        })),
        StatusCode::OK,
    )
    .await;
    assert!(setup.id.starts_with("pos_"));
    assert_eq!(setup.object, "provider.oauth_setup");
    assert_eq!(setup.status.as_ref().map(|s| s.as_str()), Some("unused"));
    assert_eq!(setup.is_ephemeral, Some(false));
    assert_eq!(
        setup.url.as_deref(),
        Some(format!("{}/setup/{}", pages(&emu), setup.id).as_str())
    );
    assert_eq!(
        setup.deployment.as_ref().map(|d| d.id.as_str()),
        Some(DEPLOYMENT_ID)
    );
    assert_eq!(
        setup
            .credentials
            .as_ref()
            .and_then(|c| c.client_id.as_deref()),
        Some("client_abc123")
    );
    assert_eq!(
        setup.auth_method.as_ref().map(|m| m.object.as_str()),
        Some("provider.auth_method")
    );

    let url = format!("{base}/{}", setup.id);
    // `null` is refused (nothing can be cleared), naming the field; nothing changes.
    let refused = error(
        api.patch(&url)
            .json(&json!({"description": null, "name": "renamed"})),
        StatusCode::BAD_REQUEST,
        ErrorCode::InvalidData,
    )
    .await;
    assert_eq!(path_of(&refused), [PathSegment::from("description")]);
    assert_eq!(
        refused.errors.as_ref().map(|e| e[0].code.as_str()),
        Some("invalid_type")
    );
    let updated: ProviderOauthSetup = call(
        api.patch(&url).json(&json!({"name": "renamed"})),
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (updated.name.as_deref(), updated.description.as_deref()),
        (Some("renamed"), Some("Setup OAuth for GitHub integration"))
    );
    assert_eq!(updated.metadata, setup.metadata);
    let got: ProviderOauthSetup = call(api.get(&url), StatusCode::OK).await;
    assert_eq!(got.name.as_deref(), Some("renamed"));
    let list: ProviderOauthSetupList = call(api.get(&base), StatusCode::OK).await;
    assert_eq!(list.items.len(), 1);

    // Another deployment does not list it, though (as on the live API) a setup is found by
    // its ID under any existing deployment; an unknown deployment is a 404.
    let other = format!(
        "{}/provider-deployments/pde_staging/oauth-setups",
        emu.base_url()
    );
    let list: ProviderOauthSetupList = call(api.get(&other), StatusCode::OK).await;
    assert!(list.items.is_empty());
    let found: ProviderOauthSetup =
        call(api.get(format!("{other}/{}", setup.id)), StatusCode::OK).await;
    assert_eq!(found, got);
    let unknown = format!(
        "{}/provider-deployments/pde_nope/oauth-setups",
        emu.base_url()
    );
    for request in [
        api.get(&unknown),
        api.post(&unknown).json(&json!({"name": "x", "config": {}})),
        api.get(format!("{unknown}/{}", setup.id)),
        api.patch(format!("{unknown}/{}", setup.id))
            .json(&json!({})),
    ] {
        let body = error(request, StatusCode::NOT_FOUND, ErrorCode::NotFound).await;
        assert_eq!(
            (body.entity.as_deref(), body.id.as_deref()),
            (Some("provider.deployment"), Some("pde_nope")),
            "{body:?}"
        );
    }
    emu.shutdown().await.expect("clean shutdown");
}

/// The list URLs of setup sessions, exports and the fixtures' deployment's OAuth setups.
fn urls(emu: &Emulator) -> (String, String, String) {
    (
        format!("{}/provider-setup-sessions", emu.base_url()),
        format!("{}/provider-auth-config-exports", emu.base_url()),
        format!(
            "{}/provider-deployments/{DEPLOYMENT_ID}/oauth-setups",
            emu.base_url()
        ),
    )
}

#[tokio::test]
async fn every_refused_key_is_401_with_the_error_body() {
    let emu = spawn(Emulator::builder()).await;
    let plain = reqwest::Client::new();
    let (sessions, _, _) = urls(&emu);
    // 401: no key, a wrong key, another scheme.
    error(
        plain.get(&sessions),
        StatusCode::UNAUTHORIZED,
        ErrorCode::Unauthorized,
    )
    .await;
    error(
        plain.get(&sessions).bearer_auth("metorial_sk_wrong"),
        StatusCode::UNAUTHORIZED,
        ErrorCode::Unauthorized,
    )
    .await;
    error(
        plain
            .get(&sessions)
            .header("authorization", format!("Basic {}", emu.api_key())),
        StatusCode::UNAUTHORIZED,
        ErrorCode::Unauthorized,
    )
    .await;
    error(
        plain
            .post(&sessions)
            .json(&json!({"provider_id": PROVIDER_ID})),
        StatusCode::UNAUTHORIZED,
        ErrorCode::Unauthorized,
    )
    .await;

    emu.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn a_bad_body_is_400_invalid_data_naming_the_first_field_at_fault() {
    let emu = spawn(Emulator::builder().fixtures(fixtures_with_extras())).await;
    let api = api_client(&emu);
    let (sessions, exports, oauth_setups) = urls(&emu);
    // 400 invalid_data, with one validation error: the first field at fault, and its kind.
    let cases: Vec<(reqwest::RequestBuilder, Vec<PathSegment>, &str)> =
        vec![
        (
            api.post(&sessions)
                .header("content-type", "application/json")
                .body("{\"provider_id\": "),
            vec![],
            "invalid_json",
        ),
        (
            api.post(&sessions)
                .header("content-type", "application/json")
                .body(""),
            vec![],
            "invalid_json",
        ),
        (
            api.post(&sessions).json(&json!({"provider_id": 7})),
            vec!["provider_id".into()],
            "invalid_type",
        ),
        (
            api.post(&sessions)
                .json(&json!({"provider_id": PROVIDER_ID, "metadata": "x"})),
            vec!["metadata".into()],
            "invalid_type",
        ),
        (
            api.post(&sessions)
                .json(&json!({"provider_id": PROVIDER_ID, "name": null})),
            vec!["name".into()],
            "invalid_type",
        ),
        (api.post(&sessions).json(&json!([1, 2])), vec![], "invalid_type"),
        (
            api.post(&sessions)
                .json(&json!({"provider_id": PROVIDER_ID, "redirect_url": "javascript:alert(1)"})),
            vec!["redirect_url".into()],
            "invalid_url",
        ),
        (
            api.post(&sessions)
                .json(&json!({"provider_id": PROVIDER_ID, "redirect_url": "/relative"})),
            vec!["redirect_url".into()],
            "invalid_url",
        ),
        (
            api.get(format!("{sessions}?limit=0")),
            vec!["limit".into()],
            "invalid_value",
        ),
        (
            api.get(format!("{sessions}?limit=101")),
            vec!["limit".into()],
            "invalid_value",
        ),
        (
            api.get(format!("{sessions}?limit=ten")),
            vec!["limit".into()],
            "invalid_value",
        ),
        (
            api.get(format!("{sessions}?order=sideways")),
            vec!["order".into()],
            "invalid_value",
        ),
        (
            api.get(format!("{exports}?limit=-1")),
            vec!["limit".into()],
            "invalid_value",
        ),
        (
            api.post(&exports).json(&json!({"note": "n"})),
            vec!["provider_auth_config_id".into()],
            "invalid_type",
        ),
        (
            api.post(&exports)
                .json(&json!({"provider_auth_config_id": AUTH_CONFIG_ID})),
            vec!["note".into()],
            "invalid_type",
        ),
        (
            api.post(&exports).json(
                &json!({"provider_auth_config_id": AUTH_CONFIG_ID, "note": "n", "metadata": null}),
            ),
            vec!["metadata".into()],
            "invalid_type",
        ),
        (
            api.post(&oauth_setups).json(&json!({"name": "x"})),
            vec!["config".into()],
            "invalid_type",
        ),
        (
            api.post(&oauth_setups)
                .json(&json!({"name": "x", "config": {}, "redirect_url": "data:text/html,hi"})),
            vec!["redirect_url".into()],
            "invalid_url",
        ),
        (
            api.post(&oauth_setups)
                .json(&json!({"name": "x", "config": [], "is_ephemeral": "yes"})),
            vec!["config".into()],
            "invalid_type",
        ),
    ];
    for (request, path, code) in cases {
        let body = error(request, StatusCode::BAD_REQUEST, ErrorCode::InvalidData).await;
        assert_eq!(path_of(&body), path, "{body:?}");
        let errors = body.errors.clone().unwrap_or_default();
        assert_eq!(errors.len(), 1, "{body:?}");
        assert_eq!(errors[0].code, code, "{body:?}");
    }

    emu.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn bad_references_are_refused_with_their_entity_and_leave_nothing_behind() {
    let emu = spawn(Emulator::builder().fixtures(fixtures_with_extras())).await;
    let api = api_client(&emu);
    let (sessions, exports, _) = urls(&emu);
    // Exporting an archived auth config: 400 use_after_delete.
    let body = error(
        api.post(&exports)
            .json(&json!({"provider_auth_config_id": "pac_archived", "note": "n"})),
        StatusCode::BAD_REQUEST,
        ErrorCode::UseAfterDelete,
    )
    .await;
    assert!(body.message.contains("archived"), "{}", body.message);

    // Unknown referenced IDs: 404 not_found naming the entity and the ID.
    let references = [
        (
            api.post(&exports)
                .json(&json!({"provider_auth_config_id": "pac_unknown", "note": "n"})),
            "provider.auth_config",
            "pac_unknown",
        ),
        (
            api.post(&sessions)
                .json(&json!({"provider_id": "pro_unknown"})),
            "provider",
            "pro_unknown",
        ),
        (
            api.post(&sessions).json(
                &json!({"provider_id": PROVIDER_ID, "provider_deployment_id": "pde_unknown"}),
            ),
            "provider.deployment",
            "pde_unknown",
        ),
        (
            api.post(&sessions).json(
                &json!({"provider_id": PROVIDER_ID, "provider_auth_credentials_id": "par_unknown"}),
            ),
            "provider.auth_credentials",
            "par_unknown",
        ),
    ];
    for (request, entity, id) in references {
        let body = error(request, StatusCode::NOT_FOUND, ErrorCode::NotFound).await;
        assert_eq!(
            (body.entity.as_deref(), body.id.as_deref()),
            (Some(entity), Some(id)),
            "{body:?}"
        );
    }

    // 404 not_found.
    error(
        api.get(format!("{sessions}/pas_unknown")),
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    )
    .await;
    let body = error(
        api.get(format!("{exports}/pace_unknown")),
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    )
    .await;
    assert_eq!(
        (body.entity.as_deref(), body.id.as_deref()),
        (Some("provider.auth_export"), Some("pace_unknown"))
    );
    error(
        api.get(format!("{}/no-such-thing", emu.base_url())),
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    )
    .await;
    let body: ErrorBody = call(api.put(&sessions), StatusCode::METHOD_NOT_ALLOWED).await;
    assert_eq!(body.object, "error");

    // None of the refused requests left anything behind.
    let list: ProviderSetupSessionList = call(api.get(&sessions), StatusCode::OK).await;
    assert!(list.items.is_empty());
    let list: ProviderAuthExportList = call(api.get(&exports), StatusCode::OK).await;
    assert!(list.items.is_empty());
    emu.shutdown().await.expect("clean shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_concurrent_creates_all_succeed_and_all_appear() {
    let emu = spawn(Emulator::builder()).await;
    let api = api_client(&emu);
    let url = format!("{}/provider-setup-sessions", emu.base_url());
    let mut tasks = Vec::new();
    for i in 0..200 {
        let (api, url) = (api.clone(), url.clone());
        tasks.push(tokio::spawn(async move {
            let response = api
                .post(&url)
                .json(&json!({"provider_id": PROVIDER_ID, "name": format!("concurrent {i}")}))
                .send()
                .await
                .expect("request sent");
            assert_eq!(response.status(), StatusCode::OK);
            response
                .json::<ProviderSetupSession>()
                .await
                .expect("a session")
                .id
        }));
    }
    let mut created = HashSet::new();
    for task in tasks {
        created.insert(task.await.expect("task finished"));
    }
    assert_eq!(created.len(), 200);
    let listed = walk(&api, &url, 100, "asc").await;
    assert_eq!(listed.len(), 200);
    assert_eq!(listed.iter().cloned().collect::<HashSet<_>>(), created);
    emu.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn a_restarted_emulator_serves_everything_it_had() {
    let dir = tempfile::tempdir().expect("temp dir");
    let database = dir.path().join("emulator.sqlite");
    let builder = || {
        Emulator::builder()
            .database(&database)
            .api_key("metorial_sk_restart_first")
            .api_key("metorial_sk_restart_other_key")
            .public_url("http://emulator.test")
            .oauth_auto_approve(true)
    };

    let first = spawn(builder()).await;
    let api = api_client(&first);
    let session = create_session(
        &first,
        json!({"provider_id": PROVIDER_ID, "name": "before"}),
    )
    .await;
    assert_eq!(
        session.url,
        format!("{}/setup/{}", pages(&first), session.id)
    );
    assert!(session.url.starts_with("http://emulator.test/t/tnt_"));
    // The second key's tenant keeps its own file beside the first's.
    let other = first.tenant_for("metorial_sk_restart_other_key").unwrap();
    let other_config = other
        .seed_auth_config(metorial_emulator::control::SeedAuthConfig::for_deployment(
            DEPLOYMENT_ID,
            "gho_kept",
        ))
        .await
        .unwrap();
    let url = format!(
        "{}/provider-setup-sessions/{}",
        first.base_url(),
        session.id
    );
    let _: ProviderSetupSession = call(
        api.patch(&url).json(&json!({"name": "renamed"})),
        StatusCode::OK,
    )
    .await;
    let export: ProviderAuthExport = call(
        api.post(format!("{}/provider-auth-config-exports", first.base_url()))
            .json(&json!({"provider_auth_config_id": AUTH_CONFIG_ID, "note": "n"})),
        StatusCode::OK,
    )
    .await;
    let sessions_before: Value = call(
        api.get(format!("{}/provider-setup-sessions", first.base_url())),
        StatusCode::OK,
    )
    .await;
    let exports_before: Value = call(
        api.get(format!("{}/provider-auth-config-exports", first.base_url())),
        StatusCode::OK,
    )
    .await;
    first.shutdown().await.expect("clean shutdown");

    let second = spawn(builder()).await;
    let api = api_client(&second);
    let sessions_after: Value = call(
        api.get(format!("{}/provider-setup-sessions", second.base_url())),
        StatusCode::OK,
    )
    .await;
    let exports_after: Value = call(
        api.get(format!(
            "{}/provider-auth-config-exports",
            second.base_url()
        )),
        StatusCode::OK,
    )
    .await;
    assert_eq!(sessions_after, sessions_before);
    assert_eq!(exports_after, exports_before);
    let kept = second
        .tenant_for("metorial_sk_restart_other_key")
        .unwrap()
        .snapshot()
        .await
        .unwrap();
    let configs = &kept.tables["auth_configs"];
    assert!(
        configs
            .iter()
            .any(|row| row["id"] == other_config.id.as_str()),
        "the other tenant's auth config survived the restart"
    );
    assert!(
        database
            .with_file_name(format!("emulator.sqlite.{}", other.id()))
            .exists()
    );
    let got: ProviderAuthExport = call(
        api.get(format!(
            "{}/provider-auth-config-exports/{}",
            second.base_url(),
            export.id
        )),
        StatusCode::OK,
    )
    .await;
    assert_eq!(got.id, export.id);
    // New IDs still sort after the old ones.
    let newer = create_session(&second, json!({"provider_id": PROVIDER_ID})).await;
    assert!(newer.id > session.id);
    second.shutdown().await.expect("clean shutdown");
}
