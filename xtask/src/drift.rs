//! `cargo xtask drift DIR [--spec FILE] [--no-decode]`: recorded API responses against the
//! spec, to see where the live API and the spec (and so the SDK) have drifted apart.
//!
//! `DIR` holds responses a maintainer saved from the live API (`curl ... > file`), one JSON
//! document per file, named after the operation that returned it:
//! `get_provider_setup_session.json`, or `get_provider_setup_session.<anything>.json` for
//! several samples of one operation. Each document is checked against the operation's `200`
//! response schema, or, when it is an error body (`"object": "error"`), against its `4XX`
//! (else `5XX`) one. The walk follows `$ref`, merges `allOf` (the spec's nullable-reference
//! wrappers), tries every branch of an `anyOf`/`oneOf` and keeps the one with the fewest
//! findings, and leaves free-form objects (no `properties`) alone.
//!
//! Findings name the file, a path in `$.a.b[0]` style (`$` is the document; a key that is not
//! an identifier is written `$["a key"]`) and a [`Kind`]. Warnings are what the SDK survives:
//! a field the spec lacks (the generated type drops it), an enumeration value the spec does not
//! list (enumerations are open: it decodes as `Unknown`), `null` in an optional non-nullable
//! scalar (read as absent). Errors are what it does not: `null` in a non-nullable field, a
//! missing required field, a wrong JSON type, an unknown operation, a file that is not JSON,
//! and the generated type failing to decode the document. Optional object and array
//! properties accept `null`, as the generator makes them `Option`s (see `for_typify` in
//! [`generate`](crate::generate)).
//!
//! The real decode goes through a [`Decoder`]: `cargo xtask drift` runs `metorial-models`'
//! `decode` example once for all files ([`CommandDecoder::cargo_example`]), so the xtask does
//! not depend on the generated code; tests pass [`FnDecoder`]`(metorial_models::decode_component)`.
//! The generated types follow the workspace's spec, so a run with another `--spec` checks
//! against that spec's schemas only.

use std::collections::BTreeSet;
use std::fmt::{self, Write as _};
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde_json::{Map, Value};

use crate::spec::Spec;

/// How deep `$ref`/`allOf` chains are followed before a schema is taken as free-form (a guard
/// against reference cycles).
const MAX_REF_DEPTH: usize = 32;

/// What is wrong at one place of a recorded response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// Warning: a field the spec does not have (the generated type drops it).
    UnknownField,
    /// Warning: an open enumeration's value the spec does not list (decodes as `Unknown`).
    UnknownEnumValue,
    /// Warning: an object of an open union (`anyOf: [{$ref: Known}, {type: object}]`) that
    /// matches no known variant (decodes as an unknown variant, kept as a plain object).
    UnknownVariant,
    /// Warning: `null` in an optional property the spec does not make nullable (read as absent).
    NullOptional,
    /// Warning: a file in the directory that is not named `*.json` (not checked).
    Skipped,
    /// Error: `null` where the spec says non-nullable.
    Null,
    /// Error: a required field is absent.
    MissingRequired,
    /// Error: a value of the wrong JSON type.
    WrongType,
    /// Error: a value outside a closed `enum`.
    InvalidEnumValue,
    /// Error: a string that does not match its `format` (`date-time`).
    InvalidFormat,
    /// Error: a field an object with `additionalProperties: false` does not allow.
    ForbiddenField,
    /// Error: the file name names no operation of the spec.
    UnknownOperation,
    /// Error: the file is not a JSON document.
    InvalidJson,
    /// Error: the operation has no JSON schema for this (success or error) response.
    NoSchema,
    /// Error: the generated type fails to decode the document.
    DecodeFailed,
    /// Error: the generated models have no type for the response's component schema.
    NoGeneratedType,
}

impl Kind {
    /// The kind as printed (kebab-case).
    pub fn name(self) -> &'static str {
        match self {
            Kind::UnknownField => "unknown-field",
            Kind::UnknownEnumValue => "unknown-enum-value",
            Kind::UnknownVariant => "unknown-variant",
            Kind::NullOptional => "null-optional",
            Kind::Skipped => "skipped",
            Kind::Null => "null",
            Kind::MissingRequired => "missing-required",
            Kind::WrongType => "wrong-type",
            Kind::InvalidEnumValue => "invalid-enum-value",
            Kind::InvalidFormat => "invalid-format",
            Kind::ForbiddenField => "forbidden-field",
            Kind::UnknownOperation => "unknown-operation",
            Kind::InvalidJson => "invalid-json",
            Kind::NoSchema => "no-schema",
            Kind::DecodeFailed => "decode-failed",
            Kind::NoGeneratedType => "no-generated-type",
        }
    }

    /// Whether the finding means the SDK would fail on the response (non-zero exit status).
    pub fn is_error(self) -> bool {
        !matches!(
            self,
            Kind::UnknownField
                | Kind::UnknownEnumValue
                | Kind::UnknownVariant
                | Kind::NullOptional
                | Kind::Skipped
        )
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One finding: where, what, and a human-readable detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The JSON path in `$.a.b[0]` style (`$` for the document or the file itself).
    pub path: String,
    /// What is wrong.
    pub kind: Kind,
    /// The specifics (expected and found types, the known values, serde's message).
    pub detail: String,
}

/// The result for one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileReport {
    /// The file name (inside the checked directory).
    pub file: String,
    /// The operation id the file name gives.
    pub operation: String,
    /// The component schema the document was checked against, when the response schema is a
    /// reference to one.
    pub schema: Option<String>,
    /// Every finding, in path order.
    pub findings: Vec<Finding>,
}

impl FileReport {
    /// Whether any finding is an error.
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.kind.is_error())
    }
}

/// The result for a directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// One report per file, by file name.
    pub files: Vec<FileReport>,
    /// How many documents went through the generated types (`None`: no decoder was used).
    pub decoded: Option<usize>,
}

impl Report {
    /// Whether any file has an error (the check fails).
    pub fn has_errors(&self) -> bool {
        self.files.iter().any(FileReport::has_errors)
    }

    /// Every finding as `(file, path, kind)`, for tests and scripts.
    pub fn triples(&self) -> Vec<(String, String, Kind)> {
        let mut out = Vec::new();
        for file in &self.files {
            for finding in &file.findings {
                out.push((file.file.clone(), finding.path.clone(), finding.kind));
            }
        }
        out
    }

    /// The readable report: per file `OK`, `WARN` or `FAIL`, then one line per finding.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for file in &self.files {
            let status = match (file.findings.is_empty(), file.has_errors()) {
                (true, _) => "OK  ",
                (false, false) => "WARN",
                (false, true) => "FAIL",
            };
            let target = match (&file.schema, file.operation.as_str()) {
                (Some(schema), operation) => format!(" ({operation} -> {schema})"),
                (None, "") => String::new(),
                (None, operation) => format!(" ({operation})"),
            };
            let _ = writeln!(out, "{status} {}{target}", file.file);
            for f in &file.findings {
                let severity = if f.kind.is_error() {
                    "error  "
                } else {
                    "warning"
                };
                let _ = writeln!(out, "  {severity} {} {}: {}", f.path, f.kind, f.detail);
            }
        }
        out.push_str(&self.summary());
        out.push('\n');
        out
    }

    /// The summary line.
    pub fn summary(&self) -> String {
        let count =
            |pred: &dyn Fn(&FileReport) -> bool| self.files.iter().filter(|f| pred(f)).count();
        let ok = count(&|f| f.findings.is_empty());
        let failing = count(&|f| f.has_errors());
        let all = self.files.iter().flat_map(|f| &f.findings);
        let errors = all.clone().filter(|f| f.kind.is_error()).count();
        let warnings = all.count() - errors;
        let decoded = match self.decoded {
            Some(n) => format!("{n} decoded with the generated types"),
            None => "not decoded (schema analysis only)".to_owned(),
        };
        format!(
            "drift: {} file(s): {ok} OK, {} with warnings only, {failing} failing; \
             {errors} error(s), {warnings} warning(s); {decoded}",
            self.files.len(),
            self.files.len() - ok - failing,
        )
    }
}

/// One document for a [`Decoder`].
#[derive(Debug, Clone, Copy)]
pub struct DecodeJob<'a> {
    /// The component schema whose generated type should decode it.
    pub schema: &'a str,
    /// The file it was read from.
    pub file: &'a Path,
    /// The document's text.
    pub json: &'a str,
}

/// What a [`Decoder`] made of one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decoded {
    /// The generated type decodes it.
    Ok,
    /// It does not: `<path>: <message>` (or just a message).
    Failed(String),
    /// The generated models have no type for this schema.
    NoSuchSchema,
}

/// Decodes documents with the generated types: in another process or in this one.
pub trait Decoder {
    /// Decodes every job; returns one outcome per job, in order. An `Err` means the decoder
    /// itself could not run (not that a document failed to decode).
    fn decode(&mut self, jobs: &[DecodeJob<'_>]) -> anyhow::Result<Vec<Decoded>>;
}

/// An in-process decoder around a function like `metorial_models::decode_component`.
pub struct FnDecoder<F>(pub F);

impl<F> Decoder for FnDecoder<F>
where
    F: FnMut(&str, &str) -> Option<Result<(), String>>,
{
    fn decode(&mut self, jobs: &[DecodeJob<'_>]) -> anyhow::Result<Vec<Decoded>> {
        Ok(jobs
            .iter()
            .map(|job| match (self.0)(job.schema, job.json) {
                Some(Ok(())) => Decoded::Ok,
                Some(Err(message)) => Decoded::Failed(message),
                None => Decoded::NoSuchSchema,
            })
            .collect())
    }
}

/// A decoder in another process, speaking the protocol of `metorial-models`' `decode`
/// example: `SCHEMA<TAB>FILE` lines on stdin, one JSON line per file on stdout
/// (`{"schema", "file", "result": "ok" | "error" | "unknown-schema" | "unreadable", "error"}`).
#[derive(Debug, Clone)]
pub struct CommandDecoder {
    /// The program to run.
    pub program: PathBuf,
    /// Its arguments.
    pub args: Vec<String>,
    /// The directory to run it in.
    pub cwd: PathBuf,
}

impl CommandDecoder {
    /// `cargo run --quiet -p metorial-models --example decode` in the workspace at `root`
    /// (with the `cargo` that runs the xtask, when there is one).
    pub fn cargo_example(root: &Path) -> CommandDecoder {
        let cargo = std::env::var_os("CARGO").map_or_else(|| "cargo".into(), PathBuf::from);
        let args = [
            "run",
            "--quiet",
            "-p",
            "metorial-models",
            "--example",
            "decode",
            "--",
        ];
        CommandDecoder {
            program: cargo,
            args: args.iter().map(|a| (*a).to_owned()).collect(),
            cwd: root.to_path_buf(),
        }
    }
}

impl Decoder for CommandDecoder {
    fn decode(&mut self, jobs: &[DecodeJob<'_>]) -> anyhow::Result<Vec<Decoded>> {
        if jobs.is_empty() {
            return Ok(Vec::new());
        }
        let mut input = String::new();
        let mut files = Vec::new();
        for job in jobs {
            let file = std::path::absolute(job.file)
                .with_context(|| format!("locating {}", job.file.display()))?;
            let file = file
                .to_str()
                .filter(|f| !f.contains(['\t', '\n']))
                .with_context(|| {
                    format!(
                        "{}: the decode example cannot be given this path",
                        file.display()
                    )
                })?;
            let _ = writeln!(input, "{}\t{file}", job.schema);
            files.push(file.to_owned());
        }
        let stdout = self.run(&input)?;
        parse_decoder_output(&stdout, jobs, &files)
    }
}

impl CommandDecoder {
    fn run(&self, input: &str) -> anyhow::Result<String> {
        use std::io::Write as _;
        use std::process::{Command, Stdio};
        let what = format!("`{} {}`", self.program.display(), self.args.join(" "));
        let mut child = Command::new(&self.program)
            .args(&self.args)
            .current_dir(&self.cwd)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("starting {what}"))?;
        // Written from a thread, so a child that talks (cargo's build errors) before it reads
        // cannot block us, and one that exits early is reported by its status.
        let stdin = child.stdin.take();
        let input = input.to_owned();
        let writer = std::thread::spawn(move || stdin.map(|mut s| s.write_all(input.as_bytes())));
        let output = child
            .wait_with_output()
            .with_context(|| format!("running {what}"))?;
        let written = writer.join().ok().flatten().unwrap_or(Ok(()));
        if !output.status.success() {
            anyhow::bail!(
                "{what} failed ({}): the generated models may not build; \
                 pass --no-decode to check against the spec only\n{}",
                output.status,
                String::from_utf8_lossy(&output.stderr).trim_end()
            );
        }
        written.with_context(|| format!("writing to {what}"))?;
        String::from_utf8(output.stdout).with_context(|| format!("{what} printed non-UTF-8"))
    }
}

/// Reads the decode example's output: one JSON line per job, in order.
fn parse_decoder_output(
    stdout: &str,
    jobs: &[DecodeJob<'_>],
    files: &[String],
) -> anyhow::Result<Vec<Decoded>> {
    let lines: Vec<&str> = stdout.lines().filter(|l| !l.trim().is_empty()).collect();
    if lines.len() != jobs.len() {
        anyhow::bail!(
            "the decode example answered {} line(s) for {} file(s):\n{stdout}",
            lines.len(),
            jobs.len()
        );
    }
    let mut out = Vec::new();
    for ((line, job), file) in lines.iter().zip(jobs).zip(files) {
        let answer: Value = serde_json::from_str(line).with_context(|| {
            format!("the decode example printed a line that is not JSON: {line}")
        })?;
        let field = |name: &str| answer.get(name).and_then(Value::as_str);
        if field("schema") != Some(job.schema) || field("file") != Some(file.as_str()) {
            anyhow::bail!("the decode example answered for another file: {line} (expected {file})");
        }
        let message = field("error").unwrap_or("no message").to_owned();
        out.push(match field("result") {
            Some("ok") => Decoded::Ok,
            Some("error") => Decoded::Failed(message),
            Some("unreadable") => {
                Decoded::Failed(format!("$: the example could not read the file: {message}"))
            }
            Some("unknown-schema") => Decoded::NoSuchSchema,
            _ => anyhow::bail!("the decode example printed an unknown result: {line}"),
        });
    }
    Ok(out)
}

/// A document read from the directory and the component its generated type comes from.
struct Pending {
    index: usize,
    schema: String,
    file: PathBuf,
    json: String,
}

/// Checks every file of `dir` against `spec`; with a decoder, also decodes each document with
/// the generated type of its response schema. `Err` only when the directory cannot be read,
/// holds no file, or the decoder cannot run: a bad file is a finding.
pub fn check_dir(
    spec: &Spec,
    dir: &Path,
    decoder: Option<&mut dyn Decoder>,
) -> anyhow::Result<Report> {
    let names = file_names(dir)?;
    if names.is_empty() {
        anyhow::bail!(
            "{} holds no recorded response (`<operation_id>[.<sample>].json`)",
            dir.display()
        );
    }
    let mut files = Vec::new();
    let mut pending = Vec::new();
    for name in names {
        let path = dir.join(&name);
        let (report, decode) = check_file(spec, &name, &path);
        if let Some((schema, json)) = decode {
            pending.push(Pending {
                index: files.len(),
                schema,
                file: path,
                json,
            });
        }
        files.push(report);
    }
    let decoded = match decoder {
        Some(decoder) => Some(decode_all(decoder, &pending, &mut files)?),
        None => None,
    };
    Ok(Report { files, decoded })
}

/// The names of the files (not directories, not hidden) in `dir`, sorted.
fn file_names(dir: &Path) -> anyhow::Result<Vec<String>> {
    let entries = std::fs::read_dir(dir)
        .with_context(|| format!("reading the directory {}", dir.display()))?;
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.with_context(|| format!("reading the directory {}", dir.display()))?;
        let is_file = entry.file_type().is_ok_and(|t| !t.is_dir());
        let name = entry.file_name().to_string_lossy().into_owned();
        if is_file && !name.starts_with('.') {
            names.push(name);
        }
    }
    names.sort();
    Ok(names)
}

fn decode_all(
    decoder: &mut dyn Decoder,
    pending: &[Pending],
    files: &mut [FileReport],
) -> anyhow::Result<usize> {
    let jobs: Vec<DecodeJob<'_>> = pending
        .iter()
        .map(|p| DecodeJob {
            schema: &p.schema,
            file: &p.file,
            json: &p.json,
        })
        .collect();
    let outcomes = decoder.decode(&jobs)?;
    if outcomes.len() != jobs.len() {
        anyhow::bail!(
            "the decoder answered {} time(s) for {} file(s)",
            outcomes.len(),
            jobs.len()
        );
    }
    for (p, outcome) in pending.iter().zip(outcomes) {
        let finding = match outcome {
            Decoded::Ok => continue,
            Decoded::Failed(message) => {
                let (path, detail) = split_decode_error(&message);
                Finding {
                    path,
                    kind: Kind::DecodeFailed,
                    detail,
                }
            }
            Decoded::NoSuchSchema => Finding {
                path: "$".into(),
                kind: Kind::NoGeneratedType,
                detail: format!(
                    "the generated models have no type `{}`: run `cargo xtask generate`",
                    p.schema
                ),
            },
        };
        files[p.index].findings.push(finding);
    }
    Ok(jobs.len())
}

/// `$.a.b: message` -> (`$.a.b`, `message`); anything else is a message about the document.
fn split_decode_error(message: &str) -> (String, String) {
    match message.split_once(": ") {
        Some((path, detail)) if path.starts_with('$') && !path.contains(' ') => {
            (path.to_owned(), detail.to_owned())
        }
        _ => ("$".to_owned(), message.to_owned()),
    }
}

/// Checks one file; also returns what to decode (component schema, text) when the document
/// parsed and its response schema is a component.
pub fn check_file(spec: &Spec, name: &str, path: &Path) -> (FileReport, Option<(String, String)>) {
    let mut report = FileReport {
        file: name.to_owned(),
        operation: String::new(),
        schema: None,
        findings: Vec::new(),
    };
    let Some(stem) = name.strip_suffix(".json") else {
        report.findings.push(file_finding(
            Kind::Skipped,
            "not named `<operation_id>[.<sample>].json`: not checked",
        ));
        return (report, None);
    };
    report.operation = stem.split('.').next().unwrap_or(stem).to_owned();
    let text = std::fs::read(path).map(|bytes| String::from_utf8(bytes).map_err(|e| e.to_string()));
    let value = match text {
        Err(e) => Err(format!("cannot be read: {e}")),
        Ok(Err(e)) => Err(format!("not UTF-8 text: {e}")),
        Ok(Ok(text)) => serde_json::from_str::<Value>(&text)
            .map(|value| (value, text))
            .map_err(|e| format!("not a JSON document: {e}")),
    };
    let (value, text) = match value {
        Ok(parsed) => parsed,
        Err(detail) => {
            report
                .findings
                .push(file_finding(Kind::InvalidJson, &detail));
            if find_operation(spec, &report.operation).is_none() {
                report.findings.push(unknown_operation(&report.operation));
            }
            return (report, None);
        }
    };
    let schema = match response_schema(spec, &report.operation, &value) {
        Ok(schema) => schema,
        Err(finding) => {
            report.findings.push(finding);
            return (report, None);
        }
    };
    report.findings = check_value(&spec.raw, schema, &value);
    report.schema = component_name(schema).map(str::to_owned);
    let decode = report.schema.clone().map(|schema| (schema, text));
    (report, decode)
}

fn file_finding(kind: Kind, detail: &str) -> Finding {
    Finding {
        path: "$".into(),
        kind,
        detail: detail.to_owned(),
    }
}

fn unknown_operation(operation: &str) -> Finding {
    file_finding(
        Kind::UnknownOperation,
        &format!(
            "the spec has no operation `{operation}` (files are named `<operation_id>[.<sample>].json`)"
        ),
    )
}

fn find_operation<'a>(spec: &'a Spec, operation: &str) -> Option<&'a Value> {
    crate::model::raw_operations(&spec.raw)
        .into_iter()
        .map(|(.., op)| op)
        .find(|op| op.get("operationId").and_then(Value::as_str) == Some(operation))
}

/// Whether a document is an error body (`"object": "error"`).
pub fn is_error_body(value: &Value) -> bool {
    value.get("object").and_then(Value::as_str) == Some("error")
}

/// The schema a document of `operation` is checked against: the `200` (or first 2xx)
/// response's, or for an error body the `4XX` (else `5XX`, else first 4xx/5xx) response's.
pub fn response_schema<'a>(
    spec: &'a Spec,
    operation: &str,
    value: &Value,
) -> Result<&'a Value, Finding> {
    let op = find_operation(spec, operation).ok_or_else(|| unknown_operation(operation))?;
    let responses = op.get("responses").and_then(Value::as_object);
    let codes: Vec<&str> = responses
        .into_iter()
        .flatten()
        .map(|(code, _)| code.as_str())
        .collect();
    let error = is_error_body(value);
    let preferred: &[&str] = if error { &["4XX", "5XX"] } else { &["200"] };
    let fallback = |c: &&str| {
        if error {
            c.starts_with(['4', '5'])
        } else {
            c.starts_with('2')
        }
    };
    let code = preferred
        .iter()
        .copied()
        .find(|c| codes.contains(c))
        .or_else(|| codes.iter().copied().find(fallback));
    let which = if error { "error" } else { "success" };
    let schema = code
        .and_then(|code| responses?.get(code))
        .map(|response| crate::model::resolve(&spec.raw, response))
        .and_then(|response| response.pointer("/content/application~1json/schema"));
    schema.ok_or_else(|| {
        file_finding(
            Kind::NoSchema,
            &format!("`{operation}` has no JSON schema for an {which} response"),
        )
    })
}

/// The component a schema refers to (`$ref: '#/components/schemas/X'`, possibly wrapped in a
/// one-element `allOf`).
fn component_name(schema: &Value) -> Option<&str> {
    if let Some([only]) = schema
        .get("allOf")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
    {
        return component_name(only);
    }
    schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
}

/// Every finding of `value` against `schema` (schema analysis only), in path order. `raw` is
/// the whole spec, for `$ref`s.
pub fn check_value(raw: &Value, schema: &Value, value: &Value) -> Vec<Finding> {
    let mut walker = Walker {
        raw,
        findings: Vec::new(),
    };
    walker.check(schema, value, "$");
    walker.findings
}

struct Walker<'a> {
    raw: &'a Value,
    findings: Vec<Finding>,
}

impl Walker<'_> {
    fn push(&mut self, path: &str, kind: Kind, detail: String) {
        self.findings.push(Finding {
            path: path.to_owned(),
            kind,
            detail,
        });
    }

    fn check(&mut self, schema: &Value, value: &Value, path: &str) {
        let flat = flatten(self.raw, schema, 0);
        if value.is_null() {
            if !accepts_null(self.raw, &flat) {
                let detail = format!(
                    "null, but the spec says {}, not nullable",
                    describe(schema, &flat)
                );
                self.push(path, Kind::Null, detail);
            }
            return;
        }
        let any_of = flat.get("anyOf");
        if let Some(known) = any_of.and_then(crate::model::component::open_enum_values) {
            return self.open_enum(&known, value, path);
        }
        if let Some(known) = any_of.and_then(crate::model::component::open_union_known) {
            let known = serde_json::json!({ "$ref": format!("#/components/schemas/{known}") });
            return self.open_union(&known, value, path);
        }
        if let Some(ty) = schema_type(&flat)
            && !type_matches(ty, value)
        {
            let detail = format!(
                "expected {}, found {}",
                describe(schema, &flat),
                json_type(value)
            );
            return self.push(path, Kind::WrongType, detail);
        }
        if let Some(branches) = flat
            .get("anyOf")
            .or_else(|| flat.get("oneOf"))
            .and_then(Value::as_array)
        {
            self.best_branch(branches, value, path);
        }
        self.check_enum_and_format(&flat, value, path);
        match value {
            Value::Object(map) => self.object(&flat, map, path),
            Value::Array(items) => {
                if let Some(item_schema) = flat.get("items") {
                    for (i, item) in items.iter().enumerate() {
                        self.check(item_schema, item, &format!("{path}[{i}]"));
                    }
                }
            }
            _ => {}
        }
    }

    fn open_enum(&mut self, known: &[String], value: &Value, path: &str) {
        match value.as_str() {
            None => {
                let detail = format!(
                    "expected a string (an enumeration), found {}",
                    json_type(value)
                );
                self.push(path, Kind::WrongType, detail);
            }
            Some(s) if !known.iter().any(|k| k == s) => {
                let detail = format!(
                    "{value} is not one of {}: it decodes as `Unknown`",
                    known.join(", ")
                );
                self.push(path, Kind::UnknownEnumValue, detail);
            }
            Some(_) => {}
        }
    }

    /// An open union's value: checked against the known variants; one that matches none is an
    /// unknown variant (it still decodes).
    fn open_union(&mut self, known: &Value, value: &Value, path: &str) {
        if !value.is_object() {
            let detail = format!(
                "expected an object (a tagged union), found {}",
                json_type(value)
            );
            return self.push(path, Kind::WrongType, detail);
        }
        let mut walker = Walker {
            raw: self.raw,
            findings: Vec::new(),
        };
        walker.check(known, value, path);
        match walker.findings.iter().find(|f| f.kind.is_error()) {
            None => self.findings.extend(walker.findings),
            Some(first) => {
                let tag = value
                    .get("type")
                    .map_or_else(|| "no `type`".to_owned(), Value::to_string);
                let detail = format!(
                    "{tag} matches no variant of {} ({} {}: {}): it decodes as an unknown variant",
                    describe(known, &flatten(self.raw, known, 0)),
                    first.path,
                    first.kind,
                    first.detail
                );
                self.push(path, Kind::UnknownVariant, detail);
            }
        }
    }

    /// Keeps the findings of the branch with the fewest (errors first); when the value has
    /// the type of no branch, one `wrong-type` naming them all.
    fn best_branch(&mut self, branches: &[Value], value: &Value, path: &str) {
        let mut results = Vec::new();
        for branch in branches {
            let mut walker = Walker {
                raw: self.raw,
                findings: Vec::new(),
            };
            walker.check(branch, value, path);
            results.push(walker.findings);
        }
        let wrong_type_only = |f: &[Finding]| matches!(f, [only] if only.kind == Kind::WrongType && only.path == path);
        if results.len() > 1 && results.iter().all(|f| wrong_type_only(f)) {
            let expected: Vec<String> = branches
                .iter()
                .map(|b| describe(b, &flatten(self.raw, b, 0)))
                .collect();
            let detail = format!(
                "expected one of {}, found {}",
                expected.join(", "),
                json_type(value)
            );
            return self.push(path, Kind::WrongType, detail);
        }
        let score = |f: &[Finding]| (f.iter().filter(|f| f.kind.is_error()).count(), f.len());
        if let Some(best) = results.into_iter().min_by_key(|f| score(f)) {
            self.findings.extend(best);
        }
    }

    fn check_enum_and_format(&mut self, flat: &Value, value: &Value, path: &str) {
        if let Some(allowed) = flat.get("enum").and_then(Value::as_array)
            && !allowed.contains(value)
        {
            let list: Vec<String> = allowed.iter().map(Value::to_string).collect();
            let detail = format!(
                "{value} is not one of {} (a closed enumeration)",
                list.join(", ")
            );
            self.push(path, Kind::InvalidEnumValue, detail);
        }
        if flat.get("format").and_then(Value::as_str) == Some("date-time")
            && let Some(s) = value.as_str()
            && !is_rfc3339(s)
        {
            let detail = format!("{value} is not an RFC 3339 date-time");
            self.push(path, Kind::InvalidFormat, detail);
        }
    }

    fn object(&mut self, flat: &Value, map: &Map<String, Value>, path: &str) {
        // No `properties`: a free-form object; nothing inside is unknown.
        let Some(properties) = flat.get("properties").and_then(Value::as_object) else {
            return;
        };
        let required = crate::model::required(flat);
        let keys: BTreeSet<&str> = map
            .keys()
            .map(String::as_str)
            .chain(required.iter().copied())
            .collect();
        for key in keys {
            let child = child_path(path, key);
            match (map.get(key), properties.get(key)) {
                (None, _) => self.push(
                    &child,
                    Kind::MissingRequired,
                    "required by the spec, absent".into(),
                ),
                (Some(v), Some(prop)) => self.property(prop, v, &child, required.contains(&key)),
                (Some(v), None) => self.extra_field(flat.get("additionalProperties"), v, &child),
            }
        }
    }

    fn property(&mut self, schema: &Value, value: &Value, path: &str, required: bool) {
        if value.is_null() && !required {
            let flat = flatten(self.raw, schema, 0);
            if accepts_null(self.raw, &flat) || is_optional_container(schema) {
                return;
            }
            if flat.get("default").is_none() {
                let detail = format!(
                    "null, but the spec says {}, not nullable: the SDK reads it as absent",
                    describe(schema, &flat)
                );
                return self.push(path, Kind::NullOptional, detail);
            }
        }
        self.check(schema, value, path);
    }

    fn extra_field(&mut self, additional: Option<&Value>, value: &Value, path: &str) {
        match additional {
            None => {
                let detail = format!("not in the spec ({}): the SDK drops it", json_type(value));
                self.push(path, Kind::UnknownField, detail);
            }
            Some(Value::Bool(true)) => {}
            Some(Value::Bool(false)) => {
                let detail = "not allowed (`additionalProperties: false`)".to_owned();
                self.push(path, Kind::ForbiddenField, detail);
            }
            Some(schema) => self.check(schema, value, path),
        }
    }
}

/// An optional property the generator makes nullable: a direct `type: object` or `type: array`
/// (what `for_typify` in `generate.rs` marks).
fn is_optional_container(schema: &Value) -> bool {
    matches!(
        schema.get("type").and_then(Value::as_str),
        Some("object" | "array")
    )
}

/// `schema` with `$ref`s followed and `allOf` members merged into it (the wrapper's keys win;
/// `properties` and `required` are unions).
fn flatten(raw: &Value, schema: &Value, depth: usize) -> Value {
    if depth > MAX_REF_DEPTH {
        return Value::Object(Map::new());
    }
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let target = reference.strip_prefix('#').and_then(|p| raw.pointer(p));
        return match target {
            Some(target) => flatten(raw, target, depth + 1),
            None => Value::Object(Map::new()),
        };
    }
    let (Some(object), Some(members)) = (
        schema.as_object(),
        schema.get("allOf").and_then(Value::as_array),
    ) else {
        return schema.clone();
    };
    let mut out = object.clone();
    out.remove("allOf");
    for member in members {
        if let Value::Object(member) = flatten(raw, member, depth + 1) {
            merge(&mut out, member);
        }
    }
    Value::Object(out)
}

fn merge(into: &mut Map<String, Value>, from: Map<String, Value>) {
    for (key, value) in from {
        match (key.as_str(), into.get_mut(&key), value) {
            ("properties", Some(Value::Object(mine)), Value::Object(theirs)) => {
                for (name, schema) in theirs {
                    mine.entry(name).or_insert(schema);
                }
            }
            ("required", Some(Value::Array(mine)), Value::Array(theirs)) => {
                for name in theirs {
                    if !mine.contains(&name) {
                        mine.push(name);
                    }
                }
            }
            (_, Some(_), _) => {}
            (_, None, value) => {
                into.insert(key, value);
            }
        }
    }
}

/// Whether a (flattened) schema takes `null`: `nullable: true`, a branch that does, or no
/// constraint at all (`{}`).
fn accepts_null(raw: &Value, flat: &Value) -> bool {
    if flat.get("nullable") == Some(&Value::Bool(true)) {
        return true;
    }
    if let Some(branches) = flat
        .get("anyOf")
        .or_else(|| flat.get("oneOf"))
        .and_then(Value::as_array)
    {
        return branches
            .iter()
            .any(|b| accepts_null(raw, &flatten(raw, b, 0)));
    }
    let constraining = [
        "type",
        "properties",
        "items",
        "enum",
        "additionalProperties",
    ];
    !constraining.iter().any(|k| flat.get(k).is_some())
}

/// The JSON type a schema demands: its `type`, or what `properties`/`items` imply.
fn schema_type(flat: &Value) -> Option<&str> {
    match flat.get("type").and_then(Value::as_str) {
        Some(ty) => Some(ty),
        None if flat.get("properties").is_some() => Some("object"),
        None if flat.get("items").is_some() => Some("array"),
        None => None,
    }
}

fn type_matches(ty: &str, value: &Value) -> bool {
    match ty {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        _ => true,
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// What a schema expects, for messages: the component it refers to, else its type.
fn describe(schema: &Value, flat: &Value) -> String {
    if let Some(name) = component_name(schema) {
        return format!("`{name}`");
    }
    match (
        schema_type(flat),
        flat.get("format").and_then(Value::as_str),
    ) {
        (Some(ty), Some(format)) => format!("{ty} ({format})"),
        (Some(ty), None) => ty.to_owned(),
        (None, _) => "a value".to_owned(),
    }
}

/// `$.a` + `b` -> `$.a.b`; a key that is not an identifier is written `$.a["b c"]`.
fn child_path(path: &str, key: &str) -> String {
    let identifier = key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if identifier {
        format!("{path}.{key}")
    } else {
        format!("{path}[{}]", Value::from(key))
    }
}

/// An RFC 3339 date-time: `YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)`.
fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        b.get(range)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
    };
    let num = |range: std::ops::Range<usize>| {
        s.get(range)
            .and_then(|d| d.parse::<u32>().ok())
            .unwrap_or(99)
    };
    let shape = b.len() >= 20
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && matches!(b[10], b'T' | b't' | b' ')
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19);
    if !shape || !(1..=12).contains(&num(5..7)) || !(1..=31).contains(&num(8..10)) {
        return false;
    }
    if num(11..13) > 23 || num(14..16) > 59 || num(17..19) > 60 {
        return false;
    }
    let mut rest = &s[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let len = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if len == 0 {
            return false;
        }
        rest = &fraction[len..];
    }
    match rest.as_bytes() {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => {
            [h1, h2, m1, m2].iter().all(|d| d.is_ascii_digit())
                && num(s.len() - 5..s.len() - 3) <= 23
                && num(s.len() - 2..s.len()) <= 59
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_are_dollar_style() {
        assert_eq!(child_path("$", "a"), "$.a");
        assert_eq!(child_path("$.a", "b c"), "$.a[\"b c\"]");
        assert_eq!(child_path("$", "1x"), "$[\"1x\"]");
    }

    #[test]
    fn rfc3339_dates() {
        for ok in [
            "2025-09-15T10:30:00.000Z",
            "2025-09-15T10:30:00Z",
            "2025-09-15t10:30:00+02:00",
        ] {
            assert!(is_rfc3339(ok), "{ok}");
        }
        for bad in [
            "last tuesday",
            "2025-09-15",
            "2025-13-15T10:30:00Z",
            "2025-09-15T10:30:00",
            "2025-09-15T10:30:00.Z",
            "2025-09-15T10:30:00+0200",
            "２025-09-15T10:30:00Z",
        ] {
            assert!(!is_rfc3339(bad), "{bad}");
        }
    }

    #[test]
    fn decode_errors_split_at_their_path() {
        assert_eq!(
            split_decode_error("$.items[0].id: invalid type: integer `4`, expected a string"),
            (
                "$.items[0].id".to_owned(),
                "invalid type: integer `4`, expected a string".to_owned()
            )
        );
        assert_eq!(
            split_decode_error("boom: bad"),
            ("$".to_owned(), "boom: bad".to_owned())
        );
    }

    #[test]
    fn nullable_wrappers_and_free_form_objects() {
        let raw = json!({"components": {"schemas": {"X": {"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}}}}}});
        let wrapper = json!({"type": "object", "nullable": true, "allOf": [{"$ref": "#/components/schemas/X"}]});
        assert!(check_value(&raw, &wrapper, &Value::Null).is_empty());
        let found = check_value(&raw, &wrapper, &json!({"b": {"deep": 1}}));
        let kinds: Vec<(&str, Kind)> = found.iter().map(|f| (f.path.as_str(), f.kind)).collect();
        assert_eq!(
            kinds,
            [("$.a", Kind::MissingRequired), ("$.b", Kind::UnknownField)]
        );
        let free = json!({"type": "object", "additionalProperties": true});
        assert!(check_value(&raw, &free, &json!({"anything": [1, {"x": null}]})).is_empty());
    }

    #[test]
    fn ref_cycles_end() {
        let raw = json!({"components": {"schemas": {"A": {"$ref": "#/components/schemas/B"}, "B": {"allOf": [{"$ref": "#/components/schemas/A"}]}}}});
        let schema = json!({"$ref": "#/components/schemas/A"});
        assert!(check_value(&raw, &schema, &json!({"x": 1})).is_empty());
    }
}
