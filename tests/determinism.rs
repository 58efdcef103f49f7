//! Same scenario + seed + version = byte-identical output folders; a
//! different seed changes the digest where randomness matters.

mod common;

use std::path::Path;

const SCENARIOS: &[&str] = &[
    "scenarios/quickstart.yaml",
    "scenarios/drf-paper.yaml",
    "scenarios/mesos/1-unreserved-drf.yaml",
    "scenarios/mesos/5-same-share-fairness.yaml",
    "scenarios/mesos/7-offer-filter.yaml",
    "scenarios/synthetic-mixed.yaml",
    "scenarios/workloads/gang-hold.yaml",
    "scenarios/workloads/decision-time.yaml",
    "scenarios/failover.yaml",
];

fn run_into(scenario: &str, out: &Path, extra: &[&str]) {
    let mut args = vec![
        "run",
        scenario,
        "--events",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let o = common::run_bin(&args);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{scenario}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Every file under `dir` (charts/ included), as relative paths.
fn files(dir: &Path) -> Vec<String> {
    common::files_under(dir)
}

#[test]
fn reruns_are_byte_identical() {
    for (i, s) in SCENARIOS.iter().enumerate() {
        let a = common::tmp(&format!("det-a-{i}"));
        let b = common::tmp(&format!("det-b-{i}"));
        run_into(s, &a, &[]);
        run_into(s, &b, &[]);
        assert_eq!(files(&a), files(&b));
        for f in files(&a) {
            let x = std::fs::read(a.join(&f)).unwrap();
            let y = std::fs::read(b.join(&f)).unwrap();
            assert!(x == y, "{s}: {f} differs between two identical runs");
        }
    }
}

fn digest(dir: &Path) -> String {
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    m["digest"].as_str().unwrap().to_string()
}

#[test]
fn seed_changes_the_digest_where_randomness_matters() {
    let a = common::tmp("seed-a");
    let b = common::tmp("seed-b");
    run_into("scenarios/quickstart.yaml", &a, &["--seed", "1"]);
    run_into("scenarios/quickstart.yaml", &b, &["--seed", "2"]);
    assert_ne!(digest(&a), digest(&b));
    // One agent and fixed durations: nothing random, the seed changes nothing.
    let c = common::tmp("seed-c");
    let d = common::tmp("seed-d");
    run_into("scenarios/drf-paper.yaml", &c, &["--seed", "1"]);
    run_into("scenarios/drf-paper.yaml", &d, &["--seed", "2"]);
    assert_eq!(digest(&c), digest(&d));
}

#[test]
fn output_does_not_depend_on_the_folder() {
    let a = common::tmp("where-a");
    let b = common::tmp("where-b").join("deeper/still");
    run_into("scenarios/drf-paper.yaml", &a, &[]);
    run_into("scenarios/drf-paper.yaml", &b, &[]);
    for f in files(&a) {
        assert_eq!(
            std::fs::read(a.join(&f)).unwrap(),
            std::fs::read(b.join(&f)).unwrap(),
            "{f}"
        );
    }
}

#[test]
fn out_folder_rules() {
    // A folder a run wrote is replaced; a foreign non-empty folder needs --force.
    let a = common::tmp("outrule");
    run_into("scenarios/drf-paper.yaml", &a, &[]);
    run_into("scenarios/drf-paper.yaml", &a, &[]);
    let foreign = common::tmp("foreign");
    std::fs::write(foreign.join("notes.txt"), "mine").unwrap();
    let o = common::run_bin(&[
        "run",
        "scenarios/drf-paper.yaml",
        "--quiet",
        "--out",
        foreign.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--force"));
    run_into("scenarios/drf-paper.yaml", &foreign, &["--force"]);
    assert!(foreign.join("notes.txt").exists());
}

#[test]
fn quickstart_writes_every_file_and_key() {
    let out = common::tmp("quickstart");
    let o = common::run_bin(&[
        "run",
        "scenarios/quickstart.yaml",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0));
    let said = String::from_utf8_lossy(&o.stdout);
    assert!(
        said.contains(&format!("results: {}", out.display())),
        "{said}"
    );
    for f in [
        "summary.json",
        "manifest.json",
        "timeseries.csv",
        "shares.csv",
        "jobs.csv",
    ] {
        assert!(out.join(f).is_file(), "{f}");
    }
    let s: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    for k in [
        "scenario",
        "seed",
        "version",
        "end_time_s",
        "events",
        "utilization",
        "offered_idle",
        "fairness",
        "jobs",
        "tasks",
        "offers",
        "frameworks",
        "roles",
    ] {
        assert!(s.get(k).is_some(), "summary lacks {k}");
    }
    assert!(s["jobs"]["completed"].as_u64().unwrap() > 50);
    // DRF sharing shows: every framework got resources.
    for f in s["frameworks"].as_array().unwrap() {
        assert!(f["dominant_share_mean"].as_f64().unwrap() > 0.01, "{f}");
    }
}
