//! The `metorial` program end to end against a spawned emulator: the key and base URL through
//! the environment or flags, JSON, JSON Lines and table output, request bodies, secrets,
//! errors and exit statuses, completions.

use std::collections::BTreeSet;
use std::process::{Output, Stdio};

use futures_util::StreamExt;
use metorial::models::CreateProviderSetupSessionBody;
use metorial_emulator::Emulator;
use metorial_emulator::control::JournalQuery;
use serde_json::Value;
use tokio::io::AsyncWriteExt;
use tokio::process::Command;

/// The built-in fixtures' provider.
const PROVIDER_ID: &str = "pro_5gHjKlMnPqRsTuVw";
/// The built-in fixtures' deployment.
const DEPLOYMENT_ID: &str = "pde_1aBcDeFgHjKlMnPq";
/// The built-in fixtures' auth config (holding the docs' example tokens).
const AUTH_CONFIG_ID: &str = "pac_8pQrStUvWxYzAbCd";
/// The access token of that auth config.
const ACCESS_TOKEN: &str = "gho_xxxxxxxxxxxxxxxxxxxx";

async fn emulator() -> Emulator {
    match Emulator::builder().spawn().await {
        Ok(emulator) => emulator,
        Err(e) => panic!("cannot start the emulator: {e}"),
    }
}

/// `metorial` with no key or URL in its environment.
fn program() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_metorial"));
    command
        .env_remove("METORIAL_API_KEY")
        .env_remove("METORIAL_BASE_URL")
        .stdin(Stdio::null());
    command
}

/// Runs `metorial args` with the emulator's key and base URL in the environment.
async fn metorial(emulator: &Emulator, args: &[&str]) -> Output {
    program()
        .env("METORIAL_API_KEY", emulator.api_key())
        .env("METORIAL_BASE_URL", emulator.base_url())
        .args(args)
        .output()
        .await
        .expect("run metorial")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Stdout as JSON, after checking the exit status was 0.
fn json(output: &Output) -> Value {
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(output));
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", stdout(output)))
}

/// Creates `n` setup sessions through the SDK, a few at a time, and returns their IDs.
async fn create_sessions(emulator: &Emulator, n: usize) -> BTreeSet<String> {
    let sdk = metorial::Metorial::builder()
        .api_key(emulator.api_key())
        .base_url(emulator.base_url())
        .build()
        .expect("an SDK client");
    futures_util::stream::iter(0..n)
        .map(|i| {
            let sessions = sdk.setup_sessions();
            async move {
                let body = CreateProviderSetupSessionBody::new()
                    .provider_id(PROVIDER_ID)
                    .name(format!("bulk {i}"));
                sessions.create(body).await.expect("create a session").id
            }
        })
        .buffer_unordered(16)
        .collect()
        .await
}

#[tokio::test]
async fn create_prints_the_session_as_json() {
    let emulator = emulator().await;
    let output = metorial(
        &emulator,
        &[
            "setup-sessions",
            "create",
            "--provider-id",
            PROVIDER_ID,
            "--name",
            "CLI",
        ],
    )
    .await;
    let session = json(&output);
    assert_eq!(session["object"], "provider.setup_session");
    assert_eq!(session["name"], "CLI");
    assert_eq!(session["provider_id"], PROVIDER_ID);
    assert_eq!(session["status"], "pending");
    assert!(stderr(&output).is_empty(), "{}", stderr(&output));

    // The key and URL as flags instead of the environment; `get` finds the session.
    let id = session["id"].as_str().expect("an ID");
    let output = program()
        .args(["setup-sessions", "get", id])
        .args([
            "--api-key",
            emulator.api_key(),
            "--base-url",
            emulator.base_url(),
        ])
        .output()
        .await
        .expect("run metorial");
    assert_eq!(json(&output)["id"], id);
}

#[tokio::test]
async fn list_all_pages_through_every_session_with_progress_on_stderr() {
    let emulator = emulator().await;
    let created = create_sessions(&emulator, 250).await;
    assert_eq!(created.len(), 250);

    let output = metorial(
        &emulator,
        &["setup-sessions", "list", "--all", "--limit", "100"],
    )
    .await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let ids: Vec<String> = stdout(&output)
        .lines()
        .map(|line| {
            let item: Value = serde_json::from_str(line).expect("one JSON object per line");
            item["id"].as_str().expect("an ID").to_owned()
        })
        .collect();
    assert_eq!(ids.len(), 250);
    assert_eq!(ids.iter().cloned().collect::<BTreeSet<_>>(), created);
    assert_eq!(
        stderr(&output),
        "fetched 100 setup sessions…\nfetched 200 setup sessions…\nfetched 250 setup sessions\n"
    );

    // A filter goes on the wire as the API names it.
    emulator.tenant().clear_journal();
    let output = metorial(
        &emulator,
        &[
            "setup-sessions",
            "list",
            "--all",
            "--limit",
            "100",
            "--status",
            "pending",
        ],
    )
    .await;
    assert_eq!(stdout(&output).lines().count(), 250, "{}", stderr(&output));
    let query = JournalQuery {
        operation_id: Some("list_provider_setup_sessions".into()),
        ..JournalQuery::default()
    };
    let journal = emulator.tenant().journal(&query);
    assert_eq!(journal.entries.len(), 3);
    for entry in &journal.entries {
        let query = entry.query.as_deref().unwrap_or_default();
        assert!(
            query.contains("status=pending") && query.contains("limit=100"),
            "{query}"
        );
    }
    let output = metorial(
        &emulator,
        &[
            "setup-sessions",
            "list",
            "--all",
            "--status",
            "completed,failed",
        ],
    )
    .await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), "");
    assert_eq!(stderr(&output), "fetched 0 setup sessions\n");
}

#[tokio::test]
async fn one_page_keeps_the_api_shape() {
    let emulator = emulator().await;
    create_sessions(&emulator, 3).await;
    let page = json(&metorial(&emulator, &["setup-sessions", "list", "--limit", "2"]).await);
    assert_eq!(page["items"].as_array().map(Vec::len), Some(2));
    assert_eq!(page["pagination"]["has_more_after"], true);
    // A scoped resource takes its scope as a flag.
    let setups = json(
        &metorial(
            &emulator,
            &[
                "oauth-setups",
                "list",
                "--provider-deployment-id",
                DEPLOYMENT_ID,
            ],
        )
        .await,
    );
    assert!(setups["items"].is_array(), "{setups}");
}

#[tokio::test]
async fn a_wrong_key_exits_1_naming_the_code_and_request_id() {
    let emulator = emulator().await;
    let key = "metorial_sk_wrong_key_123456";
    let output = program()
        .env("METORIAL_BASE_URL", emulator.base_url())
        .args(["setup-sessions", "list", "--api-key", key])
        .output()
        .await
        .expect("run metorial");
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let message = stderr(&output);
    assert_eq!(message.lines().count(), 1, "{message}");
    assert!(
        message.starts_with("metorial: unauthorized (401): "),
        "{message}"
    );
    assert!(message.contains("[request req_"), "{message}");
    assert!(!message.contains("wrong_key"), "{message}");
}

#[tokio::test]
async fn a_missing_object_exits_1_with_not_found() {
    let emulator = emulator().await;
    let output = metorial(
        &emulator,
        &["setup-sessions", "get", "pas_doesNotExist1234"],
    )
    .await;
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.starts_with("metorial: not_found (404): "),
        "{message}"
    );
    assert!(message.contains("[request req_"), "{message}");
}

#[tokio::test]
async fn table_prints_a_header_and_a_row_per_item() {
    let emulator = emulator().await;
    let created = create_sessions(&emulator, 3).await;
    let output = metorial(&emulator, &["setup-sessions", "list", "--table"]).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    let header: Vec<&str> = lines[0].split_whitespace().collect();
    assert_eq!(header.first(), Some(&"id"), "{text}");
    assert!(
        header.contains(&"status") && header.contains(&"created_at"),
        "{text}"
    );
    let ids: BTreeSet<String> = lines[1..]
        .iter()
        .filter_map(|line| line.split_whitespace().next().map(str::to_owned))
        .collect();
    assert_eq!(ids, created);

    // One object is a table of one row.
    let id = created.iter().next().expect("a session");
    let output = metorial(&emulator, &["setup-sessions", "get", id, "--table"]).await;
    assert_eq!(stdout(&output).lines().count(), 2);
}

#[tokio::test]
async fn a_body_from_a_file_with_flags_overriding_it() {
    let emulator = emulator().await;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("body.json");
    let body = serde_json::json!({
        "provider_id": PROVIDER_ID,
        "name": "from the file",
        "metadata": {"team": "billing"},
    });
    std::fs::write(&path, body.to_string()).expect("write the body");
    let file = format!("@{}", path.display());
    let session = json(
        &metorial(
            &emulator,
            &[
                "setup-sessions",
                "create",
                "--body",
                &file,
                "--name",
                "from a flag",
            ],
        )
        .await,
    );
    assert_eq!(session["name"], "from a flag");
    assert_eq!(session["metadata"]["team"], "billing");

    // The same from stdin.
    let mut child = program()
        .env("METORIAL_API_KEY", emulator.api_key())
        .env("METORIAL_BASE_URL", emulator.base_url())
        .args(["setup-sessions", "create", "--body", "@-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start metorial");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin
        .write_all(body.to_string().as_bytes())
        .await
        .expect("write stdin");
    drop(stdin);
    let output = child.wait_with_output().await.expect("metorial ends");
    assert_eq!(json(&output)["name"], "from the file");
}

#[tokio::test]
async fn a_body_that_does_not_decode_exits_2_naming_the_field() {
    let emulator = emulator().await;
    let output = metorial(
        &emulator,
        &[
            "auth-exports",
            "create",
            "--body",
            r#"{"provider_auth_config_id": 5, "note": "x"}"#,
        ],
    )
    .await;
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert_eq!(message.lines().count(), 1, "{message}");
    assert!(
        message.contains("field `provider_auth_config_id`"),
        "{message}"
    );

    let output = metorial(&emulator, &["auth-exports", "create", "--note", "x"]).await;
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("provider_auth_config_id"),
        "{}",
        stderr(&output)
    );

    let output = metorial(
        &emulator,
        &["setup-sessions", "create", "--metadata", "{not json"],
    )
    .await;
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).starts_with("metorial: --metadata: not valid JSON"));

    // Nothing reached the API.
    let journal = emulator.tenant().journal(&JournalQuery::default());
    assert!(journal.entries.is_empty(), "{:?}", journal.entries);
}

#[tokio::test]
async fn export_tokens_are_redacted_unless_show_secrets_is_given() {
    let emulator = emulator().await;
    let create = [
        "auth-exports",
        "create",
        "--provider-auth-config-id",
        AUTH_CONFIG_ID,
        "--note",
        "x",
    ];
    let output = metorial(&emulator, &create).await;
    let export = json(&output);
    assert_eq!(export["value"], "<redacted>");
    assert!(stdout(&output).contains(r#""value": "<redacted>""#));
    assert!(!stdout(&output).contains(ACCESS_TOKEN));

    let output = metorial(&emulator, &[&create[..], &["--show-secrets"]].concat()).await;
    assert_eq!(json(&output)["value"]["access_token"], ACCESS_TOKEN);

    // Lists and tables never show a token either (the API sends `value` only on creation).
    for args in [
        &["auth-exports", "list", "--all"][..],
        &["auth-exports", "list", "--table"],
    ] {
        let output = metorial(&emulator, args).await;
        assert_eq!(
            output.status.code(),
            Some(0),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(!stdout(&output).contains(ACCESS_TOKEN), "{args:?}");
    }
}

#[tokio::test]
async fn completions_name_every_resource() {
    let output = program()
        .args(["completions", "bash"])
        .output()
        .await
        .expect("run metorial");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let script = stdout(&output);
    for name in [
        "setup-sessions",
        "oauth-setups",
        "auth-exports",
        "wait-for-completion",
    ] {
        assert!(script.contains(name), "{name}");
    }
}

#[tokio::test]
async fn usage_errors_exit_2() {
    let no_key = program()
        .args(["setup-sessions", "list"])
        .output()
        .await
        .expect("run metorial");
    assert_eq!(no_key.status.code(), Some(2));
    assert_eq!(
        stderr(&no_key),
        "metorial: no API key: pass --api-key or set METORIAL_API_KEY\n"
    );
    for args in [
        &["setup-sessions", "list", "--limit", "500"][..],
        &["setup-sessions", "frobnicate"],
        &["oauth-setups", "list"],
        &["setup-sessions", "list", "--created-after", "yesterday"],
    ] {
        let output = program()
            .env("METORIAL_API_KEY", "metorial_sk_unused")
            .args(args)
            .output()
            .await
            .expect("run metorial");
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
    }
}

#[tokio::test]
async fn a_refused_connection_exits_1() {
    let output = program()
        .env("METORIAL_API_KEY", "metorial_sk_unused")
        .env("METORIAL_BASE_URL", "http://127.0.0.1:1")
        .args(["setup-sessions", "get", "pas_1"])
        .output()
        .await
        .expect("run metorial");
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.starts_with("metorial: connection_failed: "),
        "{message}"
    );
    assert_eq!(message.lines().count(), 1);
}
