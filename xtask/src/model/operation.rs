//! One operation: its request, its response, and what the SDK makes of it.

use serde_json::Value;

use super::Problem;
use super::component::{Component, Kind, property};
use super::secrets::{self, SecretPath};
use super::{array, check, is_nullable, json_schema, problem, required, resolve};
use crate::names::{path_params, schema_name, snake};

/// The query parameters every pageable list operation has (set by the SDK's `set_paging!`).
pub const PAGING: &[&str] = &["limit", "after", "before", "cursor", "order"];

/// One operation of the spec.
#[derive(Debug, Clone)]
pub struct Operation {
    /// `operationId` (snake_case; the client's method).
    pub id: String,
    /// The HTTP method, lower case (`get`).
    pub method: String,
    /// The path template (`/provider-setup-sessions/{provider_setup_session_id}`).
    pub path: String,
    /// Its tags, in order.
    pub tags: Vec<String>,
    /// The summary (the `operationId` when there is none).
    pub summary: String,
    /// The description, trimmed (empty when there is none).
    pub description: String,
    /// The path template's parameters, in order.
    pub path_params: Vec<String>,
    /// Every parameter (the path item's, overridden by the operation's), `$ref`s resolved.
    pub parameters: Vec<Parameter>,
    /// The request body, if any.
    pub body: Option<Body>,
    /// Every response, by status (`200`, `4XX`), `$ref`s resolved.
    pub responses: Vec<(String, Option<Value>)>,
    /// The component of the 2xx response's JSON body (`$ref`), if it is one.
    pub response: Option<String>,
    /// The SDK handle method's name: `x-metorial-method`, or the id's first word.
    pub method_name: String,
    /// `x-metorial-secret-response`: the response is a secret as a whole.
    pub secret_response: bool,
    /// The secrets of the 2xx response's body.
    pub response_secrets: Vec<SecretPath>,
    /// The list facts, when the response is a pageable list.
    pub list: Option<List>,
    /// `x-metorial-wait` of a get operation.
    pub wait: Option<Wait>,
}

/// Where a parameter goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// In the path template.
    Path,
    /// In the query string.
    Query,
    /// Anywhere else (`header`, `cookie`), as the spec names it.
    Other(String),
}

/// One parameter.
#[derive(Debug, Clone)]
pub struct Parameter {
    /// Its wire name.
    pub name: String,
    /// Where it goes.
    pub place: Place,
    /// `required: true`.
    pub required: bool,
    /// Its description (empty when none).
    pub description: String,
    /// Its schema (`null` when none).
    pub schema: Value,
    /// `x-metorial-setter`.
    pub setter: Option<String>,
    /// Whether it takes one value or several (its schema is a one-or-many component).
    pub one_or_many: bool,
    /// `x-metorial-accepts`, as written (read by [`Filter::accepts`]).
    pub accepts: Option<Value>,
}

/// A request body.
#[derive(Debug, Clone)]
pub struct Body {
    /// The component its schema refers to, if it is a `$ref`.
    pub schema: Option<String>,
    /// Its JSON schema (`null` when none).
    pub json: Value,
    /// `required: true`.
    pub required: bool,
    /// The secrets it may hold.
    pub secrets: Vec<SecretPath>,
}

/// A pageable list: the response is `{items: [Item], pagination}` and the operation takes
/// every [`PAGING`] parameter.
#[derive(Debug, Clone)]
pub struct List {
    /// The item's component.
    pub item: String,
    /// The secrets of one item.
    pub item_secrets: Vec<SecretPath>,
    /// The query parameters beyond paging.
    pub filters: Vec<Filter>,
}

/// A list filter: a query parameter beyond paging.
#[derive(Debug, Clone)]
pub struct Filter {
    /// The parameter (`created_at[gt]`; the SDK's setter is [`Parameter::sdk_setter`], the
    /// client builder's method its snake_case name).
    pub param: Parameter,
    /// The type of its value.
    pub ty: FilterType,
    /// `x-metorial-accepts`: the only values the live API takes (empty: any of its type).
    pub accepts: Vec<String>,
}

/// The type of a filter's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilterType {
    /// A component (an enumeration, a one-or-many list).
    Component(String),
    /// A `date-time` string.
    Timestamp,
    /// Any other string.
    String,
    /// An integer.
    Integer,
    /// A boolean.
    Boolean,
}

/// `x-metorial-wait`: the statuses that end a wait, and whether `status` may be absent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wait {
    /// Statuses of success.
    pub done: Vec<String>,
    /// Statuses of failure.
    pub failed: Vec<String>,
    /// Whether the response's `status` is optional or nullable.
    pub optional_status: bool,
}

impl Place {
    /// Where it goes, as the spec's `in` names it (`path`, `query`, `header`).
    pub fn name(&self) -> &str {
        match self {
            Place::Path => "path",
            Place::Query => "query",
            Place::Other(place) => place,
        }
    }
}

impl Parameter {
    /// The SDK setter's name for it: `x-metorial-setter`, or the snake_case wire name.
    pub fn sdk_setter(&self) -> String {
        self.setter.clone().unwrap_or_else(|| snake(&self.name))
    }
}

impl Operation {
    /// `GET /path (operation_id)`: how messages name it.
    pub fn label(&self) -> String {
        format!("{} ({})", self.endpoint(), self.id)
    }

    /// `GET /path`: its method and path.
    pub fn endpoint(&self) -> String {
        format!("{} {}", self.method.to_uppercase(), self.path)
    }

    /// Its summary (with a period), its description when it says more, and its endpoint, as
    /// paragraphs: the long help of its command and the start of its SDK method's doc.
    pub fn overview(&self) -> String {
        let mut text = format!("{}.", self.summary.trim_end_matches('.'));
        if !self.description.is_empty() && self.description != self.summary {
            text.push_str(&format!("\n\n{}", self.description));
        }
        text + &format!("\n\n`{}` (operation `{}`).", self.endpoint(), self.id)
    }

    /// Whether the response may hold secrets: marked as a whole, or some part is one.
    pub fn response_has_secrets(&self) -> bool {
        self.secret_response || !self.response_secrets.is_empty()
    }

    /// Whether the request or the response may hold secrets (never logged nor journaled).
    pub fn carries_secrets(&self) -> bool {
        self.response_has_secrets() || self.body.as_ref().is_some_and(|b| !b.secrets.is_empty())
    }

    /// The first tag (empty when there is none).
    pub fn tag(&self) -> &str {
        self.tags.first().map_or("", String::as_str)
    }

    /// Its query parameters.
    pub fn query(&self) -> impl Iterator<Item = &Parameter> {
        self.parameters.iter().filter(|p| p.place == Place::Query)
    }
}

/// What an operation reads while it is built.
struct Cx<'a> {
    raw: &'a Value,
    components: &'a [Component],
    location: String,
}

impl Cx<'_> {
    fn problem(&self, message: impl Into<String>) -> Problem {
        problem(&self.location, message)
    }

    fn component(&self, name: &str) -> Option<&Value> {
        self.components
            .iter()
            .find(|c| c.name == name)
            .map(|c| &c.schema)
    }

    fn secrets(&self, schema: &Value) -> Vec<SecretPath> {
        secrets::paths(schema, &|name| self.component(name))
    }

    fn is_one_or_many(&self, schema: &Value) -> bool {
        component_ref(schema).is_some_and(|name| {
            self.components
                .iter()
                .any(|c| c.name == name && matches!(c.kind, Kind::OneOrMany(_)))
        })
    }
}

/// Reads one operation as far as it goes: a part that cannot be read (its tags, SDK method
/// name, list facts or wait) is left empty (the method name at its default), and its problem
/// pushed to `problems`.
pub(crate) fn read(
    raw: &Value,
    components: &[Component],
    (method, path, item, op): super::RawOp<'_>,
    problems: &mut Vec<Problem>,
) -> Operation {
    let id = text(op, "operationId").unwrap_or_default();
    let cx = Cx {
        raw,
        components,
        location: check::location(method, path, op),
    };
    let responses = responses(raw, op);
    let success = responses
        .iter()
        .find(|(code, _)| code.starts_with('2'))
        .and_then(|(_, schema)| schema.as_ref());
    let response = success.and_then(component_ref).map(str::to_owned);
    let parameters = parameters(&cx, item, op);
    let list = response.as_deref().map(|r| list(&cx, r, &parameters));
    let list = or_default(list.transpose().map(Option::flatten), problems);
    let tags =
        strings(op.get("tags")).ok_or_else(|| cx.problem("`tags` must be a list of strings"));
    let tags = or_default(tags, problems);
    let wait = or_default(wait(&cx, method, op, response.as_deref()), problems);
    let method_name = or_default(sdk_method(&cx, op), problems)
        .unwrap_or_else(|| id.split('_').next().unwrap_or(&id).to_owned());
    let description = text(op, "description").unwrap_or_default();
    Operation {
        summary: text(op, "summary").unwrap_or_else(|| id.clone()),
        id,
        method: method.to_owned(),
        path: path.to_owned(),
        tags,
        description: description.trim().to_owned(),
        path_params: path_params(path),
        body: body(&cx, op),
        response_secrets: success.map(|s| cx.secrets(s)).unwrap_or_default(),
        wait,
        method_name,
        secret_response: op.get("x-metorial-secret-response") == Some(&Value::Bool(true)),
        responses,
        response,
        parameters,
        list,
    }
}

/// The value read, or the default with its problem pushed to `problems`.
fn or_default<T: Default>(read: Result<T, Problem>, problems: &mut Vec<Problem>) -> T {
    read.unwrap_or_else(|problem| {
        problems.push(problem);
        T::default()
    })
}

/// `x-metorial-method`, if any.
fn sdk_method(cx: &Cx<'_>, op: &Value) -> Result<Option<String>, Problem> {
    match op.get("x-metorial-method") {
        None => Ok(None),
        Some(Value::String(name)) => Ok(Some(name.clone())),
        Some(_) => Err(cx.problem("`x-metorial-method` must be a string")),
    }
}

fn text(node: &Value, key: &str) -> Option<String> {
    node.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// A list of strings (empty when absent); `None` when it is something else.
fn strings(node: Option<&Value>) -> Option<Vec<String>> {
    let Some(node) = node else {
        return Some(Vec::new());
    };
    node.as_array()?
        .iter()
        .map(|v| v.as_str().map(str::to_owned))
        .collect()
}

/// The component a schema refers to (`$ref`, or a one-element `allOf` of one).
pub fn component_ref(schema: &Value) -> Option<&str> {
    if let [only] = array(schema, "allOf") {
        return component_ref(only);
    }
    schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(schema_name)
}

fn responses(raw: &Value, op: &Value) -> Vec<(String, Option<Value>)> {
    op.get("responses")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(code, response)| {
            let schema = json_schema(resolve(raw, response)).cloned();
            (code.clone(), schema)
        })
        .collect()
}

fn parameters(cx: &Cx<'_>, item: &Value, op: &Value) -> Vec<Parameter> {
    let mut out: Vec<Parameter> = Vec::new();
    let (shared, own) = (array(item, "parameters"), array(op, "parameters"));
    for param in shared.iter().chain(own) {
        let param = resolve(cx.raw, param);
        let place = match param.get("in").and_then(Value::as_str).unwrap_or("?") {
            "path" => Place::Path,
            "query" => Place::Query,
            other => Place::Other(other.to_owned()),
        };
        let name = text(param, "name").unwrap_or_else(|| "?".to_owned());
        out.retain(|p| !(p.name == name && p.place == place));
        out.push(Parameter {
            name,
            place,
            required: param.get("required") == Some(&Value::Bool(true)),
            description: text(param, "description").unwrap_or_default(),
            schema: param.get("schema").cloned().unwrap_or(Value::Null),
            setter: text(param, "x-metorial-setter"),
            one_or_many: param.get("schema").is_some_and(|s| cx.is_one_or_many(s)),
            accepts: param.get("x-metorial-accepts").cloned(),
        });
    }
    out
}

fn body(cx: &Cx<'_>, op: &Value) -> Option<Body> {
    let body = resolve(cx.raw, op.get("requestBody")?);
    let json = json_schema(body).cloned().unwrap_or(Value::Null);
    Some(Body {
        schema: component_ref(&json).map(str::to_owned),
        required: body.get("required") == Some(&Value::Bool(true)),
        secrets: cx.secrets(&json),
        json,
    })
}

/// The list facts of an operation whose response is `{items: [X], pagination}` and that takes
/// every paging parameter; `None` for any other operation.
fn list(cx: &Cx<'_>, response: &str, parameters: &[Parameter]) -> Result<Option<List>, Problem> {
    let Some(schema) = cx.component(response) else {
        return Ok(None);
    };
    let item = property(schema, "items").and_then(|items| items.get("items"));
    let item = item.and_then(component_ref);
    let paged = property(schema, "pagination").is_some();
    let query = parameters.iter().filter(|p| p.place == Place::Query);
    let (paging, filters): (Vec<_>, Vec<_>) =
        query.partition(|p| PAGING.contains(&p.name.as_str()));
    let (Some(item), true, true) = (item, paged, paging.len() == PAGING.len()) else {
        return Ok(None);
    };
    let filters = filters.into_iter().map(|p| filter(cx, p));
    let filters = filters.collect::<Result<_, _>>()?;
    let item_secrets = cx
        .component(item)
        .map(|s| cx.secrets(s))
        .unwrap_or_default();
    Ok(Some(List {
        item: item.to_owned(),
        item_secrets,
        filters,
    }))
}

fn filter(cx: &Cx<'_>, param: &Parameter) -> Result<Filter, Problem> {
    let schema = &param.schema;
    let format = schema.get("format").and_then(Value::as_str);
    let type_name = schema.get("type").and_then(Value::as_str);
    let ty = match (component_ref(schema), type_name) {
        (Some(name), _) => FilterType::Component(name.to_owned()),
        (None, Some("string")) if format == Some("date-time") => FilterType::Timestamp,
        (None, Some("string")) => FilterType::String,
        (None, Some("integer")) => FilterType::Integer,
        (None, Some("boolean")) => FilterType::Boolean,
        _ => {
            return Err(cx.problem(format!(
                "query parameter `{}` has a type the SDK generator cannot set",
                param.name
            )));
        }
    };
    Ok(Filter {
        accepts: accepts(cx, param)?,
        param: param.clone(),
        ty,
    })
}

/// `x-metorial-accepts` of a filter: a non-empty list of strings, or nothing.
fn accepts(cx: &Cx<'_>, param: &Parameter) -> Result<Vec<String>, Problem> {
    let Some(list) = &param.accepts else {
        return Ok(Vec::new());
    };
    let values: Option<Vec<String>> = list
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    match values {
        Some(values) if !values.is_empty() => Ok(values),
        _ => Err(cx.problem(format!(
            "`x-metorial-accepts` of `{}` must be a non-empty list of strings",
            param.name
        ))),
    }
}

/// `x-metorial-wait` of a get operation.
fn wait(
    cx: &Cx<'_>,
    method: &str,
    op: &Value,
    response: Option<&str>,
) -> Result<Option<Wait>, Problem> {
    let Some(wait) = op.get("x-metorial-wait") else {
        return Ok(None);
    };
    if method != "get" {
        return Err(cx.problem("`x-metorial-wait` is only read on a get operation"));
    }
    let statuses = |key: &str| strings(wait.get(key));
    let (Some(done), Some(failed)) = (statuses("done"), statuses("failed")) else {
        return Err(cx.problem("`x-metorial-wait`'s `done` and `failed` must be lists of strings"));
    };
    if done.is_empty() {
        return Err(cx.problem("`x-metorial-wait` needs at least one `done` status"));
    }
    let schema = response.and_then(|name| cx.component(name).map(|s| (name, s)));
    let Some((name, schema)) = schema else {
        return Err(
            cx.problem("`x-metorial-wait` needs a 2xx response that is a `$ref` to a schema")
        );
    };
    let Some(status) = property(schema, "status") else {
        let message = format!("`x-metorial-wait` needs a `status` property on {name}");
        return Err(cx.problem(message));
    };
    let optional_status = !required(schema).contains(&"status") || is_nullable(status);
    Ok(Some(Wait {
        done,
        failed,
        optional_status,
    }))
}
