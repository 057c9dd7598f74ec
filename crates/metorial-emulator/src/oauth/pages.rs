//! The small HTML pages of the flow: the consent page, results and errors.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

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
    let mut response = (status, Html(html)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

/// An error page: what went wrong, in plain words.
pub(crate) fn error(status: StatusCode, title: &str, message: &str) -> Response {
    page(
        status,
        title,
        &format!("<p id=\"error\">{}</p>", escape(message)),
    )
}

/// The fake provider's consent page: Approve or Deny (a plain form, no script).
pub(crate) fn consent(app: &str, scopes: &[&str], request_id: &str, action: &str) -> Response {
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
    page(
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
    )
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<a href='x'>&\"</a>"),
            "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;"
        );
    }
}
