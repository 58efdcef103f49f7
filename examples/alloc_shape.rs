//! One allocation run at one of Mesos's benchmark shapes, for instruction
//! counts (docs/performance.md): the set-up is not counted when callgrind
//! collects only inside `measured_run`:
//!
//! ```sh
//! cargo build --release --example alloc_shape
//! valgrind --tool=callgrind --toggle-collect='*measured_run*' \
//!     target/release/examples/alloc_shape decline 1000 100 100
//! ```
//!
//! Arguments: shape (`offer-all`, `decline`, `decline-again`, `suppress`,
//! `suppress-all`), agents,
//! frameworks, and for `decline` how many frameworks every agent is
//! filtered for. Prints the offers the run made and the filters active.

#[path = "../benches/support/alloc_shapes.rs"]
mod alloc_shapes;

use alloc_shapes::{run, Setup, NOW};

/// The run measured (callgrind's `--toggle-collect='*measured_run*'`).
#[inline(never)]
fn measured_run(s: &mut Setup) -> usize {
    run(&s.model, &mut s.master, &mut s.shuffle, NOW)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let num = |i: usize, default: usize| {
        args.get(i)
            .map(|s| s.parse().expect("a number"))
            .unwrap_or(default)
    };
    let shape = args.first().map(String::as_str).unwrap_or("offer-all");
    let (agents, frameworks) = (num(1, 1_000), num(2, 100));
    let filtered = num(3, frameworks);
    let Some(mut s) = Setup::by_name(shape, agents, frameworks, filtered) else {
        eprintln!(
            "usage: alloc_shape offer-all|decline|decline-again|suppress|suppress-all \
             AGENTS FRAMEWORKS [FILTERED]"
        );
        std::process::exit(2);
    };
    let offers = measured_run(&mut s);
    println!(
        "{shape} {agents}x{frameworks}: {offers} offers, {} filters",
        s.master.active_filters()
    );
}
