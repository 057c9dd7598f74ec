//! The operations table of `metorial-models`: `OPERATIONS`, every operation of the spec with its
//! `operationId`, method, path template, tag, and whether it carries secrets (its request body
//! or response holds a secret by [`crate::model::secrets`]' rule, or it is marked
//! `x-metorial-secret-response`).
//!
//! The emulator checks its routes against it (and answers `501 not_implemented` for each
//! operation it has no handler for). The generated constant looks like this (one entry per
//! operation, in the order of [`Api::operations`]), `Operation` being hand-written in the
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

use proc_macro2::TokenStream;
use quote::quote;

use crate::model::Api;

/// The Rust code of `OPERATIONS` for the API's operations, to be appended to the models file.
/// Needs the hand-written `metorial_models::Operation`.
pub fn tokens(api: &Api) -> TokenStream {
    let entries = api.operations.iter().map(|op| {
        let (id, path, tag) = (&op.id, &op.path, op.tag());
        let method = op.method.to_uppercase();
        let secret = op.carries_secrets();
        quote! {
            crate::Operation {
                id: #id, method: #method, path: #path, tag: #tag, carries_secrets: #secret,
            },
        }
    });
    quote! {
        /// Every operation of `spec/metorial.yaml`: its `operationId`, method, path template,
        /// tag, and whether it carries secrets.
        pub const OPERATIONS: &[crate::Operation] = &[
            #(#entries)*
        ];
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    /// An API of `paths` (path -> method -> operation), one `things` tag with a handle, and
    /// `schemas` as its components.
    fn api(paths: Value, schemas: Value) -> anyhow::Result<Api> {
        Api::from_raw(&json!({
            "openapi": "3.0.3",
            "tags": [{"name": "things", "x-metorial-handle": "things"}],
            "paths": paths,
            "components": {"schemas": schemas},
        }))
    }

    fn op(id: &str, tags: Value) -> Value {
        json!({"operationId": id, "tags": tags, "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}}})
    }

    fn table(api: &Api) -> Vec<(String, String, String, String, bool)> {
        api.operations
            .iter()
            .map(|op| {
                let m = op.method.to_uppercase();
                (
                    op.id.clone(),
                    m,
                    op.path.clone(),
                    op.tag().to_owned(),
                    op.carries_secrets(),
                )
            })
            .collect()
    }

    #[test]
    fn one_entry_per_operation_method_upper_case_first_tag() {
        let api = api(
            json!({"/things/{thing_id}": {
                "get": op("get_thing", json!(["things", "extra"])),
                "delete": op("delete_thing", json!(["things"])),
            }}),
            json!({"Thing": {"type": "object"}}),
        )
        .unwrap();
        let code = tokens(&api).to_string();
        assert!(code.contains("id : \"get_thing\" , method : \"GET\" , path : \"/things/{thing_id}\" , tag : \"things\" , carries_secrets : false"), "{code}");
        assert_eq!(table(&api)[1].0, "delete_thing");
        assert_eq!(table(&api)[1].1, "DELETE");
        syn::parse2::<syn::File>(code.parse().unwrap()).expect("the code parses");
    }

    #[test]
    fn an_empty_spec_gives_an_empty_table() {
        let code = tokens(&api(json!({}), json!({})).unwrap()).to_string();
        assert!(
            code.contains("OPERATIONS : & [crate :: Operation] = & [] ;"),
            "{code}"
        );
    }

    #[test]
    fn malformed_tags_are_an_error_naming_the_operation() {
        let error = api(
            json!({"/things": {"get": op("list_things", json!("things"))}}),
            json!({"Thing": {"type": "object"}}),
        )
        .unwrap_err();
        let message = format!("{error:#}");
        assert!(
            message.contains("GET /things (list_things): `tags` must be a list of strings"),
            "{message}"
        );
    }

    #[test]
    fn secrets_are_found_through_refs_and_the_extension() {
        let schemas = json!({
            "SecretObject": {"type": "object"},
            "Thing": {"type": "object"},
            "Body": {"type": "object", "properties": {"config": {"allOf": [{"$ref": "#/components/schemas/Inner"}]}}},
            "Inner": {"type": "object", "properties": {"deep": {"$ref": "#/components/schemas/SecretObject"}}},
            "Loop": {"type": "object", "properties": {"next": {"$ref": "#/components/schemas/Loop"}}},
        });
        let with_body = |id: &str, schema: &str| {
            let mut op = op(id, json!(["things"]));
            op["x-metorial-method"] = json!(id);
            op["requestBody"] = json!({"content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}});
            op
        };
        let mut marked = op("get_thing", json!(["things"]));
        marked["x-metorial-secret-response"] = json!(true);
        let api = api(
            json!({
                "/a": {"post": with_body("create_a", "Body")},
                "/b": {"post": with_body("create_b", "Loop")},
                "/c": {"get": marked},
            }),
            schemas,
        )
        .unwrap();
        let secret: Vec<bool> = table(&api).into_iter().map(|row| row.4).collect();
        assert_eq!(secret, [true, false, true]);
    }

    #[test]
    fn the_workspace_spec_marks_the_operations_with_secrets() {
        let spec = crate::spec::Spec::load(&crate::spec_path()).unwrap();
        let api = Api::build(&spec).unwrap();
        let secret: Vec<&str> = api
            .operations
            .iter()
            .filter(|op| op.carries_secrets())
            .map(|op| op.id.as_str())
            .collect();
        assert_eq!(
            secret,
            [
                "list_provider_auth_exports",
                "create_provider_auth_export",
                "get_provider_auth_export",
                "create_provider_auth_config",
                "create_provider_auth_credentials",
                "update_provider_auth_credentials",
                "create_provider_oauth_setup",
            ]
        );
    }
}
