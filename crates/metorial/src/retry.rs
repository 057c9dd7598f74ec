//! [`RetryPolicy`]: when and how long to wait before sending a request again.

use std::time::{Duration, SystemTime};

use backon::{BackoffBuilder, ExponentialBuilder};
use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{Method, StatusCode};

use crate::error::is_retryable_status;

/// When and how long to wait before sending a request again.
///
/// Retried: 429, 502, 503 and 504 responses, timeouts and connection failures. `GET`,
/// `PATCH` and `DELETE` are retried on all of them; `POST` (which creates something) only when
/// the request never reached the server (the connection could not be made). The wait grows
/// exponentially from [`min_delay`](Self::min_delay), with jitter, up to
/// [`max_delay`](Self::max_delay); a `Retry-After` header (seconds or an HTTP date) replaces
/// the computed wait, capped at `max_delay`.
///
/// ```
/// use std::time::Duration;
/// use metorial::RetryPolicy;
///
/// let patient = RetryPolicy::default().max_retries(5).max_delay(Duration::from_secs(60));
/// let never = RetryPolicy::disabled();
/// # let _ = (patient, never);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    max_retries: u32,
    min_delay: Duration,
    max_delay: Duration,
    jitter: bool,
}

impl Default for RetryPolicy {
    /// 3 retries, waits from 500 ms up to 30 s, with jitter.
    fn default() -> Self {
        Self {
            max_retries: 3,
            min_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            jitter: true,
        }
    }
}

impl RetryPolicy {
    /// No retries: every request is sent once.
    pub fn disabled() -> Self {
        Self {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// How many times a request may be sent again after the first attempt.
    pub fn max_retries(mut self, max_retries: u32) -> Self {
        self.max_retries = max_retries;
        self
    }

    /// The wait before the first retry.
    pub fn min_delay(mut self, delay: Duration) -> Self {
        self.min_delay = delay;
        self
    }

    /// The longest wait between two attempts, `Retry-After` included.
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// Whether to add random jitter to computed waits (on by default).
    pub fn jitter(mut self, jitter: bool) -> Self {
        self.jitter = jitter;
        self
    }

    /// The configured number of retries.
    pub fn retries(&self) -> u32 {
        self.max_retries
    }

    /// The computed waits between attempts, one per allowed retry.
    pub(crate) fn backoff(&self) -> impl Iterator<Item = Duration> + use<> {
        let mut builder = ExponentialBuilder::new()
            .with_min_delay(self.min_delay)
            .with_max_delay(self.max_delay)
            .with_max_times(self.max_retries as usize);
        if self.jitter {
            builder = builder.with_jitter();
        }
        let max = self.max_delay;
        builder.build().map(move |d| d.min(max))
    }

    /// The wait before the next attempt: `Retry-After` when given, else the computed one;
    /// never more than `max_delay`.
    pub(crate) fn delay(&self, computed: Duration, retry_after: Option<Duration>) -> Duration {
        retry_after.unwrap_or(computed).min(self.max_delay)
    }
}

/// Why an attempt may be repeated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Retryable {
    /// The server answered with a retryable status.
    Status(StatusCode),
    /// The attempt timed out (it may have reached the server).
    Timeout,
    /// The connection could not be made: the server never saw the request.
    NotSent,
    /// The connection broke mid-request (it may have reached the server).
    Broken,
}

impl Retryable {
    /// Whether a request with `method` may be repeated after this.
    pub(crate) fn allows(self, method: &Method) -> bool {
        match self {
            Retryable::NotSent => true,
            Retryable::Status(_) | Retryable::Timeout | Retryable::Broken => {
                *method != Method::POST
            }
        }
    }

    /// Why a failed attempt whose response had `status` (if any) may be repeated; `None`
    /// when the failure is final.
    pub(crate) fn of(
        error: &progenitor_client::Error<metorial_models::ErrorBody>,
        status: Option<StatusCode>,
    ) -> Option<Retryable> {
        use progenitor_client::Error as E;
        if let Some(status) = status {
            return is_retryable_status(status).then_some(Retryable::Status(status));
        }
        match error {
            E::CommunicationError(e) | E::ResponseBodyError(e) if e.is_connect() => {
                Some(Retryable::NotSent)
            }
            E::CommunicationError(e) | E::ResponseBodyError(e) if e.is_timeout() => {
                Some(Retryable::Timeout)
            }
            E::CommunicationError(e) | E::ResponseBodyError(e) if e.is_request() || e.is_body() => {
                Some(Retryable::Broken)
            }
            _ => None,
        }
    }
}

/// The wait a `Retry-After` header asks for: delay-seconds or an HTTP date.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(
        date.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let policy = RetryPolicy::default()
            .max_retries(6)
            .min_delay(Duration::from_millis(100))
            .max_delay(Duration::from_millis(500))
            .jitter(false);
        let waits: Vec<_> = policy.backoff().collect();
        assert_eq!(waits.len(), 6);
        assert_eq!(waits[0], Duration::from_millis(100));
        assert_eq!(waits[1].as_millis(), 200);
        assert!(waits.iter().all(|w| *w <= Duration::from_millis(500)));
    }

    #[test]
    fn disabled_means_no_retry() {
        assert_eq!(RetryPolicy::disabled().backoff().count(), 0);
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, "7".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(7)));

        let in_a_minute = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(60));
        headers.insert(RETRY_AFTER, in_a_minute.parse().unwrap());
        let wait = retry_after(&headers).unwrap();
        assert!(
            wait > Duration::from_secs(55) && wait <= Duration::from_secs(60),
            "{wait:?}"
        );

        headers.insert(
            RETRY_AFTER,
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&headers), Some(Duration::ZERO));

        headers.insert(RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(retry_after(&headers), None);
    }

    #[test]
    fn retry_after_is_capped() {
        let policy = RetryPolicy::default().max_delay(Duration::from_secs(5));
        assert_eq!(
            policy.delay(Duration::from_millis(10), Some(Duration::from_secs(3600))),
            Duration::from_secs(5)
        );
        assert_eq!(
            policy.delay(Duration::from_millis(10), None),
            Duration::from_millis(10)
        );
    }

    #[test]
    fn post_is_only_retried_when_not_sent() {
        let post = Method::POST;
        assert!(Retryable::NotSent.allows(&post));
        assert!(!Retryable::Status(StatusCode::SERVICE_UNAVAILABLE).allows(&post));
        assert!(!Retryable::Timeout.allows(&post));
        assert!(Retryable::Status(StatusCode::SERVICE_UNAVAILABLE).allows(&Method::GET));
        assert!(Retryable::Timeout.allows(&Method::PATCH));
    }
}
