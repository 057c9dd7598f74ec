//! [`WaitOptions`]: polling a flow until it completes.

use std::future::Future;
use std::time::{Duration, Instant};

use crate::error::{Error, FlowError, Result};

/// How `wait_for_completion` polls: every [`poll_interval`](Self::poll_interval) at first,
/// 1.5 times longer after each poll up to [`max_poll_interval`](Self::max_poll_interval),
/// until [`timeout`](Self::timeout).
///
/// ```
/// use std::time::Duration;
/// use metorial::WaitOptions;
///
/// let options = WaitOptions::default().timeout(Duration::from_secs(120));
/// # let _ = options;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use]
pub struct WaitOptions {
    interval: Duration,
    max_interval: Duration,
    timeout: Duration,
}

impl Default for WaitOptions {
    /// Polls after 2 s, then up to every 10 s, for at most 10 minutes.
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(2),
            max_interval: Duration::from_secs(10),
            timeout: Duration::from_secs(600),
        }
    }
}

impl WaitOptions {
    /// The wait before the second poll.
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }

    /// The longest wait between two polls.
    pub fn max_poll_interval(mut self, interval: Duration) -> Self {
        self.max_interval = interval;
        self
    }

    /// How long to wait in all before giving up.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
}

/// Where a polled flow stands.
pub(crate) enum Progress {
    /// Completed: stop and return the object.
    Done,
    /// Still going, in this state.
    Waiting(String),
    /// Ended in this state without completing.
    Ended(String),
}

/// Polls until `poll` reports [`Progress::Done`], the flow ends, disappears (404), or the
/// deadline passes.
pub(crate) async fn wait_for<T, F, Fut>(id: &str, options: &WaitOptions, mut poll: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<(Progress, T)>>,
{
    let started = Instant::now();
    let mut interval = options.interval;
    loop {
        let status = match poll().await {
            Ok((Progress::Done, object)) => return Ok(object),
            Ok((Progress::Ended(status), _)) => {
                return Err(FlowError::Ended {
                    id: id.to_owned(),
                    status,
                }
                .into());
            }
            Ok((Progress::Waiting(status), _)) => status,
            Err(error) if error.is_not_found() => {
                return Err(FlowError::Deleted { id: id.to_owned() }.into());
            }
            Err(error) => return Err(error),
        };
        let waited = started.elapsed();
        if waited >= options.timeout {
            return Err(Error::Flow(FlowError::DeadlineExceeded {
                id: id.to_owned(),
                status,
                waited,
            }));
        }
        tracing::debug!(
            id,
            status,
            wait_ms = interval.as_millis() as u64,
            "waiting for completion"
        );
        tokio::time::sleep(interval.min(options.timeout - waited)).await;
        interval = interval.mul_f64(1.5).min(options.max_interval);
    }
}

/// The statuses that end a wait (from the spec's `x-metorial-wait`).
pub(crate) struct Statuses {
    /// The object is done: return it.
    pub(crate) done: &'static [&'static str],
    /// The object ended without completing: fail with [`FlowError::Ended`].
    pub(crate) failed: &'static [&'static str],
}

/// Polls `fetch` until `status_of` the object is one of `statuses.done` (see [`wait_for`]);
/// any other status, a missing one or one this SDK does not know keeps waiting.
pub(crate) async fn wait_for_status<T, F, Fut>(
    id: &str,
    options: &WaitOptions,
    statuses: &Statuses,
    mut fetch: F,
    status_of: impl Fn(&T) -> Option<String>,
) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    wait_for(id, options, || {
        let fetched = fetch();
        let status_of = &status_of;
        async move {
            let object = fetched.await?;
            let progress = match status_of(&object) {
                Some(s) if statuses.done.contains(&s.as_str()) => Progress::Done,
                Some(s) if statuses.failed.contains(&s.as_str()) => Progress::Ended(s),
                Some(s) => Progress::Waiting(s),
                None => Progress::Waiting("unknown".to_owned()),
            };
            Ok((progress, object))
        }
    })
    .await
}
