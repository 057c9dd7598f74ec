//! `cargo xtask consumer [--no-build]`: what a service that adds the SDK pays.
//!
//! In a temporary directory, a fresh binary crate (its own `[workspace]`, the workspace's
//! `Cargo.lock` copied in so the versions match) depends on `metorial` by path, with its default
//! features, and on `metorial-emulator` as a dev-dependency. Printed as one JSON object:
//! - `consumer_crates`, `consumer_crates_with_emulator`: the crates `cargo build` (normal and
//!   build dependencies) and `cargo build --tests` (the dev-dependency too) compile for the
//!   host, the consumer itself aside;
//! - `consumer_build_s`, `consumer_build_with_emulator_s`: those two builds, each clean (debug,
//!   a fresh target directory, the sources fetched beforehand);
//! - `aws_lc_sys_in_tree`, `syn_2_in_tree`, `tracing_attributes_in_tree`: whether the build
//!   without the emulator compiles these (a C build; the proc-macro stack of `#[instrument]`).

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, bail};
use serde_json::{Map, Value, json};

use crate::bench::cargo_program;

/// The consumer's package name (left out of its own counts).
pub const PACKAGE: &str = "metorial-consumer";

/// The consumer's program: it builds a client, so the SDK's code is compiled and linked.
const MAIN_RS: &str = r#"//! A service that uses the Metorial SDK.

fn main() {
    match metorial::Metorial::from_env() {
        Ok(_) => println!("configured"),
        Err(error) => eprintln!("{error}"),
    }
}

#[cfg(test)]
mod tests {
    use metorial_emulator as _;
}
"#;

/// Builds the consumer of the workspace at `root` and measures it (without `build`, only the
/// counts); the figures as one JSON object.
pub fn run(root: &Path, build: bool) -> anyhow::Result<Map<String, Value>> {
    let dir = tempfile::Builder::new()
        .prefix("metorial-consumer-")
        .tempdir()
        .context("creating the consumer's temporary directory")?;
    let consumer = dir.path();
    write_consumer(root, consumer)?;
    let normal = crates(&tree(consumer, "normal,build")?);
    let with_emulator = crates(&tree(consumer, "normal,build,dev")?);
    let mut figures = counts(&normal, &with_emulator);
    if build {
        eprintln!("==> fetching the consumer's dependencies");
        cargo_in(consumer, &consumer.join("target"), &["fetch", "--quiet"])?;
        let build_s = clean_build(consumer, "target-build", &["build"])?;
        let tests_s = clean_build(consumer, "target-tests", &["build", "--tests"])?;
        figures.insert("consumer_build_s".into(), json!(round(build_s)));
        figures.insert(
            "consumer_build_with_emulator_s".into(),
            json!(round(tests_s)),
        );
    }
    Ok(figures)
}

/// Writes the consumer crate into `dir`: its manifest, its program, the workspace's lock file.
fn write_consumer(root: &Path, dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir.join("src"))?;
    std::fs::write(dir.join("Cargo.toml"), manifest(root)?)?;
    std::fs::write(dir.join("src/main.rs"), MAIN_RS)?;
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock"))
        .context("copying the workspace's Cargo.lock")?;
    Ok(())
}

/// The consumer's `Cargo.toml`: `metorial` with its default features, `metorial-emulator` as a
/// dev-dependency, both by path into the workspace at `root`; standalone (`[workspace]`).
pub fn manifest(root: &Path) -> anyhow::Result<String> {
    let crates = root.join("crates");
    let crates = crates
        .to_str()
        .context("the workspace's path is not UTF-8")?;
    // The path as a TOML literal string: backslashes (Windows) stay as they are.
    Ok(format!(
        "[package]\nname = \"{PACKAGE}\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n\
         [dependencies]\nmetorial = {{ path = '{crates}/metorial' }}\n\n\
         [dev-dependencies]\nmetorial-emulator = {{ path = '{crates}/metorial-emulator' }}\n\n\
         [workspace]\n"
    ))
}

/// `cargo tree` of the consumer in `dir` over the dependency kinds `edges`, one crate a line.
fn tree(dir: &Path, edges: &str) -> anyhow::Result<String> {
    let output = Command::new(cargo_program())
        .args(["tree", "--quiet", "--prefix", "none", "-e", edges])
        .current_dir(dir)
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| format!("running cargo tree -e {edges}"))?;
    if !output.status.success() {
        bail!("cargo tree -e {edges} failed");
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// The crates (name, version) a `cargo tree --prefix none` output lists, each once, section
/// headers (`[build-dependencies]`) and the consumer itself aside.
pub fn crates(tree: &str) -> BTreeSet<(String, String)> {
    tree.lines()
        .filter(|line| !line.starts_with('['))
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            let name = words.next()?;
            let version = words.next()?.strip_prefix('v')?;
            Some((name.to_owned(), version.to_owned()))
        })
        .filter(|(name, _)| name != PACKAGE)
        .collect()
}

/// The count figures: both crate counts and which heavy crates the normal build compiles.
pub fn counts(
    normal: &BTreeSet<(String, String)>,
    with_emulator: &BTreeSet<(String, String)>,
) -> Map<String, Value> {
    let has = |wanted: &str, major: Option<&str>| {
        normal.iter().any(|(name, version)| {
            name == wanted && major.is_none_or(|m| version.split('.').next() == Some(m))
        })
    };
    let mut figures = Map::new();
    figures.insert("consumer_crates".into(), json!(normal.len()));
    figures.insert(
        "consumer_crates_with_emulator".into(),
        json!(with_emulator.len()),
    );
    figures.insert("aws_lc_sys_in_tree".into(), json!(has("aws-lc-sys", None)));
    figures.insert("syn_2_in_tree".into(), json!(has("syn", Some("2"))));
    figures.insert(
        "tracing_attributes_in_tree".into(),
        json!(has("tracing-attributes", None)),
    );
    figures
}

/// Runs `cargo args` in the consumer at `dir` with a fresh target directory `dir/target_name`;
/// the seconds it took. The target directory is removed afterwards (it holds a debug build).
fn clean_build(dir: &Path, target_name: &str, args: &[&str]) -> anyhow::Result<f64> {
    let target = dir.join(target_name);
    if target.exists() {
        std::fs::remove_dir_all(&target)
            .with_context(|| format!("removing {}", target.display()))?;
    }
    eprintln!("==> cargo {} (clean)", args.join(" "));
    let start = Instant::now();
    cargo_in(dir, &target, args)?;
    let seconds = start.elapsed().as_secs_f64();
    std::fs::remove_dir_all(&target).with_context(|| format!("removing {}", target.display()))?;
    Ok(seconds)
}

/// Runs `cargo args` in `dir` with the target directory `target`; fails if cargo does.
fn cargo_in(dir: &Path, target: &Path, args: &[&str]) -> anyhow::Result<()> {
    let status = Command::new(cargo_program())
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .status()
        .with_context(|| format!("running cargo {}", args.join(" ")))?;
    if !status.success() {
        bail!("cargo {} failed in {}", args.join(" "), dir.display());
    }
    Ok(())
}

/// Seconds to one decimal.
fn round(seconds: f64) -> f64 {
    (seconds * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `cargo tree -e normal,build,dev --prefix none` output, shortened.
    const TREE: &str = "\
metorial-consumer v0.1.0 (/tmp/metorial-consumer-x)
metorial v0.1.0 (/work/main/crates/metorial)
serde v1.0.229
serde_derive v1.0.229 (proc-macro)
syn v3.0.10
serde v1.0.229 (*)
aws-lc-sys v0.47.0
[build-dependencies]
cc v1.11.3

[dev-dependencies]
metorial-emulator v0.1.0 (/work/main/crates/metorial-emulator)
syn v2.0.119
";

    #[test]
    fn each_crate_counts_once_and_the_consumer_not_at_all() {
        let found = crates(TREE);
        let names: Vec<_> = found.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(
            names,
            [
                "aws-lc-sys",
                "cc",
                "metorial",
                "metorial-emulator",
                "serde",
                "serde_derive",
                "syn",
                "syn"
            ]
        );
        assert!(found.contains(&("syn".to_owned(), "2.0.119".to_owned())));
    }

    #[test]
    fn the_flags_look_at_the_normal_tree_and_syn_s_major_version() {
        let normal = crates(TREE.split("[dev-dependencies]").next().unwrap());
        let figures = counts(&normal, &crates(TREE));
        assert_eq!(figures["consumer_crates"], json!(6));
        assert_eq!(figures["consumer_crates_with_emulator"], json!(8));
        assert_eq!(figures["aws_lc_sys_in_tree"], json!(true));
        assert_eq!(figures["syn_2_in_tree"], json!(false));
        assert_eq!(figures["tracing_attributes_in_tree"], json!(false));
    }

    #[test]
    fn the_manifest_is_standalone_and_points_into_the_workspace() {
        let manifest = manifest(Path::new("/work/main")).unwrap();
        assert!(manifest.contains("metorial = { path = '/work/main/crates/metorial' }"));
        assert!(manifest.contains(
            "[dev-dependencies]\nmetorial-emulator = { path = '/work/main/crates/metorial-emulator' }"
        ));
        assert!(manifest.ends_with("[workspace]\n"));
    }
}
