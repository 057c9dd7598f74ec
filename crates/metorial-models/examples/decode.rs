//! Decodes JSON files with the generated types, for `cargo xtask drift`.
//!
//! ```sh
//! cargo run -q -p metorial-models --example decode -- ProviderSetupSession session.json [SCHEMA FILE ...]
//! printf 'ErrorBody\terror.json\n' | cargo run -q -p metorial-models --example decode
//! ```
//!
//! Takes `(component schema, file)` pairs as arguments or, with no arguments, as
//! `SCHEMA<TAB>FILE` lines on stdin, and prints one JSON line per file, in order:
//! `{"schema": ..., "file": ..., "result": "ok" | "error" | "unknown-schema" | "unreadable"}`,
//! with an `"error"` message for `error` (`<path>: <message>`) and `unreadable`. Exits with 2
//! on malformed input, 0 otherwise (a file that does not decode is a result, not a failure).

use std::io::{BufRead, Write};
use std::process::ExitCode;

use serde_json::{Value, json};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let pairs = if args.is_empty() {
        pairs_from_stdin()
    } else {
        pairs_from_args(&args)
    };
    let pairs = match pairs {
        Ok(pairs) => pairs,
        Err(message) => {
            eprintln!("error: {message}");
            eprintln!(
                "usage: decode SCHEMA FILE [SCHEMA FILE ...]  (or SCHEMA<TAB>FILE lines on stdin)"
            );
            return ExitCode::from(2);
        }
    };
    let mut stdout = std::io::stdout().lock();
    for (schema, file) in &pairs {
        let line = decode_file(schema, file);
        if writeln!(stdout, "{line}").is_err() {
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}

/// The outcome for one file, as one JSON object.
fn decode_file(schema: &str, file: &str) -> Value {
    let (result, error) = match std::fs::read_to_string(file) {
        Err(e) => ("unreadable", Some(e.to_string())),
        Ok(text) => match metorial_models::decode_component(schema, &text) {
            None => ("unknown-schema", None),
            Some(Ok(())) => ("ok", None),
            Some(Err(message)) => ("error", Some(message)),
        },
    };
    let mut line = json!({"schema": schema, "file": file, "result": result});
    if let Some(error) = error {
        line["error"] = Value::String(error);
    }
    line
}

fn pairs_from_args(args: &[String]) -> Result<Vec<(String, String)>, String> {
    if !args.len().is_multiple_of(2) {
        return Err(format!(
            "{} arguments: expected SCHEMA FILE pairs",
            args.len()
        ));
    }
    Ok(args
        .chunks(2)
        .map(|pair| (pair[0].clone(), pair[1].clone()))
        .collect())
}

fn pairs_from_stdin() -> Result<Vec<(String, String)>, String> {
    let mut pairs = Vec::new();
    for (number, line) in std::io::stdin().lock().lines().enumerate() {
        let line = line.map_err(|e| format!("reading stdin: {e}"))?;
        if line.trim().is_empty() {
            continue;
        }
        let Some((schema, file)) = line.split_once('\t') else {
            return Err(format!(
                "stdin line {}: expected SCHEMA<TAB>FILE, got {line:?}",
                number + 1
            ));
        };
        pairs.push((schema.to_owned(), file.to_owned()));
    }
    Ok(pairs)
}
