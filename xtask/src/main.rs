//! `cargo xtask`: the workspace's maintainer tasks.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use xtask::api_diff::{self, Revision};

/// The workspace's maintainer tasks.
#[derive(Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Regenerate the models, client, httpmock, SDK-layer and CLI code from spec/metorial.yaml;
    /// first print the API changes since REV (default HEAD), breaking or additive, and the
    /// version bump they imply.
    Generate {
        /// Fail, with a diff, if a checked-in generated file is stale (the API changes are
        /// printed only with --since).
        #[arg(long)]
        check: bool,
        /// The git revision to compare the spec with.
        #[arg(long, value_name = "REV")]
        since: Option<String>,
    },
    /// The API changes of spec/metorial.yaml from git revision FROM to TO.
    ApiDiff {
        /// The older revision.
        from: String,
        /// The newer revision; WORKTREE is the working tree.
        #[arg(default_value = "WORKTREE")]
        to: String,
    },
    /// Check the import rules of the emulator and the SDK: layers point one way, no circle,
    /// the web crates named only by the HTTP wing.
    Layers,
    /// Run the benchmarks; print a table, write <target dir>/bench/summary.json.
    Bench {
        /// Fewer samples: a quick look, not a measurement.
        #[arg(long)]
        quick: bool,
    },
    /// Count the crates and time the clean build of a fresh crate that depends on the SDK (and
    /// on the emulator as a dev-dependency); print them as JSON.
    Consumer {
        /// Count the crates only, without the two clean builds.
        #[arg(long)]
        no_build: bool,
    },
    /// In a copy of the workspace (under <target>/drill), apply typical spec edits, regenerate,
    /// and check that everything builds and the emulator answers every operation.
    Drill,
    /// Check recorded API responses (DIR/<operation_id>[.<sample>].json) against the spec and
    /// decode them with the generated types; fails on what would not decode.
    Drift {
        /// The directory of recorded responses.
        dir: PathBuf,
        /// Another spec to check against (implies --no-decode: the generated types follow
        /// spec/metorial.yaml).
        #[arg(long, value_name = "FILE")]
        spec: Option<PathBuf>,
        /// Check against the spec's schemas only.
        #[arg(long)]
        no_decode: bool,
    },
}

fn main() -> ExitCode {
    let result = match Cli::parse().task {
        Task::Generate { check, since } => generate(check, since.as_deref()),
        Task::ApiDiff { from, to } => api_changes(&from, Revision::parse(&to)).map(|changes| {
            print!("{changes}");
            ExitCode::SUCCESS
        }),
        Task::Layers => layers(),
        Task::Bench { quick } => bench(quick),
        Task::Consumer { no_build } => consumer(!no_build),
        Task::Drill => {
            xtask::drill::run(&xtask::workspace_root(), &xtask::target_dir().join("drill"))
                .map(|()| ExitCode::SUCCESS)
        }
        Task::Drift {
            dir,
            spec,
            no_decode,
        } => drift(&dir, spec, no_decode),
    };
    result.unwrap_or_else(|error| {
        eprintln!("error: {error:#}");
        ExitCode::FAILURE
    })
}

fn layers() -> anyhow::Result<ExitCode> {
    let root = xtask::workspace_root();
    let mut failed = false;
    for table in [&xtask::layers::EMULATOR, &xtask::layers::SDK] {
        let violations = xtask::layers::check(&root, table)?;
        for violation in &violations {
            eprintln!("{}/{violation}", table.src);
        }
        failed |= !violations.is_empty();
        if violations.is_empty() {
            println!("{}: the layers hold", table.src);
        }
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn bench(quick: bool) -> anyhow::Result<ExitCode> {
    let report = xtask::bench::run(&xtask::workspace_root(), quick)?;
    print!("{}", xtask::bench::table(&report.summary));
    println!("wrote {}", report.path.display());
    Ok(ExitCode::SUCCESS)
}

fn consumer(build: bool) -> anyhow::Result<ExitCode> {
    let figures = xtask::consumer::run(&xtask::workspace_root(), build)?;
    println!("{}", serde_json::to_string_pretty(&figures)?);
    Ok(ExitCode::SUCCESS)
}

fn drift(dir: &Path, spec: Option<PathBuf>, no_decode: bool) -> anyhow::Result<ExitCode> {
    let workspace_spec = xtask::spec_path();
    let spec_path = spec.unwrap_or_else(|| workspace_spec.clone());
    let api = xtask::model::Api::read(&xtask::spec::Spec::load(&spec_path)?.raw).0;
    let mut decoder = xtask::drift::CommandDecoder::cargo_example(&xtask::workspace_root());
    let decoder: Option<&mut dyn xtask::drift::Decoder> = if no_decode {
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
    let report = xtask::drift::check_dir(&api, dir, decoder)?;
    print!("{}", report.render());
    Ok(ExitCode::from(u8::from(report.has_errors())))
}

fn same_file(a: &Path, b: &Path) -> bool {
    matches!((a.canonicalize(), b.canonicalize()), (Ok(a), Ok(b)) if a == b)
}

/// The API changes of the spec from the revision `from` to `to`, as printed.
fn api_changes(from: &str, to: Revision) -> anyhow::Result<String> {
    let root = xtask::workspace_root();
    let from = Revision::parse(from);
    let report = api_diff::compare(&root, api_diff::SPEC_IN_REPO, &from, &to)?;
    let version = api_diff::workspace_version(&root);
    Ok(report.render(from.label(), to.label(), version.as_deref()))
}

fn generate(check: bool, since: Option<&str>) -> anyhow::Result<ExitCode> {
    // CI runs `--check` on a checkout of HEAD: the comparison would only add noise there.
    if !check || since.is_some() {
        // When the old spec cannot be read (no git, no such revision), one line says so.
        let since = since.unwrap_or("HEAD");
        match api_changes(since, Revision::Worktree) {
            Ok(changes) => print!("{changes}"),
            Err(error) => println!("api changes: not compared with {since}: {error:#}"),
        }
    }
    let root = xtask::workspace_root();
    let files = xtask::generate::generate_from(&xtask::spec_path())?;
    if check {
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
