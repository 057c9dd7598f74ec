//! The component schemas the generator writes itself instead of leaving them to typify.
//!
//! - Open enumerations, written in the spec as
//!   `anyOf: [{type: string, enum: [...]}, {type: string}]`: typify would make a struct of
//!   them, and a closed enum fails on values it has never seen.
//! - Open tagged unions, written as `anyOf: [{$ref: Known}, {type: object}]`: an alias of
//!   `Open<Known>`, so a variant added to the API later decodes as a plain object.
//! - PATCH request bodies: typify makes a nullable optional field an `Option` that skips
//!   `None`, so `null` (clear the field) could never be sent.
//! - Hand-written types ([`HAND_WRITTEN`]).

use anyhow::bail;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use crate::spec::{Problem, Spec, Unsupported};

/// Component schemas implemented by hand in `metorial-models`: (schema name, Rust path inside
/// that crate).
pub const HAND_WRITTEN: &[(&str, &str)] = &[
    ("SecretObject", "crate::SecretObject"),
    ("PathSegment", "crate::PathSegment"),
];

/// How the generator treats one component schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// An open enumeration with these known values.
    OpenEnum(Vec<String>),
    /// One value or a list (`oneOf: [X, {type: array, items: X}]`): an alias of
    /// `OneOrMany<X>`, with the Rust type of X.
    OneOrMany(String),
    /// A tagged union the API may extend (`anyOf: [{$ref: Known}, {type: object}]`): an
    /// alias of `Open<Known>`, with the name of the known variants' schema.
    OpenUnion(String),
    /// The body of a PATCH operation.
    PatchBody,
    /// A struct whose every property is optional (typify gives it `Default`).
    AllOptional,
    /// Implemented by hand at this path in `metorial-models`.
    HandWritten(&'static str),
    /// Anything else: typify writes it.
    Other,
}

/// A component schema and how it is generated.
#[derive(Debug, Clone)]
pub struct Component {
    /// The schema's name in the spec (already PascalCase).
    pub name: String,
    /// Its description, for docs.
    pub description: Option<String>,
    /// How it is generated.
    pub kind: Kind,
}

/// Classifies every component schema, refusing `anyOf` outside the open-enum pattern.
pub fn classify(spec: &Spec) -> anyhow::Result<Vec<Component>> {
    let patch_bodies = patch_body_names(spec);
    let mut problems = Vec::new();
    let mut out = Vec::new();
    for (name, schema) in spec.schemas() {
        let location = format!("#/components/schemas/{name}");
        if !name.starts_with(|c: char| c.is_ascii_uppercase())
            || !name.chars().all(|c| c.is_ascii_alphanumeric())
        {
            problems.push(Problem {
                location: location.clone(),
                message: "schema names must be PascalCase ASCII (they name Rust types)".into(),
            });
        }
        let kind = if let Some((_, path)) = HAND_WRITTEN.iter().find(|(n, _)| *n == name) {
            Kind::HandWritten(path)
        } else if let Some(any_of) = schema.get("anyOf") {
            if let Some(values) = open_enum_values(any_of) {
                Kind::OpenEnum(values)
            } else if let Some(known) = open_union_known(any_of) {
                Kind::OpenUnion(known)
            } else {
                problems.push(Problem {
                    location: location.clone(),
                    message: "`anyOf` is only supported as an open enumeration \
                              (`anyOf: [{type: string, enum: [...]}, {type: string}]`) or an \
                              open union (`anyOf: [{$ref: ...}, {type: object}]`)"
                        .into(),
                });
                Kind::Other
            }
        } else if let Some(one_of) = schema.get("oneOf") {
            match one_or_many_item(one_of) {
                Some(item) => Kind::OneOrMany(item),
                None => Kind::Other,
            }
        } else if patch_bodies.iter().any(|n| n == name) {
            Kind::PatchBody
        } else if schema.get("enum").is_some() {
            problems.push(Problem {
                location: location.clone(),
                message: "enumerations must be open (the API adds values): write \
                          `anyOf: [{type: string, enum: [...]}, {type: string}]`"
                    .into(),
            });
            Kind::Other
        } else if schema.get("type").and_then(Value::as_str) == Some("object")
            && schema.get("properties").is_some()
            && schema.get("required").is_none()
        {
            Kind::AllOptional
        } else {
            Kind::Other
        };
        let description = schema
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_owned);
        out.push(Component {
            name: name.to_owned(),
            description,
            kind,
        });
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(Unsupported(problems).into())
    }
}

/// The known values of an open enumeration's `anyOf` (`[{type: string, enum}, {type: string}]`).
pub fn open_enum_values(any_of: &Value) -> Option<Vec<String>> {
    let [known, fallback] = any_of.as_array()?.as_slice() else {
        return None;
    };
    let is_string = |v: &Value| v.get("type").and_then(Value::as_str) == Some("string");
    if !is_string(known) || !is_string(fallback) || fallback.get("enum").is_some() {
        return None;
    }
    known
        .get("enum")?
        .as_array()?
        .iter()
        .map(|v| v.as_str().map(str::to_owned))
        .collect()
}

/// The schema name of `Known` in an open union's `anyOf: [{$ref: Known}, {type: object}]`.
pub fn open_union_known(any_of: &Value) -> Option<String> {
    let [known, fallback] = any_of.as_array()?.as_slice() else {
        return None;
    };
    let is_free_object = fallback.get("type").and_then(Value::as_str) == Some("object")
        && fallback.get("properties").is_none();
    if !is_free_object {
        return None;
    }
    known
        .get("$ref")?
        .as_str()?
        .strip_prefix("#/components/schemas/")
        .map(str::to_owned)
}

/// The Rust code of an open union's alias.
pub fn open_union_tokens(component: &Component, known: &str) -> TokenStream {
    let name = format_ident!("{}", component.name);
    let known = format_ident!("{known}");
    let doc = doc_attr(component.description.as_deref());
    quote! {
        #doc
        pub type #name = crate::Open<#known>;
    }
}

/// The Rust type of X in `oneOf: [X, {type: array, items: X}]`.
fn one_or_many_item(one_of: &Value) -> Option<String> {
    let [one, many] = one_of.as_array()?.as_slice() else {
        return None;
    };
    if many.get("type").and_then(Value::as_str) != Some("array") {
        return None;
    }
    let one = rust_type(one)?.to_string();
    let item = rust_type(many.get("items")?)?.to_string();
    (one == item).then_some(one)
}

/// The Rust code of a one-or-many alias.
pub fn one_or_many_tokens(component: &Component, item: &str) -> anyhow::Result<TokenStream> {
    let name = format_ident!("{}", component.name);
    let item: TokenStream = item.parse().map_err(|e| anyhow::anyhow!("{e}"))?;
    let doc = doc_attr(component.description.as_deref());
    Ok(quote! {
        #doc
        pub type #name = crate::OneOrMany<#item>;
    })
}

/// Names of the component schemas used as the request body of a POST operation.
pub fn post_body_names(spec: &Spec) -> Vec<String> {
    body_names(spec, "post")
}

/// A constructor taking the required properties and one chainable setter per optional
/// property, for a POST request body (a struct typify wrote).
pub fn post_body_impl_tokens(spec: &Spec, name: &str) -> anyhow::Result<TokenStream> {
    let (location, schema, required) = object_schema(spec, name)?;
    let mut params = Vec::new();
    let mut fields = Vec::new();
    let mut setters = Vec::new();
    let mut required_docs = Vec::new();
    // Constructor parameters in the spec's `required` order (property maps are sorted).
    for prop in &required {
        let prop_schema = schema
            .pointer(&format!(
                "/properties/{}",
                crate::spec::escape_pointer(prop)
            ))
            .ok_or_else(|| {
                anyhow::anyhow!("{location}: required property `{prop}` is not defined")
            })?;
        let ident = field_ident(prop);
        let ty = rust_type(prop_schema).ok_or_else(|| unsupported_property(&location, prop))?;
        params.push(quote! { #ident: impl Into<#ty> });
        required_docs.push(format!("`{prop}`"));
    }
    for (prop, prop_schema) in properties(schema) {
        let ident = field_ident(prop);
        if required.contains(&prop) {
            fields.push(quote! { #ident: #ident.into() });
            continue;
        }
        let ty = rust_type(prop_schema).ok_or_else(|| unsupported_property(&location, prop))?;
        let doc = format!(" Sets `{prop}`.");
        setters.push(quote! {
            #[doc = #doc]
            #[must_use]
            pub fn #ident(mut self, value: impl Into<#ty>) -> Self {
                self.#ident = Some(value.into());
                self
            }
        });
        fields.push(quote! { #ident: None });
    }
    let doc = if required_docs.is_empty() {
        " A body with every field unset.".to_owned()
    } else {
        format!(
            " A body with its required fields ({}); the others are unset.",
            required_docs.join(", ")
        )
    };
    let name = format_ident!("{name}");
    Ok(quote! {
        impl #name {
            #[doc = #doc]
            pub fn new(#(#params),*) -> Self {
                Self { #(#fields),* }
            }
            #(#setters)*
        }
    })
}

fn unsupported_property(location: &str, prop: &str) -> anyhow::Error {
    Unsupported(vec![Problem {
        location: format!("{location}/properties/{prop}"),
        message: "a request body property must be a string, boolean, number, free-form \
                  object, array of those, or a `$ref`"
            .into(),
    }])
    .into()
}

/// The schema of component `name`, which must be an object, with its location and required
/// property names.
fn object_schema<'a>(
    spec: &'a Spec,
    name: &str,
) -> anyhow::Result<(String, &'a Value, Vec<&'a str>)> {
    let location = format!("#/components/schemas/{name}");
    let schema = spec
        .raw
        .pointer(&format!("/components/schemas/{name}"))
        .ok_or_else(|| anyhow::anyhow!("{location} does not exist"))?;
    if schema.get("type").and_then(Value::as_str) != Some("object") {
        bail!(Unsupported(vec![Problem {
            location,
            message: "a request body must be an object schema".into(),
        }]));
    }
    let required = crate::spec::required(schema);
    Ok((location, schema, required))
}

fn properties(schema: &Value) -> impl Iterator<Item = (&str, &Value)> {
    schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.as_str(), v))
}

fn body_names(spec: &Spec, method: &str) -> Vec<String> {
    spec.operations()
        .into_iter()
        .filter(|(m, _, _)| *m == method)
        .filter_map(|(_, _, op)| {
            op.pointer("/requestBody/content/application~1json/schema/$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
                .map(str::to_owned)
        })
        .collect()
}

/// Names of the component schemas used as the request body of a PATCH operation.
fn patch_body_names(spec: &Spec) -> Vec<String> {
    body_names(spec, "patch")
}

/// The Rust code of an open enumeration: an invocation of `metorial-models`' `open_enum!`,
/// formatted by hand (rustfmt and prettyplease leave macro bodies alone).
pub fn open_enum_source(component: &Component, values: &[String]) -> anyhow::Result<String> {
    let mut out = String::from("crate::open_enum::open_enum! {\n");
    for line in doc_lines(component.description.as_deref()) {
        out.push_str(&format!("    ///{line}\n"));
    }
    out.push_str(&format!("    {} {{\n", component.name));
    let mut seen = Vec::new();
    for value in values {
        let ident = variant_ident(value)?;
        if seen.contains(&ident) {
            bail!(
                "enumeration {}: two values make the variant name {ident}",
                component.name
            );
        }
        out.push_str(&format!(
            "        /// `{value}`\n        {ident} = {value:?},\n"
        ));
        seen.push(ident);
    }
    out.push_str("    }\n}\n");
    Ok(out)
}

/// The Rust code of a PATCH body: a struct whose nullable fields are `crate::Patch` (left
/// unchanged, cleared, set), with a chainable setter (and a `clear_` one) per field.
pub fn patch_body_tokens(spec: &Spec, component: &Component) -> anyhow::Result<TokenStream> {
    let (location, schema, required) = object_schema(spec, &component.name)?;
    if let Some(prop) = required.first() {
        bail!(Unsupported(vec![Problem {
            location: format!("{location}/properties/{prop}"),
            message: "a PATCH body's properties must all be optional".into(),
        }]));
    }
    let mut fields = Vec::new();
    let mut setters = Vec::new();
    for (prop, prop_schema) in properties(schema) {
        let ident = field_ident(prop);
        let ty = rust_type(prop_schema).ok_or_else(|| unsupported_property(&location, prop))?;
        let doc = doc_attr(prop_schema.get("description").and_then(Value::as_str));
        let rename = (ident != prop).then(|| quote! { #[serde(rename = #prop)] });
        let set_doc = format!(" Sets `{prop}`.");
        if prop_schema.get("nullable") == Some(&Value::Bool(true)) {
            fields.push(quote! {
                #doc
                #rename
                #[serde(default, skip_serializing_if = "crate::Patch::is_unchanged")]
                pub #ident: crate::Patch<#ty>,
            });
            let clear = format_ident!("clear_{ident}");
            let clear_doc = format!(" Clears `{prop}` (sends `null`).");
            setters.push(quote! {
                #[doc = #set_doc]
                #[must_use]
                pub fn #ident(mut self, value: impl Into<#ty>) -> Self {
                    self.#ident = crate::Patch::Set(value.into());
                    self
                }
                #[doc = #clear_doc]
                #[must_use]
                pub fn #clear(mut self) -> Self {
                    self.#ident = crate::Patch::Clear;
                    self
                }
            });
        } else {
            fields.push(quote! {
                #doc
                #rename
                #[serde(default, skip_serializing_if = "Option::is_none")]
                pub #ident: Option<#ty>,
            });
            setters.push(quote! {
                #[doc = #set_doc]
                #[must_use]
                pub fn #ident(mut self, value: impl Into<#ty>) -> Self {
                    self.#ident = Some(value.into());
                    self
                }
            });
        }
    }
    let name = format_ident!("{}", component.name);
    let doc = doc_attr(component.description.as_deref());
    Ok(quote! {
        #doc
        #[derive(Clone, Debug, Default, PartialEq, ::serde::Serialize, ::serde::Deserialize, ::schemars::JsonSchema)]
        pub struct #name { #(#fields)* }

        impl #name {
            /// A body that changes nothing.
            pub fn new() -> Self {
                Self::default()
            }
            #(#setters)*
        }
    })
}

/// The Rust type of a simple property schema, as seen from inside `metorial-models`.
fn rust_type(schema: &Value) -> Option<TokenStream> {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.strip_prefix("#/components/schemas/")?;
        return Some(match HAND_WRITTEN.iter().find(|(n, _)| *n == name) {
            Some((_, path)) => path.parse().ok()?,
            None => {
                let ident = format_ident!("{name}");
                quote! { #ident }
            }
        });
    }
    if let Some([inner]) = schema
        .get("allOf")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
    {
        return rust_type(inner);
    }
    match schema.get("type").and_then(Value::as_str)? {
        "string" if schema.get("format").and_then(Value::as_str) == Some("date-time") => {
            Some(quote! { crate::Timestamp })
        }
        "string" if schema.get("enum").is_none() => Some(quote! { String }),
        "boolean" => Some(quote! { bool }),
        "integer" => Some(quote! { i64 }),
        "number" => Some(quote! { f64 }),
        "array" => {
            let item = rust_type(schema.get("items")?)?;
            Some(quote! { Vec<#item> })
        }
        "object" if schema.get("properties").is_none() => {
            Some(quote! { ::serde_json::Map<String, ::serde_json::Value> })
        }
        _ => None,
    }
}

/// Doc comment lines (each with its leading space) of an optional text.
pub(crate) fn doc_lines(text: Option<&str>) -> Vec<String> {
    text.unwrap_or_default()
        .trim_end()
        .lines()
        .map(|line| {
            if line.is_empty() {
                String::new()
            } else {
                format!(" {line}")
            }
        })
        .collect()
}

fn doc_attr(text: Option<&str>) -> TokenStream {
    let lines = doc_lines(text);
    quote! { #(#[doc = #lines])* }
}

/// The field name typify gives a property: snake_case, a keyword gets a trailing `_`.
fn field_ident(name: &str) -> syn::Ident {
    let mut snake: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if snake.starts_with(|c: char| c.is_ascii_digit()) {
        snake.insert(0, '_');
    }
    match syn::parse_str::<syn::Ident>(&snake) {
        Ok(ident) => ident,
        Err(_) => format_ident!("{snake}_"),
    }
}

/// The PascalCase variant name of an enumeration value (`in_progress` -> `InProgress`).
fn variant_ident(value: &str) -> anyhow::Result<syn::Ident> {
    let mut out = String::new();
    let mut upper = true;
    for c in value.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(if upper { c.to_ascii_uppercase() } else { c });
            upper = false;
        } else {
            upper = true;
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) || out == "Unknown" {
        bail!("enumeration value {value:?} does not make a Rust variant name");
    }
    Ok(format_ident!("{out}"))
}
