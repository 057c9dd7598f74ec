//! The API as typed data, built once from the spec and read by every generator and tool.
//!
//! [`Api::build`] walks the document once: it checks what the generator cannot handle
//! ([`check`]), classifies the component schemas ([`component`]), reads every operation with its
//! parameters, body, responses and `x-metorial-*` extensions ([`operation`]), finds the secrets
//! of requests and responses by one rule ([`secrets`]), and groups the operations into the SDK's
//! resources ([`resource`]). Every rule about the spec's shape lives here; the generators
//! (`generate`, `sdk`, `cli`, `schemas`, the tables), `api_diff` and `drift` only read the
//! result. Problems are reported all at once, each with the operation or JSON pointer it is at.

pub mod check;
pub mod component;
pub mod operation;
pub mod resource;
pub mod secrets;

use std::fmt;

use anyhow::Context;
use serde_json::Value;

pub use component::{Component, HAND_WRITTEN, Kind};
pub use operation::{Body, Filter, FilterType, List, Operation, Parameter, Place, Wait};
pub use resource::Resource;

use crate::spec::Spec;

/// The methods an OpenAPI path item may hold, in the order operations are read.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The API a spec describes.
#[derive(Debug, Clone)]
pub struct Api {
    /// `info.version` (every request sends it as `Metorial-Version`); empty when absent.
    pub version: String,
    /// Every component schema, in the spec's (sorted) order.
    pub components: Vec<Component>,
    /// Every operation, in path then method order.
    pub operations: Vec<Operation>,
    /// The SDK's resources (tags with an `x-metorial-handle`), in tag order.
    pub resources: Vec<Resource>,
    /// Every tag (name, `x-metorial-handle`), handle or not, in the spec's order.
    pub tags: Vec<(String, Option<String>)>,
}

/// One operation as the raw document holds it, before it is read: (method, path, path item,
/// operation object).
pub(crate) type RawOp<'a> = (&'a str, &'a str, &'a Value, &'a Value);

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

impl Api {
    /// Reads a checked spec into the model, refusing what the generators cannot handle
    /// (every problem at once).
    pub fn build(spec: &Spec) -> anyhow::Result<Api> {
        let problems = check::check(&spec.raw);
        if !problems.is_empty() {
            return Err(Unsupported(problems).into());
        }
        // progenitor reads `openapiv3`'s types: refuse here what they cannot hold.
        serde_json::from_value::<openapiv3::OpenAPI>(spec.raw.clone())
            .context("the spec is not a valid OpenAPI 3.0 document")?;
        Self::from_raw(&spec.raw)
    }

    /// Reads a raw OpenAPI document (already checked by [`check::check`]) into the model,
    /// refusing it when the model has problems.
    pub fn from_raw(raw: &Value) -> anyhow::Result<Api> {
        let (api, problems) = Self::read(raw);
        if problems.is_empty() {
            return Ok(api);
        }
        Err(Unsupported(problems).into())
    }

    /// Reads any JSON document as far as it goes: the model of what could be read, and the
    /// problems of the rest (every operation is kept, a part of it that cannot be read left
    /// empty; a document that is no OpenAPI document at all gives an empty model). `api-diff`
    /// reads old revisions this way, which need not pass today's rules.
    pub fn read(raw: &Value) -> (Api, Vec<Problem>) {
        let mut problems = Vec::new();
        let (components, component_problems) = component::classify(raw);
        problems.extend(component_problems);
        let mut operations = Vec::new();
        for raw_op in raw_operations(raw) {
            operations.push(operation::read(raw, &components, raw_op, &mut problems));
        }
        let tags = tags(raw);
        let resources = resource::group(raw, &operations, &mut problems);
        let version = raw.get("info").and_then(|info| info.get("version"));
        let version = version.map(scalar).unwrap_or_default();
        let api = Api {
            version,
            components,
            operations,
            resources,
            tags,
        };
        (api, problems)
    }

    /// The operation with this `operationId`.
    pub fn operation(&self, id: &str) -> Option<&Operation> {
        self.operations.iter().find(|op| op.id == id)
    }

    /// The component schema `name`.
    pub fn component(&self, name: &str) -> Option<&Component> {
        self.components.iter().find(|c| c.name == name)
    }

    /// The operations of a resource, in the spec's order.
    pub fn operations_of<'a>(
        &'a self,
        resource: &'a Resource,
    ) -> impl Iterator<Item = &'a Operation> + 'a {
        resource.operations.iter().map(|&i| &self.operations[i])
    }

    /// Whether the SDK offers the operation: one of its tags is a resource's (has an
    /// `x-metorial-handle`), so a handle has a method for it.
    pub fn in_sdk(&self, op: &Operation) -> bool {
        self.resources.iter().any(|r| op.tags.contains(&r.tag))
    }

    /// Follows a `$ref` to a component once; any other node is returned as is.
    pub fn resolve<'a>(&'a self, node: &'a Value) -> &'a Value {
        node.get("$ref")
            .and_then(Value::as_str)
            .and_then(crate::names::schema_name)
            .and_then(|name| self.component(name))
            .map_or(node, |c| &c.schema)
    }

    /// The names of the component schemas used as request bodies of `method` (`post`,
    /// `patch`) operations, in operation order.
    pub fn body_schemas(&self, method: &str) -> Vec<&str> {
        self.operations
            .iter()
            .filter(|op| op.method == method)
            .filter_map(|op| op.body.as_ref()?.schema.as_deref())
            .collect()
    }
}

/// Every operation of a raw document, in path then method order.
pub(crate) fn raw_operations(raw: &Value) -> Vec<RawOp<'_>> {
    let mut out = Vec::new();
    let Some(paths) = raw.get("paths").and_then(Value::as_object) else {
        return out;
    };
    for (path, item) in paths {
        for method in METHODS {
            if let Some(op) = item.get(method) {
                out.push((method, path.as_str(), item, op));
            }
        }
    }
    out
}

/// Every tag's name and `x-metorial-handle`.
fn tags(raw: &Value) -> Vec<(String, Option<String>)> {
    array(raw, "tags")
        .iter()
        .filter_map(|tag| {
            let name = tag.get("name")?.as_str()?.to_owned();
            Some((name, tag.get("x-metorial-handle").map(scalar)))
        })
        .collect()
}

/// Follows a local `$ref` (`#/...`) once; anything else is returned as is.
pub(crate) fn resolve<'a>(raw: &'a Value, node: &'a Value) -> &'a Value {
    node.get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix('#'))
        .and_then(|pointer| raw.pointer(pointer))
        .unwrap_or(node)
}

/// The `application/json` schema of a request body or response object, if any.
pub(crate) fn json_schema(node: &Value) -> Option<&Value> {
    node.get("content")?.get("application/json")?.get("schema")
}

/// The names a schema's `required` lists (none when it has no such list).
pub fn required(schema: &Value) -> Vec<&str> {
    let names = array(schema, "required").iter();
    names.filter_map(Value::as_str).collect()
}

/// Whether a schema says `nullable: true`.
pub fn is_nullable(schema: &Value) -> bool {
    schema.get("nullable") == Some(&Value::Bool(true))
}

/// A JSON value as text, a string without its quotes.
pub fn scalar(value: &Value) -> String {
    value
        .as_str()
        .map_or_else(|| value.to_string(), str::to_owned)
}

/// The array a node holds at `key` (empty when it holds none).
pub fn array<'a>(node: &'a Value, key: &str) -> &'a [Value] {
    let array = node.get(key).and_then(Value::as_array);
    array.map_or(&[], Vec::as_slice)
}

/// A problem at an operation or pointer.
pub(crate) fn problem(location: impl Into<String>, message: impl Into<String>) -> Problem {
    Problem {
        location: location.into(),
        message: message.into(),
    }
}
