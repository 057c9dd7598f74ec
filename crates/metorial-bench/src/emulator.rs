//! Benchmarks that run against the emulator: pagination through the SDK, and the emulator's
//! load figures (GET by ID and filtered lists, next to its floor).

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use metorial_bench::{median, peak_rss_kib, percentile};
use metorial_emulator::Emulator;

use crate::floor::{self, Rounds, Versus};
use crate::traffic::{self, PROVIDER, Target};

/// Creates `n` setup sessions through the API, 16 at a time; returns their IDs, sorted.
pub(crate) async fn seed(url: &str, key: &str, n: usize) -> Vec<String> {
    seed_with(url, key, n, 16).await
}

/// Creates `n` setup sessions through the API, `concurrency` at a time; returns their IDs,
/// sorted.
pub(crate) async fn seed_with(url: &str, key: &str, n: usize, concurrency: usize) -> Vec<String> {
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
        .buffer_unordered(concurrency);
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

/// Connections of the load generator in the load figures.
const CONNECTIONS: usize = 8;

/// Load: GET by ID and filtered lists, 8 connections, at 1,000 and 100,000 rows; at 100,000
/// also next to the floor (see [`floor`]).
pub async fn load(quick: bool) -> serde_json::Value {
    let emulator = Emulator::builder()
        .spawn()
        .await
        .expect("the emulator starts");
    let target = Target::new(emulator.base_url(), emulator.api_key(), CONNECTIONS);
    let requests = if quick { 2_000 } else { 10_000 };

    let mut ids = seed(&target.base, emulator.api_key(), 1_000).await;
    let get_small = get_rps(&target, &ids, quick).await;
    let small = list_latency(&target, &ids, requests / 4).await;
    let started = Instant::now();
    ids.extend(seed(&target.base, emulator.api_key(), 99_000).await);
    ids.sort();
    eprintln!("seeded 100,000 sessions in {:?}", started.elapsed());
    let large = list_latency(&target, &ids, requests / 4).await;
    let floors = against_floor(&target, &ids, quick).await;
    emulator.shutdown().await.expect("the emulator stops");

    let mut figures = serde_json::json!({
        "emulator_list_p99_ms": large.p99.as_secs_f64() * 1e3,
        "emulator_list_scaling_ratio": large.median.as_secs_f64() / small.median.as_secs_f64(),
        "emulator_get_rps_1000": get_small,
        "emulator_list_median_ms_1000": small.median.as_secs_f64() * 1e3,
        "emulator_list_median_ms_100000": large.median.as_secs_f64() * 1e3,
        "emulator_list_p99_ms_1000": small.p99.as_secs_f64() * 1e3,
    });
    figures
        .as_object_mut()
        .expect("an object")
        .extend(floors.figures());
    figures
}

/// The median and 99th percentile of list latencies.
struct Latency {
    /// The median.
    median: Duration,
    /// The 99th percentile.
    p99: Duration,
}

/// The latency of `n` lists of 100 after spread-out IDs, filtered, 8 at a time.
async fn list_latency(target: &Target, ids: &[String], n: usize) -> Latency {
    let paths = traffic::list_paths(ids, 100, n);
    let mut samples = traffic::latencies(target, &paths, CONNECTIONS).await;
    Latency {
        median: median(&mut samples),
        p99: percentile(&mut samples, 99.0),
    }
}

/// GETs by ID per second over 8 connections (the median of a few windows).
async fn get_rps(target: &Target, ids: &[String], quick: bool) -> f64 {
    let paths: Arc<[String]> = traffic::get_paths(ids, 2_000).into();
    let how = rounds(quick);
    let mut rps = Vec::new();
    for _ in 0..how.rounds {
        rps.push(traffic::rps(target, &paths, CONNECTIONS, how.window).await);
    }
    metorial_bench::median_f64(&rps)
}

/// The comparison's settings: 8 connections; 1 s windows, 3 rounds when quick, else 2 s, 5.
fn rounds(quick: bool) -> Rounds {
    Rounds {
        connections: CONNECTIONS,
        window: Duration::from_secs(if quick { 1 } else { 2 }),
        rounds: if quick { 3 } else { 5 },
    }
}

/// The emulator next to its floor, for each request family.
struct Floors {
    /// GET by ID.
    get: Versus,
    /// Lists of 20.
    list_20: Versus,
    /// Lists of 100.
    list_100: Versus,
}

/// How many distinct paths each family cycles through (lists: their bodies are kept in memory,
/// 170 KB each at a limit of 100).
const DISTINCT_GETS: usize = 2_000;
/// See [`DISTINCT_GETS`].
const DISTINCT_LISTS: usize = 200;

/// Records the emulator's answers to every measured request, serves them from a floor, and
/// measures both alternately.
async fn against_floor(emulator: &Target, ids: &[String], quick: bool) -> Floors {
    let gets: Arc<[String]> = traffic::get_paths(ids, DISTINCT_GETS).into();
    let lists_20: Arc<[String]> = traffic::list_paths(ids, 20, DISTINCT_LISTS).into();
    let lists_100: Arc<[String]> = traffic::list_paths(ids, 100, DISTINCT_LISTS).into();
    let all = gets.iter().chain(lists_20.iter()).chain(lists_100.iter());
    let server = floor::record_and_serve(emulator, all).await;
    let floor = Target::new(&server.url, "metorial_sk_floor", CONNECTIONS);
    let how = rounds(quick);
    Floors {
        get: floor::compare(emulator, &floor, &gets, how).await,
        list_20: floor::compare(emulator, &floor, &lists_20, how).await,
        list_100: floor::compare(emulator, &floor, &lists_100, how).await,
    }
}

impl Floors {
    /// The summary's keys: each ratio, the lower list ratio, and every rate.
    fn figures(&self) -> serde_json::Map<String, serde_json::Value> {
        [
            ("emulator_get_floor_ratio", self.get.ratio()),
            (
                "emulator_list_floor_ratio",
                self.list_20.ratio().min(self.list_100.ratio()),
            ),
            ("emulator_list_floor_ratio_20", self.list_20.ratio()),
            ("emulator_list_floor_ratio_100", self.list_100.ratio()),
            ("emulator_get_rps", self.get.emulator),
            ("emulator_get_floor_rps", self.get.floor),
            ("emulator_list_rps_20", self.list_20.emulator),
            ("emulator_list_floor_rps_20", self.list_20.floor),
            ("emulator_list_rps_100", self.list_100.emulator),
            ("emulator_list_floor_rps_100", self.list_100.floor),
        ]
        .into_iter()
        .map(|(key, value)| (key.to_owned(), serde_json::json!(value)))
        .collect()
    }
}
