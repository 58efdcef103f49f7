//! Framework scheduler models: how a simulated framework answers offers.
//!
//! A framework keeps its own queue of pending work (the master knows nothing
//! of it, as in Mesos). Answers are pure decisions computed from the
//! framework's state, the offers and the time; the engine applies them
//! (now, or after the framework's decision time).
//!
//! - `batch`: pending tasks in submission order; first fit in queue order,
//!   at most `max_tasks_per_offer` per offer; the rest is declined with the
//!   refuse filter. Jobs may carry placement `constraints` (hard) and
//!   `prefer` (soft: delay scheduling up to `locality_wait`). A gang job
//!   launches whole or not at all: from one offer, or — with
//!   `gang_hold_timeout` — from offers the framework holds across agents
//!   until the whole job fits. A job that launches nothing from
//!   `abandon_after` offers in a row is abandoned.
//! - `take-all`: one task per offer that uses the whole offer.
//! - `decline-all`: declines everything.
//! - `hold`: never answers (the engine sends it no reply event).

pub mod jobs;
pub mod presets;

pub use jobs::{JobTable, LiveJob};

use crate::cluster::resources::{Quantities, ResourceSet};
pub use crate::cluster::slot::{Slot, SlotId};
use crate::scenario::model::{attrs_match, Behavior, FrameworkSpec, JobSpec, Model, TaskDuration};
use crate::sim::rng::StreamFamily;
use crate::sim::time::{DurationUs, SimTime};
use crate::{FrameworkId, JobId, RoleId};
use std::collections::BTreeMap;

/// Where a job stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobStatus {
    /// Not submitted yet.
    Unsubmitted,
    Pending,
    Running,
    Finished,
    Failed,
    Abandoned,
}

impl JobStatus {
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            JobStatus::Finished | JobStatus::Failed | JobStatus::Abandoned
        )
    }

    pub fn name(self) -> &'static str {
        match self {
            JobStatus::Unsubmitted | JobStatus::Pending => "pending",
            JobStatus::Running => "running",
            JobStatus::Finished => "finished",
            JobStatus::Failed => "failed",
            JobStatus::Abandoned => "abandoned",
        }
    }
}

#[derive(Clone, Debug)]
pub struct JobState {
    pub status: JobStatus,
    /// Task indices waiting to launch, in order (relaunches go back here).
    pub pending: Vec<u32>,
    /// Next never-launched task index.
    pub next_index: u32,
    pub running: u32,
    pub finished: u32,
    pub submitted_at: Option<SimTime>,
    pub first_start: Option<SimTime>,
    pub finished_at: Option<SimTime>,
    /// Position in its framework's queue (submission order).
    pub rank: u64,
    /// Offers in a row it was tried on and launched nothing from.
    pub misses: u32,
    /// Delay scheduling: since when it has waited for a preferred agent
    /// (its submission, or its last launch on a preferred agent).
    pub wait_since: SimTime,
    /// Tasks chosen for a launch whose answer has not taken effect yet.
    pub deciding: u32,
    /// Tasks lost with their agent and not run again (their job failed or
    /// had been given up).
    pub lost: u32,
    /// Tasks killed and not run again (their job failed or had been given
    /// up).
    pub killed: u32,
}

impl JobState {
    pub fn new() -> JobState {
        JobState {
            status: JobStatus::Unsubmitted,
            pending: Vec::new(),
            next_index: 0,
            running: 0,
            finished: 0,
            submitted_at: None,
            first_start: None,
            finished_at: None,
            rank: 0,
            misses: 0,
            wait_since: SimTime::ZERO,
            deciding: 0,
            lost: 0,
            killed: 0,
        }
    }

    /// Given up: abandoned, or failed (`on_lost: fail`): no more
    /// launches; its tasks still running run on.
    pub fn given_up(&self) -> bool {
        matches!(self.status, JobStatus::Abandoned | JobStatus::Failed)
    }

    /// A job given up ends when nothing of it runs or is about to.
    pub fn abandoned_and_idle(&self) -> bool {
        self.given_up() && self.running == 0 && self.deciding == 0
    }

    /// Tasks not yet launched (never launched plus relaunches).
    pub fn pending_count(&self, total: u32) -> u32 {
        self.pending.len() as u32 + (total - self.next_index)
    }
}

impl Default for JobState {
    fn default() -> Self {
        JobState::new()
    }
}

/// A framework's own scheduler: its job queue, pending tasks and held
/// slots (what a master keeps about it is `master::MasterFramework`).
#[derive(Clone, Debug, Default)]
pub struct SchedulerState {
    /// Jobs with pending tasks, by submission rank.
    pub queue: BTreeMap<u64, JobId>,
    /// Tasks not yet launched (nor chosen for a launch), over all its jobs.
    /// Changed only through [`add_pending`](Self::add_pending) and
    /// [`take_pending`](Self::take_pending), which keep `pending` in step.
    pub pending_tasks: u64,
    /// The same tasks per role, kept up to date so that metrics never scan
    /// the queue.
    pub pending: BTreeMap<RoleId, PendingTasks>,
    /// Counter for take-all task ids.
    pub take_all_launched: u64,
    /// Slots (offers) held, not answered, for a gang job, oldest first.
    pub held: Vec<Slot>,
    /// Bumped whenever a hold starts or ends: a hold timeout of an older
    /// epoch is stale.
    pub hold_epoch: u64,
}

/// A framework's pending tasks in one role.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PendingTasks {
    pub tasks: u64,
    /// Their resources, summed.
    pub total: Quantities,
    /// How many pending tasks ask for each distinct resource vector.
    pub shapes: BTreeMap<Quantities, u64>,
}

impl SchedulerState {
    /// `n` more pending tasks of `resources` each in `role`.
    pub fn add_pending(&mut self, role: RoleId, resources: &Quantities, n: u64) {
        if n == 0 {
            return;
        }
        self.pending_tasks += n;
        let p = self.pending.entry(role).or_default();
        p.tasks += n;
        p.total.add(&resources.scaled(n));
        *p.shapes.entry(*resources).or_insert(0) += n;
    }

    /// `n` pending tasks of `resources` each in `role` launched or withdrawn.
    pub fn take_pending(&mut self, role: RoleId, resources: &Quantities, n: u64) {
        if n == 0 {
            return;
        }
        self.pending_tasks -= n;
        let p = self
            .pending
            .get_mut(&role)
            .expect("pending tasks in this role");
        p.tasks -= n;
        // `p.total.minus(&resources.scaled(n))` over the entries that may
        // be non-zero in `resources` only (the rest subtract zero).
        p.total
            .saturating_sub_scaled_first(resources, n, resources.width());
        let c = p
            .shapes
            .get_mut(resources)
            .expect("pending tasks of this shape");
        *c -= n;
        if *c == 0 {
            p.shapes.remove(resources);
        }
        if p.tasks == 0 {
            self.pending.remove(&role);
        }
    }

    /// Takes one pending task for each launch of a job (the launches of
    /// one slot).
    fn take_launched<'a>(
        &mut self,
        model: &Model,
        jobs: &JobTable,
        launches: impl Iterator<Item = &'a Launch>,
    ) {
        // A job's launches come one after another: taken in runs, one
        // update per run. The same counts as one at a time: the launches
        // are from one slot, so their sum cannot saturate.
        let mut run: Option<(JobId, u64)> = None;
        for j in launches.filter_map(|l| l.job) {
            match &mut run {
                Some((r, n)) if *r == j => *n += 1,
                _ => {
                    if let Some((r, n)) = run.replace((j, 1)) {
                        let spec = jobs.spec(model, r);
                        self.take_pending(spec.role, &spec.resources, n);
                    }
                }
            }
        }
        if let Some((r, n)) = run {
            let spec = jobs.spec(model, r);
            self.take_pending(spec.role, &spec.resources, n);
        }
    }
}

/// A task the framework launches from a slot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Launch {
    /// `None` for take-all tasks.
    pub job: Option<JobId>,
    pub index: u32,
    pub resources: ResourceSet,
}

/// The answer to one slot: launches (accept), or none (decline).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub slot: SlotId,
    pub launches: Vec<Launch>,
}

/// What a framework decided about a batch of offers.
#[derive(Clone, Debug, Default)]
pub struct Decision {
    /// In the order they are applied; offers held stay out.
    pub answers: Vec<Answer>,
    /// Tasks chosen to launch.
    pub launched: u64,
    /// The framework went from holding nothing to holding offers.
    pub hold_started: bool,
    /// Jobs given up, with the pending tasks they withdrew.
    pub abandoned: Vec<(JobId, u32)>,
}

/// Decides what to do with a batch of slots (today: one allocation run's
/// offers to this framework). Mutates the framework's queue and held offers
/// (chosen tasks leave the queue); the engine applies the answers.
pub fn decide(
    model: &Model,
    fw: FrameworkId,
    state: &mut SchedulerState,
    jobs: &mut JobTable,
    slots: &[Slot],
    now: SimTime,
) -> Decision {
    let spec = &model.frameworks[fw.index()];
    let mut d = Decision::default();
    match spec.behavior {
        // `hold` frameworks are never asked (the engine sends them no
        // reply event); were they, they would decline like `decline-all`.
        Behavior::DeclineAll | Behavior::Hold => {
            d.answers = slots
                .iter()
                .map(|o| Answer {
                    slot: o.id,
                    launches: Vec::new(),
                })
                .collect();
        }
        Behavior::TakeAll => {
            for o in slots {
                let index = state.take_all_launched as u32;
                state.take_all_launched += 1;
                d.answers.push(Answer {
                    slot: o.id,
                    launches: vec![Launch {
                        job: None,
                        index,
                        resources: o.resources.clone(),
                    }],
                });
            }
            d.launched = slots.len() as u64;
        }
        Behavior::Batch => {
            if spec.gang_hold_timeout.is_some() {
                pooled(model, spec, state, jobs, slots, now, &mut d);
            } else {
                for slot in slots {
                    per_slot(model, spec, state, jobs, slot, now, &mut d, Vec::new());
                }
            }
        }
    }
    d
}

/// [`decide`] for a framework that [`decides_first_fit`], its slots made
/// one at a time by `make` from their ids: once its queue is empty, every
/// later slot would be answered with no launch by a pass that changes
/// nothing, so those slots are answered from their ids without being made
/// (no copy of each offer's resources into a slot). The same decision as
/// `decide` on the slots of `ids`, in order.
pub fn decide_drawn(
    model: &Model,
    fw: FrameworkId,
    state: &mut SchedulerState,
    jobs: &mut JobTable,
    ids: impl Iterator<Item = SlotId>,
    make: impl FnMut(SlotId) -> Slot,
    now: SimTime,
) -> Decision {
    let mut ids = ids;
    let mut d = decide_while_queued(model, fw, state, jobs, ids.by_ref(), make, now);
    d.answers.extend(ids.map(|slot| Answer {
        slot,
        launches: Vec::new(),
    }));
    d
}

/// [`decide_drawn`] up to the first slot that finds the framework's queue
/// empty: the answers to the slots drawn from `ids` while it had jobs, in
/// order. `ids` is left at that slot: every slot from it on would be
/// answered with no launch (a decline) and change nothing in the
/// framework (its queue only empties while it decides), so the caller
/// declines those offers from their ids, after these answers — no
/// `Answer` for each. [`decide_drawn`] is this plus those answers.
pub fn decide_while_queued(
    model: &Model,
    fw: FrameworkId,
    state: &mut SchedulerState,
    jobs: &mut JobTable,
    ids: &mut impl Iterator<Item = SlotId>,
    mut make: impl FnMut(SlotId) -> Slot,
    now: SimTime,
) -> Decision {
    let spec = &model.frameworks[fw.index()];
    debug_assert!(decides_first_fit(spec));
    let mut d = Decision::default();
    while !state.queue.is_empty() {
        let Some(id) = ids.next() else {
            break;
        };
        per_slot(model, spec, state, jobs, &make(id), now, &mut d, Vec::new());
    }
    d
}

/// Decides about one job only (monolithic and shared-state schedulers
/// place one job at a time): the framework's other jobs sit out, and come
/// back unchanged. Nothing is held: a snapshot's slots cannot be kept, so
/// slots a gang job would wait on are let go (no answer is due for them).
pub fn decide_job(
    model: &Model,
    fw: FrameworkId,
    state: &mut SchedulerState,
    jobs: &mut JobTable,
    job: JobId,
    slots: &[Slot],
    now: SimTime,
) -> Decision {
    let mut d = alone(state, jobs, job, |state, jobs| {
        decide(model, fw, state, jobs, slots, now)
    });
    d.hold_started = false;
    d
}

/// Runs `decide` with `job` alone in the framework's queue; the other jobs
/// come back unchanged after it, and nothing stays held.
fn alone(
    state: &mut SchedulerState,
    jobs: &mut JobTable,
    job: JobId,
    decide: impl FnOnce(&mut SchedulerState, &mut JobTable) -> Decision,
) -> Decision {
    let rank = jobs.state(job).rank;
    let mut rest = std::mem::take(&mut state.queue);
    rest.remove(&rank);
    state.queue.insert(rank, job);
    let d = decide(state, jobs);
    rest.append(&mut state.queue);
    state.queue = rest;
    if !state.held.is_empty() {
        state.held.clear();
        state.hold_epoch += 1;
    }
    d
}

/// Whether this framework decides on a snapshot slot by slot, first fit in
/// slot order, with nothing held (`batch` without `gang_hold_timeout`): then
/// [`decide_job_first_fit`] may be used instead of [`decide_job`].
pub fn decides_first_fit(spec: &FrameworkSpec) -> bool {
    spec.behavior == Behavior::Batch && spec.gang_hold_timeout.is_none()
}

/// [`decide_job`] for a framework that [`decides_first_fit`], with the
/// slots drawn one at a time: once the job has left the queue (placed whole
/// or given up), every later slot would get an empty answer and change
/// nothing, so no more slots are drawn and those answers are left out. A
/// decision then costs the slots it tries, not the whole snapshot.
#[allow(clippy::too_many_arguments)]
pub fn decide_job_first_fit(
    model: &Model,
    fw: FrameworkId,
    state: &mut SchedulerState,
    jobs: &mut JobTable,
    job: JobId,
    slots: impl Iterator<Item = Slot>,
    now: SimTime,
    spare: &mut Vec<Vec<Launch>>,
) -> Decision {
    let spec = &model.frameworks[fw.index()];
    debug_assert!(decides_first_fit(spec));
    alone(state, jobs, job, |state, jobs| {
        let mut d = Decision::default();
        for slot in slots {
            if state.queue.is_empty() {
                break;
            }
            // An answer's launches go into an empty vector kept from an
            // earlier answer when there is one (no allocation per slot).
            let launches = spare.pop().unwrap_or_default();
            per_slot(model, spec, state, jobs, &slot, now, &mut d, launches);
        }
        d
    })
}

/// Whether placing `spec` reads the agent's attributes: only for a
/// constraint or a preference (with neither, [`placement`] and
/// `attrs_match` give the same answers for any attributes, so the
/// agent's need not be looked up — a cache miss per slot).
fn needs_attributes(spec: &JobSpec) -> bool {
    !spec.constraints.is_empty() || !spec.prefer.is_empty()
}

/// Whether a job may use an offer's agent now: constraints hold, and delay
/// scheduling does not make it wait for a preferred agent. Returns
/// `(usable, preferred)`.
fn placement(
    fw: &FrameworkSpec,
    spec: &JobSpec,
    js: &JobState,
    attributes: &[(String, String)],
    now: SimTime,
) -> (bool, bool, bool) {
    let allowed = attrs_match(&spec.constraints, attributes);
    let preferred = spec.prefer.is_empty() || attrs_match(&spec.prefer, attributes);
    let waiting = !preferred && now.0.saturating_sub(js.wait_since.0) < fw.locality_wait;
    (allowed, preferred, waiting)
}

/// One slot on its own (no holding): first fit in queue order. The
/// answer's launches are pushed into `launches`, emptied first (a vector
/// kept from an earlier answer: its capacity only saves allocations).
#[allow(clippy::too_many_arguments)]
fn per_slot(
    model: &Model,
    fw: &FrameworkSpec,
    state: &mut SchedulerState,
    jobs: &mut JobTable,
    slot: &Slot,
    now: SimTime,
    d: &mut Decision,
    mut launches: Vec<Launch>,
) {
    launches.clear();
    let max_tasks = fw.max_tasks_per_offer.unwrap_or(u64::MAX);
    // Read once, and only for a job with a constraint or a preference.
    let mut attributes: Option<&[(String, String)]> = None;
    // What is left of the slot, copied from it at the first job that may
    // launch here (a slot no job can use is answered without a copy).
    let mut left: Option<ResourceSet> = None;
    let mut emptied = Vec::new();
    let mut give_up = Vec::new();
    for (&rank, &job) in state.queue.iter() {
        if launches.len() as u64 >= max_tasks {
            break;
        }
        let (spec, js) = jobs.get_mut(model, job);
        if spec.role != slot.role {
            continue;
        }
        let attributes = if needs_attributes(spec) {
            *attributes.get_or_insert_with(|| model.agent_attributes(slot.agent, now))
        } else {
            &[]
        };
        let (allowed, preferred, waiting) = placement(fw, spec, js, attributes, now);
        let before = launches.len();
        if allowed && !waiting {
            let left = left.get_or_insert_with(|| slot.resources.clone());
            let pending = js.pending_count(spec.tasks);
            // The task's resources are zero from `width` on: each try
            // compares and takes that many entries, not all of them.
            let width = spec.resources.width();
            if spec.gang {
                // All of a gang job's tasks launch together, from one offer.
                let need = spec.resources.scaled(pending as u64);
                if (launches.len() as u64 + pending as u64) <= max_tasks
                    && left.total().contains(&need)
                {
                    for _ in 0..pending {
                        let res = left.take(&spec.resources).expect("gang fits");
                        let index = next_task(js);
                        launches.push(Launch {
                            job: Some(job),
                            index,
                            resources: res,
                        });
                    }
                }
            } else {
                if launches.capacity() == 0 {
                    // Room for the launches this slot can take, at once:
                    // grown one push at a time, the vector was reallocated
                    // on the way (capacity changes no answer).
                    let room =
                        (pending as u64)
                            .min(max_tasks)
                            .min(fits(left, &spec.resources, width));
                    launches.reserve_exact(room.min(MAX_LAUNCH_ROOM) as usize);
                }
                while js.pending_count(spec.tasks) > 0 && (launches.len() as u64) < max_tasks {
                    let Some(res) = left.take_first(&spec.resources, width) else {
                        break;
                    };
                    let index = next_task(js);
                    launches.push(Launch {
                        job: Some(job),
                        index,
                        resources: res,
                    });
                }
            }
        }
        if waiting {
            // Waiting for a preferred agent is a choice, not a failure.
        } else if launches.len() > before {
            js.misses = 0;
            if preferred {
                js.wait_since = now;
            }
        } else {
            js.misses = js.misses.saturating_add(1);
            if fw.abandon_after.is_some_and(|n| js.misses >= n) {
                give_up.push(rank);
            }
        }
        if js.pending_count(spec.tasks) == 0 {
            emptied.push(rank);
        }
    }
    for rank in emptied {
        state.queue.remove(&rank);
    }
    state.take_launched(model, jobs, launches.iter());
    d.launched += launches.len() as u64;
    abandon(model, state, jobs, &give_up, d);
    d.answers.push(Answer {
        slot: slot.id,
        launches,
    });
}

/// At most this many launches are made room for at once in a slot's
/// answer (a bound on the allocation a huge agent's estimate could ask;
/// past it the vector grows as it fills).
const MAX_LAUNCH_ROOM: u64 = 64;

/// How many tasks of `demand` (zero from `width` on) the unreserved part
/// of `left` holds one after another, when nothing is reserved: the
/// smallest quotient over the demanded entries (`u64::MAX` for a zero
/// demand). With reservations, 0 (no estimate). Only sizes a vector.
fn fits(left: &ResourceSet, demand: &Quantities, width: usize) -> u64 {
    if !left.reserved.is_empty() {
        return 0;
    }
    left.unreserved.0[..width]
        .iter()
        .zip(&demand.0[..width])
        .filter(|(_, &d)| d > 0)
        .map(|(&a, &d)| a / d)
        .min()
        .unwrap_or(u64::MAX)
}

/// Gives up the jobs at these ranks: their pending tasks are withdrawn.
fn abandon(
    model: &Model,
    state: &mut SchedulerState,
    jobs: &mut JobTable,
    ranks: &[u64],
    d: &mut Decision,
) {
    for rank in ranks {
        let Some(job) = state.queue.remove(rank) else {
            continue;
        };
        let (spec, js) = jobs.get_mut(model, job);
        let withdrawn = js.pending_count(spec.tasks);
        js.pending.clear();
        js.next_index = spec.tasks;
        js.status = JobStatus::Abandoned;
        state.take_pending(spec.role, &spec.resources, withdrawn as u64);
        d.abandoned.push((job, withdrawn));
    }
}

/// A slot in the pool of a holding framework.
struct PoolEntry {
    slot: Slot,
    left: ResourceSet,
    launches: Vec<Launch>,
    /// Arrived in this batch (not held from before).
    new: bool,
}

/// A framework that holds offers for gang jobs: the offers it holds and the
/// new ones form one pool; jobs take from it in queue order (first fit in
/// pool order); the first gang job that does not fit makes the framework
/// keep the offers that could serve it and stop (jobs behind it wait).
fn pooled(
    model: &Model,
    fw: &FrameworkSpec,
    state: &mut SchedulerState,
    jobs: &mut JobTable,
    slots: &[Slot],
    now: SimTime,
    d: &mut Decision,
) {
    let max_tasks = fw.max_tasks_per_offer.unwrap_or(u64::MAX) as usize;
    let was_holding = !state.held.is_empty();
    let mut pool: Vec<PoolEntry> = state
        .held
        .drain(..)
        .map(|o| (o, false))
        .chain(slots.iter().cloned().map(|o| (o, true)))
        .map(|(slot, new)| PoolEntry {
            left: slot.resources.clone(),
            slot,
            launches: Vec::new(),
            new,
        })
        .collect();
    let mut emptied = Vec::new();
    let mut give_up = Vec::new();
    let mut target: Option<JobId> = None;
    for (&rank, &job) in state.queue.iter() {
        let (spec, js) = jobs.get_mut(model, job);
        let pending = js.pending_count(spec.tasks);
        // New offers of its role it was tried on (not waited out).
        let mut tried_new = 0u32;
        let mut placed = 0usize;
        if spec.gang {
            // Plan on copies; commit only if the whole job fits.
            let mut plan: Vec<(usize, ResourceSet)> = Vec::new();
            let mut lefts: Vec<ResourceSet> = pool.iter().map(|s| s.left.clone()).collect();
            for (i, entry) in pool.iter().enumerate() {
                if entry.slot.role != spec.role {
                    continue;
                }
                tried_new += u32::from(entry.new);
                if needs_attributes(spec)
                    && !attrs_match(
                        &spec.constraints,
                        model.agent_attributes(entry.slot.agent, now),
                    )
                {
                    continue;
                }
                let mut n = entry.launches.len();
                while plan.len() < pending as usize && n < max_tasks {
                    let Some(res) = lefts[i].take(&spec.resources) else {
                        break;
                    };
                    plan.push((i, res));
                    n += 1;
                }
            }
            if plan.len() == pending as usize {
                for (i, res) in plan {
                    pool[i].left = lefts[i].clone();
                    let index = next_task(js);
                    pool[i].launches.push(Launch {
                        job: Some(job),
                        index,
                        resources: res,
                    });
                }
                placed = pending as usize;
            }
        } else {
            for entry in pool.iter_mut() {
                if entry.slot.role != spec.role {
                    continue;
                }
                let attributes = if needs_attributes(spec) {
                    model.agent_attributes(entry.slot.agent, now)
                } else {
                    &[]
                };
                let (allowed, preferred, waiting) = placement(fw, spec, js, attributes, now);
                if allowed && waiting {
                    continue;
                }
                tried_new += u32::from(entry.new);
                if !allowed {
                    continue;
                }
                while js.pending_count(spec.tasks) > 0 && entry.launches.len() < max_tasks {
                    let Some(res) = entry.left.take(&spec.resources) else {
                        break;
                    };
                    let index = next_task(js);
                    entry.launches.push(Launch {
                        job: Some(job),
                        index,
                        resources: res,
                    });
                    placed += 1;
                    if preferred {
                        js.wait_since = now;
                    }
                }
            }
        }
        if placed > 0 {
            js.misses = 0;
        } else if tried_new > 0 {
            // Every new offer it was tried on and got nothing from counts.
            js.misses = js.misses.saturating_add(tried_new);
            if fw.abandon_after.is_some_and(|n| js.misses >= n) {
                give_up.push(rank);
            }
        }
        if js.pending_count(spec.tasks) == 0 {
            emptied.push(rank);
        }
        if spec.gang && placed == 0 {
            target = Some(job);
            break;
        }
    }
    for rank in &emptied {
        state.queue.remove(rank);
    }
    let launched: usize = pool.iter().map(|e| e.launches.len()).sum();
    for e in &pool {
        state.take_launched(model, jobs, e.launches.iter());
    }
    d.launched += launched as u64;
    if let Some(t) = target {
        if give_up.contains(&jobs.state(t).rank) {
            target = None;
        }
    }
    abandon(model, state, jobs, &give_up, d);
    for entry in pool {
        let keep = entry.launches.is_empty()
            && target.is_some_and(|t| {
                let spec = jobs.spec(model, t);
                entry.slot.role == spec.role
                    && attrs_match(
                        &spec.constraints,
                        model.agent_attributes(entry.slot.agent, now),
                    )
                    && entry.left.total().contains(&spec.resources)
            });
        if keep {
            state.held.push(entry.slot);
        } else {
            d.answers.push(Answer {
                slot: entry.slot.id,
                launches: entry.launches,
            });
        }
    }
    if was_holding == state.held.is_empty() {
        state.hold_epoch += 1;
        d.hold_started = !was_holding;
    }
}

/// The hold timed out: every held offer is declined.
pub fn release_held(state: &mut SchedulerState) -> Vec<Answer> {
    if !state.held.is_empty() {
        state.hold_epoch += 1;
    }
    state
        .held
        .drain(..)
        .map(|o| Answer {
            slot: o.id,
            launches: Vec::new(),
        })
        .collect()
}

/// A slot went away (an offer rescinded): the framework stops holding it.
pub fn forget_slot(state: &mut SchedulerState, id: SlotId) {
    let before = state.held.len();
    state.held.retain(|o| o.id != id);
    if before > 0 && state.held.is_empty() {
        state.hold_epoch += 1;
    }
}

/// A task chosen for a launch that did not happen (its offer went away)
/// goes back to its job's queue, unless the job was abandoned meanwhile.
/// Returns whether it went back.
pub fn requeue(
    model: &Model,
    state: &mut SchedulerState,
    jobs: &mut JobTable,
    job: JobId,
    index: u32,
) -> bool {
    let (spec, js) = jobs.get_mut(model, job);
    if js.given_up() {
        return false;
    }
    let at = js.pending.partition_point(|&i| i < index);
    js.pending.insert(at, index);
    state.queue.insert(js.rank, job);
    state.add_pending(spec.role, &spec.resources, 1);
    true
}

/// Takes the next task to launch: relaunches first, then new tasks.
fn next_task(js: &mut JobState) -> u32 {
    if !js.pending.is_empty() {
        return js.pending.remove(0);
    }
    let i = js.next_index;
    js.next_index += 1;
    i
}

/// Draws a task's run time. Depends only on the seed, the job (or
/// framework, for take-all) and the task's index and attempt, never on the
/// order tasks launch in: policies see the same durations.
pub fn sample_duration(
    d: &TaskDuration,
    family: &StreamFamily,
    key: u64,
    index: u64,
) -> Option<DurationUs> {
    use crate::dist::Dist;
    match *d {
        TaskDuration::Fixed(us) => Some(us),
        TaskDuration::Forever => None,
        TaskDuration::Exp { mean } => {
            let u = family.at(key, index).next_open01();
            let x = -(mean as f64) * libm::log(u);
            Some(x.round().clamp(0.0, u64::MAX as f64 / 2.0) as u64)
        }
        TaskDuration::Uniform { low, high } => {
            let span = high - low;
            if span == u64::MAX {
                return Some(family.at(key, index).next_u64());
            }
            Some(low + family.at(key, index).below(span + 1))
        }
        TaskDuration::LogNormal { mu, sigma } => {
            Some(Dist::LogNormal { mu, sigma }.sample_int(&mut family.at(key, index)))
        }
        TaskDuration::Pareto { scale, shape } => {
            Some(Dist::Pareto { scale, shape }.sample_int(&mut family.at(key, index)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AgentId, PartitionId};

    /// `fits` (which only sizes an answer's launches) is how many takes of
    /// the demand succeed one after another when nothing is reserved, and
    /// 0 with a reservation; the launches' room never changes an answer.
    #[test]
    fn fits_counts_the_takes() {
        let mut rng = crate::sim::rng::Stream::new(11, "fits");
        for _ in 0..5_000 {
            let mut demand = Quantities::ZERO;
            let mut left = ResourceSet::default();
            for i in 0..4 {
                if rng.below(3) > 0 {
                    demand.0[i] = rng.below(7);
                }
                left.unreserved.0[i] = rng.below(40);
            }
            let width = demand.width();
            let mut taking = left.clone();
            let mut takes = 0u64;
            while takes < 100 && taking.take_first(&demand, width).is_some() {
                takes += 1;
            }
            let f = fits(&left, &demand, width);
            assert_eq!(f.min(100), takes, "{demand:?} in {left:?}");
            left.add_reserved(RoleId(1), &demand);
            if !left.reserved.is_empty() {
                assert_eq!(fits(&left, &demand, width), 0);
            }
        }
    }

    /// The jobs of `model` with its first job pending in a framework's
    /// queue, all its tasks still to place.
    fn first_job_pending(model: &Model) -> (JobTable, SchedulerState, JobId) {
        let mut jobs = JobTable::new(model);
        let mut state = SchedulerState::default();
        let j = JobId(0);
        let (spec, js) = jobs.get_mut(model, j);
        js.status = JobStatus::Pending;
        state.queue.insert(js.rank, j);
        state.add_pending(spec.role, &spec.resources, spec.tasks as u64);
        (jobs, state, j)
    }

    /// A first-fit decision answers the same whatever vectors it is given
    /// for its answers' launches: none, empty ones with room, or ones
    /// still holding another answer's launches (emptied first).
    #[test]
    fn first_fit_answers_alike_with_spare_vectors() {
        let text = "\
name: spare
until: 1m
agents:
  - {id: a, count: 5, resources: {cpus: 3, mem: 4096}}
frameworks:
  - id: f
    jobs: [{id: j, submit: 0s, tasks: 13, resources: {cpus: 1, mem: 100}, duration: 10s}]
";
        let model =
            crate::scenario::resolve::load_str(text, "spare.yaml", std::path::Path::new("."))
                .unwrap();
        let decide_with = |mut spare: Vec<Vec<Launch>>| {
            let (mut jobs, mut state, j) = first_job_pending(&model);
            let role = jobs.spec(&model, j).role;
            let slots = (0..5u32).map(|a| Slot {
                id: SlotId(a as u64),
                partition: PartitionId(0),
                agent: AgentId(a),
                role,
                resources: model.agent_group(AgentId(a)).resources.clone(),
                made_at: SimTime::ZERO,
            });
            let d = decide_job_first_fit(
                &model,
                FrameworkId(0),
                &mut state,
                &mut jobs,
                j,
                slots,
                SimTime::ZERO,
                &mut spare,
            );
            (d.answers, d.launched, state.pending_tasks)
        };
        let plain = decide_with(Vec::new());
        let counts: Vec<usize> = plain.0.iter().map(|a| a.launches.len()).collect();
        assert_eq!(counts, vec![3, 3, 3, 3, 1]);
        assert_eq!((plain.1, plain.2), (13, 0));
        let stale = Launch {
            job: Some(JobId(9)),
            index: 99,
            resources: ResourceSet::default(),
        };
        let roomy: Vec<Vec<Launch>> = (0..5).map(|_| Vec::with_capacity(8)).collect();
        let used = vec![vec![stale.clone(); 2], vec![stale; 5], Vec::new()];
        assert_eq!(decide_with(roomy), plain);
        assert_eq!(decide_with(used), plain);
    }

    /// A framework model decides on any slot, not only on a master's offer:
    /// here a snapshot-style slot of another partition, numbered freely.
    #[test]
    fn decides_from_a_slot_that_is_not_an_offer() {
        let text = "\
name: slots
until: 1m
agents: [{id: a, resources: {cpus: 4, mem: 4096}}]
frameworks:
  - id: f
    jobs: [{id: j, submit: 0s, tasks: 3, resources: {cpus: 1, mem: 100}, duration: 10s}]
";
        let model =
            crate::scenario::resolve::load_str(text, "slots.yaml", std::path::Path::new("."))
                .unwrap();
        let (mut jobs, mut state, j) = first_job_pending(&model);
        let spec = jobs.spec(&model, j).clone();
        // The agent has 4 cpus and 4096 mem; the slot is what is left after
        // two of the tasks: 2 cpus, 3896 mem.
        let two_cpus = model
            .agent_group(AgentId(0))
            .resources
            .total()
            .minus(&spec.resources.scaled(2));
        let slot = Slot {
            id: SlotId(7),
            partition: PartitionId(1),
            agent: AgentId(0),
            role: spec.role,
            resources: ResourceSet::unreserved(two_cpus),
            made_at: SimTime::ZERO,
        };
        let d = decide(
            &model,
            FrameworkId(0),
            &mut state,
            &mut jobs,
            &[slot],
            SimTime::ZERO,
        );
        assert_eq!(d.answers.len(), 1);
        assert_eq!(d.answers[0].slot, SlotId(7));
        let indices: Vec<u32> = d.answers[0].launches.iter().map(|l| l.index).collect();
        assert_eq!(indices, vec![0, 1], "two of three 1-cpu tasks fit 2 cpus");
        assert_eq!(d.launched, 2);
        assert_eq!(state.pending_tasks, 1);
    }
}
