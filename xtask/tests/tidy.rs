//! The xtask's own code rules, checked by the code (after rust-analyzer's tidy tests).
//!
//! - No function of `xtask/src` or of the emulator's `src` over [`MAX_FN_LINES`] lines, tests
//!   and generated files aside: a longer one is split by what it does.
//! - The spec is walked in one place: `spec.operations()`-style walks and JSON pointer lookups
//!   (`.pointer(`) live only in `xtask/src/model/`, the API's one model (and in
//!   `json_schema::at`, which addresses the *derived* JSON Schema by the pointers the
//!   `jsonschema` crate reports).
//!
//! The files are rustfmt-formatted (CI checks it), so a function is found by its `fn` line and
//! ends at the first `}` at its own indentation.

use std::path::{Path, PathBuf};

/// The longest a hand-written function of the xtask or the emulator may be, signature and
/// braces included.
const MAX_FN_LINES: usize = 60;

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn xtask_sources() -> Vec<(String, String)> {
    sources_under(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"))
}

/// The emulator's hand-written sources (its generated files aside).
fn emulator_sources() -> Vec<(String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/metorial-emulator/src");
    let mut files = sources_under(&src);
    files.retain(|(name, _)| !name.ends_with("generated.rs"));
    files
}

/// Every `.rs` file under `src` (its path relative to `src`, its text), sorted.
fn sources_under(src: &Path) -> Vec<(String, String)> {
    let mut files = Vec::new();
    sources(src, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let name = path.strip_prefix(src).unwrap().display().to_string();
            (name, std::fs::read_to_string(&path).unwrap())
        })
        .collect()
}

/// The lines of a file outside its `#[cfg(test)]` module.
fn non_test_lines(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut in_tests = false;
    let mut lines = text.lines().enumerate().peekable();
    while let Some((i, line)) = lines.next() {
        if line == "#[cfg(test)]"
            && lines
                .peek()
                .is_some_and(|(_, next)| next.starts_with("mod "))
        {
            in_tests = true;
        } else if in_tests && line == "}" {
            in_tests = false;
        } else if !in_tests {
            out.push((i + 1, line));
        }
    }
    out
}

/// Each function's name, first line and length.
fn functions(text: &str) -> Vec<(String, usize, usize)> {
    let lines = non_test_lines(text);
    let mut out = Vec::new();
    for (at, &(number, line)) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        let indent = &line[..line.len() - trimmed.len()];
        let Some(name) = fn_name(trimmed) else {
            continue;
        };
        if let Some(last) = last_line(&lines[at..], indent) {
            out.push((name, number, last - number + 1));
        }
    }
    out
}

/// The last line of the function whose `fn` line starts `lines`: the signature's `;` (no
/// body), the line that closes a one-line body, or the `}` at its indentation.
fn last_line(lines: &[(usize, &str)], indent: &str) -> Option<usize> {
    let mut in_body = false;
    for &(number, line) in lines {
        if !in_body {
            if line.ends_with(';') && !line.contains('{') {
                return Some(number);
            }
            if line.trim_end().ends_with('}') && line.contains('{') {
                return Some(number);
            }
            in_body = line.trim_end().ends_with('{');
        } else if line == format!("{indent}}}") {
            return Some(number);
        }
    }
    None
}

/// The name of the function a line declares, if it declares one.
fn fn_name(line: &str) -> Option<String> {
    let mut rest = line;
    for prefix in [
        "pub(crate) ",
        "pub(super) ",
        "pub ",
        "const ",
        "async ",
        "unsafe ",
    ] {
        rest = rest.strip_prefix(prefix).unwrap_or(rest);
    }
    let rest = rest.strip_prefix("fn ")?;
    let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_'))?;
    Some(rest[..end].to_owned())
}

#[test]
fn no_xtask_or_emulator_function_is_longer_than_the_limit() {
    let mut long = Vec::new();
    let xtask = xtask_sources()
        .into_iter()
        .map(|(f, t)| (format!("xtask/src/{f}"), t));
    let emulator = emulator_sources()
        .into_iter()
        .map(|(f, t)| (format!("emulator/src/{f}"), t));
    for (file, text) in xtask.chain(emulator) {
        for (name, line, length) in functions(&text) {
            if length > MAX_FN_LINES {
                long.push(format!("{file}:{line}: `{name}` has {length} lines"));
            }
        }
    }
    assert!(
        long.is_empty(),
        "functions over {MAX_FN_LINES} lines (split them by what they do):\n{}",
        long.join("\n")
    );
}

#[test]
fn only_the_model_walks_the_spec() {
    let mut found = Vec::new();
    for (file, text) in xtask_sources() {
        if file.starts_with("model") {
            continue;
        }
        for (number, line) in non_test_lines(&text) {
            if file == "json_schema.rs" && line.trim() == "schema.pointer(location)" {
                continue; // `at`: the derived schema, not the spec
            }
            if line.contains(".pointer(") || line.contains("spec.operations(") {
                found.push(format!("{file}:{number}: {}", line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "the spec is read through `xtask::model` only:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_checks_find_what_they_look_for() {
    let text = "fn short() {\n}\n\nimpl X {\n    pub async fn long(\n        a: u8,\n    ) {\n        body;\n    }\n}\n\n#[cfg(test)]\nmod tests {\n    fn hidden() {\n    }\n}\n";
    assert_eq!(
        functions(text),
        [("short".to_owned(), 1, 2), ("long".to_owned(), 5, 5)]
    );
}
