//! Synthetic workload generators: arrivals (Poisson or any inter-arrival
//! distribution, including an empirical one), job classes picked by
//! weight, task counts and durations from distributions.
//!
//! Each generator draws from its own named stream,
//! `workload-generate/<name>`, derived from the seed: the jobs depend only
//! on the seed and the generator's spec, never on the policy or on anything
//! else in the run. Draws per job, in this order: the gap since the
//! previous arrival, the class, the task count, the duration.

use super::TraceJob;
use crate::dist::{parse_empirical, Dist, Empirical};
use crate::error::InputError;
use crate::limits::{MAX_FILE_BYTES, MAX_GENERATED_JOBS, MAX_TASKS_PER_JOB};
use crate::scenario::model::{Generator, JobSpec, TaskDuration};
use crate::sim::rng::Stream;
use crate::sim::time::{DurationUs, SimTime};
use std::path::Path;

/// One generated job, before it is tied to a scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct GenJob {
    pub class: usize,
    /// 1-based number within the generator.
    pub number: u64,
    pub submit: SimTime,
    pub tasks: u32,
    pub duration: Option<DurationUs>,
}

/// The running state of a generator.
#[derive(Clone, Debug)]
pub struct GenRun<'g> {
    spec: &'g Generator,
    stream: Stream,
    cumulative: Vec<f64>,
    made: u64,
    now: u64,
    done: bool,
}

impl Generator {
    /// The stream name: `workload-generate/<name>`.
    pub fn stream_name(&self) -> String {
        format!("workload-generate/{}", self.name)
    }

    pub fn start(&self, seed: u64) -> GenRun<'_> {
        let mut total = 0.0;
        let cumulative = self
            .classes
            .iter()
            .map(|c| {
                total += c.weight;
                total
            })
            .collect();
        GenRun {
            spec: self,
            stream: Stream::new(seed, &self.stream_name()),
            cumulative,
            made: 0,
            now: self.start.0,
            done: false,
        }
    }

    pub fn job_id(&self, job: &GenJob) -> String {
        format!("{}-{}", self.classes[job.class].name, job.number)
    }

    /// A generated job as a trace row (names, not ids).
    pub fn trace_job(&self, job: &GenJob, resource_names: &[String]) -> TraceJob {
        let c = &self.classes[job.class];
        let resources = resource_names
            .iter()
            .map(|n| {
                c.resources
                    .iter()
                    .find(|(k, _)| k == n)
                    .map_or(0, |(_, v)| *v)
            })
            .collect();
        TraceJob {
            id: self.job_id(job),
            framework: c.framework.clone(),
            role: c.role.clone(),
            submit: job.submit.0,
            tasks: job.tasks,
            duration: job.duration,
            resources,
            gang: c.gang,
            constraints: c.constraints.clone(),
            prefer: c.prefer.clone(),
            class: Some(c.name.clone()),
        }
    }

    /// A generated job for the scenario it was resolved in.
    pub fn job_spec(&self, job: &GenJob) -> JobSpec {
        let c = &self.classes[job.class];
        let r = c
            .resolved
            .as_ref()
            .expect("generator classes are resolved in a scenario");
        JobSpec {
            id: self.job_id(job),
            framework: r.framework,
            role: r.role,
            submit: job.submit,
            tasks: job.tasks,
            resources: r.resources,
            duration: match job.duration {
                Some(d) => TaskDuration::Fixed(d),
                None => TaskDuration::Forever,
            },
            gang: r.gang,
            constraints: c.constraints.clone(),
            prefer: c.prefer.clone(),
            used: r.resources,
            class: Some(c.name.clone()),
            deadline: None,
        }
    }

    /// Resource names in the order the classes mention them.
    pub fn resource_names(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for c in &self.classes {
            for (n, _) in &c.resources {
                if !out.contains(n) {
                    out.push(n.clone());
                }
            }
        }
        out
    }
}

impl GenRun<'_> {
    pub fn made(&self) -> u64 {
        self.made
    }
}

impl Iterator for GenRun<'_> {
    type Item = GenJob;

    fn next(&mut self) -> Option<GenJob> {
        if self.done {
            return None;
        }
        let g = self.spec;
        if g.jobs.is_some_and(|n| self.made >= n) || self.made >= MAX_GENERATED_JOBS {
            self.done = true;
            return None;
        }
        let gap = g.interarrival.sample_int(&mut self.stream);
        let Some(t) = self.now.checked_add(gap) else {
            self.done = true;
            return None;
        };
        if g.until.is_some_and(|u| t > u.0) {
            self.done = true;
            return None;
        }
        self.now = t;
        let class = if self.cumulative.len() == 1 {
            // One class: still draw, so that adding a class with weight 0
            // does not shift the stream.
            let _ = self.stream.next_f64();
            0
        } else {
            let total = *self.cumulative.last().expect("classes");
            let x = self.stream.next_f64() * total;
            self.cumulative
                .partition_point(|&c| c <= x)
                .min(self.cumulative.len() - 1)
        };
        let c = &g.classes[class];
        let tasks = c
            .tasks
            .sample_int(&mut self.stream)
            .clamp(1, MAX_TASKS_PER_JOB) as u32;
        let duration = c.duration.as_ref().map(|d| d.sample_int(&mut self.stream));
        self.made += 1;
        Some(GenJob {
            class,
            number: self.made,
            submit: SimTime(t),
            tasks,
            duration,
        })
    }
}

/// Reads an empirical distribution file: durations (`5s`, or a number of
/// seconds) when `durations`, else plain numbers.
pub fn read_empirical(path: &Path, shown: &str, durations: bool) -> Result<Dist, InputError> {
    let text = super::input::read_text_bounded(
        path,
        shown,
        "an empirical distribution file",
        MAX_FILE_BYTES,
    )?;
    let pairs = parse_empirical(&text, |t| {
        if durations {
            crate::sim::time::parse_duration(t).map(|us| us as f64)
        } else {
            match t.parse::<f64>() {
                Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
                _ => Err(format!("`{t}` is not a number >= 0")),
            }
        }
    })
    .map_err(|(l, c, m)| InputError::new(shown, m).at(l, c))?;
    let e = Empirical::new(shown, &pairs).map_err(|m| InputError::new(shown, m))?;
    Ok(Dist::Empirical(std::sync::Arc::new(e)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::model::GenClass;

    fn gen(jobs: u64) -> Generator {
        Generator {
            name: "g".into(),
            jobs: Some(jobs),
            start: SimTime::ZERO,
            until: None,
            interarrival: Dist::Exp { mean: 1e6 },
            classes: vec![
                GenClass {
                    name: "a".into(),
                    weight: 3.0,
                    framework: "f".into(),
                    role: None,
                    tasks: Dist::Uniform {
                        low: 1.0,
                        high: 9.0,
                    },
                    resources: vec![("cpus".into(), 1000)],
                    duration: Some(Dist::Const(5e6)),
                    gang: None,
                    constraints: vec![],
                    prefer: vec![],
                    resolved: None,
                },
                GenClass {
                    name: "b".into(),
                    weight: 1.0,
                    framework: "f".into(),
                    role: None,
                    tasks: Dist::Const(2.0),
                    resources: vec![("mem".into(), 1000)],
                    duration: None,
                    gang: Some(true),
                    constraints: vec![],
                    prefer: vec![],
                    resolved: None,
                },
            ],
        }
    }

    #[test]
    fn same_seed_same_jobs_and_sorted() {
        let g = gen(5000);
        let a: Vec<GenJob> = g.start(9).collect();
        let b: Vec<GenJob> = g.start(9).collect();
        assert_eq!(a, b);
        assert_eq!(a.len(), 5000);
        assert!(a.windows(2).all(|w| w[0].submit <= w[1].submit));
        let c: Vec<GenJob> = g.start(10).collect();
        assert_ne!(a, c);
        // Weights 3:1.
        let share = a.iter().filter(|j| j.class == 0).count() as f64 / 5000.0;
        assert!((share - 0.75).abs() < 0.03, "{share}");
        // Poisson arrivals with mean gap 1 s.
        let mean_gap = a.last().unwrap().submit.0 as f64 / 5000.0;
        assert!((mean_gap - 1e6).abs() < 0.05e6, "{mean_gap}");
        assert!(a.iter().all(|j| (1..=9).contains(&j.tasks)));
    }

    #[test]
    fn until_stops_arrivals() {
        let mut g = gen(1_000_000);
        g.until = Some(SimTime(100_000_000));
        let jobs: Vec<GenJob> = g.start(1).collect();
        assert!(jobs.last().unwrap().submit.0 <= 100_000_000);
        assert!(jobs.len() > 50 && jobs.len() < 150, "{}", jobs.len());
    }

    #[test]
    fn trace_rows_name_things() {
        let g = gen(3);
        let names = g.resource_names();
        assert_eq!(names, vec!["cpus".to_string(), "mem".to_string()]);
        let j = g.start(1).next().unwrap();
        let t = g.trace_job(&j, &names);
        assert_eq!(t.id, format!("{}-1", g.classes[j.class].name));
        assert_eq!(t.framework, "f");
    }
}
