//! Workloads: trace importers (`google2011`, `swf`), the compact CSV job
//! trace that big workloads are streamed from, and synthetic generators.
//!
//! Importers and the CSV checker run while a scenario is loaded (they read
//! files, like `scenario::resolve`). During a run the engine pulls jobs from
//! [`JobSource`]s in submission order, one pending submission per source:
//! a CSV trace is read as the run goes and a generator draws as it goes, so
//! memory follows the jobs in flight, not the length of the workload.
//! docs/workloads.md describes the formats and rules.

pub mod csv_trace;
pub mod generate;
pub mod google;
pub mod input;
pub mod swf;

use crate::error::InputError;
use crate::scenario::model::{AttrMatch, JobSpec, Model, StreamSource};
use crate::sim::time::{format_secs, SimTime};

/// A job as a trace carries it: names, not the scenario's ids. Times in µs.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceJob {
    pub id: String,
    pub framework: String,
    pub role: Option<String>,
    pub submit: u64,
    pub tasks: u32,
    /// Per-task run time; `None`: forever.
    pub duration: Option<u64>,
    /// Per task, in milli-units, one entry per resource of the trace.
    pub resources: Vec<u64>,
    /// `None`: the framework's default.
    pub gang: Option<bool>,
    pub constraints: Vec<AttrMatch>,
    pub prefer: Vec<AttrMatch>,
    /// Job class (`jobs[].class`), for the metrics.
    pub class: Option<String>,
}

/// What an importer produced: jobs in submission order, the resource names
/// their `resources` entries stand for, and the report.
#[derive(Clone, Debug, Default)]
pub struct Imported {
    pub resources: Vec<String>,
    pub jobs: Vec<TraceJob>,
    pub report: ImportReport,
}

/// What an importer read, kept and skipped (and why).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ImportReport {
    pub format: String,
    pub file: String,
    /// Data rows read (comments and headers excluded).
    pub rows: u64,
    /// Counts by kind of row (event types, ...), in a fixed order.
    pub row_kinds: Vec<(String, u64)>,
    /// Trace records (tasks for google2011, jobs for swf) seen.
    pub records: u64,
    /// Jobs and tasks written.
    pub jobs: u64,
    pub tasks: u64,
    /// Reason → count, in a fixed order; only non-zero reasons.
    pub skipped: Vec<(String, u64)>,
    /// Other facts worth telling (header values, rules applied).
    pub notes: Vec<String>,
    /// First and last submission (µs, in the output's time).
    pub first_submit: Option<u64>,
    pub last_submit: Option<u64>,
    /// Per resource of the output: the sum over jobs of tasks × amount,
    /// in milli-units.
    pub resource_sums: Vec<(String, u64)>,
}

impl ImportReport {
    pub fn skipped_total(&self) -> u64 {
        self.skipped.iter().map(|(_, n)| n).sum()
    }

    pub fn skip(&mut self, reason: &str, n: u64) {
        if n == 0 {
            return;
        }
        match self.skipped.iter_mut().find(|(r, _)| r == reason) {
            Some((_, c)) => *c += n,
            None => self.skipped.push((reason.to_string(), n)),
        }
    }

    /// Fills jobs, tasks, first/last submit and the sums from the output.
    pub fn summarize(&mut self, imported_resources: &[String], jobs: &[TraceJob]) {
        self.jobs = jobs.len() as u64;
        self.tasks = jobs.iter().map(|j| j.tasks as u64).sum();
        self.first_submit = jobs.iter().map(|j| j.submit).min();
        self.last_submit = jobs.iter().map(|j| j.submit).max();
        self.resource_sums = imported_resources
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let sum = jobs
                    .iter()
                    .map(|j| j.resources[i].saturating_mul(j.tasks as u64))
                    .fold(0u64, u64::saturating_add);
                (n.clone(), sum)
            })
            .collect();
    }

    /// Human-readable lines.
    pub fn lines(&self) -> Vec<String> {
        use crate::cluster::resources::format_milli;
        let mut out = vec![format!(
            "{} {}: {} rows read{}",
            self.format,
            self.file,
            self.rows,
            if self.row_kinds.is_empty() {
                String::new()
            } else {
                format!(
                    " ({})",
                    self.row_kinds
                        .iter()
                        .map(|(k, n)| format!("{k} {n}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        )];
        out.push(format!(
            "  {} records, {} jobs ({} tasks) kept, {} skipped{}",
            self.records,
            self.jobs,
            self.tasks,
            self.skipped_total(),
            if self.skipped.is_empty() {
                String::new()
            } else {
                format!(
                    ": {}",
                    self.skipped
                        .iter()
                        .map(|(k, n)| format!("{k} {n}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        ));
        if let (Some(a), Some(b)) = (self.first_submit, self.last_submit) {
            out.push(format!(
                "  submissions from {} s to {} s; requested (tasks x amount): {}",
                format_secs(a),
                format_secs(b),
                self.resource_sums
                    .iter()
                    .map(|(k, v)| format!("{k} {}", format_milli(*v)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        for n in &self.notes {
            out.push(format!("  {n}"));
        }
        out
    }
}

/// Jobs in submission order, pulled one at a time by the engine.
pub trait JobSource {
    /// The next job (not earlier than the previous one), or `None` at the end.
    fn next_job(&mut self) -> Result<Option<JobSpec>, InputError>;
}

/// A generator inside a scenario.
struct GenSource<'m> {
    spec: &'m crate::scenario::model::Generator,
    run: generate::GenRun<'m>,
}

impl JobSource for GenSource<'_> {
    fn next_job(&mut self) -> Result<Option<JobSpec>, InputError> {
        Ok(self.run.next().map(|j| self.spec.job_spec(&j)))
    }
}

/// A stream of a run without `until`: a job submitted (or, with a fixed
/// duration, ending) beyond the model's horizon stops the run with an input
/// error before anything is simulated up to it (one trace row at 9·10¹² s
/// would otherwise keep the run writing samples for ever).
struct Horizon<'m> {
    inner: Box<dyn JobSource + 'm>,
    name: &'m str,
    horizon: SimTime,
}

impl JobSource for Horizon<'_> {
    fn next_job(&mut self) -> Result<Option<JobSpec>, InputError> {
        let Some(j) = self.inner.next_job()? else {
            return Ok(None);
        };
        let end = crate::scenario::model::duration_bound(&j.duration)
            .map_or(j.submit.0, |d| j.submit.0.saturating_add(d));
        if end > self.horizon.0 {
            return Err(InputError::new(
                self.name,
                format!(
                    "job `{}` is submitted at {} s{}, beyond the {} s a run without `until` may \
                     last ({} samples of output.sample_interval); set `until` (or raise \
                     output.sample_interval)",
                    j.id,
                    format_secs(j.submit.0),
                    if end > j.submit.0 {
                        format!(" and ends at {} s", format_secs(end))
                    } else {
                        String::new()
                    },
                    format_secs(self.horizon.0),
                    crate::limits::MAX_SAMPLES
                ),
            ));
        }
        Ok(Some(j))
    }
}

/// Opens stream `i` of the model for a run with this seed.
pub fn open_stream<'m>(
    model: &'m Model,
    i: usize,
    seed: u64,
) -> Result<Box<dyn JobSource + 'm>, InputError> {
    let inner: Box<dyn JobSource + 'm> = match &model.streams[i].source {
        StreamSource::Generate(g) => Box::new(GenSource {
            spec: g,
            run: g.start(seed),
        }),
        StreamSource::Csv(c) => Box::new(csv_trace::CsvSource::open(model, c)?),
    };
    if model.until.is_some() {
        return Ok(inner);
    }
    Ok(Box::new(Horizon {
        inner,
        name: &model.streams[i].name,
        horizon: model.horizon(),
    }))
}
