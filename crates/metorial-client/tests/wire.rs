//! The generated client against the generated typed mocks: what goes on the wire.

use httpmock::MockServer;
use metorial_client::{Client, Hooks};
use metorial_httpmock::MockServerExt;
use metorial_models::{
    ProviderSetupSession, ProviderSetupSessionStatus, SetupSessionStatusFilter,
    UpdateProviderSetupSessionBody,
};

const SESSION: &str = include_str!("../../../spec/examples/provider-setup-session.json");

fn session() -> ProviderSetupSession {
    serde_json::from_str(SESSION).unwrap()
}

fn client(server: &MockServer) -> Client {
    Client::new_with_client(&server.base_url(), reqwest::Client::new(), Hooks::default())
}

#[tokio::test]
async fn get_sends_no_api_version_header_and_decodes_the_docs_example() {
    let server = MockServer::start_async().await;
    let mock = server.get_provider_setup_session(|when, then| {
        let when = when.provider_setup_session_id("pas_6eFgHjKlMnPqRsTu");
        when.into_inner()
            .header_missing("api-version")
            .header("accept", "application/json");
        then.ok(&session());
    });

    let response = client(&server)
        .get_provider_setup_session()
        .provider_setup_session_id("pas_6eFgHjKlMnPqRsTu")
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(response.into_inner(), session());
}

#[tokio::test]
async fn a_list_filter_goes_out_as_repeated_keys() {
    let server = MockServer::start_async().await;
    let statuses: SetupSessionStatusFilter = [
        ProviderSetupSessionStatus::Pending,
        ProviderSetupSessionStatus::Failed,
    ]
    .into();
    let page: metorial_models::ProviderSetupSessionList =
        metorial_models::ProviderSetupSessionList::builder()
            .items(vec![session()])
            .pagination(
                metorial_models::Pagination::builder()
                    .has_more_before(false)
                    .has_more_after(false),
            )
            .try_into()
            .unwrap();
    let mock = server.list_provider_setup_sessions(|when, then| {
        let when = when.status(&statuses).limit(std::num::NonZeroU64::new(5));
        when.into_inner().query_param_count("status", ".*", 2);
        then.ok(&page);
    });

    let response = client(&server)
        .list_provider_setup_sessions()
        .status(statuses.clone())
        .limit(std::num::NonZeroU64::new(5).unwrap())
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(response.into_inner(), page);
}

#[tokio::test]
async fn patch_sends_only_the_fields_set_and_never_null() {
    let server = MockServer::start_async().await;
    let mock = server.update_provider_setup_session(|when, then| {
        let when = when.provider_setup_session_id("pas_1");
        when.into_inner()
            .header("content-type", "application/json")
            .body(r#"{"identity_id":"idn_1","name":"Renamed"}"#);
        then.ok(&session());
    });

    // The live API refuses `null` in a PATCH body: unset fields are not sent at all.
    let body = UpdateProviderSetupSessionBody::new()
        .name("Renamed")
        .identity_id("idn_1");
    client(&server)
        .update_provider_setup_session()
        .provider_setup_session_id("pas_1")
        .body(body)
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
}

#[tokio::test]
async fn an_error_body_is_typed() {
    let server = MockServer::start_async().await;
    server.get_provider_setup_session(|when, then| {
        when.provider_setup_session_id("pas_missing");
        then.client_error(
            404,
            &serde_json::from_value(serde_json::json!({
                "object": "error", "status": 404, "code": "not_found",
                "message": "Setup session not found"
            }))
            .unwrap(),
        );
    });

    let error = client(&server)
        .get_provider_setup_session()
        .provider_setup_session_id("pas_missing")
        .send()
        .await
        .unwrap_err();

    match error {
        metorial_client::Error::ErrorResponse(body) => {
            assert_eq!(body.status(), 404);
            assert_eq!(body.code, metorial_models::ErrorCode::NotFound);
            assert_eq!(body.message, "Setup session not found");
        }
        other => panic!("expected an error response, got {other:?}"),
    }
}
