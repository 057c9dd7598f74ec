//! `cargo xtask`: the workspace's maintainer tasks.

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <task>

tasks:
  generate          regenerate the models, client and httpmock crates from spec/metorial.yaml
  generate --check  fail, with a diff, if a checked-in generated file is stale
  bench [--quick]   run the benchmarks; print a table, write target/bench/summary.json
  drift DIR [--spec FILE] [--no-decode]
                    check recorded API responses (DIR/<operation_id>[.<sample>].json) against
                    the spec and decode them with the generated types; fails on what would not
                    decode. A --spec other than spec/metorial.yaml implies --no-decode
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["generate"] => generate(false),
        ["generate", "--check"] => generate(true),
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
    let summary = xtask::bench::run(&xtask::workspace_root(), quick)?;
    print!("{}", xtask::bench::table(&summary));
    println!("wrote target/bench/summary.json");
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

fn generate(check: bool) -> anyhow::Result<ExitCode> {
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
