//! Swarm testing: random small scenarios (nested roles, quotas,
//! reservations, every framework behaviour, scripted events) run with the
//! invariant checker on after every event, twice, with identical digests.
//! 48 cases from a fixed seed by default (CI sees the same cases every run);
//! `MESOSIM_SLOW_TESTS=1` runs 1000 from fresh random seeds.

mod common;

use mesosim::scenario::load_str;
use mesosim::sim::Options;
use proptest::prelude::*;
use std::fmt::Write;
use std::path::Path;

/// A tiny deterministic generator driven by the proptest seed.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

fn scenario(seed: u64) -> String {
    let mut g = Gen(seed);
    let roles = ["a", "b", "a/x", "a/y", "c/z", "*"];
    let mut s = String::new();
    writeln!(
        s,
        "name: swarm-{seed}\nseed: {seed}\nuntil: {}s",
        20 + g.below(60)
    )
    .unwrap();
    let sorter = g.pick(&["drf", "random"]);
    writeln!(
        s,
        "master: {{allocation_interval: {}ms, policy: {sorter}, offer_timeout: {}}}",
        200 + g.below(1800),
        g.pick(&["none", "3s", "500ms"])
    )
    .unwrap();
    writeln!(s, "roles:").unwrap();
    writeln!(s, "  - {{name: a, weight: {}, quota: {{guarantee: {{cpus: {}}}, limit: {{cpus: {}, mem: {}}}}}}}", 1 + g.below(3), g.below(4), 4 + g.below(8), 4096 + 1024 * g.below(8)).unwrap();
    writeln!(
        s,
        "  - {{name: b, weight: 2, quota: {{guarantee: {{mem: {}}}}}}}",
        512 * g.below(4)
    )
    .unwrap();
    writeln!(s, "agents:").unwrap();
    let mut total_agents = 0;
    let mut racks: Vec<&str> = Vec::new();
    for i in 0..(1 + g.below(4)) {
        let reserved = if g.below(3) == 0 {
            format!(
                ", reserved: {{{}: {{cpus: 1, mem: 512}}}}",
                g.pick(&["a", "a/x", "b", "c/z"])
            )
        } else {
            String::new()
        };
        let gpus = if g.below(5) == 0 { ", gpus: 1" } else { "" };
        let rack = g.pick(&["r1", "r2", "r3"]);
        let count = 1 + g.below(3);
        total_agents += count;
        if !racks.contains(&rack) {
            racks.push(rack);
        }
        writeln!(s, "  - {{id: ag{i}-, count: {count}, resources: {{cpus: {}, mem: {}{gpus}}}{reserved}, attributes: {{rack: {rack}}}, at: {}s}}", 1 + g.below(8), 1024 * (1 + g.below(8)), g.below(5)).unwrap();
    }
    writeln!(s, "frameworks:").unwrap();
    let frameworks = 1 + g.below(5);
    let mut holds = Vec::new();
    for i in 0..frameworks {
        // f0 is batch: generated workloads and scripted events target it.
        let behavior = if i == 0 {
            "batch"
        } else {
            g.pick(&["batch", "batch", "batch", "take-all", "decline-all", "hold"])
        };
        if behavior == "hold" {
            holds.push(i);
        }
        let role = if g.below(4) == 0 {
            format!(
                "roles: [{}, {}]",
                g.pick(&["a", "b"]),
                g.pick(&["a/x", "c/z"])
            )
        } else {
            format!("role: \"{}\"", g.pick(&roles))
        };
        let caps = if g.below(3) == 0 {
            ", capabilities: [gpu]"
        } else {
            ""
        };
        write!(
            s,
            "  - {{id: f{i}, {role}, behavior: {behavior}, refuse_seconds: {}s, at: {}s, failover_timeout: 1h{caps}",
            g.below(6),
            g.below(4)
        )
        .unwrap();
        if behavior == "take-all" {
            write!(
                s,
                ", task_duration: {}",
                g.pick(&["forever", "3s", "{exp: 2s}"])
            )
            .unwrap();
        }
        if behavior == "batch" {
            // Framework models of the workloads work, mixed in at random.
            if g.below(3) == 0 {
                write!(
                    s,
                    ", decision_time: {{per_offer: {}ms, per_task: {}ms}}",
                    g.below(800),
                    g.below(300)
                )
                .unwrap();
            }
            if g.below(3) == 0 {
                write!(s, ", gang_hold_timeout: {}s", 1 + g.below(5)).unwrap();
            }
            if g.below(4) == 0 {
                write!(s, ", abandon_after: {}", 1 + g.below(20)).unwrap();
            }
            if g.below(3) == 0 {
                write!(s, ", suppress_when_idle: true").unwrap();
            }
            if g.below(3) == 0 {
                write!(s, ", locality_wait: {}s", g.below(4)).unwrap();
            }
            write!(s, ", max_tasks_per_offer: {}, jobs: [", 1 + g.below(5)).unwrap();
            for j in 0..(1 + g.below(4)) {
                let dur = g.pick(&["2s", "{exp: 3s}", "{uniform: [1s, 5s]}", "forever"]);
                let gang = if g.below(4) == 0 { ", gang: true" } else { "" };
                let place = match g.below(6) {
                    0 => ", constraints: {rack: r1}",
                    1 => ", prefer: {rack: [r2, r3]}",
                    _ => "",
                };
                write!(s, "{{id: f{i}j{j}, submit: {}s, tasks: {}, resources: {{cpus: {}, mem: {}}}, duration: {dur}{gang}{place}}}, ", g.below(10), 1 + g.below(6), 0.5 * (1 + g.below(3)) as f64, 256 * (1 + g.below(4))).unwrap();
            }
            write!(s, "]").unwrap();
        }
        writeln!(s, "}}").unwrap();
    }
    if g.below(3) == 0 {
        // A generated stream on top of the listed jobs.
        writeln!(
            s,
            "workload:\n  - generate: {{name: g, jobs: {}, rate: {}, classes: [{{name: c, framework: f0, resources: {{cpus: 0.5, mem: 256}}, tasks: {{uniform: [1, 4]}}, duration: {{exp: 2s}}}}]}}",
            1 + g.below(40),
            1 + g.below(3)
        )
        .unwrap();
    }
    writeln!(s, "events:").unwrap();
    for _ in 0..g.below(6) {
        let at = g.below(30);
        match g.below(8) {
            0 => writeln!(s, "  - {{at: {at}s, agent_remove: ag0-1}}"),
            6 => writeln!(
                s,
                "  - {{at: {at}s, framework_disconnect: {{framework: f{}, for: {}s}}}}",
                g.below(frameworks),
                g.below(8)
            ),
            1 => writeln!(
                s,
                "  - {{at: {at}s, set_weight: {{role: b, weight: {}}}}}",
                1 + g.below(4)
            ),
            2 => writeln!(s, "  - {{at: {at}s, suppress: f0}}"),
            3 => writeln!(s, "  - {{at: {at}s, revive: f0}}"),
            4 => writeln!(
                s,
                "  - {{at: {at}s, set_quota: {{role: a, guarantee: {{cpus: {}}}}}}}",
                g.below(6)
            ),
            5 => writeln!(
                s,
                "  - {{at: {at}s, reserve: {{agent: ag0-1, role: b, resources: {{cpus: 1}}}}}}"
            ),
            _ => writeln!(
                s,
                "  - {{at: {at}s, maintenance: {{agents: [ag0-1], start: 5s, duration: 10s}}}}"
            ),
        }
        .unwrap();
    }
    partition(seed, &mut s, total_agents, racks.len() as u64, frameworks);
    faults(seed, &mut s, frameworks);
    rebalance(seed, &mut s);
    updates(seed, &mut s, &holds);
    s
}

/// Half the runs with two or more counted partitions get
/// `partitions.rebalance` (its own stream), so that agents move between
/// masters under the invariant checks (an agent's resources in exactly one
/// partition, or none while it moves), with the agent faults, drains and
/// master failovers of [`faults`] when it drew some.
fn rebalance(seed: u64, s: &mut String) {
    let mut g = Gen(seed ^ 0x6a09_e667_f3bc_c908);
    let Some(i) = s.find("partitions: {count: ") else {
        return;
    };
    let rest = &s[i + "partitions: {count: ".len()..];
    let count: u64 = rest[..rest.find('}').unwrap()].parse().unwrap();
    if count < 2 || g.below(2) == 0 {
        return;
    }
    *s = s.replacen(
        &format!("partitions: {{count: {count}}}"),
        &format!(
            "partitions: {{count: {count}, rebalance: {{every: {}s, move_cost: {}}}}}",
            1 + g.below(8),
            g.pick(&["0s", "500ms", "2s", "7s"])
        ),
        1,
    );
}

/// A third of the runs get `agent_update`s of agent ag0-1 (its total
/// growing, or shrinking below what is held there; new attributes) and,
/// with `hold` frameworks, `offer_return`s and `update_allocation`s on it.
/// Drawn from a stream of their own.
fn updates(seed: u64, s: &mut String, holds: &[u64]) {
    let mut g = Gen(seed ^ 0xd1b5_4a32_d192_ed03);
    if g.below(3) != 0 {
        return;
    }
    let mut events = String::new();
    for _ in 0..1 + g.below(6) {
        let at = g.below(30);
        let hold = (!holds.is_empty()).then(|| holds[g.below(holds.len() as u64) as usize]);
        match (g.below(6), hold) {
            (0 | 1, _) | (_, None) => writeln!(
                events,
                "  - {{at: {at}s, agent_update: {{agent: ag0-1, resources: {{cpus: {}, mem: {}}}}}}}",
                g.below(10),
                256 * g.below(20)
            ),
            (2, _) => writeln!(
                events,
                "  - {{at: {at}s, agent_update: {{agent: ag0-1, attributes: {{rack: {}}}}}}}",
                g.pick(&["r1", "r2", "r9"])
            ),
            (3, Some(f)) => writeln!(
                events,
                "  - {{at: {at}s, offer_return: {{framework: f{f}, agent: ag0-1, part: {}, refuse_seconds: {}s}}}}",
                g.pick(&["all", "reserved", "unreserved"]),
                g.below(4)
            ),
            (_, Some(f)) => writeln!(
                events,
                "  - {{at: {at}s, update_allocation: {{framework: f{f}, agent: ag0-1, {}: {{cpus: {}}}}}}}",
                g.pick(&["reserve", "unreserve", "remove"]),
                0.5 * (1 + g.below(4)) as f64
            ),
        }
        .unwrap();
    }
    *s = s.replacen("events:\n", &format!("events:\n{events}"), 1);
}

/// Half the runs get faults: random agent failures (`faults:`), short ping
/// timeouts so that detections happen within the run, scripted failures,
/// recoveries, rack failures, drains, master failovers, `on_lost: fail` for
/// some frameworks and a short failover timeout for some.
/// Drawn from a stream of their own, like [`partition`].
fn faults(seed: u64, s: &mut String, frameworks: u64) {
    let mut g = Gen(seed ^ 0x51ed_270b_2bd6_9f3c);
    if g.below(2) == 0 {
        return;
    }
    *s = s.replacen(
        "master: {",
        &format!(
            "master: {{agent_ping_timeout: {}s, max_agent_ping_timeouts: {}, ",
            1 + g.below(5),
            1 + g.below(5)
        ),
        1,
    );
    if g.below(3) != 0 {
        writeln!(
            s,
            "faults: {{agent_mtbf: {{exp: {}s}}, agent_mttr: {}}}",
            5 + g.below(40),
            g.pick(&["{exp: 10s}", "5s", "{uniform: [1s, 30s]}"])
        )
        .unwrap();
    }
    let mut events = String::new();
    if g.below(3) == 0 {
        // Master failovers (quota roles make some pause their allocator),
        // agents re-registering spread out.
        *s = s.replacen(
            "master: {",
            &format!(
                "master: {{zk_session_timeout: {}s, agent_reregister_spread: {}s, ",
                1 + g.below(10),
                g.below(20)
            ),
            1,
        );
        for _ in 0..1 + g.below(2) {
            writeln!(
                events,
                "  - {{at: {}s, master_failover: {{}}}}",
                g.below(40)
            )
            .unwrap();
        }
    }
    for _ in 0..g.below(5) {
        let at = g.below(40);
        match g.below(5) {
            4 => writeln!(
                events,
                "  - {{at: {at}s, agent_drain: {{agent: ag0-1{}}}}}",
                g.pick(&["", ", deadline: 3s", ", deadline: 20s"])
            ),
            0 | 1 => writeln!(events, "  - {{at: {at}s, agent_fail: ag0-1}}"),
            2 => writeln!(events, "  - {{at: {at}s, agent_recover: ag0-1}}"),
            _ => writeln!(
                events,
                "  - {{at: {at}s, rack_fail: {{attribute: rack, value: {}}}}}",
                g.pick(&["r1", "r2", "r3"])
            ),
        }
        .unwrap();
    }
    // A rack no agent has is an error: keep only racks that exist.
    let events: String = events
        .lines()
        .filter(|l| {
            !l.contains("rack_fail")
                || ["r1", "r2", "r3"].iter().any(|r| {
                    l.contains(&format!("value: {r}}}"))
                        && s.contains(&format!("attributes: {{rack: {r}}}"))
                })
        })
        .map(|l| format!("{l}\n"))
        .collect();
    *s = s.replacen("events:\n", &format!("events:\n{events}"), 1);
    for f in 0..frameworks {
        let batch = s
            .lines()
            .any(|l| l.contains(&format!("{{id: f{f}, ")) && l.contains("behavior: batch"));
        if g.below(3) == 0 && batch {
            *s = s.replace(
                &format!("{{id: f{f}, "),
                &format!("{{id: f{f}, on_lost: fail, "),
            );
        }
        // Some frameworks are removed when they disconnect (their tasks
        // killed, their jobs failed).
        if g.below(4) == 0 {
            let line = s
                .lines()
                .find(|l| l.contains(&format!("{{id: f{f}, ")))
                .map(str::to_string);
            if let Some(line) = line {
                let short = line.replacen(
                    "failover_timeout: 1h",
                    g.pick(&["failover_timeout: 0s", "failover_timeout: 3s"]),
                    1,
                );
                *s = s.replacen(&line, &short, 1);
            }
        }
    }
}

/// Two runs in three get `partitions:` (round-robin, or by rack), and then
/// some frameworks register with only some partitions. Drawn from a stream
/// of their own, so the rest of the scenario is what it was without them.
fn partition(seed: u64, s: &mut String, agents: u64, racks: u64, frameworks: u64) {
    let mut g = Gen(seed ^ 0x9e37_79b9_7f4a_7c15);
    let count = match g.below(3) {
        0 => return,
        1 => {
            let count = 1 + g.below(agents.min(4));
            writeln!(s, "partitions: {{count: {count}}}").unwrap();
            count
        }
        _ => {
            writeln!(s, "partitions: {{assign: {{by_attribute: rack}}}}").unwrap();
            racks
        }
    };
    for f in 0..frameworks {
        if g.below(3) != 0 {
            continue;
        }
        let list: Vec<String> = (0..count)
            .filter(|_| g.below(2) == 0)
            .map(|p| p.to_string())
            .collect();
        let list = if list.is_empty() {
            vec![g.below(count).to_string()]
        } else {
            list
        };
        *s = s.replace(
            &format!("{{id: f{f}, "),
            &format!("{{id: f{f}, partitions: [{}], ", list.join(", ")),
        );
    }
}

/// 48 cases from a fixed seed by default (1000 from fresh random seeds
/// with `MESOSIM_SLOW_TESTS=1`; `PROPTEST_RNG_SEED=N` replays one):
/// `common::proptest_config`.
fn config() -> ProptestConfig {
    common::proptest_config(48, 1000)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn random_scenarios_keep_every_invariant(seed in any::<u64>()) {
        let text = scenario(seed);
        let model = load_str(&text, "swarm.yaml", Path::new(".")).unwrap_or_else(|e| panic!("{e}\n{text}"));
        let opts = Options { seed: None, check: true };
        let mut r1 = mesosim::sim::Recorder::default();
        let (a, _) = mesosim::simulate(&model, &opts, &mut r1).unwrap_or_else(|e| panic!("{e}\n{text}"));
        let mut r2 = mesosim::sim::Recorder::default();
        let (b, _) = mesosim::simulate(&model, &opts, &mut r2).unwrap_or_else(|e| panic!("{e}\n{text}"));
        prop_assert_eq!(a.digest, b.digest);
        prop_assert_eq!(r1.records.len(), r2.records.len());
    }

    #[test]
    fn every_task_ends_in_exactly_one_state(seed in any::<u64>()) {
        let text = scenario(seed);
        let model = load_str(&text, "swarm.yaml", Path::new(".")).unwrap_or_else(|e| panic!("{e}\n{text}"));
        let opts = Options { seed: None, check: true };
        let mut rec = mesosim::sim::Recorder::default();
        let (_, summary) = mesosim::simulate(&model, &opts, &mut rec).unwrap_or_else(|e| panic!("{e}\n{text}"));
        if let Err(e) = conservation(&summary, &rec.records) {
            panic!("{e}\n{text}");
        }
    }
}

/// Conservation: the submitted tasks are finished, failed, killed, lost,
/// running or never launched (or waiting to launch again), each exactly
/// once. Checked against the task records, independently of the metric:
/// a task's last record tells finished (a `finish`) and running (a
/// `launch`, on a live agent or one failed unnoticed); a task whose last
/// record is `kill` or `lost` is killed, lost, or queued again (pending);
/// a task with no record has never launched.
fn conservation(
    summary: &mesosim::report::summary::Summary,
    records: &[mesosim::sim::Record],
) -> Result<(), String> {
    use mesosim::sim::{RecordKind, TaskRef};
    use std::collections::BTreeMap;
    let mut last: BTreeMap<(String, Option<u32>, u32), RecordKind> = BTreeMap::new();
    for r in records {
        let key = match (r.task, &r.job_name) {
            // A streamed job carries its name (its id may be reused once
            // it ended); a listed one is named by its id.
            (Some(TaskRef::Job(j, i)), name) => (
                name.as_deref()
                    .map_or_else(|| format!("#{}", j.0), str::to_string),
                None,
                i,
            ),
            (Some(TaskRef::TakeAll(f, i)), _) => (String::new(), Some(f.0), i),
            _ => continue,
        };
        match r.kind {
            RecordKind::Launch
            | RecordKind::Finish
            | RecordKind::Kill
            | RecordKind::Lost
            | RecordKind::Fail => {
                last.insert(key, r.kind);
            }
            _ => {}
        }
    }
    let count = |k: RecordKind| last.values().filter(|&&v| v == k).count() as u64;
    let t = &summary.tasks;
    let f = &t.final_state;
    let sum = f.finished + f.running + f.pending + f.killed + f.failed + f.lost;
    let checks = [
        (
            "the final states add up to the submitted tasks",
            sum,
            t.submitted,
        ),
        (
            "finished = tasks whose last record is a finish",
            f.finished,
            count(RecordKind::Finish),
        ),
        (
            "running = tasks whose last record is a launch",
            f.running,
            count(RecordKind::Launch),
        ),
        (
            "finished = finish records (each task finishes once)",
            f.finished,
            t.finished,
        ),
    ];
    for (what, got, want) in checks {
        if got != want {
            return Err(format!("{what}: {got} != {want}; {t:?}"));
        }
    }
    let bounds = [
        (
            "killed <= tasks last killed",
            f.killed,
            count(RecordKind::Kill),
        ),
        ("lost <= tasks last lost", f.lost, count(RecordKind::Lost)),
        (
            "failed <= tasks last failed",
            f.failed,
            count(RecordKind::Fail),
        ),
        (
            "never launched <= pending",
            t.submitted - last.len() as u64,
            f.pending,
        ),
    ];
    for (what, lo, hi) in bounds {
        if lo > hi {
            return Err(format!("{what}: {lo} > {hi}; {t:?}"));
        }
    }
    Ok(())
}

#[test]
fn generated_scenarios_do_work() {
    // The generator is not vacuous: across a few seeds, tasks launch,
    // offers get declined, and some runs see quota and reservations.
    let mut launched = 0;
    let mut declined = 0;
    let mut partitioned = 0;
    let mut restricted = 0;
    let mut moved = 0;
    for seed in 0..20 {
        let text = scenario(seed);
        partitioned += u32::from(text.contains("\npartitions:"));
        restricted += u32::from(text.contains(", partitions: ["));
        let model = load_str(&text, "swarm.yaml", Path::new(".")).unwrap();
        let mut rec = mesosim::sim::Recorder::default();
        let (o, _) = mesosim::simulate(
            &model,
            &Options {
                seed: None,
                check: true,
            },
            &mut rec,
        )
        .unwrap();
        launched += o.totals.tasks_launched;
        declined += o.totals.offers_declined;
        moved += o.agents_moved;
    }
    assert!(moved > 0, "no agent moved in 20 runs");
    assert!(launched > 50, "{launched}");
    assert!(declined > 50, "{declined}");
    assert!(
        partitioned >= 5 && restricted >= 2,
        "{partitioned} {restricted}"
    );
}

/// Rebalancing meets faults in the generated scenarios: some runs have
/// both `partitions.rebalance` and agent faults (random, scripted, racks)
/// or master failovers, and agents move in them, under the invariant
/// checks (docs/partitions.md, "Faults while rebalancing").
#[test]
fn rebalancing_meets_faults() {
    let (mut runs, mut moved) = (0, 0);
    for seed in 0..200 {
        let text = scenario(seed);
        let faulty = ["agent_fail", "rack_fail", "faults:", "master_failover"]
            .iter()
            .any(|k| text.contains(k));
        if !faulty || !text.contains("rebalance:") {
            continue;
        }
        let model = load_str(&text, "swarm.yaml", Path::new(".")).unwrap();
        let (o, _) = mesosim::simulate(
            &model,
            &Options {
                seed: None,
                check: true,
            },
            &mut mesosim::sim::Recorder::default(),
        )
        .unwrap_or_else(|e| panic!("seed {seed}: {e}\n{text}"));
        runs += 1;
        moved += o.agents_moved;
    }
    assert!(runs >= 5 && moved > 0, "{runs} runs, {moved} moves");
}

/// The same random scenarios under the monolithic and shared-state
/// architectures: what those refuse (quota, offer-only behaviours and
/// events, events on a `hold` framework's offers, several partitions) is
/// taken out, then an architecture with
/// random settings and per-job decision times is put in.
fn arch_scenario(seed: u64) -> String {
    let base = scenario(seed);
    let mut g = Gen(seed ^ 0x2545_f491_4f6c_dd1d);
    let mut out = String::new();
    for line in base.lines() {
        let t = line.trim_start();
        if t.starts_with("roles:")
            || t.starts_with("- {name: ")
            || t.starts_with("partitions:")
            || [
                "suppress:",
                "revive:",
                "set_quota:",
                "maintenance:",
                "offer_return:",
                "update_allocation:",
            ]
            .iter()
            .any(|k| t.starts_with("- {at:") && t.contains(k))
        {
            continue;
        }
        let mut l = line.to_string();
        // Offer-only behaviours become batch frameworks with no jobs.
        for b in ["take-all", "decline-all", "hold"] {
            l = l.replace(&format!("behavior: {b}"), "behavior: batch");
        }
        if let Some(i) = l.find(", task_duration: ") {
            l.truncate(i);
            l.push('}');
        }
        if let Some(i) = l.find(", partitions: [") {
            let j = i + l[i..].find(']').unwrap() + 1;
            l.replace_range(i..j, "");
        }
        if t.starts_with("- {id: f") && l.contains("behavior: batch") && g.below(2) == 0 {
            l = l.replacen(
                "behavior: batch",
                &format!(
                    "behavior: batch, decision_time: {{per_job: {}ms, per_task: {}ms}}",
                    g.below(2000),
                    g.below(100)
                ),
                1,
            );
            // Only one decision_time key.
            if l.matches("decision_time").count() > 1 {
                let i = l.rfind(", decision_time: {per_offer").unwrap();
                let j = i + l[i..].find('}').unwrap() + 1;
                l.replace_range(i..j, "");
            }
        }
        out.push_str(&l);
        out.push('\n');
    }
    let arch = match g.below(6) {
        0 => "monolithic".to_string(),
        1 => "{type: monolithic, queue: drf}".to_string(),
        _ => format!(
            "{{type: shared-state, conflicts: {}, transactions: {}}}",
            g.pick(&["resource-fit", "sequence-numbers"]),
            g.pick(&["incremental", "all-or-nothing"])
        ),
    };
    writeln!(out, "architecture: {arch}").unwrap();
    out
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn random_architectures_keep_every_invariant(seed in any::<u64>()) {
        let text = arch_scenario(seed);
        let model = load_str(&text, "swarm.yaml", Path::new(".")).unwrap_or_else(|e| panic!("{e}\n{text}"));
        let opts = Options { seed: None, check: true };
        let mut r1 = mesosim::sim::Recorder::default();
        let (a, _) = mesosim::simulate(&model, &opts, &mut r1).unwrap_or_else(|e| panic!("{e}\n{text}"));
        let mut r2 = mesosim::sim::Recorder::default();
        let (b, _) = mesosim::simulate(&model, &opts, &mut r2).unwrap_or_else(|e| panic!("{e}\n{text}"));
        prop_assert_eq!(a.digest, b.digest);
        prop_assert_eq!(r1.records.len(), r2.records.len());
        prop_assert_eq!(a.totals.offers_made, 0);
        if let Some(e) = central_fault_violation(&r1.records) {
            prop_assert!(false, "{}\n{}", e, text);
        }
    }
}

/// Monolithic and shared-state under faults (docs/architectures.md,
/// "Faults"): nothing is placed while there is no leading master, nor on
/// a draining agent.
fn central_fault_violation(records: &[mesosim::sim::Record]) -> Option<String> {
    use mesosim::sim::RecordKind as K;
    let mut leaderless = false;
    let mut draining = std::collections::BTreeSet::new();
    for r in records {
        match r.kind {
            K::MasterFailover => leaderless = true,
            K::MasterElected => leaderless = false,
            K::AgentDraining => {
                draining.insert(r.agent);
            }
            K::AgentRemoved | K::AgentFailed | K::AgentRecovered | K::AgentAdded => {
                draining.remove(&r.agent);
            }
            K::Launch if leaderless => return Some(format!("launch without a leader: {r:?}")),
            K::Launch if draining.contains(&r.agent) => {
                return Some(format!("launch on a draining agent: {r:?}"))
            }
            _ => {}
        }
    }
    None
}

#[test]
fn generated_architectures_do_work() {
    let mut launched = 0;
    let mut conflicts = 0;
    let mut busy = 0;
    for seed in 0..30 {
        let text = arch_scenario(seed);
        let model =
            load_str(&text, "swarm.yaml", Path::new(".")).unwrap_or_else(|e| panic!("{e}\n{text}"));
        let mut rec = mesosim::sim::Recorder::default();
        let (o, _) = mesosim::simulate(
            &model,
            &Options {
                seed: None,
                check: true,
            },
            &mut rec,
        )
        .unwrap_or_else(|e| panic!("{e}\n{text}"));
        launched += o.totals.tasks_launched;
        conflicts += o
            .schedulers
            .iter()
            .map(|s| s.conflicted_transactions)
            .sum::<u64>();
        busy += o.schedulers.iter().map(|s| s.busy_us).sum::<u64>();
    }
    assert!(launched > 50, "{launched}");
    assert!(conflicts > 0, "no conflict in 30 runs");
    assert!(busy > 0);
}

/// The slow ways a run can be asked to take (tests of fast paths).
#[derive(Clone, Copy, PartialEq)]
enum Slow {
    No,
    /// Each filter expiry an entry of its own.
    FilterExpiries,
    /// Each decline returns its resources to its agent at once.
    Declines,
    /// Every offer of a reply made into a slot before deciding.
    Slots,
    /// Every offer of a first-fit reply answered with an `Answer`.
    Answers,
    /// Every offer's charge written to its agent when the run makes it.
    Charges,
}

/// Runs `model` with the standard metrics, the slow way `slow`: the
/// outcome, summary.json's text and every record.
fn run_filter_expiries(
    model: &mesosim::scenario::Model,
    check: bool,
    slow: Slow,
) -> (mesosim::sim::Outcome, String, Vec<String>) {
    let opts = Options { seed: None, check };
    let mut metrics = mesosim::metrics::RunMetrics::new(model);
    let mut rec = mesosim::sim::Recorder::default();
    let outcome = {
        let mut tee = mesosim::sim::Tee::default();
        tee.observers.push(&mut metrics);
        tee.observers.push(&mut rec);
        let sim = mesosim::sim::Simulation::new(model, &opts);
        let sim = match slow {
            Slow::No => sim,
            Slow::FilterExpiries => sim.one_event_per_filter(),
            Slow::Declines => sim.one_decline_at_a_time(),
            Slow::Slots => sim.make_every_slot(),
            Slow::Answers => sim.answer_every_offer(),
            Slow::Charges => sim.charges_at_once(),
        };
        sim.run(&mut tee).unwrap()
    };
    let summary = mesosim::report::summary::Summary::build(model, &outcome, &metrics);
    let lines = rec
        .records
        .iter()
        .map(|r| common::record_line(model, r))
        .collect();
    (outcome, serde_json::to_string(&summary).unwrap(), lines)
}

/// Filter expiries in blocks (one queue entry for the filters one answer
/// installed with the same expiry, `src/sim/queue.rs`) change nothing: the
/// random scenarios (declines, accepts with filters, `offer_return`s,
/// revives, agent removals and faults dropping filters, partitions) and
/// slices of two benchmark scenarios give the same records, digest,
/// `events` count and summary as with one entry per filter, under the
/// invariant checks after every event (the random ones); and blocks formed.
#[test]
fn filter_expiry_blocks_change_nothing() {
    let mut joined = 0;
    for (text, model, check) in &fast_path_cases() {
        let (fast, slow) = fast_and_slow(text, model, *check, Slow::FilterExpiries);
        assert_eq!(slow.entries, slow.events, "{text}");
        joined += fast.events - fast.entries;
    }
    assert!(joined > 10_000, "{joined} events joined a block");
}

/// An answer batch's declines returning their resources to the agents
/// together, after its records and filters (`Master::decline_deferred`,
/// `settle_returns`), and taking what the declines of one (framework,
/// role) in a row owe the framework's and the role tree's sums off once
/// (`OwedSums`), change nothing: the same cases as `filter_expiry_blocks_change_nothing`
/// (random scenarios under the invariant checks after every event:
/// declines, accepts between declines, decision times, constraints,
/// offer returns, rescinds, revives, faults, partitions; slices of
/// omega-exp and scale-2k) give the same records, digest, `events`,
/// totals and summary as declining each offer wholly at once.
#[test]
fn bulk_declines_change_nothing() {
    let mut declined = 0;
    for (text, model, check) in &fast_path_cases() {
        let (fast, _) = fast_and_slow(text, model, *check, Slow::Declines);
        declined += fast.totals.offers_declined;
    }
    assert!(declined > 100_000, "{declined} offers declined");
}

/// The same as `bulk_declines_change_nothing`, with the run's metrics as
/// the only observer: they only count declines (`KindSet::OFFER_COUNTS`),
/// so a reply's declines from their ids reach them as counts merged a
/// chunk at a time (`Simulation::emit_declines`' counted branch), not as
/// records (and offers reach them as counts from `allocation_run`, whose
/// records are hashed there without an `About`). The same digest,
/// `events`, totals and summary as declining each offer wholly at once,
/// its record emitted alone, and as with every record built.
#[test]
fn counted_declines_change_nothing() {
    let mut declined = 0;
    for (text, model, check) in &fast_path_cases() {
        let (fast, fast_summary) = run_counted(model, *check, Slow::No);
        let (slow, slow_summary) = run_counted(model, *check, Slow::Declines);
        assert_eq!(fast.digest, slow.digest, "{text}");
        assert_eq!(fast.events, slow.events, "{text}");
        assert_eq!(fast.totals, slow.totals, "{text}");
        assert_eq!(fast_summary, slow_summary, "{text}");
        // And the same as with every record built (offers and declines
        // hashed and counted in bulk by `allocation_run` and
        // `emit_declines`, or through `emit` one by one).
        let (whole, whole_summary, _) = run_filter_expiries(model, *check, Slow::No);
        assert_eq!(fast.digest, whole.digest, "{text}");
        assert_eq!(fast.events, whole.events, "{text}");
        assert_eq!(fast.totals, whole.totals, "{text}");
        assert_eq!(fast_summary, whole_summary, "{text}");
        declined += fast.totals.offers_declined;
    }
    assert!(declined > 100_000, "{declined} offers declined");
}

/// A run with the run's metrics as its only observer (offers and their
/// answers counted, not built), the fast way or the `slow` way: its
/// outcome and summary.
fn run_counted(
    model: &mesosim::scenario::Model,
    check: bool,
    slow: Slow,
) -> (mesosim::sim::Outcome, String) {
    let opts = Options { seed: None, check };
    let mut metrics = mesosim::metrics::RunMetrics::new(model);
    let outcome = {
        let sim = mesosim::sim::Simulation::new(model, &opts);
        let sim = match slow {
            Slow::Declines => sim.one_decline_at_a_time(),
            _ => sim,
        };
        sim.run(&mut metrics).unwrap()
    };
    let summary = mesosim::report::summary::Summary::build(model, &outcome, &metrics);
    (outcome, serde_json::to_string(&summary).unwrap())
}

/// A first-fit batch framework answering the slots after its queue emptied
/// from their ids, without making them (`framework::decide_drawn`), changes
/// nothing: the same cases as `filter_expiry_blocks_change_nothing` give
/// the same records, digest, `events`, totals and summary as making every
/// offer of a reply into a slot first.
#[test]
fn slots_drawn_change_nothing() {
    for (text, model, check) in &fast_path_cases() {
        fast_and_slow(text, model, *check, Slow::Slots);
    }
}

/// A first-fit batch framework's offers after its queue emptied declined
/// straight from their ids, after its answers (`framework::decide_while_queued`,
/// `apply_answers`' `declines`), without an `Answer` for each, change
/// nothing: the same cases as `filter_expiry_blocks_change_nothing` give
/// the same records, digest, `events`, totals and summary as answering
/// every offer (`framework::decide_drawn`).
#[test]
fn declines_from_ids_change_nothing() {
    for (text, model, check) in &fast_path_cases() {
        fast_and_slow(text, model, *check, Slow::Answers);
    }
}

/// A run's offers declined by its own replies in the run's instant, their
/// charges taken back off their agents at the end of each visit and
/// never written (`Master::end_visit`; written again before anything else
/// reads the agents: `Master::settle_charges`, `settle_charge`), change
/// nothing: against writing every charge when the run makes it, the same
/// records, digest, `events`, totals and summary for the random scenarios
/// (offer timeouts, rescinds, maintenance and inverse offers, agent
/// removals and updates that leave agents owing, partitions with their
/// moves, master failovers, faults, decision times, `hold` frameworks,
/// offer returns) with the invariant checks after every event (which
/// settle first) and without them (where the declines find their charges
/// deferred), the same scenarios without guarantees (so that no run has a
/// stage 1, which turns the deferral off), the slices of omega-exp and
/// scale-2k, and the scenario files with maintenance, failovers, faults
/// and partitions.
#[test]
fn deferred_charges_change_nothing() {
    for (text, model, check) in &fast_path_cases() {
        fast_and_slow(text, model, *check, Slow::Charges);
    }
    for seed in 0..40u64 {
        let text = scenario(seed);
        // With the checks, the scenarios as they are ran above.
        let model = load_str(&text, "swarm.yaml", Path::new(".")).unwrap();
        fast_and_slow(&text, &model, false, Slow::Charges);
        let text = without_guarantees(&text);
        let model = load_str(&text, "swarm.yaml", Path::new(".")).unwrap();
        fast_and_slow(&text, &model, false, Slow::Charges);
        fast_and_slow(&text, &model, true, Slow::Charges);
    }
    let mut files: Vec<String> = Vec::new();
    for dir in [
        "tests/scenarios/partitions",
        "tests/scenarios/faults",
        "scenarios/mesos",
    ] {
        files.extend(
            common::files_under(&common::root().join(dir))
                .into_iter()
                .filter(|f| f.ends_with(".yaml"))
                .map(|f| format!("{dir}/{f}")),
        );
    }
    for f in [
        "tests/scenarios/offer-timeout.yaml",
        "tests/scenarios/agent-removal.yaml",
        "tests/scenarios/agent-update.yaml",
        "tests/scenarios/gang-rescinded-while-deciding.yaml",
        "tests/scenarios/framework-disconnect.yaml",
        "tests/scenarios/dynamic-reservation.yaml",
        "tests/scenarios/policy-slots.yaml",
        "scenarios/failover.yaml",
        "scenarios/quickstart.yaml",
    ] {
        files.push(f.to_string());
    }
    assert!(files.len() > 20, "{files:?}");
    for f in &files {
        let model = common::load(f);
        fast_and_slow(f, &model, false, Slow::Charges);
        fast_and_slow(f, &model, true, Slow::Charges);
    }
}

/// `text` with every quota guarantee of its roles and `set_quota` events
/// made zero (no role has one, so no run has a stage 1).
fn without_guarantees(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("guarantee: {") {
        let (head, tail) = rest.split_at(i + "guarantee: {".len());
        out.push_str(head);
        let end = tail.find('}').unwrap();
        // Each number (a run of digits and points) made one 0.
        let mut in_number = false;
        for c in tail[..end].chars() {
            let digit = c.is_ascii_digit() || c == '.';
            if !digit {
                out.push(c);
            } else if !in_number {
                out.push('0');
            }
            in_number = digit;
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// Runs a case the fast way and the `slow` way, and checks that they agree:
/// the same digest, `events`, totals, summary and records. Returns both
/// outcomes.
fn fast_and_slow(
    text: &str,
    model: &mesosim::scenario::Model,
    check: bool,
    slow: Slow,
) -> (mesosim::sim::Outcome, mesosim::sim::Outcome) {
    let (fast, fast_summary, fast_records) = run_filter_expiries(model, check, Slow::No);
    let (slow, slow_summary, slow_records) = run_filter_expiries(model, check, slow);
    assert_eq!(fast.digest, slow.digest, "{text}");
    assert_eq!(fast.events, slow.events, "{text}");
    assert_eq!(fast.totals, slow.totals, "{text}");
    assert_eq!(fast_summary, slow_summary, "{text}");
    assert!(fast_records == slow_records, "{text}");
    (fast, slow)
}

/// The random scenarios (with invariant checks) and the benchmark slices
/// the fast-path tests run both ways: (text or file, model, check).
fn fast_path_cases() -> Vec<(String, mesosim::scenario::Model, bool)> {
    let mut cases: Vec<(String, mesosim::scenario::Model, bool)> = (0..40u64)
        .map(|seed| {
            let text = scenario(seed);
            let model = load_str(&text, "swarm.yaml", Path::new(".")).unwrap();
            (text, model, true)
        })
        .collect();
    for (file, until) in [
        ("scenarios/bench/omega-exp.yaml", "40s"),
        ("scenarios/bench/scale-2k.yaml", "70s"),
    ] {
        let text = std::fs::read_to_string(common::root().join(file)).unwrap();
        let text: String = text
            .lines()
            .map(|l| match l.starts_with("until:") {
                true => format!("until: {until}\n"),
                false => format!("{l}\n"),
            })
            .collect();
        let model = load_str(&text, file, &common::root().join("scenarios/bench")).unwrap();
        cases.push((file.to_string(), model, false));
    }
    cases
}
