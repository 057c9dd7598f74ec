//! `wait_for_completion`: polling until a flow completes, fails, disappears or times out.

mod support;

use std::time::Duration;

use metorial::models::ProviderSetupSessionStatus;
use metorial::{Error, FlowError, WaitOptions};
use support::{OAUTH_SETUP, Reply, Scripted, client, error_json, session_json};

fn fast() -> WaitOptions {
    WaitOptions::default()
        .poll_interval(Duration::from_millis(10))
        .max_poll_interval(Duration::from_millis(20))
        .timeout(Duration::from_secs(5))
}

#[tokio::test]
async fn polls_until_completed() {
    let server = Scripted::start([
        Reply::json(200, session_json("pas_1", "pending")),
        Reply::json(200, session_json("pas_1", "in_progress")),
        Reply::json(200, session_json("pas_1", "completed")),
    ])
    .await;
    let session = client(&server.url)
        .setup_sessions()
        .wait_for_completion("pas_1", fast())
        .await
        .unwrap();
    assert_eq!(session.status, ProviderSetupSessionStatus::Completed);
    assert_eq!(server.seen().len(), 3);
}

#[tokio::test]
async fn a_failed_or_expired_session_ends_the_wait() {
    for status in ["failed", "expired", "archived"] {
        let server = Scripted::start([
            Reply::json(200, session_json("pas_1", "pending")),
            Reply::json(200, session_json("pas_1", status)),
        ])
        .await;
        let error = client(&server.url)
            .setup_sessions()
            .wait_for_completion("pas_1", fast())
            .await
            .unwrap_err();
        assert!(
            matches!(&error, Error::Flow(FlowError::Ended { id, status: s }) if id == "pas_1" && s == status),
            "{error:?}"
        );
        assert_eq!(
            error.to_string(),
            format!("pas_1 ended as {status} without completing")
        );
    }
}

#[tokio::test]
async fn a_deleted_session_ends_the_wait() {
    let server = Scripted::start([
        Reply::json(200, session_json("pas_1", "pending")),
        Reply::json(404, error_json(404, "not_found", "gone")),
    ])
    .await;
    let error = client(&server.url)
        .setup_sessions()
        .wait_for_completion("pas_1", fast())
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Flow(FlowError::Deleted { ref id }) if id == "pas_1"),
        "{error:?}"
    );
}

#[tokio::test]
async fn the_deadline_ends_the_wait() {
    let server =
        Scripted::start(vec![Reply::json(200, session_json("pas_1", "pending")); 50]).await;
    let options = fast().timeout(Duration::from_millis(100));
    let started = std::time::Instant::now();
    let error = client(&server.url)
        .setup_sessions()
        .wait_for_completion("pas_1", options)
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
    match error {
        Error::Flow(FlowError::DeadlineExceeded { id, status, waited }) => {
            assert_eq!((id.as_str(), status.as_str()), ("pas_1", "pending"));
            assert!(waited >= Duration::from_millis(100), "{waited:?}");
        }
        other => panic!("expected a deadline error, got {other:?}"),
    }
}

#[tokio::test]
async fn an_unknown_future_status_keeps_waiting() {
    let server = Scripted::start([
        Reply::json(200, session_json("pas_1", "awaiting_consent")),
        Reply::json(200, session_json("pas_1", "completed")),
    ])
    .await;
    client(&server.url)
        .setup_sessions()
        .wait_for_completion("pas_1", fast())
        .await
        .unwrap();
}

#[tokio::test]
async fn an_oauth_setup_is_waited_for_too() {
    let with_status = |status: &str| {
        let mut value: serde_json::Value = serde_json::from_str(OAUTH_SETUP).unwrap();
        value["status"] = status.into();
        value.to_string()
    };
    let server = Scripted::start([
        Reply::json(200, with_status("unused")),
        Reply::json(200, with_status("completed")),
    ])
    .await;
    let setup = client(&server.url)
        .oauth_setups("pde_1aBcDeFgHjKlMnPq")
        .wait_for_completion("pos_1aBcDeFgHjKlMnPq", fast())
        .await
        .unwrap();
    assert_eq!(setup.id, "pos_1aBcDeFgHjKlMnPq");
    assert_eq!(
        server.seen()[0].uri.path(),
        "/provider-deployments/pde_1aBcDeFgHjKlMnPq/oauth-setups/pos_1aBcDeFgHjKlMnPq"
    );

    let server = Scripted::start([Reply::json(200, with_status("failed"))]).await;
    let error = client(&server.url)
        .oauth_setups("pde_1")
        .wait_for_completion("pos_1", fast())
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Flow(FlowError::Ended { .. })),
        "{error:?}"
    );
}
