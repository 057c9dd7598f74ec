//! Checks of request fields the types alone do not express.

use crate::http::error::ApiError;

/// Longest accepted `redirect_url`.
const MAX_URL_LEN: usize = 2048;

/// Schemes a browser would run or read locally instead of navigating to: the emulator
/// redirects browsers to `redirect_url`, so it refuses these (the live API does not check).
const UNSAFE_SCHEMES: &[&str] = &["javascript", "data", "vbscript", "file", "blob", "about"];

/// A `redirect_url` is any absolute URL the user's app can open, `https://...` or an app's
/// custom scheme (`myapp://done`), as the live API accepts; the emulator refuses the schemes
/// of [`UNSAFE_SCHEMES`] and strings that are not absolute URLs (FIDELITY.md).
pub(crate) fn redirect_url(value: Option<&str>) -> Result<(), ApiError> {
    let Some(value) = value else {
        return Ok(());
    };
    let refuse = |why: &str| {
        ApiError::invalid_with_code(
            vec!["redirect_url".into()],
            "invalid_url",
            format!("the emulator only redirects to an absolute URL of a safe scheme ({why})"),
        )
    };
    if value.len() > MAX_URL_LEN {
        return Err(refuse("too long"));
    }
    let url = url::Url::parse(value).map_err(|e| refuse(&e.to_string()))?;
    if UNSAFE_SCHEMES.contains(&url.scheme()) {
        return Err(refuse(&format!("scheme {:?} is not allowed", url.scheme())));
    }
    if matches!(url.scheme(), "http" | "https") && url.host_str().is_none_or(str::is_empty) {
        return Err(refuse("no host"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::redirect_url;

    #[test]
    fn absolute_urls_of_safe_schemes_pass() {
        for ok in [
            "https://app.example.com/cb",
            "http://127.0.0.1:9/x?y=1",
            "myapp://done",
            "com.example.app:/oauth",
        ] {
            assert!(redirect_url(Some(ok)).is_ok(), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "data:text/html,hi",
            "vbscript:msgbox",
            "file:///etc/passwd",
            "/relative",
            "example.com/cb",
            "",
            "http://",
        ] {
            assert!(redirect_url(Some(bad)).is_err(), "{bad}");
        }
        assert!(redirect_url(None).is_ok());
    }
}
