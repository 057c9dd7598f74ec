//! The emulator's routing plumbing, generated from the model: an `OperationId` enum of every
//! operation, a `Handlers` trait with one method per operation (its default: no handler, so
//! the operation answers 501 `not_implemented`), and `route`, an exhaustive match from an
//! operation to its handler. The emulator implements `Handlers` for the operations it serves;
//! a new operation in the spec needs nothing else to be routed, and a handler named after an
//! operation the spec does not have fails the build. Each list operation's filters (query
//! key, and whether it takes values, one of a fixed set, or a date range) come with it, and
//! each request body's field names (`BodyFields`).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::model::{Api, FilterType, Operation};
use crate::names::pascal;

/// Where the plumbing goes, relative to the workspace root.
pub const EMULATOR: &str = "crates/metorial-emulator/src/http/api/generated.rs";

/// Where the API's entity names go (the emulator's vocabulary, below its store).
pub const ENTITIES: &str = "crates/metorial-emulator/src/entity/generated.rs";

/// The API's entity names: one constant per schema with an `x-metorial-entity`, named after
/// its last word (`provider.setup_session` is `SETUP_SESSION`).
pub fn entities(api: &Api) -> TokenStream {
    let consts = api.components.iter().filter_map(|c| {
        let entity = c.entity.as_deref()?;
        let last = entity.rsplit('.').next().unwrap_or(entity);
        let name = format_ident!("{}", last.to_uppercase());
        let doc = format!(" The `entity` of a `{}` in a `not_found` error.", c.name);
        Some(quote! {
            #[doc = #doc]
            pub(crate) const #name: &str = #entity;
        })
    });
    quote!(#(#consts)*)
}

/// The plumbing's code.
pub fn tokens(api: &Api) -> TokenStream {
    let ids: Vec<&str> = api.operations.iter().map(|op| op.id.as_str()).collect();
    let variants: Vec<syn::Ident> = ids
        .iter()
        .map(|id| format_ident!("{}", pascal(id)))
        .collect();
    let methods: Vec<syn::Ident> = ids.iter().map(|id| format_ident!("{id}")).collect();
    let docs = api.operations.iter().map(|op| {
        format!(
            " `{} {}`: {}.",
            op.method.to_uppercase(),
            op.path,
            op.summary
        )
    });
    let handlers = handlers_tokens(&ids, &variants, &methods);
    let filters = api.operations.iter().map(filters_tokens);
    let bodies = body_fields_tokens(api);
    quote! {
        use axum::routing::{MethodFilter, MethodRouter};

        use super::extract::{BodyFields, ListFilter};
        use crate::http::state::AppState;

        /// Every operation of `spec/metorial.yaml`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub(crate) enum OperationId {
            #(#[doc = #docs] #variants,)*
        }

        impl OperationId {
            /// Every operation, in the spec's order.
            pub(crate) const ALL: &'static [OperationId] = &[#(OperationId::#variants),*];

            /// Its `operationId`.
            pub(crate) const fn id(self) -> &'static str {
                match self {
                    #(OperationId::#variants => #ids,)*
                }
            }

            /// The operation with this `operationId`.
            pub(crate) fn from_id(id: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|op| op.id() == id)
            }

            /// The filters a list operation takes beyond paging (none for other operations).
            pub(crate) const fn filters(self) -> &'static [ListFilter] {
                match self {
                    #(OperationId::#variants => #filters,)*
                }
            }
        }

        #handlers

        #bodies
    }
}

/// `BodyFields` for each request body of the spec that is an object.
fn body_fields_tokens(api: &Api) -> TokenStream {
    let mut seen: Vec<&str> = Vec::new();
    let mut impls = Vec::new();
    let bodies = api
        .operations
        .iter()
        .filter_map(|op| op.body.as_ref()?.schema.as_deref());
    for name in bodies {
        let Some(component) = api.components.iter().find(|c| c.name == name) else {
            continue;
        };
        if seen.contains(&name) || !component.is_object() {
            continue;
        }
        seen.push(name);
        let ty = format_ident!("{name}");
        let fields = component.properties().map(|(field, _)| field);
        impls.push(quote! {
            impl BodyFields for metorial_models::#ty {
                const FIELDS: Option<&'static [&'static str]> = Some(&[#(#fields),*]);
            }
        });
    }
    quote!(#(#impls)*)
}

/// An operation's filters as a `&[ListFilter]` expression: a `key[gt]`/`key[lt]` pair of
/// date-times is one date range on `key`; a filter with `x-metorial-accepts` takes only those
/// values; any other takes values (one or many).
fn filters_tokens(op: &Operation) -> TokenStream {
    let mut keys: Vec<&str> = Vec::new();
    let mut items = Vec::new();
    for filter in op.list.iter().flat_map(|list| &list.filters) {
        let name = filter.param.name.as_str();
        let range = name
            .strip_suffix("[gt]")
            .or_else(|| name.strip_suffix("[lt]"));
        let key = match (&filter.ty, range) {
            (FilterType::Timestamp, Some(key)) => key,
            _ => name,
        };
        if keys.contains(&key) {
            continue;
        }
        keys.push(key);
        let accepts = &filter.accepts;
        items.push(match (&filter.ty, range) {
            (FilterType::Timestamp, Some(_)) => quote!(ListFilter::dates(#key)),
            _ if !accepts.is_empty() => quote!(ListFilter::one_of(#key, &[#(#accepts),*])),
            _ => quote!(ListFilter::values(#key)),
        });
    }
    if items.is_empty() {
        return quote!(&[]);
    }
    // A const block: a `const fn` call's value is not promoted to `'static` by itself.
    quote!(const { &[#(#items),*] })
}

/// The `Handlers` trait and `route`, over the operations' ids, variants and method names.
fn handlers_tokens(ids: &[&str], variants: &[syn::Ident], methods: &[syn::Ident]) -> TokenStream {
    quote! {
        /// One handler per operation, served at the method the spec gives it; `None` (the
        /// default) answers 501 `not_implemented`.
        pub(crate) trait Handlers {
            #(
                #[doc = concat!(" The handler of `", #ids, "`.")]
                fn #methods(_method: MethodFilter) -> Option<MethodRouter<AppState>> {
                    None
                }
            )*
        }

        /// The handler `H` has for `op`, served at `method`.
        pub(crate) fn route<H: Handlers>(
            op: OperationId,
            method: MethodFilter,
        ) -> Option<MethodRouter<AppState>> {
            match op {
                #(OperationId::#variants => H::#methods(method),)*
            }
        }
    }
}
