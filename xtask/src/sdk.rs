//! The `metorial` crate's resource layer, generated from the spec: one handle per tag (named
//! by the tag's `x-metorial-handle`), one method per operation, list parameters and filter
//! setters from the query parameters, `list_all`/`list_all_backward` for list operations,
//! `wait_for_completion` for a get operation with `x-metorial-wait`, and handles scoped by the
//! path parameters every operation of the tag shares. The machinery these call (the call loop,
//! retries, errors, redaction, the page stream, the wait loop) is hand-written in `metorial`.

use anyhow::{Context, bail};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use crate::spec::{Spec, resolve};

/// Where the resource layer goes, relative to the workspace root.
pub const SDK: &str = "crates/metorial/src/generated.rs";

/// The query parameters every list operation has, set by the hand-written `set_paging!`.
const PAGING: &[&str] = &["limit", "after", "before", "cursor", "order"];

/// One API resource (a tag): its handle and operations.
pub(crate) struct Resource {
    pub(crate) handle: syn::Ident,
    pub(crate) type_name: syn::Ident,
    pub(crate) description: String,
    /// Path parameters every operation has: the handle's own fields.
    pub(crate) scope: Vec<String>,
    pub(crate) ops: Vec<Op>,
}

/// One operation, as a handle method.
pub(crate) struct Op {
    pub(crate) id: String,
    pub(crate) http: String,
    pub(crate) path: String,
    pub(crate) name: syn::Ident,
    pub(crate) summary: String,
    pub(crate) description: String,
    /// Path parameters beyond the scope, in path order.
    pub(crate) params: Vec<String>,
    pub(crate) body: Option<Body>,
    pub(crate) response: String,
    pub(crate) list: Option<List>,
    pub(crate) sensitive: bool,
    pub(crate) wait: Option<Wait>,
}

/// A request body: its schema and the properties that hold secrets (`SecretObject`).
pub(crate) struct Body {
    pub(crate) schema: String,
    pub(crate) secrets: Vec<String>,
}

/// A list operation: the item schema and the filters (query parameters beyond paging).
pub(crate) struct List {
    pub(crate) item: String,
    pub(crate) filters: Vec<Filter>,
}

/// A list filter: its setter (and field) name, the generated builder's method, its type.
pub(crate) struct Filter {
    pub(crate) wire: String,
    pub(crate) setter: syn::Ident,
    pub(crate) method: syn::Ident,
    pub(crate) ty: TokenStream,
}

/// `x-metorial-wait`: the statuses that end a wait, and whether `status` may be absent.
pub(crate) struct Wait {
    pub(crate) done: Vec<String>,
    pub(crate) failed: Vec<String>,
    pub(crate) optional_status: bool,
}

/// The resource layer's code.
pub fn tokens(spec: &Spec) -> anyhow::Result<TokenStream> {
    let resources = resources(spec)?;
    let handles = resources.iter().map(handle_tokens);
    let accessors = resources.iter().map(accessor_tokens);
    let mut items: Vec<String> = resources
        .iter()
        .flat_map(|r| r.ops.iter().filter_map(|op| op.list.as_ref()))
        .map(|list| list.item.clone())
        .collect();
    items.sort();
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

/// The spec's resources, in tag order. Every operation must belong to a tag with a handle.
pub(crate) fn resources(spec: &Spec) -> anyhow::Result<Vec<Resource>> {
    let tags = spec.raw.get("tags").and_then(Value::as_array);
    let handled: Vec<&str> = tags
        .into_iter()
        .flatten()
        .filter(|t| t.get("x-metorial-handle").is_some())
        .filter_map(|t| t.get("name").and_then(Value::as_str))
        .collect();
    for (_, _, op) in spec.operations() {
        if !handled.iter().any(|tag| has_tag(op, tag)) {
            bail!(
                "operation `{}` has no tag with an `x-metorial-handle`: the SDK would not offer it",
                op.get("operationId").and_then(Value::as_str).unwrap_or("?")
            );
        }
    }
    let mut out = Vec::new();
    for tag in tags.into_iter().flatten() {
        let name = str_of(tag, "name")?;
        let handle = str_of(tag, "x-metorial-handle")
            .with_context(|| format!("tag `{name}` needs `x-metorial-handle`"))?;
        let mut ops = Vec::new();
        let mut all_params: Option<Vec<String>> = None;
        for (http, path, op) in spec.operations() {
            if !has_tag(op, name) {
                continue;
            }
            let params = path_params(path);
            all_params = Some(match all_params {
                None => params,
                Some(common) => common.into_iter().filter(|p| params.contains(p)).collect(),
            });
            ops.push((http, path, op));
        }
        let scope = all_params.unwrap_or_default();
        let ops = ops
            .into_iter()
            .map(|(http, path, op)| operation(spec, http, path, op, &scope))
            .collect::<anyhow::Result<Vec<_>>>()?;
        check_names(name, &ops)?;
        out.push(Resource {
            type_name: format_ident!("{}", pascal(handle)),
            handle: format_ident!("{handle}"),
            description: tag
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .trim()
                .to_owned(),
            scope,
            ops,
        });
    }
    Ok(out)
}

fn check_names(tag: &str, ops: &[Op]) -> anyhow::Result<()> {
    let mut names: Vec<String> = ops.iter().map(|op| op.name.to_string()).collect();
    names.sort();
    if let Some(pair) = names.windows(2).find(|w| w[0] == w[1]) {
        bail!(
            "tag `{tag}`: two operations make the method `{}`; give one an `x-metorial-method`",
            pair[0]
        );
    }
    if ops.iter().filter(|op| op.list.is_some()).count() > 1 {
        bail!("tag `{tag}`: more than one list operation (one handle streams one list)");
    }
    Ok(())
}

/// One operation of a resource scoped by `scope`.
fn operation(
    spec: &Spec,
    http: &str,
    path: &str,
    op: &Value,
    scope: &[String],
) -> anyhow::Result<Op> {
    let id = str_of(op, "operationId")?.to_owned();
    let name = match op.get("x-metorial-method").and_then(Value::as_str) {
        Some(name) => name.to_owned(),
        None => id.split('_').next().unwrap_or(&id).to_owned(),
    };
    let response = op
        .pointer("/responses/200/content/application~1json/schema/$ref")
        .and_then(Value::as_str)
        .and_then(schema_name)
        .with_context(|| format!("`{id}`: the 200 response must be a `$ref` to a schema"))?
        .to_owned();
    let body = op
        .pointer("/requestBody/content/application~1json/schema/$ref")
        .and_then(Value::as_str)
        .and_then(schema_name)
        .map(|schema| body(spec, schema));
    Ok(Op {
        list: list(spec, &id, op, &response)?,
        wait: wait(spec, &id, op, &response)?,
        sensitive: op.get("x-metorial-secret-response") == Some(&Value::Bool(true)),
        params: path_params(path)
            .into_iter()
            .filter(|p| !scope.contains(p))
            .collect(),
        summary: op
            .get("summary")
            .and_then(Value::as_str)
            .unwrap_or(&id)
            .to_owned(),
        description: op
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .trim()
            .to_owned(),
        name: format_ident!("{name}"),
        http: http.to_uppercase(),
        path: path.to_owned(),
        body,
        response,
        id,
    })
}

fn body(spec: &Spec, schema: &str) -> Body {
    let secrets = spec
        .raw
        .pointer(&format!("/components/schemas/{schema}/properties"))
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(_, prop)| refers_to(prop, "SecretObject"))
        .map(|(name, _)| name.clone())
        .collect();
    Body {
        schema: schema.to_owned(),
        secrets,
    }
}

/// The list facts of an operation whose response is `{items: [X], pagination}`.
fn list(spec: &Spec, id: &str, op: &Value, response: &str) -> anyhow::Result<Option<List>> {
    let schema = spec.raw.pointer(&format!("/components/schemas/{response}"));
    let Some(item) = schema
        .and_then(|s| s.pointer("/properties/items/items/$ref"))
        .and_then(Value::as_str)
        .and_then(schema_name)
    else {
        return Ok(None);
    };
    if schema
        .and_then(|s| s.pointer("/properties/pagination"))
        .is_none()
    {
        return Ok(None);
    }
    let mut filters = Vec::new();
    let mut paging = Vec::new();
    for param in op
        .get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let param = resolve(&spec.raw, param);
        if param.get("in").and_then(Value::as_str) != Some("query") {
            continue;
        }
        let wire = str_of(param, "name")?;
        if PAGING.contains(&wire) {
            paging.push(wire);
            continue;
        }
        filters.push(filter(id, param, wire)?);
    }
    if paging.len() != PAGING.len() {
        // Not a pageable list: an ordinary method returning the response as it is.
        return Ok(None);
    }
    Ok(Some(List {
        item: item.to_owned(),
        filters,
    }))
}

fn filter(id: &str, param: &Value, wire: &str) -> anyhow::Result<Filter> {
    let setter = match param.get("x-metorial-setter").and_then(Value::as_str) {
        Some(setter) => setter.to_owned(),
        None => snake(wire),
    };
    let schema = param.get("schema").unwrap_or(&Value::Null);
    let ty = match (
        schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(schema_name),
        schema.get("type").and_then(Value::as_str),
        schema.get("format").and_then(Value::as_str),
    ) {
        (Some(name), _, _) => {
            let name = format_ident!("{name}");
            quote! { ::metorial_models::#name }
        }
        (None, Some("string"), Some("date-time")) => quote! { ::metorial_models::Timestamp },
        (None, Some("string"), _) => quote! { String },
        (None, Some("integer"), _) => quote! { i64 },
        (None, Some("boolean"), _) => quote! { bool },
        _ => bail!("`{id}`: query parameter `{wire}` has a type the SDK generator cannot set"),
    };
    Ok(Filter {
        wire: wire.to_owned(),
        setter: format_ident!("{setter}"),
        method: format_ident!("{}", snake(wire)),
        ty,
    })
}

/// `x-metorial-wait` of a get operation.
fn wait(spec: &Spec, id: &str, op: &Value, response: &str) -> anyhow::Result<Option<Wait>> {
    let Some(wait) = op.get("x-metorial-wait") else {
        return Ok(None);
    };
    let statuses = |key: &str| -> Vec<String> {
        wait.get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect()
    };
    let schema = spec
        .raw
        .pointer(&format!("/components/schemas/{response}"))
        .with_context(|| format!("`{id}`: no schema {response}"))?;
    let Some(status) = schema.pointer("/properties/status") else {
        bail!("`{id}`: `x-metorial-wait` needs a `status` property on {response}");
    };
    let required = schema
        .get("required")
        .and_then(Value::as_array)
        .is_some_and(|r| r.iter().any(|v| v == "status"));
    let done = statuses("done");
    if done.is_empty() {
        bail!("`{id}`: `x-metorial-wait` needs at least one `done` status");
    }
    Ok(Some(Wait {
        done,
        failed: statuses("failed"),
        optional_status: !required || status.get("nullable") == Some(&Value::Bool(true)),
    }))
}

/// One handle: its struct, its methods, its list parameters and its `Paged` impl.
fn handle_tokens(resource: &Resource) -> TokenStream {
    let ty = &resource.type_name;
    let doc = doc_lines(&resource.description);
    let scope: Vec<syn::Ident> = resource
        .scope
        .iter()
        .map(|p| format_ident!("{p}"))
        .collect();
    let scope_docs = resource
        .scope
        .iter()
        .map(|p| format!(" The `{p}` these objects belong to."));
    let methods = resource.ops.iter().map(|op| method_tokens(resource, op));
    let list = resource
        .ops
        .iter()
        .find_map(|op| op.list.as_ref().map(|list| (op, list)))
        .map(|(op, list)| list_tokens(resource, op, list));
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
    let handle = &resource.handle;
    let ty = &resource.type_name;
    let scope: Vec<syn::Ident> = resource
        .scope
        .iter()
        .map(|p| format_ident!("{p}"))
        .collect();
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

/// One operation's method.
fn method_tokens(resource: &Resource, op: &Op) -> TokenStream {
    let name = &op.name;
    let doc = method_doc(op);
    let client_method = format_ident!("{}", op.id);
    let scope_checks = resource.scope.iter().map(|p| {
        let (noun, field) = (noun(p), format_ident!("{p}"));
        quote! { crate::call::require_id(#noun, &self.#field)?; }
    });
    let param_checks = op.params.iter().map(|p| {
        let (noun, arg) = (noun(p), arg_ident(op, p));
        quote! { crate::call::require_id(#noun, #arg)?; }
    });
    let checks: Vec<TokenStream> = scope_checks.chain(param_checks).collect();
    let path_setters = resource
        .scope
        .iter()
        .map(|p| {
            let p = format_ident!("{p}");
            quote! { .#p(&self.#p) }
        })
        .chain(op.params.iter().map(|p| {
            let setter = format_ident!("{p}");
            let arg = arg_ident(op, p);
            quote! { .#setter(#arg) }
        }))
        .collect::<Vec<_>>();
    let args: Vec<TokenStream> = op
        .params
        .iter()
        .map(|p| {
            let arg = arg_ident(op, p);
            quote! { #arg: &str }
        })
        .collect();
    let arg_names: Vec<syn::Ident> = op.params.iter().map(|p| arg_ident(op, p)).collect();
    let id = &op.id;
    let sensitive = op.sensitive.then(|| quote! { .sensitive() });
    if let Some(list) = &op.list {
        let item = format_ident!("{}", list.item);
        let params = format_ident!("List{}", resource.type_name);
        let filters = list.filters.iter().map(|f| {
            let (setter, method) = (&f.setter, &f.method);
            quote! {
                if let Some(value) = params.filters.#setter.clone() {
                    req = req.#method(value);
                }
            }
        });
        let scope_setters = resource.scope.iter().map(|p| {
            let p = format_ident!("{p}");
            quote! { .#p(&self.#p) }
        });
        let (twin, twin_doc) = twin(op);
        return quote! {
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
        };
    }
    let response = format_ident!("{}", op.response);
    let (body_arg, body_set, secrets) = match &op.body {
        Some(body) => {
            let schema = format_ident!("{}", body.schema);
            let fields = body.secrets.iter().map(|f| format_ident!("{f}"));
            let secrets = (!body.secrets.is_empty()).then(|| {
                quote! { .sending_secrets(crate::redact::sent_secrets([#(&body.#fields),*])) }
            });
            (
                Some(quote! { body: ::metorial_models::#schema }),
                Some(quote! { .body(body.clone()) }),
                secrets,
            )
        }
        None => (None, None, None),
    };
    let wait = op
        .wait
        .as_ref()
        .map(|wait| wait_tokens(op, wait, &response));
    let (twin, twin_doc) = twin(op);
    let body_name = op.body.as_ref().map(|_| quote! { body });
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

/// The name and doc of the method returning `op`'s value with its `Response`: `<name>_with_response`.
fn twin(op: &Op) -> (syn::Ident, String) {
    let name = &op.name;
    let doc = format!(
        " [`{name}`](Self::{name}), returning the value with the status, headers and request ID \
         of its response."
    );
    (format_ident!("{name}_with_response"), doc)
}

/// A method's doc: the summary, the description, the endpoint and what it may fail with.
fn method_doc(op: &Op) -> Vec<String> {
    let mut text = format!("{}.\n", op.summary.trim_end_matches('.'));
    if !op.description.is_empty() && op.description != op.summary {
        text.push_str(&format!("\n{}\n", op.description));
    }
    text.push_str(&format!(
        "\n`{} {}` (operation `{}`).\n",
        op.http, op.path, op.id
    ));
    if op.sensitive {
        text.push_str(
            "\nThe response holds secrets: no error or log of this call keeps its body.\n",
        );
    }
    text.push_str(
        "\n# Errors\n[`Error::InvalidRequest`](crate::Error::InvalidRequest) for an empty ID or a \
         bad page size, before anything is sent; otherwise any [`Error`](crate::Error) of the \
         call, after the retries the client's policy allows.",
    );
    doc_lines(&text)
}

/// `wait_for_completion`, polling the get method `op`.
fn wait_tokens(op: &Op, wait: &Wait, response: &syn::Ident) -> TokenStream {
    let get = &op.name;
    let (done, failed) = (&wait.done, &wait.failed);
    let status = if wait.optional_status {
        quote! { item.status.as_ref().map(ToString::to_string) }
    } else {
        quote! { Some(item.status.to_string()) }
    };
    let doc = format!(
        " Polls [`{get}`](Self::{get}) until the object's status is {}, and returns it.",
        done.iter()
            .map(|s| format!("`{s}`"))
            .collect::<Vec<_>>()
            .join(" or ")
    );
    let errors = format!(
        " [`FlowError::Ended`](crate::FlowError::Ended) when it becomes {}; \
         [`FlowError::Deleted`](crate::FlowError::Deleted) when it disappears; \
         [`FlowError::DeadlineExceeded`](crate::FlowError::DeadlineExceeded) when `options`' \
         timeout passes first; any other error of [`{get}`](Self::{get}).",
        if failed.is_empty() {
            "nothing".to_owned()
        } else {
            failed
                .iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", ")
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
fn list_tokens(resource: &Resource, op: &Op, list: &List) -> TokenStream {
    let ty = &resource.type_name;
    let filters_ty = format_ident!("{}Filters", resource.type_name);
    let params_ty = format_ident!("List{}", resource.type_name);
    let item = format_ident!("{}", list.item);
    let name = &op.name;
    let fields = list.filters.iter().map(|f| {
        let (setter, ty) = (&f.setter, &f.ty);
        quote! { pub(crate) #setter: Option<#ty>, }
    });
    let setters = list.filters.iter().map(|f| {
        let (setter, ty) = (&f.setter, &f.ty);
        let doc = format!(" Only items matching `{}`.", f.wire);
        quote! {
            #[doc = #doc]
            pub fn #setter(mut self, value: impl Into<#ty>) -> Self {
                self.filters.#setter = Some(value.into());
                self
            }
        }
    });
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

        impl Paged for #ty {
            type Item = ::metorial_models::#item;
            type Filters = #filters_ty;

            async fn page(&self, params: &#params_ty) -> Result<Page<::metorial_models::#item>> {
                self.#name(params).await
            }
        }
    }
}

/// The argument of a path parameter: `id` when it is the operation's only one.
fn arg_ident(op: &Op, param: &str) -> syn::Ident {
    if op.params.len() == 1 {
        format_ident!("id")
    } else {
        format_ident!("{param}")
    }
}

/// How a path parameter is named in messages: `provider_setup_session_id` -> `setup session`.
fn noun(param: &str) -> String {
    let base = param.strip_suffix("_id").unwrap_or(param);
    let base = base.strip_prefix("provider_").unwrap_or(base);
    base.replace('_', " ")
}

/// The path parameters of a path template, in order.
fn path_params(path: &str) -> Vec<String> {
    path.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_owned()))
        .collect()
}

fn has_tag(op: &Value, tag: &str) -> bool {
    op.get("tags")
        .and_then(Value::as_array)
        .is_some_and(|tags| tags.iter().any(|t| t == tag))
}

fn refers_to(schema: &Value, name: &str) -> bool {
    let target = format!("#/components/schemas/{name}");
    schema.get("$ref").and_then(Value::as_str) == Some(&target)
        || schema
            .get("allOf")
            .and_then(Value::as_array)
            .is_some_and(|all| all.iter().any(|s| refers_to(s, name)))
}

fn schema_name(reference: &str) -> Option<&str> {
    reference.strip_prefix("#/components/schemas/")
}

fn str_of<'a>(node: &'a Value, key: &str) -> anyhow::Result<&'a str> {
    node.get(key)
        .and_then(Value::as_str)
        .with_context(|| format!("missing string `{key}` in {node}"))
}

/// `created_at[gt]` -> `created_at_gt`: how progenitor names a parameter's builder method,
/// and the SDK's default setter name.
pub fn snake(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_matches('_').to_owned()
}

/// `setup_sessions` -> `SetupSessions`.
fn pascal(snake: &str) -> String {
    snake
        .split('_')
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

fn first_sentence(text: &str) -> String {
    let line = text.lines().next().unwrap_or_default();
    match line.find(". ") {
        Some(end) => line[..=end].to_owned(),
        None => line.to_owned(),
    }
}

fn doc_lines(text: &str) -> Vec<String> {
    crate::schemas::doc_lines(Some(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_stable_rules() {
        assert_eq!(snake("created_at[gt]"), "created_at_gt");
        assert_eq!(snake("provider_id"), "provider_id");
        assert_eq!(pascal("setup_sessions"), "SetupSessions");
        assert_eq!(noun("provider_setup_session_id"), "setup session");
        assert_eq!(noun("provider_deployment_id"), "deployment");
        assert_eq!(
            path_params("/a/{x_id}/b/{y_id}"),
            ["x_id".to_owned(), "y_id".to_owned()]
        );
    }
}
