//! Query strings and form bodies of the OAuth requests.

/// The decoded `key=value` pairs of a query string or form body; `None` if a key repeats (an
/// OAuth request must not repeat parameters).
pub(crate) fn form_pairs(raw: &[u8]) -> Option<std::collections::HashMap<String, String>> {
    let mut pairs = std::collections::HashMap::new();
    for (key, value) in url::form_urlencoded::parse(raw) {
        if pairs.insert(key.into_owned(), value.into_owned()).is_some() {
            return None;
        }
    }
    Some(pairs)
}

/// `base` with the query parameters appended (keeping the ones it has).
pub(crate) fn with_params(base: &str, params: &[(&str, &str)]) -> Option<String> {
    let mut url = url::Url::parse(base).ok()?;
    {
        let mut query = url.query_pairs_mut();
        for (key, value) in params {
            query.append_pair(key, value);
        }
    }
    Some(url.into())
}
