//! Frameworks: roles, presets, behaviors and the keys each allows. A key the
//! entry leaves out comes from its preset, then from the defaults.

use super::*;
use crate::framework::presets::{self, Preset};

impl Resolver<'_> {
    pub(super) fn add_framework(&mut self, f: &RawFramework, at: At) -> Result<(), InputError> {
        validate_id("framework", &f.id).map_err(|m| self.err(&format!("{at}.id"), m))?;
        if self.framework_ids.contains_key(&f.id) {
            return Err(self.err(
                &format!("{at}.id"),
                format!("framework id `{}` is used twice", f.id),
            ));
        }
        let roles = self.framework_roles(f, at)?;
        let preset = self.preset(f.preset.as_deref(), at)?;
        let gpu = self.gpu(&f.capabilities, preset, at)?;
        let behavior = self.behavior(f, at)?;
        if f.max_tasks_per_offer == Some(0) {
            return Err(self.err(&format!("{at}.max_tasks_per_offer"), "must be at least 1"));
        }
        let min_allocatable = match &f.min_allocatable {
            Some(list) => Some(self.min_allocatable(list, &format!("{at}.min_allocatable"))?),
            None => None,
        };
        let task_duration = match &f.task_duration {
            None => TaskDuration::Forever,
            Some(d) => task_duration(d).map_err(|m| self.err(&format!("{at}.task_duration"), m))?,
        };
        let gang_hold_timeout = match &f.gang_hold_timeout {
            None => preset.and_then(|p| p.gang_hold_timeout),
            Some(t) => self.gang_hold_timeout(t, &format!("{at}.gang_hold_timeout"))?,
        };
        let abandon_after = match f.abandon_after {
            Some(0) => return Err(self.err(&format!("{at}.abandon_after"), "must be at least 1")),
            Some(n) => Some(n.min(u32::MAX as u64) as u32),
            None => preset.and_then(|p| p.abandon_after),
        };
        let pd = preset.map(|p| p.decision_time).unwrap_or_default();
        let decision_time = DecisionTime {
            per_job: f
                .decision_time
                .and_then(|d| d.per_job)
                .map_or(pd.per_job, |d| d.0),
            per_offer: f
                .decision_time
                .and_then(|d| d.per_offer)
                .map_or(pd.per_offer, |d| d.0),
            per_task: f
                .decision_time
                .and_then(|d| d.per_task)
                .map_or(pd.per_task, |d| d.0),
        };
        let max = crate::policy::builtin::MAX_PRIORITY;
        let priority = match f.priority {
            Some(p) if !(-max..=max).contains(&p) => {
                return Err(self.err(
                    &format!("{at}.priority"),
                    format!("must be between -{max} and {max}"),
                ))
            }
            p => p.unwrap_or(0),
        };
        let mut valuation = crate::policy::whole::Valuation::default();
        if let Some(v) = &f.valuation {
            let bad = |x: f64| !(x.is_finite() && (0.0..=1e12).contains(&x));
            if let Some(t) = v.per_task {
                if bad(t) {
                    return Err(self.err(
                        &format!("{at}.valuation.per_task"),
                        "must be a number from 0 to 10^12",
                    ));
                }
                valuation.per_task = t;
            } else if v.per_unit.is_some() {
                valuation.per_task = 0.0;
            }
            for (name, x) in v.per_unit.iter().flat_map(|m| m.0.iter()) {
                let at = format!("{at}.valuation.per_unit.{name}");
                if bad(*x) {
                    return Err(self.err(&at, "must be a number from 0 to 10^12"));
                }
                let r = self.intern(name, &at)?;
                valuation.per_unit[r.0 as usize] = *x;
            }
            if let Some(b) = v.deadline_bonus {
                if bad(b) {
                    return Err(self.err(
                        &format!("{at}.valuation.deadline_bonus"),
                        "must be a number from 0 to 10^12",
                    ));
                }
                valuation.deadline_bonus = b;
            }
        }
        let on_lost = match f.on_lost.as_deref() {
            None | Some("requeue") => OnLost::Requeue,
            Some("fail") => OnLost::Fail,
            Some(other) => {
                let hint = did_you_mean(other, ["requeue", "fail"]);
                return Err(self.err(
                    &format!("{at}.on_lost"),
                    format!("unknown on_lost `{other}` (requeue or fail){hint}"),
                ));
            }
        };
        let id = FrameworkId(self.frameworks.len() as u32);
        self.framework_ids.insert(f.id.clone(), id);
        self.frameworks.push(FrameworkSpec {
            id: f.id.clone(),
            // Filled in by `resolve_partitions`.
            partitions: Vec::new(),
            roles,
            at: f.at.map_or(SimTime::ZERO, |d| SimTime(d.0)),
            gpu,
            behavior,
            max_tasks_per_offer: f
                .max_tasks_per_offer
                .or(preset.and_then(|p| p.max_tasks_per_offer)),
            refuse: f
                .refuse_seconds
                .map(|d| d.0)
                .or(preset.map(|p| p.refuse))
                .unwrap_or(self.default_refuse),
            min_allocatable,
            task_duration,
            preset: f.preset.clone(),
            suppress_when_idle: f
                .suppress_when_idle
                .or(preset.map(|p| p.suppress_when_idle))
                .unwrap_or(false),
            decision_time,
            gang_hold_timeout,
            locality_wait: f
                .locality_wait
                .map(|d| d.0)
                .or(preset.map(|p| p.locality_wait))
                .unwrap_or(0),
            abandon_after,
            failover_timeout: f.failover_timeout.map_or(0, |d| d.0),
            gang_default: preset.is_some_and(|p| p.gang_default),
            priority,
            valuation,
            on_lost,
        });
        Ok(())
    }

    /// `role` or `roles` (not both; none: `*`), each listed once.
    fn framework_roles(&mut self, f: &RawFramework, at: At) -> Result<Vec<RoleId>, InputError> {
        match (&f.role, &f.roles) {
            (Some(_), Some(_)) => Err(self.err(
                &format!("{at}.roles"),
                "give either `role` or `roles`, not both",
            )),
            (Some(r), None) => Ok(vec![self.role(r, &format!("{at}.role"))?]),
            (None, Some(list)) => {
                if list.is_empty() {
                    return Err(self.err(&format!("{at}.roles"), "`roles` cannot be empty"));
                }
                let mut out = Vec::new();
                for (i, r) in list.iter().enumerate() {
                    let id = self.role(r, &format!("{at}.roles[{i}]"))?;
                    if out.contains(&id) {
                        return Err(self.err(
                            &format!("{at}.roles[{i}]"),
                            format!("role `{r}` is listed twice"),
                        ));
                    }
                    out.push(id);
                }
                Ok(out)
            }
            (None, None) => Ok(vec![self.role("*", &format!("{at}.id"))?]),
        }
    }

    fn preset(&self, name: Option<&str>, at: At) -> Result<Option<&'static Preset>, InputError> {
        let Some(name) = name else { return Ok(None) };
        presets::find(name).map(Some).ok_or_else(|| {
            let hint = did_you_mean(name, presets::names());
            self.err(
                &format!("{at}.preset"),
                format!(
                    "unknown preset `{name}` ({}){hint}",
                    presets::names().collect::<Vec<_>>().join(", ")
                ),
            )
        })
    }

    /// Whether the framework asks for GPUs: its preset or `capabilities`.
    fn gpu(
        &self,
        capabilities: &[String],
        preset: Option<&Preset>,
        at: At,
    ) -> Result<bool, InputError> {
        let mut gpu = preset.is_some_and(|p| p.gpu);
        for (i, c) in capabilities.iter().enumerate() {
            match c.as_str() {
                "gpu" => gpu = true,
                other => {
                    return Err(self.err(
                        &format!("{at}.capabilities[{i}]"),
                        format!("unknown capability `{other}` (known: gpu)"),
                    ))
                }
            }
        }
        Ok(gpu)
    }

    /// The behavior, and the keys that only some behaviors take.
    fn behavior(&self, f: &RawFramework, at: At) -> Result<Behavior, InputError> {
        let behavior = match f.behavior.as_deref() {
            None | Some("batch") => Behavior::Batch,
            Some("take-all") => Behavior::TakeAll,
            Some("decline-all") => Behavior::DeclineAll,
            Some("hold") => Behavior::Hold,
            Some(other) => {
                let hint = did_you_mean(other, ["batch", "take-all", "decline-all", "hold"]);
                return Err(self.err(
                    &format!("{at}.behavior"),
                    format!(
                        "unknown behavior `{other}` (batch, take-all, decline-all or hold){hint}"
                    ),
                ));
            }
        };
        if behavior != Behavior::Batch && f.preset.is_some() {
            return Err(self.err(
                &format!("{at}.behavior"),
                "presets describe `batch` frameworks; leave `behavior` out",
            ));
        }
        if behavior != Behavior::Batch {
            for (key, given) in [
                ("suppress_when_idle", f.suppress_when_idle.is_some()),
                ("gang_hold_timeout", f.gang_hold_timeout.is_some()),
                ("locality_wait", f.locality_wait.is_some()),
                ("abandon_after", f.abandon_after.is_some()),
                ("on_lost", f.on_lost.is_some()),
            ] {
                if given {
                    return Err(self.err(
                        &format!("{at}.{key}"),
                        format!("`{key}` is for `batch` frameworks"),
                    ));
                }
            }
            if !f.jobs.is_empty() {
                return Err(self.err(
                    &format!("{at}.jobs"),
                    format!(
                        "a `{}` framework has no jobs; jobs need `behavior: batch`",
                        behavior.name()
                    ),
                ));
            }
        }
        if f.task_duration.is_some() && behavior != Behavior::TakeAll {
            return Err(self.err(
                &format!("{at}.task_duration"),
                "`task_duration` is for `take-all` frameworks",
            ));
        }
        Ok(behavior)
    }

    /// `gang_hold_timeout`: a duration above 0, or `none`.
    fn gang_hold_timeout(&self, t: &Text, at: At) -> Result<Option<DurationUs>, InputError> {
        let Text(t) = t;
        if t.trim() == "none" {
            return Ok(None);
        }
        match parse_duration(t) {
            Ok(0) => Err(self.err(
                at,
                "must be greater than 0 (or `none`: gang jobs need one offer that fits)",
            )),
            Ok(d) => Ok(Some(d)),
            Err(e) => Err(self.err(at, e)),
        }
    }

    pub(super) fn framework(&self, name: &str, at: At) -> Result<FrameworkId, InputError> {
        self.framework_ids.get(name).copied().ok_or_else(|| {
            let hint = did_you_mean(name, self.framework_ids.keys().map(String::as_str));
            self.err(at, format!("no framework `{name}` in this scenario{hint}"))
        })
    }
}
