//! The operations table of `metorial-models`: `OPERATIONS`, every operation of the spec with its
//! `operationId`, method, path template, tag, and whether it carries secrets (its request body
//! reaches `SecretObject` through its `$ref`s, or it is marked `x-metorial-secret-response`).
//!
//! The emulator checks its routes against it (and answers `501 not_implemented` for each
//! operation it has no handler for). The generated constant looks like this (one entry per
//! operation, in the order of [`Spec::operations`]), `Operation` being hand-written in the
//! models crate:
//!
//! ```ignore
//! pub const OPERATIONS: &[crate::Operation] = &[
//!     crate::Operation {
//!         id: "get_provider_setup_session",
//!         method: "GET",
//!         path: "/provider-setup-sessions/{provider_setup_session_id}",
//!         tag: "provider-setup-sessions",
//!         carries_secrets: false,
//!     },
//!     // ...
//! ];
//! ```

use std::collections::BTreeSet;

use anyhow::Context;
use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;

use crate::spec::Spec;

/// The Rust code of `OPERATIONS` for the spec's operations, to be appended to the models file.
/// Needs the hand-written `metorial_models::Operation`.
pub fn tokens(spec: &Spec) -> anyhow::Result<TokenStream> {
    table(&spec.raw, &spec.operations())
}

/// The schema whose presence makes an operation carry secrets.
const SECRET_SCHEMA: &str = "#/components/schemas/SecretObject";

/// `OPERATIONS` for these `(method, path, operation object)` triples of the document `raw`, in
/// their order.
fn table(raw: &Value, operations: &[(&str, &str, &Value)]) -> anyhow::Result<TokenStream> {
    let mut entries = Vec::new();
    for &(method, path, op) in operations {
        let (id, tag) =
            id_and_tag(op).with_context(|| format!("{} {path}", method.to_uppercase()))?;
        let method = method.to_uppercase();
        let secret = carries_secrets(raw, op);
        entries.push(quote! {
            crate::Operation {
                id: #id, method: #method, path: #path, tag: #tag, carries_secrets: #secret,
            },
        });
    }
    Ok(quote! {
        /// Every operation of `spec/metorial.yaml`: its `operationId`, method, path template,
        /// tag, and whether it carries secrets.
        pub const OPERATIONS: &[crate::Operation] = &[
            #(#entries)*
        ];
    })
}

/// Whether `op` is marked `x-metorial-secret-response`, or its request body reaches
/// [`SECRET_SCHEMA`] through `$ref`s.
fn carries_secrets(raw: &Value, op: &Value) -> bool {
    if op.get("x-metorial-secret-response") == Some(&Value::Bool(true)) {
        return true;
    }
    let mut seen = BTreeSet::new();
    op.get("requestBody")
        .is_some_and(|body| reaches(raw, body, SECRET_SCHEMA, &mut seen))
}

/// Whether `node` holds a `$ref` to `target`, directly or through the schemas it refers to
/// (each followed once).
fn reaches<'a>(
    raw: &'a Value,
    node: &'a Value,
    target: &str,
    seen: &mut BTreeSet<&'a str>,
) -> bool {
    match node {
        Value::Object(map) => map.iter().any(|(key, value)| match (key.as_str(), value) {
            ("$ref", Value::String(reference)) => {
                reference == target
                    || (seen.insert(reference.as_str())
                        && reference
                            .strip_prefix('#')
                            .and_then(|pointer| raw.pointer(pointer))
                            .is_some_and(|schema| reaches(raw, schema, target, seen)))
            }
            _ => reaches(raw, value, target, seen),
        }),
        Value::Array(items) => items.iter().any(|item| reaches(raw, item, target, seen)),
        _ => false,
    }
}

/// An operation's `operationId` and first tag (empty when it has none: tags are optional).
fn id_and_tag(op: &Value) -> anyhow::Result<(&str, &str)> {
    let id = op
        .get("operationId")
        .and_then(Value::as_str)
        .context("the operation has no `operationId`")?;
    let tag = match op.get("tags") {
        None => "",
        Some(tags) => match tags.as_array().map(|tags| tags.first()) {
            Some(None) => "",
            Some(Some(Value::String(tag))) => tag.as_str(),
            _ => anyhow::bail!("`{id}`: `tags` must be a list of strings"),
        },
    };
    Ok((id, tag))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn one_entry_per_operation_method_upper_case_first_tag() {
        let get = json!({"operationId": "get_widget", "tags": ["widgets", "extra"]});
        let delete = json!({"operationId": "delete_widget", "tags": ["widgets"]});
        let code = table(
            &Value::Null,
            &[
                ("get", "/widgets/{widget_id}", &get),
                ("delete", "/widgets/{widget_id}", &delete),
            ],
        )
        .unwrap();
        let file: syn::File = syn::parse2(code).expect("the code parses");
        let text = prettyplease::unparse(&file);
        let expected = r#"pub const OPERATIONS: &[crate::Operation] = &[
    crate::Operation {
        id: "get_widget",
        method: "GET",
        path: "/widgets/{widget_id}",
        tag: "widgets",
        carries_secrets: false,
    },
    crate::Operation {
        id: "delete_widget",
        method: "DELETE",
        path: "/widgets/{widget_id}",
        tag: "widgets",
        carries_secrets: false,
    },
];"#;
        assert!(text.contains(expected), "{text}");
    }

    #[test]
    fn an_empty_spec_gives_an_empty_table() {
        let file: syn::File =
            syn::parse2(table(&Value::Null, &[]).unwrap()).expect("the code parses");
        let text = prettyplease::unparse(&file);
        assert!(
            text.contains("pub const OPERATIONS: &[crate::Operation] = &[];"),
            "{text}"
        );
    }

    #[test]
    fn an_operation_without_a_tag_gets_an_empty_one() {
        let untagged = json!({"operationId": "get_widget"});
        let empty = json!({"operationId": "list_widgets", "tags": []});
        let code = table(
            &Value::Null,
            &[
                ("get", "/widgets/{id}", &untagged),
                ("get", "/widgets", &empty),
            ],
        )
        .unwrap()
        .to_string();
        assert_eq!(code.matches("tag : \"\"").count(), 2, "{code}");
    }

    #[test]
    fn malformed_tags_are_an_error_naming_the_operation() {
        let bad = json!({"operationId": "get_widget", "tags": "widgets"});
        let error = table(&Value::Null, &[("get", "/widgets", &bad)]).unwrap_err();
        let message = format!("{error:#}");
        assert!(message.contains("GET /widgets"), "{message}");
        assert!(
            message.contains("`get_widget`: `tags` must be a list"),
            "{message}"
        );
    }

    #[test]
    fn secrets_are_found_through_refs_and_the_extension() {
        let raw = json!({"components": {"schemas": {
            "SecretObject": {"type": "object"},
            "Body": {"properties": {"config": {"allOf": [{"$ref": "#/components/schemas/Inner"}]}}},
            "Inner": {"$ref": "#/components/schemas/SecretObject"},
            "Loop": {"properties": {"next": {"$ref": "#/components/schemas/Loop"}}},
        }}});
        let body = |schema: &str| json!({"requestBody": {"content": {"application/json": {"schema": {"$ref": schema}}}}});
        assert!(carries_secrets(&raw, &body("#/components/schemas/Body")));
        assert!(!carries_secrets(&raw, &body("#/components/schemas/Loop")));
        assert!(!carries_secrets(
            &raw,
            &json!({"operationId": "get_widget"})
        ));
        let marked = json!({"x-metorial-secret-response": true});
        assert!(carries_secrets(&raw, &marked));
    }

    #[test]
    fn the_workspace_spec_marks_the_operations_with_secrets() {
        let spec = Spec::load(&crate::spec_path()).unwrap();
        let secret: Vec<&str> = spec
            .operations()
            .into_iter()
            .filter(|(_, _, op)| carries_secrets(&spec.raw, op))
            .map(|(_, _, op)| op["operationId"].as_str().unwrap())
            .collect();
        assert_eq!(
            secret,
            [
                "list_provider_auth_exports",
                "create_provider_auth_export",
                "get_provider_auth_export",
                "create_provider_oauth_setup",
            ]
        );
    }

    #[test]
    fn the_workspace_spec_lists_every_operation() {
        let spec = Spec::load(&crate::spec_path()).unwrap();
        let code = tokens(&spec).unwrap().to_string();
        for (_, _, op) in spec.operations() {
            let id = op["operationId"].as_str().unwrap();
            assert!(
                code.contains(&format!("id : \"{id}\"")),
                "{id} missing: {code}"
            );
        }
    }
}
