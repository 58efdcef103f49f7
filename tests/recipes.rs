//! Issue 16 item 5: the recipes the docs give work when followed literally.

mod common;

use std::path::Path;

fn mesosim(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let o = common::bin().args(args).current_dir(dir).output().unwrap();
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stdout).to_string(),
        String::from_utf8_lossy(&o.stderr).to_string(),
    )
}

/// The stream-10m recipe (scenarios/stream-10m/*.yaml, docs/workloads.md),
/// run from a copy of the project's layout, with `--jobs 1000` so that it
/// takes a moment.
#[test]
fn the_stream_recipe_writes_the_trace_where_the_scenario_reads_it() {
    let dir = common::tmp("recipe-stream");
    let sub = dir.join("scenarios/stream-10m");
    std::fs::create_dir_all(&sub).unwrap();
    for f in ["stream-10m.yaml", "stream-10m.gen.yaml"] {
        std::fs::copy(
            common::root().join("scenarios/stream-10m").join(f),
            sub.join(f),
        )
        .unwrap();
    }
    let gen = std::fs::read_to_string(sub.join("stream-10m.gen.yaml")).unwrap();
    let recipe: Vec<&str> = gen
        .lines()
        .filter_map(|l| l.trim_start_matches('#').trim().strip_prefix("mesosim "))
        .collect();
    assert_eq!(recipe.len(), 2, "{gen}");
    let mut generate: Vec<&str> = recipe[0].split_whitespace().collect();
    generate.extend(["--jobs", "1000", "--quiet"]);
    let (code, _, err) = mesosim(&dir, &generate);
    assert_eq!(code, Some(0), "{err}");
    let mut run: Vec<&str> = recipe[1].split_whitespace().collect();
    run.extend(["--quiet", "--no-charts", "--out", "out"]);
    let (code, _, err) = mesosim(&dir, &run);
    assert_eq!(code, Some(0), "{err}");
    let s = std::fs::read_to_string(dir.join("out/summary.json")).unwrap();
    assert!(s.contains("\"submitted\": 1000"), "{s}");
}

#[test]
fn validate_checks_a_generator_spec_as_one_and_a_missing_trace_says_why() {
    let root = common::root();
    let (code, out, err) = mesosim(
        &root,
        &["validate", "scenarios/stream-10m/stream-10m.gen.yaml"],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains(
            "a generator spec for `mesosim generate`, not a scenario: 10000000 jobs, 1 class"
        ),
        "{out}"
    );
    // Without its generated trace the scenario is invalid, and says how to make it.
    let (code, _, err) = mesosim(&root, &["validate", "scenarios/stream-10m/stream-10m.yaml"]);
    if !root.join("scenarios/stream-10m/big.csv.gz").exists() {
        assert_eq!(code, Some(2), "{err}");
        assert!(err.contains("must be written there first"), "{err}");
    }
}

/// The README's import example, on the raw slice the project ships.
#[test]
fn the_shipped_raw_google_slice_imports() {
    let dir = common::tmp("recipe-google");
    let raw = common::root().join("scenarios/traces/google2011-raw");
    let tasks = raw.join("task_events-part-00001-of-00500.head2000.csv.gz");
    let jobs = raw.join("job_events-part-00001-of-00500.head500.csv.gz");
    let (code, out, err) = mesosim(
        &dir,
        &[
            "import",
            "google2011",
            tasks.to_str().unwrap(),
            "--job-events",
            jobs.to_str().unwrap(),
            "-o",
            "trace.csv.gz",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("wrote 42 jobs to trace.csv.gz"), "{out}");
    // The README's command names these paths.
    let readme = std::fs::read_to_string(common::root().join("README.md")).unwrap();
    assert!(readme.contains(
        "scenarios/traces/google2011-raw/task_events-part-00001-of-00500.head2000.csv.gz"
    ));
    // A converted trace given as a raw one says what it is.
    let (code, _, err) = mesosim(
        &dir,
        &["import", "google2011", "trace.csv.gz", "-o", "again.csv"],
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("looks like a compact job trace that `mesosim import` already converted"),
        "{err}"
    );
}
