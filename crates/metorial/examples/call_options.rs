//! One call with its own timeout and retry policy, a header of its own, the request ID of a
//! success, and an interceptor timing every attempt.
//!
//! Against a local emulator (`cargo run -p metorial-emulator`):
//!
//! ```sh
//! METORIAL_API_KEY=<the key it printed> METORIAL_BASE_URL=http://127.0.0.1:8710 \
//!     cargo run -p metorial --example call_options
//! ```

use std::time::Duration;

use metorial::models::CreateProviderSetupSessionBody;
use metorial::{AttemptOutcome, CallOptions, Interceptor, Metorial, RetryPolicy};

/// The GitHub provider of Metorial's docs (and of the emulator's built-in fixtures).
const PROVIDER: &str = "pro_5gHjKlMnPqRsTuVw";

/// Prints how long each attempt took (a metrics exporter would record it instead).
struct Timings;

impl Interceptor for Timings {
    fn after_attempt(&self, outcome: &AttemptOutcome<'_>) {
        eprintln!(
            "{} attempt {}: {:?} in {} ms",
            outcome.operation(),
            outcome.attempt(),
            outcome.status(),
            outcome.elapsed().as_millis()
        );
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let metorial = Metorial::from_env()?;

    // This one call may take 2 minutes per attempt and is never retried; the client's other
    // calls keep their settings.
    let patient = CallOptions::new()
        .timeout(Duration::from_secs(120))
        .retry(RetryPolicy::disabled())
        .header("x-correlation-id", "example-1")
        .interceptor(Timings);
    let created = metorial
        .setup_sessions()
        .with_options(patient)
        .create_with_response(CreateProviderSetupSessionBody::new().provider_id(PROVIDER))
        .await?;
    println!(
        "created {} ({}, request {})",
        created.value().id,
        created.status(),
        created.request_id().unwrap_or("-")
    );

    let session = metorial
        .setup_sessions()
        .get_with_response(&created.value().id)
        .await?;
    println!(
        "read it back: status {:?}, request {}",
        session.value().status,
        session.request_id().unwrap_or("-")
    );
    Ok(())
}
