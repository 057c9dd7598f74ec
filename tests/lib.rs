//! Helpers shared by the end-to-end tests in `tests/tests/`: starting an emulator, an HTTP
//! client that sends its API key, and a stand-in for the app an OAuth flow returns to.

use std::sync::{Arc, Mutex};

pub use metorial_emulator::{Emulator, EmulatorBuilder, Fixtures};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// The built-in fixtures' provider (`pro_5gHjKlMnPqRsTuVw`).
pub const PROVIDER_ID: &str = "pro_5gHjKlMnPqRsTuVw";
/// The built-in fixtures' deployment.
pub const DEPLOYMENT_ID: &str = "pde_1aBcDeFgHjKlMnPq";
/// The built-in fixtures' auth method (scope `repo`).
pub const AUTH_METHOD_ID: &str = "pam_2mNpQrStUvWxYzAb";
/// The built-in fixtures' OAuth app credentials.
pub const CREDENTIALS_ID: &str = "par_4sTuVwXyZaBcDeFg";
/// The built-in fixtures' auth config (holding the docs' example tokens).
pub const AUTH_CONFIG_ID: &str = "pac_8pQrStUvWxYzAbCd";

/// Starts an emulator from `builder`, panicking with the reason if it cannot.
pub async fn spawn(builder: EmulatorBuilder) -> Emulator {
    match builder.spawn().await {
        Ok(emulator) => emulator,
        Err(e) => panic!("cannot start the emulator: {e}"),
    }
}

/// Where the default tenant's browser pages are: `<public URL>/t/<tenant id>` (a flow's
/// `url`, the OAuth callback, the fake provider).
pub fn pages(emulator: &Emulator) -> String {
    format!("{}/t/{}", emulator.public_url(), emulator.tenant().id())
}

/// A client that sends the emulator's API key and does not follow redirects.
pub fn api_client(emulator: &Emulator) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    let value = format!("Bearer {}", emulator.api_key());
    headers.insert(
        reqwest::header::AUTHORIZATION,
        value.parse().expect("API keys are valid header values"),
    );
    reqwest::Client::builder()
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a plain reqwest client builds")
}

/// A browser-like client: follows redirects, sends no API key.
pub fn browser_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::limited(10))
        .build()
        .expect("a plain reqwest client builds")
}

/// A client that does not follow redirects and sends no API key (to look at each hop).
pub fn manual_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a plain reqwest client builds")
}

/// The app an OAuth flow sends the browser back to: a tiny HTTP server that answers every
/// request with a small HTML page ("Back in the app") and remembers the request targets.
pub struct Landing {
    base: String,
    hits: Arc<Mutex<Vec<String>>>,
    task: JoinHandle<()>,
}

impl Landing {
    /// Starts it on a free port of 127.0.0.1.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a free port");
        let base = format!("http://{}", listener.local_addr().expect("bound address"));
        let hits = Arc::new(Mutex::new(Vec::new()));
        let recorded = Arc::clone(&hits);
        let task = tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let recorded = Arc::clone(&recorded);
                tokio::spawn(async move {
                    let mut buffer = Vec::new();
                    let mut chunk = [0u8; 4096];
                    while !buffer.windows(4).any(|w| w == b"\r\n\r\n") && buffer.len() < 65_536 {
                        match stream.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let head = String::from_utf8_lossy(&buffer);
                    let target = head.split_whitespace().nth(1).unwrap_or("").to_owned();
                    if target != "/favicon.ico" {
                        recorded
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .push(target);
                    }
                    let body = "<!doctype html><html><head><title>Back in the app</title></head>\
                                <body><h1 id=\"landed\">Back in the app</h1></body></html>";
                    let response = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\n\
                         content-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = stream.write_all(response.as_bytes()).await;
                    let _ = stream.shutdown().await;
                });
            }
        });
        Self { base, hits, task }
    }

    /// The URL of `path` on this app.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The request targets (path and query) received so far.
    pub fn hits(&self) -> Vec<String> {
        self.hits.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl Drop for Landing {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The query parameters of a URL, in order.
pub fn query_pairs(url: &str) -> Vec<(String, String)> {
    url::Url::parse(url)
        .map(|u| u.query_pairs().into_owned().collect())
        .unwrap_or_default()
}

/// The value of query parameter `key` of `url`.
pub fn query_param(url: &str, key: &str) -> Option<String> {
    query_pairs(url)
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
}

/// The `Location` header of a redirect response, resolved against the request URL.
pub fn location(response: &reqwest::Response) -> String {
    let raw = response
        .headers()
        .get(reqwest::header::LOCATION)
        .unwrap_or_else(|| panic!("no Location header (status {})", response.status()))
        .to_str()
        .expect("Location is ASCII");
    response
        .url()
        .join(raw)
        .map(String::from)
        .unwrap_or_else(|_| raw.to_owned())
}

/// The value of the hidden `request` field of the fake provider's consent page.
pub fn consent_request_id(html: &str) -> String {
    let marker = "name=\"request\" value=\"";
    let start = html
        .find(marker)
        .unwrap_or_else(|| panic!("not a consent page: {html}"))
        + marker.len();
    let end = html[start..].find('"').expect("closing quote") + start;
    html[start..end].to_owned()
}

/// A client sending `key` as the API key on every request, following no redirects.
pub fn keyed_client(key: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    let value = format!("Bearer {key}")
        .parse()
        .expect("a valid header value");
    headers.insert(reqwest::header::AUTHORIZATION, value);
    reqwest::Client::builder()
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client")
}

/// Sends `request` and decodes the JSON answer as `T`, checking the status first (the body is
/// in the failure message).
pub async fn call<T: serde::de::DeserializeOwned>(
    request: reqwest::RequestBuilder,
    expected: reqwest::StatusCode,
) -> T {
    let response = request.send().await.expect("request sent");
    let status = response.status();
    let text = response.text().await.expect("body read");
    assert_eq!(status, expected, "unexpected status; body: {text}");
    match serde_json::from_str(&text) {
        Ok(value) => value,
        Err(e) => panic!("cannot decode {text}: {e}"),
    }
}

/// Sends `request`, checks it failed with `status` and `code` and the API's error body
/// (`object: error`, `ok: false`, a message), and returns that body.
pub async fn api_error(
    request: reqwest::RequestBuilder,
    status: reqwest::StatusCode,
    code: metorial_models::ErrorCode,
) -> metorial_models::ErrorBody {
    let body: metorial_models::ErrorBody = call(request, status).await;
    assert_eq!(body.object, "error");
    assert_eq!(body.ok, Some(false));
    assert_eq!(body.status, i64::from(status.as_u16()));
    assert_eq!(body.code, code, "{body:?}");
    assert!(!body.message.is_empty());
    body
}

/// Creates a setup session with this JSON body, expecting success.
pub async fn create_session(
    emulator: &Emulator,
    body: serde_json::Value,
) -> metorial_models::ProviderSetupSession {
    call(
        api_client(emulator)
            .post(format!("{}/provider-setup-sessions", emulator.base_url()))
            .json(&body),
        reqwest::StatusCode::OK,
    )
    .await
}

/// The code and path of a validation error's (only) entry.
pub fn first_failure(
    body: &metorial_models::ErrorBody,
) -> (String, Vec<metorial_models::PathSegment>) {
    let errors = body.errors.as_deref().unwrap_or_default();
    assert_eq!(errors.len(), 1, "one failure reported: {body:?}");
    (
        errors[0].code.clone(),
        errors[0].path.clone().unwrap_or_default(),
    )
}

/// Base62 of `bytes` in the live API's alphabet (`0-9a-zA-Z`), as its cursors use.
pub fn base62(bytes: &[u8]) -> String {
    base_x::encode(
        "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
        bytes,
    )
}

/// A list cursor as the live API writes one: `cur_` + the [`base62`] of the JSON
/// `[kind, id]`, `kind` being `after` or `before`.
pub fn cursor(kind: &str, id: &str) -> String {
    let json = serde_json::json!([kind, id]).to_string();
    format!("cur_{}", base62(json.as_bytes()))
}

/// Follows a flow's URL through the (auto-approving) fake provider until it leaves the
/// emulator for the caller's redirect URL; returns that URL.
pub async fn follow_flow(emulator: &Emulator, url: &str) -> url::Url {
    let base = url::Url::parse(emulator.base_url()).unwrap();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut next = url::Url::parse(url).unwrap();
    for _ in 0..10 {
        if next.origin() != base.origin() {
            return next;
        }
        let response = http.get(next.clone()).send().await.unwrap();
        assert!(
            response.status().is_redirection(),
            "{} answered {}",
            next,
            response.status()
        );
        let location = response.headers()["location"].to_str().unwrap();
        next = next.join(location).unwrap();
    }
    panic!("the flow did not leave the emulator");
}
