//! Grids, resuming, shards and `merge` through the binary: a sweep file's
//! tidy `runs.csv` and charts; a resumed sweep writes the bytes of an
//! uninterrupted one; the union of shards, merged, is the unsharded run
//! byte for byte; merge refuses incomplete or mixed shards.

mod common;

use std::path::Path;

const SWEEP: &str = "tests/sweeps/small-grid.yaml";

fn ok(o: &std::process::Output) -> String {
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    assert_eq!(
        o.status.code(),
        Some(0),
        "stdout: {out}\nstderr: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    out
}

fn sweep(out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["sweep", SWEEP, "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    common::run_bin(&args)
}

/// Every file of `a` equals the same file of `b`, and both have the same.
fn same_bytes(a: &Path, b: &Path) {
    let files = common::files_under(a);
    assert_eq!(
        files,
        common::files_under(b),
        "{} vs {}",
        a.display(),
        b.display()
    );
    for f in &files {
        assert!(
            std::fs::read(a.join(f)).unwrap() == std::fs::read(b.join(f)).unwrap(),
            "{f} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

#[test]
fn a_sweep_writes_tidy_runs_and_charts_against_each_parameter() {
    let out = common::tmp("sweep-grid");
    let text = ok(&sweep(&out, &["--quiet"]));
    assert!(text.is_empty(), "{text}");
    let runs = std::fs::read_to_string(out.join("runs.csv")).unwrap();
    let mut lines = runs.lines();
    assert!(
        lines.next().unwrap().starts_with(
            "variant,master.policy,master.allocation_interval,frameworks.fa.max_tasks_per_offer,\
             seed,utilization.cpus,"
        ),
        "{runs}"
    );
    assert_eq!(runs.lines().count(), 1 + 2 * 2 * 3);
    assert!(
        runs.contains("\"random, master.allocation_interval=5s\",random,5s,4,3,"),
        "{runs}"
    );
    let files = common::files_under(&out);
    assert!(
        files.contains(&"charts/sweep_master.allocation_interval.svg".to_string()),
        "{files:?}"
    );
    assert_eq!(files.iter().filter(|f| f.starts_with("runs/")).count(), 12);
    let svg =
        std::fs::read_to_string(out.join("charts/sweep_master.allocation_interval.svg")).unwrap();
    assert!(
        svg.contains("mean completion time") && svg.contains("random"),
        "chart lacks panels"
    );
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(
        manifest.contains(
            "\"swept\": [\n    \"master.policy\",\n    \"master.allocation_interval\"\n  ]"
        ),
        "{manifest}"
    );
}

#[test]
fn a_resumed_sweep_equals_an_uninterrupted_one() {
    let whole = common::tmp("sweep-whole");
    ok(&sweep(&whole, &["--quiet"]));

    // Interrupted: only some runs were written (shard 0 of 3), one of them
    // damaged, one belonging to another plan, no aggregate outputs.
    let resumed = common::tmp("sweep-resumed");
    ok(&sweep(&resumed, &["--quiet", "--shard", "0/3"]));
    let mut runs: Vec<String> = common::files_under(&resumed)
        .into_iter()
        .filter(|f| f.starts_with("runs/"))
        .collect();
    assert_eq!(runs.len(), 4);
    runs.sort();
    let damaged = resumed.join(&runs[0]);
    let mut bytes = std::fs::read(&damaged).unwrap();
    let n = bytes.len();
    bytes[n / 2] ^= 1;
    std::fs::write(&damaged, bytes).unwrap();
    std::fs::write(resumed.join("runs/0000000000000000.json"), b"{}").unwrap();
    let text = ok(&sweep(&resumed, &[]));
    assert!(text.contains("(3 read back from"), "{text}");
    same_bytes(&whole, &resumed);

    // Resuming a complete folder runs nothing and changes nothing.
    let text = ok(&sweep(&resumed, &[]));
    assert!(text.contains("(12 read back from"), "{text}");
    same_bytes(&whole, &resumed);
}

#[test]
fn merged_shards_equal_the_unsharded_run_byte_for_byte() {
    let whole = common::tmp("shard-whole");
    ok(&sweep(&whole, &["--quiet"]));
    let n = 5; // 12 runs: shards of 3, 3, 2, 2, 2.
    let mut dirs = Vec::new();
    for k in 0..n {
        let d = common::tmp(&format!("shard-{k}"));
        let text = ok(&sweep(&d, &["--shard", &format!("{k}/{n}")]));
        assert!(text.contains(&format!("shard {k}/{n}")), "{text}");
        assert!(!d.join("runs.csv").exists());
        dirs.push(d);
    }
    let merged = common::tmp("shard-merged");
    let mut args = vec!["merge".to_string()];
    // Any order.
    for d in dirs.iter().rev() {
        args.push(d.to_str().unwrap().to_string());
    }
    args.extend(["--out".to_string(), merged.to_str().unwrap().to_string()]);
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    let text = ok(&common::run_bin(&a));
    assert!(text.contains("merged 5 shards"), "{text}");
    same_bytes(&whole, &merged);

    // A missing shard, a shard twice, shards of another comparison.
    let o = common::run_bin(&[
        "merge",
        dirs[0].to_str().unwrap(),
        dirs[1].to_str().unwrap(),
        "--out",
        merged.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("missing shards: 2/5, 3/5, 4/5"));
    let o = common::run_bin(&[
        "merge",
        dirs[0].to_str().unwrap(),
        dirs[0].to_str().unwrap(),
        "--out",
        merged.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("given twice"));
    let other = common::tmp("shard-other");
    ok(&common::run_bin(&[
        "compare",
        "tests/scenarios/compare-small.yaml",
        "--seeds",
        "1..2",
        "--shard",
        "1/5",
        "--quiet",
        "--out",
        other.to_str().unwrap(),
    ]));
    let o = common::run_bin(&[
        "merge",
        dirs[0].to_str().unwrap(),
        other.to_str().unwrap(),
        "--out",
        merged.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("different comparison"));
    // A damaged run in a shard is named.
    let victim = common::files_under(&dirs[2])
        .into_iter()
        .find(|f| f.starts_with("runs/"))
        .unwrap();
    std::fs::write(dirs[2].join(&victim), b"{\"sha256\":\"0\",\"run\":{}}").unwrap();
    let mut a2 = a.clone();
    let out2 = common::tmp("shard-merged-2");
    let n2 = a2.len();
    a2[n2 - 1] = out2.to_str().unwrap();
    let o = common::run_bin(&a2);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("missing or damaged"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// A sweep file `name` in `dir` over drf-paper's allocation interval
/// (1 s, 2 s), one seed, with `metrics` as written; returns its path.
fn metrics_sweep(dir: &Path, name: &str, metrics: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    let scenario = common::root().join("scenarios/drf-paper.yaml");
    std::fs::write(
        &path,
        format!(
            "scenario: {}\nseeds: 1\ngrid: {{master.allocation_interval: [1s, 2s]}}\nmetrics:{metrics}\n",
            scenario.display()
        ),
    )
    .unwrap();
    path
}

/// A sweep file's `metrics` entry that names no metric is an input error
/// (exit 2, file, line and column) before anything runs; a well-formed
/// name that no run has is a warning, and has no chart.
#[test]
fn sweep_metrics_are_checked() {
    let dir = common::tmp("sweep-metrics");
    std::fs::create_dir_all(&dir).unwrap();
    let bad = metrics_sweep(&dir, "bad.yaml", "\n  - jobs.jct.mean");
    let out = dir.join("out-bad");
    let o = common::run_bin(&[
        "sweep",
        bad.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("bad.yaml") && err.contains("line 5") && err.contains("jobs.jct.mean"),
        "{err}"
    );
    assert!(!out.exists());

    let unknown = metrics_sweep(&dir, "gpus.yaml", " [utilization.gpus, fairness.jain]");
    let out = dir.join("out-gpus");
    let o = common::run_bin(&[
        "sweep",
        unknown.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    ok(&o);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("`utilization.gpus` is in no run"), "{err}");
    let chart =
        std::fs::read_to_string(out.join("charts/sweep_master.allocation_interval.svg")).unwrap();
    assert!(chart.contains("Jain"));

    // Every metric a run reports is a name the check accepts (the list of
    // names in `report::compare` follows `headline`).
    let runs = std::fs::read_to_string(out.join("runs.csv")).unwrap();
    let header = runs.lines().next().unwrap();
    let metrics: Vec<&str> = header
        .split(',')
        .skip_while(|c| *c != "seed")
        .skip(1)
        .collect();
    assert!(metrics.len() > 10, "{header}");
    for m in metrics {
        assert!(mesosim::report::compare::is_metric_key(m), "{m} refused");
    }
}

/// A metric some variants lack (a scheduler's busyness is reported only
/// with `output.schedulers`) is no value there, not 0: an empty mean and
/// difference in compare.csv, `—` in compare.md; its charts draw no bar or
/// point for it (src/report/sweep.rs `segments`).
#[test]
fn a_metric_a_variant_lacks_is_no_value_not_zero() {
    let out = common::tmp("compare-missing-metric");
    let o = common::run_bin(&[
        "compare",
        common::root()
            .join("tests/scenarios/compare-small.yaml")
            .to_str()
            .unwrap(),
        "--set",
        "output.schedulers=false,true",
        "--seeds",
        "1..2",
        "--quiet",
        "--force",
        "--out",
        out.to_str().unwrap(),
    ]);
    ok(&o);
    let csv = std::fs::read_to_string(out.join("compare.csv")).unwrap();
    let rows: Vec<&str> = csv
        .lines()
        .filter(|l| l.starts_with("schedulers.fa.busyness,"))
        .collect();
    assert_eq!(
        rows,
        vec![
            "schedulers.fa.busyness,output.schedulers=false,0,,,,,,,",
            "schedulers.fa.busyness,output.schedulers=true,2,0,0,output.schedulers=false,,,,",
        ]
    );
    let md = std::fs::read_to_string(out.join("compare.md")).unwrap();
    let row = md
        .lines()
        .find(|l| l.starts_with("| fa: scheduler busyness |"))
        .unwrap();
    assert_eq!(row, "| fa: scheduler busyness | — | 0 ± 0 % | — |");
}
