//! `cargo xtask drill`: proof that a spec change regenerates into a workspace that still
//! builds, with no hand edit.
//!
//! The drill copies the workspace (the files git tracks or would track) into
//! `<target>/drill/workspace`, applies [`EDITS`] to the copy's spec (the changes a maintainer
//! makes most: an optional field on every object, an enum value, a list filter, an operation
//! on an existing resource, a new resource with list and get), regenerates the copy with this
//! very generator, then runs `cargo check --workspace --all-targets`, every test of the
//! emulator's crate and the CLI's command-tree test there, sharing `<target>/drill/target`
//! from run to run.
//!
//! Before building, `api-diff` must call every change of the edits additive and report each
//! change an edit lists ([`check_verdicts`]); the build then proves that verdict: the
//! hand-written code (the SDK's resource layer, the emulator, the command-line tool, examples
//! and tests) still builds against the changes.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use serde_json::{Value, json};

use crate::api_diff::{self, Impact, Report};
use crate::model::Api;
use crate::spec::Spec;

/// One edit of the drill: a name (for messages), what it does to the raw spec, and the
/// changes `api-diff` must call additive for it.
pub struct Edit {
    /// What the edit is.
    pub name: &'static str,
    /// Applies it.
    pub apply: fn(&mut Value) -> anyhow::Result<()>,
    /// Changes `api-diff` must report for it, each additive, as `subject: what` of an
    /// [`api_diff::Change`] (a sample when the edit changes many schemas alike).
    pub additive: &'static [&'static str],
}

/// The drill's spec edits, in order. Every one is additive.
pub const EDITS: &[Edit] = &[
    Edit {
        name: "an optional, nullable field on every object schema, nested ones included",
        apply: optional_field_everywhere,
        additive: &[
            "schema ProviderSetupSession: property `drill_note` added (optional)",
            "schema CreateProviderSetupSessionBody: property `drill_note` added (optional)",
            "schema UpdateProviderSetupSessionBody: property `drill_note` added (optional, nullable)",
            "schema KnownToolFilter(type=allow_all): property `drill_note` added (optional)",
            "schema SetupSessionProviderSearch.groups[]: property `drill_note` added (optional)",
        ],
    },
    Edit {
        name: "a value of the setup session status enumeration",
        apply: enum_value,
        additive: &["schema ProviderSetupSessionStatus: enum value `drill_paused` added"],
    },
    Edit {
        name: "a query filter on the setup session list",
        apply: list_filter,
        additive: &[
            "operation list_provider_setup_sessions: query parameter `drill_label` added (optional)",
        ],
    },
    Edit {
        name: "an operation on an existing resource (delete an OAuth setup)",
        apply: operation_on_existing_resource,
        additive: &[
            "operation delete_provider_oauth_setup: added (DELETE /provider-deployments/{provider_deployment_id}/oauth-setups/{provider_oauth_setup_id})",
        ],
    },
    Edit {
        name: "a new resource with list and get",
        apply: new_resource,
        additive: &[
            "tag provider-drill-widgets: x-metorial-handle: (none) -> drill_widgets",
            "schema ProviderDrillWidget: added",
            "schema ProviderDrillWidgetList: added",
            "operation list_provider_drill_widgets: added (GET /provider-drill-widgets)",
            "operation get_provider_drill_widget: added (GET /provider-drill-widgets/{provider_drill_widget_id})",
        ],
    },
];

/// The spec with every edit of [`EDITS`] applied.
pub fn edited_spec(raw: &Value) -> anyhow::Result<Value> {
    let mut spec = raw.clone();
    for edit in EDITS {
        (edit.apply)(&mut spec).with_context(|| format!("drill edit: {}", edit.name))?;
    }
    Ok(spec)
}

/// `api-diff`'s verdict on the drill's edits of `raw` (`edited`, from [`edited_spec`]): it must
/// call no change breaking, and report every change of each edit's [`Edit::additive`]. The
/// report is returned; the drill's build then checks the additive verdict against what
/// compiles.
pub fn check_verdicts(raw: &Value, edited: &Value) -> anyhow::Result<Report> {
    let old = Api::from_raw(raw).context("reading the spec into the model")?;
    let new = Api::from_raw(edited).context("reading the edited spec into the model")?;
    let report = api_diff::diff(&old, &new);
    let breaking: Vec<String> = report
        .changes
        .iter()
        .filter(|c| c.impact == Impact::Breaking)
        .map(|c| format!("{}: {} ({})", c.subject, c.what, c.reason))
        .collect();
    if !breaking.is_empty() {
        bail!(
            "api-diff calls the drill's edits breaking (each is meant to be additive):\n  {}",
            breaking.join("\n  ")
        );
    }
    let changes = report.changes.iter();
    let reported: Vec<String> = changes
        .map(|c| format!("{}: {}", c.subject, c.what))
        .collect();
    for Edit { name, additive, .. } in EDITS {
        if let Some(change) = additive.iter().find(|c| !reported.iter().any(|r| r == *c)) {
            bail!("api-diff does not report `{change}` (drill edit: {name})");
        }
    }
    Ok(report)
}

/// Runs the drill for the workspace at `root`, building in `target` (a directory of its own,
/// kept between runs).
pub fn run(root: &Path, target: &Path) -> anyhow::Result<()> {
    let copy = target.join("workspace");
    println!("drill: copying the workspace to {}", copy.display());
    copy_workspace(root, &copy)?;
    let spec_path = copy.join("spec/metorial.yaml");
    let raw: Value = serde_norway::from_str(&std::fs::read_to_string(&spec_path)?)
        .context("reading the copy's spec")?;
    let edited = edited_spec(&raw)?;
    for edit in EDITS {
        println!("drill: edit: {}", edit.name);
    }
    let report = check_verdicts(&raw, &edited)?;
    println!(
        "drill: api-diff calls the edits additive ({} change(s)); the build checks that verdict",
        report.count(Impact::Additive)
    );
    let yaml = serde_norway::to_string(&edited)?;
    std::fs::write(&spec_path, &yaml)?;
    let files = crate::generate::generate(&Spec::parse(&yaml)?).context("regenerating")?;
    let written = crate::files::write(&copy, &files)?;
    println!("drill: regenerated {} file(s)", written.len());
    // The CLI's command tree is checked by clap only when built: new flags must not collide.
    for args in [
        "check --workspace --all-targets",
        // Every test of the emulator's own crate: its routing tests put fake operations beside
        // the spec's, which a grown spec must never meet.
        "test -p metorial-emulator",
        "test -p metorial-cli --bin metorial",
    ] {
        let args: Vec<&str> = args.split(' ').collect();
        cargo(&copy, &target.join("target"), &args)?;
    }
    println!(
        "drill: the edited spec regenerates into a workspace that builds and passes \
         (api-diff's additive verdict holds)"
    );
    Ok(())
}

fn cargo(dir: &Path, target: &Path, args: &[&str]) -> anyhow::Result<()> {
    println!("drill: cargo {}", args.join(" "));
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .status()
        .context("running cargo")?;
    if !status.success() {
        bail!("`cargo {}` failed in the drill's copy", args.join(" "));
    }
    Ok(())
}

/// Copies the files git tracks, or would track, from `root` to `to` (emptied first).
fn copy_workspace(root: &Path, to: &Path) -> anyhow::Result<()> {
    let output = Command::new("git")
        .args("ls-files -z --cached --others --exclude-standard".split(' '))
        .current_dir(root)
        .output()
        .context("listing the workspace's files with git")?;
    if !output.status.success() {
        bail!(
            "git ls-files failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    if to.exists() {
        std::fs::remove_dir_all(to).with_context(|| format!("emptying {}", to.display()))?;
    }
    for name in output.stdout.split(|&b| b == 0).filter(|n| !n.is_empty()) {
        let relative = PathBuf::from(String::from_utf8_lossy(name).into_owned());
        let from = root.join(&relative);
        if !from.is_file() {
            continue; // deleted in the working tree
        }
        let dest = to.join(&relative);
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::copy(&from, &dest).with_context(|| format!("copying {}", relative.display()))?;
    }
    Ok(())
}

fn schemas(spec: &mut Value) -> anyhow::Result<&mut serde_json::Map<String, Value>> {
    spec.pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
        .context("no components.schemas")
}

fn optional_field_everywhere(spec: &mut Value) -> anyhow::Result<()> {
    schemas(spec)?.values_mut().for_each(add_optional_field);
    Ok(())
}

/// Adds `drill_note` to `schema` if it has properties, and to every schema nested in it
/// (properties, items, `oneOf` variants, ...): hand-written code must survive both.
fn add_optional_field(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            if let Some(Value::Object(properties)) = map.get_mut("properties") {
                properties.values_mut().for_each(add_optional_field);
                properties.insert(
                    "drill_note".into(),
                    json!({"type": "string", "nullable": true, "description": "Added by the drill"}),
                );
            }
            for (key, value) in map.iter_mut() {
                if key != "properties" {
                    add_optional_field(value);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(add_optional_field),
        _ => {}
    }
}

fn enum_value(spec: &mut Value) -> anyhow::Result<()> {
    schemas(spec)?
        .get_mut("ProviderSetupSessionStatus")
        .and_then(|s| s.pointer_mut("/anyOf/0/enum"))
        .and_then(Value::as_array_mut)
        .context("ProviderSetupSessionStatus is not an open enumeration")?
        .push("drill_paused".into());
    Ok(())
}

fn list_filter(spec: &mut Value) -> anyhow::Result<()> {
    spec.pointer_mut("/paths/~1provider-setup-sessions/get/parameters")
        .and_then(Value::as_array_mut)
        .context("no setup session list")?
        .push(json!({
            "name": "drill_label",
            "in": "query",
            "description": "Added by the drill",
            "schema": {"type": "string"}
        }));
    Ok(())
}

/// The standard responses of an operation returning `schema`.
fn responses(schema: &str) -> Value {
    json!({
        "200": {"description": "The object.", "content": {"application/json": {
            "schema": {"$ref": format!("#/components/schemas/{schema}")}}}},
        "4XX": {"$ref": "#/components/responses/ClientError"},
        "5XX": {"$ref": "#/components/responses/ServerError"}
    })
}

fn operation_on_existing_resource(spec: &mut Value) -> anyhow::Result<()> {
    let path = spec
        .pointer_mut(
            "/paths/~1provider-deployments~1{provider_deployment_id}~1oauth-setups~1{provider_oauth_setup_id}",
        )
        .and_then(Value::as_object_mut)
        .context("no OAuth setup path")?;
    path.insert(
        "delete".into(),
        json!({
            "operationId": "delete_provider_oauth_setup",
            "tags": ["provider-oauth-setups"],
            "summary": "Delete OAuth setup",
            "description": "Added by the drill.",
            "responses": responses("ProviderOauthSetup")
        }),
    );
    Ok(())
}

fn new_resource(spec: &mut Value) -> anyhow::Result<()> {
    drill_widget_schemas(spec)?;
    drill_widget_operations(spec)
}

/// The new resource's schemas: the widget and its list.
fn drill_widget_schemas(spec: &mut Value) -> anyhow::Result<()> {
    let schemas = schemas(spec)?;
    schemas.insert(
        "ProviderDrillWidget".into(),
        json!({
            "description": "A resource added by the drill.",
            "type": "object",
            "required": ["object", "id", "name", "created_at"],
            "properties": {
                "object": {"type": "string", "description": "The object's type"},
                "id": {"type": "string", "description": "Its ID"},
                "name": {"type": "string", "nullable": true, "description": "Its name"},
                "created_at": {"type": "string", "format": "date-time", "description": "Created"}
            }
        }),
    );
    schemas.insert(
        "ProviderDrillWidgetList".into(),
        json!({
            "description": "A page of drill widgets.",
            "type": "object",
            "required": ["items", "pagination"],
            "properties": {
                "items": {"type": "array", "description": "The widgets",
                          "items": {"$ref": "#/components/schemas/ProviderDrillWidget"}},
                "pagination": {"description": "More items?",
                               "allOf": [{"$ref": "#/components/schemas/Pagination"}]}
            }
        }),
    );
    Ok(())
}

/// The new resource's tag and its list and get operations.
fn drill_widget_operations(spec: &mut Value) -> anyhow::Result<()> {
    let tags = spec
        .get_mut("tags")
        .and_then(Value::as_array_mut)
        .context("no tags")?;
    tags.push(json!({
        "name": "provider-drill-widgets",
        "x-metorial-handle": "drill_widgets",
        "description": "Widgets the drill adds."
    }));
    let paths = spec
        .get_mut("paths")
        .and_then(Value::as_object_mut)
        .context("no paths")?;
    let paging: Vec<Value> = ["Limit", "After", "Before", "Cursor", "Order"]
        .iter()
        .map(|p| json!({"$ref": format!("#/components/parameters/{p}")}))
        .collect();
    paths.insert(
        "/provider-drill-widgets".into(),
        json!({"get": {
            "operationId": "list_provider_drill_widgets",
            "tags": ["provider-drill-widgets"],
            "summary": "List drill widgets",
            "parameters": paging,
            "responses": responses("ProviderDrillWidgetList")
        }}),
    );
    paths.insert(
        "/provider-drill-widgets/{provider_drill_widget_id}".into(),
        json!({"get": {
            "operationId": "get_provider_drill_widget",
            "tags": ["provider-drill-widgets"],
            "summary": "Get drill widget",
            "parameters": [{"name": "provider_drill_widget_id", "in": "path", "required": true,
                            "description": "The widget's ID", "schema": {"type": "string"}}],
            "responses": responses("ProviderDrillWidget")
        }}),
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> Value {
        Spec::load(&crate::spec_path()).expect("the spec loads").raw
    }

    #[test]
    fn api_diff_calls_every_drill_edit_additive() {
        let raw = spec();
        let report = check_verdicts(&raw, &edited_spec(&raw).unwrap()).unwrap();
        assert_eq!(report.count(Impact::Breaking), 0);
        let listed: usize = EDITS.iter().map(|e| e.additive.len()).sum();
        assert!(report.count(Impact::Additive) > listed, "{report:#?}");
    }

    #[test]
    fn a_breaking_edit_fails_the_check() {
        let raw = spec();
        let mut edited = edited_spec(&raw).unwrap();
        let props = edited
            .pointer_mut("/components/schemas/ProviderSetupSession/properties")
            .and_then(Value::as_object_mut)
            .unwrap();
        props.remove("url");
        let error = check_verdicts(&raw, &edited).unwrap_err().to_string();
        assert!(
            error.contains("calls the drill's edits breaking"),
            "{error}"
        );
        assert!(error.contains("property `url` removed"), "{error}");

        // So does a listed change api-diff does not report (here: no edit at all).
        let error = check_verdicts(&raw, &raw).unwrap_err().to_string();
        assert!(error.contains("does not report"), "{error}");
    }
}
