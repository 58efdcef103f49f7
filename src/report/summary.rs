//! `summary.json` and `manifest.json`.

use crate::cluster::resources::{milli_to_f64, Quantities};
use crate::metrics::{self, RunMetrics};
use crate::scenario::model::Model;
use crate::sim::engine::Outcome;
use crate::sim::time::US_PER_SEC;
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use serde_json::value::RawValue;

/// Seconds with exactly six decimals, as a JSON number.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Secs(pub u64);

impl Serialize for Secs {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let text = format!("{}.{:06}", self.0 / US_PER_SEC, self.0 % US_PER_SEC);
        RawValue::from_string(text)
            .map_err(serde::ser::Error::custom)?
            .serialize(s)
    }
}

/// A mean of times, in seconds with six decimals.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SecsF(pub f64);

impl Serialize for SecsF {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let text = format!("{:.6}", self.0 / US_PER_SEC as f64);
        RawValue::from_string(text)
            .map_err(serde::ser::Error::custom)?
            .serialize(s)
    }
}

/// A JSON object keyed by resource name, in declaration order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ResMap(pub Vec<(String, f64)>);

impl Serialize for ResMap {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

impl ResMap {
    /// Resource amounts in the scenario's units, zero entries left out.
    pub fn amounts(q: &Quantities, model: &Model) -> ResMap {
        ResMap(
            q.nonzero()
                .filter(|(r, _)| (r.0 as usize) < model.resources.len())
                .map(|(r, v)| (model.resources.name(r).to_string(), milli_to_f64(v)))
                .collect(),
        )
    }

    /// One value per resource, all resources.
    pub fn per_resource(values: &[f64], model: &Model) -> ResMap {
        ResMap(
            model
                .resources
                .names()
                .iter()
                .zip(values)
                .map(|(n, v)| (n.clone(), *v))
                .collect(),
        )
    }
}

#[derive(Serialize, Debug)]
pub struct Fairness {
    pub jain: f64,
    pub min_max_ratio: f64,
    pub drf_distance: f64,
    /// With `output.references`: the mean distances from the asset-fair
    /// and CEEI references (`fairness.references`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub references: Option<ReferenceDistances>,
    pub below_fair_share: f64,
    pub below_fair_share_max: f64,
}

/// `fairness.references`: mean distances, as `drf_distance`, from the
/// other exact references.
#[derive(Serialize, Debug)]
pub struct ReferenceDistances {
    pub asset_fair_distance: f64,
    pub ceei_distance: f64,
}

#[derive(Serialize, Debug)]
pub struct Times {
    pub mean: SecsF,
    pub p50: Secs,
    pub p90: Secs,
    pub p99: Secs,
    /// Which of `mean`, `p50`, `p90`, `p99` are lower bounds (jobs
    /// unfinished at the end, censored).
    pub lower_bound: Vec<&'static str>,
}

impl Times {
    fn of(t: metrics::jobs::TimeStats) -> Times {
        Times {
            mean: SecsF(t.mean),
            p50: Secs(t.p50),
            p90: Secs(t.p90),
            p99: Secs(t.p99),
            lower_bound: ["mean", "p50", "p90", "p99"]
                .into_iter()
                .zip(t.lower_bound)
                .filter_map(|(k, b)| b.then_some(k))
                .collect(),
        }
    }

    /// `≥ ` before a value that is a lower bound, else nothing.
    pub fn mark(&self, key: &str) -> &'static str {
        if self.lower_bound.contains(&key) {
            "≥ "
        } else {
            ""
        }
    }
}

/// Mean and percentiles of a unitless quantity (slowdown).
#[derive(Serialize, Debug)]
pub struct Ratios {
    pub mean: f64,
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
}

impl Ratios {
    fn of(d: metrics::jobs::Dist) -> Ratios {
        Ratios {
            mean: d.mean,
            p50: d.p50,
            p90: d.p90,
            p99: d.p99,
        }
    }
}

/// Job statistics of one group of jobs.
#[derive(Serialize, Debug)]
pub struct JobGroupSummary {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub framework: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    pub submitted: u64,
    pub completed: u64,
    pub abandoned: u64,
    /// Still pending or running at the end.
    pub censored: u64,
    pub jct_s: Times,
    pub wait_s: Times,
    pub slowdown: Ratios,
}

impl JobGroupSummary {
    fn of(
        g: &metrics::jobs::JobGroup,
        samples: &metrics::jobs::JobSamples,
        framework: Option<String>,
        class: Option<String>,
    ) -> Self {
        // One per-job vector at a time: each is dropped at its `let`.
        let jct_s = Times::of(g.jct_stats(samples));
        let wait_s = Times::of(g.wait_stats(samples));
        let slowdown = Ratios::of(g.slowdown_stats(samples));
        JobGroupSummary {
            framework,
            class,
            submitted: g.submitted,
            completed: g.completed,
            abandoned: g.abandoned,
            censored: g.censored,
            jct_s,
            wait_s,
            slowdown,
        }
    }
}

#[derive(Serialize, Debug)]
pub struct Jobs {
    pub submitted: u64,
    pub completed: u64,
    pub abandoned: u64,
    /// Still pending or running at the end (censored in the statistics).
    pub censored: u64,
    pub jct_s: Times,
    pub wait_s: Times,
    pub slowdown: Ratios,
    pub by_framework: Vec<JobGroupSummary>,
    pub by_class: Vec<JobGroupSummary>,
    /// Only when some job has a `deadline`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deadlines: Option<DeadlineSummary>,
}

/// `jobs.deadlines`: jobs submitted in the window with a `jobs[].deadline`.
#[derive(Serialize, Debug)]
pub struct DeadlineSummary {
    pub jobs: u64,
    /// Finished by their deadline.
    pub met: u64,
    /// Finished after it, given up, or unfinished at the end with it passed.
    pub missed: u64,
    /// Unfinished at the end with the deadline still ahead.
    pub open: u64,
}

#[derive(Serialize, Debug)]
pub struct TaskStates {
    pub finished: u64,
    pub running: u64,
    pub pending: u64,
    pub killed: u64,
    pub failed: u64,
    pub lost: u64,
}

#[derive(Serialize, Debug)]
pub struct Tasks {
    pub submitted: u64,
    pub launched: u64,
    pub finished: u64,
    pub failed: u64,
    pub lost: u64,
    pub killed: u64,
    pub final_state: TaskStates,
}

#[derive(Serialize, Debug)]
pub struct Offers {
    pub made: u64,
    pub accepted: u64,
    pub declined: u64,
    pub rescinded: u64,
    pub inverse: u64,
    pub to_launch_mean_s: SecsF,
}

#[derive(Serialize, Debug)]
pub struct FrameworkSummary {
    pub id: String,
    pub role: String,
    pub tasks_finished: u64,
    pub offers_received: u64,
    pub dominant_share_mean: f64,
    pub allocation_end: ResMap,
    pub tasks_launched: u64,
    pub offers_accepted: u64,
    pub offers_declined: u64,
    pub offers_rescinded: u64,
    pub tasks_killed: u64,
    pub offer_to_launch_mean_s: SecsF,
    pub pending_time_s: Secs,
    pub below_fair_share: f64,
}

#[derive(Serialize, Debug)]
pub struct RoleSummary {
    pub name: String,
    pub weight: f64,
    pub dominant_share_mean: f64,
    pub allocation_end: ResMap,
}

#[derive(Serialize, Debug)]
pub struct WindowSummary {
    pub from_s: Secs,
    pub to_s: Secs,
}

/// One partition's part of `summary.json`.
#[derive(Serialize, Debug)]
pub struct PartitionSummary {
    pub partition: u32,
    pub agents: u64,
    /// Time-weighted mean of allocated ÷ the partition's total.
    pub utilization: ResMap,
    /// Time-weighted mean of offered (not yet accepted) ÷ the partition's
    /// total: resources its master has locked in offers.
    pub offered_idle: ResMap,
    /// Fairness within the partition: time-weighted Jain's index and
    /// min/max ratio over the active frameworks registered with it, each
    /// framework's share taken of the partition's own totals.
    pub fairness: PartitionFairness,
}

#[derive(Serialize, Debug)]
pub struct PartitionFairness {
    pub jain: f64,
    pub min_max_ratio: f64,
}

/// `architecture:` of a monolithic or shared-state run.
#[derive(Serialize, Debug)]
pub struct ArchitectureSummary {
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queue: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conflicts: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transactions: Option<&'static str>,
}

/// One scheduler of a monolithic or shared-state run (docs/architectures.md).
#[derive(Serialize, Debug)]
pub struct SchedulerSummary {
    /// `central`, or the framework whose scheduler it is.
    pub name: String,
    /// Decision time spent, summed over its attempts.
    pub busy_s: Secs,
    /// `busy_s` ÷ the run's length.
    pub busyness: f64,
    /// Placement attempts (one job each).
    pub attempts: u64,
    /// Attempts that claimed at least one task.
    pub transactions: u64,
    /// Transactions with at least one conflicting claim.
    pub conflicts: u64,
    /// `conflicts` ÷ `transactions` (0 without transactions).
    pub conflict_fraction: f64,
    pub tasks_committed: u64,
    /// Tasks sent back to their queue by conflicts.
    pub tasks_conflicted: u64,
}

impl SchedulerSummary {
    fn of(s: &crate::arch::SchedulerStats, end_us: u64) -> SchedulerSummary {
        let ratio = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        SchedulerSummary {
            name: s.name.clone(),
            busy_s: Secs(s.busy_us),
            busyness: ratio(s.busy_us, end_us),
            attempts: s.attempts,
            transactions: s.transactions,
            conflicts: s.conflicted_transactions,
            conflict_fraction: ratio(s.conflicted_transactions, s.transactions),
            tasks_committed: s.tasks_committed,
            tasks_conflicted: s.tasks_conflicted,
        }
    }
}

#[derive(Serialize, Debug)]
pub struct Summary {
    pub scenario: String,
    pub seed: u64,
    pub version: &'static str,
    pub policy: String,
    pub end_time_s: Secs,
    pub events: u64,
    pub allocation_runs: u64,
    pub window: WindowSummary,
    pub utilization: ResMap,
    pub offered_idle: ResMap,
    pub used: ResMap,
    pub fairness: Fairness,
    pub jobs: Jobs,
    pub tasks: Tasks,
    pub offers: Offers,
    pub frameworks: Vec<FrameworkSummary>,
    pub roles: Vec<RoleSummary>,
    /// Per partition, with `partitions:` of more than one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub partitions: Vec<PartitionSummary>,
    /// With `partitions.rebalance` only: agents moved between partitions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agents_moved: Option<u64>,
    /// With `architecture: monolithic` or `shared-state` only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub architecture: Option<ArchitectureSummary>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub schedulers: Vec<SchedulerSummary>,
    /// With `master.run_cost` only: the simulated allocation-run cost, per
    /// partition's master (docs/partitions.md).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub allocation_run_cost: Vec<RunCostSummary>,
    /// Only for scenarios with faults (`faults:`, `agent_fail`,
    /// `rack_fail`, `agent_recover`, `master_failover`, `agent_drain`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub faults: Option<FaultsSummary>,
    pub warnings: Vec<String>,
}

/// One master's allocation runs under `master.run_cost`: the distribution
/// of their simulated cost.
#[derive(Serialize, Debug)]
pub struct RunCostSummary {
    pub partition: u32,
    pub runs: u64,
    /// Summed over the runs.
    pub total_s: Secs,
    /// `total_s` ÷ the run's length: the share of time the allocator would
    /// be busy.
    pub busyness: f64,
    pub mean_s: SecsF,
    /// Nearest-rank percentiles of the runs' costs (0 without runs).
    pub p50_s: Secs,
    pub p95_s: Secs,
    pub max_s: Secs,
}

impl RunCostSummary {
    fn of(partition: usize, costs: &[u64], end_us: u64) -> RunCostSummary {
        let mut sorted = costs.to_vec();
        sorted.sort_unstable();
        let n = sorted.len();
        let rank = |q: f64| -> u64 {
            if n == 0 {
                return 0;
            }
            let k = ((q * n as f64).ceil() as usize).clamp(1, n);
            sorted[k - 1]
        };
        let total: u64 = sorted.iter().fold(0u64, |a, &c| a.saturating_add(c));
        RunCostSummary {
            partition: partition as u32,
            runs: n as u64,
            total_s: Secs(total),
            busyness: if end_us == 0 {
                0.0
            } else {
                total as f64 / end_us as f64
            },
            mean_s: SecsF(if n == 0 { 0.0 } else { total as f64 / n as f64 }),
            p50_s: Secs(rank(0.5)),
            p95_s: Secs(rank(0.95)),
            max_s: Secs(sorted.last().copied().unwrap_or(0)),
        }
    }
}

/// What the faults cost, over the whole run (docs/faults.md).
#[derive(Serialize, Debug)]
pub struct FaultsSummary {
    pub agent_failures: u64,
    /// Failed agents their master noticed (marked unreachable).
    pub detections: u64,
    pub agent_recoveries: u64,
    pub master_failovers: u64,
    /// Time without a leading master, summed over partitions.
    pub leaderless_s: Secs,
    pub frameworks_removed: u64,
    pub tasks_lost: u64,
    /// Lost tasks queued again to run.
    pub tasks_requeued: u64,
    /// Run time of the tasks that died with their agents, launch to
    /// failure, summed.
    pub lost_task_s: Secs,
    /// Jobs failed by a lost task (`on_lost: fail`).
    pub jobs_failed: u64,
    /// Per master failover: the time to come back within 5% of the level
    /// before it (`null`: not by the end).
    pub recovery_s: Vec<Option<Secs>>,
}

/// Whether the scenario has faults (`faults:`, or an `agent_fail`,
/// `rack_fail`, `agent_recover`, `master_failover` or `agent_drain`
/// event): then `summary.json` has a `faults` block and `faults.csv` is
/// written.
pub fn has_faults(model: &Model) -> bool {
    use crate::scenario::model::EventKind;
    !model.faults.is_empty()
        || model.events.iter().any(|e| {
            matches!(
                e.kind,
                EventKind::AgentFail(_)
                    | EventKind::AgentRecover(_)
                    | EventKind::MasterFailover(_)
                    | EventKind::AgentDrain { .. }
            )
        })
}

impl FaultsSummary {
    fn of(model: &Model, outcome: &Outcome, m: &RunMetrics) -> Option<FaultsSummary> {
        if !has_faults(model) {
            return None;
        }
        let t = &outcome.totals;
        Some(FaultsSummary {
            agent_failures: t.agent_failures,
            detections: t.agents_unreachable,
            agent_recoveries: t.agent_recoveries,
            master_failovers: t.master_failovers,
            leaderless_s: Secs(t.leaderless_us),
            frameworks_removed: t.frameworks_removed,
            tasks_lost: t.tasks_lost,
            tasks_requeued: t.tasks_requeued,
            lost_task_s: Secs(t.lost_task_us),
            jobs_failed: t.jobs_failed,
            recovery_s: m
                .recovery_times()
                .into_iter()
                .map(|r| r.map(Secs))
                .collect(),
        })
    }
}

impl Summary {
    pub fn build(model: &Model, outcome: &Outcome, m: &RunMetrics) -> Summary {
        let finals = m.finals.clone().unwrap_or_default();
        let frameworks = model
            .frameworks
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let fc = m.fw_counts.get(i).cloned().unwrap_or_default();
                let (pending_us, below) = m.below_fair_share(i);
                FrameworkSummary {
                    id: f.id.clone(),
                    role: model.role_name(f.roles[0]).to_string(),
                    tasks_finished: fc.tasks_finished,
                    offers_received: fc.offers_received,
                    dominant_share_mean: m.framework_share_mean(i),
                    allocation_end: finals
                        .framework_allocated
                        .get(i)
                        .map(|q| ResMap::amounts(q, model))
                        .unwrap_or_default(),
                    tasks_launched: fc.tasks_launched,
                    offers_accepted: fc.offers_accepted,
                    offers_declined: fc.offers_declined,
                    offers_rescinded: fc.offers_rescinded,
                    tasks_killed: fc.tasks_killed,
                    offer_to_launch_mean_s: SecsF(m.offer_to_launch_mean_us(Some(i))),
                    pending_time_s: Secs(pending_us),
                    below_fair_share: below,
                }
            })
            .collect();
        let roles = model
            .roles
            .iter()
            .enumerate()
            .map(|(i, r)| RoleSummary {
                name: r.name.clone(),
                weight: finals.role_weight.get(i).copied().unwrap_or(r.weight),
                dominant_share_mean: m.role_share_mean(i),
                allocation_end: finals
                    .role_used
                    .get(i)
                    .map(|q| ResMap::amounts(q, model))
                    .unwrap_or_default(),
            })
            .collect();
        let c = &m.counts;
        let g = &m.jobs;
        let tf = &m.tasks_final;
        let (from, to) = m.window();
        let all = JobGroupSummary::of(g, &m.job_samples, None, None);
        // The scenario's lint findings first, then what the run noticed.
        let mut warnings: Vec<String> = model.warnings.iter().map(|w| w.without_file()).collect();
        warnings.extend(outcome.warnings.iter().cloned());
        let w = model.output.window;
        if !w.is_whole_run() && m.measured_us() == 0 {
            warnings.push(format!(
                "output.window starts at {} s but the run ended at {} s: no time was measured",
                w.from, outcome.end
            ));
        }
        Summary {
            scenario: model.name.clone(),
            seed: outcome.seed,
            version: crate::VERSION,
            policy: model.master.policy.clone(),
            end_time_s: Secs(outcome.end.0),
            events: outcome.events,
            allocation_runs: outcome.allocation_runs,
            window: WindowSummary {
                from_s: Secs(from.0),
                to_s: Secs(to.0.max(from.0)),
            },
            utilization: ResMap::per_resource(&m.utilization(), model),
            offered_idle: ResMap::per_resource(&m.offered_idle(), model),
            used: ResMap::per_resource(&m.used(), model),
            fairness: Fairness {
                jain: m.jain(),
                min_max_ratio: m.min_max_ratio(),
                drf_distance: m.drf_distance(),
                references: m.reference_distances().map(|[a, c]| ReferenceDistances {
                    asset_fair_distance: a,
                    ceei_distance: c,
                }),
                below_fair_share: m.below_fair_share_all(),
                below_fair_share_max: m.below_fair_share_max(),
            },
            jobs: Jobs {
                submitted: g.submitted,
                completed: g.completed,
                abandoned: g.abandoned,
                censored: g.censored,
                jct_s: all.jct_s,
                wait_s: all.wait_s,
                slowdown: all.slowdown,
                by_framework: model
                    .frameworks
                    .iter()
                    .zip(&m.jobs_by_framework)
                    .filter(|(_, g)| g.submitted > 0)
                    .map(|(f, g)| JobGroupSummary::of(g, &m.job_samples, Some(f.id.clone()), None))
                    .collect(),
                by_class: m
                    .jobs_by_class
                    .iter()
                    .map(|(k, g)| JobGroupSummary::of(g, &m.job_samples, None, Some(k.clone())))
                    .collect(),
                deadlines: (m.deadlines.jobs > 0).then_some(DeadlineSummary {
                    jobs: m.deadlines.jobs,
                    met: m.deadlines.met,
                    missed: m.deadlines.missed,
                    open: m.deadlines.open,
                }),
            },
            tasks: Tasks {
                submitted: c.job_tasks_submitted + c.take_all_launched,
                launched: c.tasks_launched,
                finished: c.tasks_finished,
                failed: c.tasks_failed,
                lost: c.tasks_lost,
                killed: c.tasks_killed,
                final_state: TaskStates {
                    finished: tf.finished,
                    running: tf.running,
                    pending: tf.pending,
                    killed: tf.killed,
                    failed: tf.failed,
                    lost: tf.lost,
                },
            },
            offers: Offers {
                made: c.offers_made,
                accepted: c.offers_accepted,
                declined: c.offers_declined,
                rescinded: c.offers_rescinded,
                inverse: c.inverse_offers,
                to_launch_mean_s: SecsF(m.offer_to_launch_mean_us(None)),
            },
            frameworks,
            roles,
            partitions: m
                .partition_means()
                .into_iter()
                .enumerate()
                .map(|(p, means)| PartitionSummary {
                    partition: p as u32,
                    agents: model
                        .partitions
                        .of_agent
                        .iter()
                        .filter(|x| x.index() == p)
                        .count() as u64,
                    utilization: ResMap::per_resource(&means.utilization, model),
                    offered_idle: ResMap::per_resource(&means.offered_idle, model),
                    fairness: PartitionFairness {
                        jain: means.jain,
                        min_max_ratio: means.min_max_ratio,
                    },
                })
                .collect(),
            agents_moved: model.partitions.rebalance.map(|_| outcome.agents_moved),
            architecture: match model.architecture {
                crate::arch::Architecture::TwoLevel => None,
                crate::arch::Architecture::Monolithic { queue } => Some(ArchitectureSummary {
                    kind: "monolithic",
                    queue: Some(queue.name()),
                    conflicts: None,
                    transactions: None,
                }),
                crate::arch::Architecture::SharedState {
                    conflicts,
                    transactions,
                } => Some(ArchitectureSummary {
                    kind: "shared-state",
                    queue: None,
                    conflicts: Some(conflicts.name()),
                    transactions: Some(transactions.name()),
                }),
            },
            schedulers: outcome
                .schedulers
                .iter()
                .map(|s| SchedulerSummary::of(s, outcome.end.0))
                .collect(),
            allocation_run_cost: outcome
                .run_costs
                .iter()
                .enumerate()
                .map(|(p, c)| RunCostSummary::of(p, c, outcome.end.0))
                .collect(),
            faults: FaultsSummary::of(model, outcome, m),
            warnings,
        }
    }

    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("summary serializes");
        s.push('\n');
        s
    }
}

#[derive(Serialize, Debug)]
pub struct Manifest {
    pub version: &'static str,
    pub scenario: String,
    pub seed: u64,
    pub scenario_sha256: String,
    pub digest: String,
    pub events: u64,
    pub files: Vec<String>,
    /// `run --set KEY=VALUE` changes, as written (left out when none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<String>,
}

impl Manifest {
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("manifest serializes");
        s.push('\n');
        s
    }
}
