//! Tenants end: a suite that makes a tenant per test, uses it and deletes it leaves the
//! emulator's memory where it started. 10,000 create-use-delete cycles over HTTP (as a suite
//! in any language would run them), after a warm-up; the resident memory after them must be
//! within 10% of the memory before. Also measures what one live tenant costs (printed; the
//! figure in BENCHMARKS.md comes from here).

use std::time::Instant;

use metorial_emulator::Emulator;
use serde_json::Value;

/// Cycles measured.
const CYCLES: usize = 10_000;
/// Cycles run before the first measurement: the allocator's arenas (one per thread that
/// opened or closed a database) settle within a few thousand cycles. Measured once over
/// 40,000 cycles after 1,000 of warm-up: 23.0 MiB, then 24.8 MiB after 5,000 more, and flat
/// (25.0 +- 0.1 MiB) for the remaining 35,000.
const WARM: usize = 3_000;
/// Tenants held at once to measure one tenant's cost.
const HELD: usize = 500;
/// Cycles in flight at once.
const WORKERS: usize = 4;

/// The process's resident memory in bytes (Linux), or `None` where it cannot be read.
fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// The answer's JSON body, after checking its status.
async fn json(request: reqwest::RequestBuilder, status: u16) -> Value {
    let response = request.send().await.expect("the request is answered");
    assert_eq!(response.status().as_u16(), status);
    response.json().await.expect("a JSON body")
}

/// One cycle: a new tenant over HTTP, a list and a create in it, then its deletion; its key
/// answers 401 afterwards.
async fn cycle(http: &reqwest::Client, base: &str, admin: &str) {
    let made = json(
        http.post(format!("{base}/_emulator/tenants"))
            .bearer_auth(admin)
            .json(&serde_json::json!({})),
        201,
    )
    .await;
    let (id, key) = (
        made["id"].as_str().expect("an id"),
        made["api_key"].as_str().expect("a key"),
    );
    let sessions = format!("{base}/provider-setup-sessions");
    json(http.get(&sessions).bearer_auth(key), 200).await;
    json(
        http.post(&sessions)
            .bearer_auth(key)
            .json(&serde_json::json!({"provider_id": "pro_5gHjKlMnPqRsTuVw"})),
        200,
    )
    .await;
    let deleted = http
        .delete(format!("{base}/_emulator/tenants/{id}"))
        .bearer_auth(key)
        .send()
        .await
        .expect("answered");
    assert_eq!(deleted.status(), 204);
    let after = http.get(&sessions).bearer_auth(key).send().await.unwrap();
    assert_eq!(after.status(), 401);
}

/// Runs `count` cycles over [`WORKERS`] concurrent workers.
async fn cycles(http: &reqwest::Client, base: &str, admin: &str, count: usize) {
    let mut tasks = tokio::task::JoinSet::new();
    for worker in 0..WORKERS {
        let (http, base, admin) = (http.clone(), base.to_owned(), admin.to_owned());
        let share = count / WORKERS + usize::from(worker < count % WORKERS);
        tasks.spawn(async move {
            for _ in 0..share {
                cycle(&http, &base, &admin).await;
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("a worker finished");
    }
}

/// MiB, for the report.
fn mib(bytes: u64) -> f64 {
    bytes as f64 / 1048576.0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_create_use_delete_cycles_leave_memory_where_it_was() {
    if resident_bytes().is_none() {
        eprintln!("skipped: resident memory is only measured on Linux (/proc/self/status)");
        return;
    }
    let emulator = Emulator::builder()
        .spawn()
        .await
        .expect("the emulator starts");
    let (base, admin) = (
        emulator.base_url().to_owned(),
        emulator.api_key().to_owned(),
    );
    let http = reqwest::Client::new();

    cycles(&http, &base, &admin, WARM).await;
    let before = resident_bytes().expect("measured above");
    let started = Instant::now();
    cycles(&http, &base, &admin, CYCLES).await;
    let took = started.elapsed();
    let after = resident_bytes().expect("measured above");
    assert_eq!(emulator.tenant_count(), 1, "every cycle's tenant is gone");

    // One tenant's cost: HELD tenants made (and used once) and kept.
    let mut held = Vec::with_capacity(HELD);
    for _ in 0..HELD {
        let tenant = emulator.create_tenant().await.expect("room for it");
        tenant.snapshot().await.expect("used once");
        held.push(tenant);
    }
    let holding = resident_bytes().expect("measured above");
    let per_tenant = holding.saturating_sub(after) / HELD as u64;
    eprintln!(
        "{CYCLES} create-use-delete cycles in {:.1} s ({:.2} ms each); resident memory \
         {:.1} MiB before, {:.1} MiB after; {HELD} live tenants add {:.1} MiB \
         ({:.0} KiB each)",
        took.as_secs_f64(),
        took.as_secs_f64() * 1000.0 / CYCLES as f64,
        mib(before),
        mib(after),
        mib(holding.saturating_sub(after)),
        per_tenant as f64 / 1024.0,
    );
    assert!(
        after <= before + before / 10,
        "resident memory grew from {before} to {after} bytes over {CYCLES} cycles"
    );
    for tenant in held {
        tenant.delete().await.expect("deleted");
    }
    emulator.shutdown().await.expect("clean shutdown");
}
