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
        let resources = self.resource_set(&a.resources, &a.reserved, at)?;
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
            running: Vec::new(),
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

    /// An agent's total as an agents entry gives it: `resources`
    /// unreserved, `reserved` role → resources (at `{at}.resources` and
    /// `{at}.reserved`).
    pub(super) fn resource_set(
        &mut self,
        unreserved: &RawResources,
        reserved: &OrderedMap<RawResources>,
        at: &str,
    ) -> Result<ResourceSet, InputError> {
        let unreserved = self.quantities(unreserved, &format!("{at}.resources"))?;
        let mut resources = ResourceSet::unreserved(unreserved);
        for (role, res) in &reserved.0 {
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
        Ok(resources)
    }

    pub(super) fn agent(&self, name: &str, at: At) -> Result<AgentId, InputError> {
        self.agent_names.lookup(name).ok_or_else(|| {
            let known = self.agent_names.plain.keys().map(String::as_str);
            let hint = did_you_mean(name, known);
            self.err(at, format!("no agent `{name}` in this scenario{hint}"))
        })
    }
}

impl Resolver<'_> {
    /// `agents[].running`, once frameworks are known: each entry's
    /// framework, role and resources, checked against the agent.
    pub(super) fn resolve_running(&mut self, raw: &RawScenario) -> Result<(), InputError> {
        let mut entries: Vec<(&RawAgent, String, SimTime)> = Vec::new();
        for (i, a) in raw.agents.iter().enumerate() {
            let t = a.at.map_or(SimTime::ZERO, |d| SimTime(d.0));
            entries.push((a, format!("agents[{i}]"), t));
        }
        for (i, e) in raw.events.iter().enumerate() {
            if let Some(a) = &e.agent_add {
                entries.push((a, format!("events[{i}].agent_add"), SimTime(e.at.0)));
            }
        }
        for (group, (a, at, time)) in entries.into_iter().enumerate() {
            let mut held = ResourceSet::default();
            let mut running = Vec::new();
            for (k, r) in a.running.iter().enumerate() {
                let rat = format!("{at}.running[{k}]");
                if raw.partitions.is_some() {
                    return Err(self.err(&rat, "`running` is not supported with `partitions:` yet"));
                }
                let fw = self.framework(&r.framework, &format!("{rat}.framework"))?;
                let (fw_at, fw_roles) = {
                    let spec = &self.frameworks[fw.index()];
                    (spec.at, spec.roles.clone())
                };
                let role = match &r.role {
                    None => fw_roles[0],
                    Some(name) => {
                        let rid = self.role(name, &format!("{rat}.role"))?;
                        if !fw_roles.contains(&rid) {
                            return Err(self.err(
                                &format!("{rat}.role"),
                                format!(
                                    "framework `{}` is not subscribed to role `{name}`",
                                    r.framework
                                ),
                            ));
                        }
                        rid
                    }
                };
                if fw_at >= time {
                    return Err(self.err(
                        &format!("{rat}.framework"),
                        format!(
                            "framework `{}` registers at {fw_at}s, not before the agent (at {time}s): \
                             a task can be running on an agent only for a framework the master \
                             already knows",
                            r.framework
                        ),
                    ));
                }
                let unreserved = self.quantities(&r.resources, &format!("{rat}.resources"))?;
                let reserved = self.quantities(&r.reserved, &format!("{rat}.reserved"))?;
                let mut resources = ResourceSet::unreserved(unreserved);
                if !reserved.is_empty() {
                    resources.add_reserved(role, &reserved);
                }
                if resources.is_empty() {
                    return Err(self.err(&rat, "a running task needs `resources` or `reserved`"));
                }
                held.add(&resources);
                if !self.agent_groups[group].resources.contains(&held) {
                    return Err(self.err(
                        &rat,
                        "the agent's running tasks need more than the agent has (unreserved \
                         resources, or resources reserved for the task's role)",
                    ));
                }
                let duration = match r.for_ {
                    Some(Dur(0)) => {
                        return Err(self.err(&format!("{rat}.for"), "`for` must be positive"))
                    }
                    other => other.map(|d| d.0),
                };
                running.push(RunningSpec {
                    framework: fw,
                    role,
                    resources,
                    duration,
                });
            }
            self.agent_groups[group].running = running;
        }
        Ok(())
    }
}
