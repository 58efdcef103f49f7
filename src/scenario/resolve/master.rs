//! The `master:` section: intervals, sorters, timeouts, defaults.

use super::*;

impl Resolver<'_> {
    pub(super) fn resolve_master(&mut self, m: RawMaster) -> Result<MasterConfig, InputError> {
        let allocation_interval = match m.allocation_interval {
            Some(Dur(0)) => {
                return Err(self.err("master.allocation_interval", "must be greater than 0"))
            }
            Some(Dur(d)) => d,
            None => 1_000_000,
        };
        let names: Vec<&str> = self.policies.names().collect();
        let choices = match names.split_last() {
            None => "none registered".to_string(),
            Some((last, [])) => last.to_string(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        };
        let find =
            |r: &Resolver, name: &str, what: &str, at: At| -> Result<PolicyRef, InputError> {
                match r.policies.get(name) {
                    Some(p) => Ok(p.clone()),
                    None => {
                        let hint = did_you_mean(name, names.iter().copied());
                        Err(r.err(at, format!("unknown {what} `{name}` ({choices}){hint}")))
                    }
                }
            };
        let policy = m.policy.clone().unwrap_or_else(|| "drf".into());
        let allocator = self.policies.get_whole(&policy).cloned();
        let base = match &allocator {
            // The sorters are unused; DRF keeps explanations' shares.
            Some(_) => std::sync::Arc::new(crate::policy::Drf) as PolicyRef,
            None => find(self, &policy, "policy", "master.policy")?,
        };
        let sorter = |r: &Resolver, name: &str, at: At| -> Result<PolicyRef, InputError> {
            if allocator.is_some() {
                return Err(r.err(
                    at,
                    format!("policy `{policy}` allocates whole runs: it takes no sorter"),
                ));
            }
            if r.policies.get_whole(name).is_some() {
                return Err(r.err(
                    at,
                    format!("`{name}` allocates whole runs: name it in master.policy"),
                ));
            }
            find(r, name, "sorter", at)
        };
        let role_sorter = match &m.role_sorter {
            Some(name) => sorter(self, name, "master.role_sorter")?,
            None => base.clone(),
        };
        let framework_sorter = match &m.framework_sorter {
            Some(name) => sorter(self, name, "master.framework_sorter")?,
            None => base,
        };
        let positive = |r: &Resolver, v: Option<f64>, default: f64, at: At| match v {
            None => Ok(default),
            Some(x) if x.is_finite() && (0.0..=1e12).contains(&x) => Ok(x),
            Some(_) => Err(r.err(at, "must be a number from 0 to 10^12")),
        };
        let max_budget = positive(self, m.max_budget, 100.0, "master.max_budget")?;
        let budget_rate = positive(self, m.budget_rate, 1.0, "master.budget_rate")?;
        let offer_timeout = match &m.offer_timeout {
            None => None,
            Some(Text(t)) if t.trim() == "none" => None,
            Some(Text(t)) => match parse_duration(t) {
                Ok(0) => {
                    return Err(
                        self.err("master.offer_timeout", "must be greater than 0 (or `none`)")
                    )
                }
                Ok(d) => Some(d),
                Err(e) => return Err(self.err("master.offer_timeout", e)),
            },
        };
        let refuse = m.refuse_seconds.map_or(5_000_000, |d| d.0);
        let min_allocatable = match &m.min_allocatable {
            Some(list) => self.min_allocatable(list, "master.min_allocatable")?,
            None => {
                let mut out = Vec::new();
                for alt in ["cpus:0.01", "mem:32"] {
                    // Defaults never intern a name the scenario does not use.
                    if let Some(q) = self.parse_alternative(alt, "master", false)? {
                        out.push(q);
                    }
                }
                if out.is_empty() {
                    // Neither cpus nor mem exists: as in Mesos, nothing is allocatable.
                    out.push(Quantities([u64::MAX; MAX_RESOURCE_KINDS]));
                }
                out
            }
        };
        let mut fair_sharing_excluded = 0u32;
        for (i, n) in m.fair_sharing_excluded.iter().enumerate() {
            let r = self.intern(n, &format!("master.fair_sharing_excluded[{i}]"))?;
            fair_sharing_excluded |= 1 << r.0;
        }
        let resource = match &m.policy_resource {
            Some(name) => Some(self.intern(name, "master.policy_resource")?),
            None => None,
        };
        let slot_size = match &m.slot_size {
            Some(raw) => {
                let q = self.quantities(raw, "master.slot_size")?;
                if q.is_empty() {
                    return Err(self.err("master.slot_size", "needs at least one positive amount"));
                }
                Some(q)
            }
            None => None,
        };
        for (sorter, set, at) in [
            (&role_sorter, m.role_sorter.is_some(), "master.role_sorter"),
            (
                &framework_sorter,
                m.framework_sorter.is_some(),
                "master.framework_sorter",
            ),
        ] {
            for &key in sorter.required_keys() {
                let given = match key {
                    "master.policy_resource" => resource.is_some(),
                    "master.slot_size" => slot_size.is_some(),
                    _ => true,
                };
                if !given {
                    let at = if set { at } else { "master.policy" };
                    return Err(self.err(at, format!("policy `{}` needs `{key}`", sorter.name())));
                }
            }
        }
        // Mesos accepts a ping timeout of 1 s to 15 min (master/flags.cpp)
        // and at least one missed ping.
        let agent_ping_timeout = match m.agent_ping_timeout {
            None => 15_000_000,
            Some(Dur(d)) if (1_000_000..=900_000_000).contains(&d) => d,
            Some(_) => {
                return Err(self.err(
                    "master.agent_ping_timeout",
                    "must be between 1s and 15m, as in Mesos",
                ))
            }
        };
        let max_agent_ping_timeouts = match m.max_agent_ping_timeouts {
            None => 5,
            Some(n) if (1..=u32::MAX as u64).contains(&n) => n as u32,
            Some(_) => {
                return Err(self.err(
                    "master.max_agent_ping_timeouts",
                    "must be a whole number from 1",
                ))
            }
        };
        // Mesos's ZooKeeper session timeout is 10 s (`constants.hpp`
        // `ZOOKEEPER_SESSION_TIMEOUT`); a new leader is elected after it.
        let zk_session_timeout = match m.zk_session_timeout {
            None => 10_000_000,
            Some(Dur(0)) => {
                return Err(self.err("master.zk_session_timeout", "must be greater than 0"))
            }
            Some(Dur(d)) => d,
        };
        let election_delay = m.election_delay.map_or(0, |d| d.0);
        let agent_reregister_spread = m.agent_reregister_spread.map_or(0, |d| d.0);
        let run_cost = m.run_cost.map(|r| crate::scenario::model::RunCost {
            per_agent: r.per_agent.map_or(0, |d| d.0),
            per_client: r.per_client.map_or(0, |d| d.0),
            per_pair: r.per_pair.map_or(0, |d| d.0),
        });
        Ok(MasterConfig {
            run_cost,
            zk_session_timeout,
            election_delay,
            agent_reregister_spread,
            policy,
            allocation_interval,
            role_sorter,
            framework_sorter,
            offer_timeout,
            refuse,
            min_allocatable,
            fair_sharing_excluded,
            filter_gpu_resources: m.filter_gpu_resources.unwrap_or(true),
            policy_params: crate::policy::PolicyParams {
                resource,
                slot_size,
                max_budget,
                budget_rate,
            },
            allocator,
            agent_ping_timeout,
            max_agent_ping_timeouts,
        })
    }
}
