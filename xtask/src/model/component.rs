//! The component schemas, and how the generator treats each.
//!
//! - Open enumerations, written in the spec as
//!   `anyOf: [{type: string, enum: [...]}, {type: string}]`: typify would make a struct of
//!   them, and a closed enum fails on values it has never seen.
//! - Open tagged unions, written as `anyOf: [{$ref: Known}, {type: object}]`: an alias of
//!   `Open<Known>`, so a variant added to the API later decodes as a plain object.
//! - One-or-many filters, `oneOf: [X, {type: array, items: X}]`.
//! - PATCH request bodies: typify makes a nullable optional field an `Option` that skips
//!   `None`, so `null` (clear the field) could never be sent.
//! - Hand-written types ([`HAND_WRITTEN`]).

use serde_json::Value;

use super::Problem;
use super::{json_schema, problem, raw_operations, resolve};
use crate::names::{is_pascal_case, schema_name};

pub use crate::names::HAND_WRITTEN;

/// The components whose values are secrets, wherever a request or response holds one.
pub const SECRETS: &[&str] = &["SecretObject", "SecretString"];

/// How the generator treats one component schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// An open enumeration with these known values.
    OpenEnum(Vec<String>),
    /// One value or a list (`oneOf: [X, {type: array, items: X}]`): an alias of
    /// `OneOrMany<X>`, with the Rust type of X.
    OneOrMany(String),
    /// A tagged union the API may extend (`anyOf: [{$ref: Known}, {type: object}]`): an
    /// alias of `Open<Known>`, with the name of the known variants' schema.
    OpenUnion(String),
    /// The body of a PATCH operation.
    PatchBody,
    /// A struct whose every property is optional (typify gives it `Default`).
    AllOptional,
    /// Implemented by hand at this path in `metorial-models`.
    HandWritten(&'static str),
    /// Anything else: typify writes it.
    Other,
}

/// A component schema and how it is generated.
#[derive(Debug, Clone)]
pub struct Component {
    /// The schema's name in the spec (already PascalCase).
    pub name: String,
    /// Its description, for docs.
    pub description: Option<String>,
    /// How it is generated.
    pub kind: Kind,
    /// The schema as the spec writes it.
    pub schema: Value,
    /// `x-metorial-entity`: the `entity` a `not_found` error names for an object of this
    /// schema (`provider.setup_session`).
    pub entity: Option<String>,
}

impl Component {
    /// The properties of an object schema, by name, in the spec's (sorted) order.
    pub fn properties(&self) -> impl Iterator<Item = (&str, &Value)> {
        properties(&self.schema)
    }

    /// The names its `required` lists, in the spec's order.
    pub fn required(&self) -> Vec<&str> {
        super::required(&self.schema)
    }

    /// Whether it is an object schema (`type: object`).
    pub fn is_object(&self) -> bool {
        self.schema.get("type").and_then(Value::as_str) == Some("object")
    }
}

/// The properties of a schema, by name.
pub fn properties(schema: &Value) -> impl Iterator<Item = (&str, &Value)> {
    schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.as_str(), v))
}

/// The property `name` of a schema.
pub fn property<'a>(schema: &'a Value, name: &str) -> Option<&'a Value> {
    schema.get("properties")?.get(name)
}

/// Classifies every component schema; the problems are `anyOf` outside the open patterns,
/// closed enumerations and names that make no Rust type.
pub fn classify(raw: &Value) -> (Vec<Component>, Vec<Problem>) {
    let patch_bodies = patch_body_names(raw);
    let mut problems = Vec::new();
    let mut out = Vec::new();
    let schemas = raw
        .get("components")
        .and_then(|c| c.get("schemas"))
        .and_then(Value::as_object);
    for (name, schema) in schemas.into_iter().flatten() {
        let location = format!("#/components/schemas/{name}");
        if !is_pascal_case(name) {
            problems.push(problem(
                &location,
                "schema names must be PascalCase ASCII (they name Rust types)",
            ));
        }
        let kind = kind(name, schema, &patch_bodies).unwrap_or_else(|message| {
            problems.push(problem(&location, message));
            Kind::Other
        });
        let description = schema.get("description").and_then(Value::as_str);
        let entity = entity(schema, &out).unwrap_or_else(|message| {
            problems.push(problem(&location, message));
            None
        });
        out.push(Component {
            name: name.clone(),
            description: description.map(str::to_owned),
            kind,
            schema: schema.clone(),
            entity,
        });
    }
    (out, problems)
}

/// `x-metorial-entity` of a schema: dot-separated snake_case words, given to one schema only.
fn entity(schema: &Value, before: &[Component]) -> Result<Option<String>, String> {
    let Some(entity) = schema.get("x-metorial-entity") else {
        return Ok(None);
    };
    let text = entity.as_str().unwrap_or_default();
    let word = |w: &str| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
    if !text.split('.').all(word) {
        return Err(format!(
            "`x-metorial-entity` must be snake_case words joined by dots (`provider.auth_config`), not {entity}"
        ));
    }
    if let Some(other) = before.iter().find(|c| c.entity.as_deref() == Some(text)) {
        return Err(format!(
            "`x-metorial-entity` `{text}` is {}'s already",
            other.name
        ));
    }
    Ok(Some(text.to_owned()))
}

/// The kind of the schema `name`, or why it is refused.
fn kind(name: &str, schema: &Value, patch_bodies: &[&str]) -> Result<Kind, &'static str> {
    if let Some((_, path)) = HAND_WRITTEN.iter().find(|(n, _)| *n == name) {
        return Ok(Kind::HandWritten(path));
    }
    if let Some(any_of) = schema.get("anyOf") {
        if let Some(values) = open_enum_values(any_of) {
            return Ok(Kind::OpenEnum(values));
        }
        return open_union_known(any_of).map(Kind::OpenUnion).ok_or(
            "`anyOf` is only supported as an open enumeration \
             (`anyOf: [{type: string, enum: [...]}, {type: string}]`) or an \
             open union (`anyOf: [{$ref: ...}, {type: object}]`)",
        );
    }
    if let Some(one_of) = schema.get("oneOf") {
        return Ok(one_or_many_item(one_of).map_or(Kind::Other, Kind::OneOrMany));
    }
    if patch_bodies.contains(&name) {
        return Ok(Kind::PatchBody);
    }
    if schema.get("enum").is_some() {
        return Err("enumerations must be open (the API adds values): write \
                    `anyOf: [{type: string, enum: [...]}, {type: string}]`");
    }
    let all_optional = schema.get("type").and_then(Value::as_str) == Some("object")
        && schema.get("properties").is_some()
        && schema.get("required").is_none();
    Ok(if all_optional {
        Kind::AllOptional
    } else {
        Kind::Other
    })
}

/// Names of the component schemas used as the request body of a PATCH operation.
fn patch_body_names(raw: &Value) -> Vec<&str> {
    raw_operations(raw)
        .into_iter()
        .filter(|(method, ..)| *method == "patch")
        .filter_map(|(.., op)| {
            let body = resolve(raw, op.get("requestBody")?);
            json_schema(body)?
                .get("$ref")?
                .as_str()
                .and_then(schema_name)
        })
        .collect()
}

/// The known values of an open enumeration's `anyOf` (`[{type: string, enum}, {type: string}]`).
pub fn open_enum_values(any_of: &Value) -> Option<Vec<String>> {
    let [known, fallback] = any_of.as_array()?.as_slice() else {
        return None;
    };
    let is_string = |v: &Value| v.get("type").and_then(Value::as_str) == Some("string");
    if !is_string(known) || !is_string(fallback) || fallback.get("enum").is_some() {
        return None;
    }
    known
        .get("enum")?
        .as_array()?
        .iter()
        .map(|v| v.as_str().map(str::to_owned))
        .collect()
}

/// The schema name of `Known` in an open union's `anyOf: [{$ref: Known}, {type: object}]`.
pub fn open_union_known(any_of: &Value) -> Option<String> {
    let [known, fallback] = any_of.as_array()?.as_slice() else {
        return None;
    };
    let is_free_object = fallback.get("type").and_then(Value::as_str) == Some("object")
        && fallback.get("properties").is_none();
    if !is_free_object {
        return None;
    }
    known
        .get("$ref")?
        .as_str()
        .and_then(schema_name)
        .map(str::to_owned)
}

/// The Rust type of X in `oneOf: [X, {type: array, items: X}]`.
fn one_or_many_item(one_of: &Value) -> Option<String> {
    let [one, many] = one_of.as_array()?.as_slice() else {
        return None;
    };
    if many.get("type").and_then(Value::as_str) != Some("array") {
        return None;
    }
    let one = crate::names::rust_type(one)?.to_string();
    let item = crate::names::rust_type(many.get("items")?)?.to_string();
    (one == item).then_some(one)
}
