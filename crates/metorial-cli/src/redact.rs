//! Redaction of the secret properties of an answer (export tokens, client secrets), by the
//! paths the generator computed from the spec (properties whose schema is a `SecretObject`).

use serde_json::Value;

/// What a secret value prints as.
pub const REDACTED: &str = "<redacted>";

/// Replaces the value at each path of `paths` in `value` with [`REDACTED`]. A path is a list
/// of object keys; arrays on the way are crossed (each element is redacted); the empty path
/// is the whole value. A missing or `null` value stays as it is.
pub fn redact(value: &mut Value, paths: &[&[&str]]) {
    for path in paths {
        redact_path(value, path);
    }
}

/// Redacts one path of `value`.
fn redact_path(value: &mut Value, path: &[&str]) {
    match (value, path.split_first()) {
        (Value::Null, _) => {}
        (Value::Array(items), _) => items.iter_mut().for_each(|item| redact_path(item, path)),
        (value, None) => *value = Value::String(REDACTED.to_owned()),
        (Value::Object(map), Some((&ANY_KEY, rest))) => {
            map.values_mut().for_each(|child| redact_path(child, rest));
        }
        (Value::Object(map), Some((key, rest))) => {
            if let Some(child) = map.get_mut(*key) {
                redact_path(child, rest);
            }
        }
        (_, Some(_)) => {}
    }
}

/// The key of a secret path standing for any key of a map.
const ANY_KEY: &str = "*";

/// Whether the field at `keys` (array indices left out) is, or is inside, one of the secret
/// `paths`.
pub fn is_secret(keys: &[&str], paths: &[&[&str]]) -> bool {
    paths.iter().any(|path| {
        path.len() <= keys.len()
            && path
                .iter()
                .zip(keys)
                .all(|(want, key)| *want == ANY_KEY || want == key)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secret_paths_are_redacted_and_the_rest_is_kept() {
        let mut value = json!({
            "id": "pae_1",
            "value": {"access_token": "gho_1"},
            "nested": [{"config": {"client_secret": "s"}}, {"config": null}],
        });
        redact(
            &mut value,
            &[&["value"], &["nested", "config"], &["absent", "x"]],
        );
        assert_eq!(
            value,
            json!({
                "id": "pae_1",
                "value": "<redacted>",
                "nested": [{"config": "<redacted>"}, {"config": null}],
            })
        );
        let mut whole = json!({"token": "t"});
        redact(&mut whole, &[&[]]);
        assert_eq!(whole, json!("<redacted>"));
    }

    #[test]
    fn any_key_paths_reach_every_entry_of_a_map() {
        let mut value = json!({"map": {"a": {"token": "t1", "id": "1"}, "b": {"token": "t2"}}});
        redact(&mut value, &[&["map", "*", "token"]]);
        assert_eq!(
            value,
            json!({"map": {"a": {"token": REDACTED, "id": "1"}, "b": {"token": REDACTED}}})
        );
    }

    #[test]
    fn a_field_inside_a_secret_path_is_secret() {
        let paths: &[&[&str]] = &[&["config", "oauth"], &["map", "*"]];
        assert!(is_secret(&["config", "oauth"], paths));
        assert!(is_secret(&["config", "oauth", "client_secret"], paths));
        assert!(is_secret(&["map", "x", "y"], paths));
        assert!(!is_secret(&["config"], paths));
        assert!(!is_secret(&["config", "name"], paths));
        assert!(is_secret(&["anything"], &[&[]]));
    }
}
