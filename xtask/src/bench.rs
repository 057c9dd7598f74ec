//! `cargo xtask bench [--quick]`: runs every benchmark and writes `summary.json` into the
//! `bench` folder of cargo's target directory (`target/bench/` unless `CARGO_TARGET_DIR` or
//! cargo's configuration says otherwise).
//!
//! Each figure that has a target is a ratio of two things measured in the same run, so a
//! noisy machine still gives comparable numbers:
//! - decoding (criterion, `crates/metorial-bench/benches/decode.rs`): typed vs `Value`;
//! - the harness (`crates/metorial-bench/src/main.rs`, release build): the SDK vs plain
//!   reqwest and vs the generated client alone, pagination memory at 50,000 vs 5,000 items,
//!   the emulator at 100,000 vs 1,000 rows and vs its floor (the same HTTP stack answering
//!   its recorded bytes from memory);
//! - `generate_ms`: `generate` run in this process.
//!
//! The harness's `scale` run (to 1,000,000 sessions and 64 connections; 100,000 when quick)
//! writes `scale.json`, `scale.md` and two SVG charts beside the summary; a full run also
//! copies the table and the charts into `docs/bench/`, which `BENCHMARKS.md` links.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, bail};
use serde_json::{Map, Value, json};

/// Every key of the summary, with its target (`None`: reported, no target).
pub const KEYS: &[(&str, Option<Target>)] = &[
    ("client_overhead_ratio", Some(Target::AtMost(1.05))),
    ("client_throughput_ratio", Some(Target::AtLeast(0.95))),
    ("client_vs_generated_ratio", Some(Target::AtLeast(0.95))),
    ("decode_mb_per_s", None),
    ("decode_vs_value_ratio", Some(Target::AtLeast(1.0))),
    ("paginate_items_per_s", None),
    ("paginate_rss_ratio", Some(Target::AtMost(1.2))),
    ("emulator_get_rps", None),
    ("emulator_get_floor_ratio", Some(Target::AtLeast(0.5))),
    ("emulator_list_floor_ratio", Some(Target::AtLeast(0.5))),
    ("emulator_list_p99_ms", Some(Target::Below(10.0))),
    ("emulator_list_scaling_ratio", Some(Target::AtMost(1.5))),
    ("scale_list_p99_ms_100000", None),
    ("scale_rss_mib_100000", None),
    ("scale_get_rps_64", None),
    ("scale_list_rps_64", None),
    ("generate_ms", None),
];

/// Keys only a full run produces (the scale run goes to 1,000,000 sessions only then): a full
/// run fails without them, and the table shows them when present.
pub const FULL_RUN_KEYS: &[&str] = &[
    "scale_list_median_ms_1000000",
    "scale_list_p99_ms_1000000",
    "scale_rss_mib_1000000",
    "scale_seed_s_1000000",
];

/// The files of the scale run that a full run copies into `docs/bench/`.
const PUBLISHED: [&str; 3] = ["scale.md", "scale-sessions.svg", "scale-connections.svg"];

/// A figure's target.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Target {
    /// `<= x`
    AtMost(f64),
    /// `>= x`
    AtLeast(f64),
    /// `< x`
    Below(f64),
}

impl Target {
    /// Whether `value` meets the target.
    pub fn met(self, value: f64) -> bool {
        match self {
            Target::AtMost(x) => value <= x,
            Target::AtLeast(x) => value >= x,
            Target::Below(x) => value < x,
        }
    }

    /// As the table shows it (`>= 0.95`).
    fn describe(self) -> String {
        match self {
            Target::AtMost(x) => format!("<= {x}"),
            Target::AtLeast(x) => format!(">= {x}"),
            Target::Below(x) => format!("< {x}"),
        }
    }
}

/// What a run wrote.
#[derive(Debug)]
pub struct Report {
    /// Every figure (and `quick`).
    pub summary: Map<String, Value>,
    /// Where the summary was written.
    pub path: PathBuf,
}

/// Runs everything; returns the summary and where it was written.
pub fn run(root: &Path, quick: bool) -> anyhow::Result<Report> {
    let target_dir = target_directory(root)?;
    let bench_dir = target_dir.join("bench");
    std::fs::create_dir_all(&bench_dir)?;
    let mut summary = Map::new();
    summary.insert("quick".into(), json!(quick));
    summary.extend(decoding(root, &target_dir, quick)?);
    for task in ["client", "paginate", "emulator"] {
        summary.extend(harness(root, &[task], quick)?);
    }
    let out = bench_dir
        .to_str()
        .context("the target directory is not UTF-8")?;
    summary.extend(harness(root, &["scale", "--out", out], quick)?);
    if !quick {
        publish_scale(&bench_dir, &root.join("docs/bench"))?;
    }
    summary.insert("generate_ms".into(), json!(generate_ms(quick)?));

    let missing = missing_keys(&summary, quick);
    if !missing.is_empty() {
        bail!("the benchmarks did not produce {missing:?}");
    }
    let path = bench_dir.join("summary.json");
    std::fs::write(&path, serde_json::to_string_pretty(&summary)? + "\n")?;
    Ok(Report { summary, path })
}

/// The keys a run should have produced and did not.
fn missing_keys(summary: &Map<String, Value>, quick: bool) -> Vec<&'static str> {
    let full = if quick { &[][..] } else { FULL_RUN_KEYS };
    KEYS.iter()
        .map(|(key, _)| *key)
        .chain(full.iter().copied())
        .filter(|key| !summary.contains_key(*key))
        .collect()
}

/// Runs the criterion decoding benchmark; its throughput and the `Value` over typed ratio.
fn decoding(root: &Path, target_dir: &Path, quick: bool) -> anyhow::Result<Map<String, Value>> {
    eprintln!("==> decoding (criterion)");
    let mut args = vec!["bench", "-p", "metorial-bench", "--bench", "decode", "--"];
    if quick {
        args.extend(["--warm-up-time", "1", "--measurement-time", "2"]);
    }
    cargo(root, &args)?;
    let criterion = target_dir.join("criterion/decode_page");
    let typed_ns = criterion_median(&criterion.join("typed"))?;
    let value_ns = criterion_median(&criterion.join("value"))?;
    let bytes = criterion_bytes(&criterion.join("typed"))?;
    let mb_per_s = bytes / typed_ns * 1e9 / 1e6;
    let mut figures = Map::new();
    figures.insert("decode_mb_per_s".into(), json!(mb_per_s));
    figures.insert("decode_vs_value_ratio".into(), json!(value_ns / typed_ns));
    Ok(figures)
}

/// Runs the release harness with `args` (the task first; `--quick` added when quick); the
/// JSON object it printed last.
fn harness(root: &Path, args: &[&str], quick: bool) -> anyhow::Result<Map<String, Value>> {
    eprintln!("==> {} (release harness)", args[0]);
    let mut command = vec!["run", "--release", "-q", "-p", "metorial-bench", "--"];
    command.extend(args);
    if quick {
        command.push("--quick");
    }
    let output = cargo_output(root, &command)?;
    let line = output.lines().last().unwrap_or_default();
    serde_json::from_str(line)
        .with_context(|| format!("the {} harness printed {output:?}", args[0]))
}

/// Copies the scale table and charts from `bench_dir` into `docs` (created if missing).
fn publish_scale(bench_dir: &Path, docs: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(docs)?;
    for name in PUBLISHED {
        std::fs::copy(bench_dir.join(name), docs.join(name))
            .with_context(|| format!("copying {name} into {}", docs.display()))?;
    }
    Ok(())
}

/// The median time of `generate` from the spec, in milliseconds (after one warm-up).
fn generate_ms(quick: bool) -> anyhow::Result<f64> {
    eprintln!("==> generate");
    let spec = crate::spec_path();
    crate::generate::generate_from(&spec)?;
    let mut times = Vec::new();
    for _ in 0..if quick { 5 } else { 20 } {
        let started = Instant::now();
        crate::generate::generate_from(&spec)?;
        times.push(started.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    Ok(times[times.len() / 2])
}

/// Cargo's target directory for the workspace at `root`, found as cargo finds it
/// (`CARGO_TARGET_DIR`, then `build.target-dir` of the configuration, then `target/`):
/// `cargo metadata`'s `target_directory`.
pub fn target_directory(root: &Path) -> anyhow::Result<PathBuf> {
    target_directory_of(metadata_command(root))
}

/// `cargo metadata --format-version 1 --no-deps`, run in `root`.
fn metadata_command(root: &Path) -> Command {
    let mut command = Command::new(cargo_program());
    command
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .current_dir(root);
    command
}

/// Runs a `cargo metadata` command; the target directory it names.
fn target_directory_of(mut metadata: Command) -> anyhow::Result<PathBuf> {
    let output = metadata
        .stderr(std::process::Stdio::inherit())
        .output()
        .context("running cargo metadata")?;
    if !output.status.success() {
        bail!("cargo metadata failed");
    }
    parse_target_directory(&String::from_utf8_lossy(&output.stdout))
}

/// The `target_directory` of `cargo metadata`'s JSON output.
pub fn parse_target_directory(metadata: &str) -> anyhow::Result<PathBuf> {
    let metadata: Value = serde_json::from_str(metadata).context("cargo metadata's output")?;
    metadata
        .get("target_directory")
        .and_then(Value::as_str)
        .map(PathBuf::from)
        .context("cargo metadata names no target_directory")
}

/// The summary as a table, with each target and whether it is met.
pub fn table(summary: &Map<String, Value>) -> String {
    let mut out = String::from("| figure | value | target | met |\n| --- | --- | --- | --- |\n");
    let full = FULL_RUN_KEYS
        .iter()
        .filter(|key| summary.contains_key(**key))
        .map(|key| (*key, None));
    for (key, target) in KEYS.iter().copied().chain(full) {
        let value = summary.get(key).and_then(Value::as_f64).unwrap_or(f64::NAN);
        let (target, met) = match target {
            Some(t) => (t.describe(), if t.met(value) { "yes" } else { "NO" }),
            None => ("-".to_owned(), "-"),
        };
        out.push_str(&format!("| {key} | {value:.3} | {target} | {met} |\n"));
    }
    out
}

/// Runs `cargo args` in `root`, its output shown; fails if cargo does.
fn cargo(root: &Path, args: &[&str]) -> anyhow::Result<()> {
    let status = Command::new(cargo_program())
        .args(args)
        .current_dir(root)
        .status()
        .with_context(|| format!("running cargo {}", args.join(" ")))?;
    if !status.success() {
        bail!("cargo {} failed", args.join(" "));
    }
    Ok(())
}

/// Runs `cargo args` in `root`; its standard output (its errors shown as they come).
fn cargo_output(root: &Path, args: &[&str]) -> anyhow::Result<String> {
    let output = Command::new(cargo_program())
        .args(args)
        .current_dir(root)
        .stderr(std::process::Stdio::inherit())
        .output()
        .with_context(|| format!("running cargo {}", args.join(" ")))?;
    if !output.status.success() {
        bail!("cargo {} failed", args.join(" "));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// The cargo running this (`CARGO`), else `cargo`.
pub(crate) fn cargo_program() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// The JSON file at `path`.
fn read_json(path: &Path) -> anyhow::Result<Value> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(serde_json::from_str(&text)?)
}

/// Criterion's median time per iteration, in nanoseconds.
fn criterion_median(dir: &Path) -> anyhow::Result<f64> {
    read_json(&dir.join("new/estimates.json"))?
        .get("median")
        .and_then(|median| median.get("point_estimate"))
        .and_then(Value::as_f64)
        .context("criterion's estimates have no median")
}

/// The bytes one iteration processes, as the benchmark declared.
fn criterion_bytes(dir: &Path) -> anyhow::Result<f64> {
    read_json(&dir.join("new/benchmark.json"))?
        .get("throughput")
        .and_then(|throughput| throughput.get("Bytes"))
        .and_then(Value::as_f64)
        .context("the benchmark declares no byte throughput")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_compare_as_stated() {
        assert!(Target::AtMost(1.05).met(1.05) && !Target::AtMost(1.05).met(1.06));
        assert!(Target::AtLeast(0.95).met(0.95) && !Target::AtLeast(0.95).met(0.94));
        assert!(Target::Below(10.0).met(9.9) && !Target::Below(10.0).met(10.0));
    }

    #[test]
    fn the_table_marks_missed_targets() {
        let mut summary = Map::new();
        summary.insert("client_overhead_ratio".into(), json!(1.2));
        summary.insert("decode_vs_value_ratio".into(), json!(1.8));
        let table = table(&summary);
        assert!(
            table.contains("| client_overhead_ratio | 1.200 | <= 1.05 | NO |"),
            "{table}"
        );
        assert!(
            table.contains("| decode_vs_value_ratio | 1.800 | >= 1 | yes |"),
            "{table}"
        );
    }

    #[test]
    fn the_floors_and_the_generated_client_have_targets() {
        let target = |name: &str| KEYS.iter().find(|(key, _)| *key == name).unwrap().1;
        assert_eq!(
            target("emulator_list_floor_ratio"),
            Some(Target::AtLeast(0.5))
        );
        assert_eq!(
            target("emulator_get_floor_ratio"),
            Some(Target::AtLeast(0.5))
        );
        assert_eq!(
            target("client_vs_generated_ratio"),
            Some(Target::AtLeast(0.95))
        );
        assert_eq!(target("emulator_list_p99_ms"), Some(Target::Below(10.0)));
        assert_eq!(target("scale_rss_mib_100000"), None);
    }

    #[test]
    fn full_runs_also_need_the_million_session_figures() {
        let mut summary: Map<String, Value> = KEYS
            .iter()
            .map(|(key, _)| (key.to_string(), json!(1.0)))
            .collect();
        assert!(missing_keys(&summary, true).is_empty());
        assert_eq!(missing_keys(&summary, false), FULL_RUN_KEYS);
        summary.remove("emulator_get_floor_ratio");
        assert_eq!(missing_keys(&summary, true), ["emulator_get_floor_ratio"]);

        assert!(!table(&summary).contains("scale_rss_mib_1000000"));
        summary.insert("scale_rss_mib_1000000".into(), json!(812.5));
        let table = table(&summary);
        assert!(
            table.contains("| scale_rss_mib_1000000 | 812.500 | - | - |"),
            "{table}"
        );
    }

    #[test]
    fn the_target_directory_is_cargo_metadatas() {
        let metadata = r#"{"packages":[],"workspace_members":[],"target_directory":"/tmp/elsewhere","version":1,"workspace_root":"/work"}"#;
        assert_eq!(
            parse_target_directory(metadata).unwrap(),
            PathBuf::from("/tmp/elsewhere")
        );
        assert!(parse_target_directory(r#"{"version":1}"#).is_err());
        assert!(parse_target_directory("warning: not JSON").is_err());
    }

    #[test]
    fn the_target_directory_follows_cargo_target_dir_then_the_configuration() {
        let dir = tempfile::tempdir().unwrap();
        let package = dir.path();
        std::fs::write(
            package.join("Cargo.toml"),
            "[package]\nname = \"probe\"\nversion = \"0.1.0\"\nedition = \"2024\"\n[workspace]\n",
        )
        .unwrap();
        std::fs::create_dir_all(package.join("src")).unwrap();
        std::fs::write(package.join("src/lib.rs"), "").unwrap();
        let found = |command: Command| target_directory_of(command).unwrap();

        let mut plain = metadata_command(package);
        plain.env_remove("CARGO_TARGET_DIR");
        assert_eq!(found(plain), package.join("target"));

        std::fs::create_dir_all(package.join(".cargo")).unwrap();
        std::fs::write(
            package.join(".cargo/config.toml"),
            "[build]\ntarget-dir = \"from-config\"\n",
        )
        .unwrap();
        let mut configured = metadata_command(package);
        configured.env_remove("CARGO_TARGET_DIR");
        assert_eq!(found(configured), package.join("from-config"));

        let mut from_env = metadata_command(package);
        from_env.env("CARGO_TARGET_DIR", package.join("from-env"));
        assert_eq!(found(from_env), package.join("from-env"));
    }

    #[test]
    fn a_full_run_publishes_the_scale_table_and_charts() {
        let bench = tempfile::tempdir().unwrap();
        for name in PUBLISHED {
            std::fs::write(bench.path().join(name), name).unwrap();
        }
        let docs = tempfile::tempdir().unwrap();
        let into = docs.path().join("docs/bench");
        publish_scale(bench.path(), &into).unwrap();
        for name in PUBLISHED {
            assert_eq!(std::fs::read_to_string(into.join(name)).unwrap(), name);
        }
    }
}
