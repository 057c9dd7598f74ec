//! `xtask::api_diff`: fixture pairs (`fixtures/api_diff/base.yaml` and one edit of it per
//! file), single edits of the workspace's spec, the rendered report, and git revisions.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};
use xtask::api_diff::{self, Bump, Change, Impact, Report, Revision};
use xtask::model::Api;
use xtask::spec::Spec;

fn fixture(name: &str) -> Spec {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/api_diff")
        .join(format!("{name}.yaml"));
    Spec::load(&path).expect("the fixture loads")
}

/// The report from `base.yaml` to the fixture `name`.
fn from_base(name: &str) -> Report {
    api_diff::diff_specs(&fixture("base"), &fixture(name))
}

/// The report between two documents, each read into the model as far as it goes (as
/// `api_diff::load` reads a revision).
fn diff(old: &Value, new: &Value) -> Report {
    api_diff::diff(&Api::read(old).0, &Api::read(new).0)
}

/// The only change of a report.
fn only(report: &Report) -> &Change {
    assert_eq!(report.changes.len(), 1, "{:#?}", report.changes);
    &report.changes[0]
}

fn real_spec() -> Value {
    Spec::load(&xtask::spec_path()).expect("the spec loads").raw
}

/// The workspace's spec with one edit applied to the node at `pointer`.
fn edited(pointer: &str, edit: impl FnOnce(&mut Value)) -> Value {
    let mut spec = real_spec();
    edit(spec.pointer_mut(pointer).expect("the pointer exists"));
    spec
}

fn schema(name: &str) -> String {
    format!("/components/schemas/{name}")
}

#[test]
fn identical_specs_have_no_change() {
    let report = diff(&real_spec(), &real_spec());
    assert!(report.is_empty(), "{:#?}", report.changes);
    assert_eq!(report.bump(Some("0.1.0")), None);
    assert_eq!(
        report.render("HEAD", "working tree", Some("0.1.0")),
        "no API change (HEAD -> working tree)\n"
    );
    assert!(from_base("base").is_empty());
}

#[test]
fn an_enum_value_added_is_one_additive_change() {
    let report = from_base("enum_value_added");
    let change = only(&report);
    assert_eq!(change.impact, Impact::Additive);
    assert_eq!(change.subject, "schema GadgetStatus");
    assert_eq!(change.what, "enum value `broken` added");
    assert_eq!(report.bump(Some("0.1.0")), Some(Bump::Patch));

    // The same edit of the workspace's spec: one change too, though the enum is used by a
    // filter, the sessions and the SDK's `x-metorial-wait`.
    let spec = edited(
        &schema("ProviderSetupSessionStatus/anyOf/0/enum"),
        |values| {
            values.as_array_mut().unwrap().push(json!("paused"));
        },
    );
    let report = diff(&real_spec(), &spec);
    let change = only(&report);
    assert_eq!(change.impact, Impact::Additive);
    assert_eq!(change.subject, "schema ProviderSetupSessionStatus");
    assert!(change.what.contains("`paused`"), "{change:?}");
}

#[test]
fn a_removed_enum_value_is_breaking() {
    let report = api_diff::diff_specs(&fixture("enum_value_added"), &fixture("base"));
    let change = only(&report);
    assert_eq!(change.impact, Impact::Breaking);
    assert_eq!(change.what, "enum value `broken` removed");
}

#[test]
fn a_removed_field_is_one_breaking_change() {
    let report = from_base("field_removed");
    let change = only(&report);
    assert_eq!(change.impact, Impact::Breaking);
    assert_eq!(change.subject, "schema Gadget");
    assert_eq!(change.what, "property `color` removed");

    // A required field of the workspace's spec: still one change (not also "required").
    let spec = edited(&schema("ProviderSetupSession/properties"), |props| {
        props.as_object_mut().unwrap().remove("url");
    });
    let change = only(&diff(&real_spec(), &spec)).clone();
    assert_eq!(change.impact, Impact::Breaking);
    assert_eq!(change.what, "property `url` removed");
}

#[test]
fn a_new_operation_is_additive_and_a_removed_one_breaking() {
    let change = only(&from_base("operation_added")).clone();
    assert_eq!(change.impact, Impact::Additive);
    assert_eq!(change.subject, "operation delete_gadget");
    assert_eq!(change.what, "added (DELETE /gadgets/{gadget_id})");

    let back = api_diff::diff_specs(&fixture("operation_added"), &fixture("base"));
    assert_eq!(only(&back).impact, Impact::Breaking);
    assert_eq!(back.bump(Some("0.1.0")), Some(Bump::Minor));
}

#[test]
fn a_new_optional_query_parameter_is_additive() {
    let report = from_base("query_parameter_added");
    let change = only(&report);
    assert_eq!(change.impact, Impact::Additive);
    assert_eq!(change.subject, "operation list_gadgets");
    assert_eq!(change.what, "query parameter `status` added (optional)");
}

#[test]
fn a_new_required_query_parameter_is_breaking() {
    let spec = edited(
        "/paths/~1provider-auth-config-exports/get/parameters",
        |params| {
            let param = json!({"name": "vault_id", "in": "query", "required": true,
                               "schema": {"type": "string"}});
            params.as_array_mut().unwrap().push(param);
        },
    );
    let change = only(&diff(&real_spec(), &spec)).clone();
    assert_eq!(change.impact, Impact::Breaking);
    assert_eq!(change.what, "query parameter `vault_id` added (required)");
}

#[test]
fn a_new_required_request_field_is_breaking() {
    let report = from_base("required_request_field_added");
    let change = only(&report);
    assert_eq!(change.impact, Impact::Breaking);
    assert_eq!(change.subject, "schema CreateGadgetBody");
    assert_eq!(change.what, "property `size` added (required)");
    assert!(
        change.reason.contains("`new(..)` gains a parameter"),
        "{change:?}"
    );
}

#[test]
fn nullable_added_to_a_required_field_is_breaking() {
    let report = from_base("nullable_added");
    let change = only(&report);
    assert_eq!(change.impact, Impact::Breaking);
    assert_eq!(change.subject, "schema Gadget");
    assert_eq!(change.what, "property `id`: not nullable -> nullable");
    assert!(change.reason.contains("`T` -> `Option<T>`"), "{change:?}");
}

#[test]
fn nullable_added_to_an_optional_field_keeps_its_rust_type() {
    let spec = edited(&schema("ProviderAuthCredentials/properties/status"), |p| {
        p["nullable"] = json!(true);
    });
    let change = only(&diff(&real_spec(), &spec)).clone();
    assert_eq!(change.impact, Impact::Additive);
    assert!(change.reason.contains("`Option<T>`"), "{change:?}");
}

#[test]
fn a_response_field_becoming_required_is_breaking() {
    let require = |field: &'static str| {
        edited(
            &schema("ProviderAuthCredentials/required"),
            move |required| {
                required.as_array_mut().unwrap().push(json!(field));
            },
        )
    };
    // `status`: `Option<String>` -> `String`.
    let change = only(&diff(&real_spec(), &require("status"))).clone();
    assert_eq!(change.impact, Impact::Breaking);
    assert_eq!(change.what, "property `status`: optional -> required");
    assert!(change.reason.contains("`Option<T>` -> `T`"), "{change:?}");

    // `scopes` is nullable: still `Option`, but the builder now needs it.
    let spec = require("scopes");
    let change = only(&diff(&real_spec(), &spec)).clone();
    assert_eq!(change.impact, Impact::Breaking);
    assert!(change.reason.contains("builder"), "{change:?}");

    // The other way round, when the Rust type stays `Option`: additive.
    let back = diff(&spec, &real_spec());
    assert_eq!(only(&back).impact, Impact::Additive);
}

#[test]
fn a_new_optional_response_field_is_additive() {
    let spec = edited(&schema("ProviderSetupSession/properties"), |props| {
        props["archived_at"] = json!({"type": "string", "format": "date-time"});
    });
    let change = only(&diff(&real_spec(), &spec)).clone();
    assert_eq!(change.impact, Impact::Additive);
    assert_eq!(change.what, "property `archived_at` added (optional)");
}

#[test]
fn post_body_constructor_changes_are_breaking() {
    let body = schema("CreateProviderOauthSetupBody/required");
    let spec = edited(&body, |required| *required = json!(["config", "name"]));
    let change = only(&diff(&real_spec(), &spec)).clone();
    assert_eq!(change.impact, Impact::Breaking);
    assert_eq!(change.what, "`new(name, config)` -> `new(config, name)`");

    let spec = edited(&body, |required| *required = json!(["name"]));
    let change = only(&diff(&real_spec(), &spec)).clone();
    assert_eq!(change.impact, Impact::Breaking);
    assert!(change.reason.contains("loses a parameter"), "{change:?}");
}

#[test]
fn patch_body_nullability_is_breaking() {
    let spec = edited(
        &schema("UpdateProviderSetupSessionBody/properties/name"),
        |p| p["nullable"] = json!(true),
    );
    let change = only(&diff(&real_spec(), &spec)).clone();
    assert_eq!(change.impact, Impact::Breaking);
    assert!(change.reason.contains("`Patch<T>`"), "{change:?}");
}

#[test]
fn type_changes_are_breaking() {
    let spec = edited(&schema("ProviderSetupSession/properties/url"), |p| {
        *p = json!({"type": "string", "format": "uuid"});
    });
    let change = only(&diff(&real_spec(), &spec)).clone();
    assert_eq!(change.impact, Impact::Breaking);
    assert_eq!(change.subject, "schema ProviderSetupSession.url");
    assert_eq!(change.what, "type changes: `string` -> `string (uuid)`");

    // A format typify ignores is no change of the Rust type.
    let spec = edited(&schema("ProviderSetupSession/properties/url"), |p| {
        p["format"] = json!("uri");
    });
    assert!(diff(&real_spec(), &spec).is_empty());
}

#[test]
fn a_renamed_sdk_method_is_breaking() {
    let spec = edited("/paths/~1provider-auth-config-exports/get", |op| {
        op["x-metorial-method"] = json!("all");
    });
    let report = diff(&real_spec(), &spec);
    // Only operations of a tag with an SDK handle have SDK methods.
    let has_handle = real_spec().pointer("/tags/2/x-metorial-handle").is_some();
    if !has_handle {
        assert!(report.is_empty(), "{:#?}", report.changes);
        return;
    }
    let change = only(&report);
    assert_eq!(change.impact, Impact::Breaking);
    assert!(change.what.contains("`list` renamed `all`"), "{change:?}");
}

#[test]
fn the_report_renders_each_change_and_the_bump() {
    let report = api_diff::diff_specs(&fixture("field_removed"), &fixture("enum_value_added"));
    let text = report.render("HEAD", "working tree", Some("0.1.0"));
    let expected = "\
API changes (HEAD -> working tree): 0 breaking, 2 additive
  ADDITIVE  schema Gadget: property `color` added (optional)
            a new `Option` field, left unset by `new(..)` and the builders
  ADDITIVE  schema GadgetStatus: enum value `broken` added
            an open enum gains a variant (the value decoded as `Unknown` before; a `match` keeps a wildcard arm)
implies: patch (additive) version bump: 0.1.0 -> 0.1.1 (0.x crates: breaking bumps the minor version, additive the patch)
";
    assert_eq!(text, expected);

    let report = api_diff::diff_specs(&fixture("base"), &fixture("nullable_added"));
    let last = report.render("a", "b", Some("0.3.2"));
    assert!(
        last.ends_with("implies: minor (breaking) version bump: 0.3.2 -> 0.4.0 (0.x crates: breaking bumps the minor version, additive the patch)\n"),
        "{last}"
    );
    assert_eq!(
        report.bump_line(None).as_deref(),
        Some(
            "implies: minor (breaking) version bump (0.x crates: breaking bumps the minor version, additive the patch)"
        )
    );
    assert_eq!(report.bump(Some("1.2.3")), Some(Bump::Major));
    assert_eq!(Bump::Major.apply("1.2.3").as_deref(), Some("2.0.0"));
    assert_eq!(Bump::Patch.apply("not a version"), None);
}

#[test]
fn breaking_changes_come_first() {
    // From the spec before the live shapes to today's: many changes of both kinds.
    let old = Spec::load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/drift/old-spec.yaml"),
    )
    .expect("the old spec loads");
    let report = diff(&old.raw, &real_spec());
    assert!(report.count(Impact::Breaking) > 0 && report.count(Impact::Additive) > 0);
    let first_additive = report
        .changes
        .iter()
        .position(|c| c.impact == Impact::Additive)
        .unwrap();
    assert!(
        report.changes[first_additive..]
            .iter()
            .all(|c| c.impact == Impact::Additive)
    );
}

#[test]
fn an_operation_todays_rules_refuse_still_compares() {
    // A list filter of a type the SDK cannot set: the model has a problem with the operation
    // (no list facts) but reads the rest of it, so the change is the parameter alone.
    let spec = edited(
        "/paths/~1provider-setup-sessions/get/parameters",
        |params| {
            let param = json!({"name": "score", "in": "query", "schema": {"type": "number"}});
            params.as_array_mut().unwrap().push(param);
        },
    );
    assert!(!Api::read(&spec).1.is_empty());
    let change = only(&diff(&real_spec(), &spec)).clone();
    assert_eq!(change.impact, Impact::Additive);
    assert_eq!(change.what, "query parameter `score` added (optional)");
    assert!(diff(&spec, &spec).is_empty());
}

#[test]
fn malformed_documents_do_not_panic() {
    let shapes = [
        json!(null),
        json!([]),
        json!({"paths": 3, "components": {"schemas": []}}),
        json!({"paths": {"/x": {"get": {"parameters": [{"$ref": "#/nowhere"}, 1],
               "requestBody": 2, "responses": []}}},
               "components": {"schemas": {"A": {"properties": 1, "required": "x",
               "oneOf": {}, "anyOf": [1, 2], "items": true}}}}),
    ];
    for old in &shapes {
        for new in &shapes {
            let _ = diff(old, new).render("a", "b", Some("x"));
        }
        let _ = diff(old, &real_spec());
        let _ = diff(&real_spec(), old);
    }
}

fn git_available() -> bool {
    Command::new("git")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .output()
        .expect("git runs");
    assert!(status.status.success(), "git {args:?}: {status:?}");
}

fn fixture_text(name: &str) -> String {
    let path: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/api_diff")
        .join(format!("{name}.yaml"));
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn revisions_of_a_git_repository() {
    if !git_available() {
        eprintln!("skipped: git is not installed");
        return;
    }
    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path();
    std::fs::create_dir(dir.join("spec")).unwrap();
    let spec = dir.join(api_diff::SPEC_IN_REPO);
    git(dir, &["init", "-q"]);
    std::fs::write(&spec, fixture_text("base")).unwrap();
    git(dir, &["add", "."]);
    git(dir, &["commit", "-q", "-m", "base"]);
    std::fs::write(&spec, fixture_text("field_removed")).unwrap();
    git(dir, &["commit", "-q", "-a", "-m", "remove a field"]);
    std::fs::write(&spec, fixture_text("enum_value_added")).unwrap();

    let path = api_diff::SPEC_IN_REPO;
    let git_rev = |rev: &str| Revision::Git(rev.to_owned());
    let report = api_diff::compare(dir, path, &git_rev("HEAD~1"), &git_rev("HEAD")).unwrap();
    assert_eq!(only(&report).what, "property `color` removed");
    let report = api_diff::compare(dir, path, &git_rev("HEAD"), &Revision::Worktree).unwrap();
    assert_eq!(report.count(Impact::Additive), 2, "{:#?}", report.changes);
    let report = api_diff::compare(dir, path, &git_rev("HEAD~1"), &Revision::Worktree).unwrap();
    assert_eq!(only(&report).what, "enum value `broken` added");

    let error = api_diff::compare(dir, path, &git_rev("nope"), &Revision::Worktree).unwrap_err();
    assert!(format!("{error:#}").contains("git show nope:"), "{error:#}");
    let error = api_diff::read(dir, path, &git_rev("--output=x")).unwrap_err();
    assert!(
        format!("{error:#}").contains("not a git revision"),
        "{error:#}"
    );
}

#[test]
fn the_api_diff_command_prints_the_report() {
    let head = Command::new("git")
        .arg("-C")
        .arg(xtask::workspace_root())
        .args(["rev-parse", "--verify", "-q", "HEAD"])
        .output();
    if !head.is_ok_and(|o| o.status.success()) {
        eprintln!("skipped: the workspace is not a git checkout");
        return;
    }
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["api-diff", "HEAD", "HEAD"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "no API change (HEAD -> HEAD)\n"
    );
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["api-diff", "--nope"])
        .output()
        .unwrap();
    assert!(!output.status.success());
}

#[test]
fn revision_arguments() {
    assert_eq!(Revision::parse("WORKTREE"), Revision::Worktree);
    assert_eq!(Revision::parse("v0.1.0"), Revision::Git("v0.1.0".into()));
    assert_eq!(Revision::Worktree.label(), "working tree");
    assert_eq!(
        api_diff::workspace_version(&xtask::workspace_root()).as_deref(),
        Some(env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn union_variants_are_compared_by_tag() {
    let rules = schema("KnownToolFilterRule/oneOf");
    let spec = edited(&rules, |variants| {
        let variant = json!({"type": "object", "required": ["type", "ids"], "properties": {
            "type": {"type": "string", "enum": ["tool_ids"]},
            "ids": {"type": "array", "items": {"type": "string"}}}});
        variants.as_array_mut().unwrap().insert(0, variant);
    });
    let change = only(&diff(&real_spec(), &spec)).clone();
    assert_eq!(change.impact, Impact::Additive);
    assert_eq!(change.what, "variant `type=tool_ids` added");

    let back = diff(&spec, &real_spec());
    assert_eq!(only(&back).impact, Impact::Breaking);

    let spec = edited(&format!("{rules}/1/properties"), |props| {
        props.as_object_mut().unwrap().remove("pattern");
    });
    let change = only(&diff(&real_spec(), &spec)).clone();
    assert_eq!(change.impact, Impact::Breaking);
    assert_eq!(
        change.subject,
        "schema KnownToolFilterRule(type=tool_regex)"
    );
    assert_eq!(change.what, "property `pattern` removed");
}
