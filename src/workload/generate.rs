//! Synthetic workload generators: arrivals (Poisson or any inter-arrival
//! distribution, including an empirical one), job classes picked by
//! weight, task counts and durations from distributions.
//!
//! Each generator draws from its own named stream,
//! `workload-generate/<name>`, derived from the seed: the jobs depend only
//! on the seed and the generator's spec, never on the policy or on anything
//! else in the run. Draws per job, in this order: the gap since the
//! previous arrival, the class, the task count, the duration.

use super::dist::{parse_empirical, Dist, Empirical};
use super::TraceJob;
use crate::cluster::resources::Quantities;
use crate::error::InputError;
use crate::scenario::model::{AttrMatch, JobSpec, TaskDuration};
use crate::scenario::raw::{RawDist, RawGenerate};
use crate::sim::rng::Stream;
use crate::sim::time::{DurationUs, SimTime};
use crate::{FrameworkId, RoleId};
use std::path::Path;

/// Hostile sizes: at most this many jobs from one generator.
pub const MAX_GENERATED_JOBS: u64 = 1_000_000_000;

#[derive(Clone, Debug)]
pub struct Generator {
    /// Names its random stream and prefixes nothing: job ids are
    /// `<class>-<n>`.
    pub name: String,
    /// Stop after this many jobs.
    pub jobs: Option<u64>,
    /// The first arrival is one gap after `start`.
    pub start: SimTime,
    /// No arrival after this time.
    pub until: Option<SimTime>,
    /// Gaps between arrivals, in µs.
    pub interarrival: Dist,
    pub classes: Vec<GenClass>,
}

#[derive(Clone, Debug)]
pub struct GenClass {
    pub name: String,
    pub weight: f64,
    pub framework: String,
    pub role: Option<String>,
    /// Tasks per job (rounded, at least 1).
    pub tasks: Dist,
    /// Per task, by resource name, in milli-units.
    pub resources: Vec<(String, u64)>,
    /// Every task of a job runs this long (µs, drawn once per job);
    /// `None`: forever.
    pub duration: Option<Dist>,
    pub gang: Option<bool>,
    pub constraints: Vec<AttrMatch>,
    pub prefer: Vec<AttrMatch>,
    /// Filled when the generator runs inside a scenario.
    pub resolved: Option<ResolvedClass>,
}

/// A class's names turned into the scenario's ids.
#[derive(Clone, Debug)]
pub struct ResolvedClass {
    pub framework: FrameworkId,
    pub role: RoleId,
    pub resources: Quantities,
    pub gang: bool,
}

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
            .clamp(1, crate::scenario::resolve::MAX_TASKS_PER_JOB) as u32;
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

/// Turns a raw distribution into a [`Dist`]: durations in µs (`dur`) or
/// counts. `forever` gives `None` (durations only, when `allow_forever`).
/// `read` loads an empirical file (relative paths are the caller's
/// business); errors are located by `err(path, message)`.
pub fn dist_of<V: Copy>(
    raw: &RawDist<V>,
    value: impl Fn(V) -> f64,
    allow_forever: bool,
    at: &str,
    err: &dyn Fn(&str, String) -> InputError,
    read: &dyn Fn(&str, &str) -> Result<Dist, InputError>,
) -> Result<Option<Dist>, InputError> {
    let d = match raw {
        RawDist::Forever if allow_forever => return Ok(None),
        RawDist::Forever => return Err(err(at, "`forever` is only for durations".into())),
        RawDist::Const(v) => Dist::Const(value(*v)),
        RawDist::Exp(m) => Dist::Exp { mean: value(*m) },
        RawDist::Uniform(a, b) => Dist::Uniform {
            low: value(*a),
            high: value(*b),
        },
        RawDist::LogNormal(l) => {
            let mu = crate::scenario::resolve::lognormal_mu(
                l.median.map(&value),
                l.mean.map(&value),
                l.sigma,
            )
            .map_err(|m| err(&format!("{at}.lognormal"), m))?;
            Dist::LogNormal { mu, sigma: l.sigma }
        }
        RawDist::Pareto(p) => Dist::Pareto {
            scale: value(p.scale),
            shape: p.shape,
        },
        RawDist::Empirical(file) => read(file, &format!("{at}.empirical"))?,
    };
    d.validate().map_err(|m| err(at, m))?;
    Ok(Some(d))
}

/// Reads an empirical distribution file: durations (`5s`, or a number of
/// seconds) when `durations`, else plain numbers.
pub fn read_empirical(path: &Path, shown: &str, durations: bool) -> Result<Dist, InputError> {
    let meta = std::fs::metadata(path)
        .map_err(|e| InputError::new(shown, format!("cannot read the file: {e}")))?;
    if meta.len() > crate::scenario::resolve::MAX_FILE_BYTES {
        return Err(InputError::new(shown, "the file is too large; refused"));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| InputError::new(shown, format!("cannot read the file: {e}")))?;
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

/// Builds a generator from its raw form. `default_name` is used when the
/// spec has no `name`; `until` is the scenario's, if any. Resources keep
/// their names (a scenario resolves them). Class names must be valid ids.
pub fn build(
    raw: &RawGenerate,
    at: &str,
    default_name: &str,
    until: Option<SimTime>,
    base: &Path,
    err: &dyn Fn(&str, String) -> InputError,
) -> Result<Generator, InputError> {
    // A file that cannot be read at all is reported where the scenario
    // names it; errors inside it name the file, line and column.
    let read = |file: &str, durations: bool, at: &str| -> Result<Dist, InputError> {
        let p = base.join(file);
        match read_empirical(&p, &p.display().to_string(), durations) {
            Err(e) if e.line.is_none() => Err(err(at, e.to_string())),
            r => r,
        }
    };
    let name = raw.name.clone().unwrap_or_else(|| default_name.to_string());
    if name.is_empty() || name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(err(
            &format!("{at}.name"),
            format!("`{name}` is not a valid generator name"),
        ));
    }
    let interarrival = match (&raw.interarrival, raw.rate) {
        (Some(_), Some(_)) => {
            return Err(err(
                &format!("{at}.rate"),
                "give either `rate` or `interarrival`, not both".into(),
            ))
        }
        (None, None) => {
            return Err(err(
                at,
                "a generator needs `rate: JOBS_PER_SECOND` (Poisson arrivals) or `interarrival: DISTRIBUTION`".into(),
            ))
        }
        (None, Some(r)) => {
            if !(r.is_finite() && r > 0.0) {
                return Err(err(&format!("{at}.rate"), format!("rate {r} must be > 0")));
            }
            Dist::Exp {
                mean: 1e6 / r,
            }
        }
        (Some(d), None) => dist_of(
            d,
            |v: crate::scenario::raw::Dur| v.0 as f64,
            false,
            &format!("{at}.interarrival"),
            err,
            &|f, at| read(f, true, at),
        )?
        .expect("not forever"),
    };
    let until = raw.until.map(|d| SimTime(d.0)).or(until);
    if raw.jobs.is_none() && until.is_none() {
        return Err(err(
            at,
            "a generator needs `jobs: N` or an `until` (its own or the scenario's)".into(),
        ));
    }
    if let Some(n) = raw.jobs {
        if n == 0 || n > MAX_GENERATED_JOBS {
            return Err(err(
                &format!("{at}.jobs"),
                format!("a generator makes 1 to {MAX_GENERATED_JOBS} jobs"),
            ));
        }
    }
    if raw.classes.is_empty() {
        return Err(err(
            &format!("{at}.classes"),
            "a generator needs at least one class".into(),
        ));
    }
    let mut classes = Vec::new();
    for (i, c) in raw.classes.iter().enumerate() {
        let cat = format!("{at}.classes[{i}]");
        if c.name.is_empty()
            || c.name
                .chars()
                .any(|ch| ch.is_whitespace() || ch.is_control() || ch == ',' || ch == '"')
        {
            return Err(err(
                &format!("{cat}.name"),
                format!("`{}` is not a valid class name", c.name),
            ));
        }
        if classes.iter().any(|x: &GenClass| x.name == c.name) {
            return Err(err(
                &format!("{cat}.name"),
                format!("class `{}` appears twice", c.name),
            ));
        }
        let weight = c.weight.unwrap_or(1.0);
        if !(weight.is_finite() && weight > 0.0) {
            return Err(err(
                &format!("{cat}.weight"),
                format!("weight {weight} must be > 0"),
            ));
        }
        let tasks = match &c.tasks {
            None => Dist::Const(1.0),
            Some(t) => dist_of(
                t,
                |v: f64| v,
                false,
                &format!("{cat}.tasks"),
                err,
                &|f, at| read(f, false, at),
            )?
            .expect("not forever"),
        };
        let duration = dist_of(
            &c.duration,
            |v: crate::scenario::raw::Dur| v.0 as f64,
            true,
            &format!("{cat}.duration"),
            err,
            &|f, at| read(f, true, at),
        )?;
        let mut resources = Vec::new();
        for (n, q) in &c.resources.0 {
            resources.push((n.clone(), q.0));
        }
        if resources.iter().all(|(_, v)| *v == 0) {
            return Err(err(
                &format!("{cat}.resources"),
                "a task needs some resources".into(),
            ));
        }
        let tests = |raw: &Option<
            crate::scenario::raw::OrderedMap<crate::scenario::raw::RawAttrValues>,
        >| {
            raw.as_ref()
                .map(|m| {
                    m.0.iter()
                        .map(|(k, v)| AttrMatch {
                            key: k.clone(),
                            values: v.0.clone(),
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        classes.push(GenClass {
            name: c.name.clone(),
            weight,
            framework: c.framework.clone(),
            role: c.role.clone(),
            tasks,
            resources,
            duration,
            gang: c.gang,
            constraints: tests(&c.constraints),
            prefer: tests(&c.prefer),
            resolved: None,
        });
    }
    Ok(Generator {
        name,
        jobs: raw.jobs,
        start: raw.start.map_or(SimTime::ZERO, |d| SimTime(d.0)),
        until,
        interarrival,
        classes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
