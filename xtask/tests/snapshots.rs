//! Snapshot tests: every file the generator writes, compared byte for byte with a checked-in
//! copy.
//!
//! Two cases, one test each:
//! - `widgets`: the small fixture spec `tests/fixtures/widgets.yaml`;
//! - `drill`: `spec/metorial.yaml` with the edits of `cargo xtask drill` applied
//!   ([`xtask::drill::edited_spec`]: an optional field on every object, an enum value, a list
//!   filter, an operation on an existing resource, a new resource).
//!
//! (The unedited workspace spec needs no snapshot here: its output is checked in under
//! `crates/` and `generate.rs`'s `checked_in_files_are_current...` test compares it.)
//!
//! The snapshots are insta's: `xtask/tests/snapshots/<case>/<crate>.snap`, one per generated
//! file (named after the crate it goes to), each the generator's output exactly as it writes
//! it, header included, under insta's short metadata header.
//!
//! When a generator or spec change is intended, rewrite the snapshots with
//!
//! ```text
//! INSTA_UPDATE=always cargo test -p xtask --test snapshots
//! ```
//!
//! (or review each with `cargo insta review`, where cargo-insta is installed) and review the changed snapshots in `git diff` before committing: the diff is what the
//! change does to the generated code, and a snapshot accepted without reading it proves
//! nothing. A change to `spec/metorial.yaml` changes the `drill` snapshots too. Rules that must
//! hold whatever the formatting (a PATCH body's tri-state fields, list filters mocked as
//! repeated keys, ...) are also asserted on their own, whitespace-independently, in
//! `generate.rs`.

use std::path::{Path, PathBuf};

use xtask::generate::{self, GeneratedFile};
use xtask::spec::Spec;

/// The command that rewrites the snapshots.
const OVERWRITE: &str = "INSTA_UPDATE=always cargo test -p xtask --test snapshots";

/// Every generated file and the name of its snapshot.
const SNAPSHOTS: &[(&str, &str)] = &[
    (generate::MODELS, "metorial-models"),
    (generate::CLIENT, "metorial-client"),
    (generate::HTTPMOCK, "metorial-httpmock"),
    (generate::SDK, "metorial"),
    (generate::CLI, "metorial-cli"),
    (generate::EMULATOR, "metorial-emulator"),
    (generate::ENTITIES, "metorial-emulator-entities"),
];

fn generate_from(yaml: &str) -> Vec<GeneratedFile> {
    generate::generate(&Spec::parse(yaml).expect("the spec loads")).expect("generation works")
}

fn case_dir(case: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(case)
}

fn overwriting() -> bool {
    std::env::var_os("INSTA_UPDATE").is_some_and(|value| value == "always")
}

/// Compares every file with its snapshot under `snapshots/<case>/` (insta prints the diff of
/// each), and fails once, naming every file that differs and how to accept the change.
fn assert_snapshots(case: &str, files: &[GeneratedFile]) {
    let dir = case_dir(case);
    let generated: Vec<&str> = files.iter().map(|f| f.path.to_str().unwrap()).collect();
    let known: Vec<&str> = SNAPSHOTS.iter().map(|(path, _)| *path).collect();
    assert_eq!(
        generated, known,
        "the generator writes other files than `SNAPSHOTS` lists: give each a snapshot name there"
    );
    if overwriting() {
        std::fs::create_dir_all(&dir).unwrap();
    }

    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(&dir);
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    let mut failures = Vec::new();
    for (file, (_, name)) in files.iter().zip(SNAPSHOTS) {
        let snapshot = dir.join(format!("{name}.snap"));
        // insta panics on a difference: catch it to compare every file, not only the first.
        let compared = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            settings.bind(|| insta::assert_snapshot!(*name, file.contents));
        }));
        if compared.is_err() {
            failures.push(format!(
                "{} (snapshot {})",
                file.path.display(),
                snapshot.display()
            ));
        }
    }

    // A snapshot no generated file has (a file renamed or no longer generated) is stale.
    let mut stale = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; create the snapshots with `{OVERWRITE}`",
            dir.display()
        )
    }) {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        if name.ends_with(".snap.new") {
            continue; // insta's proposal for a differing snapshot, reported above
        }
        if !SNAPSHOTS
            .iter()
            .any(|(_, known)| name == format!("{known}.snap"))
        {
            if overwriting() {
                std::fs::remove_file(&path).unwrap();
            } else {
                stale.push(path.display().to_string());
            }
        }
    }

    assert!(
        failures.is_empty() && stale.is_empty(),
        "the `{case}` snapshots differ from what the generator writes now.\n\
         differing (diffs above): {failures:#?}\n\
         stale (no generated file): {stale:#?}\n\
         If the change is intended, update them with\n\n    {OVERWRITE}\n\n\
         and review the snapshots' diff (`git diff xtask/tests/snapshots`) before committing.",
    );
}

#[test]
fn widgets_fixture_generates_its_snapshots() {
    assert_snapshots(
        "widgets",
        &generate_from(include_str!("fixtures/widgets.yaml")),
    );
}

#[test]
fn the_drill_edited_workspace_spec_generates_its_snapshots() {
    let raw = Spec::load(&xtask::spec_path()).unwrap().raw;
    let edited = xtask::drill::edited_spec(&raw).expect("every drill edit applies");
    let yaml = serde_norway::to_string(&edited).unwrap();
    assert_snapshots("drill", &generate_from(&yaml));
}
