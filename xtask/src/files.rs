//! Writing generated files, and checking that the checked-in ones are current.

use std::path::Path;

use anyhow::Context;

use crate::generate::GeneratedFile;

/// Writes every file under `root`, leaving files whose contents are already right untouched.
/// Returns the paths it changed.
pub fn write(root: &Path, files: &[GeneratedFile]) -> anyhow::Result<Vec<String>> {
    let mut changed = Vec::new();
    for file in files {
        let path = root.join(&file.path);
        if std::fs::read_to_string(&path).ok().as_deref() == Some(file.contents.as_str()) {
            continue;
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        std::fs::write(&path, &file.contents)
            .with_context(|| format!("writing {}", path.display()))?;
        changed.push(file.path.display().to_string());
    }
    Ok(changed)
}

/// Compares every file with the one under `root`; returns a unified diff per stale file
/// (empty when everything is current).
pub fn check(root: &Path, files: &[GeneratedFile]) -> Vec<String> {
    let mut diffs = Vec::new();
    for file in files {
        let path = root.join(&file.path);
        let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
        if on_disk == file.contents {
            continue;
        }
        let name = file.path.display().to_string();
        let diff = similar::TextDiff::from_lines(&on_disk, &file.contents)
            .unified_diff()
            .context_radius(3)
            .header(
                &format!("{name} (checked in)"),
                &format!("{name} (generated)"),
            )
            .to_string();
        diffs.push(diff);
    }
    diffs
}
