//! `partitions:`: how agents are split among masters, and which masters
//! each framework registers with.

use super::*;
use crate::PartitionId;

/// At most this many partitions (each is a master with its own state).
pub const MAX_PARTITIONS: u32 = 4096;

/// FNV-1a, 64-bit, of the agent id's UTF-8 bytes: the `hash` assignment
/// (stable across platforms and versions; documented in docs/partitions.md).
pub fn fnv1a(text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

impl Resolver<'_> {
    fn agent_display_name(&self, a: usize) -> String {
        let spec = &self.agents[a];
        let group = &self.agent_groups[spec.group as usize];
        if group.counted {
            format!("{}{}", group.base_id, spec.index)
        } else {
            group.base_id.clone()
        }
    }

    /// Resolves `partitions`, `agents[].partition` and
    /// `frameworks[].partitions` once every agent and framework is known.
    pub(super) fn resolve_partitions(
        &mut self,
        raw: &RawScenario,
    ) -> Result<Partitions, InputError> {
        let n = self.agents.len();
        let mut capacity_all = Quantities::ZERO;
        for a in &self.agents {
            capacity_all.add(&self.agent_groups[a.group as usize].resources.total());
        }
        // Each agent group's registration time and explicit partition, in
        // the order the groups were made (`agents:`, then `agent_add` events).
        let mut group_time: Vec<u64> = Vec::new();
        let mut explicit: Vec<Option<(u32, String)>> = Vec::new();
        for (i, a) in raw.agents.iter().enumerate() {
            group_time.push(a.at.map_or(0, |d| d.0));
            explicit.push(a.partition.map(|p| (p, format!("agents[{i}].partition"))));
        }
        for (i, e) in raw.events.iter().enumerate() {
            if let Some(a) = &e.agent_add {
                group_time.push(e.at.0);
                explicit.push(
                    a.partition
                        .map(|p| (p, format!("events[{i}].agent_add.partition"))),
                );
            }
        }
        let Some(spec) = &raw.partitions else {
            if let Some((_, at)) = explicit.iter().flatten().next() {
                return Err(self.err(at, "`partition` needs a `partitions:` section"));
            }
            for (i, f) in raw.frameworks.iter().enumerate() {
                if f.partitions.is_some() {
                    return Err(self.err(
                        &format!("frameworks[{i}].partitions"),
                        "`partitions` needs a `partitions:` section",
                    ));
                }
            }
            for f in &mut self.frameworks {
                f.partitions = vec![PartitionId(0)];
            }
            return Ok(Partitions::single(n, capacity_all));
        };

        // Values for `by_attribute`, lists for `lists`.
        let mut assigned: Vec<Option<u32>> = vec![None; n];
        let inferred = match &spec.assign {
            RawAssign::ByAttribute(key) => {
                let mut values: Vec<String> = Vec::new();
                for (a, slot) in assigned.iter_mut().enumerate() {
                    let group = &self.agent_groups[self.agents[a].group as usize];
                    let Some((_, v)) = group.attributes.iter().find(|(k, _)| k == key) else {
                        return Err(self.err(
                            "partitions.assign.by_attribute",
                            format!(
                                "agent {} has no attribute `{key}`, so `by_attribute: {key}` cannot place it; give it the attribute or an explicit `partition`",
                                self.agent_display_name(a)
                            ),
                        ));
                    };
                    let i = match values.iter().position(|x| x == v) {
                        Some(i) => i,
                        None => {
                            values.push(v.clone());
                            values.len() - 1
                        }
                    };
                    *slot = Some(i as u32);
                }
                Some(values.len() as u32)
            }
            RawAssign::Lists(lists) => {
                for (li, list) in lists.iter().enumerate() {
                    for (k, id) in list.iter().enumerate() {
                        let at = format!("partitions.assign.lists[{li}][{k}]");
                        let Some(a) = self.agent_names.lookup(id) else {
                            let names: Vec<String> =
                                (0..n).map(|a| self.agent_display_name(a)).collect();
                            let hint = nearest(id, names.iter().map(|s| s.as_str()))
                                .map(|s| format!(" (did you mean `{s}`?)"))
                                .unwrap_or_default();
                            return Err(self.err(&at, format!("no agent `{id}`{hint}")));
                        };
                        if assigned[a.index()].is_some() {
                            return Err(
                                self.err(&at, format!("agent `{id}` is in two partition lists"))
                            );
                        }
                        assigned[a.index()] = Some(li as u32);
                    }
                }
                Some(lists.len() as u32)
            }
            RawAssign::RoundRobin | RawAssign::Hash => None,
        };
        let count = match (spec.count, inferred) {
            (Some(c), Some(i)) if c != i => {
                return Err(self.err(
                    "partitions.count",
                    format!("`count: {c}` but the assignment makes {i} partitions; leave `count` out or make them agree"),
                ))
            }
            (Some(c), _) => c,
            (None, Some(i)) => i,
            (None, None) => 1,
        };
        if count == 0 {
            return Err(self.err("partitions.count", "`count` must be at least 1"));
        }
        if count > MAX_PARTITIONS {
            return Err(self.err(
                "partitions.count",
                format!("{count} partitions is more than the limit of {MAX_PARTITIONS}"),
            ));
        }
        match &spec.assign {
            RawAssign::RoundRobin => {
                // Registration order: time, then the order agents are listed.
                let mut order: Vec<usize> = (0..n).collect();
                order.sort_by_key(|&a| (group_time[self.agents[a].group as usize], a));
                for (rank, a) in order.into_iter().enumerate() {
                    assigned[a] = Some((rank % count as usize) as u32);
                }
            }
            RawAssign::Hash => {
                for (a, slot) in assigned.iter_mut().enumerate() {
                    let name = self.agent_display_name(a);
                    *slot = Some((fnv1a(&name) % u64::from(count)) as u32);
                }
            }
            RawAssign::ByAttribute(_) | RawAssign::Lists(_) => {}
        }
        // Explicit `partition` keys win.
        for (a, slot) in assigned.iter_mut().enumerate() {
            if let Some((p, at)) = &explicit[self.agents[a].group as usize] {
                if *p >= count {
                    return Err(self.err(
                        at,
                        format!(
                            "partition {p} does not exist: partitions are 0 to {}",
                            count - 1
                        ),
                    ));
                }
                *slot = Some(*p);
            }
        }
        let mut of_agent = Vec::with_capacity(n);
        for (a, slot) in assigned.iter().enumerate() {
            match slot {
                Some(p) => of_agent.push(PartitionId(*p)),
                None => {
                    return Err(self.err(
                        "partitions.assign.lists",
                        format!(
                            "agent {} is in no partition list; list every agent once",
                            self.agent_display_name(a)
                        ),
                    ))
                }
            }
        }
        let mut capacity = vec![Quantities::ZERO; count as usize];
        let mut agents_in = vec![0u64; count as usize];
        for (a, p) in of_agent.iter().enumerate() {
            capacity[p.index()].add(
                &self.agent_groups[self.agents[a].group as usize]
                    .resources
                    .total(),
            );
            agents_in[p.index()] += 1;
        }
        if let Some(p) = agents_in.iter().position(|&k| k == 0) {
            return Err(self.err(
                "partitions",
                format!(
                    "partition {p} gets no agent ({n} agent(s) into {count} partition(s)); every partition needs one"
                ),
            ));
        }
        // Frameworks: every partition unless listed.
        let all: Vec<PartitionId> = (0..count).map(PartitionId).collect();
        for f in &mut self.frameworks {
            f.partitions = all.clone();
        }
        for (i, f) in raw.frameworks.iter().enumerate() {
            let Some(list) = &f.partitions else { continue };
            let at = format!("frameworks[{i}].partitions");
            if list.is_empty() {
                return Err(self.err(&at, "a framework registers with at least one partition"));
            }
            let mut ps: Vec<PartitionId> = Vec::new();
            for &p in list {
                if p >= count {
                    return Err(self.err(
                        &at,
                        format!(
                            "partition {p} does not exist: partitions are 0 to {}",
                            count - 1
                        ),
                    ));
                }
                if ps.contains(&PartitionId(p)) {
                    return Err(self.err(&at, format!("partition {p} is listed twice")));
                }
                ps.push(PartitionId(p));
            }
            ps.sort();
            self.frameworks[i].partitions = ps;
        }
        let rebalance = match &spec.rebalance {
            None => None,
            Some(r) => Some(self.resolve_rebalance(r, count)?),
        };
        Ok(Partitions {
            count,
            of_agent,
            capacity,
            rebalance,
        })
    }

    /// `partitions.rebalance`: a positive period, the one policy, a move
    /// cost; refused with one partition.
    fn resolve_rebalance(
        &self,
        r: &RawRebalance,
        count: u32,
    ) -> Result<crate::arch::rebalance::Rebalance, InputError> {
        use crate::arch::rebalance::{Rebalance, RebalancePolicy};
        if r.every.0 == 0 {
            return Err(self.err("partitions.rebalance.every", "must be greater than 0"));
        }
        let policy = match r.policy.as_deref() {
            None | Some("demand") => RebalancePolicy::Demand,
            Some(other) => {
                return Err(self.err(
                    "partitions.rebalance.policy",
                    format!("unknown rebalancing policy `{other}`; expected `demand`"),
                ))
            }
        };
        if count < 2 {
            return Err(self.err(
                "partitions.rebalance",
                "rebalancing needs at least two partitions",
            ));
        }
        Ok(Rebalance {
            every: r.every.0,
            policy,
            move_cost: r.move_cost.map_or(0, |d| d.0),
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fnv1a_known_values() {
        // Published FNV-1a 64 test vectors.
        assert_eq!(super::fnv1a(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(super::fnv1a("a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(super::fnv1a("foobar"), 0x8594_4171_f739_67e8);
    }
}
