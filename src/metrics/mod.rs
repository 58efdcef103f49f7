//! Metrics computed from the engine's views, with no I/O: time-weighted
//! utilization and fairness, per-framework and per-role share means, job
//! statistics. Formulas are in docs/metrics.md.

pub mod compare;
pub mod fairness;
pub mod jobs;

use crate::cluster::resources::Quantities;
use crate::cluster::state::resource_kinds;
use crate::framework::JobStatus;
use crate::master::Offer;
use crate::scenario::model::Model;
use crate::sim::observer::{
    Counted, JobView, KindSet, Observer, Record, RecordKind, TaskRef, View,
};
use crate::sim::time::SimTime;
use crate::PartitionId;
use crate::{FrameworkId, JobId};
use std::collections::BTreeMap;

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

/// Nearest-rank percentile of sorted floats.
pub fn percentile_f64(sorted: &[f64], p: u64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let n = sorted.len() as u64;
    let rank = (p * n).div_ceil(100).max(1);
    sorted[(rank - 1) as usize]
}

/// Instantaneous fairness over active frameworks: x = dominant share ÷ the
/// weight of the framework's (first) role.
pub fn fairness_now(view: &View) -> (f64, f64) {
    fairness_of(view, None)
}

/// The same within one partition: over the active frameworks registered
/// with it, x = the framework's dominant share of the partition's own
/// totals ÷ the weight of its first role.
pub fn partition_fairness_now(view: &View, p: PartitionId) -> (f64, f64) {
    fairness_of(view, Some(p))
}

/// [`fairness_now`] from every framework's dominant share and whether it
/// is active (by framework id, as [`Shares::of`] gives them), already at
/// hand.
fn fairness_of_shares(view: &View, shares: &Shares) -> (f64, f64) {
    fairness_with(
        view,
        None,
        |fw| shares.active[fw.index()],
        |fw| shares.frameworks[fw.index()],
    )
}

fn fairness_of(view: &View, partition: Option<PartitionId>) -> (f64, f64) {
    fairness_with(
        view,
        partition,
        |fw| view.framework_active(fw),
        |fw| view.framework_share(fw),
    )
}

fn fairness_with(
    view: &View,
    partition: Option<PartitionId>,
    active: impl Fn(FrameworkId) -> bool,
    share_of: impl Fn(FrameworkId) -> f64,
) -> (f64, f64) {
    let mut xs = Vec::new();
    for (i, f) in view.model.frameworks.iter().enumerate() {
        let fw = FrameworkId(i as u32);
        if !active(fw) {
            continue;
        }
        let share = match partition {
            None => share_of(fw),
            Some(p) if f.partitions.contains(&p) => view.partition_framework_share(p, fw),
            Some(_) => continue,
        };
        let weight = view.role_weight(f.roles[0]);
        xs.push(share / weight);
    }
    (jain(&xs), min_max_ratio(&xs))
}

/// Every framework's and every role's dominant share at one instant, and
/// whether each framework is active: what each step of the metrics reads,
/// worked out once a step (one sum of what each framework holds, one
/// [`crate::policy::ShareBasis`]; the same numbers as
/// [`View::framework_share`], [`View::role_share`] and
/// [`View::framework_active`] give one at a time).
#[derive(Clone, Debug, Default)]
struct Shares {
    frameworks: Vec<f64>,
    active: Vec<bool>,
    roles: Vec<f64>,
}

impl Shares {
    /// Fills `self` with the shares now, reusing its buffers.
    fn of(&mut self, view: &View) {
        let basis = view.share_basis();
        let n = view.model.frameworks.len();
        let kinds = crate::cluster::state::resource_kinds(view.model);
        self.frameworks.clear();
        self.active.clear();
        for i in 0..n {
            let fw = FrameworkId(i as u32);
            let held = view.framework_held_first(fw, kinds);
            self.frameworks.push(basis.dominant_share(&held));
            self.active.push(view.framework_active_holding(fw, &held));
        }
        self.roles.clear();
        for i in 0..view.model.roles.len() {
            let role = crate::RoleId(i as u32);
            self.roles
                .push(basis.dominant_share(&view.role_allocation(role)));
        }
    }
}

/// Sample times `0, I, 2I, …` up to the end of the run; the state at a
/// sample time is the state after every event at that time.
#[derive(Clone, Debug)]
pub struct Sampler {
    interval: u64,
    next: u64,
}

impl Default for Sampler {
    fn default() -> Self {
        Sampler::new(1)
    }
}

impl Sampler {
    pub fn new(interval: u64) -> Sampler {
        Sampler {
            interval: interval.max(1),
            next: 0,
        }
    }

    /// Sample times in `[.., to)` not yet handed out (or `[.., to]` when
    /// `inclusive`).
    pub fn due(&mut self, to: SimTime, inclusive: bool) -> Vec<SimTime> {
        let mut out = Vec::new();
        while self.next < to.0 || (inclusive && self.next == to.0) {
            out.push(SimTime(self.next));
            match self.next.checked_add(self.interval) {
                Some(n) => self.next = n,
                None => {
                    self.next = u64::MAX;
                    break;
                }
            }
        }
        out
    }
}

/// One partition's integrals over the window: ∫ allocated/total dt and
/// ∫ offered/total dt per resource over the time its total is > 0.
#[derive(Clone, Debug, Default)]
struct PartitionSums {
    util_sum: Vec<f64>,
    offered_sum: Vec<f64>,
    positive_us: Vec<u64>,
    /// ∫ Jain's index dt and ∫ min/max ratio dt within the partition.
    jain_sum: f64,
    min_max_sum: f64,
}

/// Adds `dt` × (amount ÷ total) to each pair's sum, per resource with a
/// positive total, and `dt` to that resource's time with a positive total:
/// the time integrals behind every utilization-like mean, of the whole
/// cluster and of each partition.
fn integrate(
    model: &Model,
    totals: &Quantities,
    dt: u64,
    positive_us: &mut [u64],
    parts: &mut [(&Quantities, &mut Vec<f64>)],
) {
    let dtf = dt as f64;
    for r in model.resources.ids() {
        let total = totals.get(r);
        if total > 0 {
            let i = r.0 as usize;
            positive_us[i] += dt;
            for (amount, sum) in parts.iter_mut() {
                sum[i] += ratio(amount.get(r), total) * dtf;
            }
        }
    }
}

/// One partition's means over the window (see [`RunMetrics::partition_means`]).
#[derive(Clone, Debug, PartialEq)]
pub struct PartitionMeans {
    /// Per resource: allocated ÷ the partition's own total.
    pub utilization: Vec<f64>,
    /// Per resource: offered, not yet accepted ÷ the partition's own total.
    pub offered_idle: Vec<f64>,
    /// Jain's index and min/max ratio within the partition
    /// ([`partition_fairness_now`]). An empty window reports each value at
    /// the end, as the whole cluster's do.
    pub jain: f64,
    pub min_max_ratio: f64,
}

/// Counts over the window.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub tasks_launched: u64,
    pub tasks_finished: u64,
    pub tasks_failed: u64,
    pub tasks_lost: u64,
    pub tasks_killed: u64,
    /// Take-all tasks (submitted when launched).
    pub take_all_launched: u64,
    /// Tasks of the jobs submitted in the window.
    pub job_tasks_submitted: u64,
    pub offers_made: u64,
    pub offers_accepted: u64,
    pub offers_declined: u64,
    pub offers_rescinded: u64,
    pub inverse_offers: u64,
}

/// Per-framework counts over the window.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FrameworkCounts {
    pub offers_received: u64,
    pub offers_accepted: u64,
    pub offers_declined: u64,
    pub offers_rescinded: u64,
    pub tasks_launched: u64,
    pub tasks_finished: u64,
    pub tasks_killed: u64,
    /// Σ (launch − offer) over offers it launched from, and their number.
    pub offer_to_launch_us: u128,
    pub offers_launched: u64,
}

/// Tasks by their state at the end: tasks of the jobs submitted in the
/// window, and take-all tasks launched in it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TaskFinal {
    pub finished: u64,
    pub running: u64,
    pub pending: u64,
    pub killed: u64,
    pub failed: u64,
    pub lost: u64,
}

/// Everything `summary.json` reports, fed by the engine through
/// [`Observer`]: time-weighted integrals over the measurement window
/// (`output.window`, the whole run by default), counts of the records in it,
/// the jobs submitted in it, and the sampled distance from the ideal DRF
/// allocation.
/// Jobs with a deadline (`jobs[].deadline`): `met` finished by it; `missed`
/// finished after it, were given up, or were unfinished at the end with it
/// passed; `open` were unfinished at the end with it still ahead.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Deadlines {
    pub jobs: u64,
    pub met: u64,
    pub missed: u64,
    pub open: u64,
    /// Unfinished jobs' deadlines, until `finish` sorts them.
    unfinished_due: Vec<SimTime>,
}

#[derive(Clone, Debug, Default)]
pub struct RunMetrics {
    from: u64,
    to: Option<u64>,
    /// Per resource: ∫ allocated/total dt, ∫ offered/total dt and
    /// ∫ used/total dt over the time the total is > 0, and that time.
    util_sum: Vec<f64>,
    offered_sum: Vec<f64>,
    used_sum: Vec<f64>,
    positive_us: Vec<u64>,
    /// The same for each partition (empty with one partition): allocated
    /// and offered over the partition's own total.
    partition_sums: Vec<PartitionSums>,
    jain_sum: f64,
    min_max_sum: f64,
    fw_share_sum: Vec<f64>,
    role_share_sum: Vec<f64>,
    /// Per framework: time with pending work, and the part of it below its
    /// fair share.
    fw_pending_us: Vec<u64>,
    fw_below_us: Vec<u64>,
    duration_us: u64,
    sampler: Sampler,
    drf_distance_sum: f64,
    drf_samples: u64,
    /// With `output.references`: the distances from the asset-fair and
    /// the CEEI references, summed over the same samples.
    reference_distance_sum: [f64; 2],
    model_references: bool,
    used_now: UsedTracker,
    demand: fairness::DemandTracker,
    task_times: jobs::TaskTimes,
    take_all_open: std::collections::BTreeSet<TaskRef>,
    /// Reused between steps.
    shares: Shares,
    pending_flags: Vec<bool>,
    below_flags: Vec<bool>,
    pub counts: Counts,
    pub fw_counts: Vec<FrameworkCounts>,
    pub tasks_final: TaskFinal,
    /// Jobs submitted in the window: all, per framework, per class.
    pub jobs: jobs::JobGroup,
    pub jobs_by_framework: Vec<jobs::JobGroup>,
    pub jobs_by_class: BTreeMap<String, jobs::JobGroup>,
    /// Jobs submitted in the window with a `jobs[].deadline`.
    pub deadlines: Deadlines,
    /// Completed jobs' times, shared by the groups.
    pub job_samples: jobs::JobSamples,
    pub finals: Option<Finals>,
    /// Master failovers' recoveries (only with `master_failover` events).
    track_recovery: bool,
    /// The cluster's level (see [`RunMetrics::recovery_times`]) over the
    /// last interval advanced through.
    level_now: f64,
    recoveries: Vec<Recovery>,
}

/// One master failover's dip and recovery.
#[derive(Clone, Debug, Default)]
struct Recovery {
    at: u64,
    /// The level just before the failover.
    before: f64,
    elected: bool,
    dipped: bool,
    recovered_us: Option<u64>,
}

/// The state at the end of the run.
#[derive(Clone, Debug, Default)]
pub struct Finals {
    pub end: SimTime,
    pub framework_allocated: Vec<Quantities>,
    pub role_used: Vec<Quantities>,
    pub role_weight: Vec<f64>,
    jain: f64,
    min_max: f64,
    fw_share: Vec<f64>,
    role_share: Vec<f64>,
    util: Vec<f64>,
    offered: Vec<f64>,
    used: Vec<f64>,
    /// Per partition (none with one partition), the same at the end.
    partitions: Vec<PartitionMeans>,
}

impl RunMetrics {
    pub fn new(model: &Model) -> RunMetrics {
        let r = model.resources.len();
        let f = model.frameworks.len();
        let w = model.output.window;
        RunMetrics {
            from: w.from.0,
            to: w.to.map(|t| t.0),
            util_sum: vec![0.0; r],
            offered_sum: vec![0.0; r],
            used_sum: vec![0.0; r],
            positive_us: vec![0; r],
            partition_sums: if model.partitions.count > 1 {
                vec![
                    PartitionSums {
                        util_sum: vec![0.0; r],
                        offered_sum: vec![0.0; r],
                        positive_us: vec![0; r],
                        jain_sum: 0.0,
                        min_max_sum: 0.0,
                    };
                    model.partitions.count as usize
                ]
            } else {
                Vec::new()
            },
            fw_share_sum: vec![0.0; f],
            role_share_sum: vec![0.0; model.roles.len()],
            fw_pending_us: vec![0; f],
            fw_below_us: vec![0; f],
            sampler: Sampler::new(model.output.sample_interval),
            model_references: model.output.references,
            demand: fairness::DemandTracker::new(f),
            fw_counts: vec![FrameworkCounts::default(); f],
            job_samples: jobs::JobSamples::new(model.output.percentiles),
            jobs_by_framework: (0..f)
                .map(|i| jobs::JobGroup::new(jobs::Member::Framework(i as u32)))
                .collect(),
            track_recovery: model
                .events
                .iter()
                .any(|e| matches!(e.kind, crate::scenario::model::EventKind::MasterFailover(_))),
            ..RunMetrics::default()
        }
    }

    /// Per master failover, in order: how long after it the cluster's
    /// level — the mean over resources of what running tasks use ÷ the
    /// total of the agents up (the truth) — took to come back within 5%
    /// of its level just before (≥ 95% of it), if it fell below that
    /// before the new leader was elected; 0 if it did not fall; `None`
    /// if it had not come back by the end.
    pub fn recovery_times(&self) -> Vec<Option<u64>> {
        self.recoveries.iter().map(|r| r.recovered_us).collect()
    }

    /// The cluster's level now (see [`RunMetrics::recovery_times`]).
    fn level(&self, view: &View) -> f64 {
        let (mut total, mut used) = (Quantities::ZERO, Quantities::ZERO);
        for i in 0..view.model.agents.len() {
            let a = view.cluster.agent(crate::AgentId(i as u32));
            if a.up {
                total.add(&a.total);
                used.add(&a.used);
            }
        }
        let (mut sum, mut n) = (0.0, 0u32);
        for r in view.model.resources.ids() {
            if total.get(r) > 0 {
                sum += ratio(used.get(r), total.get(r));
                n += 1;
            }
        }
        if n == 0 {
            0.0
        } else {
            sum / f64::from(n)
        }
    }

    /// Follows open recoveries through `[from, …)`, where the level is
    /// `level`.
    fn follow_recoveries(&mut self, from: u64, level: f64) {
        self.level_now = level;
        for r in self.recoveries.iter_mut() {
            if r.recovered_us.is_some() || r.at > from {
                continue;
            }
            let back = level >= 0.95 * r.before;
            if !back && !r.elected {
                r.dipped = true;
            } else if back && r.dipped {
                r.recovered_us = Some(from - r.at);
            } else if !r.dipped && r.elected {
                r.recovered_us = Some(0);
            }
        }
    }

    /// Whether a moment lies in the window `[from, to]`.
    pub fn in_window(&self, t: SimTime) -> bool {
        t.0 >= self.from && self.to.is_none_or(|to| t.0 <= to)
    }

    /// The window actually measured: `[from, min(to, end)]`.
    pub fn window(&self) -> (SimTime, SimTime) {
        let end = self.finals.as_ref().map_or(SimTime::ZERO, |f| f.end);
        let to = self.to.map_or(end, |t| SimTime(t.min(end.0)));
        (SimTime(self.from), to)
    }

    /// Time measured (the window's overlap with the run), µs.
    pub fn measured_us(&self) -> u64 {
        self.duration_us
    }

    /// Time-weighted mean of the instantaneous value (the end value when no
    /// time was measured).
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

    /// Per partition (none with one partition): time-weighted mean
    /// utilization and offered-but-idle fraction per resource, over the
    /// partition's own total (0 for a resource it never had).
    pub fn partition_means(&self) -> Vec<PartitionMeans> {
        // An empty window reports the state at the end, as the whole
        // cluster's means do.
        if self.duration_us == 0 {
            if let Some(f) = &self.finals {
                return f.partitions.clone();
            }
        }
        let mean = |sums: &[f64], positive: &[u64]| -> Vec<f64> {
            sums.iter()
                .zip(positive)
                .map(|(s, &t)| if t > 0 { s / t as f64 } else { 0.0 })
                .collect()
        };
        self.partition_sums
            .iter()
            .map(|p| PartitionMeans {
                utilization: mean(&p.util_sum, &p.positive_us),
                offered_idle: mean(&p.offered_sum, &p.positive_us),
                jain: self.mean(p.jain_sum, 1.0),
                min_max_ratio: self.mean(p.min_max_sum, 1.0),
            })
            .collect()
    }

    pub fn used(&self) -> Vec<f64> {
        self.ratio_means(&self.used_sum, |f| &f.used)
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

    /// With `output.references`: the means over the same samples of the
    /// distances from the asset-fair and the CEEI references.
    pub fn reference_distances(&self) -> Option<[f64; 2]> {
        if !self.model_references {
            return None;
        }
        Some(if self.drf_samples == 0 {
            [0.0; 2]
        } else {
            self.reference_distance_sum
                .map(|d| d / self.drf_samples as f64)
        })
    }

    /// Mean over the samples in the window of ½ Σ |share − ideal share|.
    pub fn drf_distance(&self) -> f64 {
        if self.drf_samples == 0 {
            0.0
        } else {
            self.drf_distance_sum / self.drf_samples as f64
        }
    }

    /// Time the framework had pending work (µs), and the fraction of it
    /// spent below its fair share (0 when it never had pending work).
    pub fn below_fair_share(&self, fw: usize) -> (u64, f64) {
        let p = self.fw_pending_us[fw];
        let f = if p == 0 {
            0.0
        } else {
            self.fw_below_us[fw] as f64 / p as f64
        };
        (p, f)
    }

    /// Pooled over frameworks: Σ time below ÷ Σ time pending.
    pub fn below_fair_share_all(&self) -> f64 {
        let p: u64 = self.fw_pending_us.iter().sum();
        if p == 0 {
            0.0
        } else {
            self.fw_below_us.iter().sum::<u64>() as f64 / p as f64
        }
    }

    /// The largest per-framework fraction of pending time below fair share.
    pub fn below_fair_share_max(&self) -> f64 {
        (0..self.fw_pending_us.len())
            .map(|f| self.below_fair_share(f).1)
            .fold(0.0, f64::max)
    }

    /// Mean offer-to-launch latency (µs) over offers launched from, all
    /// frameworks or one.
    pub fn offer_to_launch_mean_us(&self, fw: Option<usize>) -> f64 {
        let (sum, n) = match fw {
            Some(f) => (
                self.fw_counts[f].offer_to_launch_us,
                self.fw_counts[f].offers_launched,
            ),
            None => self.fw_counts.iter().fold((0u128, 0u64), |(s, n), c| {
                (s + c.offer_to_launch_us, n + c.offers_launched)
            }),
        };
        if n == 0 {
            0.0
        } else {
            sum as f64 / n as f64
        }
    }

    fn sample(&mut self, view: &View, t: SimTime) {
        if !self.in_window(t) {
            return;
        }
        let clients = fairness::clients(view, &mut self.demand);
        let ideal = fairness::ideal(view, &clients);
        self.drf_distance_sum += fairness::drf_distance(view, &ideal);
        self.drf_samples += 1;
        if view.model.output.references {
            let problem = fairness::reference_problem(view, &clients);
            let held = clients.iter().map(|c| c.share).collect();
            let [_, asset, ceei] = crate::fairshare::References::of(problem, held).distances();
            self.reference_distance_sum[0] += asset;
            self.reference_distance_sum[1] += ceei;
        }
    }

    /// Counts, in the window's counts, `n` records of `kind` in a row (one unless counted, see
    /// [`Observer::counted`]); `task` is read only for launches, which
    /// come one at a time.
    fn count(
        &mut self,
        kind: RecordKind,
        framework: Option<FrameworkId>,
        task: Option<TaskRef>,
        n: u64,
    ) {
        let c = &mut self.counts;
        // The framework's counter of this kind, if it has one: one
        // increment each, no per-record struct added up field by field.
        let mut f = framework.and_then(|f| self.fw_counts.get_mut(f.index()));
        let mut one = |pick: fn(&mut FrameworkCounts) -> &mut u64| {
            if let Some(f) = f.as_deref_mut() {
                *pick(f) += n;
            }
        };
        match kind {
            RecordKind::Offer => {
                c.offers_made += n;
                one(|f| &mut f.offers_received);
            }
            RecordKind::Accept => {
                c.offers_accepted += n;
                one(|f| &mut f.offers_accepted);
            }
            RecordKind::Decline => {
                c.offers_declined += n;
                one(|f| &mut f.offers_declined);
            }
            RecordKind::Rescind => {
                c.offers_rescinded += n;
                one(|f| &mut f.offers_rescinded);
            }
            RecordKind::InverseOffer => c.inverse_offers += n,
            RecordKind::Launch => {
                c.tasks_launched += n;
                one(|f| &mut f.tasks_launched);
                if let Some(t @ TaskRef::TakeAll(..)) = task {
                    c.take_all_launched += 1;
                    self.take_all_open.insert(t);
                }
            }
            RecordKind::Finish => {
                c.tasks_finished += n;
                one(|f| &mut f.tasks_finished);
            }
            RecordKind::Kill => {
                c.tasks_killed += n;
                one(|f| &mut f.tasks_killed);
            }
            RecordKind::Fail => c.tasks_failed += n,
            RecordKind::Lost => c.tasks_lost += n,
            _ => {}
        }
    }
}

fn ratio(part: u64, total: u64) -> f64 {
    part as f64 / total as f64
}

/// What a task uses while it runs: its job's `used` (the request unless the
/// scenario says otherwise); a take-all task uses what it took.
pub fn task_used<'r>(_model: &Model, rec: &'r Record) -> &'r Quantities {
    &rec.used
}

/// What running tasks use, kept from launch and end records: over the
/// whole cluster and per partition, counting only agents a leading master
/// knows — the same agents the totals count. After an election, an
/// agent's tasks run on but its master does not know the agent until it
/// registers again (`agent_reregistered`, or `agent_recovered` after a
/// failure); until then neither its resources
/// nor what its tasks use are counted, so `used` stays within the total
/// (before, it counted every running task against the totals the leaders
/// know, and went above 100% while agents re-registered).
#[derive(Clone, Debug, Default)]
pub struct UsedTracker {
    known: Quantities,
    partitions: Vec<Quantities>,
    /// Per agent: what its running tasks use, its partition (from its
    /// records) and whether its partition's leader knows it. Kept only
    /// when the scenario fails a master over (`per_agent`, set at the
    /// first task record): without an election every agent is known.
    agents: Vec<AgentUse>,
    per_agent: Option<bool>,
    /// How many leading entries of a task's `used` may be non-zero: the
    /// scenario's resource kinds (`cluster::state::resource_kinds`, set at
    /// the first task record; a task's `used` is within its resources,
    /// which fit its agent's). Sums over the first `width` entries are the
    /// full sums, at a fraction of the work (most scenarios name 2–4 kinds
    /// of the 16).
    width: usize,
}

#[derive(Clone, Copy, Debug, Default)]
struct AgentUse {
    used: Quantities,
    partition: u32,
    unknown: bool,
}

impl UsedTracker {
    /// What running tasks use on the agents the leading masters know.
    pub fn known(&self) -> Quantities {
        self.known
    }

    /// The same on one partition's agents (with one partition: the
    /// cluster's; `partition` is read only with several).
    pub fn partition(&self, p: PartitionId) -> Quantities {
        if self.partitions.is_empty() && p.0 == 0 {
            return self.known;
        }
        self.partitions
            .get(p.index())
            .copied()
            .unwrap_or(Quantities::ZERO)
    }

    pub fn record(&mut self, model: &Model, rec: &Record) {
        // The kind first: most records (offers, declines) change nothing
        // here, and must not touch the agent's entry.
        let launched = match (rec.kind, rec.task) {
            (RecordKind::Launch, Some(_)) => true,
            (
                RecordKind::Finish | RecordKind::Kill | RecordKind::Fail | RecordKind::Lost,
                Some(_),
            ) => false,
            (
                RecordKind::AgentReregistered | RecordKind::AgentRecovered | RecordKind::AgentAdded,
                _,
            ) => {
                self.registered(rec);
                return;
            }
            (RecordKind::MasterElected, _) => {
                self.elected(rec.partition);
                return;
            }
            _ => return,
        };
        // With one partition its sums are the cluster's: none kept apart.
        let n = model.partitions.count.max(1) as usize;
        if n > 1 && self.partitions.len() < n {
            self.partitions.resize(n, Quantities::ZERO);
        }
        let used = task_used(model, rec);
        if self.width == 0 {
            self.width = resource_kinds(model);
        }
        let per_agent = *self.per_agent.get_or_insert_with(|| {
            model
                .events
                .iter()
                .any(|e| matches!(e.kind, crate::scenario::model::EventKind::MasterFailover(_)))
        });
        let p = rec.partition.index();
        let (true, Some(a)) = (per_agent, rec.agent) else {
            // No election, every agent known (task records always name
            // their agent).
            self.count(launched, p, used);
            return;
        };
        let i = a.index();
        if self.agents.len() <= i {
            self.agents.resize(i + 1, AgentUse::default());
        }
        let entry = &mut self.agents[i];
        if entry.used.is_empty() {
            entry.partition = rec.partition.0;
        }
        if launched {
            entry.used.add_first(used, self.width);
        } else {
            entry.used.saturating_sub_first(used, self.width);
        }
        if !entry.unknown {
            self.count(launched, p, used);
        }
    }

    /// A task on a known agent of partition `p` launched or ended.
    fn count(&mut self, launched: bool, p: usize, used: &Quantities) {
        let w = self.width;
        for q in [Some(&mut self.known), self.partitions.get_mut(p)]
            .into_iter()
            .flatten()
        {
            if launched {
                q.add_first(used, w);
            } else {
                q.saturating_sub_first(used, w);
            }
        }
    }

    /// An agent registered with its partition's leader: what its tasks use
    /// counts again.
    fn registered(&mut self, rec: &Record) {
        let Some(entry) = rec.agent.and_then(|a| self.agents.get_mut(a.index())) else {
            return;
        };
        if !entry.unknown {
            return;
        }
        entry.unknown = false;
        let (used, p) = (entry.used, entry.partition as usize);
        self.known.add(&used);
        if let Some(q) = self.partitions.get_mut(p) {
            q.add(&used);
        }
    }

    /// A new leader for `p` knows none of the partition's agents until
    /// they re-register.
    fn elected(&mut self, p: PartitionId) {
        for entry in &mut self.agents {
            if entry.partition == p.0 && !entry.unknown && !entry.used.is_empty() {
                entry.unknown = true;
                self.known.saturating_sub(&entry.used);
                if let Some(q) = self.partitions.get_mut(p.index()) {
                    q.saturating_sub(&entry.used);
                }
            }
        }
    }
}

impl RunMetrics {
    /// What running tasks use, as followed from the records (the writers
    /// of `timeseries.csv` read it here instead of following every task
    /// record a second time).
    pub fn used_tracker(&self) -> &UsedTracker {
        &self.used_now
    }

    /// Job `job`'s ideal run time (µs) as followed so far, left in place
    /// ([`Observer::job_ended`] takes it): what `jobs.csv` writes, read
    /// here instead of followed a second time.
    pub fn ideal_run_time(&self, job: JobId) -> Option<u64> {
        self.task_times.ideal(job)
    }
}

impl Observer for RunMetrics {
    fn record(&mut self, model: &Model, rec: &Record) {
        self.demand.record(rec);
        self.task_times.record(rec);
        self.used_now.record(model, rec);
        match rec.kind {
            RecordKind::MasterFailover => self.recoveries.push(Recovery {
                at: rec.time.0,
                before: self.level_now,
                ..Recovery::default()
            }),
            RecordKind::MasterElected => {
                if let Some(r) = self.recoveries.iter_mut().find(|r| !r.elected) {
                    r.elected = true;
                }
            }
            _ => {}
        }
        // Take-all tasks launched in the window: their final state.
        if let Some(t @ TaskRef::TakeAll(..)) = rec.task {
            if self.take_all_open.contains(&t) {
                let end = match rec.kind {
                    RecordKind::Finish => Some(&mut self.tasks_final.finished),
                    RecordKind::Kill => Some(&mut self.tasks_final.killed),
                    RecordKind::Fail => Some(&mut self.tasks_final.failed),
                    RecordKind::Lost => Some(&mut self.tasks_final.lost),
                    _ => None,
                };
                if let Some(n) = end {
                    *n += 1;
                    self.take_all_open.remove(&t);
                }
            }
        }
        if self.in_window(rec.time) {
            self.count(rec.kind, rec.framework, rec.task, 1);
        }
    }

    /// Offers and answers are only counted here (see `count`), as
    /// `record` treats them.
    fn record_kinds(&self) -> KindSet {
        KindSet::ALL.minus(KindSet::OFFER_COUNTS)
    }

    fn counted(&mut self, _model: &Model, c: &Counted) {
        if self.in_window(c.time) {
            self.count(c.kind, c.framework, None, c.n);
        }
    }

    fn wants_job_names(&self) -> bool {
        false
    }

    fn offer_launched(&mut self, _model: &Model, offer: &Offer, at: SimTime) {
        if !self.in_window(at) {
            return;
        }
        if let Some(f) = self.fw_counts.get_mut(offer.framework.index()) {
            f.offer_to_launch_us += (at.0 - offer.made_at.0) as u128;
            f.offers_launched += 1;
        }
    }

    fn advance(&mut self, view: &View, from: SimTime, to: SimTime) {
        for t in self.sampler.due(to, false) {
            self.sample(view, t);
        }
        if self.track_recovery {
            let level = self.level(view);
            self.follow_recoveries(from.0, level);
        }
        let a = from.0.max(self.from);
        let b = self.to.map_or(to.0, |w| to.0.min(w));
        if b <= a {
            return;
        }
        let dt = b - a;
        let dtf = dt as f64;
        self.duration_us += dt;
        let (totals, allocated, offered) =
            (view.totals(), view.allocated_total(), view.offered_total());
        let used = self.used_now.known();
        integrate(
            view.model,
            &totals,
            dt,
            &mut self.positive_us,
            &mut [
                (&allocated, &mut self.util_sum),
                (&offered, &mut self.offered_sum),
                (&used, &mut self.used_sum),
            ],
        );
        for (p, sums) in self.partition_sums.iter_mut().enumerate() {
            let p = crate::PartitionId(p as u32);
            let (allocated, offered) = (view.partition_allocated(p), view.partition_offered(p));
            integrate(
                view.model,
                &view.partition_totals(p),
                dt,
                &mut sums.positive_us,
                &mut [
                    (&allocated, &mut sums.util_sum),
                    (&offered, &mut sums.offered_sum),
                ],
            );
            let (j, mm) = partition_fairness_now(view, p);
            sums.jain_sum += j * dtf;
            sums.min_max_sum += mm * dtf;
        }
        // Each framework's share once, for fairness and the share sums.
        let mut shares = std::mem::take(&mut self.shares);
        shares.of(view);
        let (j, mm) = fairness_of_shares(view, &shares);
        self.jain_sum += j * dtf;
        self.min_max_sum += mm * dtf;
        for (s, x) in self.fw_share_sum.iter_mut().zip(&shares.frameworks) {
            *s += x * dtf;
        }
        for (s, x) in self.role_share_sum.iter_mut().zip(&shares.roles) {
            *s += x * dtf;
        }
        self.shares = shares;
        if view.frameworks.iter().any(|f| f.pending_tasks > 0) {
            let n = self.fw_pending_us.len();
            self.pending_flags.resize(n, false);
            self.below_flags.resize(n, false);
            fairness::below_flags(
                view,
                &mut self.demand,
                &mut self.pending_flags,
                &mut self.below_flags,
            );
            for i in 0..n {
                if self.pending_flags[i] {
                    self.fw_pending_us[i] += dt;
                    if self.below_flags[i] {
                        self.fw_below_us[i] += dt;
                    }
                }
            }
        }
    }

    fn job_ended(&mut self, _model: &Model, job: &JobView) {
        let s = job.state;
        let ideal = job.id.and_then(|id| self.task_times.take_ideal(id));
        let Some(submit) = s.submitted_at else {
            return;
        };
        if !self.in_window(submit) {
            return;
        }
        let spec = job.spec;
        self.counts.job_tasks_submitted += spec.tasks as u64;
        let tf = &mut self.tasks_final;
        tf.finished += s.finished as u64;
        tf.running += s.running as u64;
        tf.lost += s.lost as u64;
        tf.killed += s.killed as u64;
        // By definition: every task not finished, running, lost or killed
        // has not launched (or is waiting to launch again) — queued, in
        // its framework's decision time, or withdrawn when its job was
        // given up.
        let ended = s.finished as u64 + s.running as u64 + s.lost as u64 + s.killed as u64;
        debug_assert!(ended + s.pending_count(spec.tasks) as u64 <= spec.tasks as u64);
        tf.pending += (spec.tasks as u64).saturating_sub(ended);
        if let Some(deadline) = spec.deadline {
            let due = submit.plus(deadline);
            let d = &mut self.deadlines;
            d.jobs += 1;
            match (s.status, s.finished_at) {
                (JobStatus::Finished, Some(f)) if f <= due => d.met += 1,
                (JobStatus::Pending | JobStatus::Running, _) => d.unfinished_due.push(due),
                _ => d.missed += 1,
            }
        }
        let class = spec.class.as_ref().map(|c| self.job_samples.class_index(c));
        let mut groups: Vec<&mut jobs::JobGroup> = vec![&mut self.jobs];
        if let Some(g) = self.jobs_by_framework.get_mut(spec.framework.index()) {
            groups.push(g);
        }
        if let (Some(c), Some(ci)) = (&spec.class, class) {
            groups.push(
                self.jobs_by_class
                    .entry(c.clone())
                    .or_insert_with(|| jobs::JobGroup::new(jobs::Member::Class(ci))),
            );
        }
        for g in groups {
            g.submitted += 1;
            match s.status {
                JobStatus::Finished => g.completed += 1,
                JobStatus::Abandoned => g.abandoned += 1,
                JobStatus::Pending | JobStatus::Running => g.censored += 1,
                _ => {}
            }
        }
        if matches!(s.status, JobStatus::Pending | JobStatus::Running) {
            // Unfinished at the end (this is called for them just before
            // `finish`): `jct_us` holds the submission time until then.
            self.job_samples.push_censored(jobs::JobSample {
                jct_us: submit.0,
                wait_us: s.first_start.map_or(u64::MAX, |st| st.0 - submit.0),
                ideal_us: 0,
                framework: spec.framework.0,
                class: class.unwrap_or(u32::MAX),
            });
        }
        if s.status == JobStatus::Finished {
            if let Some(f) = s.finished_at {
                self.job_samples.push(jobs::JobSample {
                    jct_us: f.0 - submit.0,
                    wait_us: s.first_start.map_or(u64::MAX, |st| st.0 - submit.0),
                    ideal_us: ideal.unwrap_or(0),
                    framework: spec.framework.0,
                    class: class.unwrap_or(u32::MAX),
                });
            }
        }
    }

    fn finish(&mut self, view: &View, end: SimTime) {
        let d = &mut self.deadlines;
        for due in std::mem::take(&mut d.unfinished_due) {
            if due <= end {
                d.missed += 1;
            } else {
                d.open += 1;
            }
        }
        for j in &mut self.job_samples.censored {
            j.jct_us = end.0.saturating_sub(j.jct_us);
        }
        for t in self.sampler.due(end, true) {
            self.sample(view, t);
        }
        self.tasks_final.running += self.take_all_open.len() as u64;
        self.take_all_open.clear();
        let (jain, min_max) = fairness_now(view);
        let mut shares = Shares::default();
        shares.of(view);
        let Shares {
            frameworks: fw_share,
            roles: role_share,
            ..
        } = shares;
        let totals = view.totals();
        let over = |q: &Quantities, totals: &Quantities| -> Vec<f64> {
            view.model
                .resources
                .ids()
                .map(|r| {
                    let t = totals.get(r);
                    if t > 0 {
                        ratio(q.get(r), t)
                    } else {
                        0.0
                    }
                })
                .collect()
        };
        let instant = |q: &Quantities| over(q, &totals);
        let partitions = (0..self.partition_sums.len())
            .map(|p| {
                let p = crate::PartitionId(p as u32);
                let totals = view.partition_totals(p);
                let (jain, min_max_ratio) = partition_fairness_now(view, p);
                PartitionMeans {
                    utilization: over(&view.partition_allocated(p), &totals),
                    offered_idle: over(&view.partition_offered(p), &totals),
                    jain,
                    min_max_ratio,
                }
            })
            .collect();
        self.finals = Some(Finals {
            end,
            framework_allocated: (0..view.model.frameworks.len())
                .map(|i| view.framework_allocated(FrameworkId(i as u32)))
                .collect(),
            role_used: (0..view.model.roles.len())
                .map(|i| view.role_used(crate::RoleId(i as u32)))
                .collect(),
            role_weight: (0..view.model.roles.len())
                .map(|i| view.role_weight(crate::RoleId(i as u32)))
                .collect(),
            jain,
            min_max,
            fw_share,
            role_share,
            util: instant(&view.allocated_total()),
            offered: instant(&view.offered_total()),
            used: instant(&self.used_now.known()),
            partitions,
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
    view.share_of(held)
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
