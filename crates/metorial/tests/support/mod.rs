//! A scripted HTTP server for the SDK's tests: it answers each request with the next
//! scripted reply and records what it received.

#![allow(dead_code)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Method, Request, StatusCode, Uri};
use axum::response::Response;

pub const KEY: &str = "metorial_sk_test_0123456789";
pub const SESSION: &str = include_str!("../../../../spec/examples/provider-setup-session.json");
pub const OAUTH_SETUP: &str = include_str!("../../../../spec/examples/provider-oauth-setup.json");
pub const EXPORT: &str = include_str!("../../../../spec/examples/provider-auth-export.json");

/// One scripted answer.
#[derive(Clone, Debug)]
pub enum Reply {
    /// Answer with this status, headers and body.
    With {
        status: u16,
        headers: Vec<(&'static str, String)>,
        body: String,
    },
    /// Never answer.
    Hang,
}

impl Reply {
    pub fn json(status: u16, body: impl Into<String>) -> Reply {
        Reply::With {
            status,
            headers: vec![("content-type", "application/json".into())],
            body: body.into(),
        }
    }

    pub fn status(status: u16) -> Reply {
        Reply::With {
            status,
            headers: vec![],
            body: String::new(),
        }
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Reply {
        if let Reply::With { headers, .. } = &mut self {
            headers.push((name, value.into()));
        }
        self
    }
}

/// A request as the server saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: Method,
    pub uri: Uri,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub at: Instant,
}

#[derive(Default)]
struct State {
    script: VecDeque<Reply>,
    seen: Vec<Seen>,
}

/// The server; dropped at the end of the test (its task ends with the runtime).
pub struct Scripted {
    pub url: String,
    state: Arc<Mutex<State>>,
}

impl Scripted {
    pub async fn start(script: impl IntoIterator<Item = Reply>) -> Scripted {
        let state = Arc::new(Mutex::new(State {
            script: script.into_iter().collect(),
            seen: vec![],
        }));
        let shared = state.clone();
        let app = axum::Router::new().fallback(move |request: Request<Body>| {
            let state = shared.clone();
            async move { answer(state, request).await }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Scripted { url, state }
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.state.lock().unwrap().seen.clone()
    }
}

async fn answer(state: Arc<Mutex<State>>, request: Request<Body>) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let reply = {
        let mut state = state.lock().unwrap();
        state.seen.push(Seen {
            method: parts.method,
            uri: parts.uri,
            headers: parts.headers,
            body,
            at: Instant::now(),
        });
        state.script.pop_front()
    };
    match reply {
        Some(Reply::With {
            status,
            headers,
            body,
        }) => {
            let mut response = Response::builder().status(StatusCode::from_u16(status).unwrap());
            for (name, value) in headers {
                response = response.header(name, value);
            }
            response.body(Body::from(body)).unwrap()
        }
        Some(Reply::Hang) => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            Response::new(Body::empty())
        }
        None => Response::builder()
            .status(599)
            .body(Body::from("script exhausted"))
            .unwrap(),
    }
}

/// A client of `url` with fast retries (no jitter) and the test key.
pub fn client(url: &str) -> metorial::Metorial {
    metorial::Metorial::builder()
        .api_key(KEY)
        .base_url(url)
        .retry(fast_retries())
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

pub fn fast_retries() -> metorial::RetryPolicy {
    metorial::RetryPolicy::default()
        .min_delay(Duration::from_millis(10))
        .max_delay(Duration::from_millis(50))
        .jitter(false)
}

/// The docs' setup session example with another ID and status.
pub fn session_json(id: &str, status: &str) -> String {
    let mut value: serde_json::Value = serde_json::from_str(SESSION).unwrap();
    value["id"] = id.into();
    value["status"] = status.into();
    value.to_string()
}

/// An error body.
pub fn error_json(status: u16, code: &str, message: &str) -> String {
    serde_json::json!({"object": "error", "status": status, "code": code, "message": message})
        .to_string()
}
