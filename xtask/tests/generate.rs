//! The generator on small fixture specs, into memory or a temporary directory.

use serde_json::{Value, json};
use xtask::generate::{self, GeneratedFile};
use xtask::spec::Spec;

const WIDGETS: &str = include_str!("fixtures/widgets.yaml");

fn yaml(value: &Value) -> String {
    serde_norway::to_string(value).unwrap()
}

fn widgets() -> Value {
    serde_norway::from_str(WIDGETS).unwrap()
}

fn generate(spec: &Value) -> Vec<GeneratedFile> {
    generate::generate(&Spec::parse(&yaml(spec)).expect("the spec loads"))
        .expect("generation works")
}

fn contents<'a>(files: &'a [GeneratedFile], path: &str) -> &'a str {
    &files
        .iter()
        .find(|f| f.path.to_str() == Some(path))
        .expect("the file is generated")
        .contents
}

/// The error a broken spec gets, as the maintainer sees it.
fn refusal(spec: &Value) -> String {
    let error = match Spec::parse(&yaml(spec)) {
        Ok(spec) => generate::generate(&spec).expect_err("the spec is refused"),
        Err(error) => error,
    };
    format!("{error:#}")
}

#[test]
fn checked_in_files_are_current_and_generation_is_deterministic() {
    let spec = Spec::load(&xtask::spec_path()).unwrap();
    let first = generate::generate(&spec).unwrap();
    let second = generate::generate(&spec).unwrap();
    assert_eq!(first, second);
    let stale = xtask::files::check(&xtask::workspace_root(), &first);
    assert!(
        stale.is_empty(),
        "run `cargo xtask generate`:\n{}",
        stale.join("\n")
    );
    for file in &first {
        assert!(
            file.contents.starts_with(generate::HEADER),
            "{}",
            file.path.display()
        );
    }
}

#[test]
fn writes_into_a_directory_and_checks_it() {
    let dir = tempfile::tempdir().unwrap();
    let files = generate(&widgets());
    let written = xtask::files::write(dir.path(), &files).unwrap();
    assert_eq!(written.len(), 5);
    assert!(xtask::files::check(dir.path(), &files).is_empty());
    // Writing again changes nothing.
    assert!(xtask::files::write(dir.path(), &files).unwrap().is_empty());

    // A hand edit is reported as a diff naming the file.
    let models = dir.path().join(generate::MODELS);
    let edited = std::fs::read_to_string(&models)
        .unwrap()
        .replace("pub id:", "pub ident:");
    std::fs::write(&models, edited).unwrap();
    let diffs = xtask::files::check(dir.path(), &files);
    assert_eq!(diffs.len(), 1);
    assert!(diffs[0].contains(generate::MODELS), "{}", diffs[0]);
    assert!(
        diffs[0].contains("-    pub ident:") && diffs[0].contains("+    pub id:"),
        "{}",
        diffs[0]
    );
}

#[test]
fn an_added_optional_field_appears_in_the_models() {
    let mut spec = widgets();
    let before = generate(&spec);
    assert!(!contents(&before, generate::MODELS).contains("color"));

    spec["components"]["schemas"]["Widget"]["properties"]["color"] =
        json!({"type": "string", "description": "The color."});
    let after = generate(&spec);
    let models = contents(&after, generate::MODELS);
    assert!(models.contains("///The color.\n"), "{models}");
    assert!(
        models.contains("pub color: ::std::option::Option<::std::string::String>,"),
        "{models}"
    );
}

#[test]
fn an_added_field_on_the_real_spec_appears_in_the_models() {
    let mut spec: Value =
        serde_norway::from_str(&std::fs::read_to_string(xtask::spec_path()).unwrap()).unwrap();
    spec["components"]["schemas"]["ProviderSetupSession"]["properties"]["nickname"] =
        json!({"type": "string", "description": "A nickname."});
    let models = contents(&generate(&spec), generate::MODELS).to_owned();
    let session = &models[models.find("pub struct ProviderSetupSession {").unwrap()..];
    let session = &session[..session.find("\n}").unwrap()];
    assert!(
        session.contains("pub nickname: ::std::option::Option<::std::string::String>,"),
        "{session}"
    );
}

#[test]
fn an_added_enum_value_becomes_a_variant() {
    let mut spec = widgets();
    spec["components"]["schemas"]["WidgetKind"]["anyOf"][0]["enum"] =
        json!(["round", "square", "star_shaped"]);
    let models = contents(&generate(&spec), generate::MODELS).to_owned();
    assert!(
        models.contains("        StarShaped = \"star_shaped\",\n"),
        "{models}"
    );
    assert!(
        models.contains(
            "crate::open_enum::open_enum! {\n    /// What a widget is.\n    WidgetKind {"
        )
    );
}

#[test]
fn an_added_operation_appears_in_the_client_the_mocks_and_the_sdk() {
    let mut spec = widgets();
    spec["paths"]["/widgets/{id}"]["get"] = json!({
        "operationId": "get_widget",
        "tags": ["widgets"],
        "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "The widget.", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Widget"}}}}}
    });
    let files = generate(&spec);
    assert!(
        contents(&files, generate::CLIENT)
            .contains("pub fn get_widget(&self) -> builder::GetWidget<'_>")
    );
    assert!(contents(&files, generate::HTTPMOCK).contains("fn get_widget<F>(&self, config_fn: F)"));
    let sdk = contents(&files, generate::SDK);
    assert!(
        sdk.contains("pub async fn get(&self, id: &str) -> Result<::metorial_models::Widget>"),
        "{sdk}"
    );
    assert!(sdk.contains(".call(\"get_widget\")"), "{sdk}");
}

#[test]
fn an_operation_without_a_handle_is_refused() {
    let mut spec = widgets();
    spec["paths"]["/widgets/{id}"]["get"] = json!({
        "operationId": "get_widget",
        "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "The widget.", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Widget"}}}}}
    });
    let error =
        xtask::generate::generate(&xtask::spec::Spec::parse(&yaml(&spec)).unwrap()).unwrap_err();
    assert!(
        format!("{error:#}")
            .contains("operation `get_widget` has no tag with an `x-metorial-handle`"),
        "{error:#}"
    );
}

#[test]
fn patch_bodies_get_tri_state_fields() {
    let models = contents(&generate(&widgets()), generate::MODELS).to_owned();
    assert!(
        models.contains(
            "#[serde(default, skip_serializing_if = \"crate::Patch::is_unchanged\")]\n    pub label: crate::Patch<String>,"
        ),
        "{models}"
    );
}

#[test]
fn list_filters_are_mocked_as_repeated_keys() {
    let mocks = contents(&generate(&widgets()), generate::HTTPMOCK).to_owned();
    assert!(
        mocks.contains("value.as_slice().iter().fold(self.0, |when, value| when.query_param(\"kind\", value.to_string()))"),
        "{mocks}"
    );
}

#[test]
fn a_default_response_is_refused_with_the_operation() {
    let mut spec = widgets();
    spec["paths"]["/widgets"]["get"]["responses"]["default"] =
        json!({"description": "Anything else."});
    let error = refusal(&spec);
    assert!(
        error.contains("GET /widgets (list_widgets): a `default` response makes progenitor panic"),
        "{error}"
    );
}

#[test]
fn openapi_3_1_is_refused() {
    let mut spec = widgets();
    spec["openapi"] = json!("3.1.0");
    let error = refusal(&spec);
    assert!(
        error
            .contains("#/openapi: version 3.1.0 is not read by progenitor: write `openapi: 3.0.3`"),
        "{error}"
    );
}

#[test]
fn a_missing_operation_id_is_refused() {
    let mut spec = widgets();
    spec["paths"]["/widgets"]["get"]
        .as_object_mut()
        .unwrap()
        .remove("operationId");
    let error = refusal(&spec);
    assert!(
        error.contains("GET /widgets (no operationId): every operation needs an `operationId`"),
        "{error}"
    );
}

#[test]
fn a_ref_with_a_nullable_sibling_is_refused_with_its_pointer() {
    let mut spec = widgets();
    spec["components"]["schemas"]["Widget"]["properties"]["parent"] =
        json!({"$ref": "#/components/schemas/Widget", "nullable": true});
    let error = refusal(&spec);
    assert!(
        error.contains("#/components/schemas/Widget/properties/parent: keys beside `$ref` are ignored (nullable)"),
        "{error}"
    );
}

#[test]
fn unsupported_bodies_and_parameters_are_refused() {
    let mut spec = widgets();
    let body = &mut spec["paths"]["/widgets/{id}"]["patch"]["requestBody"]["content"];
    body["application/merge-patch+json"] = body["application/json"].clone();
    spec["paths"]["/widgets"]["get"]["parameters"][0]["style"] = json!("deepObject");
    let error = refusal(&spec);
    assert!(
        error.contains(
            "PATCH /widgets/{id} (update_widget): a request body must have exactly one media type"
        ),
        "{error}"
    );
    assert!(
        error.contains(
            "GET /widgets (list_widgets) parameter `kind`: style `deepObject` is not supported"
        ),
        "{error}"
    );
    assert!(
        error.contains("`application/merge-patch+json` is not supported"),
        "{error}"
    );
}

#[test]
fn closed_enums_and_other_any_ofs_are_refused() {
    let mut spec = widgets();
    spec["components"]["schemas"]["Shade"] = json!({"type": "string", "enum": ["light", "dark"]});
    spec["components"]["schemas"]["Either"] =
        json!({"anyOf": [{"type": "string"}, {"type": "integer"}]});
    let error = refusal(&spec);
    assert!(
        error.contains("#/components/schemas/Shade: enumerations must be open"),
        "{error}"
    );
    assert!(
        error.contains(
            "#/components/schemas/Either: `anyOf` is only supported as an open enumeration"
        ),
        "{error}"
    );
}

#[test]
fn invalid_yaml_is_refused() {
    let error = format!(
        "{:#}",
        Spec::parse("openapi: [unclosed").err().expect("refused")
    );
    assert!(error.contains("the spec is not valid YAML"), "{error}");
}

#[test]
fn post_bodies_get_a_constructor_in_required_order_and_setters() {
    let spec = Spec::load(&xtask::spec_path()).unwrap();
    let files = generate::generate(&spec).unwrap();
    let models = contents(&files, generate::MODELS);
    assert!(
        models.contains(
            "    pub fn new(\n        provider_auth_config_id: impl Into<String>,\n        note: impl Into<String>,\n    ) -> Self {"
        ),
        "{models}"
    );
    assert!(
        models.contains("    pub fn redirect_url(mut self, value: impl Into<String>) -> Self {")
    );
}
