//! `faults:`: random agent failures, each process with its up-time and
//! down-time distributions and the agents it covers.

use super::*;
use crate::dist::Dist;
use crate::scenario::resolve::generator::dist_of;

impl Resolver<'_> {
    /// The fault processes and, per agent, the first process naming it.
    pub(super) fn resolve_faults(
        &self,
        raw: Option<&RawFaults>,
    ) -> Result<(Vec<FaultSpec>, Vec<Option<u32>>), InputError> {
        let mut specs = Vec::new();
        let mut fault_of: Vec<Option<u32>> = vec![None; self.agents.len()];
        let Some(RawFaults(list)) = raw else {
            return Ok((specs, fault_of));
        };
        let err = |at: &str, m: String| self.err(at, m);
        for (i, f) in list.iter().enumerate() {
            let at = if list.len() == 1 {
                "faults".to_string()
            } else {
                format!("faults[{i}]")
            };
            let read = |file: &str, at: &str| -> Result<Dist, InputError> {
                let p = self.base.join(file);
                match crate::workload::generate::read_empirical(&p, &p.display().to_string(), true)
                {
                    Err(e) if e.line.is_none() => Err(self.err(at, e.to_string())),
                    r => r,
                }
            };
            let dist = |d: &RawDist<Dur>, key: &str| -> Result<Dist, InputError> {
                let kat = format!("{at}.{key}");
                let d = dist_of(d, |v: Dur| v.0 as f64, false, &kat, &err, &read)?
                    .expect("not forever");
                if d.mean().is_some_and(|m| m <= 0.0) {
                    return Err(self.err(&kat, format!("`{key}` must have a mean above 0")));
                }
                Ok(d)
            };
            let mtbf = dist(&f.agent_mtbf, "agent_mtbf")?;
            let mttr = dist(&f.agent_mttr, "agent_mttr")?;
            let n = specs.len() as u32;
            specs.push(FaultSpec { mtbf, mttr });
            match &f.agents {
                None => {
                    for slot in fault_of.iter_mut().filter(|s| s.is_none()) {
                        *slot = Some(n);
                    }
                }
                Some(names) => {
                    for (j, name) in names.iter().enumerate() {
                        let aat = format!("{at}.agents[{j}]");
                        let ids: Vec<AgentId> = match self.agent_names.counted.get(name) {
                            Some(&(count, first)) => {
                                (0..count as u32).map(|k| AgentId(first.0 + k)).collect()
                            }
                            None => vec![self.agent(name, &aat)?],
                        };
                        for a in ids {
                            let slot = &mut fault_of[a.index()];
                            if slot.is_none() {
                                *slot = Some(n);
                            }
                        }
                    }
                }
            }
        }
        Ok((specs, fault_of))
    }

    /// `rack_fail: {attribute, value}`: every agent (listed or added by an
    /// event) with that attribute value, in id order.
    pub(super) fn rack_agents(
        &self,
        attribute: &str,
        value: &str,
        at: At,
    ) -> Result<Vec<AgentId>, InputError> {
        let agents: Vec<AgentId> = (0..self.agents.len())
            .filter(|&i| {
                let g = &self.agent_groups[self.agents[i].group as usize];
                g.attributes
                    .iter()
                    .any(|(k, v)| k == attribute && v == value)
            })
            .map(|i| AgentId(i as u32))
            .collect();
        if agents.is_empty() {
            return Err(self.err(
                at,
                format!("no agent has the attribute `{attribute}: {value}`"),
            ));
        }
        Ok(agents)
    }
}
