//! The engine's arm for the monolithic and shared-state architectures
//! (`arch::`, docs/architectures.md): schedulers that take a snapshot of
//! the free resources, place one job during their decision time, and then
//! commit its tasks' claims. Two-level scheduling (offers) never comes
//! here.
//!
//! Scheduler `s` is the one central scheduler (monolithic, `s` = 0) or
//! framework `s`'s own (shared-state). A scheduler is idle, or busy with
//! one attempt (a `Commit` event is due). When idle it is started
//! (`SchedulerStart`) by anything that may give it work: a job submitted
//! or a task back in a queue, resources freed, an agent, a framework
//! (re)registering. It then picks a job, takes the snapshot and decides at
//! once (the snapshot does not change while it thinks); the claims commit
//! after the decision time. A job that could place nothing is *blocked*
//! until resources are freed, an agent comes, or the scheduler's retry
//! timer (`master.allocation_interval`) fires; a scheduler whose jobs are
//! all blocked sleeps.

use super::*;
use crate::arch::monolithic::{self, Candidate};
use crate::arch::shared_state::{self, Claim, Verdict};
use crate::arch::{Architecture, ConflictMode, SchedulerStats, TxnMode};

/// The schedulers' state.
pub(super) struct Central {
    arch: Architecture,
    scheds: Vec<Sched>,
    /// Jobs that placed nothing since the last wake, with their scheduler.
    blocked: BTreeMap<JobId, usize>,
    txns: BTreeMap<u64, Txn>,
    next_txn: u64,
    /// Per agent: its sequence number (moves at each committed claim and
    /// each registration).
    seq: Vec<u64>,
    pub(super) stats: Vec<SchedulerStats>,
    /// `--check`: a first-fit decision that differed from the decision on
    /// the whole snapshot.
    pub(super) mismatch: Option<String>,
    /// Launch vectors of committed attempts, emptied, for the next
    /// decisions' answers (a first-fit decision takes one per slot it
    /// answers): an allocation and a free per answer saved.
    spare: Vec<Vec<framework::Launch>>,
}

/// At most this many emptied launch vectors are kept, each of room for at
/// most [`SPARE_ROOM`] launches (a rare large one is freed).
const SPARE_VECTORS: usize = 4096;
const SPARE_ROOM: usize = 64;

#[derive(Clone, Debug, Default)]
struct Sched {
    busy: bool,
    /// A `SchedulerStart` is queued.
    started: bool,
    /// A `SchedulerRetry` is queued.
    retry: bool,
}

/// An attempt in flight: one job's claims, made from a snapshot.
#[derive(Clone, Debug)]
struct Txn {
    sched: usize,
    fw: FrameworkId,
    role: RoleId,
    began: SimTime,
    /// The job is a gang job (its claims fall together).
    gang: bool,
    /// The decision's answers that launch tasks, in order, each with its
    /// agent's sequence number in the snapshot. A launch (its task's job
    /// — `None`: a take-all task — index and resources) stays where the
    /// decision put it until the commit, whose claims point at it: no
    /// copy of its resources per task.
    answers: Vec<(u64, framework::Answer)>,
}

impl Txn {
    /// The tasks of the attempt's launches, in order: job and index.
    fn tasks(&self) -> impl Iterator<Item = (Option<JobId>, u32)> + '_ {
        self.answers
            .iter()
            .flat_map(|(_, a)| a.launches.iter().map(|l| (l.job, l.index)))
    }
}

impl Central {
    pub(super) fn new(model: &Model) -> Option<Central> {
        let n = match model.architecture {
            Architecture::TwoLevel => return None,
            Architecture::Monolithic { .. } => 1,
            Architecture::SharedState { .. } => model.frameworks.len(),
        };
        let stats = match model.architecture {
            Architecture::Monolithic { .. } => vec![SchedulerStats {
                name: "central".into(),
                ..SchedulerStats::default()
            }],
            _ => model
                .frameworks
                .iter()
                .map(|f| SchedulerStats {
                    name: f.id.clone(),
                    ..SchedulerStats::default()
                })
                .collect(),
        };
        Some(Central {
            arch: model.architecture,
            scheds: vec![Sched::default(); n],
            blocked: BTreeMap::new(),
            txns: BTreeMap::new(),
            next_txn: 0,
            seq: vec![0; model.agents.len()],
            stats,
            mismatch: None,
            spare: Vec::new(),
        })
    }

    /// Tasks chosen and waiting for their commit (for `--check`).
    pub(super) fn chosen(&self) -> u64 {
        self.txns
            .values()
            .map(|t| t.tasks().filter(|(j, _)| j.is_some()).count() as u64)
            .sum()
    }

    fn sched_of(&self, fw: FrameworkId) -> usize {
        match self.arch {
            Architecture::SharedState { .. } => fw.index(),
            _ => 0,
        }
    }
}

impl<'m> Simulation<'m> {
    fn central(&mut self) -> &mut Central {
        self.central.as_mut().expect("a central architecture")
    }

    /// Something that may let blocked jobs place tasks happened (resources
    /// freed, an agent registered — `agent` then moves its sequence
    /// number — a framework (re)registered): every job is unblocked and
    /// every idle scheduler started.
    pub(super) fn central_wake(&mut self, agent: Option<AgentId>) {
        let c = self.central();
        if let Some(a) = agent {
            c.seq[a.index()] += 1;
        }
        c.blocked.clear();
        for s in 0..c.scheds.len() {
            self.central_start(s);
        }
    }

    /// Framework `fw` has new pending work (a job submitted, a task back).
    pub(super) fn central_work(&mut self, fw: FrameworkId) {
        let s = self.central().sched_of(fw);
        self.central_start(s);
    }

    fn central_start(&mut self, s: usize) {
        let now = self.now;
        let c = self.central();
        let sc = &mut c.scheds[s];
        if !sc.busy && !sc.started {
            sc.started = true;
            self.queue.push(now, Event::SchedulerStart(s as u32));
        }
    }

    /// The scheduler's retry timer fired: its jobs are unblocked.
    pub(super) fn scheduler_retry(&mut self, s: usize) {
        let c = self.central();
        c.scheds[s].retry = false;
        c.blocked.retain(|_, x| *x != s);
        self.central_start(s);
    }

    /// The next job scheduler `s` tries: its frameworks' oldest unblocked
    /// job (shared-state: its framework's; monolithic: by the queue order).
    fn pick(&self, s: usize) -> Option<JobId> {
        let c = self.central.as_ref().expect("central");
        let model = self.model;
        let first_open = |fw: usize| -> Option<(u64, JobId)> {
            let f = FrameworkId(fw as u32);
            if self.fw_removed[fw] || !self.framework_state(f).active {
                return None;
            }
            self.frameworks[fw]
                .queue
                .iter()
                .find(|(_, j)| !c.blocked.contains_key(j))
                .map(|(r, j)| (*r, *j))
        };
        match c.arch {
            Architecture::SharedState { .. } => first_open(s).map(|(_, j)| j),
            Architecture::Monolithic { queue } => {
                let m = &self.masters[0];
                let cands: Vec<Candidate> = (0..model.frameworks.len())
                    .filter_map(|fw| {
                        let (rank, job) = first_open(fw)?;
                        let f = FrameworkId(fw as u32);
                        let weight = m.role(model.frameworks[fw].roles[0]).weight;
                        Some(Candidate {
                            framework: f,
                            share: m.framework_share(f) / weight,
                            rank,
                            job,
                        })
                    })
                    .collect();
                monolithic::pick(queue, &cands)
            }
            Architecture::TwoLevel => None,
        }
    }

    /// Does scheduler `s` have blocked jobs (so that a retry is worth it)?
    fn has_blocked(&self, s: usize) -> bool {
        let c = self.central.as_ref().expect("central");
        c.blocked.values().any(|x| *x == s)
    }

    /// Scheduler `s` starts an attempt: picks a job, takes the snapshot,
    /// decides, and commits after its decision time.
    pub(super) fn scheduler_start(&mut self, seq: u64, s: usize, obs: &mut dyn Observer) {
        let model = self.model;
        {
            let sc = &mut self.central().scheds[s];
            sc.started = false;
            if sc.busy {
                return;
            }
        }
        if !self.failover.allocates(PartitionId(0)) {
            // No leader: the cell state is gone until the election, which
            // wakes every scheduler.
            return;
        }
        let Some(job) = self.pick(s) else {
            if self.has_blocked(s) && !self.central().scheds[s].retry {
                self.central().scheds[s].retry = true;
                let t = self.now.plus(model.master.allocation_interval);
                self.queue.push(t, Event::SchedulerRetry(s as u32));
            }
            return;
        };
        let spec = self.jobs.spec(model, job);
        let (fw, role) = (spec.framework, spec.role);
        let to_place = self.jobs.state(job).pending_count(spec.tasks) as u64;
        let gang = spec.gang;
        let demand = spec.resources;
        // The snapshot: every registered agent's free resources for the
        // role (one slot each, numbered by the agent), and its sequence
        // number.
        let m = &self.masters[0];
        let now = self.now;
        let slot_of = |a: usize| -> Option<Slot> {
            let agent = AgentId(a as u32);
            let st = m.agent(agent);
            // Draining agents (`agent_drain`) take no new tasks.
            if !(st.present && st.active) {
                return None;
            }
            let free = st
                .available
                .allocatable_to(|r| model.role_is_self_or_ancestor(r, role));
            (!free.is_empty()).then_some(Slot {
                id: SlotId(a as u64),
                partition: PartitionId(0),
                agent,
                role,
                resources: free,
                made_at: now,
            })
        };
        let fw_spec = &model.frameworks[fw.index()];
        let d = if framework::decides_first_fit(fw_spec) {
            // First fit: the snapshot is read agent by agent, as far as the
            // decision goes (it does not change while the scheduler
            // decides). An agent on which not even one of the job's tasks
            // fits (all it has, reserved for any role or not, does not hold
            // one task) gives the job nothing; it is passed over unless the
            // miss it would count matters (`abandon_after`).
            let skip_unfit = fw_spec.abandon_after.is_none() && to_place > 0;
            // `--check`: the whole snapshot decided on copies must decide
            // the same (tests/swarm.rs runs every architecture so).
            let full = self.check.then(|| {
                let slots: Vec<Slot> = (0..model.agents.len()).filter_map(slot_of).collect();
                let mut state = self.frameworks[fw.index()].clone();
                let mut jobs = self.jobs.clone();
                let d = framework::decide_job(model, fw, &mut state, &mut jobs, job, &slots, now);
                (d, state, jobs.state(job).clone())
            });
            let slots = (0..model.agents.len())
                .filter(|&a| {
                    !skip_unfit || m.agent(AgentId(a as u32)).available.total_contains(&demand)
                })
                .filter_map(slot_of);
            let spare = &mut self.central.as_mut().expect("central").spare;
            let d = framework::decide_job_first_fit(
                model,
                fw,
                &mut self.frameworks[fw.index()],
                &mut self.jobs,
                job,
                slots,
                now,
                spare,
            );
            if let Some((full_d, full_state, full_js)) = full {
                let mut js = self.jobs.state(job).clone();
                let mut full_js = full_js;
                if skip_unfit {
                    // Agents passed over count no miss.
                    js.misses = 0;
                    full_js.misses = 0;
                }
                let placed = |d: &framework::Decision| -> Vec<framework::Answer> {
                    d.answers
                        .iter()
                        .filter(|a| !a.launches.is_empty())
                        .cloned()
                        .collect()
                };
                let same = placed(&d) == placed(&full_d)
                    && d.launched == full_d.launched
                    && d.abandoned == full_d.abandoned
                    && format!("{js:?}") == format!("{full_js:?}")
                    && format!("{:?}", self.frameworks[fw.index()]) == format!("{full_state:?}");
                if !same {
                    self.central().mismatch.get_or_insert(format!(
                        "job {}: first fit decided otherwise than on the whole snapshot",
                        job.0
                    ));
                }
            }
            d
        } else {
            let slots: Vec<Slot> = (0..model.agents.len()).filter_map(slot_of).collect();
            framework::decide_job(
                model,
                fw,
                &mut self.frameworks[fw.index()],
                &mut self.jobs,
                job,
                &slots,
                now,
            )
        };
        self.note_decided(&d, obs);
        let c = self.central.as_mut().expect("central");
        // The answers that launch, each with its agent's sequence number
        // now (the snapshot's); their launches stay in them (the claims
        // are made at the commit, pointing at them).
        let answers: Vec<(u64, framework::Answer)> = d
            .answers
            .into_iter()
            .filter(|a| !a.launches.is_empty())
            .map(|a| (c.seq[a.slot.0 as usize], a))
            .collect();
        if answers.is_empty() {
            c.blocked.insert(job, s);
        }
        c.stats[s].attempts += 1;
        c.scheds[s].busy = true;
        let id = c.next_txn;
        c.next_txn += 1;
        c.txns.insert(
            id,
            Txn {
                sched: s,
                fw,
                role,
                began: self.now,
                gang,
                answers,
            },
        );
        let think = model.frameworks[fw.index()].decision_time.of_job(to_place);
        self.queue.push(self.now.plus(think), Event::Commit(id));
        self.idle_check(seq, fw, obs);
    }

    /// The leading master, which keeps the cell state, is lost
    /// (docs/architectures.md, "Faults"): every attempt in flight was made
    /// from its state and is void. Its claims go back to their jobs (not
    /// conflicts), and no scheduler starts until the election.
    pub(super) fn central_abandon(&mut self, seq: u64, obs: &mut dyn Observer) {
        let txns = std::mem::take(&mut self.central().txns);
        for (_, txn) in txns {
            self.central().scheds[txn.sched].busy = false;
            for (job, index) in txn.tasks() {
                if let Some(j) = job {
                    self.in_decision -= 1;
                    self.jobs.state_mut(j).deciding -= 1;
                    self.task_lost(txn.fw, j, index, obs);
                }
            }
            self.idle_check(seq, txn.fw, obs);
        }
        self.central().blocked.clear();
    }

    /// An attempt's decision time is over: its claims are judged against
    /// the cell as it is now; those that commit launch, the others go back
    /// to their job. The scheduler goes on with its next job.
    pub(super) fn commit(&mut self, seq: u64, id: u64, obs: &mut dyn Observer) {
        let model = self.model;
        let Some(txn) = self.central().txns.remove(&id) else {
            return;
        };
        let (conflicts, transactions) = match self.central().arch {
            Architecture::SharedState {
                conflicts,
                transactions,
            } => (conflicts, transactions),
            // One scheduler: nothing else claims; only an agent gone (or
            // its resources taken back) makes a claim fail.
            _ => (ConflictMode::ResourceFit, TxnMode::Incremental),
        };
        // One claim per launch, its resources where the decision put them.
        // Sized once: collected from the flattened answers, whose size the
        // iterator does not know, the vector grew a few times an attempt.
        let gang = txn.gang;
        let n: usize = txn.answers.iter().map(|(_, a)| a.launches.len()).sum();
        let mut claims: Vec<Claim<&ResourceSet>> = Vec::with_capacity(n);
        claims.extend(txn.answers.iter().flat_map(|(snap, a)| {
            let agent = AgentId(a.slot.0 as u32);
            a.launches.iter().map(move |l| Claim {
                agent,
                seq: *snap,
                resources: &l.resources,
                gang: l.job.filter(|_| gang),
            })
        }));
        let claims = &claims;
        let verdicts = {
            let cell = CellNow {
                sim: self,
                role: txn.role,
            };
            shared_state::judge(claims, &cell, conflicts, transactions)
        };
        let mut committed = 0u64;
        let mut conflicted = 0u64;
        let any_claims = !claims.is_empty();
        // The claims are read where they are: a committed claim's resources
        // are copied once, into its running task's place.
        for (((job, index), claim), v) in txn.tasks().zip(claims).zip(&verdicts) {
            let agent = claim.agent;
            let ok = *v == Verdict::Committed
                && self.masters[0].add_running(model, txn.fw, txn.role, agent, claim.resources);
            if ok {
                committed += 1;
                self.central().seq[agent.index()] += 1;
                let task = (job, index);
                self.launch_task(seq, txn.fw, txn.role, agent, task, claim.resources, obs);
            } else {
                if *v != Verdict::Committed {
                    conflicted += 1;
                }
                if let Some(j) = job {
                    self.in_decision -= 1;
                    self.jobs.state_mut(j).deciding -= 1;
                    self.task_lost(txn.fw, j, index, obs);
                }
            }
        }
        let now = self.now;
        let c = self.central();
        // The launches' vectors, emptied, for the next decisions.
        for (_, a) in txn.answers {
            let mut v = a.launches;
            if c.spare.len() < SPARE_VECTORS && v.capacity() <= SPARE_ROOM {
                v.clear();
                c.spare.push(v);
            }
        }
        let st = &mut c.stats[txn.sched];
        st.busy_us += now.0 - txn.began.0;
        if any_claims {
            st.transactions += 1;
            st.tasks_committed += committed;
            st.tasks_conflicted += conflicted;
            if verdicts.contains(&Verdict::Conflicted) {
                st.conflicted_transactions += 1;
            }
        }
        c.scheds[txn.sched].busy = false;
        self.central_start(txn.sched);
        self.idle_check(seq, txn.fw, obs);
    }
}

/// The cell at commit time, as the master of the one partition sees it.
struct CellNow<'a, 'm> {
    sim: &'a Simulation<'m>,
    role: RoleId,
}

impl shared_state::Cell for CellNow<'_, '_> {
    fn seq(&self, agent: AgentId) -> u64 {
        self.sim.central.as_ref().expect("central").seq[agent.index()]
    }

    fn free(&self, agent: AgentId) -> Option<ResourceSet> {
        let a = self.sim.masters[0].agent(agent);
        let model = self.sim.model;
        (a.present && a.active).then(|| {
            a.available
                .allocatable_to(|r| model.role_is_self_or_ancestor(r, self.role))
        })
    }

    /// A claim is cut from an agent's free resources: zero past the
    /// scenario's kinds, as every task's resources.
    fn kinds(&self) -> usize {
        self.sim.cluster.kinds()
    }
}
