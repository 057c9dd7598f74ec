//! [`SetupSessions`]: `/provider-setup-sessions`.

use futures_util::Stream;
use metorial_models::{
    CreateProviderSetupSessionBody, ProviderSetupSession, ProviderSetupSessionStatus,
    UpdateProviderSetupSessionBody,
};

use super::{set_dates, set_paging, set_some};
use crate::call::require_id;
use crate::client::Metorial;
use crate::error::Result;
use crate::list::{Direction, ListSetupSessions, Page, Paged};
use crate::wait::{Progress, WaitOptions, wait_for};

/// Provider setup sessions: an in-progress OAuth flow that, on success, creates an auth
/// config holding the user's tokens. Get one with [`Metorial::setup_sessions`].
#[derive(Clone, Debug)]
pub struct SetupSessions {
    metorial: Metorial,
}

impl SetupSessions {
    pub(crate) fn new(metorial: Metorial) -> Self {
        Self { metorial }
    }

    /// One page of setup sessions (`GET /provider-setup-sessions`).
    pub async fn list(&self, params: &ListSetupSessions) -> Result<Page<ProviderSetupSession>> {
        let limit = params.checked_limit()?;
        let list = self
            .metorial
            .call("list_provider_setup_sessions")
            .run(|client| {
                let mut req = client.list_provider_setup_sessions();
                let f = &params.filters;
                set_paging!(req, params, limit);
                set_some!(
                    req,
                    id = f.id.clone(),
                    provider_id = f.provider_id.clone(),
                    provider_deployment_id = f.provider_deployment_id.clone(),
                    provider_auth_method_id = f.provider_auth_method_id.clone(),
                    provider_auth_config_id = f.provider_auth_config_id.clone(),
                    provider_auth_credentials_id = f.provider_auth_credentials_id.clone(),
                    status = f.status.clone(),
                );
                set_dates!(req, f.dates.clone());
                req.send()
            })
            .await?;
        Ok(Page::new(list.items, list.pagination))
    }

    /// Every setup session from `params` on, fetching pages (`after` = the last ID) as the
    /// stream is read; filters and page size are kept. Ends after the last page or the first
    /// error.
    pub fn list_all(
        &self,
        params: ListSetupSessions,
    ) -> impl Stream<Item = Result<ProviderSetupSession>> + Send + 'static {
        self.stream(params, Direction::Forward)
    }

    /// Like [`list_all`](Self::list_all), walking backward (`before` = the first ID) from
    /// `params.before`: each page's items come last to first.
    pub fn list_all_backward(
        &self,
        params: ListSetupSessions,
    ) -> impl Stream<Item = Result<ProviderSetupSession>> + Send + 'static {
        self.stream(params, Direction::Backward)
    }

    /// One setup session (`GET /provider-setup-sessions/{id}`).
    pub async fn get(&self, id: &str) -> Result<ProviderSetupSession> {
        require_id("setup session", id)?;
        self.metorial
            .call("get_provider_setup_session")
            .run(|client| {
                client
                    .get_provider_setup_session()
                    .provider_setup_session_id(id)
                    .send()
            })
            .await
    }

    /// Starts a setup session (`POST /provider-setup-sessions`); send the user to its `url`.
    ///
    /// ```no_run
    /// # async fn run(metorial: metorial::Metorial) -> metorial::Result<()> {
    /// use metorial::models::CreateProviderSetupSessionBody;
    ///
    /// let session = metorial
    ///     .setup_sessions()
    ///     .create(
    ///         CreateProviderSetupSessionBody::new()
    ///             .provider_id("pro_5gHjKlMnPqRsTuVw")
    ///             .name("GitHub for Ada")
    ///             .redirect_url("https://app.example.com/connected"),
    ///     )
    ///     .await?;
    /// println!("send the user to {}", session.url);
    /// # Ok(()) }
    /// ```
    pub async fn create(
        &self,
        body: CreateProviderSetupSessionBody,
    ) -> Result<ProviderSetupSession> {
        if let Some(provider_id) = &body.provider_id {
            require_id("provider", provider_id)?;
        }
        self.metorial
            .call("create_provider_setup_session")
            .run(|client| {
                client
                    .create_provider_setup_session()
                    .body(body.clone())
                    .send()
            })
            .await
    }

    /// Changes a setup session's name, description, metadata or identity
    /// (`PATCH /provider-setup-sessions/{id}`); only the fields set are sent (the API cannot
    /// clear a field).
    ///
    /// ```no_run
    /// # async fn run(metorial: metorial::Metorial) -> metorial::Result<()> {
    /// use metorial::models::UpdateProviderSetupSessionBody;
    ///
    /// let body = UpdateProviderSetupSessionBody::new().name("Renamed").description("For Ada");
    /// metorial.setup_sessions().update("pas_6eFgHjKlMnPqRsTu", body).await?;
    /// # Ok(()) }
    /// ```
    pub async fn update(
        &self,
        id: &str,
        body: UpdateProviderSetupSessionBody,
    ) -> Result<ProviderSetupSession> {
        require_id("setup session", id)?;
        self.metorial
            .call("update_provider_setup_session")
            .run(|client| {
                client
                    .update_provider_setup_session()
                    .provider_setup_session_id(id)
                    .body(body.clone())
                    .send()
            })
            .await
    }

    /// Deletes a setup session (`DELETE /provider-setup-sessions/{id}`) and returns it.
    pub async fn delete(&self, id: &str) -> Result<ProviderSetupSession> {
        require_id("setup session", id)?;
        self.metorial
            .call("delete_provider_setup_session")
            .run(|client| {
                client
                    .delete_provider_setup_session()
                    .provider_setup_session_id(id)
                    .send()
            })
            .await
    }

    /// Polls the setup session until it is `completed` and returns it.
    ///
    /// # Errors
    /// [`FlowError::Ended`](crate::FlowError::Ended) when it becomes `failed`, `expired`,
    /// `archived` or `deleted`; [`FlowError::Deleted`](crate::FlowError::Deleted) when it
    /// disappears; [`FlowError::DeadlineExceeded`](crate::FlowError::DeadlineExceeded) when
    /// `options`' timeout passes first; any other error of [`get`](Self::get).
    pub async fn wait_for_completion(
        &self,
        id: &str,
        options: WaitOptions,
    ) -> Result<ProviderSetupSession> {
        require_id("setup session", id)?;
        wait_for(id, &options, || async {
            let session = self.get(id).await?;
            let progress = match &session.status {
                ProviderSetupSessionStatus::Completed => Progress::Done,
                ProviderSetupSessionStatus::Failed
                | ProviderSetupSessionStatus::Expired
                | ProviderSetupSessionStatus::Archived
                | ProviderSetupSessionStatus::Deleted => {
                    Progress::Ended(session.status.to_string())
                }
                // `pending`, and values this SDK does not know yet.
                other => Progress::Waiting(other.to_string()),
            };
            Ok((progress, session))
        })
        .await
    }
}

impl Paged for SetupSessions {
    type Item = ProviderSetupSession;
    type Filters = crate::list::SetupSessionFilters;

    async fn page(&self, params: &ListSetupSessions) -> Result<Page<ProviderSetupSession>> {
        self.list(params).await
    }
}
