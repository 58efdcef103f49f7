//! mesosim: a deterministic discrete-event simulator of Apache Mesos-style
//! cluster scheduling.
//!
//! Data flows one way: scenario file → [`scenario::Model`] → the engine
//! ([`sim::Simulation`]) driving the master/allocator ([`master`]) and the
//! framework models ([`framework`]) → records and state views → observers
//! ([`metrics`], [`report`]). The core (`sim`, `cluster`, `master`, `policy`,
//! `framework`, `metrics`) does no I/O and reads no clock. See ARCHITECTURE.md.

pub mod arch;
pub mod cli;
pub mod cluster;
pub mod digest;
pub mod dist;
pub mod error;
pub mod fairshare;
pub mod framework;
pub mod limits;
pub mod master;
pub mod metrics;
pub mod policy;
pub mod report;
pub mod scenario;
pub mod sim;
pub mod workload;

/// The version written into outputs.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

macro_rules! dense_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub u32);
        impl $name {
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

dense_id!(
    /// An agent, by its position in [`scenario::Model::agents`].
    AgentId
);
dense_id!(
    /// A framework, by its position in [`scenario::Model::frameworks`].
    FrameworkId
);
dense_id!(
    /// A role, by its position in [`scenario::Model::roles`].
    RoleId
);
dense_id!(
    /// A job, by its position in [`scenario::Model::jobs`].
    JobId
);
dense_id!(
    /// A scheduler's partition of the agents: the index of its master in
    /// the engine (exactly one, partition 0, unless a library user builds
    /// more with [`sim::Simulation::partitioned`]).
    PartitionId
);

/// Runs a model in memory with the standard metrics, reporting to `extra`
/// as well: the library's one-call entry point (tests, benches, sweeps).
pub fn simulate(
    model: &scenario::Model,
    options: &sim::Options,
    extra: &mut dyn sim::Observer,
) -> Result<(sim::Outcome, report::summary::Summary), error::Error> {
    let mut metrics = metrics::RunMetrics::new(model);
    let outcome = {
        let mut tee = sim::Tee::default();
        tee.observers.push(&mut metrics);
        tee.observers.push(extra);
        sim::Simulation::new(model, options).run(&mut tee)?
    };
    let summary = report::summary::Summary::build(model, &outcome, &metrics);
    Ok((outcome, summary))
}
