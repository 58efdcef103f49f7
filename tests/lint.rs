//! Experiment lint (issue 16, item 3): each broken experiment of
//! `tests/lint/` validates and runs, but prints its warning (file, line,
//! column) on stderr, lists it in `summary.json`'s `warnings`, and fails
//! with exit 2 under `--deny-warnings`. The shipped scenarios that are meant
//! as they are stay silent.

mod common;

/// Scenario, the line its warning points at, and what the warning says.
const CASES: &[(&str, usize, &[&str])] = &[
    (
        "resource-typo",
        10,
        &["job `j1` and job `j2` ask for `cpus`", "no agent has", "the agents have `cpu`"],
    ),
    (
        "task-too-large",
        9,
        &["job `huge`", "a task (cpus:8;mem:1024) is larger than every agent", "never launch"],
    ),
    (
        "role-typo",
        6,
        &["role `ana` is given a weight but no framework uses it", "did you mean `anna`?"],
    ),
    (
        "event-after-until",
        12,
        &["the `agent_remove` event at 7200 s is after `until` (3600 s): it never happens"],
    ),
    (
        "suppress-before-register",
        16,
        &["`suppress` of framework `f1` at 30 s comes before it registers (at 60 s)"],
    ),
    (
        "revive-before-register",
        12,
        &["`revive` of framework `f1` at 60 s comes before it registers (at 120 s): it does nothing"],
    ),
    // The same checks read a streamed CSV trace (what its check at load saw).
    (
        "trace-resource-typo",
        10,
        &[
            "(and 1 more like it) asks for `cpu`, which no agent has",
            "trace-resource-typo.csv:2` ",
            "the agents have `cpus`",
        ],
    ),
    (
        "trace-after-until",
        10,
        &["trace-after-until.csv` (line 3) at 7200 s is after `until` (3600 s): it never happens"],
    ),
    (
        "trace-role-typo",
        6,
        &["role `ana` is given a weight but no framework uses it", "did you mean `anna`?"],
    ),
];

fn file(name: &str) -> String {
    format!("tests/lint/{name}.yaml")
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

#[test]
fn validate_warns_with_a_place_and_deny_warnings_fails() {
    for (name, line, says) in CASES {
        let path = file(name);
        let o = common::bin()
            .args(["validate", &path])
            .current_dir(common::root())
            .output()
            .unwrap();
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(0), "{name}: {err}");
        let warnings: Vec<&str> = err.lines().filter(|l| l.starts_with("warning: ")).collect();
        assert_eq!(warnings.len(), 1, "{name}: one warning expected:\n{err}");
        assert!(
            warnings[0].contains(&format!("{path}:{line}:")),
            "{name}: no place `line {line}`: {err}"
        );
        for s in *says {
            assert!(warnings[0].contains(s), "{name}: does not say `{s}`: {err}");
        }
        let o = common::bin()
            .args(["validate", "--deny-warnings", &path])
            .current_dir(common::root())
            .output()
            .unwrap();
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{name} --deny-warnings: {err}");
        assert!(err.contains("--deny-warnings"), "{name}: {err}");
        assert!(
            err.contains(says[0]),
            "{name}: the warning is still printed: {err}"
        );
    }
}

#[test]
fn run_lists_warnings_in_summary_and_deny_warnings_stops_before_running() {
    let dir = common::tmp("lint-run");
    for (i, (name, line, says)) in CASES.iter().enumerate() {
        let path = file(name);
        let out = dir.join(format!("run-{i}"));
        let o = common::bin()
            .args(["run", &path, "--quiet", "--no-charts", "--out"])
            .arg(&out)
            .current_dir(common::root())
            .output()
            .unwrap();
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(0), "{name}: {err}");
        assert!(err.contains(says[0]), "{name}: no warning on stderr: {err}");
        let summary: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap())
                .unwrap();
        let w = summary["warnings"].as_array().unwrap();
        let first = w[0].as_str().unwrap();
        // No file name in outputs: they never depend on where the file was.
        assert!(
            first.starts_with(&format!("line {line}, column ")),
            "{name}: {first}"
        );
        for s in *says {
            assert!(
                first.contains(s),
                "{name}: summary warning lacks `{s}`: {first}"
            );
        }
        let report = std::fs::read_to_string(out.join("report.md")).unwrap();
        assert!(
            report.contains("**Warnings**"),
            "{name}: report.md lists no warnings"
        );

        let denied = dir.join(format!("denied-{i}"));
        let o = common::bin()
            .args([
                "run",
                &path,
                "--quiet",
                "--no-charts",
                "--deny-warnings",
                "--out",
            ])
            .arg(&denied)
            .current_dir(common::root())
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{name}: {}", stderr(&o));
        assert!(!denied.exists(), "{name}: --deny-warnings wrote results");
    }
}

/// `compare`, `sweep` and `check` take `--deny-warnings` as `run` does:
/// each broken experiment stops with exit 2 before anything runs or is
/// written (no comparison folder, no baseline).
#[test]
fn compare_sweep_and_check_deny_warnings_stop_before_running() {
    let dir = common::tmp("lint-experiments");
    for (i, (name, _, says)) in CASES.iter().enumerate() {
        let path = common::root().join(file(name));
        let path = path.to_str().unwrap();
        let denied = |o: &std::process::Output, what: &str| {
            let err = stderr(o);
            assert_eq!(o.status.code(), Some(2), "{what} {name}: {err}");
            assert!(err.contains(says[0]), "{what} {name}: no warning: {err}");
            assert!(
                err.contains("--deny-warnings makes warnings errors"),
                "{what} {name}: {err}"
            );
        };
        let out = dir.join(format!("compare-{i}"));
        let o = common::bin()
            .args([
                "compare",
                path,
                "--seeds",
                "1..2",
                "--quiet",
                "--deny-warnings",
                "--out",
            ])
            .arg(&out)
            .output()
            .unwrap();
        denied(&o, "compare");
        assert!(!out.exists(), "compare {name}: wrote {}", out.display());

        let sweep = dir.join(format!("sweep-{i}.yaml"));
        let sweep_text = format!("scenario: {path}\npolicies: [drf, random]\nseeds: 1..2\n");
        std::fs::write(&sweep, sweep_text).unwrap();
        let out = dir.join(format!("sweep-{i}"));
        let o = common::bin()
            .args(["sweep"])
            .arg(&sweep)
            .args(["--quiet", "--deny-warnings", "--out"])
            .arg(&out)
            .output()
            .unwrap();
        denied(&o, "sweep");
        assert!(!out.exists(), "sweep {name}: wrote {}", out.display());

        let baseline = dir.join(format!("baseline-{i}.yaml"));
        let o = common::bin()
            .args([
                "check",
                path,
                "--update-baseline",
                "--quiet",
                "--deny-warnings",
                "--baseline",
            ])
            .arg(&baseline)
            .output()
            .unwrap();
        denied(&o, "check");
        assert!(!baseline.exists(), "check {name}: wrote the baseline");
    }
    // A clean scenario whose second variant brings a warning: the variant's
    // warning names its --set, and the comparison does not start.
    let out = dir.join("variant");
    let o = common::bin()
        .args([
            "compare",
            "tests/scenarios/compare-small.yaml",
            "--set",
            "frameworks.fa.jobs.a1.resources.cpus=1,16",
            "--seeds",
            "1..2",
            "--quiet",
            "--deny-warnings",
            "--out",
        ])
        .arg(&out)
        .current_dir(common::root())
        .output()
        .unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("with --set frameworks.fa.jobs.a1.resources.cpus=16")
            && err.contains("job `a1`"),
        "{err}"
    );
    assert!(
        err.contains("1 warning from the scenario and its variants"),
        "{err}"
    );
    assert!(!out.exists());
    // Without the flag the same comparison runs, warning.
    let o = common::bin()
        .args([
            "compare",
            "tests/scenarios/compare-small.yaml",
            "--set",
            "frameworks.fa.jobs.a1.resources.cpus=1,16",
            "--seeds",
            "1..2",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .current_dir(common::root())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("job `a1`"));
}

/// What the warnings are about is real: the typo'd agent resource and the
/// too-large task leave those jobs pending, the typo'd role gets weight 1.
#[test]
fn the_warned_problems_are_real() {
    let typo = common::run_model(&common::load(&file("resource-typo")), None);
    assert_eq!(typo.summary["tasks"]["launched"], 0);
    let typo = common::run_model(&common::load(&file("trace-resource-typo")), None);
    assert_eq!(typo.summary["tasks"]["launched"], 0);
    let late = common::run_model(&common::load(&file("trace-after-until")), None);
    assert_eq!(late.summary["jobs"]["submitted"], 1);
    let big = common::run_model(&common::load(&file("task-too-large")), None);
    assert_eq!(big.summary["jobs"]["completed"], 1);
    let role = common::run_model(&common::load(&file("role-typo")), None);
    let roles = role.summary["roles"].as_array().unwrap();
    let anna = roles.iter().find(|r| r["name"] == "anna").unwrap();
    assert_eq!(anna["weight"], 1.0);
}

/// Runtime warnings (here: the run ends with tasks that can never launch)
/// fail `run --deny-warnings` after the results are written.
#[test]
fn deny_warnings_fails_a_run_that_warned() {
    let dir = common::tmp("lint-runtime");
    let path = dir.join("stall.yaml");
    // The lint cannot see that f's only agent leaves before the job comes.
    std::fs::write(
        &path,
        "name: stall\nagents:\n  - {id: a, resources: {cpus: 1, mem: 100}}\n\
         frameworks:\n  - id: f\n    jobs:\n      - {submit: 1m, resources: {cpus: 1, mem: 10}, duration: 1s}\n\
         events:\n  - {at: 30s, agent_remove: a}\n",
    )
    .unwrap();
    let out = dir.join("out");
    let o = common::bin()
        .args(["run", "--quiet", "--no-charts", "--deny-warnings"])
        .arg(&path)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("can never launch"), "{err}");
    assert!(out.join("summary.json").exists(), "results are kept");
}

/// Shipped scenarios that are meant as they are give no warning; the one
/// that demonstrates abandonment warns about the job it abandons.
#[test]
fn shipped_scenarios_are_clean() {
    for f in [
        "scenarios/quickstart.yaml",
        "scenarios/drf-paper.yaml",
        "tests/scenarios/reserved-drf.yaml",
        "tests/scenarios/quota-absent-framework.yaml",
    ] {
        let m = common::load(f);
        assert!(m.warnings.is_empty(), "{f}: {:?}", m.warnings);
    }
    let m = common::load("scenarios/workloads/abandon.yaml");
    assert_eq!(m.warnings.len(), 1);
    assert!(m.warnings[0].message.contains("job `huge`"));
}
