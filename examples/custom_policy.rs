//! A policy defined in a library user's own code (docs/policies.md): a
//! whole-allocator policy that offers each agent to the client whose
//! pending tasks fill most of it ("best fit"), registered by name and run
//! on a scenario that selects it with `master.policy: best-fit`.
//!
//! ```sh
//! cargo run --release --example custom_policy
//! ```

use mesosim::policy::whole::{fit_pending, take_fitting, Grant, PartitionView, WholePolicy};
use mesosim::policy::Registry;
use mesosim::scenario::resolve::load_str_with;
use mesosim::sim::{Options, RecordKind, Recorder};
use std::path::Path;

/// Each agent (in the run's order) goes to the client whose pending tasks
/// that fit ask for the most CPU-and-memory share of the cluster; ties go
/// to the earlier client. Nothing is paid.
#[derive(Debug)]
struct BestFit;

impl WholePolicy for BestFit {
    fn name(&self) -> &str {
        "best-fit"
    }
    fn allocate(&self, view: &PartitionView<'_>) -> Vec<Grant> {
        // The view is read-only: track what this run has promised locally.
        let mut pending: Vec<_> = view
            .clients
            .iter()
            .map(|c| c.pending.cloned().unwrap_or_default())
            .collect();
        let mut grants = Vec::new();
        for (a, agent) in view.agents.iter().enumerate() {
            let mut best: Option<(f64, usize)> = None;
            for (c, waiting) in pending.iter().enumerate() {
                let (tasks, used) = fit_pending(waiting, &agent.free);
                if tasks == 0 || !view.may_offer(c, a, &agent.free) {
                    continue;
                }
                let filled: f64 = used
                    .0
                    .iter()
                    .zip(view.totals.0.iter())
                    .filter(|(_, &t)| t > 0)
                    .map(|(&u, &t)| u as f64 / t as f64)
                    .sum();
                if best.is_none_or(|(f, _)| filled > f) {
                    best = Some((filled, c));
                }
            }
            let Some((_, c)) = best else { continue };
            // The winner's tasks that fit are spoken for in this run.
            take_fitting(&mut pending[c], &agent.free);
            grants.push(Grant {
                client: c,
                agent: a,
                resources: agent.free,
                payment: 0.0,
                bid: 0.0,
                bidders: 1,
            });
        }
        grants
    }
}

/// Two agents of 4 CPUs; `small` queues 1-CPU tasks, `large` 4-CPU ones.
/// Best fit gives each agent to `large` (a 4-CPU task fills it) while it
/// has tasks, then to `small`.
const SCENARIO: &str = "
name: best-fit-example
until: 30s
master: {policy: best-fit}
agents:
  - {id: agent, count: 2, resources: {cpus: 4, mem: 4096}}
frameworks:
  - id: small
    jobs: [{id: s, tasks: 8, resources: {cpus: 1, mem: 128}, duration: 10s}]
  - id: large
    jobs: [{id: l, tasks: 2, resources: {cpus: 4, mem: 1024}, duration: 10s}]
";

/// Runs the scenario with the user's policy; the launches in order, as
/// `time framework`.
fn run() -> Vec<String> {
    let mut registry = Registry::builtin();
    registry.register_whole(BestFit).expect("a new name");
    let model = load_str_with(SCENARIO, "best-fit.yaml", Path::new("."), &registry)
        .unwrap_or_else(|e| panic!("{e}"));
    let mut rec = Recorder::default();
    let options = Options {
        seed: None,
        check: true,
    };
    mesosim::simulate(&model, &options, &mut rec).unwrap_or_else(|e| panic!("{e}"));
    rec.records
        .iter()
        .filter(|r| r.kind == RecordKind::Launch)
        .map(|r| {
            let fw = r.framework.map(|f| model.framework_name(f)).unwrap_or("-");
            format!("{} {fw}", r.time)
        })
        .collect()
}

fn main() {
    for line in run() {
        println!("{line}");
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn best_fit_runs_the_large_tasks_first() {
        let launches = super::run();
        let expect: Vec<String> = ["0.000000 large", "0.000000 large"]
            .iter()
            .map(|s| s.to_string())
            .chain((0..8).map(|_| "10.000000 small".to_string()))
            .collect();
        assert_eq!(launches, expect);
    }
}
