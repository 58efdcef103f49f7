//! Rules of the codebase that a grep can keep (ARCHITECTURE.md invariants):
//! the simulation core uses no hash containers (their iteration order could
//! reach an output), no wall clock and no unseeded randomness.

mod common;

use std::path::Path;

const CORE: &[&str] = &[
    "src/sim",
    "src/cluster",
    "src/master",
    "src/policy",
    "src/framework",
    "src/metrics",
    "src/scenario",
    "src/workload",
];
const FORBIDDEN: &[&str] = &[
    "HashMap",
    "HashSet",
    "Instant::now",
    "SystemTime",
    "thread_rng",
    "rand::rng()",
    "StdRng",
    "rand::random",
];

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn core_has_no_order_or_clock_hazards() {
    let mut files = Vec::new();
    for d in CORE {
        rust_files(&common::root().join(d), &mut files);
    }
    assert!(!files.is_empty());
    let mut hits = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for word in FORBIDDEN {
                if code.contains(word) {
                    hits.push(format!("{}:{}: {}", f.display(), n + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        hits.is_empty(),
        "hazards in the simulation core:\n{}",
        hits.join("\n")
    );
}

/// The dependency direction (ARCHITECTURE.md, "Dependency direction"): for
/// each file or folder, the paths its code may not name. `use super::...`
/// inside a folder stays in that folder; leaves name nothing in the crate
/// but other leaves.
const CORE_MAY_NOT: &[&str] = &[
    "crate::report",
    "crate::cli",
    "crate::scenario::raw",
    "crate::scenario::resolve",
];
const NO_IMPORT: &[(&str, &[&str])] = &[
    ("src/sim", CORE_MAY_NOT),
    ("src/cluster", CORE_MAY_NOT),
    ("src/master", CORE_MAY_NOT),
    ("src/policy", CORE_MAY_NOT),
    ("src/framework", CORE_MAY_NOT),
    ("src/metrics", CORE_MAY_NOT),
    (
        "src/scenario/model.rs",
        &[
            "crate::report",
            "crate::cli",
            "crate::workload",
            "crate::scenario::raw",
            "crate::scenario::resolve",
            "super::raw",
            "super::resolve",
        ],
    ),
    (
        "src/workload",
        &[
            "crate::scenario::raw",
            "crate::scenario::resolve",
            "crate::cli",
        ],
    ),
    ("src/limits.rs", &["crate::", "super::"]),
    ("src/digest.rs", &["crate::", "super::"]),
    ("src/error.rs", &["crate::"]),
    ("src/sim/time.rs", &["crate::", "super::"]),
    ("src/sim/rng.rs", &["crate::", "super::"]),
    (
        "src/dist.rs",
        &[
            "crate::scenario",
            "crate::workload",
            "crate::report",
            "crate::cli",
        ],
    ),
];

#[test]
fn module_dependencies_point_one_way() {
    let root = common::root();
    let mut hits = Vec::new();
    for (place, forbidden) in NO_IMPORT {
        let path = root.join(place);
        let mut files = Vec::new();
        if path.is_dir() {
            rust_files(&path, &mut files);
        } else {
            files.push(path);
        }
        assert!(!files.is_empty(), "{place}: no Rust files");
        for f in &files {
            let text = std::fs::read_to_string(f).unwrap();
            // Unit tests at the end of a file may use anything.
            let code = text.split("#[cfg(test)]").next().unwrap_or("");
            for (n, line) in code.lines().enumerate() {
                let code = line.split("//").next().unwrap_or("");
                for word in *forbidden {
                    if code.contains(word) {
                        hits.push(format!("{}:{}: {}", f.display(), n + 1, line.trim()));
                    }
                }
            }
        }
    }
    assert!(
        hits.is_empty(),
        "imports against the dependency direction (ARCHITECTURE.md):\n{}",
        hits.join("\n")
    );
}
