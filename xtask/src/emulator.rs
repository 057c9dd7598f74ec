//! The emulator's routing plumbing, generated from the model: an `OperationId` enum of every
//! operation, a `Handlers` trait with one method per operation (its default: no handler, so
//! the operation answers 501 `not_implemented`), and `route`, an exhaustive match from an
//! operation to its handler. The emulator implements `Handlers` for the operations it serves;
//! a new operation in the spec needs nothing else to be routed, and a handler named after an
//! operation the spec does not have fails the build.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::model::Api;
use crate::names::pascal;

/// Where the plumbing goes, relative to the workspace root.
pub const EMULATOR: &str = "crates/metorial-emulator/src/http/api/generated.rs";

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
    quote! {
        use axum::routing::{MethodFilter, MethodRouter};

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
        }

        #handlers
    }
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
