//! Mesos's allocator benchmark shapes (issue 14, target 2), shared by
//! `benches/allocator.rs` (criterion, wall time) and
//! `examples/alloc_shape.rs` (one run, for instruction counts under
//! `valgrind --tool=callgrind`).
//!
//! A `Master` is driven directly (no engine, no frameworks' decisions):
//! all frameworks in one role `bench`, agents of 16 cpus and 64 GB.
//!
//! - `offer-all`: a fresh master, every agent offered (each goes whole to
//!   the framework first in DRF order when its turn comes).
//! - `decline`: Mesos's `DeclineOffers` shape: every agent carries a 1-day
//!   decline filter of `R` frameworks, the `R` that come first in the
//!   measured run's DRF order (all shares are zero, so name order), so the
//!   run walks past `R` filtered frameworks on every agent before it finds
//!   one to offer to; when `R` is the framework count (every framework
//!   declined every agent), the run offers nothing.
//! - `suppress`: Mesos's `SuppressOffers` shape: every framework suppressed
//!   but one; the run offers every agent to that one.
//!
//! How the decline state is built: through the Master's public API. Every
//! framework is deactivated; then, for each of the first `R` in name order,
//! that framework is activated (activation keeps filters; revive would
//! clear them), one set-up run offers it every agent (walking past the
//! frameworks already filtered there), and it declines every offer with a
//! 1-day filter; then the rest are activated. That is `R` runs of one offer
//! per agent, where the older set-up (`R` full runs in which every
//! framework declined everything it was offered) made up to `frameworks`
//! offers a run and took minutes at 10k × 1k.
//! The filters it leaves (whole agents, 1 day, on every agent for the
//! first `R` frameworks in name order) are what the measured run sees in
//! both; only which frameworks carry them differs, which the run's work
//! does not depend on.

#![allow(dead_code)]

use mesosim::master::{Master, Trigger, MAX_REFUSE_US};
use mesosim::scenario::{load_str, Model};
use mesosim::sim::rng::{Stream, StreamSet};
use mesosim::sim::SimTime;
use mesosim::{AgentId, FrameworkId};
use std::path::Path;

pub const SEED: u64 = 1;

/// The measured run's time: after the set-up, within the filters' day.
pub const NOW: SimTime = SimTime(3_600_000_000);

pub fn model(agents: usize, frameworks: usize) -> Model {
    let mut s = format!(
        "name: allocator-bench\nuntil: 1h\nagents:\n  - {{id: a, count: {agents}, resources: {{cpus: 16, mem: 65536}}}}\nframeworks:\n"
    );
    for f in 0..frameworks {
        s.push_str(&format!("  - {{id: f{f}, role: bench}}\n"));
    }
    load_str(&s, "allocator-bench.yaml", Path::new(".")).expect("bench scenario")
}

pub struct Setup {
    pub model: Model,
    pub master: Master,
    pub shuffle: Stream,
}

/// One allocation run over every agent; returns the offers it made.
pub fn run(model: &Model, master: &mut Master, shuffle: &mut Stream, now: SimTime) -> usize {
    master.request_run(Trigger::AllAgents);
    // The sorter streams are only drawn from by the random sorter.
    let mut sorter = StreamSet::new(SEED, "");
    master
        .run_allocation(model, now, shuffle, &mut sorter, false)
        .offers
        .len()
}

impl Setup {
    pub fn new(agents: usize, frameworks: usize) -> Setup {
        let model = model(agents, frameworks);
        let mut master = Master::new(&model);
        for a in 0..agents {
            master.add_agent(&model, AgentId(a as u32));
        }
        for f in 0..frameworks {
            master.add_framework(&model, FrameworkId(f as u32));
        }
        Setup {
            model,
            master,
            shuffle: Stream::new(SEED, "agent-shuffle"),
        }
    }

    /// The `offer-all` shape: the fresh master.
    pub fn offer_all(agents: usize, frameworks: usize) -> Setup {
        Setup::new(agents, frameworks)
    }

    /// The `decline` shape: every agent filtered (1 day, whole agent) for
    /// the first `filtered` frameworks in name order (see the module doc).
    pub fn decline(agents: usize, frameworks: usize, filtered: usize) -> Setup {
        let mut s = Setup::new(agents, frameworks);
        let mut by_name: Vec<FrameworkId> =
            (0..frameworks).map(|f| FrameworkId(f as u32)).collect();
        by_name.sort_by_key(|f| format!("f{}", f.0));
        for &fw in &by_name {
            s.master.deactivate_framework(fw);
        }
        let day = MAX_REFUSE_US.min(86_400_000_000);
        for &fw in by_name.iter().take(filtered) {
            s.master.activate_framework(fw);
            run(&s.model, &mut s.master, &mut s.shuffle, SimTime(0));
            let ids: Vec<_> = s.master.outstanding_offers().map(|o| o.id).collect();
            for id in ids {
                s.master.decline(&s.model, id, day, SimTime(0));
            }
        }
        for &fw in by_name.iter().skip(filtered) {
            s.master.activate_framework(fw);
        }
        assert_eq!(s.master.active_filters(), agents * filtered.min(frameworks));
        s
    }

    /// The `suppress` shape: every framework suppressed but the first.
    pub fn suppress(agents: usize, frameworks: usize) -> Setup {
        let mut s = Setup::new(agents, frameworks);
        for f in 1..frameworks {
            s.master.suppress(FrameworkId(f as u32), &[]);
        }
        s
    }

    /// Every framework suppressed: a run with no client to offer to.
    pub fn suppress_all(agents: usize, frameworks: usize) -> Setup {
        let mut s = Setup::new(agents, frameworks);
        for f in 0..frameworks {
            s.master.suppress(FrameworkId(f as u32), &[]);
        }
        s
    }

    /// The `decline` shape after one more run over it (not measured): the
    /// run measured next finds every agent as the last run left it.
    pub fn decline_again(agents: usize, frameworks: usize, filtered: usize) -> Setup {
        let mut s = Setup::decline(agents, frameworks, filtered);
        run(&s.model, &mut s.master, &mut s.shuffle, NOW);
        let ids: Vec<_> = s.master.outstanding_offers().map(|o| o.id).collect();
        for id in ids {
            s.master.rescind(&s.model, id);
        }
        s
    }

    pub fn by_name(
        shape: &str,
        agents: usize,
        frameworks: usize,
        filtered: usize,
    ) -> Option<Setup> {
        match shape {
            "offer-all" => Some(Setup::offer_all(agents, frameworks)),
            "decline" => Some(Setup::decline(agents, frameworks, filtered)),
            "decline-again" => Some(Setup::decline_again(agents, frameworks, filtered)),
            "suppress" => Some(Setup::suppress(agents, frameworks)),
            "suppress-all" => Some(Setup::suppress_all(agents, frameworks)),
            _ => None,
        }
    }
}

/// (name, agents, frameworks, frameworks filtered on every agent in `decline`)
pub fn shapes() -> [(&'static str, usize, usize, usize); 3] {
    [
        ("1k-agents-100-frameworks", 1_000, 100, 100),
        ("10k-agents-1k-frameworks", 10_000, 1_000, 20),
        ("20k-agents-2k-frameworks", 20_000, 2_000, 10),
    ]
}
