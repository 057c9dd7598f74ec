//! The `metorial` crate's resource layer, generated from the spec: one handle per tag (named
//! by the tag's `x-metorial-handle`), one method per operation, list parameters and filter
//! setters from the query parameters, `list_all`/`list_all_backward` for list operations,
//! `wait_for_completion` for a get operation with `x-metorial-wait`, and handles scoped by the
//! path parameters every operation of the tag shares. The machinery these call (the call loop,
//! retries, errors, redaction, the page stream, the wait loop) is hand-written in `metorial`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::model::{Api, FilterType, List, Operation, Resource, Wait};
use crate::names::{doc_lines, first_sentence, noun, snake};

/// Where the resource layer goes, relative to the workspace root.
pub const SDK: &str = "crates/metorial/src/generated.rs";

/// The resource layer's code.
pub fn tokens(api: &Api) -> anyhow::Result<TokenStream> {
    let handles = api.resources.iter().map(|r| handle_tokens(api, r));
    let accessors = api.resources.iter().map(accessor_tokens);
    let mut items: Vec<&str> = api
        .operations
        .iter()
        .filter_map(|op| op.list.as_ref())
        .map(|list| list.item.as_str())
        .collect();
    items.sort_unstable();
    items.dedup();
    let identified = items.iter().map(|item| {
        let item = format_ident!("{item}");
        quote! {
            impl crate::list::Identified for ::metorial_models::#item {
                fn id(&self) -> &str {
                    &self.id
                }
            }
        }
    });
    Ok(quote! {
        use crate::client::Metorial;
        use crate::error::Result;
        use crate::list::{Direction, List, Page, Paged};
        use crate::options::CallOptions;
        use crate::response::Response;
        use crate::wait::WaitOptions;

        #(#handles)*

        impl Metorial {
            #(#accessors)*
        }

        #(#identified)*
    })
}

/// The Rust type of a filter's value, as seen from the `metorial` crate.
pub(crate) fn filter_type(ty: &FilterType) -> TokenStream {
    match ty {
        FilterType::Component(name) => {
            let name = format_ident!("{name}");
            quote! { ::metorial_models::#name }
        }
        FilterType::Timestamp => quote! { ::metorial_models::Timestamp },
        FilterType::String => quote! { String },
        FilterType::Integer => quote! { i64 },
        FilterType::Boolean => quote! { bool },
    }
}

/// `impl Into<..>` identifiers of a handle's scope fields.
fn scope_idents(resource: &Resource) -> Vec<syn::Ident> {
    resource
        .scope
        .iter()
        .map(|p| format_ident!("{p}"))
        .collect()
}

/// One handle: its struct, its methods, its list parameters and its `Paged` impl.
fn handle_tokens(api: &Api, resource: &Resource) -> TokenStream {
    let ty = format_ident!("{}", resource.type_name);
    let doc = doc_lines(Some(&resource.description));
    let scope = scope_idents(resource);
    let scope_docs = resource
        .scope
        .iter()
        .map(|p| format!(" The `{p}` these objects belong to."));
    let methods = api
        .operations_of(resource)
        .map(|op| Method::new(resource, op).tokens());
    let list = api
        .operations_of(resource)
        .find(|op| op.list.is_some())
        .map(|op| list_tokens(resource, op));
    quote! {
        #(#[doc = #doc])*
        #[derive(Clone, Debug)]
        pub struct #ty {
            metorial: Metorial,
            #(#scope: String,)*
        }

        impl #ty {
            #(
                #[doc = #scope_docs]
                pub fn #scope(&self) -> &str {
                    &self.#scope
                }
            )*

            /// This handle with `options` (a timeout, a retry policy, headers, interceptors)
            /// over the client's settings, for every call made through it.
            pub fn with_options(&self, options: CallOptions) -> Self {
                Self {
                    metorial: self.metorial.with_options(options),
                    #(#scope: self.#scope.clone(),)*
                }
            }

            #(#methods)*
        }

        #list
    }
}

/// `metorial.<handle>(<scope>)`.
fn accessor_tokens(resource: &Resource) -> TokenStream {
    let handle = format_ident!("{}", resource.handle);
    let ty = format_ident!("{}", resource.type_name);
    let scope = scope_idents(resource);
    let doc = format!(" {}", first_sentence(&resource.description));
    quote! {
        #[doc = #doc]
        pub fn #handle(&self, #(#scope: impl Into<String>),*) -> #ty {
            #ty {
                metorial: self.clone(),
                #(#scope: #scope.into(),)*
            }
        }
    }
}

/// One operation as a handle method: what its code is made of.
struct Method<'a> {
    resource: &'a Resource,
    op: &'a Operation,
    /// Path parameters beyond the scope.
    params: Vec<&'a str>,
    name: syn::Ident,
}

impl<'a> Method<'a> {
    fn new(resource: &'a Resource, op: &'a Operation) -> Self {
        Method {
            params: resource.own_params(op),
            name: format_ident!("{}", op.method_name),
            resource,
            op,
        }
    }

    /// The argument of a path parameter: `id` when it is the operation's only one.
    fn arg(&self, param: &str) -> syn::Ident {
        let name = if self.params.len() == 1 { "id" } else { param };
        format_ident!("{name}")
    }

    /// `require_id` for the scope and every path parameter.
    fn checks(&self) -> Vec<TokenStream> {
        let scope = self.resource.scope.iter().map(|p| {
            let (noun, field) = (noun(p), format_ident!("{p}"));
            quote! { crate::call::require_id(#noun, &self.#field)?; }
        });
        let params = self.params.iter().map(|p| {
            let (noun, arg) = (noun(p), self.arg(p));
            quote! { crate::call::require_id(#noun, #arg)?; }
        });
        scope.chain(params).collect()
    }

    /// The client builder's setters of the scope (and, with `params`, of the path parameters).
    fn path_setters(&self, params: bool) -> Vec<TokenStream> {
        let scope = self.resource.scope.iter().map(|p| {
            let p = format_ident!("{p}");
            quote! { .#p(&self.#p) }
        });
        let own = self.params.iter().filter(|_| params).map(|p| {
            let (setter, arg) = (format_ident!("{p}"), self.arg(p));
            quote! { .#setter(#arg) }
        });
        scope.chain(own).collect()
    }

    /// The name and doc of the method returning the value with its `Response`.
    fn twin(&self) -> (syn::Ident, String) {
        let name = &self.name;
        let doc = format!(
            " [`{name}`](Self::{name}), returning the value with the status, headers and request ID \
             of its response."
        );
        (format_ident!("{name}_with_response"), doc)
    }

    fn tokens(&self) -> TokenStream {
        match &self.op.list {
            Some(list) => self.list_tokens(list),
            None => self.one_tokens(),
        }
    }

    /// The method of a list operation (one page) and its twin.
    fn list_tokens(&self, list: &List) -> TokenStream {
        let (name, id, op) = (&self.name, &self.op.id, self.op);
        let doc = method_doc(op);
        let client_method = format_ident!("{id}");
        let item = format_ident!("{}", list.item);
        let params = format_ident!("List{}", self.resource.type_name);
        let filters = list.filters.iter().map(|f| {
            let setter = format_ident!("{}", f.param.sdk_setter());
            let method = format_ident!("{}", snake(&f.param.name));
            quote! {
                if let Some(value) = params.filters.#setter.clone() {
                    req = req.#method(value);
                }
            }
        });
        let checks = self.checks();
        let scope_setters = self.path_setters(false);
        let sensitive = op.response_has_secrets().then(|| quote! { .sensitive() });
        let (twin, twin_doc) = self.twin();
        quote! {
            #(#[doc = #doc])*
            pub async fn #name(&self, params: &#params) -> Result<Page<::metorial_models::#item>> {
                self.#twin(params).await.map(Response::into_value)
            }

            #[doc = #twin_doc]
            pub async fn #twin(
                &self,
                params: &#params,
            ) -> Result<Response<Page<::metorial_models::#item>>> {
                #(#checks)*
                let limit = params.checked_limit()?;
                let response = self
                    .metorial
                    .call(#id)
                    #sensitive
                    .run(|client| {
                        let mut req = client.#client_method() #(#scope_setters)*;
                        crate::list::set_paging!(req, params, limit);
                        #(#filters)*
                        req.send()
                    })
                    .await?;
                Ok(response.map(|list| Page::new(list.items, list.pagination)))
            }
        }
    }

    /// The method of any other operation, its twin, and `wait_for_completion` if it has one.
    fn one_tokens(&self) -> TokenStream {
        let (name, id, op) = (&self.name, &self.op.id, self.op);
        let doc = method_doc(op);
        let client_method = format_ident!("{id}");
        let response = format_ident!("{}", op.response.as_deref().unwrap_or_default());
        let arg_names: Vec<syn::Ident> = self.params.iter().map(|p| self.arg(p)).collect();
        let args: Vec<TokenStream> = arg_names.iter().map(|arg| quote! { #arg: &str }).collect();
        let [body_arg, body_set, secrets] = body_tokens(op);
        let body_name = body_arg.as_ref().map(|_| quote! { body });
        let checks = self.checks();
        let path_setters = self.path_setters(true);
        let sensitive = op.response_has_secrets().then(|| quote! { .sensitive() });
        let wait = op.wait.as_ref().map(|w| wait_tokens(self, w, &response));
        let (twin, twin_doc) = self.twin();
        quote! {
            #(#[doc = #doc])*
            pub async fn #name(&self, #(#args,)* #body_arg) -> Result<::metorial_models::#response> {
                self.#twin(#(#arg_names,)* #body_name).await.map(Response::into_value)
            }

            #[doc = #twin_doc]
            pub async fn #twin(
                &self,
                #(#args,)*
                #body_arg
            ) -> Result<Response<::metorial_models::#response>> {
                #(#checks)*
                self.metorial
                    .call(#id)
                    #sensitive
                    #secrets
                    .run(|client| client.#client_method() #(#path_setters)* #body_set .send())
                    .await
            }

            #wait
        }
    }
}

/// A method's body argument, the client builder's `.body(..)`, and the secrets it sends
/// (their values are scrubbed from the call's errors).
fn body_tokens(op: &Operation) -> [Option<TokenStream>; 3] {
    let Some((body, schema)) = op.body.as_ref().and_then(|b| Some((b, b.schema.as_ref()?))) else {
        return [None, None, None];
    };
    let schema = format_ident!("{schema}");
    let paths = body.secrets.iter().map(|path| quote! { &[#(#path),*] });
    let secrets = (!body.secrets.is_empty()).then(|| {
        quote! { .sending_secrets(crate::redact::sent_secrets(&body, &[#(#paths),*])) }
    });
    [
        Some(quote! { body: ::metorial_models::#schema }),
        Some(quote! { .body(body.clone()) }),
        secrets,
    ]
}

/// A method's doc: the summary, the description, the endpoint and what it may fail with.
fn method_doc(op: &Operation) -> Vec<String> {
    let mut text = op.overview() + "\n";
    if op.response_has_secrets() {
        text.push_str(
            "\nThe response holds secrets: no error or log of this call keeps its body.\n",
        );
    }
    text.push_str(
        "\n# Errors\n[`Error::InvalidRequest`](crate::Error::InvalidRequest) for an empty ID or a \
         bad page size, before anything is sent; otherwise any [`Error`](crate::Error) of the \
         call, after the retries the client's policy allows.",
    );
    doc_lines(Some(&text))
}

/// `a`, `a or b`: statuses in a doc.
fn quoted(statuses: &[String], separator: &str) -> String {
    statuses
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(separator)
}

/// `wait_for_completion`, polling the get method.
fn wait_tokens(method: &Method<'_>, wait: &Wait, response: &syn::Ident) -> TokenStream {
    let get = &method.name;
    let (done, failed) = (&wait.done, &wait.failed);
    let status = if wait.optional_status {
        quote! { item.status.as_ref().map(ToString::to_string) }
    } else {
        quote! { Some(item.status.to_string()) }
    };
    let doc = format!(
        " Polls [`{get}`](Self::{get}) until the object's status is {}, and returns it.",
        quoted(done, " or ")
    );
    let errors = format!(
        " [`FlowError::Ended`](crate::FlowError::Ended) when it becomes {}; \
         [`FlowError::Deleted`](crate::FlowError::Deleted) when it disappears; \
         [`FlowError::DeadlineExceeded`](crate::FlowError::DeadlineExceeded) when `options`' \
         timeout passes first; any other error of [`{get}`](Self::{get}).",
        if failed.is_empty() {
            "nothing".to_owned()
        } else {
            quoted(failed, ", ")
        }
    );
    quote! {
        #[doc = #doc]
        ///
        /// # Errors
        #[doc = #errors]
        pub async fn wait_for_completion(
            &self,
            id: &str,
            options: WaitOptions,
        ) -> Result<::metorial_models::#response> {
            let statuses = crate::wait::Statuses {
                done: &[#(#done),*],
                failed: &[#(#failed),*],
            };
            crate::wait::wait_for_status(id, &options, &statuses, || self.#get(id), |item| #status)
                .await
        }
    }
}

/// A list's parameters type, filter setters, streams and `Paged` impl.
fn list_tokens(resource: &Resource, op: &Operation) -> TokenStream {
    let Some(list) = &op.list else {
        return TokenStream::new();
    };
    let ty = format_ident!("{}", resource.type_name);
    let filters_ty = format_ident!("{}Filters", resource.type_name);
    let params_ty = format_ident!("List{}", resource.type_name);
    let item = format_ident!("{}", list.item);
    let name = format_ident!("{}", op.method_name);
    let (mut fields, mut setters) = (Vec::new(), Vec::new());
    for filter in &list.filters {
        let setter = format_ident!("{}", filter.param.sdk_setter());
        let ty = filter_type(&filter.ty);
        let doc = format!(" Only items matching `{}`.", filter.param.name);
        fields.push(quote! { pub(crate) #setter: Option<#ty>, });
        setters.push(quote! {
            #[doc = #doc]
            pub fn #setter(mut self, value: impl Into<#ty>) -> Self {
                self.filters.#setter = Some(value.into());
                self
            }
        });
    }
    let streams = stream_tokens(&ty, &params_ty, &item);
    let filters_doc = format!(" The filters of [`{params_ty}`].");
    let params_doc = format!(" The parameters of [`{ty}::{name}`]: paging and filters.");
    quote! {
        #[doc = #filters_doc]
        #[derive(Clone, Debug, Default, PartialEq)]
        pub struct #filters_ty {
            #(#fields)*
        }

        #[doc = #params_doc]
        pub type #params_ty = List<#filters_ty>;

        impl #params_ty {
            #(#setters)*
        }

        #streams

        impl Paged for #ty {
            type Item = ::metorial_models::#item;
            type Filters = #filters_ty;

            async fn page(&self, params: &#params_ty) -> Result<Page<::metorial_models::#item>> {
                self.#name(params).await
            }
        }
    }
}

/// `list_all` and `list_all_backward` of a handle whose list takes `params_ty` and gives `item`s.
fn stream_tokens(ty: &syn::Ident, params_ty: &syn::Ident, item: &syn::Ident) -> TokenStream {
    quote! {
        impl #ty {
            /// Every item from `params` on, fetching pages (`after` = the last ID) as the
            /// stream is read; filters and page size are kept. Ends after the last page or
            /// the first error.
            pub fn list_all(
                &self,
                params: #params_ty,
            ) -> impl futures_util::Stream<Item = Result<::metorial_models::#item>> + Send + 'static {
                self.stream(params, Direction::Forward)
            }

            /// Like [`list_all`](Self::list_all), walking backward (`before` = the first ID)
            /// from `params.before`: each page's items come last to first.
            pub fn list_all_backward(
                &self,
                params: #params_ty,
            ) -> impl futures_util::Stream<Item = Result<::metorial_models::#item>> + Send + 'static {
                self.stream(params, Direction::Backward)
            }
        }
    }
}
