//! `cargo xtask drift DIR [--spec FILE] [--no-decode]`: recorded API responses against the
//! spec, to see where the live API and the spec (and so the SDK) have drifted apart.
//!
//! `DIR` holds responses saved from the live API, one JSON document per file named after its
//! operation (`get_provider_setup_session[.<sample>].json`). Each is checked against the
//! operation's `200` response schema, or for an error body (`"object": "error"`) its `4XX`
//! (else `5XX`) one, by the `jsonschema` crate (draft 7, formats checked) against two schemas
//! [`json_schema`] derives from it. What the [lenient](Strictness::Lenient) one refuses is an
//! error: `null` in a non-nullable field, a missing required field, a wrong JSON type, a string
//! not of its `format`, a value outside a closed `enum`, a field `additionalProperties: false`
//! forbids. What only the [strict](Strictness::Strict) one refuses is a warning, what the SDK
//! survives: a field the spec lacks, an open enumeration's unknown value, an open union's
//! unknown variant, `null` in an optional non-nullable property. A union's error is graded by
//! its closest branch, one finding per place; what serde does not check (lengths, patterns,
//! bounds) is dropped. An unknown operation, a file that is not JSON and a document the
//! generated type fails to decode are errors too.
//!
//! Findings name the file, a path in `$.a.b[0]` style (`$["a key"]` for a key that is not an
//! identifier) and a [`Kind`]. The decode goes through a [`Decoder`]: `cargo xtask drift` runs
//! `metorial-models`' `decode` example once for all files ([`CommandDecoder::cargo_example`]),
//! so the xtask does not depend on the generated code; tests use [`FnDecoder`]. The generated
//! types follow the workspace's spec: with another `--spec`, only its schemas are checked.

use std::fmt::{self, Write as _};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use jsonschema::ValidationError;
use jsonschema::error::ValidationErrorKind as Refused;
use jsonschema::paths::Location;
use serde_json::{Value, json};

use crate::json_schema::{self, Strictness};
use crate::model::operation::component_ref;
use crate::model::{Api, scalar};

/// What is wrong at one place of a recorded response: the warnings (what the SDK survives)
/// first, then the errors, in this order ([`Kind::is_error`] reads it).
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
    /// Error: a string that does not match its `format` (`date-time`, `uri`, ...).
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
        self > Kind::Skipped
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
    /// The component schema the document was checked against, when it is one.
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
        let row = |file: &FileReport, f: &Finding| (file.file.clone(), f.path.clone(), f.kind);
        let files = self.files.iter();
        files
            .flat_map(|file| file.findings.iter().map(move |f| row(file, f)))
            .collect()
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
                let error = f.kind.is_error();
                let severity = if error { "error  " } else { "warning" };
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
#[derive(Debug, Clone)]
pub struct DecodeJob {
    /// The component schema whose generated type should decode it.
    pub schema: String,
    /// The file it was read from.
    pub file: PathBuf,
    /// The document's text.
    pub json: String,
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
    fn decode(&mut self, jobs: &[DecodeJob]) -> anyhow::Result<Vec<Decoded>>;
}

/// An in-process decoder around a function like `metorial_models::decode_component`.
pub struct FnDecoder<F>(pub F);

impl<F> Decoder for FnDecoder<F>
where
    F: FnMut(&str, &str) -> Option<Result<(), String>>,
{
    fn decode(&mut self, jobs: &[DecodeJob]) -> anyhow::Result<Vec<Decoded>> {
        Ok(jobs
            .iter()
            .map(|job| match (self.0)(&job.schema, &job.json) {
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

impl Decoder for CommandDecoder {
    fn decode(&mut self, jobs: &[DecodeJob]) -> anyhow::Result<Vec<Decoded>> {
        if jobs.is_empty() {
            return Ok(Vec::new());
        }
        let mut input = String::new();
        let mut files = Vec::new();
        for job in jobs {
            let file = std::path::absolute(&job.file)
                .with_context(|| format!("locating {}", job.file.display()))?;
            let Some(file) = file.to_str().filter(|f| !f.contains(['\t', '\n'])) else {
                let file = file.display();
                bail!("{file}: the decode example cannot be given this path");
            };
            let _ = writeln!(input, "{}\t{file}", job.schema);
            files.push(file.to_owned());
        }
        let stdout = self.run(input)?;
        parse_decoder_output(&stdout, jobs, &files)
    }
}

impl CommandDecoder {
    /// `cargo run --quiet -p metorial-models --example decode` in `root` (with `$CARGO`, if set).
    pub fn cargo_example(root: &Path) -> CommandDecoder {
        let cargo = std::env::var_os("CARGO").map_or_else(|| "cargo".into(), PathBuf::from);
        let args = "run --quiet -p metorial-models --example decode --".split(' ');
        CommandDecoder {
            program: cargo,
            args: args.map(str::to_owned).collect(),
            cwd: root.to_path_buf(),
        }
    }

    /// Runs the program with `input` on its stdin; what it printed on stdout.
    fn run(&self, input: String) -> anyhow::Result<String> {
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
        let writer = std::thread::spawn(move || stdin.map(|mut s| s.write_all(input.as_bytes())));
        let output = child
            .wait_with_output()
            .with_context(|| format!("running {what}"))?;
        let written = writer.join().ok().flatten().unwrap_or(Ok(()));
        if !output.status.success() {
            bail!(
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
    jobs: &[DecodeJob],
    files: &[String],
) -> anyhow::Result<Vec<Decoded>> {
    let lines: Vec<&str> = stdout.lines().filter(|l| !l.trim().is_empty()).collect();
    let (answered, asked) = (lines.len(), jobs.len());
    if answered != asked {
        bail!("the decode example answered {answered} line(s) for {asked} file(s):\n{stdout}");
    }
    let mut out = Vec::new();
    for ((line, job), file) in lines.iter().zip(jobs).zip(files) {
        let answer: Value = serde_json::from_str(line).with_context(|| {
            format!("the decode example printed a line that is not JSON: {line}")
        })?;
        let field = |name: &str| answer.get(name).and_then(Value::as_str);
        if field("schema") != Some(&job.schema) || field("file") != Some(file.as_str()) {
            bail!("the decode example answered for another file: {line} (expected {file})");
        }
        let message = field("error").unwrap_or("no message").to_owned();
        out.push(match field("result") {
            Some("ok") => Decoded::Ok,
            Some("error") => Decoded::Failed(message),
            Some("unreadable") => {
                Decoded::Failed(format!("$: the example could not read the file: {message}"))
            }
            Some("unknown-schema") => Decoded::NoSuchSchema,
            _ => bail!("the decode example printed an unknown result: {line}"),
        });
    }
    Ok(out)
}

/// Checks every file of `dir` against `spec`; with a decoder, also decodes each document with
/// the generated type of its response schema. `Err` only when the directory cannot be read,
/// holds no file, or the decoder cannot run: a bad file is a finding.
pub fn check_dir(
    api: &Api,
    dir: &Path,
    decoder: Option<&mut dyn Decoder>,
) -> anyhow::Result<Report> {
    let names = file_names(dir)?;
    if names.is_empty() {
        let dir = dir.display();
        bail!("{dir} holds no recorded response (`<operation_id>[.<sample>].json`)");
    }
    let (mut files, mut jobs, mut owners) = (Vec::new(), Vec::new(), Vec::new());
    for name in names {
        let (report, job) = check_file(api, &name, &dir.join(&name));
        if let Some(job) = job {
            owners.push(files.len());
            jobs.push(job);
        }
        files.push(report);
    }
    let decoded = decoder.map(|decoder| decode_all(decoder, &jobs, &owners, &mut files));
    Ok(Report {
        files,
        decoded: decoded.transpose()?,
    })
}

/// The names of the files (not directories, not hidden) in `dir`, sorted.
fn file_names(dir: &Path) -> anyhow::Result<Vec<String>> {
    let reading = || format!("reading the directory {}", dir.display());
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(reading)? {
        let entry = entry.with_context(reading)?;
        let is_file = entry.file_type().is_ok_and(|t| !t.is_dir());
        let name = entry.file_name().to_string_lossy().into_owned();
        if is_file && !name.starts_with('.') {
            names.push(name);
        }
    }
    names.sort();
    Ok(names)
}

/// Decodes `jobs`, adding each failure to the report of the file at its index in `owners`.
fn decode_all(
    decoder: &mut dyn Decoder,
    jobs: &[DecodeJob],
    owners: &[usize],
    files: &mut [FileReport],
) -> anyhow::Result<usize> {
    let outcomes = decoder.decode(jobs)?;
    let (answered, asked) = (outcomes.len(), jobs.len());
    if answered != asked {
        bail!("the decoder answered {answered} time(s) for {asked} file(s)");
    }
    for ((job, &owner), outcome) in jobs.iter().zip(owners).zip(outcomes) {
        let (path, kind, detail) = match outcome {
            Decoded::Ok => continue,
            Decoded::Failed(message) => {
                let (path, detail) = split_decode_error(&message);
                (path, Kind::DecodeFailed, detail)
            }
            Decoded::NoSuchSchema => {
                let detail = format!(
                    "the generated models have no type `{}`: run `cargo xtask generate`",
                    job.schema
                );
                ("$".to_owned(), Kind::NoGeneratedType, detail)
            }
        };
        files[owner].findings.push(Finding { path, kind, detail });
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

/// Checks one file; also returns what to decode (a parsed document of a component schema).
pub fn check_file(api: &Api, name: &str, path: &Path) -> (FileReport, Option<DecodeJob>) {
    let operation = name
        .strip_suffix(".json")
        .map(|stem| stem.split('.').next().unwrap_or(stem));
    let mut report = FileReport {
        file: name.to_owned(),
        operation: operation.unwrap_or_default().to_owned(),
        schema: None,
        findings: Vec::new(),
    };
    let Some(operation) = operation else {
        let detail = "not named `<operation_id>[.<sample>].json`: not checked";
        report.findings.push(file_finding(Kind::Skipped, detail));
        return (report, None);
    };
    let document = read_document(path);
    let value = document.as_ref().map_or(&Value::Null, |(value, _)| value);
    match (response_schema(api, operation, value), document) {
        (schema, Err(detail)) => {
            report
                .findings
                .push(file_finding(Kind::InvalidJson, &detail));
            let unknown = schema.err().filter(|f| f.kind == Kind::UnknownOperation);
            report.findings.extend(unknown);
        }
        (Err(finding), Ok(_)) => report.findings.push(finding),
        (Ok(schema), Ok((value, json))) => {
            report.findings = check_value(api, schema, &value);
            report.schema = component_ref(schema).map(str::to_owned);
            let job = report.schema.clone().map(|schema| DecodeJob {
                schema,
                file: path.to_owned(),
                json,
            });
            return (report, job);
        }
    }
    (report, None)
}

/// The JSON document in `path` and its text, or why there is none.
fn read_document(path: &Path) -> Result<(Value, String), String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot be read: {e}"))?;
    let text = String::from_utf8(bytes).map_err(|e| format!("not UTF-8 text: {e}"))?;
    let value = serde_json::from_str(&text).map_err(|e| format!("not a JSON document: {e}"))?;
    Ok((value, text))
}

fn file_finding(kind: Kind, detail: &str) -> Finding {
    Finding {
        path: "$".into(),
        kind,
        detail: detail.to_owned(),
    }
}

/// Whether a document is an error body (`"object": "error"`).
pub fn is_error_body(value: &Value) -> bool {
    value.get("object").and_then(Value::as_str) == Some("error")
}

/// The schema a document of `operation` is checked against: the `200` (or first 2xx)
/// response's, or for an error body the `4XX` (else `5XX`, else first 4xx/5xx) response's.
pub fn response_schema<'a>(
    api: &'a Api,
    operation: &str,
    value: &Value,
) -> Result<&'a Value, Finding> {
    let Some(op) = api.operation(operation) else {
        let detail = format!(
            "the spec has no operation `{operation}` (files are named `<operation_id>[.<sample>].json`)"
        );
        return Err(file_finding(Kind::UnknownOperation, &detail));
    };
    let error = is_error_body(value);
    let (preferred, class): (&[&str], &[char]) = if error {
        (&["4XX", "5XX"], &['4', '5'])
    } else {
        (&["200"], &['2'])
    };
    let codes = &op.responses;
    let response = (preferred.iter())
        .find_map(|want| codes.iter().find(|(code, _)| code == want))
        .or_else(|| codes.iter().find(|(code, _)| code.starts_with(class)));
    let which = if error { "an error" } else { "a success" };
    let detail = format!("`{operation}` has no JSON schema for {which} response");
    let schema = response.and_then(|(_, schema)| schema.as_ref());
    schema.ok_or_else(|| file_finding(Kind::NoSchema, &detail))
}

/// The definition a derived schema's `$ref` (or one-element `allOf` of one) names.
fn ref_name(schema: &Value) -> Option<&str> {
    match crate::model::array(schema, "allOf") {
        [only] => ref_name(only),
        _ => schema.get("$ref")?.as_str()?.rsplit('/').next(),
    }
}

/// Every finding of `value` against the OpenAPI `schema` (a response's), in path order: errors
/// where the lenient derived schema refuses it, warnings where only the strict one does (one
/// `no-schema` finding when a derived schema does not compile).
pub fn check_value(api: &Api, schema: &Value, value: &Value) -> Vec<Finding> {
    let refused = |strictness| {
        let bundle = json_schema::bundle(api, schema, strictness);
        let validator = validator(&bundle).map_err(|e| {
            let detail = format!("the derived JSON Schema does not compile: {e}");
            file_finding(Kind::NoSchema, &detail)
        })?;
        Ok(refusals(&validator, &bundle, value))
    };
    let (errors, strict) = match (refused(Strictness::Lenient), refused(Strictness::Strict)) {
        (Ok(errors), Ok(strict)) => (errors, strict),
        (Err(finding), _) | (_, Err(finding)) => return vec![finding],
    };
    // One finding per place: the lenient schema's error over the strict one's warning.
    let mut refusals: Vec<(Refusal, bool)> = (errors.into_iter().map(|r| (r, true)))
        .chain(strict.into_iter().map(|r| (r, false)))
        .collect();
    refusals.sort_by(|a, b| a.0.at.cmp(&b.0.at));
    refusals.dedup_by(|later, first| later.0.at == first.0.at);
    let finding = |(r, lenient): (Refusal, bool)| {
        let (kind, why) = verdict(r.kind, lenient)?;
        let detail = format!("{}{why}", r.detail);
        Some(Finding {
            path: render(&r.at),
            kind,
            detail,
        })
    };
    refusals.into_iter().filter_map(finding).collect()
}

/// A refusal's kind and what to add to its detail: the lenient schema's is an error, a strict
/// one the warning of what the SDK survives (`None` for a kind strictness cannot add).
fn verdict(refused: Kind, lenient: bool) -> Option<(Kind, &'static str)> {
    Some(match (refused, lenient) {
        (Kind::ForbiddenField, true) => (refused, ": `additionalProperties: false` forbids it"),
        (Kind::InvalidEnumValue, true) => (refused, " (a closed enumeration)"),
        (_, true) => (refused, ""),
        (Kind::Null, false) => (Kind::NullOptional, ": the SDK reads it as absent"),
        (Kind::ForbiddenField, false) => (Kind::UnknownField, ": the SDK drops it"),
        (Kind::InvalidEnumValue, false) => (Kind::UnknownEnumValue, ": it decodes as `Unknown`"),
        (Kind::UnknownVariant, false) => (refused, ": it decodes as an unknown variant"),
        _ => return None,
    })
}

/// A draft 7 validator of `schema`, formats checked.
fn validator(schema: &Value) -> Result<jsonschema::Validator, ValidationError<'static>> {
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .should_validate_formats(true)
        .build(schema)
}

/// One step of a path into a document.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    Key(String),
    Index(usize),
}

/// A place a derived schema refuses: where, what is wrong (as an error), and the specifics.
struct Refusal {
    at: Vec<Step>,
    kind: Kind,
    detail: String,
}

/// Every refusal of `validator` (built from `schema`) for `document`, one per place (the
/// value's type first), in path order.
fn refusals(validator: &jsonschema::Validator, schema: &Value, document: &Value) -> Vec<Refusal> {
    let mut out: Vec<Refusal> = validator
        .iter_errors(document)
        .flat_map(|error| grade(&error, schema, document))
        .collect();
    let typed = |r: &Refusal| !matches!(r.kind, Kind::Null | Kind::WrongType);
    out.sort_by(|a, b| a.at.cmp(&b.at).then(typed(a).cmp(&typed(b))));
    out.dedup_by(|a, b| a.at == b.at);
    out
}

/// Grades one `jsonschema` error of `document` against the derived `schema` into refusals.
fn grade(error: &ValidationError<'_>, schema: &Value, document: &Value) -> Vec<Refusal> {
    let at = steps(document, error.instance_path());
    let instance: &Value = error.instance();
    let refusal = |key: Option<&str>, kind, detail| {
        let key = key.map(|key| Step::Key(key.to_owned()));
        let at = at.iter().cloned().chain(key).collect();
        Refusal { at, kind, detail }
    };
    let one = |kind, detail| vec![refusal(None, kind, detail)];
    match error.kind() {
        Refused::Type { .. } => {
            let expected = expected(schema, holder(error));
            vec![mismatch(at.clone(), instance, expected)]
        }
        Refused::Required { property } => {
            let detail = "required by the spec, absent".to_owned();
            vec![refusal(property.as_str(), Kind::MissingRequired, detail)]
        }
        Refused::AdditionalProperties { unexpected } => unexpected
            .iter()
            .map(|key| {
                let found = instance.get(key).map_or("nothing", json_type);
                let detail = format!("not in the spec ({found})");
                refusal(Some(key), Kind::ForbiddenField, detail)
            })
            .collect(),
        Refused::Enum { options } => {
            let known = options.as_array().into_iter().flatten();
            let known: Vec<String> = known.filter(|v| !v.is_null()).map(scalar).collect();
            let detail = format!("{instance} is not one of {}", known.join(", "));
            one(Kind::InvalidEnumValue, detail)
        }
        Refused::Format { format } => one(
            Kind::InvalidFormat,
            format!("{instance} is not a valid {format}"),
        ),
        // The derived schemas' only `false` is a strict open union's `else`.
        Refused::FalseSchema => one(Kind::UnknownVariant, no_variant(schema, error, &at)),
        Refused::AnyOf { context } | Refused::OneOfNotValid { context } => {
            union(error, context, schema, document)
        }
        // What serde does not check (lengths, patterns, bounds, ...), and a value several
        // `oneOf` branches take (the SDK takes the first).
        _ => Vec::new(),
    }
}

/// The pointer (`$ref`s resolved) of the derived schema holding the keyword `error` failed.
fn holder<'e>(error: &'e ValidationError<'_>) -> &'e str {
    let keyword = error.schema_path().as_str();
    keyword.rsplit_once('/').map_or("", |(holder, _)| holder)
}

/// Why an object is no variant of an open union: its tag, the union's known branch, and the
/// first refusal of that branch read leniently (the strict schema's `if`).
fn no_variant(schema: &Value, error: &ValidationError<'_>, at: &[Step]) -> String {
    let instance: &Value = error.instance();
    let tag = instance.get("type");
    let tag = tag.map_or_else(|| "an object without `type`".to_owned(), Value::to_string);
    let known = format!("{}/if", holder(error));
    let mut alone = json!({ "definitions": schema.get("definitions") });
    let known_ref = json_schema::at(schema, &format!("{known}/$ref"));
    alone["$ref"] = known_ref.cloned().into();
    let first = validator(&alone)
        .ok()
        .and_then(|v| refusals(&v, &alone, instance).into_iter().next());
    let known = expected(schema, &known);
    match first {
        Some(first) => {
            let path = render(&[at, &first.at].concat());
            let (kind, detail) = (first.kind, first.detail);
            format!("{tag} matches no variant of {known} ({path} {kind}: {detail})")
        }
        None => format!("{tag} matches no variant of {known}"),
    }
}

/// A union's error: the refusals of the branch with the fewest, among those that take the
/// value's type; when none does, one mismatch naming them.
fn union(
    error: &ValidationError<'_>,
    context: &[Vec<ValidationError<'static>>],
    schema: &Value,
    document: &Value,
) -> Vec<Refusal> {
    let here = error.instance_path();
    let closest = context
        .iter()
        .filter(|branch| !mistyped(branch, here))
        .map(|branch| {
            let graded = branch.iter().flat_map(|e| grade(e, schema, document));
            graded.collect::<Vec<_>>()
        })
        .min_by_key(Vec::len);
    if let Some(closest) = closest {
        return closest;
    }
    let union = error.schema_path().as_str();
    let mut options: Vec<String> = (0..context.len())
        .map(|i| format!("{union}/{i}"))
        .filter(|branch| json_schema::at(schema, branch) != Some(&json!({ "type": "null" })))
        .map(|branch| expected(schema, &branch))
        .collect();
    options.dedup();
    let expected = match options.as_slice() {
        [one] => one.clone(),
        _ => format!("one of {}", options.join(", ")),
    };
    vec![mismatch(steps(document, here), error.instance(), expected)]
}

/// Whether a union's branch refuses only the type of the value at `here`.
fn mistyped(branch: &[ValidationError<'_>], here: &Location) -> bool {
    branch.iter().all(|e| {
        e.instance_path() == here
            && match e.kind() {
                Refused::Type { .. } => true,
                Refused::AnyOf { context } | Refused::OneOfNotValid { context } => {
                    context.iter().all(|branch| mistyped(branch, here))
                }
                _ => false,
            }
    })
}

/// `null` where the schema at `at` takes none, or another value of the wrong JSON type.
fn mismatch(at: Vec<Step>, instance: &Value, expected: String) -> Refusal {
    let (kind, detail) = match instance {
        Value::Null => (
            Kind::Null,
            format!("null, but the spec says {expected}, not nullable"),
        ),
        other => (
            Kind::WrongType,
            format!("expected {expected}, found {}", json_type(other)),
        ),
    };
    Refusal { at, kind, detail }
}

/// What the derived schema at `pointer` expects, for messages: the component it is or refers
/// to, else its type (and format).
fn expected(schema: &Value, pointer: &str) -> String {
    let node = json_schema::at(schema, pointer).unwrap_or(&Value::Null);
    let definition = ["/definitions/", "/strict/"]
        .iter()
        .find_map(|prefix| pointer.strip_prefix(prefix))
        .filter(|name| !name.contains('/'));
    if let Some(name) = definition.or_else(|| ref_name(node)) {
        return format!("`{name}`");
    }
    let types: Vec<&str> = match node.get("type") {
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .filter(|t| *t != "null")
            .collect(),
        other => other.and_then(Value::as_str).into_iter().collect(),
    };
    let ty = match types.as_slice() {
        [] => "a value".to_owned(),
        types => types.join(" or "),
    };
    match node.get("format").and_then(Value::as_str) {
        Some(format) => format!("{ty} ({format})"),
        None => ty,
    }
}

/// An instance location as steps: a token is an index where `document` has an array there.
fn steps(document: &Value, location: &Location) -> Vec<Step> {
    let mut at = Some(document);
    let mut out = Vec::new();
    for token in location.as_str().split('/').skip(1) {
        let token = token.replace("~1", "/").replace("~0", "~");
        let step = match (at, token.parse()) {
            (Some(Value::Array(_)), Ok(i)) => Step::Index(i),
            _ => Step::Key(token),
        };
        at = at.and_then(|v| match &step {
            Step::Index(i) => v.get(i),
            Step::Key(key) => v.get(key),
        });
        out.push(step);
    }
    out
}

/// Steps in `$.a.b[0]` style; a key that is not an identifier is written `$["a key"]`.
fn render(at: &[Step]) -> String {
    let mut out = "$".to_owned();
    for step in at {
        let _ = match step {
            Step::Index(i) => write!(out, "[{i}]"),
            Step::Key(key) => {
                let identifier = key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                    && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                if identifier {
                    write!(out, ".{key}")
                } else {
                    write!(out, "[{}]", Value::from(key.as_str()))
                }
            }
        };
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_dollar_style() {
        let key = |k: &str| Step::Key(k.to_owned());
        assert_eq!(render(&[key("a")]), "$.a");
        assert_eq!(render(&[key("a"), key("b c")]), "$.a[\"b c\"]");
        assert_eq!(render(&[key("1x"), Step::Index(2)]), "$[\"1x\"][2]");
        let document = json!({"a/b": [{"0": 1}]});
        let location = Location::new().join("a/b").join(0).join("0");
        assert_eq!(render(&steps(&document, &location)), "$[\"a/b\"][0][\"0\"]");
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
}
