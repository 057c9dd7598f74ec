//! The generator on small fixture specs, into memory or a temporary directory.
//!
//! The exact text of every generated file is pinned by the snapshot tests (`snapshots.rs`).
//! The checks here are about behaviour: refusals and their messages, determinism, writing and
//! checking a directory, and the generator's rules (what an added field, enum value or
//! operation becomes, PATCH bodies, list filters, POST body constructors). Those look at the
//! generated code as tokens or as a `syn` syntax tree, never at its layout, so they hold
//! whatever prettyplease does with whitespace and still fail when a rule breaks, even after
//! the snapshots are re-accepted.

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use quote::ToTokens;
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

/// The tokens of Rust source, one string per token, a group's delimiters as tokens of their
/// own (comments dropped, doc comments as `#[doc = "..."]`). A comma right before a closing
/// delimiter is dropped, since prettyplease writes one only when it breaks the line.
fn tokens(source: &str) -> Vec<String> {
    fn flatten(stream: TokenStream, out: &mut Vec<String>) {
        for tree in stream {
            match tree {
                TokenTree::Group(group) => {
                    let (open, close) = match group.delimiter() {
                        Delimiter::Parenthesis => ("(", ")"),
                        Delimiter::Brace => ("{", "}"),
                        Delimiter::Bracket => ("[", "]"),
                        Delimiter::None => ("", ""),
                    };
                    out.push(open.to_owned());
                    flatten(group.stream(), out);
                    if out.last().is_some_and(|last| last == ",") {
                        out.pop();
                    }
                    out.push(close.to_owned());
                }
                other => out.push(other.to_string()),
            }
        }
    }
    let stream: TokenStream = source
        .parse()
        .unwrap_or_else(|e| panic!("not Rust tokens ({e}): {source}"));
    let mut out = Vec::new();
    flatten(stream, &mut out);
    out.retain(|token| !token.is_empty());
    out
}

/// The tokens of a syntax tree node (see [`tokens`]).
fn tokens_of(node: &impl ToTokens) -> Vec<String> {
    tokens(&node.to_token_stream().to_string())
}

/// Whether `code` has the token sequence `needle` (a piece of Rust with balanced delimiters),
/// however either is laid out.
fn has_tokens(code: &[String], needle: &str) -> bool {
    let needle = tokens(needle);
    code.windows(needle.len()).any(|window| window == needle)
}

fn parse(contents: &str) -> syn::File {
    syn::parse_file(contents).expect("the generated file parses")
}

/// The top-level struct `name` (not the builder of the same name in `mod builder`).
fn top_level_struct<'a>(file: &'a syn::File, name: &str) -> &'a syn::ItemStruct {
    file.items
        .iter()
        .find_map(|item| match item {
            syn::Item::Struct(s) if s.ident == name => Some(s),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no top-level `struct {name}`"))
}

fn field<'a>(item: &'a syn::ItemStruct, name: &str) -> Option<&'a syn::Field> {
    item.fields
        .iter()
        .find(|f| f.ident.as_ref().is_some_and(|ident| ident == name))
}

/// The method `name` of an inherent `impl` of the top-level type `ty`.
fn method<'a>(file: &'a syn::File, ty: &str, name: &str) -> &'a syn::ImplItemFn {
    file.items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Impl(block)
                if block.trait_.is_none() && tokens_of(&block.self_ty) == [ty] =>
            {
                Some(block)
            }
            _ => None,
        })
        .flat_map(|block| &block.items)
        .find_map(|item| match item {
            syn::ImplItem::Fn(f) if f.sig.ident == name => Some(f),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no method `{ty}::{name}`"))
}

/// The doc comment of an item or field, its lines joined and trimmed.
fn doc(attrs: &[syn::Attribute]) -> String {
    let lines: Vec<String> = attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(syn::MetaNameValue {
                value:
                    syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(s),
                        ..
                    }),
                ..
            }) => Some(s.value().trim().to_owned()),
            _ => None,
        })
        .collect();
    lines.join("\n")
}

/// The models' `open_enum! { /// doc  Name { ... } }` invocation for `name`, and its body
/// (the variants).
fn open_enum<'a>(file: &'a syn::File, name: &str) -> (&'a syn::ItemMacro, TokenStream) {
    for item in &file.items {
        let syn::Item::Macro(invocation) = item else {
            continue;
        };
        if invocation
            .mac
            .path
            .segments
            .last()
            .is_none_or(|s| s.ident != "open_enum")
        {
            continue;
        }
        let trees: Vec<TokenTree> = invocation.mac.tokens.clone().into_iter().collect();
        for pair in trees.windows(2) {
            if let [TokenTree::Ident(ident), TokenTree::Group(body)] = pair
                && ident == name
                && body.delimiter() == Delimiter::Brace
            {
                return (invocation, body.stream());
            }
        }
    }
    panic!("no `open_enum!` invocation for `{name}`")
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
    assert_eq!(written.len(), 7);
    assert!(xtask::files::check(dir.path(), &files).is_empty());
    // Writing again changes nothing.
    assert!(xtask::files::write(dir.path(), &files).unwrap().is_empty());

    // A hand edit is reported as a diff naming the file.
    let models = dir.path().join(generate::MODELS);
    let original = std::fs::read_to_string(&models).unwrap();
    let edited = original.replace("pub id:", "pub ident:");
    assert!(edited != original, "the hand edit changes the file");
    std::fs::write(&models, edited).unwrap();
    let diffs = xtask::files::check(dir.path(), &files);
    assert_eq!(diffs.len(), 1);
    assert!(diffs[0].contains(generate::MODELS), "{}", diffs[0]);
    // From the checked-in file (the hand edit) to the generated one, whatever the indentation.
    let lines = |sign: char, text: &str| {
        diffs[0].lines().any(|line| {
            line.strip_prefix(sign)
                .is_some_and(|rest| !rest.starts_with(sign) && rest.contains(text))
        })
    };
    assert!(
        lines('-', "pub ident:") && lines('+', "pub id:"),
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
    let (before, after) = (
        parse(contents(&before, generate::MODELS)),
        parse(contents(&after, generate::MODELS)),
    );
    let (before, after) = (
        top_level_struct(&before, "Widget"),
        top_level_struct(&after, "Widget"),
    );
    let color = field(after, "color").expect("`Widget` has a `color` field");
    assert_eq!(
        tokens_of(&color.ty),
        tokens("::std::option::Option<::std::string::String>"),
        "an optional field is an Option"
    );
    assert!(
        matches!(color.vis, syn::Visibility::Public(_)),
        "the field is public"
    );
    assert_eq!(
        doc(&color.attrs),
        "The color.",
        "its description is its doc"
    );
    // The only change to the struct is the field.
    let others = |item: &syn::ItemStruct| -> Vec<Vec<String>> {
        item.fields
            .iter()
            .filter(|f| f.ident.as_ref().is_none_or(|ident| ident != "color"))
            .map(tokens_of)
            .collect()
    };
    assert_eq!(others(after), others(before));
    assert_eq!(after.fields.len(), before.fields.len() + 1);
}

#[test]
fn an_added_field_on_the_real_spec_appears_in_the_models() {
    let mut spec: Value =
        serde_norway::from_str(&std::fs::read_to_string(xtask::spec_path()).unwrap()).unwrap();
    spec["components"]["schemas"]["ProviderSetupSession"]["properties"]["nickname"] =
        json!({"type": "string", "description": "A nickname."});
    let models = parse(contents(&generate(&spec), generate::MODELS));
    let session = top_level_struct(&models, "ProviderSetupSession");
    let nickname = field(session, "nickname").expect("`ProviderSetupSession` has `nickname`");
    assert!(matches!(nickname.vis, syn::Visibility::Public(_)));
    assert_eq!(
        tokens_of(&nickname.ty),
        tokens("::std::option::Option<::std::string::String>")
    );
}

#[test]
fn an_added_enum_value_becomes_a_variant() {
    let mut spec = widgets();
    let before = parse(contents(&generate(&spec), generate::MODELS));
    let (_, variants) = open_enum(&before, "WidgetKind");
    assert!(!variants.to_string().contains("StarShaped"));

    spec["components"]["schemas"]["WidgetKind"]["anyOf"][0]["enum"] =
        json!(["round", "square", "star_shaped"]);
    let models = parse(contents(&generate(&spec), generate::MODELS));
    let (invocation, variants) = open_enum(&models, "WidgetKind");
    let variants = tokens(&variants.to_string());
    // The new variant, in the enum's own invocation, beside the existing ones.
    for variant in [
        r#"Round = "round""#,
        r#"Square = "square""#,
        r#"StarShaped = "star_shaped""#,
    ] {
        assert!(has_tokens(&variants, variant), "{variant}: {variants:?}");
    }
    // The enum stays open (`open_enum!`) and keeps its doc.
    assert_eq!(
        tokens_of(&invocation.mac.path),
        tokens("crate::open_enum::open_enum")
    );
    assert!(
        has_tokens(
            &tokens_of(&invocation.mac.tokens),
            "/// What a widget is.\nWidgetKind"
        ),
        "{}",
        invocation.to_token_stream()
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
    let before = generate(&widgets());
    let after = generate(&spec);
    let checks = [
        (
            generate::CLIENT,
            "pub fn get_widget(&self) -> builder::GetWidget<'_>",
        ),
        (generate::HTTPMOCK, "fn get_widget<F>(&self, config_fn: F)"),
        (
            generate::SDK,
            "pub async fn get(&self, id: &str) -> Result<::metorial_models::Widget>",
        ),
        (generate::SDK, r#".call("get_widget")"#),
    ];
    for (path, needle) in checks {
        assert!(
            !has_tokens(&tokens(contents(&before, path)), needle),
            "{path} has `{needle}` before the operation is added"
        );
        assert!(
            has_tokens(&tokens(contents(&after, path)), needle),
            "{path} lacks `{needle}`:\n{}",
            contents(&after, path)
        );
    }
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
    // The whole body, as written, is in the `widgets` snapshot (`metorial-models.rs.txt`).
    let models = parse(contents(&generate(&widgets()), generate::MODELS));
    let body = top_level_struct(&models, "UpdateWidgetBody");
    let label = field(body, "label").expect("`UpdateWidgetBody` has `label`");
    assert!(matches!(label.vis, syn::Visibility::Public(_)));
    assert_eq!(tokens_of(&label.ty), tokens("crate::Patch<String>"));
    let skip = tokens(r#"#[serde(default, skip_serializing_if = "crate::Patch::is_unchanged")]"#);
    assert!(
        label.attrs.iter().any(|a| tokens_of(a) == skip),
        "{}",
        label.to_token_stream()
    );
}

#[test]
fn list_filters_are_mocked_as_repeated_keys() {
    // The whole mock, as written, is in the `widgets` snapshot (`metorial-httpmock.rs.txt`).
    let mocks = contents(&generate(&widgets()), generate::HTTPMOCK).to_owned();
    assert!(
        has_tokens(
            &tokens(&mocks),
            r#"value.as_slice().iter().fold(self.0, |when, value| when.query_param("kind", value.to_string()))"#
        ),
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
    let models = parse(contents(&files, generate::MODELS));
    let new = method(&models, "CreateProviderAuthExportBody", "new");
    assert!(matches!(new.vis, syn::Visibility::Public(_)));
    assert_eq!(
        tokens_of(&new.sig),
        tokens(
            "fn new(provider_auth_config_id: impl Into<String>, note: impl Into<String>) -> Self"
        ),
        "the required fields, in the schema's `required` order"
    );
    let setter = method(&models, "CreateProviderSetupSessionBody", "redirect_url");
    assert!(matches!(setter.vis, syn::Visibility::Public(_)));
    assert_eq!(
        tokens_of(&setter.sig),
        tokens("fn redirect_url(mut self, value: impl Into<String>) -> Self")
    );
}

/// The widgets spec with a secret nested two levels down in both a request body and a
/// response: `auth.client_secret`, a `SecretObject` inside the `WidgetAuth` object.
fn widgets_with_a_nested_secret() -> Value {
    let mut spec = widgets();
    let schemas = &mut spec["components"]["schemas"];
    schemas["SecretObject"] = json!({"type": "object", "description": "Secret values."});
    schemas["WidgetAuth"] = json!({
        "type": "object",
        "description": "How a widget signs in.",
        "properties": {
            "client_id": {"type": "string"},
            "client_secret": {"$ref": "#/components/schemas/SecretObject"},
        },
    });
    for holder in ["UpdateWidgetBody", "Widget"] {
        schemas[holder]["properties"]["auth"] = json!({"$ref": "#/components/schemas/WidgetAuth"});
    }
    spec
}

#[test]
fn a_nested_secret_is_known_to_the_sdk_the_cli_and_the_operations_table() {
    let path = r#"&[&["auth", "client_secret"]]"#;
    for (spec, secret) in [(widgets(), false), (widgets_with_a_nested_secret(), true)] {
        let files = generate(&spec);
        let sdk = tokens(contents(&files, generate::SDK));
        let cli = tokens(contents(&files, generate::CLI));
        let models = tokens(contents(&files, generate::MODELS));
        // The SDK scrubs the values it sends from the call's errors, and keeps no body of a
        // response holding one (update returns a `Widget`; list returns `Widget`s).
        let sent = format!("crate::redact::sent_secrets(&body, {path})");
        assert_eq!(has_tokens(&sdk, &sent), secret, "SDK scrubbing");
        let sensitive = ".call(\"update_widget\").sensitive()";
        assert_eq!(has_tokens(&sdk, sensitive), secret, "SDK update");
        let sensitive = ".call(\"list_widgets\").sensitive()";
        assert_eq!(has_tokens(&sdk, sensitive), secret, "SDK list");
        // The command-line tool keeps the value out of a body's errors and redacts it from
        // what it prints: the updated widget, and each widget of the list (this fixture's list
        // has no paging, so the command prints the response, `items` and all).
        let decoded = format!("crate::body::decode(m, FLAGS, {path})");
        assert_eq!(has_tokens(&cli, &decoded), secret, "CLI body errors");
        let printed = format!("const SECRETS: &[&[&str]] = {path};");
        assert_eq!(has_tokens(&cli, &printed), secret, "CLI output of update");
        let listed = r#"const SECRETS: &[&[&str]] = &[&["items", "auth", "client_secret"]];"#;
        assert_eq!(has_tokens(&cli, listed), secret, "CLI output of list");
        // The emulator journals no body of an operation that carries secrets.
        for id in ["list_widgets", "update_widget"] {
            let entry = format!("id: \"{id}\"");
            let at = models
                .windows(tokens(&entry).len())
                .position(|w| w == tokens(&entry).as_slice())
                .expect("the operation is in OPERATIONS");
            let flag = tokens(&format!("carries_secrets: {secret}"));
            assert!(
                models[at..at + 30]
                    .windows(flag.len())
                    .any(|w| w == flag.as_slice()),
                "{id}: carries_secrets should be {secret}"
            );
        }
    }
}

/// The real spec as JSON, to edit.
fn real_spec() -> Value {
    serde_norway::from_str(&std::fs::read_to_string(xtask::spec_path()).unwrap()).unwrap()
}

/// The index of the query parameter `name` of the setup sessions' list.
fn session_filter(spec: &Value, name: &str) -> usize {
    let params = spec["paths"]["/provider-setup-sessions"]["get"]["parameters"]
        .as_array()
        .unwrap();
    params.iter().position(|p| p["name"] == name).unwrap()
}

#[test]
fn the_emulator_takes_each_list_filter_as_the_spec_says() {
    let mut spec = real_spec();
    let status = session_filter(&spec, "status");
    spec["paths"]["/provider-setup-sessions"]["get"]["parameters"][status]["x-metorial-accepts"] =
        json!(["pending", "failed"]);
    let plumbing = tokens(contents(&generate(&spec), xtask::emulator::EMULATOR));
    for filter in [
        r#"ListFilter::one_of("status", &["pending", "failed"])"#,
        r#"ListFilter::values("provider_auth_config_id")"#,
        r#"ListFilter::dates("created_at")"#,
        r#"ListFilter::dates("updated_at")"#,
    ] {
        assert!(has_tokens(&plumbing, filter), "{filter}");
    }
    // `created_at[gt]` and `created_at[lt]` are one date range: one per list that has them.
    let ranges = tokens(r#"ListFilter::dates("created_at")"#);
    let found = plumbing.windows(ranges.len()).filter(|w| *w == ranges);
    let lists = spec["paths"]
        .as_object()
        .unwrap()
        .values()
        .filter_map(|item| item.get("get"));
    let with_range = lists.filter(|op| {
        let params = op["parameters"].as_array().into_iter().flatten();
        params
            .filter_map(|p| p["$ref"].as_str())
            .any(|r| r.ends_with("/CreatedAfter"))
    });
    assert_eq!(found.count(), with_range.count());
}

#[test]
fn x_metorial_accepts_must_be_a_list_of_strings() {
    for bad in [json!("pending"), json!([]), json!([1])] {
        let mut spec = real_spec();
        let status = session_filter(&spec, "status");
        spec["paths"]["/provider-setup-sessions"]["get"]["parameters"][status]["x-metorial-accepts"] =
            bad.clone();
        let error = refusal(&spec);
        assert!(
            error.contains("(list_provider_setup_sessions): `x-metorial-accepts` of `status` must be a non-empty list of strings"),
            "{bad}: {error}"
        );
    }
}

#[test]
fn x_metorial_entity_names_the_emulators_not_found_entities() {
    let mut spec = real_spec();
    spec["components"]["schemas"]["ProviderAuthConfig"]["x-metorial-entity"] =
        json!("provider.connection");
    let entities = tokens(contents(&generate(&spec), generate::ENTITIES));
    assert!(
        has_tokens(
            &entities,
            r#"pub(crate) const CONNECTION: &str = "provider.connection";"#
        ),
        "{entities:?}"
    );
    for (bad, message) in [
        (
            json!("Provider.AuthConfig"),
            "must be snake_case words joined by dots",
        ),
        (json!(7), "must be snake_case words joined by dots"),
        // The schemas are read in name order: ProviderAuthConfig before ProviderSetupSession.
        (
            json!("provider.auth_config"),
            "`provider.auth_config` is ProviderAuthConfig's already",
        ),
    ] {
        let mut spec = real_spec();
        spec["components"]["schemas"]["ProviderSetupSession"]["x-metorial-entity"] = bad.clone();
        let error = refusal(&spec);
        assert!(error.contains(message), "{bad}: {error}");
        assert!(
            error.contains("#/components/schemas/ProviderSetupSession"),
            "{error}"
        );
    }
}
