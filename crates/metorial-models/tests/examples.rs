//! The docs' examples through the generated types: open enumerations and secret redaction.

use metorial_models::{
    ProviderAuthConfigStatus, ProviderAuthExport, ProviderSetupSession, ProviderSetupSessionStatus,
};
use serde_json::Value;

const SESSION: &str = include_str!("../../../spec/examples/provider-setup-session.json");
const EXPORT: &str = include_str!("../../../spec/examples/provider-auth-export.json");

#[test]
fn a_future_status_decodes_and_re_encodes_unchanged() {
    let mut json: Value = serde_json::from_str(SESSION).unwrap();
    json["status"] = "some_future_status".into();
    json["auth_config"]["status"] = "quarantined".into();

    let session: ProviderSetupSession = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(
        session.status,
        ProviderSetupSessionStatus::Unknown("some_future_status".into())
    );
    assert_eq!(session.status.as_str(), "some_future_status");
    assert_eq!(
        session.auth_config.as_ref().unwrap().status,
        Some(ProviderAuthConfigStatus::Unknown("quarantined".into()))
    );
    assert_eq!(serde_json::to_value(&session).unwrap(), json);
}

#[test]
fn known_values_parse_into_their_variant() {
    for (text, status) in [
        ("pending", ProviderSetupSessionStatus::Pending),
        ("expired", ProviderSetupSessionStatus::Expired),
        ("completed", ProviderSetupSessionStatus::Completed),
    ] {
        assert_eq!(ProviderSetupSessionStatus::from(text), status);
        assert_eq!(status.to_string(), text);
        assert!(!status.is_unknown());
    }
    assert_eq!(ProviderSetupSessionStatus::KNOWN.len(), 6);
}

#[test]
fn a_non_string_status_is_a_clear_decode_error() {
    let mut json: Value = serde_json::from_str(SESSION).unwrap();
    json["status"] = 3.into();
    let err = serde_json::from_value::<ProviderSetupSession>(json).unwrap_err();
    assert!(err.to_string().contains("expected a string"), "{err}");
}

#[test]
fn export_debug_does_not_show_tokens() {
    let export: ProviderAuthExport = serde_json::from_str(EXPORT).unwrap();
    for debug in [format!("{export:?}"), format!("{export:#?}")] {
        assert!(!debug.contains("gho_"), "{debug}");
        assert!(!debug.contains("ghr_"), "{debug}");
        // What is not secret still shows, so the output stays useful.
        assert!(debug.contains("pace_7yZaBcDeFgHjKlMn"));
        assert!(debug.contains("access_token"));
    }
}

#[test]
fn oauth_setup_config_debug_does_not_show_the_client_secret() {
    let body: metorial_models::CreateProviderOauthSetupBody =
        serde_json::from_value(serde_json::json!({
            "name": "GitHub",
            "config": {"client_id": "abc", "client_secret": "s3cr3t-value"}
        }))
        .unwrap();
    let debug = format!("{body:?}");
    assert!(!debug.contains("s3cr3t-value"), "{debug}");
    assert!(debug.contains("client_secret"), "{debug}");
}
