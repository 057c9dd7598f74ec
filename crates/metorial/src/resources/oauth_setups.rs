//! [`OauthSetups`]: `/provider-deployments/{id}/oauth-setups`.

use futures_util::Stream;
use metorial_models::{
    CreateProviderOauthSetupBody, ProviderOauthSetup, ProviderOauthSetupStatus,
    UpdateProviderOauthSetupBody,
};

use super::set_paging;
use crate::call::require_id;
use crate::client::Metorial;
use crate::error::Result;
use crate::list::{Direction, ListOauthSetups, Page, Paged};
use crate::wait::{Progress, WaitOptions, wait_for};

/// The OAuth setups of one provider deployment: a URL users visit; completing it creates an
/// auth config. Get one with [`Metorial::oauth_setups`].
#[derive(Clone, Debug)]
pub struct OauthSetups {
    metorial: Metorial,
    deployment_id: String,
}

impl OauthSetups {
    pub(crate) fn new(metorial: Metorial, deployment_id: String) -> Self {
        Self {
            metorial,
            deployment_id,
        }
    }

    /// The deployment these setups belong to.
    pub fn deployment_id(&self) -> &str {
        &self.deployment_id
    }

    /// One page of OAuth setups (`GET /provider-deployments/{id}/oauth-setups`).
    pub async fn list(&self, params: &ListOauthSetups) -> Result<Page<ProviderOauthSetup>> {
        require_id("deployment", &self.deployment_id)?;
        let limit = params.checked_limit()?;
        let list = self
            .metorial
            .call("list_provider_oauth_setups")
            .run(|client| {
                let mut req = client
                    .list_provider_oauth_setups()
                    .provider_deployment_id(&self.deployment_id);
                set_paging!(req, params, limit);
                req.send()
            })
            .await?;
        Ok(Page::new(list.items, list.pagination))
    }

    /// Every OAuth setup from `params` on, fetching pages as the stream is read.
    pub fn list_all(
        &self,
        params: ListOauthSetups,
    ) -> impl Stream<Item = Result<ProviderOauthSetup>> + Send + 'static {
        self.stream(params, Direction::Forward)
    }

    /// Like [`list_all`](Self::list_all), walking backward from `params.before`.
    pub fn list_all_backward(
        &self,
        params: ListOauthSetups,
    ) -> impl Stream<Item = Result<ProviderOauthSetup>> + Send + 'static {
        self.stream(params, Direction::Backward)
    }

    /// One OAuth setup (`GET /provider-deployments/{id}/oauth-setups/{setup_id}`).
    pub async fn get(&self, id: &str) -> Result<ProviderOauthSetup> {
        require_id("deployment", &self.deployment_id)?;
        require_id("OAuth setup", id)?;
        self.metorial
            .call("get_provider_oauth_setup")
            .run(|client| {
                client
                    .get_provider_oauth_setup()
                    .provider_deployment_id(&self.deployment_id)
                    .provider_oauth_setup_id(id)
                    .send()
            })
            .await
    }

    /// Creates an OAuth setup (`POST /provider-deployments/{id}/oauth-setups`); send users to
    /// its `url`. The `config` (which may hold a client secret) never prints in `Debug`.
    pub async fn create(&self, body: CreateProviderOauthSetupBody) -> Result<ProviderOauthSetup> {
        require_id("deployment", &self.deployment_id)?;
        let secrets: Vec<String> = body
            .config
            .expose_all()
            .values()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect();
        self.metorial
            .call("create_provider_oauth_setup")
            .sending_secrets(secrets)
            .run(|client| {
                client
                    .create_provider_oauth_setup()
                    .provider_deployment_id(&self.deployment_id)
                    .body(body.clone())
                    .send()
            })
            .await
    }

    /// Changes an OAuth setup's name, description or metadata
    /// (`PATCH /provider-deployments/{id}/oauth-setups/{setup_id}`).
    pub async fn update(
        &self,
        id: &str,
        body: UpdateProviderOauthSetupBody,
    ) -> Result<ProviderOauthSetup> {
        require_id("deployment", &self.deployment_id)?;
        require_id("OAuth setup", id)?;
        self.metorial
            .call("update_provider_oauth_setup")
            .run(|client| {
                client
                    .update_provider_oauth_setup()
                    .provider_deployment_id(&self.deployment_id)
                    .provider_oauth_setup_id(id)
                    .body(body.clone())
                    .send()
            })
            .await
    }

    /// Polls the OAuth setup until it is `completed` and returns it.
    ///
    /// # Errors
    /// As [`SetupSessions::wait_for_completion`](crate::SetupSessions::wait_for_completion):
    /// `failed` or `expired` end the wait with [`FlowError::Ended`](crate::FlowError::Ended).
    pub async fn wait_for_completion(
        &self,
        id: &str,
        options: WaitOptions,
    ) -> Result<ProviderOauthSetup> {
        require_id("OAuth setup", id)?;
        wait_for(id, &options, || async {
            let setup = self.get(id).await?;
            let progress = match &setup.status {
                Some(ProviderOauthSetupStatus::Completed) => Progress::Done,
                Some(
                    status @ (ProviderOauthSetupStatus::Failed | ProviderOauthSetupStatus::Expired),
                ) => Progress::Ended(status.to_string()),
                Some(other) => Progress::Waiting(other.to_string()),
                None => Progress::Waiting("unknown".to_owned()),
            };
            Ok((progress, setup))
        })
        .await
    }
}

impl Paged for OauthSetups {
    type Item = ProviderOauthSetup;
    type Filters = crate::list::NoFilters;

    async fn page(&self, params: &ListOauthSetups) -> Result<Page<ProviderOauthSetup>> {
        self.list(params).await
    }
}
