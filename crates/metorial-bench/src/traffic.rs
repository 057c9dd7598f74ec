//! The load the emulator benchmarks send: the measured request paths (GET by ID, and filtered
//! lists after spread-out IDs), and a load generator measuring requests per second or
//! latencies over a number of connections. The floor, the emulator and the scale runs all use
//! these, so they send the very same requests with the very same client.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use futures_util::StreamExt;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};

/// The provider of the emulator's built-in fixtures.
pub(crate) const PROVIDER: &str = "pro_5gHjKlMnPqRsTuVw";

/// The stride spreading requests over the stored IDs (a prime, so it visits them all).
const STRIDE: usize = 7919;

/// `n` GET-by-ID paths, spread over `ids`.
pub(crate) fn get_paths(ids: &[String], n: usize) -> Vec<String> {
    (0..n)
        .map(|i| format!("/provider-setup-sessions/{}", ids[i * STRIDE % ids.len()]))
        .collect()
}

/// `n` list paths of `limit` items after spread-out IDs of the first half of `ids`, filtered
/// by provider and two statuses (as an application listing what is still open would).
pub(crate) fn list_paths(ids: &[String], limit: usize, n: usize) -> Vec<String> {
    let half = (ids.len() / 2).max(1);
    (0..n)
        .map(|i| {
            let after = &ids[i * STRIDE % half];
            format!(
                "/provider-setup-sessions?limit={limit}&after={after}&provider_id={PROVIDER}&status=pending&status=failed"
            )
        })
        .collect()
}

/// Where requests go and how: a server's base URL, the client, and the headers every request
/// carries (built once).
#[derive(Clone)]
pub(crate) struct Target {
    /// The base URL, without a trailing slash.
    pub(crate) base: Arc<str>,
    /// The HTTP client (its pool keeps up to `connections` idle connections).
    http: reqwest::Client,
    /// `Authorization: Bearer <key>`.
    headers: HeaderMap,
}

impl Target {
    /// A target at `base` sending `key`, with a client pooling up to `connections`
    /// connections.
    pub(crate) fn new(base: &str, key: &str, connections: usize) -> Self {
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(connections)
            .build()
            .expect("a client");
        let mut headers = HeaderMap::new();
        let bearer = HeaderValue::from_str(&format!("Bearer {key}")).expect("a header value");
        headers.insert(AUTHORIZATION, bearer);
        Self {
            base: base.trim_end_matches('/').into(),
            http,
            headers,
        }
    }

    /// The same server and key, with a client pooling up to `connections` connections.
    pub(crate) fn with_connections(&self, connections: usize) -> Self {
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(connections)
            .build()
            .expect("a client");
        Self {
            http,
            ..self.clone()
        }
    }

    /// GETs `path`; returns the content type and the whole body. Anything but a success
    /// aborts the benchmark.
    pub(crate) async fn fetch(&self, path: &str) -> (Option<HeaderValue>, Bytes) {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .headers(self.headers.clone())
            .send()
            .await
            .expect("the server answers");
        assert!(
            response.status().is_success(),
            "{path}: {}",
            response.status()
        );
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .cloned();
        (content_type, response.bytes().await.expect("a body"))
    }
}

/// Requests per second of `connections` tasks sending `paths` back to back (in order,
/// cycling, each task taking the next) for `window`. Warms the connections up first.
pub(crate) async fn rps(
    target: &Target,
    paths: &Arc<[String]>,
    connections: usize,
    window: Duration,
) -> f64 {
    send_all(target, paths, connections, connections * 4).await;
    let cursor = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let deadline = started + window;
    let tasks: Vec<_> = (0..connections)
        .map(|_| {
            let (target, paths, cursor) = (target.clone(), paths.clone(), cursor.clone());
            tokio::spawn(async move {
                let mut sent = 0u64;
                while Instant::now() < deadline {
                    let i = cursor.fetch_add(1, Ordering::Relaxed);
                    std::hint::black_box(target.fetch(&paths[i % paths.len()]).await);
                    sent += 1;
                }
                sent
            })
        })
        .collect();
    let mut total = 0;
    for task in tasks {
        total += task.await.expect("the task finishes");
    }
    total as f64 / started.elapsed().as_secs_f64()
}

/// Sends the first `n` of `paths` (cycling), `connections` at a time.
async fn send_all(target: &Target, paths: &[String], connections: usize, n: usize) {
    futures_util::stream::iter(0..n)
        .for_each_concurrent(connections, |i| async move {
            std::hint::black_box(target.fetch(&paths[i % paths.len()]).await);
        })
        .await;
}

/// The latency of each of `paths`, sent `connections` at a time.
pub(crate) async fn latencies(
    target: &Target,
    paths: &[String],
    connections: usize,
) -> Vec<Duration> {
    futures_util::stream::iter(paths)
        .map(|path| async move {
            let started = Instant::now();
            std::hint::black_box(target.fetch(path).await);
            started.elapsed()
        })
        .buffer_unordered(connections)
        .collect()
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_spread_over_the_ids_and_lists_stay_in_the_first_half() {
        let ids: Vec<String> = (0..10).map(|i| format!("pas_{i}")).collect();
        let gets = get_paths(&ids, 10);
        let mut distinct = gets.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), 10, "{gets:?}");
        for path in list_paths(&ids, 20, 10) {
            assert!(path.starts_with("/provider-setup-sessions?limit=20&after=pas_"));
            let after: usize = path.split("after=pas_").nth(1).unwrap()[..1]
                .parse()
                .unwrap();
            assert!(after < 5, "{path}");
            assert!(path.ends_with("&status=pending&status=failed"), "{path}");
        }
    }
}
