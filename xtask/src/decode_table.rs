//! The decode table of `metorial-models`: `decode_component(schema, json)`, which decodes a JSON
//! document as the generated type of a component schema named at run time.
//!
//! `cargo xtask drift` checks recorded API responses with it (through the crate's
//! `examples/decode.rs`, run as a subprocess, so the xtask never depends on the generated code
//! it regenerates). The generated function looks like this (one arm per component schema):
//!
//! ```ignore
//! pub fn decode_component(schema: &str, json: &str) -> Option<Result<(), String>> {
//!     Some(match schema {
//!         "ErrorBody" => decode_component_as::<ErrorBody>(json),
//!         "SecretObject" => decode_component_as::<crate::SecretObject>(json),
//!         // ...
//!         _ => return None,
//!     })
//! }
//! ```
//!
//! A failure reads `<path>: <serde's message>`, the path in the `$.a.b[0]` style of
//! [`drift`](crate::drift) (`$` for the document itself).

use anyhow::Context;
use proc_macro2::TokenStream;
use quote::quote;

use crate::model::{Component, Kind};

/// The Rust code of `decode_component` (and its private helper) for these components, to be
/// appended to the models file. Needs `serde_path_to_error` in `metorial-models`.
pub fn tokens(components: &[Component]) -> anyhow::Result<TokenStream> {
    let mut arms = Vec::new();
    for component in components {
        let name = component.name.as_str();
        let ty = rust_type(component)
            .with_context(|| format!("#/components/schemas/{name}: no Rust type to decode into"))?;
        arms.push(quote! { #name => decode_component_as::<#ty>(json), });
    }
    Ok(quote! {
        /// Decodes `json` as the generated type of the component schema named `schema`.
        ///
        /// `None` when the spec has no such component schema; otherwise `Ok(())` when the
        /// document decodes, or the failure as `<path>: <message>`, the path in `$.a.b[0]`
        /// style (`$` for the document itself). `cargo xtask drift` checks recorded responses
        /// with it, through this crate's `decode` example.
        pub fn decode_component(
            schema: &str,
            json: &str,
        ) -> ::std::option::Option<::std::result::Result<(), ::std::string::String>> {
            ::std::option::Option::Some(match schema {
                #(#arms)*
                _ => return ::std::option::Option::None,
            })
        }

        fn decode_component_as<T: ::serde::de::DeserializeOwned>(
            json: &str,
        ) -> ::std::result::Result<(), ::std::string::String> {
            let mut deserializer = ::serde_json::Deserializer::from_str(json);
            let decoded: ::std::result::Result<T, _> =
                ::serde_path_to_error::deserialize(&mut deserializer);
            if let ::std::result::Result::Err(error) = decoded {
                let path = error.path().to_string();
                let at = match path.as_str() {
                    "." => "$".to_owned(),
                    p if p.starts_with('[') => format!("${p}"),
                    p => format!("$.{p}"),
                };
                return ::std::result::Result::Err(format!("{at}: {}", error.into_inner()));
            }
            deserializer.end().map_err(|error| format!("$: {error}"))
        }
    })
}

/// The type a component decodes into, as seen from inside `metorial-models`.
fn rust_type(component: &Component) -> anyhow::Result<TokenStream> {
    match &component.kind {
        Kind::HandWritten(path) => path
            .parse()
            .map_err(|e| anyhow::anyhow!("`{path}` is not a Rust path: {e}")),
        _ => {
            let ident: syn::Ident = syn::parse_str(&component.name)
                .with_context(|| format!("`{}` is not a Rust identifier", component.name))?;
            Ok(quote! { #ident })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn component(name: &str, kind: Kind) -> Component {
        Component {
            name: name.to_owned(),
            description: None,
            kind,
            schema: serde_json::Value::Null,
            entity: None,
        }
    }

    #[test]
    fn one_arm_per_component_hand_written_ones_by_path() {
        let code = tokens(&[
            component("Widget", Kind::Other),
            component("SecretObject", Kind::HandWritten("crate::SecretObject")),
        ])
        .unwrap()
        .to_string();
        assert!(
            code.contains("\"Widget\" => decode_component_as :: < Widget > (json)"),
            "{code}"
        );
        assert!(
            code.contains(
                "\"SecretObject\" => decode_component_as :: < crate :: SecretObject > (json)"
            ),
            "{code}"
        );
        syn::parse2::<syn::File>(tokens(&[]).unwrap()).expect("the code parses");
    }

    #[test]
    fn a_name_that_is_no_identifier_is_an_error() {
        let error = tokens(&[component("Not A Type", Kind::Other)]).unwrap_err();
        assert!(
            format!("{error:#}").contains("#/components/schemas/Not A Type"),
            "{error:#}"
        );
    }
}
