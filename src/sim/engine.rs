//! The engine: one owner of the clock, the queue, the master, the framework
//! models and the random streams; one event enum; one loop.

use super::observer::{JobView, Observer, Record, RecordKind, TaskRef, View};
use super::queue::{EventQueue, LAST_LANE};
use super::rng::{Stream, StreamFamily};
use super::time::{DurationUs, SimTime};
use crate::cluster::resources::{Quantities, ResourceSet};
use crate::error::{Error, InputError, InvariantError};
use crate::framework::{self, Answer, FrameworkModel, JobState, JobStatus, JobTable, PendingTasks};
use crate::master::{FilterId, Master, OfferId, Trigger, Unavailability};
use crate::scenario::model::{Behavior, EventKind, JobSpec, Model};
use crate::workload::JobSource;
use crate::{AgentId, FrameworkId, JobId, PartitionId, RoleId};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};

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
    OfferReply {
        partition: PartitionId,
        framework: FrameworkId,
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
    TaskEnd(u64),
    /// A decline filter's timer fired; it is removed by the `FilterRemove`
    /// this schedules (two hops, as Mesos's `expire` → `_expire`).
    FilterExpire(PartitionId, FilterId),
    FilterRemove(PartitionId, FilterId),
    InverseFilterExpire(PartitionId, FilterId),
    OfferTimeout(PartitionId, OfferId),
    /// A disconnected framework's scheduler reconnects.
    FrameworkReconnect(FrameworkId),
}

impl Event {
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
        }
    }
}

#[derive(Clone, Debug)]
struct Task {
    task: TaskRef,
    framework: FrameworkId,
    role: RoleId,
    agent: AgentId,
    resources: ResourceSet,
}

/// Counts a run reports.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counters {
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
}

/// Per-framework counts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FrameworkCounters {
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
    pub events: u64,
    /// SHA-256 of the whole record stream, hex.
    pub digest: String,
    pub counters: Counters,
    pub framework_counters: Vec<FrameworkCounters>,
    pub warnings: Vec<String>,
    pub allocation_runs: u64,
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
    frameworks: Vec<FrameworkModel>,
    jobs: JobTable,
    /// Streamed workloads, opened when the run starts.
    sources: Vec<Box<dyn JobSource + 'm>>,
    /// Each stream's next job, due at its queued `StreamSubmit`.
    stream_next: Vec<Option<JobSpec>>,
    /// Answers waiting for their framework's decision time.
    answers: BTreeMap<u64, (FrameworkId, Vec<Answer>)>,
    next_answer: u64,
    /// Per framework: when it is done thinking about earlier offers.
    busy_until: Vec<SimTime>,
    /// Per framework: suppressed by `suppress_when_idle`.
    idle_suppressed: Vec<bool>,
    /// Tasks chosen for launch whose answer has not taken effect yet.
    in_decision: u64,
    tasks: BTreeMap<u64, Task>,
    next_task: u64,
    /// Per partition: its agent-shuffle and random-sorter streams.
    shuffle_rngs: Vec<Stream>,
    sorter_rngs: Vec<Stream>,
    durations: StreamFamily,
    counters: Counters,
    fw_counters: Vec<FrameworkCounters>,
    /// Scenario inputs (registrations, submissions, scripted events) still queued.
    inputs_left: u64,
    pending_total: u64,
    /// Per partition: the next periodic run is armed after this run.
    periodic_waiting: Vec<bool>,
    submit_rank: u64,
    digest: Sha256,
    events: u64,
    last_progress: SimTime,
    stall_limit: DurationUs,
    warnings: Vec<String>,
    explain: bool,
}

impl<'m> Simulation<'m> {
    /// A simulation with one scheduler over every agent.
    pub fn new(model: &'m Model, options: &Options) -> Simulation<'m> {
        let all = vec![PartitionId(0); model.agents.len()];
        Simulation::partitioned(model, options, &all).expect("one partition")
    }

    /// A simulation with one Mesos master per partition: `agent_partition`
    /// gives each agent of the model its partition (0, 1, …, every one
    /// used). Frameworks register with every master and get offers from
    /// each for its own agents. Partition 0 draws from the streams a
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
            frameworks: vec![FrameworkModel::default(); model.frameworks.len()],
            jobs: JobTable::new(model),
            sources: Vec::new(),
            stream_next: Vec::new(),
            answers: BTreeMap::new(),
            next_answer: 0,
            busy_until: vec![SimTime::ZERO; model.frameworks.len()],
            idle_suppressed: vec![false; model.frameworks.len()],
            in_decision: 0,
            tasks: BTreeMap::new(),
            next_task: 0,
            shuffle_rngs: (0..n).map(|p| stream("agent-shuffle", p)).collect(),
            sorter_rngs: (0..n).map(|p| stream("random-sorter", p)).collect(),
            durations: StreamFamily::new(seed, "task-durations"),
            counters: Counters::default(),
            fw_counters: vec![FrameworkCounters::default(); model.frameworks.len()],
            inputs_left: 0,
            pending_total: 0,
            periodic_waiting: vec![false; n as usize],
            submit_rank: 0,
            digest: Sha256::new(),
            events: 0,
            last_progress: SimTime::ZERO,
            stall_limit: longest_filter.saturating_add(interval.saturating_mul(100)),
            warnings: Vec::new(),
            explain: false,
        })
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

    /// An outstanding offer, from whichever master made it.
    fn offer(&self, id: OfferId) -> Option<&crate::master::Offer> {
        self.masters[self.partition_of_id(id.0)].offer(id)
    }

    /// A framework's registration state (the same in every master).
    fn framework_state(&self, fw: FrameworkId) -> &crate::master::FrameworkState {
        self.masters[0].framework(fw)
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Schedules the scenario's own entries in file order (agents,
    /// frameworks, job submissions, each stream's first job, events) after
    /// the periodic timer. Streams get their own lanes, between the listed
    /// jobs and the scripted events, so that a job at time t of a streamed
    /// trace runs exactly where the same job of a listed trace would.
    fn schedule_initial(&mut self) -> Result<(), InputError> {
        let m = self.model;
        for p in 0..self.masters.len() {
            self.queue.push(
                SimTime(m.master.allocation_interval),
                Event::AllocationTick(PartitionId(p as u32)),
            );
            self.periodic_waiting[p] = true;
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
        self.schedule_initial()?;
        let until = self.model.until;
        while let Some(t) = self.queue.peek_time() {
            if until.is_some_and(|u| t > u) {
                break;
            }
            if until.is_none() {
                if self.inputs_left == 0
                    && self.pending_total == 0
                    && self.tasks.is_empty()
                    && self.in_decision == 0
                {
                    break;
                }
                if self.stalled(t) {
                    break;
                }
            }
            if t > self.now {
                obs.advance(&self.view(), self.now, t);
                self.now = t;
            }
            let ev = self.queue.pop().expect("peeked");
            self.events += 1;
            let name = ev.event.name();
            self.dispatch(ev.seq, ev.event, obs)?;
            if self.check {
                if let Err(msg) = self.check_invariants() {
                    return Err(InvariantError {
                        seed: self.seed,
                        time: self.now.to_string(),
                        seq: ev.seq,
                        event: name.to_string(),
                        message: msg,
                    }
                    .into());
                }
            }
        }
        let end = until.unwrap_or(self.now);
        if end > self.now {
            obs.advance(&self.view(), self.now, end);
            self.now = end;
        }
        self.report_open_jobs(obs)?;
        obs.finish(&self.view(), end);
        let digest = self.digest.clone().finalize();
        Ok(Outcome {
            seed: self.seed,
            end,
            events: self.events,
            digest: crate::digest::hex(&digest),
            counters: self.counters,
            framework_counters: self.fw_counters,
            warnings: self.warnings,
            allocation_runs: self.masters.iter().map(|m| m.allocation_runs()).sum(),
        })
    }

    /// Jobs still pending or running at the end, in submission order; then
    /// jobs never submitted: listed ones in scenario order, then each
    /// stream's rest, in stream order (read to the end, not kept).
    fn report_open_jobs(&mut self, obs: &mut dyn Observer) -> Result<(), InputError> {
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
            || !self.tasks.is_empty()
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

    #[allow(clippy::too_many_arguments)]
    fn emit(
        &mut self,
        obs: &mut dyn Observer,
        seq: u64,
        kind: RecordKind,
        framework: Option<FrameworkId>,
        role: Option<RoleId>,
        agent: Option<AgentId>,
        task: Option<TaskRef>,
        resources: Quantities,
    ) {
        let (job_name, used) = match task {
            Some(TaskRef::Job(j, _)) => (self.jobs.name(j), self.jobs.spec(self.model, j).used),
            _ => (None, resources),
        };
        let rec = Record {
            time: self.now,
            seq,
            partition: agent.map_or(PartitionId(0), |a| self.partition_of[a.index()]),
            kind,
            framework,
            role,
            agent,
            task,
            resources,
            job_name,
            used,
        };
        hash_record(&mut self.digest, &rec);
        obs.record(self.model, &rec);
    }

    /// Asks for a run over one agent (its partition's master) or over all
    /// agents (every master).
    fn request_run(&mut self, trigger: Trigger) {
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
        if self.masters[p.index()].request_run(trigger) {
            self.queue.push(self.now, Event::AllocationRun(p));
        }
    }

    fn dispatch(&mut self, seq: u64, ev: Event, obs: &mut dyn Observer) -> Result<(), InputError> {
        let model = self.model;
        match ev {
            Event::AllocationTick(p) => {
                self.periodic_waiting[p.index()] = true;
                self.request_run_on(p, Trigger::AllAgents);
            }
            Event::AllocationRun(p) => self.allocation_run(seq, p, obs),
            Event::AgentAdd(a) => {
                self.inputs_left -= 1;
                self.add_agent(seq, a, obs);
            }
            Event::FrameworkRegister(f) => {
                self.inputs_left -= 1;
                self.last_progress = self.now;
                for m in self.masters.iter_mut() {
                    m.add_framework(model, f);
                }
                let role = model.frameworks[f.index()].roles[0];
                self.emit(
                    obs,
                    seq,
                    RecordKind::FrameworkRegistered,
                    Some(f),
                    Some(role),
                    None,
                    None,
                    Quantities::ZERO,
                );
                self.request_run(Trigger::AllAgents);
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
                        ));
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
                partition: _,
                framework,
                offers,
            } => self.offer_reply(seq, framework, &offers, obs),
            Event::Answer(id) => {
                if let Some((fw, answers)) = self.answers.remove(&id) {
                    self.apply_answers(seq, fw, answers, obs);
                    self.idle_check(seq, fw, obs);
                }
            }
            Event::HoldTimeout { framework, epoch } => {
                let fm = &mut self.frameworks[framework.index()];
                if fm.hold_epoch == epoch && !fm.held.is_empty() {
                    let answers = framework::release_held(fm);
                    self.apply_answers(seq, framework, answers, obs);
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
            Event::FilterExpire(p, id) => {
                self.queue.push(self.now, Event::FilterRemove(p, id));
            }
            Event::FilterRemove(p, id) => self.masters[p.index()].expire_filter(id),
            Event::InverseFilterExpire(p, id) => self.masters[p.index()].expire_inverse_filter(id),
            Event::FrameworkReconnect(f) => {
                self.inputs_left -= 1;
                self.last_progress = self.now;
                for m in self.masters.iter_mut() {
                    m.activate_framework(f);
                }
                self.emit(
                    obs,
                    seq,
                    RecordKind::FrameworkReconnected,
                    Some(f),
                    None,
                    None,
                    None,
                    Quantities::ZERO,
                );
                self.request_run(Trigger::AllAgents);
                self.idle_check(seq, f, obs);
            }
            Event::OfferTimeout(p, id) => {
                if let Some(o) = self.masters[p.index()].rescind(model, id) {
                    self.counters.offers_rescinded += 1;
                    self.fw_counters[o.framework.index()].offers_rescinded += 1;
                    self.emit(
                        obs,
                        seq,
                        RecordKind::Rescind,
                        Some(o.framework),
                        Some(o.role),
                        Some(o.agent),
                        None,
                        o.resources.total(),
                    );
                    framework::forget_offer(&mut self.frameworks[o.framework.index()], id);
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
        if idle && !suppressed {
            self.idle_suppressed[fw.index()] = true;
            for m in self.masters.iter_mut() {
                m.suppress(fw, &[]);
            }
            self.emit(
                obs,
                seq,
                RecordKind::Suppress,
                Some(fw),
                None,
                None,
                None,
                Quantities::ZERO,
            );
        } else if !idle && suppressed {
            self.idle_suppressed[fw.index()] = false;
            for m in self.masters.iter_mut() {
                m.revive(fw, &[]);
            }
            self.emit(
                obs,
                seq,
                RecordKind::Revive,
                Some(fw),
                None,
                None,
                None,
                Quantities::ZERO,
            );
            self.request_run(Trigger::AllAgents);
        }
    }

    fn add_agent(&mut self, seq: u64, a: AgentId, obs: &mut dyn Observer) {
        if self.master_of_ref(a).agent_present(a) {
            return;
        }
        self.last_progress = self.now;
        let model = self.model;
        self.master_of(a).add_agent(model, a);
        let res = self.master_of_ref(a).agent(a).total.total();
        self.emit(
            obs,
            seq,
            RecordKind::AgentAdded,
            None,
            None,
            Some(a),
            None,
            res,
        );
        self.request_run(Trigger::Agent(a));
    }

    fn submit_job(&mut self, seq: u64, j: JobId, obs: &mut dyn Observer) {
        let (spec, js) = self.jobs.get_mut(self.model, j);
        js.status = JobStatus::Pending;
        js.submitted_at = Some(self.now);
        js.wait_since = self.now;
        js.rank = self.submit_rank;
        self.submit_rank += 1;
        let (fw, tasks) = (spec.framework, spec.tasks as u64);
        let fm = &mut self.frameworks[fw.index()];
        fm.queue.insert(js.rank, j);
        fm.add_pending(spec.role, &spec.resources, tasks);
        self.pending_total += tasks;
        self.counters.tasks_submitted += tasks;
        self.counters.jobs_submitted += 1;
        self.idle_check(seq, fw, obs);
    }

    /// Reports a job that ended (finished, or abandoned with nothing left
    /// running) and forgets it if it was streamed.
    fn job_done(&mut self, j: JobId, obs: &mut dyn Observer) {
        let model = self.model;
        obs.job_ended(
            model,
            &JobView {
                id: Some(j),
                spec: self.jobs.spec(model, j),
                state: self.jobs.state(j),
            },
        );
        self.jobs.release(j);
    }

    fn allocation_run(&mut self, seq: u64, partition: PartitionId, obs: &mut dyn Observer) {
        let model = self.model;
        let p = partition.index();
        let out = self.masters[p].run_allocation(
            model,
            self.now,
            &mut self.shuffle_rngs[p],
            &mut self.sorter_rngs[p],
            self.explain,
        );
        if self.periodic_waiting[p] {
            // The next periodic run is armed once this one is done.
            self.periodic_waiting[p] = false;
            self.queue.push(
                self.now.plus(model.master.allocation_interval),
                Event::AllocationTick(partition),
            );
        }
        for row in &out.explain {
            obs.explain(model, self.now, seq, row);
        }
        // One reply per framework for this run's offers (Mesos sends them in
        // one message); `hold` frameworks never reply.
        let answers = |fw: FrameworkId| model.frameworks[fw.index()].behavior != Behavior::Hold;
        let mut replies: Vec<(FrameworkId, Vec<OfferId>)> = Vec::new();
        for &id in &out.offers {
            let o = self.masters[p].offer(id).expect("new offer").clone();
            self.counters.offers_made += 1;
            self.fw_counters[o.framework.index()].offers_received += 1;
            self.emit(
                obs,
                seq,
                RecordKind::Offer,
                Some(o.framework),
                Some(o.role),
                Some(o.agent),
                None,
                o.resources.total(),
            );
            if let Some(t) = model.master.offer_timeout {
                self.queue
                    .push(self.now.plus(t), Event::OfferTimeout(partition, id));
            }
            match replies.last_mut() {
                Some((fw, ids)) if *fw == o.framework => ids.push(id),
                _ => replies.push((o.framework, vec![id])),
            }
        }
        for (framework, offers) in replies {
            if answers(framework) {
                self.queue.push(
                    self.now,
                    Event::OfferReply {
                        partition,
                        framework,
                        offers,
                    },
                );
            }
        }
        for inv in out.inverse_offers {
            self.counters.inverse_offers += 1;
            self.emit(
                obs,
                seq,
                RecordKind::InverseOffer,
                Some(inv.framework),
                None,
                Some(inv.agent),
                None,
                Quantities::ZERO,
            );
            if answers(inv.framework) {
                let (framework, agent) = (inv.framework, inv.agent);
                self.queue.push(
                    self.now,
                    Event::InverseReply {
                        partition,
                        framework,
                        agent,
                    },
                );
            }
        }
    }

    /// A framework receives a batch of offers: it decides now; the answers
    /// take effect now, or each after its decision time (the offer stays
    /// held meanwhile; the framework decides one offer at a time).
    fn offer_reply(
        &mut self,
        seq: u64,
        fw: FrameworkId,
        offers: &[OfferId],
        obs: &mut dyn Observer,
    ) {
        let model = self.model;
        // Rescinded meanwhile: nothing to answer.
        let offers: Vec<crate::master::Offer> = offers
            .iter()
            .filter_map(|id| self.offer(*id).cloned())
            .collect();
        if offers.is_empty() {
            return;
        }
        let spec = &model.frameworks[fw.index()];
        let d = framework::decide(
            model,
            fw,
            &mut self.frameworks[fw.index()],
            &mut self.jobs,
            &offers,
            self.now,
        );
        if spec.behavior == Behavior::Batch {
            self.pending_total -= d.launched;
            self.in_decision += d.launched;
            for a in &d.answers {
                for l in &a.launches {
                    if let Some(j) = l.job {
                        self.jobs.state_mut(j).deciding += 1;
                    }
                }
            }
        }
        for &(j, withdrawn) in &d.abandoned {
            self.pending_total -= withdrawn as u64;
            self.counters.jobs_abandoned += 1;
            if self.jobs.state(j).abandoned_and_idle() {
                self.job_done(j, obs);
            }
        }
        if d.hold_started {
            let timeout = spec.gang_hold_timeout.expect("holding needs a timeout");
            self.queue.push(
                self.now.plus(timeout),
                Event::HoldTimeout {
                    framework: fw,
                    epoch: self.frameworks[fw.index()].hold_epoch,
                },
            );
        }
        let dt = spec.decision_time;
        if dt.is_zero() {
            self.apply_answers(seq, fw, d.answers, obs);
        } else {
            // One scheduler thread: offers are decided one after another,
            // each taking per_offer (when it is new) + per_task × its tasks,
            // and each is answered as soon as its own decision is done.
            // A gang job placed across several offers is answered as one,
            // when the last of those offers is decided, so that it never
            // starts in part.
            let new: BTreeSet<OfferId> = offers.iter().map(|o| o.id).collect();
            let mut at = self.now.max(self.busy_until[fw.index()]);
            let answered = d.answers.len();
            let mut group: Vec<usize> = (0..answered).collect();
            let mut gang_at: BTreeMap<JobId, usize> = BTreeMap::new();
            let mut done = Vec::with_capacity(answered);
            for (i, a) in d.answers.iter().enumerate() {
                let first = u64::from(new.contains(&a.offer));
                at = at.plus(dt.of(first, a.launches.len() as u64));
                done.push(at);
                for j in a.launches.iter().filter_map(|l| l.job) {
                    if self.jobs.spec(model, j).gang {
                        let g = *gang_at.entry(j).or_insert(group[i]);
                        let old = group[i];
                        for x in group.iter_mut() {
                            if *x == old {
                                *x = g;
                            }
                        }
                    }
                }
            }
            let mut groups: BTreeMap<usize, (SimTime, Vec<Answer>)> = BTreeMap::new();
            for (i, a) in d.answers.into_iter().enumerate() {
                let e = groups.entry(group[i]).or_insert((done[i], Vec::new()));
                e.0 = e.0.max(done[i]);
                e.1.push(a);
            }
            for (_, (t, answers)) in groups {
                let id = self.next_answer;
                self.next_answer += 1;
                self.answers.insert(id, (fw, answers));
                self.queue.push(t, Event::Answer(id));
            }
            // Offers it keeps (gang holds) were looked at too.
            let kept = (offers.len() as u64).saturating_sub(answered as u64);
            self.busy_until[fw.index()] = at.plus(dt.of(kept, 0));
        }
        self.idle_check(seq, fw, obs);
    }

    /// Applies a framework's answers in order: declines, or accepts with
    /// launches. Launches on offers that went away (rescinded during the
    /// decision time) go back to their jobs; a gang job then loses all its
    /// launches, so that it never starts in part.
    fn apply_answers(
        &mut self,
        seq: u64,
        fw: FrameworkId,
        mut answers: Vec<Answer>,
        obs: &mut dyn Observer,
    ) {
        let model = self.model;
        let refuse = model.frameworks[fw.index()].refuse;
        let gone: BTreeSet<OfferId> = answers
            .iter()
            .filter(|a| self.offer(a.offer).is_none())
            .map(|a| a.offer)
            .collect();
        if !gone.is_empty() {
            let broken: BTreeSet<JobId> = answers
                .iter()
                .filter(|a| gone.contains(&a.offer))
                .flat_map(|a| a.launches.iter().filter_map(|l| l.job))
                .filter(|j| self.jobs.spec(model, *j).gang)
                .collect();
            for a in answers.iter_mut() {
                let is_gone = gone.contains(&a.offer);
                let (back, keep): (Vec<_>, Vec<_>) = std::mem::take(&mut a.launches)
                    .into_iter()
                    .partition(|l| is_gone || l.job.is_some_and(|j| broken.contains(&j)));
                a.launches = keep;
                for l in back {
                    if let Some(j) = l.job {
                        self.in_decision -= 1;
                        self.jobs.state_mut(j).deciding -= 1;
                        self.task_lost(fw, j, l.index, obs);
                    }
                }
            }
        }
        for a in answers {
            let Some((role, agent, offered)) = self
                .offer(a.offer)
                .map(|o| (o.role, o.agent, o.resources.total()))
            else {
                continue;
            };
            let id = a.offer;
            let p = self.partition_of_id(id.0);
            let launches = a.launches;
            let filter = if launches.is_empty() {
                self.counters.offers_declined += 1;
                self.fw_counters[fw.index()].offers_declined += 1;
                self.emit(
                    obs,
                    seq,
                    RecordKind::Decline,
                    Some(fw),
                    Some(role),
                    Some(agent),
                    None,
                    offered,
                );
                self.masters[p].decline(model, id, refuse, self.now)
            } else {
                let used: Vec<ResourceSet> = launches.iter().map(|l| l.resources.clone()).collect();
                let mut used_total = Quantities::ZERO;
                for u in &used {
                    used_total.add(&u.total());
                }
                self.counters.offers_accepted += 1;
                self.fw_counters[fw.index()].offers_accepted += 1;
                self.emit(
                    obs,
                    seq,
                    RecordKind::Accept,
                    Some(fw),
                    Some(role),
                    Some(agent),
                    None,
                    used_total,
                );
                let offer = self.offer(id).cloned().expect("answered offer present");
                let filter = self.masters[p].accept(model, id, &used, refuse, self.now);
                obs.offer_launched(model, &offer, self.now);
                for l in launches {
                    self.launch(seq, fw, role, agent, l, obs);
                }
                filter
            };
            if let Some(f) = filter {
                self.queue
                    .push(f.expires, Event::FilterExpire(PartitionId(p as u32), f.id));
            }
        }
    }

    fn launch(
        &mut self,
        seq: u64,
        fw: FrameworkId,
        role: RoleId,
        agent: AgentId,
        l: framework::Launch,
        obs: &mut dyn Observer,
    ) {
        let model = self.model;
        self.last_progress = self.now;
        let (task, duration) = match l.job {
            Some(j) => {
                let (spec, js) = self.jobs.get_mut(model, j);
                js.running += 1;
                js.deciding -= 1;
                if js.first_start.is_none() {
                    js.first_start = Some(self.now);
                }
                if js.status != JobStatus::Abandoned {
                    js.status = JobStatus::Running;
                }
                self.in_decision -= 1;
                let attempt = 0u64;
                let d = framework::sample_duration(
                    &spec.duration,
                    &self.durations,
                    j.0 as u64,
                    ((l.index as u64) << 8) | attempt,
                );
                (TaskRef::Job(j, l.index), d)
            }
            None => {
                let spec = &model.frameworks[fw.index()];
                let d = framework::sample_duration(
                    &spec.task_duration,
                    &self.durations,
                    u64::MAX - fw.0 as u64,
                    l.index as u64,
                );
                self.counters.tasks_submitted += 1;
                (TaskRef::TakeAll(fw, l.index), d)
            }
        };
        let uid = self.next_task;
        self.next_task += 1;
        self.counters.tasks_launched += 1;
        self.fw_counters[fw.index()].tasks_launched += 1;
        self.emit(
            obs,
            seq,
            RecordKind::Launch,
            Some(fw),
            Some(role),
            Some(agent),
            Some(task),
            l.resources.total(),
        );
        self.tasks.insert(
            uid,
            Task {
                task,
                framework: fw,
                role,
                agent,
                resources: l.resources,
            },
        );
        if let Some(d) = duration {
            self.queue.push(self.now.plus(d), Event::TaskEnd(uid));
        }
    }

    fn task_end(&mut self, seq: u64, uid: u64, obs: &mut dyn Observer) {
        let model = self.model;
        // Killed earlier (agent removed): nothing to do.
        let Some(t) = self.tasks.remove(&uid) else {
            return;
        };
        self.last_progress = self.now;
        self.master_of(t.agent)
            .release(model, t.framework, t.role, t.agent, &t.resources);
        self.counters.tasks_finished += 1;
        self.fw_counters[t.framework.index()].tasks_finished += 1;
        self.emit(
            obs,
            seq,
            RecordKind::Finish,
            Some(t.framework),
            Some(t.role),
            Some(t.agent),
            Some(t.task),
            t.resources.total(),
        );
        if let TaskRef::Job(j, _) = t.task {
            let (spec, js) = self.jobs.get_mut(model, j);
            js.running -= 1;
            js.finished += 1;
            if js.status == JobStatus::Abandoned {
                if js.abandoned_and_idle() {
                    self.job_done(j, obs);
                }
            } else if js.finished == spec.tasks {
                js.status = JobStatus::Finished;
                js.finished_at = Some(self.now);
                self.counters.jobs_completed += 1;
                self.job_done(j, obs);
            }
        }
    }

    /// Kills every task on an agent; their jobs get them back through the
    /// lost-task path ([`Simulation::task_lost`]).
    fn kill_tasks_on(&mut self, seq: u64, agent: AgentId, obs: &mut dyn Observer) {
        let model = self.model;
        let uids: Vec<u64> = self
            .tasks
            .iter()
            .filter(|(_, t)| t.agent == agent)
            .map(|(u, _)| *u)
            .collect();
        for uid in uids {
            let t = self.tasks.remove(&uid).expect("task present");
            self.master_of(t.agent)
                .release(model, t.framework, t.role, t.agent, &t.resources);
            self.counters.tasks_killed += 1;
            self.emit(
                obs,
                seq,
                RecordKind::Kill,
                Some(t.framework),
                Some(t.role),
                Some(t.agent),
                Some(t.task),
                t.resources.total(),
            );
            if let TaskRef::Job(j, index) = t.task {
                self.jobs.state_mut(j).running -= 1;
                if self.task_lost(t.framework, j, index, obs) {
                    self.idle_check(seq, t.framework, obs);
                }
            }
        }
    }

    /// The one lost-task path: a task of job `j` that will not run (its
    /// agent went away, or its offer did before the launch took effect)
    /// goes back to its job's pending tasks, in index order, unless the job
    /// was abandoned (then the job ends if nothing of it is left running).
    /// The caller has already taken the task off `running` or `deciding`.
    /// Returns whether it was queued again.
    fn task_lost(&mut self, fw: FrameworkId, j: JobId, index: u32, obs: &mut dyn Observer) -> bool {
        let fm = &mut self.frameworks[fw.index()];
        if framework::requeue(self.model, fm, &mut self.jobs, j, index) {
            self.pending_total += 1;
            true
        } else {
            if self.jobs.state(j).abandoned_and_idle() {
                self.job_done(j, obs);
            }
            false
        }
    }

    fn rescind_on(&mut self, seq: u64, agent: AgentId, obs: &mut dyn Observer) {
        let ids = self.master_of_ref(agent).offers_on(agent);
        self.rescind_all(seq, ids, obs);
    }

    /// Rescinds offers (no filter) and tells their frameworks.
    fn rescind_all(&mut self, seq: u64, ids: Vec<OfferId>, obs: &mut dyn Observer) {
        for id in ids {
            let p = self.partition_of_id(id.0);
            if let Some(o) = self.masters[p].rescind(self.model, id) {
                self.counters.offers_rescinded += 1;
                self.fw_counters[o.framework.index()].offers_rescinded += 1;
                self.emit(
                    obs,
                    seq,
                    RecordKind::Rescind,
                    Some(o.framework),
                    Some(o.role),
                    Some(o.agent),
                    None,
                    o.resources.total(),
                );
                framework::forget_offer(&mut self.frameworks[o.framework.index()], id);
                self.idle_check(seq, o.framework, obs);
            }
        }
    }

    fn scripted(&mut self, seq: u64, i: usize, obs: &mut dyn Observer) {
        let model = self.model;
        match &model.events[i].kind {
            EventKind::AgentAdd(a) => self.add_agent(seq, *a, obs),
            EventKind::AgentRemove(a) => {
                let a = *a;
                if !self.master_of_ref(a).agent_present(a) {
                    self.warnings.push(format!(
                        "event {} at {} s removes agent {}, which is not registered then; ignored",
                        i,
                        self.now,
                        model.agent_name(a)
                    ));
                    return;
                }
                self.kill_tasks_on(seq, a, obs);
                self.rescind_on(seq, a, obs);
                let total = self.master_of_ref(a).agent(a).total.total();
                let left = self.master_of(a).remove_agent(model, a);
                debug_assert!(left.is_empty());
                self.emit(
                    obs,
                    seq,
                    RecordKind::AgentRemoved,
                    None,
                    None,
                    Some(a),
                    None,
                    total,
                );
            }
            EventKind::SetWeight { role, weight } => {
                for m in self.masters.iter_mut() {
                    m.set_weight(*role, *weight);
                }
                self.emit(
                    obs,
                    seq,
                    RecordKind::SetWeight,
                    None,
                    Some(*role),
                    None,
                    None,
                    Quantities::ZERO,
                );
            }
            EventKind::Suppress { framework, roles } => {
                for m in self.masters.iter_mut() {
                    m.suppress(*framework, roles);
                }
                let role = if roles.len() == 1 {
                    Some(roles[0])
                } else {
                    None
                };
                self.emit(
                    obs,
                    seq,
                    RecordKind::Suppress,
                    Some(*framework),
                    role,
                    None,
                    None,
                    Quantities::ZERO,
                );
            }
            EventKind::Revive { framework, roles } => {
                for m in self.masters.iter_mut() {
                    m.revive(*framework, roles);
                }
                let role = if roles.len() == 1 {
                    Some(roles[0])
                } else {
                    None
                };
                self.emit(
                    obs,
                    seq,
                    RecordKind::Revive,
                    Some(*framework),
                    role,
                    None,
                    None,
                    Quantities::ZERO,
                );
                self.request_run(Trigger::AllAgents);
            }
            EventKind::FrameworkDisconnect {
                framework,
                duration,
            } => {
                let f = *framework;
                let fs = self.framework_state(f);
                if !fs.registered || !fs.active {
                    self.warnings.push(format!(
                        "event {} at {} s disconnects framework {}, which is not {} then; ignored",
                        i,
                        self.now,
                        model.frameworks[f.index()].id,
                        if fs.registered {
                            "connected"
                        } else {
                            "registered"
                        }
                    ));
                    return;
                }
                // Mesos `Master::deactivate`: the allocator stops offering,
                // then the framework's offers are rescinded.
                for m in self.masters.iter_mut() {
                    m.deactivate_framework(f);
                }
                self.emit(
                    obs,
                    seq,
                    RecordKind::FrameworkDisconnected,
                    Some(f),
                    None,
                    None,
                    None,
                    Quantities::ZERO,
                );
                let ids: Vec<OfferId> = self.masters.iter().flat_map(|m| m.offers_of(f)).collect();
                self.rescind_all(seq, ids, obs);
                self.inputs_left += 1;
                self.queue
                    .push(self.now.plus(*duration), Event::FrameworkReconnect(f));
            }
            EventKind::SetQuota { role, quota } => {
                for m in self.masters.iter_mut() {
                    m.set_quota(*role, quota.clone());
                }
                self.emit(
                    obs,
                    seq,
                    RecordKind::SetQuota,
                    None,
                    Some(*role),
                    None,
                    None,
                    quota.guarantee,
                );
            }
            EventKind::Reserve {
                agent,
                role,
                resources,
            }
            | EventKind::Unreserve {
                agent,
                role,
                resources,
            } => {
                let reserve = matches!(model.events[i].kind, EventKind::Reserve { .. });
                let (agent, role, q) = (*agent, *role, *resources);
                let apply = |m: &mut Master| {
                    if reserve {
                        m.reserve(model, agent, role, &q)
                    } else {
                        m.unreserve(model, agent, role, &q)
                    }
                };
                let mut ok = apply(self.master_of(agent));
                if !ok
                    && self
                        .master_of_ref(agent)
                        .frees_with_rescinds(agent, !reserve, role, &q)
                {
                    // As the operator endpoints do: rescind offers to free them.
                    self.rescind_on(seq, agent, obs);
                    ok = apply(self.master_of(agent));
                }
                let kind = match (ok, reserve) {
                    (true, true) => RecordKind::Reserve,
                    (true, false) => RecordKind::Unreserve,
                    (false, _) => {
                        self.warnings.push(format!(
                            "event {} at {} s: cannot {} {} on agent {} for role {}: not free",
                            i,
                            self.now,
                            if reserve { "reserve" } else { "unreserve" },
                            crate::cluster::resources::format_quantities(&q, &model.resources),
                            model.agent_name(agent),
                            model.role_name(role)
                        ));
                        RecordKind::ReserveFailed
                    }
                };
                self.emit(obs, seq, kind, None, Some(role), Some(agent), None, q);
            }
            EventKind::Maintenance {
                agents,
                start,
                duration,
            } => {
                for &a in agents {
                    if !self.master_of_ref(a).agent_present(a) {
                        continue;
                    }
                    let u = Unavailability {
                        start: self.now.plus(*start),
                        duration: *duration,
                    };
                    self.master_of(a).set_unavailability(a, u);
                    self.emit(
                        obs,
                        seq,
                        RecordKind::Maintenance,
                        None,
                        None,
                        Some(a),
                        None,
                        Quantities::ZERO,
                    );
                    self.request_run(Trigger::Agent(a));
                }
            }
            EventKind::Whitelist { agents } => {
                for m in &mut self.masters {
                    m.set_whitelist(agents.as_deref());
                }
                let listed: Vec<Option<AgentId>> = match agents {
                    Some(list) => list.iter().map(|a| Some(*a)).collect(),
                    None => vec![None],
                };
                for a in listed {
                    self.emit(
                        obs,
                        seq,
                        RecordKind::Whitelist,
                        None,
                        None,
                        a,
                        None,
                        Quantities::ZERO,
                    );
                }
            }
        }
    }

    fn check_invariants(&self) -> Result<(), String> {
        for (p, m) in self.masters.iter().enumerate() {
            m.check_invariants(self.model)?;
            // A master offers only its own partition's agents, and an agent
            // is registered with its own partition's master only.
            for o in m.offers() {
                if self.partition_of[o.agent.index()].index() != p {
                    return Err(format!(
                        "partition {p} offers agent {} of partition {}",
                        self.model.agent_name(o.agent),
                        self.partition_of[o.agent.index()].0
                    ));
                }
            }
            for (a, part) in self.partition_of.iter().enumerate() {
                if part.index() != p && m.agent_present(AgentId(a as u32)) {
                    return Err(format!(
                        "partition {p} knows agent {} of partition {}",
                        self.model.agent_name(AgentId(a as u32)),
                        part.0
                    ));
                }
            }
        }
        let pending: u64 = self.frameworks.iter().map(|f| f.pending_tasks).sum();
        if pending != self.pending_total {
            return Err("pending task counts do not add up".into());
        }
        let running: u64 = self.jobs.states().map(|j| j.running as u64).sum();
        let chosen: u64 = self
            .answers
            .values()
            .flat_map(|(_, a)| a.iter())
            .map(|a| a.launches.iter().filter(|l| l.job.is_some()).count() as u64)
            .sum();
        if chosen != self.in_decision {
            return Err(format!(
                "{} tasks are waiting for a decision but the count says {}",
                chosen, self.in_decision
            ));
        }
        let deciding: u64 = self.jobs.states().map(|j| j.deciding as u64).sum();
        if deciding != self.in_decision {
            return Err("jobs' tasks waiting for a decision do not add up".into());
        }
        for (i, fm) in self.frameworks.iter().enumerate() {
            let mut recount: BTreeMap<RoleId, PendingTasks> = BTreeMap::new();
            for &j in fm.queue.values() {
                let spec = self.jobs.spec(self.model, j);
                let n = self.jobs.state(j).pending_count(spec.tasks) as u64;
                if n > 0 {
                    let p = recount.entry(spec.role).or_default();
                    p.tasks += n;
                    p.total.add(&spec.resources.scaled(n));
                    *p.shapes.entry(spec.resources).or_insert(0) += n;
                }
            }
            let counted: u64 = recount.values().map(|p| p.tasks).sum();
            if recount != fm.pending || counted != fm.pending_tasks {
                return Err(format!(
                    "framework {}: pending tasks per role do not match its queue",
                    self.model.frameworks[i].id
                ));
            }
            for o in &fm.held {
                if self.offer(o.id).is_none() {
                    return Err(format!(
                        "framework {} holds offer {} which is gone",
                        self.model.frameworks[i].id, o.id.0
                    ));
                }
            }
        }
        let job_tasks = self
            .tasks
            .values()
            .filter(|t| matches!(t.task, TaskRef::Job(..)))
            .count() as u64;
        if running != job_tasks {
            return Err("running task counts do not add up".into());
        }
        for t in self.tasks.values() {
            if !self.master_of_ref(t.agent).agent(t.agent).present {
                return Err(format!(
                    "a task runs on absent agent {}",
                    self.model.agent_name(t.agent)
                ));
            }
        }
        Ok(())
    }
}

/// Feeds one record into the run's digest in a fixed binary form.
fn hash_record(h: &mut Sha256, r: &Record) {
    h.update(r.time.0.to_le_bytes());
    h.update(r.seq.to_le_bytes());
    h.update([r.kind as u8]);
    let opt = |v: Option<u32>| v.unwrap_or(u32::MAX).to_le_bytes();
    h.update(opt(r.framework.map(|f| f.0)));
    h.update(opt(r.role.map(|x| x.0)));
    h.update(opt(r.agent.map(|x| x.0)));
    match r.task {
        None => h.update([0u8]),
        Some(TaskRef::Job(j, i)) => {
            h.update([1u8]);
            h.update(j.0.to_le_bytes());
            h.update(i.to_le_bytes());
        }
        Some(TaskRef::TakeAll(f, i)) => {
            h.update([2u8]);
            h.update(f.0.to_le_bytes());
            h.update(i.to_le_bytes());
        }
    }
    for (res, v) in r.resources.nonzero() {
        h.update([res.0]);
        h.update(v.to_le_bytes());
    }
    h.update([0xff]);
}
