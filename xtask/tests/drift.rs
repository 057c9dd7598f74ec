//! `cargo xtask drift`: recorded responses against a spec, on fixture directories.
//!
//! `fixtures/drift/old-spec.yaml` is `spec/metorial.yaml` as it was before the live API's
//! shapes were written into it; the fixtures checked against it keep their findings whatever
//! the workspace's spec becomes. Decoding uses the generated types in process
//! (`metorial_models::decode_component`), so only fixtures checked against the workspace's spec
//! are decoded.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};
use xtask::drift::{self, CommandDecoder, Finding, FnDecoder, Kind, Report};
use xtask::model::Api;
use xtask::spec::Spec;

/// The model drift reads: the spec as far as it goes (drift needs its operations and schemas,
/// not the SDK's rules).
fn model(spec: Spec) -> Api {
    Api::read(&spec.raw).0
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/drift")
}

fn old_spec() -> Api {
    model(Spec::load(&fixtures().join("old-spec.yaml")).expect("the old spec loads"))
}

/// Checks a fixture directory against the old spec, without decoding.
fn against_old_spec(dir: &str) -> Report {
    drift::check_dir(&old_spec(), &fixtures().join(dir), None).expect("the directory is checked")
}

/// Every finding as `(file, path, kind name)`.
fn found(report: &Report) -> Vec<(String, String, &'static str)> {
    report
        .triples()
        .into_iter()
        .map(|(file, path, kind)| (file, path, kind.name()))
        .collect()
}

fn expected(rows: &[(&str, &str, &'static str)]) -> Vec<(String, String, &'static str)> {
    rows.iter()
        .map(|(file, path, kind)| (file.to_string(), path.to_string(), *kind))
        .collect()
}

#[test]
fn live_shaped_responses_drift_from_the_old_spec() {
    let report = against_old_spec("live-old-spec");
    const PAY: &str = "create_provider_auth_export.payment_required.json";
    const OAUTH: &str = "get_provider_oauth_setup.json";
    const DONE: &str = "get_provider_setup_session.completed.json";
    const CONFIG: &str = "get_provider_setup_session.config_only.json";
    const MISSING: &str = "get_provider_setup_session.not_found.json";
    assert_eq!(
        found(&report),
        expected(&[
            (PAY, "$.code", "unknown-enum-value"),
            (PAY, "$.ok", "unknown-field"),
            (OAUTH, "$.status", "unknown-enum-value"),
            (DONE, "$.auth_config.auth_method.input_schema", "null"),
            (
                DONE,
                "$.auth_config.credentials.is_managed",
                "unknown-field"
            ),
            (DONE, "$.auth_config.deployment", "unknown-field"),
            (DONE, "$.auth_config.is_default", "unknown-field"),
            (DONE, "$.auth_config.tool_filter", "unknown-field"),
            (DONE, "$.auth_method.input_schema", "null"),
            (DONE, "$.configuration", "unknown-field"),
            (DONE, "$.credentials.is_managed", "unknown-field"),
            (DONE, "$.deployment.is_default", "unknown-field"),
            (DONE, "$.identity_credential_id", "unknown-field"),
            (DONE, "$.identity_id", "unknown-field"),
            (DONE, "$.ui_mode", "unknown-enum-value"),
            (CONFIG, "$.auth_method", "null"),
            (CONFIG, "$.configuration", "unknown-field"),
            (CONFIG, "$.deployment.is_default", "unknown-field"),
            (CONFIG, "$.identity_credential_id", "unknown-field"),
            (CONFIG, "$.identity_id", "unknown-field"),
            (CONFIG, "$.provider_id", "null"),
            (CONFIG, "$.ui_mode", "unknown-enum-value"),
            (MISSING, "$.id", "unknown-field"),
            (MISSING, "$.ok", "unknown-field"),
        ])
    );
    // `output_schema: null` is an optional object property: the generator makes it an
    // `Option`, so it is no finding.
    assert!(report.has_errors());
    assert_eq!(report.decoded, None);
    let config_only = &report.files[3];
    assert_eq!(
        config_only.findings[5].detail,
        "null, but the spec says string, not nullable"
    );
    assert_eq!(
        config_only.findings[6].detail,
        "\"metorial_elements\" is not one of redirect: it decodes as `Unknown`"
    );
}

#[test]
fn several_samples_of_one_operation_are_checked_each_against_their_schema() {
    let report = against_old_spec("live-old-spec");
    let sessions: Vec<(&str, Option<&str>)> = report
        .files
        .iter()
        .filter(|f| f.operation == "get_provider_setup_session")
        .map(|f| (f.file.as_str(), f.schema.as_deref()))
        .collect();
    assert_eq!(
        sessions,
        [
            (
                "get_provider_setup_session.completed.json",
                Some("ProviderSetupSession")
            ),
            (
                "get_provider_setup_session.config_only.json",
                Some("ProviderSetupSession")
            ),
            // An error body is checked against the operation's `4XX` schema.
            (
                "get_provider_setup_session.not_found.json",
                Some("ErrorBody")
            ),
        ]
    );
}

#[test]
fn every_finding_kind_is_reported_where_it_is() {
    let report = against_old_spec("kinds");
    const ERROR_TYPES: &str = "get_provider_auth_export.error_types.json";
    const EXTRA: &str = "get_provider_auth_export.unknown_field.json";
    const ENUMS: &str = "get_provider_oauth_setup.enums.json";
    const NULLS: &str = "get_provider_setup_session.nulls.json";
    const MISSING: &str = "list_provider_auth_exports.missing.json";
    const TYPES: &str = "list_provider_oauth_setups.types.json";
    assert_eq!(
        found(&report),
        expected(&[
            ("delete_everything.json", "$", "unknown-operation"),
            (ERROR_TYPES, "$.errors[0].path[1]", "wrong-type"),
            (ERROR_TYPES, "$.status", "wrong-type"),
            (
                "get_provider_auth_export.truncated.json",
                "$",
                "invalid-json"
            ),
            (EXTRA, "$.auth_config.is_default", "unknown-field"),
            (EXTRA, "$.revoked", "unknown-field"),
            (ENUMS, "$.auth_config.status", "unknown-enum-value"),
            (ENUMS, "$.auth_config.type", "unknown-enum-value"),
            (ENUMS, "$.status", "unknown-enum-value"),
            (NULLS, "$.auth_method.key", "null-optional"),
            (NULLS, "$.created_at", "null"),
            (NULLS, "$.url", "null"),
            (
                MISSING,
                "$.items[0].auth_config.provider_id",
                "missing-required"
            ),
            (MISSING, "$.items[0].id", "missing-required"),
            (MISSING, "$.pagination.has_more_after", "missing-required"),
            (TYPES, "$.items[0].auth_method.scopes", "wrong-type"),
            (TYPES, "$.items[0].created_at", "invalid-format"),
            (TYPES, "$.items[0].is_ephemeral", "wrong-type"),
            (TYPES, "$.items[0].metadata", "wrong-type"),
            (TYPES, "$.pagination.has_more_before", "wrong-type"),
            ("notes.txt", "$", "skipped"),
        ])
    );
    let ok: Vec<&str> = report
        .files
        .iter()
        .filter(|f| f.findings.is_empty())
        .map(|f| f.file.as_str())
        .collect();
    assert_eq!(
        ok,
        [
            "create_provider_auth_export.error.json",
            "get_provider_auth_export.json"
        ]
    );
}

#[test]
fn an_error_body_is_checked_against_the_error_schema() {
    let report = against_old_spec("kinds");
    let file = |name: &str| report.files.iter().find(|f| f.file == name).unwrap();
    let valid = file("create_provider_auth_export.error.json");
    assert_eq!(valid.schema.as_deref(), Some("ErrorBody"));
    assert!(valid.findings.is_empty());
    let mistyped = file("get_provider_auth_export.error_types.json");
    assert_eq!(mistyped.schema.as_deref(), Some("ErrorBody"));
    assert_eq!(
        mistyped.findings[0].detail,
        "expected one of string, integer, found boolean"
    );
    assert_eq!(
        mistyped.findings[1].detail,
        "expected integer, found string"
    );
}

#[test]
fn unknown_operations_and_files_that_are_not_json_are_errors_not_crashes() {
    let report = against_old_spec("kinds");
    let file = |name: &str| report.files.iter().find(|f| f.file == name).unwrap();
    let unknown = file("delete_everything.json");
    assert!(unknown.has_errors());
    assert_eq!(unknown.schema, None);
    assert!(
        unknown.findings[0]
            .detail
            .contains("no operation `delete_everything`")
    );
    let truncated = file("get_provider_auth_export.truncated.json");
    assert!(truncated.has_errors());
    assert!(
        truncated.findings[0]
            .detail
            .starts_with("not a JSON document: EOF while parsing"),
        "{}",
        truncated.findings[0].detail
    );
    let skipped = file("notes.txt");
    assert!(!skipped.has_errors());
}

#[test]
fn warnings_alone_pass() {
    let report = against_old_spec("warnings");
    assert!(!report.has_errors());
    assert_eq!(
        found(&report),
        expected(&[
            (
                "create_provider_auth_export.payment_required.json",
                "$.code",
                "unknown-enum-value"
            ),
            (
                "create_provider_auth_export.payment_required.json",
                "$.ok",
                "unknown-field"
            ),
            (
                "get_provider_oauth_setup.opened.json",
                "$.status",
                "unknown-enum-value"
            ),
            (
                "get_provider_setup_session.not_found.json",
                "$.id",
                "unknown-field"
            ),
            (
                "get_provider_setup_session.not_found.json",
                "$.ok",
                "unknown-field"
            ),
        ])
    );
    assert_eq!(
        report.summary(),
        "drift: 3 file(s): 0 OK, 3 with warnings only, 0 failing; 0 error(s), 5 warning(s); \
         not decoded (schema analysis only)"
    );
}

#[test]
fn a_failing_decode_alone_fails_the_check() {
    let mut decoder = FnDecoder(|schema: &str, _json: &str| match schema {
        "ProviderOauthSetup" => Some(Err("$.status: invalid type: string, expected u8".to_owned())),
        "ErrorBody" => None,
        _ => Some(Ok(())),
    });
    let report = drift::check_dir(
        &old_spec(),
        &fixtures().join("warnings"),
        Some(&mut decoder),
    )
    .unwrap();
    assert!(report.has_errors());
    assert_eq!(report.decoded, Some(3));
    let decode: Vec<_> = found(&report)
        .into_iter()
        .filter(|(_, _, kind)| kind.starts_with("decode") || kind.starts_with("no-generated"))
        .collect();
    assert_eq!(
        decode,
        expected(&[
            (
                "create_provider_auth_export.payment_required.json",
                "$",
                "no-generated-type"
            ),
            (
                "get_provider_oauth_setup.opened.json",
                "$.status",
                "decode-failed"
            ),
            (
                "get_provider_setup_session.not_found.json",
                "$",
                "no-generated-type"
            ),
        ])
    );
    let oauth = report
        .files
        .iter()
        .find(|f| f.file.contains("oauth"))
        .unwrap();
    assert_eq!(
        oauth.findings[1].detail,
        "invalid type: string, expected u8"
    );
}

#[test]
fn the_generated_types_decode_in_process() {
    let spec = model(Spec::load(&xtask::spec_path()).expect("the workspace spec loads"));
    let mut decoder = FnDecoder(metorial_models::decode_component);
    let report = drift::check_dir(&spec, &fixtures().join("decode"), Some(&mut decoder)).unwrap();
    assert_eq!(report.decoded, Some(4));
    let decode: Vec<_> = report
        .triples()
        .into_iter()
        .filter(|(_, _, kind)| matches!(kind, Kind::DecodeFailed | Kind::NoGeneratedType))
        .collect();
    assert_eq!(
        decode,
        [
            (
                "get_provider_auth_export.bad_id.json".to_owned(),
                "$.id".to_owned(),
                Kind::DecodeFailed
            ),
            (
                "get_provider_auth_export.no_note.json".to_owned(),
                "$".to_owned(),
                Kind::DecodeFailed
            ),
        ]
    );
    let file = |name: &str| report.files.iter().find(|f| f.file == name).unwrap();
    let bad_id = file("get_provider_auth_export.bad_id.json");
    assert!(
        bad_id
            .findings
            .iter()
            .any(|f| f.path == "$.id" && f.kind == Kind::WrongType)
    );
    let detail = &bad_id
        .findings
        .iter()
        .find(|f| f.kind == Kind::DecodeFailed)
        .unwrap()
        .detail;
    assert!(
        detail.starts_with("invalid type: integer `42`, expected a string"),
        "{detail}"
    );
    let no_note = file("get_provider_auth_export.no_note.json");
    assert!(
        no_note
            .findings
            .iter()
            .any(|f| f.path == "$.note" && f.kind == Kind::MissingRequired)
    );
    assert!(report.has_errors());
    assert_eq!(
        metorial_models::decode_component("NoSuchSchema", "{}"),
        None
    );
}

#[test]
fn live_examples_of_the_workspace_spec_show_no_drift() {
    let dir = xtask::workspace_root().join("spec/examples/live");
    let spec = model(Spec::load(&xtask::spec_path()).expect("the workspace spec loads"));
    let mut decoder = FnDecoder(metorial_models::decode_component);
    let report = drift::check_dir(&spec, &dir, Some(&mut decoder)).unwrap();
    assert!(report.triples().is_empty(), "{}", report.render());
}

#[test]
fn a_command_decoder_speaks_the_decode_examples_protocol() {
    let script = r#"while IFS="$(printf '\t')" read -r schema file; do
  case "$schema" in
    ErrorBody) printf '{"schema":"%s","file":"%s","result":"ok"}\n' "$schema" "$file" ;;
    *) printf '{"schema":"%s","file":"%s","result":"error","error":"$.status: no"}\n' "$schema" "$file" ;;
  esac
done"#;
    let mut decoder = CommandDecoder {
        program: "sh".into(),
        args: vec!["-c".into(), script.into()],
        cwd: fixtures(),
    };
    let report = drift::check_dir(
        &old_spec(),
        &fixtures().join("warnings"),
        Some(&mut decoder),
    )
    .unwrap();
    let decode: Vec<_> = found(&report)
        .into_iter()
        .filter(|(_, _, kind)| *kind == "decode-failed")
        .collect();
    assert_eq!(
        decode,
        expected(&[(
            "get_provider_oauth_setup.opened.json",
            "$.status",
            "decode-failed"
        )])
    );

    let mut broken = CommandDecoder {
        program: "sh".into(),
        args: vec![
            "-c".into(),
            "echo 'error[E0425]: cannot find type' >&2; exit 101".into(),
        ],
        cwd: fixtures(),
    };
    let error =
        drift::check_dir(&old_spec(), &fixtures().join("warnings"), Some(&mut broken)).unwrap_err();
    let error = format!("{error:#}");
    assert!(error.contains("pass --no-decode"), "{error}");
    assert!(error.contains("error[E0425]"), "{error}");
}

#[test]
fn the_decoder_output_must_answer_every_file() {
    let mut short = CommandDecoder {
        program: "sh".into(),
        args: vec!["-c".into(), "cat >/dev/null; echo '{}'".into()],
        cwd: fixtures(),
    };
    let error =
        drift::check_dir(&old_spec(), &fixtures().join("warnings"), Some(&mut short)).unwrap_err();
    assert!(
        format!("{error:#}").contains("answered 1 line(s) for 3 file(s)"),
        "{error:#}"
    );
}

/// A spec using what the workspace's does not (yet): closed enums, `additionalProperties:
/// false`, open unions, defaults, a response without a body.
const SMALL_SPEC: &str = r##"
openapi: 3.0.3
info: { title: Things, version: "1" }
paths:
  /things/{id}:
    parameters:
      - { name: id, in: path, required: true, schema: { type: string } }
    get:
      operationId: get_thing
      responses:
        '200':
          description: A thing.
          content:
            application/json:
              schema: { $ref: '#/components/schemas/Thing' }
    delete:
      operationId: delete_thing
      responses:
        '200': { description: Gone, no body. }
components:
  schemas:
    Thing:
      type: object
      additionalProperties: false
      required: [id, shape, filter]
      properties:
        id: { type: string }
        shape: { type: string, enum: [round, square] }
        filter: { $ref: '#/components/schemas/Filter' }
        weight: { type: integer, default: 0 }
        "odd key": { type: string }
    Filter:
      anyOf:
        - $ref: '#/components/schemas/KnownFilter'
        - { type: object, additionalProperties: true }
    KnownFilter:
      oneOf:
        - type: object
          required: [type]
          properties: { type: { type: string, enum: [allow_all] } }
        - type: object
          required: [type, keys]
          properties:
            type: { type: string, enum: [keys] }
            keys: { type: array, items: { type: string } }
"##;

#[test]
fn closed_enums_forbidden_fields_open_unions_and_bodiless_responses() {
    let spec = model(Spec::parse(SMALL_SPEC).expect("the small spec loads"));
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, json: &str| std::fs::write(dir.path().join(name), json).unwrap();
    write(
        "get_thing.json",
        r#"{"id": "t1", "shape": "oval", "filter": {"type": "keys", "keys": ["a"]}, "extra": 1, "odd key": 2}"#,
    );
    write(
        "get_thing.new_filter.json",
        r#"{"id": "t2", "shape": "round", "filter": {"type": "by_label"}, "weight": null}"#,
    );
    write(
        "get_thing.known_filter.json",
        r#"{"id": "t3", "shape": "round", "filter": {"type": "allow_all", "more": true}}"#,
    );
    write("delete_thing.json", r#"{"id": "t1"}"#);
    let report = drift::check_dir(&spec, dir.path(), None).unwrap();
    assert_eq!(
        found(&report),
        expected(&[
            ("delete_thing.json", "$", "no-schema"),
            ("get_thing.json", "$.extra", "forbidden-field"),
            ("get_thing.json", "$[\"odd key\"]", "wrong-type"),
            ("get_thing.json", "$.shape", "invalid-enum-value"),
            (
                "get_thing.known_filter.json",
                "$.filter.more",
                "unknown-field"
            ),
            ("get_thing.new_filter.json", "$.filter", "unknown-variant"),
            // An optional property with a default is no `Option`: `null` does not decode.
            ("get_thing.new_filter.json", "$.weight", "null"),
        ])
    );
    let variant = &report.files[3].findings[0].detail;
    assert!(
        variant.starts_with("\"by_label\" matches no variant of `KnownFilter`"),
        "{variant}"
    );
}

#[test]
fn an_empty_or_missing_directory_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let error = drift::check_dir(&old_spec(), dir.path(), None).unwrap_err();
    assert!(
        format!("{error:#}").contains("holds no recorded response"),
        "{error:#}"
    );
    let error = drift::check_dir(&old_spec(), &dir.path().join("nope"), None).unwrap_err();
    assert!(
        format!("{error:#}").contains("reading the directory"),
        "{error:#}"
    );
}

fn xtask_drift(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("drift")
        .args(args)
        .output()
        .expect("the xtask binary runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn the_binary_fails_on_what_would_not_decode_and_passes_on_warnings() {
    let old = fixtures().join("old-spec.yaml");
    let old = old.to_str().unwrap();
    let live = fixtures().join("live-old-spec");
    let (code, stdout, stderr) = xtask_drift(&[live.to_str().unwrap(), "--spec", old]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(
        stderr.contains("is not the workspace spec: not decoding"),
        "{stderr}"
    );
    assert!(
        stdout.contains(
            "FAIL get_provider_setup_session.config_only.json (get_provider_setup_session -> ProviderSetupSession)\n  error   $.auth_method null: null, but the spec says `ProviderAuthMethod`, not nullable\n"
        ),
        "{stdout}"
    );
    assert!(
        stdout.ends_with(
            "drift: 5 file(s): 0 OK, 3 with warnings only, 2 failing; 4 error(s), 20 warning(s); not decoded (schema analysis only)\n"
        ),
        "{stdout}"
    );

    let warnings = fixtures().join("warnings");
    let (code, stdout, _) =
        xtask_drift(&["--no-decode", "--spec", old, warnings.to_str().unwrap()]);
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.contains("WARN get_provider_oauth_setup.opened.json"),
        "{stdout}"
    );

    let (code, _, stderr) = xtask_drift(&[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("Usage: cargo xtask drift <DIR>"),
        "{stderr}"
    );
    let (code, _, stderr) = xtask_drift(&["a", "b"]);
    assert_eq!(code, 2, "{stderr}");
    let (code, _, stderr) = xtask_drift(&["/no/such/dir", "--no-decode"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("error: reading the directory /no/such/dir"),
        "{stderr}"
    );
}

/// A spec of `schemas` alone.
fn schemas_spec(schemas: Value) -> Api {
    let raw = json!({
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {},
        "components": {"schemas": schemas}
    });
    model(Spec::parse(&raw.to_string()).expect("the spec loads"))
}

fn kinds(findings: &[Finding]) -> Vec<(&str, Kind)> {
    findings.iter().map(|f| (f.path.as_str(), f.kind)).collect()
}

#[test]
fn nullable_wrappers_and_free_form_objects() {
    let spec = schemas_spec(json!({
        "X": {"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}}}
    }));
    let wrapper =
        json!({"type": "object", "nullable": true, "allOf": [{"$ref": "#/components/schemas/X"}]});
    assert!(drift::check_value(&spec, &wrapper, &Value::Null).is_empty());
    let findings = drift::check_value(&spec, &wrapper, &json!({"b": {"deep": 1}}));
    assert_eq!(
        kinds(&findings),
        [("$.a", Kind::MissingRequired), ("$.b", Kind::UnknownField)]
    );
    let free = json!({"type": "object", "additionalProperties": true});
    assert!(drift::check_value(&spec, &free, &json!({"anything": [1, {"x": null}]})).is_empty());
}

#[test]
fn ref_cycles_end() {
    let spec = schemas_spec(json!({
        "A": {"$ref": "#/components/schemas/B"},
        "B": {"allOf": [{"$ref": "#/components/schemas/A"}]}
    }));
    let schema = json!({"$ref": "#/components/schemas/A"});
    let findings = drift::check_value(&spec, &schema, &json!({"x": 1}));
    assert!(findings.is_empty(), "{findings:?}");
}

#[test]
fn a_union_is_graded_by_its_closest_branch() {
    let spec = schemas_spec(json!({
        "X": {"type": "object", "nullable": true, "properties": {
            "n": {"type": "integer"},
            "s": {"type": "string", "format": "date-time"},
            "list": {"type": "array", "items": {"type": "string"}}
        }}
    }));
    let x = json!({"allOf": [{"$ref": "#/components/schemas/X"}]});
    let findings = drift::check_value(
        &spec,
        &x,
        &json!({"n": 1.5, "s": "soon", "list": ["a", 2], "list2": null}),
    );
    assert_eq!(
        kinds(&findings),
        [
            ("$.list[1]", Kind::WrongType),
            ("$.list2", Kind::UnknownField),
            ("$.n", Kind::WrongType),
            ("$.s", Kind::InvalidFormat),
        ]
    );
    assert_eq!(findings[2].detail, "expected integer, found number");
    let findings = drift::check_value(&spec, &x, &json!("text"));
    assert_eq!(findings[0].detail, "expected `X`, found string");
}

#[test]
fn optional_properties_take_null_as_the_generated_fields_do() {
    let spec = schemas_spec(json!({
        "X": {"type": "object", "required": ["req"], "properties": {
            "req": {"type": "string"},
            "s": {"type": "string"},
            "d": {"type": "integer", "default": 0},
            "o": {"type": "object", "properties": {"k": {"type": "string"}}},
            "a": {"type": "array", "items": {"type": "string"}},
            "r": {"allOf": [{"$ref": "#/components/schemas/Y"}]},
            "e": {"$ref": "#/components/schemas/E"},
            "u": {"$ref": "#/components/schemas/U"}
        }},
        "Y": {"type": "object", "properties": {"k": {"type": "string"}}},
        "E": {"anyOf": [{"type": "string", "enum": ["a"]}, {"type": "string"}]},
        "U": {"anyOf": [{"$ref": "#/components/schemas/Y"}, {"type": "object"}]}
    }));
    let x = json!({"$ref": "#/components/schemas/X"});
    let all_null = json!({"req": null, "s": null, "d": null, "o": null, "a": null, "r": null, "e": null, "u": null});
    let findings = drift::check_value(&spec, &x, &all_null);
    assert_eq!(
        kinds(&findings),
        [
            ("$.d", Kind::Null),
            ("$.e", Kind::NullOptional),
            ("$.r", Kind::NullOptional),
            ("$.req", Kind::Null),
            ("$.s", Kind::NullOptional),
            ("$.u", Kind::NullOptional),
        ]
    );
    assert_eq!(
        findings[2].detail,
        "null, but the spec says `Y`, not nullable: the SDK reads it as absent"
    );
    let other = json!({"req": "x", "e": "b", "u": {"k": 1}, "o": {"k": "v", "z": 1}});
    let findings = drift::check_value(&spec, &x, &other);
    assert_eq!(
        kinds(&findings),
        [
            ("$.e", Kind::UnknownEnumValue),
            ("$.o.z", Kind::UnknownField),
            ("$.u", Kind::UnknownVariant),
        ]
    );
    assert_eq!(
        findings[2].detail,
        "an object without `type` matches no variant of `Y` ($.u.k wrong-type: expected string, \
         found integer): it decodes as an unknown variant"
    );
}
