//! The scenario's scripted `events:`, one method per kind of event.

use super::*;
use crate::scenario::model::{AllocationOp, ReturnPart};

impl<'m> Simulation<'m> {
    pub(super) fn scripted(&mut self, seq: u64, i: usize, obs: &mut dyn Observer) {
        let model = self.model;
        match &model.events[i].kind {
            EventKind::AgentAdd(a) => self.add_agent(seq, *a, obs),
            EventKind::AgentRemove(a) => self.remove_agent(seq, i, *a, obs),
            EventKind::SetWeight { role, weight } => {
                for m in self.masters.iter_mut() {
                    m.set_weight(*role, *weight);
                }
                let about = About::default().role(*role);
                self.emit(obs, seq, RecordKind::SetWeight, about);
            }
            EventKind::Suppress { framework, roles } => {
                self.set_suppressed(seq, *framework, roles, true, obs)
            }
            EventKind::Revive { framework, roles } => {
                self.set_suppressed(seq, *framework, roles, false, obs)
            }
            EventKind::FrameworkDisconnect {
                framework,
                duration,
            } => self.disconnect_framework(seq, i, *framework, *duration, obs),
            EventKind::SetQuota {
                role,
                quota,
                per_partition,
            } => {
                let parts = &model.partitions;
                for (p, m) in self.masters.iter_mut().enumerate() {
                    m.set_quota(
                        *role,
                        parts.quota_of(quota, per_partition, PartitionId(p as u32)),
                    );
                }
                let about = About::default().role(*role).resources(quota.guarantee);
                self.emit(obs, seq, RecordKind::SetQuota, about);
            }
            EventKind::Reserve {
                agent,
                role,
                resources,
            } => self.reserve(seq, i, true, *agent, *role, *resources, obs),
            EventKind::Unreserve {
                agent,
                role,
                resources,
            } => self.reserve(seq, i, false, *agent, *role, *resources, obs),
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
                    self.emit(obs, seq, RecordKind::Maintenance, About::default().agent(a));
                    self.request_run(Trigger::Agent(a));
                }
            }
            EventKind::AgentFail(agents) => {
                for &a in agents {
                    if !self.fail_agent(seq, a, obs) && agents.len() == 1 {
                        self.warnings.push(format!(
                            "event {} at {} s fails agent {}, which is not up then; ignored",
                            i,
                            self.now,
                            model.agent_name(a)
                        ));
                    }
                }
            }
            EventKind::MasterFailover(p) => self.master_failover(seq, i, *p, obs),
            EventKind::AgentDrain { agent, deadline } => {
                self.drain_agent(seq, i, *agent, *deadline, obs)
            }
            EventKind::AgentRecover(a) => {
                if !self.recover_agent(seq, *a, obs) {
                    self.warnings.push(format!(
                        "event {} at {} s recovers agent {}, which has not failed; ignored",
                        i,
                        self.now,
                        model.agent_name(*a)
                    ));
                }
            }
            EventKind::OfferReturn {
                framework,
                agent,
                role,
                part,
                refuse,
            } => self.offer_return(seq, i, (*framework, *agent, *role), *part, *refuse, obs),
            EventKind::UpdateAllocation {
                framework,
                agent,
                role,
                op,
                resources,
            } => self.update_allocation(seq, i, (*framework, *agent, *role), *op, resources, obs),
            EventKind::AgentUpdate {
                agent,
                total,
                attributes_changed,
            } => self.agent_update(seq, i, *agent, total.as_ref(), *attributes_changed, obs),
            EventKind::Whitelist { agents } => {
                for m in &mut self.masters {
                    m.set_whitelist(agents.as_deref());
                }
                let listed: Vec<Option<AgentId>> = match agents {
                    Some(list) => list.iter().map(|a| Some(*a)).collect(),
                    None => vec![None],
                };
                for a in listed {
                    let about = About::default().agent_opt(a);
                    self.emit(obs, seq, RecordKind::Whitelist, about);
                }
            }
        }
    }

    /// `agent_remove` (event `i`): its tasks are killed, its offers
    /// rescinded, and every master forgets it.
    fn remove_agent(&mut self, seq: u64, i: usize, a: AgentId, obs: &mut dyn Observer) {
        let model = self.model;
        if self.remove_moving(a) {
            let total = model.agent_group(a).resources.total();
            let about = About::default().agent(a).resources(total);
            self.emit(obs, seq, RecordKind::AgentRemoved, about);
            return;
        }
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
        self.cluster.agent_down(a);
        self.health[a.index()] = faults::Health::Normal;
        self.agent_epoch[a.index()] += 1;
        let about = About::default().agent(a).resources(total);
        self.emit(obs, seq, RecordKind::AgentRemoved, about);
    }

    /// Suppress (or revive) a framework in `roles` (empty: all its roles)
    /// with every master: a scripted `suppress`/`revive`, or
    /// `suppress_when_idle`. A revive asks for a run over every agent.
    pub(super) fn set_suppressed(
        &mut self,
        seq: u64,
        fw: FrameworkId,
        roles: &[RoleId],
        suppressed: bool,
        obs: &mut dyn Observer,
    ) {
        for m in self.masters_of(fw) {
            if suppressed {
                m.suppress(fw, roles);
            } else {
                m.revive(fw, roles);
            }
        }
        let about = match roles {
            [role] => About::default().framework(fw).role(*role),
            _ => About::default().framework(fw),
        };
        let kind = if suppressed {
            RecordKind::Suppress
        } else {
            RecordKind::Revive
        };
        self.emit(obs, seq, kind, about);
        if !suppressed {
            self.request_run_for(fw);
        }
    }

    /// `framework_disconnect` (event `i`): as Mesos `Master::deactivate`,
    /// the allocator stops offering to it, then its offers are rescinded;
    /// it reconnects after `duration`.
    fn disconnect_framework(
        &mut self,
        seq: u64,
        i: usize,
        f: FrameworkId,
        duration: DurationUs,
        obs: &mut dyn Observer,
    ) {
        let fs = self.framework_state(f);
        if !fs.registered || !fs.active {
            self.warnings.push(format!(
                "event {} at {} s disconnects framework {}, which is not {} then; ignored",
                i,
                self.now,
                self.model.frameworks[f.index()].id,
                if fs.registered {
                    "connected"
                } else {
                    "registered"
                }
            ));
            return;
        }
        for m in self.masters_of(f) {
            m.deactivate_framework(f);
        }
        let about = About::default().framework(f);
        self.emit(obs, seq, RecordKind::FrameworkDisconnected, about);
        let ids: Vec<OfferId> = self.masters.iter().flat_map(|m| m.offers_of(f)).collect();
        self.rescind_all(seq, ids, obs);
        self.inputs_left += 1;
        let timeout = self.model.frameworks[f.index()].failover_timeout;
        if duration < timeout {
            self.queue
                .push(self.now.plus(duration), Event::FrameworkReconnect(f));
        } else {
            // Mesos arms `frameworkFailoverTimeout` at the disconnect; it
            // fires before the scheduler would come back.
            self.queue
                .push(self.now.plus(timeout), Event::FrameworkFailoverTimeout(f));
        }
    }

    /// `reserve` / `unreserve` (event `i`): when the resources are in
    /// outstanding offers, those are rescinded first, as the operator
    /// endpoints do; when they are not free even then, a warning.
    #[allow(clippy::too_many_arguments)]
    fn reserve(
        &mut self,
        seq: u64,
        i: usize,
        reserve: bool,
        agent: AgentId,
        role: RoleId,
        q: Quantities,
        obs: &mut dyn Observer,
    ) {
        let model = self.model;
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
        let about = About::default().role(role).agent(agent).resources(q);
        self.emit(obs, seq, kind, about);
    }

    /// `offer_return` (event `i`): the framework gives back `part` of each
    /// offer it keeps on the agent (in `role`, if given), oldest first,
    /// with a `refuse` filter (Mesos `recoverResources`).
    fn offer_return(
        &mut self,
        seq: u64,
        i: usize,
        (fw, agent, role): (FrameworkId, AgentId, Option<RoleId>),
        part: ReturnPart,
        refuse: DurationUs,
        obs: &mut dyn Observer,
    ) {
        let p = self.partition_of[agent.index()];
        let mut returned = false;
        for id in self.masters[p.index()].held_offers(fw, agent, role) {
            let o = self.masters[p.index()]
                .offer(id)
                .expect("held offer")
                .to_offer();
            let back = match part {
                ReturnPart::All => o.resources.clone(),
                ReturnPart::Reserved => o.resources.reserved_only(),
                ReturnPart::Unreserved => ResourceSet::unreserved(o.resources.unreserved),
            };
            if back.is_empty() {
                continue;
            }
            returned = true;
            let filter =
                self.masters[p.index()].return_part(self.model, id, &back, refuse, self.now);
            let about = About::default()
                .framework(fw)
                .role(o.role)
                .agent(agent)
                .resources(back.total());
            self.emit(obs, seq, RecordKind::OfferReturned, about);
            if let Some(f) = filter {
                self.push_filter_expiry(p, f);
            }
        }
        if !returned {
            self.warnings.push(format!(
                "event {} at {} s: framework {} keeps no such offer on agent {}; ignored",
                i,
                self.now,
                self.model.frameworks[fw.index()].id,
                self.model.agent_name(agent)
            ));
        }
    }

    /// `update_allocation` (event `i`): a conversion of resources the
    /// framework keeps in an offer on the agent: the oldest offer (in
    /// `role`, if given) that holds them.
    fn update_allocation(
        &mut self,
        seq: u64,
        i: usize,
        (fw, agent, role): (FrameworkId, AgentId, Option<RoleId>),
        op: AllocationOp,
        q: &Quantities,
        obs: &mut dyn Observer,
    ) {
        let p = self.partition_of[agent.index()].index();
        let model = self.model;
        let done = self.masters[p]
            .held_offers(fw, agent, role)
            .into_iter()
            .find(|&id| self.masters[p].convert_held(model, id, op, q));
        let Some(id) = done else {
            self.warnings.push(format!(
                "event {} at {} s: framework {} keeps no offer on agent {} that holds {}; ignored",
                i,
                self.now,
                model.frameworks[fw.index()].id,
                model.agent_name(agent),
                crate::cluster::resources::format_quantities(q, &model.resources)
            ));
            return;
        };
        let offer_role = self.masters[p].offer(id).map_or(RoleId(0), |o| o.role);
        if op == AllocationOp::Remove {
            let total = self.masters[p].agent(agent).total.total();
            self.cluster.set_total(agent, total);
        }
        let kind = match op {
            AllocationOp::Reserve => RecordKind::AllocationReserve,
            AllocationOp::Unreserve => RecordKind::AllocationUnreserve,
            AllocationOp::Remove => RecordKind::AllocationRemove,
        };
        let about = About::default()
            .framework(fw)
            .role(offer_role)
            .agent(agent)
            .resources(*q);
        self.emit(obs, seq, kind, about);
    }

    /// `agent_update` (event `i`, Mesos `updateSlave`): a new total (its
    /// tasks keep running, even beyond it) and/or new attributes (the
    /// agent's filters are removed). Either triggers a run for the agent.
    fn agent_update(
        &mut self,
        seq: u64,
        i: usize,
        agent: AgentId,
        total: Option<&ResourceSet>,
        attributes_changed: bool,
        obs: &mut dyn Observer,
    ) {
        let model = self.model;
        if !self.cluster.agent(agent).up || !self.master_of_ref(agent).agent_present(agent) {
            self.warnings.push(format!(
                "event {} at {} s updates agent {}, which is not up then; ignored",
                i,
                self.now,
                model.agent_name(agent)
            ));
            return;
        }
        let mut updated = attributes_changed;
        if attributes_changed {
            self.master_of(agent).remove_filters_on(agent);
        }
        if let Some(t) = total {
            if self
                .master_of(agent)
                .update_agent_total(model, agent, t.clone())
            {
                updated = true;
                self.cluster.set_total(agent, t.total());
            }
        }
        let now_total = self.master_of_ref(agent).agent(agent).total.total();
        let about = About::default().agent(agent).resources(now_total);
        self.emit(obs, seq, RecordKind::AgentUpdated, about);
        if updated {
            self.request_run(Trigger::Agent(agent));
        }
    }
}
