//! Agent faults: failure (the truth changes at once), detection (the
//! master marks the agent unreachable `agent_ping_timeout ×
//! max_agent_ping_timeouts` later) and recovery; random faults drawn from
//! their own stream. docs/faults.md has the rules and their Mesos sources.

use super::*;
use crate::scenario::model::OnLost;

/// What an agent's master does not know yet, or no longer has.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Health {
    /// Up (or never registered, or removed): truth and belief agree.
    #[default]
    Normal,
    /// Failed, not yet noticed: down in the truth, registered with its
    /// master, which still counts the tasks that died with it (`dead`,
    /// including launches made onto it since).
    Failed {
        since: SimTime,
        dead: Vec<RunningTask>,
    },
    /// Marked unreachable: down and gone from its master until it recovers.
    Unreachable,
}

impl<'m> Simulation<'m> {
    /// Fails an agent: its tasks die now (their master does not know), it
    /// goes down in the truth, and its master notices after the ping
    /// timeouts. Returns false (nothing done) if it is not up.
    pub(super) fn fail_agent(&mut self, seq: u64, a: AgentId, obs: &mut dyn Observer) -> bool {
        if !self.cluster.agent(a).up {
            return false;
        }
        if self.fail_moving(a) {
            // No master has it: nothing to detect, no task to lose.
            let total = self.cluster.agent(a).total;
            self.cluster.agent_down(a);
            self.agent_epoch[a.index()] += 1;
            self.health[a.index()] = Health::Unreachable;
            self.counters.agent_failures += 1;
            self.emit(
                obs,
                seq,
                RecordKind::AgentFailed,
                About::default().agent(a).resources(total),
            );
            return true;
        }
        let total = self.cluster.agent(a).total;
        let mut dead = Vec::new();
        for uid in self.cluster.tasks_on(a) {
            let t = self.cluster.end(uid).expect("task present");
            self.counters.lost_task_us += self.now.0 - t.started.0;
            dead.push(t);
        }
        self.cluster.agent_down(a);
        self.agent_epoch[a.index()] += 1;
        self.failover.draining[a.index()] = false;
        self.health[a.index()] = Health::Failed {
            since: self.now,
            dead,
        };
        self.counters.agent_failures += 1;
        self.emit(
            obs,
            seq,
            RecordKind::AgentFailed,
            About::default().agent(a).resources(total),
        );
        let epoch = self.agent_epoch[a.index()];
        self.inputs_left += 1;
        self.queue.push(
            self.now.plus(self.model.master.detection_delay()),
            Event::AgentUnreachable { agent: a, epoch },
        );
        true
    }

    /// The master marks a failed agent unreachable (Mesos
    /// `_markUnreachable` → `__removeSlave`): the allocator forgets it,
    /// its tasks become `lost` (batch frameworks queue them again or fail
    /// their jobs, `on_lost`), its offers are rescinded.
    pub(super) fn mark_unreachable(&mut self, seq: u64, a: AgentId, obs: &mut dyn Observer) {
        let Health::Failed { dead, .. } =
            std::mem::replace(&mut self.health[a.index()], Health::Unreachable)
        else {
            return;
        };
        for t in dead {
            self.task_lost_with_agent(seq, t, obs);
        }
        self.rescind_on(seq, a, obs);
        let model = self.model;
        let total = if self.forget_awaiting(a) {
            // Its master failed over since and it never re-registered.
            model.agent_group(a).resources.total()
        } else {
            let total = self.master_of_ref(a).agent(a).total.total();
            let left = self.master_of(a).remove_agent(model, a);
            debug_assert!(left.is_empty());
            total
        };
        self.counters.agents_unreachable += 1;
        self.emit(
            obs,
            seq,
            RecordKind::AgentUnreachable,
            About::default().agent(a).resources(total),
        );
    }

    /// A task that died with its agent, now known: `lost`.
    fn task_lost_with_agent(&mut self, seq: u64, t: RunningTask, obs: &mut dyn Observer) {
        let model = self.model;
        self.release_on_master(&t);
        self.counters.tasks_lost += 1;
        self.emit(obs, seq, RecordKind::Lost, About::running(&t));
        let TaskRef::Job(j, index) = t.task else {
            return;
        };
        self.jobs.state_mut(j).running -= 1;
        let requeue = model.frameworks[t.framework.index()].on_lost == OnLost::Requeue
            && !self.jobs.state(j).given_up();
        if requeue {
            self.task_lost(t.framework, j, index, obs);
            self.counters.tasks_requeued += 1;
            self.idle_check(seq, t.framework, obs);
        } else {
            self.jobs.state_mut(j).lost += 1;
            self.fail_job(seq, t.framework, j, obs);
        }
    }

    /// `on_lost: fail`: the job fails. Its pending tasks are withdrawn
    /// (they stay counted as never launched); its tasks still running
    /// elsewhere run on, and the job ends when none is left. A job already
    /// given up only ends, if nothing of it is left.
    fn fail_job(&mut self, seq: u64, fw: FrameworkId, j: JobId, obs: &mut dyn Observer) {
        let model = self.model;
        let (spec, js) = self.jobs.get_mut(model, j);
        if js.status.is_terminal() {
            if js.abandoned_and_idle() {
                self.job_done(j, obs);
            }
            return;
        }
        let withdrawn = js.pending_count(spec.tasks);
        js.status = JobStatus::Failed;
        js.finished_at = Some(self.now);
        let (role, res, rank) = (spec.role, spec.resources, js.rank);
        let fm = &mut self.frameworks[fw.index()];
        fm.queue.remove(&rank);
        fm.take_pending(role, &res, withdrawn as u64);
        self.pending_total -= withdrawn as u64;
        self.counters.jobs_failed += 1;
        if self.jobs.state(j).abandoned_and_idle() {
            self.job_done(j, obs);
        }
        self.idle_check(seq, fw, obs);
    }

    /// A failed agent comes back and registers again with its resources
    /// free (nothing of what ran there survives). If its master had not
    /// noticed the failure yet, it learns now, from the re-registration:
    /// the tasks are `lost` first. Returns false if it had not failed.
    pub(super) fn recover_agent(&mut self, seq: u64, a: AgentId, obs: &mut dyn Observer) -> bool {
        match self.health[a.index()] {
            Health::Normal => return false,
            Health::Failed { .. } => self.mark_unreachable(seq, a, obs),
            Health::Unreachable => {}
        }
        self.health[a.index()] = Health::Normal;
        self.last_progress = self.now;
        let model = self.model;
        let res = model.agent_group(a).resources.total();
        self.cluster.agent_up(a, res);
        self.agent_epoch[a.index()] += 1;
        self.master_of(a).add_agent(model, a);
        self.counters.agent_recoveries += 1;
        self.emit(
            obs,
            seq,
            RecordKind::AgentRecovered,
            About::default().agent(a).resources(res),
        );
        self.agent_registered(a);
        self.schedule_random_failure(a);
        true
    }

    /// `faults:`: if a random-fault process covers the agent (just up),
    /// its next failure, an up-time drawn from the process's `agent_mtbf`
    /// from now. Each agent's k-th up-time and down-time come from the
    /// `agent-faults` family at (agent, 2k) and (agent, 2k + 1), so they
    /// depend on nothing else in the run.
    pub(super) fn schedule_random_failure(&mut self, a: AgentId) {
        let Some(k) = self.model.fault_of.get(a.index()).copied().flatten() else {
            return;
        };
        let n = self.fault_draws[a.index()];
        let mut s = self.fault_rng.at(a.0 as u64, 2 * n);
        let up = self.model.faults[k as usize].mtbf.sample_int(&mut s).max(1);
        let epoch = self.agent_epoch[a.index()];
        self.queue
            .push(self.now.plus(up), Event::AgentFail { agent: a, epoch });
    }

    /// A random failure: the agent fails, and comes back after a down-time
    /// drawn from `agent_mttr`.
    pub(super) fn random_failure(&mut self, seq: u64, a: AgentId, obs: &mut dyn Observer) {
        let Some(k) = self.model.fault_of.get(a.index()).copied().flatten() else {
            return;
        };
        if !self.fail_agent(seq, a, obs) {
            return;
        }
        let n = self.fault_draws[a.index()];
        self.fault_draws[a.index()] += 1;
        let mut s = self.fault_rng.at(a.0 as u64, 2 * n + 1);
        let down = self.model.faults[k as usize].mttr.sample_int(&mut s).max(1);
        let epoch = self.agent_epoch[a.index()];
        self.inputs_left += 1;
        self.queue
            .push(self.now.plus(down), Event::AgentRecover { agent: a, epoch });
    }

    /// A launch onto an agent that failed unnoticed: the master counts the
    /// task, but it never runs; it is lost when the failure is noticed.
    /// Returns the task back if the agent is fine.
    pub(super) fn launch_onto_failed(&mut self, t: RunningTask) -> Option<RunningTask> {
        match &mut self.health[t.agent.index()] {
            Health::Failed { dead, .. } => {
                dead.push(t);
                None
            }
            _ => Some(t),
        }
    }

    /// The tasks that died unnoticed with agent `a` (taken out, for an
    /// operator removal that kills them).
    pub(super) fn take_dead(&mut self, a: AgentId) -> Vec<RunningTask> {
        match &mut self.health[a.index()] {
            Health::Failed { dead, .. } => std::mem::take(dead),
            _ => Vec::new(),
        }
    }
}

impl<'m> Simulation<'m> {
    /// A disconnected framework's failover timeout passed (Mesos
    /// `frameworkFailoverTimeout` → `removeFramework`, master.cpp:9381-9396
    /// and 10397-): its jobs fail (pending tasks withdrawn), its tasks are
    /// killed — those that died unnoticed on failed agents too — and every
    /// master forgets it (it leaves the sorters). Its offers were rescinded
    /// when it disconnected; jobs that arrive for it later fail at once.
    pub(super) fn remove_framework(&mut self, seq: u64, f: FrameworkId, obs: &mut dyn Observer) {
        let model = self.model;
        if self.fw_removed[f.index()] {
            return;
        }
        self.fw_removed[f.index()] = true;
        let jobs: Vec<JobId> = self
            .jobs
            .open_ids()
            .filter(|&j| self.jobs.spec(model, j).framework == f)
            .collect();
        for j in jobs {
            self.fail_job(seq, f, j, obs);
        }
        let mut tasks: Vec<RunningTask> = Vec::new();
        let uids: Vec<TaskUid> = self
            .cluster
            .tasks()
            .filter(|(_, t)| t.framework == f)
            .map(|(u, _)| u)
            .collect();
        for uid in uids {
            tasks.push(self.cluster.end(uid).expect("task present"));
        }
        for h in self.health.iter_mut() {
            if let Health::Failed { dead, .. } = h {
                let (mine, others): (Vec<RunningTask>, Vec<RunningTask>) = std::mem::take(dead)
                    .into_iter()
                    .partition(|t| t.framework == f);
                *dead = others;
                tasks.extend(mine);
            }
        }
        for t in tasks {
            self.release_killed(seq, &t, obs);
            if let TaskRef::Job(j, _) = t.task {
                let js = self.jobs.state_mut(j);
                js.running -= 1;
                js.killed += 1;
                if js.abandoned_and_idle() {
                    self.job_done(j, obs);
                }
            }
        }
        let ids: Vec<OfferId> = self.masters.iter().flat_map(|m| m.offers_of(f)).collect();
        self.rescind_all(seq, ids, obs);
        for m in self.masters_of(f) {
            m.remove_framework(model, f);
        }
        self.counters.frameworks_removed += 1;
        self.emit(
            obs,
            seq,
            RecordKind::FrameworkRemoved,
            About::default().framework(f),
        );
    }
}

impl<'m> Simulation<'m> {
    /// `agent_drain` (event `i`): the agent is offered no more (Mesos
    /// `deactivateSlave`; its offers rescinded); its tasks run on and it is
    /// gone when the last ends, or at the deadline, when those left are
    /// killed (and queued again, as lost ones are).
    pub(super) fn drain_agent(
        &mut self,
        seq: u64,
        i: usize,
        a: AgentId,
        deadline: Option<DurationUs>,
        obs: &mut dyn Observer,
    ) {
        let model = self.model;
        if !self.cluster.agent(a).up || self.failover.draining[a.index()] {
            self.warnings.push(format!(
                "event {} at {} s drains agent {}, which is not up or already draining; ignored",
                i,
                self.now,
                model.agent_name(a)
            ));
            return;
        }
        if self.remove_moving(a) {
            // Between partitions it has no task and no master: it is gone
            // at once and never arrives.
            let total = model.agent_group(a).resources.total();
            for kind in [RecordKind::AgentDraining, RecordKind::AgentRemoved] {
                self.emit(obs, seq, kind, About::default().agent(a).resources(total));
            }
            return;
        }
        self.failover.draining[a.index()] = true;
        if !self.failover.unknown(a) {
            self.master_of(a).set_agent_active(a, false);
        }
        let total = self.cluster.agent(a).total;
        self.emit(
            obs,
            seq,
            RecordKind::AgentDraining,
            About::default().agent(a).resources(total),
        );
        self.rescind_on(seq, a, obs);
        if self.cluster.tasks_on(a).is_empty() {
            self.drained(seq, a, obs);
        } else if let Some(d) = deadline {
            let epoch = self.agent_epoch[a.index()];
            self.inputs_left += 1;
            self.queue
                .push(self.now.plus(d), Event::DrainDeadline { agent: a, epoch });
        }
    }

    /// A draining agent's deadline: its tasks left are killed, it is gone.
    pub(super) fn drain_deadline(
        &mut self,
        seq: u64,
        a: AgentId,
        epoch: u64,
        obs: &mut dyn Observer,
    ) {
        if self.agent_epoch[a.index()] != epoch || !self.failover.draining[a.index()] {
            return;
        }
        self.kill_tasks_on(seq, a, obs);
        self.drained(seq, a, obs);
    }

    /// A task ended: a draining agent with nothing left is gone.
    pub(super) fn drain_check(&mut self, seq: u64, a: AgentId, obs: &mut dyn Observer) {
        if self.failover.draining[a.index()] && self.cluster.tasks_on(a).is_empty() {
            self.drained(seq, a, obs);
        }
    }

    /// A drained agent leaves: its master forgets it (`agent_removed`).
    fn drained(&mut self, seq: u64, a: AgentId, obs: &mut dyn Observer) {
        let model = self.model;
        self.failover.draining[a.index()] = false;
        self.rescind_on(seq, a, obs);
        let total = self.cluster.agent(a).total;
        if !self.forget_awaiting(a) {
            let left = self.master_of(a).remove_agent(model, a);
            debug_assert!(left.is_empty());
        }
        self.cluster.agent_down(a);
        self.health[a.index()] = Health::Normal;
        self.agent_epoch[a.index()] += 1;
        self.emit(
            obs,
            seq,
            RecordKind::AgentRemoved,
            About::default().agent(a).resources(total),
        );
    }
}
