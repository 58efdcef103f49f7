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
/// pending tasks (those that fit) are used up as it wins.
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
        let mut pending: Vec<BTreeMap<Quantities, u64>> = view
            .clients
            .iter()
            .map(|c| c.pending.cloned().unwrap_or_default())
            .collect();
        let mut grants = Vec::new();
        for (ai, agent) in view.agents.iter().enumerate() {
            if agent.free.is_empty() {
                continue;
            }
            // (bid, client, tasks won, their resources)
            let mut bids: Vec<(f64, usize, u64, Quantities)> = Vec::new();
            for (ci, client) in view.clients.iter().enumerate() {
                let (tasks, used) = fit_pending(&pending[ci], &agent.free);
                if tasks == 0 || !view.may_offer(ci, ai, &agent.free) {
                    continue;
                }
                let value = client.valuation.value(tasks, &used);
                bids.push((value.min(budget[ci]).max(0.0), ci, tasks, used));
            }
            if bids.is_empty() {
                continue;
            }
            // Highest bid first; equal bids keep client order (stable).
            bids.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal));
            let (bid, winner, _, _) = bids[0];
            let price = bids.get(1).map_or(0.0, |b| b.0);
            budget[winner] -= price;
            take_fitting(&mut pending[winner], &agent.free);
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
