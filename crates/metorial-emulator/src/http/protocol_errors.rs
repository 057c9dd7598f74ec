//! hyper's automatic answers to requests it cannot parse, given the API's error body.
//!
//! hyper refuses some requests before any service sees them, and answers them itself with a
//! bare head (`HTTP/1.1 414 URI Too Long`, `content-length: 0`, no body) before closing the
//! connection: a malformed request line or header line (400), a request target over its
//! hard-coded limit of [`MAX_URI_LEN`] bytes (414), a head over its `max_header_size` or with
//! more than 100 header lines (431). hyper has no hook to change these answers, so
//! [`ProtocolErrors`] wraps a connection's IO and, when hyper writes one, writes instead the
//! same status with the API's error body (code `bad_request`), `connection: close` and an
//! `X-Request-ID`, as [`crate::http::server`]'s guard answers what it refuses.
//!
//! An answer is hyper's automatic one when a write is exactly one complete head with status
//! 400, 414 or 431 and no `x-request-id` header: every answer of the router carries one. A
//! write that is anything else passes through untouched, after a check of its first 13 bytes.

use std::io::{self, IoSlice};
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use axum::http::StatusCode;
use hyper::rt::{Read, ReadBufCursor, Write};
use metorial_models::ErrorCode;

use crate::http::error::ApiError;
use crate::http::guard::MAX_HEAD_BUFFER;
use crate::ids::random_secret;

/// The longest request target hyper parses (its `MAX_URI_LEN`, which cannot be configured).
const MAX_URI_LEN: usize = 65_534;

/// A connection's IO, with hyper's automatic answers replaced by ones with the API's error
/// body (see the [module docs](self)); reads, flushes and other writes pass through.
#[derive(Debug)]
pub(crate) struct ProtocolErrors<T> {
    /// The connection.
    inner: T,
    /// The answer being written in place of hyper's, when one is.
    replacing: Option<Replacement>,
}

impl<T> ProtocolErrors<T> {
    /// Wraps `inner`.
    pub(crate) fn new(inner: T) -> Self {
        Self {
            inner,
            replacing: None,
        }
    }
}

/// The answer written in place of one of hyper's automatic answers.
#[derive(Debug)]
struct Replacement {
    /// The whole answer: head and body.
    bytes: Vec<u8>,
    /// How many of `bytes` are written.
    written: usize,
    /// The length of hyper's answer, reported to hyper as written once `bytes` all are.
    replaced: usize,
}

impl Replacement {
    /// The replacement of `write` if it is one of hyper's automatic answers.
    fn of(write: &[u8]) -> Option<Self> {
        let status = automatic_status(write)?;
        Self::for_status(write, status)
    }

    /// The replacement of a vectored write if its first non-empty slice is one of hyper's
    /// automatic answers and no other slice has bytes (the automatic answer is a head only).
    fn of_vectored(slices: &[IoSlice<'_>]) -> Option<Self> {
        let mut rest = slices.iter().skip_while(|slice| slice.is_empty());
        let write: &[u8] = rest.next()?;
        let status = automatic_status(write).filter(|_| rest.all(|slice| slice.is_empty()))?;
        Self::for_status(write, status)
    }

    /// The replacement of `head`, hyper's automatic answer with `status`; `None` (hyper's own
    /// answer goes out) when the error body cannot be built, a bug logged here.
    fn for_status(head: &[u8], status: StatusCode) -> Option<Self> {
        let error = ApiError::new(status, ErrorCode::BadRequest, message(status));
        let body = match error.body() {
            Ok(body) => serde_json::to_vec(&body).map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        let body = match body {
            Ok(body) => body,
            Err(error) => {
                tracing::error!(%error, "building the error body of a protocol error");
                return None;
            }
        };
        tracing::debug!(%status, "answering a request hyper refused with the error body");
        Some(Self {
            bytes: answer(head, &body),
            written: 0,
            replaced: head.len(),
        })
    }

    /// Writes the rest of the replacement to `inner`; once all of it is written, the length
    /// of hyper's answer.
    fn poll_write_to<T: Write + Unpin>(
        &mut self,
        inner: &mut T,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<usize>> {
        while let Some(rest) = self
            .bytes
            .get(self.written..)
            .filter(|rest| !rest.is_empty())
        {
            let n = ready!(Pin::new(&mut *inner).poll_write(cx, rest))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.written = self.written.saturating_add(n);
        }
        Poll::Ready(Ok(self.replaced))
    }
}

/// The status of `write` if it is one of hyper's automatic answers: exactly one complete head
/// with status 400, 414 or 431 (HTTP/1.1 or 1.0) and no `x-request-id` header.
fn automatic_status(write: &[u8]) -> Option<StatusCode> {
    let status = match write.get(..13)? {
        b"HTTP/1.1 400 " | b"HTTP/1.0 400 " => StatusCode::BAD_REQUEST,
        b"HTTP/1.1 414 " | b"HTTP/1.0 414 " => StatusCode::URI_TOO_LONG,
        b"HTTP/1.1 431 " | b"HTTP/1.0 431 " => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
        _ => return None,
    };
    let end = write.windows(4).position(|window| window == b"\r\n\r\n")?;
    if end.saturating_add(4) != write.len() {
        return None;
    }
    let has_id = header_lines(write).any(|(name, _)| name.eq_ignore_ascii_case(b"x-request-id"));
    (!has_id).then_some(status)
}

/// The name and whole line (without its line end) of each header line of `head`.
fn header_lines(head: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    head.split(|&byte| byte == b'\n')
        .skip(1)
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
        .filter(|line| !line.is_empty())
        .map(|line| {
            let name = line.split(|&byte| byte == b':').next().unwrap_or(line);
            (name.trim_ascii(), line)
        })
}

/// The message of the error body for hyper's automatic answer with `status`.
fn message(status: StatusCode) -> String {
    match status {
        StatusCode::URI_TOO_LONG => {
            format!("the request target is longer than {MAX_URI_LEN} bytes")
        }
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => format!(
            "the request's headers are too large (over {MAX_HEAD_BUFFER} bytes or 100 lines)"
        ),
        _ => "the request is not valid HTTP/1.1".to_owned(),
    }
}

/// The answer replacing `head`: its status line, its header lines but those about the body
/// and the connection (leaving hyper's `date`), then the body's, `connection: close`, a
/// request ID, and `body`.
fn answer(head: &[u8], body: &[u8]) -> Vec<u8> {
    /// hyper's header lines replaced by the answer's own.
    const REPLACED: [&[u8]; 4] = [
        b"content-length",
        b"content-type",
        b"connection",
        b"transfer-encoding",
    ];
    let status_line = head.split(|&byte| byte == b'\r').next().unwrap_or(head);
    let own = format!(
        "\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\
         x-request-id: req_{}",
        body.len(),
        random_secret(24)
    );
    let mut answer = Vec::with_capacity(head.len() + own.len() + body.len() + 4);
    answer.extend_from_slice(status_line);
    answer.extend_from_slice(own.as_bytes());
    let kept = header_lines(head).filter(|(name, _)| {
        !REPLACED
            .iter()
            .any(|replaced| name.eq_ignore_ascii_case(replaced))
    });
    for (_, line) in kept {
        answer.extend_from_slice(b"\r\n");
        answer.extend_from_slice(line);
    }
    answer.extend_from_slice(b"\r\n\r\n");
    answer.extend_from_slice(body);
    answer
}

impl<T: Read + Unpin> Read for ProtocolErrors<T> {
    /// Reads from the connection.
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl<T: Write + Unpin> Write for ProtocolErrors<T> {
    /// Writes `buf`, or its replacement when it is one of hyper's automatic answers.
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let replacement = match this.replacing.take().or_else(|| Replacement::of(buf)) {
            Some(replacement) => this.replacing.insert(replacement),
            None => return Pin::new(&mut this.inner).poll_write(cx, buf),
        };
        let written = ready!(replacement.poll_write_to(&mut this.inner, cx));
        this.replacing = None;
        Poll::Ready(written)
    }

    /// Writes `bufs`, or the replacement of their head when it is one of hyper's automatic
    /// answers.
    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let replacing = this
            .replacing
            .take()
            .or_else(|| Replacement::of_vectored(bufs));
        let replacement = match replacing {
            Some(replacement) => this.replacing.insert(replacement),
            None => return Pin::new(&mut this.inner).poll_write_vectored(cx, bufs),
        };
        let written = ready!(replacement.poll_write_to(&mut this.inner, cx));
        this.replacing = None;
        Poll::Ready(written)
    }

    /// Whether the connection takes vectored writes (hyper then queues a body beside its
    /// head instead of copying it).
    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    /// Flushes the connection.
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    /// Shuts the connection's write side down.
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use std::task::Waker;

    use metorial_models::ErrorBody;

    use super::*;

    /// hyper 1.x's automatic answers, as it writes them.
    const AUTOMATIC: [(&str, u16); 4] = [
        (
            "HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\
             date: Fri, 04 Dec 2026 16:27:44 GMT\r\n\r\n",
            400,
        ),
        (
            "HTTP/1.1 414 URI Too Long\r\nconnection: close\r\ncontent-length: 0\r\n\
             date: Fri, 04 Dec 2026 16:27:44 GMT\r\n\r\n",
            414,
        ),
        (
            "HTTP/1.1 431 Request Header Fields Too Large\r\nconnection: close\r\n\
             content-length: 0\r\ndate: Fri, 04 Dec 2026 16:27:44 GMT\r\n\r\n",
            431,
        ),
        ("HTTP/1.0 400 Bad Request\r\ncontent-length: 0\r\n\r\n", 400),
    ];

    /// A writer taking at most `chunk` bytes a call, answering `Pending` every other call
    /// when `stalls`.
    struct Mock {
        /// Everything written.
        written: Vec<u8>,
        /// The most bytes one call takes.
        chunk: usize,
        /// Whether every other call is `Pending`.
        stalls: bool,
        /// How many calls there were.
        calls: usize,
    }

    impl Mock {
        /// A writer taking `chunk` bytes a call.
        fn new(chunk: usize, stalls: bool) -> ProtocolErrors<Self> {
            ProtocolErrors::new(Self {
                written: Vec::new(),
                chunk,
                stalls,
                calls: 0,
            })
        }
    }

    impl Write for Mock {
        fn poll_write(
            self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &[u8],
        ) -> Poll<io::Result<usize>> {
            let this = self.get_mut();
            this.calls += 1;
            if this.stalls && this.calls % 2 == 1 {
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
            let n = buf.len().min(this.chunk);
            this.written.extend_from_slice(&buf[..n]);
            Poll::Ready(Ok(n))
        }

        fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }

        fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }
    }

    /// Writes `bytes` as hyper does (again from where the last write stopped, the same
    /// bytes after `Pending`), vectored as `[empty, rest]` when `vectored`; returns what each
    /// write reported.
    fn write_all(io: &mut ProtocolErrors<Mock>, bytes: &[u8], vectored: bool) -> Vec<usize> {
        let mut cx = Context::from_waker(Waker::noop());
        let (mut done, mut reported) = (0, Vec::new());
        while done < bytes.len() {
            let rest = &bytes[done..];
            let slices = [IoSlice::new(&[]), IoSlice::new(rest)];
            let poll = if vectored {
                Pin::new(&mut *io).poll_write_vectored(&mut cx, &slices)
            } else {
                Pin::new(&mut *io).poll_write(&mut cx, rest)
            };
            if let Poll::Ready(result) = poll {
                let n = result.unwrap();
                assert!(n > 0 && n <= rest.len(), "{n} of {}", rest.len());
                reported.push(n);
                done += n;
            }
        }
        reported
    }

    /// Splits an answer into its status line, its header lines (names lowercased) and body.
    fn parse(answer: &[u8]) -> (String, Vec<(String, String)>, String) {
        let text = String::from_utf8(answer.to_vec()).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        let mut lines = head.split("\r\n");
        let status = lines.next().unwrap().to_owned();
        let headers = lines
            .map(|line| {
                let (name, value) = line.split_once(':').unwrap();
                (name.to_ascii_lowercase(), value.trim().to_owned())
            })
            .collect();
        (status, headers, body.to_owned())
    }

    /// Checks `answer` replaces the automatic answer `automatic` with `status`.
    fn assert_replaced(answer: &[u8], automatic: &str, status: u16) {
        let (line, headers, body) = parse(answer);
        assert_eq!(line, automatic.split("\r\n").next().unwrap());
        let header = |name: &str| {
            let values: Vec<&str> = headers
                .iter()
                .filter(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
                .collect();
            assert_eq!(values.len(), 1, "one {name}: {headers:?}");
            values[0].to_owned()
        };
        assert_eq!(header("content-type"), "application/json");
        assert_eq!(header("content-length"), body.len().to_string());
        assert_eq!(header("connection"), "close");
        assert!(header("x-request-id").starts_with("req_"), "{headers:?}");
        if automatic.contains("date:") {
            assert!(header("date").ends_with("GMT"));
        }
        let error: ErrorBody = serde_json::from_str(&body).unwrap();
        assert_eq!(
            (error.object.as_str(), error.ok, error.status, error.code),
            (
                "error",
                Some(false),
                i64::from(status),
                ErrorCode::BadRequest
            )
        );
        let expected = match status {
            414 => "the request target is longer than 65534 bytes",
            431 => "the request's headers are too large",
            _ => "the request is not valid HTTP/1.1",
        };
        assert!(error.message.starts_with(expected), "{}", error.message);
    }

    #[test]
    fn hypers_automatic_answers_are_replaced_with_the_error_body() {
        for (automatic, status) in AUTOMATIC {
            for vectored in [false, true] {
                let mut io = Mock::new(usize::MAX, false);
                let reported = write_all(&mut io, automatic.as_bytes(), vectored);
                assert_eq!(reported, [automatic.len()], "{automatic}");
                assert_replaced(&io.inner.written, automatic, status);
            }
        }
    }

    #[test]
    fn a_replacement_is_written_whole_through_partial_and_pending_writes() {
        let (automatic, status) = AUTOMATIC[1];
        for vectored in [false, true] {
            let mut io = Mock::new(7, true);
            let reported = write_all(&mut io, automatic.as_bytes(), vectored);
            assert_eq!(reported, [automatic.len()]);
            assert!(io.replacing.is_none());
            let written = &io.inner.written;
            assert!(io.inner.calls > 2 * written.len() / 7, "{}", io.inner.calls);
            assert_replaced(written, automatic, status);
        }
    }

    #[test]
    fn answers_with_a_request_id_pass_through_unchanged() {
        let head = "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\n\
                    X-Request-ID: req_1\r\ncontent-length: 2\r\nconnection: close\r\n\r\n";
        for write in [head.to_owned(), format!("{head}{{}}")] {
            for vectored in [false, true] {
                let mut io = Mock::new(usize::MAX, false);
                assert_eq!(
                    write_all(&mut io, write.as_bytes(), vectored),
                    [write.len()]
                );
                assert_eq!(io.inner.written, write.as_bytes());
            }
        }
    }

    #[test]
    fn other_statuses_and_body_bytes_starting_with_http_pass_through_unchanged() {
        let head = "HTTP/1.1 200 OK\r\nx-request-id: req_1\r\ncontent-length: 60\r\n\r\n";
        let writes = [
            head,
            "HTTP/1.1 400 is the status line of a request hyper refuses",
            "HTTP/1.1 414 URI Too Long\r\ncontent-length: 0\r\n\r\nand more",
            "HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\n",
            "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n",
            "HTTP",
            "",
        ];
        for vectored in [false, true] {
            let mut io = Mock::new(5, true);
            for write in writes {
                write_all(&mut io, write.as_bytes(), vectored);
            }
            assert_eq!(io.inner.written, writes.concat().as_bytes());
        }
    }

    #[test]
    fn a_head_followed_by_a_body_in_another_slice_passes_through() {
        let (automatic, _) = AUTOMATIC[0];
        let mut io = Mock::new(usize::MAX, false);
        let slices = [IoSlice::new(automatic.as_bytes()), IoSlice::new(b"{}")];
        let mut cx = Context::from_waker(Waker::noop());
        let poll = Pin::new(&mut io).poll_write_vectored(&mut cx, &slices);
        // The mock takes the first slice only, as a plain writer does.
        assert!(matches!(poll, Poll::Ready(Ok(n)) if n == automatic.len()));
        assert_eq!(io.inner.written, automatic.as_bytes());
    }
}
