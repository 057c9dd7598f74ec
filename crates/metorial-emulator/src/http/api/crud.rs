//! [`crud_handlers!`]: the five handlers of a resource whose store module serves `list`,
//! `create`, `get`, `update` and `delete` the same way (the spec's filters, a JSON body, an
//! ID in the path). A new resource of that shape needs this one line and its store logic.

/// Defines `list`, `create`, `get`, `update` and `delete` over the store module `$store`: the
/// list operation `$list` (its generated filters) answering `$page` (with its shared views
/// spliced in: see [`Spliced`](crate::splice::Spliced)), one object `$item`, and
/// the bodies `$create` and `$update`.
macro_rules! crud_handlers {
    ($store:ident, $list:ident, $page:ty, $item:ty, $create:ty, $update:ty) => {
        /// The list operation: the spec's filters, paged.
        pub(crate) async fn list(
            axum::Extension(tenant): axum::Extension<crate::tenant::Tenant>,
            axum::extract::RawQuery(query): axum::extract::RawQuery,
        ) -> Result<super::json::Page<crate::splice::Spliced<$page>>, crate::http::error::ApiError>
        {
            let filters = super::generated::OperationId::$list.filters();
            let query = super::extract::list_query(query.as_deref(), filters)?;
            let read = move |db: &mut crate::store::Db<'_>| {
                crate::store::$store::list(db, &query.page, &query.filters)
            };
            Ok(super::json::Page(tenant.store.call(read).await?))
        }

        /// The create operation.
        pub(crate) async fn create(
            axum::Extension(tenant): axum::Extension<crate::tenant::Tenant>,
            super::extract::JsonBody(body): super::extract::JsonBody<$create>,
        ) -> Result<axum::Json<$item>, crate::http::error::ApiError> {
            let write = move |db: &mut crate::store::Db<'_>| crate::store::$store::create(db, body);
            Ok(axum::Json(tenant.store.call(write).await?))
        }

        /// The get operation.
        pub(crate) async fn get(
            axum::Extension(tenant): axum::Extension<crate::tenant::Tenant>,
            super::extract::ApiPath(id): super::extract::ApiPath<String>,
        ) -> Result<axum::Json<$item>, crate::http::error::ApiError> {
            let read = move |db: &mut crate::store::Db<'_>| crate::store::$store::get(db, &id);
            Ok(axum::Json(tenant.store.call(read).await?))
        }

        /// The update operation (only the fields sent change).
        pub(crate) async fn update(
            axum::Extension(tenant): axum::Extension<crate::tenant::Tenant>,
            super::extract::ApiPath(id): super::extract::ApiPath<String>,
            super::extract::JsonBody(body): super::extract::JsonBody<$update>,
        ) -> Result<axum::Json<$item>, crate::http::error::ApiError> {
            let write =
                move |db: &mut crate::store::Db<'_>| crate::store::$store::update(db, &id, body);
            Ok(axum::Json(tenant.store.call(write).await?))
        }

        /// The delete operation (it archives).
        pub(crate) async fn delete(
            axum::Extension(tenant): axum::Extension<crate::tenant::Tenant>,
            super::extract::ApiPath(id): super::extract::ApiPath<String>,
        ) -> Result<axum::Json<$item>, crate::http::error::ApiError> {
            let write = move |db: &mut crate::store::Db<'_>| crate::store::$store::delete(db, &id);
            Ok(axum::Json(tenant.store.call(write).await?))
        }
    };
}

pub(crate) use crud_handlers;
