//! Checks of request fields the types alone do not express.

use crate::errors::ApiError;

/// Longest accepted `redirect_url`.
const MAX_URL_LEN: usize = 2048;

/// A `redirect_url` must be an absolute http(s) URL with a host (no `javascript:`, `data:` or
/// relative URLs: the emulator redirects browsers there).
pub(crate) fn redirect_url(value: Option<&str>) -> Result<(), ApiError> {
    let Some(value) = value else {
        return Ok(());
    };
    let refuse = |why: &str| {
        ApiError::invalid_with_code(
            vec!["redirect_url".into()],
            "invalid_url",
            format!("must be an absolute http or https URL ({why})"),
        )
    };
    if value.len() > MAX_URL_LEN {
        return Err(refuse("too long"));
    }
    let url = url::Url::parse(value).map_err(|e| refuse(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(refuse(&format!("scheme {:?} is not allowed", url.scheme())));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(refuse("no host"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::redirect_url;

    #[test]
    fn only_absolute_http_urls_pass() {
        for ok in ["https://app.example.com/cb", "http://127.0.0.1:9/x?y=1"] {
            assert!(redirect_url(Some(ok)).is_ok(), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "data:text/html,hi",
            "/relative",
            "example.com/cb",
            "ftp://example.com/",
            "",
            "http://",
        ] {
            assert!(redirect_url(Some(bad)).is_err(), "{bad}");
        }
        assert!(redirect_url(None).is_ok());
    }
}
