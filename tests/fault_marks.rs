//! Fault marks on the utilization chart (docs/faults.md, "Charts"):
//! `run` marks faults on the charts it draws from the rows it kept in
//! memory; `faults.csv` is written only with `output.faults: true`, so
//! that `mesosim plot` can redraw the marks, and a scenario with faults
//! otherwise writes the same files as before the marks existed.

mod common;

use std::path::{Path, PathBuf};

const FAILOVER: &str = "tests/scenarios/faults/master-failover.yaml";
const LABEL: &str = "master failover (no leader)";

fn run(scenario: &str, out: &Path, extra: &[&str]) {
    let mut args = vec!["run", scenario, "--quiet", "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    let o = common::run_bin(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// `mesosim plot OUT` into a fresh folder named `name`; returns it.
fn plot(out: &Path, name: &str) -> PathBuf {
    let again = common::tmp(name);
    let o = common::run_bin(&[
        "plot",
        out.to_str().unwrap(),
        "--out",
        again.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    again
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn run_marks_faults_without_writing_faults_csv() {
    let out = common::tmp("fault-marks-default");
    run(FAILOVER, &out, &[]);
    assert!(!out.join("faults.csv").exists());
    assert!(!read(&out.join("manifest.json")).contains("faults.csv"));
    let chart = read(&out.join("charts/utilization.svg"));
    assert!(chart.contains(LABEL), "no failover mark in the chart");
    // Only the kinds the run has are in the legend.
    assert!(!chart.contains("agent drain"));

    // `plot` has only the files: without faults.csv it draws no marks.
    let again = plot(&out, "fault-marks-default-plot");
    assert!(!read(&again.join("utilization.svg")).contains(LABEL));
}

#[test]
fn output_faults_writes_the_rows_and_plot_redraws_the_marks() {
    let out = common::tmp("fault-marks-csv");
    run(FAILOVER, &out, &["--set", "output.faults=true"]);
    let csv = read(&out.join("faults.csv"));
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(
        rows[0],
        "time_s,seq,partition,kind,framework,role,agent,task,resources"
    );
    let kinds: Vec<(&str, &str)> = rows[1..]
        .iter()
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            (c[0], c[3])
        })
        .collect();
    // The failover at 10 s; the election after the 10 s session timeout
    // and the 2 s election delay.
    assert_eq!(
        kinds,
        [
            ("10.000000", "master_failover"),
            ("22.000000", "master_elected")
        ]
    );
    assert!(read(&out.join("manifest.json")).contains("\"faults.csv\""));
    assert!(read(&out.join("charts/utilization.svg")).contains(LABEL));

    let again = plot(&out, "fault-marks-csv-plot");
    assert_eq!(
        read(&again.join("utilization.svg")),
        read(&out.join("charts/utilization.svg")),
        "plot redraws the run's own chart"
    );
}

#[test]
fn a_run_without_faults_has_no_marks() {
    let out = common::tmp("fault-marks-none");
    run(
        "scenarios/drf-paper.yaml",
        &out,
        &["--set", "output.faults=true"],
    );
    // Asked for: written, with its header only.
    assert_eq!(read(&out.join("faults.csv")).lines().count(), 1);
    assert!(!read(&out.join("charts/utilization.svg")).contains(LABEL));
}
