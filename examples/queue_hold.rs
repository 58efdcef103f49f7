//! The "hold" model of `benches/engine.rs` as a plain program with a fixed
//! number of steps, for instruction and cache-miss counts under valgrind
//! (which the criterion bench's adaptive iteration counts do not give):
//!
//!     cargo build --release --example queue_hold
//!     valgrind --tool=cachegrind --cache-sim=yes \
//!         target/release/examples/queue_hold engine 100000 1000000
//!     (and `bare` in place of `engine`; the setup's pushes count in both)

use mesosim::sim::queue::EventQueue;
use mesosim::sim::{Event, SimTime};
use mesosim::{AgentId, FrameworkId, PartitionId};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::hint::black_box;

/// xorshift64* delays, as in the bench.
struct Delays(u64);
impl Delays {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 44) + 1
    }
}

fn event(i: u64) -> Event {
    match i % 4 {
        0 => Event::AllocationTick(PartitionId(0)),
        1 => Event::AgentAdd(AgentId(i as u32)),
        2 => Event::FrameworkRegister(FrameworkId(i as u32)),
        _ => Event::AllocationRun(PartitionId(0)),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: queue_hold engine|bare PENDING STEPS";
    let which = args.get(1).expect(usage).as_str();
    let n: u64 = args.get(2).and_then(|a| a.parse().ok()).expect(usage);
    let steps: u64 = args.get(3).and_then(|a| a.parse().ok()).expect(usage);
    let start = std::time::Instant::now();
    match which {
        "engine" => {
            let mut q = EventQueue::default();
            let mut d = Delays(0x9E37_79B9_7F4A_7C15);
            for i in 0..n {
                q.push(SimTime(d.next()), event(i));
            }
            let mut d = Delays(7);
            for i in 0..steps {
                let s = q.pop().expect("pending");
                q.push(SimTime(s.time.0 + d.next()), event(i));
                black_box(&s.event);
            }
        }
        "bare" => {
            let mut h = BinaryHeap::new();
            let mut d = Delays(0x9E37_79B9_7F4A_7C15);
            for i in 0..n {
                h.push(Reverse((d.next(), i)));
            }
            let mut d = Delays(7);
            for seq in n..n + steps {
                let Reverse((t, s)) = h.pop().expect("pending");
                h.push(Reverse((t + d.next(), seq)));
                black_box(s);
            }
        }
        _ => panic!("{usage}"),
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{which} {n} pending: {:.2} M steps/s",
        steps as f64 / secs / 1e6
    );
}
