//! Roles: created on first mention with their ancestors; declared weights
//! and quotas.

use super::*;

impl Resolver<'_> {
    /// The id of a role, creating it (and its ancestors) on first mention.
    pub(super) fn role(&mut self, name: &str, at: At) -> Result<RoleId, InputError> {
        if let Some(id) = self.role_ids.get(name) {
            return Ok(*id);
        }
        validate_role_name(name).map_err(|m| self.err(at, m))?;
        let parent = match name.rfind('/') {
            Some(cut) => Some(self.role(&name[..cut], at)?),
            None => None,
        };
        let depth = parent.map_or(0, |p| self.roles[p.index()].depth + 1);
        let id = RoleId(self.roles.len() as u32);
        self.roles.push(RoleSpec {
            name: name.to_string(),
            parent,
            depth,
            weight: 1.0,
            quota: Quota::default(),
            quota_per_partition: Vec::new(),
        });
        self.role_ids.insert(name.to_string(), id);
        Ok(id)
    }

    pub(super) fn declare_role(&mut self, r: &RawRole, at: At) -> Result<(), InputError> {
        if !self.declared_roles.insert(r.name.clone()) {
            return Err(self.err(
                &format!("{at}.name"),
                format!("role `{}` is declared twice", r.name),
            ));
        }
        let id = self.role(&r.name, &format!("{at}.name"))?;
        if let Some(w) = r.weight {
            self.roles[id.index()].weight = self.weight(w, &format!("{at}.weight"))?;
        }
        if let Some(q) = &r.quota {
            let (quota, parts) = self.quota_spec(
                id,
                q.guarantee.as_ref(),
                q.limit.as_ref(),
                q.per_partition.as_deref(),
                &format!("{at}.quota"),
            )?;
            self.roles[id.index()].quota = quota;
            self.roles[id.index()].quota_per_partition = parts;
        }
        Ok(())
    }

    /// A quota as declared (`roles[].quota`, `set_quota`): either
    /// `guarantee`/`limit`, or one amount per partition (`per_partition`,
    /// returned with their sum). The number of parts is checked against
    /// the partitions later ([`check_quota_partitions`](Self::check_quota_partitions)).
    pub(super) fn quota_spec(
        &mut self,
        role: RoleId,
        guarantee: Option<&RawResources>,
        limit: Option<&RawResources>,
        per_partition: Option<&[RawQuotaAmount]>,
        at: At,
    ) -> Result<(Quota, Vec<Quota>), InputError> {
        let Some(parts) = per_partition else {
            return Ok((self.quota(role, guarantee, limit, at)?, Vec::new()));
        };
        if guarantee.is_some() || limit.is_some() {
            return Err(self.err(
                &format!("{at}.per_partition"),
                "give either `guarantee`/`limit` (split among the partitions by capacity) or `per_partition` (one amount per partition), not both",
            ));
        }
        if parts.is_empty() {
            return Err(self.err(
                &format!("{at}.per_partition"),
                "`per_partition` needs one entry per partition, in partition order",
            ));
        }
        let mut out = Vec::with_capacity(parts.len());
        for (j, p) in parts.iter().enumerate() {
            out.push(self.quota(
                role,
                p.guarantee.as_ref(),
                p.limit.as_ref(),
                &format!("{at}.per_partition[{j}]"),
            )?);
        }
        Ok((Quota::sum(&out), out))
    }

    /// Every `per_partition` quota has one entry per partition, and is
    /// given only with a `partitions:` section.
    pub(super) fn check_quota_partitions(
        &self,
        raw: &RawScenario,
        partitions: u32,
    ) -> Result<(), InputError> {
        let roles = raw.roles.iter().enumerate().filter_map(|(i, r)| {
            let parts = r.quota.as_ref()?.per_partition.as_ref()?;
            Some((format!("roles[{i}].quota.per_partition"), parts.len()))
        });
        let events = raw.events.iter().enumerate().filter_map(|(i, e)| {
            let parts = e.set_quota.as_ref()?.per_partition.as_ref()?;
            Some((format!("events[{i}].set_quota.per_partition"), parts.len()))
        });
        for (at, n) in roles.chain(events) {
            if raw.partitions.is_none() {
                return Err(self.err(
                    &at,
                    "`per_partition` needs a `partitions:` section (without it there is one master; give `guarantee`/`limit`)",
                ));
            }
            if n != partitions as usize {
                return Err(self.err(
                    &at,
                    format!(
                        "`per_partition` has {n} {}, but the run has {partitions} partition{} (one entry each, in partition order)",
                        if n == 1 { "entry" } else { "entries" },
                        if partitions == 1 { "" } else { "s" }
                    ),
                ));
            }
        }
        Ok(())
    }

    pub(super) fn weight(&self, w: f64, at: At) -> Result<f64, InputError> {
        // Shares are divided by weights and squared (Jain's index): weights
        // outside this range would overflow to infinity or underflow to 0.
        use crate::limits::{MAX_WEIGHT, MIN_WEIGHT};
        if !(w.is_finite() && (MIN_WEIGHT..=MAX_WEIGHT).contains(&w)) {
            return Err(self.err(
                at,
                format!(
                    "a weight must be a positive number from {MIN_WEIGHT:e} to {MAX_WEIGHT:e}, not {}",
                    if w.is_finite() && w != 0.0 && !(1e-6..1e7).contains(&w.abs()) {
                        format!("{w:e}")
                    } else {
                        w.to_string()
                    }
                ),
            ));
        }
        Ok(w)
    }

    pub(super) fn quota(
        &mut self,
        role: RoleId,
        guarantee: Option<&RawResources>,
        limit: Option<&RawResources>,
        at: At,
    ) -> Result<Quota, InputError> {
        let name = self.roles[role.index()].name.clone();
        if self.roles[role.index()].parent.is_some() {
            return Err(self.err(
                at,
                format!("quota can only be set on top-level roles, not on `{name}` (as in Mesos)"),
            ));
        }
        let guarantee = match guarantee {
            Some(g) => self.quantities(g, &format!("{at}.guarantee"))?,
            None => Quantities::ZERO,
        };
        let mut lim = Limits::NONE;
        if let Some(l) = limit {
            for (n, q) in &l.0 {
                let r = self.intern(n, &format!("{at}.limit"))?;
                lim.set_limit(r, q.0);
            }
        }
        if !lim.admits(&guarantee) {
            return Err(self.err(at, "a quota guarantee cannot exceed its limit"));
        }
        Ok(Quota {
            guarantee,
            limit: lim,
        })
    }
}
