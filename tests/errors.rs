//! Every class of bad input gives exit code 2 and a message naming the file
//! and, where there is one, the line and column. Nothing panics.

mod common;

struct Case {
    name: &'static str,
    text: &'static str,
    /// Words the message must contain.
    says: &'static [&'static str],
    /// Expected "line L" in the message (0: no line expected).
    line: usize,
}

const CASES: &[Case] = &[
    Case { name: "syntax", text: "name: t\nagents:\n  - {id: a, resources: {cpus: 1\n", says: &[], line: 4 },
    Case { name: "unknown-key", text: "name: t\nagentz: []\n", says: &["unknown field `agentz`", "did you mean `agents`"], line: 2 },
    Case { name: "unknown-nested-key", text: "name: t\nagents:\n  - {id: a, resources: {cpus: 1}, atributes: {}}\n", says: &["atributes", "did you mean `attributes`"], line: 3 },
    Case { name: "bad-unit", text: "name: t\nuntil: 5 fortnights\n", says: &["unknown unit"], line: 2 },
    Case { name: "over-precise-duration", text: "name: t\nuntil: 0.0000001\n", says: &["microseconds"], line: 2 },
    Case { name: "negative-duration", text: "name: t\nuntil: -5\n", says: &["negative"], line: 2 },
    Case { name: "negative-resource", text: "name: t\nagents:\n  - {id: a, resources: {cpus: -1, mem: 10}}\n", says: &["negative"], line: 3 },
    Case { name: "over-precise-resource", text: "name: t\nagents:\n  - {id: a, resources: {cpus: 0.0001, mem: 10}}\n", says: &["3 decimals"], line: 3 },
    Case { name: "no-name", text: "agents: []\n", says: &["name"], line: 1 },
    Case { name: "duplicate-agent", text: "name: t\nagents:\n  - {id: a, resources: {cpus: 1}}\n  - {id: a, resources: {cpus: 1}}\n", says: &["used twice"], line: 4 },
    Case { name: "duplicate-counted-agent", text: "name: t\nagents:\n  - {id: n, count: 12, resources: {cpus: 1}}\n  - {id: n1, count: 3, resources: {cpus: 1}}\n", says: &["n11", "used twice"], line: 4 },
    Case { name: "duplicate-framework", text: "name: t\nframeworks:\n  - {id: f}\n  - {id: f}\n", says: &["used twice"], line: 4 },
    Case { name: "duplicate-job", text: "name: t\nframeworks:\n  - id: f\n    jobs:\n      - {id: j, resources: {cpus: 1}, duration: 1s}\n      - {id: j, resources: {cpus: 1}, duration: 1s}\n", says: &["used twice"], line: 6 },
    Case { name: "unknown-agent", text: "name: t\nagents:\n  - {id: a1, resources: {cpus: 1}}\nevents:\n  - {at: 1s, agent_remove: a2}\n", says: &["no agent `a2`", "did you mean `a1`"], line: 5 },
    Case { name: "unknown-framework", text: "name: t\nframeworks:\n  - {id: spark}\nevents:\n  - {at: 1s, suppress: sprak}\n", says: &["no framework `sprak`", "did you mean `spark`"], line: 5 },
    Case { name: "absurd-agents", text: "name: t\nagents:\n  - {id: a, count: 1000000000, resources: {cpus: 1}}\n", says: &["limit"], line: 3 },
    Case { name: "absurd-tasks", text: "name: t\nframeworks:\n  - id: f\n    jobs:\n      - {tasks: 20000000, resources: {cpus: 1}, duration: 1s}\n", says: &["limit"], line: 5 },
    Case { name: "never-ends", text: "name: t\nframeworks:\n  - {id: f, behavior: take-all}\n", says: &["never end", "until"], line: 1 },
    Case { name: "forever-no-until", text: "name: t\nframeworks:\n  - id: f\n    jobs:\n      - {resources: {cpus: 1}, duration: forever}\n", says: &["never end"], line: 1 },
    Case { name: "hold-no-until", text: "name: t\nframeworks:\n  - {id: f, behavior: hold}\n", says: &["never end", "hold"], line: 1 },
    Case { name: "endless-runs", text: "name: t\nuntil: 100000d\nmaster: {allocation_interval: 1us}\n", says: &["periodic allocation runs", "refused"], line: 2 },
    Case { name: "endless-samples", text: "name: t\nuntil: 100000d\noutput: {sample_interval: 1ms}\n", says: &["samples", "refused"], line: 2 },
    Case { name: "bad-architecture", text: "name: t\narchitecture: omega\n", says: &["unknown architecture `omega`", "shared-state"], line: 2 },
    Case { name: "bad-conflict-mode", text: "name: t\narchitecture:\n  type: shared-state\n  conflicts: seqnums\n", says: &["unknown conflict detection `seqnums`", "sequence-numbers"], line: 4 },
    Case { name: "queue-not-shared-state", text: "name: t\narchitecture: {type: shared-state, queue: drf}\n", says: &["`queue` does not apply"], line: 2 },
    Case { name: "arch-refuses-take-all", text: "name: t\nuntil: 1m\narchitecture: monolithic\nframeworks:\n  - {id: f, behavior: take-all}\n", says: &["behavior `take-all`", "monolithic", "Mesos offers"], line: 5 },
    Case { name: "arch-refuses-partitions", text: "name: t\narchitecture: shared-state\npartitions: {count: 2}\nagents:\n  - {id: a, count: 2}\n", says: &["more than one partition"], line: 3 },
    Case { name: "arch-refuses-quota", text: "name: t\narchitecture: monolithic\nroles:\n  - {name: a, quota: {guarantee: {cpus: 1}}}\n", says: &["quota"], line: 4 },
    Case { name: "bad-behavior", text: "name: t\nframeworks:\n  - {id: f, behavior: take_all}\n", says: &["unknown behavior", "did you mean `take-all`"], line: 3 },
    Case { name: "bad-role", text: "name: t\nframeworks:\n  - {id: f, role: \"a//b\"}\n", says: &["empty path segment"], line: 3 },
    Case { name: "per-partition-quota-count", text: "name: t\npartitions: {count: 2}\nagents:\n  - {id: a, count: 2, resources: {cpus: 1}}\nroles:\n  - name: r\n    quota:\n      per_partition: [{guarantee: {cpus: 1}}, {}, {}]\n", says: &["`per_partition` has 3 entries", "2 partitions"], line: 8 },
    Case { name: "per-partition-quota-no-partitions", text: "name: t\nroles:\n  - {name: r, quota: {per_partition: [{guarantee: {cpus: 1}}]}}\n", says: &["needs a `partitions:` section"], line: 3 },
    Case { name: "per-partition-quota-mixed", text: "name: t\npartitions: {count: 2}\nagents:\n  - {id: a, count: 2, resources: {cpus: 1}}\nroles:\n  - name: r\n    quota:\n      guarantee: {cpus: 1}\n      per_partition: [{}, {}]\n", says: &["either `guarantee`/`limit`", "not both"], line: 9 },
    Case { name: "per-partition-set-quota-count", text: "name: t\npartitions: {count: 2}\nagents:\n  - {id: a, count: 2, resources: {cpus: 1}}\nevents:\n  - {at: 1s, set_quota: {role: r, per_partition: [{}]}}\n", says: &["`per_partition` has 1 entry", "2 partitions"], line: 6 },
    Case { name: "per-partition-quota-over-limit", text: "name: t\npartitions: {count: 2}\nagents:\n  - {id: a, count: 2, resources: {cpus: 1}}\nroles:\n  - name: r\n    quota:\n      per_partition:\n        - {}\n        - {guarantee: {cpus: 2}, limit: {cpus: 1}}\n", says: &["cannot exceed its limit"], line: 10 },
    Case { name: "quota-on-subrole", text: "name: t\nroles:\n  - {name: a/b, quota: {limit: {cpus: 1}}}\n", says: &["top-level"], line: 3 },
    Case { name: "zero-weight", text: "name: t\nroles:\n  - {name: a, weight: 0}\n", says: &["positive"], line: 3 },
    Case { name: "empty-file", text: "", says: &["empty"], line: 1 },
    Case { name: "not-a-map", text: "- 1\n- 2\n", says: &[], line: 1 },
    Case { name: "rack-nobody", text: "name: t\nagents:\n  - {id: a, attributes: {rack: r1}}\nevents:\n  - {at: 1s, rack_fail: {attribute: rack, value: r2}}\n", says: &["no agent has the attribute `rack: r2`"], line: 5 },
    Case { name: "on-lost-unknown", text: "name: t\nframeworks:\n  - {id: f, on_lost: retry}\n", says: &["unknown on_lost `retry`", "requeue or fail"], line: 3 },
    Case { name: "ping-timeout-range", text: "name: t\nmaster: {agent_ping_timeout: 20m}\n", says: &["between 1s and 15m"], line: 2 },
    Case { name: "failover-partition-missing", text: "name: t\nagents:\n  - {id: a, count: 2}\npartitions: {count: 2}\nevents:\n  - {at: 1s, master_failover: {partition: 2}}\n", says: &["partition 2 does not exist", "the run has 2"], line: 6 },
    Case { name: "failover-unknown-key", text: "name: t\nevents:\n  - {at: 1s, master_failover: {partiton: 0}}\n", says: &["partiton"], line: 3 },
    Case { name: "drain-unknown-agent", text: "name: t\nagents:\n  - {id: a}\nevents:\n  - {at: 1s, agent_drain: {agent: b}}\n", says: &["agent `b`"], line: 5 },
    Case { name: "zk-session-zero", text: "name: t\nmaster: {zk_session_timeout: 0s}\n", says: &["must be greater than 0"], line: 2 },
    Case { name: "fault-mtbf-zero", text: "name: t\nagents:\n  - {id: a}\nfaults: {agent_mtbf: 0s, agent_mttr: 1s}\n", says: &["`agent_mtbf` must have a mean above 0"], line: 4 },
    Case { name: "fault-agent-unknown", text: "name: t\nagents:\n  - {id: a}\nfaults: {agent_mtbf: 1s, agent_mttr: 1s, agents: [b]}\n", says: &["no agent `b`"], line: 4 },
    Case { name: "disconnect-unknown", text: "name: t\nframeworks:\n  - {id: spark, failover_timeout: 1h}\nevents:\n  - {at: 1s, framework_disconnect: {framework: sprak, for: 10s}}\n", says: &["no framework `sprak`"], line: 5 },
    Case { name: "deadline-zero", text: "name: t\nframeworks:\n  - id: f\n    jobs:\n      - {resources: {cpus: 1}, duration: 1s, deadline: 0s}\n", says: &["deadline must be longer than 0s"], line: 5 },
    Case { name: "deadline-bonus-negative", text: "name: t\nmaster: {policy: auction}\nframeworks:\n  - {id: f, valuation: {deadline_bonus: -1}}\n", says: &["from 0 to 10^12"], line: 4 },
    Case { name: "disconnect-no-for", text: "name: t\nframeworks:\n  - {id: f, failover_timeout: 1h}\nevents:\n  - {at: 1s, framework_disconnect: {framework: f}}\n", says: &["for"], line: 5 },
    Case { name: "whitelist-unknown-agent", text: "name: t\nagents:\n  - {id: agent}\nevents:\n  - {at: 1s, whitelist: [agnet]}\n", says: &["no agent `agnet`", "did you mean `agent`"], line: 5 },
    Case { name: "whitelist-bad-word", text: "name: t\nagents:\n  - {id: agent}\nevents:\n  - {at: 1s, whitelist: none}\n", says: &["list of agent ids or `all`"], line: 5 },
    Case { name: "whitelist-map", text: "name: t\nagents:\n  - {id: agent}\nevents:\n  - {at: 1s, whitelist: {agent: x}}\n", says: &["list of agent ids or `all`"], line: 5 },
    Case { name: "repeated-key", text: "name: t\nseed: 1\nseed: 2\n", says: &["duplicate field `seed`"], line: 3 },
    Case { name: "repeated-nested-key", text: "name: t\nagents:\n  - id: a\n    resources: {cpus: 1}\n    id: b\n", says: &["duplicate field `id`"], line: 5 },
    Case { name: "return-not-hold", text: "name: t\nagents:\n  - {id: a}\nframeworks:\n  - {id: f}\nevents:\n  - {at: 1s, offer_return: {framework: f, agent: a}}\n", says: &["framework `f` is `batch`", "only a `hold` framework"], line: 7 },
    Case { name: "return-bad-part", text: "name: t\nuntil: 2s\nagents:\n  - {id: a}\nframeworks:\n  - {id: f, behavior: hold}\nevents:\n  - {at: 1s, offer_return: {framework: f, agent: a, part: half}}\n", says: &["`half` is not a part of an offer"], line: 8 },
    Case { name: "return-bad-role", text: "name: t\nuntil: 2s\nagents:\n  - {id: a}\nframeworks:\n  - {id: f, role: r, behavior: hold}\nevents:\n  - {at: 1s, offer_return: {framework: f, agent: a, role: s}}\n", says: &["not subscribed to role `s`"], line: 8 },
    Case { name: "update-allocation-two-ops", text: "name: t\nuntil: 2s\nagents:\n  - {id: a}\nframeworks:\n  - {id: f, role: r, behavior: hold}\nevents:\n  - {at: 1s, update_allocation: {framework: f, agent: a, reserve: {cpus: 1}, remove: {cpus: 1}}}\n", says: &["exactly one of `reserve`, `unreserve` and `remove`"], line: 8 },
    Case { name: "update-allocation-nothing", text: "name: t\nuntil: 2s\nagents:\n  - {id: a}\nframeworks:\n  - {id: f, role: r, behavior: hold}\nevents:\n  - {at: 1s, update_allocation: {framework: f, agent: a, reserve: {cpus: 0}}}\n", says: &["names no resources"], line: 8 },
    Case { name: "agent-update-empty", text: "name: t\nagents:\n  - {id: a}\nevents:\n  - {at: 1s, agent_update: {agent: a}}\n", says: &["needs `resources`, `reserved` or `attributes`"], line: 5 },
    Case { name: "agent-update-unknown", text: "name: t\nagents:\n  - {id: a}\nevents:\n  - {at: 1s, agent_update: {agent: b, resources: {cpus: 1}}}\n", says: &["no agent `b`"], line: 5 },
    Case { name: "agent-update-reserve-star", text: "name: t\nagents:\n  - {id: a}\nevents:\n  - {at: 1s, agent_update: {agent: a, reserved: {\"*\": {cpus: 1}}}}\n", says: &["simply unreserved"], line: 5 },
    Case { name: "two-actions", text: "name: t\nframeworks:\n  - {id: f}\nevents:\n  - {at: 1s, suppress: f, revive: f}\n", says: &["exactly one action"], line: 5 },
    Case { name: "huge-number", text: "name: t\nagents:\n  - {id: a, resources: {cpus: 1e300}}\n", says: &["too large"], line: 3 },
    Case { name: "unknown-preset", text: "name: t\nframeworks:\n  - {id: f, preset: hadop}\n", says: &["unknown preset `hadop`", "did you mean `hadoop`"], line: 3 },
    Case { name: "preset-take-all", text: "name: t\nuntil: 1m\nframeworks:\n  - {id: f, preset: spark, behavior: take-all}\n", says: &["presets describe `batch`"], line: 4 },
    Case { name: "zero-gang-hold", text: "name: t\nframeworks:\n  - {id: f, gang_hold_timeout: 0s}\n", says: &["greater than 0"], line: 3 },
    Case { name: "zero-abandon", text: "name: t\nframeworks:\n  - {id: f, abandon_after: 0}\n", says: &["at least 1"], line: 3 },
    Case { name: "decision-time-key", text: "name: t\nframeworks:\n  - {id: f, decision_time: {per_jobs: 1s}}\n", says: &["unknown field `per_jobs`", "per_job"], line: 3 },
    Case { name: "idle-take-all", text: "name: t\nuntil: 1m\nframeworks:\n  - {id: f, behavior: take-all, suppress_when_idle: true}\n", says: &["for `batch` frameworks"], line: 4 },
    Case { name: "bad-constraint", text: "name: t\nframeworks:\n  - id: f\n    jobs:\n      - {resources: {cpus: 1}, duration: 1s, constraints: {rack: \"a=b\"}}\n", says: &["constraints cannot"], line: 5 },
    Case { name: "lognormal-no-median", text: "name: t\nframeworks:\n  - id: f\n    jobs:\n      - {resources: {cpus: 1}, duration: {lognormal: {sigma: 1}}}\n", says: &["needs `median`"], line: 5 },
    Case { name: "trace-and-generate", text: "name: t\nworkload:\n  - {trace: a.csv, generate: {rate: 1, classes: []}}\n", says: &["either `trace` or `generate`"], line: 3 },
    Case { name: "generate-no-rate", text: "name: t\nuntil: 1h\nframeworks:\n  - {id: f}\nworkload:\n  - generate: {classes: [{name: c, framework: f, resources: {cpus: 1}, duration: 1s}]}\n", says: &["`rate"], line: 6 },
    Case { name: "generate-no-end", text: "name: t\nframeworks:\n  - {id: f}\nworkload:\n  - generate: {rate: 1, classes: [{name: c, framework: f, resources: {cpus: 1}, duration: 1s}]}\n", says: &["`jobs: N` or an `until`"], line: 5 },
    Case { name: "generate-framework", text: "name: t\nframeworks:\n  - {id: f}\nworkload:\n  - generate: {jobs: 5, rate: 1, classes: [{name: c, framework: g, resources: {cpus: 1}, duration: 1s}]}\n", says: &["no framework `g`"], line: 5 },
    Case { name: "generate-bad-dist", text: "name: t\nframeworks:\n  - {id: f}\nworkload:\n  - generate: {jobs: 5, rate: 1, classes: [{name: c, framework: f, resources: {cpus: 1}, duration: {weibull: 1s}}]}\n", says: &["unknown distribution `weibull`"], line: 5 },
    Case { name: "generate-empirical-missing", text: "name: t\nframeworks:\n  - {id: f}\nworkload:\n  - generate: {jobs: 5, interarrival: {empirical: gaps.txt}, classes: [{name: c, framework: f, resources: {cpus: 1}, duration: 1s}]}\n", says: &["gaps.txt", "cannot read"], line: 5 },
    Case { name: "generate-key-for-trace", text: "name: t\nframeworks:\n  - {id: f}\nworkload:\n  - {generate: {jobs: 5, rate: 1, classes: [{name: c, framework: f, resources: {cpus: 1}, duration: 1s}]}, open_end: skip}\n", says: &["`open_end` does not apply to a generator"], line: 5 },
    Case { name: "bad-minutes-uniform", text: "name: t\nframeworks:\n  - {id: f}\nworkload:\n  - generate: {jobs: 5, rate: 1, classes: [{name: c, framework: f, tasks: {uniform: [5, 2]}, resources: {cpus: 1}, duration: 1s}]}\n", says: &["low <= high"], line: 5 },
    Case { name: "running-framework-later", text: "name: t\nuntil: 1s\nframeworks:\n  - {id: f, behavior: hold, at: 0.5s}\nagents:\n  - id: a\n    resources: {cpus: 1}\n    running: [{framework: f, resources: {cpus: 1}}]\n", says: &["registers at 0.500000s", "not before the agent"], line: 8 },
    Case { name: "running-too-much", text: "name: t\nuntil: 1s\nframeworks:\n  - {id: f, behavior: hold}\nevents:\n  - at: 1s\n    agent_add:\n      id: a\n      resources: {cpus: 1}\n      running: [{framework: f, resources: {cpus: 2}}]\n", says: &["more than the agent has"], line: 10 },
    Case { name: "running-forever-no-until", text: "name: t\nframeworks:\n  - {id: f}\nevents:\n  - {at: 1s, agent_add: {id: a, resources: {cpus: 1}, running: [{framework: f, resources: {cpus: 1}}]}}\n", says: &["never end", "without `for`"], line: 1 },
    Case { name: "bad-min-allocatable", text: "name: t\nmaster: {min_allocatable: [\"cpus=1\"]}\n", says: &["NAME:AMOUNT"], line: 2 },
];

#[test]
fn bad_inputs_exit_2_with_a_place() {
    let dir = common::tmp("errors");
    let mut failures = Vec::new();
    for case in CASES {
        let file = dir.join(format!("{}.yaml", case.name));
        std::fs::write(&file, case.text).unwrap();
        for cmd in ["validate", "run"] {
            let out = common::bin()
                .arg(cmd)
                .arg(&file)
                .arg("--quiet")
                .current_dir(&dir)
                .output()
                .unwrap();
            let out = if cmd == "validate" {
                common::bin()
                    .arg(cmd)
                    .arg(&file)
                    .current_dir(&dir)
                    .output()
                    .unwrap()
            } else {
                out
            };
            let err = String::from_utf8_lossy(&out.stderr).to_string();
            let code = out.status.code();
            let mut why = Vec::new();
            if code != Some(2) {
                why.push(format!("exit {code:?}"));
            }
            if err.contains("panicked") || err.contains("internal error") {
                why.push("panicked".to_string());
            }
            if !err.contains(&format!("{}.yaml", case.name)) {
                why.push("no file name".to_string());
            }
            if case.line > 0 && !err.contains(&format!("line {},", case.line)) {
                why.push(format!("no `line {}`", case.line));
            }
            for w in case.says {
                if !err.contains(w) {
                    why.push(format!("does not say `{w}`"));
                }
            }
            if !why.is_empty() {
                failures.push(format!(
                    "{} ({cmd}): {}\n  {}",
                    case.name,
                    why.join(", "),
                    err.trim()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn errors_in_trace_files_name_the_trace() {
    let dir = common::tmp("trace-errors");
    std::fs::write(
        dir.join("day.yaml"),
        "jobs:\n  - {framework: f, resources: {cpus: 1}, duration: 5 parsecs}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("s.yaml"),
        "name: t\nframeworks:\n  - {id: f}\nworkload:\n  - {trace: day.yaml}\n",
    )
    .unwrap();
    let out = common::bin()
        .args(["validate", "s.yaml"])
        .current_dir(&dir)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("day.yaml:2:"), "{err}");
    std::fs::write(
        dir.join("s2.yaml"),
        "name: t\nframeworks:\n  - {id: f}\nworkload:\n  - {trace: missing.yaml}\n",
    )
    .unwrap();
    let out = common::bin()
        .args(["validate", "s2.yaml"])
        .current_dir(&dir)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("s2.yaml:5:") && err.contains("missing.yaml"),
        "{err}"
    );
}

#[test]
fn bad_flags_exit_2() {
    for args in [
        vec!["run"],
        vec!["run", "x.yaml", "--seed", "abc"],
        vec!["frobnicate"],
        vec!["validate"],
    ] {
        let out = common::run_bin(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
    let out = common::run_bin(&["run", "does-not-exist.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("does-not-exist.yaml"));
}

#[test]
fn validate_accepts_the_shipped_scenarios() {
    let out = common::run_bin(&[
        "validate",
        "scenarios/quickstart.yaml",
        "scenarios/drf-paper.yaml",
        "scenarios/mesos/1-unreserved-drf.yaml",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

mod fuzz {
    use proptest::prelude::*;
    use std::path::Path;

    const TOKENS: &[&str] = &[
        "-1",
        "0",
        "1e309",
        "0.0001",
        "forever",
        "{",
        "}",
        "[",
        "]",
        ":",
        "- ",
        "\n",
        "  ",
        "\"",
        "'",
        "*",
        "&a",
        "*a",
        "!!str",
        "null",
        "{exp: -1}",
        "{uniform: [5s, 1s]}",
        "99999999999999999999",
        "1.5.5",
        "5 fortnights",
        "agents",
        "roles",
        "a//b",
        "~",
        "\t",
    ];

    proptest! {
        #![proptest_config(crate::common::proptest_config(300, 3000))]

        /// Mangled scenario text never panics the loader: it loads or it
        /// gives an error with a place.
        #[test]
        fn mangled_scenarios_never_panic(edits in proptest::collection::vec((0usize..10_000, 0usize..30, 0usize..TOKENS.len()), 1..6), which in 0usize..4) {
            let files = ["scenarios/quickstart.yaml", "scenarios/mesos/10-multi-role-suppress.yaml", "tests/scenarios/dynamic-reservation.yaml", "scenarios/synthetic-mixed.yaml"];
            let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
            let path = root.join(files[which]);
            let mut text = std::fs::read_to_string(&path).unwrap();
            for (at, len, tok) in edits {
                let mut start = at % (text.len() + 1);
                while !text.is_char_boundary(start) { start -= 1; }
                let mut end = (start + len).min(text.len());
                while !text.is_char_boundary(end) { end -= 1; }
                text.replace_range(start..end, TOKENS[tok]);
            }
            let base = path.parent().unwrap_or(Path::new("."));
            if let Err(e) = mesosim::scenario::load_str(&text, "mangled.yaml", base) {
                prop_assert!(e.line.is_some(), "no line in: {e}");
            }
        }
    }
}
