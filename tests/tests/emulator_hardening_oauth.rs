//! Attacks on the emulator's OAuth side, each reproduced over HTTP: unbounded growth of the
//! fake provider's consent requests and codes and of the flows' `state`s (browser requests, no
//! API key), over-long stored parameters, an open redirect at the fake provider, OAuth setups
//! taking over a fixture's (or another setup's) OAuth client, and HTML pages without security
//! headers.

use std::path::Path;

use futures_util::stream::{self, StreamExt};
use metorial_e2e::{
    DEPLOYMENT_ID, Emulator, EmulatorBuilder, Landing, PROVIDER_ID, api_client, api_error,
    consent_request_id, create_session, first_failure, location, manual_client, pages, query_param,
    spawn,
};
use metorial_models::{ErrorCode, PathSegment};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The built-in fixtures' OAuth client ID (public: it is in every authorize URL).
const FIXTURE_CLIENT_ID: &str = "client_abc123";
/// A well-formed PKCE `S256` challenge (RFC 7636, appendix B).
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
/// How many requests a flood sends: well past any cap the emulator may set.
const FLOOD: usize = 1500;
/// How many flood requests are in flight at once.
const IN_FLIGHT: usize = 8;

/// The emulator's OAuth callback: the fake provider's clients' one redirect URI.
fn callback(emu: &Emulator) -> String {
    format!("{}/oauth/callback", pages(emu))
}

/// An authorization request of the fixtures' client to the fake provider, PKCE included.
fn authorize_url(emu: &Emulator, redirect_uri: &str, state: &str) -> String {
    let mut url = url::Url::parse(&format!("{}/_emulator/provider/authorize", pages(emu)))
        .expect("the emulator's URL");
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", FIXTURE_CLIENT_ID)
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("state", state)
        .append_pair("scope", "repo")
        .append_pair("code_challenge", CHALLENGE)
        .append_pair("code_challenge_method", "S256");
    url.into()
}

/// Sends `count` GETs of `url(i)` (no API key, redirects not followed), [`IN_FLIGHT`] at a
/// time; returns each answer's status.
async fn flood(count: usize, url: impl Fn(usize) -> String) -> Vec<StatusCode> {
    let client = manual_client();
    stream::iter((0..count).map(url))
        .map(|target| {
            let client = client.clone();
            async move { client.get(target).send().await.expect("sent").status() }
        })
        .buffer_unordered(IN_FLIGHT)
        .collect()
        .await
}

/// An emulator keeping its state in a file of a new temporary directory (returned too: the
/// file lives as long as it does).
async fn spawn_on_file(builder: EmulatorBuilder) -> (Emulator, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let emu = spawn(builder.database(dir.path().join("emulator.sqlite"))).await;
    (emu, dir)
}

/// The rows of the first of `tables` the database file has (read-only, beside the running
/// emulator). Several names: the fake provider's tables were called `provider_*` before they
/// were renamed `fake_provider_*`, so this counts on either version.
fn rows(dir: &tempfile::TempDir, tables: &[&str]) -> i64 {
    let path: &Path = &dir.path().join("emulator.sqlite");
    let conn =
        rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open the database");
    for table in tables {
        let exists: bool = conn
            .query_row(
                "SELECT COUNT(*) > 0 AS found FROM sqlite_master WHERE type = 'table' AND name = ?",
                [table],
                |row| row.get("found"),
            )
            .expect("read the schema");
        if exists {
            return conn
                .query_row(&format!("SELECT COUNT(*) AS n FROM {table}"), [], |row| {
                    row.get("n")
                })
                .expect("count rows");
        }
    }
    panic!("none of the tables {tables:?} exists");
}

/// Attack: every `GET /_emulator/provider/authorize` with the fixtures' public client ID
/// stored a consent request (its `state` too) that was never purged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_authorize_requests_leaves_the_consent_requests_bounded() {
    let (emu, dir) = spawn_on_file(Emulator::builder()).await;
    let state = "s".repeat(1000);
    let answers = flood(FLOOD, |_| authorize_url(&emu, &callback(&emu), &state)).await;
    // Each request still gets its consent page: the oldest pending ones make room.
    assert!(answers.iter().all(|s| *s == StatusCode::OK), "{answers:?}");
    let pending = rows(&dir, &["fake_provider_requests", "provider_requests"]);
    assert!(
        pending <= 1000,
        "{pending} consent requests stored after {FLOOD} GETs"
    );

    // The newest consent page can still be answered.
    let page = manual_client()
        .get(authorize_url(&emu, &callback(&emu), "latest"))
        .send()
        .await
        .expect("sent");
    let request_id = consent_request_id(&page.text().await.expect("consent page"));
    let answered = manual_client()
        .post(format!("{}/_emulator/provider/authorize", pages(&emu)))
        .form(&[("request", request_id.as_str()), ("decision", "approve")])
        .send()
        .await
        .expect("sent");
    assert_eq!(answered.status(), StatusCode::SEE_OTHER);
    let back = location(&answered);
    assert!(back.starts_with(&callback(&emu)), "{back}");
    assert_eq!(query_param(&back, "state").as_deref(), Some("latest"));
    assert!(query_param(&back, "code").is_some(), "{back}");
    emu.shutdown().await.expect("clean shutdown");
}

/// Attack: with `--oauth-auto-approve`, every authorize GET stored an authorization code that
/// was never purged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_auto_approved_requests_leaves_the_codes_bounded() {
    let (emu, dir) = spawn_on_file(Emulator::builder().oauth_auto_approve(true)).await;
    let answers = flood(FLOOD, |i| {
        authorize_url(&emu, &callback(&emu), &i.to_string())
    })
    .await;
    assert!(
        answers.iter().all(|s| *s == StatusCode::SEE_OTHER),
        "{answers:?}"
    );
    let codes = rows(&dir, &["fake_provider_codes", "provider_codes"]);
    assert!(codes <= 1000, "{codes} codes stored after {FLOOD} GETs");
    emu.shutdown().await.expect("clean shutdown");
}

/// Attack: every visit of a setup session's URL stored an OAuth `state` that was never purged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opening_a_setup_url_thousands_of_times_leaves_its_states_bounded() {
    let (emu, dir) = spawn_on_file(Emulator::builder().oauth_auto_approve(true)).await;
    let app = Landing::start().await;
    let session = create_session(
        &emu,
        json!({
            "provider_id": PROVIDER_ID,
            "provider_deployment_id": DEPLOYMENT_ID,
            "redirect_url": app.url("/done"),
        }),
    )
    .await;
    let answers = flood(FLOOD, |_| session.url.clone()).await;
    assert!(
        answers.iter().all(|s| *s == StatusCode::SEE_OTHER),
        "{answers:?}"
    );
    let states = rows(&dir, &["oauth_states"]);
    assert!(
        states <= 10,
        "{states} states stored for one session after {FLOOD} visits"
    );

    // The newest visit still completes the flow.
    let hop = manual_client()
        .get(&session.url)
        .send()
        .await
        .expect("sent");
    let hop = manual_client()
        .get(location(&hop))
        .send()
        .await
        .expect("sent");
    let done = manual_client()
        .get(location(&hop))
        .send()
        .await
        .expect("sent");
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    let landed = location(&done);
    assert_eq!(
        query_param(&landed, "status").as_deref(),
        Some("completed"),
        "{landed}"
    );
    emu.shutdown().await.expect("clean shutdown");
}

/// Checks `response` is an HTML error page with `status`, not a redirect.
async fn assert_error_page(response: reqwest::Response, status: StatusCode) -> String {
    assert_eq!(response.status(), status);
    assert!(response.headers().get("location").is_none());
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap_or_default()
        .to_owned();
    assert!(content_type.starts_with("text/html"), "{content_type}");
    response.text().await.expect("error page")
}

/// Attack: the fake provider stored (and echoed) a `state` of any length.
#[tokio::test]
async fn an_over_long_state_is_refused_with_a_page() {
    for auto_approve in [false, true] {
        let emu = spawn(Emulator::builder().oauth_auto_approve(auto_approve)).await;
        // Far more than a `state` needs, yet within the server's limit on a request target
        // (8 KiB): the fake provider itself refuses it.
        let huge = "s".repeat(6_000);
        let response = manual_client()
            .get(authorize_url(&emu, &callback(&emu), &huge))
            .send()
            .await
            .expect("sent");
        let page = assert_error_page(response, StatusCode::BAD_REQUEST).await;
        assert!(page.contains("state is too long"), "{page}");
        emu.shutdown().await.expect("clean shutdown");
    }
}

/// Authorizes with redirect URIs the client did not register: each gets an error page, never
/// a redirect (not even with a protocol error), while the registered callback still works.
async fn refuses_unregistered_redirect_uris(auto_approve: bool) {
    let emu = spawn(Emulator::builder().oauth_auto_approve(auto_approve)).await;
    for redirect_uri in [
        "https://evil.example/cb".to_owned(),
        // Another path of the emulator itself is not the callback either.
        format!("{}/elsewhere", emu.base_url()),
    ] {
        let response = manual_client()
            .get(authorize_url(&emu, &redirect_uri, "s1"))
            .send()
            .await
            .expect("sent");
        let page = assert_error_page(response, StatusCode::BAD_REQUEST).await;
        assert!(page.contains("redirect_uri"), "{page}");
        let bad_type = authorize_url(&emu, &redirect_uri, "s1")
            .replace("response_type=code", "response_type=token");
        let response = manual_client().get(bad_type).send().await.expect("sent");
        assert_error_page(response, StatusCode::BAD_REQUEST).await;
    }
    let response = manual_client()
        .get(authorize_url(&emu, &callback(&emu), "s1"))
        .send()
        .await
        .expect("sent");
    let expected = if auto_approve {
        StatusCode::SEE_OTHER
    } else {
        StatusCode::OK
    };
    assert_eq!(response.status(), expected);
    emu.shutdown().await.expect("clean shutdown");
}

/// Attack (open redirect): the consent page was shown for any `redirect_uri`, and Approve
/// sent the code there.
#[tokio::test]
async fn the_consent_page_is_never_shown_for_an_unregistered_redirect_uri() {
    refuses_unregistered_redirect_uris(false).await;
}

/// Attack (open redirect): with `--oauth-auto-approve`, a plain GET sent a code to any
/// `redirect_uri`.
#[tokio::test]
async fn auto_approve_never_sends_a_code_to_an_unregistered_redirect_uri() {
    refuses_unregistered_redirect_uris(true).await;
}

/// Creates an OAuth setup of the fixtures' deployment with this `config`.
fn create_setup(emu: &Emulator, config: Value) -> reqwest::RequestBuilder {
    api_client(emu)
        .post(format!(
            "{}/provider-deployments/{DEPLOYMENT_ID}/oauth-setups",
            emu.base_url()
        ))
        .json(&json!({"name": "setup", "config": config}))
}

/// Checks the request fails with 400 `invalid_data` at `config.<field>`.
async fn assert_refused_at(request: reqwest::RequestBuilder, field: &str) {
    let body = api_error(request, StatusCode::BAD_REQUEST, ErrorCode::InvalidData).await;
    let (_, path) = first_failure(&body);
    assert_eq!(
        path,
        vec![PathSegment::from("config"), PathSegment::from(field)],
        "{body:?}"
    );
}

/// Asks the fake provider's token endpoint for tokens as `client_id`:`secret` with a bogus
/// code; returns the OAuth error code (`invalid_client` if the secret is not the client's).
async fn token_error_as(emu: &Emulator, client_id: &str, secret: &str) -> String {
    let response = manual_client()
        .post(format!("{}/_emulator/provider/token", pages(emu)))
        .basic_auth(client_id, Some(secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", "bogus"),
            ("redirect_uri", callback(emu).as_str()),
            ("code_verifier", &"v".repeat(43)),
        ])
        .send()
        .await
        .expect("sent");
    let body: Value = response.json().await.expect("a JSON error");
    body["error"].as_str().unwrap_or_default().to_owned()
}

/// Attack: an OAuth setup's `config` registered any extra (or empty) secret for a fixture's
/// client ID, which the token endpoint then accepted.
#[tokio::test]
async fn a_setup_cannot_add_secrets_to_a_fixture_client() {
    let emu = spawn(Emulator::builder()).await;
    let another_secret = json!({"client_id": FIXTURE_CLIENT_ID, "client_secret": "attacker"});
    assert_refused_at(create_setup(&emu, another_secret), "client_id").await;
    let empty_secret = json!({"client_id": FIXTURE_CLIENT_ID, "client_secret": ""});
    assert_refused_at(create_setup(&emu, empty_secret), "client_secret").await;
    let empty_id = json!({"client_id": "", "client_secret": "x"});
    assert_refused_at(create_setup(&emu, empty_id), "client_id").await;
    let half = json!({"client_id": "half_app"});
    assert_refused_at(create_setup(&emu, half), "client_secret").await;
    // Nothing was registered: the fixture's client still has its one secret.
    for secret in ["attacker", ""] {
        assert_eq!(
            token_error_as(&emu, FIXTURE_CLIENT_ID, secret).await,
            "invalid_client"
        );
    }
    assert_eq!(
        token_error_as(&emu, FIXTURE_CLIENT_ID, "emulator_client_secret").await,
        "invalid_grant",
        "the real secret authenticates (the bogus code then fails)"
    );
    emu.shutdown().await.expect("clean shutdown");
}

/// Attack: a second OAuth setup registered another secret for the client ID an earlier setup
/// owns.
#[tokio::test]
async fn a_setup_cannot_take_another_setups_client_id() {
    let emu = spawn(Emulator::builder()).await;
    let first = json!({"client_id": "shared_app", "client_secret": "first"});
    let status = create_setup(&emu, first.clone())
        .send()
        .await
        .expect("sent")
        .status();
    assert_eq!(status, StatusCode::OK);
    let second = json!({"client_id": "shared_app", "client_secret": "second"});
    assert_refused_at(create_setup(&emu, second), "client_id").await;
    assert_eq!(
        token_error_as(&emu, "shared_app", "second").await,
        "invalid_client"
    );
    // The owner may name its app again.
    let again = create_setup(&emu, first)
        .send()
        .await
        .expect("sent")
        .status();
    assert_eq!(again, StatusCode::OK);
    emu.shutdown().await.expect("clean shutdown");
}

/// Checks the security headers of an HTML page; returns its Content-Security-Policy.
fn assert_security_headers(response: &reqwest::Response) -> String {
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("no {name} header"))
            .to_owned()
    };
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert_eq!(header("referrer-policy"), "no-referrer");
    assert_eq!(header("x-frame-options"), "DENY");
    let csp = header("content-security-policy");
    for directive in [
        "default-src 'none'",
        "style-src 'unsafe-inline'",
        "form-action",
    ] {
        assert!(csp.contains(directive), "{csp}");
    }
    assert!(!csp.contains("script-src"), "{csp}");
    csp
}

/// The HTML pages had no Content-Security-Policy and no `X-Content-Type-Options`.
#[tokio::test]
async fn html_pages_carry_security_headers() {
    let emu = spawn(Emulator::builder()).await;
    let app = Landing::start().await;
    let session = create_session(
        &emu,
        json!({
            "provider_id": PROVIDER_ID,
            "provider_deployment_id": DEPLOYMENT_ID,
            "redirect_url": app.url("/done"),
        }),
    )
    .await;
    // The consent page: its form may lead to the emulator and on to the app (browsers check
    // `form-action` against every redirect after the POST), nowhere else.
    let hop = manual_client()
        .get(&session.url)
        .send()
        .await
        .expect("sent");
    let consent = manual_client()
        .get(location(&hop))
        .send()
        .await
        .expect("sent");
    assert_eq!(consent.status(), StatusCode::OK);
    let csp = assert_security_headers(&consent);
    let app_origin = app.url("");
    let form_action = csp
        .split(';')
        .map(str::trim)
        .find(|d| d.starts_with("form-action"))
        .unwrap_or_default()
        .to_owned();
    assert!(form_action.contains("'self'"), "{csp}");
    assert!(form_action.contains(&app_origin), "{csp}");
    assert!(
        !form_action.contains('*') && !form_action.contains(" https:"),
        "{csp}"
    );

    // An error page: no form may go anywhere.
    let error = manual_client()
        .get(format!(
            "{}/oauth/callback?state=forged&code=x",
            pages(&emu)
        ))
        .send()
        .await
        .expect("sent");
    assert_eq!(error.status(), StatusCode::BAD_REQUEST);
    let csp = assert_security_headers(&error);
    assert!(csp.contains("form-action 'none'"), "{csp}");
    emu.shutdown().await.expect("clean shutdown");
}
