//! Benchmarks of whole runs and of the allocator at scale. Run with
//! `cargo bench`; compare against a baseline with criterion's
//! `--save-baseline` / `--baseline`.

use criterion::{criterion_group, criterion_main, Criterion};
use mesosim::scenario::{load_str, Model};
use mesosim::sim::{KindSet, Observer, Options};
use std::hint::black_box;
use std::path::Path;

/// Reads no record whole (the standard metrics beside it decide what is
/// built).
struct Nothing;
impl Observer for Nothing {
    fn record_kinds(&self) -> KindSet {
        KindSet::NONE
    }
}

fn model_from(path: &str) -> Model {
    mesosim::scenario::load(Path::new(path))
        .expect("scenario")
        .model
}

/// A cluster of `agents` agents and `frameworks` batch frameworks (one role
/// each) with enough short tasks to keep every allocation run busy.
fn synthetic(agents: usize, frameworks: usize, until_s: u64) -> Model {
    let mut s = format!("name: bench\nuntil: {until_s}s\nagents:\n  - {{id: a, count: {agents}, resources: {{cpus: 16, mem: 65536}}}}\nframeworks:\n");
    for f in 0..frameworks {
        s.push_str(&format!(
            "  - id: f{f}\n    role: r{}\n    jobs:\n      - {{tasks: {}, resources: {{cpus: 1, mem: 2048}}, duration: {{exp: 20s}}}}\n",
            f % 10,
            agents * 4
        ));
    }
    load_str(&s, "bench.yaml", Path::new(".")).expect("bench scenario")
}

fn bench(c: &mut Criterion) {
    let quickstart = model_from("scenarios/quickstart.yaml");
    let mut g = c.benchmark_group("run");
    g.sample_size(10);
    g.bench_function("quickstart", |b| {
        b.iter(|| {
            black_box(mesosim::simulate(&quickstart, &Options::default(), &mut Nothing).unwrap())
        })
    });
    g.bench_function("engine-only/quickstart", |b| {
        b.iter(|| {
            black_box(
                mesosim::sim::Simulation::new(&quickstart, &Options::default())
                    .run(&mut Nothing)
                    .unwrap(),
            )
        })
    });
    let big = synthetic(1000, 50, 60);
    g.bench_function("1000-agents-50-frameworks-60s", |b| {
        b.iter(|| black_box(mesosim::simulate(&big, &Options::default(), &mut Nothing).unwrap()))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
