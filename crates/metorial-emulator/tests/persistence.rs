//! With `--database`, a tenant is everything it was after the process is killed (SIGKILL, no
//! clean stop): tenants made at run time answer to their keys again, with their objects and
//! their clocks; the key is kept only as a hash; a deleted tenant's file is gone and stays
//! gone. And the program refuses a guessable `--api-key`.

#![cfg(unix)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

/// The start key (protected).
const ADMIN: &str = "metorial_sk_persistence_admin";

/// A running `metorial-emulator` program and its base URL.
struct Program {
    child: Child,
    base: String,
}

impl Program {
    /// Starts the program on `database`, reading its address from its first line.
    fn start(database: &Path) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_metorial-emulator"))
            .args(["--listen", "127.0.0.1:0", "--api-key", ADMIN, "--database"])
            .arg(database)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the emulator");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let first = lines.next().expect("a first line").expect("utf-8");
        let base = first
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line: {first}"))
            .to_owned();
        Self { child, base }
    }

    /// SIGKILL: no clean stop, nothing flushed on the way out.
    fn kill(mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reaped");
    }

    /// Sends `method path` with `key` (and `body`): the status and the JSON body (if any).
    async fn send(&self, method: &str, path: &str, key: &str, body: Option<Value>) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = reqwest::Client::new()
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(key);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("answered");
        let status = response.status().as_u16();
        let text = response.text().await.expect("a body");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

#[tokio::test]
async fn tenants_and_their_clocks_survive_a_sigkill_and_deletion_removes_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("world.db");

    let program = Program::start(&database);
    let (status, made) = program
        .send("POST", "/_emulator/tenants", ADMIN, Some(json!({})))
        .await;
    assert_eq!(status, 201, "{made}");
    let id = made["id"].as_str().unwrap().to_owned();
    let key = made["api_key"].as_str().unwrap().to_owned();
    let advance = json!({"advance_seconds": 600});
    let (status, _) = program
        .send("POST", "/_emulator/clock", &key, Some(advance))
        .await;
    assert_eq!(status, 200);
    let admin_advance = json!({"advance_seconds": 1200});
    let (status, _) = program
        .send("POST", "/_emulator/clock", ADMIN, Some(admin_advance))
        .await;
    assert_eq!(status, 200);
    let new_session = json!({"provider_id": "pro_5gHjKlMnPqRsTuVw", "name": "kept"});
    let (status, session) = program
        .send("POST", "/provider-setup-sessions", &key, Some(new_session))
        .await;
    assert_eq!(status, 200, "{session}");
    program.kill();

    // The key is kept as a hash, never in clear.
    let file = dir.path().join(format!("world.db.{id}"));
    for name in [file.clone(), database.clone()] {
        let mut bytes = std::fs::read(&name).unwrap_or_default();
        let mut wal = name.into_os_string();
        wal.push("-wal");
        bytes.extend(std::fs::read(wal).unwrap_or_default());
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(&key) && !text.contains(ADMIN));
    }

    let program = Program::start(&database);
    let (status, me) = program.send("GET", "/_emulator/tenant", &key, None).await;
    assert_eq!((status, me["id"].as_str()), (200, Some(id.as_str())));
    let (_, clock) = program.send("GET", "/_emulator/clock", &key, None).await;
    let offset = clock["offset_ms"].as_i64().unwrap();
    assert!((600_000..660_000).contains(&offset), "{clock}");
    let (_, clock) = program.send("GET", "/_emulator/clock", ADMIN, None).await;
    let offset = clock["offset_ms"].as_i64().unwrap();
    assert!((1_200_000..1_260_000).contains(&offset), "{clock}");
    let path = format!(
        "/provider-setup-sessions/{}",
        session["id"].as_str().unwrap()
    );
    let (status, kept) = program.send("GET", &path, &key, None).await;
    assert_eq!((status, &kept["name"]), (200, &json!("kept")));

    // Deleted: the file goes at once, and the key stays unknown after another kill.
    let (status, _) = program
        .send("DELETE", &format!("/_emulator/tenants/{id}"), &key, None)
        .await;
    assert_eq!(status, 204);
    assert!(!file.exists());
    program.kill();
    let program = Program::start(&database);
    let (status, _) = program.send("GET", "/_emulator/tenant", &key, None).await;
    assert_eq!(status, 401);
    let (status, _) = program.send("GET", "/_emulator/tenant", ADMIN, None).await;
    assert_eq!(status, 200);
    program.kill();
}

#[test]
fn a_guessable_api_key_is_refused_at_start_with_the_rule() {
    let output = Command::new(env!("CARGO_BIN_EXE_metorial-emulator"))
        .args(["--listen", "127.0.0.1:0", "--api-key", "short"])
        .output()
        .expect("run the emulator");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("api_key")
            && stderr.contains("20 to 256 characters of A-Z, a-z, 0-9 and _"),
        "{stderr}"
    );
    assert!(output.stdout.is_empty(), "nothing served");
}
