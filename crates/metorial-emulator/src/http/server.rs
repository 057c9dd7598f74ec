//! The HTTP server: state, routes, the request guard, and serving connections (timeouts, a
//! connection cap, graceful shutdown).
//!
//! One client must not be able to hold the server: a request head must arrive within the
//! header timeout (hyper's `header_read_timeout`, which also closes idle kept-alive
//! connections), a body within the body timeout (else 408), at most `max_connections`
//! connections are served at once (more wait in the kernel's accept queue), and [`guard`]
//! answers an over-long URI (414), too many query values (400), an over-large head (431) or
//! body (413) with the API's error body.
//!
//! What hyper refuses before any service sees the request gets the API's error body too:
//! hyper answers it itself with a bare head, which [`ProtocolErrors`] replaces as hyper writes
//! it. That is a malformed request line or header line (400), a request target over 65,534
//! bytes (hyper's own limit, beyond the guard's [`MAX_URI_BYTES`]: 414), and a head over
//! [`MAX_HEAD_BUFFER`] bytes or with more than 100 header lines (hyper's parser limits, beyond
//! the guard's [`MAX_HEAD_BYTES`]: 431). Each closes the connection after its answer.
//!
//! What stays without an answer, because there is no request to answer:
//! - a head not complete within the header timeout: the connection is closed with no answer;
//! - a connection over the cap: it is not accepted until another closes, so it gets nothing.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::extract::Request;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot};
use tokio::task::JoinHandle;
use tower::Service as _;

use crate::config::Config;
use crate::http::guard::MAX_HEAD_BUFFER;
use crate::http::protocol_errors::ProtocolErrors;
use crate::http::state::AbortConnection;

/// How long the accept loop pauses after a failure that is not one connection's (such as
/// running out of file descriptors), instead of spinning.
const ACCEPT_BACKOFF: Duration = Duration::from_secs(1);

/// Serves `app` on `listener` until `shutdown` fires (or its sender is dropped), then stops
/// accepting, lets requests in flight finish and closes idle connections (a connection still
/// sending its head gets until the header timeout).
pub(crate) fn serve(
    listener: TcpListener,
    app: Router,
    config: &Config,
    shutdown: oneshot::Receiver<()>,
) -> JoinHandle<()> {
    tokio::spawn(accept_loop(
        listener,
        Connections::new(app, config),
        shutdown,
    ))
}

/// Accepts connections (each once a slot is free) until `shutdown`, then drains them.
async fn accept_loop(
    listener: TcpListener,
    connections: Connections,
    mut shutdown: oneshot::Receiver<()>,
) {
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = connections.accept(&listener) => {
                if let Some((stream, peer, slot)) = accepted {
                    connections.spawn(stream, peer, slot);
                }
            }
        }
    }
    drop(listener);
    // Every connection finishes its request in flight; wait until all are closed.
    connections.graceful.shutdown().await;
}

/// How connections are served: the app, hyper's settings, the slots capping how many are
/// open, and hyper-util's graceful shutdown watching them.
struct Connections {
    /// The routes.
    app: Router,
    /// hyper's HTTP/1 settings (the header timeout, the head buffer).
    http1: http1::Builder,
    /// One permit per connection served.
    slots: Arc<Semaphore>,
    /// Tells every connection to finish when the server stops, and waits until they have.
    graceful: GracefulShutdown,
}

impl Connections {
    /// hyper and the connection cap as `config` says (already checked).
    fn new(app: Router, config: &Config) -> Self {
        let mut http1 = http1::Builder::new();
        http1
            .timer(TokioTimer::new())
            .header_read_timeout(config.header_timeout)
            .max_header_size(MAX_HEAD_BUFFER)
            .max_buf_size(MAX_HEAD_BUFFER);
        Self {
            app,
            http1,
            slots: Arc::new(Semaphore::new(config.max_connections)),
            graceful: GracefulShutdown::new(),
        }
    }

    /// Waits for a free slot, then accepts a connection; `None` when accepting failed (a
    /// failure that is not the connection's own is logged and followed by a pause).
    async fn accept(
        &self,
        listener: &TcpListener,
    ) -> Option<(TcpStream, SocketAddr, OwnedSemaphorePermit)> {
        let slot = Arc::clone(&self.slots).acquire_owned().await.ok()?;
        match listener.accept().await {
            Ok((stream, peer)) => Some((stream, peer, slot)),
            Err(error) => {
                use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
                if !matches!(
                    error.kind(),
                    ConnectionAborted | ConnectionRefused | ConnectionReset
                ) {
                    tracing::warn!(%error, "cannot accept a connection");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                }
                None
            }
        }
    }

    /// Serves one connection in its own task, holding `slot` until it closes; each request
    /// carries the peer's address (`ConnectInfo`), and hyper's own answers to what it cannot
    /// parse get the API's error body ([`ProtocolErrors`]).
    fn spawn(&self, stream: TcpStream, peer: SocketAddr, slot: OwnedSemaphorePermit) {
        // Small answers go out at once (no Nagle delay); failing to set it is harmless.
        let _ = stream.set_nodelay(true);
        let app = self.app.clone();
        let service = service_fn(move |mut request: Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            let answer = app.clone().call(request);
            async move {
                // Infallible: the router answers every request.
                let Ok(response) = answer.await;
                // An error from the service makes hyper close the connection unanswered.
                match response.extensions().get::<AbortConnection>() {
                    Some(abort) => Err(*abort),
                    None => Ok(response),
                }
            }
        });
        let io = ProtocolErrors::new(TokioIo::new(stream));
        let connection = self
            .graceful
            .watch(self.http1.serve_connection(io, service));
        tokio::spawn(async move {
            let _slot = slot;
            // Not closed cleanly: a client's doing, logged at debug level.
            if let Err(error) = connection.await {
                tracing::debug!(%error, "connection closed");
            }
        });
    }
}
