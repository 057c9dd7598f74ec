//! The small HTML pages of the flow: the consent page, results and errors ([`HtmlError`]).
//!
//! Every page is sent with the [`HEADERS`] (by the layers of the [browser
//! routes](crate::http::browser)): no caching, no sniffing, no referrer, no framing, and a
//! Content-Security-Policy that allows nothing but inline styles: no script, image, frame or
//! base URL, and no form target except the consent form's own (see [`consent`]).

use axum::http::StatusCode;
use axum::http::header::{self, HeaderName, HeaderValue};
use axum::response::{Html, IntoResponse, Response};

use crate::store::StoreError;

/// The Content-Security-Policy of every page; the consent page's names its form's targets
/// instead of `'none'`.
const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; \
                   frame-ancestors 'none'; form-action 'none'";

/// The headers of every page (a page that sets one keeps its own).
pub(crate) const HEADERS: [(HeaderName, &str); 5] = [
    (header::CONTENT_SECURITY_POLICY, CSP),
    (header::CACHE_CONTROL, "no-store"),
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::REFERRER_POLICY, "no-referrer"),
    (header::X_FRAME_OPTIONS, "DENY"),
];

/// Escapes text for HTML.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A page with `title` and the (already escaped) `body`.
pub(crate) fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title>\
         <style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem}}\
         button{{font-size:1rem;padding:.5rem 1.25rem;margin-right:.5rem}}</style></head>\
         <body><h1>{title}</h1>\n{body}\n</body></html>\n",
        title = escape(title),
    );
    (status, Html(html)).into_response()
}

/// An error page: what went wrong, in plain words.
pub(crate) fn error(status: StatusCode, title: &str, message: &str) -> Response {
    page(
        status,
        title,
        &format!("<p id=\"error\">{}</p>", escape(message)),
    )
}

/// The CSP source expression of `url`'s origin: `scheme://host[:port]` for an http(s) URL
/// whose host CSP can name (letters, digits, `-`, `.`), else its scheme alone (`myapp:`);
/// `None` if it is not a URL.
pub(crate) fn csp_source(url: &str) -> Option<String> {
    let url = url::Url::parse(url).ok()?;
    let scheme = url.scheme();
    let host = url.host_str().filter(|host| {
        host.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
    });
    Some(match (scheme, host) {
        ("http" | "https", Some(host)) => match url.port() {
            Some(port) => format!("{scheme}://{host}:{port}"),
            None => format!("{scheme}://{host}"),
        },
        _ => format!("{scheme}:"),
    })
}

/// The fake provider's consent page: Approve or Deny (a plain form, no script). Its form may
/// lead to `'self'` and to `destinations` (URLs): Chromium checks `form-action` against every
/// redirect the answer goes through (the client's redirect URI, then the app's URL).
pub(crate) fn consent(
    app: &str,
    scopes: &[&str],
    request_id: &str,
    action: &str,
    destinations: &[&str],
) -> Response {
    let scopes = if scopes.is_empty() {
        "<p>No scopes requested.</p>".to_owned()
    } else {
        let items: Vec<String> = scopes
            .iter()
            .map(|s| format!("<li><code>{}</code></li>", escape(s)))
            .collect();
        format!(
            "<p>It asks for:</p><ul id=\"scopes\">{}</ul>",
            items.join("")
        )
    };
    let mut sources = vec!["'self'".to_owned()];
    for source in destinations.iter().filter_map(|url| csp_source(url)) {
        if !sources.contains(&source) {
            sources.push(source);
        }
    }
    let mut response = page(
        StatusCode::OK,
        "Authorize access",
        &format!(
            "<p><strong id=\"app\">{app}</strong> wants to access your account \
             (Metorial emulator, fake provider).</p>{scopes}\
             <form method=\"post\" action=\"{action}\">\
             <input type=\"hidden\" name=\"request\" value=\"{request}\">\
             <button type=\"submit\" id=\"approve\" name=\"decision\" value=\"approve\">Approve</button>\
             <button type=\"submit\" id=\"deny\" name=\"decision\" value=\"deny\">Deny</button>\
             </form>",
            app = escape(app),
            request = escape(request_id),
            action = escape(action),
        ),
    );
    let form_action = format!("form-action {}", sources.join(" "));
    let csp = CSP.replace("form-action 'none'", &form_action);
    if let Ok(csp) = HeaderValue::try_from(csp) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    response
}

/// A browser request that failed: answered with the HTML [`error`] page and its status.
#[derive(Debug)]
pub(crate) struct HtmlError {
    /// The HTTP status.
    status: StatusCode,
    /// The page's title.
    title: &'static str,
    /// What went wrong, in plain words.
    message: String,
}

impl HtmlError {
    /// A failure with this status, title and message.
    pub(crate) fn new(status: StatusCode, title: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            title,
            message: message.into(),
        }
    }

    /// 400: the request is wrong.
    pub(crate) fn bad_request(title: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, title, message)
    }

    /// 500: a bug or an I/O failure, logged; the page only points at the log.
    pub(crate) fn internal(error: impl std::fmt::Display) -> Self {
        tracing::error!(%error, "OAuth page failed");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Something went wrong",
            "The emulator could not go on; see its log.",
        )
    }
}

impl From<StoreError> for HtmlError {
    /// A store failure: a client error (e.g. a `config_only` session has no OAuth flow) with
    /// its message and the status the API would answer, anything else as an internal error.
    fn from(error: StoreError) -> Self {
        if error.is_internal() {
            return Self::internal(error);
        }
        let status = match &error {
            StoreError::NotFound { .. } => StatusCode::NOT_FOUND,
            StoreError::Gone(_) => StatusCode::GONE,
            _ => StatusCode::BAD_REQUEST,
        };
        Self::new(status, "Setup not possible", error.to_string())
    }
}

impl IntoResponse for HtmlError {
    fn into_response(self) -> Response {
        error(self.status, self.title, &self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::{csp_source, escape};

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<a href='x'>&\"</a>"),
            "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;"
        );
    }

    #[test]
    fn csp_sources_name_origins_or_schemes() {
        let source = |url: &str| csp_source(url);
        assert_eq!(
            source("http://127.0.0.1:8710/oauth/callback?x=1").as_deref(),
            Some("http://127.0.0.1:8710")
        );
        assert_eq!(
            source("https://app.example.com/done").as_deref(),
            Some("https://app.example.com")
        );
        assert_eq!(source("myapp://done").as_deref(), Some("myapp:"));
        assert_eq!(source("http://[::1]:80/").as_deref(), Some("http:"));
        // A host CSP cannot name (`;` would end the directive) falls back to the scheme.
        assert_eq!(source("http://a;b.example/").as_deref(), Some("http:"));
        assert_eq!(source("not a url"), None);
    }
}
