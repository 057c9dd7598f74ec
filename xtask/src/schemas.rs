//! The Rust code of the component schemas the generator writes itself instead of leaving them
//! to typify (see [`Kind`](crate::model::Kind)): open enumerations, open unions, one-or-many
//! aliases, PATCH bodies, and the constructors and setters of POST bodies.

use anyhow::bail;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use crate::model::Unsupported;
use crate::model::component::property;
use crate::model::{Api, Component, is_nullable};
use crate::names::{doc_lines, field_ident, rust_type, variant_ident};

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

/// A constructor taking the required properties and one chainable setter per optional
/// property, for a POST request body (a struct typify wrote).
pub fn post_body_impl_tokens(api: &Api, name: &str) -> anyhow::Result<TokenStream> {
    let (location, component) = object_schema(api, name)?;
    let required = component.required();
    let mut params = Vec::new();
    let mut fields = Vec::new();
    let mut setters = Vec::new();
    let mut required_docs = Vec::new();
    // Constructor parameters in the spec's `required` order (property maps are sorted).
    for prop in &required {
        let prop_schema = property(&component.schema, prop).ok_or_else(|| {
            anyhow::anyhow!("{location}: required property `{prop}` is not defined")
        })?;
        let ident = field_ident(prop);
        let ty = rust_type(prop_schema).ok_or_else(|| unsupported_property(&location, prop))?;
        params.push(quote! { #ident: impl Into<#ty> });
        required_docs.push(format!("`{prop}`"));
    }
    for (prop, prop_schema) in component.properties() {
        let ident = field_ident(prop);
        if required.contains(&prop) {
            fields.push(quote! { #ident: #ident.into() });
            continue;
        }
        let ty = rust_type(prop_schema).ok_or_else(|| unsupported_property(&location, prop))?;
        setters.push(setter(prop, &ty, quote! { Some }));
        fields.push(quote! { #ident: None });
    }
    let doc = if required_docs.is_empty() {
        " A body with every field unset.".to_owned()
    } else {
        let fields = required_docs.join(", ");
        format!(" A body with its required fields ({fields}); the others are unset.")
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

/// A chainable setter of the property `prop`, which stores `wrap(value)` in its field.
fn setter(prop: &str, ty: &TokenStream, wrap: TokenStream) -> TokenStream {
    let (ident, doc) = (field_ident(prop), format!(" Sets `{prop}`."));
    quote! {
        #[doc = #doc]
        #[must_use]
        pub fn #ident(mut self, value: impl Into<#ty>) -> Self {
            self.#ident = #wrap(value.into());
            self
        }
    }
}

/// One unsupported feature at `location`, as an error.
fn unsupported(location: String, message: &str) -> anyhow::Error {
    Unsupported(vec![crate::model::problem(location, message)]).into()
}

fn unsupported_property(location: &str, prop: &str) -> anyhow::Error {
    let message = "a request body property must be a string, boolean, number, free-form \
                   object, array of those, or a `$ref`";
    unsupported(format!("{location}/properties/{prop}"), message)
}

/// The component `name`, which must be an object schema, with its location.
fn object_schema<'a>(api: &'a Api, name: &str) -> anyhow::Result<(String, &'a Component)> {
    let location = format!("#/components/schemas/{name}");
    let component = api
        .component(name)
        .ok_or_else(|| anyhow::anyhow!("{location} does not exist"))?;
    if !component.is_object() {
        return Err(unsupported(
            location,
            "a request body must be an object schema",
        ));
    }
    Ok((location, component))
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
            let name = &component.name;
            bail!("enumeration {name}: two values make the variant name {ident}");
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
pub fn patch_body_tokens(api: &Api, component: &Component) -> anyhow::Result<TokenStream> {
    let (location, component) = object_schema(api, &component.name)?;
    if let Some(prop) = component.required().first() {
        let message = "a PATCH body's properties must all be optional";
        return Err(unsupported(
            format!("{location}/properties/{prop}"),
            message,
        ));
    }
    let mut fields = Vec::new();
    let mut setters = Vec::new();
    for (prop, prop_schema) in component.properties() {
        let ty = rust_type(prop_schema).ok_or_else(|| unsupported_property(&location, prop))?;
        let (field, setter) = patch_field(prop, prop_schema, &ty);
        fields.push(field);
        setters.push(setter);
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

/// A PATCH body's field of type `ty` and its setters: `crate::Patch` with a `clear_` setter
/// when the property is nullable, else an `Option`.
fn patch_field(prop: &str, schema: &Value, ty: &TokenStream) -> (TokenStream, TokenStream) {
    let ident = field_ident(prop);
    let doc = doc_attr(schema.get("description").and_then(Value::as_str));
    let rename = (ident != prop).then(|| quote! { #[serde(rename = #prop)] });
    if !is_nullable(schema) {
        let field = quote! {
            #doc
            #rename
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub #ident: Option<#ty>,
        };
        return (field, setter(prop, ty, quote! { Some }));
    }
    let field = quote! {
        #doc
        #rename
        #[serde(default, skip_serializing_if = "crate::Patch::is_unchanged")]
        pub #ident: crate::Patch<#ty>,
    };
    let clear = format_ident!("clear_{ident}");
    let clear_doc = format!(" Clears `{prop}` (sends `null`).");
    let set = setter(prop, ty, quote! { crate::Patch::Set });
    let setters = quote! {
        #set
        #[doc = #clear_doc]
        #[must_use]
        pub fn #clear(mut self) -> Self {
            self.#ident = crate::Patch::Clear;
            self
        }
    };
    (field, setters)
}

fn doc_attr(text: Option<&str>) -> TokenStream {
    let lines = doc_lines(text);
    quote! { #(#[doc = #lines])* }
}
