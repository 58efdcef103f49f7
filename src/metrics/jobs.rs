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

/// One completed job's times, kept once whatever groups it belongs to
/// (32 bytes a job: exact percentiles need every value).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JobSample {
    pub jct_us: u64,
    /// `u64::MAX`: the job has no first start.
    pub wait_us: u64,
    /// Its ideal run time; 0: none (no slowdown).
    pub ideal_us: u64,
    pub framework: u32,
    /// Index into [`JobSamples::classes`]; `u32::MAX`: no class.
    pub class: u32,
}

/// Samples per chunk of [`JobSamples`] (2 MB).
const CHUNK: usize = 1 << 16;

/// Every completed job's sample, in completion order, and the class names.
/// The samples live in fixed-size chunks, so that memory is 32 bytes a job
/// plus at most one chunk, not the up-to-double capacity of a growing
/// vector.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct JobSamples {
    chunks: Vec<Vec<JobSample>>,
    pub classes: BTreeMap<String, u32>,
}

impl JobSamples {
    pub fn push(&mut self, s: JobSample) {
        match self.chunks.last_mut() {
            Some(c) if c.len() < CHUNK => c.push(s),
            _ => {
                let mut c = Vec::with_capacity(CHUNK);
                c.push(s);
                self.chunks.push(c);
            }
        }
    }

    /// The samples in completion order.
    pub fn iter(&self) -> impl Iterator<Item = &JobSample> + '_ {
        self.chunks.iter().flatten()
    }

    pub fn len(&self) -> usize {
        self.chunks.iter().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.chunks.is_empty()
    }

    /// The index of a class name, interned on first use.
    pub fn class_index(&mut self, class: &str) -> u32 {
        let n = self.classes.len() as u32;
        *self.classes.entry(class.to_string()).or_insert(n)
    }
}

/// Which jobs a group holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Member {
    #[default]
    All,
    Framework(u32),
    Class(u32),
}

/// The jobs of one group (all, one framework, one class): counts here,
/// times in the shared [`JobSamples`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct JobGroup {
    pub member: Member,
    pub submitted: u64,
    pub completed: u64,
    pub abandoned: u64,
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
    /// Sorts `v` in place (no copy: these vectors can hold a value per job).
    pub fn of(mut v: Vec<f64>) -> Dist {
        if v.is_empty() {
            return Dist::default();
        }
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
    pub fn new(member: Member) -> JobGroup {
        JobGroup {
            member,
            ..JobGroup::default()
        }
    }

    fn holds(&self, j: &JobSample) -> bool {
        match self.member {
            Member::All => true,
            Member::Framework(f) => j.framework == f,
            Member::Class(c) => j.class == c,
        }
    }

    fn rows<'a>(&'a self, s: &'a JobSamples) -> impl Iterator<Item = &'a JobSample> + 'a {
        s.iter().filter(move |j| self.holds(j))
    }

    /// Completion times (µs), in completion order.
    pub fn jct_us(&self, s: &JobSamples) -> Vec<u64> {
        self.rows(s).map(|j| j.jct_us).collect()
    }

    /// Waits (µs), in completion order.
    pub fn wait_us(&self, s: &JobSamples) -> Vec<u64> {
        self.rows(s)
            .filter(|j| j.wait_us != u64::MAX)
            .map(|j| j.wait_us)
            .collect()
    }

    /// Slowdowns of the jobs with a positive ideal run time, in completion order.
    pub fn slowdown(&self, s: &JobSamples) -> Vec<f64> {
        self.rows(s)
            .filter_map(|j| slowdown(j.jct_us, j.ideal_us))
            .collect()
    }

    pub fn sorted_jct(&self, s: &JobSamples) -> Vec<u64> {
        let mut v = self.jct_us(s);
        v.sort_unstable();
        v
    }

    pub fn sorted_wait(&self, s: &JobSamples) -> Vec<u64> {
        let mut v = self.wait_us(s);
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
        let d = Dist::of(vec![4.0, 1.0, 3.0, 2.0]);
        assert_eq!(d.mean, 2.5);
        assert_eq!(d.p50, 2.0);
        assert_eq!(d.p90, 4.0);
        assert_eq!(d.p99, 4.0);
        assert_eq!(Dist::of(vec![]), Dist::default());
    }

    #[test]
    fn samples_span_chunks_in_order() {
        let mut s = JobSamples::default();
        assert!(s.is_empty());
        let n = 2 * CHUNK as u64 + 3;
        for i in 0..n {
            s.push(JobSample {
                jct_us: i,
                wait_us: u64::MAX,
                ideal_us: 0,
                framework: (i % 2) as u32,
                class: u32::MAX,
            });
        }
        assert_eq!(s.len() as u64, n);
        assert_eq!(s.chunks.len(), 3);
        assert!(s.iter().map(|j| j.jct_us).eq(0..n));
        let odd = JobGroup::new(Member::Framework(1));
        assert_eq!(odd.jct_us(&s).len() as u64, n / 2);
        assert!(odd.wait_us(&s).is_empty());
    }
}
