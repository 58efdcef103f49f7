//! A library user's ordering policy, defined outside `src/` against the
//! public `SortPolicy` trait, registered by name and run from a scenario
//! that names it in `master.policy` (issue 8).

mod common;

use mesosim::policy::{Registry, SortClient, SortCx, SortPolicy};
use mesosim::scenario::resolve::load_str_with;
use mesosim::sim::{Options, Recorder};
use std::path::Path;

/// The opposite of DRF: the client holding the largest dominant share is
/// offered to first (ties as usual: allocation count, then name).
#[derive(Debug)]
struct RichestFirst;

impl SortPolicy for RichestFirst {
    fn name(&self) -> &str {
        "richest-first"
    }
    fn key(&self, client: &SortClient<'_>, cx: &SortCx<'_>) -> f64 {
        -cx.dominant_share(client.allocation) / client.weight
    }
}

/// Four one-CPU agents; two frameworks in one role, each with four
/// one-CPU tasks that run for an hour.
const SCENARIO: &str = "
name: custom-policy
seed: 1
until: 10s
master: {policy: POLICY}
agents:
  - {id: a, count: 4, resources: {cpus: 1, mem: 1024}}
frameworks:
  - id: fa
    jobs: [{id: ja, tasks: 4, resources: {cpus: 1, mem: 512}, duration: 1h}]
  - id: fb
    jobs: [{id: jb, tasks: 4, resources: {cpus: 1, mem: 512}, duration: 1h}]
";

fn registry() -> Registry {
    let mut r = Registry::builtin();
    r.register(RichestFirst).unwrap();
    r
}

/// Launches per framework by the end of the run.
fn launches(policy: &str) -> (usize, usize) {
    let text = SCENARIO.replace("POLICY", policy);
    let model = load_str_with(&text, "custom.yaml", Path::new("."), &registry())
        .unwrap_or_else(|e| panic!("{e}"));
    let mut rec = Recorder::default();
    let options = Options {
        seed: None,
        check: true,
    };
    mesosim::simulate(&model, &options, &mut rec).unwrap();
    let lines: Vec<String> = rec
        .records
        .iter()
        .map(|r| common::record_line(&model, r))
        .collect();
    let count = |fw: &str| {
        lines
            .iter()
            .filter(|l| l.contains(" launch ") && l.contains(&format!(" {fw} ")))
            .count()
    };
    (count("fa"), count("fb"))
}

#[test]
fn a_policy_defined_outside_the_crate_runs_by_name() {
    // DRF alternates between the two frameworks: two agents each.
    assert_eq!(launches("drf"), (2, 2));
    // Richest-first: once `fa` (first by name) holds one agent it is the
    // richest, so it is offered every agent.
    assert_eq!(launches("richest-first"), (4, 0));
}

#[test]
fn unknown_policy_names_come_from_the_registry() {
    let text = SCENARIO.replace("POLICY", "richest-frist");
    let err = load_str_with(&text, "custom.yaml", Path::new("."), &registry()).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("unknown policy `richest-frist`"), "{msg}");
    assert!(
        msg.contains("(drf, random, fifo, priority, asset-fair, single-resource, slots, lottery, richest-first or auction)"),
        "{msg}"
    );
    assert!(msg.contains("did you mean `richest-first`?"), "{msg}");
    assert_eq!(err.line, Some(5), "{msg}");
    // Without registering it, the built-in registry does not know it.
    let text = SCENARIO.replace("POLICY", "richest-first");
    let err = mesosim::scenario::load_str(&text, "custom.yaml", Path::new(".")).unwrap_err();
    assert!(
        err.to_string().contains(
            "(drf, random, fifo, priority, asset-fair, single-resource, slots, lottery or auction)"
        ),
        "{err}"
    );
}

#[test]
fn per_level_sorters_take_registered_policies() {
    let text = SCENARIO.replace("{policy: POLICY}", "{framework_sorter: richest-first}");
    let model = load_str_with(&text, "custom.yaml", Path::new("."), &registry()).unwrap();
    assert_eq!(model.master.framework_sorter.name(), "richest-first");
    assert_eq!(model.master.role_sorter.name(), "drf");
}
