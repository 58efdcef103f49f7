//! The truth about the cluster: which agents are up, what runs on each of
//! them, and what that uses. A master's *belief* (which agents it has
//! registered, what it has offered, its filters and role tree) lives in
//! `master::Master` and may differ from this: an agent that failed is down
//! here at once, but a master learns of it only when it notices. Today
//! every change reaches both at the same instant and `--check` verifies
//! that they agree; faults, partitions and shared-state schedulers are
//! where they part.

use crate::cluster::resources::{Quantities, ResourceSet, MAX_RESOURCE_KINDS};
use crate::scenario::model::Model;
use crate::sim::time::SimTime;
use crate::{AgentId, FrameworkId, JobId, RoleId};

/// A task, by job and index (`job.index`), or a take-all framework's n-th
/// task (`framework.tN`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TaskRef {
    Job(JobId, u32),
    TakeAll(FrameworkId, u32),
    /// The n-th task already running on an agent when it registered
    /// (`agents[].running`; `agent.rN`).
    Running(AgentId, u32),
}

/// A running task's number: unique over a run, ordered by launch (`launch`
/// counts launches from 0). `slot` is where [`ClusterState`] keeps the task
/// while it runs; a slot is reused once its task ended, and the launch
/// number tells a later task in the same slot from this one. `agent` is
/// where the task runs (the task's own `agent`), carried in the number's
/// spare bytes so that a read ahead of a task's end need not wait for its
/// slot to find its agent; it never decides an order or equality (the
/// launch number alone is unique).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TaskUid {
    pub launch: u64,
    slot: u32,
    agent: u32,
}

/// A task running on an agent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunningTask {
    pub task: TaskRef,
    pub framework: FrameworkId,
    /// The role its resources were allocated to.
    pub role: RoleId,
    pub agent: AgentId,
    pub resources: ResourceSet,
    /// When it started (launch, or its agent's registration).
    pub started: SimTime,
}

/// The scenario's resource kinds: how many leading entries of a run's
/// resource vectors may be non-zero — its interned names, or, for a model
/// built by hand without names, its agents' widest total (the master's
/// `kinds` too). A task's resources fit its agent's
/// (the master refuses any other), so they too are zero past it.
pub fn resource_kinds(model: &Model) -> usize {
    let named = model
        .agent_groups
        .iter()
        .flat_map(|g| {
            let total = g.resources.total();
            (0..MAX_RESOURCE_KINDS).rev().find(|&i| total.0[i] != 0)
        })
        .max()
        .map_or(0, |i| i + 1);
    model.resources.len().max(named).min(MAX_RESOURCE_KINDS)
}

/// One agent as it really is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AgentTruth {
    /// Up: registered and not failed or removed.
    pub up: bool,
    /// Everything the agent has, reserved or not, merged by name.
    pub total: Quantities,
    /// What its running tasks use.
    pub used: Quantities,
    /// Its running tasks, in no particular order (an ended task's place
    /// is taken by the last one: removal costs the same with 10 tasks or
    /// 200,000); [`ClusterState::tasks_on`] gives them in launch order.
    /// With more than [`SCAN`] of them, each task's slot keeps its place
    /// here; with fewer, an ending task is found by a scan of this short
    /// list instead, so that the task moved into its place need not be
    /// touched (its slot is elsewhere in memory: a cache miss per end).
    tasks: Vec<TaskUid>,
    /// What each framework's tasks use here, in framework id order.
    owners: Vec<(FrameworkId, Quantities)>,
}

impl AgentTruth {
    /// `total − used`.
    pub fn free(&self) -> Quantities {
        self.total.minus(&self.used)
    }

    /// What framework `fw`'s tasks use here.
    pub fn used_by(&self, fw: FrameworkId) -> Quantities {
        self.owners
            .iter()
            .find(|(f, _)| *f == fw)
            .map_or(Quantities::ZERO, |(_, q)| *q)
    }

    /// How many tasks run here.
    pub fn running(&self) -> usize {
        self.tasks.len()
    }

    /// Frameworks with tasks here and what they use, in framework id order.
    pub fn owners(&self) -> &[(FrameworkId, Quantities)] {
        &self.owners
    }
}

/// A running task in [`ClusterState`]'s slab, or a free place (`launch`
/// is [`FREE`]: the task that ended there is left in it, to be overwritten
/// in place by the next one, with no move of the whole task in or out).
#[derive(Clone, Debug)]
struct Slot {
    launch: u64,
    /// Where its number is in its agent's `tasks`: kept while the agent
    /// runs more than [`SCAN`] tasks (see [`AgentTruth`]'s `tasks`).
    pos: u32,
    task: RunningTask,
}

/// A free slot's launch number (launch numbers count from 0 and never
/// reach it).
const FREE: u64 = u64::MAX;

/// Up to this many tasks on an agent, an ending task is found in the
/// agent's list by a scan, and places are not kept.
const SCAN: usize = 8;

/// Every agent's truth and every running task, indexed by agent.
#[derive(Clone, Debug, Default)]
pub struct ClusterState {
    agents: Vec<AgentTruth>,
    /// The running tasks in a slab indexed by `TaskUid::slot`, each with
    /// its launch number; [`FREE`] marks a free slot (listed in `free`). No
    /// allocation per task once the slab has grown to the most tasks
    /// running at once, and a task is found by an index, not a search.
    /// The slab's order is not the launch order: whatever must go in
    /// launch order ([`ClusterState::tasks`], an agent's `tasks`) sorts
    /// by launch number.
    slots: Vec<Slot>,
    /// Free slots, the last freed last (reused first: still in cache).
    free: Vec<u32>,
    running: usize,
    next_task: u64,
    /// How many leading resource entries a task may use (all 16 unless
    /// set by [`ClusterState::with_kinds`]): every task's resources are
    /// zero past it, and so are the agents' `used` and owners' sums, which
    /// only ever sum tasks; sums over the first `width` entries are the
    /// full sums (most scenarios name 2–4 kinds of 16). `check` derives
    /// the sums in full and compares.
    width: usize,
}

impl ClusterState {
    /// `agents` agents, all down.
    pub fn new(agents: usize) -> ClusterState {
        ClusterState {
            agents: vec![AgentTruth::default(); agents],
            slots: Vec::new(),
            free: Vec::new(),
            running: 0,
            next_task: 0,
            width: MAX_RESOURCE_KINDS,
        }
    }

    /// Sums over the first `kinds` entries only (the scenario's
    /// [`resource_kinds`]: every task's resources are zero past them).
    pub fn with_kinds(mut self, kinds: usize) -> ClusterState {
        self.width = kinds.min(MAX_RESOURCE_KINDS);
        self
    }

    /// How many leading resource entries its sums cover (see
    /// [`ClusterState::with_kinds`]).
    pub fn kinds(&self) -> usize {
        self.width
    }

    pub fn agent(&self, a: AgentId) -> &AgentTruth {
        &self.agents[a.index()]
    }

    /// Agent `a` comes up with `total` and nothing running.
    pub fn agent_up(&mut self, a: AgentId, total: Quantities) {
        let agent = &mut self.agents[a.index()];
        debug_assert!(agent.tasks.is_empty());
        *agent = AgentTruth {
            up: true,
            total,
            ..AgentTruth::default()
        };
    }

    /// Agent `a`'s total changes (`agent_update`, a `remove` conversion);
    /// its tasks keep running, even beyond the new total.
    pub fn set_total(&mut self, a: AgentId, total: Quantities) {
        self.agents[a.index()].total = total;
    }

    /// Agent `a` goes down. Its tasks must have been ended first.
    pub fn agent_down(&mut self, a: AgentId) {
        let agent = &mut self.agents[a.index()];
        debug_assert!(agent.tasks.is_empty(), "tasks left on a downed agent");
        agent.up = false;
    }

    /// Starts a task; returns its number.
    pub fn start(&mut self, t: RunningTask) -> TaskUid {
        self.start_with(
            t.task,
            t.framework,
            t.role,
            t.agent,
            &t.resources,
            t.started,
        )
    }

    /// Starts task `task` of `framework` in `role` on `agent`, its
    /// resources copied into place (a reused slot's are overwritten, its
    /// reservations' vector reused); returns its number.
    pub fn start_with(
        &mut self,
        task: TaskRef,
        framework: FrameworkId,
        role: RoleId,
        agent: AgentId,
        resources: &ResourceSet,
        started: SimTime,
    ) -> TaskUid {
        let launch = self.next_task;
        self.next_task += 1;
        let w = self.width;
        let mut summed = None;
        let q = resources.total_first_in(w, &mut summed);
        let truth = &mut self.agents[agent.index()];
        truth.used.add_first(q, w);
        match truth.owners.binary_search_by_key(&framework, |(f, _)| *f) {
            Ok(i) => truth.owners[i].1.add_first(q, w),
            Err(i) => {
                // A new owner's sum: zeros past the kinds, as a sum of
                // `_first` totals has.
                let mut own = Quantities::ZERO;
                own.add_first(q, w);
                truth.owners.insert(i, (framework, own));
            }
        }
        let pos = truth.tasks.len() as u32;
        let slot = match self.free.pop() {
            Some(s) => {
                let e = &mut self.slots[s as usize];
                e.launch = launch;
                e.pos = pos;
                let t = &mut e.task;
                t.task = task;
                t.framework = framework;
                t.role = role;
                t.agent = agent;
                t.resources.unreserved = resources.unreserved;
                t.resources.reserved.clone_from(&resources.reserved);
                t.started = started;
                s
            }
            None => {
                self.slots.push(Slot {
                    launch,
                    pos,
                    task: RunningTask {
                        task,
                        framework,
                        role,
                        agent,
                        resources: resources.clone(),
                        started,
                    },
                });
                (self.slots.len() - 1) as u32
            }
        };
        let uid = TaskUid {
            launch,
            slot,
            agent: agent.0,
        };
        let truth = &mut self.agents[agent.index()];
        truth.tasks.push(uid);
        if truth.tasks.len() == SCAN + 1 {
            // Places are kept from now on: every task's is set.
            for (i, u) in truth.tasks.iter().enumerate() {
                self.slots[u.slot as usize].pos = i as u32;
            }
        }
        self.running += 1;
        uid
    }

    /// Ends a task (finished, killed or lost); `None` if it already ended.
    pub fn end(&mut self, uid: TaskUid) -> Option<RunningTask> {
        self.end_in_place(uid).cloned()
    }

    /// [`ClusterState::end`], the ended task read where it was (it stays
    /// there until the next start): no copy of it.
    pub fn end_in_place(&mut self, uid: TaskUid) -> Option<&RunningTask> {
        let e = self.slots.get_mut(uid.slot as usize)?;
        if e.launch != uid.launch {
            return None;
        }
        e.launch = FREE;
        let (kept_pos, agent, framework) = (e.pos as usize, e.task.agent, e.task.framework);
        let w = self.width;
        // The task's total read in place when nothing is reserved (it
        // stays in its slot until the next start), else summed.
        let mut summed = None;
        let q = e.task.resources.total_first_in(w, &mut summed);
        let truth = &mut self.agents[agent.index()];
        truth.used.saturating_sub_first(q, w);
        if let Ok(i) = truth.owners.binary_search_by_key(&framework, |(f, _)| *f) {
            truth.owners[i].1.saturating_sub_first(q, w);
            if truth.owners[i].1.is_empty_first(w) {
                truth.owners.remove(i);
            }
        }
        self.free.push(uid.slot);
        self.running -= 1;
        let n = truth.tasks.len();
        let pos = if n > SCAN {
            Some(kept_pos)
        } else {
            truth.tasks.iter().position(|u| *u == uid)
        };
        debug_assert!(pos.is_some_and(|p| truth.tasks.get(p) == Some(&uid)));
        if let Some(pos) = pos.filter(|&p| p < n) {
            truth.tasks.swap_remove(pos);
            if n - 1 > SCAN {
                if let Some(moved) = truth.tasks.get(pos) {
                    self.slots[moved.slot as usize].pos = pos as u32;
                }
            }
        }
        Some(&self.slots[uid.slot as usize].task)
    }

    /// Reads what ending task `uid` will touch — its slot, its agent's
    /// entry and the agent's task and owner lists — ahead of the end
    /// (a read-ahead: the engine passes the result to `black_box`; the
    /// next event's task is a cache miss otherwise). Changes nothing.
    pub fn look_ahead(&self, uid: TaskUid) -> u64 {
        // The slot and the agent's entry are independent reads (the
        // number carries the agent); the lists, one step behind the entry.
        let launch = self.slots.get(uid.slot as usize).map_or(0, |e| e.launch);
        let Some(truth) = self.agents.get(uid.agent as usize) else {
            return launch;
        };
        let task = truth.tasks.first().map_or(0, |u| u.launch);
        let owner = truth.owners.first().map_or(0, |(f, _)| u64::from(f.0));
        launch ^ truth.used.0[0] ^ task ^ owner
    }

    /// The tasks running on agent `a`, in launch order.
    pub fn tasks_on(&self, a: AgentId) -> Vec<TaskUid> {
        let mut tasks = self.agents[a.index()].tasks.clone();
        tasks.sort_unstable();
        tasks
    }

    pub fn task(&self, uid: TaskUid) -> Option<&RunningTask> {
        match self.slots.get(uid.slot as usize)? {
            e if e.launch == uid.launch => Some(&e.task),
            _ => None,
        }
    }

    /// Every running task, in no particular order (the slab's).
    pub fn tasks_unordered(&self) -> impl Iterator<Item = (TaskUid, &RunningTask)> {
        self.slots.iter().enumerate().filter_map(|(slot, e)| {
            (e.launch != FREE).then_some((
                TaskUid {
                    launch: e.launch,
                    slot: slot as u32,
                    agent: e.task.agent.0,
                },
                &e.task,
            ))
        })
    }

    /// Every running task, in launch order.
    pub fn tasks(&self) -> impl Iterator<Item = (TaskUid, &RunningTask)> {
        let mut all: Vec<(TaskUid, &RunningTask)> = self.tasks_unordered().collect();
        all.sort_unstable_by_key(|(u, _)| *u);
        all.into_iter()
    }

    /// How many tasks run.
    pub fn running(&self) -> usize {
        self.running
    }

    /// Re-derives every agent's use and owners from the tasks and compares
    /// them with the kept sums (for `--check`).
    pub fn check(&self) -> Result<(), String> {
        let mut agents: Vec<AgentTruth> = self
            .agents
            .iter()
            .map(|a| AgentTruth {
                up: a.up,
                total: a.total,
                ..AgentTruth::default()
            })
            .collect();
        let mut live = 0;
        for (uid, t) in self.tasks() {
            live += 1;
            let agent = &mut agents[t.agent.index()];
            if !agent.up {
                return Err(format!("task {} runs on an agent that is down", uid.launch));
            }
            let q = t.resources.total();
            agent.used.add(&q);
            agent.tasks.push(uid);
            match agent.owners.binary_search_by_key(&t.framework, |(f, _)| *f) {
                Ok(i) => agent.owners[i].1.add(&q),
                Err(i) => agent.owners.insert(i, (t.framework, q)),
            }
        }
        if live != self.running || live + self.free.len() != self.slots.len() {
            return Err("the running-task count or free slots differ from the tasks".into());
        }
        for (i, (kept, derived)) in self.agents.iter().zip(&agents).enumerate() {
            let places_kept = kept.tasks.len() > SCAN;
            let in_place = kept.tasks.iter().enumerate().all(|(pos, u)| {
                matches!(self.slots.get(u.slot as usize), Some(e)
                    if e.launch == u.launch && (!places_kept || e.pos as usize == pos))
            });
            let mut kept = kept.clone();
            kept.tasks.sort_unstable();
            if !in_place || kept != *derived {
                return Err(format!(
                    "agent #{i}: its kept use or task list differs from its tasks"
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(cpus: u64, mem: u64) -> Quantities {
        let mut q = Quantities::ZERO;
        q.0[0] = cpus * 1000;
        q.0[1] = mem * 1000;
        q
    }

    fn task(fw: u32, agent: u32, index: u32, cpus: u64, mem: u64) -> RunningTask {
        RunningTask {
            task: TaskRef::TakeAll(FrameworkId(fw), index),
            framework: FrameworkId(fw),
            role: RoleId(0),
            agent: AgentId(agent),
            resources: ResourceSet::unreserved(q(cpus, mem)),
            started: SimTime::ZERO,
        }
    }

    #[test]
    fn tasks_are_indexed_by_agent_and_owner() {
        let mut c = ClusterState::new(2);
        c.agent_up(AgentId(0), q(8, 800));
        c.agent_up(AgentId(1), q(4, 400));
        let t0 = c.start(task(1, 0, 0, 2, 200));
        let t1 = c.start(task(0, 1, 0, 1, 100));
        let t2 = c.start(task(0, 0, 1, 3, 300));
        assert_eq!((t0.launch, t1.launch, t2.launch), (0, 1, 2));
        assert_eq!(c.tasks_on(AgentId(0)), vec![t0, t2]);
        assert_eq!(c.tasks_on(AgentId(1)), vec![t1]);
        let a0 = c.agent(AgentId(0));
        assert_eq!(a0.used, q(5, 500));
        assert_eq!(a0.free(), q(3, 300));
        // Owners in framework id order, whatever the launch order.
        assert_eq!(
            a0.owners(),
            &[(FrameworkId(0), q(3, 300)), (FrameworkId(1), q(2, 200))]
        );
        assert_eq!(c.running(), 3);
        c.check().unwrap();

        assert_eq!(c.end(t2).map(|t| t.agent), Some(AgentId(0)));
        assert_eq!(c.end(t2), None, "a task ends once");
        let a0 = c.agent(AgentId(0));
        assert_eq!(a0.used_by(FrameworkId(0)), Quantities::ZERO);
        assert_eq!(a0.owners(), &[(FrameworkId(1), q(2, 200))]);
        c.check().unwrap();

        c.end(t0);
        c.agent_down(AgentId(0));
        assert!(!c.agent(AgentId(0)).up);
        assert_eq!(c.running(), 1);
        c.check().unwrap();
    }

    #[test]
    fn a_reused_slot_keeps_ended_tasks_ended_and_launch_order() {
        // Summing over the two kinds the tasks use: `check` derives the
        // sums over all 16 and compares.
        let mut c = ClusterState::new(2).with_kinds(2);
        c.agent_up(AgentId(0), q(8, 800));
        c.agent_up(AgentId(1), q(8, 800));
        let t0 = c.start(task(0, 0, 0, 1, 100));
        let t1 = c.start(task(0, 1, 1, 1, 100));
        let t2 = c.start(task(0, 0, 2, 1, 100));
        assert!(c.end(t0).is_some());
        // t3 takes t0's slot: t0 stays ended, t3 is found.
        let t3 = c.start(task(1, 0, 3, 2, 200));
        assert_eq!(t3.slot, t0.slot);
        assert_eq!(c.end(t0), None);
        assert!(c.task(t0).is_none());
        assert_eq!(c.task(t3).map(|t| t.framework), Some(FrameworkId(1)));
        // Launch order, whatever the slots.
        let order: Vec<u64> = c.tasks().map(|(u, _)| u.launch).collect();
        assert_eq!(order, vec![1, 2, 3]);
        assert_eq!(c.tasks_on(AgentId(0)), vec![t2, t3]);
        assert_eq!(c.running(), 3);
        c.check().unwrap();
        assert!(c.end(t2).is_some());
        assert!(c.end(t1).is_some());
        let t4 = c.start(task(0, 1, 4, 1, 100));
        assert_eq!(c.tasks_on(AgentId(1)), vec![t4]);
        assert_eq!(c.running(), 2);
        c.check().unwrap();
    }

    /// Tasks ending in any order leave each agent's list right: what is
    /// left, in launch order, and every kept place pointing back (`check`).
    #[test]
    fn tasks_ending_in_any_order_keep_each_agents_list() {
        let mut c = ClusterState::new(3);
        for a in 0..3 {
            c.agent_up(AgentId(a), q(1_000, 100_000));
        }
        let mut live: Vec<TaskUid> = (0..300)
            .map(|i| c.start(task(i % 2, i % 3, i, 1, 10)))
            .collect();
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        while !live.is_empty() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let gone = live.swap_remove((x % live.len() as u64) as usize);
            assert!(c.end(gone).is_some());
            if live.len() % 7 == 0 {
                c.check().unwrap();
                for a in 0..3 {
                    let mut expected: Vec<TaskUid> = live
                        .iter()
                        .copied()
                        .filter(|u| c.task(*u).is_some_and(|t| t.agent == AgentId(a)))
                        .collect();
                    expected.sort_unstable();
                    assert_eq!(c.tasks_on(AgentId(a)), expected);
                    assert_eq!(c.agent(AgentId(a)).running(), expected.len());
                }
            }
        }
        assert_eq!(c.running(), 0);
        c.check().unwrap();
    }

    /// An agent's task count going up and down across [`SCAN`] (places
    /// kept above it, scans below) keeps its list and every kept place
    /// right, with slots reused in place.
    #[test]
    fn task_counts_crossing_the_scan_limit_keep_each_agents_list() {
        let mut c = ClusterState::new(2).with_kinds(2);
        c.agent_up(AgentId(0), q(1_000, 100_000));
        c.agent_up(AgentId(1), q(1_000, 100_000));
        let mut live: Vec<TaskUid> = Vec::new();
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        for i in 0..2_000u32 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Around SCAN + 1 tasks on agent 0, a few on agent 1.
            let on0 = live
                .iter()
                .filter(|u| c.task(**u).is_some_and(|t| t.agent == AgentId(0)))
                .count();
            let grow = on0 < SCAN - 2 || (on0 < SCAN + 4 && x % 2 == 0) || live.is_empty();
            if grow {
                live.push(c.start(task(i % 2, (x % 4 == 0) as u32, i, 1, 10)));
            } else {
                let gone = live.swap_remove((x % live.len() as u64) as usize);
                let t = c.end_in_place(gone).cloned().expect("live");
                assert_eq!(c.task(gone), None);
                assert_eq!(c.end(gone), None, "a task ends once");
                assert!(t.resources.total().0[0] == 1_000);
            }
            c.check().unwrap();
        }
        for a in 0..2 {
            let mut expected: Vec<TaskUid> = live
                .iter()
                .copied()
                .filter(|u| c.task(*u).is_some_and(|t| t.agent == AgentId(a)))
                .collect();
            expected.sort_unstable();
            assert_eq!(c.tasks_on(AgentId(a)), expected);
        }
    }

    #[test]
    fn check_finds_a_task_on_a_downed_agent() {
        let mut c = ClusterState::new(1);
        c.agent_up(AgentId(0), q(8, 800));
        c.start(task(0, 0, 0, 1, 100));
        c.agents[0].up = false;
        assert!(c.check().unwrap_err().contains("down"));
    }
}
