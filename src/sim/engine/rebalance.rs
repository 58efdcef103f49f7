//! Partition rebalancing (`partitions.rebalance`, docs/partitions.md): at
//! each tick idle agents move from partitions that can spare them to
//! partitions whose pending demand exceeds their free resources
//! (`arch::rebalance::plan`). A moving agent leaves its master at once and
//! belongs to no partition for `move_cost`; then it registers with its new
//! partition's master, which runs an allocation for it.

use super::*;
use crate::arch::rebalance::{self, Idle, Load};

impl<'m> Simulation<'m> {
    /// A rebalancing tick: plan the moves, start them, arm the next tick.
    pub(super) fn rebalance_tick(&mut self) {
        let model = self.model;
        let Some(rb) = model.partitions.rebalance else {
            return;
        };
        self.queue.push(self.now.plus(rb.every), Event::Rebalance);
        let n = self.masters.len();
        let mut loads: Vec<Load> = self
            .masters
            .iter()
            .map(|m| Load {
                demand: Quantities::ZERO,
                free: m
                    .totals()
                    .minus(&m.allocated_total())
                    .minus(&m.offered_total()),
            })
            .collect();
        // A partition with no leader (between a master failover and the
        // election) neither gives nor receives agents.
        let leading: Vec<bool> = (0..n)
            .map(|p| self.failover.leads(PartitionId(p as u32)))
            .collect();
        for (f, fm) in self.frameworks.iter().enumerate() {
            let parts = &self.fw_partitions[f];
            if self.fw_removed[f] || !self.framework_state(FrameworkId(f as u32)).active {
                continue;
            }
            let mut pending = Quantities::ZERO;
            for p in fm.pending.values() {
                pending.add(&p.total);
            }
            let k = parts.len() as u64;
            let mut share = Quantities::ZERO;
            for (r, v) in pending.iter() {
                share.set(r, v / k);
            }
            for p in parts {
                if leading[p.index()] {
                    loads[p.index()].demand.add(&share);
                }
            }
        }
        let mut total = Quantities::ZERO;
        for m in &self.masters {
            total.add(&m.totals());
        }
        // What is offered on each agent is in its master's offer book, not
        // in the agent's state.
        let offered: Vec<Vec<bool>> = self.masters.iter().map(|m| m.agents_offered()).collect();
        let idle: Vec<Idle> = (0..model.agents.len())
            .filter_map(|a| {
                let agent = AgentId(a as u32);
                let p = self.partition_of[a];
                if self.moving[a].is_some() || p.index() >= n || !leading[p.index()] {
                    return None;
                }
                let st = self.masters[p.index()].agent(agent);
                let registered = model.agent_group(agent).resources.clone();
                let idle = st.present
                    && st.active
                    && st.maintenance.is_none()
                    && !offered[p.index()][a]
                    && st.allocated.is_empty()
                    && st.available == st.total
                    && st.total == registered
                    && self.cluster.agent(agent).up
                    && self.cluster.agent(agent).running() == 0;
                idle.then(|| Idle {
                    agent,
                    partition: p,
                    resources: st.total.total(),
                })
            })
            .collect();
        for mv in rebalance::plan(&loads, &idle, &total) {
            let a = mv.agent;
            let left = self.masters[mv.from.index()].remove_agent(model, a);
            debug_assert!(left.is_empty(), "an idle agent has no offers");
            self.moving[a.index()] = Some(mv.to);
            self.agents_moved += 1;
            self.queue.push(
                self.now.plus(rb.move_cost),
                Event::AgentMoved {
                    agent: a,
                    to: mv.to,
                    epoch: self.agent_epoch[a.index()],
                },
            );
        }
    }

    /// A moving agent arrives in its new partition (unless it was removed
    /// meanwhile: its epoch moved).
    pub(super) fn agent_moved(&mut self, agent: AgentId, to: PartitionId, epoch: u64) {
        if self.moving[agent.index()].is_none() || self.agent_epoch[agent.index()] != epoch {
            return;
        }
        self.moving[agent.index()] = None;
        self.partition_of[agent.index()] = to;
        self.masters[to.index()].add_agent(self.model, agent);
        self.request_run(Trigger::Agent(agent));
    }

    /// A moving agent fails: the move ends where it was going. The agent
    /// now belongs to the receiving partition, down and registered with no
    /// master; it registers with that partition's master when it recovers.
    /// Returns whether the agent was moving.
    pub(super) fn fail_moving(&mut self, agent: AgentId) -> bool {
        let Some(to) = self.moving[agent.index()].take() else {
            return false;
        };
        self.partition_of[agent.index()] = to;
        true
    }

    /// `agent_remove` (or `agent_drain`) of an agent between partitions:
    /// it never arrives. Returns whether the agent was moving.
    pub(super) fn remove_moving(&mut self, agent: AgentId) -> bool {
        if self.moving[agent.index()].is_none() {
            return false;
        }
        self.moving[agent.index()] = None;
        self.agent_epoch[agent.index()] += 1;
        self.cluster.agent_down(agent);
        true
    }
}
