//! The built-in fake OAuth provider, under `/_emulator/provider/`: an authorize endpoint with a
//! consent page (Approve / Deny, or approval at once with `--oauth-auto-approve`) and a token
//! endpoint that checks the client secret and the PKCE verifier and issues random tokens. Its
//! clients (the fixtures' credentials and the OAuth apps OAuth setups name in their `config`)
//! may only redirect to the emulator's own callback; its state is in `store::fake_provider`.

mod authorize;
mod token;

pub(crate) use authorize::{authorize, decide};
pub(crate) use token::token;
