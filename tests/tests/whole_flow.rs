//! The whole provider-auth flow with the `metorial` SDK, as a service runs it: look up the
//! provider and its auth methods, register the service's own OAuth app (credentials), start a
//! setup session with it, let the user through the OAuth dance, list the user's connections,
//! export the tokens, and disconnect. Also an API-key connection (no browser), the secret's
//! rotation, and the live API's refusals on the way.

use metorial::models::{
    CreateProviderAuthConfigBody, CreateProviderAuthCredentialsBody, CreateProviderAuthExportBody,
    CreateProviderSetupSessionBody, ErrorCode, ProviderAuthConfigSource, ProviderAuthConfigStatus,
    ProviderAuthConfigType, ProviderAuthCredentialsConfig, ProviderAuthCredentialsStatus,
    ProviderOauthAutoRegistrationStatus, ProviderSetupSession, ProviderSetupSessionStatus,
    SecretObject, SecretString, UpdateProviderAuthConfigBody, UpdateProviderAuthCredentialsBody,
};
use metorial::{
    Error, ListAuthConfigs, ListAuthCredentials, ListAuthMethods, ListProviders, Metorial,
};
use metorial_e2e::follow_flow;
use metorial_emulator::{Emulator, Fixtures};
use serde_json::json;

/// The fixtures' provider whose OAuth app the fixtures do not hold: a service brings its own.
const OWN_APP_PROVIDER: &str = "pro_ownAppOnly0000001";
/// Its OAuth auth method.
const OWN_APP_METHOD: &str = "pam_ownAppOnly0000001";
/// The built-in provider (GitHub) and its API-token auth method.
const GITHUB: &str = "pro_5gHjKlMnPqRsTuVw";
const TOKEN_METHOD: &str = "pam_7tKnRsWxYzAbCdEf";

/// The built-in fixtures plus a provider with an OAuth method and no credentials.
fn fixtures() -> Fixtures {
    let mut fixtures = Fixtures::builtin();
    let mut provider = fixtures.providers[0].clone();
    provider.id = OWN_APP_PROVIDER.to_owned();
    provider.name = "Own App Co".to_owned();
    let mut method = fixtures.auth_methods[0].clone();
    method.id = OWN_APP_METHOD.to_owned();
    method.provider_id = OWN_APP_PROVIDER.to_owned();
    fixtures.providers.push(provider);
    fixtures.auth_methods.push(method);
    fixtures
}

async fn emulator() -> (Emulator, Metorial) {
    let emulator = Emulator::builder()
        .fixtures(fixtures())
        .oauth_auto_approve(true)
        .spawn()
        .await
        .expect("the emulator starts");
    let metorial = Metorial::builder()
        .api_key(emulator.api_key())
        .base_url(emulator.base_url())
        .build()
        .expect("a client");
    (emulator, metorial)
}

/// The API error `result` failed with: its status and code.
fn refusal<T: std::fmt::Debug>(result: Result<T, Error>) -> (u16, Option<ErrorCode>) {
    match result {
        Err(Error::Api(error)) => (error.status.as_u16(), error.code.clone()),
        other => panic!("expected an API error, got {other:?}"),
    }
}

/// An OAuth app's registration.
fn app(client_id: &str, secret: &str) -> ProviderAuthCredentialsConfig {
    ProviderAuthCredentialsConfig::builder()
        .client_id(client_id)
        .client_secret(SecretString::new(secret))
        .scopes(vec!["repo".to_owned()])
        .try_into()
        .unwrap()
}

/// A setup session of `OWN_APP_PROVIDER` with the credentials `app_id`, taken through the
/// OAuth dance (the fake provider approves at once); the session as it ends.
async fn connect(emulator: &Emulator, metorial: &Metorial, app_id: &str) -> ProviderSetupSession {
    let sessions = metorial.setup_sessions();
    let session = sessions
        .create(
            CreateProviderSetupSessionBody::new()
                .provider_id(OWN_APP_PROVIDER)
                .provider_auth_credentials_id(app_id)
                .redirect_url("https://service.example/connected"),
        )
        .await
        .unwrap();
    let landed = follow_flow(emulator, &session.url).await;
    assert_eq!(landed.host_str(), Some("service.example"), "{landed}");
    sessions.get(&session.id).await.unwrap()
}

#[tokio::test]
async fn a_service_connects_a_user_with_its_own_oauth_app_then_disconnects() {
    let (emulator, metorial) = emulator().await;

    // The provider tells the service to bring an OAuth app, and where it redirects.
    let provider = metorial.providers().get(OWN_APP_PROVIDER).await.unwrap();
    let oauth = provider.oauth.clone().expect("an OAuth provider");
    assert_eq!(
        oauth.auto_registration.status,
        ProviderOauthAutoRegistrationStatus::Unsupported
    );
    assert!(
        oauth
            .callback_url
            .unwrap()
            .starts_with(emulator.public_url())
    );
    let version = provider.current_version.expect("a current version").id;
    let methods = metorial
        .auth_methods()
        .list(&ListAuthMethods::new().provider_version(&version))
        .await
        .unwrap();
    assert_eq!(methods.items.len(), 1);
    assert_eq!(methods.items[0].id, OWN_APP_METHOD);

    // Without an app of its own, a session for the OAuth method fails as on the live API.
    let without = metorial
        .setup_sessions()
        .create(CreateProviderSetupSessionBody::new().provider_id(OWN_APP_PROVIDER))
        .await;
    assert_eq!(
        refusal(without),
        (400, Some(ErrorCode::MissingAuthCredentials))
    );

    // The service registers its app; the secret never comes back.
    let body =
        CreateProviderAuthCredentialsBody::new(OWN_APP_PROVIDER, app("svc-app", "svc-secret"))
            .name("Service app");
    assert!(!format!("{body:?}").contains("svc-secret"));
    let credentials = metorial.auth_credentials().create(body).await.unwrap();
    let shown = serde_json::to_string(&credentials).unwrap();
    assert!(
        !shown.contains("svc-secret") && !shown.contains("svc-app"),
        "{shown}"
    );
    assert_eq!(
        credentials.status,
        Some(ProviderAuthCredentialsStatus::Active)
    );
    assert!(!credentials.is_default);
    assert_eq!(credentials.scopes, Some(vec!["repo".to_owned()]));

    // The user goes through OAuth: a connection made by the session, with the service's app.
    let session = connect(&emulator, &metorial, &credentials.id).await;
    assert_eq!(session.status, ProviderSetupSessionStatus::Completed);
    let connection = session.auth_config.expect("the session's auth config");
    assert_eq!(connection.source, ProviderAuthConfigSource::SetupSession);
    assert_eq!(
        connection.credentials.as_ref().map(|c| c.id.as_str()),
        Some(credentials.id.as_str())
    );

    // The user's connections: listed by provider and by credentials, read back, exported.
    let configs = metorial.auth_configs();
    let mine = configs
        .list(&ListAuthConfigs::new().provider_id(OWN_APP_PROVIDER))
        .await
        .unwrap();
    assert_eq!(
        mine.items.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
        [connection.id.as_str()]
    );
    let by_app = configs
        .list(&ListAuthConfigs::new().provider_auth_credentials_id(credentials.id.as_str()))
        .await
        .unwrap();
    assert_eq!(by_app.items.len(), 1);
    assert_eq!(configs.get(&connection.id).await.unwrap(), mine.items[0]);
    let export = metorial
        .auth_exports()
        .create(CreateProviderAuthExportBody::new(
            &connection.id,
            "sync job",
        ))
        .await
        .unwrap();
    assert!(
        export
            .value
            .as_ref()
            .and_then(|v| v.expose_str("access_token"))
            .is_some()
    );

    // A connection a flow made keeps its name on the live API.
    let rename = configs
        .update(
            &connection.id,
            UpdateProviderAuthConfigBody::new().name("Work GitHub"),
        )
        .await;
    assert_eq!(
        refusal(rename),
        (400, Some(ErrorCode::CannotUpdateAutomatedOauthConfig))
    );

    // Disconnect: archived, still readable, no longer exportable, not deleted twice.
    let archived = configs.delete(&connection.id).await.unwrap();
    assert_eq!(archived.status, Some(ProviderAuthConfigStatus::Archived));
    assert_eq!(
        configs.get(&connection.id).await.unwrap().status,
        Some(ProviderAuthConfigStatus::Archived)
    );
    let export = metorial
        .auth_exports()
        .create(CreateProviderAuthExportBody::new(
            &connection.id,
            "after the disconnect",
        ))
        .await;
    assert_eq!(refusal(export), (400, Some(ErrorCode::UseAfterDelete)));
    assert_eq!(
        refusal(configs.delete(&connection.id).await),
        (410, Some(ErrorCode::Gone))
    );
    let active = configs
        .list(
            &ListAuthConfigs::new()
                .provider_id(OWN_APP_PROVIDER)
                .status(ProviderAuthConfigStatus::Active),
        )
        .await
        .unwrap();
    assert!(active.items.is_empty());
    emulator.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_wrong_secret_fails_the_exchange_until_it_is_rotated_back() {
    let (emulator, metorial) = emulator().await;
    let apps = metorial.auth_credentials();
    let credentials = apps
        .create(CreateProviderAuthCredentialsBody::new(
            OWN_APP_PROVIDER,
            app("rot-app", "first"),
        ))
        .await
        .unwrap();
    assert_eq!(
        connect(&emulator, &metorial, &credentials.id).await.status,
        ProviderSetupSessionStatus::Completed
    );

    // The provider knows the app by its first secret: another one fails the exchange.
    apps.update(
        &credentials.id,
        UpdateProviderAuthCredentialsBody::new().client_secret(SecretString::new("second")),
    )
    .await
    .unwrap();
    assert_eq!(
        connect(&emulator, &metorial, &credentials.id).await.status,
        ProviderSetupSessionStatus::Failed
    );
    apps.update(
        &credentials.id,
        UpdateProviderAuthCredentialsBody::new().client_secret(SecretString::new("first")),
    )
    .await
    .unwrap();
    assert_eq!(
        connect(&emulator, &metorial, &credentials.id).await.status,
        ProviderSetupSessionStatus::Completed
    );

    // Deleted (archived) credentials: readable, listed by status, unusable, not changed again.
    let archived = apps.delete(&credentials.id).await.unwrap();
    assert_eq!(
        archived.status,
        Some(ProviderAuthCredentialsStatus::Archived)
    );
    let listed = apps
        .list(&ListAuthCredentials::new().status(ProviderAuthCredentialsStatus::Archived))
        .await
        .unwrap();
    assert_eq!(
        listed
            .items
            .iter()
            .map(|c| c.id.as_str())
            .collect::<Vec<_>>(),
        [credentials.id.as_str()]
    );
    let session = metorial
        .setup_sessions()
        .create(
            CreateProviderSetupSessionBody::new()
                .provider_id(OWN_APP_PROVIDER)
                .provider_auth_credentials_id(&credentials.id),
        )
        .await;
    assert_eq!(refusal(session), (400, Some(ErrorCode::UseAfterDelete)));
    let update = apps
        .update(
            &credentials.id,
            UpdateProviderAuthCredentialsBody::new().name("x"),
        )
        .await;
    assert_eq!(refusal(update), (410, Some(ErrorCode::Gone)));
    emulator.shutdown().await.unwrap();
}

#[tokio::test]
async fn an_api_key_connection_needs_no_browser_and_is_checked_against_its_input_schema() {
    let (emulator, metorial) = emulator().await;
    let providers = metorial
        .providers()
        .list(&ListProviders::new().id(GITHUB))
        .await
        .unwrap();
    assert_eq!(providers.items.len(), 1);
    let configs = metorial.auth_configs();

    let token =
        |value: serde_json::Value| -> SecretObject { serde_json::from_value(value).unwrap() };
    let missing = configs
        .create(CreateProviderAuthConfigBody::new(
            TOKEN_METHOD,
            token(json!({"tok": "x"})),
        ))
        .await;
    assert_eq!(refusal(missing), (400, Some(ErrorCode::InvalidData)));
    let unknown = configs
        .create(CreateProviderAuthConfigBody::new(
            "pam_nope",
            token(json!({"token": "x"})),
        ))
        .await;
    assert_eq!(refusal(unknown), (404, Some(ErrorCode::NotFound)));

    let made = configs
        .create(
            CreateProviderAuthConfigBody::new(TOKEN_METHOD, token(json!({"token": "ghp_api_key"})))
                .name("CI token"),
        )
        .await
        .unwrap();
    assert_eq!(made.type_, Some(ProviderAuthConfigType::Manual));
    assert_eq!(made.source, ProviderAuthConfigSource::Manual);
    assert_eq!(made.provider_id, GITHUB);
    assert!(
        !serde_json::to_string(&made)
            .unwrap()
            .contains("ghp_api_key")
    );

    let renamed = configs
        .update(
            &made.id,
            UpdateProviderAuthConfigBody::new().name("Renamed"),
        )
        .await
        .unwrap();
    assert_eq!(renamed.name.as_deref(), Some("Renamed"));
    let export = metorial
        .auth_exports()
        .create(CreateProviderAuthExportBody::new(
            &made.id,
            "the stored key",
        ))
        .await
        .unwrap();
    assert_eq!(
        export.value.as_ref().and_then(|v| v.expose_str("token")),
        Some("ghp_api_key")
    );
    emulator.shutdown().await.unwrap();
}

#[tokio::test]
async fn snapshots_and_reset_cover_the_new_resources() {
    let (emulator, metorial) = emulator().await;
    let credentials = metorial
        .auth_credentials()
        .create(CreateProviderAuthCredentialsBody::new(
            OWN_APP_PROVIDER,
            app("snap-app", "snap"),
        ))
        .await
        .unwrap();
    let value: SecretObject = serde_json::from_value(json!({"token": "ghp_snap"})).unwrap();
    let config = metorial
        .auth_configs()
        .create(CreateProviderAuthConfigBody::new(TOKEN_METHOD, value))
        .await
        .unwrap();
    let archived = metorial.auth_configs().delete(&config.id).await.unwrap();

    let tenant = emulator.tenant();
    let snapshot = tenant.snapshot().await.unwrap();
    tenant.reset().await.unwrap();
    let gone = metorial.auth_credentials().get(&credentials.id).await;
    assert_eq!(refusal(gone), (404, Some(ErrorCode::NotFound)));
    let listed = metorial
        .auth_configs()
        .list(&ListAuthConfigs::new().id(config.id.as_str()))
        .await
        .unwrap();
    assert!(listed.items.is_empty());

    // Back as they were, the filters' columns included (archived, by status).
    tenant.restore(snapshot).await.unwrap();
    assert_eq!(
        metorial
            .auth_credentials()
            .get(&credentials.id)
            .await
            .unwrap(),
        credentials
    );
    let by_status = metorial
        .auth_configs()
        .list(&ListAuthConfigs::new().status(ProviderAuthConfigStatus::Archived))
        .await
        .unwrap();
    assert_eq!(by_status.items, [archived]);
    emulator.shutdown().await.unwrap();
}
