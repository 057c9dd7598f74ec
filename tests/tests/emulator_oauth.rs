//! The OAuth flow over HTTP, as a browser would go through it: approve and deny on the fake
//! provider's consent page, replayed and forged callbacks, expiry, OAuth setups, and the fake
//! provider's own checks (client secret, PKCE).

use std::time::Duration;

use metorial_e2e::{
    AUTH_METHOD_ID, DEPLOYMENT_ID, Emulator, Fixtures, Landing, PROVIDER_ID, api_client,
    browser_client, call, consent_request_id, create_session, location, manual_client, pages,
    query_param, spawn,
};
use metorial_emulator::fixtures::OAuthEndpoints;
use metorial_models::{
    ProviderAuthConfigSource, ProviderAuthConfigStatus, ProviderAuthConfigType, ProviderAuthExport,
    ProviderOauthSetup, ProviderSetupSession, ProviderSetupSessionList, ProviderSetupSessionStatus,
};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A session of the fixtures' deployment, sending the user back to `redirect_url`.
async fn new_session(emu: &Emulator, redirect_url: Option<&str>) -> ProviderSetupSession {
    let mut body = json!({
        "provider_id": PROVIDER_ID,
        "provider_deployment_id": DEPLOYMENT_ID,
        "name": "Connect GitHub",
    });
    if let Some(url) = redirect_url {
        body["redirect_url"] = json!(url);
    }
    create_session(emu, body).await
}

async fn get_session(emu: &Emulator, id: &str) -> ProviderSetupSession {
    let url = format!("{}/provider-setup-sessions/{id}", emu.base_url());
    call(api_client(emu).get(url), StatusCode::OK).await
}

/// How many setup sessions have `status`.
async fn count_with_status(emu: &Emulator, status: &str) -> usize {
    let url = format!("{}/provider-setup-sessions?status={status}", emu.base_url());
    let list: ProviderSetupSessionList = call(api_client(emu).get(url), StatusCode::OK).await;
    list.items.len()
}

async fn export(emu: &Emulator, auth_config_id: &str) -> ProviderAuthExport {
    let url = format!("{}/provider-auth-config-exports", emu.base_url());
    let body = json!({"provider_auth_config_id": auth_config_id, "note": "e2e"});
    call(api_client(emu).post(url).json(&body), StatusCode::OK).await
}

/// Opens the session's URL and follows it to the fake provider's consent page; returns the
/// consent form's request ID.
async fn open_consent_page(emu: &Emulator, url: &str) -> String {
    let hop = manual_client().get(url).send().await.expect("request sent");
    assert!(
        matches!(hop.status(), StatusCode::FOUND | StatusCode::SEE_OTHER),
        "{}",
        hop.status()
    );
    let authorize = location(&hop);
    assert!(
        authorize.starts_with(&format!("{}/_emulator/provider/authorize?", pages(emu))),
        "{authorize}"
    );
    assert_eq!(
        query_param(&authorize, "response_type").as_deref(),
        Some("code")
    );
    assert_eq!(
        query_param(&authorize, "client_id").as_deref(),
        Some("client_abc123")
    );
    assert_eq!(
        query_param(&authorize, "redirect_uri"),
        Some(format!("{}/oauth/callback", pages(emu)))
    );
    assert_eq!(query_param(&authorize, "scope").as_deref(), Some("repo"));
    assert_eq!(
        query_param(&authorize, "code_challenge_method").as_deref(),
        Some("S256")
    );
    assert!(query_param(&authorize, "code_challenge").is_some_and(|c| c.len() >= 43));
    assert!(query_param(&authorize, "state").is_some_and(|s| s.len() >= 32));

    let page = manual_client()
        .get(&authorize)
        .send()
        .await
        .expect("request sent");
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("consent page");
    assert!(
        html.contains("id=\"approve\"") && html.contains("id=\"deny\""),
        "{html}"
    );
    assert!(html.contains("<code>repo</code>"), "{html}");
    consent_request_id(&html)
}

/// Answers the consent form like a browser (following the redirects to the app).
async fn decide(emu: &Emulator, request_id: &str, decision: &str) -> reqwest::Response {
    browser_client()
        .post(format!("{}/_emulator/provider/authorize", pages(emu)))
        .form(&[("request", request_id), ("decision", decision)])
        .send()
        .await
        .expect("request sent")
}

#[tokio::test]
async fn approving_completes_the_session_and_the_export_returns_the_issued_tokens() {
    let emu = spawn(Emulator::builder()).await;
    let app = Landing::start().await;
    let session = new_session(&emu, Some(&app.url("/app/callback?keep=1"))).await;

    let request_id = open_consent_page(&emu, &session.url).await;
    let landed = decide(&emu, &request_id, "approve").await;
    assert_eq!(landed.status(), StatusCode::OK);
    let final_url = landed.url().to_string();
    assert!(
        final_url.starts_with(&app.url("/app/callback?")),
        "{final_url}"
    );
    assert_eq!(query_param(&final_url, "keep").as_deref(), Some("1"));
    assert_eq!(
        query_param(&final_url, "setup_session_id"),
        Some(session.id.clone())
    );
    assert_eq!(
        query_param(&final_url, "status").as_deref(),
        Some("completed")
    );
    assert!(
        landed
            .text()
            .await
            .expect("app page")
            .contains("Back in the app")
    );
    assert_eq!(app.hits().len(), 1);

    let done = get_session(&emu, &session.id).await;
    assert_eq!(done.status, ProviderSetupSessionStatus::Completed);
    assert!(done.updated_at >= session.updated_at);
    let auth_config = done.auth_config.expect("the session's auth config");
    assert!(auth_config.id.starts_with("pac_"));
    assert_eq!(auth_config.status, Some(ProviderAuthConfigStatus::Active));
    assert_eq!(auth_config.source, ProviderAuthConfigSource::SetupSession);
    // As the live API: `oauth_automated`, the deployment under `deployment`, a tool filter.
    assert_eq!(
        auth_config.type_,
        Some(ProviderAuthConfigType::OauthAutomated)
    );
    assert_eq!(auth_config.auth_method.id, AUTH_METHOD_ID);
    assert_eq!(
        auth_config.deployment.as_ref().map(|d| d.id.as_str()),
        Some(DEPLOYMENT_ID)
    );
    assert_eq!(auth_config.deployment_preview, None);
    assert!(auth_config.tool_filter.is_some());

    let issued = emu.issued_tokens().await.expect("issued tokens");
    assert_eq!(issued.len(), 1);
    let exported = export(&emu, &auth_config.id).await;
    let value = exported.value.expect("exported value");
    assert_eq!(
        value.expose_str("access_token"),
        Some(issued[0].access_token.as_str())
    );
    assert_eq!(
        value.expose_str("refresh_token"),
        Some(issued[0].refresh_token.as_str())
    );
    assert_eq!(value.expose_str("token_type"), Some("bearer"));
    assert_eq!(value.expose_str("scope"), Some("repo"));
    assert_eq!(value.expose("expires_in"), Some(&json!(3600)));
    assert_eq!(exported.auth_config.id, auth_config.id);

    // The session is over: its URL says so, and the consent form cannot be answered again.
    let again = manual_client()
        .get(&session.url)
        .send()
        .await
        .expect("request sent");
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let twice = decide(&emu, &request_id, "approve").await;
    assert_eq!(twice.status(), StatusCode::BAD_REQUEST);
    emu.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn denying_fails_the_session_and_tells_the_app() {
    let emu = spawn(Emulator::builder()).await;
    let app = Landing::start().await;
    let session = new_session(&emu, Some(&app.url("/back"))).await;

    let request_id = open_consent_page(&emu, &session.url).await;
    let landed = decide(&emu, &request_id, "deny").await;
    let final_url = landed.url().to_string();
    assert!(final_url.starts_with(&app.url("/back?")), "{final_url}");
    assert_eq!(
        query_param(&final_url, "setup_session_id"),
        Some(session.id.clone())
    );
    assert_eq!(query_param(&final_url, "status").as_deref(), Some("failed"));
    assert_eq!(
        query_param(&final_url, "error").as_deref(),
        Some("access_denied")
    );

    let failed = get_session(&emu, &session.id).await;
    assert_eq!(failed.status, ProviderSetupSessionStatus::Failed);
    assert!(failed.auth_config.is_none());
    assert!(emu.issued_tokens().await.expect("issued tokens").is_empty());

    assert_eq!(count_with_status(&emu, "failed").await, 1);
    emu.shutdown().await.expect("clean shutdown");
}

/// Goes from the session's URL to the callback URL the provider sends back (auto-approve),
/// without opening it.
async fn callback_url(emu: &Emulator, url: &str) -> String {
    let hop = manual_client().get(url).send().await.expect("request sent");
    let authorize = location(&hop);
    let hop = manual_client()
        .get(&authorize)
        .send()
        .await
        .expect("request sent");
    let callback = location(&hop);
    assert!(
        callback.starts_with(&format!("{}/oauth/callback?", pages(emu))),
        "{callback}"
    );
    callback
}

#[tokio::test]
async fn a_replayed_or_forged_callback_changes_nothing() {
    let emu = spawn(Emulator::builder().oauth_auto_approve(true)).await;
    let app = Landing::start().await;
    let session = new_session(&emu, Some(&app.url("/back"))).await;

    let callback = callback_url(&emu, &session.url).await;
    let first = manual_client()
        .get(&callback)
        .send()
        .await
        .expect("request sent");
    assert_eq!(first.status(), StatusCode::SEE_OTHER);
    assert!(location(&first).contains("status=completed"));
    let done = get_session(&emu, &session.id).await;
    assert_eq!(done.status, ProviderSetupSessionStatus::Completed);

    // The same callback again: refused, with a clear page; nothing changes.
    let replay = manual_client()
        .get(&callback)
        .send()
        .await
        .expect("request sent");
    assert_eq!(replay.status(), StatusCode::BAD_REQUEST);
    let page = replay.text().await.expect("error page");
    assert!(page.contains("already used"), "{page}");
    // A forged state, a missing state, a state with another code.
    let state = query_param(&callback, "state").expect("state");
    for forged in [
        format!("{}/oauth/callback?state=forged&code=abc", pages(&emu)),
        format!("{}/oauth/callback?code=abc", pages(&emu)),
        format!("{}/oauth/callback?state={state}&code=other", pages(&emu)),
        format!(
            "{}/oauth/callback?state={state}&error=access_denied",
            pages(&emu)
        ),
    ] {
        let response = manual_client()
            .get(&forged)
            .send()
            .await
            .expect("request sent");
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{forged}");
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap_or_default()
            .to_owned();
        assert!(content_type.starts_with("text/html"), "{content_type}");
    }
    let after = get_session(&emu, &session.id).await;
    assert_eq!(after, done);
    assert_eq!(emu.issued_tokens().await.expect("issued tokens").len(), 1);
    assert_eq!(
        app.hits().len(),
        0,
        "the manual client never followed to the app"
    );
    emu.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn an_expired_session_cannot_complete() {
    let emu = spawn(
        Emulator::builder()
            .oauth_auto_approve(true)
            .session_lifetime(Duration::from_millis(2500)),
    )
    .await;
    let session = new_session(&emu, Some("https://app.example.com/back")).await;
    let expires_in = *session.expires_at - *session.created_at;
    assert_eq!(expires_in.num_milliseconds(), 2500);
    let callback = callback_url(&emu, &session.url).await;

    tokio::time::sleep(Duration::from_millis(2800)).await;
    let expired = get_session(&emu, &session.id).await;
    // As on the live API: shown `expired` when read; the stored row is not touched.
    assert_eq!(expired.status, ProviderSetupSessionStatus::Expired);
    assert_eq!(expired.updated_at, session.updated_at);

    let late = manual_client()
        .get(&callback)
        .send()
        .await
        .expect("request sent");
    assert_eq!(late.status(), StatusCode::GONE);
    assert!(late.text().await.expect("error page").contains("expired"));
    let open = manual_client()
        .get(&session.url)
        .send()
        .await
        .expect("request sent");
    assert_eq!(open.status(), StatusCode::GONE);

    let after = get_session(&emu, &session.id).await;
    assert_eq!(after, expired);
    assert!(after.auth_config.is_none());
    assert!(emu.issued_tokens().await.expect("issued tokens").is_empty());
    // The list filter matches the stored status, which stays `pending` (as on the live API).
    assert_eq!(count_with_status(&emu, "expired").await, 0);
    assert_eq!(count_with_status(&emu, "pending").await, 1);
    emu.shutdown().await.expect("clean shutdown");
}

async fn create_setup(emu: &Emulator, body: Value) -> ProviderOauthSetup {
    let response = api_client(emu)
        .post(format!(
            "{}/provider-deployments/{DEPLOYMENT_ID}/oauth-setups",
            emu.base_url()
        ))
        .json(&body)
        .send()
        .await
        .expect("request sent");
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.expect("an OAuth setup")
}

async fn get_setup(emu: &Emulator, id: &str) -> ProviderOauthSetup {
    api_client(emu)
        .get(format!(
            "{}/provider-deployments/{DEPLOYMENT_ID}/oauth-setups/{id}",
            emu.base_url()
        ))
        .send()
        .await
        .expect("request sent")
        .json()
        .await
        .expect("an OAuth setup")
}

#[tokio::test]
async fn an_oauth_setup_goes_through_the_same_flow() {
    let emu = spawn(Emulator::builder().oauth_auto_approve(true)).await;
    let app = Landing::start().await;
    let setup = create_setup(
        &emu,
        json!({"name": "GitHub", "redirect_url": app.url("/setup-done"), "config": {}}),
    )
    .await;
    let url = setup.url.clone().expect("a URL");
    let landed = browser_client().get(&url).send().await.expect("flow ran");
    let final_url = landed.url().to_string();
    assert!(
        final_url.starts_with(&app.url("/setup-done?")),
        "{final_url}"
    );
    assert_eq!(
        query_param(&final_url, "oauth_setup_id"),
        Some(setup.id.clone())
    );
    assert_eq!(
        query_param(&final_url, "status").as_deref(),
        Some("completed")
    );

    let done = get_setup(&emu, &setup.id).await;
    assert_eq!(done.status.as_ref().map(|s| s.as_str()), Some("completed"));
    let auth_config = done.auth_config.expect("the setup's auth config");
    assert_eq!(
        auth_config.provider_auth_method_id.as_deref(),
        Some(AUTH_METHOD_ID)
    );
    assert_eq!(
        auth_config.provider_deployment_id.as_deref(),
        Some(DEPLOYMENT_ID)
    );
    let issued = emu.issued_tokens().await.expect("issued tokens");
    let exported = export(&emu, &auth_config.id).await;
    assert_eq!(
        exported
            .value
            .as_ref()
            .and_then(|v| v.expose_str("access_token")),
        Some(issued[0].access_token.as_str())
    );

    // A setup whose config names its own OAuth app: the fake provider knows it from then on.
    let own = create_setup(
        &emu,
        json!({
            "name": "own app",
            "redirect_url": app.url("/setup-done"),
            "config": {"client_id": "my_app", "client_secret": "my_secret"}
        }),
    )
    .await;
    assert!(own.credentials.is_none());
    let landed = browser_client()
        .get(own.url.as_deref().expect("a URL"))
        .send()
        .await
        .expect("flow ran");
    let final_url = landed.url().to_string();
    assert_eq!(
        query_param(&final_url, "status").as_deref(),
        Some("completed"),
        "{final_url}"
    );
    let issued = emu.issued_tokens().await.expect("issued tokens");
    assert_eq!(issued.len(), 2);
    assert_eq!(issued[1].client_id, "my_app");
    emu.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn a_provider_from_the_fixtures_is_used_and_its_failure_fails_the_session() {
    // A "real" provider, configured in the fixtures, whose token endpoint answers with an
    // HTML page instead of tokens.
    let app = Landing::start().await;
    let mut fixtures = Fixtures::builtin();
    fixtures.providers[0].oauth = Some(OAuthEndpoints {
        authorize_url: app.url("/login/oauth/authorize"),
        token_url: app.url("/login/oauth/access_token"),
    });
    let emu = spawn(Emulator::builder().fixtures(fixtures)).await;
    let session = new_session(&emu, Some(&app.url("/back"))).await;

    let hop = manual_client()
        .get(&session.url)
        .send()
        .await
        .expect("request sent");
    let authorize = location(&hop);
    assert!(
        authorize.starts_with(&app.url("/login/oauth/authorize?")),
        "{authorize}"
    );
    assert_eq!(
        query_param(&authorize, "client_id").as_deref(),
        Some("client_abc123")
    );
    assert_eq!(
        query_param(&authorize, "code_challenge_method").as_deref(),
        Some("S256")
    );
    let state = query_param(&authorize, "state").expect("state");

    // The provider sends the user back with a code; the exchange gets no tokens.
    let callback = format!(
        "{}/oauth/callback?code=some-code&state={state}",
        pages(&emu)
    );
    let landed = browser_client()
        .get(&callback)
        .send()
        .await
        .expect("request sent");
    let final_url = landed.url().to_string();
    assert!(final_url.starts_with(&app.url("/back?")), "{final_url}");
    assert_eq!(query_param(&final_url, "status").as_deref(), Some("failed"));
    assert_eq!(
        query_param(&final_url, "error").as_deref(),
        Some("token_exchange_failed")
    );
    assert!(
        app.hits().contains(&"/login/oauth/access_token".to_owned()),
        "{:?}",
        app.hits()
    );
    let failed = get_session(&emu, &session.id).await;
    assert_eq!(failed.status, ProviderSetupSessionStatus::Failed);
    assert!(failed.auth_config.is_none());

    // A provider error on the callback fails a session too.
    let other = new_session(&emu, Some(&app.url("/back"))).await;
    let hop = manual_client()
        .get(&other.url)
        .send()
        .await
        .expect("request sent");
    let state = query_param(&location(&hop), "state").expect("state");
    let callback = format!(
        "{}/oauth/callback?error=server_error&error_description=down&state={state}",
        pages(&emu)
    );
    let landed = browser_client()
        .get(&callback)
        .send()
        .await
        .expect("request sent");
    let final_url = landed.url().to_string();
    assert_eq!(
        query_param(&final_url, "error").as_deref(),
        Some("server_error")
    );
    assert_eq!(
        query_param(&final_url, "error_description").as_deref(),
        Some("down")
    );
    assert_eq!(
        get_session(&emu, &other.id).await.status,
        ProviderSetupSessionStatus::Failed
    );
    emu.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn the_fake_provider_checks_the_client_secret_and_pkce() {
    let emu = spawn(Emulator::builder().oauth_auto_approve(true)).await;
    // The fake provider only answers to the emulator's own callback (its clients' one
    // registered redirect URI); the manual client never follows the redirect there.
    let callback = format!("{}/oauth/callback", pages(&emu));
    let token_url = format!("{}/_emulator/provider/token", pages(&emu));
    let authorize = |challenge: &str, extra: &str| {
        format!(
            "{}/_emulator/provider/authorize?response_type=code&client_id=client_abc123\
             &redirect_uri={}&state=s1&scope=repo&code_challenge={challenge}{extra}",
            pages(&emu),
            url::form_urlencoded::byte_serialize(callback.as_bytes()).collect::<String>()
        )
    };
    let (challenge, verifier) = oauth2::PkceCodeChallenge::new_random_sha256();

    // Without PKCE S256: an error back to the client.
    let hop = manual_client()
        .get(authorize(challenge.as_str(), ""))
        .send()
        .await
        .expect("sent");
    let back = location(&hop);
    assert_eq!(
        query_param(&back, "error").as_deref(),
        Some("invalid_request")
    );
    assert_eq!(query_param(&back, "state").as_deref(), Some("s1"));
    // An unknown client: an error page, no redirect.
    let unknown = authorize(challenge.as_str(), "&code_challenge_method=S256")
        .replace("client_abc123", "client_unknown");
    let page = manual_client().get(unknown).send().await.expect("sent");
    assert_eq!(page.status(), StatusCode::BAD_REQUEST);

    let code = |url: String| async move {
        let hop = manual_client().get(url).send().await.expect("sent");
        let back = location(&hop);
        assert_eq!(query_param(&back, "state").as_deref(), Some("s1"));
        query_param(&back, "code").expect("a code")
    };
    let exchange = |code: String, secret: &'static str, verifier: String| {
        let token_url = token_url.clone();
        let redirect_uri = callback.clone();
        async move {
            manual_client()
                .post(token_url)
                .basic_auth("client_abc123", Some(secret))
                .form(&[
                    ("grant_type", "authorization_code"),
                    ("code", &code),
                    ("redirect_uri", &redirect_uri),
                    ("code_verifier", &verifier),
                ])
                .send()
                .await
                .expect("sent")
        }
    };

    // A wrong client secret.
    let first = code(authorize(challenge.as_str(), "&code_challenge_method=S256")).await;
    let response = exchange(first.clone(), "wrong", verifier.secret().clone()).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["error"], "invalid_client");
    // A wrong verifier: refused, and the code is used up.
    let wrong_verifier = "x".repeat(50);
    let response = exchange(first.clone(), "emulator_client_secret", wrong_verifier).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["error"], "invalid_grant");
    let response = exchange(first, "emulator_client_secret", verifier.secret().clone()).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);

    // The right secret and verifier, client credentials in the body this time.
    let second = code(authorize(challenge.as_str(), "&code_challenge_method=S256")).await;
    let response = manual_client()
        .post(&token_url)
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", second.as_str()),
            ("redirect_uri", callback.as_str()),
            ("code_verifier", verifier.secret().as_str()),
            ("client_id", "client_abc123"),
            ("client_secret", "emulator_client_secret"),
        ])
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("JSON");
    let issued = emu.issued_tokens().await.expect("issued tokens");
    assert_eq!(issued.len(), 1);
    assert_eq!(body["access_token"], issued[0].access_token.as_str());
    assert_eq!(body["refresh_token"], issued[0].refresh_token.as_str());
    assert_eq!(body["token_type"], "bearer");
    emu.shutdown().await.expect("clean shutdown");
}

/// POSTs a form to the fake provider's token endpoint; the status and the JSON answer.
async fn post_token(emu: &Emulator, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let response = manual_client()
        .post(format!("{}/_emulator/provider/token", pages(emu)))
        .form(form)
        .send()
        .await
        .expect("request sent");
    let status = response.status();
    (status, response.json().await.expect("JSON"))
}

/// A refresh of `refresh_token` by the fixtures' client, with this secret.
async fn refresh(emu: &Emulator, refresh_token: &str, secret: &str) -> (StatusCode, Value) {
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token),
        ("client_id", "client_abc123"),
        ("client_secret", secret),
    ];
    post_token(emu, &form).await
}

#[tokio::test]
async fn a_refresh_token_gets_new_tokens_once() {
    let emu = spawn(Emulator::builder().oauth_auto_approve(true)).await;
    let session = new_session(&emu, Some("https://app.example.com/done")).await;
    metorial_e2e::follow_flow(&emu, &session.url).await;
    let issued = emu.issued_tokens().await.expect("issued tokens");
    let first = issued.last().expect("the flow's tokens").clone();
    const SECRET: &str = "emulator_client_secret";

    // A wrong secret: 401, and the refresh token is not used up.
    let (status, body) = refresh(&emu, &first.refresh_token, "wrong").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_client"))
    );

    // New tokens, with the scope first granted.
    let (status, body) = refresh(&emu, &first.refresh_token, SECRET).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["scope"].as_str(), first.scope.as_deref());
    let access = body["access_token"].as_str().unwrap();
    let renewed = body["refresh_token"].as_str().unwrap();
    assert_ne!(access, first.access_token);
    assert_ne!(renewed, first.refresh_token);

    // Refresh tokens rotate: the first one is used up, the new one works.
    let (status, body) = refresh(&emu, &first.refresh_token, SECRET).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
    let (status, _) = refresh(&emu, renewed, SECRET).await;
    assert_eq!(status, StatusCode::OK);

    // Any other grant type is refused.
    let form = [
        ("grant_type", "password"),
        ("client_id", "client_abc123"),
        ("client_secret", SECRET),
    ];
    let (status, body) = post_token(&emu, &form).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("unsupported_grant_type"))
    );
    emu.shutdown().await.expect("clean shutdown");
}
