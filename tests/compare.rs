//! `mesosim compare` and `mesosim plot` through the binary: snapshots of the
//! comparison table, identical bytes whatever the thread count, errors.
//! `MESOSIM_BLESS=1 cargo test --release --test compare` rewrites the
//! snapshots in tests/snapshots/.

mod common;

use std::path::Path;

const SMALL: &str = "tests/scenarios/compare-small.yaml";

fn compare(out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["compare", SMALL, "--quiet", "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    common::run_bin(&args)
}

fn ok(o: &std::process::Output) {
    assert_eq!(
        o.status.code(),
        Some(0),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Compares `got` with the snapshot file, or rewrites it under
/// MESOSIM_BLESS=1.
fn snapshot(name: &str, got: &str) {
    let path = common::root().join("tests/snapshots").join(name);
    if std::env::var_os("MESOSIM_BLESS").is_some() {
        std::fs::write(&path, got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with MESOSIM_BLESS=1 to create it)",
            path.display()
        )
    });
    assert!(
        want == got,
        "{name} changed (MESOSIM_BLESS=1 to accept):\n--- want\n{want}\n--- got\n{got}"
    );
}

#[test]
fn table_snapshots() {
    let out = common::tmp("compare-snap");
    ok(&compare(
        &out,
        &["--policies", "drf,random", "--seeds", "1..5", "--no-charts"],
    ));
    snapshot(
        "compare-small.md",
        &std::fs::read_to_string(out.join("compare.md")).unwrap(),
    );
    snapshot(
        "compare-small.csv",
        &std::fs::read_to_string(out.join("compare.csv")).unwrap(),
    );
    let runs = std::fs::read_to_string(out.join("runs.csv")).unwrap();
    assert_eq!(runs.lines().count(), 1 + 2 * 5);
    assert!(
        runs.starts_with("variant,master.policy,seed,utilization.cpus,"),
        "{runs}"
    );
}

#[test]
fn thread_count_does_not_change_a_byte() {
    let a = common::tmp("compare-j1");
    let b = common::tmp("compare-j4");
    let args = ["--policies", "drf,random", "--seeds", "1..4"];
    ok(&compare(&a, &[&args[..], &["--jobs", "1"]].concat()));
    ok(&compare(&b, &[&args[..], &["--jobs", "4"]].concat()));
    let files = common::files_under(&a);
    assert_eq!(files, common::files_under(&b));
    for chart in ["compare_metrics", "compare_differences", "compare_jct_cdf"] {
        assert!(
            files.contains(&format!("charts/{chart}.svg")),
            "{chart}: {files:?}"
        );
    }
    let svg = std::fs::read_to_string(a.join("charts/compare_differences.svg")).unwrap();
    assert!(svg.contains("random − drf") && svg.contains("% of its mean"));
    for f in files {
        assert!(
            std::fs::read(a.join(&f)).unwrap() == std::fs::read(b.join(&f)).unwrap(),
            "{f} differs between --jobs 1 and --jobs 4"
        );
    }
}

#[test]
fn set_compares_values_of_any_key() {
    let out = common::tmp("compare-set");
    ok(&compare(
        &out,
        &[
            "--seeds",
            "1,2",
            "--set",
            "master.allocation_interval=1s,5s",
            "--set",
            "frameworks.fa.max_tasks_per_offer=4",
            "--no-charts",
        ],
    ));
    let md = std::fs::read_to_string(out.join("compare.md")).unwrap();
    assert!(
        md.starts_with(
            "| metric | master.allocation_interval=1s | master.allocation_interval=5s | \
             master.allocation_interval=5s − master.allocation_interval=1s |"
        ),
        "{md}"
    );
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        report.contains("Set for every run: `frameworks.fa.max_tasks_per_offer=4`"),
        "{report}"
    );
}

#[test]
fn bad_arguments_exit_2_with_a_message() {
    let out = common::tmp("compare-bad");
    for (args, msg) in [
        (vec!["--seeds", "5..1"], "is empty"),
        (vec!["--seeds", "x"], "is not a seed"),
        (vec!["--jobs", "0"], "at least 1"),
        (vec!["--set", "nokey"], "KEY=VALUE"),
        (
            vec!["--set", "frameworks.zz.role=a"],
            "no entry with id or name `zz`",
        ),
        (
            vec!["--set", "master.allocation_intervl=5s"],
            "did you mean `allocation_interval`",
        ),
        (
            vec!["--policies", "drf,fair"],
            "with --set master.policy=fair",
        ),
        // --seeds would silently override it (issue 16 item 4).
        (vec!["--set", "seed=5"], "give the seeds as --seeds 5"),
    ] {
        let o = compare(&out, &args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(msg), "{args:?}: {err}");
    }
}

#[test]
fn plot_redraws_from_the_csv_files() {
    let run = common::tmp("plot-run");
    ok(&common::run_bin(&[
        "run",
        "scenarios/drf-paper.yaml",
        "--quiet",
        "--out",
        run.to_str().unwrap(),
    ]));
    let svg = std::fs::read_to_string(run.join("charts/utilization.svg")).unwrap();
    assert!(svg.contains("font-family=\"DejaVu Sans, Verdana, Arial, sans-serif\""));
    let report = std::fs::read_to_string(run.join("report.md")).unwrap();
    assert!(
        report.contains("![") && report.contains("(charts/utilization.svg)"),
        "{report}"
    );
    // Only the CSVs are needed: plot a copy without summary.json.
    let bare = common::tmp("plot-bare");
    for f in [
        "timeseries.csv",
        "shares.csv",
        "jobs.csv",
        "roles.csv",
        "fairness.csv",
        "offers.csv",
    ] {
        std::fs::copy(run.join(f), bare.join(f)).unwrap();
    }
    let png = common::tmp("plot-png");
    let o = common::run_bin(&[
        "plot",
        bare.to_str().unwrap(),
        "--png",
        "--out",
        png.to_str().unwrap(),
    ]);
    ok(&o);
    let bytes = std::fs::read(png.join("shares.png")).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    // Not a results folder: exit 2.
    let o = common::run_bin(&["plot", png.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("timeseries.csv"));
}

#[test]
fn charts_read_a_systematic_sample_of_a_long_jobs_csv() {
    use mesosim::report::data::RunData;
    let run = common::tmp("plot-sampled");
    ok(&common::run_bin(&[
        "run",
        "scenarios/quickstart.yaml",
        "--quiet",
        "--no-charts",
        "--out",
        run.to_str().unwrap(),
    ]));
    let all = RunData::read(&run).unwrap();
    assert_eq!(all.jobs_step, 1);
    assert_eq!(all.jobs.len() as u64, all.jobs_total);
    let total = all.jobs_total;
    assert!(total > 100, "{total} jobs");
    // At most 10 rows: every ceil(total / 10)-th, from the first.
    let some = RunData::read_sampled(&run, 10).unwrap();
    let step = total.div_ceil(10);
    assert_eq!((some.jobs_step, some.jobs_total), (step, total));
    assert_eq!(some.jobs.len() as u64, total.div_ceil(step));
    for (k, row) in some.jobs.iter().enumerate() {
        let want = &all.jobs[k * step as usize];
        assert_eq!(
            (&row.framework, row.jct_s, row.wait_s),
            (&want.framework, want.jct_s, want.wait_s)
        );
    }
}

#[test]
fn cdf_charts_count_the_jobs_summary_counts_under_a_window() {
    let dir = common::tmp("plot-window");
    let text = std::fs::read_to_string(common::root().join("scenarios/quickstart.yaml")).unwrap();
    let text = text.replace(
        "output: {sample_interval: 30s}",
        "output: {sample_interval: 30s, window: {from: 20m, to: 100m}}",
    );
    assert!(text.contains("window"), "quickstart's output line changed");
    std::fs::write(dir.join("q.yaml"), text).unwrap();
    let out = dir.join("out");
    ok(&common::run_bin(&[
        "run",
        dir.join("q.yaml").to_str().unwrap(),
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]));
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let completed = s["jobs"]["completed"].as_u64().unwrap();
    let censored = s["jobs"]["censored"].as_u64().unwrap();
    let all = s["jobs"]["submitted"].as_u64().unwrap();
    assert!(completed > 0 && completed < all, "{completed} of {all}");
    assert!(censored > 0, "the window leaves jobs unfinished at the end");
    let svg = std::fs::read_to_string(out.join("charts/jct_cdf.svg")).unwrap();
    // Completed and unfinished (censored) jobs, as summary.json counts them.
    assert!(
        svg.contains(&format!(
            "all jobs ({}; {censored} unfinished",
            completed + censored
        )),
        "legend"
    );
    assert!(
        svg.contains("jobs submitted in the window, unfinished ones censored"),
        "title"
    );
    assert!(svg.contains("(Kaplan–Meier)"), "y axis");
    // Slowdown has no value for an unfinished job: completed ones only.
    let svg = std::fs::read_to_string(out.join("charts/slowdown_cdf.svg")).unwrap();
    assert!(svg.contains("completed jobs submitted in the window"));
}

/// A run cut short: the longest jobs are unfinished, so the Kaplan–Meier
/// curve of completion times stops below 1 — as summary.json's p99, a lower
/// bound — and the chart marks and says where.
#[test]
fn a_cdf_whose_longest_jobs_are_unfinished_stops_below_one() {
    let dir = common::tmp("plot-censored");
    let out = dir.join("out");
    ok(&common::run_bin(&[
        "run",
        "scenarios/quickstart.yaml",
        "--set",
        "until=1500s",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]));
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let lower: Vec<&str> = s["jobs"]["jct_s"]["lower_bound"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(lower.contains(&"p99"), "{lower:?}");
    let svg = std::fs::read_to_string(out.join("charts/jct_cdf.svg")).unwrap();
    let censored = s["jobs"]["censored"].as_u64().unwrap();
    let n = s["jobs"]["completed"].as_u64().unwrap() + censored;
    // (The label wraps in the legend column, after its comma.)
    assert!(
        svg.contains(&format!("all jobs ({n}; {censored} unfinished,")),
        "legend"
    );
    assert!(svg.contains("stops at "), "legend");
    assert!(svg.contains("<circle"), "the stop is marked");
}

/// The committed reproduction in results/ is what this version computes:
/// its tables must match a fresh run. After a deliberate change,
/// `MESOSIM_BLESS=1 cargo test --release --test compare` rewrites the folder.
#[test]
fn committed_reproduction_is_current() {
    let committed = common::root().join("results/quickstart-drf-vs-random");
    let args = [
        "compare",
        "scenarios/quickstart.yaml",
        "--policies",
        "drf,random",
        "--seeds",
        "1..10",
        "--quiet",
        "--force",
        "--out",
    ];
    if std::env::var_os("MESOSIM_BLESS").is_some() {
        // Records are keyed by version, not by build: run everything anew.
        let _ = std::fs::remove_dir_all(committed.join("runs"));
        ok(&common::run_bin(
            &[&args[..], &[committed.to_str().unwrap()]].concat(),
        ));
        return;
    }
    let fresh = common::tmp("results-quickstart");
    ok(&common::run_bin(
        &[&args[..], &[fresh.to_str().unwrap()]].concat(),
    ));
    for f in ["compare.csv", "compare.md", "runs.csv"] {
        assert_eq!(
            std::fs::read_to_string(fresh.join(f)).unwrap(),
            std::fs::read_to_string(committed.join(f)).unwrap(),
            "results/quickstart-drf-vs-random/{f} is stale: rerun with MESOSIM_BLESS=1"
        );
    }
}

/// `output.references` and `output.compare_frameworks` add their metrics
/// to the table: on the DRF paper's example (window from 30 s) framework A
/// always finishes 0 tasks (they never end) and holds 2/3, and the
/// distances from asset fairness and CEEI are 2/25 and 2/11 on every seed.
#[test]
fn references_and_framework_metrics_join_the_table() {
    let dir = common::tmp("compare-references");
    let o = common::run_bin(&[
        "compare",
        "tests/scenarios/references-drf-paper.yaml",
        "--quiet",
        "--no-charts",
        "--seeds",
        "1..2",
        "--set",
        "output.compare_frameworks=[A]",
        "--out",
        dir.to_str().unwrap(),
    ]);
    ok(&o);
    let csv = std::fs::read_to_string(dir.join("compare.csv")).unwrap();
    let mean = |metric: &str| -> f64 {
        let line = csv
            .lines()
            .find(|l| l.starts_with(&format!("{metric},")))
            .unwrap_or_else(|| panic!("no {metric} in\n{csv}"));
        line.split(',').nth(3).unwrap().parse().unwrap()
    };
    assert!((mean("fairness.references.asset_fair_distance") - 0.08).abs() < 1e-9);
    assert!((mean("fairness.references.ceei_distance") - 2.0 / 11.0).abs() < 1e-9);
    assert_eq!(mean("frameworks.A.tasks_finished"), 0.0);
    assert!((mean("frameworks.A.dominant_share_mean") - 2.0 / 3.0).abs() < 1e-9);
    let bad = common::run_bin(&[
        "compare",
        "tests/scenarios/references-drf-paper.yaml",
        "--quiet",
        "--set",
        "output.compare_frameworks=[Z]",
        "--out",
        dir.join("bad").to_str().unwrap(),
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("no framework `Z`"));
}
