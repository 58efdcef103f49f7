//! `auction`: each allocation run sells each agent's free resources in a
//! sealed-bid second-price (Vickrey) auction among the clients with pending
//! work that fits (docs/policies.md).

use super::whole::{fit_pending, take_fitting, Grant, PartitionView, WholePolicy};
use crate::cluster::resources::Quantities;
use std::collections::BTreeMap;

/// The `auction` policy. Agents are sold one after another in the run's
/// (shuffled) order. On each, every client that may be offered the agent's
/// free resources and has pending tasks that fit bids the value of those
/// tasks (its `frameworks[].valuation`), capped by its budget. The highest
/// bid wins (ties: the earlier client, by framework id then role); the
/// winner is offered the whole free part of the agent and pays the second
/// highest bid (0 when it bids alone). Within a run the winner's budget and
/// pending tasks (those that fit) are used up as it wins. With a
/// `deadline_bonus`, tasks of jobs whose deadline is still ahead are packed
/// first and each adds the bonus to the bid.
#[derive(Clone, Copy, Debug, Default)]
pub struct Auction;

impl WholePolicy for Auction {
    fn name(&self) -> &str {
        "auction"
    }
    fn uses_budgets(&self) -> bool {
        true
    }
    fn allocate(&self, view: &PartitionView<'_>) -> Vec<Grant> {
        let mut budget: Vec<f64> = view.clients.iter().map(|c| c.budget).collect();
        // Each client's pending tasks in two parts: those of jobs whose
        // deadline is still ahead (only with a deadline bonus), packed
        // first, and the rest.
        let mut urgent: Vec<BTreeMap<Quantities, u64>> = view
            .clients
            .iter()
            .map(|c| c.urgent.cloned().unwrap_or_default())
            .collect();
        let mut rest: Vec<BTreeMap<Quantities, u64>> = view
            .clients
            .iter()
            .zip(&urgent)
            .map(|(c, u)| {
                let mut p = c.pending.cloned().unwrap_or_default();
                for (shape, n) in u {
                    if let Some(m) = p.get_mut(shape) {
                        *m = m.saturating_sub(*n);
                    }
                }
                p.retain(|_, n| *n > 0);
                p
            })
            .collect();
        let mut grants = Vec::new();
        for (ai, agent) in view.agents.iter().enumerate() {
            if agent.free.is_empty() {
                continue;
            }
            // (bid, client)
            let mut bids: Vec<(f64, usize)> = Vec::new();
            for (ci, client) in view.clients.iter().enumerate() {
                let (hot, hot_used) = fit_pending(&urgent[ci], &agent.free);
                let (cold, cold_used) = fit_pending(&rest[ci], &agent.free.minus(&hot_used));
                let tasks = hot + cold;
                if tasks == 0 || !view.may_offer(ci, ai, &agent.free) {
                    continue;
                }
                let value =
                    client
                        .valuation
                        .value_with_deadlines(tasks, &hot_used.plus(&cold_used), hot);
                bids.push((value.min(budget[ci]).max(0.0), ci));
            }
            if bids.is_empty() {
                continue;
            }
            // Highest bid first; equal bids keep client order (stable).
            bids.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal));
            let (bid, winner) = bids[0];
            let price = bids.get(1).map_or(0.0, |b| b.0);
            budget[winner] -= price;
            let (_, hot_used) = fit_pending(&urgent[winner], &agent.free);
            take_fitting(&mut urgent[winner], &agent.free);
            take_fitting(&mut rest[winner], &agent.free.minus(&hot_used));
            grants.push(Grant {
                client: winner,
                agent: ai,
                resources: agent.free,
                payment: price,
                bid,
                bidders: bids.len() as u32,
            });
        }
        grants
    }
}
