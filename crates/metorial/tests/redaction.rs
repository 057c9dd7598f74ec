//! Secrets never show: not in `Debug`, not in errors, not in tracing output.

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use metorial::models::{CreateProviderAuthExportBody, CreateProviderOauthSetupBody, SecretObject};
use support::{EXPORT, KEY, Reply, Scripted, client};

/// Everything the tests' subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

fn assert_clean(text: &str) {
    for secret in [KEY, "gho_", "ghr_", "s3cr3t"] {
        assert!(!text.contains(secret), "{secret} leaked into:\n{text}");
    }
}

#[tokio::test]
async fn nothing_secret_reaches_debug_errors_or_tracing() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::FULL)
        .with_ansi(false)
        .with_writer({
            let captured = captured.clone();
            move || captured.clone()
        })
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let echo = serde_json::json!({
        "object": "error", "status": 401, "code": "unauthorized",
        "message": format!("API key {KEY} is not valid"),
        "hint": format!("rotate {KEY}"),
        "errors": [{"code": "bad", "message": format!("{KEY} revoked"), "path": []}]
    });
    let server = Scripted::start([
        Reply::json(200, EXPORT).header("x-request-id", "req_1"),
        Reply::json(401, echo.to_string()).header("x-request-id", format!("req_{KEY}")),
        Reply::With { status: 502, headers: vec![], body: format!("<p>bad key {KEY}, token gho_abc</p>") },
        Reply::With { status: 502, headers: vec![], body: format!("<p>bad key {KEY}, token gho_abc</p>") },
        Reply::With { status: 502, headers: vec![], body: format!("<p>bad key {KEY}, token gho_abc</p>") },
        Reply::With { status: 502, headers: vec![], body: format!("<p>bad key {KEY}, token gho_abc</p>") },
        Reply::json(400, serde_json::json!({
            "object": "error", "status": 400, "code": "invalid_data", "message": "bad config",
            "errors": [{"code": "x", "message": "client_secret s3cr3t-value is wrong: \"client_secret\": \"s3cr3t-value\"", "path": ["config"]}]
        }).to_string()),
    ])
    .await;
    let metorial = client(&server.url);

    let export = metorial
        .auth_exports()
        .get("pace_7yZaBcDeFgHjKlMn")
        .await
        .unwrap();
    assert_eq!(
        export.value.as_ref().unwrap().expose_str("access_token"),
        Some("gho_xxxxxxxxxxxxxxxxxxxx")
    );
    let echoed = metorial
        .auth_exports()
        .create(CreateProviderAuthExportBody::new("pac_1", "n"))
        .await
        .unwrap_err();
    let gateway = metorial.setup_sessions().get("pas_1").await.unwrap_err();
    let mut config = serde_json::Map::new();
    config.insert("client_secret".into(), "s3cr3t-value".into());
    let body = CreateProviderOauthSetupBody::new("GitHub", SecretObject::new(config));
    let body_debug = format!("{body:?}");
    let refused = metorial
        .oauth_setups("pde_1")
        .create(body)
        .await
        .unwrap_err();

    // The echoed key is scrubbed, and what is not secret still shows.
    assert!(
        echoed
            .to_string()
            .contains("API key [REDACTED] is not valid"),
        "{echoed}"
    );
    assert_eq!(echoed.request_id(), Some("req_[REDACTED]"));
    assert!(
        gateway
            .api_error()
            .unwrap()
            .body_snippet
            .as_deref()
            .unwrap()
            .contains("bad key [REDACTED]")
    );

    let shown = [
        format!("{metorial:?}"),
        format!("{:?}", Metorial2::builder().api_key(KEY)),
        format!("{export:?}"),
        format!("{export:#?}"),
        body_debug,
        format!("{echoed} {echoed:?}"),
        format!("{gateway} {gateway:?}"),
        format!("{refused} {refused:?}"),
        captured.text(),
    ];
    for text in &shown {
        assert_clean(text);
    }
    // The tracing output has the request span with its fields.
    let log = captured.text();
    assert!(log.contains("metorial.request"), "{log}");
    assert!(
        log.contains("operation=\"get_provider_auth_export\""),
        "{log}"
    );
    assert!(
        log.contains("status=200") && log.contains("request_id=\"req_1\""),
        "{log}"
    );
    assert!(log.contains("retrying"), "{log}");
    // Every attempt shows: the 502 answered four times (one attempt and three retries).
    assert!(
        log.contains("attempt=4 sending") || log.contains("sending attempt=4"),
        "{log}"
    );
}

use metorial::Metorial as Metorial2;
