//! The `metorial` command-line tool's commands, generated from the spec like the SDK's
//! resource layer (and from the same model, [`crate::model`]): one command per
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
//! - Which properties of a request or response are secrets is the model's
//!   ([`crate::model::secrets`]), as paths; `output.rs` redacts them from answers and `body.rs`
//!   keeps them out of error messages.
//!
//! A flag whose name is already taken (a global flag, a paging flag, another property) gets a
//! prefixed name (`--filter-x`, `--body-x`), or none when that is taken too (a body property
//! stays settable through `--body`).

use std::collections::BTreeSet;

use anyhow::{Context, bail};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use crate::model::secrets::SecretPath;
use crate::model::{Api, Filter, Operation as Op, Resource, Wait};
use crate::names::{first_sentence, kebab, noun, one_line, one_paragraph, snake};

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

/// How a body flag's text becomes JSON (the hand-written `body::Kind`, whose variants have the
/// same names).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ValueKind {
    /// Always a JSON string.
    Text,
    /// Always parsed as JSON (objects, arrays, numbers, booleans).
    Json,
    /// JSON when it parses as an object, array, number or boolean; a string otherwise.
    Auto,
}

/// One flag of a request body.
struct BodyFlag {
    wire: String,
    long: String,
    kind: ValueKind,
    help: String,
}

/// The generated module's code.
pub fn tokens(api: &Api) -> anyhow::Result<TokenStream> {
    let mut commands = Vec::new();
    let mut arms = Vec::new();
    let mut items = Vec::new();
    for resource in &api.resources {
        let name = kebab(&resource.handle);
        if RESERVED_COMMANDS.contains(&name.as_str()) {
            bail!("the resource `{name}` would shadow the command-line tool's own command");
        }
        let command_fn = format_ident!("{}_command", resource.handle);
        commands.push(quote! { #command_fn() });
        let (op_arms, op_items) = resource_ops(api, resource)?;
        arms.push(quote! {
            #name => match m.subcommand() {
                #(#op_arms)*
                Some((other, _)) => Err(CliError::Usage(format!("unknown command `{} {other}`", #name))),
                None => Err(CliError::Usage(format!("`{}` needs a subcommand", #name))),
            },
        });
        items.push(resource_command(api, resource, &command_fn)?);
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
    api: &Api,
    resource: &Resource,
) -> anyhow::Result<(Vec<TokenStream>, Vec<TokenStream>)> {
    let mut arms = Vec::new();
    let mut items = Vec::new();
    for op in api.operations_of(resource) {
        let name = kebab(&op.method_name);
        let run = format_ident!("run_{}_{}", resource.handle, op.method_name);
        arms.push(quote! { Some((#name, m)) => #run(metorial, m).await, });
        items.push(op_fn(api, resource, op, &run)?);
        if wait(resource, op).is_some() {
            let run = format_ident!("run_{}_wait_for_completion", resource.handle);
            arms.push(quote! { Some(("wait-for-completion", m)) => #run(metorial, m).await, });
            items.push(wait_fn(resource, op, &run)?);
        }
    }
    Ok((arms, items))
}

/// `fn <handle>_command() -> Command`: the resource's command and its subcommands.
fn resource_command(
    api: &Api,
    resource: &Resource,
    command_fn: &syn::Ident,
) -> anyhow::Result<TokenStream> {
    let name = kebab(&resource.handle);
    let about = first_sentence(&one_line(&resource.description));
    let long_about = one_paragraph(&resource.description);
    let mut subcommands = Vec::new();
    for op in api.operations_of(resource) {
        subcommands.push(op_command(api, resource, op)?);
        if let Some(wait) = wait(resource, op) {
            subcommands.push(wait_command(resource, op, wait));
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

/// The flags of one operation's subcommand beyond the shared ones (for the command and its run).
struct OpFlags {
    /// Each filter's flag (`Arg` tokens) and long name, in the SDK's filter order.
    filters: Vec<(TokenStream, String)>,
    /// The body's flags.
    body: Vec<BodyFlag>,
}

/// Names the flags of `op` (scope flags first, then filters, then body properties).
fn op_flags(api: &Api, resource: &Resource, op: &Op) -> anyhow::Result<OpFlags> {
    let mut used: BTreeSet<String> = GLOBAL_FLAGS.iter().map(|s| (*s).to_owned()).collect();
    for p in &resource.scope {
        let long = kebab(p);
        let shared = [LIST_FLAGS, WAIT_FLAGS, &[BODY_FLAG]];
        if shared.iter().any(|flags| flags.contains(&long.as_str())) || !used.insert(long) {
            let id = &op.id;
            bail!("`{id}`: the scope parameter `{p}` would take a flag name already in use");
        }
    }
    let mut filters = Vec::new();
    if let Some(list) = &op.list {
        used.extend(LIST_FLAGS.iter().map(|s| (*s).to_owned()));
        for filter in &list.filters {
            filters.push(filter_arg(api, op, filter, &mut used)?);
        }
    }
    let body = match op.body.as_ref().and_then(|b| b.schema.as_deref()) {
        Some(schema) => {
            used.insert(BODY_FLAG.to_owned());
            body_flags(api, schema, &mut used)?
        }
        None => Vec::new(),
    };
    Ok(OpFlags { filters, body })
}

/// One operation's subcommand.
fn op_command(api: &Api, resource: &Resource, op: &Op) -> anyhow::Result<TokenStream> {
    let name = kebab(&op.method_name);
    let (about, long_about) = (op.summary.trim_end_matches('.'), op.overview());
    let flags = op_flags(api, resource, op)?;
    let mut args = scope_args(resource);
    args.extend(path_args(resource, op));
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
            snake(&flag.wire).to_uppercase()
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
fn wait_command(resource: &Resource, op: &Op, wait: &Wait) -> TokenStream {
    let mut args = scope_args(resource);
    args.extend(path_args(resource, op));
    let done = wait.done.join(" or ");
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

/// The wait of a get operation that gets a `wait-for-completion` subcommand (it has
/// `x-metorial-wait` and one path parameter of its own: the object's ID).
fn wait<'a>(resource: &Resource, op: &'a Op) -> Option<&'a Wait> {
    op.wait
        .as_ref()
        .filter(|_| resource.own_params(op).len() == 1)
}

/// The positional arguments of an operation's own path parameters.
fn path_args(resource: &Resource, op: &Op) -> Vec<TokenStream> {
    let params = resource.own_params(op);
    let one = params.len() == 1;
    params
        .iter()
        .map(|p| {
            let id = format!("path.{p}");
            let value_name: String = if one { "ID".into() } else { p.to_uppercase() };
            let help = format!("The {}'s ID", noun(p));
            quote! { Arg::new(#id).value_name(#value_name).required(true).help(#help) }
        })
        .collect()
}

/// A list filter's flag.
fn filter_arg(
    api: &Api,
    op: &Op,
    filter: &Filter,
    used: &mut BTreeSet<String>,
) -> anyhow::Result<(TokenStream, String)> {
    let param = &filter.param;
    let Some(long) = free_name(used, &kebab(&snake(&param.name)), "filter") else {
        let (id, name) = (&op.id, &param.name);
        bail!("`{id}`: no free flag name for the filter `{name}`");
    };
    let values = known_values(api, &param.schema, 0);
    let mut help = one_line(&param.description) + &known_help(&values);
    if param.one_or_many {
        help.push_str(" (repeatable, or comma-separated)");
    }
    let value_name = if values.is_empty() {
        filter_value_name(&param.name, &param.schema)
    } else {
        "VALUE"
    };
    let id = format!("filter.{}", param.name);
    let action = if param.one_or_many {
        quote! { .action(ArgAction::Append).value_delimiter(',') }
    } else {
        quote! { .action(ArgAction::Set) }
    };
    let setter = kebab(&param.sdk_setter());
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
    api: &Api,
    schema: &str,
    used: &mut BTreeSet<String>,
) -> anyhow::Result<Vec<BodyFlag>> {
    let component = api
        .component(schema)
        .with_context(|| format!("no schema {schema}"))?;
    let required = component.required();
    let mut flags = Vec::new();
    for (wire, prop) in component.properties() {
        let Some(long) = free_name(used, &kebab(&snake(wire)), "body") else {
            continue; // settable through `--body` only
        };
        let kind = value_kind(api, prop, 0);
        let description = prop.get("description").and_then(Value::as_str);
        let mut help =
            one_line(description.unwrap_or("")) + &known_help(&known_values(api, prop, 0));
        if kind != ValueKind::Text {
            help.push_str(" (JSON)");
        }
        if required.contains(&wire) {
            help.push_str(" [required, here or in --body]");
        }
        flags.push(BodyFlag {
            wire: wire.to_owned(),
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
fn value_kind(api: &Api, schema: &Value, depth: usize) -> ValueKind {
    if depth > 8 {
        return ValueKind::Auto;
    }
    let schema = api.resolve(schema);
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
            .map(|v| value_kind(api, v, depth + 1))
            .collect();
        return match kinds.first() {
            Some(first) if kinds.iter().all(|k| k == first) => *first,
            _ => ValueKind::Auto,
        };
    }
    ValueKind::Auto
}

/// ` [known: a, b]`: the known values in a help text (nothing when there are none).
fn known_help(values: &[String]) -> String {
    if values.is_empty() {
        return String::new();
    }
    format!(" [known: {}]", values.join(", "))
}

/// The known values of an (open) enumeration a schema refers to, for help texts.
fn known_values(api: &Api, schema: &Value, depth: usize) -> Vec<String> {
    if depth > 8 {
        return Vec::new();
    }
    let schema = api.resolve(schema);
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        return values
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect();
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        for variant in crate::model::array(schema, key) {
            let values = known_values(api, variant, depth + 1);
            if !values.is_empty() {
                return values;
            }
        }
    }
    schema
        .get("items")
        .map(|items| known_values(api, items, depth + 1))
        .unwrap_or_default()
}

/// The function that runs one operation.
fn op_fn(api: &Api, resource: &Resource, op: &Op, run: &syn::Ident) -> anyhow::Result<TokenStream> {
    if op.list.is_some() {
        return list_fn(api, resource, op, run);
    }
    let method = format_ident!("{}", op.method_name);
    let params = resource.own_params(op);
    let ids: Vec<syn::Ident> = (0..params.len()).map(|i| format_ident!("p{i}")).collect();
    let path_ids = params.iter().map(|p| format!("path.{p}"));
    let (body_let, body_arg) = match op.body.as_ref().and_then(|b| Some((b, b.schema.as_ref()?))) {
        Some((body, schema)) => (
            Some(body_tokens(api, resource, op, schema, &body.secrets)?),
            Some(quote! { body }),
        ),
        None => (None, None),
    };
    let body = quote! {
        #(let #ids = crate::args::text(m, #path_ids)?;)*
        #body_let
        Reply::one(handle.#method(#(&#ids,)* #body_arg).await?, SECRETS)
    };
    let secrets = response_secrets(op, &op.response_secrets);
    Ok(run_fn(run, &fn_doc(resource, op), resource, &secrets, body))
}

/// `async fn <run>(metorial, m)`, documented by `doc`: `body` with `SECRETS` (the paths of
/// `secrets`) and `handle` (the resource's handle) in scope.
fn run_fn(
    run: &syn::Ident,
    doc: &str,
    resource: &Resource,
    secrets: &[SecretPath],
    body: TokenStream,
) -> TokenStream {
    let (secrets, handle) = (secrets_const(secrets), handle_tokens(resource));
    quote! {
        #[doc = #doc]
        async fn #run(metorial: &::metorial::Metorial, m: &ArgMatches) -> Result<Reply, CliError> {
            #secrets
            let handle = #handle;
            #body
        }
    }
}

/// The function that runs a list operation: one page, or every page with `--all`.
fn list_fn(
    api: &Api,
    resource: &Resource,
    op: &Op,
    run: &syn::Ident,
) -> anyhow::Result<TokenStream> {
    let list = op.list.as_ref().context("a list operation")?;
    let method = format_ident!("{}", op.method_name);
    let params_ty = format_ident!("List{}", resource.type_name);
    let longs = op_flags(api, resource, op)?.filters;
    let filters = list.filters.iter().zip(longs).map(|(f, (_, long))| {
        let (id, flag, setter, ty) = (
            format!("filter.{}", f.param.name),
            format!("--{long}"),
            format_ident!("{}", f.param.sdk_setter()),
            crate::sdk::filter_type(&f.ty),
        );
        quote! {
            if let Some(value) = crate::args::filter::<#ty>(m, #id, #flag)? {
                params = params.#setter(value);
            }
        }
    });
    let mutable = (!list.filters.is_empty()).then(|| quote! { mut });
    let noun = resource.handle.replace('_', " ");
    let body = quote! {
        let #mutable params = crate::args::paging(::metorial::#params_ty::new(), m)?;
        #(#filters)*
        if crate::args::all(m) {
            return Ok(Reply::stream(handle.list_all(params), #noun, SECRETS));
        }
        Reply::page(handle.#method(&params).await?, SECRETS)
    };
    let secrets = response_secrets(op, &list.item_secrets);
    Ok(run_fn(run, &fn_doc(resource, op), resource, &secrets, body))
}

/// `let body = ...;`: the request body from `--body` and the property flags, decoded; the
/// secrets' values never appear in its errors.
fn body_tokens(
    api: &Api,
    resource: &Resource,
    op: &Op,
    schema: &str,
    secrets: &[SecretPath],
) -> anyhow::Result<TokenStream> {
    let schema = format_ident!("{schema}");
    let table = op_flags(api, resource, op)?.body;
    let flags = table.iter().map(|f| {
        let (id, long, wire) = (format!("body.{}", f.wire), &f.long, &f.wire);
        let kind = format_ident!("{}", format!("{:?}", f.kind));
        quote! {
            crate::body::Flag { id: #id, long: #long, wire: #wire, kind: crate::body::Kind::#kind }
        }
    });
    let secrets = secrets.iter().map(|path| quote! { &[#(#path),*] });
    Ok(quote! {
        const FLAGS: &[crate::body::Flag] = &[#(#flags),*];
        let body: ::metorial_models::#schema =
            crate::body::decode(m, FLAGS, &[#(#secrets),*])?;
    })
}

/// The doc of an operation's function: `metorial <resource> <command>: <summary>.`
fn fn_doc(resource: &Resource, op: &Op) -> String {
    format!(
        " `metorial {} {}`: {}.",
        kebab(&resource.handle),
        kebab(&op.method_name),
        op.summary.trim_end_matches('.')
    )
}

/// The function that runs `wait-for-completion` on a get operation.
fn wait_fn(resource: &Resource, op: &Op, run: &syn::Ident) -> anyhow::Result<TokenStream> {
    let doc = format!(
        " `metorial {} wait-for-completion`: polls `{}` until the object completes.",
        kebab(&resource.handle),
        kebab(&op.method_name),
    );
    let id = resource.own_params(op).first().map(|p| format!("path.{p}"));
    let id = id.context("a wait needs the object's ID")?;
    let body = quote! {
        let id = crate::args::text(m, #id)?;
        let options = crate::args::wait_options(m);
        Reply::one(handle.wait_for_completion(&id, options).await?, SECRETS)
    };
    let secrets = response_secrets(op, &op.response_secrets);
    Ok(run_fn(run, &doc, resource, &secrets, body))
}

/// `metorial.<handle>(<scope flags>)`.
fn handle_tokens(resource: &Resource) -> TokenStream {
    let handle = format_ident!("{}", resource.handle);
    let scope = resource.scope.iter().map(|p| {
        let id = format!("scope.{p}");
        quote! { crate::args::text(m, #id)? }
    });
    quote! { metorial.#handle(#(#scope),*) }
}

/// The secrets of what an operation prints: `paths` (of its response, or of one list item),
/// or the whole answer when the spec marks the response secret and no part is one.
fn response_secrets(op: &Op, paths: &[SecretPath]) -> Vec<SecretPath> {
    if paths.is_empty() && op.secret_response {
        vec![Vec::new()]
    } else {
        paths.to_vec()
    }
}

/// `const SECRETS: &[&[&str]] = ...;`: the paths of the secret properties.
fn secrets_const(paths: &[SecretPath]) -> TokenStream {
    let paths = paths.iter().map(|p| quote! { &[#(#p),*] });
    quote! {
        /// The properties of the answer that hold secrets, as paths of keys (arrays are
        /// crossed), redacted unless `--show-secrets` is given.
        const SECRETS: &[&[&str]] = &[#(#paths),*];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::spec::Spec;

    fn workspace_spec() -> Spec {
        Spec::load(&crate::spec_path()).expect("the workspace spec loads")
    }

    fn api(spec: &Spec) -> Api {
        Api::build(spec).expect("the model builds")
    }

    /// The generated code without whitespace: the checks below hold however it is laid out
    /// (the layout itself is in the `drill` snapshot and the checked-in file).
    fn generated(spec: &Spec) -> Code {
        let file: syn::File = syn::parse2(tokens(&api(spec)).expect("generates")).expect("parses");
        Code(squeeze(&prettyplease::unparse(&file)))
    }

    struct Code(String);

    impl Code {
        fn contains(&self, needle: &str) -> bool {
            self.0.contains(&squeeze(needle))
        }
    }

    fn squeeze(text: &str) -> String {
        text.split_whitespace()
            .collect::<String>()
            .replace(",}", "}")
            .replace(",)", ")")
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
            assert!(code.contains(arm), "{arm} missing:\n{}", code.0);
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
        let model = api(&spec);
        let get = model.operation("get_provider_auth_export").unwrap();
        assert_eq!(
            response_secrets(get, &get.response_secrets),
            vec![vec!["value".to_owned()]]
        );
        let session = model.operation("get_provider_setup_session").unwrap();
        assert!(response_secrets(session, &session.response_secrets).is_empty());
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
        let model = api(&workspace_spec());
        let body = &model
            .component("CreateProviderSetupSessionBody")
            .unwrap()
            .schema;
        let kind = |p: &str| value_kind(&model, &body["properties"][p], 0);
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
