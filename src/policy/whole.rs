//! Whole-allocator policies: a policy that is not an order (an auction).
//!
//! At each allocation run the master builds a read-only [`PartitionView`]
//! of its partition — the free unreserved resources of each agent the run
//! covers (in the run's shuffled order), and each client (a framework in
//! one of its roles, active and not suppressed there) with what it holds,
//! its pending tasks, its role's weight, its budget and its valuation —
//! and hands it to [`WholePolicy::allocate`], which returns [`Grant`]s:
//! resources of one agent for one client, and what the client pays. The
//! policy never touches the master: the master checks each grant
//! ([`PartitionView::may_offer`] and the agent's free resources), turns the
//! grants into offers (one per client and agent), charges the payments to
//! the budgets and reports each paid grant as a [`Sale`]. A policy keeps
//! no state between runs; budgets are the master's (docs/policies.md).

use crate::cluster::resources::{Quantities, MAX_RESOURCE_KINDS};
use crate::sim::time::SimTime;
use crate::{AgentId, FrameworkId, RoleId};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// What a framework's pending work is worth to it
/// (`frameworks[].valuation`): `per_task` for each task plus `per_unit[r]`
/// for each unit (in the scenario's units) of resource `r` the tasks ask
/// for, plus `deadline_bonus` for each task of a job whose deadline
/// (`jobs[].deadline`) is still ahead.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Valuation {
    pub per_task: f64,
    pub per_unit: [f64; MAX_RESOURCE_KINDS],
    pub deadline_bonus: f64,
}

impl Default for Valuation {
    /// One credit per task.
    fn default() -> Self {
        Valuation {
            per_task: 1.0,
            per_unit: [0.0; MAX_RESOURCE_KINDS],
            deadline_bonus: 0.0,
        }
    }
}

impl Valuation {
    /// The value of `tasks` tasks asking for `resources` in all, of which
    /// `urgent` belong to jobs whose deadline is still ahead.
    pub fn value_with_deadlines(&self, tasks: u64, resources: &Quantities, urgent: u64) -> f64 {
        let v = self.value(tasks, resources);
        if urgent > 0 && self.deadline_bonus != 0.0 {
            v + self.deadline_bonus * urgent as f64
        } else {
            v
        }
    }

    /// The value of `tasks` tasks asking for `resources` in all (no
    /// deadline bonus).
    pub fn value(&self, tasks: u64, resources: &Quantities) -> f64 {
        let mut v = self.per_task * tasks as f64;
        for (i, &milli) in resources.0.iter().enumerate() {
            if self.per_unit[i] != 0.0 {
                v += self.per_unit[i] * (milli as f64 / 1000.0);
            }
        }
        v
    }
}

/// One agent the run covers.
#[derive(Clone, Copy, Debug)]
pub struct AgentView {
    pub agent: AgentId,
    /// Free unreserved resources (reservations are offered to their roles
    /// as in Mesos, outside the policy).
    pub free: Quantities,
}

/// One client: a framework in one of its roles.
#[derive(Clone, Copy, Debug)]
pub struct ClientView<'a> {
    pub framework: FrameworkId,
    pub role: RoleId,
    /// The framework's id.
    pub name: &'a str,
    /// What it holds in this role: offered plus allocated.
    pub allocation: Quantities,
    /// The role's weight.
    pub weight: f64,
    /// Its pending tasks in this role: resource vector → how many.
    pub pending: Option<&'a BTreeMap<Quantities, u64>>,
    /// Those of `pending` whose job's deadline (`jobs[].deadline`) is still
    /// ahead; given only when the valuation has a `deadline_bonus`.
    pub urgent: Option<&'a BTreeMap<Quantities, u64>>,
    /// Its credit now (accrued up to this run).
    pub budget: f64,
    pub valuation: &'a Valuation,
}

impl ClientView<'_> {
    /// Pending tasks in this role.
    pub fn pending_tasks(&self) -> u64 {
        self.pending.map_or(0, |p| p.values().sum())
    }
}

/// The master's answer to "may this client be offered these resources of
/// this agent?" (decline filters, the gpu rule, `min_allocatable`).
pub trait OfferCheck {
    fn may_offer(&self, client: &ClientView<'_>, agent: AgentId, resources: &Quantities) -> bool;
}

/// What a whole-allocator policy sees of the partition at one run.
pub struct PartitionView<'a> {
    pub now: SimTime,
    pub totals: Quantities,
    /// In the run's (shuffled) order.
    pub agents: Vec<AgentView>,
    /// By framework id, then role.
    pub clients: Vec<ClientView<'a>>,
    pub params: &'a super::PolicyParams,
    check: &'a dyn OfferCheck,
}

impl<'a> PartitionView<'a> {
    pub fn new(
        now: SimTime,
        totals: Quantities,
        agents: Vec<AgentView>,
        clients: Vec<ClientView<'a>>,
        params: &'a super::PolicyParams,
        check: &'a dyn OfferCheck,
    ) -> Self {
        PartitionView {
            now,
            totals,
            agents,
            clients,
            params,
            check,
        }
    }

    /// Whether `clients[client]` may be offered `resources` of
    /// `agents[agent]` (filters, gpu rule, `min_allocatable`; not whether
    /// they are free).
    pub fn may_offer(&self, client: usize, agent: usize, resources: &Quantities) -> bool {
        self.check
            .may_offer(&self.clients[client], self.agents[agent].agent, resources)
    }
}

/// Resources of one agent for one client, and what the client pays.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Grant {
    /// Index into [`PartitionView::clients`].
    pub client: usize,
    /// Index into [`PartitionView::agents`].
    pub agent: usize,
    pub resources: Quantities,
    /// Credits charged to the client's budget (0 for a policy without
    /// budgets).
    pub payment: f64,
    /// What the client bid, for the record (the payment when there is no
    /// bidding).
    pub bid: f64,
    /// How many clients competed for it.
    pub bidders: u32,
}

/// A grant as the master carried it out (for `auction.csv`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sale {
    pub agent: AgentId,
    pub framework: FrameworkId,
    pub role: RoleId,
    pub resources: Quantities,
    pub bid: f64,
    pub price: f64,
    pub bidders: u32,
    /// The buyer's budget after paying.
    pub budget: f64,
}

/// A policy that allocates a whole run at once.
pub trait WholePolicy: Send + Sync {
    /// The name scenarios use (`master.policy: NAME`).
    fn name(&self) -> &str;
    /// This run's grants. Must be deterministic in the view.
    fn allocate(&self, view: &PartitionView<'_>) -> Vec<Grant>;
    /// Whether clients hold budgets (then `master.max_budget` and
    /// `master.budget_rate` apply and `auction.csv` is written).
    fn uses_budgets(&self) -> bool {
        false
    }
}

impl fmt::Debug for dyn WholePolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WholePolicy({})", self.name())
    }
}

/// A whole-allocator policy as a model holds it.
pub type WholeRef = Arc<dyn WholePolicy>;

/// How many of `pending`'s tasks fit in `free`, packed greedily: shapes in
/// their order (smallest resource vector first), as many of each as fit.
/// Returns the tasks and what they ask for in all.
pub fn fit_pending(pending: &BTreeMap<Quantities, u64>, free: &Quantities) -> (u64, Quantities) {
    let mut left = *free;
    let mut tasks = 0;
    let mut used = Quantities::ZERO;
    for (shape, &n) in pending {
        if shape.is_empty() {
            continue;
        }
        let fits = shape
            .0
            .iter()
            .zip(left.0.iter())
            .filter(|(&s, _)| s > 0)
            .map(|(&s, &l)| l / s)
            .min()
            .unwrap_or(0);
        let k = fits.min(n);
        let take = shape.scaled(k);
        left = left.minus(&take);
        used.add(&take);
        tasks += k;
    }
    (tasks, used)
}

/// Removes from `pending` the tasks [`fit_pending`] packs into `free`
/// (what a winner's offer will run).
pub fn take_fitting(pending: &mut BTreeMap<Quantities, u64>, free: &Quantities) {
    let mut left = *free;
    for (shape, n) in pending.iter_mut() {
        let (k, used) = fit_pending(&BTreeMap::from([(*shape, *n)]), &left);
        *n -= k;
        left = left.minus(&used);
    }
    pending.retain(|_, n| *n > 0);
}
