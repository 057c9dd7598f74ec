//! [`AuthExports`]: `/provider-auth-config-exports`.

use futures_util::Stream;
use metorial_models::{CreateProviderAuthExportBody, ProviderAuthExport};

use super::{set_dates, set_paging, set_some};
use crate::call::require_id;
use crate::client::Metorial;
use crate::error::Result;
use crate::list::{Direction, ListAuthExports, Page, Paged};

/// Provider auth exports: the tokens of an auth config, extracted for use elsewhere. Get one
/// with [`Metorial::auth_exports`].
///
/// An export's `value` is a [`SecretObject`](crate::models::SecretObject): it never prints
/// in `Debug`; read a token with `value.expose_str("access_token")`.
#[derive(Clone, Debug)]
pub struct AuthExports {
    metorial: Metorial,
}

impl AuthExports {
    pub(crate) fn new(metorial: Metorial) -> Self {
        Self { metorial }
    }

    /// One page of auth exports (`GET /provider-auth-config-exports`).
    pub async fn list(&self, params: &ListAuthExports) -> Result<Page<ProviderAuthExport>> {
        let limit = params.checked_limit()?;
        let list = self
            .metorial
            .call("list_provider_auth_exports")
            .run(|client| {
                let mut req = client.list_provider_auth_exports();
                let f = &params.filters;
                set_paging!(req, params, limit);
                set_some!(
                    req,
                    id = f.id.clone(),
                    provider_id = f.provider_id.clone(),
                    provider_auth_credentials_id = f.provider_auth_credentials_id.clone(),
                    provider_auth_config_id = f.provider_auth_config_id.clone(),
                );
                set_dates!(req, f.dates.clone());
                req.send()
            })
            .await?;
        Ok(Page::new(list.items, list.pagination))
    }

    /// Every auth export from `params` on, fetching pages as the stream is read.
    pub fn list_all(
        &self,
        params: ListAuthExports,
    ) -> impl Stream<Item = Result<ProviderAuthExport>> + Send + 'static {
        self.stream(params, Direction::Forward)
    }

    /// Like [`list_all`](Self::list_all), walking backward from `params.before`.
    pub fn list_all_backward(
        &self,
        params: ListAuthExports,
    ) -> impl Stream<Item = Result<ProviderAuthExport>> + Send + 'static {
        self.stream(params, Direction::Backward)
    }

    /// One auth export (`GET /provider-auth-config-exports/{id}`).
    pub async fn get(&self, id: &str) -> Result<ProviderAuthExport> {
        require_id("auth export", id)?;
        self.metorial
            .call("get_provider_auth_export")
            .run(|client| {
                client
                    .get_provider_auth_export()
                    .provider_auth_export_id(id)
                    .send()
            })
            .await
    }

    /// Exports the current tokens of an auth config (`POST /provider-auth-config-exports`).
    ///
    /// ```no_run
    /// # async fn run(metorial: metorial::Metorial) -> metorial::Result<()> {
    /// use metorial::models::CreateProviderAuthExportBody;
    ///
    /// let export = metorial
    ///     .auth_exports()
    ///     .create(CreateProviderAuthExportBody::new("pac_8pQrStUvWxYzAbCd", "nightly sync"))
    ///     .await?;
    /// let token = export.value.as_ref().and_then(|v| v.expose_str("access_token"));
    /// # let _ = token;
    /// # Ok(()) }
    /// ```
    pub async fn create(&self, body: CreateProviderAuthExportBody) -> Result<ProviderAuthExport> {
        require_id("auth config", &body.provider_auth_config_id)?;
        self.metorial
            .call("create_provider_auth_export")
            .run(|client| {
                client
                    .create_provider_auth_export()
                    .body(body.clone())
                    .send()
            })
            .await
    }
}

impl Paged for AuthExports {
    type Item = ProviderAuthExport;
    type Filters = crate::list::AuthExportFilters;

    async fn page(&self, params: &ListAuthExports) -> Result<Page<ProviderAuthExport>> {
        self.list(params).await
    }
}
