//! Two schedulers over a split agent set, built by hand through the library
//! (no scenario key yet): each master offers only its own agents, checked
//! by the engine's `--check` recounts after every event (which include
//! "no master offers or knows another partition's agent") and by an
//! observer reading the per-partition view at every step (issue 8).

mod common;

use mesosim::scenario::Model;
use mesosim::sim::time::SimTime;
use mesosim::sim::{Observer, Options, Record, RecordKind, Recorder, Simulation, View};
use mesosim::{AgentId, PartitionId};
use std::path::Path;

/// Six agents in two groups, three frameworks with more work than fits.
const SCENARIO: &str = "
name: two-schedulers
seed: 7
until: 120s
agents:
  - {id: left, count: 3, resources: {cpus: 4, mem: 4096}}
  - {id: right, count: 3, resources: {cpus: 2, mem: 8192}}
frameworks:
  - id: fa
    jobs: [{id: ja, tasks: 30, resources: {cpus: 1, mem: 512}, duration: 7s}]
  - id: fb
    jobs: [{id: jb, tasks: 20, resources: {cpus: 1, mem: 2048}, duration: 11s}]
  - id: fc
    refuse_seconds: 2s
    jobs: [{id: jc, tasks: 10, resources: {cpus: 2, mem: 1024}, duration: 5s}]
";

fn model() -> Model {
    mesosim::scenario::load_str(SCENARIO, "two.yaml", Path::new(".")).unwrap()
}

/// `left-*` agents in partition 0, `right-*` in partition 1.
fn split(model: &Model) -> Vec<PartitionId> {
    (0..model.agents.len())
        .map(|a| {
            let name = model.agent_name(AgentId(a as u32));
            PartitionId(u32::from(name.starts_with("right")))
        })
        .collect()
}

/// Checks the per-partition view at every step and keeps the records.
struct PerStep {
    split: Vec<PartitionId>,
    records: Vec<Record>,
    steps: u64,
}

impl Observer for PerStep {
    fn record(&mut self, _model: &Model, rec: &Record) {
        if let Some(a) = rec.agent {
            assert_eq!(rec.partition, self.split[a.index()], "{rec:?}");
        }
        self.records.push(rec.clone());
    }
    fn advance(&mut self, view: &View, _from: SimTime, _to: SimTime) {
        assert_eq!(view.partitions(), 2);
        let mut offered = mesosim::cluster::resources::Quantities::ZERO;
        let mut totals = offered;
        for p in 0..2 {
            let p = PartitionId(p);
            let o = view.partition_offered(p);
            let u = view.partition_allocated(p);
            assert!(
                view.partition_totals(p).contains(&o.plus(&u)),
                "partition {p:?} over capacity"
            );
            offered.add(&o);
            totals.add(&view.partition_totals(p));
        }
        assert_eq!(offered, view.offered_total());
        assert_eq!(totals, view.totals());
        self.steps += 1;
    }
}

#[test]
fn two_schedulers_never_offer_each_others_agents() {
    let model = model();
    let split = split(&model);
    let options = Options {
        seed: None,
        check: true,
    };
    let sim = Simulation::partitioned(&model, &options, &split).unwrap();
    let mut obs = PerStep {
        split: split.clone(),
        records: Vec::new(),
        steps: 0,
    };
    let outcome = sim.run(&mut obs).unwrap_or_else(|e| panic!("{e}"));
    assert!(obs.steps > 10);
    // Both schedulers made offers and both partitions ran tasks.
    for p in 0..2 {
        let of = |kind| {
            obs.records
                .iter()
                .filter(|r| r.kind == kind && r.partition == PartitionId(p))
                .count()
        };
        assert!(of(RecordKind::Offer) > 0, "partition {p} made no offer");
        assert!(of(RecordKind::Launch) > 0, "partition {p} launched nothing");
    }
    // Each agent's offers come from one scheduler: an offer of partition p
    // is on an agent of partition p (also checked after every event).
    for r in obs.records.iter().filter(|r| r.kind == RecordKind::Offer) {
        assert_eq!(r.partition, split[r.agent.unwrap().index()]);
    }
    // Both periodic timers ran: about 2 × 120 runs, plus event-driven ones.
    assert!(
        outcome.allocation_runs >= 2 * 110,
        "{}",
        outcome.allocation_runs
    );
    // Deterministic: the same split gives the same digest.
    let again = Simulation::partitioned(&model, &options, &split)
        .unwrap()
        .run(&mut Recorder::default())
        .unwrap();
    assert_eq!(outcome.digest, again.digest);
}

#[test]
fn one_partition_is_todays_simulation() {
    let model = model();
    let options = Options {
        seed: None,
        check: true,
    };
    let mut a = Recorder::default();
    let mut b = Recorder::default();
    let one = vec![PartitionId(0); model.agents.len()];
    let x = Simulation::new(&model, &options).run(&mut a).unwrap();
    let y = Simulation::partitioned(&model, &options, &one)
        .unwrap()
        .run(&mut b)
        .unwrap();
    assert_eq!(x.digest, y.digest);
    assert_eq!(a.records, b.records);
}

#[test]
fn a_bad_split_is_refused() {
    let model = model();
    let options = Options::default();
    assert!(Simulation::partitioned(&model, &options, &[PartitionId(0)]).is_err());
    let mut gap = vec![PartitionId(0); model.agents.len()];
    gap[0] = PartitionId(2);
    let err = Simulation::partitioned(&model, &options, &gap)
        .err()
        .unwrap();
    assert!(err.contains("partition 1 has no agent"), "{err}");
}

/// A master that takes over a partition (a failover) numbers its offers and
/// filters after its predecessor's, so no id from before the takeover — nor
/// a timer carrying one — can match anything the new master makes.
#[test]
fn a_successor_master_never_reuses_an_id() {
    use mesosim::master::{Master, Trigger};
    use mesosim::sim::rng::{Stream, StreamSet};
    let m = model();
    let parts = split(&m);
    let fill = |master: &mut Master| {
        for (a, p) in parts.iter().enumerate() {
            if *p == PartitionId(1) {
                master.add_agent(&m, AgentId(a as u32));
            }
        }
        for f in 0..m.frameworks.len() {
            master.add_framework(&m, mesosim::FrameworkId(f as u32));
        }
    };
    let run = |master: &mut Master| {
        master.request_run(Trigger::AllAgents);
        let mut shuffle = Stream::new(1, "agent-shuffle/partition-1");
        let mut sorter = StreamSet::new(1, "/partition-1");
        master
            .run_allocation(&m, SimTime::ZERO, &mut shuffle, &mut sorter, false)
            .offers
    };
    let mut old = Master::for_partition(&m, PartitionId(1), 2);
    fill(&mut old);
    let first = run(&mut old);
    assert!(!first.is_empty());
    // Decline one offer: a filter id is taken too.
    let filter = old
        .decline(&m, first[0], 5_000_000, SimTime::ZERO)
        .expect("a decline filter");
    let mut new = old.successor(&m);
    fill(&mut new);
    let second = run(&mut new);
    assert!(!second.is_empty());
    let newest_old = first.iter().map(|o| o.0).max().unwrap();
    for id in &second {
        assert!(id.0 > newest_old, "{id:?} after {first:?}");
        assert_eq!(id.0 % 2, 1, "partition 1's ids stay ≡ 1 mod 2");
    }
    for id in &first {
        assert!(new.offer(*id).is_none());
    }
    let filter2 = new
        .decline(&m, second[0], 5_000_000, SimTime::ZERO)
        .expect("a decline filter");
    assert!(filter2.id.id > filter.id.id);
}

/// Per-partition fairness and timeseries rows, checked by hand (see the
/// scenario's comment): each partition holds one framework, so its own
/// fairness is 1, while over the cluster the shares are 1/3 and 2/3.
#[test]
fn fairness_within_partitions_and_per_partition_timeseries() {
    let out = common::tmp("local-fairness");
    let scenario = common::root().join("tests/scenarios/partitions/local-fairness.yaml");
    let st = common::bin()
        .args(["run", "--quiet", "--no-charts", "--out"])
        .arg(&out)
        .arg(&scenario)
        .status()
        .unwrap();
    assert!(st.success());
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let close = |v: &serde_json::Value, x: f64| (v.as_f64().unwrap() - x).abs() < 1e-9;
    assert!(
        close(&summary["fairness"]["jain"], 0.9),
        "{}",
        summary["fairness"]
    );
    assert!(close(&summary["fairness"]["min_max_ratio"], 0.5));
    let parts = summary["partitions"].as_array().unwrap();
    assert_eq!(parts.len(), 2);
    for p in parts {
        assert!(close(&p["fairness"]["jain"], 1.0), "{p}");
        assert!(close(&p["fairness"]["min_max_ratio"], 1.0), "{p}");
        assert!(close(&p["utilization"]["cpus"], 1.0), "{p}");
    }

    // timeseries.csv: at each sample the whole cluster (`all`), then each
    // partition over its own agents; the partitions add up to the whole.
    let text = std::fs::read_to_string(out.join("timeseries.csv")).unwrap();
    let rows: Vec<Vec<&str>> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    let at = |t: &str, p: &str, r: &str| -> Vec<f64> {
        let row = rows
            .iter()
            .find(|x| x[0] == t && x[1] == p && x[2] == r)
            .unwrap_or_else(|| panic!("no row {t},{p},{r}"));
        row[3..].iter().map(|v| v.parse().unwrap()).collect()
    };
    assert_eq!(at("30.000000", "all", "cpus"), vec![12.0, 0.0, 12.0, 12.0]);
    assert_eq!(at("30.000000", "0", "cpus"), vec![4.0, 0.0, 4.0, 4.0]);
    assert_eq!(at("30.000000", "1", "cpus"), vec![8.0, 0.0, 8.0, 8.0]);
    for t in rows
        .iter()
        .map(|r| r[0])
        .collect::<std::collections::BTreeSet<_>>()
    {
        for r in ["cpus", "mem"] {
            let (whole, a, b) = (at(t, "all", r), at(t, "0", r), at(t, "1", r));
            for i in 0..4 {
                assert_eq!(whole[i], a[i] + b[i], "t={t} {r} column {i}");
            }
        }
    }
    assert!(rows.iter().all(|r| ["all", "0", "1"].contains(&r[1])));
}

/// `roles[].quota.per_partition` against the capacity split: the scenario
/// of `tests/expect/partitions-quota-per-partition.expect.yaml` (prod
/// guaranteed 2 + 6 cpus) with the same 8 cpus given as one amount (split
/// 4 + 4 by the partitions' equal capacity) lets `dev` launch on b1 at
/// 0 s, where 6 cpus in partition 1 keep both b agents for prod; and
/// per-partition amounts equal to the split give the very same run.
#[test]
fn per_partition_quota_against_the_capacity_split() {
    let path = "tests/scenarios/partitions/quota-per-partition.yaml";
    let text = std::fs::read_to_string(common::root().join(path)).unwrap();
    let declared = "    quota:\n      per_partition:\n        - {guarantee: {cpus: 2}}\n        - {guarantee: {cpus: 6}}\n";
    assert!(text.contains(declared));
    let body = text.split("events:").next().unwrap();
    let variant = |quota: &str| {
        let model = mesosim::scenario::load_str(
            &body.replace(declared, quota),
            "variant.yaml",
            Path::new("."),
        )
        .unwrap();
        common::run_model(&model, None).records
    };
    let at_zero = |records: &[String]| -> Vec<String> {
        records
            .iter()
            .filter(|l| l.starts_with("0.000000 launch"))
            .cloned()
            .collect()
    };
    let given = variant(declared);
    let split = variant("    quota: {guarantee: {cpus: 8}}\n");
    let same_as_split = variant(
        "    quota:\n      per_partition:\n        - {guarantee: {cpus: 4}}\n        - {guarantee: {cpus: 4}}\n",
    );
    assert!(!at_zero(&given).iter().any(|l| l.contains(" dev dev b")));
    assert_eq!(
        at_zero(&split)
            .iter()
            .filter(|l| l.contains(" dev dev b1 "))
            .count(),
        2,
        "{split:#?}"
    );
    assert_eq!(split, same_as_split);
}

/// A partitioned run's charts (docs/partitions.md, "Outputs"): the
/// utilization chart has, per resource, each partition's allocated and
/// offered-but-idle panels to the right; the fairness chart has each
/// partition's Jain's index and min/max ratio (from `summary.json`) next
/// to the whole cluster's and the DRF distance. A run without partitions
/// draws neither.
#[test]
fn partitioned_charts_show_offered_and_fairness_per_partition() {
    let width = |svg: &str| -> u32 {
        let i = svg.find("width=\"").unwrap() + 7;
        svg[i..].split('"').next().unwrap().parse().unwrap()
    };
    let run = |name: &str, scenario: &Path| -> (String, String) {
        let out = common::tmp(name);
        let st = common::bin()
            .args(["run", "--quiet", "--force", "--out"])
            .arg(&out)
            .arg(scenario)
            .status()
            .unwrap();
        assert!(st.success());
        let read = |f: &str| std::fs::read_to_string(out.join("charts").join(f)).unwrap();
        (read("utilization.svg"), read("fairness.svg"))
    };
    let parted = common::root().join("tests/scenarios/partitions/local-fairness.yaml");
    let (util, fair) = run("charts-partitioned", &parted);
    assert_eq!(width(&util), 3000);
    assert!(util.contains("cpus offered but idle (% of own total)"));
    assert!(util.contains("cpus allocated (% of own total)"));
    assert_eq!(width(&fair), 2400);
    assert!(fair.contains("Fairness: whole cluster and within each partition"));
    assert!(fair.contains("partition 1"));
    assert!(fair.contains("DRF distance"));

    // The same scenario without `partitions:` (nor `frameworks[].partitions`).
    let text = std::fs::read_to_string(&parted).unwrap();
    let plain: String = text
        .lines()
        .filter(|l| !l.contains("partition") && !l.contains("assign:"))
        .map(|l| format!("{l}\n"))
        .collect();
    let dir = common::tmp("charts-plain-scenario");
    let file = dir.join("plain.yaml");
    std::fs::write(&file, plain).unwrap();
    let (util, fair) = run("charts-plain", &file);
    assert_eq!(width(&util), 1200);
    assert_eq!(width(&fair), 1200);
    assert!(!util.contains("offered but idle (% of own total)"));
    assert!(!fair.contains("within each partition"));
}

/// `agent_drain` of an agent between partitions (docs/partitions.md,
/// "Faults while rebalancing"): tests/scenarios/partitions/rebalance-move.yaml
/// with a1, which leaves partition 0 at 5 s, drained at 6 s. It has no task
/// to wait for, so it is removed at once and never arrives; a2 moves at the
/// 10 s tick and takes `local`'s second task at 13 s, b1 the third at 20 s.
#[test]
fn an_agent_drained_while_it_moves_never_arrives() {
    let path = "tests/scenarios/partitions/rebalance-move.yaml";
    let text = std::fs::read_to_string(common::root().join(path)).unwrap()
        + "events:\n  - {at: 6s, agent_drain: {agent: a1}}\n";
    let model = mesosim::scenario::load_str(&text, "drain.yaml", Path::new(".")).unwrap();
    let run = common::run_model(&model, None);
    let of = |kinds: &[&str]| -> Vec<String> {
        run.records
            .iter()
            .filter(|l| {
                kinds
                    .iter()
                    .any(|k| l.split_whitespace().nth(1) == Some(*k))
            })
            .map(|l| l.split_whitespace().take(6).collect::<Vec<_>>().join(" "))
            .collect()
    };
    assert_eq!(
        of(&["launch", "agent_draining", "agent_removed"]),
        vec![
            "0.000000 launch local * b1 l.0",
            "6.000000 agent_draining - - a1 -",
            "6.000000 agent_removed - - a1 -",
            "13.000000 launch local * a2 l.1",
            "20.000000 launch local * b1 l.2",
        ]
    );
    assert_eq!(run.summary["agents_moved"], 2);
}

/// An empty measurement window (the run ends before `output.window.from`)
/// reports the state at the end, per partition as over the whole cluster
/// (docs/metrics.md). Partitions used to report a utilization of 0 and
/// fairness of 1 instead, whatever the state.
#[test]
fn an_empty_window_reports_each_partition_at_the_end() {
    let run = |file: &str, sets: &[&str], name: &str| -> serde_json::Value {
        let out = common::tmp(name);
        let mut cmd = common::bin();
        cmd.args(["run", "--quiet", "--no-charts", "--out"])
            .arg(&out)
            .arg(common::root().join(file));
        for s in sets {
            cmd.args(["--set", s]);
        }
        let st = cmd.status().unwrap();
        assert!(st.success());
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap()
    };
    // local-fairness: from 0 s on, each partition is full (its one
    // framework holds every cpu) and fair; the cluster's Jain is 0.9.
    let s = run(
        "tests/scenarios/partitions/local-fairness.yaml",
        &["output.window={from: 70s}"],
        "empty-window-local",
    );
    assert!((s["fairness"]["jain"].as_f64().unwrap() - 0.9).abs() < 1e-12);
    for p in s["partitions"].as_array().unwrap() {
        assert_eq!(p["utilization"]["cpus"].as_f64().unwrap(), 1.0, "{p}");
        assert_eq!(p["fairness"]["jain"].as_f64().unwrap(), 1.0, "{p}");
    }
    // two-masters, ended half a second after a whole-second event, while
    // both partitions are busy:
    // the empty window's values are those of the last millisecond.
    let until = "until=5500ms";
    let empty = run(
        "tests/scenarios/partitions/two-masters.yaml",
        &[until, "output.window={from: 40s}"],
        "empty-window-two",
    );
    let last = run(
        "tests/scenarios/partitions/two-masters.yaml",
        &[until, "output.window={from: 5499ms}"],
        "empty-window-two-last",
    );
    let (e, l) = (&empty["partitions"], &last["partitions"]);
    assert_eq!(e.as_array().unwrap().len(), 2);
    for i in 0..2 {
        for key in ["utilization", "offered_idle", "fairness"] {
            assert_eq!(e[i][key], l[i][key], "partition {i} {key}");
        }
    }
    assert!(
        e[1]["utilization"]["cpus"].as_f64().unwrap() > 0.0,
        "{}",
        e[1]
    );
}
