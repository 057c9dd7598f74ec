//! Benchmarks that run against the emulator.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use metorial_bench::{median, peak_rss_kib, percentile};
use metorial_emulator::Emulator;

/// The provider of the emulator's built-in fixtures.
const PROVIDER: &str = "pro_5gHjKlMnPqRsTuVw";

/// Creates `n` setup sessions through the API, 16 at a time; returns their IDs.
async fn seed(url: &str, key: &str, n: usize) -> Vec<String> {
    let http = reqwest::Client::new();
    let body = serde_json::json!({ "provider_id": PROVIDER }).to_string();
    let mut ids = Vec::with_capacity(n);
    let mut created = futures_util::stream::iter(0..n)
        .map(|_| {
            let (http, body) = (http.clone(), body.clone());
            let url = format!("{url}/provider-setup-sessions");
            async move {
                let response = http
                    .post(url)
                    .bearer_auth(key)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await
                    .expect("the emulator answers");
                assert!(
                    response.status().is_success(),
                    "seeding failed: {}",
                    response.status()
                );
                let session: serde_json::Value = response.json().await.expect("a session");
                session["id"].as_str().expect("an id").to_owned()
            }
        })
        .buffer_unordered(16);
    while let Some(id) = created.next().await {
        ids.push(id);
    }
    ids.sort();
    ids
}

/// Paginate: the emulator lives here; the measured client runs in a child process, so its
/// peak memory is its own.
pub async fn paginate(quick: bool) -> serde_json::Value {
    let total = 50_000;
    let emulator = Emulator::builder()
        .spawn()
        .await
        .expect("the emulator starts");
    let (url, key) = (
        emulator.base_url().to_string(),
        emulator.api_key().to_string(),
    );
    let started = Instant::now();
    seed(&url, &key, total).await;
    eprintln!("seeded {total} sessions in {:?}", started.elapsed());

    let run = |items: usize| {
        let (url, key) = (url.clone(), key.clone());
        async move {
            let output =
                tokio::process::Command::new(std::env::current_exe().expect("this program"))
                    .args(["paginate-client", &url, &key, &items.to_string()])
                    .output()
                    .await
                    .expect("the child runs");
            assert!(
                output.status.success(),
                "{}",
                String::from_utf8_lossy(&output.stderr)
            );
            let text = String::from_utf8_lossy(&output.stdout);
            serde_json::from_str::<serde_json::Value>(text.trim()).expect("the child prints JSON")
        }
    };
    let rounds = if quick { 1 } else { 3 };
    let (mut small, mut large) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        small.push(run(5_000).await);
        large.push(run(total).await);
    }
    let min = |runs: &[serde_json::Value], key: &str| {
        runs.iter()
            .filter_map(|r| r[key].as_f64())
            .fold(f64::INFINITY, f64::min)
    };
    let max = |runs: &[serde_json::Value], key: &str| {
        runs.iter()
            .filter_map(|r| r[key].as_f64())
            .fold(0.0, f64::max)
    };
    emulator.shutdown().await.expect("the emulator stops");
    serde_json::json!({
        "paginate_items_per_s": max(&large, "items_per_s"),
        "paginate_rss_ratio": min(&large, "peak_rss_kib") / min(&small, "peak_rss_kib"),
        "paginate_peak_rss_kib_5000": min(&small, "peak_rss_kib"),
        "paginate_peak_rss_kib_50000": min(&large, "peak_rss_kib"),
    })
}

/// The measured child: streams `items` sessions and reports its speed and peak memory.
pub async fn paginate_client(args: &[String]) -> serde_json::Value {
    let [url, key, items] = args else {
        panic!("usage: paginate-client URL KEY ITEMS");
    };
    let items: usize = items.parse().expect("a count");
    let metorial = metorial::Metorial::builder()
        .api_key(key)
        .base_url(url)
        .build()
        .expect("a client");
    let started = Instant::now();
    let mut stream = Box::pin(
        metorial
            .setup_sessions()
            .list_all(metorial::ListSetupSessions::new().limit(100))
            .take(items),
    );
    let mut seen = 0usize;
    while let Some(session) = stream.next().await {
        std::hint::black_box(session.expect("a session"));
        seen += 1;
    }
    assert_eq!(
        seen, items,
        "the emulator holds fewer sessions than asked for"
    );
    let secs = started.elapsed().as_secs_f64();
    serde_json::json!({
        "items": seen,
        "items_per_s": seen as f64 / secs,
        "peak_rss_kib": peak_rss_kib().unwrap_or(0) as f64,
    })
}

/// Load: GET by ID and filtered lists, 8 connections, at 1,000 and 100,000 rows.
pub async fn load(quick: bool) -> serde_json::Value {
    let emulator = Emulator::builder()
        .spawn()
        .await
        .expect("the emulator starts");
    let (url, key) = (
        emulator.base_url().to_string(),
        emulator.api_key().to_string(),
    );
    let requests = if quick { 2_000 } else { 10_000 };

    let mut ids = seed(&url, &key, 1_000).await;
    let small = measure(&url, &key, &ids, requests).await;
    let started = Instant::now();
    ids.extend(seed(&url, &key, 99_000).await);
    ids.sort();
    eprintln!("seeded 100,000 sessions in {:?}", started.elapsed());
    let large = measure(&url, &key, &ids, requests).await;
    emulator.shutdown().await.expect("the emulator stops");

    serde_json::json!({
        "emulator_get_rps": large.get_rps,
        "emulator_list_p99_ms": large.list_p99.as_secs_f64() * 1e3,
        "emulator_list_scaling_ratio": large.list_median.as_secs_f64() / small.list_median.as_secs_f64(),
        "emulator_get_rps_1000": small.get_rps,
        "emulator_list_median_ms_1000": small.list_median.as_secs_f64() * 1e3,
        "emulator_list_median_ms_100000": large.list_median.as_secs_f64() * 1e3,
        "emulator_list_p99_ms_1000": small.list_p99.as_secs_f64() * 1e3,
    })
}

struct Load {
    get_rps: f64,
    list_median: Duration,
    list_p99: Duration,
}

/// GETs `url` with the key and reads the whole body; any failure aborts the benchmark.
async fn fetch(http: &reqwest::Client, url: String, key: &str) {
    let response = http
        .get(url)
        .bearer_auth(key)
        .send()
        .await
        .expect("answers");
    assert!(response.status().is_success(), "{}", response.status());
    response.bytes().await.expect("a body");
}

async fn measure(url: &str, key: &str, ids: &[String], requests: usize) -> Load {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(8)
        .build()
        .expect("a client");
    let get = |i: usize| {
        let url = format!(
            "{url}/provider-setup-sessions/{}",
            ids[i * 7919 % ids.len()]
        );
        let http = http.clone();
        async move { fetch(&http, url, key).await }
    };
    // Warm up, then GET by ID.
    futures_util::stream::iter(0..200)
        .for_each_concurrent(8, get)
        .await;
    let started = Instant::now();
    futures_util::stream::iter(0..requests)
        .for_each_concurrent(8, get)
        .await;
    let get_rps = requests as f64 / started.elapsed().as_secs_f64();

    // Lists of 100 after a spread of positions, filtered by provider and status.
    let list = |i: usize| {
        let after = &ids[(i * 7919) % (ids.len() / 2)];
        let url = format!(
            "{url}/provider-setup-sessions?limit=100&after={after}&provider_id={PROVIDER}&status=pending&status=failed"
        );
        let http = http.clone();
        async move {
            let started = Instant::now();
            fetch(&http, url, key).await;
            started.elapsed()
        }
    };
    let mut latencies: Vec<Duration> = futures_util::stream::iter(0..requests / 4)
        .map(list)
        .buffer_unordered(8)
        .collect()
        .await;
    Load {
        get_rps,
        list_median: median(&mut latencies),
        list_p99: percentile(&mut latencies, 99.0),
    }
}
