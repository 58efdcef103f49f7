//! CSV outputs, written while the run goes (observers) or at its end
//! (`jobs.csv`). Headers and columns are the public contract (docs/format.md).

use crate::cluster::resources::{format_milli, format_quantities};
use crate::master::ExplainRow;
use crate::metrics::share_of;
use crate::scenario::model::Model;
use crate::sim::observer::{JobView, Observer, Record, View};
use crate::sim::time::{format_secs, SimTime};
use crate::FrameworkId;
use std::io::Write;

pub const EVENTS_HEADER: [&str; 9] = [
    "time_s",
    "seq",
    "partition",
    "kind",
    "framework",
    "role",
    "agent",
    "task",
    "resources",
];
pub const TIMESERIES_HEADER: [&str; 6] = [
    "time_s",
    "partition",
    "resource",
    "total",
    "offered",
    "allocated",
];
pub const SHARES_HEADER: [&str; 5] = ["time_s", "framework", "role", "dominant_share", "resources"];
pub const JOBS_HEADER: [&str; 10] = [
    "job",
    "framework",
    "role",
    "submit_s",
    "start_s",
    "finish_s",
    "tasks",
    "state",
    "wait_s",
    "jct_s",
];
pub const EXPLAIN_HEADER: [&str; 12] = [
    "time_s",
    "seq",
    "stage",
    "agent",
    "role_rank",
    "role",
    "role_share",
    "framework_rank",
    "framework",
    "framework_share",
    "outcome",
    "resources",
];

/// A CSV writer that keeps the first I/O error for the end of the run.
pub struct Sink<W: Write> {
    w: csv::Writer<W>,
    pub error: Option<String>,
}

impl<W: Write> Sink<W> {
    pub fn new(w: W, header: &[&str]) -> Sink<W> {
        let mut s = Sink {
            w: csv::WriterBuilder::new()
                .terminator(csv::Terminator::Any(b'\n'))
                .from_writer(w),
            error: None,
        };
        s.row(header);
        s
    }

    pub fn row<I, T>(&mut self, fields: I)
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        if self.error.is_some() {
            return;
        }
        if let Err(e) = self.w.write_record(fields) {
            self.error = Some(e.to_string());
        }
    }

    pub fn finish(mut self) -> Result<W, String> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.w.flush().map_err(|e| e.to_string())?;
        self.w.into_inner().map_err(|e| e.to_string())
    }
}

/// `events.csv`: one row per record.
pub struct EventsCsv<W: Write> {
    pub sink: Sink<W>,
}

impl<W: Write> EventsCsv<W> {
    pub fn new(w: W) -> Self {
        EventsCsv {
            sink: Sink::new(w, &EVENTS_HEADER),
        }
    }
}

impl<W: Write> Observer for EventsCsv<W> {
    fn record(&mut self, model: &Model, r: &Record) {
        let fw = r
            .framework
            .map(|f| model.framework_name(f).to_string())
            .unwrap_or_default();
        let role = r
            .role
            .map(|x| model.role_name(x).to_string())
            .unwrap_or_default();
        let agent = r.agent.map(|a| model.agent_name(a)).unwrap_or_default();
        let task = r.task_name(model).unwrap_or_default();
        self.sink.row([
            r.time.to_string(),
            r.seq.to_string(),
            "0".to_string(),
            r.kind.name().to_string(),
            fw,
            role,
            agent,
            task,
            format_quantities(&r.resources, &model.resources),
        ]);
    }
}

/// `explain.csv`: each candidate an allocation run considered.
pub struct ExplainCsv<W: Write> {
    pub sink: Sink<W>,
}

impl<W: Write> ExplainCsv<W> {
    pub fn new(w: W) -> Self {
        ExplainCsv {
            sink: Sink::new(w, &EXPLAIN_HEADER),
        }
    }
}

impl<W: Write> Observer for ExplainCsv<W> {
    fn explain(&mut self, model: &Model, time: SimTime, seq: u64, row: &ExplainRow) {
        self.sink.row([
            time.to_string(),
            seq.to_string(),
            row.stage.to_string(),
            model.agent_name(row.agent),
            row.role_rank.to_string(),
            model.role_name(row.role).to_string(),
            row.role_share.to_string(),
            row.framework_rank.to_string(),
            model.framework_name(row.framework).to_string(),
            row.framework_share.to_string(),
            row.outcome.name().to_string(),
            format_quantities(&row.resources, &model.resources),
        ]);
    }
    fn wants_explain(&self) -> bool {
        true
    }
}

/// Sample times `0, I, 2I, …` up to the end of the run; the state at a
/// sample time is the state after every event at that time.
#[derive(Debug)]
pub struct Sampler {
    interval: u64,
    next: u64,
}

impl Sampler {
    pub fn new(interval: u64) -> Sampler {
        Sampler { interval, next: 0 }
    }

    /// Sample times in `[from, to)` (or `[from, to]` when `inclusive`).
    fn due(&mut self, to: SimTime, inclusive: bool) -> Vec<SimTime> {
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

/// `timeseries.csv`: totals, offered and allocated per resource.
pub struct TimeseriesCsv<W: Write> {
    pub sink: Sink<W>,
    sampler: Sampler,
}

impl<W: Write> TimeseriesCsv<W> {
    pub fn new(w: W, interval: u64) -> Self {
        TimeseriesCsv {
            sink: Sink::new(w, &TIMESERIES_HEADER),
            sampler: Sampler::new(interval),
        }
    }

    fn rows(&mut self, view: &View, t: SimTime) {
        let m = view.master;
        for r in view.model.resources.ids() {
            self.sink.row([
                t.to_string(),
                "0".to_string(),
                view.model.resources.name(r).to_string(),
                format_milli(m.totals.get(r)),
                format_milli(m.offered_total.get(r)),
                format_milli(m.allocated_total.get(r)),
            ]);
        }
    }
}

impl<W: Write> Observer for TimeseriesCsv<W> {
    fn advance(&mut self, view: &View, _from: SimTime, to: SimTime) {
        for t in self.sampler.due(to, false) {
            self.rows(view, t);
        }
    }
    fn finish(&mut self, view: &View, end: SimTime) {
        for t in self.sampler.due(end, true) {
            self.rows(view, t);
        }
    }
}

/// `shares.csv`: each registered framework's dominant share per role.
pub struct SharesCsv<W: Write> {
    pub sink: Sink<W>,
    sampler: Sampler,
}

impl<W: Write> SharesCsv<W> {
    pub fn new(w: W, interval: u64) -> Self {
        SharesCsv {
            sink: Sink::new(w, &SHARES_HEADER),
            sampler: Sampler::new(interval),
        }
    }

    fn rows(&mut self, view: &View, t: SimTime) {
        for (i, fs) in view.master.frameworks.iter().enumerate() {
            if !fs.registered {
                continue;
            }
            let name = view.model.framework_name(FrameworkId(i as u32));
            for r in &fs.roles {
                let held = r.offered.plus(&r.allocated);
                self.sink.row([
                    t.to_string(),
                    name.to_string(),
                    view.model.role_name(r.role).to_string(),
                    share_of(&held, view).to_string(),
                    format_quantities(&held, &view.model.resources),
                ]);
            }
        }
    }
}

impl<W: Write> Observer for SharesCsv<W> {
    fn advance(&mut self, view: &View, _from: SimTime, to: SimTime) {
        for t in self.sampler.due(to, false) {
            self.rows(view, t);
        }
    }
    fn finish(&mut self, view: &View, end: SimTime) {
        for t in self.sampler.due(end, true) {
            self.rows(view, t);
        }
    }
}

/// `jobs.csv`: one row per job, in the order jobs ended; jobs still pending
/// or running at the end come last, in submission order.
pub struct JobsCsv<W: Write> {
    pub sink: Sink<W>,
}

impl<W: Write> JobsCsv<W> {
    pub fn new(w: W) -> Self {
        JobsCsv {
            sink: Sink::new(w, &JOBS_HEADER),
        }
    }
}

impl<W: Write> Observer for JobsCsv<W> {
    fn job_ended(&mut self, model: &Model, job: &JobView) {
        let (spec, js) = (job.spec, job.state);
        let opt = |t: Option<SimTime>| t.map(|t| t.to_string()).unwrap_or_default();
        let submit = js.submitted_at;
        let since = |t: Option<SimTime>| match (submit, t) {
            (Some(s), Some(f)) => format_secs(f.0 - s.0),
            _ => String::new(),
        };
        self.sink.row([
            spec.id.clone(),
            model.framework_name(spec.framework).to_string(),
            model.role_name(spec.role).to_string(),
            opt(submit),
            opt(js.first_start),
            opt(js.finished_at),
            spec.tasks.to_string(),
            js.status.name().to_string(),
            since(js.first_start),
            since(js.finished_at),
        ]);
    }
}
