//! The SDK's interceptors and per-call options against the emulator: every retry attempt of a
//! call that got 503, 503, 200 is seen, with the request IDs the emulator's journal recorded.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use metorial::models::CreateProviderSetupSessionBody;
use metorial::{AttemptOutcome, CallOptions, Interceptor, Metorial, RetryPolicy};
use metorial_e2e::{Emulator, PROVIDER_ID, spawn};
use metorial_emulator::control::{FaultRule, JournalQuery};

/// What an interceptor saw of each attempt: its number, status and request ID.
#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<(u32, u16, String)>>>);

impl Interceptor for Seen {
    fn after_attempt(&self, outcome: &AttemptOutcome<'_>) {
        let status = outcome.status().map_or(0, |s| s.as_u16());
        let id = outcome.request_id().unwrap_or_default().to_owned();
        self.0.lock().unwrap().push((outcome.attempt(), status, id));
    }
}

#[tokio::test]
async fn an_interceptor_sees_every_attempt_of_a_call_that_got_503_503_200() {
    let emu = spawn(Emulator::builder()).await;
    let tenant = emu.tenant();
    let seen = Seen::default();
    let metorial = Metorial::builder()
        .api_key(tenant.api_key())
        .base_url(emu.base_url())
        .retry(
            RetryPolicy::default()
                .min_delay(Duration::from_millis(1))
                .max_delay(Duration::from_millis(10)),
        )
        .interceptor(seen.clone())
        .build()
        .unwrap();
    let session = metorial
        .setup_sessions()
        .create(CreateProviderSetupSessionBody::new().provider_id(PROVIDER_ID))
        .await
        .unwrap();
    seen.0.lock().unwrap().clear();

    tenant
        .add_fault(FaultRule::status("get_provider_setup_session", 503).times(2))
        .unwrap();
    let response = metorial
        .setup_sessions()
        .get_with_response(&session.id)
        .await
        .unwrap();
    let attempts = seen.0.lock().unwrap().clone();
    let statuses: Vec<(u32, u16)> = attempts.iter().map(|(n, s, _)| (*n, *s)).collect();
    assert_eq!(statuses, [(1, 503), (2, 503), (3, 200)]);
    let journal = tenant.journal(&JournalQuery {
        operation_id: Some("get_provider_setup_session".into()),
        ..JournalQuery::default()
    });
    let recorded: Vec<String> = journal
        .entries
        .iter()
        .map(|e| e.request_id.clone())
        .collect();
    let intercepted: Vec<String> = attempts.into_iter().map(|(_, _, id)| id).collect();
    assert_eq!(intercepted, recorded);
    // The success's request ID is the last attempt's.
    assert_eq!(response.request_id(), recorded.last().map(String::as_str));
    assert_eq!(response.status(), 200);

    // The same call with retries off for it alone: one attempt, the 503 returned.
    tenant
        .add_fault(FaultRule::status("get_provider_setup_session", 503).times(1))
        .unwrap();
    seen.0.lock().unwrap().clear();
    let error = metorial
        .setup_sessions()
        .with_options(CallOptions::new().no_retries())
        .get(&session.id)
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(seen.0.lock().unwrap().len(), 1);
    emu.shutdown().await.unwrap();
}
