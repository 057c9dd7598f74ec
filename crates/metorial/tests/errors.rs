//! What a user sees when a call fails.

mod support;

use metorial::models::{ErrorCode, PathSegment};
use metorial::{Error, Metorial};
use proptest::prelude::*;
use support::{EXPORT, KEY, Reply, SESSION, Scripted, client};

fn no_retries(url: &str) -> Metorial {
    Metorial::builder()
        .api_key(KEY)
        .base_url(url)
        .max_retries(0)
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_404_carries_code_message_and_request_id() {
    let body = r#"{"object":"error","status":404,"code":"not_found","message":"Setup session not found","hint":"Check the ID"}"#;
    let server = Scripted::start([Reply::json(404, body).header("x-request-id", "req_123")]).await;
    let error = client(&server.url)
        .setup_sessions()
        .get("pas_missing")
        .await
        .unwrap_err();
    assert!(error.is_not_found() && !error.is_retryable() && !error.is_rate_limited());
    assert_eq!(error.request_id(), Some("req_123"));
    let api = error.api_error().unwrap();
    assert_eq!(api.code, Some(ErrorCode::NotFound));
    assert_eq!(api.message, "Setup session not found");
    assert_eq!(api.hint.as_deref(), Some("Check the ID"));
    assert_eq!(
        error.to_string(),
        "get_provider_setup_session failed with 404 not_found: Setup session not found \
         (hint: Check the ID) [request id req_123]"
    );
}

#[tokio::test]
async fn a_400_carries_every_validation_error_with_its_path() {
    let body = serde_json::json!({
        "object": "error", "status": 400, "code": "invalid_data", "message": "Invalid data",
        "errors": [
            {"code": "required", "message": "provider_id is required", "path": ["provider_id"]},
            {"code": "invalid_type", "message": "expected a string", "path": ["metadata", "tags", 2]}
        ]
    });
    let server = Scripted::start([Reply::json(400, body.to_string())]).await;
    let error = client(&server.url)
        .setup_sessions()
        .create(metorial::models::CreateProviderSetupSessionBody::new().provider_id("pro_1"))
        .await
        .unwrap_err();
    let api = error.api_error().unwrap();
    assert_eq!(api.code, Some(ErrorCode::InvalidData));
    assert_eq!(api.errors.len(), 2);
    assert_eq!(
        api.errors[1].path.as_deref(),
        Some(
            &[
                PathSegment::Key("metadata".into()),
                PathSegment::Key("tags".into()),
                PathSegment::Index(2)
            ][..]
        )
    );
    assert!(
        error
            .to_string()
            .contains("expected a string (metadata.tags.2)"),
        "{error}"
    );
}

#[tokio::test]
async fn a_502_with_an_html_body_still_gives_the_status() {
    let html = "<html><body><h1>502 Bad Gateway</h1></body></html>";
    let server = Scripted::start([Reply::With {
        status: 502,
        headers: vec![
            ("content-type", "text/html".into()),
            ("x-request-id", "req_gw".into()),
        ],
        body: html.into(),
    }])
    .await;
    let error = no_retries(&server.url)
        .setup_sessions()
        .get("pas_1")
        .await
        .unwrap_err();
    let api = error.api_error().expect("an API error");
    assert_eq!(api.status.as_u16(), 502);
    assert_eq!(api.code, None);
    assert_eq!(api.message, "Bad Gateway");
    assert_eq!(api.body_snippet.as_deref(), Some(html));
    assert_eq!(api.request_id.as_deref(), Some("req_gw"));
    assert!(error.is_retryable());
}

#[tokio::test]
async fn an_empty_error_body_still_gives_the_status() {
    let server = Scripted::start([Reply::status(403)]).await;
    let error = no_retries(&server.url)
        .auth_exports()
        .get("pace_1")
        .await
        .unwrap_err();
    assert_eq!(error.status().unwrap().as_u16(), 403);
    assert_eq!(
        error.to_string(),
        "get_provider_auth_export failed with 403: Forbidden"
    );
}

#[tokio::test]
async fn a_200_with_truncated_json_is_a_decode_error_with_a_snippet() {
    let truncated = &SESSION[..SESSION.len() / 2];
    let server =
        Scripted::start([Reply::json(200, truncated).header("x-request-id", "req_t")]).await;
    let error = client(&server.url)
        .setup_sessions()
        .get("pas_1")
        .await
        .unwrap_err();
    match &error {
        Error::Decode {
            operation,
            status,
            request_id,
            message,
            body_snippet,
        } => {
            assert_eq!(*operation, "get_provider_setup_session");
            assert_eq!(status.as_u16(), 200);
            assert_eq!(request_id.as_deref(), Some("req_t"));
            assert!(message.contains("EOF"), "{message}");
            let snippet = body_snippet.as_deref().unwrap();
            assert_eq!(snippet.len(), 512);
            assert!(SESSION.starts_with(snippet));
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn a_truncated_export_keeps_no_body_and_no_token() {
    let cut = EXPORT.find("ghr_").unwrap() + 8;
    let server = Scripted::start([Reply::json(200, &EXPORT[..cut])]).await;
    let error = client(&server.url)
        .auth_exports()
        .get("pace_1")
        .await
        .unwrap_err();
    let shown = format!("{error} {error:?}");
    assert!(
        !shown.contains("gho_") && !shown.contains("ghr_"),
        "{shown}"
    );
    assert!(
        matches!(
            error,
            Error::Decode {
                body_snippet: None,
                ..
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn invalid_input_is_refused_before_sending() {
    let server = Scripted::start([]).await;
    let metorial = client(&server.url);
    let cases = [
        metorial.setup_sessions().get("").await.unwrap_err(),
        metorial
            .setup_sessions()
            .list(&metorial::ListSetupSessions::new().limit(0))
            .await
            .unwrap_err(),
        metorial
            .auth_exports()
            .list(&metorial::ListAuthExports::new().limit(101))
            .await
            .unwrap_err(),
        metorial.oauth_setups(" ").get("pos_1").await.unwrap_err(),
    ];
    let messages: Vec<String> = cases.iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        [
            "invalid request: the setup session ID is empty",
            "invalid request: limit must be between 1 and 100, got 0",
            "invalid request: limit must be between 1 and 100, got 101",
            "invalid request: the deployment ID is empty",
        ]
    );
    assert!(server.seen().is_empty());
}

/// Mutations of a docs example: truncation, a key removed, a value replaced.
fn mutated(example: &'static str) -> impl Strategy<Value = Vec<u8>> {
    let value: serde_json::Value = serde_json::from_str(example).unwrap();
    let keys: Vec<String> = value.as_object().unwrap().keys().cloned().collect();
    let replacement = prop_oneof![
        Just(serde_json::Value::Null),
        any::<i64>().prop_map(serde_json::Value::from),
        ".*".prop_map(serde_json::Value::from),
        Just(serde_json::json!([])),
        Just(serde_json::json!({})),
    ];
    prop_oneof![
        (0..example.len()).prop_map(move |n| example.as_bytes()[..n].to_vec()),
        (proptest::sample::select(keys.clone()), replacement).prop_map({
            let value = value.clone();
            move |(key, new)| {
                let mut v = value.clone();
                v[&key] = new;
                serde_json::to_vec(&v).unwrap()
            }
        }),
        proptest::sample::select(keys).prop_map(move |key| {
            let mut v = value.clone();
            v.as_object_mut().unwrap().remove(&key);
            serde_json::to_vec(&v).unwrap()
        }),
        proptest::collection::vec(any::<u8>(), 0..256),
    ]
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    /// Whatever the body and status, a call returns a value or an error: it never panics.
    #[test]
    fn any_response_body_gives_a_value_or_an_error(
        body in prop_oneof![mutated(SESSION), mutated(EXPORT)],
        status in prop_oneof![Just(200u16), Just(400), Just(404), Just(500), Just(502)],
    ) {
        let rt = runtime();
        rt.block_on(async {
            let body = String::from_utf8_lossy(&body).into_owned();
            let server = Scripted::start([Reply::json(status, body.clone()), Reply::json(status, body)]).await;
            let metorial = no_retries(&server.url);
            let session = metorial.setup_sessions().get("pas_1").await;
            let export = metorial.auth_exports().get("pace_1").await;
            if status != 200 {
                prop_assert_eq!(session.unwrap_err().status().map(|s| s.as_u16()), Some(status));
                prop_assert_eq!(export.unwrap_err().status().map(|s| s.as_u16()), Some(status));
            }
            Ok(())
        })?;
    }

    /// Decoding arbitrary mutations of the examples straight into the models never panics.
    #[test]
    fn models_decode_mutations_without_panicking(body in prop_oneof![mutated(SESSION), mutated(EXPORT)]) {
        let _ = serde_json::from_slice::<metorial::models::ProviderSetupSession>(&body);
        let _ = serde_json::from_slice::<metorial::models::ProviderAuthExport>(&body);
        let _ = serde_json::from_slice::<metorial::models::ErrorBody>(&body);
    }
}
