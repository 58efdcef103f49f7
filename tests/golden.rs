//! Golden outputs: every shipped scenario (`scenarios/`) and every test
//! scenario (`tests/scenarios/`) is run through the binary and the result is
//! compared, byte for byte, with what was pinned in `tests/golden/outputs.txt`:
//! the manifest's record digest and a SHA-256 of every output file except the
//! charts.
//!
//! The determinism tests compare two runs of one build with each other; this
//! test compares a run with the pinned results of earlier builds, so a change
//! that moves an output byte fails here. A golden changes only in a commit
//! that names the bug it fixes. To re-pin after such a fix:
//!
//! ```text
//! MESOSIM_BLESS=1 cargo test --release --test golden
//! ```
//!
//! Small scenarios run with `--events` (so `events.csv` and `explain.csv` are
//! pinned too); the three long ones (`HEAVY`) run without it, which keeps this
//! test under a minute on two cores.

mod common;

use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

const GOLDEN: &str = "tests/golden/outputs.txt";

/// Long runs whose `events.csv` would be gigabytes: pinned without `--events`.
const HEAVY: &[&str] = &[
    "scenarios/google-sample.yaml",
    "scenarios/swf-nasa.yaml",
    "tests/scenarios/refuse-clamp.yaml",
];

/// Not runnable as they are: a generator spec and a scenario over the trace
/// it generates (docs/workloads.md), covered by the slow workload tests.
const NOT_RUNNABLE: &[&str] = &[
    "scenarios/stream-10m/stream-10m.gen.yaml",
    "scenarios/stream-10m/stream-10m.yaml",
];

/// Benchmarks (`scenarios/bench/`, docs/performance.md): minutes each, run by
/// `scripts/bench.sh`, not here; `tests/bench_scenarios.rs` checks they load.
const BENCH: &str = "scenarios/bench/";

fn scenario_files() -> Vec<String> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "yaml") {
                out.push(p);
            }
        }
    }
    let root = common::root();
    let mut files = Vec::new();
    walk(&root.join("scenarios"), &mut files);
    walk(&root.join("tests/scenarios"), &mut files);
    let mut rel: Vec<String> = files
        .iter()
        .map(|p| {
            p.strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .filter(|p| !NOT_RUNNABLE.contains(&p.as_str()) && !p.starts_with(BENCH))
        .collect();
    rel.sort();
    rel
}

/// `scenario file sha256` lines for one run; `file` is `digest` for the
/// manifest's record digest.
fn pin(scenario: &str, idx: usize) -> Vec<String> {
    let out = common::tmp(&format!("golden-{idx}"));
    let mut args = vec!["run", scenario, "--quiet", "--out", out.to_str().unwrap()];
    if !HEAVY.contains(&scenario) {
        args.push("--events");
    }
    let o = common::run_bin(&args);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{scenario}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let mut lines = vec![format!(
        "{scenario} digest {}",
        manifest["digest"].as_str().unwrap()
    )];
    for f in common::files_under(&out) {
        if f.starts_with("charts/") {
            continue;
        }
        let bytes = std::fs::read(out.join(&f)).unwrap();
        let h = Sha256::digest(&bytes);
        let hex: String = h.iter().map(|b| format!("{b:02x}")).collect();
        lines.push(format!("{scenario} {f} {hex}"));
    }
    let _ = std::fs::remove_dir_all(&out);
    lines
}

#[test]
fn outputs_match_the_pinned_goldens() {
    let scenarios = scenario_files();
    assert!(scenarios.len() >= 40, "scenarios missing: {scenarios:?}");
    // Two workers, longest first, so the heavy runs overlap the small ones.
    let mut queue: Vec<(usize, String)> = scenarios.iter().cloned().enumerate().collect();
    queue.sort_by_key(|(_, s)| !HEAVY.contains(&s.as_str()));
    let queue = Mutex::new(queue.into_iter());
    let results = Mutex::new(BTreeMap::new());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| loop {
                let next = queue.lock().unwrap().next();
                let Some((i, sc)) = next else { break };
                let lines = pin(&sc, i);
                results.lock().unwrap().insert(sc, lines);
            });
        }
    });
    let got: Vec<String> = results
        .into_inner()
        .unwrap()
        .into_values()
        .flatten()
        .collect();
    let path = common::root().join(GOLDEN);
    if std::env::var_os("MESOSIM_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let mut text = String::from(
            "# Pinned outputs: `scenario file sha256` (tests/golden.rs). A line changes only\n\
             # in a commit that names the bug it fixes. Re-pin: MESOSIM_BLESS=1 cargo test --release --test golden\n",
        );
        for l in &got {
            text.push_str(l);
            text.push('\n');
        }
        std::fs::write(&path, text).unwrap();
        return;
    }
    let want_text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (pin with MESOSIM_BLESS=1)", path.display()));
    let want: Vec<&str> = want_text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .collect();
    let mut problems = Vec::new();
    for w in &want {
        if !got.iter().any(|g| g == w) {
            problems.push(format!("pinned but not produced: {w}"));
        }
    }
    for g in &got {
        if !want.contains(&g.as_str()) {
            problems.push(format!("produced but not pinned:  {g}"));
        }
    }
    assert!(
        problems.is_empty(),
        "outputs differ from {GOLDEN} ({} lines):\n{}",
        problems.len(),
        problems.join("\n")
    );
}
