//! Every JSON example of the API docs (in `spec/examples/`) validates against the schema of the
//! operation that returns it, decodes into the generated type, and re-encodes to the same JSON.

use std::path::PathBuf;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use xtask::spec::Spec;

fn spec() -> Spec {
    Spec::load(&xtask::spec_path()).expect("the spec loads")
}

fn examples_dir() -> PathBuf {
    xtask::workspace_root().join("spec/examples")
}

fn read_example(name: &str) -> Value {
    let path = examples_dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Validates `example` against the success response of `operation_id`; panics listing every
/// failure.
fn assert_valid(spec: &Spec, operation_id: &str, example: &Value) {
    let schema = xtask::json_schema::response_schema(spec, operation_id).unwrap();
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .should_validate_formats(true)
        .build(&schema)
        .expect("the converted schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(example)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{operation_id}: {errors:#?}");
}

/// Decodes `example` as `T` and re-encodes it: the JSON must be unchanged (nulls included).
fn assert_round_trips<T: DeserializeOwned + Serialize>(example: &Value) -> T {
    let typed: T = serde_json::from_value(example.clone()).expect("the example decodes");
    let back = serde_json::to_value(&typed).unwrap();
    let mut differences = Vec::new();
    diff(example, &back, String::new(), &mut differences);
    assert!(
        differences.is_empty(),
        "re-encoding lost or changed: {differences:#?}"
    );
    typed
}

/// The JSON pointers at which `a` and `b` differ.
fn diff(a: &Value, b: &Value, at: String, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(a), Value::Object(b)) => {
            for key in a.keys().chain(b.keys().filter(|k| !a.contains_key(*k))) {
                let (x, y) = (
                    a.get(key).unwrap_or(&Value::Null),
                    b.get(key).unwrap_or(&Value::Null),
                );
                if a.contains_key(key) != b.contains_key(key) {
                    out.push(format!("{at}/{key}: {x} became {y} (presence changed)"));
                } else {
                    diff(x, y, format!("{at}/{key}"), out);
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                diff(x, y, format!("{at}/{i}"), out);
            }
        }
        _ if a != b => out.push(format!("{at}: {a} became {b}")),
        _ => {}
    }
}

/// (file, operation that returns it)
const EXAMPLES: &[(&str, &str)] = &[
    ("provider-setup-session.json", "get_provider_setup_session"),
    ("provider-oauth-setup.json", "get_provider_oauth_setup"),
    ("provider-auth-export.json", "get_provider_auth_export"),
];

#[test]
fn every_example_file_is_checked() {
    let mut files: Vec<String> = std::fs::read_dir(examples_dir())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    files.sort();
    let mut checked: Vec<String> = EXAMPLES.iter().map(|(f, _)| f.to_string()).collect();
    checked.sort();
    assert_eq!(files, checked);
}

#[test]
fn examples_validate_against_the_spec() {
    let spec = spec();
    for (file, operation_id) in EXAMPLES {
        assert_valid(&spec, operation_id, &read_example(file));
    }
}

#[test]
fn examples_validate_inside_list_pages() {
    let spec = spec();
    for (file, list) in [
        (
            "provider-setup-session.json",
            "list_provider_setup_sessions",
        ),
        ("provider-oauth-setup.json", "list_provider_oauth_setups"),
        ("provider-auth-export.json", "list_provider_auth_exports"),
    ] {
        let page = serde_json::json!({
            "items": [read_example(file)],
            "pagination": {"has_more_before": false, "has_more_after": true}
        });
        assert_valid(&spec, list, &page);
    }
}

#[test]
fn setup_session_round_trips() {
    let session: metorial_models::ProviderSetupSession =
        assert_round_trips(&read_example("provider-setup-session.json"));
    assert_eq!(session.id, "pas_6eFgHjKlMnPqRsTu");
    assert_eq!(
        session.status,
        metorial_models::ProviderSetupSessionStatus::Pending
    );
}

#[test]
fn oauth_setup_round_trips() {
    let setup: metorial_models::ProviderOauthSetup =
        assert_round_trips(&read_example("provider-oauth-setup.json"));
    assert_eq!(
        setup.status,
        Some(metorial_models::ProviderOauthSetupStatus::Unused)
    );
    // The short nested shapes of an OAuth setup decode into the same types.
    assert_eq!(
        setup.credentials.unwrap().client_id.as_deref(),
        Some("client_abc123")
    );
}

#[test]
fn auth_export_round_trips() {
    let export: metorial_models::ProviderAuthExport =
        assert_round_trips(&read_example("provider-auth-export.json"));
    let value = export.value.expect("the example has a value");
    assert_eq!(
        value.expose_str("access_token"),
        Some("gho_xxxxxxxxxxxxxxxxxxxx")
    );
}

#[test]
fn a_document_that_breaks_the_schema_is_refused() {
    let spec = spec();
    let mut example = read_example("provider-setup-session.json");
    example.as_object_mut().unwrap().remove("provider_id");
    example["created_at"] = "last tuesday".into();
    let schema = xtask::json_schema::response_schema(&spec, "get_provider_setup_session").unwrap();
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&example)
        .map(|e| e.to_string())
        .collect();
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert!(
        errors.iter().any(|e| e.contains("provider_id")),
        "{errors:#?}"
    );
    assert!(
        errors.iter().any(|e| e.contains("last tuesday")),
        "{errors:#?}"
    );
}
