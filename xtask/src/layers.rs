//! `cargo xtask layers`: the import rules of the emulator and the SDK, checked.
//!
//! Each crate's top-level modules sit in layers ([`EMULATOR`], [`SDK`]): a module may use its
//! own layer and those below, never one above; the modules (files) form no import circle; and
//! only the HTTP wing (and the lifecycle module that starts it) names the web crates
//! ([`WEB_CRATES`]). ARCHITECTURE.md shows the same tables.
//!
//! The check reads the source as text (it is rustfmt-formatted), outside `#[cfg(test)]`
//! modules: every `crate::`, `super::` and `self::` path (in `use` items, braces expanded, and
//! in code) is resolved to the longest module it names. A path to the crate root
//! (`crate::Error`) counts as a use of the root's layer: inside the crate, items are named by
//! their own module.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::Context;

/// The crates that only the HTTP wing may name.
pub const WEB_CRATES: &[&str] = &["axum", "hyper", "hyper_util", "tower", "tower_http"];

/// A crate's layers, bottom first: each a name and its top-level modules (`""` is the root).
pub struct Table {
    /// The crate's source directory, relative to the workspace root.
    pub src: &'static str,
    /// The layers, bottom first.
    pub layers: &'static [(&'static str, &'static [&'static str])],
    /// The top-level modules that may name [`WEB_CRATES`].
    pub web: &'static [&'static str],
}

/// The emulator: vocabulary <- store <- plain data <- tenant <- control <- HTTP <- lifecycle.
pub const EMULATOR: Table = Table {
    src: "crates/metorial-emulator/src",
    layers: &[
        (
            "vocabulary",
            &[
                "error", "ids", "time", "entity", "paths", "splice", "fixtures", "config",
            ],
        ),
        ("store", &["store"]),
        ("data", &["faults", "journal", "cache"]),
        ("tenant", &["tenant"]),
        ("control", &["control"]),
        ("http", &["http"]),
        ("lifecycle", &["emulator", ""]),
    ],
    web: &["http", "emulator"],
};

/// The SDK: vocabulary <- call machinery <- the client <- the generated resources <- root.
pub const SDK: Table = Table {
    src: "crates/metorial/src",
    layers: &[
        (
            "vocabulary",
            &[
                "redact",
                "interceptor",
                "response",
                "error",
                "retry",
                "options",
            ],
        ),
        (
            "machinery",
            &["shared", "transport", "call", "list", "wait"],
        ),
        ("client", &["client", "config"]),
        ("resources", &["generated"]),
        ("root", &[""]),
    ],
    web: &[],
};

/// One rule broken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The file (relative to the crate's source directory) and line.
    pub at: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.at, self.message)
    }
}

/// One source file: its module path (`["http", "api"]`), its file, and its non-test lines.
struct Module {
    path: Vec<String>,
    file: String,
    lines: Vec<(usize, String)>,
}

/// Checks the crate of `table` under the workspace `root`.
pub fn check(root: &Path, table: &Table) -> anyhow::Result<Vec<Violation>> {
    let src = root.join(table.src);
    let mut files = Vec::new();
    rust_files(&src, &mut files)?;
    let mut modules = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file)
            .with_context(|| format!("reading {}", file.display()))?;
        let relative = file.strip_prefix(&src).unwrap_or(&file);
        if relative == Path::new("main.rs") {
            continue; // the binary: a crate of its own
        }
        modules.push(Module {
            path: module_path(relative),
            file: relative.display().to_string(),
            lines: non_test_lines(&text),
        });
    }
    Ok(check_modules(table, &modules))
}

fn check_modules(table: &Table, modules: &[Module]) -> Vec<Violation> {
    let mut violations = Vec::new();
    let mut edges: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (from, module) in modules.iter().enumerate() {
        let Some(own) = layer_of(table, &module.path) else {
            violations.push(Violation {
                at: module.file.clone(),
                message: "the module is in no layer: add it to the table in xtask/src/layers.rs"
                    .into(),
            });
            continue;
        };
        for (line, target) in references(module) {
            let Some(to) = resolve(modules, &target) else {
                continue;
            };
            if to != from {
                edges.entry(from).or_default().push(to);
            }
            let theirs = layer_of(table, &modules[to].path).unwrap_or(0);
            if theirs > own {
                violations.push(Violation {
                    at: format!("{}:{line}", module.file),
                    message: format!(
                        "`{}` ({}) uses `{}` ({}), a layer above",
                        name(&module.path),
                        table.layers[own].0,
                        name(&modules[to].path),
                        table.layers[theirs].0
                    ),
                });
            }
        }
        violations.extend(web_names(table, module));
    }
    violations.extend(circles(modules, &edges));
    violations
}

/// The layer of a module: its top-level module's.
fn layer_of(table: &Table, path: &[String]) -> Option<usize> {
    let top = path.first().map_or("", String::as_str);
    table
        .layers
        .iter()
        .position(|(_, modules)| modules.contains(&top))
}

fn name(path: &[String]) -> String {
    if path.is_empty() {
        "crate".to_owned()
    } else {
        path.join("::")
    }
}

/// Each web crate named outside the modules allowed to.
fn web_names(table: &Table, module: &Module) -> Vec<Violation> {
    let top = module.path.first().map_or("", String::as_str);
    if table.web.contains(&top) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (line, text) in &module.lines {
        for krate in WEB_CRATES {
            if mentions(text, &format!("{krate}::")) {
                out.push(Violation {
                    at: format!("{}:{line}", module.file),
                    message: format!(
                        "`{}` names `{krate}`: only the HTTP wing may",
                        name(&module.path)
                    ),
                });
            }
        }
    }
    out
}

/// Whether `text` has `word` starting at an identifier boundary.
fn mentions(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(at, _)| {
        !text[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':')
    })
}

/// Every module path a module refers to, with its line: absolute (`crate::`) or resolved from
/// `super::`/`self::`.
fn references(module: &Module) -> Vec<(usize, Vec<String>)> {
    let mut out = Vec::new();
    let (statements, used) = use_statements(&module.lines);
    for (line, text) in &statements {
        for path in expand(text) {
            out.extend(absolute(module, &path).map(|p| (*line, p)));
        }
    }
    for (line, text) in &module.lines {
        if used.contains(line) {
            continue; // read as a statement above
        }
        for path in inline_paths(text) {
            out.extend(absolute(module, &path).map(|p| (*line, p)));
        }
    }
    out
}

/// `use` statements (possibly over several lines), each with its first line, and the lines
/// they take.
fn use_statements(lines: &[(usize, String)]) -> (Vec<(usize, String)>, Vec<usize>) {
    let (mut out, mut used) = (Vec::new(), Vec::new());
    let mut open: Option<(usize, String)> = None;
    for (line, text) in lines {
        let trimmed = text.trim();
        let starts = trimmed.starts_with("use ")
            || (trimmed.starts_with("pub") && trimmed.contains(" use "));
        if let Some((_, statement)) = open.as_mut() {
            statement.push_str(trimmed);
        } else if starts {
            open = Some((*line, trimmed.to_owned()));
        }
        if open.is_some() {
            used.push(*line);
        }
        if open.as_ref().is_some_and(|(_, s)| s.ends_with(';')) {
            out.extend(open.take());
        }
    }
    (out, used)
}

/// The paths a `use` statement names, braces expanded (`use a::{b, c::d};` -> `a::b`, `a::c::d`).
fn expand(statement: &str) -> Vec<String> {
    let body = statement
        .split_once("use ")
        .map_or("", |(_, rest)| rest)
        .trim_end_matches(';');
    let mut out = Vec::new();
    expand_tree(body, "", &mut out);
    out
}

fn expand_tree(tree: &str, prefix: &str, out: &mut Vec<String>) {
    let tree = tree.trim();
    match tree.find('{') {
        None => {
            let path = tree.split(" as ").next().unwrap_or(tree).trim();
            if !path.is_empty() {
                out.push(format!("{prefix}{path}"));
            }
        }
        Some(open) => {
            let head = format!("{prefix}{}", &tree[..open]);
            let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
            for part in split_top(inner) {
                expand_tree(part, &head, out);
            }
        }
    }
}

/// `a, b::{c, d}, e` split at its top-level commas.
fn split_top(text: &str) -> Vec<&str> {
    let (mut parts, mut depth, mut start) = (Vec::new(), 0, 0);
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// The `crate::`, `super::` and `self::` paths written in a line of code.
fn inline_paths(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for root in ["crate::", "super::", "self::"] {
        for (at, _) in text.match_indices(root) {
            let before = text[..at].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let rest = &text[at..];
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(rest.len());
            out.push(rest[..end].trim_end_matches(':').to_owned());
        }
    }
    out
}

/// A path as module segments from the crate root, or `None` for an external crate's.
fn absolute(module: &Module, path: &str) -> Option<Vec<String>> {
    let mut segments = path.split("::").map(str::to_owned);
    let first = segments.next()?;
    let mut base = match first.as_str() {
        "crate" => Vec::new(),
        "self" => module.path.clone(),
        "super" => module.path[..module.path.len().saturating_sub(1)].to_vec(),
        _ => return None,
    };
    for segment in segments {
        if segment == "super" {
            base.pop();
        } else {
            base.push(segment);
        }
    }
    Some(base)
}

/// The module a path names: the longest module its segments start with.
fn resolve(modules: &[Module], target: &[String]) -> Option<usize> {
    (0..=target.len())
        .rev()
        .find_map(|len| modules.iter().position(|m| m.path == target[..len]))
}

/// Every import circle among the modules (Tarjan's strongly connected components).
fn circles(modules: &[Module], edges: &BTreeMap<usize, Vec<usize>>) -> Vec<Violation> {
    let graph = (0..modules.len())
        .map(|i| edges.get(&i).cloned().unwrap_or_default())
        .collect::<Vec<_>>();
    scc(&graph)
        .into_iter()
        .filter(|component| component.len() > 1)
        .map(|component| {
            let mut names: Vec<String> =
                component.iter().map(|&i| modules[i].file.clone()).collect();
            names.sort();
            Violation {
                at: names[0].clone(),
                message: format!("an import circle: {}", names.join(" -> ")),
            }
        })
        .collect()
}

/// The strongly connected components of a graph given as adjacency lists.
fn scc(graph: &[Vec<usize>]) -> Vec<Vec<usize>> {
    struct State<'g> {
        graph: &'g [Vec<usize>],
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        stack: Vec<usize>,
        on_stack: Vec<bool>,
        next: usize,
        out: Vec<Vec<usize>>,
    }
    fn visit(s: &mut State<'_>, v: usize) {
        s.index[v] = Some(s.next);
        s.low[v] = s.next;
        s.next += 1;
        s.stack.push(v);
        s.on_stack[v] = true;
        for &w in &s.graph[v] {
            match s.index[w] {
                None => {
                    visit(s, w);
                    s.low[v] = s.low[v].min(s.low[w]);
                }
                Some(index) if s.on_stack[w] => s.low[v] = s.low[v].min(index),
                Some(_) => {}
            }
        }
        if Some(s.low[v]) == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack[w] = false;
                component.push(w);
                if w == v {
                    break;
                }
            }
            s.out.push(component);
        }
    }
    let n = graph.len();
    let mut state = State {
        graph,
        index: vec![None; n],
        low: vec![0; n],
        stack: Vec::new(),
        on_stack: vec![false; n],
        next: 0,
        out: Vec::new(),
    };
    for v in 0..n {
        if state.index[v].is_none() {
            visit(&mut state, v);
        }
    }
    state.out
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            rust_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    Ok(())
}

/// `http/api/mod.rs` -> `["http", "api"]`; `lib.rs` -> `[]`.
fn module_path(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative
        .with_extension("")
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if parts
        .last()
        .is_some_and(|last| last == "mod" || last == "lib")
    {
        parts.pop();
    }
    parts
}

/// The lines of a file outside its `#[cfg(test)]` modules and comments, numbered from 1.
fn non_test_lines(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut test_indent: Option<String> = None;
    let mut lines = text.lines().enumerate().peekable();
    while let Some((i, line)) = lines.next() {
        let indent = &line[..line.len() - line.trim_start().len()];
        if let Some(open) = &test_indent {
            if line == format!("{open}}}") {
                test_indent = None;
            }
            continue;
        }
        let next_is_mod = lines
            .peek()
            .is_some_and(|(_, l)| l.trim_start().starts_with("mod "));
        if line.trim() == "#[cfg(test)]" && next_is_mod {
            test_indent = Some(indent.to_owned());
            continue;
        }
        let code = line.split("//").next().unwrap_or_default();
        if !code.trim().is_empty() {
            out.push((i + 1, code.to_owned()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module(path: &[&str], text: &str) -> Module {
        Module {
            path: path.iter().map(|s| (*s).to_owned()).collect(),
            file: format!("{}.rs", path.join("/")),
            lines: non_test_lines(text),
        }
    }

    const TABLE: Table = Table {
        src: "",
        layers: &[("low", &["store"]), ("high", &["http", ""])],
        web: &["http"],
    };

    #[test]
    fn an_import_from_a_higher_layer_is_refused() {
        let modules = [
            module(&[], "mod store;\nmod http;\n"),
            module(&["store"], "use crate::http::State;\n"),
            module(&["http"], "use crate::store::{self, Row};\n"),
        ];
        let found = check_modules(&TABLE, &modules);
        assert!(
            found
                .iter()
                .any(|v| v.at == "store.rs:1"
                    && v.message.contains("uses `http` (high), a layer above")),
            "{found:#?}"
        );
        assert!(
            found
                .iter()
                .any(|v| v.message.contains("an import circle: http.rs -> store.rs"))
        );
    }

    #[test]
    fn web_crates_are_named_only_in_the_http_wing() {
        let modules = [
            module(
                &["store"],
                "use axum::body::Bytes;\nfn f() { hyper_util::rt::x(); }\n",
            ),
            module(&["http"], "use axum::Router;\n"),
        ];
        let found = check_modules(&TABLE, &modules);
        let messages: Vec<&str> = found.iter().map(|v| v.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "`store` names `axum`: only the HTTP wing may",
                "`store` names `hyper_util`: only the HTTP wing may",
            ]
        );
    }

    #[test]
    fn paths_resolve_through_super_braces_and_test_modules_are_skipped() {
        assert_eq!(
            expand("use super::{a, b::{c, d as e}};"),
            ["super::a", "super::b::c", "super::b::d"]
        );
        let m = module(
            &["store", "rows"],
            "fn f() { super::super::http::x() }\n#[cfg(test)]\nmod tests {\n    use crate::http::y;\n}\n",
        );
        assert_eq!(
            references(&m),
            [(1, vec!["http".to_owned(), "x".to_owned()])]
        );
        assert_eq!(module_path(Path::new("http/api/mod.rs")), ["http", "api"]);
    }

    #[test]
    fn the_workspace_follows_its_tables() {
        let root = crate::workspace_root();
        for table in [&EMULATOR, &SDK] {
            let found = check(&root, table).unwrap();
            assert!(
                found.is_empty(),
                "{}:\n{}",
                table.src,
                found
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("\n")
            );
        }
    }
}
