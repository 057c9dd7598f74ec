//! [`Shared`]: what every call of a client uses.

use std::fmt;

use crate::redact::Redactor;
use crate::retry::RetryPolicy;

/// Configuration and the generated client, shared by every call of a [`Metorial`](crate::Metorial).
pub(crate) struct Shared {
    /// The generated client, sending through the SDK's transport.
    pub(crate) client: metorial_client::Client,
    pub(crate) base_url: String,
    pub(crate) retry: RetryPolicy,
    pub(crate) redactor: Redactor,
    /// The client's interceptors (the transport runs them; kept here for `Debug`).
    pub(crate) interceptors: usize,
}

impl fmt::Debug for Shared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Shared")
            .field("base_url", &self.base_url)
            .field("retry", &self.retry)
            .field("interceptors", &self.interceptors)
            .finish_non_exhaustive()
    }
}
