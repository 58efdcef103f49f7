//! The benchmark scenarios (`scenarios/bench/`, docs/performance.md) take
//! minutes, so the golden and partition tests skip them and
//! `scripts/bench.sh` runs them. Here each one loads without warnings, has
//! the shape docs/performance.md describes, and runs a short slice of its
//! time through the binary (no timings: performance is measured in
//! `benches/` and by the script, never in tests).

mod common;

#[test]
fn bench_scenarios_load_and_run_a_slice() {
    // (file, agents, frameworks)
    let shapes = [
        ("scenarios/bench/omega-exp.yaml", 10_000, 2),
        ("scenarios/bench/scale-2k.yaml", 2_000, 100),
    ];
    let mut files: Vec<String> = std::fs::read_dir(common::root().join("scenarios/bench"))
        .unwrap()
        .map(|e| {
            format!(
                "scenarios/bench/{}",
                e.unwrap().file_name().to_string_lossy()
            )
        })
        .collect();
    files.sort();
    let listed: Vec<String> = shapes.iter().map(|s| s.0.to_string()).collect();
    assert_eq!(files, listed, "a new benchmark scenario needs a line here");
    for (file, agents, frameworks) in shapes {
        let m = common::load(file);
        assert_eq!(m.agents.len(), agents, "{file}");
        assert_eq!(m.frameworks.len(), frameworks, "{file}");
        assert!(m.warnings.is_empty(), "{file}: {:?}", m.warnings);
        let out = common::tmp(&format!("bench-{agents}"));
        let o = common::run_bin(&[
            "run",
            file,
            "--quiet",
            "--set",
            "until=60s",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{file}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let s: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
        assert!(
            s["tasks"]["launched"].as_u64().unwrap() > 0,
            "{file}: nothing ran"
        );
    }
}

/// The committed scaling curves (`results/perf/`, docs/performance.md
/// "Scaling curves") are what `scripts/perf-scaling.py` writes and what
/// `examples/perf_charts.rs` draws: three axes, each varied alone around
/// one base point, and the base run the same run on every axis (its
/// simulated counts, not its timings, must agree: a run is deterministic).
#[test]
fn committed_scaling_curves_are_consistent() {
    let dir = common::root().join("results/perf");
    let mut r = csv::Reader::from_path(dir.join("scaling.csv")).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let expected = [
        "axis",
        "agents",
        "frameworks",
        "jobs_per_s",
        "tasks",
        "events",
        "offers",
        "wall_s",
        "peak_rss_mb",
        "events_per_s",
        "sim_s_per_wall_s",
        "load_avg",
        "commit",
        "base",
    ];
    assert_eq!(header, expected);
    let rows: Vec<Vec<String>> = r
        .records()
        .map(|rec| rec.unwrap().iter().map(String::from).collect())
        .collect();
    let col = |name: &str| expected.iter().position(|c| *c == name).unwrap();
    let num = |row: &Vec<String>, name: &str| -> f64 { row[col(name)].parse().unwrap() };
    let commits: std::collections::BTreeSet<&str> =
        rows.iter().map(|r| r[col("commit")].as_str()).collect();
    assert_eq!(commits.len(), 1, "one version measured: {commits:?}");
    let bases: Vec<&Vec<String>> = rows.iter().filter(|r| r[col("base")] == "1").collect();
    assert_eq!(bases.len(), 3, "one base point per axis");
    for b in &bases {
        // Everything a run simulates (columns 1..7), not its timings.
        for c in &expected[1..7] {
            assert_eq!(b[col(c)], bases[0][col(c)], "the base runs differ in {c}");
        }
    }
    for (axis, x, fixed) in [
        ("agents", "agents", ["frameworks", "jobs_per_s"]),
        ("frameworks", "frameworks", ["agents", "jobs_per_s"]),
        ("tasks", "tasks", ["agents", "frameworks"]),
    ] {
        let pts: Vec<&Vec<String>> = rows.iter().filter(|r| r[0] == axis).collect();
        assert!(pts.len() >= 4, "{axis}: {} points", pts.len());
        for w in pts.windows(2) {
            assert!(num(w[0], x) < num(w[1], x), "{axis}: {x} not increasing");
        }
        for p in &pts {
            for f in fixed {
                assert_eq!(p[col(f)], bases[0][col(f)], "{axis} varies {f} too");
            }
            let (wall, events) = (num(p, "wall_s"), num(p, "events"));
            assert!(wall > 0.0 && events > 0.0 && num(p, "peak_rss_mb") > 0.0);
            let rate = num(p, "events_per_s");
            assert!((rate - events / wall).abs() <= 5e-3 * rate + 1.0, "{p:?}");
        }
    }
    for chart in ["scaling.svg", "scaling.png"] {
        assert!(dir.join(chart).is_file(), "results/perf/{chart} is missing");
    }
}
