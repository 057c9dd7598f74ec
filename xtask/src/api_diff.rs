//! What changed between two versions of the spec, and what it means for the generated crates.
//!
//! [`diff`] compares two models of the API ([`Api`]; [`load`] reads an old revision with
//! [`Api::read`], so it need not pass today's checks) and lists every change of the generated
//! crates' API, [`Impact::Additive`] or [`Impact::Breaking`], with the reason; [`Report::bump`]
//! is the version bump they imply. `cargo xtask generate` prints it against `HEAD`, `cargo
//! xtask api-diff REV_A [REV_B]` for any two revisions ([`compare`]).
//!
//! # The rule
//!
//! A change is **breaking** when code that compiled and worked against the old crates may stop
//! compiling, or fail at run time, against the new ones. Supported code reads response fields,
//! builds a request body with `new(..)` and its setters and any other type with its builder
//! (`X::builder()`, as mocks and tests do), calls the client's builders and the mock helpers,
//! and matches an enumeration *with a wildcard arm* (enumerations are open: the API adds
//! values). Struct literals and exhaustive destructuring are not supported (every struct has a
//! builder or a constructor): a new optional field is additive.
//!
//! - A typify struct field is `T` when required and not nullable, else `Option<T>`; its builder
//!   needs every required field (`try_into()` fails without one). Gaining or losing `Option` is
//!   breaking, becoming required is breaking, becoming optional with the same Rust type is
//!   additive, and nullability alone on an optional field is additive.
//! - A POST body's required fields are the parameters of `new(..)`, in the spec's order: a new
//!   required field, a field becoming required or optional, and a reordering are breaking.
//! - A PATCH body's field is `Option<T>`, or `Patch<T>` (with a `clear_` setter) when nullable:
//!   a nullability change is breaking.
//! - A property, schema, operation, parameter, enum value or union variant that disappears is
//!   breaking; one that appears is additive, unless the caller must now supply it (a required
//!   field, parameter or request body).
//! - A type change is breaking, including what makes typify pick another type than the plain
//!   one: a string format (`date-time`, `date`, `uuid`, `ip`, `ipv4`, `ipv6`), a string length
//!   or pattern (a newtype), an integer or number format, `minimum: 1` (a `NonZero` integer).
//! - A changed method or path (the same Rust method sends another request), response status or
//!   body (progenitor's types), or `info.version` (sent as `Metorial-Version`) is breaking.
//! - The SDK's extensions: a renamed handle, method (`x-metorial-method`, by default the id's
//!   first word) or setter (`x-metorial-setter`, by default the snake_case wire name) is
//!   breaking, compared only for operations with a handle on both sides; a new handle or
//!   `x-metorial-wait` is additive, a removed one or changed wait statuses breaking;
//!   `x-metorial-secret-response` changes no signature (additive).
//!
//! Descriptions, summaries, examples, defaults, tags without extensions and the other
//! validation keywords change no Rust type and are not reported (nor an integer range typify
//! would read as a fixed-width type), nor are the insides of the hand-written schemas
//! ([`HAND_WRITTEN`](crate::model::HAND_WRITTEN)).
//!
//! # Versions
//!
//! For `0.x` crates, breaking bumps the minor version and additive the patch version; from
//! `1.0` on, breaking bumps the major version and additive the minor one.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, bail};
use serde_json::Value;

use crate::model::component::{open_enum_values, open_union_known, properties, property};
use crate::model::{
    Api, Body, Component, Kind, Operation, Parameter, Place, array, is_nullable, required, scalar,
};
use crate::names::schema_name;
use crate::spec::Spec;
use Impact::{Additive, Breaking};

/// The spec's path inside the repository, as `git show REV:<path>` reads it.
pub const SPEC_IN_REPO: &str = "spec/metorial.yaml";

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
        let breaking = self.count(Breaking) > 0;
        Some(match (breaking, pre_1) {
            (true, false) => Bump::Major,
            (false, true) => Bump::Patch,
            (true, true) | (false, false) => Bump::Minor,
        })
    }

    /// The `implies: ...` line (`None` when nothing changed).
    pub fn bump_line(&self, current: Option<&str>) -> Option<String> {
        let bump = self.bump(current)?;
        let breaking = self.count(Breaking) > 0;
        let kind = if breaking { "breaking" } else { "additive" };
        let mut line = format!("implies: {} ({kind}) version bump", bump.name());
        if let Some((current, next)) = current.and_then(|c| Some((c, bump.apply(c)?))) {
            let _ = write!(line, ": {current} -> {next}");
        }
        if matches!((breaking, bump), (true, Bump::Minor) | (false, Bump::Patch)) {
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
            self.count(Breaking),
            self.count(Additive)
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

/// Compares two loaded specs, each read into the model as far as it goes.
pub fn diff_specs(old: &Spec, new: &Spec) -> Report {
    diff(&Api::read(&old.raw).0, &Api::read(&new.raw).0)
}

/// Compares two models of the API. Never fails: what either one lacks is compared as absent.
pub fn diff(old: &Api, new: &Api) -> Report {
    let mut differ = Differ {
        old,
        new,
        changes: Vec::new(),
    };
    differ.version();
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

/// The spec at `path` (relative to `root`) at `revision`, read into the model as far as it
/// goes ([`Api::read`]: a revision that fails today's rules still compares).
pub fn load(root: &Path, path: &str, revision: &Revision) -> anyhow::Result<Api> {
    let text = read(root, path, revision)?;
    let raw = parse(&text).with_context(|| format!("{path} at {}", revision.label()))?;
    Ok(Api::read(&raw).0)
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

/// Why a field the generated builder must now be given is breaking.
const MUST_SET: &str = "the generated builder must now be given it (`try_into()` fails without it)";

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

impl Role {
    /// The role of a component, given the names of the POST bodies (a PATCH body's wins).
    fn of(component: &Component, post_bodies: &[&str]) -> Role {
        if component.kind == Kind::PatchBody {
            Role::PatchBody
        } else if post_bodies.contains(&component.name.as_str()) {
            Role::PostBody
        } else {
            Role::Struct
        }
    }
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
        let patch = role == Role::PatchBody;
        Shape {
            option: (patch && !nullable) || (!patch && (!required || nullable)),
            patch: patch && nullable,
            must_set: !patch && required,
            constructor: role == Role::PostBody && required,
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

/// Collects the changes between two models.
struct Differ<'a> {
    old: &'a Api,
    new: &'a Api,
    changes: Vec<Change>,
}

/// `info.version` and the tags' handles.
impl Differ<'_> {
    fn push(&mut self, impact: Impact, subject: &str, what: impl Into<String>, reason: &str) {
        self.changes.push(Change {
            impact,
            subject: subject.to_owned(),
            what: what.into(),
            reason: reason.to_owned(),
        });
    }

    fn version(&mut self) {
        let (old, new) = (&self.old.version, &self.new.version);
        if old != new {
            let what = format!("{} -> {}", or_none(Some(old)), or_none(Some(new)));
            let reason =
                "every request sends it as `Metorial-Version`: the API may answer differently";
            self.push(Breaking, "info.version", what, reason);
        }
    }

    fn tags(&mut self) {
        let (old, new) = (&self.old.tags, &self.new.tags);
        for (name, new_handle) in new {
            let old_handle = old
                .iter()
                .find(|(n, _)| n == name)
                .and_then(|(_, h)| h.as_deref());
            let new_handle = new_handle.as_deref();
            let (impact, reason) = match (old_handle, new_handle) {
                (None, None) => continue,
                (Some(a), Some(b)) if a == b => continue,
                (None, Some(_)) => (Additive, "the SDK gains a handle for the tag"),
                _ => (Breaking, "the SDK's handle method is renamed or removed"),
            };
            let (a, b) = (or_none(old_handle), or_none(new_handle));
            let what = format!("x-metorial-handle: {a} -> {b}");
            self.push(impact, &format!("tag {name}"), what, reason);
        }
        for (name, handle) in old {
            if let Some(handle) = handle
                && !new.iter().any(|(n, _)| n == name)
            {
                let what = format!("removed (with handle `{}`)", or_none(Some(handle)));
                let reason = "the SDK's handle method disappears";
                self.push(Breaking, &format!("tag {name}"), what, reason);
            }
        }
    }
}

/// Operations: their requests, responses and SDK names.
impl Differ<'_> {
    fn operations(&mut self) {
        let (old, new) = (self.old, self.new);
        for op in &new.operations {
            let subject = format!("operation {}", key(op));
            match old.operations.iter().find(|o| key(o) == key(op)) {
                Some(before) => self.operation(&subject, before, op),
                None => {
                    let what = format!("added ({})", op.endpoint());
                    let reason = "a new client method and mock helper";
                    self.push(Additive, &subject, what, reason);
                }
            }
        }
        for op in &old.operations {
            if !new.operations.iter().any(|o| key(o) == key(op)) {
                let (subject, what) = (format!("operation {}", key(op)), op.endpoint());
                let reason = "its client method and mock helper disappear";
                self.push(Breaking, &subject, format!("removed (was {what})"), reason);
            }
        }
    }

    fn operation(&mut self, subject: &str, old: &Operation, new: &Operation) {
        let (before, after) = (old.endpoint(), new.endpoint());
        if before != after {
            let what = format!("moved: {before} -> {after}");
            let reason = "the same Rust method now sends another request (mocks and servers of the old one no longer match)";
            self.push(Breaking, subject, what, reason);
        }
        // The SDK's names exist only for operations of a tag with a handle.
        let sdk = self.old.in_sdk(old) && self.new.in_sdk(new);
        let (before, after) = (&old.method_name, &new.method_name);
        if sdk && before != after {
            let what = format!("SDK method `{before}` renamed `{after}` (x-metorial-method)");
            let reason = "code calling the SDK handle's method no longer compiles";
            self.push(Breaking, subject, what, reason);
        }
        self.wait(subject, old, new);
        self.secret_response(subject, old, new);
        self.parameters(subject, old, new, sdk);
        self.request_body(subject, old.body.as_ref(), new.body.as_ref());
        self.responses(subject, old, new);
    }

    fn wait(&mut self, subject: &str, old: &Operation, new: &Operation) {
        let (impact, what, reason) = match (&old.wait, &new.wait) {
            (None, Some(_)) => (Additive, "added", "the handle gains `wait_for_completion`"),
            (Some(_), None) => (
                Breaking,
                "removed",
                "the handle's `wait_for_completion` disappears",
            ),
            (Some(a), Some(b)) if (&a.done, &a.failed) != (&b.done, &b.failed) => (
                Breaking,
                "statuses changed",
                "`wait_for_completion` ends on other statuses",
            ),
            _ => return,
        };
        self.push(impact, subject, format!("x-metorial-wait {what}"), reason);
    }

    fn secret_response(&mut self, subject: &str, old: &Operation, new: &Operation) {
        let (before, after) = (old.secret_response, new.secret_response);
        if before != after {
            let what = format!("x-metorial-secret-response: {before} -> {after}");
            let reason = "no signature changes: only whether the SDK keeps the response body in errors and logs";
            self.push(Additive, subject, what, reason);
        }
    }

    fn parameters(&mut self, subject: &str, old: &Operation, new: &Operation, sdk: bool) {
        let same = |a: &Parameter, b: &Parameter| a.name == b.name && a.place == b.place;
        let unset = "the request builder's `send()` fails unless it is set";
        for param in &new.parameters {
            let before = old.parameters.iter().find(|p| same(p, param));
            let change = match (before.map(|p| p.required), param.required) {
                (None, true) => Some((Breaking, "added (required)", unset)),
                (None, false) => Some((
                    Additive,
                    "added (optional)",
                    "a new optional setter on the request builder and the mock",
                )),
                (Some(false), true) => Some((Breaking, "becomes required", unset)),
                (Some(true), false) => Some((
                    Additive,
                    "becomes optional",
                    "its setter stays; leaving it unset is now allowed",
                )),
                _ => None,
            };
            if let Some((impact, change, reason)) = change {
                self.push(impact, subject, describe(param, change), reason);
            }
            if let Some(before) = before {
                self.parameter(subject, before, param, sdk);
            }
        }
        for param in &old.parameters {
            if !new.parameters.iter().any(|p| same(p, param)) {
                let reason = "its setter on the request builder and the mock disappears";
                self.push(Breaking, subject, describe(param, "removed"), reason);
            }
        }
    }

    /// A parameter on both sides: its SDK setter and its schema.
    fn parameter(&mut self, subject: &str, old: &Parameter, new: &Parameter, sdk: bool) {
        let (before, after) = (old.sdk_setter(), new.sdk_setter());
        if sdk && new.place == Place::Query && before != after {
            let change = format!("SDK setter `{before}` renamed `{after}` (x-metorial-setter)");
            let reason = "code calling the SDK's list-parameter setter no longer compiles";
            self.push(Breaking, subject, describe(new, &change), reason);
        }
        let at = format!("{subject}, {} parameter `{}`", new.place.name(), new.name);
        self.schema(&at, &old.schema, &new.schema);
    }

    fn request_body(&mut self, subject: &str, old: Option<&Body>, new: Option<&Body>) {
        let unset = "the request builder's `send()` fails unless `body` is set";
        let change = match (old.map(|b| b.required), new.map(|b| b.required)) {
            (Some(false), Some(true)) => Some((Breaking, "becomes required", unset)),
            (Some(true), Some(false)) => Some((
                Additive,
                "becomes optional",
                "the `body` setter stays; leaving it unset is now allowed",
            )),
            (None, Some(true)) => Some((Breaking, "added (required)", unset)),
            (None, Some(false)) => Some((
                Additive,
                "added (optional)",
                "a new optional `body` setter on the request builder",
            )),
            (Some(_), None) => Some((
                Breaking,
                "removed",
                "the request builder's `body` setter disappears",
            )),
            _ => None,
        };
        if let Some((impact, what, reason)) = change {
            self.push(impact, subject, format!("request body {what}"), reason);
        }
        if let (Some(a), Some(b)) = (old, new) {
            self.schema(&format!("{subject}, request body"), &a.json, &b.json);
        }
    }

    fn responses(&mut self, subject: &str, old: &Operation, new: &Operation) {
        let reason = "progenitor's return or error type changes";
        for (code, schema) in &new.responses {
            let Some((_, before)) = old.responses.iter().find(|(c, _)| c == code) else {
                let what = format!("response {code} added");
                self.push(Breaking, subject, what, reason);
                continue;
            };
            let what = match (response_body(before), response_body(schema)) {
                (None, None) => continue,
                (Some(a), Some(b)) => {
                    self.schema(&format!("{subject}, response {code}"), a, b);
                    continue;
                }
                (None, Some(_)) => format!("response {code} gains a body"),
                (Some(_), None) => format!("response {code} loses its body"),
            };
            self.push(Breaking, subject, what, reason);
        }
        for (code, _) in &old.responses {
            if !new.responses.iter().any(|(c, _)| c == code) {
                let what = format!("response {code} removed");
                self.push(Breaking, subject, what, reason);
            }
        }
    }
}

/// Component schemas: their roles, properties, types, values and variants.
impl Differ<'_> {
    fn components(&mut self) {
        let (old, new) = (self.old, self.new);
        let post_bodies = (old.body_schemas("post"), new.body_schemas("post"));
        for component in &new.components {
            let subject = format!("schema {}", component.name);
            let Some(before) = old.component(&component.name) else {
                self.push(Additive, &subject, "added", "a new type");
                continue;
            };
            if matches!(component.kind, Kind::HandWritten(_)) {
                continue;
            }
            let roles = (
                Role::of(before, &post_bodies.0),
                Role::of(component, &post_bodies.1),
            );
            self.role_change(&subject, roles);
            self.schema_with_roles(&subject, roles, &before.schema, &component.schema);
        }
        for component in &old.components {
            if new.component(&component.name).is_none() {
                let subject = format!("schema {}", component.name);
                let reason = "the type disappears";
                self.push(Breaking, &subject, "removed", reason);
            }
        }
    }

    fn role_change(&mut self, subject: &str, (old, new): (Role, Role)) {
        let (impact, what, reason) = match (old, new) {
            (a, b) if a == b => return,
            (Role::Struct, Role::PostBody) => (
                Additive,
                "becomes a POST body",
                "it gains `new(..)` and one setter per optional field",
            ),
            (_, Role::PatchBody) | (Role::PatchBody, _) => (
                Breaking,
                "becomes or stops being a PATCH body",
                "its fields change between `Option<T>`/`Patch<T>` and its builder changes",
            ),
            _ => (
                Breaking,
                "is no longer a POST body",
                "its `new(..)` and setters disappear",
            ),
        };
        self.push(impact, subject, what, reason);
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
            self.push(Breaking, subject, what, "its Rust type changes");
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
            let what = format!("enum value `{value}` added");
            self.push(Additive, subject, what, reason);
        }
        for value in old.iter().filter(|v| !new.contains(v)) {
            let reason = if open {
                "its variant disappears: code naming it no longer compiles"
            } else {
                "the value is no longer accepted"
            };
            let what = format!("enum value `{value}` removed");
            self.push(Breaking, subject, what, reason);
        }
    }

    fn variants(&mut self, subject: &str, old: &[Value], new: &[Value]) {
        let (before, after) = (keyed_variants(old), keyed_variants(new));
        for (key, variant) in &after {
            if let Some((_, old_variant)) = before.iter().find(|(k, _)| k == key) {
                self.schema(&format!("{subject}({key})"), old_variant, variant);
            } else {
                let reason = "the union gains a variant (a `match` keeps a wildcard arm)";
                let what = format!("variant `{key}` added");
                self.push(Additive, subject, what, reason);
            }
        }
        for (key, _) in &before {
            if !after.iter().any(|(k, _)| k == key) {
                let reason = "its enum variant disappears: code naming it no longer compiles";
                let what = format!("variant `{key}` removed");
                self.push(Breaking, subject, what, reason);
            }
        }
    }
}

/// The properties of an object schema: how each field is generated, and `new(..)`.
impl Differ<'_> {
    fn properties(&mut self, subject: &str, roles: (Role, Role), old: &Value, new: &Value) {
        let (old_required, new_required) = (required(old), required(new));
        for (name, schema) in properties(new) {
            let Some(old_schema) = property(old, name) else {
                let shape = Shape::of(roles.1, new_required.contains(&name), is_nullable(schema));
                self.property_added(subject, name, shape);
                continue;
            };
            let was = (old_required.contains(&name), is_nullable(old_schema));
            let is = (new_required.contains(&name), is_nullable(schema));
            if was != is {
                let shapes = (
                    Shape::of(roles.0, was.0, was.1),
                    Shape::of(roles.1, is.0, is.1),
                );
                self.property_changed(subject, name, (was, is), shapes);
            }
            self.schema(&format!("{subject}.{name}"), old_schema, schema);
        }
        for (name, _) in properties(old).filter(|(name, _)| property(new, name).is_none()) {
            let what = format!("property `{name}` removed");
            let reason = "code reading the field or calling its setter no longer compiles";
            self.push(Breaking, subject, what, reason);
        }
        if roles == (Role::PostBody, Role::PostBody) {
            self.constructor_order(subject, old, new);
        }
    }

    fn property_added(&mut self, subject: &str, name: &str, shape: Shape) {
        let (impact, kind, reason) = if shape.constructor {
            (Breaking, "required", "`new(..)` gains a parameter")
        } else if shape.must_set {
            (Breaking, "required", MUST_SET)
        } else if shape.patch {
            (
                Additive,
                "optional, nullable",
                "a new `Patch` field and setters, left unchanged by default",
            )
        } else {
            (
                Additive,
                "optional",
                "a new `Option` field, left unset by `new(..)` and the builders",
            )
        };
        let what = format!("property `{name}` added ({kind})");
        self.push(impact, subject, what, reason);
    }

    fn property_changed(
        &mut self,
        subject: &str,
        name: &str,
        ((old_req, old_null), (new_req, new_null)): ((bool, bool), (bool, bool)),
        (old, new): (Shape, Shape),
    ) {
        let flip = |was: bool, is: bool, [no, yes]: [&str; 2]| {
            let (from, to) = if is { (no, yes) } else { (yes, no) };
            (was != is).then(|| format!("{from} -> {to}"))
        };
        let parts = [
            flip(old_req, new_req, ["optional", "required"]),
            flip(old_null, new_null, ["not nullable", "nullable"]),
        ];
        let parts: Vec<String> = parts.into_iter().flatten().collect();
        let what = format!("property `{name}`: {}", parts.join(", "));
        let (impact, reason) = if old.constructor != new.constructor {
            let verb = if new.constructor { "gains" } else { "loses" };
            (Breaking, format!("`new(..)` {verb} a parameter"))
        } else if old.rust() != new.rust() {
            let (a, b) = (old.rust(), new.rust());
            (
                Breaking,
                format!("the field's type changes: `{a}` -> `{b}`"),
            )
        } else if new.must_set && !old.must_set {
            (Breaking, MUST_SET.to_owned())
        } else {
            let reason = format!("the field keeps its Rust type (`{}`)", new.rust());
            (Additive, reason)
        };
        self.push(impact, subject, what, &reason);
    }

    fn constructor_order(&mut self, subject: &str, old: &Value, new: &Value) {
        // The parameters of `new(..)`: the required names that are properties, in order.
        let params = |schema: &Value| -> Vec<String> {
            let required = required(schema);
            let params = required
                .into_iter()
                .filter(|r| property(schema, r).is_some());
            params.map(str::to_owned).collect()
        };
        let (old, new) = (params(old), params(new));
        let (mut old_sorted, mut new_sorted) = (old.clone(), new.clone());
        old_sorted.sort();
        new_sorted.sort();
        if old != new && old_sorted == new_sorted {
            let what = format!("`new({})` -> `new({})`", old.join(", "), new.join(", "));
            let reason = "the constructor's parameters are reordered";
            self.push(Breaking, subject, what, reason);
        }
    }
}

/// How reports name an operation: its `operationId`, or `METHOD path` without one.
fn key(op: &Operation) -> String {
    if op.id.is_empty() {
        op.endpoint()
    } else {
        op.id.clone()
    }
}

/// `{in} parameter `{name}` {change}`: how reports name a parameter and its change.
fn describe(param: &Parameter, change: &str) -> String {
    format!("{} parameter `{}` {change}", param.place.name(), param.name)
}

/// A response's body: its JSON schema (a `null` one is none).
fn response_body(schema: &Option<Value>) -> Option<&Value> {
    schema.as_ref().filter(|s| !s.is_null())
}

/// `allOf: [X]` (the nullable-reference pattern) is X.
fn single_all_of(schema: &Value) -> &Value {
    match array(schema, "allOf") {
        [inner] => inner,
        _ => schema,
    }
}

fn has_properties(schema: &Value) -> bool {
    schema.get("properties").is_some_and(Value::is_object)
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
        let tag = properties(variant).find_map(|(prop, schema)| match array(schema, "enum") {
            [value] => Some(format!("{prop}={}", scalar(value))),
            _ => None,
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
        return schema_name(reference).unwrap_or(reference).to_owned();
    }
    if let Some(all_of) = schema.get("allOf").and_then(Value::as_array) {
        let parts: Vec<String> = all_of.iter().map(label).collect();
        return format!("allOf({})", parts.join(", "));
    }
    if let Some(any_of) = schema.get("anyOf") {
        return match (open_enum_values(any_of), open_union_known(any_of)) {
            (Some(_), _) => "open enum".into(),
            (None, Some(known)) => format!("Open<{known}>"),
            (None, None) => "anyOf".into(),
        };
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

/// A value as reports print it: `(none)` when empty or absent.
fn or_none(value: Option<&str>) -> &str {
    value.filter(|v| !v.is_empty()).unwrap_or("(none)")
}
