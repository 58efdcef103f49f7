//! One allocation run at Mesos's own benchmark shapes (issue 14, target 2):
//! agents × frameworks of 1k×100, 10k×1k and 20k×2k, shapes `offer-all`,
//! `decline` and `suppress-all-but-one` (see `support/alloc_shapes.rs`, which
//! `examples/alloc_shape.rs` shares for instruction counts).
//!
//! Only the run is timed; the master is set up once per shape and cloned
//! before each run (untimed). The large shapes take a few samples only.
//!
//! `cargo bench --bench allocator` (all), `cargo bench --bench allocator -- 1k`
//! (one size).

#[path = "support/alloc_shapes.rs"]
mod alloc_shapes;

use alloc_shapes::{run, shapes, Setup, NOW};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, SamplingMode};
use std::hint::black_box;
use std::time::Duration;

fn bench(c: &mut Criterion) {
    for (name, agents, frameworks, filtered) in shapes() {
        let mut g = c.benchmark_group(format!("allocation-run/{name}"));
        g.sampling_mode(SamplingMode::Flat);
        if agents > 1_000 {
            g.sample_size(10);
            g.warm_up_time(Duration::from_millis(1));
            g.measurement_time(Duration::from_secs(5));
        }
        let cases = [
            ("offer-all".to_string(), "offer-all"),
            (format!("decline-{filtered}-filtered"), "decline"),
            ("suppress-all-but-one".to_string(), "suppress"),
        ];
        for (label, shape) in cases {
            g.bench_function(label, |b| {
                let base = Setup::by_name(shape, agents, frameworks, filtered).expect("shape");
                b.iter_batched(
                    || (base.master.clone(), base.shuffle.clone()),
                    |(mut m, mut shuffle)| black_box(run(&base.model, &mut m, &mut shuffle, NOW)),
                    BatchSize::PerIteration,
                )
            });
        }
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
