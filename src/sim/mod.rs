//! The discrete-event engine: integer time, a `(time, seq)` ordered queue,
//! named random streams, one event enum and one loop.

pub mod engine;
pub mod observer;
pub mod queue;
pub mod rng;
pub mod time;

pub use engine::{Event, FrameworkTotals, Options, Outcome, RunTotals, Simulation};
pub use observer::{Counted, KindSet, Observer, Record, RecordKind, Recorder, TaskRef, Tee, View};
pub use time::SimTime;
