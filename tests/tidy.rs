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
