//! Scripted events: times, references to agents, roles and frameworks.

use super::*;

impl Resolver<'_> {
    /// The scripted events, and the attribute changes they make (for
    /// [`Model::attribute_changes`]).
    pub(super) fn resolve_events(
        &mut self,
        raw: &[RawEvent],
    ) -> Result<(Vec<ScriptedEvent>, AttributeChanges), InputError> {
        let mut out = Vec::new();
        let mut attribute_changes = AttributeChanges::new();
        // Agents added by events were numbered in file order above.
        let mut next_added = self
            .agents
            .iter()
            .position(|a| a.at.is_none())
            .unwrap_or(self.agents.len());
        for (i, e) in raw.iter().enumerate() {
            let at = format!("events[{i}]");
            let time = SimTime(e.at.0);
            let mut kinds: Vec<EventKind> = Vec::new();
            let mut actions = 0;
            if let Some(a) = &e.agent_add {
                // One entry with `count` adds all its agents at the same instant.
                actions += 1;
                for _ in 0..a.count.unwrap_or(1) {
                    kinds.push(EventKind::AgentAdd(AgentId(next_added as u32)));
                    next_added += 1;
                }
            }
            if let Some(name) = &e.agent_remove {
                actions += 1;
                kinds.push(EventKind::AgentRemove(
                    self.agent(name, &format!("{at}.agent_remove"))?,
                ));
            }
            if let Some(name) = &e.agent_fail {
                actions += 1;
                kinds.push(EventKind::AgentFail(vec![
                    self.agent(name, &format!("{at}.agent_fail"))?
                ]));
            }
            if let Some(r) = &e.rack_fail {
                actions += 1;
                let Text(value) = &r.value;
                let agents = self.rack_agents(&r.attribute, value, &format!("{at}.rack_fail"))?;
                kinds.push(EventKind::AgentFail(agents));
            }
            if let Some(name) = &e.agent_recover {
                actions += 1;
                kinds.push(EventKind::AgentRecover(
                    self.agent(name, &format!("{at}.agent_recover"))?,
                ));
            }
            if let Some(w) = &e.set_weight {
                actions += 1;
                let role = self.role(&w.role, &format!("{at}.set_weight.role"))?;
                let weight = self.weight(w.weight, &format!("{at}.set_weight.weight"))?;
                kinds.push(EventKind::SetWeight { role, weight });
            }
            for (key, target, suppress) in [
                ("suppress", &e.suppress, true),
                ("revive", &e.revive, false),
            ] {
                if let Some(t) = target {
                    actions += 1;
                    let kat = format!("{at}.{key}");
                    let framework = self.framework(&t.framework, &kat)?;
                    let mut roles = Vec::new();
                    for (j, r) in t.roles.iter().flatten().enumerate() {
                        let rid = self.role_ids.get(r).copied();
                        match rid {
                            Some(rid)
                                if self.frameworks[framework.index()].roles.contains(&rid) =>
                            {
                                roles.push(rid)
                            }
                            _ => {
                                return Err(self.err(
                                    &format!("{kat}.roles[{j}]"),
                                    format!(
                                        "framework `{}` is not subscribed to role `{r}`",
                                        t.framework
                                    ),
                                ))
                            }
                        }
                    }
                    kinds.push(if suppress {
                        EventKind::Suppress { framework, roles }
                    } else {
                        EventKind::Revive { framework, roles }
                    });
                }
            }
            if let Some(q) = &e.set_quota {
                actions += 1;
                let role = self.role(&q.role, &format!("{at}.set_quota.role"))?;
                let (quota, per_partition) = self.quota_spec(
                    role,
                    q.guarantee.as_ref(),
                    q.limit.as_ref(),
                    q.per_partition.as_deref(),
                    &format!("{at}.set_quota"),
                )?;
                kinds.push(EventKind::SetQuota {
                    role,
                    quota,
                    per_partition,
                });
            }
            for (key, r, reserve) in [
                ("reserve", &e.reserve, true),
                ("unreserve", &e.unreserve, false),
            ] {
                if let Some(r) = r {
                    actions += 1;
                    let kat = format!("{at}.{key}");
                    let agent = self.agent(&r.agent, &format!("{kat}.agent"))?;
                    if r.role == "*" {
                        return Err(self.err(
                            &format!("{kat}.role"),
                            "cannot reserve for the default role `*`",
                        ));
                    }
                    let role = self.role(&r.role, &format!("{kat}.role"))?;
                    let resources = self.quantities(&r.resources, &format!("{kat}.resources"))?;
                    kinds.push(if reserve {
                        EventKind::Reserve {
                            agent,
                            role,
                            resources,
                        }
                    } else {
                        EventKind::Unreserve {
                            agent,
                            role,
                            resources,
                        }
                    });
                }
            }
            if let Some(d) = &e.framework_disconnect {
                actions += 1;
                let kat = format!("{at}.framework_disconnect");
                let framework = self.framework(&d.framework, &format!("{kat}.framework"))?;
                kinds.push(EventKind::FrameworkDisconnect {
                    framework,
                    duration: d.duration.0,
                });
            }
            if let Some(m) = &e.maintenance {
                actions += 1;
                let mut agents = Vec::new();
                for (j, a) in m.agents.iter().enumerate() {
                    agents.push(self.agent(a, &format!("{at}.maintenance.agents[{j}]"))?);
                }
                kinds.push(EventKind::Maintenance {
                    agents,
                    start: m.start.map_or(0, |d| d.0),
                    duration: m.duration.0,
                });
            }
            if let Some(w) = &e.whitelist {
                actions += 1;
                let agents = match w {
                    RawWhitelist::All(s) if s == "all" => None,
                    RawWhitelist::All(_) => {
                        return Err(self.err(
                            &format!("{at}.whitelist"),
                            "expected a list of agent ids or `all`",
                        ))
                    }
                    RawWhitelist::Agents(ids) => {
                        let mut agents = Vec::new();
                        for (j, a) in ids.iter().enumerate() {
                            agents.push(self.agent(a, &format!("{at}.whitelist[{j}]"))?);
                        }
                        Some(agents)
                    }
                };
                kinds.push(EventKind::Whitelist { agents });
            }
            if let Some(r) = &e.offer_return {
                actions += 1;
                let kat = format!("{at}.offer_return");
                let (framework, agent, role) =
                    self.held_target(&r.framework, &r.agent, r.role.as_deref(), &kat)?;
                let part = match r.part.as_deref() {
                    None | Some("all") => ReturnPart::All,
                    Some("reserved") => ReturnPart::Reserved,
                    Some("unreserved") => ReturnPart::Unreserved,
                    Some(other) => {
                        return Err(self.err(
                            &format!("{kat}.part"),
                            format!(
                                "`{other}` is not a part of an offer: `all`, `reserved` or `unreserved`"
                            ),
                        ))
                    }
                };
                kinds.push(EventKind::OfferReturn {
                    framework,
                    agent,
                    role,
                    part,
                    refuse: r.refuse_seconds.map_or(0, |d| d.0),
                });
            }
            if let Some(u) = &e.update_allocation {
                actions += 1;
                let kat = format!("{at}.update_allocation");
                let (framework, agent, role) =
                    self.held_target(&u.framework, &u.agent, u.role.as_deref(), &kat)?;
                let ops = [
                    ("reserve", &u.reserve, AllocationOp::Reserve),
                    ("unreserve", &u.unreserve, AllocationOp::Unreserve),
                    ("remove", &u.remove, AllocationOp::Remove),
                ];
                let given: Vec<_> = ops.iter().filter(|(_, r, _)| r.is_some()).collect();
                let [(key, Some(res), op)] = given.as_slice() else {
                    return Err(self.err(
                        &kat,
                        "`update_allocation` needs exactly one of `reserve`, `unreserve` and `remove`",
                    ));
                };
                let resources = self.quantities(res, &format!("{kat}.{key}"))?;
                if resources.is_empty() {
                    return Err(self.err(
                        &format!("{kat}.{key}"),
                        "names no resources (every amount is 0)",
                    ));
                }
                kinds.push(EventKind::UpdateAllocation {
                    framework,
                    agent,
                    role,
                    op: *op,
                    resources,
                });
            }
            if let Some(u) = &e.agent_update {
                actions += 1;
                let kat = format!("{at}.agent_update");
                let agent = self.agent(&u.agent, &format!("{kat}.agent"))?;
                let total = if u.resources.is_some() || u.reserved.is_some() {
                    let none = RawResources::default();
                    let no_reservations = OrderedMap::default();
                    Some(self.resource_set(
                        u.resources.as_ref().unwrap_or(&none),
                        u.reserved.as_ref().unwrap_or(&no_reservations),
                        &kat,
                    )?)
                } else {
                    None
                };
                if let Some(attrs) = &u.attributes {
                    let attrs = attrs
                        .0
                        .iter()
                        .map(|(k, v)| (k.clone(), v.0.clone()))
                        .collect();
                    attribute_changes
                        .entry(agent)
                        .or_default()
                        .push((time, attrs));
                }
                if total.is_none() && u.attributes.is_none() {
                    return Err(self.err(
                        &kat,
                        "`agent_update` needs `resources`, `reserved` or `attributes`",
                    ));
                }
                kinds.push(EventKind::AgentUpdate {
                    agent,
                    total,
                    attributes_changed: u.attributes.is_some(),
                });
            }
            if let Some(d) = &e.agent_drain {
                actions += 1;
                kinds.push(EventKind::AgentDrain {
                    agent: self.agent(&d.agent, &format!("{at}.agent_drain.agent"))?,
                    deadline: d.deadline.map(|x| x.0),
                });
            }
            if let Some(f) = &e.master_failover {
                actions += 1;
                kinds.push(EventKind::MasterFailover(f.partition.map(PartitionId)));
            }
            match actions {
                1 => out.extend(kinds.into_iter().map(|kind| ScriptedEvent { at: time, kind })),
                0 => return Err(self.err(&at, "an event needs one action besides `at` (e.g. `agent_add`, `set_weight`, `suppress`)")),
                _ => return Err(self.err(&at, "an event has exactly one action besides `at`; split it into several events")),
            }
        }
        // Events run in time order, ties in file order: so do the changes.
        for changes in attribute_changes.values_mut() {
            changes.sort_by_key(|(t, _)| *t);
        }
        Ok((out, attribute_changes))
    }

    /// The framework, agent and role an `offer_return` or
    /// `update_allocation` names: the framework must be a `hold` one (it
    /// keeps its offers until told), the role one of its roles.
    fn held_target(
        &mut self,
        framework: &str,
        agent: &str,
        role: Option<&str>,
        at: At,
    ) -> Result<(FrameworkId, AgentId, Option<RoleId>), InputError> {
        let fw = self.framework(framework, &format!("{at}.framework"))?;
        let spec = &self.frameworks[fw.index()];
        if spec.behavior != Behavior::Hold {
            return Err(self.err(
                &format!("{at}.framework"),
                format!(
                    "framework `{framework}` is `{}`: only a `hold` framework keeps offers for an event to act on",
                    spec.behavior.name()
                ),
            ));
        }
        let agent = self.agent(agent, &format!("{at}.agent"))?;
        let role = match role {
            None => None,
            Some(r) => match self.role_ids.get(r).copied() {
                Some(rid) if self.frameworks[fw.index()].roles.contains(&rid) => Some(rid),
                _ => {
                    return Err(self.err(
                        &format!("{at}.role"),
                        format!("framework `{framework}` is not subscribed to role `{r}`"),
                    ))
                }
            },
        };
        Ok((fw, agent, role))
    }

    /// `master_failover: {partition: N}` names a partition that exists.
    pub(super) fn check_failover_partitions(
        &self,
        raw: &[RawEvent],
        partitions: u32,
    ) -> Result<(), InputError> {
        for (i, e) in raw.iter().enumerate() {
            if let Some(p) = e.master_failover.as_ref().and_then(|f| f.partition) {
                if p >= partitions {
                    return Err(self.err(
                        &format!("events[{i}].master_failover.partition"),
                        format!("partition {p} does not exist (the run has {partitions}, numbered from 0)"),
                    ));
                }
            }
        }
        Ok(())
    }
}
