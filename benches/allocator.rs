//! One allocation run at Mesos's own benchmark shapes (issue 14, target 2),
//! driving a `Master` directly (no engine, no frameworks' decisions):
//! agents × frameworks of 1k×100, 10k×1k and 20k×2k, all frameworks in one
//! role, agents of 16 cpus and 64 GB.
//!
//! - `offer-all`: a fresh master, every agent offered (each goes whole to
//!   the framework first in DRF order when its turn comes).
//! - `decline`: Mesos's `DeclineOffers` shape: `R` runs beforehand in which
//!   every framework declined every offer it got with a 1-day filter, so
//!   each agent carries `R` filters (one per framework it went to) and the
//!   measured run walks past `R` filtered frameworks per agent before it
//!   finds one to offer to. `R` is the framework count for 1k×100 (every
//!   framework declined every agent: the run offers nothing) and is capped
//!   for the larger shapes so that setting them up stays within minutes
//!   (20 at 10k×1k: 200k filters; 10 at 20k×2k: 200k filters).
//! - `suppress`: Mesos's `SuppressOffers` shape: every framework suppressed
//!   but one; the run offers every agent to that one.
//!
//! Only the run is timed; the master is set up once per shape and cloned
//! before each run (untimed). The large shapes take a few samples only.
//!
//! `cargo bench --bench allocator` (all), `cargo bench --bench allocator -- 1k`
//! (one size).

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, SamplingMode};
use mesosim::master::{Master, Trigger, MAX_REFUSE_US};
use mesosim::scenario::{load_str, Model};
use mesosim::sim::rng::{Stream, StreamSet};
use mesosim::sim::SimTime;
use mesosim::{AgentId, FrameworkId};
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

const SEED: u64 = 1;

fn model(agents: usize, frameworks: usize) -> Model {
    let mut s = format!(
        "name: allocator-bench\nuntil: 1h\nagents:\n  - {{id: a, count: {agents}, resources: {{cpus: 16, mem: 65536}}}}\nframeworks:\n"
    );
    for f in 0..frameworks {
        s.push_str(&format!("  - {{id: f{f}, role: bench}}\n"));
    }
    load_str(&s, "allocator-bench.yaml", Path::new(".")).expect("bench scenario")
}

struct Setup {
    model: Model,
    master: Master,
    shuffle: Stream,
}

/// One allocation run over every agent; returns the offers it made.
fn run(model: &Model, master: &mut Master, shuffle: &mut Stream, now: SimTime) -> usize {
    master.request_run(Trigger::AllAgents);
    // The sorter streams are only drawn from by the random sorter.
    let mut sorter = StreamSet::new(SEED, "");
    master
        .run_allocation(model, now, shuffle, &mut sorter, false)
        .offers
        .len()
}

impl Setup {
    fn new(agents: usize, frameworks: usize) -> Setup {
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

    /// `rounds` runs in each of which every offer is declined with a
    /// 1-day filter.
    fn decline_rounds(&mut self, rounds: usize) {
        for r in 0..rounds {
            let now = SimTime(r as u64 * 1_000_000);
            run(&self.model, &mut self.master, &mut self.shuffle, now);
            let ids: Vec<_> = self.master.outstanding_offers().map(|o| o.id).collect();
            for id in ids {
                self.master
                    .decline(&self.model, id, MAX_REFUSE_US.min(86_400_000_000), now);
            }
        }
    }
}

fn shapes() -> [(&'static str, usize, usize, usize); 3] {
    // (name, agents, frameworks, decline rounds)
    [
        ("1k-agents-100-frameworks", 1_000, 100, 100),
        ("10k-agents-1k-frameworks", 10_000, 1_000, 20),
        ("20k-agents-2k-frameworks", 20_000, 2_000, 10),
    ]
}

fn bench(c: &mut Criterion) {
    for (name, agents, frameworks, rounds) in shapes() {
        let mut g = c.benchmark_group(format!("allocation-run/{name}"));
        g.sampling_mode(SamplingMode::Flat);
        if agents > 1_000 {
            g.sample_size(10);
            g.warm_up_time(Duration::from_millis(1));
            g.measurement_time(Duration::from_secs(5));
        }
        let now = SimTime(86_400_000_000);
        g.bench_function("offer-all", |b| {
            let base = Setup::new(agents, frameworks);
            b.iter_batched(
                || (base.master.clone(), base.shuffle.clone()),
                |(mut m, mut shuffle)| black_box(run(&base.model, &mut m, &mut shuffle, now)),
                BatchSize::PerIteration,
            )
        });
        g.bench_function(format!("decline-{rounds}-rounds"), |b| {
            let mut base = Setup::new(agents, frameworks);
            base.decline_rounds(rounds);
            b.iter_batched(
                || (base.master.clone(), base.shuffle.clone()),
                |(mut m, mut shuffle)| black_box(run(&base.model, &mut m, &mut shuffle, now)),
                BatchSize::PerIteration,
            )
        });
        g.bench_function("suppress-all-but-one", |b| {
            let mut base = Setup::new(agents, frameworks);
            for f in 1..frameworks {
                base.master.suppress(FrameworkId(f as u32), &[]);
            }
            b.iter_batched(
                || (base.master.clone(), base.shuffle.clone()),
                |(mut m, mut shuffle)| black_box(run(&base.model, &mut m, &mut shuffle, now)),
                BatchSize::PerIteration,
            )
        });
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
