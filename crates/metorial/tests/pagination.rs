//! Auto-pagination: pages fetched as the stream is read, filters and page size kept.

mod support;

use futures_util::{StreamExt, TryStreamExt};
use httpmock::MockServer;
use metorial::models::{Pagination, ProviderSetupSession, ProviderSetupSessionList};
use metorial::{ListSetupSessions, Metorial};
use metorial_httpmock::MockServerExt;
use support::{KEY, session_json};

fn sdk(server: &MockServer) -> Metorial {
    Metorial::builder()
        .api_key(KEY)
        .base_url(server.base_url())
        .build()
        .unwrap()
}

fn page(ids: &[&str], has_more_before: bool, has_more_after: bool) -> ProviderSetupSessionList {
    let items: Vec<ProviderSetupSession> = ids
        .iter()
        .map(|id| serde_json::from_str(&session_json(id, "pending")).unwrap())
        .collect();
    ProviderSetupSessionList::builder()
        .items(items)
        .pagination(
            Pagination::builder()
                .has_more_before(has_more_before)
                .has_more_after(has_more_after),
        )
        .try_into()
        .unwrap()
}

#[tokio::test]
async fn walks_forward_across_pages_keeping_filters_and_size() {
    let server = MockServer::start_async().await;
    let first = server.list_provider_setup_sessions(|when, then| {
        when.into_inner()
            .query_param("limit", "2")
            .query_param("provider_id", "pro_1")
            .query_param("status", "pending")
            .query_param_missing("after");
        then.ok(&page(&["pas_1", "pas_2"], false, true));
    });
    let second = server.list_provider_setup_sessions(|when, then| {
        when.into_inner()
            .query_param("limit", "2")
            .query_param("provider_id", "pro_1")
            .query_param("status", "pending")
            .query_param("after", "pas_2");
        then.ok(&page(&["pas_3", "pas_4"], true, true));
    });
    let third = server.list_provider_setup_sessions(|when, then| {
        when.into_inner()
            .query_param("limit", "2")
            .query_param("after", "pas_4");
        then.ok(&page(&["pas_5"], true, false));
    });

    let params = ListSetupSessions::new()
        .limit(2)
        .provider_id("pro_1")
        .status(metorial::models::ProviderSetupSessionStatus::Pending);
    let ids: Vec<String> = sdk(&server)
        .setup_sessions()
        .list_all(params)
        .map_ok(|s| s.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, ["pas_1", "pas_2", "pas_3", "pas_4", "pas_5"]);
    first.assert_async().await;
    second.assert_async().await;
    third.assert_async().await;
}

#[tokio::test]
async fn pages_are_fetched_only_as_the_stream_is_read() {
    let server = MockServer::start_async().await;
    let first = server.list_provider_setup_sessions(|when, then| {
        when.into_inner().query_param_missing("after");
        then.ok(&page(&["pas_1", "pas_2"], false, true));
    });
    let second = server.list_provider_setup_sessions(|when, then| {
        when.into_inner().query_param("after", "pas_2");
        then.ok(&page(&["pas_3"], true, false));
    });
    let metorial = sdk(&server);
    let mut stream = Box::pin(metorial.setup_sessions().list_all(ListSetupSessions::new()));
    assert_eq!(stream.next().await.unwrap().unwrap().id, "pas_1");
    assert_eq!(stream.next().await.unwrap().unwrap().id, "pas_2");
    assert_eq!(
        second.calls_async().await,
        0,
        "the second page is not fetched before it is needed"
    );
    assert_eq!(stream.next().await.unwrap().unwrap().id, "pas_3");
    assert!(stream.next().await.is_none());
    assert_eq!(
        (first.calls_async().await, second.calls_async().await),
        (1, 1)
    );
}

#[tokio::test]
async fn an_empty_first_page_ends_the_stream() {
    let server = MockServer::start_async().await;
    let mock = server.list_provider_setup_sessions(|_, then| {
        // Even if the API claimed more, an empty page has no ID to continue from.
        then.ok(&page(&[], false, true));
    });
    let items: Vec<_> = sdk(&server)
        .setup_sessions()
        .list_all(ListSetupSessions::new())
        .collect()
        .await;
    assert!(items.is_empty());
    assert_eq!(mock.calls_async().await, 1);
}

#[tokio::test]
async fn walks_backward_with_before() {
    let server = MockServer::start_async().await;
    server.list_provider_setup_sessions(|when, then| {
        when.into_inner()
            .query_param("before", "pas_9")
            .query_param_missing("after");
        then.ok(&page(&["pas_7", "pas_8"], true, true));
    });
    server.list_provider_setup_sessions(|when, then| {
        when.into_inner().query_param("before", "pas_7");
        then.ok(&page(&["pas_6"], false, true));
    });
    let ids: Vec<String> = sdk(&server)
        .setup_sessions()
        .list_all_backward(ListSetupSessions::new().before("pas_9"))
        .map_ok(|s| s.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, ["pas_8", "pas_7", "pas_6"]);
}

#[tokio::test]
async fn an_error_ends_the_stream_after_being_yielded() {
    let server = MockServer::start_async().await;
    server.list_provider_setup_sessions(|when, then| {
        when.into_inner().query_param_missing("after");
        then.ok(&page(&["pas_1"], false, true));
    });
    server.list_provider_setup_sessions(|when, then| {
        when.into_inner().query_param("after", "pas_1");
        then.client_error(
            404,
            &serde_json::from_value(serde_json::json!({
                "object": "error", "status": 404, "code": "not_found", "message": "cursor gone"
            }))
            .unwrap(),
        );
    });
    let items: Vec<_> = sdk(&server)
        .setup_sessions()
        .list_all(ListSetupSessions::new())
        .collect()
        .await;
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].as_ref().unwrap().id, "pas_1");
    assert!(items[1].as_ref().unwrap_err().is_not_found());
}
