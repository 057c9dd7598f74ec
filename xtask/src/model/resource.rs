//! The SDK's resources: one per tag, named by its `x-metorial-handle`, holding the tag's
//! operations and scoped by the path parameters they all share.

use serde_json::Value;

use super::Problem;
use super::operation::Operation;
use super::problem;
use crate::names::pascal;

/// One API resource (a tag): its handle and operations.
#[derive(Debug, Clone)]
pub struct Resource {
    /// The tag's name (`provider-setup-sessions`).
    pub tag: String,
    /// The handle's snake_case name (`setup_sessions`): the accessor on `Metorial`.
    pub handle: String,
    /// The handle type's name (`SetupSessions`).
    pub type_name: String,
    /// The tag's description, trimmed.
    pub description: String,
    /// Path parameters every operation has: the handle's own fields.
    pub scope: Vec<String>,
    /// Its operations, as indices into [`Api::operations`](super::Api::operations).
    pub operations: Vec<usize>,
}

impl Resource {
    /// An operation's path parameters beyond the scope, in path order.
    pub fn own_params<'a>(&self, op: &'a Operation) -> Vec<&'a str> {
        op.path_params
            .iter()
            .filter(|p| !self.scope.contains(p))
            .map(String::as_str)
            .collect()
    }
}

/// Groups the operations into resources, in tag order; every operation must belong to a tag
/// with a handle, and every tag must have one (else a problem, and no resource for it).
pub(crate) fn group(
    raw: &Value,
    operations: &[Operation],
    problems: &mut Vec<Problem>,
) -> Vec<Resource> {
    let mut out = Vec::new();
    for tag in super::array(raw, "tags") {
        match resource(tag, operations) {
            Ok((resource, named)) => {
                problems.extend(named.err());
                out.push(resource);
            }
            Err(problem) => problems.push(problem),
        }
    }
    for op in operations {
        let id = &op.id;
        let message = if !out.iter().any(|r| op.tags.contains(&r.tag)) {
            format!(
                "operation `{id}` has no tag with an `x-metorial-handle`: the SDK would not offer it"
            )
        } else if op.body.as_ref().is_some_and(|b| b.schema.is_none()) {
            format!("`{id}`: a request body must be a `$ref` to a schema")
        } else if op.response.is_none() {
            format!("`{id}`: the 2xx response must be a `$ref` to a schema")
        } else {
            continue;
        };
        problems.push(problem(op.label(), message));
    }
    out
}

/// A tag's resource (and whether its method names are sound), or why it has none.
fn resource(
    tag: &Value,
    operations: &[Operation],
) -> Result<(Resource, Result<(), Problem>), Problem> {
    let name = tag.get("name").and_then(Value::as_str).unwrap_or_default();
    let location = format!("tag `{name}`");
    let Some(handle) = tag.get("x-metorial-handle").and_then(Value::as_str) else {
        return Err(problem(location, "every tag needs an `x-metorial-handle`"));
    };
    let mine: Vec<usize> = (0..operations.len())
        .filter(|&i| operations[i].tags.iter().any(|t| t == name))
        .collect();
    let mut scope: Option<Vec<String>> = None;
    for &i in &mine {
        let params = &operations[i].path_params;
        scope = Some(match scope {
            None => params.clone(),
            Some(common) => common.into_iter().filter(|p| params.contains(p)).collect(),
        });
    }
    let description = tag.get("description").and_then(Value::as_str);
    let named =
        check_names(mine.iter().map(|&i| &operations[i])).map_err(|m| problem(&location, m));
    let resource = Resource {
        tag: name.to_owned(),
        handle: handle.to_owned(),
        type_name: pascal(handle),
        description: description.unwrap_or_default().trim().to_owned(),
        scope: scope.unwrap_or_default(),
        operations: mine,
    };
    Ok((resource, named))
}

/// One method name per operation, one list and one wait per handle.
fn check_names<'a>(ops: impl Iterator<Item = &'a Operation>) -> Result<(), String> {
    let ops: Vec<&Operation> = ops.collect();
    let mut names: Vec<&str> = ops.iter().map(|op| op.method_name.as_str()).collect();
    names.sort_unstable();
    if let Some(pair) = names.windows(2).find(|w| w[0] == w[1]) {
        return Err(format!(
            "two operations make the method `{}`; give one an `x-metorial-method`",
            pair[0]
        ));
    }
    if ops.iter().filter(|op| op.list.is_some()).count() > 1 {
        return Err("more than one list operation (one handle streams one list)".to_owned());
    }
    let waits: Vec<&str> = ops
        .iter()
        .filter(|op| op.wait.is_some())
        .map(|op| op.id.as_str())
        .collect();
    if waits.len() > 1 {
        return Err(format!(
            "`x-metorial-wait` on {} (one handle has one `wait_for_completion`)",
            waits.join(" and ")
        ));
    }
    Ok(())
}
