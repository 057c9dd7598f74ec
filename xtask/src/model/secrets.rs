//! Where a request or response holds secrets: the one rule every generator follows.
//!
//! A value is a secret when its schema is one of the components [`SECRETS`] (`SecretObject`,
//! `SecretString`), reached from the body's schema through `$ref`s, `allOf`/`anyOf`/`oneOf`,
//! array `items`, object `properties` and `additionalProperties`, at any depth. Each is found as a [`SecretPath`]:
//! the keys from the body down to it, arrays crossed (a path holds no indices), `*` for any key
//! of a map (`additionalProperties`). The SDK scrubs the values at these paths from a call's
//! errors and logs, the command-line tool redacts them from what it prints, and the emulator
//! never journals a body of an operation that has any.

use serde_json::Value;

use super::component::SECRETS;
use crate::names::schema_name;

/// The keys from a body down to a secret value (`["config", "client_secret"]`); empty for the
/// body as a whole. `*` stands for any key of a map.
pub type SecretPath = Vec<String>;

/// The key standing for any key of a map (`additionalProperties`).
pub const ANY_KEY: &str = "*";

/// The paths of the secrets in `schema`, sorted; `schemas` finds a component by name.
pub fn paths<'a>(
    schema: &'a Value,
    schemas: &dyn Fn(&str) -> Option<&'a Value>,
) -> Vec<SecretPath> {
    let mut walker = Walker {
        schemas,
        prefix: Vec::new(),
        seen: Vec::new(),
        out: Vec::new(),
    };
    walker.walk(schema);
    walker.out.sort();
    walker.out.dedup();
    walker.out
}

struct Walker<'a, 's> {
    schemas: &'s dyn Fn(&str) -> Option<&'a Value>,
    prefix: Vec<String>,
    /// The components being walked: a recursive schema stops where it repeats.
    seen: Vec<String>,
    out: Vec<SecretPath>,
}

impl<'a> Walker<'a, '_> {
    fn walk(&mut self, node: &'a Value) {
        if let Some(name) = node
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(schema_name)
        {
            self.component(name);
            return;
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            for variant in super::array(node, key) {
                self.walk(variant);
            }
        }
        if let Some(items) = node.get("items") {
            self.walk(items);
        }
        if let Some(map) = node.get("properties").and_then(Value::as_object) {
            for (name, property) in map {
                self.under(name, property);
            }
        }
        if let Some(values) = node.get("additionalProperties").filter(|v| v.is_object()) {
            self.under(ANY_KEY, values);
        }
    }

    fn under(&mut self, key: &str, node: &'a Value) {
        self.prefix.push(key.to_owned());
        self.walk(node);
        self.prefix.pop();
    }

    fn component(&mut self, name: &str) {
        if SECRETS.contains(&name) {
            self.out.push(self.prefix.clone());
            return;
        }
        if self.seen.iter().any(|s| s == name) {
            return;
        }
        let Some(target) = (self.schemas)(name) else {
            return;
        };
        self.seen.push(name.to_owned());
        self.walk(target);
        self.seen.pop();
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn secrets_are_found_at_any_depth_and_through_every_composition() {
        let schemas = json!({
            "SecretObject": {"type": "object"},
            "Body": {"properties": {
                "config": {"allOf": [{"$ref": "#/components/schemas/Inner"}]},
                "list": {"type": "array", "items": {"$ref": "#/components/schemas/SecretObject"}},
                "map": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/SecretObject"}},
                "plain": {"type": "string"},
            }},
            "Inner": {"properties": {"deep": {"oneOf": [{"$ref": "#/components/schemas/SecretObject"}]}}},
            "Loop": {"properties": {"next": {"$ref": "#/components/schemas/Loop"}}},
        });
        let find = |name: &str| schemas.get(name);
        let refs: Vec<Value> = ["Body", "Loop", "SecretObject"]
            .iter()
            .map(|name| json!({"$ref": format!("#/components/schemas/{name}")}))
            .collect();
        let at = |i: usize| paths(&refs[i], &find);
        assert_eq!(
            at(0),
            [vec!["config", "deep"], vec!["list"], vec!["map", "*"]]
        );
        assert!(at(1).is_empty());
        assert_eq!(at(2), [Vec::<String>::new()]);
    }
}
