//! The end-to-end benchmarks, run by `cargo xtask bench`; each subcommand prints one JSON
//! object of measurements on stdout.
//!
//! - `client [--quick]`: the SDK's `get` versus plain reqwest + serde_json against a local
//!   server returning a fixed body, one at a time and 16 at a time.
//! - `paginate [--quick]`: an emulator holding 50,000 setup sessions; a child process streams
//!   5,000 and then all 50,000 of them through `list_all` (page size 100) and reports its
//!   peak resident memory.
//! - `emulator [--quick]`: GET by ID and filtered lists with 8 concurrent connections, at
//!   1,000 and at 100,000 stored setup sessions; at 100,000 also next to their floor (the same
//!   HTTP stack answering the emulator's recorded bytes from memory).
//! - `scale [--quick] --out DIR`: list latency and memory from 1,000 to 1,000,000 stored
//!   sessions, throughput from 1 to 64 connections; writes a table, JSON and charts into `DIR`.

mod emulator;
mod floor;
mod plot;
mod scale;
mod traffic;

use std::time::{Duration, Instant};

use metorial_bench::{SESSION, median, median_f64};
use metorial_models::ProviderSetupSession;
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderMap, HeaderName, HeaderValue, USER_AGENT};

/// The API key the clients send (the fixed server does not check it).
const KEY: &str = "metorial_sk_bench";

/// Runs the subcommand named by the first argument; prints its JSON object.
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
        Some("scale") => runtime.block_on(scale::run(&args[1..])),
        _ => {
            eprintln!("usage: metorial-bench client|paginate|emulator|scale [--quick]");
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

/// The baseline: a hand-written call as fast as reqwest allows (the URL parsed and the
/// headers built once, the body read whole and decoded with `serde_json::from_slice`).
#[derive(Clone)]
struct Plain {
    /// The client.
    http: reqwest::Client,
    /// The session's URL, parsed.
    url: reqwest::Url,
    /// `Authorization` and `Accept`.
    headers: HeaderMap,
}

impl Plain {
    /// A baseline against the server at `base`.
    fn new(base: &str) -> Self {
        let url = format!("{base}/provider-setup-sessions/pas_6eFgHjKlMnPqRsTu");
        let mut headers = HeaderMap::new();
        let bearer = HeaderValue::from_str(&format!("Bearer {KEY}")).expect("a header value");
        headers.insert(AUTHORIZATION, bearer);
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        Self {
            http: reqwest::Client::new(),
            url: url.parse().expect("a URL"),
            headers,
        }
    }

    /// One GET of the session.
    async fn get(&self) -> ProviderSetupSession {
        let mut request = reqwest::Request::new(reqwest::Method::GET, self.url.clone());
        *request.headers_mut() = self.headers.clone();
        let body = self
            .http
            .execute(request)
            .await
            .expect("the server answers")
            .bytes()
            .await
            .expect("a body");
        serde_json::from_slice(&body).expect("a session")
    }
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

/// The SDK's call.
async fn sdk_get(metorial: &metorial::Metorial) -> ProviderSetupSession {
    metorial
        .setup_sessions()
        .get("pas_6eFgHjKlMnPqRsTu")
        .await
        .expect("a session")
}

/// The ways of getting a session, against one server.
struct Clients {
    /// The SDK.
    sdk: metorial::Metorial,
    /// The generated client alone.
    generated: metorial_client::Client,
    /// The generated client sending the three headers the SDK adds (`Authorization`,
    /// `User-Agent`, `Metorial-Version`) as its reqwest client's defaults: what the SDK's
    /// headers cost (the server here parses them too), apart from its code.
    generated_with_headers: metorial_client::Client,
    /// Plain reqwest.
    plain: Plain,
}

impl Clients {
    /// Each with its own reqwest client (same settings), against `url`.
    fn new(url: &str) -> Self {
        Self {
            sdk: metorial::Metorial::builder()
                .api_key(KEY)
                .base_url(url)
                .http_client(reqwest::Client::new())
                .build()
                .expect("a client"),
            generated: metorial_client::Client::new_with_client(
                url,
                reqwest::Client::new(),
                metorial_client::Hooks::default(),
            ),
            generated_with_headers: metorial_client::Client::new_with_client(
                url,
                sdk_headers_client(),
                metorial_client::Hooks::default(),
            ),
            plain: Plain::new(url),
        }
    }
}

/// A reqwest client sending the SDK's three headers with every request.
fn sdk_headers_client() -> reqwest::Client {
    let mut headers = HeaderMap::new();
    let bearer = HeaderValue::from_str(&format!("Bearer {KEY}")).expect("a header value");
    headers.insert(AUTHORIZATION, bearer);
    let agent = concat!("metorial-rust/", env!("CARGO_PKG_VERSION"));
    headers.insert(USER_AGENT, HeaderValue::from_static(agent));
    let version = HeaderValue::from_static(metorial_client::api_version());
    headers.insert(HeaderName::from_static("metorial-version"), version);
    reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .expect("a client")
}

/// The SDK against the generated client and plain reqwest, on a local server returning the
/// docs' session: latency one at a time, throughput 16 at a time.
async fn client(quick: bool) -> serde_json::Value {
    let url = fixed_server().await;
    let clients = Clients::new(&url);
    let medians = latency(&clients, if quick { 2_000 } else { 10_000 }).await;
    let (sdk_median, plain_median) = (medians.sdk, medians.plain);
    let rates = throughputs(&clients, quick).await;
    serde_json::json!({
        "client_overhead_ratio": sdk_median.as_secs_f64() / plain_median.as_secs_f64(),
        "client_throughput_ratio": rates.sdk / rates.plain,
        "client_vs_generated_ratio": rates.sdk / rates.generated,
        "client_sdk_median_us": sdk_median.as_secs_f64() * 1e6,
        "client_baseline_median_us": plain_median.as_secs_f64() * 1e6,
        "client_sdk_rps": rates.sdk,
        "client_baseline_rps": rates.plain,
        "client_generated_only_rps": rates.generated,
        "client_generated_with_headers_rps": rates.generated_with_headers,
        "client_vs_generated_with_headers_ratio": rates.sdk / rates.generated_with_headers,
        "client_generated_with_headers_median_us": medians.generated_with_headers.as_secs_f64() * 1e6,
    })
}

/// Median latencies, one call at a time.
struct Medians {
    /// The SDK's.
    sdk: Duration,
    /// Plain reqwest's.
    plain: Duration,
    /// The generated client's, sending the SDK's headers (a diagnostic: the SDK's floor).
    generated_with_headers: Duration,
}

/// The median latency of the SDK, of plain reqwest and of the generated client sending the
/// SDK's headers over `rounds` calls each, in turns (so all see the same machine noise), after
/// a warm-up.
async fn latency(clients: &Clients, rounds: usize) -> Medians {
    for _ in 0..200 {
        sdk_get(&clients.sdk).await;
        clients.plain.get().await;
        generated_get(&clients.generated_with_headers).await;
    }
    let (mut sdk, mut plain) = (Vec::with_capacity(rounds), Vec::with_capacity(rounds));
    let mut headers = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let started = Instant::now();
        std::hint::black_box(sdk_get(&clients.sdk).await);
        sdk.push(started.elapsed());
        let started = Instant::now();
        std::hint::black_box(clients.plain.get().await);
        plain.push(started.elapsed());
        let started = Instant::now();
        std::hint::black_box(generated_get(&clients.generated_with_headers).await);
        headers.push(started.elapsed());
    }
    Medians {
        sdk: median(&mut sdk),
        plain: median(&mut plain),
        generated_with_headers: median(&mut headers),
    }
}

/// Requests per second of each client (medians over alternating rounds).
struct Rates {
    /// The SDK's.
    sdk: f64,
    /// The generated client's alone.
    generated: f64,
    /// The generated client's, sending the SDK's headers.
    generated_with_headers: f64,
    /// Plain reqwest's.
    plain: f64,
}

/// Throughput at 16 concurrent requests: the three in turn, the order reversed every other
/// round so none always runs on a warmer machine; the median of each.
async fn throughputs(clients: &Clients, quick: bool) -> Rates {
    let window = Duration::from_secs(if quick { 1 } else { 3 });
    let sdk_run = || {
        let m = clients.sdk.clone();
        throughput(window, move || {
            let m = m.clone();
            async move {
                sdk_get(&m).await;
            }
        })
    };
    let generated_run = || {
        let g = clients.generated.clone();
        throughput(window, move || {
            let g = g.clone();
            async move {
                generated_get(&g).await;
            }
        })
    };
    let plain_run = || {
        let p = clients.plain.clone();
        throughput(window, move || {
            let p = p.clone();
            async move {
                p.get().await;
            }
        })
    };
    let headers_run = || {
        let g = clients.generated_with_headers.clone();
        throughput(window, move || {
            let g = g.clone();
            async move {
                generated_get(&g).await;
            }
        })
    };
    let (mut sdk, mut plain, mut generated, mut headers) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for round in 0..if quick { 4 } else { 6 } {
        if round % 2 == 0 {
            sdk.push(sdk_run().await);
            plain.push(plain_run().await);
            generated.push(generated_run().await);
            headers.push(headers_run().await);
        } else {
            headers.push(headers_run().await);
            generated.push(generated_run().await);
            plain.push(plain_run().await);
            sdk.push(sdk_run().await);
        }
    }
    Rates {
        sdk: median_f64(&sdk),
        generated: median_f64(&generated),
        generated_with_headers: median_f64(&headers),
        plain: median_f64(&plain),
    }
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
