//! Loading the OpenAPI document: YAML (or JSON) as plain JSON. What the generator cannot
//! handle in it is refused when the model is built ([`crate::model::Api::build`]).

use std::path::Path;

use anyhow::Context;
use serde_json::Value;

/// A loaded OpenAPI document: what [`crate::model::Api::build`] reads.
pub struct Spec {
    /// The document as plain JSON.
    pub raw: Value,
}

impl Spec {
    /// Reads a YAML (or JSON) OpenAPI document.
    pub fn load(path: &Path) -> anyhow::Result<Spec> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        Self::parse(&text).with_context(|| format!("in {}", path.display()))
    }

    /// Parses a YAML (or JSON) OpenAPI document.
    pub fn parse(text: &str) -> anyhow::Result<Spec> {
        let raw: Value = serde_norway::from_str(text).context("the spec is not valid YAML")?;
        Ok(Spec { raw })
    }
}
