//! Master failover (docs/faults.md, "Master failover"): the leading master
//! of a partition is lost, its offers vanish and nothing is allocated until
//! ZooKeeper elects a new one `zk_session_timeout + election_delay` later;
//! frameworks re-subscribe, agents re-register with their tasks (which ran
//! on throughout), and with quota the allocator waits for 80% of the known
//! agents or 10 minutes (Mesos `HierarchicalAllocatorProcess::recover`).

use super::*;
use crate::cluster::resources::ResourceSet;

/// Mesos `--allocator_agent_recovery_factor` and
/// `--allocator_recovery_timeout` (include/mesos/allocator/allocator.hpp:46-47).
const RECOVERY_FACTOR: f64 = 0.80;
const RECOVERY_TIMEOUT_US: DurationUs = 10 * 60 * 1_000_000;

/// Per partition and per agent: where each master stands.
#[derive(Clone, Debug)]
pub struct Failover {
    /// Per partition: bumped at every failover; the election, the
    /// re-registrations and the recovery timer carry it.
    epoch: Vec<u64>,
    /// Per partition: no leader since then.
    leaderless: Vec<Option<SimTime>>,
    /// Per partition: the allocator waits for this many agents (Mesos
    /// `expectedAgentCount`) or the recovery timeout.
    paused: Vec<Option<usize>>,
    /// Per agent: registered with a master that has since been replaced
    /// and not (yet) with the new one; what it re-registers with.
    awaiting: Vec<Option<(ResourceSet, Option<Unavailability>)>>,
    /// Per agent: draining (`agent_drain`), offered no more.
    pub draining: Vec<bool>,
}

impl Failover {
    pub fn new(partitions: usize, agents: usize) -> Failover {
        Failover {
            epoch: vec![0; partitions],
            leaderless: vec![None; partitions],
            paused: vec![None; partitions],
            awaiting: vec![None; agents],
            draining: vec![false; agents],
        }
    }

    /// Whether `p` has a leading master (none between a failover and the
    /// election).
    pub fn leads(&self, p: PartitionId) -> bool {
        self.leaderless[p.index()].is_none()
    }

    /// Whether partition `p`'s allocator may run now.
    pub fn allocates(&self, p: PartitionId) -> bool {
        self.leaderless[p.index()].is_none() && self.paused[p.index()].is_none()
    }

    /// Whether agent `a`'s current master does not know it (its master
    /// failed over and it has not re-registered): the master's books hold
    /// nothing of it.
    pub fn unknown(&self, a: AgentId) -> bool {
        self.awaiting[a.index()].is_some()
    }
}

impl<'m> Simulation<'m> {
    /// `master_failover`: the leading master of `p` (every partition when
    /// `None`) is lost.
    pub(super) fn master_failover(
        &mut self,
        seq: u64,
        i: usize,
        p: Option<PartitionId>,
        obs: &mut dyn Observer,
    ) {
        let parts: Vec<PartitionId> = match p {
            Some(p) => vec![p],
            None => (0..self.masters.len() as u32).map(PartitionId).collect(),
        };
        for p in parts {
            if self.failover.leaderless[p.index()].is_some() {
                self.warnings.push(format!(
                    "event {} at {} s fails over partition {}'s master, which has no leader then; ignored",
                    i, self.now, p.0
                ));
                continue;
            }
            self.lose_leader(seq, p, obs);
        }
    }

    /// The leader is gone: its outstanding offers vanish (a `rescind` row
    /// each; Mesos sends no rescind, the offers die with the master and
    /// schedulers drop them when they re-subscribe), no allocation until
    /// the election.
    fn lose_leader(&mut self, seq: u64, p: PartitionId, obs: &mut dyn Observer) {
        let f = &mut self.failover;
        f.epoch[p.index()] += 1;
        f.leaderless[p.index()] = Some(self.now);
        f.paused[p.index()] = None;
        let epoch = f.epoch[p.index()];
        self.counters.master_failovers += 1;
        let totals = self.masters[p.index()].totals();
        self.emit(
            obs,
            seq,
            RecordKind::MasterFailover,
            About::default().partition(p).resources(totals),
        );
        let ids: Vec<OfferId> = self.masters[p.index()].offers().map(|o| o.id).collect();
        self.rescind_all(seq, ids, obs);
        if self.central.is_some() {
            self.central_abandon(seq, obs);
        }
        let m = &self.model.master;
        let at = self
            .now
            .plus(m.zk_session_timeout.saturating_add(m.election_delay));
        self.inputs_left += 1;
        self.queue.push(
            at,
            Event::MasterElected {
                partition: p,
                epoch,
            },
        );
    }

    /// A new leader for `p`: it knows the registry (weights, quotas,
    /// whitelist, the agents registered), frameworks re-subscribe at once,
    /// agents re-register spread evenly over `agent_reregister_spread`
    /// (the k-th of n at k/n of it, in agent order); decline filters and
    /// allocation counts are gone. With quota, the allocator pauses until
    /// ⌊0.8 × known agents⌋ have registered or 10 minutes pass.
    pub(super) fn elect(&mut self, seq: u64, p: PartitionId, epoch: u64, obs: &mut dyn Observer) {
        if self.failover.epoch[p.index()] != epoch {
            return;
        }
        let model = self.model;
        if let Some(since) = self.failover.leaderless[p.index()].take() {
            self.counters.leaderless_us += self.now.0 - since.0;
        }
        let old = &self.masters[p.index()];
        let mut new = old.successor(model);
        new.inherit_registry(old);
        let mut fws: Vec<(u64, FrameworkId)> = (0..model.frameworks.len() as u32)
            .map(FrameworkId)
            .filter(|f| old.framework(*f).registered && !self.fw_removed[f.index()])
            .map(|f| (old.framework(f).registration, f))
            .collect();
        fws.sort_unstable();
        for &(_, f) in &fws {
            new.resubscribe(model, f, old.framework(f));
        }
        let agents: Vec<AgentId> = (0..self.partition_of.len() as u32)
            .map(AgentId)
            .filter(|a| self.partition_of[a.index()] == p && old.agent_present(*a))
            .collect();
        for &a in &agents {
            let st = old.agent(a);
            self.failover.awaiting[a.index()] = Some((st.total.clone(), st.maintenance));
        }
        let known = agents.len();
        let quota = new.has_quota();
        self.masters[p.index()] = new;
        self.emit(
            obs,
            seq,
            RecordKind::MasterElected,
            About::default().partition(p),
        );
        // Mesos master.cpp:1774-1776 → hierarchical.cpp:675-730: no quota,
        // no pause; else wait for ⌊known × 0.8⌋ agents (none: no pause).
        let expected = (known as f64 * RECOVERY_FACTOR) as usize;
        if quota && expected > 0 {
            self.failover.paused[p.index()] = Some(expected);
            self.inputs_left += 1;
            self.queue.push(
                self.now.plus(RECOVERY_TIMEOUT_US),
                Event::AllocatorResume {
                    partition: p,
                    epoch,
                },
            );
        }
        let spread = model.master.agent_reregister_spread;
        let n = agents.len() as u128;
        for (k, &a) in agents.iter().enumerate() {
            let offset = (u128::from(spread) * k as u128 / n) as u64;
            if offset == 0 {
                self.reregister(seq, a, epoch, obs);
            } else {
                self.inputs_left += 1;
                self.queue.push(
                    self.now.plus(offset),
                    Event::AgentReregister { agent: a, epoch },
                );
            }
        }
        for &(_, f) in &fws {
            if self.framework_state(f).active {
                self.request_run_for(f);
            }
        }
    }

    /// An agent re-registers with its partition's new master and reports
    /// its tasks, which ran on: they are charged to their frameworks
    /// again. An agent that failed meanwhile never does (its ping timeout
    /// still marks it unreachable).
    pub(super) fn reregister(&mut self, seq: u64, a: AgentId, epoch: u64, obs: &mut dyn Observer) {
        let p = self.partition_of[a.index()];
        if self.failover.epoch[p.index()] != epoch || !self.cluster.agent(a).up {
            return;
        }
        let Some((total, maintenance)) = self.failover.awaiting[a.index()].take() else {
            return;
        };
        let model = self.model;
        let res = total.total();
        self.master_of(a)
            .reregister_agent(model, a, total, maintenance);
        if self.failover.draining[a.index()] {
            self.master_of(a).set_agent_active(a, false);
        }
        for uid in self.cluster.tasks_on(a) {
            let t = self.cluster.task(uid).expect("task present").clone();
            let charged =
                self.master_of(a)
                    .add_reported_task(model, t.framework, t.role, a, &t.resources);
            debug_assert!(charged, "a re-registered agent's task has its role");
        }
        self.emit(
            obs,
            seq,
            RecordKind::AgentReregistered,
            About::default().agent(a).resources(res),
        );
        self.agent_registered(a);
    }

    /// An agent registered with its master (re-registered, recovered or
    /// added): a paused allocator resumes once enough agents are back
    /// (Mesos `addSlave`, hierarchical.cpp:1049-1057), and the agent gets
    /// a run (none while paused: Mesos's `generateOffers` returns at once).
    pub(super) fn agent_registered(&mut self, a: AgentId) {
        let p = self.partition_of[a.index()];
        if let Some(expected) = self.failover.paused[p.index()] {
            if self.masters[p.index()].agents_present() >= expected {
                self.failover.paused[p.index()] = None;
            }
        }
        self.request_run(Trigger::Agent(a));
    }

    /// The recovery timer: a still-paused allocator resumes (the next
    /// periodic run allocates; Mesos `resume` triggers none).
    pub(super) fn recovery_timeout(&mut self, p: PartitionId, epoch: u64) {
        if self.failover.epoch[p.index()] == epoch {
            self.failover.paused[p.index()] = None;
        }
    }

    /// A run in a partition with no leader, or whose allocator is paused:
    /// nothing is allocated; the periodic timer keeps its beat.
    pub(super) fn skip_run(&mut self, p: PartitionId) {
        self.masters[p.index()].skip_run();
        if self.periodic_waiting[p.index()] {
            self.periodic_waiting[p.index()] = false;
            self.queue.push(
                self.now.plus(self.model.master.allocation_interval),
                Event::AllocationTick(p),
            );
        }
    }

    /// Takes a task's resources off its master's books, unless its agent
    /// is not known to its (new) master.
    pub(super) fn release_on_master(&mut self, t: &RunningTask) {
        if self.failover.unknown(t.agent) {
            return;
        }
        let model = self.model;
        self.master_of(t.agent)
            .release(model, t.framework, t.role, t.agent, &t.resources);
    }

    /// An agent unknown to its new master was marked unreachable or
    /// removed: nothing to re-register.
    pub(super) fn forget_awaiting(&mut self, a: AgentId) -> bool {
        self.failover.awaiting[a.index()].take().is_some()
    }
}
