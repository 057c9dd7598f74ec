//! Retries and timeouts, against a scripted server.

mod support;

use std::time::{Duration, Instant};

use metorial::models::CreateProviderSetupSessionBody;
use metorial::{Error, Metorial, RetryPolicy};
use support::{KEY, Reply, SESSION, Scripted, client, error_json};

#[tokio::test]
async fn two_503s_then_200_succeeds_in_three_attempts() {
    let server = Scripted::start([
        Reply::status(503),
        Reply::status(503),
        Reply::json(200, SESSION),
    ])
    .await;
    let session = client(&server.url)
        .setup_sessions()
        .get("pas_6eFgHjKlMnPqRsTu")
        .await
        .unwrap();
    assert_eq!(session.id, "pas_6eFgHjKlMnPqRsTu");
    let seen = server.seen();
    assert_eq!(seen.len(), 3);
    assert!(
        seen.iter()
            .all(|s| s.uri.path() == "/provider-setup-sessions/pas_6eFgHjKlMnPqRsTu")
    );
}

#[tokio::test]
async fn every_retryable_status_is_retried() {
    for status in [429, 502, 503, 504] {
        let server = Scripted::start([
            Reply::json(status, error_json(status, "x", "busy")),
            Reply::json(200, SESSION),
        ])
        .await;
        client(&server.url)
            .setup_sessions()
            .get("pas_1")
            .await
            .unwrap();
        assert_eq!(server.seen().len(), 2, "status {status}");
    }
}

#[tokio::test]
async fn errors_that_are_not_retryable_are_returned_at_once() {
    for status in [400, 401, 404, 500] {
        let server = Scripted::start([Reply::json(status, error_json(status, "x", "no"))]).await;
        let error = client(&server.url)
            .setup_sessions()
            .get("pas_1")
            .await
            .unwrap_err();
        assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(server.seen().len(), 1, "status {status}");
    }
}

/// A client whose computed waits are 10 ms: only `Retry-After` can make it wait longer.
fn waits_up_to_5s(url: &str) -> Metorial {
    Metorial::builder()
        .api_key(KEY)
        .base_url(url)
        .retry(
            RetryPolicy::default()
                .min_delay(Duration::from_millis(10))
                .max_delay(Duration::from_secs(5)),
        )
        .build()
        .unwrap()
}

#[tokio::test]
async fn retry_after_one_second_waits_about_a_second() {
    let server = Scripted::start([
        Reply::json(429, error_json(429, "too_many_requests", "slow down"))
            .header("retry-after", "1"),
        Reply::json(200, SESSION),
    ])
    .await;
    let metorial = waits_up_to_5s(&server.url);
    metorial.setup_sessions().get("pas_1").await.unwrap();
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    let gap = seen[1].at - seen[0].at;
    assert!(
        gap >= Duration::from_millis(950) && gap < Duration::from_millis(1900),
        "{gap:?}"
    );
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_honoured() {
    let in_two_seconds =
        httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(2));
    let server = Scripted::start([
        Reply::status(503).header("retry-after", in_two_seconds),
        Reply::json(200, SESSION),
    ])
    .await;
    let metorial = waits_up_to_5s(&server.url);
    metorial.setup_sessions().get("pas_1").await.unwrap();
    let seen = server.seen();
    let gap = seen[1].at - seen[0].at;
    // HTTP dates have one-second resolution.
    assert!(
        gap >= Duration::from_millis(900) && gap < Duration::from_millis(2900),
        "{gap:?}"
    );
}

#[tokio::test]
async fn a_post_answered_503_is_not_retried() {
    let server = Scripted::start([Reply::status(503), Reply::json(200, SESSION)]).await;
    let error = client(&server.url)
        .setup_sessions()
        .create(CreateProviderSetupSessionBody::new().provider_id("pro_1"))
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test]
async fn a_post_that_could_not_connect_is_retried() {
    // Reserve a port, then close it: connecting is refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let error = client(&url)
        .setup_sessions()
        .create(CreateProviderSetupSessionBody::new().provider_id("pro_1"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Connection {
                operation: "create_provider_setup_session",
                attempts: 4,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.is_retryable());
}

#[tokio::test]
async fn retries_disabled_means_one_attempt() {
    let server = Scripted::start([Reply::status(503), Reply::json(200, SESSION)]).await;
    let metorial = Metorial::builder()
        .api_key(KEY)
        .base_url(&server.url)
        .max_retries(0)
        .build()
        .unwrap();
    let error = metorial.setup_sessions().get("pas_1").await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert!(error.is_retryable());
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test]
async fn exhausted_retries_return_the_last_error() {
    let server = Scripted::start(vec![Reply::json(503, error_json(503, "x", "down")); 4]).await;
    let error = client(&server.url)
        .setup_sessions()
        .get("pas_1")
        .await
        .unwrap_err();
    assert_eq!(server.seen().len(), 4, "1 attempt + 3 retries");
    assert_eq!(error.api_error().unwrap().message, "down");
}

#[tokio::test]
async fn a_hanging_server_times_out_within_the_configured_bound() {
    let server = Scripted::start([Reply::Hang]).await;
    let metorial = Metorial::builder()
        .api_key(KEY)
        .base_url(&server.url)
        .timeout(Duration::from_millis(300))
        .max_retries(0)
        .build()
        .unwrap();
    let started = Instant::now();
    let error = metorial.setup_sessions().get("pas_1").await.unwrap_err();
    let took = started.elapsed();
    assert!(
        matches!(
            error,
            Error::Timeout {
                operation: "get_provider_setup_session",
                attempts: 1
            }
        ),
        "{error:?}"
    );
    assert!(
        took >= Duration::from_millis(300) && took < Duration::from_millis(1500),
        "{took:?}"
    );
}

#[tokio::test]
async fn a_timed_out_get_is_retried() {
    let server = Scripted::start([Reply::Hang, Reply::json(200, SESSION)]).await;
    let metorial = Metorial::builder()
        .api_key(KEY)
        .base_url(&server.url)
        .timeout(Duration::from_millis(200))
        .retry(support::fast_retries())
        .build()
        .unwrap();
    metorial.setup_sessions().get("pas_1").await.unwrap();
    assert_eq!(server.seen().len(), 2);
}
