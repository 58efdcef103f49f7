//! Job statistics: completion time, wait, slowdown (completion time ÷ ideal
//! run time), grouped over all jobs, per framework and per job class.

use super::percentile_f64;
use crate::sim::observer::{Record, RecordKind, TaskRef};
use crate::sim::time::SimTime;
use crate::JobId;
use std::collections::BTreeMap;

/// Launch times of running tasks, and for each job with finished tasks the
/// longest run of a task that finished: the job's ideal run time (all its
/// tasks at once, none waiting).
#[derive(Clone, Debug, Default)]
pub struct TaskTimes {
    running: BTreeMap<TaskRef, SimTime>,
    longest: BTreeMap<JobId, u64>,
}

impl TaskTimes {
    pub fn record(&mut self, rec: &Record) {
        let Some(task) = rec.task else { return };
        match rec.kind {
            RecordKind::Launch => {
                self.running.insert(task, rec.time);
            }
            RecordKind::Finish => {
                if let Some(start) = self.running.remove(&task) {
                    if let TaskRef::Job(j, _) = task {
                        let d = rec.time.0 - start.0;
                        let e = self.longest.entry(j).or_insert(0);
                        *e = (*e).max(d);
                    }
                }
            }
            RecordKind::Kill | RecordKind::Fail | RecordKind::Lost => {
                self.running.remove(&task);
            }
            _ => {}
        }
    }

    /// The job's ideal run time (µs), forgotten afterwards; `None` if none
    /// of its tasks finished.
    pub fn take_ideal(&mut self, job: JobId) -> Option<u64> {
        self.longest.remove(&job)
    }
}

/// Completion time ÷ ideal run time; `None` when the ideal is 0.
pub fn slowdown(jct_us: u64, ideal_us: u64) -> Option<f64> {
    (ideal_us > 0).then(|| jct_us as f64 / ideal_us as f64)
}

/// The jobs of one group (all, one framework, one class).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct JobGroup {
    pub submitted: u64,
    pub completed: u64,
    pub abandoned: u64,
    /// Of completed jobs, in completion order (µs).
    pub jct_us: Vec<u64>,
    pub wait_us: Vec<u64>,
    /// Of completed jobs with a positive ideal run time.
    pub slowdown: Vec<f64>,
}

/// Mean and nearest-rank percentiles 50, 90, 99 of a sample; zeros when
/// it is empty.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Dist {
    pub mean: f64,
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
}

impl Dist {
    pub fn of(values: &[f64]) -> Dist {
        if values.is_empty() {
            return Dist::default();
        }
        let mut v = values.to_vec();
        v.sort_by(f64::total_cmp);
        Dist {
            mean: v.iter().sum::<f64>() / v.len() as f64,
            p50: percentile_f64(&v, 50),
            p90: percentile_f64(&v, 90),
            p99: percentile_f64(&v, 99),
        }
    }
}

impl JobGroup {
    pub fn sorted_jct(&self) -> Vec<u64> {
        let mut v = self.jct_us.clone();
        v.sort_unstable();
        v
    }

    pub fn sorted_wait(&self) -> Vec<u64> {
        let mut v = self.wait_us.clone();
        v.sort_unstable();
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slowdown_values() {
        assert_eq!(slowdown(30, 10), Some(3.0));
        assert_eq!(slowdown(5, 0), None);
    }

    #[test]
    fn float_distribution() {
        let d = Dist::of(&[4.0, 1.0, 3.0, 2.0]);
        assert_eq!(d.mean, 2.5);
        assert_eq!(d.p50, 2.0);
        assert_eq!(d.p90, 4.0);
        assert_eq!(d.p99, 4.0);
        assert_eq!(Dist::of(&[]), Dist::default());
    }
}
