//! Bounds refused at load (issue 15): weights outside 1e-6..1e6, roles
//! nested too deep, brackets nested too deep, inputs past the horizon of a
//! run without `until` (in the file and in a streamed trace), devices and
//! FIFOs, `--jobs` over the cap. Each is exit 2 with a message naming the
//! limit, never a panic, a hang or NaN in an output.

mod common;

use std::path::Path;

fn validate(dir: &Path, name: &str, text: &str) -> (Option<i32>, String) {
    std::fs::create_dir_all(dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    let o = common::run_bin(&["validate", p.to_str().unwrap()]);
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stderr).to_string(),
    )
}

const BASE: &str = "name: t\nagents:\n  - {id: a, resources: {cpus: 4, mem: 4096}}\n";

#[test]
fn out_of_range_values_are_refused_with_the_limit() {
    let dir = common::tmp("limits-values");
    let fw = "frameworks:\n  - {id: f, role: r, jobs: [{id: j, submit: 0s, tasks: 1, resources: {cpus: 1}, duration: 1s}]}\n";
    let cases = [
        (
            "huge-weight.yaml",
            format!("{BASE}{fw}roles:\n  - {{name: r, weight: 1e300}}\n"),
            "a weight must be a positive number from 1e-6 to 1e6",
        ),
        (
            "tiny-weight.yaml",
            format!("{BASE}{fw}roles:\n  - {{name: r, weight: 1e-300}}\n"),
            "a weight must be a positive number from 1e-6 to 1e6",
        ),
        (
            "deep-role.yaml",
            format!(
                "{BASE}frameworks:\n  - {{id: f, role: {}}}\n",
                vec!["x"; 65].join("/")
            ),
            "at most 64 levels",
        ),
        (
            "deep-brackets.yaml",
            format!("{BASE}x: {}\n", "[".repeat(100_000)),
            "nested more than 128 levels",
        ),
        (
            "far-job.yaml",
            format!("{BASE}frameworks:\n  - {{id: f, role: r, jobs: [{{id: j, submit: 9000000000000s, tasks: 1, resources: {{cpus: 1}}, duration: 1s}}]}}\n"),
            "without `until`",
        ),
        (
            "far-end.yaml",
            format!("{BASE}frameworks:\n  - {{id: f, role: r, jobs: [{{id: j, submit: 0s, tasks: 1, resources: {{cpus: 1}}, duration: 9000000000000s}}]}}\n"),
            "without `until`",
        ),
        (
            "many-agents.yaml",
            "name: t\nagents:\n  - {id: a, count: 500001, resources: {cpus: 1}}\n".to_string(),
            "500000",
        ),
    ];
    for (name, text, fragment) in cases {
        let started = std::time::Instant::now();
        let (code, err) = validate(&dir, name, &text);
        assert_eq!(code, Some(2), "{name}: {err}");
        assert!(err.contains(fragment), "{name}: {err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
        // Not a timed assertion on speed, a guard against quadratic blowups.
        assert!(started.elapsed().as_secs() < 30, "{name} took too long");
    }
}

#[test]
fn a_streamed_row_past_the_horizon_stops_the_run() {
    let dir = common::tmp("limits-stream");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("far.csv"),
        "submit_s,framework,duration_s,cpus\n0,f,1,1\n9000000000000,f,1,1\n",
    )
    .unwrap();
    let scenario =
        format!("{BASE}frameworks:\n  - {{id: f, role: r}}\nworkload:\n  - {{trace: far.csv}}\n");
    std::fs::write(dir.join("s.yaml"), scenario).unwrap();
    let out = dir.join("out");
    let o = common::run_bin(&[
        "run",
        dir.join("s.yaml").to_str().unwrap(),
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("without `until`"), "{err}");
    assert!(!out.exists(), "a failed run leaves no folder");
}

#[cfg(unix)]
#[test]
fn devices_and_fifos_are_refused() {
    let o = common::run_bin(&["validate", "/dev/zero"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("not a regular file"), "{err}");
    let dir = common::tmp("limits-fifo");
    std::fs::create_dir_all(&dir).unwrap();
    let fifo = dir.join("s.yaml");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    if made {
        let o = common::run_bin(&["validate", fifo.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2));
    }
}

#[test]
fn jobs_are_capped() {
    let o = common::run_bin(&[
        "compare",
        "scenarios/drf-paper.yaml",
        "--jobs",
        "10000",
        "--seeds",
        "1",
        "--quiet",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("at most 256"), "{err}");
}

/// Every YAML reader checks the nesting bound before libyaml sees the text
/// (libyaml's scanner is quadratic in flow nesting: 100,000 `[` took 30 s
/// in `validate`'s generator-spec sniffing): a sweep file, a baseline and
/// a `--set` value are refused at once with the place.
#[test]
fn every_yaml_reader_bounds_nesting_first() {
    let dir = common::tmp("limits-every-reader");
    let deep = "[".repeat(100_000);
    std::fs::write(dir.join("s.yaml"), BASE).unwrap();
    std::fs::write(
        dir.join("sweep.yaml"),
        format!("scenario: s.yaml\ngrid: {deep}\n"),
    )
    .unwrap();
    std::fs::write(dir.join("base.yaml"), format!("seeds: {deep}\n")).unwrap();
    let runs: [(&str, Vec<String>); 3] = [
        (
            "sweep",
            vec![
                "sweep".into(),
                "sweep.yaml".into(),
                "--out".into(),
                "o1".into(),
            ],
        ),
        (
            "check",
            vec![
                "check".into(),
                "s.yaml".into(),
                "--baseline".into(),
                "base.yaml".into(),
            ],
        ),
        (
            "--set",
            vec![
                "run".into(),
                "s.yaml".into(),
                "--set".into(),
                format!("x={deep}"),
            ],
        ),
    ];
    for (what, args) in runs {
        let o = common::bin()
            .current_dir(&dir)
            .args(&args)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{what}: {err}");
        assert!(err.contains("nested more than 128 levels"), "{what}: {err}");
        assert!(err.contains("line"), "{what}: {err}");
    }
}
