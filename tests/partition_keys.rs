//! The `partitions:` scenario keys (issue 10, item 1 and 2): each
//! assignment rule, explicit `agents[].partition`, `frameworks[].partitions`,
//! the quota split, the errors, and "one partition is no partition".

mod common;

use mesosim::scenario::Model;
use mesosim::sim::Options;
use mesosim::{AgentId, PartitionId};
use std::path::Path;

fn load(text: &str) -> Result<Model, String> {
    mesosim::scenario::load_str(text, "p.yaml", Path::new(".")).map_err(|e| e.to_string())
}

/// `agent name → partition` for every agent of the model.
fn placement(m: &Model) -> Vec<(String, u32)> {
    (0..m.agents.len())
        .map(|a| {
            let a = AgentId(a as u32);
            (m.agent_name(a), m.partitions.of_agent[a.index()].0)
        })
        .collect()
}

fn pairs(list: &[(&str, u32)]) -> Vec<(String, u32)> {
    list.iter().map(|(a, p)| (a.to_string(), *p)).collect()
}

const AGENTS: &str = "
agents:
  - {id: x, count: 3, resources: {cpus: 4, mem: 4096}, attributes: {rack: r2}, at: 5s}
  - {id: y, count: 2, resources: {cpus: 2, mem: 2048}, attributes: {rack: r1}}
events:
  - {at: 1s, agent_add: {id: z, resources: {cpus: 1, mem: 1024}, attributes: {rack: r3}}}
";

fn scenario(partitions: &str) -> String {
    format!("name: p\nuntil: 10s\n{partitions}\n{AGENTS}")
}

#[test]
fn round_robin_follows_registration_order() {
    // Registration order: y1, y2 (0 s), z (1 s), x1, x2, x3 (5 s).
    let m = load(&scenario("partitions: {count: 2, assign: round-robin}")).unwrap();
    assert_eq!(m.partitions.count, 2);
    assert_eq!(
        placement(&m),
        pairs(&[
            ("x1", 1),
            ("x2", 0),
            ("x3", 1),
            ("y1", 0),
            ("y2", 1),
            ("z", 0)
        ])
    );
    // `round-robin` is the default assignment.
    let d = load(&scenario("partitions: {count: 2}")).unwrap();
    assert_eq!(d.partitions, m.partitions);
}

/// FNV-1a 64, written again here so the test does not trust the code's.
fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf29ce484222325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100000001b3)
    })
}

#[test]
fn hash_is_fnv1a_of_the_agent_id() {
    let m = load(&scenario("partitions: {count: 3, assign: hash}")).unwrap();
    let want: Vec<(String, u32)> = ["x1", "x2", "x3", "y1", "y2", "z"]
        .iter()
        .map(|a| (a.to_string(), (fnv(a) % 3) as u32))
        .collect();
    assert_eq!(placement(&m), want);
}

#[test]
fn by_attribute_numbers_values_by_first_appearance() {
    let m = load(&scenario("partitions: {assign: {by_attribute: rack}}")).unwrap();
    assert_eq!(m.partitions.count, 3);
    assert_eq!(
        placement(&m),
        pairs(&[
            ("x1", 0),
            ("x2", 0),
            ("x3", 0),
            ("y1", 1),
            ("y2", 1),
            ("z", 2)
        ])
    );
    // Capacity per partition: 3 × (4, 4096), 2 × (2, 2048), (1, 1024).
    let cpus: Vec<u64> = m.partitions.capacity.iter().map(|c| c.0[0]).collect();
    assert_eq!(cpus, vec![12_000, 4_000, 1_000]);
}

#[test]
fn lists_and_explicit_partitions() {
    let text = scenario("partitions: {assign: {lists: [[x1, y1, z], [x2, x3, y2]]}}");
    let m = load(&text).unwrap();
    assert_eq!(
        placement(&m),
        pairs(&[
            ("x1", 0),
            ("x2", 1),
            ("x3", 1),
            ("y1", 0),
            ("y2", 1),
            ("z", 0)
        ])
    );
    // An explicit `partition` wins over the rule, for every copy of its entry.
    let text = scenario("partitions: {count: 2, assign: hash}").replace(
        "attributes: {rack: r1}}",
        "attributes: {rack: r1}, partition: 1}",
    );
    let m = load(&text).unwrap();
    let p = placement(&m);
    assert_eq!(p[3], ("y1".to_string(), 1));
    assert_eq!(p[4], ("y2".to_string(), 1));
}

#[test]
fn frameworks_register_with_their_partitions() {
    let text = format!(
        "{}frameworks:\n  - {{id: a}}\n  - {{id: b, partitions: [2, 0]}}\n",
        scenario("partitions: {count: 3, assign: hash}")
    );
    let m = load(&text).unwrap();
    let p = |i: usize| m.frameworks[i].partitions.clone();
    assert_eq!(p(0), vec![PartitionId(0), PartitionId(1), PartitionId(2)]);
    assert_eq!(p(1), vec![PartitionId(0), PartitionId(2)]);
}

#[test]
fn quota_is_split_by_capacity() {
    // By rack: 12, 4 and 1 cpus. A guarantee of 10 cpus = 10000 milli-cpus
    // splits 10000·12/17 = 7058.82, 10000·4/17 = 2352.94, 10000/17 = 588.24;
    // the floors 7058 + 2352 + 588 leave 2, which go to the two largest
    // remainders (.94, then .82): 7059, 2353, 588, adding up to 10000.
    let text = format!(
        "{}roles: [{{name: q, quota: {{guarantee: {{cpus: 10}}}}}}]\n",
        scenario("partitions: {assign: {by_attribute: rack}}")
    );
    let m = load(&text).unwrap();
    let q = &m.roles.iter().find(|r| r.name == "q").unwrap().quota;
    let parts: Vec<u64> = (0..3)
        .map(|p| m.partitions.split_quota(q, PartitionId(p)).guarantee.0[0])
        .collect();
    assert_eq!(parts, vec![7059, 2353, 588]);
    assert_eq!(parts.iter().sum::<u64>(), 10_000);
}

#[test]
fn bad_partition_keys_are_refused_with_their_place() {
    let cases: &[(&str, &str)] = &[
        ("partitions: {count: 0}", "at least 1"),
        ("partitions: {count: 9000}", "limit"),
        ("partitions: {count: 7}", "gets no agent"),
        (
            "partitions: {count: 2, assign: {by_attribute: rack}}",
            "makes 3 partitions",
        ),
        (
            "partitions: {assign: {by_attribute: zone}}",
            "no attribute `zone`",
        ),
        (
            "partitions: {assign: {lists: [[x1, x2, x3, y1, y2]]}}",
            "agent z is in no partition list",
        ),
        (
            "partitions: {assign: {lists: [[x1, x2, x3, y1, y2, zz]]}}",
            "did you mean `z`",
        ),
        (
            "partitions: {assign: {lists: [[x1, x1]]}}",
            "two partition lists",
        ),
        (
            "partitions: {assign: round-robbin}",
            "unknown assignment `round-robbin`",
        ),
        (
            "partitions: {assign: {by_rack: r}}",
            "unknown assignment `by_rack`",
        ),
        (
            "partitions: {count: 2, rebalance: {}}",
            "missing field `every`",
        ),
        (
            "partitions: {count: 2, rebalance: {every: 0s}}",
            "must be greater than 0",
        ),
        (
            "partitions: {count: 2, rebalance: {every: 5s, policy: greedy}}",
            "unknown rebalancing policy `greedy`",
        ),
        (
            "partitions: {count: 1, rebalance: {every: 5s}}",
            "at least two partitions",
        ),
    ];
    for (keys, want) in cases {
        let err = load(&scenario(keys)).unwrap_err();
        assert!(err.contains(want), "{keys}: {err}");
        assert!(err.contains("line"), "{keys}: no place in {err}");
    }
    let with =
        |fw: &str, parts: &str| format!("{}frameworks:\n  - {{id: f{fw}}}\n", scenario(parts));
    let err = load(&with(", partitions: [3]", "partitions: {count: 2}")).unwrap_err();
    assert!(err.contains("partition 3 does not exist"), "{err}");
    let err = load(&with(", partitions: []", "partitions: {count: 2}")).unwrap_err();
    assert!(err.contains("at least one partition"), "{err}");
    let err = load(&with(", partitions: [1, 1]", "partitions: {count: 2}")).unwrap_err();
    assert!(err.contains("listed twice"), "{err}");
    let err = load(&with(", partitions: [0]", "")).unwrap_err();
    assert!(err.contains("needs a `partitions:` section"), "{err}");
    let err = load(&scenario("").replace("rack: r1}}", "rack: r1}, partition: 0}")).unwrap_err();
    assert!(err.contains("needs a `partitions:` section"), "{err}");
}

/// Shipped scenarios too long for every test run; all of them run with
/// `MESOSIM_SLOW_TESTS=1`.
const LONG: &[&str] = &["scenarios/google-sample.yaml", "scenarios/swf-nasa.yaml"];

/// A generator spec and a scenario over the trace it generates
/// (docs/workloads.md): not runnable as they are.
const NOT_RUNNABLE: &[&str] = &[
    "scenarios/stream-10m/stream-10m.gen.yaml",
    "scenarios/stream-10m/stream-10m.yaml",
];

#[test]
fn one_partition_is_no_partition() {
    let slow = std::env::var_os("MESOSIM_SLOW_TESTS").is_some();
    let root = common::root();
    fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "yaml") {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    walk(&root.join("scenarios"), &mut files);
    files.sort();
    let mut checked = 0;
    for path in files {
        let rel = path
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .to_string();
        // Benchmarks (scenarios/bench/) take minutes: scripts/bench.sh runs them.
        if (!slow && LONG.contains(&rel.as_str()))
            || NOT_RUNNABLE.contains(&rel.as_str())
            || rel.starts_with("scenarios/bench/")
        {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            !text.contains("\npartitions:"),
            "{rel} has partitions already"
        );
        let base = path.parent().unwrap();
        let plain = mesosim::scenario::load_str(&text, &rel, base).unwrap();
        let one = format!("{text}\npartitions: {{count: 1}}\n");
        let one = mesosim::scenario::load_str(&one, &rel, base).unwrap();
        let run = |m: &Model| {
            let (o, s) =
                mesosim::simulate(m, &Options::default(), &mut mesosim::sim::Tee::default())
                    .unwrap();
            (o.digest, o.events, serde_json::to_string(&s).unwrap())
        };
        assert_eq!(run(&plain), run(&one), "{rel}");
        checked += 1;
    }
    assert!(checked >= 5, "only {checked} scenarios");
}

#[test]
fn summary_reports_each_partition() {
    // tests/scenarios/partitions/two-masters.yaml, by hand. Partition 0
    // (a1, a2: 8 cpus, 8192 mem): `everywhere` runs 4 tasks of 2 cpus and
    // 1024 mem over 0–10 s, 2 over 10–20 s, none over 20–30 s, so cpus are
    // (10·8/8 + 10·4/8 + 0)/30 = 0.5 allocated and mem (10·4096/8192 +
    // 10·2048/8192)/30 = 0.25. Partition 1 (b1, b2): 2 + 2 tasks over 0–10 s
    // and `local`'s 2 over 10–20 s: the same 0.5 and 0.25. Offers are
    // answered at once, so nothing is offered for any time.
    let m = common::load("tests/scenarios/partitions/two-masters.yaml");
    let (_, summary) =
        mesosim::simulate(&m, &Options::default(), &mut mesosim::sim::Tee::default()).unwrap();
    let v = serde_json::to_value(&summary).unwrap();
    let parts = v["partitions"].as_array().unwrap();
    assert_eq!(parts.len(), 2);
    for (p, part) in parts.iter().enumerate() {
        assert_eq!(part["partition"], p);
        assert_eq!(part["agents"], 2);
        assert_eq!(part["utilization"]["cpus"], 0.5);
        assert_eq!(part["utilization"]["mem"], 0.25);
        assert_eq!(part["offered_idle"]["cpus"], 0.0);
    }
    // One partition: no `partitions` key at all.
    let one = common::load("scenarios/quickstart.yaml");
    let (_, summary) =
        mesosim::simulate(&one, &Options::default(), &mut mesosim::sim::Tee::default()).unwrap();
    assert!(serde_json::to_value(&summary)
        .unwrap()
        .get("partitions")
        .is_none());
}

/// Each assignment rule in a run, not only in the model: with a framework
/// that declines everything (so every agent is offered again and again),
/// every offer of the run comes from the partition the rule gives the
/// agent — the pinned placements of the tests above, including `z`, which
/// an `agent_add` event brings at 1 s — and every agent is offered.
#[test]
fn each_rule_places_agents_in_the_run() {
    let cases: &[(&str, &[(&str, u32)])] = &[
        (
            "partitions: {count: 2, assign: round-robin}",
            &[
                ("x1", 1),
                ("x2", 0),
                ("x3", 1),
                ("y1", 0),
                ("y2", 1),
                ("z", 0),
            ],
        ),
        (
            "partitions: {assign: {by_attribute: rack}}",
            &[
                ("x1", 0),
                ("x2", 0),
                ("x3", 0),
                ("y1", 1),
                ("y2", 1),
                ("z", 2),
            ],
        ),
        (
            "partitions: {assign: {lists: [[x1, y1, z], [x2, x3, y2]]}}",
            &[
                ("x1", 0),
                ("x2", 1),
                ("x3", 1),
                ("y1", 0),
                ("y2", 1),
                ("z", 0),
            ],
        ),
    ];
    let hash: Vec<(String, u32)> = ["x1", "x2", "x3", "y1", "y2", "z"]
        .iter()
        .map(|a| (a.to_string(), (fnv(a) % 3) as u32))
        .collect();
    let mut all: Vec<(String, Vec<(String, u32)>)> = cases
        .iter()
        .map(|(p, want)| (p.to_string(), pairs(want)))
        .collect();
    all.push(("partitions: {count: 3, assign: hash}".into(), hash));
    // Explicit `partition` on the y entry over round-robin.
    all.push((
        "partitions: {count: 2, assign: round-robin}".into(),
        pairs(&[
            ("x1", 1),
            ("x2", 0),
            ("x3", 1),
            ("y1", 1),
            ("y2", 1),
            ("z", 0),
        ]),
    ));
    for (k, (partitions, want)) in all.iter().enumerate() {
        let mut text = format!(
            "{}frameworks:\n  - {{id: f, behavior: decline-all}}\n",
            scenario(partitions)
        );
        if k == all.len() - 1 {
            text = text.replace(
                "attributes: {rack: r1}}",
                "attributes: {rack: r1}, partition: 1}",
            );
        }
        let m = load(&text).unwrap();
        let mut rec = mesosim::sim::Recorder::default();
        let options = Options {
            seed: None,
            check: true,
        };
        mesosim::simulate(&m, &options, &mut rec).unwrap();
        let mut seen: Vec<(String, u32)> = rec
            .records
            .iter()
            .filter(|r| r.kind == mesosim::sim::RecordKind::Offer)
            .map(|r| (m.agent_name(r.agent.unwrap()), r.partition.0))
            .collect();
        seen.sort();
        seen.dedup();
        assert_eq!(&seen, want, "{partitions}");
    }
}
