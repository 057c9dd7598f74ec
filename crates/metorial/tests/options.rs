//! Per-call options, the response behind a value, and interceptors, against a scripted server.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use metorial::{AttemptOutcome, AttemptRequest, CallOptions, Error, Interceptor, Metorial};
use support::{KEY, Reply, SESSION, Scripted, client, fast_retries};

const ID: &str = "pas_6eFgHjKlMnPqRsTu";

#[tokio::test]
async fn headers_of_one_call_go_on_its_wire_only() {
    let server = Scripted::start([Reply::json(200, SESSION), Reply::json(200, SESSION)]).await;
    let metorial = client(&server.url);
    metorial
        .setup_sessions()
        .with_options(CallOptions::new().header("x-correlation-id", "order-1234"))
        .get(ID)
        .await
        .unwrap();
    metorial.setup_sessions().get(ID).await.unwrap();
    let seen = server.seen();
    assert_eq!(seen[0].headers["x-correlation-id"], "order-1234");
    assert_eq!(seen[0].headers["authorization"], format!("Bearer {KEY}"));
    assert!(seen[1].headers.get("x-correlation-id").is_none());
}

#[tokio::test]
async fn a_call_can_have_a_shorter_timeout_than_the_client() {
    let server = Scripted::start([Reply::Hang, Reply::json(200, SESSION)]).await;
    let metorial = client(&server.url); // 5 s per attempt
    let quick = CallOptions::new()
        .timeout(Duration::from_millis(200))
        .no_retries();
    let started = std::time::Instant::now();
    let error = metorial
        .with_options(quick)
        .setup_sessions()
        .get(ID)
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Timeout { attempts: 1, .. }),
        "{error:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
    // The client itself kept its own timeout.
    metorial.setup_sessions().get(ID).await.unwrap();
}

#[tokio::test]
async fn a_call_can_disable_or_change_retries() {
    let busy = || Reply::status(503);
    let server = Scripted::start([busy(), busy(), busy(), Reply::json(200, SESSION)]).await;
    let metorial = client(&server.url); // 3 retries
    let once = metorial.with_options(CallOptions::new().no_retries());
    let error = once.setup_sessions().get(ID).await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(server.seen().len(), 1);
    let twice = CallOptions::new().retry(fast_retries().max_retries(1));
    let error = metorial
        .setup_sessions()
        .with_options(twice)
        .get(ID)
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(server.seen().len(), 3);
    metorial.setup_sessions().get(ID).await.unwrap();
    assert_eq!(server.seen().len(), 4);
}

#[tokio::test]
async fn a_bad_header_fails_the_call_before_sending() {
    let server = Scripted::start([]).await;
    let error = client(&server.url)
        .with_options(CallOptions::new().header("authorization", "Bearer other"))
        .setup_sessions()
        .get(ID)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::InvalidRequest(_)), "{error:?}");
    assert!(server.seen().is_empty());
}

#[tokio::test]
async fn a_success_shows_its_status_headers_and_request_id() {
    let server = Scripted::start([Reply::json(200, SESSION)
        .header("x-request-id", "req_success_1")
        .header("x-ratelimit-remaining", "99")])
    .await;
    let response = client(&server.url)
        .setup_sessions()
        .get_with_response(ID)
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.request_id(), Some("req_success_1"));
    assert_eq!(response.headers()["x-ratelimit-remaining"], "99");
    assert_eq!(response.into_value().id, ID);
}

/// Records what it sees of each attempt, and tags each with a header.
#[derive(Clone, Default)]
struct Recorder {
    seen: Arc<Mutex<Vec<String>>>,
}

impl Interceptor for Recorder {
    fn before_attempt(&self, request: &mut AttemptRequest<'_>) {
        let tag = format!("{}#{}", request.operation(), request.attempt());
        request
            .headers_mut()
            .insert("x-attempt", tag.parse().unwrap());
        let debug = format!("{request:?}");
        self.seen.lock().unwrap().push(format!("before {tag}"));
        assert!(!debug.contains(KEY), "the key printed: {debug}");
    }

    fn after_attempt(&self, outcome: &AttemptOutcome<'_>) {
        let status = outcome.status().map_or(0, |s| s.as_u16());
        let line = format!("after {} {status}", outcome.attempt());
        self.seen.lock().unwrap().push(line);
        assert!(!format!("{outcome:?}").contains(KEY));
    }
}

#[tokio::test]
async fn client_and_call_interceptors_see_every_attempt_in_order() {
    let server = Scripted::start([Reply::status(503), Reply::json(200, SESSION)]).await;
    let client_level = Recorder::default();
    let call_level = Recorder::default();
    let metorial = Metorial::builder()
        .api_key(KEY)
        .base_url(&server.url)
        .retry(fast_retries())
        .interceptor(client_level.clone())
        .build()
        .unwrap();
    metorial
        .with_options(CallOptions::new().interceptor(call_level.clone()))
        .setup_sessions()
        .get(ID)
        .await
        .unwrap();
    let expected = [
        "before get_provider_setup_session#1",
        "after 1 503",
        "before get_provider_setup_session#2",
        "after 2 200",
    ];
    assert_eq!(*client_level.seen.lock().unwrap(), expected);
    assert_eq!(*call_level.seen.lock().unwrap(), expected);
    let seen = server.seen();
    assert_eq!(seen[0].headers["x-attempt"], "get_provider_setup_session#1");
    assert_eq!(seen[1].headers["x-attempt"], "get_provider_setup_session#2");
}
