//! What the engine reports, and to whom: records (one per thing that
//! happened, the rows of `events.csv`) and views of the state between events.
//! Metrics, writers, progress bars and test recorders implement [`Observer`].

use crate::cluster::resources::Quantities;
use crate::framework::{JobState, JobTable, SchedulerState};
use crate::master::{ExplainRow, Master, Offer};
use crate::scenario::model::{JobSpec, Model};
use crate::sim::time::SimTime;
use crate::{AgentId, FrameworkId, JobId, PartitionId, RoleId};
use std::sync::Arc;

/// Four bytes wide, not one: a kind stored as one byte and read back as
/// four (as an argument) cannot be forwarded from the store, and the read
/// waits for it (`Counted`'s kind, stop 20).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u32)]
pub enum RecordKind {
    AgentAdded,
    AgentRemoved,
    FrameworkRegistered,
    Offer,
    Accept,
    Decline,
    Rescind,
    Launch,
    Finish,
    Fail,
    Lost,
    Kill,
    Suppress,
    Revive,
    InverseOffer,
    SetWeight,
    SetQuota,
    Reserve,
    Unreserve,
    /// An operator reservation change that could not be applied.
    ReserveFailed,
    Maintenance,
    /// A framework's scheduler disconnected: the framework is deactivated.
    FrameworkDisconnected,
    /// It reconnected: the framework is active again.
    FrameworkReconnected,
    /// The agent whitelist changed (one record per whitelisted agent, or one
    /// with no agent for `all`).
    Whitelist,
    /// An agent failed (the truth: its tasks are dead, its master does not
    /// know yet).
    AgentFailed,
    /// Its master noticed (`agent_ping_timeout × max_agent_ping_timeouts`
    /// later) and marked it unreachable: its tasks are `lost`, it is gone.
    AgentUnreachable,
    /// A failed agent came back and registered again, its resources free.
    AgentRecovered,
    /// A disconnected framework's failover timeout passed: it is removed
    /// (its tasks killed, its jobs failed).
    FrameworkRemoved,
    /// A `hold` framework gave back (part of) an offer (`offer_return`).
    OfferReturned,
    /// A conversion of resources a framework holds (`update_allocation`).
    AllocationReserve,
    AllocationUnreserve,
    AllocationRemove,
    /// An agent's total or attributes changed (`agent_update`); the
    /// record carries the new total.
    AgentUpdated,
    /// A partition's leading master was lost (its offers vanish).
    MasterFailover,
    /// A new leading master was elected.
    MasterElected,
    /// An agent re-registered with a new master, reporting its tasks.
    AgentReregistered,
    /// An agent started draining: offered no more.
    AgentDraining,
}

impl RecordKind {
    pub fn name(self) -> &'static str {
        match self {
            RecordKind::AgentAdded => "agent_added",
            RecordKind::AgentRemoved => "agent_removed",
            RecordKind::FrameworkRegistered => "framework_registered",
            RecordKind::Offer => "offer",
            RecordKind::Accept => "accept",
            RecordKind::Decline => "decline",
            RecordKind::Rescind => "rescind",
            RecordKind::Launch => "launch",
            RecordKind::Finish => "finish",
            RecordKind::Fail => "fail",
            RecordKind::Lost => "lost",
            RecordKind::Kill => "kill",
            RecordKind::Suppress => "suppress",
            RecordKind::Revive => "revive",
            RecordKind::InverseOffer => "inverse_offer",
            RecordKind::SetWeight => "set_weight",
            RecordKind::SetQuota => "set_quota",
            RecordKind::Reserve => "reserve",
            RecordKind::Unreserve => "unreserve",
            RecordKind::ReserveFailed => "reserve_failed",
            RecordKind::Maintenance => "maintenance",
            RecordKind::FrameworkDisconnected => "framework_disconnected",
            RecordKind::FrameworkReconnected => "framework_reconnected",
            RecordKind::Whitelist => "whitelist",
            RecordKind::AgentFailed => "agent_failed",
            RecordKind::AgentUnreachable => "agent_unreachable",
            RecordKind::AgentRecovered => "agent_recovered",
            RecordKind::FrameworkRemoved => "framework_removed",
            RecordKind::OfferReturned => "offer_returned",
            RecordKind::AllocationReserve => "allocation_reserve",
            RecordKind::AllocationUnreserve => "allocation_unreserve",
            RecordKind::AllocationRemove => "allocation_remove",
            RecordKind::AgentUpdated => "agent_updated",
            RecordKind::MasterFailover => "master_failover",
            RecordKind::MasterElected => "master_elected",
            RecordKind::AgentReregistered => "agent_reregistered",
            RecordKind::AgentDraining => "agent_draining",
        }
    }
}

/// A set of record kinds, one bit each ([`Observer::record_kinds`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KindSet(u64);

impl KindSet {
    pub const NONE: KindSet = KindSet(0);
    pub const ALL: KindSet = KindSet(u64::MAX);
    /// Offers and the answers to them: what the default observers only
    /// count, per framework.
    pub const OFFER_COUNTS: KindSet = KindSet::of(&[
        RecordKind::Offer,
        RecordKind::Accept,
        RecordKind::Decline,
        RecordKind::Rescind,
        RecordKind::InverseOffer,
    ]);

    const fn bit(kind: RecordKind) -> u64 {
        1 << (kind as u8)
    }

    pub const fn of(kinds: &[RecordKind]) -> KindSet {
        let mut bits = 0;
        let mut i = 0;
        while i < kinds.len() {
            bits |= Self::bit(kinds[i]);
            i += 1;
        }
        KindSet(bits)
    }

    pub const fn contains(self, kind: RecordKind) -> bool {
        self.0 & Self::bit(kind) != 0
    }

    pub const fn union(self, other: KindSet) -> KindSet {
        KindSet(self.0 | other.0)
    }

    pub const fn minus(self, other: KindSet) -> KindSet {
        KindSet(self.0 & !other.0)
    }
}

/// Records an observer receives as a count ([`Observer::counted`]): `n`
/// records in a row of one kind, at one time, about one framework, the
/// last of them from queue event `seq`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Counted {
    pub time: SimTime,
    pub seq: u64,
    pub kind: RecordKind,
    pub framework: Option<FrameworkId>,
    pub n: u64,
}

pub use crate::cluster::state::TaskRef;

impl TaskRef {
    /// The task's name for a job of `Model::jobs`; a streamed job's tasks
    /// are named by [`Record::task_name`].
    pub fn name(self, model: &Model) -> String {
        match self {
            TaskRef::Job(j, i) => match model.jobs.get(j.index()) {
                Some(spec) => format!("{}.{}", spec.id, i),
                None => format!("job{}.{}", j.0, i),
            },
            TaskRef::TakeAll(f, i) => format!("{}.t{}", model.frameworks[f.index()].id, i),
            TaskRef::Running(a, i) => format!("{}.r{}", model.agent_name(a), i),
        }
    }
}

/// One thing that happened; `seq` is the insertion number of the queue
/// event that caused it.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    pub time: SimTime,
    pub seq: u64,
    /// The partition of the record's agent; 0 for records without one
    /// (framework registrations, suppress, revive, weights, quota).
    pub partition: PartitionId,
    pub kind: RecordKind,
    pub framework: Option<FrameworkId>,
    pub role: Option<RoleId>,
    pub agent: Option<AgentId>,
    pub task: Option<TaskRef>,
    pub resources: Quantities,
    /// The id of a streamed job whose task this is (listed jobs are named
    /// by the model).
    pub job_name: Option<Arc<str>>,
    /// For task records: what the task really uses (`jobs[].used`, by
    /// default its resources); otherwise equal to `resources`. Not part of
    /// the digest (it follows from the scenario).
    pub used: Quantities,
    /// For the end of a running task (finish, kill, lost): when it started
    /// (its launch, or its agent's registration); `None` otherwise. Not
    /// part of the digest (the task's launch record has it).
    pub started: Option<SimTime>,
}

impl Record {
    /// `<job>.<index>` or `<framework>.t<n>`.
    pub fn task_name(&self, model: &Model) -> Option<String> {
        let t = self.task?;
        Some(match (&self.job_name, t) {
            (Some(name), TaskRef::Job(_, i)) => format!("{name}.{i}"),
            _ => t.name(model),
        })
    }
}

/// Read access to the state between events. Observers (metrics, CSV
/// writers) read the allocator's state only through the query methods
/// below, never the master itself, so that the scheduler side can change
/// shape (several partitions, other architectures) without touching them.
pub struct View<'a> {
    pub model: &'a Model,
    /// One master per partition.
    pub(crate) masters: &'a [Master],
    /// The truth: agents up or down and the tasks on each.
    pub(crate) cluster: &'a crate::cluster::state::ClusterState,
    pub frameworks: &'a [SchedulerState],
    /// Listed and in-flight streamed jobs.
    pub jobs: &'a JobTable,
    pub jobs_completed: u64,
}

/// What one client (a framework in one of its roles) holds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ClientHeld {
    pub role: RoleId,
    /// In outstanding offers.
    pub offered: Quantities,
    /// Used by its tasks.
    pub allocated: Quantities,
}

impl ClientHeld {
    /// Offered plus allocated.
    pub fn held(&self) -> Quantities {
        self.offered.plus(&self.allocated)
    }
}

impl View<'_> {
    /// The truth about agents and their tasks, apart from what the
    /// masters believe.
    pub fn cluster(&self) -> &crate::cluster::state::ClusterState {
        self.cluster
    }

    /// A framework is active while registered and holding offered or
    /// allocated resources or having pending tasks.
    pub fn framework_active(&self, fw: FrameworkId) -> bool {
        self.framework_active_holding(fw, &self.framework_held(fw))
    }

    /// [`View::framework_active`] for a framework that holds `held`
    /// ([`View::framework_held`]), already at hand.
    pub fn framework_active_holding(&self, fw: FrameworkId, held: &Quantities) -> bool {
        self.framework_registered(fw)
            && (!held.is_empty() || self.frameworks[fw.index()].pending_tasks > 0)
    }

    /// Whether the framework has registered (it stays registered while
    /// disconnected).
    pub fn framework_registered(&self, fw: FrameworkId) -> bool {
        self.masters.iter().any(|m| m.framework(fw).registered)
    }

    /// Resources of all present agents (reserved and unreserved), merged by
    /// name.
    pub fn totals(&self) -> Quantities {
        self.sum(|m| m.totals())
    }

    /// The number of partitions (schedulers); 1 unless a library user
    /// built more.
    pub fn partitions(&self) -> usize {
        self.masters.len()
    }

    /// Resources of one partition's present agents.
    pub fn partition_totals(&self, p: PartitionId) -> Quantities {
        self.masters[p.index()].totals()
    }

    /// A framework's dominant share within one partition: what it holds
    /// there (offered plus allocated, all its roles) over the partition's
    /// own totals.
    pub fn partition_framework_share(&self, p: PartitionId, fw: FrameworkId) -> f64 {
        self.masters[p.index()].framework_share(fw)
    }

    /// Resources in one partition's outstanding offers.
    pub fn partition_offered(&self, p: PartitionId) -> Quantities {
        self.masters[p.index()].offered_total()
    }

    /// Resources used by tasks on one partition's agents.
    pub fn partition_allocated(&self, p: PartitionId) -> Quantities {
        self.masters[p.index()].allocated_total()
    }

    fn sum(&self, f: impl Fn(&Master) -> Quantities) -> Quantities {
        let mut q = Quantities::ZERO;
        for m in self.masters {
            q.add(&f(m));
        }
        q
    }

    /// Resources in outstanding offers, over the whole cluster.
    pub fn offered_total(&self) -> Quantities {
        self.sum(|m| m.offered_total())
    }

    /// Resources used by tasks, over the whole cluster.
    pub fn allocated_total(&self) -> Quantities {
        self.sum(|m| m.allocated_total())
    }

    /// The dominant share of `q` against the current totals, leaving out
    /// the resources `fair_sharing_excluded` names.
    pub fn share_of(&self, q: &Quantities) -> f64 {
        self.share_basis().dominant_share(q)
    }

    /// What [`View::share_of`] divides by, worked out once: the same
    /// shares, for many quantities against the same totals.
    pub fn share_basis(&self) -> crate::policy::ShareBasis {
        crate::policy::ShareBasis::new(&self.totals(), self.model.master.fair_sharing_excluded)
    }

    /// A framework's clients: one per role it subscribes to, in its roles'
    /// order.
    pub fn framework_clients(&self, fw: FrameworkId) -> impl Iterator<Item = ClientHeld> + '_ {
        let masters = self.masters;
        (0..masters[0].framework(fw).roles.len()).map(move |ri| {
            let mut c = ClientHeld {
                role: masters[0].framework(fw).roles[ri].role,
                offered: Quantities::ZERO,
                allocated: Quantities::ZERO,
            };
            for m in masters {
                let r = &m.framework(fw).roles[ri];
                c.offered.add(&r.offered);
                c.allocated.add(&r.allocated);
            }
            c
        })
    }

    /// What a framework holds (offered plus allocated), over its roles.
    pub fn framework_held(&self, fw: FrameworkId) -> Quantities {
        self.sum(|m| m.framework(fw).held())
    }

    /// [`View::framework_held`] added over the first `n` quantities only,
    /// with `n` the scenario's number of resource kinds
    /// ([`crate::cluster::state::resource_kinds`]): the same vector, as
    /// every quantity from `n` on is zero in what the masters hold (see
    /// [`Quantities::add_first`]), read from the first cache line of each
    /// role's sums instead of both (the metrics read it for every
    /// framework at every step).
    pub fn framework_held_first(&self, fw: FrameworkId, n: usize) -> Quantities {
        let mut q = Quantities::ZERO;
        for m in self.masters {
            let mut held = Quantities::ZERO;
            for r in &m.framework(fw).roles {
                held.add_first(&r.offered, n);
                held.add_first(&r.allocated, n);
            }
            q.add_first(&held, n);
        }
        q
    }

    /// What a framework's tasks use, over its roles.
    pub fn framework_allocated(&self, fw: FrameworkId) -> Quantities {
        self.sum(|m| m.framework(fw).allocated())
    }

    /// A framework's dominant share (all its roles), unweighted.
    pub fn framework_share(&self, fw: FrameworkId) -> f64 {
        self.share_of(&self.framework_held(fw))
    }

    /// A role's current weight (scripted `set_weight` events change it).
    pub fn role_weight(&self, role: RoleId) -> f64 {
        self.masters[0].role(role).weight
    }

    /// What a role's subtree holds (offered plus allocated).
    pub fn role_allocation(&self, role: RoleId) -> Quantities {
        self.sum(|m| m.role(role).subtree_alloc)
    }

    /// What a role's subtree's tasks use.
    pub fn role_used(&self, role: RoleId) -> Quantities {
        self.sum(|m| m.role(role).subtree_used)
    }

    /// A role subtree's dominant share, unweighted.
    pub fn role_share(&self, role: RoleId) -> f64 {
        self.share_of(&self.role_allocation(role))
    }
}

/// A framework's tasks not yet launched in one role.
#[derive(Clone, Debug, PartialEq)]
pub struct PendingWork {
    pub role: RoleId,
    pub tasks: u64,
    /// Their resources, summed.
    pub total: Quantities,
    /// The dominant share (against the current totals) of the smallest one.
    pub task_share: f64,
}

impl View<'_> {
    /// A framework's pending work per role, roles in id order, from the
    /// per-role counts the framework model keeps (no scan of its queue).
    pub fn pending_work(&self, fw: FrameworkId) -> Vec<PendingWork> {
        let excluded = self.model.master.fair_sharing_excluded;
        let totals = self.totals();
        self.frameworks[fw.index()]
            .pending
            .iter()
            .map(|(&role, p)| PendingWork {
                role,
                tasks: p.tasks,
                total: p.total,
                task_share: p
                    .shapes
                    .keys()
                    .map(|q| crate::policy::dominant_share(q, &totals, excluded))
                    .fold(f64::INFINITY, f64::min),
            })
            .collect()
    }
}

/// A job as it ended (or stood at the end of the run).
pub struct JobView<'a> {
    /// The id its tasks carry in records (`TaskRef::Job`); `None` for a
    /// streamed job that was never submitted (it never got one).
    pub id: Option<JobId>,
    pub spec: &'a JobSpec,
    pub state: &'a JobState,
}

/// Receives what the engine reports. Every method has an empty default.
pub trait Observer {
    /// Something happened.
    fn record(&mut self, _model: &Model, _rec: &Record) {}
    /// The kinds whose records this observer reads beyond their kind,
    /// time, event and framework (all of them unless it says otherwise).
    /// When no observer of a run wants a kind, the engine builds no
    /// [`Record`] for it and calls [`Observer::counted`] instead; when one
    /// does, every observer gets the record. So an observer leaving a kind
    /// out must treat its record in `record` as it treats it in `counted`.
    fn record_kinds(&self) -> KindSet {
        KindSet::ALL
    }
    /// Records of a kind no observer of the run reads whole (see
    /// [`Observer::record_kinds`]), `c.n` of them in a row: told before
    /// any other call that follows them (the offers of one allocation run
    /// to one framework arrive as one call, and so do the declines of one
    /// answer).
    fn counted(&mut self, _model: &Model, _c: &Counted) {}
    /// One step of an allocation run's reasoning (only when asked for).
    fn explain(&mut self, _model: &Model, _time: SimTime, _seq: u64, _row: &ExplainRow) {}
    /// After each allocation run of a whole-allocator policy with budgets
    /// (`auction`): what it sold, and every framework's budget (by
    /// framework id) at this partition's master after it.
    fn budgets(
        &mut self,
        _model: &Model,
        _time: SimTime,
        _partition: crate::PartitionId,
        _sales: &[crate::policy::whole::Sale],
        _budgets: &[f64],
    ) {
    }
    /// The state in `view` held over `[from, to)`; called when the clock
    /// moves forward.
    fn advance(&mut self, _view: &View, _from: SimTime, _to: SimTime) {}
    /// A job ended (finished, failed or abandoned), or the run ended with
    /// the job still pending or running (then it is reported once, after the
    /// last `advance` and before `finish`, in submission order).
    fn job_ended(&mut self, _model: &Model, _job: &JobView) {}
    /// A framework launched tasks from `offer` at `at` (right after the
    /// `accept` record); `offer.made_at` gives the offer-to-launch latency.
    fn offer_launched(&mut self, _model: &Model, _offer: &Offer, _at: SimTime) {}
    /// The run ended at `end` with this final state.
    fn finish(&mut self, _view: &View, _end: SimTime) {}
    /// Whether `explain` is wanted (it costs time).
    fn wants_explain(&self) -> bool {
        false
    }
    /// Whether this observer reads [`Record::job_name`] (directly or by
    /// [`Record::task_name`]). When no observer does, records carry `None`
    /// there: the name is looked up and shared per task record otherwise.
    /// Only observers that certainly never read it say `false`.
    fn wants_job_names(&self) -> bool {
        true
    }
}

/// Sends everything to several observers, in order.
#[derive(Default)]
pub struct Tee<'a> {
    pub observers: Vec<&'a mut dyn Observer>,
}

impl Observer for Tee<'_> {
    fn record(&mut self, model: &Model, rec: &Record) {
        for o in self.observers.iter_mut() {
            o.record(model, rec);
        }
    }
    fn record_kinds(&self) -> KindSet {
        self.observers
            .iter()
            .fold(KindSet::NONE, |k, o| k.union(o.record_kinds()))
    }
    fn counted(&mut self, model: &Model, c: &Counted) {
        for o in self.observers.iter_mut() {
            o.counted(model, c);
        }
    }
    fn explain(&mut self, model: &Model, time: SimTime, seq: u64, row: &ExplainRow) {
        for o in self.observers.iter_mut() {
            o.explain(model, time, seq, row);
        }
    }
    fn budgets(
        &mut self,
        model: &Model,
        time: SimTime,
        partition: crate::PartitionId,
        sales: &[crate::policy::whole::Sale],
        budgets: &[f64],
    ) {
        for o in self.observers.iter_mut() {
            o.budgets(model, time, partition, sales, budgets);
        }
    }
    fn advance(&mut self, view: &View, from: SimTime, to: SimTime) {
        for o in self.observers.iter_mut() {
            o.advance(view, from, to);
        }
    }
    fn job_ended(&mut self, model: &Model, job: &JobView) {
        for o in self.observers.iter_mut() {
            o.job_ended(model, job);
        }
    }
    fn offer_launched(&mut self, model: &Model, offer: &Offer, at: SimTime) {
        for o in self.observers.iter_mut() {
            o.offer_launched(model, offer, at);
        }
    }
    fn finish(&mut self, view: &View, end: SimTime) {
        for o in self.observers.iter_mut() {
            o.finish(view, end);
        }
    }
    fn wants_explain(&self) -> bool {
        self.observers.iter().any(|o| o.wants_explain())
    }
    fn wants_job_names(&self) -> bool {
        self.observers.iter().any(|o| o.wants_job_names())
    }
}

/// Keeps every record (tests use it).
#[derive(Default, Debug)]
pub struct Recorder {
    pub records: Vec<Record>,
}

impl Observer for Recorder {
    fn record(&mut self, _model: &Model, rec: &Record) {
        self.records.push(rec.clone());
    }
}
