//! The spec's schemas as plain JSON Schema (draft 7), to validate JSON documents against.
//!
//! OpenAPI 3.0 schemas are almost JSON Schema; the differences handled here are `nullable`
//! (JSON Schema spells it `type: [T, "null"]`) and references to `#/components/schemas/`.

use anyhow::{Context, bail};
use serde_json::{Map, Value, json};

use crate::model::Api;

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
    Ok(bundle(api, schema))
}

/// A self-contained JSON Schema for the component schema `name`.
pub fn component_schema(api: &Api, name: &str) -> Value {
    bundle(api, &json!({ "$ref": crate::names::schema_ref(name) }))
}

fn bundle(api: &Api, root: &Value) -> Value {
    let definitions: Map<String, Value> = api
        .components
        .iter()
        .map(|c| (c.name.clone(), convert(&c.schema)))
        .collect();
    let mut out = convert(root);
    if let Value::Object(map) = &mut out {
        map.insert(
            "$schema".into(),
            json!("http://json-schema.org/draft-07/schema#"),
        );
        map.insert("definitions".into(), Value::Object(definitions));
    }
    out
}

/// Converts one OpenAPI schema object (and its subschemas) to JSON Schema.
pub fn convert(schema: &Value) -> Value {
    let Value::Object(input) = schema else {
        return schema.clone();
    };
    let mut out = Map::new();
    for (key, value) in input {
        let converted = match key.as_str() {
            "$ref" => match value.as_str().and_then(crate::names::schema_name) {
                Some(name) => json!(format!("#/definitions/{name}")),
                None => value.clone(),
            },
            "properties" => Value::Object(
                value
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(name, sub)| (name.clone(), convert(sub)))
                    .collect(),
            ),
            "items" | "not" => convert(value),
            "additionalProperties" if value.is_object() => convert(value),
            "allOf" | "anyOf" | "oneOf" => Value::Array(
                value
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(convert)
                    .collect(),
            ),
            "nullable" | "example" | "xml" | "externalDocs" | "discriminator" => continue,
            _ => value.clone(),
        };
        out.insert(key.clone(), converted);
    }
    if input.get("nullable") == Some(&Value::Bool(true)) {
        // A composition (`allOf: [$ref]`) must match as a whole: `null` goes beside it.
        let composed = ["allOf", "anyOf", "oneOf"]
            .iter()
            .any(|k| out.contains_key(*k));
        if let (Some(Value::String(ty)), false) = (out.get("type").cloned(), composed) {
            out.insert("type".into(), json!([ty, "null"]));
            if let Some(Value::Array(values)) = out.get_mut("enum") {
                values.push(Value::Null);
            }
        } else {
            let description = out.remove("description");
            let mut wrapped = Map::new();
            wrapped.insert(
                "anyOf".into(),
                json!([{ "type": "null" }, Value::Object(out)]),
            );
            if let Some(description) = description {
                wrapped.insert("description".into(), description);
            }
            return Value::Object(wrapped);
        }
    }
    Value::Object(out)
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
}
