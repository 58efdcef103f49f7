//! Scheduler architectures other than Mesos's two-level offers
//! (docs/architectures.md): what they are, and the pure rules they apply.
//!
//! - **two-level** (the default): one Mesos master per partition makes
//!   offers (`master/`); frameworks answer them.
//! - **monolithic** ([`monolithic`]): one central scheduler sees the whole
//!   cluster and places every framework's jobs itself, one job at a time.
//! - **shared-state** ([`shared_state`], Omega): every framework's
//!   scheduler takes a snapshot of the cluster's free resources, decides,
//!   and commits a transaction that may conflict with the others'.
//!
//! Both non-Mesos architectures hand the framework models
//! (`framework::decide`) the same kind of slots an offer is: one per agent,
//! holding what is free there for the job's role. The engine's arm that
//! runs them is `sim::engine::central`.

pub mod monolithic;
pub mod rebalance;
pub mod shared_state;

pub use monolithic::QueueOrder;
pub use shared_state::{ConflictMode, TxnMode};

/// The scenario's `architecture:`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Architecture {
    /// Mesos: offers from one master per partition.
    #[default]
    TwoLevel,
    /// One central scheduler for every framework's jobs.
    Monolithic { queue: QueueOrder },
    /// Omega: one scheduler per framework over a shared cell state.
    SharedState {
        conflicts: ConflictMode,
        transactions: TxnMode,
    },
}

impl Architecture {
    pub fn is_two_level(&self) -> bool {
        matches!(self, Architecture::TwoLevel)
    }

    /// The name the scenario gives it.
    pub fn name(&self) -> &'static str {
        match self {
            Architecture::TwoLevel => "two-level",
            Architecture::Monolithic { .. } => "monolithic",
            Architecture::SharedState { .. } => "shared-state",
        }
    }
}

/// What one scheduler did over a run (the central scheduler, or one
/// framework's shared-state scheduler); `summary.json`'s `schedulers[]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SchedulerStats {
    /// `central`, or the framework's id.
    pub name: String,
    /// Time spent deciding (µs): every attempt's decision time.
    pub busy_us: u64,
    /// Placement attempts (one job each).
    pub attempts: u64,
    /// Transactions committed (attempts that claimed at least one task).
    pub transactions: u64,
    /// Transactions with at least one conflicting claim.
    pub conflicted_transactions: u64,
    /// Tasks whose claims were committed.
    pub tasks_committed: u64,
    /// Tasks sent back to their job's queue by a conflict (their own claim
    /// conflicted, or — all-or-nothing, or a gang job — another claim of
    /// the same transaction did).
    pub tasks_conflicted: u64,
}
