//! The control plane's limits: a clock that cannot leave 1970-9999, tenants that end (and a
//! bound on how many there are), keys that cannot be guessed.

use std::time::Duration;

use metorial_e2e::{PROVIDER_ID, api_error, call, first_failure, keyed_client, spawn};
use metorial_emulator::{Emulator, Error};
use metorial_models::{ErrorCode, PathSegment, ProviderSetupSession};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A client sending `key` as the API key.
fn client(key: &str) -> reqwest::Client {
    keyed_client(key)
}

/// The URL of `path` on the emulator.
fn url(emu: &Emulator, path: &str) -> String {
    format!("{}{path}", emu.base_url())
}

/// The tenant's clock as `GET /_emulator/clock` shows it.
async fn clock(emu: &Emulator, key: &str) -> Value {
    call(
        client(key).get(url(emu, "/_emulator/clock")),
        StatusCode::OK,
    )
    .await
}

/// A new tenant over HTTP: (its ID, its key).
async fn new_tenant(emu: &Emulator, by: &str) -> (String, String) {
    let made: Value = call(
        client(by)
            .post(url(emu, "/_emulator/tenants"))
            .json(&json!({})),
        StatusCode::CREATED,
    )
    .await;
    (
        made["id"].as_str().unwrap().to_owned(),
        made["api_key"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn a_clock_move_out_of_range_is_refused_naming_the_field_and_changes_nothing() {
    let emu = spawn(Emulator::builder()).await;
    let key = emu.api_key().to_owned();
    let moved: Value = call(
        client(&key)
            .post(url(&emu, "/_emulator/clock"))
            .json(&json!({"advance_seconds": 600})),
        StatusCode::OK,
    )
    .await;
    let offset = moved["offset_ms"].as_i64().unwrap();
    assert!((600_000..601_000).contains(&offset), "{moved}");
    for (body, field) in [
        (json!({"advance_seconds": i64::MAX}), "advance_seconds"),
        (json!({"advance_seconds": i64::MIN}), "advance_seconds"),
        (
            json!({"advance_seconds": 300_000_000_000i64}),
            "advance_seconds",
        ),
        (
            json!({"advance_seconds": -100_000_000_000i64}),
            "advance_seconds",
        ),
        (json!({"set": "0000-01-01T00:00:00.000Z"}), "set"),
        (json!({"set": "1969-12-31T23:59:59.999Z"}), "set"),
    ] {
        let error = api_error(
            client(&key).post(url(&emu, "/_emulator/clock")).json(&body),
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidData,
        )
        .await;
        assert_eq!(
            first_failure(&error).1,
            vec![PathSegment::from(field)],
            "{body}"
        );
        assert!(
            error.message.contains("9999-12-31T23:59:59.999Z"),
            "{error:?}"
        );
        assert_eq!(clock(&emu, &key).await["offset_ms"], offset, "{body}");
    }

    // The end of the range is reachable, and what expires after it expires at its end.
    let end: Value = call(
        client(&key)
            .post(url(&emu, "/_emulator/clock"))
            .json(&json!({"set": "9999-12-31T23:50:00.000Z"})),
        StatusCode::OK,
    )
    .await;
    assert!(end["now"].as_str().unwrap().starts_with("9999-12-31T23:50"));
    let session: ProviderSetupSession = call(
        client(&key)
            .post(url(&emu, "/provider-setup-sessions"))
            .json(&json!({"provider_id": PROVIDER_ID})),
        StatusCode::OK,
    )
    .await;
    assert!(
        session
            .created_at
            .to_string()
            .starts_with("9999-12-31T23:50")
    );
    assert_eq!(session.expires_at.to_string(), "9999-12-31T23:59:59.999Z");
    // An hour past the end is refused from Rust too, with the clock unchanged.
    let error = emu
        .advance_clock(Duration::from_secs(3600))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Control { code, .. } if code == "invalid_data"),
        "{error:?}"
    );
    assert!(emu.now().to_string().starts_with("9999-12-31T23:5"));
    emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_snapshot_with_a_clock_out_of_range_is_refused() {
    let emu = spawn(Emulator::builder()).await;
    let key = emu.api_key().to_owned();
    let mut snapshot: Value = call(
        client(&key).get(url(&emu, "/_emulator/snapshot")),
        StatusCode::OK,
    )
    .await;
    snapshot["clock_offset_ms"] = json!(i64::MAX);
    let error = api_error(
        client(&key)
            .put(url(&emu, "/_emulator/snapshot"))
            .json(&snapshot),
        StatusCode::BAD_REQUEST,
        ErrorCode::InvalidData,
    )
    .await;
    assert_eq!(
        first_failure(&error).1,
        vec![PathSegment::from("clock_offset_ms")]
    );
    assert_eq!(clock(&emu, &key).await["offset_ms"], 0);
    emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_tenant_is_deleted_by_itself_or_a_start_key_and_its_key_stops_working() {
    let emu = spawn(Emulator::builder().api_key("metorial_sk_tenant_admin_key")).await;
    let admin = "metorial_sk_tenant_admin_key";
    let (one, one_key) = new_tenant(&emu, admin).await;
    let (two, two_key) = new_tenant(&emu, admin).await;
    assert_eq!(emu.tenant_count(), 3);

    // Another run-time tenant may not delete it (and learns nothing: 404 as for no tenant).
    let error = api_error(
        client(&two_key).delete(url(&emu, &format!("/_emulator/tenants/{one}"))),
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    )
    .await;
    assert_eq!(error.entity.as_deref(), Some("emulator.tenant"));
    // A start key's tenant is never deleted, not even by itself.
    let start = emu.tenant().id().to_owned();
    for key in [admin, one_key.as_str()] {
        let status = if key == admin {
            StatusCode::FORBIDDEN
        } else {
            StatusCode::NOT_FOUND
        };
        let code = if key == admin {
            ErrorCode::Forbidden
        } else {
            ErrorCode::NotFound
        };
        api_error(
            client(key).delete(url(&emu, &format!("/_emulator/tenants/{start}"))),
            status,
            code,
        )
        .await;
    }

    // It deletes itself: 204, then its key is unknown.
    let deleted = client(&one_key)
        .delete(url(&emu, &format!("/_emulator/tenants/{one}")))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    api_error(
        client(&one_key).get(url(&emu, "/provider-setup-sessions")),
        StatusCode::UNAUTHORIZED,
        ErrorCode::Unauthorized,
    )
    .await;
    // The start key's tenant deletes the other; a second delete is 404.
    for expected in [StatusCode::NO_CONTENT, StatusCode::NOT_FOUND] {
        let answer = client(admin)
            .delete(url(&emu, &format!("/_emulator/tenants/{two}")))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), expected);
    }
    assert_eq!(emu.tenant_count(), 1);

    // From Rust: a handle deletes its tenant; the start tenant's handle refuses.
    let made = emu.create_tenant().await.unwrap();
    let key = made.api_key().to_owned();
    made.delete().await.unwrap();
    assert!(emu.tenant_for(&key).is_none());
    let error = emu.tenant().delete().await.unwrap_err();
    assert!(
        matches!(&error, Error::Control { code, .. } if code == "forbidden"),
        "{error:?}"
    );
    emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn deleting_a_tenant_deletes_its_database_file() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("world.db");
    let emu = spawn(Emulator::builder().database(&database)).await;
    let tenant = emu.create_tenant().await.unwrap();
    let file = dir.path().join(format!("world.db.{}", tenant.id()));
    assert!(file.exists());
    tenant.delete().await.unwrap();
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("tnt_"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn past_max_tenants_a_new_tenant_is_409_naming_the_flag_until_one_is_deleted() {
    let emu = spawn(Emulator::builder().max_tenants(3)).await;
    let admin = emu.api_key().to_owned();
    let (first, _) = new_tenant(&emu, &admin).await;
    new_tenant(&emu, &admin).await;
    let error = api_error(
        client(&admin)
            .post(url(&emu, "/_emulator/tenants"))
            .json(&json!({})),
        StatusCode::CONFLICT,
        ErrorCode::Conflict,
    )
    .await;
    assert!(error.message.contains("--max-tenants"), "{error:?}");
    assert!(error.message.contains('3'), "{error:?}");
    let error = emu.create_tenant().await.unwrap_err();
    assert!(
        matches!(&error, Error::Control { code, .. } if code == "conflict"),
        "{error:?}"
    );
    let deleted = client(&admin)
        .delete(url(&emu, &format!("/_emulator/tenants/{first}")))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    new_tenant(&emu, &admin).await;
    assert_eq!(emu.tenant_count(), 3);

    // The bound itself is checked, and the start keys must fit in it.
    for builder in [
        Emulator::builder().max_tenants(0),
        Emulator::builder()
            .max_tenants(1)
            .api_key("metorial_sk_aaaaaaaaaaaaaaaa")
            .api_key("metorial_sk_bbbbbbbbbbbbbbbb"),
    ] {
        let error = builder.spawn().await.unwrap_err();
        assert!(
            matches!(
                &error,
                Error::Config {
                    option: "max_tenants",
                    ..
                }
            ),
            "{error:?}"
        );
    }
    emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_key_must_be_20_characters_of_the_live_alphabet() {
    let emu = spawn(Emulator::builder()).await;
    let admin = emu.api_key().to_owned();
    for bad in [
        "short",
        "metorial_sk_1234567",
        "metorial-sk-12345678901234",
        "metorial_sk_12345678901234 ",
        "",
    ] {
        let error = api_error(
            client(&admin)
                .post(url(&emu, "/_emulator/tenants"))
                .json(&json!({"api_key": bad})),
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidData,
        )
        .await;
        assert_eq!(first_failure(&error).1, vec![PathSegment::from("api_key")]);
        assert!(error.message.contains("20 to 256 characters"), "{error:?}");
    }
    let good = "metorial_sk_1234567890";
    let made: Value = call(
        client(&admin)
            .post(url(&emu, "/_emulator/tenants"))
            .json(&json!({"api_key": good})),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(made["api_key"], good);
    let error = Emulator::builder()
        .api_key("short")
        .spawn()
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Config { option: "api_key", message } if message.contains("20 to 256 characters")),
        "{error:?}"
    );
    assert!(!error.to_string().contains("short"), "{error}");
    emu.shutdown().await.unwrap();
}
