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
            let quota = self.quota(
                id,
                q.guarantee.as_ref(),
                q.limit.as_ref(),
                &format!("{at}.quota"),
            )?;
            self.roles[id.index()].quota = quota;
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
