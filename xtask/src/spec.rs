//! Loading the OpenAPI document and refusing what the generator cannot handle.
//!
//! progenitor panics or silently drops some OpenAPI features (see `shared/notes/codegen.md`).
//! [`Spec::load`] checks the raw document for all of them first and reports every problem with
//! the operation (method, path, `operationId`) or the JSON pointer it is at.

use std::fmt;
use std::path::Path;

use anyhow::Context;
use serde_json::Value;

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// A loaded, checked OpenAPI document.
pub struct Spec {
    /// The document as plain JSON (what the generator's own checks and the JSON Schema
    /// conversion read).
    pub raw: Value,
    /// The document as `openapiv3` types (what progenitor reads).
    pub api: openapiv3::OpenAPI,
}

/// Everything in a spec the generator cannot handle.
#[derive(Debug)]
pub struct Unsupported(pub Vec<Problem>);

/// One unsupported feature, and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The operation (`GET /path (operation_id)`) or JSON pointer (`#/components/...`).
    pub location: String,
    /// What is wrong and what to write instead.
    pub message: String,
}

impl fmt::Display for Unsupported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "the spec uses {} feature(s) the generator does not support:",
            self.0.len()
        )?;
        for problem in &self.0 {
            writeln!(f, "  - {}: {}", problem.location, problem.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for Unsupported {}

impl Spec {
    /// Reads a YAML (or JSON) OpenAPI document and checks it.
    pub fn load(path: &Path) -> anyhow::Result<Spec> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        Self::parse(&text).with_context(|| format!("in {}", path.display()))
    }

    /// Parses a YAML (or JSON) OpenAPI document and checks it.
    pub fn parse(text: &str) -> anyhow::Result<Spec> {
        let raw: Value = serde_norway::from_str(text).context("the spec is not valid YAML")?;
        let problems = check(&raw);
        if !problems.is_empty() {
            return Err(Unsupported(problems).into());
        }
        let api: openapiv3::OpenAPI = serde_json::from_value(raw.clone())
            .context("the spec is not a valid OpenAPI 3.0 document")?;
        Ok(Spec { raw, api })
    }

    /// The component schemas, by name, as plain JSON.
    pub fn schemas(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.raw
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(name, schema)| (name.as_str(), schema))
    }

    /// Every operation: (method, path, operation object).
    pub fn operations(&self) -> Vec<(&str, &str, &Value)> {
        operations(&self.raw)
    }
}

fn operations(raw: &Value) -> Vec<(&str, &str, &Value)> {
    let mut out = Vec::new();
    let Some(paths) = raw.get("paths").and_then(Value::as_object) else {
        return out;
    };
    for (path, item) in paths {
        for method in METHODS {
            if let Some(op) = item.get(method) {
                out.push((method, path.as_str(), op));
            }
        }
    }
    out
}

/// Every problem of a raw document, in document order.
pub fn check(raw: &Value) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut report = |location: String, message: &str| {
        problems.push(Problem {
            location,
            message: message.to_owned(),
        });
    };

    match raw.get("openapi").and_then(Value::as_str) {
        Some(v) if v.starts_with("3.0.") => {}
        Some(v) => report(
            "#/openapi".into(),
            &format!("version {v} is not read by progenitor: write `openapi: 3.0.3`"),
        ),
        None => report(
            "#/openapi".into(),
            "the `openapi` version is missing: write `openapi: 3.0.3`",
        ),
    }

    for (method, path, op) in operations(raw) {
        let id = op.get("operationId").and_then(Value::as_str);
        let location = format!(
            "{} {path} ({})",
            method.to_uppercase(),
            id.unwrap_or("no operationId")
        );
        match id {
            None => report(location.clone(), "every operation needs an `operationId`"),
            Some(id) if !is_snake_case(id) => report(
                location.clone(),
                "an `operationId` must be snake_case ASCII (it names a Rust method)",
            ),
            Some(_) => {}
        }
        let responses = op.get("responses").and_then(Value::as_object);
        if responses.is_some_and(|r| r.contains_key("default")) {
            report(
                location.clone(),
                "a `default` response makes progenitor panic: use `4XX` and `5XX` responses",
            );
        }
        let successes = responses
            .into_iter()
            .flatten()
            .filter(|(code, _)| code.starts_with('2'))
            .count();
        if successes > 1 {
            report(
                location.clone(),
                "an operation may have only one 2xx response",
            );
        }
        for (code, response) in responses.into_iter().flatten() {
            if let Some(content) = response.get("content").and_then(Value::as_object)
                && content.keys().any(|k| k != "application/json")
            {
                report(
                    format!("{location} response {code}"),
                    "only `application/json` responses are supported",
                );
            }
        }
        if let Some(content) = op
            .pointer("/requestBody/content")
            .and_then(Value::as_object)
            && (content.len() != 1 || !content.contains_key("application/json"))
        {
            report(
                location.clone(),
                "a request body must have exactly one media type, `application/json`",
            );
        }
        let path_params = raw
            .pointer(&format!("/paths/{}/parameters", escape_pointer(path)))
            .and_then(Value::as_array);
        let op_params = op.get("parameters").and_then(Value::as_array);
        for param in path_params.into_iter().chain(op_params).flatten() {
            let param = resolve(raw, param);
            let name = param.get("name").and_then(Value::as_str).unwrap_or("?");
            if let Some(style @ ("deepObject" | "spaceDelimited" | "pipeDelimited")) =
                param.get("style").and_then(Value::as_str)
            {
                report(
                    format!("{location} parameter `{name}`"),
                    &format!("style `{style}` is not supported: use the default `form` style"),
                );
            }
            if param.get("explode") == Some(&Value::Bool(false)) {
                report(
                    format!("{location} parameter `{name}`"),
                    "`explode: false` is ignored by progenitor (arrays are sent as repeated keys): remove it",
                );
            }
        }
    }

    walk(raw, &mut String::from("#"), &mut |pointer, node| {
        let Some(object) = node.as_object() else {
            return;
        };
        if object.contains_key("$ref") && object.len() > 1 {
            let siblings: Vec<_> = object.keys().filter(|k| *k != "$ref").cloned().collect();
            report(
                pointer.to_owned(),
                &format!(
                    "keys beside `$ref` are ignored ({}): write them beside `allOf: [{{$ref: ...}}]`",
                    siblings.join(", ")
                ),
            );
        }
        if let Some(content) = object.get("content").and_then(Value::as_object)
            && content.contains_key("application/merge-patch+json")
        {
            report(
                pointer.to_owned(),
                "`application/merge-patch+json` is not supported",
            );
        }
    });

    problems
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

/// The names a schema's `required` lists (none when it has no such list).
pub fn required(schema: &Value) -> Vec<&str> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}

/// Follows a local `$ref` (`#/...`) once; anything else is returned as is.
pub fn resolve<'a>(raw: &'a Value, node: &'a Value) -> &'a Value {
    node.get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix('#'))
        .and_then(|pointer| raw.pointer(pointer))
        .unwrap_or(node)
}

/// Escapes a key for a JSON pointer (RFC 6901).
pub fn escape_pointer(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn is_snake_case(id: &str) -> bool {
    id.starts_with(|c: char| c.is_ascii_lowercase())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}
