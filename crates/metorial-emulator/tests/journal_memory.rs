//! The request journal's memory stays flat: 100,000 requests, each with a 2 KiB body the
//! journal keeps, against a journal of 1,000 entries. Unbounded, the bodies alone would take
//! about 200 MB; the resident memory measured between the 20,000th and the 100,000th request
//! must grow by less than a tenth of that.

use std::time::Instant;

use metorial_emulator::Emulator;
use metorial_emulator::control::JournalQuery;

/// Requests sent in all.
const REQUESTS: usize = 100_000;
/// When the first measurement is taken (the journal is long full by then).
const WARM: usize = 20_000;
/// Requests in flight at once.
const CONNECTIONS: usize = 8;
/// The largest growth of resident memory allowed after [`WARM`], in bytes.
const MAX_GROWTH: u64 = 20 * 1024 * 1024;

/// The process's resident memory in bytes (Linux), or `None` where it cannot be read.
fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Sends `count` invalid creates (400, body kept by the journal) over [`CONNECTIONS`]
/// connections.
async fn send(http: &reqwest::Client, url: &str, key: &str, body: &str, count: usize) {
    let mut tasks = tokio::task::JoinSet::new();
    for worker in 0..CONNECTIONS {
        let (http, url, key, body) = (
            http.clone(),
            url.to_owned(),
            key.to_owned(),
            body.to_owned(),
        );
        let share = count / CONNECTIONS + usize::from(worker < count % CONNECTIONS);
        tasks.spawn(async move {
            for _ in 0..share {
                let response = http
                    .post(&url)
                    .bearer_auth(&key)
                    .header("content-type", "application/json")
                    .body(body.clone())
                    .send()
                    .await
                    .expect("the request is answered");
                assert_eq!(response.status(), 400);
                response.bytes().await.expect("the body is read");
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("a worker finished");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_journal_of_a_100000_request_run_stays_within_its_bound() {
    if resident_bytes().is_none() {
        eprintln!("skipped: resident memory is only measured on Linux (/proc/self/status)");
        return;
    }
    let emulator = Emulator::builder()
        .journal_size(1000)
        .spawn()
        .await
        .expect("the emulator starts");
    let tenant = emulator.tenant();
    let url = format!("{}/provider-setup-sessions", emulator.base_url());
    // `provider_id` of the wrong type: refused before anything is stored, body journaled.
    let body = format!(r#"{{"provider_id": 1, "name": "{}"}}"#, "x".repeat(2048));
    let http = reqwest::Client::new();
    let started = Instant::now();

    send(&http, &url, tenant.api_key(), &body, WARM).await;
    let warm = resident_bytes().expect("measured above");
    send(&http, &url, tenant.api_key(), &body, REQUESTS - WARM).await;
    let end = resident_bytes().expect("measured above");

    let view = tenant.journal(&JournalQuery::default());
    assert_eq!(view.recorded, REQUESTS as u64);
    assert_eq!(view.entries.len(), 1000);
    assert_eq!(view.dropped, (REQUESTS - 1000) as u64);
    assert!(
        view.entries
            .iter()
            .all(|e| e.body.as_deref() == Some(body.as_str()))
    );
    let growth = end.saturating_sub(warm);
    eprintln!(
        "{REQUESTS} requests in {:.1} s; resident memory {:.1} MiB after {WARM}, {:.1} MiB \
         after {REQUESTS} (growth {:.1} MiB; unbounded, the bodies alone would be {:.0} MiB)",
        started.elapsed().as_secs_f64(),
        warm as f64 / 1048576.0,
        end as f64 / 1048576.0,
        growth as f64 / 1048576.0,
        (REQUESTS * body.len()) as f64 / 1048576.0,
    );
    assert!(
        growth < MAX_GROWTH,
        "resident memory grew by {growth} bytes between request {WARM} and {REQUESTS}"
    );
    emulator.shutdown().await.expect("clean shutdown");
}
