//! Job statistics: completion time, wait, slowdown (completion time ÷ ideal
//! run time), grouped over all jobs, per framework and per job class.

use super::percentile_f64;
use crate::scenario::model::Percentiles;
use crate::sim::observer::{Record, RecordKind, TaskRef};
use crate::JobId;
use std::collections::{BTreeMap, VecDeque};

/// A histogram of values by bucket key (see [`u64_bucket`], [`f64_bucket`]),
/// with the smallest and largest value seen in each bucket.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Hist<T> {
    buckets: BTreeMap<u64, (u64, T, T)>,
    n: u64,
}

impl<T: Copy + PartialOrd> Hist<T> {
    fn add(&mut self, key: u64, v: T) {
        self.n += 1;
        let e = self.buckets.entry(key).or_insert((0, v, v));
        e.0 += 1;
        if v < e.1 {
            e.1 = v;
        }
        if v > e.2 {
            e.2 = v;
        }
    }

    /// Each bucket's count at the middle of its smallest and largest value.
    fn groups(&self, mid: impl Fn(T, T) -> u64) -> Vec<(u64, u64)> {
        self.buckets
            .values()
            .map(|&(count, lo, hi)| (mid(lo, hi), count))
            .collect()
    }

    /// The smallest and largest value of the bucket holding the nearest-rank
    /// `p`-th percentile; `None` when empty.
    fn bucket_at(&self, p: u64) -> Option<(T, T)> {
        let rank = (p * self.n).div_ceil(100).max(1);
        let mut seen = 0;
        for &(count, lo, hi) in self.buckets.values() {
            seen += count;
            if seen >= rank {
                return Some((lo, hi));
            }
        }
        None
    }
}

/// The bucket of a non-negative integer: exact below 256, else 8
/// significant bits (buckets at most 1/128 of their lower bound wide).
pub fn u64_bucket(v: u64) -> u64 {
    if v < 256 {
        return v;
    }
    let shift = 63 - u64::from(v.leading_zeros()) - 7;
    (shift << 8) | (v >> shift)
}

/// The bucket of a non-negative float: its bits with 8 mantissa bits kept
/// (order-preserving for non-negative floats).
pub fn f64_bucket(v: f64) -> u64 {
    v.max(0.0).to_bits() >> 44
}

/// One group's completed-job times as histograms, with exact sums for the
/// means: memory depends on the spread of the values, not their number.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sketch {
    jct: Hist<u64>,
    jct_sum: u128,
    wait: Hist<u64>,
    wait_sum: u128,
    slowdown: Hist<f64>,
    slowdown_sum: f64,
}

impl Sketch {
    fn add(&mut self, s: &JobSample) {
        self.jct.add(u64_bucket(s.jct_us), s.jct_us);
        self.jct_sum += u128::from(s.jct_us);
        if s.wait_us != u64::MAX {
            self.wait.add(u64_bucket(s.wait_us), s.wait_us);
            self.wait_sum += u128::from(s.wait_us);
        }
        if let Some(x) = slowdown(s.jct_us, s.ideal_us) {
            self.slowdown.add(f64_bucket(x), x);
            self.slowdown_sum += x;
        }
    }

    /// Mean and percentiles 50, 90, 99 of integer times: each percentile is
    /// the middle of the smallest and largest value in its bucket.
    fn times(h: &Hist<u64>, sum: u128) -> (f64, u64, u64, u64) {
        if h.n == 0 {
            return (0.0, 0, 0, 0);
        }
        let p = |q| h.bucket_at(q).map_or(0, |(lo, hi)| lo + (hi - lo) / 2);
        (sum as f64 / h.n as f64, p(50), p(90), p(99))
    }
}

/// For each job with finished tasks, the longest run of a task that
/// finished: the job's ideal run time (all its tasks at once, none
/// waiting). A task's run is read off its finish record (its end's time
/// less its `started`), so nothing is kept per running task. Jobs are found
/// by id in a window of the last `WINDOW` ids seen (an indexed read: ids
/// are dense, given in submission order); a job that leaves the window
/// with its ideal not yet taken moves to an ordered map, so memory follows
/// the jobs in flight. Take-all and running-at-start tasks belong to no job
/// and are not followed. Kept once, by the run metrics; `jobs.csv` reads
/// it there.
#[derive(Clone, Debug, Default)]
pub struct TaskTimes {
    /// Jobs `base..base + window.len()`.
    window: VecDeque<JobTimes>,
    base: u32,
    /// Jobs below `base` with something kept.
    old: BTreeMap<JobId, JobTimes>,
}

/// How many job ids [`TaskTimes`] keeps in its window.
const WINDOW: u32 = 4096;

/// One job's longest finished run (`None`: nothing kept).
#[derive(Clone, Debug, Default)]
struct JobTimes {
    longest: Option<u64>,
}

impl JobTimes {
    fn is_empty(&self) -> bool {
        self.longest.is_none()
    }
}

impl TaskTimes {
    /// Job `j`'s entry, made if absent.
    fn entry(&mut self, j: JobId) -> &mut JobTimes {
        if j.0 < self.base {
            return self.old.entry(j).or_default();
        }
        let end = u64::from(self.base) + self.window.len() as u64;
        if u64::from(j.0) >= end {
            // The window moves up to end at `j`: jobs leaving it keep
            // what they have in `old`.
            let first = j.0.saturating_add(1).saturating_sub(WINDOW).max(self.base);
            let leave = ((first - self.base) as usize).min(self.window.len());
            for (k, t) in self.window.drain(..leave).enumerate() {
                if !t.is_empty() {
                    self.old.insert(JobId(self.base + k as u32), t);
                }
            }
            self.base = first;
            let len = (j.0 - self.base) as usize + 1;
            self.window.resize_with(len, JobTimes::default);
        }
        &mut self.window[(j.0 - self.base) as usize]
    }

    /// Job `j`'s entry, if it has one.
    fn get(&mut self, j: JobId) -> Option<&mut JobTimes> {
        if j.0 < self.base {
            self.old.get_mut(&j)
        } else {
            self.window.get_mut((j.0 - self.base) as usize)
        }
    }

    /// Drops job `j`'s entry from `old` once nothing is kept for it (in the
    /// window an empty entry is simply left).
    fn tidy(&mut self, j: JobId) {
        if j.0 < self.base && self.old.get(&j).is_some_and(JobTimes::is_empty) {
            self.old.remove(&j);
        }
    }

    /// A job's task that finished counts its run (from its `started`);
    /// other records change nothing.
    pub fn record(&mut self, rec: &Record) {
        if let (RecordKind::Finish, Some(TaskRef::Job(j, _)), Some(start)) =
            (rec.kind, rec.task, rec.started)
        {
            let d = rec.time.0.saturating_sub(start.0);
            let e = self.entry(j);
            e.longest = Some(e.longest.map_or(d, |l| l.max(d)));
        }
    }

    /// The job's ideal run time (µs) so far, kept; `None` if none of its
    /// tasks finished.
    pub fn ideal(&self, job: JobId) -> Option<u64> {
        if job.0 < self.base {
            self.old.get(&job)?.longest
        } else {
            self.window.get((job.0 - self.base) as usize)?.longest
        }
    }

    /// The job's ideal run time (µs), forgotten afterwards; `None` if none
    /// of its tasks finished.
    pub fn take_ideal(&mut self, job: JobId) -> Option<u64> {
        let ideal = self.get(job)?.longest.take();
        self.tidy(job);
        ideal
    }

    /// Jobs with something kept (for tests).
    #[cfg(test)]
    fn kept(&self) -> usize {
        self.window.iter().filter(|t| !t.is_empty()).count() + self.old.len()
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

/// Completed jobs' times and the class names. With exact percentiles,
/// every completed job's sample, in completion order, in fixed-size chunks
/// (32 bytes a job plus at most one chunk, not the up-to-double capacity of
/// a growing vector); with sketches, one [`Sketch`] per group instead.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct JobSamples {
    chunks: Vec<Vec<JobSample>>,
    /// Jobs still pending or running at the end (censored observations,
    /// kept exactly in both modes): `jct_us` is the time from submission
    /// to the end, `wait_us` the wait if the job started, else `u64::MAX`
    /// (the wait is then censored at `jct_us`); `ideal_us` is 0.
    pub censored: Vec<JobSample>,
    pub classes: BTreeMap<String, u32>,
    mode: Percentiles,
    sketches: BTreeMap<Member, Sketch>,
}

impl JobSamples {
    pub fn new(mode: Percentiles) -> JobSamples {
        JobSamples {
            mode,
            ..JobSamples::default()
        }
    }

    pub fn push(&mut self, s: JobSample) {
        if self.mode == Percentiles::Sketch {
            let mut groups = vec![Member::All, Member::Framework(s.framework)];
            if s.class != u32::MAX {
                groups.push(Member::Class(s.class));
            }
            for g in groups {
                self.sketches.entry(g).or_default().add(&s);
            }
            return;
        }
        match self.chunks.last_mut() {
            Some(c) if c.len() < CHUNK => c.push(s),
            _ => {
                let mut c = Vec::with_capacity(CHUNK);
                c.push(s);
                self.chunks.push(c);
            }
        }
    }

    /// A job unfinished at the end (see [`JobSamples::censored`]).
    pub fn push_censored(&mut self, s: JobSample) {
        self.censored.push(s);
    }

    /// Whether every completed job's sample is kept (exact percentiles),
    /// not only per-group sketches.
    pub fn keeps_rows(&self) -> bool {
        self.mode == Percentiles::Exact
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
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
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
    /// Still pending or running at the end.
    pub censored: u64,
}

/// Mean and percentiles 50, 90, 99 of a time (µs), and which of them are
/// lower bounds (`≥`) because of jobs unfinished at the end.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct TimeStats {
    pub mean: f64,
    pub p50: u64,
    pub p90: u64,
    pub p99: u64,
    /// mean, p50, p90, p99.
    pub lower_bound: [bool; 4],
}

impl TimeStats {
    fn exact((mean, p50, p90, p99): (f64, u64, u64, u64)) -> TimeStats {
        TimeStats {
            mean,
            p50,
            p90,
            p99,
            lower_bound: [false; 4],
        }
    }
}

/// The Kaplan–Meier estimate of a distribution function, the one estimator
/// behind the job percentiles and the job CDF charts: from `events`
/// (observed values with their counts, ascending) and `censored` (values at
/// which an observation stopped without its event, ascending), it yields
/// `(t_i, F(t_i))` at each event time `t_i`, where `F = 1 − S`,
/// `S(t) = Π_{t_i ≤ t} (1 − d_i / n_i)`, `d_i` the events at `t_i` and `n_i`
/// the observations not yet ended before `t_i` (a value censored at `t_i`
/// counts as at risk at `t_i`). Without censoring `F` is the empirical
/// distribution (and reaches exactly 1); when the largest values are
/// censored it stops below 1.
pub struct KaplanMeier<'a, T> {
    events: std::slice::Iter<'a, (T, u64)>,
    censored: &'a [T],
    n: u64,
    gone: u64,
    surv: f64,
}

/// See [`KaplanMeier`].
pub fn kaplan_meier<'a, T>(events: &'a [(T, u64)], censored: &'a [T]) -> KaplanMeier<'a, T> {
    KaplanMeier {
        events: events.iter(),
        censored,
        n: events.iter().map(|e| e.1).sum::<u64>() + censored.len() as u64,
        gone: 0,
        surv: 1.0,
    }
}

impl<T: Copy + PartialOrd> Iterator for KaplanMeier<'_, T> {
    type Item = (T, f64);

    fn next(&mut self) -> Option<(T, f64)> {
        let &(t, d) = self.events.next()?;
        while let Some((&c, rest)) = self.censored.split_first() {
            if c >= t {
                break;
            }
            self.censored = rest;
            self.gone += 1;
        }
        let at_risk = self.n - self.gone;
        if at_risk > 0 && d > 0 {
            self.surv *= 1.0 - d as f64 / at_risk as f64;
        }
        self.gone += d;
        Some((t, 1.0 - self.surv))
    }
}

/// Kaplan–Meier estimate of the `p`-th percentile of times ([`KaplanMeier`]
/// of `events` and `censored`): the smallest event time `t` with
/// `F(t) ≥ p/100`. Without censoring this is the nearest-rank percentile.
/// When the estimate never reaches `p/100` (the largest times are
/// censored), the largest censored time, as a lower bound (`true`).
/// `(0, false)` when there is nothing.
pub fn km_percentile(events: &[(u64, u64)], censored: &[u64], p: u64) -> (u64, bool) {
    let target = p as f64 / 100.0;
    match kaplan_meier(events, censored).find(|&(_, f)| f >= target - 1e-12) {
        Some((t, _)) => (t, false),
        None => (censored.last().copied().unwrap_or(0), !censored.is_empty()),
    }
}

/// Sorted values as (value, count): the `events` of [`kaplan_meier`].
pub fn value_counts<T: Copy + PartialEq>(sorted: &[T]) -> Vec<(T, u64)> {
    let mut out: Vec<(T, u64)> = Vec::new();
    for &v in sorted {
        match out.last_mut() {
            Some(l) if l.0 == v => l.1 += 1,
            _ => out.push((v, 1)),
        }
    }
    out
}

/// Mean (a lower bound when some times are censored) and Kaplan–Meier
/// percentiles of `events` (ascending, with counts) and `censored`
/// (ascending); `sum` is the sum of every value, censored ones included.
fn km_stats(events: &[(u64, u64)], censored: &[u64], sum: u128) -> TimeStats {
    let n: u64 = events.iter().map(|e| e.1).sum::<u64>() + censored.len() as u64;
    if n == 0 {
        return TimeStats::default();
    }
    let cut = !censored.is_empty();
    let (p50, l50) = km_percentile(events, censored, 50);
    let (p90, l90) = km_percentile(events, censored, 90);
    let (p99, l99) = km_percentile(events, censored, 99);
    TimeStats {
        mean: sum as f64 / n as f64,
        p50,
        p90,
        p99,
        lower_bound: [cut, l50, l90, l99],
    }
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

    fn censored_rows<'a>(&'a self, s: &'a JobSamples) -> impl Iterator<Item = &'a JobSample> + 'a {
        s.censored.iter().filter(move |j| self.holds(j))
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

    /// Mean and percentiles 50, 90, 99 of completion times (µs), jobs
    /// unfinished at the end censored at their time so far.
    pub fn jct_stats(&self, s: &JobSamples) -> TimeStats {
        let mut censored: Vec<u64> = self.censored_rows(s).map(|j| j.jct_us).collect();
        censored.sort_unstable();
        let csum: u128 = censored.iter().map(|&v| u128::from(v)).sum();
        match s.mode {
            Percentiles::Exact => {
                let sorted = self.sorted_jct(s);
                if censored.is_empty() {
                    return TimeStats::exact(super::stats(&sorted));
                }
                let sum: u128 = sorted.iter().map(|&v| u128::from(v)).sum();
                km_stats(&value_counts(&sorted), &censored, sum + csum)
            }
            Percentiles::Sketch => match s.sketches.get(&self.member) {
                Some(k) if censored.is_empty() => {
                    TimeStats::exact(Sketch::times(&k.jct, k.jct_sum))
                }
                k => {
                    let (groups, sum) = k.map_or((Vec::new(), 0), |k| {
                        (k.jct.groups(|lo, hi| lo + (hi - lo) / 2), k.jct_sum)
                    });
                    km_stats(&groups, &censored, sum + csum)
                }
            },
        }
    }

    /// Mean and percentiles 50, 90, 99 of waits (µs): completed jobs and
    /// jobs unfinished at the end that started are observed, those that
    /// never started are censored at their time so far.
    pub fn wait_stats(&self, s: &JobSamples) -> TimeStats {
        let mut started: Vec<u64> = Vec::new();
        let mut censored: Vec<u64> = Vec::new();
        for j in self.censored_rows(s) {
            if j.wait_us == u64::MAX {
                censored.push(j.jct_us);
            } else {
                started.push(j.wait_us);
            }
        }
        censored.sort_unstable();
        let extra: u128 = censored
            .iter()
            .chain(&started)
            .map(|&v| u128::from(v))
            .sum();
        match s.mode {
            Percentiles::Exact => {
                let mut sorted = self.sorted_wait(s);
                if started.is_empty() && censored.is_empty() {
                    return TimeStats::exact(super::stats(&sorted));
                }
                sorted.extend(&started);
                sorted.sort_unstable();
                let sum: u128 = sorted.iter().map(|&v| u128::from(v)).sum();
                let csum: u128 = censored.iter().map(|&v| u128::from(v)).sum();
                km_stats(&value_counts(&sorted), &censored, sum + csum)
            }
            Percentiles::Sketch => match s.sketches.get(&self.member) {
                Some(k) if started.is_empty() && censored.is_empty() => {
                    TimeStats::exact(Sketch::times(&k.wait, k.wait_sum))
                }
                k => {
                    let (mut groups, sum) = k.map_or((Vec::new(), 0), |k| {
                        (k.wait.groups(|lo, hi| lo + (hi - lo) / 2), k.wait_sum)
                    });
                    groups.extend(started.iter().map(|&v| (v, 1)));
                    groups.sort_unstable();
                    km_stats(&groups, &censored, sum + extra)
                }
            },
        }
    }

    /// Mean and percentiles of slowdowns.
    pub fn slowdown_stats(&self, s: &JobSamples) -> Dist {
        match s.mode {
            Percentiles::Exact => Dist::of(self.slowdown(s)),
            Percentiles::Sketch => {
                let Some(k) = s.sketches.get(&self.member) else {
                    return Dist::default();
                };
                let h = &k.slowdown;
                if h.n == 0 {
                    return Dist::default();
                }
                let p = |q| h.bucket_at(q).map_or(0.0, |(lo, hi)| lo + (hi - lo) / 2.0);
                Dist {
                    mean: k.slowdown_sum / h.n as f64,
                    p50: p(50),
                    p90: p(90),
                    p99: p(99),
                }
            }
        }
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
    use crate::sim::time::SimTime;

    /// A task record of framework 0 on agent 0 at `t`; an end (finish,
    /// kill) carries the task's start `started`, as the engine's do.
    fn task_record(kind: RecordKind, t: u64, task: TaskRef, started: Option<u64>) -> Record {
        use crate::cluster::resources::Quantities;
        use crate::{AgentId, FrameworkId, PartitionId};
        Record {
            time: SimTime(t),
            seq: 0,
            partition: PartitionId(0),
            kind,
            framework: Some(FrameworkId(0)),
            role: None,
            agent: Some(AgentId(0)),
            task: Some(task),
            resources: Quantities::ZERO,
            job_name: None,
            used: Quantities::ZERO,
            started: started.map(SimTime),
        }
    }

    #[test]
    fn task_times_follow_finished_runs() {
        use crate::FrameworkId;
        let rec = task_record;
        let (j, k) = (JobId(3), JobId(9));
        let mut tt = TaskTimes::default();
        tt.record(&rec(RecordKind::Launch, 10, TaskRef::Job(j, 0), None));
        tt.record(&rec(RecordKind::Launch, 10, TaskRef::Job(j, 5), None));
        tt.record(&rec(RecordKind::Launch, 12, TaskRef::Job(k, 0), None));
        tt.record(&rec(
            RecordKind::Launch,
            12,
            TaskRef::TakeAll(FrameworkId(1), 0),
            None,
        ));
        tt.record(&rec(RecordKind::Finish, 40, TaskRef::Job(j, 5), Some(10)));
        // Killed: no run counted; a finish without a start: nothing.
        tt.record(&rec(RecordKind::Kill, 50, TaskRef::Job(k, 0), Some(12)));
        tt.record(&rec(RecordKind::Finish, 60, TaskRef::Job(k, 1), None));
        // Not a job's task: nothing.
        tt.record(&rec(
            RecordKind::Finish,
            20,
            TaskRef::TakeAll(FrameworkId(1), 0),
            Some(12),
        ));
        assert_eq!(tt.take_ideal(k), None);
        assert_eq!(tt.ideal(j), Some(30));
        // Relaunched after its end; the longest run is kept.
        tt.record(&rec(RecordKind::Finish, 25, TaskRef::Job(j, 0), Some(10)));
        tt.record(&rec(RecordKind::Launch, 30, TaskRef::Job(j, 0), None));
        tt.record(&rec(RecordKind::Finish, 35, TaskRef::Job(j, 0), Some(30)));
        assert_eq!(tt.ideal(j), Some(30), "read, kept");
        assert_eq!(tt.take_ideal(j), Some(30));
        assert_eq!(tt.take_ideal(j), None);
        assert_eq!(tt.kept(), 0);
    }

    #[test]
    fn task_times_keep_jobs_that_leave_the_window() {
        let fin = |t: u64, j: u32, started: u64| {
            task_record(
                RecordKind::Finish,
                t,
                TaskRef::Job(JobId(j), 0),
                Some(started),
            )
        };
        let mut tt = TaskTimes::default();
        // Job 8 finishes while jobs far above it come and go; a jump of
        // more than the window moves it out at once.
        tt.record(&fin(3, 8, 1));
        for j in (10..3 * WINDOW).step_by(7) {
            tt.record(&fin(4, j, 2));
            assert_eq!(tt.take_ideal(JobId(j)), Some(2));
        }
        tt.record(&fin(6, 10 * WINDOW, 5));
        assert!(tt.base > 8);
        assert_eq!(tt.kept(), 2);
        // Job 7, below the window, finishes a task: kept in `old`.
        tt.record(&fin(9, 7, 1));
        assert_eq!(tt.ideal(JobId(7)), Some(8));
        assert_eq!(tt.take_ideal(JobId(7)), Some(8));
        assert_eq!(tt.take_ideal(JobId(8)), Some(2));
        assert_eq!(tt.take_ideal(JobId(7)), None);
        assert_eq!(tt.kept(), 1);
    }

    #[test]
    fn kaplan_meier_without_censoring_is_nearest_rank() {
        let v: Vec<u64> = (1..=37).map(|x| x * 3 % 41).collect();
        let mut sorted = v.clone();
        sorted.sort_unstable();
        for p in [1, 10, 25, 50, 90, 99, 100] {
            assert_eq!(
                km_percentile(&value_counts(&sorted), &[], p),
                (super::super::percentile(&sorted, p), false),
                "p{p}"
            );
        }
        // One event after a censored value: 2 at risk at 20, S = 0.
        assert_eq!(km_percentile(&[(10, 1), (20, 1)], &[15], 90), (20, false));
        // The last value censored: F(10) = 1/2 never reaches 0.9.
        assert_eq!(km_percentile(&[(10, 1)], &[15], 90), (15, true));
        assert_eq!(km_percentile(&[], &[], 50), (0, false));
    }

    /// Four jobs, one unfinished, by hand (the job CDF charts draw the same
    /// estimate, `report::charts::kit`): completions at 10, 20, 40 and one
    /// censored at 15 give F = 1/4, 5/8, 1; with the censored one at 50
    /// instead and completions 10, 20, 30, F = 1/4, 1/2, 3/4 and no more.
    #[test]
    fn kaplan_meier_by_hand_four_jobs_one_censored() {
        let f: Vec<(u64, f64)> = kaplan_meier(&[(10, 1), (20, 1), (40, 1)], &[15]).collect();
        assert_eq!(f, vec![(10, 0.25), (20, 0.625), (40, 1.0)]);
        let p = |p| km_percentile(&[(10, 1), (20, 1), (40, 1)], &[15], p);
        assert_eq!(
            (p(25), p(50), p(62), p(63), p(99)),
            (
                (10, false),
                (20, false),
                (20, false),
                (40, false),
                (40, false)
            )
        );
        let f: Vec<(u64, f64)> = kaplan_meier(&[(10, 1), (20, 1), (30, 1)], &[50]).collect();
        assert_eq!(f, vec![(10, 0.25), (20, 0.5), (30, 0.75)]);
        let p = |p| km_percentile(&[(10, 1), (20, 1), (30, 1)], &[50], p);
        assert_eq!(
            (p(50), p(75), p(76)),
            ((20, false), (30, false), (50, true))
        );
    }

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
    fn buckets_keep_order_and_eight_significant_bits() {
        let mut last = 0;
        let mut v = 0u64;
        while v < u64::MAX / 3 {
            let b = u64_bucket(v);
            assert!(b >= last, "{v}");
            last = b;
            if v < 256 {
                assert_eq!(b, v);
            }
            v = v * 3 / 2 + 1;
        }
        // Values sharing a bucket differ by less than 1/128 of the smaller.
        for v in [256u64, 1000, 123_456_789, (1 << 40) + 12345] {
            let shift = 63 - u64::from(v.leading_zeros()) - 7;
            let (lo, next) = ((v >> shift) << shift, ((v >> shift) + 1) << shift);
            let b = u64_bucket(v);
            assert_eq!((u64_bucket(lo), u64_bucket(next - 1)), (b, b));
            assert!(u64_bucket(lo - 1) < b && u64_bucket(next) > b);
            assert!((next - lo) * 128 <= lo, "{v}: [{lo}, {next})");
        }
        assert!(f64_bucket(1.0) < f64_bucket(1.01) && f64_bucket(1.01) < f64_bucket(2.0));
        assert_eq!(f64_bucket(1.0), f64_bucket(1.001));
    }

    #[test]
    fn sketch_percentiles_are_within_0_4_percent_and_means_exact() {
        let mut exact = JobSamples::new(Percentiles::Exact);
        let mut sketch = JobSamples::new(Percentiles::Sketch);
        let mut x = 12345u64;
        for i in 0..20_000u64 {
            // A spread of values over six orders of magnitude.
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let jct = 1 + (x >> 20) % 1_000_000_000 / (1 + i % 1000);
            let s = JobSample {
                jct_us: jct,
                wait_us: if i % 3 == 0 { u64::MAX } else { jct / 3 },
                ideal_us: jct / (1 + i % 4),
                framework: (i % 2) as u32,
                class: u32::MAX,
            };
            exact.push(s);
            sketch.push(s);
        }
        for g in [
            JobGroup::new(Member::All),
            JobGroup::new(Member::Framework(1)),
        ] {
            let close = |a: u64, b: u64| (a as f64 - b as f64).abs() <= 0.004 * a as f64;
            for (e, k) in [
                (g.jct_stats(&exact), g.jct_stats(&sketch)),
                (g.wait_stats(&exact), g.wait_stats(&sketch)),
            ] {
                assert!((e.mean - k.mean).abs() <= 1e-9 * e.mean, "mean {e:?} {k:?}");
                assert!(
                    close(e.p50, k.p50) && close(e.p90, k.p90) && close(e.p99, k.p99),
                    "{e:?} {k:?}"
                );
            }
            let (e, k) = (g.slowdown_stats(&exact), g.slowdown_stats(&sketch));
            assert!((e.mean - k.mean).abs() <= 1e-9 * e.mean);
            for (a, b) in [(e.p50, k.p50), (e.p90, k.p90), (e.p99, k.p99)] {
                assert!((a - b).abs() <= 0.004 * a, "{e:?} {k:?}");
            }
        }
        // Sketches keep no per-job rows.
        assert!(sketch.is_empty() && sketch.iter().next().is_none());
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
