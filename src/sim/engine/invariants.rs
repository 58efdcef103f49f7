//! `--check`: the bookkeeping re-derived and compared after every event.

use super::*;

impl<'m> Simulation<'m> {
    pub(super) fn check_invariants(&self) -> Result<(), String> {
        if let Some(msg) = &self.reply_gone {
            return Err(msg.clone());
        }
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
        // An agent's resources belong to one partition at a time, or to
        // none while it moves.
        for a in 0..self.partition_of.len() {
            let agent = AgentId(a as u32);
            let owners = self
                .masters
                .iter()
                .filter(|m| m.agent_present(agent))
                .count();
            if owners > 1 || (self.moving[a].is_some() && owners > 0) {
                return Err(format!(
                    "agent {} is in {owners} partition(s){}",
                    self.model.agent_name(agent),
                    if self.moving[a].is_some() {
                        " while moving"
                    } else {
                        ""
                    }
                ));
            }
        }
        // The metrics sum what each framework holds over the scenario's
        // kinds only (`View::framework_held_first`): every quantity from
        // them on is zero.
        let view = self.view();
        let kinds = crate::cluster::state::resource_kinds(self.model);
        for f in 0..self.model.frameworks.len() {
            let fw = FrameworkId(f as u32);
            if view.framework_held_first(fw, kinds) != view.framework_held(fw) {
                return Err(format!(
                    "framework {} holds resources past the scenario's {kinds} kinds",
                    self.model.frameworks[f].id
                ));
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
            .flat_map(|(_, a, _)| a.iter())
            .map(|a| a.launches.iter().filter(|l| l.job.is_some()).count() as u64)
            .sum::<u64>()
            + self.central.as_ref().map_or(0, |c| c.chosen());
        if let Some(e) = self.central.as_ref().and_then(|c| c.mismatch.clone()) {
            return Err(e);
        }
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
                if !self.has_offer(OfferId::of_slot(o.id)) {
                    return Err(format!(
                        "framework {} holds offer {} which is gone",
                        self.model.frameworks[i].id, o.id.0
                    ));
                }
            }
        }
        // Tasks that died with an agent unnoticed still run as far as their
        // jobs (and masters) know.
        let dead_job_tasks = self
            .health
            .iter()
            .flat_map(|h| match h {
                faults::Health::Failed { dead, .. } => dead.as_slice(),
                _ => &[],
            })
            .filter(|t| matches!(t.task, TaskRef::Job(..)))
            .count() as u64;
        let job_tasks = self
            .cluster
            .tasks_unordered()
            .filter(|(_, t)| matches!(t.task, TaskRef::Job(..)))
            .count() as u64
            + dead_job_tasks;
        if running != job_tasks {
            return Err("running task counts do not add up".into());
        }
        // A framework's offers and tasks are only in partitions it registers
        // with.
        for (p, m) in self.masters.iter().enumerate() {
            for o in m.offers() {
                if !self.fw_partitions[o.framework.index()].contains(&PartitionId(p as u32)) {
                    return Err(format!(
                        "partition {p} offers to framework {}, which is not registered there",
                        self.model.frameworks[o.framework.index()].id
                    ));
                }
            }
        }
        for (_, t) in self.cluster.tasks_unordered() {
            let p = self.partition_of[t.agent.index()];
            if !self.fw_partitions[t.framework.index()].contains(&p) {
                return Err(format!(
                    "framework {} runs a task on agent {} of partition {}, where it is not registered",
                    self.model.frameworks[t.framework.index()].id,
                    self.model.agent_name(t.agent),
                    p.0
                ));
            }
        }
        // The truth is consistent, and each master believes it: an agent is
        // registered exactly when it is up, and what a master counts as
        // allocated on it is what its tasks use. The one difference allowed
        // is a failure not noticed yet: the agent is down but still
        // registered, and its master counts the tasks that died with it.
        // An agent moving between partitions (rebalancing) is up, idle,
        // and in no master (checked above).
        self.cluster.check()?;
        // Per agent, per framework: its outstanding offers and its tasks
        // there whose total is not empty (`check_holders`).
        let mut items: Vec<BTreeMap<FrameworkId, u32>> =
            vec![BTreeMap::new(); self.partition_of.len()];
        for (p, m) in self.masters.iter().enumerate() {
            for o in m.offers() {
                if self.partition_of[o.agent.index()].index() == p && !o.total().is_empty() {
                    *items[o.agent.index()].entry(o.framework).or_default() += 1;
                }
            }
        }
        for (_, t) in self.cluster.tasks_unordered() {
            if !t.resources.total().is_empty() {
                *items[t.agent.index()].entry(t.framework).or_default() += 1;
            }
        }
        for (i, &p) in self.partition_of.iter().enumerate() {
            let a = AgentId(i as u32);
            if self.moving[i].is_some() {
                if self.cluster.agent(a).running() > 0 {
                    return Err(format!(
                        "agent {} has tasks while it moves",
                        self.model.agent_name(a)
                    ));
                }
                continue;
            }
            let truth = self.cluster.agent(a);
            let belief = self.masters[p.index()].agent(a);
            let name = || self.model.agent_name(a);
            if self.failover.unknown(a) {
                // Its master failed over; it has not re-registered (up) or
                // never will (failed unnoticed): the new master knows
                // nothing of it.
                if belief.present || belief.allocated != Quantities::ZERO {
                    return Err(format!(
                        "agent {} has not re-registered, but its new master counts it",
                        name()
                    ));
                }
                continue;
            }
            if let faults::Health::Failed { dead, .. } = &self.health[i] {
                let mut counted = Quantities::ZERO;
                for t in dead {
                    counted.add(&t.resources.total());
                }
                if truth.up || !belief.present || counted != belief.allocated {
                    return Err(format!(
                        "agent {} failed unnoticed, but it is {} in truth, {} with its master, \
                         which counts {:?} allocated where its dead tasks used {:?}",
                        name(),
                        if truth.up { "up" } else { "down" },
                        if belief.present { "registered" } else { "gone" },
                        belief.allocated,
                        counted
                    ));
                }
                continue;
            }
            if truth.up != belief.present {
                return Err(format!(
                    "agent {} is {} but its master believes it {}",
                    name(),
                    if truth.up { "up" } else { "down" },
                    if belief.present { "registered" } else { "gone" }
                ));
            }
            if truth.up {
                self.check_holders(a, &items[i])?;
            }
            if truth.up && (truth.used != belief.allocated || truth.total != belief.total.total()) {
                return Err(format!(
                    "agent {}: its tasks use {:?} of {:?}, its master counts {:?} of {:?}",
                    name(),
                    truth.used,
                    truth.total,
                    belief.allocated,
                    belief.total.total()
                ));
            }
        }
        Ok(())
    }

    /// The holders a registered agent's master keeps (by counts of items,
    /// see `master::AgentState`) against `counted`, a recount: per
    /// framework, its outstanding offers and its tasks on the agent whose
    /// total is not empty. Every framework with such an item is a holder
    /// with that count; a holder with none has a count of 0 (it holds
    /// items of nothing only), and none is listed twice.
    fn check_holders(
        &self,
        a: AgentId,
        counted: &BTreeMap<FrameworkId, u32>,
    ) -> Result<(), String> {
        let holders = self.masters[self.partition_of[a.index()].index()].holders(a);
        let mut seen = std::collections::BTreeSet::new();
        for &(fw, c) in &holders {
            if !seen.insert(fw) || counted.get(&fw).copied().unwrap_or(0) != c {
                return Err(format!(
                    "agent {}: its master's holders {:?} do not match its offers and tasks {:?}",
                    self.model.agent_name(a),
                    holders,
                    counted
                ));
            }
        }
        if counted.keys().any(|fw| !seen.contains(fw)) {
            return Err(format!(
                "agent {}: its master's holders {:?} miss some of {:?}",
                self.model.agent_name(a),
                holders,
                counted
            ));
        }
        Ok(())
    }
}
