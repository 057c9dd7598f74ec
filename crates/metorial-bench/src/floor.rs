//! The floor under the emulator: a server on the emulator's own HTTP stack (a tokio accept
//! loop, hyper's HTTP/1 server with the same settings, an axum `Router`) answering, from
//! memory, the very bytes the emulator answered to the same requests. The emulator's requests
//! per second over the floor's is what its own work (routing, the guard, the store, encoding)
//! leaves of what the stack and the load generator can do on this machine.

use std::collections::HashMap;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use metorial_bench::median_f64;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tower::Service as _;

use crate::traffic::{self, Target};

/// The emulator's header timeout (its default), kept by the floor's HTTP/1 settings.
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// The emulator's head buffer per connection (`MAX_HEAD_BUFFER` in its server).
const HEAD_BUFFER: usize = 256 * 1024;

/// One recorded answer: its content type and body.
#[derive(Clone)]
struct Recorded {
    /// The `Content-Type` the emulator sent.
    content_type: Option<HeaderValue>,
    /// The body, byte for byte.
    body: Bytes,
}

/// The emulator's answers, by path and query.
type Answers = Arc<HashMap<String, Recorded>>;

/// A running floor server; it stops when dropped.
pub(crate) struct Floor {
    /// Its base URL.
    pub(crate) url: String,
    /// Stops the accept loop when dropped.
    _stop: oneshot::Sender<()>,
}

/// Fetches each of `paths` once from `emulator` and starts a floor answering them.
pub(crate) async fn record_and_serve<'a>(
    emulator: &Target,
    paths: impl IntoIterator<Item = &'a String>,
) -> Floor {
    let mut answers = HashMap::new();
    for path in paths {
        if answers.contains_key(path) {
            continue;
        }
        let (content_type, body) = emulator.fetch(path).await;
        let recorded = Recorded { content_type, body };
        answers.insert(path.clone(), recorded);
    }
    let bytes: usize = answers.values().map(|recorded| recorded.body.len()).sum();
    eprintln!("floor: {} answers recorded, {bytes} bytes", answers.len());
    serve(Arc::new(answers)).await
}

/// Serves `answers` on an ephemeral loopback port.
async fn serve(answers: Answers) -> Floor {
    let app = Router::new().fallback(answer).with_state(answers);
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let url = format!("http://{}", listener.local_addr().expect("an address"));
    let (stop, stopped) = oneshot::channel();
    tokio::spawn(accept_loop(listener, app, stopped));
    Floor { url, _stop: stop }
}

/// The recorded answer to the request's path and query; 404 when none was recorded.
async fn answer(State(answers): State<Answers>, uri: Uri) -> Response {
    let key = uri.path_and_query().map_or("", |target| target.as_str());
    match answers.get(key) {
        Some(recorded) => {
            let mut response = recorded.body.clone().into_response();
            if let Some(content_type) = &recorded.content_type {
                response
                    .headers_mut()
                    .insert(CONTENT_TYPE, content_type.clone());
            }
            response
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// Accepts connections until `stopped` fires or its sender is dropped, serving each as the
/// emulator does.
async fn accept_loop(listener: TcpListener, app: Router, mut stopped: oneshot::Receiver<()>) {
    let mut settings = http1::Builder::new();
    settings
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT)
        .max_header_size(HEAD_BUFFER)
        .max_buf_size(HEAD_BUFFER);
    loop {
        tokio::select! {
            _ = &mut stopped => break,
            accepted = listener.accept() => {
                if let Ok((stream, _peer)) = accepted {
                    serve_connection(&settings, stream, app.clone());
                }
            }
        }
    }
}

/// Serves one connection in its own task (no Nagle delay, as the emulator).
fn serve_connection(settings: &http1::Builder, stream: TcpStream, app: Router) {
    let _ = stream.set_nodelay(true);
    let service = service_fn(move |request: Request<Incoming>| app.clone().call(request));
    let connection = settings.serve_connection(TokioIo::new(stream), service);
    tokio::spawn(async move {
        // A client closing its connection mid-request is no concern of the benchmark.
        let _ = pin!(connection).await;
    });
}

/// Requests per second of the emulator and of its floor over the same paths.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Versus {
    /// The emulator's (median of the rounds).
    pub(crate) emulator: f64,
    /// The floor's (median of the rounds).
    pub(crate) floor: f64,
}

impl Versus {
    /// The emulator's requests per second over the floor's.
    pub(crate) fn ratio(self) -> f64 {
        self.emulator / self.floor
    }
}

/// How the two are compared.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rounds {
    /// Concurrent connections (and tasks) of the load generator.
    pub(crate) connections: usize,
    /// How long each measurement sends.
    pub(crate) window: Duration,
    /// How many measurements of each.
    pub(crate) rounds: usize,
}

/// Measures `emulator` and `floor` alternately on `paths` (the one going first alternating
/// too, so neither always runs on a warmer machine); the median of each.
pub(crate) async fn compare(
    emulator: &Target,
    floor: &Target,
    paths: &Arc<[String]>,
    how: Rounds,
) -> Versus {
    let (mut emulator_rps, mut floor_rps) = (Vec::new(), Vec::new());
    for round in 0..how.rounds {
        let measure = |target| traffic::rps(target, paths, how.connections, how.window);
        if round % 2 == 0 {
            emulator_rps.push(measure(emulator).await);
            floor_rps.push(measure(floor).await);
        } else {
            floor_rps.push(measure(floor).await);
            emulator_rps.push(measure(emulator).await);
        }
    }
    Versus {
        emulator: median_f64(&emulator_rps),
        floor: median_f64(&floor_rps),
    }
}

#[cfg(test)]
mod tests {
    use metorial_emulator::Emulator;

    use super::*;
    use crate::emulator::seed;
    use crate::traffic::{get_paths, list_paths};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_floor_answers_the_emulators_very_bytes() {
        let emulator = Emulator::builder().spawn().await.unwrap();
        let ids = seed(emulator.base_url(), emulator.api_key(), 30).await;
        let target = Target::new(emulator.base_url(), emulator.api_key(), 2);
        let paths: Vec<String> = get_paths(&ids, 5)
            .into_iter()
            .chain(list_paths(&ids, 20, 3))
            .collect();
        let server = record_and_serve(&target, &paths).await;
        let floor = Target::new(&server.url, "metorial_sk_floor", 2);
        for path in &paths {
            let (floor_type, floor_body) = floor.fetch(path).await;
            let (type_, body) = target.fetch(path).await;
            assert_eq!(floor_body, body, "{path}");
            assert_eq!(floor_type, type_, "{path}");
        }
        let unknown = reqwest::get(format!("{}/provider-setup-sessions/nope", server.url))
            .await
            .unwrap();
        assert_eq!(unknown.status(), 404);

        let how = Rounds {
            connections: 2,
            window: Duration::from_millis(100),
            rounds: 2,
        };
        let versus = compare(&target, &floor, &paths.into(), how).await;
        assert!(versus.emulator > 0.0 && versus.floor > 0.0, "{versus:?}");
        emulator.shutdown().await.unwrap();
    }
}
