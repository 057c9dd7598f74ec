//! The end-to-end benchmarks, run by `cargo xtask bench`; each subcommand prints one JSON
//! object of measurements on stdout.
//!
//! - `client [--quick]`: the SDK's `get` versus plain reqwest + serde_json against a local
//!   server returning a fixed body, one at a time and 16 at a time.
//! - `paginate [--quick]`: an emulator holding 50,000 setup sessions; a child process streams
//!   5,000 and then all 50,000 of them through `list_all` (page size 100) and reports its
//!   peak resident memory.
//! - `emulator [--quick]`: GET by ID and filtered lists with 8 concurrent connections, at
//!   1,000 and at 100,000 stored setup sessions.

mod emulator;

use std::sync::Arc;
use std::time::{Duration, Instant};

use metorial_bench::{SESSION, median};
use metorial_models::ProviderSetupSession;

const KEY: &str = "metorial_sk_bench";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let result = match args.first().map(String::as_str) {
        Some("client") => runtime.block_on(client(quick)),
        Some("paginate") => runtime.block_on(emulator::paginate(quick)),
        Some("paginate-client") => runtime.block_on(emulator::paginate_client(&args[1..])),
        Some("emulator") => runtime.block_on(emulator::load(quick)),
        _ => {
            eprintln!("usage: metorial-bench client|paginate|emulator [--quick]");
            std::process::exit(2);
        }
    };
    println!("{result}");
}

/// A server answering every GET with the docs' setup session.
async fn fixed_server() -> String {
    let app = axum::Router::new().route(
        "/provider-setup-sessions/{id}",
        axum::routing::get(|| async {
            (
                [(axum::http::header::CONTENT_TYPE, "application/json")],
                SESSION,
            )
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let url = format!("http://{}", listener.local_addr().expect("an address"));
    tokio::spawn(async move { axum::serve(listener, app).await.expect("the server runs") });
    url
}

/// The baseline: what a hand-written call would do.
async fn plain_get(http: &reqwest::Client, url: &str) -> ProviderSetupSession {
    let body = http
        .get(format!(
            "{url}/provider-setup-sessions/pas_6eFgHjKlMnPqRsTu"
        ))
        .bearer_auth(KEY)
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .expect("the server answers")
        .bytes()
        .await
        .expect("a body");
    serde_json::from_slice(&body).expect("a session")
}

/// The generated client alone, without the SDK's transport (to tell their costs apart).
async fn generated_get(client: &metorial_client::Client) -> ProviderSetupSession {
    client
        .get_provider_setup_session()
        .provider_setup_session_id("pas_6eFgHjKlMnPqRsTu")
        .send()
        .await
        .expect("a session")
        .into_inner()
}

async fn sdk_get(metorial: &metorial::Metorial) -> ProviderSetupSession {
    metorial
        .setup_sessions()
        .get("pas_6eFgHjKlMnPqRsTu")
        .await
        .expect("a session")
}

async fn client(quick: bool) -> serde_json::Value {
    let url = fixed_server().await;
    let http = reqwest::Client::new();
    let metorial = metorial::Metorial::builder()
        .api_key(KEY)
        .base_url(&url)
        .http_client(reqwest::Client::new())
        .build()
        .expect("a client");

    // Latency: alternate the two, so both see the same machine noise.
    let rounds = if quick { 2_000 } else { 10_000 };
    for _ in 0..200 {
        sdk_get(&metorial).await;
        plain_get(&http, &url).await;
    }
    let (mut sdk, mut plain) = (Vec::with_capacity(rounds), Vec::with_capacity(rounds));
    for _ in 0..rounds {
        let started = Instant::now();
        std::hint::black_box(sdk_get(&metorial).await);
        sdk.push(started.elapsed());
        let started = Instant::now();
        std::hint::black_box(plain_get(&http, &url).await);
        plain.push(started.elapsed());
    }
    let (sdk_median, plain_median) = (median(&mut sdk), median(&mut plain));

    // Throughput at 16 concurrent requests, alternating runs.
    let window = if quick {
        Duration::from_secs(1)
    } else {
        Duration::from_secs(3)
    };
    let generated = metorial_client::Client::new_with_client(
        &url,
        reqwest::Client::new(),
        metorial_client::Hooks::default(),
    );
    let (mut sdk_rps, mut plain_rps, mut generated_rps) = (Vec::new(), Vec::new(), Vec::new());
    let generated_run = || {
        let g = generated.clone();
        throughput(window, move || {
            let g = g.clone();
            async move {
                generated_get(&g).await;
            }
        })
    };
    let sdk_run = || {
        let m = metorial.clone();
        throughput(window, move || {
            let m = m.clone();
            async move {
                sdk_get(&m).await;
            }
        })
    };
    let plain_run = || {
        let (h, u) = (http.clone(), Arc::new(url.clone()));
        throughput(window, move || {
            let (h, u) = (h.clone(), u.clone());
            async move {
                plain_get(&h, &u).await;
            }
        })
    };
    // Alternate which goes first, so neither always runs on a warmer machine.
    for round in 0..if quick { 4 } else { 6 } {
        if round % 2 == 0 {
            sdk_rps.push(sdk_run().await);
            plain_rps.push(plain_run().await);
            generated_rps.push(generated_run().await);
        } else {
            generated_rps.push(generated_run().await);
            plain_rps.push(plain_run().await);
            sdk_rps.push(sdk_run().await);
        }
    }
    let middle = |v: &[f64]| {
        let mut v = v.to_vec();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    serde_json::json!({
        "client_overhead_ratio": sdk_median.as_secs_f64() / plain_median.as_secs_f64(),
        "client_throughput_ratio": middle(&sdk_rps) / middle(&plain_rps),
        "client_sdk_median_us": sdk_median.as_secs_f64() * 1e6,
        "client_baseline_median_us": plain_median.as_secs_f64() * 1e6,
        "client_sdk_rps": middle(&sdk_rps),
        "client_baseline_rps": middle(&plain_rps),
        "client_generated_only_rps": middle(&generated_rps),
    })
}

/// Requests per second with 16 tasks sending back to back for `window`.
async fn throughput<F, Fut>(window: Duration, request: F) -> f64
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let deadline = Instant::now() + window;
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let request = request.clone();
            tokio::spawn(async move {
                let mut n = 0u64;
                while Instant::now() < deadline {
                    request().await;
                    n += 1;
                }
                n
            })
        })
        .collect();
    let mut total = 0;
    for task in tasks {
        total += task.await.expect("the task finishes");
    }
    total as f64 / window.as_secs_f64()
}
