//! The spec's schemas as plain JSON Schema (draft 7), to validate JSON documents against.
//!
//! OpenAPI 3.0 schemas are almost JSON Schema; the differences handled here are `nullable`
//! (JSON Schema spells it `type: [T, "null"]`) and references to `#/components/schemas/`.
//!
//! A schema is read as written (the examples), or as the generated SDK reads it
//! ([`Strictness`]): leniently, what it decodes at all, and strictly, what it decodes without
//! dropping a field or falling back to an `Unknown` value or variant. `cargo xtask drift`
//! validates recorded responses against both.

use anyhow::{Context, bail};
use serde_json::{Map, Value, json};

use crate::model::Api;
use crate::model::component::{open_enum_values, open_union_known};

/// A self-contained JSON Schema for the successful response body of `operation_id`.
pub fn response_schema(api: &Api, operation_id: &str) -> anyhow::Result<Value> {
    let op = api
        .operation(operation_id)
        .with_context(|| format!("no operation `{operation_id}` in the spec"))?;
    let Some((_, schema)) = op.responses.iter().find(|(code, _)| code.starts_with('2')) else {
        bail!("`{operation_id}` has no 2xx response");
    };
    let schema = schema
        .as_ref()
        .with_context(|| format!("`{operation_id}`'s 2xx response has no JSON body"))?;
    Ok(bundle(api, schema, Strictness::AsWritten))
}

/// A self-contained JSON Schema for the component schema `name`.
pub fn component_schema(api: &Api, name: &str) -> Value {
    let root = json!({ "$ref": crate::names::schema_ref(name) });
    bundle(api, &root, Strictness::AsWritten)
}

/// The node of a derived schema at `location`, a JSON pointer (as `jsonschema` reports them).
pub fn at<'a>(schema: &'a Value, location: &str) -> Option<&'a Value> {
    schema.pointer(location)
}

/// How a derived schema reads the spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strictness {
    /// The spec as written (what the examples are validated against).
    AsWritten,
    /// What the generated SDK decodes: as written, and `null` in an optional property that has
    /// no `default` (an `Option`, which reads `null` as absent).
    Lenient,
    /// What the SDK decodes without losing or guessing anything: no field the spec lacks
    /// (`additionalProperties: false` on objects that list `properties` and say nothing
    /// else), open enumerations closed to their known values, open unions restricted to their
    /// known branch (an object the lenient known branch refuses meets `else: false`), and
    /// `null` only where the spec makes it nullable or in an optional object or array
    /// property (which `for_typify` in [`generate`](crate::generate) makes an `Option`).
    Strict,
}

/// A self-contained JSON Schema for `root` (an OpenAPI schema of `api`, typically a
/// `$ref`): `root` converted, with every component schema under `definitions` (read
/// [`Strictness::Lenient`] unless `strictness` is [`Strictness::AsWritten`]) and, for
/// [`Strictness::Strict`], once more under `strict`, where the strict schema's references go.
pub fn bundle(api: &Api, root: &Value, strictness: Strictness) -> Value {
    let definitions = |strictness| -> Map<String, Value> {
        api.components
            .iter()
            .map(|c| (c.name.clone(), convert_with(&c.schema, strictness)))
            .collect()
    };
    let mut out = convert_with(root, strictness);
    if let Value::Object(map) = &mut out {
        map.insert(
            "$schema".into(),
            json!("http://json-schema.org/draft-07/schema#"),
        );
        let lenient = match strictness {
            Strictness::AsWritten => Strictness::AsWritten,
            _ => Strictness::Lenient,
        };
        map.insert("definitions".into(), Value::Object(definitions(lenient)));
        if strictness == Strictness::Strict {
            map.insert("strict".into(), Value::Object(definitions(strictness)));
        }
    }
    out
}

/// Converts one OpenAPI schema object (and its subschemas) to JSON Schema, as written.
pub fn convert(schema: &Value) -> Value {
    convert_with(schema, Strictness::AsWritten)
}

/// Converts an OpenAPI schema object (and its subschemas) to JSON Schema, as `strictness` says.
pub fn convert_with(schema: &Value, strictness: Strictness) -> Value {
    let Value::Object(input) = schema else {
        return schema.clone();
    };
    let input = match strictness {
        Strictness::Strict => close(input),
        _ => input.clone(),
    };
    let required = crate::model::required(schema);
    let convert = |sub: &Value| convert_with(sub, strictness);
    let mut out = Map::new();
    for (key, value) in &input {
        let converted = match key.as_str() {
            "$ref" => match value.as_str().and_then(crate::names::schema_name) {
                Some(name) if strictness == Strictness::Strict => json!(format!("#/strict/{name}")),
                Some(name) => json!(format!("#/definitions/{name}")),
                None => value.clone(),
            },
            "properties" => {
                let properties = value.as_object().into_iter().flatten();
                let property = |(name, sub): (&String, &Value)| {
                    let optional = !required.contains(&name.as_str());
                    let sub = optional_property(sub, optional, strictness);
                    (name.clone(), convert(&sub))
                };
                properties.map(property).collect()
            }
            "items" | "not" | "if" | "then" | "else" => convert(value),
            "additionalProperties" if value.is_object() => convert(value),
            "allOf" | "anyOf" | "oneOf" => {
                let variants = value.as_array().into_iter().flatten();
                variants.map(convert).collect()
            }
            "nullable" | "example" | "xml" | "externalDocs" | "discriminator" => continue,
            _ => value.clone(),
        };
        out.insert(key.clone(), converted);
    }
    let composed = ["allOf", "anyOf", "oneOf", "if"]
        .iter()
        .any(|k| out.contains_key(*k));
    if strictness == Strictness::Strict && out.contains_key("properties") && !composed {
        out.entry("additionalProperties").or_insert(json!(false));
    }
    // `input`: a closed open enumeration takes its known branch's `nullable` too.
    if input.get("nullable") == Some(&Value::Bool(true)) {
        return or_null(out, composed);
    }
    Value::Object(out)
}

/// `schema` (converted) also taking `null`: `type: [T, "null"]` for a plain typed schema, else
/// `anyOf: [{type: null}, schema]` (a composition must match as a whole).
fn or_null(mut schema: Map<String, Value>, composed: bool) -> Value {
    if let (Some(Value::String(ty)), false) = (schema.get("type").cloned(), composed) {
        schema.insert("type".into(), json!([ty, "null"]));
        if let Some(Value::Array(values)) = schema.get_mut("enum") {
            values.push(Value::Null);
        }
        return Value::Object(schema);
    }
    let description = schema.remove("description");
    let mut wrapped = json!({ "anyOf": [{ "type": "null" }, Value::Object(schema)] });
    if let Some(description) = description {
        wrapped["description"] = description;
    }
    wrapped
}

/// A property's OpenAPI schema, marked `nullable` when the generated field reads `null`:
/// an optional object or array property (`for_typify` makes it an `Option`) unless read as
/// written, and, read leniently, any optional property without a `default`.
fn optional_property(schema: &Value, optional: bool, strictness: Strictness) -> Value {
    let bare = crate::generate::is_bare_container(schema);
    let plain = schema.get("nullable").is_none() && schema.get("default").is_none();
    let takes_null = optional
        && match strictness {
            Strictness::AsWritten => false,
            Strictness::Lenient => bare || plain,
            Strictness::Strict => bare,
        };
    let mut schema = schema.clone();
    if takes_null && let Value::Object(map) = &mut schema {
        map.insert("nullable".into(), Value::Bool(true));
    }
    schema
}

/// An OpenAPI schema (object) closed for [`Strictness::Strict`]: an open enumeration
/// (`anyOf: [{type: string, enum}, {type: string}]`) becomes its known branch; an open union
/// (`anyOf: [{$ref: Known}, {type: object}]`) takes an object the lenient `Known` takes, then
/// checked strictly, and refuses any other with `else: false`.
fn close(input: &Map<String, Value>) -> Map<String, Value> {
    let mut out = input.clone();
    let Some(any_of) = input.get("anyOf") else {
        return out;
    };
    if open_enum_values(any_of).is_some() {
        out.remove("anyOf");
        for (key, value) in any_of[0].as_object().into_iter().flatten() {
            out.entry(key.clone()).or_insert_with(|| value.clone());
        }
    } else if let Some(known) = open_union_known(any_of) {
        out.remove("anyOf");
        out.insert("type".into(), json!("object"));
        // Already converted: `if` reads the lenient definitions.
        out.insert(
            "if".into(),
            json!({ "$ref": format!("#/definitions/{known}") }),
        );
        out.insert("then".into(), any_of[0].clone());
        out.insert("else".into(), json!(false));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nullable_types_accept_null() {
        let schema = convert(&json!({"type": "string", "nullable": true}));
        assert_eq!(schema, json!({"type": ["string", "null"]}));
    }

    #[test]
    fn nullable_refs_are_wrapped() {
        let schema = convert(&json!({
            "nullable": true,
            "description": "d",
            "allOf": [{"$ref": "#/components/schemas/X"}]
        }));
        assert_eq!(
            schema,
            json!({"anyOf": [{"type": "null"}, {"allOf": [{"$ref": "#/definitions/X"}]}], "description": "d"})
        );
    }

    #[test]
    fn typed_nullable_refs_accept_null_beside_the_ref() {
        let schema = convert(&json!({
            "type": "object",
            "nullable": true,
            "allOf": [{"$ref": "#/components/schemas/X"}]
        }));
        assert_eq!(
            schema,
            json!({"anyOf": [{"type": "null"}, {"type": "object", "allOf": [{"$ref": "#/definitions/X"}]}]})
        );
    }

    #[test]
    fn property_names_are_not_keywords() {
        let schema = convert(&json!({
            "type": "object",
            "properties": {"type": {"type": "string", "nullable": true}, "nullable": {"type": "boolean"}}
        }));
        assert_eq!(
            schema,
            json!({
                "type": "object",
                "properties": {"type": {"type": ["string", "null"]}, "nullable": {"type": "boolean"}}
            })
        );
    }

    #[test]
    fn lenient_optional_properties_take_null_unless_they_have_a_default() {
        let schema = json!({
            "type": "object",
            "required": ["id"],
            "properties": {
                "id": {"type": "string"},
                "note": {"type": "string"},
                "weight": {"type": "integer", "default": 0},
                "tags": {"type": "array", "items": {"type": "string"}}
            }
        });
        assert_eq!(
            convert_with(&schema, Strictness::Lenient)["properties"],
            json!({
                "id": {"type": "string"},
                "note": {"type": ["string", "null"]},
                "weight": {"type": "integer", "default": 0},
                "tags": {"type": ["array", "null"], "items": {"type": "string"}}
            })
        );
        assert_eq!(
            convert(&schema)["properties"]["note"],
            json!({"type": "string"})
        );
    }

    #[test]
    fn strict_schemas_close_objects_enumerations_and_unions() {
        let object = json!({
            "type": "object",
            "properties": {
                "note": {"type": "string"},
                "tags": {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}}
            }
        });
        assert_eq!(
            convert_with(&object, Strictness::Strict),
            json!({
                "type": "object",
                "properties": {
                    "note": {"type": "string"},
                    "tags": {"type": ["array", "null"], "items": {"$ref": "#/strict/Tag"}}
                },
                "additionalProperties": false
            })
        );
        let open_enum = json!({
            "nullable": true,
            "anyOf": [{"type": "string", "enum": ["a", "b"]}, {"type": "string"}]
        });
        assert_eq!(
            convert_with(&open_enum, Strictness::Strict),
            json!({"type": ["string", "null"], "enum": ["a", "b", null]})
        );
        let open_union = json!({
            "anyOf": [{"$ref": "#/components/schemas/Known"}, {"type": "object"}]
        });
        assert_eq!(
            convert_with(&open_union, Strictness::Strict),
            json!({
                "type": "object",
                "if": {"$ref": "#/definitions/Known"},
                "then": {"$ref": "#/strict/Known"},
                "else": false
            })
        );
        assert_eq!(
            convert_with(&open_union, Strictness::Lenient),
            convert(&open_union)
        );
    }
}
