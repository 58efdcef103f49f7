//! Agents: entries, counted groups, id collisions, lookups.

use super::*;

impl Resolver<'_> {
    pub(super) fn add_agents(
        &mut self,
        a: &RawAgent,
        at: At,
        time: Option<SimTime>,
    ) -> Result<(), InputError> {
        validate_id("agent", &a.id).map_err(|m| self.err(&format!("{at}.id"), m))?;
        let count = match a.count {
            Some(0) => return Err(self.err(&format!("{at}.count"), "`count` must be at least 1")),
            Some(n) if n > MAX_AGENTS => {
                return Err(self.err(
                    &format!("{at}.count"),
                    format!("{n} agents in one entry is more than the limit of {MAX_AGENTS}"),
                ))
            }
            other => other,
        };
        let n = count.unwrap_or(1);
        if self.agents.len() as u64 + n > MAX_AGENTS {
            return Err(self.err(
                &format!("{at}.count"),
                format!("the scenario would have more than {MAX_AGENTS} agents"),
            ));
        }
        let first = AgentId(self.agents.len() as u32);
        match count {
            Some(c) => {
                if let Some(taken) = self.agent_names.counted_collides(&a.id, c) {
                    return Err(self.err(
                        &format!("{at}.id"),
                        format!(
                            "agent id `{taken}` (from `{}` with count {c}) is used twice",
                            a.id
                        ),
                    ));
                }
                self.agent_names.counted.insert(a.id.clone(), (c, first));
            }
            None => {
                if self.agent_names.lookup(&a.id).is_some() {
                    return Err(self.err(
                        &format!("{at}.id"),
                        format!("agent id `{}` is used twice", a.id),
                    ));
                }
                self.agent_names.plain.insert(a.id.clone(), first);
            }
        }
        let unreserved = self.quantities(&a.resources, &format!("{at}.resources"))?;
        let mut resources = ResourceSet::unreserved(unreserved);
        for (role, res) in &a.reserved.0 {
            let rat = format!("{at}.reserved.{role}");
            if role == "*" {
                return Err(self.err(
                    &rat,
                    "resources reserved for `*` are simply unreserved; list them under `resources`",
                ));
            }
            let rid = self.role(role, &rat)?;
            let q = self.quantities(res, &rat)?;
            resources.add_reserved(rid, &q);
        }
        let attributes = a
            .attributes
            .0
            .iter()
            .map(|(k, v)| (k.clone(), v.0.clone()))
            .collect();
        let group = self.agent_groups.len() as u32;
        self.agent_groups.push(AgentGroup {
            base_id: a.id.clone(),
            counted: count.is_some(),
            resources,
            attributes,
        });
        for i in 0..n {
            self.agents.push(AgentSpec {
                group,
                index: (i + 1) as u32,
                at: time,
            });
        }
        Ok(())
    }

    pub(super) fn agent(&self, name: &str, at: At) -> Result<AgentId, InputError> {
        self.agent_names.lookup(name).ok_or_else(|| {
            let known = self.agent_names.plain.keys().map(String::as_str);
            let hint = did_you_mean(name, known);
            self.err(at, format!("no agent `{name}` in this scenario{hint}"))
        })
    }
}
