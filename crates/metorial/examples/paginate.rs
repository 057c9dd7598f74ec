//! Stream every pending setup session of a provider, page by page.
//!
//! ```sh
//! METORIAL_API_KEY=... METORIAL_BASE_URL=http://127.0.0.1:8710 \
//!     cargo run -p metorial --example paginate
//! ```

use futures_util::TryStreamExt;
use metorial::models::ProviderSetupSessionStatus;
use metorial::{ListSetupSessions, Metorial};

#[tokio::main]
async fn main() -> Result<(), metorial::Error> {
    let metorial = Metorial::from_env()?;
    let params = ListSetupSessions::new()
        .limit(100)
        .provider_id("pro_5gHjKlMnPqRsTuVw")
        .status(ProviderSetupSessionStatus::Pending);

    // One page in memory at a time; the next is fetched when this one is used up.
    let mut sessions = Box::pin(metorial.setup_sessions().list_all(params));
    let mut count = 0;
    while let Some(session) = sessions.try_next().await? {
        count += 1;
        println!("{} {} {}", session.id, session.status, session.url);
    }
    println!("{count} pending session(s)");
    Ok(())
}
