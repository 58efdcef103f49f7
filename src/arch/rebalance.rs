//! Partition rebalancing (`partitions.rebalance`, docs/partitions.md): the
//! rule that picks which idle agents move between partitions at a
//! rebalancing tick. Pure: the engine gathers the loads and applies the
//! moves (the agent leaves its master at once and joins the other
//! `move_cost` later).

use crate::cluster::resources::Quantities;
use crate::{AgentId, PartitionId};

/// `partitions.rebalance.policy`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RebalancePolicy {
    /// Idle agents go from partitions that can spare them to partitions
    /// whose pending demand exceeds their free resources.
    #[default]
    Demand,
}

/// `partitions.rebalance`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rebalance {
    /// Time between ticks (µs, > 0); the first at `every`.
    pub every: u64,
    pub policy: RebalancePolicy,
    /// How long a moving agent belongs to no partition (µs).
    pub move_cost: u64,
}

/// One partition at a tick.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Load {
    /// What its frameworks' pending tasks ask for (each framework's
    /// pending resources divided evenly among its partitions).
    pub demand: Quantities,
    /// Its agents' resources neither allocated nor offered.
    pub free: Quantities,
}

/// An agent that may move: registered, nothing allocated, offered or
/// reserved on it beyond what it registered with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Idle {
    pub agent: AgentId,
    pub partition: PartitionId,
    pub resources: Quantities,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Move {
    pub agent: AgentId,
    pub from: PartitionId,
    pub to: PartitionId,
}

fn dominant(q: &Quantities, total: &Quantities) -> f64 {
    q.iter()
        .zip(total.iter())
        .filter(|(_, (_, t))| *t > 0)
        .map(|((_, x), (_, t))| x as f64 / t as f64)
        .fold(0.0, f64::max)
}

/// The moves of one tick:
///
/// 1. A partition's deficit is its demand minus its free resources (per
///    resource, not below 0). Partitions with a deficit are receivers,
///    largest deficit first (its dominant share of the cluster's total;
///    ties: lower partition).
/// 2. Each receiver in turn gets at most one agent: among the idle agents
///    of partitions without a deficit whose departure leaves their
///    partition's free resources covering its demand, the one that covers
///    most of the receiver's deficit (the dominant share of
///    min(agent, deficit); ties: lower agent id). None if no agent covers
///    any of it. The donor's free resources shrink and the receiver's grow
///    by the agent's before the next receiver is served.
pub fn plan(loads: &[Load], idle: &[Idle], total: &Quantities) -> Vec<Move> {
    let mut free: Vec<Quantities> = loads.iter().map(|l| l.free).collect();
    let deficit = |p: usize, free: &[Quantities]| loads[p].demand.minus(&free[p]);
    let mut receivers: Vec<(f64, usize)> = (0..loads.len())
        .filter(|&p| !deficit(p, &free).is_empty())
        .map(|p| (dominant(&deficit(p, &free), total), p))
        .collect();
    receivers.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let is_receiver: Vec<bool> = (0..loads.len())
        .map(|p| receivers.iter().any(|r| r.1 == p))
        .collect();
    let mut taken = vec![false; idle.len()];
    let mut moves = Vec::new();
    for &(_, r) in &receivers {
        let need = deficit(r, &free);
        let mut best: Option<(f64, usize)> = None;
        for (i, a) in idle.iter().enumerate() {
            let d = a.partition.index();
            if taken[i] || d == r || is_receiver[d] {
                continue;
            }
            let Some(left) = free[d].checked_sub(&a.resources) else {
                continue;
            };
            if !left.contains(&loads[d].demand) {
                continue;
            }
            let gain = dominant(&a.resources.min_each(&need), total);
            if gain > 0.0
                && best.is_none_or(|(g, j)| gain > g || (gain == g && a.agent < idle[j].agent))
            {
                best = Some((gain, i));
            }
        }
        if let Some((_, i)) = best {
            let a = &idle[i];
            taken[i] = true;
            let d = a.partition.index();
            free[d] = free[d].minus(&a.resources);
            free[r].add(&a.resources);
            moves.push(Move {
                agent: a.agent,
                from: a.partition,
                to: PartitionId(r as u32),
            });
        }
    }
    moves
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::resources::ResId;

    fn q(cpus: u64) -> Quantities {
        let mut q = Quantities::ZERO;
        q.set(ResId(0), cpus * 1000);
        q
    }

    #[test]
    fn an_idle_agent_goes_where_demand_exceeds_free() {
        let loads = [
            Load {
                demand: q(0),
                free: q(8),
            },
            Load {
                demand: q(6),
                free: q(0),
            },
            Load {
                demand: q(2),
                free: q(1),
            },
        ];
        let idle = [
            Idle {
                agent: AgentId(0),
                partition: PartitionId(0),
                resources: q(4),
            },
            Idle {
                agent: AgentId(1),
                partition: PartitionId(0),
                resources: q(4),
            },
        ];
        let moves = plan(&loads, &idle, &q(20));
        // Partition 1 lacks 6, partition 2 lacks 1: 1 is served first.
        assert_eq!(
            moves,
            [
                Move {
                    agent: AgentId(0),
                    from: PartitionId(0),
                    to: PartitionId(1)
                },
                Move {
                    agent: AgentId(1),
                    from: PartitionId(0),
                    to: PartitionId(2)
                },
            ]
        );
        // A donor keeps what its own demand needs.
        let loads = [
            Load {
                demand: q(5),
                free: q(8),
            },
            Load {
                demand: q(6),
                free: q(0),
            },
        ];
        assert!(plan(&loads, &idle, &q(20)).is_empty());
    }
}
