//! Maintainer tasks of the workspace, as a library so they can be tested.
//!
//! - [`spec`]: load `spec/metorial.yaml` and refuse what the generator cannot handle;
//! - [`model`]: the API as typed data, built once from the spec, read by everything below;
//! - [`names`]: how wire names become Rust names, flags and help texts;
//! - [`schemas`]: the schemas the generator writes itself (open enums, PATCH bodies);
//! - [`generate`]: spec -> `metorial-models`, `metorial-client`, `metorial-httpmock`, the
//!   `metorial` SDK's resource layer ([`sdk`]) and the `metorial` command-line tool's commands
//!   ([`cli`]);
//! - [`emulator`](mod@emulator): the emulator's routing plumbing (operation enum, handler trait);
//! - [`files`]: write the generated files, or compare them with what is checked in;
//! - [`json_schema`]: the spec's schemas as plain JSON Schema, to validate JSON against;
//! - [`decode_table`]: the models' `decode_component` (decode JSON as a schema named at run time);
//! - [`operations_table`]: the models' `OPERATIONS` (every operation: id, method, path, tag);
//! - [`drift`]: `cargo xtask drift DIR`: recorded API responses against the spec;
//! - [`drill`]: `cargo xtask drill`: typical spec edits regenerate into a workspace that builds;
//! - [`layers`]: `cargo xtask layers`: the emulator's and the SDK's import rules, checked;
//! - [`api_diff`]: what changed between two specs, breaking or additive, and the version bump;
//! - [`bench`](mod@bench): `cargo xtask bench [--quick]`;
//! - [`consumer`]: `cargo xtask consumer [--no-build]`: the crates and build time of a service
//!   that adds the SDK (and the emulator as a dev-dependency).

pub mod api_diff;
pub mod bench;
pub mod cli;
pub mod consumer;
pub mod decode_table;
pub mod drift;
pub mod drill;
pub mod emulator;
pub mod files;
pub mod generate;
pub mod json_schema;
pub mod layers;
pub mod model;
pub mod names;
pub mod operations_table;
pub mod schemas;
pub mod sdk;
pub mod spec;

use std::path::{Path, PathBuf};

/// The workspace root (the parent of this crate's directory).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace root")
        .to_path_buf()
}

/// The spec every crate is generated from.
pub fn spec_path() -> PathBuf {
    workspace_root().join("spec/metorial.yaml")
}

/// Where cargo builds: `CARGO_TARGET_DIR`, or the workspace's `target`.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"))
}
