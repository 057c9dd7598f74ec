//! The built-in fake OAuth provider, under `/_emulator/provider/`: an authorize endpoint with a
//! consent page (Approve / Deny, or approval at once with `--oauth-auto-approve`), a token
//! endpoint that checks the client secret and the PKCE verifier and issues random tokens, and a
//! userinfo endpoint that tells a valid access token from an expired one. Its
//! clients (the fixtures' credentials and the OAuth apps OAuth setups name in their `config`)
//! may only redirect to the emulator's own callback; its state is in `store::fake_provider`.

mod authorize;
mod token;
mod userinfo;

pub(crate) use authorize::{authorize, decide};
pub(crate) use token::token;
pub(crate) use userinfo::userinfo;
