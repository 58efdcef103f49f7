//! Writers: the output folder, `summary.json`, `manifest.json`, and the CSV
//! files (streamed by observers while the run goes). All formatting rules of
//! docs/format.md live here: times with six decimals, resources in the
//! scenario's units, floats in shortest round-trip form.

pub mod charts;
pub mod compare;
pub mod csv_out;
pub mod data;
pub mod markdown;
pub mod summary;
pub mod sweep;

pub use crate::digest::{hex, sha256_hex};
use crate::error::Error;
use std::path::Path;

/// Files a run may write, so that a rerun can replace them.
pub const RUN_FILES: &[&str] = &[
    "summary.json",
    "manifest.json",
    "timeseries.csv",
    "shares.csv",
    "roles.csv",
    "fairness.csv",
    "offers.csv",
    "jobs.csv",
    "events.csv",
    "explain.csv",
    "report.md",
];

/// Makes `dir` ready for a run's outputs. A folder a previous run wrote (it
/// holds a `manifest.json`) is reused, its old outputs removed; any other
/// non-empty folder needs `force`.
pub fn prepare_out_dir(dir: &Path, force: bool) -> Result<(), Error> {
    prepare_dir(dir, force, RUN_FILES, "mesosim run")
}

/// Files `compare` may write, so that a rerun can replace them.
pub const COMPARE_FILES: &[&str] = &[
    "compare.csv",
    "compare.md",
    "runs.csv",
    "report.md",
    "manifest.json",
];

/// As [`prepare_out_dir`], for the given set of files (and `charts/`).
pub fn prepare_dir(dir: &Path, force: bool, ours: &[&str], who: &str) -> Result<(), Error> {
    if dir.exists() {
        if !dir.is_dir() {
            return Err(Error::Usage(format!(
                "--out {}: exists and is not a folder",
                dir.display()
            )));
        }
        let mut entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir.display(), e))?;
        let non_empty = entries.next().is_some();
        let written_by_us = dir.join("manifest.json").is_file();
        if non_empty && !written_by_us && !force {
            return Err(Error::Usage(format!(
                "--out {}: the folder is not empty and was not written by {who}; \
                 choose another folder or pass --force",
                dir.display()
            )));
        }
        for f in ours {
            let p = dir.join(f);
            if p.is_file() {
                std::fs::remove_file(&p).map_err(|e| Error::io(p.display(), e))?;
            }
        }
        let charts = dir.join("charts");
        if charts.is_dir() && (written_by_us || force) {
            std::fs::remove_dir_all(&charts).map_err(|e| Error::io(charts.display(), e))?;
        }
    } else {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir.display(), e))?;
    }
    Ok(())
}

/// A folder name from a scenario name: anything but `[A-Za-z0-9._-]`
/// becomes `_`.
pub fn safe_name(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    match s.as_str() {
        "" | "." | ".." => "scenario".to_string(),
        _ => s,
    }
}

pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    std::fs::write(path, bytes).map_err(|e| Error::io(path.display(), e))
}
