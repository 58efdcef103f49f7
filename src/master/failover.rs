//! What a newly elected master learns after a failover (docs/faults.md,
//! "Master failover"): the durable registry (weights, quotas, the
//! whitelist), re-subscribing frameworks, and re-registering agents with
//! their tasks. The engine drives it; `Master::successor` starts it.

use super::*;

impl Master {
    /// The registry a successor reads (Mesos keeps weights, quotas and the
    /// maintenance schedule in its replicated log; the whitelist is a flag
    /// file the new master reads too). Maintenance comes back with each
    /// agent ([`Master::reregister_agent`]).
    pub fn inherit_registry(&mut self, old: &Master) {
        for (new, old) in self.roles.iter_mut().zip(&old.roles) {
            new.weight = old.weight;
            new.quota = old.quota.clone();
        }
        self.whitelist = old.whitelist.clone();
    }

    /// A framework re-subscribes with the new master as it was with the
    /// old one: connected or not, its roles suppressed or not (Mesos 1.9+
    /// schedulers send their suppressed roles in `SUBSCRIBE`). Its
    /// allocation counts start at 0.
    pub fn resubscribe(&mut self, model: &Model, fw: FrameworkId, was: &MasterFramework) {
        self.add_framework(model, fw);
        if !was.active {
            self.deactivate_framework(fw);
        }
        let suppressed: Vec<RoleId> = was
            .roles
            .iter()
            .filter(|r| r.suppressed)
            .map(|r| r.role)
            .collect();
        if !suppressed.is_empty() {
            self.suppress(fw, &suppressed);
        }
    }

    /// An agent re-registers (Mesos `addSlave` from `reregisterSlave`): its
    /// total as it was (dynamic reservations included), its maintenance
    /// window; the caller then charges its running tasks
    /// ([`Master::add_running`]) and asks for a run.
    pub fn reregister_agent(
        &mut self,
        model: &Model,
        agent: AgentId,
        total: ResourceSet,
        maintenance: Option<Unavailability>,
    ) {
        self.add_agent(model, agent);
        // It reports its current total: dynamic reservations made since it
        // first registered, and an `agent_update`'s new total.
        self.update_agent_total(model, agent, total);
        self.set_maintenance(agent, maintenance);
    }

    /// Mesos `deactivateSlave` (draining): the agent is offered no more
    /// (or again, `true`).
    pub fn set_agent_active(&mut self, agent: AgentId, active: bool) {
        let a = &mut self.agents[agent.index()];
        a.active = active;
        self.live[agent.index()] = a.present && a.active;
    }

    /// Whether any role has a quota (Mesos's allocator `recover` pauses
    /// only then).
    pub fn has_quota(&self) -> bool {
        self.roles.iter().any(|r| r.quota != Quota::default())
    }

    /// Agents registered with this master.
    pub fn agents_present(&self) -> usize {
        self.agents.iter().filter(|a| a.present).count()
    }

    /// A run that must not happen (no leader, or the allocator paused):
    /// its candidates are dropped, as Mesos's `generateOffers` returns at
    /// once when paused.
    pub fn skip_run(&mut self) {
        self.take_candidates();
    }
}
