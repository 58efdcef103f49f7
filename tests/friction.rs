//! Issue 16 item 6, the friction list: editor-parseable error places, no
//! internal type names in messages, byte-order marks, `run --set`, `plot
//! --png` relinking `report.md`, "1 framework".

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

#[test]
fn errors_start_with_file_line_column_and_name_no_internal_types() {
    let dir = common::tmp("friction-errors");
    for (i, text) in [
        "- a\n- b\n",
        "name: t\nagents: [5]\n",
        "name: t\nframeworks: [{id: f, jobs: [3]}]\n",
        "name: t\nmaster: 3\n",
        "name: t\nevents: [3]\n",
        "name: t\nroles: [x]\n",
    ]
    .iter()
    .enumerate()
    {
        let f = format!("e{i}.yaml");
        std::fs::write(dir.join(&f), text).unwrap();
        let (code, _, err) = mesosim(&dir, &["validate", &f]);
        assert_eq!(code, Some(2), "{err}");
        let line = if i == 0 { 1 } else { 2 };
        assert!(err.starts_with(&format!("error: {f}:{line}:")), "{err}");
        assert!(err.contains(&format!("(line {line}, column ")), "{err}");
        assert!(!err.contains("Raw") && !err.contains("struct"), "{err}");
    }
}

#[test]
fn byte_order_marks_are_no_content() {
    let dir = common::tmp("friction-bom");
    std::fs::write(
        dir.join("s.yaml"),
        "\u{feff}name: bom\r\nagents:\r\n  - {id: a, resources: {cpus: 4, mem: 100}}\r\n\
         frameworks:\r\n  - {id: f}\r\nworkload:\r\n  - {trace: t.csv}\r\n",
    )
    .unwrap();
    // As a spreadsheet saves CSV: a byte-order mark and CRLF line ends.
    std::fs::write(
        dir.join("t.csv"),
        "\u{feff}submit_s,job,framework,duration_s,cpus\r\n0,a,f,1,1\r\n2,b,f,1,1\r\n",
    )
    .unwrap();
    let (code, out, err) = mesosim(&dir, &["validate", "s.yaml"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("(1 agent, 1 framework, 2 jobs, 0 events)"),
        "{out}"
    );
    let (code, _, err) = mesosim(
        &dir,
        &["run", "s.yaml", "--quiet", "--no-charts", "--out", "r"],
    );
    assert_eq!(code, Some(0), "{err}");
    let summary = std::fs::read_to_string(dir.join("r/summary.json")).unwrap();
    assert!(summary.contains("\"completed\": 2"), "{summary}");
}

#[test]
fn run_takes_set_and_records_it() {
    let dir = common::tmp("friction-set");
    let scenario = common::root().join("scenarios/drf-paper.yaml");
    let s = scenario.to_str().unwrap();
    let (code, _, err) = mesosim(
        &dir,
        &[
            "run",
            s,
            "--quiet",
            "--no-charts",
            "--out",
            "a",
            "--set",
            "seed=7",
            "--set",
            "until=30s",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("a/summary.json")).unwrap())
            .unwrap();
    assert_eq!(summary["seed"], 7);
    assert_eq!(summary["end_time_s"], 30.0);
    let manifest = std::fs::read_to_string(dir.join("a/manifest.json")).unwrap();
    assert!(
        manifest.contains("\"overrides\": [\n    \"seed=7\",\n    \"until=30s\"\n  ]"),
        "{manifest}"
    );
    // Without --set the manifest has no such key (goldens unchanged).
    let (code, _, _) = mesosim(&dir, &["run", s, "--quiet", "--no-charts", "--out", "b"]);
    assert_eq!(code, Some(0));
    let plain = std::fs::read_to_string(dir.join("b/manifest.json")).unwrap();
    assert!(!plain.contains("overrides"), "{plain}");
    // Several values are compare's business.
    let (code, _, err) = mesosim(
        &dir,
        &["run", s, "--quiet", "--out", "c", "--set", "seed=1,2"],
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("one value per key"), "{err}");
    // A bad value names the override.
    let (code, _, err) = mesosim(
        &dir,
        &["run", s, "--quiet", "--out", "c", "--set", "until=soon"],
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("with --set until=soon"), "{err}");
}

#[test]
fn plot_png_relinks_the_report() {
    let dir = common::tmp("friction-plot");
    let scenario = common::root().join("scenarios/drf-paper.yaml");
    let (code, _, err) = mesosim(
        &dir,
        &["run", scenario.to_str().unwrap(), "--quiet", "--out", "r"],
    );
    assert_eq!(code, Some(0), "{err}");
    let before = std::fs::read_to_string(dir.join("r/report.md")).unwrap();
    assert!(before.contains("](charts/utilization.svg)"), "{before}");
    let (code, _, err) = mesosim(&dir, &["plot", "r", "--png", "--quiet"]);
    assert_eq!(code, Some(0), "{err}");
    let after = std::fs::read_to_string(dir.join("r/report.md")).unwrap();
    assert!(after.contains("](charts/utilization.png)"), "{after}");
    assert!(!after.contains(".svg)"), "{after}");
    let manifest = std::fs::read_to_string(dir.join("r/manifest.json")).unwrap();
    assert!(
        manifest.contains("\"charts/utilization.png\""),
        "{manifest}"
    );
    assert!(dir.join("r/charts/utilization.png").exists());
}
