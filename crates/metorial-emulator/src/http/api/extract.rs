//! Request extractors that answer bad input with the API's error body (axum's own rejections
//! are plain text): JSON bodies, path parameters and list queries (which take repeated keys
//! and the bracketed keys of Node's `qs`).

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use metorial_models::PathSegment;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::http::error::ApiError;
use crate::store::paging::{Cursor, DateBound, Filter, Order, PageRequest, Side};

/// A JSON request body: the names of its fields, for the refusal of an explicit `null` for
/// one of them (a `null` for a key the body does not have is dropped with the key). The
/// spec's bodies have it generated (`generated.rs`).
pub(crate) trait BodyFields {
    /// Its field names; `None`: every key counts as a field.
    const FIELDS: Option<&'static [&'static str]> = None;
}

/// A JSON request body decoded into `T`; a failure names the offending field.
pub(crate) struct JsonBody<T>(pub(crate) T);

impl<S: Send + Sync, T: DeserializeOwned + BodyFields> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = Bytes::from_request(request, state)
            .await
            // A broken stream: the body's size is the guard's to refuse (the only limit).
            .map_err(|rejection| {
                let text = rejection.body_text();
                ApiError::bad_request(format!("cannot read the request body: {text}"))
            })?;
        decode_json(&bytes).map(JsonBody)
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

/// Decodes a JSON body as the live API validates one: 400 `invalid_data` naming the first
/// failing field only, `max_length` for a string over [`MAX_STRING_CHARS`] anywhere in the
/// body (checked before the fields, so every field, new ones and free-form ones included, is
/// covered), `invalid_type` for a missing required field, a mistyped one, or an explicit
/// `null` for a field of the body (refused even for optional fields; nulls nested in
/// free-form objects such as `metadata` are fine). Unknown fields are dropped.
pub(crate) fn decode_json<T: DeserializeOwned + BodyFields>(bytes: &[u8]) -> Result<T, ApiError> {
    let object = json_object(bytes)?;
    refuse_long_strings(&object, &mut Vec::new())?;
    refuse_nulls::<T>(&object)?;
    serde_path_to_error::deserialize(Value::Object(object)).map_err(decode_error)
}

/// The body as a JSON object: syntax first, then the shape (serde would take an array for a
/// struct, field by position).
fn json_object(bytes: &[u8]) -> Result<Map<String, Value>, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::invalid_with_code(
            Vec::new(),
            "invalid_json",
            "a JSON object body is required",
        ));
    }
    let value: Value = serde_json::from_slice(bytes).map_err(|e| {
        ApiError::invalid_with_code(
            Vec::new(),
            "invalid_json",
            format!("malformed JSON: {}", bare_message(&e)),
        )
    })?;
    match value {
        Value::Object(object) => Ok(object),
        _ => Err(ApiError::invalid_with_code(
            Vec::new(),
            "invalid_type",
            "the body must be a JSON object",
        )),
    }
}

/// The longest string a JSON body may hold, as the live API counts (JavaScript's `length`:
/// UTF-16 code units, so one character outside the Basic Multilingual Plane counts 2).
pub(crate) const MAX_STRING_CHARS: usize = 100_000;

/// Refuses a string value, or an object key, longer than [`MAX_STRING_CHARS`] anywhere in
/// `object` (400 `invalid_data`, code `max_length`, "Input is too long", at the value's path;
/// a key's failure is reported at its object's path, without repeating the key). `path` is
/// where `object` is; the depth is bounded by serde_json's nesting limit (128).
fn refuse_long_strings(
    object: &Map<String, Value>,
    path: &mut Vec<PathSegment>,
) -> Result<(), ApiError> {
    for (key, value) in object {
        if too_long(key) {
            return Err(max_length(path.clone()));
        }
        path.push(PathSegment::Key(key.clone()));
        refuse_long_value(value, path)?;
        path.pop();
    }
    Ok(())
}

/// [`refuse_long_strings`] for any JSON value at `path`.
fn refuse_long_value(value: &Value, path: &mut Vec<PathSegment>) -> Result<(), ApiError> {
    match value {
        Value::String(text) if too_long(text) => Err(max_length(path.clone())),
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                path.push(PathSegment::Index(index as u64));
                refuse_long_value(item, path)?;
                path.pop();
            }
            Ok(())
        }
        Value::Object(object) => refuse_long_strings(object, path),
        _ => Ok(()),
    }
}

/// Whether `text` is longer than [`MAX_STRING_CHARS`] UTF-16 code units (a UTF-8 byte is at
/// most one code unit, so short byte lengths need no counting).
fn too_long(text: &str) -> bool {
    text.len() > MAX_STRING_CHARS && text.encode_utf16().count() > MAX_STRING_CHARS
}

/// 400 `invalid_data`, `max_length` at `path`.
fn max_length(path: Vec<PathSegment>) -> ApiError {
    ApiError::invalid_with_code(path, "max_length", "Input is too long")
}

/// Refuses an explicit `null` for a field of `T` (400 `invalid_data`, `invalid_type`, at the
/// field), as the live API does; a `null` for a field `T` does not have is dropped with it.
fn refuse_nulls<T: BodyFields>(object: &Map<String, Value>) -> Result<(), ApiError> {
    let known = |key: &str| T::FIELDS.is_none_or(|fields| fields.contains(&key));
    match object
        .iter()
        .find(|(key, value)| value.is_null() && known(key))
    {
        Some((key, _)) => Err(ApiError::invalid_with_code(
            vec![PathSegment::Key(key.clone())],
            "invalid_type",
            "must not be null",
        )),
        None => Ok(()),
    }
}

/// A serde failure as the API's validation error: the path of the field at fault, code
/// `invalid_type` for a missing or mistyped field, `invalid_value` otherwise.
fn decode_error(error: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let mut path: Vec<PathSegment> = error
        .path()
        .iter()
        .filter_map(|segment| match segment {
            serde_path_to_error::Segment::Seq { index } => Some(PathSegment::Index(*index as u64)),
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
        return ApiError::invalid_with_code(path, "invalid_type", "is required");
    }
    let code = if message.starts_with("invalid type") {
        "invalid_type"
    } else {
        "invalid_value"
    };
    ApiError::invalid_with_code(path, code, message)
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

/// What a list filter accepts.
#[derive(Clone, Copy, Debug)]
enum FilterKind {
    /// One value or many, any strings.
    Values,
    /// One value or many, each one of these.
    OneOf(&'static [&'static str]),
    /// A date range: `key[gt]` and `key[lt]`, RFC 3339 date-times.
    Dates,
}

/// A filter a list endpoint takes (generated from the spec: `OperationId::filters`): its
/// query key and what it accepts. The store maps the key to its column.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ListFilter {
    /// The query key (without brackets).
    key: &'static str,
    /// What it accepts.
    kind: FilterKind,
}

impl ListFilter {
    /// `key`: one value or many (`?k=a&k=b`, `k[]=a`, `k[0]=a&k[1]=b`).
    pub(crate) const fn values(key: &'static str) -> Self {
        Self {
            key,
            kind: FilterKind::Values,
        }
    }

    /// Like [`values`](Self::values), each value one of `allowed` (else 400 naming `key`).
    pub(crate) const fn one_of(key: &'static str, allowed: &'static [&'static str]) -> Self {
        Self {
            key,
            kind: FilterKind::OneOf(allowed),
        }
    }

    /// `key[gt]` / `key[lt]`: a date range.
    pub(crate) const fn dates(key: &'static str) -> Self {
        Self {
            key,
            kind: FilterKind::Dates,
        }
    }
}

/// A list request: the page (its date bounds included) and the filters.
#[derive(Debug)]
pub(crate) struct ListQuery {
    /// The page.
    pub(crate) page: PageRequest,
    /// The filters (query key, values).
    pub(crate) filters: Vec<Filter>,
}

/// Parses a list query: `limit` (1..=100, default 20), `order` (`asc`/`desc`), `after` over
/// `before` over `cursor` (a `cur_` cursor, see [`decode_cursor`]), and the `filters`. Keys
/// arrive as `qs` writes them (`id[0]=a`, `created_at[gt]=...`, URL-encoded or not). Unknown
/// keys are ignored.
pub(crate) fn list_query(raw: Option<&str>, filters: &[ListFilter]) -> Result<ListQuery, ApiError> {
    let mut collected = Collected::default();
    for (key, value) in url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        collected.take(&key, &value, filters)?;
    }
    let limit = parse_limit(collected.limit.as_deref())?;
    let order = parse_order(collected.order.as_deref())?;
    let cursor = page_cursor(collected.after, collected.before, collected.cursor)?;
    Ok(ListQuery {
        page: PageRequest {
            limit,
            order,
            cursor,
            dates: collected.dates,
        },
        filters: collected.filters,
    })
}

/// A query key split as `qs` writes it: `name`, `name[]`, `name[0]`, `name[gt]`.
fn split_key(key: &str) -> (&str, Option<&str>) {
    match key.find('[') {
        Some(open) if key.len() > open + 1 && key.ends_with(']') => {
            (&key[..open], Some(&key[open + 1..key.len() - 1]))
        }
        _ => (key, None),
    }
}

/// Whether a key's bracket part makes it one element of a list (`[]`, `[0]`).
fn is_element(suffix: Option<&str>) -> bool {
    suffix.is_none_or(|s| s.bytes().all(|b| b.is_ascii_digit()))
}

/// The query's parameters as read so far.
#[derive(Default)]
struct Collected {
    /// `limit`.
    limit: Option<String>,
    /// `order`.
    order: Option<String>,
    /// `after`.
    after: Option<String>,
    /// `before`.
    before: Option<String>,
    /// `cursor`.
    cursor: Option<String>,
    /// The one-or-many filters, by query key.
    filters: Vec<Filter>,
    /// The date bounds.
    dates: Vec<DateBound>,
    /// The date keys seen (key, side), each allowed once.
    date_keys: Vec<(&'static str, Side)>,
}

impl Collected {
    /// Takes one `key=value` pair of the query.
    fn take(&mut self, key: &str, value: &str, filters: &[ListFilter]) -> Result<(), ApiError> {
        let (name, suffix) = split_key(key);
        let slot = match name {
            "limit" => &mut self.limit,
            "order" => &mut self.order,
            "after" => &mut self.after,
            "before" => &mut self.before,
            "cursor" => &mut self.cursor,
            _ => {
                return match filters.iter().find(|f| f.key == name) {
                    Some(filter) => self.filter(filter, suffix, value),
                    None => Ok(()),
                };
            }
        };
        if !is_element(suffix) {
            return Err(not_a_string(name));
        }
        if slot.is_some() {
            return Err(ApiError::invalid_field(name, "must be given at most once"));
        }
        *slot = Some(value.to_owned());
        Ok(())
    }

    /// Takes a value of a filter (`suffix`: the key's bracket part).
    fn filter(
        &mut self,
        filter: &ListFilter,
        suffix: Option<&str>,
        value: &str,
    ) -> Result<(), ApiError> {
        match filter.kind {
            FilterKind::Dates => self.date(filter, suffix, value),
            _ if !is_element(suffix) => Err(not_a_string(filter.key)),
            FilterKind::OneOf(allowed) if !allowed.contains(&value) => {
                Err(ApiError::invalid_field(
                    filter.key,
                    format!("must be one of {}, not {value:?}", allowed.join(", ")),
                ))
            }
            FilterKind::Values | FilterKind::OneOf(_) => self.value(filter, value),
        }
    }

    /// Adds a value to a one-or-many filter.
    fn value(&mut self, filter: &ListFilter, value: &str) -> Result<(), ApiError> {
        let index = match self.filters.iter().position(|f| f.key == filter.key) {
            Some(index) => index,
            None => {
                self.filters.push(Filter {
                    key: filter.key,
                    values: Vec::new(),
                });
                self.filters.len() - 1
            }
        };
        let values = &mut self.filters[index].values;
        if values.len() == MAX_FILTER_VALUES {
            return Err(ApiError::invalid_field(
                filter.key,
                format!("takes at most {MAX_FILTER_VALUES} values"),
            ));
        }
        values.push(value.to_owned());
        Ok(())
    }

    /// Adds a bound of a date range filter (`key[gt]`, `key[lt]`; other bracket parts are
    /// ignored, as unknown keys are).
    fn date(
        &mut self,
        filter: &ListFilter,
        suffix: Option<&str>,
        value: &str,
    ) -> Result<(), ApiError> {
        let (side, name) = match suffix {
            Some("gt") => (Side::After, "gt"),
            Some("lt") => (Side::Before, "lt"),
            other if is_element(other) => {
                return Err(ApiError::invalid_with_code(
                    vec![PathSegment::from(filter.key)],
                    "invalid_type",
                    format!("must be a date range: {0}[gt], {0}[lt]", filter.key),
                ));
            }
            _ => return Ok(()),
        };
        let path = vec![PathSegment::from(filter.key), PathSegment::from(name)];
        if self.date_keys.contains(&(filter.key, side)) {
            let message = format!("{}[{name}] must be given at most once", filter.key);
            return Err(ApiError::invalid_with_code(path, "invalid_type", message));
        }
        let ms = parse_date(value, side).ok_or_else(|| {
            let message = format!(
                "{}[{name}] must be an RFC 3339 date-time, not {value:?}",
                filter.key
            );
            ApiError::invalid_with_code(path, "invalid_type", message)
        })?;
        self.date_keys.push((filter.key, side));
        self.dates.push(DateBound {
            key: filter.key,
            side,
            ms,
        });
        Ok(())
    }
}

/// 400 `invalid_data`: `key` was sent as a list or an object where one string goes.
fn not_a_string(key: &str) -> ApiError {
    ApiError::invalid_with_code(
        vec![PathSegment::from(key)],
        "invalid_type",
        "must be a single value",
    )
}

/// An RFC 3339 date-time as the millisecond bound of `side` that keeps the same integer
/// milliseconds: `> 10.5` keeps what `> 10` does, `< 10.5` what `< 11` does.
fn parse_date(text: &str, side: Side) -> Option<i64> {
    let date = chrono::DateTime::parse_from_rfc3339(text).ok()?;
    let floor = date.timestamp_millis();
    let whole = date.timestamp_subsec_nanos() % 1_000_000 == 0;
    Some(match side {
        Side::Before if !whole => floor.saturating_add(1),
        _ => floor,
    })
}

/// `limit`: 1..=100, 20 when absent.
fn parse_limit(text: Option<&str>) -> Result<usize, ApiError> {
    match text {
        None => Ok(20),
        Some(text) => match text.parse::<usize>() {
            Ok(n) if (1..=100).contains(&n) => Ok(n),
            _ => Err(ApiError::invalid_field(
                "limit",
                format!("must be an integer from 1 to 100, not {text:?}"),
            )),
        },
    }
}

/// `order`: `asc` (the default) or `desc`.
fn parse_order(text: Option<&str>) -> Result<Order, ApiError> {
    match text {
        None | Some("asc") => Ok(Order::Asc),
        Some("desc") => Ok(Order::Desc),
        Some(other) => Err(ApiError::invalid_field(
            "order",
            format!("must be \"asc\" or \"desc\", not {other:?}"),
        )),
    }
}

/// Where the page starts: `after` wins over `before`; `cursor` counts only without either
/// (empty values count as absent, as in the live API).
fn page_cursor(
    after: Option<String>,
    before: Option<String>,
    cursor: Option<String>,
) -> Result<Option<Cursor>, ApiError> {
    let non_empty = |v: Option<String>| v.filter(|s| !s.is_empty());
    Ok(
        match (non_empty(after), non_empty(before), non_empty(cursor)) {
            (Some(id), _, _) => Some(Cursor::After(id)),
            (None, Some(id), _) => Some(Cursor::Before(id)),
            (None, None, Some(text)) => Some(decode_cursor(&text)?),
            (None, None, None) => None,
        },
    )
}

/// The base62 alphabet of the live API's cursors (its `@metorial/base62`), in value order.
pub(crate) const CURSOR_ALPHABET: &str =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// The longest cursor payload decoded (a cursor holds one ID).
const MAX_CURSOR_DIGITS: usize = 512;

/// Decodes a `cursor` as the live API does (lowerdeck's `Cursor.fromString`): `cur_`, then
/// the base62 of a JSON array `[type, id]` with `type` `"after"` or `"before"`. Anything else
/// is 400 `bad_request`.
pub(crate) fn decode_cursor(text: &str) -> Result<Cursor, ApiError> {
    let Some(payload) = text.strip_prefix("cur_") else {
        return Err(ApiError::bad_request(
            "Invalid cursor format: a cursor starts with \"cur_\"",
        ));
    };
    let invalid = || ApiError::bad_request("Invalid cursor format");
    if payload.len() > MAX_CURSOR_DIGITS {
        return Err(invalid());
    }
    let bytes = base_x::decode(CURSOR_ALPHABET, payload).map_err(|_| invalid())?;
    let value: Value = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    let Some([kind, id, ..]) = value.as_array().map(Vec::as_slice) else {
        return Err(invalid());
    };
    match (kind.as_str(), id.as_str()) {
        (Some("after"), Some(id)) => Ok(Cursor::After(id.to_owned())),
        (Some("before"), Some(id)) => Ok(Cursor::Before(id.to_owned())),
        _ => Err(invalid()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::StatusCode;
    use metorial_models::ErrorCode;
    use metorial_models::{
        CreateProviderAuthExportBody, CreateProviderSetupSessionBody,
        UpdateProviderSetupSessionBody,
    };
    use serde_json::json;

    const STATUSES: &[&str] = &["pending", "failed"];
    const FILTERS: &[ListFilter] = &[
        ListFilter::one_of("status", STATUSES),
        ListFilter::values("provider_id"),
        ListFilter::values("id"),
        ListFilter::dates("created_at"),
        ListFilter::dates("updated_at"),
    ];

    fn cursor(json: &str) -> String {
        format!("cur_{}", base_x::encode(CURSOR_ALPHABET, json.as_bytes()))
    }

    fn err(raw: &str) -> ApiError {
        list_query(Some(raw), FILTERS).unwrap_err()
    }

    fn path(err: &ApiError) -> Vec<PathSegment> {
        err.errors[0].path.clone().unwrap_or_default()
    }

    #[test]
    fn repeated_and_qs_keys_make_one_filter() {
        let q = list_query(
            Some("status=pending&status=failed&provider_id=pro_1"),
            FILTERS,
        )
        .unwrap();
        assert_eq!(q.filters.len(), 2);
        assert_eq!(q.filters[0].values, ["pending", "failed"]);
        assert_eq!(q.filters[1].values, ["pro_1"]);
        let q = list_query(Some("id[]=a&id[]=b"), FILTERS).unwrap();
        assert_eq!(q.filters[0].values, ["a", "b"]);
        let q = list_query(Some("id%5B0%5D=a&id%5B1%5D=b&id[2]=c"), FILTERS).unwrap();
        assert_eq!(q.filters[0].values, ["a", "b", "c"]);
        let e = err("id[x]=a");
        assert_eq!(
            (path(&e), e.errors[0].code.as_str()),
            (vec!["id".into()], "invalid_type")
        );
    }

    #[test]
    fn the_status_filter_takes_only_its_values() {
        let e = err("status=pending&status=in_progress");
        assert_eq!(e.status, StatusCode::BAD_REQUEST);
        assert_eq!(e.code, ErrorCode::InvalidData);
        assert_eq!(path(&e), [PathSegment::from("status")]);
        assert!(list_query(Some("status[0]=failed"), FILTERS).is_ok());
    }

    #[test]
    fn date_ranges_become_bounds() {
        let q = list_query(
            Some(
                "created_at%5Bgt%5D=2025-01-01T00:00:00.000Z&created_at[lt]=2025-01-02T00:00:00.0005Z\
                 &updated_at[gt]=2025-01-01T01:00:00%2B01:00&created_at[eq]=ignored",
            ),
            FILTERS,
        )
        .unwrap();
        let at = |s: &str| {
            chrono::DateTime::parse_from_rfc3339(s)
                .unwrap()
                .timestamp_millis()
        };
        let bound = |key, side, ms| DateBound { key, side, ms };
        assert_eq!(
            q.page.dates,
            [
                bound("created_at", Side::After, at("2025-01-01T00:00:00Z")),
                bound("created_at", Side::Before, at("2025-01-02T00:00:00Z") + 1),
                bound("updated_at", Side::After, at("2025-01-01T00:00:00Z")),
            ]
        );
        let e = err("created_at[gt]=yesterday");
        assert_eq!(e.code, ErrorCode::InvalidData);
        assert_eq!(path(&e), [PathSegment::from("created_at"), "gt".into()]);
        assert!(e.message.contains("created_at[gt]"), "{}", e.message);
        let e = err("updated_at=2025-01-01T00:00:00Z");
        assert_eq!(path(&e), [PathSegment::from("updated_at")]);
        let e = err("created_at[lt]=2025-01-01T00:00:00Z&created_at[lt]=2025-01-01T00:00:00Z");
        assert_eq!(path(&e), [PathSegment::from("created_at"), "lt".into()]);
    }

    #[test]
    fn paging_parameters_follow_the_rules() {
        let q = list_query(None, FILTERS).unwrap();
        assert_eq!(
            (q.page.limit, q.page.order, q.page.cursor),
            (20, Order::Asc, None)
        );
        let c = cursor(r#"["after","pas_c"]"#);
        let q = list_query(
            Some(&format!("cursor={c}&before=b&after=a&order=desc&limit=100")),
            FILTERS,
        )
        .unwrap();
        assert_eq!(q.page.cursor, Some(Cursor::After("a".into())));
        assert_eq!((q.page.limit, q.page.order), (100, Order::Desc));
        let q = list_query(Some(&format!("cursor={c}&before=b")), FILTERS).unwrap();
        assert_eq!(q.page.cursor, Some(Cursor::Before("b".into())));
        let q = list_query(Some(&format!("cursor={c}&after=&before=")), FILTERS).unwrap();
        assert_eq!(q.page.cursor, Some(Cursor::After("pas_c".into())));
        // A bad cursor is ignored when `after` or `before` wins.
        assert!(list_query(Some("cursor=junk&after=a"), FILTERS).is_ok());
        for bad in [
            "limit=0",
            "limit=101",
            "limit=x",
            "limit=1.5",
            "order=up",
            "limit=1&limit=2",
        ] {
            let e = err(bad);
            assert_eq!(
                (e.status, e.code),
                (StatusCode::BAD_REQUEST, ErrorCode::InvalidData),
                "{bad}"
            );
        }
    }

    #[test]
    fn cursors_decode_as_the_live_api_does() {
        assert_eq!(
            decode_cursor(&cursor(r#"["before","pas_1",3]"#)).unwrap(),
            Cursor::Before("pas_1".into())
        );
        // Computed with the live API's alphabet (FIDELITY.md, the cursor format).
        assert_eq!(
            decode_cursor("cur_39fLF1KHn6QkTto5d7Pj5DZ8JL").unwrap(),
            Cursor::After("pas_123".into())
        );
        for bad in [
            "pas_1".to_owned(),
            "cur_".to_owned(),
            "cur_!!".to_owned(),
            format!("cur_{}", "z".repeat(600)),
            cursor(r#"["sideways","pas_1"]"#),
            cursor(r#"["after"]"#),
            cursor(r#"["after",1]"#),
            cursor(r#"{"type":"after","id":"pas_1"}"#),
            cursor("not json"),
        ] {
            let e = decode_cursor(&bad).unwrap_err();
            assert_eq!(
                (e.status, e.code),
                (StatusCode::BAD_REQUEST, ErrorCode::BadRequest),
                "{bad}"
            );
        }
    }

    #[test]
    fn json_errors_name_the_first_field_at_fault() {
        let e = decode_json::<CreateProviderAuthExportBody>(br#"{"note": "n"}"#).unwrap_err();
        assert_eq!(path(&e), [PathSegment::from("provider_auth_config_id")]);
        assert_eq!(e.errors.len(), 1);
        assert_eq!(e.errors[0].code, "invalid_type");
        let e =
            decode_json::<CreateProviderSetupSessionBody>(br#"{"provider_id": 1}"#).unwrap_err();
        assert_eq!(path(&e), [PathSegment::from("provider_id")]);
        assert_eq!(e.errors[0].code, "invalid_type");
        let e = decode_json::<CreateProviderSetupSessionBody>(br#"{"provider_id": "#).unwrap_err();
        assert_eq!(e.errors[0].code, "invalid_json");
        let e = decode_json::<CreateProviderSetupSessionBody>(b"[]").unwrap_err();
        assert_eq!(e.status, StatusCode::BAD_REQUEST);
        let e =
            decode_json::<CreateProviderSetupSessionBody>(br#"{"provider_id":"p"} x"#).unwrap_err();
        assert_eq!(e.errors[0].code, "invalid_json");
    }

    #[test]
    fn strings_over_the_limit_are_refused_wherever_they_are() {
        let long = "x".repeat(MAX_STRING_CHARS + 1);
        let refused = |json: Value| {
            let bytes = serde_json::to_vec(&json).unwrap();
            let e = decode_json::<CreateProviderSetupSessionBody>(&bytes).unwrap_err();
            assert_eq!(
                (e.status, e.code.clone()),
                (StatusCode::BAD_REQUEST, ErrorCode::InvalidData)
            );
            assert_eq!(e.errors[0].code, "max_length");
            assert_eq!(e.errors[0].message, "Input is too long");
            path(&e)
        };
        assert_eq!(refused(json!({"name": long})), [PathSegment::from("name")]);
        assert_eq!(
            refused(json!({"provider_id": "p", "metadata": {"a": [1, {"b": long}]}})),
            [
                PathSegment::from("metadata"),
                "a".into(),
                PathSegment::Index(1),
                "b".into()
            ]
        );
        // Unknown fields and keys count too.
        assert_eq!(
            refused(json!({"unknown": long})),
            [PathSegment::from("unknown")]
        );
        assert_eq!(
            refused(json!({"metadata": {long.clone(): 1}})),
            [PathSegment::from("metadata")]
        );
        // At the limit, and counted in UTF-16 code units (not bytes).
        let at_limit = json!({"provider_id": "p", "name": "x".repeat(MAX_STRING_CHARS)});
        let body: CreateProviderSetupSessionBody =
            decode_json(&serde_json::to_vec(&at_limit).unwrap()).unwrap();
        assert_eq!(body.name.map(|n| n.len()), Some(MAX_STRING_CHARS));
        let accented = json!({"provider_id": "p", "name": "é".repeat(MAX_STRING_CHARS)});
        assert!(
            decode_json::<CreateProviderSetupSessionBody>(&serde_json::to_vec(&accented).unwrap())
                .is_ok()
        );
        let astral = json!({"name": "😀".repeat(MAX_STRING_CHARS / 2 + 1)});
        assert_eq!(refused(astral), [PathSegment::from("name")]);
    }

    #[test]
    fn nulls_are_refused_for_fields_only() {
        let e =
            decode_json::<UpdateProviderSetupSessionBody>(br#"{"name": "n", "description": null}"#)
                .unwrap_err();
        assert_eq!(path(&e), [PathSegment::from("description")]);
        assert_eq!(e.errors[0].code, "invalid_type");
        let e = decode_json::<CreateProviderSetupSessionBody>(br#"{"type": null}"#).unwrap_err();
        assert_eq!(path(&e), [PathSegment::from("type")]);
        let body = decode_json::<UpdateProviderSetupSessionBody>(
            br#"{"metadata": {"k": null}, "unknown": null, "other": 1}"#,
        )
        .unwrap();
        assert_eq!(body.metadata.unwrap()["k"], Value::Null);
    }
}
