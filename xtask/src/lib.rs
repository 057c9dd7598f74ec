//! Maintainer tasks of the workspace, as a library so they can be tested.
//!
//! - [`spec`]: load `spec/metorial.yaml` and refuse what the generator cannot handle;
//! - [`schemas`]: the schemas the generator writes itself (open enums, PATCH bodies);
//! - [`generate`]: spec -> `metorial-models`, `metorial-client`, `metorial-httpmock`;
//! - [`files`]: write the generated files, or compare them with what is checked in;
//! - [`json_schema`]: the spec's schemas as plain JSON Schema, to validate JSON against;
//! - [`decode_table`]: the models' `decode_component` (decode JSON as a schema named at run time);
//! - [`drift`]: `cargo xtask drift DIR`: recorded API responses against the spec;
//! - [`bench`](mod@bench): `cargo xtask bench [--quick]`.

pub mod bench;
pub mod decode_table;
pub mod drift;
pub mod files;
pub mod generate;
pub mod json_schema;
pub mod schemas;
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
