//! Request extractors that answer bad input with the API's error body (axum's own rejections
//! are plain text): JSON bodies, path parameters and list queries (which take repeated keys).

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use metorial_models::{ErrorCode, PathSegment};
use serde::de::DeserializeOwned;

use crate::errors::ApiError;
use crate::store::paging::{Cursor, Filter, Order, PageRequest};

/// A JSON request body decoded into `T`; a failure names the offending field.
pub(crate) struct JsonBody<T>(pub(crate) T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(body_rejection)?;
        decode_json(&bytes).map(JsonBody)
    }
}

fn body_rejection(rejection: BytesRejection) -> ApiError {
    let status = rejection.status();
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(
            status,
            ErrorCode::BadRequest,
            "the request body is too large",
        )
    } else {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadRequest,
            format!("cannot read the request body: {}", rejection.body_text()),
        )
    }
}

/// serde_json's message without its ` at line L column C` suffix.
fn bare_message(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}

/// Decodes a JSON body, mapping failures to 400 `invalid_data` with the field's path.
pub(crate) fn decode_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::invalid_with_code(
            Vec::new(),
            "invalid_json",
            "a JSON object body is required",
        ));
    }
    // Syntax first, then the shape: a body is a JSON object (serde would take an array for a
    // struct, field by position).
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        ApiError::invalid_with_code(
            Vec::new(),
            "invalid_json",
            format!("malformed JSON: {}", bare_message(&e)),
        )
    })?;
    if !value.is_object() {
        return Err(ApiError::invalid_with_code(
            Vec::new(),
            "invalid_type",
            "the body must be a JSON object",
        ));
    }
    serde_path_to_error::deserialize(value).map_err(|error| {
        let mut path: Vec<PathSegment> = error
            .path()
            .iter()
            .filter_map(|segment| match segment {
                serde_path_to_error::Segment::Seq { index } => {
                    Some(PathSegment::Index(*index as u64))
                }
                serde_path_to_error::Segment::Map { key } => Some(PathSegment::Key(key.clone())),
                serde_path_to_error::Segment::Enum { variant } => {
                    Some(PathSegment::Key(variant.clone()))
                }
                serde_path_to_error::Segment::Unknown => None,
            })
            .collect();
        let message = bare_message(error.inner());
        // serde reports a missing field at its parent; point at the field itself.
        if let Some(field) = message
            .strip_prefix("missing field `")
            .and_then(|rest| rest.strip_suffix('`'))
        {
            path.push(PathSegment::Key(field.to_owned()));
            return ApiError::invalid_with_code(path, "required", "is required");
        }
        let code = if message.starts_with("invalid type") {
            "invalid_type"
        } else {
            "invalid_value"
        };
        ApiError::invalid_with_code(path, code, message)
    })
}

/// Path parameters; a failure (e.g. invalid percent-encoding) is a 400 error body.
pub(crate) struct ApiPath<T>(pub(crate) T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(value)| ApiPath(value))
            .map_err(|rejection| {
                ApiError::invalid_with_code(
                    Vec::new(),
                    "invalid_path",
                    format!("invalid path parameter: {}", rejection.body_text()),
                )
            })
    }
}

/// The most values one filter takes.
const MAX_FILTER_VALUES: usize = 100;

/// A list request: the page and the filters.
#[derive(Debug)]
pub(crate) struct ListQuery {
    /// The page.
    pub(crate) page: PageRequest,
    /// The filters (column, values).
    pub(crate) filters: Vec<Filter>,
}

/// Parses a list query: `limit` (1..=100, default 20), `order` (`asc`/`desc`), `after` over
/// `before` over `cursor`, and the `filters` (query key, column), each taking one value or
/// repeated keys (`?status=a&status=b`, also `status[]=a`). Unknown keys are ignored.
pub(crate) fn list_query(
    raw: Option<&str>,
    filters: &[(&str, &'static str)],
) -> Result<ListQuery, ApiError> {
    let mut limit = None;
    let mut order = None;
    let (mut after, mut before, mut cursor) = (None, None, None);
    let mut found: Vec<Filter> = Vec::new();
    for (key, value) in url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        let key = key.strip_suffix("[]").unwrap_or(&key);
        let single = |slot: &mut Option<String>, value: &str| {
            if slot.is_some() {
                return Err(ApiError::invalid_field(key, "must be given at most once"));
            }
            *slot = Some(value.to_owned());
            Ok(())
        };
        match key {
            "limit" => single(&mut limit, &value)?,
            "order" => single(&mut order, &value)?,
            "after" => single(&mut after, &value)?,
            "before" => single(&mut before, &value)?,
            "cursor" => single(&mut cursor, &value)?,
            _ => {
                let Some((_, column)) = filters.iter().find(|(name, _)| *name == key) else {
                    continue;
                };
                let filter = match found.iter_mut().find(|f| f.column == *column) {
                    Some(filter) => filter,
                    None => {
                        found.push(Filter {
                            column,
                            values: Vec::new(),
                        });
                        let last = found.len() - 1;
                        &mut found[last]
                    }
                };
                if filter.values.len() == MAX_FILTER_VALUES {
                    return Err(ApiError::invalid_field(
                        key,
                        format!("takes at most {MAX_FILTER_VALUES} values"),
                    ));
                }
                filter.values.push(value.into_owned());
            }
        }
    }
    let limit = match limit.as_deref() {
        None => 20,
        Some(text) => match text.parse::<i64>() {
            Ok(n) if (1..=100).contains(&n) => n as usize,
            _ => {
                return Err(ApiError::invalid_field(
                    "limit",
                    format!("must be an integer from 1 to 100, not {text:?}"),
                ));
            }
        },
    };
    let order = match order.as_deref() {
        None | Some("asc") => Order::Asc,
        Some("desc") => Order::Desc,
        Some(other) => {
            return Err(ApiError::invalid_field(
                "order",
                format!("must be \"asc\" or \"desc\", not {other:?}"),
            ));
        }
    };
    let non_empty = |v: Option<String>| v.filter(|s| !s.is_empty());
    let cursor = match (non_empty(after), non_empty(before), non_empty(cursor)) {
        (Some(id), _, _) => Some(Cursor::After(id)),
        (None, Some(id), _) => Some(Cursor::Before(id)),
        (None, None, Some(id)) => Some(Cursor::After(id)),
        (None, None, None) => None,
    };
    Ok(ListQuery {
        page: PageRequest {
            limit,
            order,
            cursor,
        },
        filters: found,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use metorial_models::CreateProviderSetupSessionBody;

    const FILTERS: &[(&str, &str)] = &[("status", "status"), ("provider_id", "provider_id")];

    #[test]
    fn repeated_keys_make_one_filter() {
        let q = list_query(
            Some("status=pending&status=failed&provider_id=pro_1"),
            FILTERS,
        )
        .unwrap();
        assert_eq!(q.filters.len(), 2);
        assert_eq!(q.filters[0].values, ["pending", "failed"]);
        assert_eq!(q.filters[1].values, ["pro_1"]);
        let q = list_query(Some("status[]=a&status[]=b"), FILTERS).unwrap();
        assert_eq!(q.filters[0].values, ["a", "b"]);
    }

    #[test]
    fn paging_parameters_follow_the_rules() {
        let q = list_query(None, FILTERS).unwrap();
        assert_eq!(
            (q.page.limit, q.page.order, q.page.cursor),
            (20, Order::Asc, None)
        );
        let q = list_query(
            Some("cursor=c&before=b&after=a&order=desc&limit=100"),
            FILTERS,
        )
        .unwrap();
        assert_eq!(q.page.cursor, Some(Cursor::After("a".into())));
        assert_eq!((q.page.limit, q.page.order), (100, Order::Desc));
        let q = list_query(Some("cursor=c&before=b"), FILTERS).unwrap();
        assert_eq!(q.page.cursor, Some(Cursor::Before("b".into())));
        let q = list_query(Some("cursor=c"), FILTERS).unwrap();
        assert_eq!(q.page.cursor, Some(Cursor::After("c".into())));
        for bad in [
            "limit=0",
            "limit=101",
            "limit=x",
            "limit=1.5",
            "order=up",
            "limit=1&limit=2",
        ] {
            let err = list_query(Some(bad), FILTERS).unwrap_err();
            assert_eq!(err.status, StatusCode::BAD_REQUEST, "{bad}");
        }
    }

    #[test]
    fn json_errors_point_at_the_field() {
        let err = decode_json::<CreateProviderSetupSessionBody>(b"{}").unwrap_err();
        let path = err.errors[0].path.clone().unwrap();
        assert_eq!(path, [PathSegment::from("provider_id")]);
        let err =
            decode_json::<CreateProviderSetupSessionBody>(br#"{"provider_id": 1}"#).unwrap_err();
        assert_eq!(
            err.errors[0].path.clone().unwrap(),
            [PathSegment::from("provider_id")]
        );
        assert_eq!(err.errors[0].code, "invalid_type");
        let err =
            decode_json::<CreateProviderSetupSessionBody>(br#"{"provider_id": "#).unwrap_err();
        assert_eq!(err.errors[0].code, "invalid_json");
        let err = decode_json::<CreateProviderSetupSessionBody>(b"[]").unwrap_err();
        assert_eq!(err.status, StatusCode::BAD_REQUEST);
        let err =
            decode_json::<CreateProviderSetupSessionBody>(br#"{"provider_id":"p"} x"#).unwrap_err();
        assert_eq!(err.errors[0].code, "invalid_json");
    }
}
