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
        let sorter = |r: &Resolver,
                      v: &Option<String>,
                      at: At|
         -> Result<Option<SorterKind>, InputError> {
            match v.as_deref() {
                None => Ok(None),
                Some("drf") => Ok(Some(SorterKind::Drf)),
                Some("random") => Ok(Some(SorterKind::Random)),
                Some(other) => Err(r.err(at, format!("unknown sorter `{other}` (drf or random)"))),
            }
        };
        let policy = m.policy.clone().unwrap_or_else(|| "drf".into());
        let base = match policy.as_str() {
            "drf" => SorterKind::Drf,
            "random" => SorterKind::Random,
            other => {
                let hint = did_you_mean(other, ["drf", "random"]);
                return Err(self.err(
                    "master.policy",
                    format!("unknown policy `{other}` (drf or random){hint}"),
                ));
            }
        };
        let role_sorter = sorter(self, &m.role_sorter, "master.role_sorter")?.unwrap_or(base);
        let framework_sorter =
            sorter(self, &m.framework_sorter, "master.framework_sorter")?.unwrap_or(base);
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
        Ok(MasterConfig {
            policy,
            allocation_interval,
            role_sorter,
            framework_sorter,
            offer_timeout,
            refuse,
            min_allocatable,
            fair_sharing_excluded,
            filter_gpu_resources: m.filter_gpu_resources.unwrap_or(true),
        })
    }
}
