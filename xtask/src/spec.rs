//! Loading the OpenAPI document and refusing what the generator cannot handle.
//!
//! progenitor panics or silently drops some OpenAPI features (see `shared/notes/codegen.md`).
//! [`Spec::load`] checks the raw document for all of them first and reports every problem with
//! the operation (method, path, `operationId`) or the JSON pointer it is at.

use std::fmt;
use std::path::Path;

use anyhow::Context;
use serde_json::Value;

/// A loaded, checked OpenAPI document: what [`crate::model::Api::build`] reads.
pub struct Spec {
    /// The document as plain JSON.
    pub raw: Value,
}

/// Everything in a spec the generator cannot handle.
#[derive(Debug)]
pub struct Unsupported(pub Vec<Problem>);

/// One unsupported feature, and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The operation (`GET /path (operation_id)`) or JSON pointer (`#/components/...`).
    pub location: String,
    /// What is wrong and what to write instead.
    pub message: String,
}

impl fmt::Display for Unsupported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "the spec uses {} feature(s) the generator does not support:",
            self.0.len()
        )?;
        for problem in &self.0 {
            writeln!(f, "  - {}: {}", problem.location, problem.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for Unsupported {}

impl Spec {
    /// Reads a YAML (or JSON) OpenAPI document and checks it.
    pub fn load(path: &Path) -> anyhow::Result<Spec> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        Self::parse(&text).with_context(|| format!("in {}", path.display()))
    }

    /// Parses a YAML (or JSON) OpenAPI document and checks it.
    pub fn parse(text: &str) -> anyhow::Result<Spec> {
        let raw: Value = serde_norway::from_str(text).context("the spec is not valid YAML")?;
        let problems = crate::model::check::check(&raw);
        if !problems.is_empty() {
            return Err(Unsupported(problems).into());
        }
        // progenitor reads `openapiv3`'s types: refuse here what they cannot hold.
        serde_json::from_value::<openapiv3::OpenAPI>(raw.clone())
            .context("the spec is not a valid OpenAPI 3.0 document")?;
        Ok(Spec { raw })
    }
}
