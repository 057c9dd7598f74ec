//! `cargo xtask`: the workspace's maintainer tasks.

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <task>

tasks:
  generate          regenerate the models, client and httpmock crates from spec/metorial.yaml
  generate --check  fail, with a diff, if a checked-in generated file is stale
  bench [--quick]   run the benchmarks; print a table, write target/bench/summary.json
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["generate"] => generate(false),
        ["generate", "--check"] => generate(true),
        ["bench"] => bench(false),
        ["bench", "--quick"] => bench(true),
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
