//! What changed between two versions of the spec, and what it means for the generated crates.
//!
//! [`diff`] compares two OpenAPI documents (plain JSON values: an old revision need not pass
//! today's generator checks) and lists every change of the generated crates' API, each
//! [`Impact::Additive`] or [`Impact::Breaking`] with the reason; [`Report::bump`] is the
//! version bump the set implies. `cargo xtask generate` prints it against `HEAD` before writing;
//! `cargo xtask api-diff REV_A [REV_B]` prints it for any two revisions ([`load`]).
//!
//! # The rule
//!
//! A change is **breaking** when code that compiled and worked against the old generated crates
//! may stop compiling, or fail at run time, against the new ones. "Code" means what the
//! workspace supports: reading fields of a response, building a request body with `new(..)`
//! and its setters, building any other type with its generated builder (`X::builder()`, as
//! mocks and tests build responses), calling the client's builders and the mock helpers, and
//! matching an enumeration *with a wildcard arm* (every enumeration is open: the API adds
//! values, so an exhaustive `match` is not supported). Struct literals and exhaustive
//! destructuring of the generated structs are not supported either (their fields are public,
//! but every struct has a builder or a constructor): so a new optional field is additive.
//!
//! How the generator maps a property, and so what a change does:
//! - a response (or any typify) struct field is `T` when required and not nullable, else
//!   `Option<T>`; its builder must be given every required field (`try_into()` fails without
//!   one). A field gaining or losing `Option` is breaking, becoming required is breaking (the
//!   builder now needs it), becoming optional while keeping its Rust type is additive, and
//!   nullability alone on an optional field changes nothing in Rust (additive);
//! - a POST body's required fields are the parameters of `new(..)`, in the spec's order: a new
//!   required field, a field becoming required or optional, and a reordering are breaking;
//! - a PATCH body's field is `Option<T>`, or `Patch<T>` (with a `clear_` setter) when nullable:
//!   a nullability change is breaking;
//! - a property, schema, operation, parameter, enum value or union variant that disappears is
//!   breaking; one that appears is additive, unless the caller must now supply it (a required
//!   field or parameter, a required request body);
//! - a type change is breaking: `string` -> `integer`, `String` -> a schema, one schema ->
//!   another, and what typify reads to pick a type other than the plain one: a string format
//!   (`date-time`, `date`, `uuid`, `ip`, `ipv4`, `ipv6`), a string length or pattern (a
//!   newtype), an integer or number format, `minimum: 1` (a `NonZero` integer);
//! - an operation changing method or path is breaking (the same Rust method sends another
//!   request); so is any response status or body change (progenitor's return and error types);
//! - a changed `info.version` is breaking: every request sends it as `Metorial-Version`;
//! - the SDK's vendor extensions (the `metorial` crate's resource layer): a renamed handle,
//!   method (`x-metorial-method`, by default the operation id's first word) or setter
//!   (`x-metorial-setter`, by default the snake_case wire name) is breaking, a new handle or
//!   `x-metorial-wait` additive, a removed one or changed wait statuses breaking;
//!   `x-metorial-secret-response` changes no signature (additive). Method and setter names are
//!   compared only for operations of a tag with a handle on both sides (without one, the SDK
//!   has no method to rename).
//!
//! Descriptions, summaries, examples, defaults, tags without extensions and the other
//! validation keywords change no Rust type and are not reported (an integer range matching a
//! fixed-width type exactly, which typify would also read, is not modelled); nor are the
//! insides of the hand-written schemas ([`HAND_WRITTEN`]).
//!
//! # Versions
//!
//! The generated crates are `0.x`: a breaking change bumps the minor version (`0.x` ->
//! `0.(x+1)`), an additive one the patch version. From `1.0` on, breaking bumps the major
//! version and additive the minor one.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, bail};
use serde_json::{Map, Value};

use crate::model::component::{open_enum_values, open_union_known};
use crate::model::{HAND_WRITTEN, resolve};
use crate::spec::Spec;

/// The spec's path inside the repository, as `git show REV:<path>` reads it.
pub const SPEC_IN_REPO: &str = "spec/metorial.yaml";

static NULL: Value = Value::Null;

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// What a change means for the generated crates' users.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Impact {
    /// Code that worked may stop compiling or fail at run time.
    Breaking,
    /// Code that worked keeps compiling and working.
    Additive,
}

impl Impact {
    /// `BREAKING` or `ADDITIVE`, as the report prints it.
    pub fn label(self) -> &'static str {
        match self {
            Impact::Breaking => "BREAKING",
            Impact::Additive => "ADDITIVE",
        }
    }
}

/// One change of the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Breaking or additive.
    pub impact: Impact,
    /// What changed: `schema Foo`, `schema Foo.bar[]`, `operation list_foos`, ...
    pub subject: String,
    /// The change: "property `x` added (optional)", "enum value `y` removed", ...
    pub what: String,
    /// Why it has this impact, in terms of the generated Rust code.
    pub reason: String,
}

/// Every change between two specs, breaking ones first, otherwise in document order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// The changes.
    pub changes: Vec<Change>,
}

/// A semantic-versioning bump.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bump {
    /// `x.y.z` -> `x.y.(z+1)`.
    Patch,
    /// `x.y.z` -> `x.(y+1).0`.
    Minor,
    /// `x.y.z` -> `(x+1).0.0`.
    Major,
}

impl Bump {
    /// `patch`, `minor` or `major`.
    pub fn name(self) -> &'static str {
        match self {
            Bump::Patch => "patch",
            Bump::Minor => "minor",
            Bump::Major => "major",
        }
    }

    /// The version after this bump of `current` (`major.minor.patch`, pre-release and build
    /// suffixes dropped); `None` when `current` is not such a version.
    pub fn apply(self, current: &str) -> Option<String> {
        let core = current.split(['-', '+']).next()?;
        let parts: Vec<u64> = core
            .split('.')
            .map(str::parse)
            .collect::<Result<_, _>>()
            .ok()?;
        let [major, minor, patch] = parts.as_slice() else {
            return None;
        };
        Some(match self {
            Bump::Patch => format!("{major}.{minor}.{}", patch.checked_add(1)?),
            Bump::Minor => format!("{major}.{}.0", minor.checked_add(1)?),
            Bump::Major => format!("{}.0.0", major.checked_add(1)?),
        })
    }
}

impl Report {
    /// Whether the two specs have the same API.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// The number of changes with this impact.
    pub fn count(&self, impact: Impact) -> usize {
        self.changes.iter().filter(|c| c.impact == impact).count()
    }

    /// The bump these changes imply for crates at version `current` (`None`: assume `0.x`);
    /// `None` when nothing changed.
    pub fn bump(&self, current: Option<&str>) -> Option<Bump> {
        if self.is_empty() {
            return None;
        }
        let pre_1 = current
            .and_then(|v| v.split('.').next())
            .and_then(|major| major.parse::<u64>().ok())
            .is_none_or(|major| major == 0);
        let breaking = self.count(Impact::Breaking) > 0;
        Some(match (breaking, pre_1) {
            (true, true) => Bump::Minor,
            (true, false) => Bump::Major,
            (false, true) => Bump::Patch,
            (false, false) => Bump::Minor,
        })
    }

    /// The `implies: ...` line (`None` when nothing changed).
    pub fn bump_line(&self, current: Option<&str>) -> Option<String> {
        let bump = self.bump(current)?;
        let kind = if self.count(Impact::Breaking) > 0 {
            "breaking"
        } else {
            "additive"
        };
        let mut line = format!("implies: {} ({kind}) version bump", bump.name());
        if let Some((current, next)) = current.and_then(|c| Some((c, bump.apply(c)?))) {
            let _ = write!(line, ": {current} -> {next}");
        }
        let pre_1 = matches!(
            (kind, bump),
            ("breaking", Bump::Minor) | ("additive", Bump::Patch)
        );
        if pre_1 {
            line.push_str(" (0.x crates: breaking bumps the minor version, additive the patch)");
        }
        Some(line)
    }

    /// The report as printed: a heading naming `from` and `to`, one entry per change, and
    /// the version bump for crates at `current` (when known); or `no API change`.
    pub fn render(&self, from: &str, to: &str, current: Option<&str>) -> String {
        if self.is_empty() {
            return format!("no API change ({from} -> {to})\n");
        }
        let mut out = format!(
            "API changes ({from} -> {to}): {} breaking, {} additive\n",
            self.count(Impact::Breaking),
            self.count(Impact::Additive)
        );
        for change in &self.changes {
            let _ = writeln!(
                out,
                "  {}  {}: {}\n            {}",
                change.impact.label(),
                change.subject,
                change.what,
                change.reason
            );
        }
        if let Some(line) = self.bump_line(current) {
            out.push_str(&line);
            out.push('\n');
        }
        out
    }
}

/// Compares two loaded specs.
pub fn diff_specs(old: &Spec, new: &Spec) -> Report {
    diff(&old.raw, &new.raw)
}

/// Compares two OpenAPI documents given as plain JSON. Never fails: what is missing or
/// malformed in either one is compared as absent.
pub fn diff(old: &Value, new: &Value) -> Report {
    let mut differ = Differ {
        old,
        new,
        changes: Vec::new(),
    };
    differ.info();
    differ.tags();
    differ.operations();
    differ.components();
    let mut changes = differ.changes;
    changes.sort_by_key(|c| c.impact);
    Report { changes }
}

/// Parses a YAML (or JSON) document without the generator's checks.
pub fn parse(text: &str) -> anyhow::Result<Value> {
    serde_norway::from_str(text).context("the spec is not valid YAML")
}

/// Which version of the spec to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Revision {
    /// The file as it is on disk.
    Worktree,
    /// The file as committed at this git revision.
    Git(String),
}

impl Revision {
    /// `WORKTREE` is the working tree; anything else a git revision.
    pub fn parse(arg: &str) -> Revision {
        if arg == "WORKTREE" {
            Revision::Worktree
        } else {
            Revision::Git(arg.to_owned())
        }
    }

    /// How the report names it.
    pub fn label(&self) -> &str {
        match self {
            Revision::Worktree => "working tree",
            Revision::Git(rev) => rev,
        }
    }
}

/// The text of `path` (relative to the repository at `root`) at `revision`.
pub fn read(root: &Path, path: &str, revision: &Revision) -> anyhow::Result<String> {
    let rev = match revision {
        Revision::Worktree => {
            let file = root.join(path);
            return std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()));
        }
        Revision::Git(rev) => rev,
    };
    if rev.is_empty() || rev.starts_with('-') {
        bail!("`{rev}` is not a git revision");
    }
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["show", &format!("{rev}:./{path}")])
        .output()
        .context("git is not available")?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let first = stderr.lines().next().unwrap_or("").trim();
        bail!("`git show {rev}:{path}` failed: {first}");
    }
    String::from_utf8(output.stdout).with_context(|| format!("{path} at {rev} is not UTF-8"))
}

/// The spec at `path` (relative to `root`) at `revision`, parsed.
pub fn load(root: &Path, path: &str, revision: &Revision) -> anyhow::Result<Value> {
    let text = read(root, path, revision)?;
    parse(&text).with_context(|| format!("{path} at {}", revision.label()))
}

/// Compares the spec at `path` between two revisions.
pub fn compare(root: &Path, path: &str, from: &Revision, to: &Revision) -> anyhow::Result<Report> {
    Ok(diff(&load(root, path, from)?, &load(root, path, to)?))
}

/// `version` of `[workspace.package]` in `root/Cargo.toml` (what the generated crates use).
pub fn workspace_version(root: &Path) -> Option<String> {
    let text = std::fs::read_to_string(root.join("Cargo.toml")).ok()?;
    let mut in_section = false;
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_section = line == "[workspace.package]";
        } else if in_section && let Some(rest) = line.strip_prefix("version") {
            let value = rest.trim_start().strip_prefix('=')?.trim();
            return Some(value.trim_matches('"').to_owned());
        }
    }
    None
}

/// How the generator writes a schema's properties.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// A typify struct, with a builder.
    Struct,
    /// A POST body: required fields are the parameters of `new(..)`.
    PostBody,
    /// A PATCH body: `Option<T>`, or `Patch<T>` when nullable.
    PatchBody,
}

/// What users of a generated field see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Shape {
    option: bool,
    patch: bool,
    must_set: bool,
    constructor: bool,
}

impl Shape {
    fn of(role: Role, required: bool, nullable: bool) -> Shape {
        match role {
            Role::PatchBody => Shape {
                option: !nullable,
                patch: nullable,
                must_set: false,
                constructor: false,
            },
            Role::PostBody | Role::Struct => Shape {
                option: !required || nullable,
                patch: false,
                must_set: required,
                constructor: role == Role::PostBody && required,
            },
        }
    }

    fn rust(self) -> &'static str {
        match (self.patch, self.option) {
            (true, _) => "Patch<T>",
            (false, true) => "Option<T>",
            (false, false) => "T",
        }
    }
}

/// One operation of a document.
struct Op<'a> {
    key: String,
    method: &'a str,
    path: &'a str,
    op: &'a Value,
    item: &'a Value,
}

struct Differ<'a> {
    old: &'a Value,
    new: &'a Value,
    changes: Vec<Change>,
}

impl<'a> Differ<'a> {
    fn push(&mut self, impact: Impact, subject: &str, what: String, reason: &str) {
        self.changes.push(Change {
            impact,
            subject: subject.to_owned(),
            what,
            reason: reason.to_owned(),
        });
    }

    fn info(&mut self) {
        let version = |doc: &Value| doc.pointer("/info/version").map(scalar);
        let (old, new) = (version(self.old), version(self.new));
        if old != new {
            self.push(
                Impact::Breaking,
                "info.version",
                format!("{} -> {}", or_none(old), or_none(new)),
                "every request sends it as `Metorial-Version`: the API may answer differently",
            );
        }
    }

    fn tags(&mut self) {
        let handles = |doc: &'a Value| -> Vec<(String, Option<String>)> {
            doc.get("tags")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|tag| {
                    let name = tag.get("name")?.as_str()?.to_owned();
                    Some((name, tag.get("x-metorial-handle").map(scalar)))
                })
                .collect()
        };
        let (old, new) = (handles(self.old), handles(self.new));
        for (name, new_handle) in &new {
            let old_handle = old
                .iter()
                .find(|(n, _)| n == name)
                .and_then(|(_, h)| h.clone());
            let (impact, reason) = match (&old_handle, new_handle) {
                (None, None) => continue,
                (Some(a), Some(b)) if a == b => continue,
                (None, Some(_)) => (Impact::Additive, "the SDK gains a handle for the tag"),
                _ => (
                    Impact::Breaking,
                    "the SDK's handle method is renamed or removed",
                ),
            };
            let what = format!(
                "x-metorial-handle: {} -> {}",
                or_none(old_handle),
                or_none(new_handle.clone())
            );
            self.push(impact, &format!("tag {name}"), what, reason);
        }
        for (name, handle) in &old {
            if handle.is_some() && !new.iter().any(|(n, _)| n == name) {
                let what = format!("removed (with handle `{}`)", or_none(handle.clone()));
                let reason = "the SDK's handle method disappears";
                self.push(Impact::Breaking, &format!("tag {name}"), what, reason);
            }
        }
    }

    fn operations(&mut self) {
        let (old, new) = (operations(self.old), operations(self.new));
        for op in &new {
            match old.iter().find(|o| o.key == op.key) {
                Some(before) => self.operation(before, op),
                None => self.push(
                    Impact::Additive,
                    &format!("operation {}", op.key),
                    format!("added ({} {})", op.method.to_uppercase(), op.path),
                    "a new client method and mock helper",
                ),
            }
        }
        for op in &old {
            if !new.iter().any(|o| o.key == op.key) {
                self.push(
                    Impact::Breaking,
                    &format!("operation {}", op.key),
                    format!("removed (was {} {})", op.method.to_uppercase(), op.path),
                    "its client method and mock helper disappear",
                );
            }
        }
    }

    fn operation(&mut self, old: &Op<'a>, new: &Op<'a>) {
        let subject = format!("operation {}", new.key);
        if (old.method, old.path) != (new.method, new.path) {
            self.push(
                Impact::Breaking,
                &subject,
                format!(
                    "moved: {} {} -> {} {}",
                    old.method.to_uppercase(),
                    old.path,
                    new.method.to_uppercase(),
                    new.path
                ),
                "the same Rust method now sends another request (mocks and servers of the old one no longer match)",
            );
        }
        // The SDK's names exist only for operations of a tag with a handle.
        let sdk = in_sdk(self.old, old.op) && in_sdk(self.new, new.op);
        self.operation_extensions(&subject, old, new, sdk);
        self.parameters(&subject, old, new, sdk);
        self.request_body(&subject, old.op, new.op);
        self.responses(&subject, old.op, new.op);
    }

    fn operation_extensions(&mut self, subject: &str, old: &Op<'a>, new: &Op<'a>, sdk: bool) {
        let method = |op: &Op<'_>| match op.op.get("x-metorial-method") {
            Some(name) => scalar(name),
            None => op.key.split('_').next().unwrap_or(&op.key).to_owned(),
        };
        let (before, after) = (method(old), method(new));
        if sdk && before != after {
            let what = format!("SDK method `{before}` renamed `{after}` (x-metorial-method)");
            let reason = "code calling the SDK handle's method no longer compiles";
            self.push(Impact::Breaking, subject, what, reason);
        }
        let (before, after) = (old.op.get("x-metorial-wait"), new.op.get("x-metorial-wait"));
        let wait = match (before, after) {
            (None, Some(_)) => Some((
                Impact::Additive,
                "added",
                "the handle gains `wait_for_completion`",
            )),
            (Some(_), None) => Some((
                Impact::Breaking,
                "removed",
                "the handle's `wait_for_completion` disappears",
            )),
            (Some(a), Some(b)) if a != b => Some((
                Impact::Breaking,
                "statuses changed",
                "`wait_for_completion` ends on other statuses",
            )),
            _ => None,
        };
        if let Some((impact, what, reason)) = wait {
            self.push(impact, subject, format!("x-metorial-wait {what}"), reason);
        }
        let secret =
            |op: &Op<'_>| op.op.get("x-metorial-secret-response") == Some(&Value::Bool(true));
        if secret(old) != secret(new) {
            let what = format!(
                "x-metorial-secret-response: {} -> {}",
                secret(old),
                secret(new)
            );
            let reason = "no signature changes: only whether the SDK keeps the response body in errors and logs";
            self.push(Impact::Additive, subject, what, reason);
        }
    }

    fn parameters(&mut self, subject: &str, old: &Op<'a>, new: &Op<'a>, sdk: bool) {
        let (before, after) = (parameters(self.old, old), parameters(self.new, new));
        for ((place, name), param) in &after {
            let what = |change: &str| format!("{place} parameter `{name}` {change}");
            let required = is_required(param);
            match before.iter().find(|(key, _)| key == &(*place, *name)) {
                None if required => self.push(
                    Impact::Breaking,
                    subject,
                    what("added (required)"),
                    "the request builder's `send()` fails unless it is set",
                ),
                None => self.push(
                    Impact::Additive,
                    subject,
                    what("added (optional)"),
                    "a new optional setter on the request builder and the mock",
                ),
                Some((_, old_param)) => {
                    self.parameter(subject, (*place, *name), (old_param, param), sdk)
                }
            }
        }
        for ((place, name), _) in &before {
            if !after.iter().any(|(key, _)| key == &(*place, *name)) {
                let what = format!("{place} parameter `{name}` removed");
                let reason = "its setter on the request builder and the mock disappears";
                self.push(Impact::Breaking, subject, what, reason);
            }
        }
    }

    fn parameter(
        &mut self,
        subject: &str,
        (place, name): (&str, &str),
        (old, new): (&'a Value, &'a Value),
        sdk: bool,
    ) {
        let what = |change: &str| format!("{place} parameter `{name}` {change}");
        match (is_required(old), is_required(new)) {
            (false, true) => self.push(
                Impact::Breaking,
                subject,
                what("becomes required"),
                "the request builder's `send()` fails unless it is set",
            ),
            (true, false) => self.push(
                Impact::Additive,
                subject,
                what("becomes optional"),
                "its setter stays; leaving it unset is now allowed",
            ),
            _ => {}
        }
        let setter = |p: &Value| match p.get("x-metorial-setter") {
            Some(setter) => scalar(setter),
            None => crate::names::snake(name),
        };
        if sdk && place == "query" && setter(old) != setter(new) {
            let change = format!(
                "SDK setter `{}` renamed `{}` (x-metorial-setter)",
                setter(old),
                setter(new)
            );
            let reason = "code calling the SDK's list-parameter setter no longer compiles";
            self.push(Impact::Breaking, subject, what(&change), reason);
        }
        let schema = |p: &'a Value| p.get("schema").unwrap_or(&NULL);
        let at = format!("{subject}, {place} parameter `{name}`");
        self.schema(&at, schema(old), schema(new));
    }

    fn request_body(&mut self, subject: &str, old: &'a Value, new: &'a Value) {
        let body =
            |doc: &'a Value, op: &'a Value| op.get("requestBody").map(|body| resolve(doc, body));
        let required = |body: &Value| body.get("required") == Some(&Value::Bool(true));
        match (body(self.old, old), body(self.new, new)) {
            (None, None) => {}
            (None, Some(b)) if required(b) => self.push(
                Impact::Breaking,
                subject,
                "request body added (required)".into(),
                "the request builder's `send()` fails unless `body` is set",
            ),
            (None, Some(_)) => self.push(
                Impact::Additive,
                subject,
                "request body added (optional)".into(),
                "a new optional `body` setter on the request builder",
            ),
            (Some(_), None) => self.push(
                Impact::Breaking,
                subject,
                "request body removed".into(),
                "the request builder's `body` setter disappears",
            ),
            (Some(a), Some(b)) => {
                if !required(a) && required(b) {
                    let reason = "the request builder's `send()` fails unless `body` is set";
                    self.push(
                        Impact::Breaking,
                        subject,
                        "request body becomes required".into(),
                        reason,
                    );
                } else if required(a) && !required(b) {
                    let reason = "the `body` setter stays; leaving it unset is now allowed";
                    self.push(
                        Impact::Additive,
                        subject,
                        "request body becomes optional".into(),
                        reason,
                    );
                }
                let (a, b) = (json_schema(a), json_schema(b));
                self.schema(&format!("{subject}, request body"), a, b);
            }
        }
    }

    fn responses(&mut self, subject: &str, old: &'a Value, new: &'a Value) {
        let responses = |doc: &'a Value, op: &'a Value| -> Vec<(&'a str, &'a Value)> {
            op.get("responses")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .map(|(code, r)| (code.as_str(), resolve(doc, r)))
                .collect()
        };
        let (before, after) = (responses(self.old, old), responses(self.new, new));
        let reason = "progenitor's return or error type changes";
        for (code, response) in &after {
            let Some((_, old_response)) = before.iter().find(|(c, _)| c == code) else {
                self.push(
                    Impact::Breaking,
                    subject,
                    format!("response {code} added"),
                    reason,
                );
                continue;
            };
            let at = format!("{subject}, response {code}");
            match (json_schema(old_response), json_schema(response)) {
                (Value::Null, Value::Null) => {}
                (Value::Null, _) => self.push(
                    Impact::Breaking,
                    subject,
                    format!("response {code} gains a body"),
                    reason,
                ),
                (_, Value::Null) => self.push(
                    Impact::Breaking,
                    subject,
                    format!("response {code} loses its body"),
                    reason,
                ),
                (a, b) => self.schema(&at, a, b),
            }
        }
        for (code, _) in &before {
            if !after.iter().any(|(c, _)| c == code) {
                self.push(
                    Impact::Breaking,
                    subject,
                    format!("response {code} removed"),
                    reason,
                );
            }
        }
    }

    fn components(&mut self) {
        let (old, new) = (schemas(self.old), schemas(self.new));
        let (old_roles, new_roles) = (body_roles(self.old), body_roles(self.new));
        for (name, schema) in &new {
            let subject = format!("schema {name}");
            let Some(before) = old.get(name) else {
                let reason = "a new type";
                self.push(Impact::Additive, &subject, "added".into(), reason);
                continue;
            };
            if HAND_WRITTEN.iter().any(|(n, _)| n == name) {
                continue;
            }
            let roles = (role(&old_roles, name), role(&new_roles, name));
            self.role_change(&subject, roles);
            self.schema_with_roles(&subject, roles, before, schema);
        }
        for name in old.keys() {
            if !new.contains_key(name) {
                let reason = "the type disappears";
                self.push(
                    Impact::Breaking,
                    &format!("schema {name}"),
                    "removed".into(),
                    reason,
                );
            }
        }
    }

    fn role_change(&mut self, subject: &str, (old, new): (Role, Role)) {
        let (impact, what, reason) = match (old, new) {
            (a, b) if a == b => return,
            (Role::Struct, Role::PostBody) => (
                Impact::Additive,
                "becomes a POST body",
                "it gains `new(..)` and one setter per optional field",
            ),
            (_, Role::PatchBody) | (Role::PatchBody, _) => (
                Impact::Breaking,
                "becomes or stops being a PATCH body",
                "its fields change between `Option<T>`/`Patch<T>` and its builder changes",
            ),
            _ => (
                Impact::Breaking,
                "is no longer a POST body",
                "its `new(..)` and setters disappear",
            ),
        };
        self.push(impact, subject, what.into(), reason);
    }

    /// Compares two schemas found at the same place (`subject`).
    fn schema(&mut self, subject: &str, old: &Value, new: &Value) {
        self.schema_with_roles(subject, (Role::Struct, Role::Struct), old, new);
    }

    fn schema_with_roles(&mut self, subject: &str, roles: (Role, Role), old: &Value, new: &Value) {
        let (old, new) = (single_all_of(old), single_all_of(new));
        let (before, after) = (label(old), label(new));
        if before != after {
            let what = format!("type changes: `{before}` -> `{after}`");
            self.push(Impact::Breaking, subject, what, "its Rust type changes");
            return;
        }
        if let (Some(a), Some(b)) = (enum_values(old), enum_values(new)) {
            self.enum_values(subject, &a, &b, before == "open enum");
        }
        if has_properties(old) && has_properties(new) {
            self.properties(subject, roles, old, new);
        }
        for key in ["items", "additionalProperties"] {
            if let (Some(a), Some(b)) = (old.get(key), new.get(key))
                && a.is_object()
                && b.is_object()
            {
                let at = if key == "items" { "[]" } else { "{}" };
                self.schema(&format!("{subject}{at}"), a, b);
            }
        }
        if let (Some(a), Some(b)) = (variants(old), variants(new)) {
            self.variants(subject, a, b);
        }
    }

    fn enum_values(&mut self, subject: &str, old: &[String], new: &[String], open: bool) {
        for value in new.iter().filter(|v| !old.contains(v)) {
            let reason = if open {
                "an open enum gains a variant (the value decoded as `Unknown` before; a `match` keeps a wildcard arm)"
            } else {
                "the enumeration accepts one more value"
            };
            self.push(
                Impact::Additive,
                subject,
                format!("enum value `{value}` added"),
                reason,
            );
        }
        for value in old.iter().filter(|v| !new.contains(v)) {
            let reason = if open {
                "its variant disappears: code naming it no longer compiles"
            } else {
                "the value is no longer accepted"
            };
            self.push(
                Impact::Breaking,
                subject,
                format!("enum value `{value}` removed"),
                reason,
            );
        }
    }

    fn properties(&mut self, subject: &str, roles: (Role, Role), old: &Value, new: &Value) {
        let (before, after) = (properties(old), properties(new));
        let (old_required, new_required) = (required(old), required(new));
        for (name, schema) in &after {
            let Some(old_schema) = before.get(name) else {
                let shape = Shape::of(roles.1, new_required.contains(name), is_nullable(schema));
                self.property_added(subject, name, shape);
                continue;
            };
            let was = (old_required.contains(name), is_nullable(old_schema));
            let is = (new_required.contains(name), is_nullable(schema));
            if was != is {
                let shapes = (
                    Shape::of(roles.0, was.0, was.1),
                    Shape::of(roles.1, is.0, is.1),
                );
                self.property_changed(subject, name, (was, is), shapes);
            }
            self.schema(&format!("{subject}.{name}"), old_schema, schema);
        }
        for name in before.keys().filter(|n| !after.contains_key(*n)) {
            let what = format!("property `{name}` removed");
            let reason = "code reading the field or calling its setter no longer compiles";
            self.push(Impact::Breaking, subject, what, reason);
        }
        if roles == (Role::PostBody, Role::PostBody) {
            self.constructor_order(subject, (old, new), (&old_required, &new_required));
        }
    }

    fn property_added(&mut self, subject: &str, name: &str, shape: Shape) {
        let (impact, kind, reason) = if shape.constructor {
            (Impact::Breaking, "required", "`new(..)` gains a parameter")
        } else if shape.must_set {
            (
                Impact::Breaking,
                "required",
                "the generated builder must now be given it (`try_into()` fails without it)",
            )
        } else if shape.patch {
            (
                Impact::Additive,
                "optional, nullable",
                "a new `Patch` field and setters, left unchanged by default",
            )
        } else {
            (
                Impact::Additive,
                "optional",
                "a new `Option` field, left unset by `new(..)` and the builders",
            )
        };
        self.push(
            impact,
            subject,
            format!("property `{name}` added ({kind})"),
            reason,
        );
    }

    fn property_changed(
        &mut self,
        subject: &str,
        name: &str,
        ((old_req, old_null), (new_req, new_null)): ((bool, bool), (bool, bool)),
        (old, new): (Shape, Shape),
    ) {
        let mut parts = Vec::new();
        if old_req != new_req {
            parts.push(if new_req {
                "optional -> required"
            } else {
                "required -> optional"
            });
        }
        if old_null != new_null {
            parts.push(if new_null {
                "not nullable -> nullable"
            } else {
                "nullable -> not nullable"
            });
        }
        let what = format!("property `{name}`: {}", parts.join(", "));
        let type_change = format!(
            "the field's type changes: `{}` -> `{}`",
            old.rust(),
            new.rust()
        );
        let (impact, reason) = if old.constructor != new.constructor {
            let verb = if new.constructor { "gains" } else { "loses" };
            (Impact::Breaking, format!("`new(..)` {verb} a parameter"))
        } else if old.rust() != new.rust() {
            (Impact::Breaking, type_change)
        } else if new.must_set && !old.must_set {
            let reason =
                "the generated builder must now be given it (`try_into()` fails without it)";
            (Impact::Breaking, reason.to_owned())
        } else {
            let reason = format!("the field keeps its Rust type (`{}`)", new.rust());
            (Impact::Additive, reason)
        };
        self.push(impact, subject, what, &reason);
    }

    fn constructor_order(
        &mut self,
        subject: &str,
        docs: (&Value, &Value),
        req: (&[String], &[String]),
    ) {
        let params = |doc: &Value, required: &[String]| -> Vec<String> {
            let props = properties(doc);
            required
                .iter()
                .filter(|r| props.contains_key(*r))
                .cloned()
                .collect()
        };
        let (old, new) = (params(docs.0, req.0), params(docs.1, req.1));
        let (mut old_sorted, mut new_sorted) = (old.clone(), new.clone());
        old_sorted.sort();
        new_sorted.sort();
        if old != new && old_sorted == new_sorted {
            let what = format!("`new({})` -> `new({})`", old.join(", "), new.join(", "));
            let reason = "the constructor's parameters are reordered";
            self.push(Impact::Breaking, subject, what, reason);
        }
    }

    fn variants(&mut self, subject: &str, old: &[Value], new: &[Value]) {
        let (before, after) = (keyed_variants(old), keyed_variants(new));
        for (key, variant) in &after {
            match before.iter().find(|(k, _)| k == key) {
                Some((_, old_variant)) => {
                    self.schema(&format!("{subject}({key})"), old_variant, variant)
                }
                None => {
                    let reason = "the union gains a variant (a `match` keeps a wildcard arm)";
                    self.push(
                        Impact::Additive,
                        subject,
                        format!("variant `{key}` added"),
                        reason,
                    );
                }
            }
        }
        for (key, _) in &before {
            if !after.iter().any(|(k, _)| k == key) {
                let reason = "its enum variant disappears: code naming it no longer compiles";
                self.push(
                    Impact::Breaking,
                    subject,
                    format!("variant `{key}` removed"),
                    reason,
                );
            }
        }
    }
}

/// Whether one of the operation's tags has an `x-metorial-handle` (so the SDK has a method
/// for it).
fn in_sdk(doc: &Value, op: &Value) -> bool {
    let tags = op.get("tags").and_then(Value::as_array);
    tags.into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .any(|name| {
            doc.get("tags")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .any(|tag| {
                    tag.get("name").and_then(Value::as_str) == Some(name)
                        && tag.get("x-metorial-handle").is_some()
                })
        })
}

/// Every operation, keyed by `operationId` (or `METHOD path` without one).
fn operations(doc: &Value) -> Vec<Op<'_>> {
    let mut out = Vec::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return out;
    };
    for (path, item) in paths {
        for method in METHODS {
            if let Some(op) = item.get(method) {
                let key = match op.get("operationId").and_then(Value::as_str) {
                    Some(id) => id.to_owned(),
                    None => format!("{} {path}", method.to_uppercase()),
                };
                out.push(Op {
                    key,
                    method,
                    path,
                    op,
                    item,
                });
            }
        }
    }
    out
}

/// An operation's parameters (the path item's, overridden by the operation's), keyed by
/// (`in`, `name`), with `$ref`s resolved.
fn parameters<'a>(doc: &'a Value, op: &Op<'a>) -> Vec<((&'a str, &'a str), &'a Value)> {
    let mut out: Vec<((&str, &str), &Value)> = Vec::new();
    let lists = [op.item.get("parameters"), op.op.get("parameters")];
    for param in lists
        .into_iter()
        .flatten()
        .filter_map(Value::as_array)
        .flatten()
    {
        let param = resolve(doc, param);
        let place = param.get("in").and_then(Value::as_str).unwrap_or("?");
        let name = param.get("name").and_then(Value::as_str).unwrap_or("?");
        out.retain(|(key, _)| key != &(place, name));
        out.push(((place, name), param));
    }
    out
}

fn is_required(node: &Value) -> bool {
    node.get("required") == Some(&Value::Bool(true))
}

fn is_nullable(schema: &Value) -> bool {
    schema.get("nullable") == Some(&Value::Bool(true))
}

/// The `application/json` schema of a request body or response (`null` when none).
fn json_schema(node: &Value) -> &Value {
    node.pointer("/content/application~1json/schema")
        .unwrap_or(&NULL)
}

fn schemas(doc: &Value) -> Map<String, Value> {
    doc.pointer("/components/schemas")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

/// The schemas used as POST and PATCH bodies.
fn body_roles(doc: &Value) -> Vec<(String, Role)> {
    let mut out = Vec::new();
    for op in operations(doc) {
        let role = match op.method {
            "post" => Role::PostBody,
            "patch" => Role::PatchBody,
            _ => continue,
        };
        let name = json_schema(resolve(doc, op.op.get("requestBody").unwrap_or(&NULL)))
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(ref_name);
        if let Some(name) = name {
            out.push((name.to_owned(), role));
        }
    }
    out
}

/// A schema's role; PATCH wins, as in [`crate::schemas::classify`].
fn role(roles: &[(String, Role)], name: &str) -> Role {
    let mine = || roles.iter().filter(|(n, _)| n == name).map(|(_, r)| *r);
    if mine().any(|r| r == Role::PatchBody) {
        Role::PatchBody
    } else if mine().any(|r| r == Role::PostBody) {
        Role::PostBody
    } else {
        Role::Struct
    }
}

fn ref_name(reference: &str) -> Option<&str> {
    reference.strip_prefix("#/components/schemas/")
}

/// `allOf: [X]` (the nullable-reference pattern) is X.
fn single_all_of(schema: &Value) -> &Value {
    match schema
        .get("allOf")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
    {
        Some([inner]) => inner,
        _ => schema,
    }
}

fn has_properties(schema: &Value) -> bool {
    schema.get("properties").is_some_and(Value::is_object)
}

fn properties(schema: &Value) -> Map<String, Value> {
    schema
        .get("properties")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

fn required(schema: &Value) -> Vec<String> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}

/// The known values of an open enumeration or a plain `enum`.
fn enum_values(schema: &Value) -> Option<Vec<String>> {
    if let Some(any_of) = schema.get("anyOf") {
        return open_enum_values(any_of);
    }
    let values = schema.get("enum")?.as_array()?;
    Some(values.iter().map(scalar).collect())
}

/// A `oneOf` other than one-or-many: its variants.
fn variants(schema: &Value) -> Option<&[Value]> {
    let one_of = schema.get("oneOf")?.as_array()?;
    (!label(schema).starts_with("one or many")).then_some(one_of.as_slice())
}

/// Variants by name: the `$ref`'s schema, the tag (`type=tool_keys`: a property with a single
/// `enum` value), or the type; numbered when two share one.
fn keyed_variants(variants: &[Value]) -> Vec<(String, &Value)> {
    let mut out: Vec<(String, &Value)> = Vec::new();
    for variant in variants {
        let tag = properties(variant).into_iter().find_map(|(prop, schema)| {
            match schema
                .get("enum")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
            {
                Some([value]) => Some(format!("{prop}={}", scalar(value))),
                _ => None,
            }
        });
        let mut key = tag.unwrap_or_else(|| label(single_all_of(variant)));
        if out.iter().any(|(k, _)| *k == key) {
            key = format!("{key}#{}", out.len() + 1);
        }
        out.push((key, variant));
    }
    out
}

/// The Rust-relevant type of a schema: what typify and the generator pick the Rust type from.
fn label(schema: &Value) -> String {
    let schema = single_all_of(schema);
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        return ref_name(reference).unwrap_or(reference).to_owned();
    }
    if let Some(all_of) = schema.get("allOf").and_then(Value::as_array) {
        let parts: Vec<String> = all_of.iter().map(label).collect();
        return format!("allOf({})", parts.join(", "));
    }
    if let Some(any_of) = schema.get("anyOf") {
        if open_enum_values(any_of).is_some() {
            return "open enum".into();
        }
        if let Some(known) = open_union_known(any_of) {
            return format!("Open<{known}>");
        }
        return "anyOf".into();
    }
    if let Some(one_of) = schema.get("oneOf").and_then(Value::as_array) {
        if let [one, many] = one_of.as_slice()
            && many.get("type").and_then(Value::as_str) == Some("array")
            && many.get("items").map(label) == Some(label(one))
        {
            return format!("one or many {}", label(one));
        }
        return "oneOf".into();
    }
    primitive_label(schema)
}

fn primitive_label(schema: &Value) -> String {
    let ty = schema.get("type").and_then(Value::as_str).unwrap_or("any");
    let item = |key: &str| schema.get(key).filter(|v| v.is_object()).map(label);
    let mut out = match ty {
        "array" => format!("array of {}", item("items").unwrap_or_else(|| "any".into())),
        "object" if has_properties(schema) => "object".into(),
        "object" => match item("additionalProperties") {
            Some(value) => format!("map of {value}"),
            None => "map".into(),
        },
        "string" if schema.get("enum").is_some() => "string enum".into(),
        other => other.to_owned(),
    };
    let format = schema.get("format").and_then(Value::as_str);
    match ty {
        // The string formats typify maps to another type than `String`.
        "string" => {
            if let Some(f @ ("date-time" | "date" | "uuid" | "ip" | "ipv4" | "ipv6")) = format {
                let _ = write!(out, " ({f})");
            }
            // A length or pattern makes typify write a newtype.
            if ["minLength", "maxLength", "pattern"]
                .iter()
                .any(|k| schema.get(*k).is_some())
            {
                out.push_str(" (constrained)");
            }
        }
        "integer" | "number" => {
            if let Some(f) = format {
                let _ = write!(out, " ({f})");
            }
            // `minimum: 1` makes typify pick a `NonZero` type.
            if schema.get("minimum").and_then(Value::as_f64) == Some(1.0) {
                out.push_str(" (non-zero)");
            }
        }
        _ => {}
    }
    out
}

/// A scalar as text (a string without quotes).
fn scalar(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn or_none(value: Option<String>) -> String {
    value.unwrap_or_else(|| "(none)".into())
}
