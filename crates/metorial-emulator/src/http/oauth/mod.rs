//! The OAuth flow in the browser: a flow's `url` (`/setup/{id}`) and the redirect URI
//! (`/oauth/callback`), routed by [`browser`](crate::http::browser).
//!
//! - `flow`: the emulator as an OAuth client (start, callback), with `client` (the `oauth2`
//!   crate's client and the code exchange over reqwest).
//! - `pages`: the HTML pages, their security headers, and `HtmlError`.

pub(crate) mod exchange;
pub(crate) mod flow;
pub(crate) mod html;
