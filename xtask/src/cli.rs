//! The `metorial` command-line tool's commands, generated from the spec like the SDK's
//! resource layer (and from the same model, [`crate::sdk`]'s resources): one command per
//! resource (`setup-sessions`), one subcommand per operation (`list`, `create`, `get`, ...,
//! and `wait-for-completion` where the SDK has it), written with clap's builder API, and the
//! dispatch that calls the SDK method of the matched subcommand.
//!
//! - Path parameters are positional arguments; the handle's scope (`provider_deployment_id`)
//!   is a required flag of each subcommand.
//! - A list has one flag per filter (the kebab-case wire name, with the SDK setter's name as
//!   an alias when it differs; a one-or-many filter is repeatable and comma-separated) and the
//!   shared paging flags of the hand-written `args.rs`.
//! - A request body has `--body` plus one flag per top-level property of its schema, read as
//!   text, as JSON, or either, as the property's schema says (`body.rs` merges them).
//! - Which properties of a response are secrets (`SecretObject`) is computed here, as paths;
//!   `output.rs` redacts them.
//!
//! A flag whose name is already taken (a global flag, a paging flag, another property) gets a
//! prefixed name (`--filter-x`, `--body-x`), or none when that is taken too (a body property
//! stays settable through `--body`).

use std::collections::BTreeSet;

use anyhow::{Context, bail};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use crate::schemas::{Component, Kind};
use crate::sdk::{Body, Filter, List, Op, Resource};
use crate::spec::{Spec, resolve};

/// Where the command-line tool's generated commands go, relative to the workspace root.
pub const CLI: &str = "crates/metorial-cli/src/generated.rs";

/// Long flags every command has: the hand-written global flags (`main.rs`) and clap's.
const GLOBAL_FLAGS: &[&str] = &[
    "api-key",
    "base-url",
    "table",
    "show-secrets",
    "help",
    "version",
];

/// The flags every list command has (`args::list_args`).
const LIST_FLAGS: &[&str] = &["limit", "after", "before", "cursor", "order", "all"];

/// The flags of a `wait-for-completion` command (`args::wait_args`).
const WAIT_FLAGS: &[&str] = &["timeout", "poll-interval"];

/// The flag that takes a whole request body (`body::body_arg`).
const BODY_FLAG: &str = "body";

/// Top-level command names the hand-written `main.rs` uses.
const RESERVED_COMMANDS: &[&str] = &["completions", "help"];

/// How a body flag's text becomes JSON (the hand-written `body::Kind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ValueKind {
    /// Always a JSON string.
    Text,
    /// Always parsed as JSON (objects, arrays, numbers, booleans).
    Json,
    /// JSON when it parses as an object, array, number or boolean; a string otherwise.
    Auto,
}

impl ValueKind {
    /// The name of the hand-written `body::Kind` variant.
    fn variant(self) -> &'static str {
        match self {
            ValueKind::Text => "Text",
            ValueKind::Json => "Json",
            ValueKind::Auto => "Auto",
        }
    }
}

/// One flag of a request body.
struct BodyFlag {
    wire: String,
    long: String,
    kind: ValueKind,
    help: String,
}

/// What the generator needs besides the SDK's model.
struct Cx<'a> {
    spec: &'a Spec,
    components: &'a [Component],
}

/// The generated module's code.
pub fn tokens(spec: &Spec) -> anyhow::Result<TokenStream> {
    let resources = crate::sdk::resources(spec)?;
    let components = crate::schemas::classify(spec)?;
    let cx = Cx {
        spec,
        components: &components,
    };
    let mut commands = Vec::new();
    let mut arms = Vec::new();
    let mut items = Vec::new();
    for resource in &resources {
        let name = kebab(&resource.handle.to_string());
        if RESERVED_COMMANDS.contains(&name.as_str()) {
            bail!("the resource `{name}` would shadow the command-line tool's own command");
        }
        let command_fn = format_ident!("{}_command", resource.handle);
        commands.push(quote! { #command_fn() });
        let (op_arms, op_items) = resource_ops(&cx, resource)?;
        arms.push(quote! {
            #name => match m.subcommand() {
                #(#op_arms)*
                Some((other, _)) => Err(CliError::Usage(format!("unknown command `{} {other}`", #name))),
                None => Err(CliError::Usage(format!("`{}` needs a subcommand", #name))),
            },
        });
        items.push(resource_command(&cx, resource, &command_fn)?);
        items.extend(op_items);
    }
    Ok(quote! {
        use clap::{Arg, ArgAction, ArgMatches, Command};

        use crate::error::CliError;
        use crate::output::Reply;

        /// One command per API resource, in the spec's tag order.
        pub fn commands() -> Vec<Command> {
            vec![#(#commands),*]
        }

        /// Runs the operation that `m` (the matches of the resource command `resource`)
        /// names, and returns what it answered.
        pub async fn run(
            metorial: &::metorial::Metorial,
            resource: &str,
            m: &ArgMatches,
        ) -> Result<Reply, CliError> {
            match resource {
                #(#arms)*
                other => Err(CliError::Usage(format!("unknown command `{other}`"))),
            }
        }

        #(#items)*
    })
}

/// The match arms and functions of a resource's operations.
fn resource_ops(
    cx: &Cx<'_>,
    resource: &Resource,
) -> anyhow::Result<(Vec<TokenStream>, Vec<TokenStream>)> {
    let mut arms = Vec::new();
    let mut items = Vec::new();
    for op in &resource.ops {
        let name = kebab(&op.name.to_string());
        let run = format_ident!("run_{}_{}", resource.handle, op.name);
        arms.push(quote! { Some((#name, m)) => #run(metorial, m).await, });
        items.push(op_fn(cx, resource, op, &run)?);
        if op.wait.is_some() && op.params.len() == 1 {
            let run = format_ident!("run_{}_wait_for_completion", resource.handle);
            arms.push(quote! { Some(("wait-for-completion", m)) => #run(metorial, m).await, });
            items.push(wait_fn(cx, resource, op, &run)?);
        }
    }
    Ok((arms, items))
}

/// `fn <handle>_command() -> Command`: the resource's command and its subcommands.
fn resource_command(
    cx: &Cx<'_>,
    resource: &Resource,
    command_fn: &syn::Ident,
) -> anyhow::Result<TokenStream> {
    let name = kebab(&resource.handle.to_string());
    let about = first_sentence(&resource.description);
    let long_about = one_paragraph(&resource.description);
    let mut subcommands = Vec::new();
    for op in &resource.ops {
        subcommands.push(op_command(cx, resource, op)?);
        if op.wait.is_some() && op.params.len() == 1 {
            subcommands.push(wait_command(resource, op));
        }
    }
    let doc = format!(" `metorial {name}`: {about}");
    Ok(quote! {
        #[doc = #doc]
        fn #command_fn() -> Command {
            Command::new(#name)
                .about(#about)
                .long_about(#long_about)
                .subcommand_required(true)
                .arg_required_else_help(true)
                #(.subcommand(#subcommands))*
        }
    })
}

/// The flags of one operation's subcommand beyond the shared ones, named once for both the
/// command and its dispatch.
struct OpFlags {
    /// Each filter's flag (`Arg` tokens) and long name, in the SDK's filter order.
    filters: Vec<(TokenStream, String)>,
    /// The body's flags.
    body: Vec<BodyFlag>,
}

/// Names the flags of `op` (scope flags first, then filters, then body properties).
fn op_flags(cx: &Cx<'_>, resource: &Resource, op: &Op) -> anyhow::Result<OpFlags> {
    let mut used: BTreeSet<String> = GLOBAL_FLAGS.iter().map(|s| (*s).to_owned()).collect();
    for p in &resource.scope {
        let long = kebab(p);
        let shared = [LIST_FLAGS, WAIT_FLAGS, &[BODY_FLAG]];
        if shared.iter().any(|flags| flags.contains(&long.as_str())) || !used.insert(long) {
            bail!(
                "`{}`: the scope parameter `{p}` would take a flag name already in use",
                op.id
            );
        }
    }
    let mut filters = Vec::new();
    if let Some(list) = &op.list {
        used.extend(LIST_FLAGS.iter().map(|s| (*s).to_owned()));
        for filter in &list.filters {
            filters.push(filter_arg(cx, op, filter, &mut used)?);
        }
    }
    let body = match &op.body {
        Some(body) => {
            used.insert(BODY_FLAG.to_owned());
            body_flags(cx, &body.schema, &mut used)?
        }
        None => Vec::new(),
    };
    Ok(OpFlags { filters, body })
}

/// One operation's subcommand.
fn op_command(cx: &Cx<'_>, resource: &Resource, op: &Op) -> anyhow::Result<TokenStream> {
    let name = kebab(&op.name.to_string());
    let about = op.summary.trim_end_matches('.').to_owned();
    let mut long_about = format!("{about}.");
    if !op.description.is_empty() && op.description != op.summary {
        long_about.push_str(&format!("\n\n{}", op.description));
    }
    long_about.push_str(&format!(
        "\n\n`{} {}` (operation `{}`).",
        op.http, op.path, op.id
    ));
    let flags = op_flags(cx, resource, op)?;
    let mut args = scope_args(resource);
    args.extend(path_args(op));
    args.extend(flags.filters.into_iter().map(|(arg, _)| arg));
    let mut base = quote! { Command::new(#name) };
    if op.list.is_some() {
        base = quote! { crate::args::list_args(#base) };
    }
    if op.body.is_some() {
        base = quote! { crate::body::body_arg(#base) };
    }
    for flag in &flags.body {
        let (id, long, help) = (format!("body.{}", flag.wire), &flag.long, &flag.help);
        let value_name = if flag.kind == ValueKind::Json {
            "JSON".to_owned()
        } else if flag.wire == "id" || flag.wire.ends_with("_id") {
            "ID".to_owned()
        } else {
            crate::sdk::snake(&flag.wire).to_uppercase()
        };
        args.push(quote! {
            Arg::new(#id).long(#long).value_name(#value_name).help(#help)
        });
    }
    Ok(quote! {
        #base
            .about(#about)
            .long_about(#long_about)
            #(.arg(#args))*
    })
}

/// The `wait-for-completion` subcommand of a get operation with `x-metorial-wait`.
fn wait_command(resource: &Resource, op: &Op) -> TokenStream {
    let mut args = scope_args(resource);
    args.extend(path_args(op));
    let done = op
        .wait
        .as_ref()
        .map(|w| w.done.join(" or "))
        .unwrap_or_default();
    let about = format!("Wait until the object's status is {done}, then print it");
    quote! {
        crate::args::wait_args(Command::new("wait-for-completion"))
            .about(#about)
            #(.arg(#args))*
    }
}

/// The required `--<scope>` flags of a scoped resource's subcommands.
fn scope_args(resource: &Resource) -> Vec<TokenStream> {
    resource
        .scope
        .iter()
        .map(|p| {
            let (id, long) = (format!("scope.{p}"), kebab(p));
            let help = format!("The {}'s ID (required)", noun(p));
            quote! {
                Arg::new(#id).long(#long).value_name("ID").required(true).help(#help)
            }
        })
        .collect()
}

/// The positional arguments of an operation's own path parameters.
fn path_args(op: &Op) -> Vec<TokenStream> {
    op.params
        .iter()
        .map(|p| {
            let id = format!("path.{p}");
            let value_name = if op.params.len() == 1 {
                "ID".to_owned()
            } else {
                p.to_uppercase()
            };
            let help = format!("The {}'s ID", noun(p));
            quote! { Arg::new(#id).value_name(#value_name).required(true).help(#help) }
        })
        .collect()
}

/// A list filter's flag.
fn filter_arg(
    cx: &Cx<'_>,
    op: &Op,
    filter: &Filter,
    used: &mut BTreeSet<String>,
) -> anyhow::Result<(TokenStream, String)> {
    let param = query_param(cx.spec, &op.id, &filter.wire)?;
    let Some(long) = free_name(used, &kebab(&crate::sdk::snake(&filter.wire)), "filter") else {
        bail!(
            "`{}`: no free flag name for the filter `{}`",
            op.id,
            filter.wire
        );
    };
    let schema = param.get("schema").unwrap_or(&Value::Null);
    let many = schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
        .is_some_and(|name| {
            cx.components
                .iter()
                .any(|c| c.name == name && matches!(c.kind, Kind::OneOrMany(_)))
        });
    let mut help = one_line(
        param
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or(""),
    );
    let values = known_values(cx.spec, schema, 0);
    if !values.is_empty() {
        help.push_str(&format!(" [known: {}]", values.join(", ")));
    }
    if many {
        help.push_str(" (repeatable, or comma-separated)");
    }
    let value_name = if values.is_empty() {
        filter_value_name(&filter.wire, schema)
    } else {
        "VALUE"
    };
    let id = format!("filter.{}", filter.wire);
    let action = if many {
        quote! { .action(ArgAction::Append).value_delimiter(',') }
    } else {
        quote! { .action(ArgAction::Set) }
    };
    let setter = kebab(&filter.setter.to_string());
    let alias =
        (setter != long && used.insert(setter.clone())).then(|| quote! { .visible_alias(#setter) });
    let arg = quote! {
        Arg::new(#id).long(#long).value_name(#value_name).help(#help) #action #alias
    };
    Ok((arg, long))
}

/// A filter's value name, from its name and schema.
fn filter_value_name(wire: &str, schema: &Value) -> &'static str {
    if wire == "id" || wire.ends_with("_id") {
        return "ID";
    }
    match (
        schema.get("type").and_then(Value::as_str),
        schema.get("format").and_then(Value::as_str),
    ) {
        (_, Some("date-time")) => "TIME",
        (Some("integer"), _) => "N",
        (Some("boolean"), _) => "BOOL",
        _ => "VALUE",
    }
}

/// The flags of a request body's top-level properties.
fn body_flags(
    cx: &Cx<'_>,
    schema: &str,
    used: &mut BTreeSet<String>,
) -> anyhow::Result<Vec<BodyFlag>> {
    let node = cx
        .spec
        .raw
        .pointer(&format!("/components/schemas/{schema}"))
        .with_context(|| format!("no schema {schema}"))?;
    let required = crate::spec::required(node);
    let mut flags = Vec::new();
    for (wire, prop) in node
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let Some(long) = free_name(used, &kebab(&crate::sdk::snake(wire)), "body") else {
            continue; // settable through `--body` only
        };
        let kind = value_kind(cx.spec, prop, 0);
        let mut help = one_line(
            prop.get("description")
                .and_then(Value::as_str)
                .unwrap_or(""),
        );
        let values = known_values(cx.spec, prop, 0);
        if !values.is_empty() {
            help.push_str(&format!(" [known: {}]", values.join(", ")));
        }
        if kind != ValueKind::Text {
            help.push_str(" (JSON)");
        }
        if required.contains(&wire.as_str()) {
            help.push_str(" [required, here or in --body]");
        }
        flags.push(BodyFlag {
            wire: wire.clone(),
            long,
            kind,
            help,
        });
    }
    Ok(flags)
}

/// `name`, or `<prefix>-name`, whichever is free first (and marks it used).
fn free_name(used: &mut BTreeSet<String>, name: &str, prefix: &str) -> Option<String> {
    [name.to_owned(), format!("{prefix}-{name}")]
        .into_iter()
        .find(|candidate| !candidate.is_empty() && used.insert(candidate.clone()))
}

/// How a body property's flag is read: text for strings (enumerations included), JSON for
/// objects, arrays, numbers and booleans, either for anything else.
fn value_kind(spec: &Spec, schema: &Value, depth: usize) -> ValueKind {
    if depth > 8 {
        return ValueKind::Auto;
    }
    let schema = resolve(&spec.raw, schema);
    match schema.get("type").and_then(Value::as_str) {
        Some("string") => return ValueKind::Text,
        Some("object" | "array" | "integer" | "number" | "boolean") => return ValueKind::Json,
        _ => {}
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        let Some(variants) = schema.get(key).and_then(Value::as_array) else {
            continue;
        };
        let kinds: Vec<ValueKind> = variants
            .iter()
            .map(|v| value_kind(spec, v, depth + 1))
            .collect();
        return match kinds.first() {
            Some(first) if kinds.iter().all(|k| k == first) => *first,
            _ => ValueKind::Auto,
        };
    }
    ValueKind::Auto
}

/// The known values of an (open) enumeration a schema refers to, for help texts.
fn known_values(spec: &Spec, schema: &Value, depth: usize) -> Vec<String> {
    if depth > 8 {
        return Vec::new();
    }
    let schema = resolve(&spec.raw, schema);
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        return values
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect();
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        for variant in schema
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let values = known_values(spec, variant, depth + 1);
            if !values.is_empty() {
                return values;
            }
        }
    }
    schema
        .get("items")
        .map(|items| known_values(spec, items, depth + 1))
        .unwrap_or_default()
}

/// The query parameter `wire` of the operation `id`, resolved.
fn query_param<'a>(spec: &'a Spec, id: &str, wire: &str) -> anyhow::Result<&'a Value> {
    let (_, _, op) = spec
        .operations()
        .into_iter()
        .find(|(_, _, op)| op.get("operationId").and_then(Value::as_str) == Some(id))
        .with_context(|| format!("no operation `{id}`"))?;
    op.get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|p| resolve(&spec.raw, p))
        .find(|p| p.get("name").and_then(Value::as_str) == Some(wire))
        .with_context(|| format!("`{id}`: no query parameter `{wire}`"))
}

/// The function that runs one operation.
fn op_fn(
    cx: &Cx<'_>,
    resource: &Resource,
    op: &Op,
    run: &syn::Ident,
) -> anyhow::Result<TokenStream> {
    if let Some(list) = &op.list {
        return list_fn(cx, resource, op, list, run);
    }
    let doc = fn_doc(resource, op);
    let handle = handle_tokens(resource);
    let method = &op.name;
    let secrets = secrets_const(&secret_paths(cx.spec, &op.response, op.sensitive));
    let ids: Vec<syn::Ident> = (0..op.params.len())
        .map(|i| format_ident!("p{i}"))
        .collect();
    let path_ids = op.params.iter().map(|p| format!("path.{p}"));
    let (body_let, body_arg) = match &op.body {
        Some(body) => (
            Some(body_tokens(cx, resource, op, body)?),
            Some(quote! { body }),
        ),
        None => (None, None),
    };
    Ok(quote! {
        #[doc = #doc]
        async fn #run(metorial: &::metorial::Metorial, m: &ArgMatches) -> Result<Reply, CliError> {
            #secrets
            let handle = #handle;
            #(let #ids = crate::args::text(m, #path_ids)?;)*
            #body_let
            Reply::one(handle.#method(#(&#ids,)* #body_arg).await?, SECRETS)
        }
    })
}

/// The function that runs a list operation: one page, or every page with `--all`.
fn list_fn(
    cx: &Cx<'_>,
    resource: &Resource,
    op: &Op,
    list: &List,
    run: &syn::Ident,
) -> anyhow::Result<TokenStream> {
    let doc = fn_doc(resource, op);
    let handle = handle_tokens(resource);
    let method = &op.name;
    let secrets = secrets_const(&secret_paths(cx.spec, &list.item, op.sensitive));
    let params_ty = format_ident!("List{}", resource.type_name);
    let longs = op_flags(cx, resource, op)?.filters;
    let filters = list.filters.iter().zip(longs).map(|(f, (_, long))| {
        let (id, flag, setter, ty) = (
            format!("filter.{}", f.wire),
            format!("--{long}"),
            &f.setter,
            &f.ty,
        );
        quote! {
            if let Some(value) = crate::args::filter::<#ty>(m, #id, #flag)? {
                params = params.#setter(value);
            }
        }
    });
    let mutable = (!list.filters.is_empty()).then(|| quote! { mut });
    let noun = resource.handle.to_string().replace('_', " ");
    Ok(quote! {
        #[doc = #doc]
        async fn #run(metorial: &::metorial::Metorial, m: &ArgMatches) -> Result<Reply, CliError> {
            #secrets
            let handle = #handle;
            let #mutable params = crate::args::paging(::metorial::#params_ty::new(), m)?;
            #(#filters)*
            if crate::args::all(m) {
                return Ok(Reply::stream(handle.list_all(params), #noun, SECRETS));
            }
            Reply::page(handle.#method(&params).await?, SECRETS)
        }
    })
}

/// `let body = ...;`: the request body from `--body` and the property flags, decoded.
fn body_tokens(
    cx: &Cx<'_>,
    resource: &Resource,
    op: &Op,
    body: &Body,
) -> anyhow::Result<TokenStream> {
    let schema = format_ident!("{}", body.schema);
    let table = op_flags(cx, resource, op)?.body;
    let flags = table.iter().map(|f| {
        let (id, long, wire) = (format!("body.{}", f.wire), &f.long, &f.wire);
        let kind = format_ident!("{}", f.kind.variant());
        quote! {
            crate::body::Flag { id: #id, long: #long, wire: #wire, kind: crate::body::Kind::#kind }
        }
    });
    let body_secrets = &body.secrets;
    Ok(quote! {
        const FLAGS: &[crate::body::Flag] = &[#(#flags),*];
        let body: ::metorial_models::#schema =
            crate::body::decode(m, FLAGS, &[#(#body_secrets),*])?;
    })
}

/// The doc of an operation's function: `metorial <resource> <command>: <summary>.`
fn fn_doc(resource: &Resource, op: &Op) -> String {
    format!(
        " `metorial {} {}`: {}.",
        kebab(&resource.handle.to_string()),
        kebab(&op.name.to_string()),
        op.summary.trim_end_matches('.')
    )
}

/// The function that runs `wait-for-completion` on a get operation.
fn wait_fn(
    cx: &Cx<'_>,
    resource: &Resource,
    op: &Op,
    run: &syn::Ident,
) -> anyhow::Result<TokenStream> {
    let doc = format!(
        " `metorial {} wait-for-completion`: polls `{}` until the object completes.",
        kebab(&resource.handle.to_string()),
        kebab(&op.name.to_string()),
    );
    let handle = handle_tokens(resource);
    let secrets = secrets_const(&secret_paths(cx.spec, &op.response, op.sensitive));
    let id = op
        .params
        .first()
        .map(|p| format!("path.{p}"))
        .context("a wait needs the object's ID")?;
    Ok(quote! {
        #[doc = #doc]
        async fn #run(metorial: &::metorial::Metorial, m: &ArgMatches) -> Result<Reply, CliError> {
            #secrets
            let handle = #handle;
            let id = crate::args::text(m, #id)?;
            let options = crate::args::wait_options(m);
            Reply::one(handle.wait_for_completion(&id, options).await?, SECRETS)
        }
    })
}

/// `metorial.<handle>(<scope flags>)`.
fn handle_tokens(resource: &Resource) -> TokenStream {
    let handle = &resource.handle;
    let scope = resource.scope.iter().map(|p| {
        let id = format!("scope.{p}");
        quote! { crate::args::text(m, #id)? }
    });
    quote! { metorial.#handle(#(#scope),*) }
}

/// `const SECRETS: &[&[&str]] = ...;`: the paths of the secret properties.
fn secrets_const(paths: &[Vec<String>]) -> TokenStream {
    let paths = paths.iter().map(|p| quote! { &[#(#p),*] });
    quote! {
        /// The properties of the answer that hold secrets, as paths of keys (arrays are
        /// crossed), redacted unless `--show-secrets` is given.
        const SECRETS: &[&[&str]] = &[#(#paths),*];
    }
}

/// The paths of the properties of `schema` (a component's name) that hold secrets: those
/// whose schema is a `SecretObject`. A response the spec marks secret
/// (`x-metorial-secret-response`) with no such property is a secret as a whole (the empty
/// path).
fn secret_paths(spec: &Spec, schema: &str, sensitive: bool) -> Vec<Vec<String>> {
    let mut out = BTreeSet::new();
    let node = Value::String(format!("#/components/schemas/{schema}"));
    let reference = serde_json::json!({ "$ref": node });
    walk_secrets(spec, &reference, &mut Vec::new(), &mut Vec::new(), &mut out);
    if sensitive && out.is_empty() {
        out.insert(Vec::new());
    }
    out.into_iter().collect()
}

/// Collects into `out` the paths under `prefix` of `SecretObject`s in `node`; `seen` holds
/// the schemas being walked (a recursive schema stops there).
fn walk_secrets(
    spec: &Spec,
    node: &Value,
    prefix: &mut Vec<String>,
    seen: &mut Vec<String>,
    out: &mut BTreeSet<Vec<String>>,
) {
    if let Some(name) = node
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
    {
        if name == "SecretObject" {
            out.insert(prefix.clone());
            return;
        }
        if seen.iter().any(|s| s == name) {
            return;
        }
        let Some(target) = spec.raw.pointer(&format!("/components/schemas/{name}")) else {
            return;
        };
        seen.push(name.to_owned());
        walk_secrets(spec, target, prefix, seen, out);
        seen.pop();
        return;
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        for variant in node
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            walk_secrets(spec, variant, prefix, seen, out);
        }
    }
    if let Some(items) = node.get("items") {
        walk_secrets(spec, items, prefix, seen, out);
    }
    for (name, prop) in node
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        prefix.push(name.clone());
        walk_secrets(spec, prop, prefix, seen, out);
        prefix.pop();
    }
}

/// `provider_deployment_id` -> `deployment`: how a path parameter is named in help texts.
fn noun(param: &str) -> String {
    let base = param.strip_suffix("_id").unwrap_or(param);
    let base = base.strip_prefix("provider_").unwrap_or(base);
    base.replace('_', " ")
}

/// `setup_sessions` -> `setup-sessions`.
fn kebab(snake: &str) -> String {
    snake.replace('_', "-")
}

/// The first sentence of a description, for a short help text.
fn first_sentence(text: &str) -> String {
    let text = one_line(text);
    match text.find(". ") {
        Some(end) => text[..=end].to_owned(),
        None => text,
    }
}

/// A description on one line (help texts of flags).
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A description as one paragraph (its line breaks were the spec's wrapping).
fn one_paragraph(text: &str) -> String {
    text.split("\n\n")
        .map(one_line)
        .collect::<Vec<_>>()
        .join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workspace_spec() -> Spec {
        Spec::load(&crate::spec_path()).expect("the workspace spec loads")
    }

    fn generated(spec: &Spec) -> String {
        let file: syn::File = syn::parse2(tokens(spec).expect("generates")).expect("parses");
        prettyplease::unparse(&file)
    }

    #[test]
    fn the_workspace_spec_gives_a_command_per_resource_and_operation() {
        let code = generated(&workspace_spec());
        for command in [
            "Command::new(\"setup-sessions\")",
            "Command::new(\"oauth-setups\")",
            "Command::new(\"auth-exports\")",
            "Command::new(\"list\")",
            "Command::new(\"create\")",
            "Command::new(\"get\")",
            "Command::new(\"update\")",
            "Command::new(\"delete\")",
            "Command::new(\"wait-for-completion\")",
        ] {
            assert!(code.contains(command), "{command} missing");
        }
        for arm in [
            "Some((\"list\", m)) => run_setup_sessions_list(metorial, m).await",
            "Some((\"wait-for-completion\", m)) => {\n                    run_oauth_setups_wait_for_completion(metorial, m).await",
            "Some((\"create\", m)) => run_auth_exports_create(metorial, m).await",
        ] {
            assert!(code.contains(arm), "{arm} missing:\n{code}");
        }
        // Flags: the scope, filters (with the SDK's setter as an alias), body properties.
        assert!(code.contains(".long(\"provider-deployment-id\")"));
        assert!(code.contains(".long(\"created-at-gt\")"));
        assert!(code.contains(".visible_alias(\"created-after\")"));
        assert!(code.contains("Arg::new(\"body.provider_id\")"));
        assert!(code.contains("wire: \"metadata\",\n            kind: crate::body::Kind::Json"));
        assert!(code.contains("wire: \"name\",\n            kind: crate::body::Kind::Text"));
    }

    #[test]
    fn secrets_are_the_secret_object_properties() {
        let spec = workspace_spec();
        assert_eq!(
            secret_paths(&spec, "ProviderAuthExport", true),
            vec![vec!["value".to_owned()]]
        );
        assert!(secret_paths(&spec, "ProviderSetupSession", false).is_empty());
        let code = generated(&spec);
        assert!(code.contains("const SECRETS: &[&[&str]] = &[&[\"value\"]];"));
    }

    #[test]
    fn the_drill_edits_reach_the_commands() {
        let raw = workspace_spec().raw;
        let edited = crate::drill::edited_spec(&raw).expect("the drill edits apply");
        let yaml = serde_norway::to_string(&edited).expect("serializes");
        let code = generated(&Spec::parse(&yaml).expect("the edited spec loads"));
        assert!(
            code.contains("Some((\"delete\", m)) => run_oauth_setups_delete(metorial, m).await")
        );
        assert!(code.contains("Command::new(\"drill-widgets\")"));
        assert!(code.contains(".long(\"drill-label\")"));
        assert!(code.contains(".long(\"drill-note\")"));
    }

    #[test]
    fn names_and_kinds() {
        let spec = workspace_spec();
        assert_eq!(kebab("wait_for_completion"), "wait-for-completion");
        assert_eq!(noun("provider_oauth_setup_id"), "oauth setup");
        let body = &spec.raw["components"]["schemas"]["CreateProviderSetupSessionBody"];
        let kind = |p: &str| value_kind(&spec, &body["properties"][p], 0);
        assert_eq!(kind("type"), ValueKind::Text);
        assert_eq!(kind("configuration"), ValueKind::Json);
        assert_eq!(kind("metadata"), ValueKind::Json);
        let mut used = BTreeSet::from(["body".to_owned()]);
        assert_eq!(
            free_name(&mut used, "body", "body").as_deref(),
            Some("body-body")
        );
        assert_eq!(free_name(&mut used, "body", "body"), None);
    }
}
