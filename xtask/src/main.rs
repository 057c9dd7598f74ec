//! `cargo xtask`: the workspace's maintainer tasks.

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <task>

tasks:
  generate [--since REV]
                    regenerate the models, client, httpmock, SDK-layer and CLI code from
                    spec/metorial.yaml; first print the API changes since REV (default HEAD),
                    breaking or additive, and the version bump they imply
  generate --check [--since REV]
                    fail, with a diff, if a checked-in generated file is stale (the API changes
                    are printed only with --since)
  api-diff REV_A [REV_B]
                    the API changes of spec/metorial.yaml from git revision REV_A to REV_B
                    (default, or WORKTREE: the working tree)
  bench [--quick]   run the benchmarks; print a table, write <target dir>/bench/summary.json
  drill             in a copy of the workspace (under <target>/drill), apply typical spec edits,
                    regenerate, and check that everything builds and the emulator answers
                    every operation
  drift DIR [--spec FILE] [--no-decode]
                    check recorded API responses (DIR/<operation_id>[.<sample>].json) against
                    the spec and decode them with the generated types; fails on what would not
                    decode. A --spec other than spec/metorial.yaml implies --no-decode
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["generate", rest @ ..] => match GenerateArgs::parse(rest) {
            Some(args) => generate(&args),
            None => {
                eprint!("{USAGE}");
                return ExitCode::from(2);
            }
        },
        ["api-diff", from] => api_diff(from, "WORKTREE"),
        ["api-diff", from, to] => api_diff(from, to),
        ["drill"] => {
            xtask::drill::run(&xtask::workspace_root(), &xtask::target_dir().join("drill"))
                .map(|()| ExitCode::SUCCESS)
        }
        ["bench"] => bench(false),
        ["bench", "--quick"] => bench(true),
        ["drift", rest @ ..] => match DriftArgs::parse(rest) {
            Some(args) => drift(&args),
            None => {
                eprint!("{USAGE}");
                return ExitCode::from(2);
            }
        },
        ["help" | "--help" | "-h"] => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprint!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn bench(quick: bool) -> anyhow::Result<ExitCode> {
    let report = xtask::bench::run(&xtask::workspace_root(), quick)?;
    print!("{}", xtask::bench::table(&report.summary));
    println!("wrote {}", report.path.display());
    Ok(ExitCode::SUCCESS)
}

/// `drift DIR [--spec FILE] [--no-decode]`, in any order.
struct DriftArgs {
    dir: std::path::PathBuf,
    spec: Option<std::path::PathBuf>,
    no_decode: bool,
}

impl DriftArgs {
    fn parse(args: &[&str]) -> Option<DriftArgs> {
        let (mut dir, mut spec, mut no_decode) = (None, None, false);
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match *arg {
                "--spec" if spec.is_none() => spec = Some(args.next()?.into()),
                "--no-decode" => no_decode = true,
                flag if flag.starts_with('-') => return None,
                path if dir.is_none() => dir = Some(path.into()),
                _ => return None,
            }
        }
        Some(DriftArgs {
            dir: dir?,
            spec,
            no_decode,
        })
    }
}

fn drift(args: &DriftArgs) -> anyhow::Result<ExitCode> {
    let workspace_spec = xtask::spec_path();
    let spec_path = args.spec.clone().unwrap_or_else(|| workspace_spec.clone());
    let spec = xtask::spec::Spec::load(&spec_path)?;
    let mut decoder = xtask::drift::CommandDecoder::cargo_example(&xtask::workspace_root());
    let decoder: Option<&mut dyn xtask::drift::Decoder> = if args.no_decode {
        None
    } else if !same_file(&spec_path, &workspace_spec) {
        eprintln!(
            "note: {} is not the workspace spec: not decoding (the generated types follow spec/metorial.yaml)",
            spec_path.display()
        );
        None
    } else {
        Some(&mut decoder)
    };
    let report = xtask::drift::check_dir(&spec, &args.dir, decoder)?;
    print!("{}", report.render());
    Ok(if report.has_errors() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// `generate [--check] [--since REV]`, in any order.
struct GenerateArgs {
    check: bool,
    since: Option<String>,
}

impl GenerateArgs {
    fn parse(args: &[&str]) -> Option<GenerateArgs> {
        let (mut check, mut since) = (false, None);
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match *arg {
                "--check" if !check => check = true,
                "--since" if since.is_none() => since = Some((*args.next()?).to_owned()),
                _ => return None,
            }
        }
        Some(GenerateArgs { check, since })
    }
}

/// `api-diff REV_A [REV_B]`: the API changes between two revisions of the spec.
fn api_diff(from: &str, to: &str) -> anyhow::Result<ExitCode> {
    use xtask::api_diff::{self, Revision};
    let root = xtask::workspace_root();
    let (from, to) = (Revision::parse(from), Revision::parse(to));
    let report = api_diff::compare(&root, api_diff::SPEC_IN_REPO, &from, &to)?;
    let version = api_diff::workspace_version(&root);
    print!(
        "{}",
        report.render(from.label(), to.label(), version.as_deref())
    );
    Ok(ExitCode::SUCCESS)
}

/// Prints the API changes of the working tree's spec since `since`; when the old spec cannot
/// be read (no git, no such revision), says so in one line.
fn print_api_changes(since: &str) {
    use xtask::api_diff::{self, Revision};
    let root = xtask::workspace_root();
    let from = Revision::parse(since);
    match api_diff::compare(&root, api_diff::SPEC_IN_REPO, &from, &Revision::Worktree) {
        Ok(report) => {
            let version = api_diff::workspace_version(&root);
            print!(
                "{}",
                report.render(from.label(), "working tree", version.as_deref())
            );
        }
        Err(error) => println!("api changes: not compared with {since}: {error:#}"),
    }
}

fn generate(args: &GenerateArgs) -> anyhow::Result<ExitCode> {
    // CI runs `--check` on a checkout of HEAD: the comparison would only add noise there.
    if !args.check || args.since.is_some() {
        print_api_changes(args.since.as_deref().unwrap_or("HEAD"));
    }
    let root = xtask::workspace_root();
    let files = xtask::generate::generate_from(&xtask::spec_path())?;
    if args.check {
        let diffs = xtask::files::check(&root, &files);
        if diffs.is_empty() {
            println!("generated files are up to date");
            return Ok(ExitCode::SUCCESS);
        }
        for diff in &diffs {
            println!("{diff}");
        }
        eprintln!(
            "error: {} generated file(s) are stale: run `cargo xtask generate` and commit the result",
            diffs.len()
        );
        return Ok(ExitCode::FAILURE);
    }
    let changed = xtask::files::write(&root, &files)?;
    if changed.is_empty() {
        println!("generated files are up to date");
    }
    for path in changed {
        println!("wrote {path}");
    }
    Ok(ExitCode::SUCCESS)
}
