//! The engine's event queue against a bare `BinaryHeap<(time, seq)>`, side
//! by side on the same pending-set sizes (issue 14, target 1: at least half
//! the bare heap's throughput).
//!
//! Both run the classic "hold" model: the queue starts with `n` pending
//! events; each step pops the earliest and pushes one a pseudo-random delay
//! later, so the pending set stays at `n`. The engine's queue carries real
//! `Event` payloads (in its slab) and its `(time, lane, seq, slot)` keys; the
//! bare heap carries only `(time, seq)`. Throughput is reported in
//! pop+push steps per second.
//!
//! `cargo bench --bench engine`

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use mesosim::sim::queue::EventQueue;
use mesosim::sim::{Event, SimTime};
use mesosim::{AgentId, FrameworkId, PartitionId};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::hint::black_box;

const STEPS: u64 = 100_000;

/// A small deterministic generator of delays (xorshift64*), the same for both.
struct Delays(u64);
impl Delays {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        // Up to ~1 s of µs, as timers and task ends spread.
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 44) + 1
    }
}

/// An event of the kinds a busy run schedules most.
fn event(i: u64) -> Event {
    match i % 4 {
        0 => Event::AllocationTick(PartitionId(0)),
        1 => Event::AgentAdd(AgentId(i as u32)),
        2 => Event::FrameworkRegister(FrameworkId(i as u32)),
        _ => Event::AllocationRun(PartitionId(0)),
    }
}

fn engine_queue(n: usize) -> EventQueue<Event> {
    let mut q = EventQueue::default();
    let mut d = Delays(0x9E37_79B9_7F4A_7C15);
    for i in 0..n as u64 {
        q.push(SimTime(d.next()), event(i));
    }
    q
}

fn bare_heap(n: usize) -> BinaryHeap<Reverse<(u64, u64)>> {
    let mut h = BinaryHeap::new();
    let mut d = Delays(0x9E37_79B9_7F4A_7C15);
    for i in 0..n as u64 {
        h.push(Reverse((d.next(), i)));
    }
    h
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("hold");
    g.sample_size(20);
    g.throughput(Throughput::Elements(STEPS));
    for n in [1_000usize, 100_000] {
        g.bench_function(format!("engine-queue/pending-{n}"), |b| {
            b.iter_batched(
                || engine_queue(n),
                |mut q| {
                    let mut d = Delays(7);
                    for i in 0..STEPS {
                        let s = q.pop().expect("pending");
                        q.push(SimTime(s.time.0 + d.next()), event(i));
                        black_box(&s.event);
                    }
                    q
                },
                BatchSize::LargeInput,
            )
        });
        g.bench_function(format!("bare-binaryheap/pending-{n}"), |b| {
            b.iter_batched(
                || bare_heap(n),
                |mut h| {
                    let mut d = Delays(7);
                    for seq in n as u64..n as u64 + STEPS {
                        let Reverse((t, s)) = h.pop().expect("pending");
                        h.push(Reverse((t + d.next(), seq)));
                        black_box(s);
                    }
                    h
                },
                BatchSize::LargeInput,
            )
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
