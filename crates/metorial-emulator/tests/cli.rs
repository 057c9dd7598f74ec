//! The `metorial-emulator` program: flags, startup output, and a clean stop on SIGINT.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

/// Sends a GET with the API key and returns the whole response (status line, headers, body).
fn get(addr: &str, path: &str, key: &str) -> String {
    let mut stream = TcpStream::connect(addr).expect("connect to the emulator");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {key}\r\nConnection: close\r\n\r\n"
    )
    .expect("send the request");
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .expect("read the response");
    response
}

#[cfg(unix)]
#[test]
fn the_program_prints_its_address_and_key_serves_and_stops_on_sigint() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_metorial-emulator"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--api-key",
            "metorial_sk_cli_test",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the emulator");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let first = lines.next().expect("a first line").expect("utf-8");
    let url = first
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line: {first}"))
        .to_owned();
    let second = lines.next().expect("a second line").expect("utf-8");
    let tenant = second
        .strip_prefix("API key: metorial_sk_cli_test (tenant ")
        .and_then(|rest| rest.strip_suffix(')'))
        .unwrap_or_else(|| panic!("unexpected second line: {second}"));
    assert!(tenant.starts_with("tnt_"), "{second}");
    let me = get(&url, "/_emulator/tenant", "metorial_sk_cli_test");
    assert!(me.contains(&format!("\"id\":\"{tenant}\"")), "{me}");

    assert!(
        get(&url, "/provider-setup-sessions", "metorial_sk_cli_test").starts_with("HTTP/1.1 200 ")
    );
    assert!(get(&url, "/provider-setup-sessions", "wrong").starts_with("HTTP/1.1 401 "));

    let interrupted = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(interrupted.success());
    let status = child.wait().expect("the emulator stops");
    assert!(status.success(), "{status}");
}

#[test]
fn bad_flags_are_refused_with_a_message() {
    let output = Command::new(env!("CARGO_BIN_EXE_metorial-emulator"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--fixtures",
            "/nonexistent/fixtures.yaml",
        ])
        .output()
        .expect("run the emulator");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("/nonexistent/fixtures.yaml"), "{stderr}");

    let output = Command::new(env!("CARGO_BIN_EXE_metorial-emulator"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--public-url",
            "javascript:alert(1)",
        ])
        .output()
        .expect("run the emulator");
    assert!(!output.status.success());
}

#[test]
fn the_help_lists_the_limit_flags_with_their_defaults() {
    let output = Command::new(env!("CARGO_BIN_EXE_metorial-emulator"))
        .arg("--help")
        .output()
        .expect("run the emulator");
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    for (flag, default) in [
        ("--header-timeout <SECONDS>", "[default: 10]"),
        ("--body-timeout <SECONDS>", "[default: 30]"),
        ("--max-connections <N>", "[default: 1024]"),
        ("--max-body-bytes <BYTES>", "[default: 1048576]"),
    ] {
        let line = help
            .lines()
            .find(|line| line.contains(flag))
            .unwrap_or_else(|| panic!("{flag} is not in the help:\n{help}"));
        assert!(line.contains(default), "{line}");
    }
}

#[test]
fn zero_limits_are_refused_naming_the_option() {
    for (flag, option) in [
        ("--header-timeout", "header_timeout"),
        ("--body-timeout", "body_timeout"),
        ("--max-connections", "max_connections"),
        ("--max-body-bytes", "max_body_bytes"),
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_metorial-emulator"))
            .args(["--listen", "127.0.0.1:0", flag, "0"])
            .output()
            .expect("run the emulator");
        assert!(!output.status.success(), "{flag} 0 was accepted");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(option), "{flag}: {stderr}");
    }
}

#[cfg(unix)]
#[test]
fn a_closed_stdout_does_not_stop_the_server() {
    // A free port, chosen here: the banner that would name it goes nowhere.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    let addr = format!("127.0.0.1:{port}");
    let mut child = Command::new(env!("CARGO_BIN_EXE_metorial-emulator"))
        .args(["--listen", &addr, "--api-key", "metorial_sk_cli_test"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the emulator");
    // The reader goes before anything is printed: every line of the banner meets a closed pipe.
    drop(child.stdout.take());
    for _ in 0..100 {
        if std::net::TcpStream::connect(&addr).is_ok() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    // Listening comes before the banner: give the banner time to meet the closed pipe.
    std::thread::sleep(std::time::Duration::from_millis(500));
    let answer = get(&addr, "/provider-setup-sessions", "metorial_sk_cli_test");
    let running = child.try_wait().expect("status").is_none();
    let _ = child.kill();
    let _ = child.wait();
    assert!(running, "the emulator stopped");
    assert!(answer.starts_with("HTTP/1.1 200 "), "{answer:.200}");
}
