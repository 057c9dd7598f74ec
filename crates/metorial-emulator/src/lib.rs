//! A local, stateful implementation of Metorial's provider-auth API, OAuth flow included.
//!
//! The emulator is a real HTTP server: it serves every operation of `spec/metorial.yaml`
//! (provider setup sessions, provider OAuth setups, provider auth exports) with the
//! [`metorial_models`] types, keeps its state in SQLite (in memory or in a file), and completes
//! the OAuth dance offline against a built-in fake provider (or a real one configured in the
//! [fixtures](Fixtures)).
//!
//! In a test:
//!
//! ```no_run
//! # async fn demo() -> Result<(), metorial_emulator::Error> {
//! use metorial_emulator::Emulator;
//!
//! let emulator = Emulator::builder().oauth_auto_approve(true).spawn().await?;
//! let http = reqwest::Client::new();
//! let sessions = http
//!     .get(format!("{}/provider-setup-sessions", emulator.base_url()))
//!     .bearer_auth(emulator.api_key())
//!     .send()
//!     .await;
//! emulator.shutdown().await?;
//! # Ok(()) }
//! ```
//!
//! As a program: `cargo run -p metorial-emulator -- --help`.
//!
//! ## The OAuth flow
//!
//! A setup session's (or OAuth setup's) `url` is `{public_url}/setup/{id}` on the emulator.
//! Opening it redirects to the provider's authorize endpoint (PKCE `S256`, a single-use
//! `state`); the built-in fake provider under `/_emulator/provider/` shows a consent page with
//! Approve and Deny buttons (or approves at once with
//! [`oauth_auto_approve`](EmulatorBuilder::oauth_auto_approve)); its answer comes back to
//! `{public_url}/oauth/callback`, which exchanges the code for tokens with the `oauth2` crate,
//! stores them in a new auth config, and redirects to the session's `redirect_url` with
//! `setup_session_id` (or `oauth_setup_id`) and `status`.

mod cache;
mod config;
pub mod control;
mod emulator;
mod entity;
mod error;
pub(crate) mod faults;
pub mod fixtures;
mod http;
mod ids;
pub(crate) mod journal;
mod paths;
mod splice;
mod store;
mod tenant;
mod time;

pub use config::{DEFAULT_LISTEN, DEFAULT_OAUTH_SETUP_LIFETIME, DEFAULT_SESSION_LIFETIME};
pub use control::TenantHandle;
pub use emulator::{Emulator, EmulatorBuilder};
pub use error::Error;
pub use fixtures::Fixtures;
pub use store::fake_provider::IssuedToken;
