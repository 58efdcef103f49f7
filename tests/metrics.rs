//! Metric values computed by hand on small scenarios (docs/metrics.md has
//! the definitions). Each scenario's timeline is spelled out above it.

mod common;

use mesosim::scenario;
use serde_json::Value;
use std::path::Path;

fn summary(yaml: &str) -> Value {
    let model =
        scenario::load_str(yaml, "test.yaml", Path::new(".")).unwrap_or_else(|e| panic!("{e}"));
    common::run_model(&model, None).summary
}

fn close(got: &Value, want: f64, what: &str) {
    let g = got
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: not a number: {got}"));
    assert!((g - want).abs() < 1e-9, "{what}: got {g}, want {want}");
}

/// One agent (4 cpus, 1000 mem), one framework. At 0 it launches j1's two
/// tasks (1 cpu, 100 mem each, using 0.5 cpu) and cannot fit j2 (3 cpus);
/// j1 ends at 10 s, j2 launches at 10 s and ends at 30 s.
const ONE_FRAMEWORK: &str = r#"
name: one-framework
agents:
  - {id: a, resources: {cpus: 4, mem: 1000}}
frameworks:
  - id: A
    jobs:
      - {id: j1, tasks: 2, resources: {cpus: 1, mem: 100}, used: {cpus: 0.5}, duration: 10s, class: short}
      - {id: j2, tasks: 1, resources: {cpus: 3, mem: 100}, duration: 20s, class: long}
"#;

#[test]
fn time_weighted_utilization_and_used() {
    let s = summary(ONE_FRAMEWORK);
    close(&s["end_time_s"], 30.0, "end");
    // cpus: 2/4 over [0,10), 3/4 over [10,30): (5 + 15)/30.
    close(&s["utilization"]["cpus"], 20.0 / 30.0, "utilization cpus");
    // mem: 200/1000 then 100/1000: (2 + 2)/30.
    close(&s["utilization"]["mem"], 4.0 / 30.0, "utilization mem");
    // used cpus: 1/4 over [0,10) (2 × 0.5), 3/4 over [10,30): (2.5 + 15)/30.
    close(&s["used"]["cpus"], 17.5 / 30.0, "used cpus");
    close(&s["used"]["mem"], 4.0 / 30.0, "used mem");
    close(&s["offered_idle"]["cpus"], 0.0, "offered idle");
}

#[test]
fn job_times_percentiles_and_slowdown() {
    let s = summary(ONE_FRAMEWORK);
    let j = &s["jobs"];
    // JCT: j1 10 s, j2 30 s. Wait: 0 and 10 s. Ideal: 10 and 20 s.
    close(&j["jct_s"]["mean"], 20.0, "jct mean");
    close(&j["jct_s"]["p50"], 10.0, "jct p50 (nearest rank 1 of 2)");
    close(&j["jct_s"]["p90"], 30.0, "jct p90");
    close(&j["wait_s"]["mean"], 5.0, "wait mean");
    close(&j["wait_s"]["p50"], 0.0, "wait p50");
    close(&j["wait_s"]["p99"], 10.0, "wait p99");
    close(&j["slowdown"]["mean"], 1.25, "slowdown mean (1 and 1.5)");
    close(&j["slowdown"]["p50"], 1.0, "slowdown p50");
    close(&j["slowdown"]["p90"], 1.5, "slowdown p90");
    // Per class.
    let classes = j["by_class"].as_array().unwrap();
    assert_eq!(classes.len(), 2);
    assert_eq!(classes[0]["class"], "long");
    close(&classes[0]["slowdown"]["mean"], 1.5, "long slowdown");
    close(&classes[0]["wait_s"]["mean"], 10.0, "long wait");
    assert_eq!(classes[1]["class"], "short");
    close(&classes[1]["jct_s"]["mean"], 10.0, "short jct");
    let fw = &j["by_framework"][0];
    assert_eq!(fw["framework"], "A");
    assert_eq!(fw["completed"], 2);
    // Tasks by final state.
    assert_eq!(s["tasks"]["final_state"]["finished"], 3);
    assert_eq!(s["tasks"]["final_state"]["running"], 0);
}

#[test]
fn measurement_window() {
    let yaml = ONE_FRAMEWORK.replace(
        "name: one-framework",
        "name: windowed\noutput: {window: {from: 5s, to: 20s}}",
    );
    let s = summary(&yaml);
    close(&s["window"]["from_s"], 5.0, "window from");
    close(&s["window"]["to_s"], 20.0, "window to");
    // cpus over [5,20): 2/4 for 5 s, 3/4 for 10 s.
    close(
        &s["utilization"]["cpus"],
        10.0 / 15.0,
        "utilization in window",
    );
    // Both jobs were submitted at 0, before the window.
    assert_eq!(s["jobs"]["submitted"], 0);
    assert_eq!(s["jobs"]["completed"], 0);
    // Records in the window: j1's two tasks finish and j2 launches at 10 s.
    assert_eq!(s["tasks"]["finished"], 2);
    assert_eq!(s["tasks"]["launched"], 1);
    // The window's end beyond the run is clipped to the end.
    let yaml = ONE_FRAMEWORK.replace(
        "name: one-framework",
        "name: windowed\noutput: {window: {from: 10s, to: 1h}}",
    );
    let s = summary(&yaml);
    close(&s["window"]["to_s"], 30.0, "window clipped");
    close(&s["utilization"]["cpus"], 0.75, "utilization after 10 s");
}

/// One agent (10 cpus, 1000 mem). A (5 tasks of 100 s) gets the first offer
/// at 0 (name order) and launches all 5; B (10 tasks of 50 s) gets the rest
/// at 1 s and launches 5; its other 5 launch when those end, at 51 s, and
/// end at 101 s. A's tasks end at 100 s.
const TWO_FRAMEWORKS: &str = r#"
name: two-frameworks
agents:
  - {id: a, resources: {cpus: 10, mem: 1000}}
frameworks:
  - id: A
    jobs:
      - {id: a, tasks: 5, resources: {cpus: 1, mem: 100}, duration: 100s}
  - id: B
    jobs:
      - {id: b, tasks: 10, resources: {cpus: 1, mem: 100}, duration: 50s}
"#;

#[test]
fn jain_and_min_max_over_time() {
    let s = summary(TWO_FRAMEWORKS);
    close(&s["end_time_s"], 101.0, "end");
    // [0,1): shares (0.5, 0) → Jain 0.5, min/max 0; [1,100): (0.5, 0.5) → 1;
    // [100,101): only B active → 1.
    close(&s["fairness"]["jain"], 100.5 / 101.0, "jain");
    close(&s["fairness"]["min_max_ratio"], 100.0 / 101.0, "min/max");
}

#[test]
fn time_below_fair_share() {
    let s = summary(TWO_FRAMEWORKS);
    let b = &s["frameworks"][1];
    assert_eq!(b["id"], "B");
    // B has pending work over [0,51). Fair share = min(1/2, demand share).
    // Over [0,1) it holds 0 and could run a task (0 + 0.1 ≤ 0.5): below.
    // Over [1,51) it holds 0.5: one more task would exceed 0.5: not below.
    close(&b["pending_time_s"], 51.0, "B pending");
    close(&b["below_fair_share"], 1.0 / 51.0, "B below");
    let a = &s["frameworks"][0];
    close(&a["pending_time_s"], 0.0, "A pending");
    close(&a["below_fair_share"], 0.0, "A below");
    close(&s["fairness"]["below_fair_share"], 1.0 / 51.0, "pooled");
    close(&s["fairness"]["below_fair_share_max"], 1.0 / 51.0, "worst");
}

#[test]
fn distance_from_ideal_drf() {
    let s = summary(TWO_FRAMEWORKS);
    // Samples every 10 s from 0 to 100 (11; the end, 101 s, is not on the
    // 10 s grid). Only at 0
    // does the allocation differ from the ideal: A holds 0.5, B 0 with a
    // demand of 1.0; progressive filling gives both 0.5: ½(0 + 0.5).
    close(&s["fairness"]["drf_distance"], 0.25 / 11.0, "drf distance");
    // Slowdown: b waited 1 s and ran two waves of 50 s: 101 / 50.
    close(&s["jobs"]["slowdown"]["p99"], 101.0 / 50.0, "slowdown of b");
}

#[test]
fn csv_columns_carry_fair_and_ideal_shares() {
    let out = common::tmp("metrics-csv");
    let scen = out.join("two.yaml");
    std::fs::write(&scen, TWO_FRAMEWORKS).unwrap();
    let o = common::run_bin(&[
        "run",
        scen.to_str().unwrap(),
        "--quiet",
        "--no-charts",
        "--out",
        out.join("r").to_str().unwrap(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let shares = std::fs::read_to_string(out.join("r/shares.csv")).unwrap();
    let lines: Vec<&str> = shares.lines().collect();
    assert_eq!(
        lines[0],
        "time_s,framework,role,dominant_share,resources,allocated,pending_tasks,pending,fair_share,drf_share"
    );
    assert_eq!(
        lines[1],
        "0.000000,A,*,0.5,cpus:5;mem:500,cpus:5;mem:500,0,,0.5,0.5"
    );
    assert_eq!(lines[2], "0.000000,B,*,0,,,10,cpus:10;mem:1000,0.5,0.5");
    let fairness = std::fs::read_to_string(out.join("r/fairness.csv")).unwrap();
    let f: Vec<&str> = fairness.lines().collect();
    assert_eq!(
        f[0],
        "time_s,active_frameworks,jain,min_max_ratio,drf_distance,frameworks_below_fair_share"
    );
    assert_eq!(f[1], "0.000000,2,0.5,0,0.25,1");
    assert_eq!(f[2], "10.000000,2,1,1,0,0");
    let offers = std::fs::read_to_string(out.join("r/offers.csv")).unwrap();
    let o: Vec<&str> = offers.lines().collect();
    assert_eq!(
        o[0],
        "time_s,framework,made,accepted,declined,rescinded,tasks_launched"
    );
    assert_eq!(o[1], "0.000000,A,1,1,0,0,5");
    assert_eq!(o[2], "0.000000,B,0,0,0,0,0");
    // B's offer at 1 s is counted in the row at 10 s.
    assert_eq!(o[4], "10.000000,B,1,1,0,0,5");
    let jobs = std::fs::read_to_string(out.join("r/jobs.csv")).unwrap();
    assert!(jobs
        .lines()
        .next()
        .unwrap()
        .ends_with(",jct_s,class,ideal_s,slowdown"));
    assert!(jobs.contains("\nb,B,*,0.000000,1.000000,101.000000,10,finished,1.000000,101.000000,,50.000000,2.02\n"), "{jobs}");
}

#[test]
fn used_is_checked_against_the_request() {
    for (bad, msg) in [
        ("used: {cpus: 2}", "cannot use more `cpus` than it requests"),
        ("used: {gpus: 1}", "which the job's tasks do not request"),
        (
            "used: {cpus: 0.5}, class: ' '",
            "a job class cannot be empty",
        ),
    ] {
        let yaml = ONE_FRAMEWORK
            .replace("used: {cpus: 0.5}", bad)
            .replace(", class: short", "");
        let e = scenario::load_str(&yaml, "t.yaml", Path::new(".")).unwrap_err();
        assert!(e.message.contains(msg), "{bad}: {e}");
        assert!(e.line.is_some(), "{bad}: no line in {e}");
    }
    let yaml = ONE_FRAMEWORK.replace(
        "name: one-framework",
        "name: w\noutput: {window: {from: 10s, to: 5s}}",
    );
    let e = scenario::load_str(&yaml, "t.yaml", Path::new(".")).unwrap_err();
    assert!(e.message.contains("`to` > `from`"), "{e}");
}

#[test]
fn without_a_window_counts_match_the_engine() {
    for rel in [
        "scenarios/quickstart.yaml",
        "scenarios/drf-paper.yaml",
        "scenarios/mesos/7-offer-filter.yaml",
    ] {
        let model = common::load(rel);
        let run = common::run_model(&model, None);
        let c = &run.outcome.totals;
        let s = &run.summary;
        let pairs = [
            (
                "tasks.submitted",
                c.tasks_submitted,
                &s["tasks"]["submitted"],
            ),
            ("tasks.launched", c.tasks_launched, &s["tasks"]["launched"]),
            ("tasks.finished", c.tasks_finished, &s["tasks"]["finished"]),
            ("tasks.killed", c.tasks_killed, &s["tasks"]["killed"]),
            ("offers.made", c.offers_made, &s["offers"]["made"]),
            (
                "offers.accepted",
                c.offers_accepted,
                &s["offers"]["accepted"],
            ),
            (
                "offers.declined",
                c.offers_declined,
                &s["offers"]["declined"],
            ),
            (
                "offers.rescinded",
                c.offers_rescinded,
                &s["offers"]["rescinded"],
            ),
            ("offers.inverse", c.inverse_offers, &s["offers"]["inverse"]),
            ("jobs.submitted", c.jobs_submitted, &s["jobs"]["submitted"]),
            ("jobs.completed", c.jobs_completed, &s["jobs"]["completed"]),
        ];
        for (what, want, got) in pairs {
            assert_eq!(got.as_u64(), Some(want), "{rel}: {what}");
        }
        for (i, fc) in run.outcome.framework_totals.iter().enumerate() {
            let f = &s["frameworks"][i];
            assert_eq!(
                f["offers_received"].as_u64(),
                Some(fc.offers_received),
                "{rel}"
            );
            assert_eq!(
                f["tasks_finished"].as_u64(),
                Some(fc.tasks_finished),
                "{rel}"
            );
            assert_eq!(
                f["tasks_launched"].as_u64(),
                Some(fc.tasks_launched),
                "{rel}"
            );
            assert_eq!(
                f["offers_declined"].as_u64(),
                Some(fc.offers_declined),
                "{rel}"
            );
        }
    }
}

/// The per-step shortcut (`below_flags`) and the full client records the
/// CSV files show (`clients`) agree at every step of a real run.
#[test]
fn below_flags_agree_with_client_records() {
    use mesosim::metrics::fairness::{below_flags, clients, DemandTracker};
    use mesosim::scenario::Model;
    use mesosim::sim::time::SimTime;
    use mesosim::sim::{Observer, Record, View};

    struct Check {
        a: DemandTracker,
        b: DemandTracker,
        steps: u64,
        below_seen: u64,
    }
    impl Observer for Check {
        fn record(&mut self, _m: &Model, r: &Record) {
            self.a.record(r);
            self.b.record(r);
        }
        fn advance(&mut self, view: &View, _from: SimTime, _to: SimTime) {
            let n = view.model.frameworks.len();
            let (mut pending, mut below) = (vec![false; n], vec![false; n]);
            below_flags(view, &mut self.a, &mut pending, &mut below);
            let (mut p2, mut b2) = (vec![false; n], vec![false; n]);
            for c in clients(view, &mut self.b) {
                p2[c.framework.index()] |= c.pending_tasks > 0;
                b2[c.framework.index()] |= c.below;
            }
            assert_eq!(pending, p2);
            assert_eq!(below, b2);
            self.steps += 1;
            self.below_seen += below.iter().filter(|&&x| x).count() as u64;
        }
    }
    let model = common::load("scenarios/quickstart.yaml");
    let n = model.frameworks.len();
    let mut check = Check {
        a: DemandTracker::new(n),
        b: DemandTracker::new(n),
        steps: 0,
        below_seen: 0,
    };
    mesosim::simulate(&model, &Default::default(), &mut check).unwrap();
    assert!(check.steps > 1000 && check.below_seen > 0);
}

/// The ideal DRF allocation and the fair shares follow the role tree, not
/// a flat list of frameworks weighted by their roles: `a` (weight 2) gets
/// 2/3 and `b` 1/3; inside `a`, the child `a/x` (weight 3) and the virtual
/// leaf `a/.` (weight 1, as in Mesos) holding fa1 and fa2 split a's 2/3 as
/// 1/2 and 1/6. Every demand is the whole cluster.
#[test]
fn ideal_and_fair_shares_follow_the_role_tree() {
    let yaml = r#"
name: tree
until: 1s
roles:
  - {name: a, weight: 2}
  - {name: a/x, weight: 3}
  - {name: b, weight: 1}
agents:
  - {id: n, resources: {cpus: 9, mem: 9000}}
frameworks:
  - {id: fa1, role: a, jobs: [{tasks: 9, resources: {cpus: 1, mem: 1000}, duration: 100s}]}
  - {id: fa2, role: a, jobs: [{tasks: 9, resources: {cpus: 1, mem: 1000}, duration: 100s}]}
  - {id: fx, role: a/x, jobs: [{tasks: 9, resources: {cpus: 1, mem: 1000}, duration: 100s}]}
  - {id: fb, role: b, jobs: [{tasks: 9, resources: {cpus: 1, mem: 1000}, duration: 100s}]}
"#;
    let dir = common::tmp("metrics-tree");
    std::fs::write(dir.join("tree.yaml"), yaml).unwrap();
    let o = common::run_bin(&[
        "run",
        dir.join("tree.yaml").to_str().unwrap(),
        "--quiet",
        "--no-charts",
        "--out",
        dir.join("r").to_str().unwrap(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let shares = std::fs::read_to_string(dir.join("r/shares.csv")).unwrap();
    let want = [
        ("fa1", 1.0 / 12.0),
        ("fa2", 1.0 / 12.0),
        ("fx", 0.5),
        ("fb", 1.0 / 3.0),
    ];
    for (fw, share) in want {
        let row: Vec<&str> = shares
            .lines()
            .find(|l| l.starts_with(&format!("0.000000,{fw},")))
            .unwrap_or_else(|| panic!("{fw}: {shares}"))
            .split(',')
            .collect();
        let fair: f64 = row[8].parse().unwrap();
        let ideal: f64 = row[9].parse().unwrap();
        assert!(
            (fair - share).abs() < 1e-9,
            "{fw} fair share {fair}, want {share}"
        );
        assert!(
            (ideal - share).abs() < 1e-9,
            "{fw} ideal share {ideal}, want {share}"
        );
    }
    let roles = std::fs::read_to_string(dir.join("r/roles.csv")).unwrap();
    for (role, share) in [("a", 2.0 / 3.0), ("a/x", 0.5), ("b", 1.0 / 3.0)] {
        let row: Vec<&str> = roles
            .lines()
            .find(|l| l.starts_with(&format!("0.000000,{role},")))
            .unwrap()
            .split(',')
            .collect();
        let ideal: f64 = row[4].parse().unwrap();
        assert!(
            (ideal - share).abs() < 1e-9,
            "role {role} ideal {ideal}, want {share}"
        );
    }
}

/// `output.percentiles: sketch` keeps histograms instead of every job: the
/// same counts and means, percentiles within 0.4%, on the quickstart.
#[test]
fn sketched_percentiles_are_close_to_exact_ones() {
    let text = std::fs::read_to_string(common::root().join("scenarios/quickstart.yaml")).unwrap();
    let sketched = text.replace(
        "output: {sample_interval: 30s}",
        "output: {sample_interval: 30s, percentiles: sketch}",
    );
    assert_ne!(text, sketched, "quickstart's output line changed");
    let exact = summary(&text);
    let sketch = summary(&sketched);
    let j = |s: &Value, k: &str| s["jobs"][k].clone();
    for k in ["submitted", "completed", "abandoned"] {
        assert_eq!(j(&exact, k), j(&sketch, k), "{k}");
    }
    let mut groups = vec![(exact["jobs"].clone(), sketch["jobs"].clone())];
    let fws = exact["jobs"]["by_framework"].as_array().unwrap();
    for (i, g) in fws.iter().enumerate() {
        groups.push((g.clone(), sketch["jobs"]["by_framework"][i].clone()));
    }
    assert!(groups.len() > 2);
    for (e, s) in groups {
        for stat in ["jct_s", "wait_s", "slowdown"] {
            let (em, sm) = (
                e[stat]["mean"].as_f64().unwrap(),
                s[stat]["mean"].as_f64().unwrap(),
            );
            assert!(
                (em - sm).abs() <= 1e-9 * em.max(1.0),
                "{stat} mean {em} {sm}"
            );
            for p in ["p50", "p90", "p99"] {
                let (a, b) = (e[stat][p].as_f64().unwrap(), s[stat][p].as_f64().unwrap());
                assert!(
                    (a - b).abs() <= 0.004 * a,
                    "{stat} {p}: exact {a}, sketch {b}"
                );
            }
        }
    }
}

/// The DRF paper's example (issue 16): A <1 cpu, 4 GB> and B <3 cpus,
/// 1 GB> per task on 9 cpus / 18 GB, both unbounded. DRF gives A 3 tasks
/// (mem 12/18 = 2/3) and B 2 tasks (cpus 6/9 = 2/3). Both frameworks are
/// in role `*`: the ideal must still give each 2/3 (each in its own demand's
/// mix), exactly as it does with A and B in separate roles, and once the
/// allocator has reached that allocation the distance is 0.
#[test]
fn ideal_drf_with_frameworks_sharing_a_role() {
    let text = std::fs::read_to_string(common::root().join("scenarios/drf-paper.yaml")).unwrap();
    let separate = text
        .replace("  - id: A\n", "  - id: A\n    role: ra\n")
        .replace("  - id: B\n", "  - id: B\n    role: rb\n");
    assert_ne!(text, separate);
    for (name, yaml) in [("shared", &text), ("separate", &separate)] {
        let dir = common::tmp(&format!("metrics-drf-paper-{name}"));
        std::fs::write(dir.join("s.yaml"), yaml).unwrap();
        let o = common::run_bin(&[
            "run",
            dir.join("s.yaml").to_str().unwrap(),
            "--quiet",
            "--no-charts",
            "--out",
            dir.join("r").to_str().unwrap(),
        ]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        let shares = std::fs::read_to_string(dir.join("r/shares.csv")).unwrap();
        for fw in ["A", "B"] {
            let row: Vec<&str> = shares
                .lines()
                .rfind(|l| l.split(',').nth(1) == Some(fw))
                .unwrap()
                .split(',')
                .collect();
            let actual: f64 = row[3].parse().unwrap();
            let ideal: f64 = row[9].parse().unwrap();
            assert!(
                (actual - 2.0 / 3.0).abs() < 1e-9,
                "{name} {fw} share {actual}"
            );
            assert!(
                (ideal - 2.0 / 3.0).abs() < 1e-9,
                "{name} {fw} ideal {ideal}"
            );
        }
        let fairness = std::fs::read_to_string(dir.join("r/fairness.csv")).unwrap();
        let last: Vec<&str> = fairness.lines().last().unwrap().split(',').collect();
        let distance: f64 = last[4].parse().unwrap();
        assert!(
            distance.abs() < 1e-9,
            "{name}: distance at the end {distance}"
        );
    }
}

/// Jobs unfinished at the end are censored observations (issue 16). One
/// 1-cpu agent runs one job at a time: j1 0–10 s (JCT 10), j2 10–30 s
/// (JCT 30); j3, submitted at 25 s, starts at 30 s (wait 5) and is still
/// running at `until` = 40 s: its JCT is censored at 40 − 25 = 15.
///
/// Kaplan–Meier over {10, 15+, 30}: at 10, 3 at risk, S = 1 − 1/3 = 2/3;
/// 15+ leaves the risk set; at 30, 1 at risk, S = 2/3 · (1 − 1/1) = 0.
/// So F(10) = 1/3 and F(30) = 1: p50 = p90 = p99 = 30 (completed jobs
/// alone would give p50 = 10). Mean ≥ (10 + 15 + 30)/3 = 18.333…, a lower
/// bound. Waits are all observed (j3 started): {0, 10, 5}, mean 5,
/// p50 5, p90 10, exact.
///
/// With j3 submitted at 5 s instead, it is censored at 35, after the last
/// completion: at 10, S = 2/3; at 30, 2 at risk, S = 2/3 · 1/2 = 1/3, so
/// F never reaches 0.9: p90 and p99 are reported as ≥ 35.
#[test]
fn unfinished_jobs_are_censored_with_kaplan_meier() {
    let yaml = r#"
name: censored
until: 40s
agents:
  - {id: a, resources: {cpus: 1, mem: 100}}
frameworks:
  - id: F
    jobs:
      - {id: j1, submit: 0s, tasks: 1, resources: {cpus: 1, mem: 100}, duration: 10s}
      - {id: j2, submit: 0s, tasks: 1, resources: {cpus: 1, mem: 100}, duration: 20s}
      - {id: j3, submit: 25s, tasks: 1, resources: {cpus: 1, mem: 100}, duration: 100s}
"#;
    let s = summary(yaml);
    let j = &s["jobs"];
    assert_eq!(j["completed"], 2);
    assert_eq!(j["censored"], 1);
    close(&j["jct_s"]["mean"], 18.333333, "jct mean");
    close(&j["jct_s"]["p50"], 30.0, "jct p50");
    close(&j["jct_s"]["p90"], 30.0, "jct p90");
    close(&j["jct_s"]["p99"], 30.0, "jct p99");
    assert_eq!(j["jct_s"]["lower_bound"], serde_json::json!(["mean"]));
    close(&j["wait_s"]["mean"], 5.0, "wait mean");
    close(&j["wait_s"]["p50"], 5.0, "wait p50");
    close(&j["wait_s"]["p90"], 10.0, "wait p90");
    assert_eq!(j["wait_s"]["lower_bound"], serde_json::json!([]));
    assert_eq!(j["by_framework"][0]["censored"], 1);

    let s = summary(&yaml.replace("submit: 25s", "submit: 5s"));
    let j = &s["jobs"];
    close(&j["jct_s"]["mean"], 25.0, "jct mean (10 + 30 + 35)/3");
    close(&j["jct_s"]["p50"], 30.0, "jct p50");
    close(&j["jct_s"]["p90"], 35.0, "jct p90");
    close(&j["jct_s"]["p99"], 35.0, "jct p99");
    assert_eq!(
        j["jct_s"]["lower_bound"],
        serde_json::json!(["mean", "p90", "p99"])
    );
}

/// Two agents (1 cpu each), each running a task of 1 cpu from the start.
/// The leader is lost at 10 s and a new one elected at 20 s; the agents
/// re-register spread over 20 s: a1 at 20 s, a2 at 30 s. Over [20, 30)
/// the new leader knows a1 alone: total 1 cpu, allocated 1 (a1's task,
/// reported again) and used 1 — a2's task runs on, but a2 is not counted
/// until it re-registers, in the total or in what is used. Every interval
/// is at 100%, so utilization and used are 1 — `used` was 1.25 when it
/// counted every running task against the totals the leaders know (2 cpus
/// used of 1 over [20, 30)).
const ELECTION: &str = r#"
name: used-after-election
until: 40s
master: {agent_reregister_spread: 20s}
agents:
  - {id: a, count: 2, resources: {cpus: 1, mem: 100}}
frameworks:
  - id: A
    jobs:
      - {id: long, tasks: 2, resources: {cpus: 1, mem: 100}, duration: 1h}
events:
  - {at: 10s, master_failover: {}}
"#;

#[test]
fn used_counts_the_agents_the_leader_knows() {
    let s = summary(ELECTION);
    close(&s["end_time_s"], 40.0, "end");
    close(&s["utilization"]["cpus"], 1.0, "utilization cpus");
    close(&s["used"]["cpus"], 1.0, "used cpus");
    close(&s["used"]["mem"], 1.0, "used mem");
}

/// The same scenario's `timeseries.csv`: at 25 s the total is a1's 1 cpu
/// and so is what is used; at 35 s both agents are back.
#[test]
fn timeseries_used_stays_within_the_total_after_an_election() {
    let dir = common::tmp("used-after-election");
    let file = dir.join("s.yaml");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        &file,
        ELECTION.replace("until: 40s", "until: 40s\noutput: {sample_interval: 5s}"),
    )
    .unwrap();
    let out = dir.join("out");
    let st = common::bin()
        .args(["run", file.to_str().unwrap(), "--quiet", "--force", "--out"])
        .arg(&out)
        .status()
        .unwrap();
    assert!(st.success());
    let ts = std::fs::read_to_string(out.join("timeseries.csv")).unwrap();
    let row = |t: &str| -> Vec<String> {
        ts.lines()
            .find(|l| l.starts_with(&format!("{t}.000000,")) && l.contains(",cpus,"))
            .unwrap_or_else(|| panic!("no cpus row at {t} in\n{ts}"))
            .split(',')
            .map(str::to_string)
            .collect()
    };
    // time_s,partition,resource,total,offered,allocated,used
    for (t, total) in [("25", "1"), ("35", "2")] {
        let r = row(t);
        assert_eq!(r[3], total, "total at {t}: {r:?}");
        assert_eq!(r[5], total, "allocated at {t}: {r:?}");
        assert_eq!(r[6], total, "used at {t}: {r:?}");
    }
}

/// Offers and answers reach the default observers as counts when no
/// observer reads them whole (`Observer::record_kinds`): the summary is
/// the same as when every record is built (a `Recorder` wants them all),
/// inside a measurement window too, and so is `offers.csv` with and
/// without `events.csv` beside it.
#[test]
fn counted_records_give_what_whole_records_give() {
    use mesosim::sim::{KindSet, Observer, Recorder};
    struct CountsOnly;
    impl Observer for CountsOnly {
        fn record_kinds(&self) -> KindSet {
            KindSet::NONE
        }
    }
    let mut model = common::load("scenarios/quickstart.yaml");
    let whole = |model: &scenario::Model| {
        let mut rec = Recorder::default();
        let (_, s) = mesosim::simulate(model, &Default::default(), &mut rec).unwrap();
        let offers = rec
            .records
            .iter()
            .filter(|r| KindSet::OFFER_COUNTS.contains(r.kind))
            .count();
        (s.to_json(), offers)
    };
    let counted = |model: &scenario::Model| {
        let (_, s) = mesosim::simulate(model, &Default::default(), &mut CountsOnly).unwrap();
        s.to_json()
    };
    let (json, offers) = whole(&model);
    assert!(offers > 1000, "{offers} offer records");
    assert_eq!(counted(&model), json);

    // Counted records come in runs, each told before anything after it:
    // as many as the recorder saw, none after the next advance or a later
    // record.
    #[derive(Default)]
    struct Order {
        told: u64,
        calls: u64,
        last_time: u64,
    }
    impl Observer for Order {
        fn record_kinds(&self) -> KindSet {
            KindSet::NONE
        }
        fn counted(&mut self, _m: &scenario::Model, c: &mesosim::sim::Counted) {
            assert!(c.n >= 1 && c.time.0 >= self.last_time, "{c:?}");
            self.told += c.n;
            self.calls += 1;
            self.last_time = c.time.0;
        }
        fn record(&mut self, _m: &scenario::Model, r: &mesosim::sim::Record) {
            assert!(!KindSet::OFFER_COUNTS.contains(r.kind));
            assert!(r.time.0 >= self.last_time);
            self.last_time = r.time.0;
        }
        fn advance(
            &mut self,
            _v: &mesosim::sim::View,
            from: mesosim::sim::SimTime,
            to: mesosim::sim::SimTime,
        ) {
            assert!(self.last_time <= from.0);
            self.last_time = to.0;
        }
    }
    let mut order = Order::default();
    mesosim::simulate(&model, &Default::default(), &mut order).unwrap();
    assert_eq!(order.told, offers as u64);
    assert!(
        order.calls < order.told,
        "{} calls for {}",
        order.calls,
        order.told
    );
    model.output.window = mesosim::scenario::model::Window {
        from: mesosim::sim::SimTime(600_000_000),
        to: Some(mesosim::sim::SimTime(3_600_000_000)),
    };
    let (json, _) = whole(&model);
    assert_eq!(counted(&model), json);

    let out = common::tmp("counted-offers-csv");
    for (dir, events) in [("plain", false), ("events", true)] {
        let mut cmd = common::bin();
        cmd.args(["run", "scenarios/quickstart.yaml", "--quiet", "--out"])
            .arg(out.join(dir))
            .current_dir(common::root());
        if events {
            cmd.arg("--events");
        }
        assert!(cmd.status().unwrap().success());
    }
    let read = |d: &str| std::fs::read(out.join(d).join("offers.csv")).unwrap();
    assert_eq!(read("plain"), read("events"));
}
