//! What the generator cannot handle, found before anything is generated.
//!
//! progenitor panics or silently drops some OpenAPI features (see `shared/notes/codegen.md`).
//! [`check`] finds all of them in the raw document and reports each with the operation
//! (method, path, `operationId`) or the JSON pointer it is at.

use serde_json::Value;

use super::Problem;
use super::{RawOp, array, raw_operations, resolve};
use crate::names::is_snake_case;

/// Collects problems: (location, message).
struct Report(Vec<Problem>);

impl Report {
    fn push(&mut self, location: impl Into<String>, message: impl Into<String>) {
        self.0.push(super::problem(location, message));
    }
}

/// Every problem of a raw document, in document order.
pub fn check(raw: &Value) -> Vec<Problem> {
    let mut report = Report(Vec::new());
    version(raw, &mut report);
    for raw_op in raw_operations(raw) {
        operation(raw, raw_op, &mut report);
    }
    tree(raw, &mut report);
    report.0
}

/// `GET /path (operation_id)`: how problems name an operation.
pub fn location(method: &str, path: &str, op: &Value) -> String {
    let id = op.get("operationId").and_then(Value::as_str);
    let id = id.unwrap_or("no operationId");
    format!("{} {path} ({id})", method.to_uppercase())
}

fn version(raw: &Value, report: &mut Report) {
    match raw.get("openapi").and_then(Value::as_str) {
        Some(v) if v.starts_with("3.0.") => {}
        Some(v) => report.push(
            "#/openapi",
            format!("version {v} is not read by progenitor: write `openapi: 3.0.3`"),
        ),
        None => report.push(
            "#/openapi",
            "the `openapi` version is missing: write `openapi: 3.0.3`",
        ),
    }
}

fn operation(raw: &Value, (method, path, item, op): RawOp<'_>, report: &mut Report) {
    let location = location(method, path, op);
    match op.get("operationId").and_then(Value::as_str) {
        None => report.push(&location, "every operation needs an `operationId`"),
        Some(id) if !is_snake_case(id) => report.push(
            &location,
            "an `operationId` must be snake_case ASCII (it names a Rust method)",
        ),
        Some(_) => {}
    }
    responses(op, &location, report);
    if let Some(content) = op
        .get("requestBody")
        .and_then(|body| body.get("content"))
        .and_then(Value::as_object)
        && (content.len() != 1 || !content.contains_key("application/json"))
    {
        report.push(
            &location,
            "a request body must have exactly one media type, `application/json`",
        );
    }
    let (shared, own) = (array(item, "parameters"), array(op, "parameters"));
    for param in shared.iter().chain(own) {
        parameter(resolve(raw, param), &location, report);
    }
}

fn responses(op: &Value, location: &str, report: &mut Report) {
    let responses = op.get("responses").and_then(Value::as_object);
    if responses.is_some_and(|r| r.contains_key("default")) {
        report.push(
            location,
            "a `default` response makes progenitor panic: use `4XX` and `5XX` responses",
        );
    }
    let successes = responses
        .into_iter()
        .flatten()
        .filter(|(code, _)| code.starts_with('2'))
        .count();
    if successes > 1 {
        report.push(location, "an operation may have only one 2xx response");
    }
    for (code, response) in responses.into_iter().flatten() {
        if let Some(content) = response.get("content").and_then(Value::as_object)
            && content.keys().any(|k| k != "application/json")
        {
            report.push(
                format!("{location} response {code}"),
                "only `application/json` responses are supported",
            );
        }
    }
}

fn parameter(param: &Value, location: &str, report: &mut Report) {
    let name = param.get("name").and_then(Value::as_str).unwrap_or("?");
    if let Some(style @ ("deepObject" | "spaceDelimited" | "pipeDelimited")) =
        param.get("style").and_then(Value::as_str)
    {
        report.push(
            format!("{location} parameter `{name}`"),
            format!("style `{style}` is not supported: use the default `form` style"),
        );
    }
    if param.get("explode") == Some(&Value::Bool(false)) {
        report.push(
            format!("{location} parameter `{name}`"),
            "`explode: false` is ignored by progenitor (arrays are sent as repeated keys): remove it",
        );
    }
}

/// What may be anywhere in the document: keys beside `$ref`, merge-patch bodies.
fn tree(raw: &Value, report: &mut Report) {
    walk(raw, &mut String::from("#"), &mut |pointer, node| {
        let Some(object) = node.as_object() else {
            return;
        };
        if object.contains_key("$ref") && object.len() > 1 {
            let siblings: Vec<_> = object.keys().filter(|k| *k != "$ref").cloned().collect();
            report.push(
                pointer,
                format!(
                    "keys beside `$ref` are ignored ({}): write them beside `allOf: [{{$ref: ...}}]`",
                    siblings.join(", ")
                ),
            );
        }
        if let Some(content) = object.get("content").and_then(Value::as_object)
            && content.contains_key("application/merge-patch+json")
        {
            report.push(pointer, "`application/merge-patch+json` is not supported");
        }
    });
}

fn walk(node: &Value, pointer: &mut String, visit: &mut dyn FnMut(&str, &Value)) {
    visit(pointer, node);
    let len = pointer.len();
    match node {
        Value::Object(map) => {
            for (key, value) in map {
                pointer.push('/');
                pointer.push_str(&escape_pointer(key));
                walk(value, pointer, visit);
                pointer.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, value) in items.iter().enumerate() {
                pointer.push_str(&format!("/{i}"));
                walk(value, pointer, visit);
                pointer.truncate(len);
            }
        }
        _ => {}
    }
}

/// Escapes a key for a JSON pointer (RFC 6901).
pub fn escape_pointer(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}
