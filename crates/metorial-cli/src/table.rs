//! `--table`: a column table of the scalar top-level fields of a list's items (or of one
//! object, as a table of one row).
//!
//! Columns: `id` first, then `name`, `status`, `type` and `note`, then the other scalar
//! fields in the order they first appear, and times (`*_at`) last; `object` (the same on
//! every row) is left out. Nested objects and arrays are left out too, and so is a field that
//! is `null` on every row. Long cells are cut
//! and control characters replaced, so a value cannot break the layout or the terminal.

use serde_json::Value;

/// Fields shown first, in this order, when present.
const FIRST: &[&str] = &["id", "name", "status", "type", "note"];

/// Fields never shown.
const HIDDEN: &[&str] = &["object"];

/// The longest a cell is, in characters, before it is cut.
const MAX_CELL: usize = 60;

/// The table of `rows` (objects; anything else is one `value` column), header first, each
/// line ending with a newline.
pub fn render(rows: &[Value]) -> String {
    let columns = columns(rows);
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|row| columns.iter().map(|c| cell(row, c)).collect())
        .collect();
    let widths: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            cells
                .iter()
                .map(|row| row[i].chars().count())
                .chain([c.chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = line(&columns, &widths);
    for row in &cells {
        out.push_str(&line(row, &widths));
    }
    out
}

/// The columns of `rows`, ordered as the module says.
fn columns(rows: &[Value]) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    for row in rows {
        match row {
            Value::Object(map) => {
                for (key, value) in map {
                    let scalar = !matches!(value, Value::Null | Value::Object(_) | Value::Array(_));
                    if scalar && !HIDDEN.contains(&key.as_str()) && !seen.contains(key) {
                        seen.push(key.clone());
                    }
                }
            }
            _ => {
                if !seen.iter().any(|c| c == "value") {
                    seen.push("value".to_owned());
                }
            }
        }
    }
    if seen.is_empty() {
        seen.push("id".to_owned());
    }
    let rank = |c: &String| match FIRST.iter().position(|f| f == c) {
        Some(i) => (0, i),
        None if c.ends_with("_at") => (2, 0),
        None => (1, 0),
    };
    seen.sort_by_key(rank); // stable: first-seen order within a rank
    seen
}

/// The text of `row`'s `column`.
fn cell(row: &Value, column: &str) -> String {
    let value = match row {
        Value::Object(map) => map.get(column).unwrap_or(&Value::Null),
        other if column == "value" => other,
        _ => &Value::Null,
    };
    let text = match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Object(_) | Value::Array(_) => String::new(),
        other => other.to_string(),
    };
    let mut cleaned: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(MAX_CELL)
        .collect();
    if text.chars().count() > MAX_CELL {
        cleaned.pop();
        cleaned.push('…');
    }
    cleaned
}

/// One line: cells padded to their column's width, two spaces apart, no trailing spaces.
fn line(cells: &[String], widths: &[usize]) -> String {
    let mut out = String::new();
    for (i, (text, width)) in cells.iter().zip(widths).enumerate() {
        if i > 0 {
            out.push_str("  ");
        }
        out.push_str(text);
        if i + 1 < cells.len() {
            out.push_str(&" ".repeat(width.saturating_sub(text.chars().count())));
        }
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn id_comes_first_and_times_last() {
        let rows = [
            json!({"object": "x", "created_at": "2025", "url": "u", "status": "pending", "id": "pas_1", "nested": {}}),
            json!({"id": "pas_22", "status": null, "url": "u2\nx", "created_at": "2026", "n": 3, "gone": null}),
        ];
        let table = render(&rows);
        assert_eq!(
            table,
            "id      status   url   n  created_at\n\
             pas_1   pending  u        2025\n\
             pas_22           u2 x  3  2026\n"
        );
    }

    #[test]
    fn long_cells_are_cut_and_empty_lists_have_a_header() {
        let long = "x".repeat(100);
        let table = render(&[json!({"id": long})]);
        let row = table.lines().nth(1).unwrap();
        assert_eq!(row.chars().count(), MAX_CELL);
        assert!(row.ends_with('…'));
        assert_eq!(render(&[]), "id\n");
        assert_eq!(render(&[json!("plain")]), "value\nplain\n");
    }
}
