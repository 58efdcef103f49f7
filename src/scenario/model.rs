//! The resolved scenario: what the simulator runs. Dense ids, interned
//! names, fixed-point resources, microsecond times. Built once by
//! `resolve`; read-only afterwards.

use crate::cluster::resources::{Limits, Quantities, ResId, ResourceNames, ResourceSet};
use crate::dist::Dist;
use crate::policy::PolicyRef;
use crate::sim::time::{DurationUs, SimTime};
use crate::{AgentId, FrameworkId, JobId, PartitionId, RoleId};
use std::path::PathBuf;

#[derive(Clone, Debug)]
pub struct Model {
    pub name: String,
    pub description: String,
    pub seed: u64,
    pub until: Option<SimTime>,
    pub resources: ResourceNames,
    pub master: MasterConfig,
    pub roles: Vec<RoleSpec>,
    /// How the agents are split among masters (one partition without a
    /// `partitions:` key).
    pub partitions: Partitions,
    /// Who places tasks (`architecture:`; two-level without the key).
    pub architecture: crate::arch::Architecture,
    /// The roles' tree (children of each role, top-level roles).
    pub role_tree: crate::policy::RoleTree,
    pub agent_groups: Vec<AgentGroup>,
    /// Every agent the run may see (initial ones and those added by events).
    pub agents: Vec<AgentSpec>,
    pub frameworks: Vec<FrameworkSpec>,
    /// Jobs in scheduling order: frameworks' jobs in file order, then traces.
    pub jobs: Vec<JobSpec>,
    /// Streamed workloads (compact CSV traces, generators), in `workload:`
    /// order: read while the run goes, never held whole.
    pub streams: Vec<StreamSpec>,
    /// What importers read and skipped, one line each (shown by `validate`
    /// and `run`).
    pub notes: Vec<String>,
    /// Scripted events in file order.
    pub events: Vec<ScriptedEvent>,
    /// Random faults (`faults:`), and for each agent the index of the one
    /// that covers it (the first that names it), if any.
    pub faults: Vec<FaultSpec>,
    pub fault_of: Vec<Option<u32>>,
    /// `agent_update` events that set attributes: per agent, in time order.
    pub attribute_changes: AttributeChanges,
    pub output: OutputConfig,
    /// The experiment lint's findings (`scenario::lint`): valid but almost
    /// certainly not meant. Each names the file and, where it can, the place.
    pub warnings: Vec<crate::error::InputError>,
}

/// Per agent, the attribute sets `agent_update` events give it, in time
/// order.
pub type AttributeChanges =
    std::collections::BTreeMap<AgentId, Vec<(SimTime, Vec<(String, String)>)>>;

#[derive(Clone, Debug)]
pub struct MasterConfig {
    /// The name of the policy both sorters use unless set apart.
    pub policy: String,
    pub allocation_interval: DurationUs,
    /// The role sorter's policy (`master.role_sorter`, else `policy`).
    pub role_sorter: PolicyRef,
    /// The framework sorters' policy (`master.framework_sorter`, else `policy`).
    pub framework_sorter: PolicyRef,
    pub offer_timeout: Option<DurationUs>,
    pub refuse: DurationUs,
    /// Alternatives; an offer must contain at least one. Empty: anything.
    pub min_allocatable: Vec<Quantities>,
    /// Bit `i` set when resource `i` is left out of DRF shares.
    pub fair_sharing_excluded: u32,
    pub filter_gpu_resources: bool,
    /// What some policies read: `master.policy_resource`, `master.slot_size`,
    /// `master.max_budget`, `master.budget_rate`.
    pub policy_params: crate::policy::PolicyParams,
    /// A whole-allocator policy (`auction`): when set it allocates every
    /// run and the sorters are unused.
    pub allocator: Option<crate::policy::WholeRef>,
    /// Mesos `--agent_ping_timeout` and `--max_agent_ping_timeouts`: a
    /// failed agent is marked unreachable their product after it failed.
    pub agent_ping_timeout: DurationUs,
    pub max_agent_ping_timeouts: u32,
    /// Master failover: the new leader is elected `zk_session_timeout +
    /// election_delay` after the old one is lost (Mesos
    /// `--zk_session_timeout`, 10 s); agents re-register spread evenly
    /// over `agent_reregister_spread` after the election.
    pub zk_session_timeout: DurationUs,
    pub election_delay: DurationUs,
    pub agent_reregister_spread: DurationUs,
    /// `master.run_cost`: the simulated cost of each allocation run,
    /// reported in `summary.json` (`allocation_run_cost`), not waited for.
    pub run_cost: Option<RunCost>,
}

/// `master.run_cost` (docs/partitions.md, "Allocation-run cost"): a run
/// over `a` agents with `c` clients (frameworks registered with the
/// master) costs `per_agent` × a + `per_client` × c + `per_pair` × a × c (µs).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RunCost {
    pub per_agent: DurationUs,
    pub per_client: DurationUs,
    pub per_pair: DurationUs,
}

impl RunCost {
    pub fn of(&self, agents: u64, clients: u64) -> DurationUs {
        self.per_agent
            .saturating_mul(agents)
            .saturating_add(self.per_client.saturating_mul(clients))
            .saturating_add(self.per_pair.saturating_mul(agents).saturating_mul(clients))
    }
}

impl MasterConfig {
    /// How long after an agent fails its master notices
    /// (`agent_ping_timeout × max_agent_ping_timeouts`).
    pub fn detection_delay(&self) -> DurationUs {
        self.agent_ping_timeout
            .saturating_mul(u64::from(self.max_agent_ping_timeouts))
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Quota {
    pub guarantee: Quantities,
    pub limit: Limits,
}

impl Quota {
    pub fn is_default(&self) -> bool {
        self.guarantee.is_empty() && self.limit.is_unlimited()
    }

    /// The whole of per-partition amounts: the guarantees summed; a
    /// resource limited in every part is limited to the sum, otherwise
    /// unlimited.
    pub fn sum(parts: &[Quota]) -> Quota {
        let mut guarantee = Quantities::ZERO;
        let mut set = if parts.is_empty() { 0 } else { u32::MAX };
        let mut value = Quantities::ZERO;
        for q in parts {
            guarantee = guarantee.plus(&q.guarantee);
            set &= q.limit.set;
            value = value.plus(&q.limit.value);
        }
        let mut limit = Limits::NONE;
        for r in 0..value.0.len() {
            if set & (1 << r) != 0 {
                limit.set_limit(ResId(r as u8), value.0[r]);
            }
        }
        Quota { guarantee, limit }
    }
}

#[derive(Clone, Debug)]
pub struct RoleSpec {
    /// Full path, e.g. `eng/backend`.
    pub name: String,
    pub parent: Option<RoleId>,
    pub depth: u32,
    pub weight: f64,
    /// The declared quota; with `per_partition`, the sum of the parts.
    pub quota: Quota,
    /// `roles[].quota.per_partition`: one quota per partition, given in
    /// place of splitting `quota` by capacity; empty when not given.
    pub quota_per_partition: Vec<Quota>,
}

/// One `agents:` entry (or `agent_add` event), shared by its `count` copies.
#[derive(Clone, Debug)]
pub struct AgentGroup {
    pub base_id: String,
    pub counted: bool,
    /// Unreserved plus static reservations.
    pub resources: ResourceSet,
    pub attributes: Vec<(String, String)>,
    /// Tasks already running on each agent of the group when it registers
    /// (`agents[].running`).
    pub running: Vec<RunningSpec>,
}

/// A task already running on an agent when it registers (Mesos `addSlave`
/// with used resources): allocated to its framework in its role from the
/// start, recovered with no filter when it ends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunningSpec {
    pub framework: FrameworkId,
    pub role: RoleId,
    pub resources: ResourceSet,
    /// How long it runs after the agent registers; `None`: forever.
    pub duration: Option<DurationUs>,
}

/// `partitions:` resolved: each agent's partition and each partition's
/// capacity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Partitions {
    pub count: u32,
    /// Each agent's partition (model agent order).
    pub of_agent: Vec<PartitionId>,
    /// Per partition: the sum of its agents' resources (every agent the run
    /// may see), by which quota is split.
    pub capacity: Vec<Quantities>,
    /// `partitions.rebalance` (docs/partitions.md, "Rebalancing").
    pub rebalance: Option<crate::arch::rebalance::Rebalance>,
}

impl Partitions {
    /// Everything in partition 0.
    pub fn single(agents: usize, capacity: Quantities) -> Partitions {
        Partitions {
            count: 1,
            of_agent: vec![PartitionId(0); agents],
            capacity: vec![capacity],
            rebalance: None,
        }
    }

    /// Partition `p`'s part of `q`: for each resource, `q` split in
    /// proportion to the partitions' capacity of that resource (equally
    /// when no partition has it), in whole milli-units by largest
    /// remainder (ties to the lower partition), so the parts add up to `q`
    /// exactly. With one partition, `q` itself.
    pub fn split(&self, q: &Quantities, p: PartitionId) -> Quantities {
        let n = self.count as usize;
        if n <= 1 {
            return *q;
        }
        let mut out = Quantities::ZERO;
        for r in 0..q.0.len() {
            let total = q.0[r] as u128;
            if total == 0 {
                continue;
            }
            let caps: Vec<u128> = self.capacity.iter().map(|c| c.0[r] as u128).collect();
            let sum: u128 = caps.iter().sum();
            let weights: Vec<u128> = if sum == 0 { vec![1; n] } else { caps };
            let wsum: u128 = weights.iter().sum();
            let base: Vec<u128> = weights.iter().map(|w| total * w / wsum).collect();
            let rem: Vec<u128> = weights.iter().map(|w| total * w % wsum).collect();
            let leftover = total - base.iter().sum::<u128>();
            let mut order: Vec<usize> = (0..n).collect();
            order.sort_by(|&a, &b| rem[b].cmp(&rem[a]).then(a.cmp(&b)));
            let extra = u128::from(order[..leftover as usize].contains(&p.index()));
            out.0[r] = (base[p.index()] + extra) as u64;
        }
        out
    }

    /// Partition `p`'s quota: its own amount when the scenario names one per
    /// partition (`per_partition`), otherwise `quota` split by
    /// [`split_quota`](Self::split_quota).
    pub fn quota_of(&self, quota: &Quota, per_partition: &[Quota], p: PartitionId) -> Quota {
        match per_partition.get(p.index()) {
            Some(q) => q.clone(),
            None => self.split_quota(quota, p),
        }
    }

    /// Partition `p`'s part of a quota: its guarantee and its limits split
    /// by [`split`](Self::split) (unlimited stays unlimited).
    pub fn split_quota(&self, quota: &Quota, p: PartitionId) -> Quota {
        if self.count <= 1 {
            return quota.clone();
        }
        Quota {
            guarantee: self.split(&quota.guarantee, p),
            limit: Limits {
                value: self.split(&quota.limit.value, p),
                set: quota.limit.set,
            },
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub struct AgentSpec {
    pub group: u32,
    /// 1-based copy number when the group has a `count`.
    pub index: u32,
    /// Registration time for `agents:` entries; `None` for agents that
    /// `agent_add` events bring.
    pub at: Option<SimTime>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Behavior {
    Batch,
    TakeAll,
    DeclineAll,
    /// Never answers: offers stay outstanding until rescinded (offer
    /// timeout, agent removal). Mesos tests' frameworks that keep offers.
    Hold,
}

impl Behavior {
    pub fn name(self) -> &'static str {
        match self {
            Behavior::Batch => "batch",
            Behavior::TakeAll => "take-all",
            Behavior::DeclineAll => "decline-all",
            Behavior::Hold => "hold",
        }
    }
}

#[derive(Clone, Debug)]
pub struct FrameworkSpec {
    pub id: String,
    /// The partitions whose masters it registers with, ascending (every
    /// partition unless `frameworks[].partitions` names some).
    pub partitions: Vec<PartitionId>,
    /// Subscribed roles; the first is the framework's role in outputs.
    pub roles: Vec<RoleId>,
    pub at: SimTime,
    pub gpu: bool,
    pub behavior: Behavior,
    pub max_tasks_per_offer: Option<u64>,
    pub refuse: DurationUs,
    /// Per-framework minimum allocatable override (all its roles).
    pub min_allocatable: Option<Vec<Quantities>>,
    pub task_duration: TaskDuration,
    /// The preset it started from, if any (`hadoop`, `spark`, ...).
    pub preset: Option<String>,
    /// Suppress offers while it has no pending work; revive when work comes.
    pub suppress_when_idle: bool,
    /// Think time per offer: the offer stays held meanwhile.
    pub decision_time: DecisionTime,
    /// Gang jobs hold offers (across agents) until the whole job fits, for
    /// at most this long; `None`: a gang job needs one offer that fits it.
    pub gang_hold_timeout: Option<DurationUs>,
    /// Delay scheduling: a job with `prefer` waits up to this long for a
    /// preferred agent before taking any.
    pub locality_wait: DurationUs,
    /// A job that could not launch anything from this many offers in a row
    /// is abandoned.
    pub abandon_after: Option<u32>,
    /// How long a disconnected framework is kept before Mesos removes it
    /// (`FrameworkInfo.failover_timeout`).
    pub failover_timeout: DurationUs,
    /// Jobs of this framework are gang jobs unless they say otherwise.
    pub gang_default: bool,
    /// `frameworks[].priority` (default 0): what the `priority` policy
    /// orders by, highest first.
    pub priority: i64,
    /// `frameworks[].valuation`: what its pending tasks are worth (`auction`).
    pub valuation: crate::policy::whole::Valuation,
    /// What it does with a task the master reports `lost`
    /// (`frameworks[].on_lost`).
    pub on_lost: OnLost,
}

/// `frameworks[].on_lost`: a lost task goes back to its job's queue
/// (`requeue`, the default), or its job fails (`fail`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OnLost {
    #[default]
    Requeue,
    Fail,
}

/// One random-fault process (`faults:`): each agent it covers fails after
/// an up-time drawn from `mtbf` and comes back after a down-time drawn from
/// `mttr`, again and again (µs).
#[derive(Clone, Debug, PartialEq)]
pub struct FaultSpec {
    pub mtbf: crate::dist::Dist,
    pub mttr: crate::dist::Dist,
}

/// `decision_time`. Under two-level scheduling the framework decides one
/// allocation run's offers as one batch and answers them all after
/// `per_offer` × the batch's offers + `per_job` × the jobs it launches from +
/// `per_task` × the tasks it launches. Under monolithic and
/// shared-state scheduling one placement attempt of a job costs `per_job` +
/// `per_task` × the job's tasks still to place (the Omega paper's C + L·n);
/// `per_offer` does not apply.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DecisionTime {
    pub per_job: DurationUs,
    pub per_offer: DurationUs,
    pub per_task: DurationUs,
}

impl DecisionTime {
    pub fn is_zero(&self) -> bool {
        self.per_offer == 0 && self.per_task == 0 && self.per_job == 0
    }

    /// Two-level: a batch of `offers` offers launching `tasks` tasks from
    /// `jobs` distinct jobs.
    pub fn of(&self, offers: u64, jobs: u64, tasks: u64) -> DurationUs {
        self.per_offer
            .saturating_mul(offers)
            .saturating_add(self.per_job.saturating_mul(jobs))
            .saturating_add(self.per_task.saturating_mul(tasks))
    }

    /// Monolithic and shared-state: one attempt at a job with `tasks` tasks
    /// to place.
    pub fn of_job(&self, tasks: u64) -> DurationUs {
        self.per_job
            .saturating_add(self.per_task.saturating_mul(tasks))
    }
}

/// An agent attribute test: the agent's value of `key` is one of `values`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttrMatch {
    pub key: String,
    pub values: Vec<String>,
}

/// Whether an agent's attributes pass every test.
pub fn attrs_match(tests: &[AttrMatch], attributes: &[(String, String)]) -> bool {
    tests.iter().all(|t| {
        attributes
            .iter()
            .any(|(k, v)| *k == t.key && t.values.iter().any(|x| x == v))
    })
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TaskDuration {
    Fixed(DurationUs),
    Forever,
    Exp {
        mean: DurationUs,
    },
    Uniform {
        low: DurationUs,
        high: DurationUs,
    },
    /// `exp(N(mu, sigma²))` microseconds (`mu` = ln of the median in µs).
    LogNormal {
        mu: f64,
        sigma: f64,
    },
    /// Pareto with minimum `scale` µs and tail index `shape`.
    Pareto {
        scale: f64,
        shape: f64,
    },
}

impl TaskDuration {
    pub fn is_forever(&self) -> bool {
        matches!(self, TaskDuration::Forever)
    }
}

#[derive(Clone, Debug)]
pub struct JobSpec {
    pub id: String,
    pub framework: FrameworkId,
    pub role: RoleId,
    pub submit: SimTime,
    pub tasks: u32,
    /// Per task, merged by name (the framework decides which of an offer's
    /// reserved or unreserved resources it uses).
    pub resources: Quantities,
    pub duration: TaskDuration,
    pub gang: bool,
    /// Per task: what a task actually uses (metrics only), ≤ `resources`;
    /// equal to `resources` unless the scenario says otherwise.
    pub used: Quantities,
    /// `jobs[].class`: a label grouping jobs in the metrics.
    pub class: Option<String>,
    /// Hard placement constraints on agent attributes.
    pub constraints: Vec<AttrMatch>,
    /// Soft preferences (delay scheduling, see `locality_wait`).
    pub prefer: Vec<AttrMatch>,
    /// `jobs[].deadline`: the job should be done this long after its
    /// submission (the auction's deadline bonus; `jobs.deadlines` in
    /// summary.json).
    pub deadline: Option<DurationUs>,
}

/// A workload read while the run goes.
#[derive(Clone, Debug)]
pub struct StreamSpec {
    /// `workload[i]`, for messages.
    pub name: String,
    pub source: StreamSource,
    /// Jobs it holds, where known before the run (a checked CSV trace).
    pub jobs: Option<u64>,
    /// Whether some job runs `forever`.
    pub forever: bool,
}

#[derive(Clone, Debug)]
pub enum StreamSource {
    /// A compact CSV job trace (docs/workloads.md).
    Csv(CsvStream),
    /// A synthetic generator.
    Generate(Generator),
}

/// A compact trace the scenario streams (checked in full when loaded).
#[derive(Clone, Debug)]
pub struct CsvStream {
    pub path: PathBuf,
    pub shown: String,
    /// Every job goes to this framework (`workload[].framework`).
    pub framework: Option<FrameworkId>,
    /// Jobs without an id are named `<prefix><row number>`.
    pub id_prefix: String,
    /// What the experiment lint needs, gathered by the check at load.
    pub digest: TraceDigest,
}

/// Most distinct task shapes a [`TraceDigest`] keeps.
pub const TRACE_SHAPES: usize = 256;

/// What a streamed trace asks for, gathered while it is checked at load,
/// for the experiment lint: its first [`TRACE_SHAPES`] distinct task shapes
/// (framework, role, per-task resources, constraints), the roles its jobs
/// run in, and its last submission time.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TraceDigest {
    pub shapes: Vec<TraceShape>,
    /// Jobs of shapes beyond the first [`TRACE_SHAPES`] (not linted).
    pub unshaped: u64,
    /// Sorted, each once.
    pub roles: Vec<RoleId>,
    pub last_submit: SimTime,
    /// Line (in the file) of the job submitted last.
    pub last_line: u64,
}

/// One task shape of a trace and where it first occurs.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceShape {
    pub framework: FrameworkId,
    pub role: RoleId,
    pub resources: Quantities,
    pub constraints: Vec<AttrMatch>,
    /// Line (in the file) of its first job, and how many jobs have it.
    pub line: u64,
    pub jobs: u64,
}

#[derive(Clone, Debug)]
pub struct Generator {
    /// Names its random stream and prefixes nothing: job ids are
    /// `<class>-<n>`.
    pub name: String,
    /// Stop after this many jobs.
    pub jobs: Option<u64>,
    /// The first arrival is one gap after `start`.
    pub start: SimTime,
    /// No arrival after this time.
    pub until: Option<SimTime>,
    /// Gaps between arrivals, in µs.
    pub interarrival: Dist,
    pub classes: Vec<GenClass>,
}

#[derive(Clone, Debug)]
pub struct GenClass {
    pub name: String,
    pub weight: f64,
    pub framework: String,
    pub role: Option<String>,
    /// Tasks per job (rounded, at least 1).
    pub tasks: Dist,
    /// Per task, by resource name, in milli-units.
    pub resources: Vec<(String, u64)>,
    /// Every task of a job runs this long (µs, drawn once per job);
    /// `None`: forever.
    pub duration: Option<Dist>,
    pub gang: Option<bool>,
    pub constraints: Vec<AttrMatch>,
    pub prefer: Vec<AttrMatch>,
    /// Filled when the generator runs inside a scenario.
    pub resolved: Option<ResolvedClass>,
}

/// A class's names turned into the scenario's ids.
#[derive(Clone, Debug)]
pub struct ResolvedClass {
    pub framework: FrameworkId,
    pub role: RoleId,
    pub resources: Quantities,
    pub gang: bool,
}

#[derive(Clone, Debug)]
pub enum EventKind {
    AgentAdd(AgentId),
    AgentRemove(AgentId),
    SetWeight {
        role: RoleId,
        weight: f64,
    },
    /// Empty `roles`: all the framework's roles.
    Suppress {
        framework: FrameworkId,
        roles: Vec<RoleId>,
    },
    Revive {
        framework: FrameworkId,
        roles: Vec<RoleId>,
    },
    /// The scheduler disconnects and reconnects `duration` later, or, if
    /// that is not before its failover timeout, is removed at the timeout.
    FrameworkDisconnect {
        framework: FrameworkId,
        duration: DurationUs,
    },
    SetQuota {
        role: RoleId,
        /// With `per_partition`, the sum of the parts.
        quota: Quota,
        /// `set_quota.per_partition`; empty when not given.
        per_partition: Vec<Quota>,
    },
    Reserve {
        agent: AgentId,
        role: RoleId,
        resources: Quantities,
    },
    Unreserve {
        agent: AgentId,
        role: RoleId,
        resources: Quantities,
    },
    Maintenance {
        agents: Vec<AgentId>,
        start: DurationUs,
        duration: DurationUs,
    },
    /// Mesos `updateWhitelist`: only these agents are offered (`None`: all).
    Whitelist {
        agents: Option<Vec<AgentId>>,
    },
    /// The agents fail at once (`agent_fail`: one; `rack_fail`: every
    /// agent with the attribute value).
    AgentFail(Vec<AgentId>),
    /// A failed agent comes back and registers again, its resources free.
    AgentRecover(AgentId),
    /// The leading master of a partition (`None`: of every partition) is
    /// lost; a new one is elected after the ZooKeeper session timeout.
    MasterFailover(Option<crate::PartitionId>),
    /// The agent drains: no new offers; its tasks finish, or are killed
    /// at the deadline; then it is gone.
    AgentDrain {
        agent: AgentId,
        deadline: Option<DurationUs>,
    },
    /// A `hold` framework gives back part of the offers it keeps on an
    /// agent (Mesos `recoverResources`), with a filter of `refuse` (0: none).
    OfferReturn {
        framework: FrameworkId,
        agent: AgentId,
        role: Option<RoleId>,
        part: ReturnPart,
        refuse: DurationUs,
    },
    /// An operation on resources a `hold` framework keeps in an offer
    /// (Mesos `updateAllocation` with resource conversions).
    UpdateAllocation {
        framework: FrameworkId,
        agent: AgentId,
        role: Option<RoleId>,
        op: AllocationOp,
        resources: Quantities,
    },
    /// Mesos `updateSlave`: a new total (`resources`, as an agents entry
    /// gives it) and/or new attributes (already in the model's attribute
    /// timeline, [`Model::agent_attributes`]).
    AgentUpdate {
        agent: AgentId,
        total: Option<ResourceSet>,
        attributes_changed: bool,
    },
}

/// Which part of its offers on an agent an `offer_return` gives back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReturnPart {
    All,
    Reserved,
    Unreserved,
}

/// A resource conversion on held resources (`update_allocation`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AllocationOp {
    /// Unreserved → reserved for the offer's role.
    Reserve,
    /// Reserved for the offer's role → unreserved.
    Unreserve,
    /// Unreserved resources leave the allocation and the agent's total.
    Remove,
}

#[derive(Clone, Debug)]
pub struct ScriptedEvent {
    pub at: SimTime,
    pub kind: EventKind,
}

/// [`Model::horizon`] for a sample interval, in microseconds.
pub fn horizon(sample_interval: DurationUs) -> DurationUs {
    sample_interval.saturating_mul(crate::limits::MAX_SAMPLES)
}

/// The latest a task of this duration can end after it starts, where
/// that is bounded (`None` for `forever` and unbounded distributions).
pub fn duration_bound(d: &TaskDuration) -> Option<DurationUs> {
    match d {
        TaskDuration::Fixed(x) => Some(*x),
        TaskDuration::Uniform { high, .. } => Some(*high),
        _ => None,
    }
}

#[derive(Clone, Debug)]
pub struct OutputConfig {
    pub sample_interval: DurationUs,
    /// `output.window`: metrics cover `[from, to]` (to = the end when `None`).
    pub window: Window,
    pub percentiles: Percentiles,
    /// `output.references`: `summary.json` also gives the mean distances
    /// from the asset-fair and CEEI references (exact, at every sample).
    pub references: bool,
    /// `output.compare_frameworks`: frameworks whose own metrics `compare`
    /// reports beside the cluster's.
    pub compare_frameworks: Vec<String>,
    /// `output.schedulers`: under two-level too, `summary.json` gives
    /// `schedulers[]` (each framework's decision time as a scheduler's
    /// busyness; docs/architectures.md).
    pub schedulers: bool,
    /// `output.faults`: write `faults.csv`, the fault rows of the record
    /// (docs/faults.md), so `mesosim plot` can redraw the charts' fault
    /// marks. `run`'s own charts mark faults without it.
    pub faults: bool,
}

/// `output.percentiles`: how job times are kept for the percentiles of
/// `summary.json`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Percentiles {
    /// Every completed job's times (32 bytes a job): exact percentiles.
    #[default]
    Exact,
    /// Log-bucketed histograms per group: memory independent of the number
    /// of jobs, percentiles within 0.4%.
    Sketch,
}

/// The measurement window of the metrics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Window {
    pub from: SimTime,
    pub to: Option<SimTime>,
}

impl Window {
    pub fn is_whole_run(&self) -> bool {
        self.from == SimTime::ZERO && self.to.is_none()
    }
}

impl Model {
    /// The latest time a run without `until` may reach: `MAX_SAMPLES`
    /// samples of `output.sample_interval`. An input dated beyond it is
    /// refused (docs/format.md, "Limits").
    pub fn horizon(&self) -> SimTime {
        SimTime(horizon(self.output.sample_interval))
    }

    pub fn agent_name(&self, id: AgentId) -> String {
        let spec = &self.agents[id.index()];
        let group = &self.agent_groups[spec.group as usize];
        if group.counted {
            format!("{}{}", group.base_id, spec.index)
        } else {
            group.base_id.clone()
        }
    }

    pub fn agent_group(&self, id: AgentId) -> &AgentGroup {
        &self.agent_groups[self.agents[id.index()].group as usize]
    }

    /// An agent's attributes at `now`: its entry's, or the last
    /// `agent_update` that set them at or before `now`.
    pub fn agent_attributes(&self, id: AgentId, now: SimTime) -> &[(String, String)] {
        if let Some(changes) = self.attribute_changes.get(&id) {
            if let Some((_, attrs)) = changes.iter().rev().find(|(t, _)| *t <= now) {
                return attrs;
            }
        }
        &self.agent_group(id).attributes
    }

    pub fn role_name(&self, id: RoleId) -> &str {
        &self.roles[id.index()].name
    }

    pub fn framework_name(&self, id: FrameworkId) -> &str {
        &self.frameworks[id.index()].id
    }

    /// A job of `jobs` (not a streamed one: those live in the engine).
    pub fn job(&self, id: JobId) -> &JobSpec {
        &self.jobs[id.index()]
    }

    /// Jobs known before the run: listed ones plus counted streams.
    pub fn job_count_hint(&self) -> u64 {
        self.jobs.len() as u64 + self.streams.iter().filter_map(|s| s.jobs).sum::<u64>()
    }

    pub fn framework_by_name(&self, name: &str) -> Option<FrameworkId> {
        self.frameworks
            .iter()
            .position(|f| f.id == name)
            .map(|i| FrameworkId(i as u32))
    }

    /// Whether `ancestor` is `role` or one of its ancestors.
    pub fn role_is_self_or_ancestor(&self, ancestor: RoleId, role: RoleId) -> bool {
        let mut cur = Some(role);
        while let Some(r) = cur {
            if r == ancestor {
                return true;
            }
            cur = self.roles[r.index()].parent;
        }
        false
    }

    pub fn top_level_role(&self, role: RoleId) -> RoleId {
        let mut r = role;
        while let Some(p) = self.roles[r.index()].parent {
            r = p;
        }
        r
    }

    pub fn resource_excluded(&self, r: ResId) -> bool {
        self.master.fair_sharing_excluded & (1 << r.0) != 0
    }

    /// Whether the run can end on its own (see docs/format.md "Stopping").
    pub fn never_ends(&self) -> bool {
        self.until.is_none()
            && (self
                .frameworks
                .iter()
                .any(|f| matches!(f.behavior, Behavior::TakeAll | Behavior::Hold))
                || self.jobs.iter().any(|j| j.duration.is_forever())
                || self.streams.iter().any(|s| s.forever))
    }
}
