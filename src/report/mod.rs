//! Writers: the output folder, `summary.json`, `manifest.json`, and the CSV
//! files (streamed by observers while the run goes). All formatting rules of
//! docs/format.md live here: times with six decimals, resources in the
//! scenario's units, floats in shortest round-trip form.

pub mod charts;
pub mod compare;
pub mod csv_out;
pub mod data;
pub mod markdown;
pub mod outdir;
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
    "auction.csv",
    "report.md",
];

/// What `mesosim run` writes into its folder.
pub const RUN_KIND: outdir::Kind = outdir::Kind {
    name: "run",
    files: RUN_FILES,
    charts: charts::RUN_CHARTS,
    charts_at_top: false,
    additive: false,
    last: Some("manifest.json"),
    chart_prefixes: &[],
    records: None,
};

/// Files `compare` may write, so that a rerun can replace them.
pub const COMPARE_FILES: &[&str] = &[
    "compare.csv",
    "compare.md",
    "runs.csv",
    "report.md",
    "manifest.json",
];

/// What `mesosim compare` (and `sweep`, `merge`, which write the same
/// folder) writes into its folder: the sweep charts are `sweep_*`, the
/// per-run records `runs/<id>.json`.
pub const COMPARE_KIND: outdir::Kind = outdir::Kind {
    name: "compare",
    files: COMPARE_FILES,
    charts: compare::COMPARE_CHARTS,
    charts_at_top: false,
    additive: false,
    last: Some("manifest.json"),
    chart_prefixes: &["sweep_"],
    records: Some("runs"),
};

/// What `mesosim plot` writes: a run's charts, at the top of the folder.
pub const PLOT_KIND: outdir::Kind = outdir::Kind {
    name: "plot",
    files: &[],
    charts: charts::RUN_CHARTS,
    charts_at_top: true,
    additive: true,
    last: None,
    chart_prefixes: &[],
    records: None,
};

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
