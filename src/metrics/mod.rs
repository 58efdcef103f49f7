//! Metrics computed from the engine's views, with no I/O: time-weighted
//! utilization and fairness, per-framework and per-role share means, job
//! statistics. Formulas are in docs/metrics.md.

use crate::cluster::resources::Quantities;
use crate::framework::JobStatus;
use crate::policy::dominant_share;
use crate::scenario::model::Model;
use crate::sim::observer::{JobView, Observer, View};
use crate::sim::time::SimTime;
use crate::FrameworkId;

/// Jain's index (Σx)²/(n·Σx²); 1 when fewer than two values or all zero.
pub fn jain(xs: &[f64]) -> f64 {
    if xs.len() < 2 {
        return 1.0;
    }
    let sum: f64 = xs.iter().sum();
    let sq: f64 = xs.iter().map(|x| x * x).sum();
    if sq == 0.0 {
        return 1.0;
    }
    (sum * sum) / (xs.len() as f64 * sq)
}

/// min(x)/max(x); 1 when fewer than two values or all zero.
pub fn min_max_ratio(xs: &[f64]) -> f64 {
    if xs.len() < 2 {
        return 1.0;
    }
    let max = xs.iter().cloned().fold(0.0, f64::max);
    if max == 0.0 {
        return 1.0;
    }
    let min = xs.iter().cloned().fold(f64::INFINITY, f64::min);
    min / max
}

/// Nearest-rank percentile of sorted values: the value at rank ⌈p/100·n⌉.
pub fn percentile(sorted: &[u64], p: u64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let n = sorted.len() as u64;
    let rank = (p * n).div_ceil(100).max(1);
    sorted[(rank - 1) as usize]
}

/// Instantaneous fairness over active frameworks: x = dominant share ÷ the
/// weight of the framework's (first) role.
pub fn fairness_now(view: &View) -> (f64, f64) {
    let mut xs = Vec::new();
    for (i, f) in view.model.frameworks.iter().enumerate() {
        let fw = FrameworkId(i as u32);
        if !view.framework_active(fw) {
            continue;
        }
        let share = view.master.framework_share(view.model, fw);
        let weight = view.master.roles[f.roles[0].index()].weight;
        xs.push(share / weight);
    }
    (jain(&xs), min_max_ratio(&xs))
}

/// Time-weighted integrals over the run, fed by the engine.
#[derive(Clone, Debug, Default)]
pub struct RunMetrics {
    /// Per resource: ∫ allocated/total dt and ∫ offered/total dt over the
    /// time the total is > 0, and that time.
    util_sum: Vec<f64>,
    offered_sum: Vec<f64>,
    positive_us: Vec<u64>,
    jain_sum: f64,
    min_max_sum: f64,
    fw_share_sum: Vec<f64>,
    role_share_sum: Vec<f64>,
    duration_us: u64,
    /// Completion and wait times (µs) of completed jobs, in completion order.
    pub jct_us: Vec<u64>,
    pub wait_us: Vec<u64>,
    pub finals: Option<Finals>,
}

/// The state at the end of the run.
#[derive(Clone, Debug, Default)]
pub struct Finals {
    pub framework_allocated: Vec<Quantities>,
    pub role_used: Vec<Quantities>,
    pub role_weight: Vec<f64>,
    jain: f64,
    min_max: f64,
    fw_share: Vec<f64>,
    role_share: Vec<f64>,
    util: Vec<f64>,
    offered: Vec<f64>,
}

impl RunMetrics {
    pub fn new(model: &Model) -> RunMetrics {
        let r = model.resources.len();
        RunMetrics {
            util_sum: vec![0.0; r],
            offered_sum: vec![0.0; r],
            positive_us: vec![0; r],
            fw_share_sum: vec![0.0; model.frameworks.len()],
            role_share_sum: vec![0.0; model.roles.len()],
            ..RunMetrics::default()
        }
    }

    fn shares(view: &View) -> (Vec<f64>, Vec<f64>) {
        let fw = (0..view.model.frameworks.len())
            .map(|i| {
                view.master
                    .framework_share(view.model, FrameworkId(i as u32))
            })
            .collect();
        let roles = (0..view.model.roles.len())
            .map(|i| view.master.role_share(view.model, crate::RoleId(i as u32)))
            .collect();
        (fw, roles)
    }

    /// Time-weighted mean of the instantaneous value (the end value when the
    /// run lasted no time).
    fn mean(&self, sum: f64, at_end: f64) -> f64 {
        if self.duration_us == 0 {
            at_end
        } else {
            sum / self.duration_us as f64
        }
    }

    pub fn utilization(&self) -> Vec<f64> {
        self.ratio_means(&self.util_sum, |f| &f.util)
    }

    pub fn offered_idle(&self) -> Vec<f64> {
        self.ratio_means(&self.offered_sum, |f| &f.offered)
    }

    fn ratio_means(&self, sums: &[f64], at_end: impl Fn(&Finals) -> &Vec<f64>) -> Vec<f64> {
        sums.iter()
            .enumerate()
            .map(|(i, s)| {
                if self.positive_us[i] > 0 {
                    s / self.positive_us[i] as f64
                } else if self.duration_us == 0 {
                    self.finals.as_ref().map_or(0.0, |f| at_end(f)[i])
                } else {
                    0.0
                }
            })
            .collect()
    }

    pub fn jain(&self) -> f64 {
        let end = self.finals.as_ref().map_or(1.0, |f| f.jain);
        self.mean(self.jain_sum, end)
    }

    pub fn min_max_ratio(&self) -> f64 {
        let end = self.finals.as_ref().map_or(1.0, |f| f.min_max);
        self.mean(self.min_max_sum, end)
    }

    pub fn framework_share_mean(&self, fw: usize) -> f64 {
        let end = self.finals.as_ref().map_or(0.0, |f| f.fw_share[fw]);
        self.mean(self.fw_share_sum[fw], end)
    }

    pub fn role_share_mean(&self, role: usize) -> f64 {
        let end = self.finals.as_ref().map_or(0.0, |f| f.role_share[role]);
        self.mean(self.role_share_sum[role], end)
    }
}

fn ratio(part: u64, total: u64) -> f64 {
    part as f64 / total as f64
}

impl Observer for RunMetrics {
    fn advance(&mut self, view: &View, from: SimTime, to: SimTime) {
        let dt = to.0 - from.0;
        let dtf = dt as f64;
        self.duration_us += dt;
        let m = view.master;
        for r in view.model.resources.ids() {
            let total = m.totals.get(r);
            if total > 0 {
                let i = r.0 as usize;
                self.positive_us[i] += dt;
                self.util_sum[i] += ratio(m.allocated_total.get(r), total) * dtf;
                self.offered_sum[i] += ratio(m.offered_total.get(r), total) * dtf;
            }
        }
        let (j, mm) = fairness_now(view);
        self.jain_sum += j * dtf;
        self.min_max_sum += mm * dtf;
        let (fw, roles) = Self::shares(view);
        for (s, x) in self.fw_share_sum.iter_mut().zip(fw) {
            *s += x * dtf;
        }
        for (s, x) in self.role_share_sum.iter_mut().zip(roles) {
            *s += x * dtf;
        }
    }

    fn job_ended(&mut self, _model: &Model, job: &JobView) {
        let s = job.state;
        if s.status != JobStatus::Finished {
            return;
        }
        let submit = s.submitted_at.unwrap_or(job.spec.submit);
        if let Some(f) = s.finished_at {
            self.jct_us.push(f.0 - submit.0);
        }
        if let Some(st) = s.first_start {
            self.wait_us.push(st.0 - submit.0);
        }
    }

    fn finish(&mut self, view: &View, _end: SimTime) {
        let (jain, min_max) = fairness_now(view);
        let (fw_share, role_share) = Self::shares(view);
        let m = view.master;
        let instant = |q: &Quantities| -> Vec<f64> {
            view.model
                .resources
                .ids()
                .map(|r| {
                    let t = m.totals.get(r);
                    if t > 0 {
                        ratio(q.get(r), t)
                    } else {
                        0.0
                    }
                })
                .collect()
        };
        self.finals = Some(Finals {
            framework_allocated: m.frameworks.iter().map(|f| f.allocated()).collect(),
            role_used: m.roles.iter().map(|r| r.subtree_used).collect(),
            role_weight: m.roles.iter().map(|r| r.weight).collect(),
            jain,
            min_max,
            fw_share,
            role_share,
            util: instant(&m.allocated_total),
            offered: instant(&m.offered_total),
        });
    }
}

/// Mean, p50, p90, p99 (µs; the mean as a float).
pub fn stats(sorted: &[u64]) -> (f64, u64, u64, u64) {
    let mean = if sorted.is_empty() {
        0.0
    } else {
        sorted.iter().map(|&v| v as f64).sum::<f64>() / sorted.len() as f64
    };
    (
        mean,
        percentile(sorted, 50),
        percentile(sorted, 90),
        percentile(sorted, 99),
    )
}

/// Dominant share of arbitrary held resources (used by writers).
pub fn share_of(held: &Quantities, view: &View) -> f64 {
    dominant_share(
        held,
        &view.master.totals,
        view.model.master.fair_sharing_excluded,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jain_values() {
        assert_eq!(jain(&[]), 1.0);
        assert_eq!(jain(&[0.3]), 1.0);
        assert_eq!(jain(&[0.5, 0.5]), 1.0);
        assert_eq!(jain(&[1.0, 0.0]), 0.5);
        assert_eq!(jain(&[0.0, 0.0]), 1.0);
        // (1+2+3)^2 / (3 * 14) = 36/42
        assert!((jain(&[1.0, 2.0, 3.0]) - 36.0 / 42.0).abs() < 1e-12);
    }

    #[test]
    fn min_max_values() {
        assert_eq!(min_max_ratio(&[0.2, 0.4]), 0.5);
        assert_eq!(min_max_ratio(&[0.0, 0.0]), 1.0);
        assert_eq!(min_max_ratio(&[0.7]), 1.0);
    }

    #[test]
    fn nearest_rank() {
        let v: Vec<u64> = (1..=10).collect();
        assert_eq!(percentile(&v, 50), 5);
        assert_eq!(percentile(&v, 90), 9);
        assert_eq!(percentile(&v, 99), 10);
        assert_eq!(percentile(&[7], 50), 7);
        assert_eq!(percentile(&[], 50), 0);
        let v: Vec<u64> = vec![15, 20, 35, 40, 50];
        assert_eq!(percentile(&v, 30), 20);
        assert_eq!(percentile(&v, 40), 20);
        assert_eq!(percentile(&v, 50), 35);
        assert_eq!(percentile(&v, 100), 50);
    }
}
