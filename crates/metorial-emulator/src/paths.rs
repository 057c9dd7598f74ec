//! The emulator's URL layout: the paths its browser pages and fake provider answer on, under a
//! tenant's prefix. Vocabulary: the store builds the URLs it hands out from them, the HTTP wing
//! routes them.

/// Path of the emulator's OAuth callback (every flow's redirect URI).
pub(crate) const CALLBACK_PATH: &str = "/oauth/callback";
/// Path of the fake provider's authorize endpoint.
pub(crate) const FAKE_AUTHORIZE_PATH: &str = "/_emulator/provider/authorize";
/// Path of the fake provider's token endpoint.
pub(crate) const FAKE_TOKEN_PATH: &str = "/_emulator/provider/token";
/// Path of the fake provider's userinfo endpoint.
pub(crate) const FAKE_USERINFO_PATH: &str = "/_emulator/provider/userinfo";
