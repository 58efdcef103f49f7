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
