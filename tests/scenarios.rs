//! Data-driven scenario tests: every `tests/expect/*.expect.yaml` names a
//! scenario and its expected outcome (records, summary values, counts).

mod common;

use std::path::PathBuf;

fn expectation_files() -> Vec<PathBuf> {
    let dir = common::root().join("tests/expect");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".expect.yaml"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_expectation_holds() {
    let files = expectation_files();
    assert!(files.len() >= 4, "expectation files missing");
    let mut failures = Vec::new();
    for f in &files {
        let problems = common::check_expectation(f);
        if !problems.is_empty() {
            failures.push(format!("{}:\n{}", f.display(), problems.join("\n")));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}

#[test]
fn record_patterns_match_fields() {
    assert!(common::matches(
        "0.000000 offer * role1",
        "0.000000 offer framework1 role1 agent1 - cpus:1"
    ));
    assert!(!common::matches(
        "0.000000 offer framework2",
        "0.000000 offer framework1 role1"
    ));
}
