//! The engine: one owner of the clock, the queue, the master, the framework
//! models and the random streams; one event enum; one loop.

use super::observer::{Counted, JobView, KindSet, Observer, Record, RecordKind, TaskRef, View};
use super::queue::{EventQueue, LAST_LANE, MAX_LANE, MAX_SEQS};

// Every stream's lane (1 + its index) is one the queue's keys order exactly.
const _: () = assert!(crate::limits::MAX_STREAMS <= MAX_LANE as u64);
use super::rng::{Stream, StreamFamily, StreamSet};
use super::time::{DurationUs, SimTime};
use crate::cluster::resources::{Quantities, ResourceSet, MAX_RESOURCE_KINDS};
use crate::cluster::slot::{Slot, SlotId};
use crate::cluster::state::{ClusterState, RunningTask, TaskUid};
use crate::error::{Error, InputError, InvariantError};
use crate::framework::{self, Answer, JobState, JobStatus, JobTable, PendingTasks, SchedulerState};
use crate::master::{FilterId, Master, OfferId, Trigger, Unavailability};
use crate::scenario::model::{Behavior, EventKind, JobSpec, Model};
use crate::workload::JobSource;
use crate::{AgentId, FrameworkId, JobId, PartitionId, RoleId};
use digest::{Hashing, RecordDigest};
use std::collections::{BTreeMap, BTreeSet};

mod central;
mod digest;
mod failover;
mod faults;
mod invariants;
mod offers;
mod rebalance;
mod scripted;
mod tasks;

/// The one event enum. Payloads are small; the queue keeps them in a slab.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// A partition's periodic allocation timer fired.
    AllocationTick(PartitionId),
    /// A (batched) allocation run over a master's pending candidates.
    AllocationRun(PartitionId),
    /// An `agents:` entry registers.
    AgentAdd(AgentId),
    FrameworkRegister(FrameworkId),
    JobSubmit(JobId),
    /// The next job of streamed workload `i` is due.
    StreamSubmit(u32),
    /// A scripted event from the scenario's `events:`.
    Scripted(u32),
    /// A framework receives the offers one run sent it and decides.
    /// `removals`: the partition's master's `offer_removals` of the
    /// framework when the run sent them (all outstanding then).
    OfferReply {
        partition: PartitionId,
        framework: FrameworkId,
        removals: u64,
        offers: Vec<OfferId>,
    },
    /// A framework's answers take effect, after its decision time.
    Answer(u64),
    /// A framework's hold on offers for a gang job timed out (if the hold
    /// of that epoch still stands).
    HoldTimeout {
        framework: FrameworkId,
        epoch: u64,
    },
    InverseReply {
        partition: PartitionId,
        framework: FrameworkId,
        agent: AgentId,
    },
    TaskEnd(TaskUid),
    /// Decline filters' timers fired; each is removed by the
    /// `FilterRemove` this schedules (two hops, as Mesos's `expire` →
    /// `_expire`). One entry stands for one event per filter, with
    /// consecutive insertion numbers (a queue block: the filters one answer
    /// installed with the same expiry, scheduled one after another), and
    /// counts as that many events.
    FilterExpire(PartitionId, Vec<FilterId>),
    /// The second hop of each filter of a `FilterExpire`, again one event
    /// per filter in one entry.
    FilterRemove(PartitionId, Vec<FilterId>),
    InverseFilterExpire(PartitionId, FilterId),
    OfferTimeout(PartitionId, OfferId),
    /// A disconnected framework's scheduler reconnects.
    FrameworkReconnect(FrameworkId),
    /// A random fault (`faults:`): the agent fails, if it is still in the
    /// life (`epoch`) it was drawn for.
    AgentFail {
        agent: AgentId,
        epoch: u64,
    },
    /// A randomly failed agent comes back (same rule).
    AgentRecover {
        agent: AgentId,
        epoch: u64,
    },
    /// The master's ping timeouts run out for a failed agent: it is marked
    /// unreachable, unless it came back meanwhile (`epoch` moved).
    AgentUnreachable {
        agent: AgentId,
        epoch: u64,
    },
    /// A disconnected framework's failover timeout passed: it is removed.
    FrameworkFailoverTimeout(FrameworkId),
    /// Monolithic and shared-state: scheduler `s` starts an attempt.
    SchedulerStart(u32),
    /// An attempt's decision time is over: its claims commit.
    Commit(u64),
    /// Scheduler `s`'s blocked jobs are tried again.
    SchedulerRetry(u32),
    /// `partitions.rebalance`: a rebalancing tick.
    Rebalance,
    /// A moving agent joins its new partition (if its epoch still stands).
    AgentMoved {
        agent: AgentId,
        to: PartitionId,
        epoch: u64,
    },
    /// ZooKeeper elected a new leading master for the partition (if no
    /// failover came after the one of that `epoch`).
    MasterElected {
        partition: PartitionId,
        epoch: u64,
    },
    /// An agent re-registers with its partition's new master.
    AgentReregister {
        agent: AgentId,
        epoch: u64,
    },
    /// The allocator's recovery timeout after a failover with quota.
    AllocatorResume {
        partition: PartitionId,
        epoch: u64,
    },
    /// A draining agent's deadline (if still in the life it was set in).
    DrainDeadline {
        agent: AgentId,
        epoch: u64,
    },
}

impl Event {
    /// How many events this entry stands for: one, or one per filter of a
    /// filter expiry's block (see [`EventQueue::push_block`]).
    pub fn count(&self) -> u64 {
        match self {
            Event::FilterExpire(_, ids) | Event::FilterRemove(_, ids) => ids.len().max(1) as u64,
            _ => 1,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Event::AllocationTick(_) => "allocation_tick",
            Event::AllocationRun(_) => "allocation_run",
            Event::AgentAdd(_) => "agent_add",
            Event::FrameworkRegister(_) => "framework_register",
            Event::JobSubmit(_) => "job_submit",
            Event::StreamSubmit(_) => "stream_submit",
            Event::Scripted(_) => "scripted",
            Event::OfferReply { .. } => "offer_reply",
            Event::Answer(_) => "answer",
            Event::HoldTimeout { .. } => "hold_timeout",
            Event::InverseReply { .. } => "inverse_reply",
            Event::TaskEnd(_) => "task_end",
            Event::FilterExpire(..) => "filter_expire",
            Event::FilterRemove(..) => "filter_remove",
            Event::InverseFilterExpire(..) => "inverse_filter_expire",
            Event::OfferTimeout(..) => "offer_timeout",
            Event::FrameworkReconnect(_) => "framework_reconnect",
            Event::AgentFail { .. } => "agent_fail",
            Event::AgentRecover { .. } => "agent_recover",
            Event::AgentUnreachable { .. } => "agent_unreachable",
            Event::FrameworkFailoverTimeout(_) => "framework_failover_timeout",
            Event::SchedulerStart(_) => "scheduler_start",
            Event::Commit(_) => "commit",
            Event::SchedulerRetry(_) => "scheduler_retry",
            Event::Rebalance => "rebalance",
            Event::AgentMoved { .. } => "agent_moved",
            Event::MasterElected { .. } => "master_elected",
            Event::AgentReregister { .. } => "agent_reregister",
            Event::AllocatorResume { .. } => "allocator_resume",
            Event::DrainDeadline { .. } => "drain_deadline",
        }
    }
}

/// What a record is about; [`Simulation::emit`] adds the time, the
/// sequence number and the partition.
///
/// The ids are kept as plain words with [`About::NONE`] for "none", not as
/// `Option`s: `emit` reads each with a load of its own width. With
/// `Option`s the copy into the `Record` read two of them with one 16-byte
/// load, which cannot be forwarded from the two 8-byte stores the caller
/// had just made, so every record waited for those stores to reach the
/// cache (three quarters of `emit`'s samples in omega-exp, stop 19).
#[derive(Clone, Copy, Debug)]
struct About {
    framework: u32,
    role: u32,
    agent: u32,
    /// The partition of a record about no agent (else the agent's).
    partition: u32,
    task: Option<TaskRef>,
    resources: Quantities,
    /// A running task's start (µs), for the records of its end;
    /// [`About::NOT_STARTED`] otherwise.
    started: u64,
}

impl Default for About {
    fn default() -> About {
        About {
            framework: About::NONE,
            role: About::NONE,
            agent: About::NONE,
            partition: About::NONE,
            task: None,
            resources: Quantities::ZERO,
            started: About::NOT_STARTED,
        }
    }
}

impl About {
    const NONE: u32 = u32::MAX;
    const NOT_STARTED: u64 = u64::MAX;

    /// An offer's framework, role, agent and resources.
    fn offer(o: &crate::master::OfferView<'_>) -> About {
        About::default()
            .framework(o.framework)
            .role(o.role)
            .agent(o.agent)
            .resources(o.total())
    }

    /// A running task's framework, role, agent, task, resources and start.
    fn running(t: &RunningTask) -> About {
        About::task_of(
            t.framework,
            t.role,
            t.agent,
            t.task,
            &t.resources,
            t.started.0,
        )
    }

    /// A task's framework, role, agent, task, resources (their total)
    /// and start ([`About::NOT_STARTED`] for a launch), written field by
    /// field: the total is copied once, from the set when nothing is
    /// reserved (built through the setters, it was copied on the way).
    fn task_of(
        framework: FrameworkId,
        role: RoleId,
        agent: AgentId,
        task: TaskRef,
        resources: &ResourceSet,
        started: u64,
    ) -> About {
        let summed;
        let total = if resources.reserved.is_empty() {
            &resources.unreserved
        } else {
            summed = resources.total();
            &summed
        };
        About {
            framework: framework.0,
            role: role.0,
            agent: agent.0,
            partition: About::NONE,
            task: Some(task),
            resources: *total,
            started,
        }
    }

    fn framework(self, framework: FrameworkId) -> About {
        About {
            framework: framework.0,
            ..self
        }
    }

    fn role(self, role: RoleId) -> About {
        About {
            role: role.0,
            ..self
        }
    }

    fn agent(self, agent: AgentId) -> About {
        About {
            agent: agent.0,
            ..self
        }
    }

    fn agent_opt(self, agent: Option<AgentId>) -> About {
        About {
            agent: agent.map_or(About::NONE, |a| a.0),
            ..self
        }
    }

    fn task(self, task: TaskRef) -> About {
        About {
            task: Some(task),
            ..self
        }
    }

    fn resources(self, resources: Quantities) -> About {
        About { resources, ..self }
    }

    fn partition(self, partition: PartitionId) -> About {
        About {
            partition: partition.0,
            ..self
        }
    }
}

/// `Some(make(id))` unless `id` is [`About::NONE`].
fn some_id<T>(id: u32, make: impl FnOnce(u32) -> T) -> Option<T> {
    (id != About::NONE).then(|| make(id))
}

/// Counts over the whole run (`metrics::Counts` counts records over the
/// measurement window; `tests/metrics.rs` checks the two agree).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunTotals {
    pub tasks_submitted: u64,
    pub tasks_launched: u64,
    pub tasks_finished: u64,
    pub tasks_failed: u64,
    pub tasks_lost: u64,
    pub tasks_killed: u64,
    pub offers_made: u64,
    pub offers_accepted: u64,
    pub offers_declined: u64,
    pub offers_rescinded: u64,
    pub inverse_offers: u64,
    pub jobs_submitted: u64,
    pub jobs_completed: u64,
    pub jobs_abandoned: u64,
    /// Jobs failed because a task of theirs was lost (`on_lost: fail`).
    pub jobs_failed: u64,
    /// Agent failures (scripted and random), detections (marked
    /// unreachable), recoveries.
    pub agent_failures: u64,
    pub agents_unreachable: u64,
    pub agent_recoveries: u64,
    /// Lost tasks queued again to run.
    pub tasks_requeued: u64,
    /// Frameworks removed after their failover timeout.
    pub frameworks_removed: u64,
    /// Work lost with failed agents: the run time of each task that died
    /// with its agent, launch to failure, summed (µs).
    pub lost_task_us: u64,
    /// Master failovers (per partition), and the time without a leader,
    /// summed over partitions (µs).
    pub master_failovers: u64,
    pub leaderless_us: u64,
}

/// Per-framework counts over the whole run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FrameworkTotals {
    pub offers_received: u64,
    pub offers_accepted: u64,
    pub offers_declined: u64,
    pub offers_rescinded: u64,
    pub tasks_launched: u64,
    pub tasks_finished: u64,
}

#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Overrides the scenario's seed.
    pub seed: Option<u64>,
    /// Re-derive the bookkeeping after every event (slower).
    pub check: bool,
}

/// What a finished run hands to the writers.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub seed: u64,
    pub end: SimTime,
    /// Events handled (summary.json's `events`): a queue entry standing for
    /// a block of filter expiries counts one per filter.
    pub events: u64,
    /// Queue entries popped (at most `events`; not in any output).
    pub entries: u64,
    /// SHA-256 of the whole record stream, hex.
    pub digest: String,
    pub totals: RunTotals,
    pub framework_totals: Vec<FrameworkTotals>,
    pub warnings: Vec<String>,
    pub allocation_runs: u64,
    /// Monolithic and shared-state: what each scheduler did (empty under
    /// two-level).
    pub schedulers: Vec<crate::arch::SchedulerStats>,
    /// Agents moved between partitions by rebalancing.
    pub agents_moved: u64,
    /// With `master.run_cost`: each allocation run's simulated cost (µs),
    /// per partition, in run order (empty without it).
    pub run_costs: Vec<Vec<u64>>,
}

pub struct Simulation<'m> {
    model: &'m Model,
    seed: u64,
    check: bool,
    now: SimTime,
    queue: EventQueue<Event>,
    /// One master per partition, indexed by `PartitionId`.
    masters: Vec<Master>,
    /// Each agent's partition.
    partition_of: Vec<PartitionId>,
    /// Each framework's partitions (the model's `frameworks[].partitions`;
    /// every partition when a library user splits the agents another way).
    fw_partitions: Vec<Vec<PartitionId>>,
    frameworks: Vec<SchedulerState>,
    jobs: JobTable,
    /// Streamed workloads, opened when the run starts.
    sources: Vec<Box<dyn JobSource + 'm>>,
    /// Each stream's next job, due at its queued `StreamSubmit`.
    stream_next: Vec<Option<JobSpec>>,
    /// Answers waiting for their framework's decision time.
    /// (The offers after the answers are declined from their ids: see
    /// `apply_answers`.)
    answers: BTreeMap<u64, (FrameworkId, Vec<Answer>, Vec<OfferId>)>,
    next_answer: u64,
    /// Per framework: when it is done thinking about earlier offers.
    busy_until: Vec<SimTime>,
    /// Per framework: suppressed by `suppress_when_idle`.
    idle_suppressed: Vec<bool>,
    /// Tasks chosen for launch whose answer has not taken effect yet.
    in_decision: u64,
    /// The truth: agents up or down, the tasks on each.
    cluster: ClusterState,
    /// Per partition: its agent-shuffle and random-sorter streams.
    shuffle_rngs: Vec<Stream>,
    sorter_rngs: Vec<StreamSet>,
    durations: StreamFamily,
    counters: RunTotals,
    fw_counters: Vec<FrameworkTotals>,
    /// Scenario inputs (registrations, submissions, scripted events) still queued.
    inputs_left: u64,
    pending_total: u64,
    /// Per partition: the next periodic run is armed after this run.
    periodic_waiting: Vec<bool>,
    submit_rank: u64,
    digest: RecordDigest,
    events: u64,
    entries: u64,
    last_progress: SimTime,
    stall_limit: DurationUs,
    warnings: Vec<String>,
    explain: bool,
    /// Whether an observer reads records' `job_name`
    /// ([`Observer::wants_job_names`]); if none does, records carry none
    /// (no lookup, no shared-name count touched per record).
    job_names: bool,
    /// The record kinds some observer reads whole
    /// ([`Observer::record_kinds`]); the others are only counted, with no
    /// [`Record`] built for them.
    record_kinds: KindSet,
    /// Counted records not yet told to the observers: a run of one kind,
    /// time and framework, told as one ([`Simulation::tell_counted`])
    /// when the run ends or before any other call to the observers.
    counted: Option<Counted>,
    /// What streamed jobs' tasks use (`jobs[].used`), direct-mapped by job
    /// id: a task record's `used` without a search of the job table (a
    /// job's tasks are recorded together at launch, and its spec never
    /// changes). Only the first [`USED_CACHED`] kinds are kept, so it is
    /// used only when the scenario has no more kinds than that.
    used_cache: Vec<(u32, [u64; USED_CACHED])>,
    /// Set when a task would end beyond the horizon of a run without
    /// `until` (tasks::schedule_end); the run stops with it.
    beyond_horizon: Option<InputError>,
    /// Per agent: failed and not yet noticed by its master, or unreachable.
    health: Vec<faults::Health>,
    /// Per agent: bumped at every change between up and down; fault timers
    /// carry the value they were set in and are dropped when it moved.
    agent_epoch: Vec<u64>,
    /// Per agent: random failures so far (the index of its next draws).
    fault_draws: Vec<u64>,
    /// Random faults' draws: `agent-faults`, per agent and failure.
    fault_rng: StreamFamily,
    /// Per framework: removed after its failover timeout.
    fw_removed: Vec<bool>,
    /// Monolithic and shared-state schedulers (`None`: two-level).
    central: Option<central::Central>,
    /// Per agent: between partitions (rebalancing), in no master: the
    /// partition it moves to.
    moving: Vec<Option<PartitionId>>,
    agents_moved: u64,
    /// With `master.run_cost`: each run's cost (µs), per partition.
    run_costs: Vec<Vec<u64>>,
    /// Two-level with `output.schedulers`: each framework's batches of
    /// offers as a scheduler's attempts (empty otherwise).
    offer_schedulers: Vec<crate::arch::SchedulerStats>,
    /// Master failovers: leaders, paused allocators, agents to re-register.
    failover: failover::Failover,
    /// Emptied lists of filter ids, for the next filter expiries: those
    /// of at most `MAX_KEPT_ID_LIST` ids, and (`big_id_lists`) at most
    /// `MAX_BIG_ID_LISTS` longer ones, for answers with more filters
    /// ([`Simulation::id_list_for`], [`Simulation::keep_id_list`]).
    id_lists: Vec<Vec<FilterId>>,
    big_id_lists: Vec<Vec<FilterId>>,
    /// Schedule each filter expiry as an entry of its own (the slow way
    /// that blocks must match: tests only).
    one_event_per_filter: bool,
    /// Return each declined offer's resources to its agent at once, as
    /// before bulk answers (the slow way that they must match: tests only).
    one_decline_at_a_time: bool,
    /// `decline_ids`' buffer of a chunk's declines, kept for the next.
    declines: crate::master::Declines,
    /// Make every offer of a reply into a slot before deciding, as before
    /// `framework::decide_drawn` (the slow way it must match: tests only).
    every_slot_made: bool,
    /// Answer every offer of a first-fit framework's reply with an
    /// `Answer`, as before the offers after its queue emptied were
    /// declined from their ids (`framework::decide_while_queued`): the
    /// slow way it must match (tests only).
    every_answer_made: bool,
    /// Under `--check`: a reply taken as all outstanding whose offer was
    /// gone (`Simulation::check_reply_live`), for `check_invariants`.
    reply_gone: Option<String>,
    /// The partition whose last run left charges not written to their
    /// agents (`Master::end_visit`): settled before anything but that
    /// run's replies (`Simulation::settle_charges`).
    charges_in: Option<usize>,
}

/// The longest emptied list of filter ids kept for reuse among the short
/// ones (`Simulation::id_lists`).
const MAX_KEPT_ID_LIST: usize = 64;

/// How many emptied lists longer than `MAX_KEPT_ID_LIST` are kept
/// (`Simulation::big_id_lists`): an answer that declines a whole cell
/// installs thousands of filters, and a list made anew for each grew by
/// doubling (about as many bytes copied again as the list holds, 3% of
/// google-day's run's thread, and a large block allocated and freed per
/// answer); kept without a bound, every list would grow to the largest
/// answer's size, with as many lists as expiries are pending.
const MAX_BIG_ID_LISTS: usize = 8;

/// How many filter expiries, or declines of an answer batch, the engine
/// has their master read ahead of doing them (reads only: their cache
/// misses overlap instead of coming one after another).
const LOOK_AHEAD: usize = 16;

impl<'m> Simulation<'m> {
    /// A simulation with one scheduler over every agent.
    pub fn new(model: &'m Model, options: &Options) -> Simulation<'m> {
        Simulation::partitioned(model, options, &model.partitions.of_agent)
            .expect("the resolver checks the partitions")
    }

    /// A simulation with one Mesos master per partition: `agent_partition`
    /// gives each agent of the model its partition (0, 1, …, every one
    /// used). Frameworks register with the masters of their
    /// `frameworks[].partitions` (every master when the split is not the
    /// model's own) and get offers from each for its own agents. Partition 0 draws from the streams a
    /// one-partition run uses (`agent-shuffle`, `random-sorter`); partition
    /// p > 0 from `agent-shuffle/partition-p` and `random-sorter/partition-p`.
    pub fn partitioned(
        model: &'m Model,
        options: &Options,
        agent_partition: &[PartitionId],
    ) -> Result<Simulation<'m>, String> {
        if agent_partition.len() != model.agents.len() {
            return Err(format!(
                "{} partition(s) given for {} agent(s)",
                agent_partition.len(),
                model.agents.len()
            ));
        }
        let n = agent_partition.iter().map(|p| p.0 + 1).max().unwrap_or(1);
        for p in 0..n {
            if !agent_partition.contains(&PartitionId(p)) && n > 1 {
                return Err(format!("partition {p} has no agent"));
            }
        }
        let seed = options.seed.unwrap_or(model.seed);
        let interval = model.master.allocation_interval;
        let longest_filter = model
            .frameworks
            .iter()
            .map(|f| f.refuse.min(crate::master::MAX_REFUSE_US))
            .chain(model.frameworks.iter().filter_map(|f| f.gang_hold_timeout))
            .max()
            .unwrap_or(0)
            .max(interval);
        let stream = |name: &str, p: u32| {
            if p == 0 {
                Stream::new(seed, name)
            } else {
                Stream::new(seed, &format!("{name}/partition-{p}"))
            }
        };
        Ok(Simulation {
            model,
            seed,
            check: options.check,
            now: SimTime::ZERO,
            queue: EventQueue::default(),
            masters: (0..n)
                .map(|p| Master::for_partition(model, PartitionId(p), n))
                .collect(),
            partition_of: agent_partition.to_vec(),
            fw_partitions: model
                .frameworks
                .iter()
                .map(|f| {
                    if model.partitions.count == n && !f.partitions.is_empty() {
                        f.partitions.clone()
                    } else {
                        (0..n).map(PartitionId).collect()
                    }
                })
                .collect(),
            frameworks: vec![SchedulerState::default(); model.frameworks.len()],
            jobs: JobTable::new(model),
            sources: Vec::new(),
            stream_next: Vec::new(),
            answers: BTreeMap::new(),
            next_answer: 0,
            busy_until: vec![SimTime::ZERO; model.frameworks.len()],
            idle_suppressed: vec![false; model.frameworks.len()],
            in_decision: 0,
            cluster: ClusterState::new(model.agents.len())
                .with_kinds(crate::cluster::state::resource_kinds(model)),
            shuffle_rngs: (0..n).map(|p| stream("agent-shuffle", p)).collect(),
            sorter_rngs: (0..n)
                .map(|p| match p {
                    0 => StreamSet::new(seed, ""),
                    p => StreamSet::new(seed, &format!("/partition-{p}")),
                })
                .collect(),
            durations: StreamFamily::new(seed, "task-durations"),
            counters: RunTotals::default(),
            fw_counters: vec![FrameworkTotals::default(); model.frameworks.len()],
            inputs_left: 0,
            pending_total: 0,
            periodic_waiting: vec![false; n as usize],
            submit_rank: 0,
            digest: RecordDigest::new(Hashing::for_this_thread()),
            events: 0,
            entries: 0,
            last_progress: SimTime::ZERO,
            stall_limit: longest_filter.saturating_add(interval.saturating_mul(100)),
            warnings: Vec::new(),
            explain: false,
            job_names: true,
            record_kinds: KindSet::ALL,
            counted: None,
            used_cache: if crate::cluster::state::resource_kinds(model) <= USED_CACHED {
                vec![(u32::MAX, [0; USED_CACHED]); USED_CACHE_SLOTS]
            } else {
                Vec::new()
            },
            beyond_horizon: None,
            health: vec![faults::Health::Normal; model.agents.len()],
            agent_epoch: vec![0; model.agents.len()],
            fault_draws: vec![0; model.agents.len()],
            fault_rng: StreamFamily::new(seed, "agent-faults"),
            fw_removed: vec![false; model.frameworks.len()],
            central: central::Central::new(model),
            moving: vec![None; model.agents.len()],
            agents_moved: 0,
            run_costs: if model.master.run_cost.is_some() {
                vec![Vec::new(); n as usize]
            } else {
                Vec::new()
            },
            offer_schedulers: if model.output.schedulers
                && model.architecture == crate::arch::Architecture::TwoLevel
            {
                model
                    .frameworks
                    .iter()
                    .map(|f| crate::arch::SchedulerStats {
                        name: f.id.clone(),
                        ..Default::default()
                    })
                    .collect()
            } else {
                Vec::new()
            },
            failover: failover::Failover::new(n as usize, model.agents.len()),
            id_lists: Vec::new(),
            big_id_lists: Vec::new(),
            one_event_per_filter: false,
            one_decline_at_a_time: false,
            declines: crate::master::Declines::new(),
            every_slot_made: false,
            charges_in: None,
            every_answer_made: false,
            reply_gone: None,
        })
    }

    /// Schedules every filter expiry as a queue entry of its own, as before
    /// blocks: the same events, records and outputs, only slower. For the
    /// tests that compare the two ways (`tests/swarm.rs`).
    #[doc(hidden)]
    pub fn one_event_per_filter(mut self) -> Simulation<'m> {
        self.one_event_per_filter = true;
        self
    }

    /// Declines each offer wholly at once (`Master::decline`), as before
    /// an answer batch's declines returned their resources to the agents
    /// together (`Master::decline_deferred`): the same events, records and
    /// outputs, only slower. For the tests that compare the two ways
    /// (`tests/swarm.rs`).
    #[doc(hidden)]
    pub fn one_decline_at_a_time(mut self) -> Simulation<'m> {
        self.one_decline_at_a_time = true;
        self
    }

    /// Writes each offer's charge to its agent when the run makes it, as
    /// before a run took the charges of offers its replies decline at once
    /// back off their agents (`Master::end_visit`), and adds each offer to
    /// the framework's and the role tree's sums when the run makes it, as
    /// before a run with one client added them once after its walk
    /// (`Master::track_run_sums`), and reads and clears the quiet notes in
    /// every run that may pass agents by, as before a run with no note of
    /// its epoch yet left them alone (`QuietNotes::any_of`), and puts a
    /// run's offers into the offer book one by one, as before a run's
    /// offers of words in framework order went in at once
    /// (`OfferBook::push_words_run`): the same events, records and
    /// outputs, only slower. For the tests that compare the two ways
    /// (`tests/swarm.rs`).
    #[doc(hidden)]
    pub fn charges_at_once(mut self) -> Simulation<'m> {
        for m in &mut self.masters {
            m.defer_charges = false;
            m.sole_fast = false;
            m.quiet_fresh = false;
            m.bulk_book = false;
        }
        self
    }

    /// Makes every offer of a reply into a slot before the framework
    /// decides (`framework::decide`), as before a first-fit batch framework
    /// drew its slots one at a time (`framework::decide_drawn`): the same
    /// decisions, events, records and outputs, only slower. For the tests
    /// that compare the two ways (`tests/swarm.rs`).
    #[doc(hidden)]
    pub fn make_every_slot(mut self) -> Simulation<'m> {
        self.every_slot_made = true;
        self
    }

    /// Answers every offer of a first-fit batch framework's reply with an
    /// `Answer` (`framework::decide_drawn`), as before the offers after its
    /// queue emptied were declined straight from their ids
    /// (`framework::decide_while_queued`): the same events, records and
    /// outputs, only slower. For the tests that compare the two ways
    /// (`tests/swarm.rs`).
    #[doc(hidden)]
    pub fn answer_every_offer(mut self) -> Simulation<'m> {
        self.every_answer_made = true;
        self
    }

    /// Schedules a new decline filter's expiry (its `FilterExpire` event).
    /// Consecutive expiries at the same time in one partition, with nothing
    /// scheduled between them (the declines of one answer), join one queue
    /// entry: a block of events with consecutive insertion numbers, which
    /// pops exactly where they would one by one (`src/sim/queue.rs`).
    fn push_filter_expiry(&mut self, p: PartitionId, f: crate::master::NewFilter) {
        let lists = &mut self.id_lists;
        let mut make = || {
            let mut ids = lists.pop().unwrap_or_default();
            ids.push(f.id);
            Event::FilterExpire(p, ids)
        };
        if self.one_event_per_filter {
            self.queue.push_timer(f.expires, make());
            return;
        }
        self.queue.push_timer_joined(
            f.expires,
            |e| match e {
                Event::FilterExpire(q, ids) if *q == p => {
                    ids.push(f.id);
                    true
                }
                _ => false,
            },
            make,
        );
    }

    /// [`Simulation::push_filter_expiry`] of each filter of `declined` (the
    /// declines of a chunk, `parts` their partitions), in order: a run of
    /// consecutive filters of one partition and expiry (declines with no
    /// filter push nothing, so they do not break a run) is pushed as one
    /// queue push of that many events (`push_timer_joined_n`), which joins
    /// them in one entry as pushing them one by one does.
    fn push_filter_expiries(&mut self, declined: &[crate::master::Declined], parts: &[u32]) {
        let mut i = 0;
        while i < declined.len() {
            let Some(f) = declined[i].filter else {
                i += 1;
                continue;
            };
            if self.one_event_per_filter {
                self.push_filter_expiry(PartitionId(parts[i]), f);
                i += 1;
                continue;
            }
            let p = parts[i];
            let mut ids = self.id_lists.pop().unwrap_or_default();
            ids.push(f.id);
            i += 1;
            while let Some(d) = declined.get(i) {
                match d.filter {
                    None => {}
                    Some(g) if parts[i] == p && g.expires == f.expires => ids.push(g.id),
                    Some(_) => break,
                }
                i += 1;
            }
            self.push_expiry_list(PartitionId(p), f.expires, ids);
        }
    }

    /// The expiry at `expires` of the filters `ids` of partition `p`, one
    /// after another: one queue entry, joined to the last one pushed if
    /// that is of the same partition and time (see
    /// [`Simulation::push_filter_expiries`]); `ids`' buffer is kept for
    /// the next list.
    fn push_expiry_list(&mut self, p: PartitionId, expires: SimTime, ids: Vec<FilterId>) {
        let n = ids.len() as u64;
        // Taken by the new entry, or copied into the previous one and
        // kept for the next.
        let ids = std::cell::Cell::new(ids);
        self.queue.push_timer_joined_n(
            expires,
            n,
            |e| match e {
                Event::FilterExpire(q, into) if *q == p => {
                    let these = ids.take();
                    into.extend_from_slice(&these);
                    ids.set(these);
                    true
                }
                _ => false,
            },
            || Event::FilterExpire(p, ids.take()),
        );
        let left = ids.into_inner();
        if left.capacity() > 0 {
            self.keep_id_list(left);
        }
    }

    /// An emptied list of filter ids for `n` of them: a kept long one when
    /// `n` is more than a short one holds, else a kept short one (or a new
    /// list), with room for `n`.
    pub(super) fn id_list_for(&mut self, n: usize) -> Vec<FilterId> {
        let kept = if n > MAX_KEPT_ID_LIST {
            self.big_id_lists.pop().or_else(|| self.id_lists.pop())
        } else {
            self.id_lists.pop()
        };
        let mut ids = kept.unwrap_or_default();
        ids.reserve(n);
        ids
    }

    /// Keeps `ids`' buffer, emptied, for a later list: among the short
    /// ones, or the long ones while fewer than `MAX_BIG_ID_LISTS` are
    /// kept (else it is freed).
    pub(super) fn keep_id_list(&mut self, mut ids: Vec<FilterId>) {
        ids.clear();
        if ids.capacity() <= MAX_KEPT_ID_LIST {
            self.id_lists.push(ids);
        } else if self.big_id_lists.len() < MAX_BIG_ID_LISTS {
            self.big_id_lists.push(ids);
        }
    }

    /// The master of an agent's partition.
    fn master_of(&mut self, a: AgentId) -> &mut Master {
        &mut self.masters[self.partition_of[a.index()].index()]
    }

    fn master_of_ref(&self, a: AgentId) -> &Master {
        &self.masters[self.partition_of[a.index()].index()]
    }

    /// The partition whose master made offer or filter `id`.
    fn partition_of_id(&self, id: u64) -> usize {
        Master::partition_of_id(id, self.masters.len())
    }

    /// The masters a framework registers with (its partitions).
    fn masters_of(&mut self, fw: FrameworkId) -> impl Iterator<Item = &mut Master> {
        let parts = &self.fw_partitions[fw.index()];
        self.masters
            .iter_mut()
            .enumerate()
            .filter(move |(p, _)| parts.contains(&PartitionId(*p as u32)))
            .map(|(_, m)| m)
    }

    /// Asks every master a framework registers with for a run over all
    /// its agents.
    fn request_run_for(&mut self, fw: FrameworkId) {
        for i in 0..self.fw_partitions[fw.index()].len() {
            let p = self.fw_partitions[fw.index()][i];
            self.request_run_on(p, Trigger::AllAgents);
        }
    }

    /// An outstanding offer, from whichever master made it.
    fn offer(&self, id: OfferId) -> Option<crate::master::OfferView<'_>> {
        self.masters[self.partition_of_id(id.0)].offer(id)
    }

    /// Whether offer `id` is outstanding.
    fn has_offer(&self, id: OfferId) -> bool {
        self.masters[self.partition_of_id(id.0)].has_offer(id)
    }

    /// A framework's registration state (the same in every master).
    fn framework_state(&self, fw: FrameworkId) -> &crate::master::MasterFramework {
        let first = self.fw_partitions[fw.index()][0];
        self.masters[first.index()].framework(fw)
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Schedules the scenario's own entries in file order (agents,
    /// frameworks, job submissions, each stream's first job, events) after
    /// the periodic timer. Streams get their own lanes, between the listed
    /// jobs and the scripted events, so that a job at time t of a streamed
    /// trace runs exactly where the same job of a listed trace would.
    /// The event queue's order is exact while its insertion numbers stay
    /// below [`MAX_SEQS`] (2^40): a run that has scheduled more events
    /// stops with an error before any of them pops.
    fn within_seqs(&self) -> Result<(), InputError> {
        if self.queue.next_seq() <= MAX_SEQS {
            return Ok(());
        }
        Err(InputError::new(
            self.model.name.as_str(),
            format!(
                "the run scheduled more than {MAX_SEQS} events (2^40), the most one run \
                 may (the event queue's insertion numbers); set `until` to a shorter run"
            ),
        ))
    }

    fn schedule_initial(&mut self) -> Result<(), InputError> {
        let m = self.model;
        // Monolithic and shared-state have no allocation timer.
        let timers = if self.central.is_some() {
            0
        } else {
            self.masters.len()
        };
        for p in 0..timers {
            self.queue.push(
                SimTime(m.master.allocation_interval),
                Event::AllocationTick(PartitionId(p as u32)),
            );
            self.periodic_waiting[p] = true;
        }
        if let Some(rb) = m.partitions.rebalance {
            if self.masters.len() > 1 {
                self.queue.push(SimTime(rb.every), Event::Rebalance);
            }
        }
        for (i, a) in m.agents.iter().enumerate() {
            if let Some(t) = a.at {
                self.queue.push(t, Event::AgentAdd(AgentId(i as u32)));
                self.inputs_left += 1;
            }
        }
        for (i, f) in m.frameworks.iter().enumerate() {
            self.queue
                .push(f.at, Event::FrameworkRegister(FrameworkId(i as u32)));
            self.inputs_left += 1;
        }
        for (i, j) in m.jobs.iter().enumerate() {
            self.queue.push(j.submit, Event::JobSubmit(JobId(i as u32)));
            self.inputs_left += 1;
        }
        self.queue.set_lane(LAST_LANE);
        if m.streams.len() as u64 > crate::limits::MAX_STREAMS {
            return Err(InputError::new(
                m.name.as_str(),
                format!(
                    "{} streamed workloads: at most {} (the event queue's lanes)",
                    m.streams.len(),
                    crate::limits::MAX_STREAMS
                ),
            ));
        }
        for i in 0..m.streams.len() {
            self.sources
                .push(crate::workload::open_stream(m, i, self.seed)?);
            self.stream_next.push(None);
            self.pull(i)?;
        }
        for (i, e) in m.events.iter().enumerate() {
            self.queue.push(e.at, Event::Scripted(i as u32));
            self.inputs_left += 1;
        }
        Ok(())
    }

    /// Reads stream `i`'s next job and queues its submission.
    fn pull(&mut self, i: usize) -> Result<(), InputError> {
        if let Some(spec) = self.sources[i].next_job()? {
            let t = spec.submit.max(self.now);
            self.stream_next[i] = Some(spec);
            self.queue
                .push_in_lane(t, 1 + i as u32, Event::StreamSubmit(i as u32));
            self.inputs_left += 1;
        }
        Ok(())
    }

    fn view(&self) -> View<'_> {
        View {
            model: self.model,
            masters: &self.masters,
            cluster: &self.cluster,
            frameworks: &self.frameworks,
            jobs: &self.jobs,
            jobs_completed: self.counters.jobs_completed,
        }
    }

    /// Runs to the end, reporting to `obs`. Fails if a streamed trace
    /// cannot be read (exit 2) or an invariant breaks under `--check`
    /// (exit 3).
    pub fn run(mut self, obs: &mut dyn Observer) -> Result<Outcome, Error> {
        self.explain = obs.wants_explain();
        self.job_names = obs.wants_job_names();
        self.record_kinds = obs.record_kinds();
        self.schedule_initial()?;
        self.within_seqs()?;
        let until = self.model.until;
        while let Some(t) = self.queue.peek_time() {
            if until.is_some_and(|u| t > u) {
                break;
            }
            if until.is_none() {
                if self.inputs_left == 0
                    && self.pending_total == 0
                    && self.cluster.running() == 0
                    && self.in_decision == 0
                {
                    break;
                }
                if self.stalled(t) {
                    break;
                }
            }
            if t > self.now {
                // The observers' view reads the agents.
                self.settle_charges();
                self.tell_counted(obs);
                obs.advance(&self.view(), self.now, t);
                self.now = t;
            }
            let ev = self.queue.pop().expect("peeked");
            // A block's events count one each (summary.json's `events`).
            let count = ev.event.count();
            self.events += count;
            self.entries += 1;
            let name = ev.event.name();
            // After a block of filter expiries the state is the same as
            // after its first event; a block of removals was checked after
            // each of its events but the last in `dispatch`.
            let checked_seq = match ev.event {
                Event::FilterExpire(..) => ev.seq,
                _ => ev.seq + count - 1,
            };
            self.dispatch(ev.seq, ev.event, obs)?;
            if let Some(e) = self.beyond_horizon.take() {
                return Err(e.into());
            }
            self.within_seqs()?;
            if self.check {
                self.settle_charges();
                self.checked(checked_seq, name)?;
            }
        }
        self.settle_charges();
        let end = until.unwrap_or(self.now);
        self.tell_counted(obs);
        if end > self.now {
            obs.advance(&self.view(), self.now, end);
            self.now = end;
        }
        self.report_open_jobs(obs)?;
        obs.finish(&self.view(), end);
        let digest = self.digest.finish().map_err(|msg| InvariantError {
            seed: self.seed,
            time: end.to_string(),
            seq: self.events,
            event: "the end of the run".to_string(),
            message: msg.to_string(),
        })?;
        Ok(Outcome {
            seed: self.seed,
            end,
            events: self.events,
            entries: self.entries,
            digest: crate::digest::hex(&digest),
            totals: self.counters,
            framework_totals: self.fw_counters,
            warnings: self.warnings,
            allocation_runs: self.masters.iter().map(|m| m.allocation_runs()).sum(),
            schedulers: match self.central {
                Some(c) => c.stats,
                None => {
                    // A batch still being decided at the end counts up to
                    // the end only.
                    let mut v = self.offer_schedulers;
                    for (s, b) in v.iter_mut().zip(&self.busy_until) {
                        s.busy_us -= b.0.saturating_sub(end.0).min(s.busy_us);
                    }
                    v
                }
            },
            agents_moved: self.agents_moved,
            run_costs: self.run_costs,
        })
    }

    /// Under `--check`: the bookkeeping re-derived after event `seq`.
    fn checked(&self, seq: u64, event: &str) -> Result<(), Error> {
        match self.check_invariants() {
            Ok(()) => Ok(()),
            Err(msg) => Err(InvariantError {
                seed: self.seed,
                time: self.now.to_string(),
                seq,
                event: event.to_string(),
                message: msg,
            }
            .into()),
        }
    }

    /// Jobs still pending or running at the end, in submission order; then
    /// jobs never submitted: listed ones in scenario order, then each
    /// stream's rest, in stream order (read to the end, not kept).
    fn report_open_jobs(&mut self, obs: &mut dyn Observer) -> Result<(), InputError> {
        self.tell_counted(obs);
        let model = self.model;
        let mut open: Vec<(u64, JobId)> = self
            .jobs
            .open_ids()
            .map(|j| (self.jobs.state(j).rank, j))
            .collect();
        open.sort_unstable();
        for (_, j) in open {
            obs.job_ended(
                model,
                &JobView {
                    id: Some(j),
                    spec: self.jobs.spec(model, j),
                    state: self.jobs.state(j),
                },
            );
        }
        for (i, js) in self.jobs.statics().iter().enumerate() {
            if js.status == JobStatus::Unsubmitted {
                obs.job_ended(
                    model,
                    &JobView {
                        id: Some(JobId(i as u32)),
                        spec: &model.jobs[i],
                        state: js,
                    },
                );
            }
        }
        let unsubmitted = JobState::new();
        for i in 0..self.sources.len() {
            let mut next = self.stream_next[i].take();
            while let Some(spec) = next {
                obs.job_ended(
                    model,
                    &JobView {
                        id: None,
                        spec: &spec,
                        state: &unsubmitted,
                    },
                );
                next = self.sources[i].next_job()?;
            }
        }
        Ok(())
    }

    /// Without `until`: nothing runs, nothing is left to arrive, and pending
    /// work has made no progress for longer than any filter could explain.
    fn stalled(&mut self, next: SimTime) -> bool {
        if self.inputs_left > 0
            || self.cluster.running() > 0
            || self.pending_total == 0
            || self.in_decision > 0
        {
            return false;
        }
        if next.0.saturating_sub(self.last_progress.0) <= self.stall_limit {
            return false;
        }
        let stuck: Vec<&str> = self
            .jobs
            .open_ids()
            .map(|j| self.jobs.spec(self.model, j).id.as_str())
            .take(5)
            .collect();
        self.warnings.push(format!(
            "the run ended at {} s with {} task(s) that can never launch (no agent offers what they need), in jobs such as {}",
            self.now,
            self.pending_total,
            stuck.join(", ")
        ));
        true
    }

    /// Stamps a record with the time, the event's sequence number and its
    /// agent's partition, feeds it into the digest and to the observer.
    fn emit(&mut self, obs: &mut dyn Observer, seq: u64, kind: RecordKind, about: About) {
        // Fields read in place: moving `about` out whole copied its
        // resources with 16-byte loads over the 8-byte stores its caller
        // had just made, and waited on them (nearly half of `emit`'s
        // samples in scale-2k, stop 20). A counted record never copies
        // them.
        let (framework, role, agent) = (about.framework, about.role, about.agent);
        // Hashed from the values at hand, not from the `Record` built
        // below: reading that back from the stack right after writing it
        // (a 16-byte load over two 8-byte stores) waited on the stores.
        hash_record(
            &mut self.digest,
            (self.now, seq, kind),
            [framework, role, agent],
            about.task,
            &about.resources.0,
            self.cluster.kinds(),
        );
        if !self.record_kinds.contains(kind) {
            // Counted only: the bulk of a two-level run's records (offers
            // and declines) builds no `Record`, and a run of them (one
            // run's offers to a framework, one answer's declines) is told
            // as one.
            self.count_records(obs, seq, kind, some_id(framework, FrameworkId), 1);
            return;
        }
        self.tell_counted(obs);
        let About {
            task,
            resources,
            partition,
            started,
            ..
        } = about;
        let framework = some_id(framework, FrameworkId);
        let role = some_id(role, RoleId);
        let agent = some_id(agent, AgentId);
        let partition = some_id(partition, PartitionId);
        let started = (started != About::NOT_STARTED).then_some(SimTime(started));
        let (job_name, used) = match task {
            Some(TaskRef::Job(j, _)) => (
                if self.job_names {
                    self.jobs.name(j)
                } else {
                    None
                },
                self.task_used(j),
            ),
            _ => (None, resources),
        };
        let partition = match (partition, agent) {
            (Some(p), _) => p,
            // One partition: every agent is in it (no read of the agent's
            // entry, a cache miss in a run over many agents).
            _ if self.masters.len() == 1 => PartitionId(0),
            (None, Some(a)) => self.partition_of[a.index()],
            (None, None) => PartitionId(0),
        };
        let rec = Record {
            time: self.now,
            seq,
            partition,
            kind,
            framework,
            role,
            agent,
            task,
            resources,
            job_name,
            used,
            started,
        };
        obs.record(self.model, &rec);
    }

    /// `emit` of the records of `fw`'s declines `declined`, in order (a
    /// bulk helper beside `emit`, helper `dc`, stop 21): each as
    /// `emit(obs, seq, RecordKind::Decline, About::default().framework(fw)
    /// .role(d.role).agent(d.agent).resources(d.total))` would make it —
    /// the same digest bytes in the same order and, when no observer reads
    /// declines whole, the same count: `emit` one by one would merge them
    /// into one `Counted` (one kind, time and framework in a row), which
    /// here takes them all at once.
    fn emit_declines(
        &mut self,
        obs: &mut dyn Observer,
        seq: u64,
        fw: FrameworkId,
        declined: &[crate::master::Declined],
        width: usize,
    ) {
        let kind = RecordKind::Decline;
        if declined.is_empty() {
            return;
        }
        if self.record_kinds.contains(kind) {
            for d in declined {
                let about = About::default()
                    .framework(fw)
                    .role(d.role)
                    .agent(d.agent)
                    .resources(d.total);
                self.emit(obs, seq, kind, about);
            }
            return;
        }
        let kinds = self.cluster.kinds();
        // Each total's first `width` quantities: every other is zero, so
        // the same bytes as the whole vector's (`record_bytes`).
        let width = width.min(MAX_RESOURCE_KINDS);
        for d in declined {
            hash_record(
                &mut self.digest,
                (self.now, seq, kind),
                [fw.0, d.role.0, d.agent.0],
                None,
                &d.total.0[..width],
                kinds,
            );
        }
        self.count_records(obs, seq, kind, Some(fw), declined.len() as u64);
    }

    /// `n` records of `kind` about `fw` at event `seq`, already hashed, that
    /// no observer reads whole: merged into the pending `Counted` when it
    /// is of the same kind, time and framework, else told after it (the
    /// one rule for `emit`, `emit_declines` and a run's offers).
    fn count_records(
        &mut self,
        obs: &mut dyn Observer,
        seq: u64,
        kind: RecordKind,
        fw: Option<FrameworkId>,
        n: u64,
    ) {
        match &mut self.counted {
            Some(c) if c.kind == kind && c.framework == fw && c.time == self.now => {
                c.n += n;
                c.seq = seq;
            }
            _ => {
                self.tell_counted(obs);
                self.counted = Some(Counted {
                    time: self.now,
                    seq,
                    kind,
                    framework: fw,
                    n,
                });
            }
        }
    }

    /// Tells the observers the counted records not yet told (see
    /// `counted`); every call to the observers but `counted`'s own comes
    /// after this.
    pub(super) fn tell_counted(&mut self, obs: &mut dyn Observer) {
        if let Some(c) = self.counted.take() {
            obs.counted(self.model, &c);
        }
    }

    /// What a task of job `j` really uses (`jobs[].used`).
    fn task_used(&mut self, j: JobId) -> Quantities {
        if !self.jobs.is_streamed(j) || self.used_cache.is_empty() {
            return self.jobs.spec(self.model, j).used;
        }
        let entry = &mut self.used_cache[j.index() % USED_CACHE_SLOTS];
        if entry.0 != j.0 {
            let used = self.jobs.spec(self.model, j).used;
            if used.0[USED_CACHED..].iter().any(|&v| v != 0) {
                return used;
            }
            let mut first = [0; USED_CACHED];
            first.copy_from_slice(&used.0[..USED_CACHED]);
            *entry = (j.0, first);
        }
        let mut q = Quantities::ZERO;
        q.0[..USED_CACHED].copy_from_slice(&entry.1);
        q
    }

    /// Asks for a run over one agent (its partition's master) or over all
    /// agents (every master).
    fn request_run(&mut self, trigger: Trigger) {
        if self.central.is_some() {
            let agent = match trigger {
                Trigger::Agent(a) => Some(a),
                Trigger::AllAgents => None,
            };
            return self.central_wake(agent);
        }
        match trigger {
            Trigger::Agent(a) => {
                let p = self.partition_of[a.index()];
                self.request_run_on(p, trigger)
            }
            Trigger::AllAgents => {
                for p in 0..self.masters.len() {
                    self.request_run_on(PartitionId(p as u32), trigger);
                }
            }
        }
    }

    fn request_run_on(&mut self, p: PartitionId, trigger: Trigger) {
        if !self.failover.allocates(p) {
            // No leader, or its allocator paused: no run, no candidates.
            return;
        }
        if self.central.is_some() {
            return self.central_wake(None);
        }
        if self.masters[p.index()].request_run(trigger) {
            self.queue.push(self.now, Event::AllocationRun(p));
        }
    }

    fn dispatch(&mut self, seq: u64, ev: Event, obs: &mut dyn Observer) -> Result<(), Error> {
        let model = self.model;
        if let Some(p) = self.charges_in {
            // Only the replies of the run that deferred its charges leave
            // them deferred: every other event may read the agents.
            let own_reply = matches!(&ev, Event::OfferReply { partition, offers, .. }
                if partition.index() == p
                    && offers.first().is_some_and(|&id| self.masters[p].deferred_made(id)));
            if !own_reply {
                self.settle_charges();
            }
        }
        match ev {
            Event::AllocationTick(p) => {
                self.periodic_waiting[p.index()] = true;
                if self.failover.allocates(p) {
                    self.request_run_on(p, Trigger::AllAgents);
                } else {
                    self.skip_run(p);
                }
            }
            Event::AllocationRun(p) => self.allocation_run(seq, p, obs),
            Event::AgentAdd(a) => {
                self.inputs_left -= 1;
                self.add_agent(seq, a, obs);
            }
            Event::FrameworkRegister(f) => {
                self.inputs_left -= 1;
                self.last_progress = self.now;
                for m in self.masters_of(f) {
                    m.add_framework(model, f);
                }
                let role = model.frameworks[f.index()].roles[0];
                self.emit(
                    obs,
                    seq,
                    RecordKind::FrameworkRegistered,
                    About::default().framework(f).role(role),
                );
                self.request_run_for(f);
                self.idle_check(seq, f, obs);
            }
            Event::JobSubmit(j) => {
                self.inputs_left -= 1;
                self.last_progress = self.now;
                self.submit_job(seq, j, obs);
            }
            Event::StreamSubmit(i) => {
                self.inputs_left -= 1;
                self.last_progress = self.now;
                let i = i as usize;
                if let Some(spec) = self.stream_next[i].take() {
                    let name = &model.streams[i].name;
                    let Some(j) = self.jobs.insert_streamed(spec) else {
                        return Err(InputError::new(
                            name.as_str(),
                            "more jobs than a run can number (about 4 billion); refused",
                        )
                        .into());
                    };
                    self.submit_job(seq, j, obs);
                }
                self.pull(i)?;
            }
            Event::Scripted(i) => {
                self.inputs_left -= 1;
                self.last_progress = self.now;
                self.scripted(seq, i as usize, obs);
            }
            Event::OfferReply {
                partition,
                framework,
                removals,
                offers,
            } => self.offer_reply(seq, partition, framework, (removals, &offers), obs),
            Event::Answer(id) => {
                if let Some((fw, answers, declines)) = self.answers.remove(&id) {
                    self.apply_answers(seq, fw, answers, &declines, obs);
                    self.idle_check(seq, fw, obs);
                }
            }
            Event::HoldTimeout { framework, epoch } => {
                let fm = &mut self.frameworks[framework.index()];
                if fm.hold_epoch == epoch && !fm.held.is_empty() {
                    let answers = framework::release_held(fm);
                    self.apply_answers(seq, framework, answers, &[], obs);
                    self.idle_check(seq, framework, obs);
                }
            }
            Event::InverseReply {
                partition,
                framework,
                agent,
            } => {
                if !self.framework_state(framework).active {
                    // Withdrawn when the framework disconnected.
                    return Ok(());
                }
                let refuse = model.frameworks[framework.index()].refuse;
                if let Some(f) = self.masters[partition.index()]
                    .answer_inverse_offer(framework, agent, refuse, self.now)
                {
                    self.queue
                        .push(f.expires, Event::InverseFilterExpire(partition, f.id));
                }
            }
            Event::TaskEnd(uid) => self.task_end(seq, uid, obs),
            Event::FilterExpire(p, ids) => {
                // Each expiry schedules its removal now; one after another,
                // so the removals take consecutive numbers: one block.
                let n = ids.len() as u64;
                self.queue
                    .push_block(self.now, n, Event::FilterRemove(p, ids));
            }
            Event::FilterRemove(p, ids) if !self.check => {
                // The list in one call (`Master::expire_filters`): the same
                // expiries in the same order, read ahead as below.
                self.masters[p.index()].expire_filters(&ids, LOOK_AHEAD);
                self.keep_id_list(ids);
            }
            Event::FilterRemove(p, ids) => {
                let last = ids.len().saturating_sub(1);
                for (i, &id) in ids.iter().enumerate() {
                    if i % LOOK_AHEAD == 0 {
                        // Reads only (see `Filters::look_ahead`).
                        let ahead = &ids[i..(i + LOOK_AHEAD).min(ids.len())];
                        std::hint::black_box(self.masters[p.index()].look_ahead_filters(ahead));
                    }
                    self.masters[p.index()].expire_filter(id);
                    if self.check && i < last {
                        self.checked(seq + i as u64, "filter_remove")?;
                    }
                }
                // Kept for the next blocks (a bounded number of long ones).
                self.keep_id_list(ids);
            }
            Event::InverseFilterExpire(p, id) => self.masters[p.index()].expire_inverse_filter(id),
            Event::FrameworkReconnect(f) => {
                self.inputs_left -= 1;
                self.last_progress = self.now;
                for m in self.masters_of(f) {
                    m.activate_framework(f);
                }
                self.emit(
                    obs,
                    seq,
                    RecordKind::FrameworkReconnected,
                    About::default().framework(f),
                );
                self.request_run_for(f);
                self.idle_check(seq, f, obs);
            }
            Event::AgentFail { agent, epoch } => {
                if self.agent_epoch[agent.index()] == epoch {
                    self.random_failure(seq, agent, obs);
                }
            }
            Event::AgentRecover { agent, epoch } => {
                self.inputs_left -= 1;
                if self.agent_epoch[agent.index()] == epoch {
                    self.recover_agent(seq, agent, obs);
                }
            }
            Event::FrameworkFailoverTimeout(f) => {
                self.inputs_left -= 1;
                self.last_progress = self.now;
                self.remove_framework(seq, f, obs);
            }
            Event::AgentUnreachable { agent, epoch } => {
                self.inputs_left -= 1;
                if self.agent_epoch[agent.index()] == epoch {
                    self.mark_unreachable(seq, agent, obs);
                }
            }
            Event::SchedulerStart(s) => self.scheduler_start(seq, s as usize, obs),
            Event::Commit(id) => self.commit(seq, id, obs),
            Event::SchedulerRetry(s) => self.scheduler_retry(s as usize),
            Event::Rebalance => self.rebalance_tick(),
            Event::AgentMoved { agent, to, epoch } => self.agent_moved(agent, to, epoch),
            Event::MasterElected { partition, epoch } => {
                self.inputs_left -= 1;
                self.last_progress = self.now;
                self.elect(seq, partition, epoch, obs);
            }
            Event::AgentReregister { agent, epoch } => {
                self.inputs_left -= 1;
                self.reregister(seq, agent, epoch, obs);
            }
            Event::AllocatorResume { partition, epoch } => {
                self.inputs_left -= 1;
                self.last_progress = self.now;
                self.recovery_timeout(partition, epoch);
            }
            Event::DrainDeadline { agent, epoch } => {
                self.inputs_left -= 1;
                self.last_progress = self.now;
                self.drain_deadline(seq, agent, epoch, obs);
            }
            Event::OfferTimeout(p, id) => {
                if let Some(o) = self.masters[p.index()].rescind(model, id) {
                    self.counters.offers_rescinded += 1;
                    self.fw_counters[o.framework.index()].offers_rescinded += 1;
                    self.emit(obs, seq, RecordKind::Rescind, About::offer(&o.view()));
                    framework::forget_slot(&mut self.frameworks[o.framework.index()], SlotId(id.0));
                    self.idle_check(seq, o.framework, obs);
                }
            }
        }
        Ok(())
    }

    /// `suppress_when_idle`: suppress a framework with nothing pending (and
    /// no offers held), revive it when work comes back.
    fn idle_check(&mut self, seq: u64, fw: FrameworkId, obs: &mut dyn Observer) {
        let spec = &self.model.frameworks[fw.index()];
        if !spec.suppress_when_idle || !self.framework_state(fw).registered {
            return;
        }
        let fm = &self.frameworks[fw.index()];
        let idle = fm.pending_tasks == 0 && fm.held.is_empty();
        let suppressed = self.idle_suppressed[fw.index()];
        if idle != suppressed {
            self.idle_suppressed[fw.index()] = idle;
            self.set_suppressed(seq, fw, &[], idle, obs);
        }
    }
}

/// How many leading resource kinds [`Simulation::task_used`]'s cache keeps.
const USED_CACHED: usize = 4;
/// Its entries (job ids in flight are mostly consecutive).
const USED_CACHE_SLOTS: usize = 256;

/// Feeds one record into the run's digest in a fixed binary form, written
/// in place into the digest's chunk ([`RecordDigest::room`]; the same
/// bytes as one `update` per field), from the values `emit` has at hand.
/// `kinds` is the scenario's resource kinds: the record's quantities are
/// looked at over those only when the rest are zero (always, as far as
/// records go: the same bytes either way).
#[inline(always)]
fn hash_record(
    h: &mut RecordDigest,
    key: (SimTime, u64, RecordKind),
    // framework, role, agent; `About::NONE` (u32::MAX) for none.
    ids: [u32; 3],
    task: Option<TaskRef>,
    // The record's quantities: a resource vector's entries, or its first
    // few when every other is zero (see `record_bytes`).
    q: &[u64],
    kinds: usize,
) {
    match h.room() {
        Some(buf) => {
            let n = record_bytes(buf, key, ids, task, q, kinds);
            h.commit(n);
        }
        None => {
            let mut buf = [0u8; digest::RECORD_ROOM];
            let n = record_bytes(&mut buf, key, ids, task, q, kinds);
            h.update(&buf[..n]);
        }
    }
}

/// Writes a record's digest bytes at the start of `buf`; returns how many.
/// Inlined into `emit` so that the values come from registers, not from
/// a copy just stored on the stack.
#[inline(always)]
fn record_bytes(
    buf: &mut [u8; digest::RECORD_ROOM],
    (time, seq, kind): (SimTime, u64, RecordKind),
    ids: [u32; 3],
    task: Option<TaskRef>,
    q: &[u64],
    kinds: usize,
) -> usize {
    // time, seq, kind, three ids, the task (tag + two words), then at most
    // one (id, value) pair per resource kind and the terminator.
    const MAX: usize = 8 + 8 + 1 + 3 * 4 + 9 + MAX_RESOURCE_KINDS * 9 + 1;
    const _: () = assert!(MAX <= digest::RECORD_ROOM);
    let mut n = 0;
    let mut put = |bytes: &[u8]| {
        buf[n..n + bytes.len()].copy_from_slice(bytes);
        n += bytes.len();
    };
    put(&time.0.to_le_bytes());
    put(&seq.to_le_bytes());
    put(&[kind as u8]);
    for id in ids {
        put(&id.to_le_bytes());
    }
    match task {
        None => put(&[0u8]),
        Some(TaskRef::Job(j, i)) => {
            put(&[1u8]);
            put(&j.0.to_le_bytes());
            put(&i.to_le_bytes());
        }
        Some(TaskRef::TakeAll(f, i)) => {
            put(&[2u8]);
            put(&f.0.to_le_bytes());
            put(&i.to_le_bytes());
        }
        Some(TaskRef::Running(a, i)) => {
            put(&[3u8]);
            put(&a.0.to_le_bytes());
            put(&i.to_le_bytes());
        }
    }
    // `q` is a whole vector, or its first entries when the others are
    // zero: either way the same bytes (a zero entry writes none, and
    // `above` sees the same nonzero entries).
    debug_assert!(q.len() <= MAX_RESOURCE_KINDS);
    let kinds = kinds.min(MAX_RESOURCE_KINDS).min(q.len());
    // Whether any entry from `kinds` on is set: an OR over the whole
    // array with a mask, no branch per entry; a whole vector (a record's
    // resources) through the table of prefix masks.
    let above = match <&[u64; MAX_RESOURCE_KINDS]>::try_from(q) {
        Ok(whole) => crate::cluster::resources::any_from(whole, kinds),
        Err(_) => {
            q.iter().enumerate().fold(0, |acc, (i, &v)| {
                acc | (v & ((i >= kinds) as u64).wrapping_neg())
            }) != 0
        }
    };
    let width = if above { q.len() } else { kinds };
    // Each (id, value) pair written, and kept (the bytes counted) only
    // when the value is not zero: no branch on the values (which kinds
    // an offer has zero of follows the run's shuffled agents). `MAX`
    // leaves room for every pair.
    for (i, &v) in q[..width].iter().enumerate() {
        buf[n] = i as u8;
        buf[n + 1..n + 9].copy_from_slice(&v.to_le_bytes());
        n += 9 * usize::from(v > 0);
    }
    buf[n] = 0xff;
    n + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A record's digest bytes (`record_bytes`) are their definition,
    /// written here the plain way (time, seq, kind, the three
    /// ids, no task, then an (index, value) pair per quantity that is not
    /// zero, then `0xff`), for vectors with their entries set at random
    /// below and above the scenario's kinds, given whole or as their
    /// first entries (every later one zero), as `emit_declines` gives a
    /// chunk's totals (`Declines::width`).
    #[test]
    fn a_records_bytes_are_their_definition() {
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for step in 0..20_000u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let kinds = 1 + (x % MAX_RESOURCE_KINDS as u64) as usize;
            let mut q = [0u64; MAX_RESOURCE_KINDS];
            let mut y = x;
            for (i, v) in q.iter_mut().enumerate() {
                y = y.rotate_left(7) ^ 0x9e37_79b9_7f4a_7c15;
                // Mostly within the kinds, now and then past them.
                let inside = i < kinds || step % 13 == 0;
                if inside && y % 3 != 0 {
                    *v = y >> (y % 40);
                }
            }
            let key = (SimTime(x >> 20), step, RecordKind::Decline);
            let ids = [(x % 7) as u32, u32::MAX, (x >> 8) as u32];
            let mut want = Vec::new();
            want.extend_from_slice(&key.0 .0.to_le_bytes());
            want.extend_from_slice(&step.to_le_bytes());
            want.push(RecordKind::Decline as u8);
            for id in ids {
                want.extend_from_slice(&id.to_le_bytes());
            }
            want.push(0);
            for (i, &v) in q.iter().enumerate() {
                if v > 0 {
                    want.push(i as u8);
                    want.extend_from_slice(&v.to_le_bytes());
                }
            }
            want.push(0xff);
            let last = q.iter().rposition(|&v| v > 0).map_or(0, |i| i + 1);
            for width in [
                MAX_RESOURCE_KINDS,
                last,
                last.max(kinds).min(MAX_RESOURCE_KINDS),
            ] {
                let mut buf = [0xaau8; digest::RECORD_ROOM];
                let n = record_bytes(&mut buf, key, ids, None, &q[..width], kinds);
                assert_eq!(&buf[..n], &want[..], "step {step}, width {width}");
            }
        }
    }

    /// `About::task_of` (a task's record fields written at once) is what
    /// the setters made: the set's total, reserved parts summed in, and
    /// the start given (or none for a launch).
    #[test]
    fn a_tasks_about_is_the_setters_about() {
        use crate::cluster::resources::ResId;
        let mut set = ResourceSet::default();
        set.unreserved.set(ResId(0), 1500);
        set.unreserved.set(ResId(1), 2048);
        let mut part = Quantities::ZERO;
        part.set(ResId(0), 500);
        part.set(ResId(2), 7);
        for reserved in [false, true] {
            if reserved {
                set.add_reserved(RoleId(3), &part);
            }
            let (fw, role, agent) = (FrameworkId(2), RoleId(1), AgentId(9));
            let task = TaskRef::Job(crate::JobId(4), 6);
            let setters = About::default()
                .framework(fw)
                .role(role)
                .agent(agent)
                .task(task)
                .resources(set.total());
            for started in [About::NOT_STARTED, 123] {
                let about = About::task_of(fw, role, agent, task, &set, started);
                let want = About { started, ..setters };
                assert_eq!(format!("{about:?}"), format!("{want:?}"));
            }
        }
    }

    /// Emptied lists of filter ids are kept by length: short ones for
    /// short lists, at most `MAX_BIG_ID_LISTS` long ones for answers with
    /// more filters than a short one holds (so that a whole cell's
    /// filters do not grow a new list by doubling each time), the rest
    /// freed; a list handed out has room for what it was asked for.
    #[test]
    fn emptied_id_lists_are_kept_by_length_and_bounded() {
        let text = "name: lists\nuntil: 1min\nagents:\n  - {id: a, count: 2, resources: {cpus: 4, mem: 8192}}\nframeworks:\n  - {id: f, role: r}\n";
        let model = crate::scenario::load_str(text, "lists.yaml", std::path::Path::new("."))
            .expect("scenario");
        let mut sim = Simulation::new(&model, &Options::default());
        let long = MAX_KEPT_ID_LIST * 10;
        for _ in 0..MAX_BIG_ID_LISTS + 3 {
            sim.keep_id_list(Vec::with_capacity(long));
            sim.keep_id_list(Vec::with_capacity(4));
        }
        assert_eq!(sim.big_id_lists.len(), MAX_BIG_ID_LISTS);
        assert_eq!(sim.id_lists.len(), MAX_BIG_ID_LISTS + 3);
        assert!(sim
            .big_id_lists
            .iter()
            .all(|l| l.is_empty() && l.capacity() >= long));
        // A long request takes a long list, a short one a short list.
        let l = sim.id_list_for(long);
        assert!(l.is_empty() && l.capacity() >= long);
        assert_eq!(sim.big_id_lists.len(), MAX_BIG_ID_LISTS - 1);
        let s = sim.id_list_for(3);
        assert!(s.capacity() >= 3 && s.capacity() <= MAX_KEPT_ID_LIST);
        assert_eq!(sim.big_id_lists.len(), MAX_BIG_ID_LISTS - 1);
        // With no long list kept, a long request is made with its room.
        sim.big_id_lists.clear();
        sim.id_lists.clear();
        assert!(sim.id_list_for(2 * long).capacity() >= 2 * long);
    }

    /// A run whose event queue passes [`MAX_SEQS`] insertion numbers stops
    /// with an input error naming the limit, before an event numbered past
    /// it pops (the packed keys would misorder it); one that stays below
    /// runs to its end.
    #[test]
    fn a_run_past_the_queues_insertion_numbers_stops() {
        let text = "name: seqs\nuntil: 10min\nagents:\n  - {id: a, count: 4, resources: {cpus: 4, mem: 8192}}\nframeworks:\n  - id: f\n    role: r\n    jobs:\n      - {id: j, submit: 0s, tasks: 8, resources: {cpus: 1, mem: 1024}, duration: 60s}\n";
        let model = crate::scenario::load_str(text, "seqs.yaml", std::path::Path::new("."))
            .expect("scenario");
        let run = |start: u64| {
            let mut sim = Simulation::new(&model, &Options::default());
            sim.queue.start_seq_at(start);
            let mut obs = crate::sim::observer::Tee::default();
            sim.run(&mut obs)
        };
        let events = run(0).expect("a run from 0").events;
        assert!(events > 20, "{events} events");
        // Room for every event the run schedules: it ends alike.
        let near = run(MAX_SEQS - 4 * events).expect("a run below the limit");
        assert_eq!(near.events, events);
        // Not enough room: an error, not a misordered run.
        let err = run(MAX_SEQS - events / 2).expect_err("past the limit");
        let msg = err.to_string();
        assert!(
            msg.contains("more than 1099511627776 events (2^40)"),
            "{msg}"
        );
    }
}
