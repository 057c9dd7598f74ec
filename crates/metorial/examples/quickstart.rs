//! Start an OAuth flow, wait for the user to finish it, then export the tokens.
//!
//! Against a local emulator (`cargo run -p metorial-emulator -- --oauth-auto-approve`):
//!
//! ```sh
//! METORIAL_API_KEY=<the key it printed> METORIAL_BASE_URL=http://127.0.0.1:8710 \
//!     cargo run -p metorial --example quickstart
//! ```
//!
//! then open the printed URL in a browser.

use metorial::models::{CreateProviderAuthExportBody, CreateProviderSetupSessionBody};
use metorial::{Metorial, WaitOptions};

/// The GitHub provider of Metorial's docs (and of the emulator's built-in fixtures).
const PROVIDER: &str = "pro_5gHjKlMnPqRsTuVw";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let metorial = Metorial::from_env()?;

    let session = metorial
        .setup_sessions()
        .create(
            CreateProviderSetupSessionBody::new()
                .provider_id(PROVIDER)
                .name("Quickstart")
                .redirect_url("https://example.com/connected"),
        )
        .await?;
    println!("open this URL to connect your account:\n  {}", session.url);

    let session = metorial
        .setup_sessions()
        .wait_for_completion(&session.id, WaitOptions::default())
        .await?;
    let auth_config = session
        .auth_config
        .ok_or("the completed session has no auth config")?;
    println!("connected: auth config {}", auth_config.id);

    let export = metorial
        .auth_exports()
        .create(CreateProviderAuthExportBody::new(
            auth_config.id,
            "quickstart",
        ))
        .await?;
    // `Debug` of an export never shows the tokens; reading one is explicit.
    println!("export {export:?}");
    let has_token = export
        .value
        .as_ref()
        .and_then(|v| v.expose_str("access_token"))
        .is_some();
    println!("access token received: {has_token}");
    Ok(())
}
