//! The HTTP wing: the only part of the emulator that names axum, hyper and tower. It serves
//! the REST API ([`api`]), the control API ([`control`]), the browser's OAuth pages
//! ([`oauth`]) and the built-in fake provider ([`fake_provider`]) over the layers below, and
//! owns the accept loop ([`server`]).

pub(crate) mod api;
pub(crate) mod browser;
pub(crate) mod control;
pub(crate) mod error;
pub(crate) mod fake_provider;
pub(crate) mod form;
pub(crate) mod guard;
pub(crate) mod oauth;
pub(crate) mod protocol_errors;
pub(crate) mod router;
pub(crate) mod server;
pub(crate) mod state;
