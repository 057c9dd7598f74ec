//! A real browser goes through the OAuth flow: headless Chromium, driven over WebDriver
//! (chromedriver, started here on a free port), opens a setup session's `url`, clicks Approve on
//! the fake provider's consent page and lands on the app's redirect URL.
//!
//! Needs the Debian packages `chromium` and `chromium-driver`. Where they are missing the test
//! skips itself with a one-line notice, unless `METORIAL_REQUIRE_BROWSER=1` is set (as `.ci/run`
//! does), which makes a missing browser a failure. `METORIAL_SKIP_BROWSER=1` skips it anyway.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use fantoccini::{ClientBuilder, Locator};
use metorial_e2e::{
    DEPLOYMENT_ID, Emulator, Landing, PROVIDER_ID, api_client, pages, query_param, spawn,
};
use metorial_models::{ProviderSetupSession, ProviderSetupSessionStatus};
use serde_json::json;
use tokio::process::{Child, Command};

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// The first executable named one of `names` on `PATH`.
fn find_executable(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// A chromedriver process on a free port, killed on drop.
struct Chromedriver {
    url: String,
    _process: Child,
}

impl Chromedriver {
    async fn start(binary: &PathBuf) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let process = Command::new(binary)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        let http = reqwest::Client::new();
        loop {
            if let Ok(response) = http.get(format!("{url}/status")).send().await
                && response.status().is_success()
            {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver did not come up on {url}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Self {
            url,
            _process: process,
        }
    }
}

/// Polls `check` until it holds or 20 seconds pass.
async fn eventually<F, Fut>(what: &str, mut check: F) -> TestResult
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(20);
    while !check().await {
        if Instant::now() > deadline {
            return Err(format!("timed out waiting for {what}").into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}

async fn approve_in_the_browser(
    browser: &fantoccini::Client,
    emu: &Emulator,
    app: &Landing,
    session: &ProviderSetupSession,
) -> TestResult {
    browser.goto(&session.url).await?;
    // Redirected to the fake provider's consent page.
    let approve = browser
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Id("approve"))
        .await?;
    let consent_url = browser.current_url().await?;
    if !consent_url
        .as_str()
        .starts_with(&format!("{}/_emulator/provider/authorize", pages(emu)))
    {
        return Err(format!("not on the consent page: {consent_url}").into());
    }
    let scopes = browser.find(Locator::Id("scopes")).await?.text().await?;
    if !scopes.contains("repo") {
        return Err(format!("the consent page does not show the scope: {scopes}").into());
    }
    approve.click().await?;

    let landing = app.url("/browser-done");
    eventually("the app's redirect URL", || async {
        browser
            .current_url()
            .await
            .is_ok_and(|url| url.as_str().starts_with(&landing))
    })
    .await?;
    let final_url = browser.current_url().await?.to_string();
    if query_param(&final_url, "status").as_deref() != Some("completed")
        || query_param(&final_url, "setup_session_id").as_deref() != Some(session.id.as_str())
    {
        return Err(format!("unexpected redirect: {final_url}").into());
    }
    let heading = browser
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Id("landed"))
        .await?
        .text()
        .await?;
    if heading != "Back in the app" {
        return Err(format!("unexpected app page: {heading}").into());
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browser_approves_on_the_consent_page_and_lands_on_the_redirect_url() {
    if std::env::var("METORIAL_SKIP_BROWSER").is_ok_and(|v| v == "1") {
        eprintln!("METORIAL_SKIP_BROWSER=1: skipping the browser test");
        return;
    }
    let driver_binary = find_executable(&["chromedriver"]);
    let chromium = std::env::var_os("CHROME_BIN")
        .map(PathBuf::from)
        .or_else(|| find_executable(&["chromium", "chromium-browser", "google-chrome"]));
    let (Some(driver_binary), Some(chromium)) = (driver_binary, chromium) else {
        let notice = "the browser test needs Chromium and chromedriver \
                      (apt-get install -y chromium chromium-driver)";
        if std::env::var("METORIAL_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
            panic!("{notice}, and METORIAL_REQUIRE_BROWSER=1 requires it");
        }
        eprintln!("skipped: {notice}; set METORIAL_REQUIRE_BROWSER=1 to make this a failure");
        return;
    };

    let emu = spawn(Emulator::builder()).await;
    let app = Landing::start().await;
    let session: ProviderSetupSession = api_client(&emu)
        .post(format!("{}/provider-setup-sessions", emu.base_url()))
        .json(&json!({
            "provider_id": PROVIDER_ID,
            "provider_deployment_id": DEPLOYMENT_ID,
            "redirect_url": app.url("/browser-done"),
        }))
        .send()
        .await
        .expect("request sent")
        .json()
        .await
        .expect("a session");

    let driver = Chromedriver::start(&driver_binary).await;
    let profile = tempfile::tempdir().expect("a profile directory");
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".to_owned(),
        json!({
            "binary": chromium,
            "args": [
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                format!("--user-data-dir={}", profile.path().display()),
            ],
        }),
    );
    let browser = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities)
        .connect(&driver.url)
        .await
        .unwrap_or_else(|e| panic!("cannot start a Chromium session through chromedriver: {e}"));

    let outcome = approve_in_the_browser(&browser, &emu, &app, &session).await;
    let _ = browser.close().await;
    if let Err(e) = outcome {
        panic!("browser flow failed: {e}");
    }

    let done: ProviderSetupSession = api_client(&emu)
        .get(format!(
            "{}/provider-setup-sessions/{}",
            emu.base_url(),
            session.id
        ))
        .send()
        .await
        .expect("request sent")
        .json()
        .await
        .expect("a session");
    assert_eq!(done.status, ProviderSetupSessionStatus::Completed);
    assert!(done.auth_config.is_some());
    assert!(
        app.hits()
            .iter()
            .any(|hit| hit.starts_with("/browser-done?")),
        "{:?}",
        app.hits()
    );
    emu.shutdown().await.expect("clean shutdown");
}
