//! An allocation run under a whole-allocator policy
//! ([`crate::policy::WholePolicy`], e.g. `auction`): the master builds a
//! read-only view, the policy returns grants, the master checks them and
//! makes the offers. Budgets accrue here, before the view is built.

use super::allocate::{Offerable, RunOutput};
use super::Master;
use crate::cluster::resources::{Quantities, ResourceSet};
use crate::policy::whole::{AgentView, ClientView, OfferCheck, PartitionView, Sale, WholePolicy};
use crate::scenario::model::Model;
use crate::sim::rng::Stream;
use crate::sim::time::SimTime;
use crate::{AgentId, FrameworkId, RoleId};
use std::collections::BTreeMap;

/// A framework's pending tasks in one role (resource vector → how many),
/// and those of them whose job's deadline is still ahead.
pub type Pending<'p> = &'p dyn Fn(FrameworkId, RoleId) -> Demand<'p>;

/// What `Pending` gives for one client.
#[derive(Clone, Copy, Debug, Default)]
pub struct Demand<'p> {
    pub pending: Option<&'p BTreeMap<Quantities, u64>>,
    /// Only for frameworks whose valuation has a deadline bonus.
    pub urgent: Option<&'p BTreeMap<Quantities, u64>>,
}

struct Checker<'m> {
    master: &'m Master,
    model: &'m Model,
}

impl OfferCheck for Checker<'_> {
    fn may_offer(&self, client: &ClientView<'_>, agent: AgentId, resources: &Quantities) -> bool {
        let res = ResourceSet::unreserved(*resources);
        let (m, fw) = (self.master, client.framework);
        m.capable(self.model, fw, agent)
            && m.allocatable(self.model, fw, &res)
            && !m.is_filtered(fw, client.role, agent, &res)
    }
}

impl Master {
    /// Credits accrue from the last run to `now` at `budget_rate` × the
    /// weight of the framework's first role, capped at `max_budget`.
    fn accrue_budgets(&mut self, model: &Model, now: SimTime) {
        let params = &model.master.policy_params;
        let dt = now.0.saturating_sub(self.budgets_at.0) as f64 / 1e6;
        self.budgets_at = now;
        for fw in 0..self.frameworks.len() {
            let f = &self.frameworks[fw];
            if !f.registered {
                continue;
            }
            let weight = f
                .roles
                .first()
                .map_or(1.0, |r| self.roles[r.role.index()].weight);
            let f = &mut self.frameworks[fw];
            f.budget = (f.budget + params.budget_rate * weight * dt).min(params.max_budget);
        }
    }

    /// One allocation run under `policy`; `pending` gives each framework's
    /// pending tasks per role.
    pub fn run_whole_allocation(
        &mut self,
        model: &Model,
        policy: &dyn WholePolicy,
        now: SimTime,
        shuffle: &mut Stream,
        pending: Pending<'_>,
    ) -> RunOutput {
        let (candidates, agents) = self.begin_run(shuffle);
        if policy.uses_budgets() {
            self.accrue_budgets(model, now);
        }
        let mut out = RunOutput {
            agents_considered: agents.len(),
            ..RunOutput::default()
        };

        let (grants, keys, agent_ids) = {
            let agent_views: Vec<AgentView> = agents
                .iter()
                .map(|&agent| AgentView {
                    agent,
                    free: self.agents[agent.index()].available.unreserved,
                })
                .collect();
            let mut clients = Vec::new();
            for (i, f) in self.frameworks.iter().enumerate() {
                if !f.active {
                    continue;
                }
                let fw = FrameworkId(i as u32);
                for r in f.roles.iter().filter(|r| !r.suppressed) {
                    let demand = pending(fw, r.role);
                    clients.push(ClientView {
                        framework: fw,
                        role: r.role,
                        name: &model.frameworks[i].id,
                        allocation: r.offered.plus(&r.allocated),
                        weight: self.roles[r.role.index()].weight,
                        pending: demand.pending,
                        urgent: demand.urgent,
                        budget: f.budget,
                        valuation: &model.frameworks[i].valuation,
                    });
                }
            }
            let checker = Checker {
                master: self,
                model,
            };
            let view = PartitionView::new(
                now,
                self.totals,
                agent_views,
                clients,
                &model.master.policy_params,
                &checker,
            );
            let grants = policy.allocate(&view);
            // Check every grant against the view before anything changes.
            let mut free: Vec<Quantities> = view.agents.iter().map(|a| a.free).collect();
            for g in &grants {
                let ok = g.client < view.clients.len()
                    && g.agent < view.agents.len()
                    && !g.resources.is_empty()
                    && free[g.agent].contains(&g.resources)
                    && view.may_offer(g.client, g.agent, &g.resources)
                    && g.payment.is_finite()
                    && g.payment >= 0.0;
                assert!(
                    ok,
                    "policy `{}` made a grant it may not: {g:?}",
                    policy.name()
                );
                free[g.agent] = free[g.agent].minus(&g.resources);
            }
            let keys: Vec<(FrameworkId, RoleId)> =
                view.clients.iter().map(|c| (c.framework, c.role)).collect();
            let agent_ids: Vec<AgentId> = view.agents.iter().map(|a| a.agent).collect();
            (grants, keys, agent_ids)
        };

        let mut offerable = Offerable::new(self.agents.len());
        for g in grants {
            let (fw, role) = keys[g.client];
            let agent = agent_ids[g.agent];
            let res = ResourceSet::unreserved(g.resources);
            let joins = offerable.add((fw, role, agent), &res);
            let ok = self.agents[agent.index()].available.sub(&res);
            debug_assert!(ok);
            self.sync_avail(agent.index());
            self.charge_offer(model, (fw, role, agent), &res, joins, false, None);
            if policy.uses_budgets() {
                let f = &mut self.frameworks[fw.index()];
                f.budget = (f.budget - g.payment).max(0.0);
                out.sales.push(Sale {
                    agent,
                    framework: fw,
                    role,
                    resources: g.resources,
                    bid: g.bid,
                    price: g.payment,
                    bidders: g.bidders,
                    budget: f.budget,
                });
            }
        }
        self.finish_run(offerable, &candidates, now, &mut out);
        out
    }
}
