//! [`Metorial`]: the client (built by [`MetorialBuilder`](crate::MetorialBuilder), in
//! `config.rs`).

use std::fmt;
use std::sync::Arc;

use crate::call::Call;
use crate::options::CallOptions;
use crate::shared::Shared;

/// A client of Metorial's provider-auth API.
///
/// Cheap to clone (the clones share one connection pool and configuration) and
/// `Send + Sync`: build one at startup and hand clones around. `Debug` never shows the key.
#[derive(Clone)]
pub struct Metorial {
    shared: Arc<Shared>,
    /// Overrides for the calls made through this clone ([`with_options`](Self::with_options)).
    options: Option<Arc<CallOptions>>,
}

impl Metorial {
    pub(crate) fn from_shared(shared: Arc<Shared>) -> Self {
        Self {
            shared,
            options: None,
        }
    }

    /// A clone whose calls use `options` (a timeout, a retry policy, headers, interceptors)
    /// over the client's settings; it shares the connection pool. Options given to a clone
    /// that has some are added on top (later settings win, headers add up).
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use metorial::{CallOptions, Metorial};
    ///
    /// # async fn run(metorial: Metorial) -> metorial::Result<()> {
    /// let quick = metorial.with_options(CallOptions::new().timeout(Duration::from_secs(2)));
    /// let page = quick.setup_sessions().list(&Default::default()).await?;
    /// # let _ = page;
    /// # Ok(()) }
    /// ```
    pub fn with_options(&self, options: CallOptions) -> Metorial {
        let options = match &self.options {
            Some(current) => current.merged(options),
            None => options,
        };
        Metorial {
            shared: Arc::clone(&self.shared),
            options: Some(Arc::new(options)),
        }
    }

    /// The API's base URL.
    pub fn base_url(&self) -> &str {
        &self.shared.base_url
    }

    pub(crate) fn call(&self, operation: &'static str) -> Call<'_> {
        Call::new(&self.shared, self.options.as_ref(), operation)
    }
}

impl fmt::Debug for Metorial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Metorial")
            .field("base_url", &self.shared.base_url)
            .field("api_key", &"<redacted>")
            .field("retry", &self.shared.retry)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AuthExports, OauthSetups, SetupSessions};

    #[test]
    fn the_client_is_cheap_to_share() {
        fn shareable<T: Clone + Send + Sync + 'static>() {}
        shareable::<Metorial>();
        shareable::<SetupSessions>();
        shareable::<OauthSetups>();
        shareable::<AuthExports>();
    }

    #[test]
    fn debug_shows_the_url_but_not_the_key() {
        let metorial = Metorial::builder()
            .api_key("metorial_sk_secret_value")
            .base_url("http://127.0.0.1:1")
            .build()
            .unwrap();
        let debug = format!("{metorial:?}");
        assert!(debug.contains("http://127.0.0.1:1"), "{debug}");
        assert!(!debug.contains("secret_value"), "{debug}");
    }
}
