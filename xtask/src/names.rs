//! How the generators name things: one rule per kind of name, shared by every generator.
//!
//! Wire names (`created_at[gt]`, `provider_setup_session_id`) become Rust identifiers, flags and
//! help texts here and nowhere else.

use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote};
use serde_json::Value;

/// Where the spec's component schemas live, as a `$ref` prefix.
pub const COMPONENTS: &str = "#/components/schemas/";

/// Component schemas implemented by hand in `metorial-models`: (schema name, Rust path inside
/// that crate).
pub const HAND_WRITTEN: &[(&str, &str)] = &[
    ("SecretObject", "crate::SecretObject"),
    ("SecretString", "crate::SecretString"),
    ("PathSegment", "crate::PathSegment"),
];

/// The component a `$ref` names (`#/components/schemas/X` -> `X`); `None` for any other
/// reference.
pub fn schema_name(reference: &str) -> Option<&str> {
    reference.strip_prefix(COMPONENTS)
}

/// The `$ref` of the component `name`.
pub fn schema_ref(name: &str) -> String {
    format!("{COMPONENTS}{name}")
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
pub fn pascal(snake: &str) -> String {
    let capitalized = |word: &str| {
        let (first, rest) = word.split_at(word.chars().next().map_or(0, char::len_utf8));
        first.to_ascii_uppercase() + rest
    };
    snake.split('_').map(capitalized).collect()
}

/// `setup_sessions` -> `setup-sessions`: command and flag names.
pub fn kebab(snake: &str) -> String {
    snake.replace('_', "-")
}

/// How a path parameter is named in messages: `provider_setup_session_id` -> `setup session`.
pub fn noun(param: &str) -> String {
    let base = param.strip_suffix("_id").unwrap_or(param);
    let base = base.strip_prefix("provider_").unwrap_or(base);
    base.replace('_', " ")
}

/// The path parameters of a path template, in order.
pub fn path_params(path: &str) -> Vec<String> {
    path.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_owned()))
        .collect()
}

/// The first sentence of a description's first line (a short doc or help text).
pub fn first_sentence(text: &str) -> String {
    let line = text.lines().next().unwrap_or_default();
    match line.find(". ") {
        Some(end) => line[..=end].to_owned(),
        None => line.to_owned(),
    }
}

/// A description on one line (help texts of flags).
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A description whose paragraphs are each one line (their line breaks were the spec's
/// wrapping).
pub fn one_paragraph(text: &str) -> String {
    text.split("\n\n")
        .map(one_line)
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Doc comment lines (each with its leading space) of an optional text.
pub fn doc_lines(text: Option<&str>) -> Vec<String> {
    let lines = text.unwrap_or_default().trim_end().lines();
    let space = |line: &str| if line.is_empty() { "" } else { " " };
    lines.map(|line| format!("{}{line}", space(line))).collect()
}

/// The field name typify gives a property: snake_case, a keyword gets a trailing `_`.
pub fn field_ident(name: &str) -> syn::Ident {
    let mut snake = name
        .to_ascii_lowercase()
        .replace(|c: char| !c.is_ascii_alphanumeric(), "_");
    if snake.starts_with(|c: char| c.is_ascii_digit()) {
        snake.insert(0, '_');
    }
    match syn::parse_str::<syn::Ident>(&snake) {
        Ok(ident) => ident,
        Err(_) => format_ident!("{snake}_"),
    }
}

/// The PascalCase variant name of an enumeration value (`in_progress` -> `InProgress`).
pub fn variant_ident(value: &str) -> anyhow::Result<syn::Ident> {
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
        anyhow::bail!("enumeration value {value:?} does not make a Rust variant name");
    }
    Ok(format_ident!("{out}"))
}

/// Whether `id` is snake_case ASCII starting with a letter (it names a Rust method).
pub fn is_snake_case(id: &str) -> bool {
    id.starts_with(|c: char| c.is_ascii_lowercase())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Whether `name` is PascalCase ASCII (it names a Rust type).
pub fn is_pascal_case(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
}

/// The Rust type of a simple property schema, as seen from inside `metorial-models`.
pub fn rust_type(schema: &Value) -> Option<TokenStream> {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = schema_name(reference)?;
        let hand_written = HAND_WRITTEN.iter().find(|(n, _)| *n == name);
        return match hand_written {
            Some((_, path)) => path.parse().ok(),
            None => Some(format_ident!("{name}").into_token_stream()),
        };
    }
    if let [inner] = crate::model::array(schema, "allOf") {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_stable_rules() {
        assert_eq!(snake("created_at[gt]"), "created_at_gt");
        assert_eq!(snake("provider_id"), "provider_id");
        assert_eq!(pascal("setup_sessions"), "SetupSessions");
        assert_eq!(kebab("wait_for_completion"), "wait-for-completion");
        assert_eq!(noun("provider_setup_session_id"), "setup session");
        assert_eq!(noun("provider_deployment_id"), "deployment");
        assert_eq!(noun("provider_oauth_setup_id"), "oauth setup");
        assert_eq!(
            path_params("/a/{x_id}/b/{y_id}"),
            ["x_id".to_owned(), "y_id".to_owned()]
        );
        assert_eq!(field_ident("type"), "type_");
        assert_eq!(field_ident("2fa"), "_2fa");
        assert_eq!(variant_ident("in_progress").unwrap(), "InProgress");
        assert!(variant_ident("unknown").is_err());
        assert_eq!(schema_name("#/components/schemas/X"), Some("X"));
        assert_eq!(schema_name("#/paths/x"), None);
        assert_eq!(first_sentence("One. Two.\nThree"), "One.");
        assert_eq!(one_paragraph("a\nb\n\nc  d"), "a b\n\nc d");
    }
}
