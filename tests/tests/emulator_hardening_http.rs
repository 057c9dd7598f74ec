//! The emulator under attack at the HTTP level: slow clients (header and body timeouts),
//! connection floods (a cap), huge fields, bodies, URIs and headers (limits answered with the
//! API's error body), and what hyper refuses before the emulator sees a request (answered with
//! the API's error body too).

use std::time::{Duration, Instant};

use metorial_e2e::{
    AUTH_CONFIG_ID, Emulator, EmulatorBuilder, PROVIDER_ID, api_client, api_error, call,
    create_session, first_failure, manual_client, pages, spawn,
};
use metorial_models::{ErrorBody, ErrorCode, PathSegment, ProviderSetupSession};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// How long a test waits for what should happen well before.
const PATIENCE: Duration = Duration::from_secs(5);

/// How a raw exchange ended.
#[derive(Debug)]
enum Outcome {
    /// The server answered (and closed the connection).
    Answer {
        /// The status code.
        status: u16,
        /// The status line and header lines, as text.
        head: String,
        /// The body, as text.
        body: String,
    },
    /// The server closed the connection without a byte of answer.
    Closed,
    /// Neither within the time allowed: the connection is still open.
    Hung,
}

/// Starts an emulator from `builder`.
async fn emulator(builder: EmulatorBuilder) -> Emulator {
    spawn(builder).await
}

/// A connection to the emulator.
async fn connect(emulator: &Emulator) -> TcpStream {
    TcpStream::connect(emulator.local_addr())
        .await
        .expect("connect to the emulator")
}

/// The head of a request to `target` with the API key, closing the connection after the
/// answer, with `extra` header lines (each ending in `\r\n`).
fn head(emulator: &Emulator, method: &str, target: &str, extra: &str) -> String {
    format!(
        "{method} {target} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\n\
         Connection: close\r\n{extra}\r\n",
        emulator.local_addr(),
        emulator.api_key()
    )
}

/// Reads what the server sends on `stream` until it closes the connection, at most `within`.
async fn outcome(stream: &mut TcpStream, within: Duration) -> Outcome {
    let mut received = Vec::new();
    let read = tokio::time::timeout(within, async {
        let mut chunk = [0u8; 8192];
        loop {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => received.extend_from_slice(&chunk[..n]),
            }
        }
    })
    .await;
    if read.is_err() {
        return Outcome::Hung;
    }
    if received.is_empty() {
        return Outcome::Closed;
    }
    answer(&String::from_utf8_lossy(&received))
}

/// The answer `text` is (head and body up to the connection's end).
fn answer(text: &str) -> Outcome {
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP answer: {head}"));
    Outcome::Answer {
        status,
        head: head.to_owned(),
        body: body.to_owned(),
    }
}

/// Sends `request` on a new connection and reads the outcome.
async fn exchange(emulator: &Emulator, request: &[u8]) -> Outcome {
    let mut stream = connect(emulator).await;
    stream.write_all(request).await.expect("send the request");
    outcome(&mut stream, PATIENCE).await
}

/// Checks `outcome` is an answer with `status` and the API's error body with `code`.
fn assert_api_error(outcome: &Outcome, status: u16, code: ErrorCode) -> ErrorBody {
    let Outcome::Answer {
        status: got, body, ..
    } = outcome
    else {
        panic!("expected {status} with the API's error body, got {outcome:?}");
    };
    assert_eq!(*got, status, "{body}");
    let body: ErrorBody =
        serde_json::from_str(body).unwrap_or_else(|e| panic!("not an error body ({e}): {body}"));
    assert_eq!(
        (body.object.as_str(), body.ok, body.status, &body.code),
        ("error", Some(false), i64::from(status), &code),
        "{body:?}"
    );
    assert!(!body.message.is_empty());
    body
}

/// The value of header `name` (lowercase) in `outcome`'s answer, if it has one.
fn header<'a>(outcome: &'a Outcome, name: &str) -> Option<&'a str> {
    let Outcome::Answer { head, .. } = outcome else {
        return None;
    };
    head.split("\r\n").skip(1).find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.eq_ignore_ascii_case(name).then_some(value.trim())
    })
}

/// Checks `outcome` is an answer with `status`, the API's error body with code `bad_request`,
/// a request ID and `connection: close`: what the emulator answers to a request hyper refuses.
fn assert_refused(outcome: &Outcome, status: u16) -> ErrorBody {
    let body = assert_api_error(outcome, status, ErrorCode::BadRequest);
    let id = header(outcome, "x-request-id");
    assert!(id.is_some_and(|id| id.starts_with("req_")), "{outcome:?}");
    assert_eq!(header(outcome, "connection"), Some("close"), "{outcome:?}");
    assert_eq!(
        header(outcome, "content-type"),
        Some("application/json"),
        "{outcome:?}"
    );
    body
}

/// A GET of the session list with the API key; its status.
async fn list_status(emulator: &Emulator) -> StatusCode {
    api_client(emulator)
        .get(format!("{}/provider-setup-sessions", emulator.base_url()))
        .timeout(PATIENCE)
        .send()
        .await
        .expect("the list request is answered")
        .status()
}

#[tokio::test]
async fn a_half_sent_request_line_is_closed_after_the_header_timeout() {
    let emu = emulator(Emulator::builder().header_timeout(Duration::from_millis(500))).await;
    let mut half = connect(&emu).await;
    half.write_all(b"GET /provider-setup-sess")
        .await
        .expect("send half a request line");
    let mut silent = connect(&emu).await;
    let started = Instant::now();
    for stream in [&mut half, &mut silent] {
        let ended = outcome(stream, PATIENCE).await;
        assert!(matches!(ended, Outcome::Closed), "{ended:?}");
    }
    assert!(started.elapsed() >= Duration::from_millis(400));
}

#[tokio::test]
async fn a_stalled_body_gets_408_with_the_error_body() {
    let emu = emulator(Emulator::builder().body_timeout(Duration::from_millis(500))).await;
    let mut stream = connect(&emu).await;
    let request = head(
        &emu,
        "POST",
        "/provider-setup-sessions",
        "Content-Type: application/json\r\nContent-Length: 100\r\n",
    );
    stream
        .write_all(format!("{request}{{\"name\": \"").as_bytes())
        .await
        .expect("send the head and part of the body");
    let started = Instant::now();
    let body = assert_api_error(
        &outcome(&mut stream, PATIENCE).await,
        408,
        ErrorCode::Timeout,
    );
    assert!(body.message.contains("body"), "{body:?}");
    assert!(started.elapsed() >= Duration::from_millis(400));
}

#[tokio::test]
async fn a_trickled_body_is_cut_off_at_the_body_timeout() {
    let emu = emulator(Emulator::builder().body_timeout(Duration::from_secs(1))).await;
    let stream = connect(&emu).await;
    let (mut reader, mut writer) = stream.into_split();
    let request = head(
        &emu,
        "POST",
        "/provider-setup-sessions",
        "Content-Type: application/json\r\nContent-Length: 1000\r\n",
    );
    // A byte every 100 ms: 1000 bytes would take 100 s, and the body never stalls.
    let trickle = tokio::spawn(async move {
        writer.write_all(request.as_bytes()).await?;
        for _ in 0..1000 {
            writer.write_all(b" ").await?;
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        std::io::Result::Ok(())
    });
    let mut received = Vec::new();
    let read = tokio::time::timeout(PATIENCE, reader.read_to_end(&mut received)).await;
    trickle.abort();
    assert!(read.is_ok(), "still open after {PATIENCE:?}");
    // An answer, if the connection's reset did not swallow it, is a 408 error body.
    let text = String::from_utf8_lossy(&received);
    if !text.is_empty() {
        assert!(text.starts_with("HTTP/1.1 408 "), "{text}");
        assert!(text.contains("\"code\":\"timeout\""), "{text}");
    }
}

#[tokio::test]
async fn idle_connections_do_not_block_requests_and_are_closed_after_the_header_timeout() {
    let emu = emulator(Emulator::builder().header_timeout(Duration::from_secs(1))).await;
    let mut idle = Vec::new();
    for _ in 0..100 {
        idle.push(connect(&emu).await);
    }
    assert_eq!(list_status(&emu).await, StatusCode::OK);
    for stream in &mut idle {
        let ended = outcome(stream, PATIENCE).await;
        assert!(matches!(ended, Outcome::Closed), "{ended:?}");
    }
    assert_eq!(list_status(&emu).await, StatusCode::OK);
}

#[tokio::test]
async fn connections_over_the_cap_wait_for_a_free_slot() {
    let emu = emulator(
        Emulator::builder()
            .max_connections(4)
            .header_timeout(Duration::from_secs(60)),
    )
    .await;
    let mut idle = Vec::new();
    for _ in 0..4 {
        idle.push(connect(&emu).await);
    }
    let waiting = api_client(&emu)
        .get(format!("{}/provider-setup-sessions", emu.base_url()))
        .timeout(Duration::from_millis(700))
        .send()
        .await;
    assert!(
        waiting.is_err(),
        "answered over the cap: {:?}",
        waiting.map(|r| r.status())
    );
    drop(idle);
    assert_eq!(list_status(&emu).await, StatusCode::OK);
}

#[tokio::test]
async fn a_string_over_100000_characters_is_refused_with_max_length() {
    let emu = emulator(Emulator::builder()).await;
    let client = api_client(&emu);
    let sessions = format!("{}/provider-setup-sessions", emu.base_url());
    let long = "x".repeat(100_001);

    let body = api_error(
        client
            .post(&sessions)
            .json(&json!({"provider_id": PROVIDER_ID, "name": long})),
        StatusCode::BAD_REQUEST,
        ErrorCode::InvalidData,
    )
    .await;
    assert_eq!(
        first_failure(&body),
        ("max_length".to_owned(), vec![PathSegment::from("name")])
    );
    assert_eq!(
        body.errors.as_deref().unwrap_or_default()[0].message,
        "Input is too long"
    );

    // Nested in a free-form field: the same check.
    let body = api_error(
        client.post(&sessions).json(&json!({
            "provider_id": PROVIDER_ID,
            "metadata": {"notes": ["short", long]}
        })),
        StatusCode::BAD_REQUEST,
        ErrorCode::InvalidData,
    )
    .await;
    let path = vec![
        PathSegment::from("metadata"),
        "notes".into(),
        PathSegment::Index(1),
    ];
    assert_eq!(first_failure(&body), ("max_length".to_owned(), path));
}

#[tokio::test]
async fn the_string_limit_covers_updates_and_exports_and_allows_100000() {
    let emu = emulator(Emulator::builder()).await;
    let client = api_client(&emu);
    let sessions = format!("{}/provider-setup-sessions", emu.base_url());
    let long = "x".repeat(100_001);
    let at_limit = create_session(
        &emu,
        json!({"provider_id": PROVIDER_ID, "name": "x".repeat(100_000)}),
    )
    .await;
    assert_eq!(at_limit.name.as_deref().map(str::len), Some(100_000));
    let body = api_error(
        client
            .patch(format!("{sessions}/{}", at_limit.id))
            .json(&json!({"description": long})),
        StatusCode::BAD_REQUEST,
        ErrorCode::InvalidData,
    )
    .await;
    assert_eq!(
        first_failure(&body),
        (
            "max_length".to_owned(),
            vec![PathSegment::from("description")]
        )
    );
    let body = api_error(
        client
            .post(format!("{}/provider-auth-config-exports", emu.base_url()))
            .json(&json!({"provider_auth_config_id": AUTH_CONFIG_ID, "note": long})),
        StatusCode::BAD_REQUEST,
        ErrorCode::InvalidData,
    )
    .await;
    assert_eq!(
        first_failure(&body),
        ("max_length".to_owned(), vec![PathSegment::from("note")])
    );
}

#[tokio::test]
async fn a_body_over_the_limit_gets_413_with_the_error_body() {
    // The default limit, 1 MiB: 1.5 MB of small metadata strings is refused.
    let emu = emulator(Emulator::builder()).await;
    let metadata: serde_json::Map<String, Value> = (0..1500)
        .map(|i| (format!("k{i}"), Value::String("v".repeat(1000))))
        .collect();
    let body = json!({"provider_id": PROVIDER_ID, "metadata": metadata});
    let sessions = format!("{}/provider-setup-sessions", emu.base_url());
    api_error(
        api_client(&emu).post(&sessions).json(&body),
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::BadRequest,
    )
    .await;

    // A configured limit: announced, or streamed without a length.
    let emu = emulator(Emulator::builder().max_body_bytes(1000)).await;
    let announced = head(
        &emu,
        "POST",
        "/provider-setup-sessions",
        "Content-Type: application/json\r\nContent-Length: 1001\r\n",
    );
    assert_api_error(
        &exchange(&emu, announced.as_bytes()).await,
        413,
        ErrorCode::BadRequest,
    );
    let chunk = format!("3e8\r\n{}\r\n", " ".repeat(1000));
    let chunked = head(
        &emu,
        "POST",
        "/provider-setup-sessions",
        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n",
    );
    let request = format!("{chunked}{chunk}1\r\n \r\n0\r\n\r\n");
    assert_api_error(
        &exchange(&emu, request.as_bytes()).await,
        413,
        ErrorCode::BadRequest,
    );
    // At the limit, the body is read and decoded.
    let padded = format!("{{\"provider_id\": \"{PROVIDER_ID}\"}}");
    let padded = format!("{padded:<1000}");
    let session: ProviderSetupSession = call(
        api_client(&emu)
            .post(format!("{}/provider-setup-sessions", emu.base_url()))
            .header("content-type", "application/json")
            .body(padded),
        StatusCode::OK,
    )
    .await;
    assert!(session.id.starts_with("pas_"));
}

#[tokio::test]
async fn a_20_kb_uri_gets_414_with_the_error_body() {
    let emu = emulator(Emulator::builder()).await;
    let client = api_client(&emu);
    let pad = "a".repeat(20_000);
    for url in [
        format!("{}/provider-setup-sessions?pad={pad}", emu.base_url()),
        format!("{}/provider-setup-sessions/{pad}", emu.base_url()),
        format!("{}/setup/{pad}", pages(&emu)),
    ] {
        api_error(
            client.get(&url),
            StatusCode::URI_TOO_LONG,
            ErrorCode::BadRequest,
        )
        .await;
    }
    // A long but allowed query still works.
    let ids = vec!["id=pas_00000000000000000000"; 100].join("&");
    let url = format!("{}/provider-setup-sessions?{ids}", emu.base_url());
    assert_eq!(
        client.get(url).send().await.expect("sent").status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_query_with_too_many_values_gets_400_with_the_error_body() {
    let emu = emulator(Emulator::builder()).await;
    let query = vec!["x=1"; 600].join("&");
    let body = api_error(
        api_client(&emu).get(format!(
            "{}/provider-setup-sessions?{query}",
            emu.base_url()
        )),
        StatusCode::BAD_REQUEST,
        ErrorCode::BadRequest,
    )
    .await;
    assert!(body.message.contains("query"), "{body:?}");
}

#[tokio::test]
async fn a_100_kb_head_gets_431_with_the_error_body() {
    let emu = emulator(Emulator::builder()).await;
    let many: String = (0..50)
        .map(|i| format!("X-Pad-{i}: {}\r\n", "a".repeat(2000)))
        .collect();
    let one = format!("X-Pad: {}\r\n", "a".repeat(100_000));
    for extra in [many, one] {
        let request = head(&emu, "GET", "/provider-setup-sessions", &extra);
        assert_api_error(
            &exchange(&emu, request.as_bytes()).await,
            431,
            ErrorCode::BadRequest,
        );
    }
}

#[tokio::test]
async fn a_100000_character_uri_gets_414_with_the_error_body() {
    let emu = emulator(Emulator::builder()).await;
    let target = format!("/{}", "a".repeat(100_000));
    let request = head(&emu, "GET", &target, "");
    let body = assert_refused(&exchange(&emu, request.as_bytes()).await, 414);
    assert!(body.message.contains("65534"), "{body:?}");

    // On a kept-alive connection, after an answered request (pipelined: hyper parses the
    // second request after it has written the first answer).
    let first = format!(
        "GET /provider-setup-sessions HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\n\r\n",
        emu.local_addr(),
        emu.api_key()
    );
    let mut stream = connect(&emu).await;
    stream
        .write_all(format!("{first}{request}").as_bytes())
        .await
        .expect("send both requests");
    let mut received = Vec::new();
    tokio::time::timeout(PATIENCE, stream.read_to_end(&mut received))
        .await
        .expect("the connection is closed after the answers")
        .expect("read the answers");
    let text = String::from_utf8_lossy(&received);
    assert!(text.starts_with("HTTP/1.1 200 "), "{text:.300}");
    let second = text.find("HTTP/1.1 414 ").expect("a second answer: 414");
    assert_refused(&answer(&text[second..]), 414);
    assert_eq!(list_status(&emu).await, StatusCode::OK);
}

#[tokio::test]
async fn what_hyper_refuses_first_gets_the_error_body_and_the_server_keeps_serving() {
    let emu = emulator(Emulator::builder()).await;
    let huge = head(
        &emu,
        "GET",
        "/provider-setup-sessions",
        &format!("X-Pad: {}\r\n", "a".repeat(300_000)),
    );
    let many: String = (0..101).map(|i| format!("X-{i}: 1\r\n")).collect();
    let many = head(&emu, "GET", "/provider-setup-sessions", &many);
    let long_target = format!("/{}", "a".repeat(70_000));
    let long_target = head(&emu, "GET", &long_target, "");
    for (request, status) in [
        (huge, 431),
        (many, 431),
        (long_target, 414),
        ("NOT A REQUEST\r\n\r\n".to_owned(), 400),
    ] {
        let outcome = exchange(&emu, request.as_bytes()).await;
        assert!(
            matches!(&outcome, Outcome::Answer { status: got, .. } if *got == status),
            "{request:.80}: {outcome:?}"
        );
        assert_refused(&outcome, status);
        assert_eq!(list_status(&emu).await, StatusCode::OK);
    }
}

#[tokio::test]
async fn routes_fallbacks_and_oauth_pages_answer_behind_the_limits() {
    let emu = emulator(Emulator::builder()).await;
    let client = api_client(&emu);
    let base = emu.base_url();
    api_error(
        client.get(format!("{base}/nowhere")),
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    )
    .await;
    api_error(
        client.put(format!("{base}/provider-setup-sessions")),
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::BadRequest,
    )
    .await;
    // An export records the caller's address (the connection's peer).
    let export: Value = call(
        client
            .post(format!("{base}/provider-auth-config-exports"))
            .json(&json!({"provider_auth_config_id": AUTH_CONFIG_ID, "note": "n"})),
        StatusCode::OK,
    )
    .await;
    assert!(export["id"].is_string(), "{export}");
    let session = create_session(&emu, json!({"provider_id": PROVIDER_ID})).await;
    let page = manual_client()
        .get(&session.url)
        .send()
        .await
        .expect("the setup page answers");
    assert!(page.status().is_redirection(), "{}", page.status());
}

#[tokio::test]
async fn shutdown_lets_a_request_in_flight_finish_and_closes_idle_connections() {
    let emu = emulator(Emulator::builder().body_timeout(Duration::from_secs(1))).await;
    assert_eq!(list_status(&emu).await, StatusCode::OK);
    let mut idle = Vec::new();
    for _ in 0..5 {
        idle.push(connect(&emu).await);
    }
    let mut in_flight = connect(&emu).await;
    let request = head(
        &emu,
        "POST",
        "/provider-setup-sessions",
        "Content-Type: application/json\r\nContent-Length: 100\r\n",
    );
    in_flight
        .write_all(format!("{request}{{").as_bytes())
        .await
        .expect("send the head");
    // Let the server start reading the body.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    tokio::time::timeout(PATIENCE, emu.shutdown())
        .await
        .expect("the shutdown finishes")
        .expect("a clean shutdown");
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_api_error(
        &outcome(&mut in_flight, PATIENCE).await,
        408,
        ErrorCode::Timeout,
    );
    for stream in &mut idle {
        let ended = outcome(stream, PATIENCE).await;
        assert!(matches!(ended, Outcome::Closed), "{ended:?}");
    }
}
