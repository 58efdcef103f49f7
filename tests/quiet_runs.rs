//! Runs that pass quiet agents by (issue 14, item 2) offer exactly what a
//! full walk offers. An allocation run may skip an agent on which the last
//! run offered nothing while the clients, the agent's available resources
//! and its filters (none gone) are the same, and skips the walk when no
//! client can be offered to; `explain` always walks everything. Here a
//! master goes through declines with and without filters, accepts,
//! releases, filter expiries, suppress and revive, and before every run a
//! copy of it runs with `explain` (the full walk): both must make the same
//! offers and leave the shuffle stream at the same word, and the skipping
//! must have happened.

use mesosim::master::{FilterId, Master, Trigger};
use mesosim::scenario::{load_str, Model};
use mesosim::sim::rng::{Stream, StreamSet};
use mesosim::sim::SimTime;
use mesosim::{AgentId, FrameworkId, RoleId};
use std::path::Path;

fn model() -> Model {
    let s = "name: quiet\nuntil: 1h\nagents:\n  - {id: a, count: 8, resources: {cpus: 16, mem: 65536}}\nframeworks:\n  - {id: f0, role: r1}\n  - {id: f1, role: r1}\n  - {id: f2, role: r2}\n";
    load_str(s, "quiet.yaml", Path::new(".")).expect("scenario")
}

/// The same shape with what cuts or narrows an offer: agents with
/// resources reserved for `r1`, a quota limit on `r2` (so no run passes
/// agents by), a framework whose `min_allocatable` some agents' rests
/// fall below.
fn cut_model() -> Model {
    let s = "name: cut\nuntil: 1h\nroles:\n  - {name: r2, quota: {limit: {cpus: 20, mem: 80000}}}\nagents:\n  - {id: a, count: 5, resources: {cpus: 16, mem: 65536}}\n  - {id: b, count: 3, resources: {cpus: 8, mem: 32768}, reserved: {r1: {cpus: 4, mem: 8192}}}\nframeworks:\n  - {id: f0, role: r1}\n  - {id: f1, role: r1, min_allocatable: [\"cpus:9\"]}\n  - {id: f2, role: r2}\n";
    load_str(s, "cut.yaml", Path::new(".")).expect("scenario")
}

/// Nested roles (a framework in `a` and one in `a/x`, so `a` is a client
/// with a child client, and one in `b`): the role order is made by the
/// full sort over the tree, and lists roles whose frameworks are all
/// suppressed while one framework alone is a client.
fn nested_model() -> Model {
    let s = "name: nested\nuntil: 1h\nagents:\n  - {id: a, count: 8, resources: {cpus: 16, mem: 65536}}\nframeworks:\n  - {id: f0, role: a/x}\n  - {id: f1, role: a}\n  - {id: f2, role: b}\n";
    load_str(s, "nested.yaml", Path::new(".")).expect("scenario")
}

type Made = Vec<(FrameworkId, RoleId, AgentId, String)>;

/// One run over every agent: its offers, and how many agents it passed by.
fn run(
    model: &Model,
    m: &mut Master,
    shuffle: &mut Stream,
    now: SimTime,
    explain: bool,
) -> (Made, usize) {
    m.request_run(Trigger::AllAgents);
    let mut sorter = StreamSet::new(1, "");
    let out = m.run_allocation(model, now, shuffle, &mut sorter, explain);
    let made = out
        .offers
        .iter()
        .map(|id| {
            let o = m.offer(*id).expect("offer made");
            (o.framework, o.role, o.agent, format!("{:?}", o.resources()))
        })
        .collect();
    (made, out.agents_passed_by)
}

/// A small deterministic generator for the operations.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

#[test]
fn skipping_quiet_agents_offers_what_the_full_walk_offers() {
    quiet_runs_as_full_walks(&model(), false);
}

/// Stage 2's short ways (an offer nothing cuts is what the agent has for
/// the role, found allocatable and unfiltered once; `min_allocatable` read
/// over the scenario's kinds) against the full walk, where offers are cut
/// by a quota limit, hold reserved resources, or fall below a framework's
/// `min_allocatable` (no agent is passed by: the quota forbids it).
#[test]
fn cut_and_reserved_offers_are_the_full_walks() {
    quiet_runs_as_full_walks(&cut_model(), false);
}

/// Runs whose one client (one framework listed in one role) is offered
/// to without asking the orders per visit, in a nested tree whose role
/// order lists the roles without clients too, against the full walk.
#[test]
fn a_sole_client_in_nested_roles_is_offered_as_the_full_walk_offers() {
    quiet_runs_as_full_walks(&nested_model(), false);
}

/// The same, the skipping master's shuffle stream making its words ahead
/// on another thread (as a long run alone does), the full walks' copies
/// making their own: the same offers, the stream at the same word.
#[test]
fn words_made_ahead_give_what_the_full_walk_gives() {
    quiet_runs_as_full_walks(&model(), true);
}

fn quiet_runs_as_full_walks(model: &Model, ahead: bool) {
    let skips = model.roles.iter().all(|r| r.quota.is_default());
    let model = model.clone();
    let mut m = Master::new(&model);
    for a in 0..8 {
        m.add_agent(&model, AgentId(a));
    }
    for f in 0..3 {
        m.add_framework(&model, FrameworkId(f));
    }
    let mut shuffle = Stream::new(7, "agent-shuffle");
    if ahead {
        assert!(shuffle.make_words_ahead(), "the thread starts");
    }
    let mut rng = Lcg(42);
    let mut filters: Vec<FilterId> = Vec::new();
    let mut tasks = Vec::new();
    let (mut empty_runs, mut offers, mut passed_by, mut idle_runs) = (0, 0, 0, 0);
    let mut reserved_offers = 0;
    for step in 0..400u64 {
        let now = SimTime(step * 1_000_000);
        // The full walk from the same state, on a copy.
        let mut full = m.clone();
        let mut full_shuffle = shuffle.clone();
        let (walked, none) = run(&model, &mut full, &mut full_shuffle, now, true);
        assert_eq!(none, 0, "explain walks every agent");
        let (made, skipped) = run(&model, &mut m, &mut shuffle, now, false);
        assert_eq!(made, walked, "step {step}");
        // A run with no client passes its shuffles by without permuting
        // (`Stream::pass_shuffle`): the stream is left where the full
        // walk's two shuffles left it.
        assert_eq!(
            shuffle.clone().next_u64(),
            full_shuffle.clone().next_u64(),
            "step {step}: the shuffle stream moved on differently"
        );
        if m.outstanding_offers().next().is_none() && skipped == 8 {
            idle_runs += 1;
        }
        passed_by += skipped;
        if made.is_empty() {
            empty_runs += 1;
        }
        offers += made.len();
        reserved_offers += made
            .iter()
            .filter(|o| !o.3.contains("reserved: []"))
            .count();
        // Answer every outstanding offer.
        let outstanding: Vec<_> = m.outstanding_offers().map(|o| o.to_offer()).collect();
        for o in outstanding {
            let refuse = [0, 3_000_000, 60_000_000, 86_400_000_000][rng.below(4) as usize];
            let filter = if rng.below(3) == 0 {
                let mut used = o.resources.clone();
                for q in used.unreserved.0.iter_mut() {
                    *q /= 2;
                }
                used.reserved.clear();
                tasks.push((o.framework, o.role, o.agent, used.clone()));
                m.accept(&model, o.id, &[used], refuse, now)
            } else {
                m.decline(&model, o.id, refuse, now)
            };
            filters.extend(filter.map(|f| f.id));
        }
        // Between runs: filters expire, tasks end, frameworks suppress and
        // revive.
        for _ in 0..rng.below(3) {
            if !filters.is_empty() {
                let f = filters.swap_remove(rng.below(filters.len() as u64) as usize);
                m.expire_filter(f);
            }
        }
        if rng.below(4) == 0 && !tasks.is_empty() {
            let (fw, role, agent, res) = tasks.swap_remove(rng.below(tasks.len() as u64) as usize);
            m.release(&model, fw, role, agent, &res);
        }
        match rng.below(12) {
            0 => m.suppress(FrameworkId(rng.below(3) as u32), &[]),
            1 => m.revive(FrameworkId(rng.below(3) as u32), &[]),
            2 => {
                for f in 0..3 {
                    m.suppress(FrameworkId(f), &[]);
                }
            }
            _ => {}
        }
    }
    // Both kinds of run happened: some offered, many offered nothing.
    assert!(offers > 50, "{offers} offers");
    assert!(empty_runs > 50, "{empty_runs} runs offered nothing");
    if !skips {
        assert_eq!(passed_by, 0);
        assert!(
            reserved_offers > 20,
            "{reserved_offers} offers with reservations"
        );
        return;
    }
    // And agents were passed by (400 runs of 8 agents).
    assert!(passed_by > 400, "{passed_by} agents passed by");
    // Runs that passed every agent by and offered nothing (among them the
    // runs with no client, whose shuffles only moved the stream on).
    assert!(idle_runs > 20, "{idle_runs} runs passed every agent by");
}
