//! The whole provider-auth flow through the `metorial` command, as a script or an operator
//! runs it: the provider and its auth methods, the service's OAuth app (whose secret is never
//! printed), a setup session with it (completed through the emulator's control API, in place
//! of the user's browser), the user's connections, their tokens, and the disconnect.

use std::process::{Output, Stdio};

use metorial_emulator::Emulator;
use metorial_emulator::control::SeedTokens;
use serde_json::Value;
use tokio::process::Command;

const GITHUB: &str = "pro_5gHjKlMnPqRsTuVw";
const TOKEN_METHOD: &str = "pam_7tKnRsWxYzAbCdEf";

/// Runs `metorial args` against `emulator`.
async fn metorial(emulator: &Emulator, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_metorial"))
        .env("METORIAL_API_KEY", emulator.api_key())
        .env("METORIAL_BASE_URL", emulator.base_url())
        .stdin(Stdio::null())
        .args(args)
        .output()
        .await
        .expect("run metorial")
}

/// Stdout as JSON, after checking the exit status was 0.
fn json(output: &Output) -> Value {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "stderr: {stderr}");
    serde_json::from_slice(&output.stdout).expect("stdout is JSON")
}

/// The IDs of a page's items.
fn ids(page: &Value) -> Vec<&str> {
    let items = page["items"].as_array().expect("a page");
    items
        .iter()
        .map(|item| item["id"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn the_whole_flow_through_the_command_line() {
    let emulator = Emulator::builder()
        .spawn()
        .await
        .expect("the emulator starts");

    let provider = json(&metorial(&emulator, &["providers", "get", GITHUB]).await);
    assert_eq!(
        provider["oauth"]["auto_registration"]["status"],
        "unsupported"
    );
    let version = provider["current_version"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let methods = json(
        &metorial(
            &emulator,
            &["auth-methods", "list", "--provider-version", &version],
        )
        .await,
    );
    assert!(ids(&methods).contains(&TOKEN_METHOD), "{methods}");

    // The service's app: the secret goes in, and never comes out, even on request.
    let config =
        r#"{"client_id": "cli-app", "client_secret": "cli-secret-value", "scopes": ["repo"]}"#;
    let create = [
        "auth-credentials",
        "create",
        "--provider-id",
        GITHUB,
        "--config",
        config,
        "--name",
        "CLI app",
    ];
    let created = metorial(&emulator, &create).await;
    assert!(!String::from_utf8_lossy(&created.stdout).contains("cli-secret-value"));
    let credentials = json(&created);
    let credentials_id = credentials["id"].as_str().unwrap().to_owned();
    assert_eq!(credentials["status"], "active");

    // A session with that app, completed as if the user had approved.
    let session = json(
        &metorial(
            &emulator,
            &[
                "setup-sessions",
                "create",
                "--provider-id",
                GITHUB,
                "--provider-auth-credentials-id",
                &credentials_id,
            ],
        )
        .await,
    );
    let session_id = session["id"].as_str().unwrap();
    let tokens = SeedTokens::new("gho_from_the_cli_flow");
    let auth_config = emulator
        .tenant()
        .complete_flow(session_id, tokens)
        .await
        .unwrap();

    // The user's connections, by the app that made them; the tokens only with --show-secrets.
    let listed = metorial(
        &emulator,
        &[
            "auth-configs",
            "list",
            "--provider-auth-credentials-id",
            &credentials_id,
        ],
    )
    .await;
    assert_eq!(ids(&json(&listed)), [auth_config.as_str()]);
    let export = [
        "auth-exports",
        "create",
        "--provider-auth-config-id",
        &auth_config,
        "--note",
        "cli",
    ];
    let hidden = metorial(&emulator, &export).await;
    assert!(!String::from_utf8_lossy(&hidden.stdout).contains("gho_from_the_cli_flow"));
    let shown = json(&metorial(&emulator, &[&export[..], &["--show-secrets"]].concat()).await);
    assert_eq!(shown["value"]["access_token"], "gho_from_the_cli_flow");

    // An API-key connection, renamed; then both disconnected.
    let value = r#"{"token": "ghp_cli_key"}"#;
    let manual = json(
        &metorial(
            &emulator,
            &[
                "auth-configs",
                "create",
                "--provider-auth-method-id",
                TOKEN_METHOD,
                "--value",
                value,
            ],
        )
        .await,
    );
    let manual_id = manual["id"].as_str().unwrap();
    let renamed = json(
        &metorial(
            &emulator,
            &["auth-configs", "update", manual_id, "--name", "CI key"],
        )
        .await,
    );
    assert_eq!(renamed["name"], "CI key");
    for id in [auth_config.as_str(), manual_id] {
        let archived = json(&metorial(&emulator, &["auth-configs", "delete", id]).await);
        assert_eq!(archived["status"], "archived");
    }
    let after = metorial(&emulator, &export).await;
    assert_eq!(after.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&after.stderr).contains("use_after_delete"));
    let active = metorial(
        &emulator,
        &[
            "auth-configs",
            "list",
            "--provider-id",
            GITHUB,
            "--status",
            "active",
        ],
    )
    .await;
    assert!(!ids(&json(&active)).contains(&manual_id));
    emulator.shutdown().await.unwrap();
}
