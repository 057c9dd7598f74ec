//! Every operation of the spec is routed: answered by its handler, or `501 not_implemented`
//! naming it, never the router's 404 or 405.

use metorial_emulator::Emulator;
use metorial_models::{OPERATIONS, Operation};
use reqwest::Method;
use serde_json::Value;

/// The operation's path with every `{param}` replaced by a dummy value.
fn dummy_path(op: &Operation) -> String {
    let mut path = String::new();
    let mut rest = op.path;
    while let Some(open) = rest.find('{') {
        let close = rest[open..].find('}').expect("a closing brace") + open;
        path.push_str(&rest[..open]);
        path.push_str("dummy_1");
        rest = &rest[close + 1..];
    }
    path.push_str(rest);
    path
}

/// Sends the operation (an empty JSON object as the body of a POST or PATCH); returns the
/// status and the JSON body.
async fn send(emulator: &Emulator, op: &Operation, key: Option<&str>) -> (u16, Value) {
    let method = Method::from_bytes(op.method.as_bytes()).expect("an HTTP method");
    let url = format!("{}{}", emulator.base_url(), dummy_path(op));
    let mut request = reqwest::Client::new().request(method.clone(), &url);
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    if method == Method::POST || method == Method::PATCH {
        request = request
            .header("content-type", "application/json")
            .body("{}");
    }
    let response = request.send().await.expect("the emulator answers");
    let status = response.status().as_u16();
    let text = response.text().await.expect("a body");
    let body = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{url}: {e}: {text}"));
    (status, body)
}

#[tokio::test]
async fn every_operation_of_the_spec_is_routed() {
    let emulator = Emulator::builder()
        .spawn()
        .await
        .expect("the emulator starts");
    assert!(!OPERATIONS.is_empty());
    for op in OPERATIONS {
        let what = format!("{} {} ({})", op.method, op.path, op.id);
        // The API key check runs only on a matched route: the router's 404/405 come first.
        let (status, body) = send(&emulator, op, None).await;
        assert_eq!(status, 401, "{what} is not routed: {body}");

        let (status, body) = send(&emulator, op, Some(emulator.api_key())).await;
        assert_ne!(status, 405, "{what}: {body}");
        let message = body["message"].as_str().unwrap_or_default();
        assert!(
            !(status == 404 && message.starts_with("no endpoint")),
            "{what}: the router's 404: {body}"
        );
        if status == 501 {
            assert_eq!(body["code"], "not_implemented", "{what}: {body}");
            assert_eq!(body["ok"], false, "{what}: {body}");
            assert!(message.contains(&format!("`{}`", op.id)), "{what}: {body}");
        }
    }
    emulator.shutdown().await.expect("the emulator stops");
}

#[test]
fn dummy_paths_fill_every_parameter() {
    let op = Operation {
        id: "get_thing",
        method: "GET",
        path: "/a/{a_id}/b/{b_id}",
        tag: "things",
        carries_secrets: false,
    };
    assert_eq!(dummy_path(&op), "/a/dummy_1/b/dummy_1");
}
