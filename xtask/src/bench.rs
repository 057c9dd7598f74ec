//! `cargo xtask bench [--quick]`: runs every benchmark and writes `target/bench/summary.json`.
//!
//! Each figure that has a target is a ratio of two things measured in the same run, so a
//! noisy machine still gives comparable numbers:
//! - decoding (criterion, `crates/metorial-bench/benches/decode.rs`): typed vs `Value`;
//! - the harness (`crates/metorial-bench/src/main.rs`, release build): the SDK vs plain
//!   reqwest, pagination memory at 50,000 vs 5,000 items, the emulator at 100,000 vs 1,000
//!   rows;
//! - `generate_ms`: `generate` run in this process.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, bail};
use serde_json::{Map, Value, json};

/// Every key of the summary, with its target (`None`: reported, no target).
pub const KEYS: &[(&str, Option<Target>)] = &[
    ("client_overhead_ratio", Some(Target::AtMost(1.05))),
    ("client_throughput_ratio", Some(Target::AtLeast(0.95))),
    ("decode_mb_per_s", None),
    ("decode_vs_value_ratio", Some(Target::AtLeast(1.0))),
    ("paginate_items_per_s", None),
    ("paginate_rss_ratio", Some(Target::AtMost(1.2))),
    ("emulator_get_rps", None),
    ("emulator_list_p99_ms", Some(Target::Below(10.0))),
    ("emulator_list_scaling_ratio", Some(Target::AtMost(1.5))),
    ("generate_ms", None),
];

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

    fn describe(self) -> String {
        match self {
            Target::AtMost(x) => format!("<= {x}"),
            Target::AtLeast(x) => format!(">= {x}"),
            Target::Below(x) => format!("< {x}"),
        }
    }
}

/// Runs everything; returns the summary it wrote.
pub fn run(root: &Path, quick: bool) -> anyhow::Result<Map<String, Value>> {
    let mut summary = Map::new();
    summary.insert("quick".into(), json!(quick));

    eprintln!("==> decoding (criterion)");
    let mut args = vec!["bench", "-p", "metorial-bench", "--bench", "decode", "--"];
    if quick {
        args.extend(["--warm-up-time", "1", "--measurement-time", "2"]);
    }
    cargo(root, &args)?;
    let criterion = root.join("target/criterion/decode_page");
    let typed_ns = criterion_median(&criterion.join("typed"))?;
    let value_ns = criterion_median(&criterion.join("value"))?;
    let bytes = criterion_bytes(&criterion.join("typed"))?;
    summary.insert(
        "decode_mb_per_s".into(),
        json!(bytes / typed_ns * 1e9 / 1e6),
    );
    summary.insert("decode_vs_value_ratio".into(), json!(value_ns / typed_ns));

    for task in ["client", "paginate", "emulator"] {
        eprintln!("==> {task} (release harness)");
        let mut args = vec!["run", "--release", "-q", "-p", "metorial-bench", "--", task];
        if quick {
            args.push("--quick");
        }
        let output = cargo_output(root, &args)?;
        let line = output.lines().last().unwrap_or_default();
        let figures: Map<String, Value> = serde_json::from_str(line)
            .with_context(|| format!("the {task} harness printed {output:?}"))?;
        summary.extend(figures);
    }

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
    summary.insert("generate_ms".into(), json!(times[times.len() / 2]));

    let missing: Vec<&str> = KEYS
        .iter()
        .map(|(k, _)| *k)
        .filter(|k| !summary.contains_key(*k))
        .collect();
    if !missing.is_empty() {
        bail!("the benchmarks did not produce {missing:?}");
    }
    let dir = root.join("target/bench");
    std::fs::create_dir_all(&dir)?;
    std::fs::write(
        dir.join("summary.json"),
        serde_json::to_string_pretty(&summary)? + "\n",
    )?;
    Ok(summary)
}

/// The summary as a table, with each target and whether it is met.
pub fn table(summary: &Map<String, Value>) -> String {
    let mut out = String::from("| figure | value | target | met |\n| --- | --- | --- | --- |\n");
    for (key, target) in KEYS {
        let value = summary
            .get(*key)
            .and_then(Value::as_f64)
            .unwrap_or(f64::NAN);
        let (target, met) = match target {
            Some(t) => (t.describe(), if t.met(value) { "yes" } else { "NO" }),
            None => ("-".to_owned(), "-"),
        };
        out.push_str(&format!("| {key} | {value:.3} | {target} | {met} |\n"));
    }
    out
}

fn cargo(root: &Path, args: &[&str]) -> anyhow::Result<()> {
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(args)
        .current_dir(root)
        .status()
        .with_context(|| format!("running cargo {}", args.join(" ")))?;
    if !status.success() {
        bail!("cargo {} failed", args.join(" "));
    }
    Ok(())
}

fn cargo_output(root: &Path, args: &[&str]) -> anyhow::Result<String> {
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
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

fn read_json(path: &Path) -> anyhow::Result<Value> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(serde_json::from_str(&text)?)
}

/// Criterion's median time per iteration, in nanoseconds.
fn criterion_median(dir: &Path) -> anyhow::Result<f64> {
    read_json(&dir.join("new/estimates.json"))?
        .pointer("/median/point_estimate")
        .and_then(Value::as_f64)
        .context("criterion's estimates have no median")
}

/// The bytes one iteration processes, as the benchmark declared.
fn criterion_bytes(dir: &Path) -> anyhow::Result<f64> {
    read_json(&dir.join("new/benchmark.json"))?
        .pointer("/throughput/Bytes")
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
}
