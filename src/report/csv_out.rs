//! CSV outputs, written while the run goes (observers) or at its end
//! (`jobs.csv`). Headers and columns are the public contract (docs/format.md).

use crate::cluster::resources::{format_milli, format_quantities, Quantities};
use crate::master::ExplainRow;
use crate::metrics::fairness::{self, DemandTracker};
use crate::metrics::jobs::slowdown;
use crate::metrics::{fairness_now, RunMetrics, Sampler, UsedTracker};
use crate::scenario::model::Model;
use crate::sim::observer::{Counted, JobView, KindSet, Observer, Record, RecordKind, View};
use crate::sim::time::SimTime;
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
pub const TIMESERIES_HEADER: [&str; 7] = [
    "time_s",
    "partition",
    "resource",
    "total",
    "offered",
    "allocated",
    "used",
];
pub const SHARES_HEADER: [&str; 10] = [
    "time_s",
    "framework",
    "role",
    "dominant_share",
    "resources",
    "allocated",
    "pending_tasks",
    "pending",
    "fair_share",
    "drf_share",
];
pub const ROLES_HEADER: [&str; 6] = [
    "time_s",
    "role",
    "weight",
    "dominant_share",
    "drf_share",
    "resources",
];
pub const FAIRNESS_HEADER: [&str; 6] = [
    "time_s",
    "active_frameworks",
    "jain",
    "min_max_ratio",
    "drf_distance",
    "frameworks_below_fair_share",
];
pub const OFFERS_HEADER: [&str; 7] = [
    "time_s",
    "framework",
    "made",
    "accepted",
    "declined",
    "rescinded",
    "tasks_launched",
];
pub const JOBS_HEADER: [&str; 13] = [
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
    "class",
    "ideal_s",
    "slowdown",
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

/// The record kinds `faults.csv` keeps: faults and the changes of state
/// they cause (docs/faults.md).
pub const FAULT_KINDS: [&str; 8] = [
    "agent_failed",
    "agent_unreachable",
    "agent_recovered",
    "master_failover",
    "master_elected",
    "agent_draining",
    "agent_removed",
    "framework_removed",
];

/// `events.csv`: one row per record; or `faults.csv`: the same columns,
/// the rows of [`FAULT_KINDS`] only.
pub struct EventsCsv<W: Write> {
    pub sink: Sink<W>,
    only: Option<&'static [&'static str]>,
}

impl<W: Write> EventsCsv<W> {
    pub fn new(w: W) -> Self {
        EventsCsv {
            sink: Sink::new(w, &EVENTS_HEADER),
            only: None,
        }
    }

    /// `faults.csv`.
    pub fn faults(w: W) -> Self {
        EventsCsv {
            sink: Sink::new(w, &EVENTS_HEADER),
            only: Some(&FAULT_KINDS),
        }
    }
}

/// The fault rows of the record kept in memory, for the fault marks of
/// the charts `run` draws when `faults.csv` is not written
/// (`output.faults`, docs/faults.md).
#[derive(Default)]
pub struct FaultMarks {
    pub rows: Vec<crate::report::data::FaultRow>,
}

impl Observer for FaultMarks {
    fn record(&mut self, _model: &Model, r: &Record) {
        if FAULT_KINDS.contains(&r.kind.name()) {
            self.rows.push(crate::report::data::FaultRow {
                time: r.time.secs_f64(),
                kind: r.kind.name().to_string(),
                partition: r.partition.0,
            });
        }
    }
    fn record_kinds(&self) -> KindSet {
        // No fault kind is an offer count.
        KindSet::ALL.minus(KindSet::OFFER_COUNTS)
    }
    fn wants_job_names(&self) -> bool {
        false
    }
}

impl<W: Write> Observer for EventsCsv<W> {
    fn record_kinds(&self) -> KindSet {
        match self.only {
            // `faults.csv`: no fault kind is an offer count.
            Some(_) => KindSet::ALL.minus(KindSet::OFFER_COUNTS),
            None => KindSet::ALL,
        }
    }
    fn record(&mut self, model: &Model, r: &Record) {
        if self.only.is_some_and(|k| !k.contains(&r.kind.name())) {
            return;
        }
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
            r.partition.0.to_string(),
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
    fn record_kinds(&self) -> KindSet {
        KindSet::NONE
    }
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
    fn wants_job_names(&self) -> bool {
        false
    }
}

/// `timeseries.csv`: totals, offered, allocated and used per resource.
/// What running tasks use comes from the run metrics' [`UsedTracker`]
/// (see [`WithWriters`]): the task records are followed once.
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

    /// The rows due by `to` (the clock moved forward to it); `used` is
    /// what running tasks use, whole and on each partition's agents.
    pub fn advance(&mut self, view: &View, to: SimTime, used: &UsedTracker) {
        for t in self.sampler.due(to, false) {
            self.rows(view, t, used);
        }
    }

    /// The rows due at the run's end.
    pub fn finish(&mut self, view: &View, end: SimTime, used: &UsedTracker) {
        for t in self.sampler.due(end, true) {
            self.rows(view, t, used);
        }
    }

    /// The whole cluster's rows (`partition` `0`, or `all` with
    /// partitions), then with partitions one set per partition.
    fn rows(&mut self, view: &View, t: SimTime, used: &UsedTracker) {
        let partitions = view.model.partitions.count;
        let whole = if partitions > 1 { "all" } else { "0" };
        let (totals, offered, allocated) =
            (view.totals(), view.offered_total(), view.allocated_total());
        self.write(view, t, whole, [totals, offered, allocated, used.known()]);
        if partitions > 1 {
            for p in 0..partitions {
                let id = crate::PartitionId(p);
                let at = [
                    view.partition_totals(id),
                    view.partition_offered(id),
                    view.partition_allocated(id),
                    used.partition(id),
                ];
                self.write(view, t, &p.to_string(), at);
            }
        }
    }

    /// One row per resource: total, offered, allocated, used.
    fn write(&mut self, view: &View, t: SimTime, partition: &str, q: [Quantities; 4]) {
        for r in view.model.resources.ids() {
            self.sink.row([
                t.to_string(),
                partition.to_string(),
                view.model.resources.name(r).to_string(),
                format_milli(q[0].get(r)),
                format_milli(q[1].get(r)),
                format_milli(q[2].get(r)),
                format_milli(q[3].get(r)),
            ]);
        }
    }
}

/// `shares.csv`, `roles.csv` and `fairness.csv`: at each sample, every
/// registered framework's share per role with its fair and ideal DRF
/// shares, every role's share, and the fairness indices.
pub struct SharesCsv<W: Write> {
    pub sink: Sink<W>,
    pub roles: Sink<W>,
    pub fairness: Sink<W>,
    sampler: Sampler,
    demand: DemandTracker,
}

impl<W: Write> SharesCsv<W> {
    pub fn new(shares: W, roles: W, fairness: W, interval: u64) -> Self {
        SharesCsv {
            sink: Sink::new(shares, &SHARES_HEADER),
            roles: Sink::new(roles, &ROLES_HEADER),
            fairness: Sink::new(fairness, &FAIRNESS_HEADER),
            sampler: Sampler::new(interval),
            demand: DemandTracker::default(),
        }
    }

    fn rows(&mut self, view: &View, t: SimTime) {
        let model = view.model;
        let clients = fairness::clients(view, &mut self.demand);
        let ideal = fairness::ideal(view, &clients);
        let names = &model.resources;
        for (c, drf) in clients.iter().zip(&ideal.client_share) {
            self.sink.row([
                t.to_string(),
                model.framework_name(c.framework).to_string(),
                model.role_name(c.role).to_string(),
                c.share.to_string(),
                format_quantities(&c.held, names),
                format_quantities(&c.allocated, names),
                c.pending_tasks.to_string(),
                format_quantities(&c.pending, names),
                c.fair_share.to_string(),
                drf.to_string(),
            ]);
        }
        for (i, spec) in model.roles.iter().enumerate() {
            let role = crate::RoleId(i as u32);
            self.roles.row([
                t.to_string(),
                spec.name.clone(),
                view.role_weight(role).to_string(),
                view.role_share(role).to_string(),
                ideal.role_share[i].to_string(),
                format_quantities(&view.role_allocation(role), names),
            ]);
        }
        let active = (0..model.frameworks.len())
            .filter(|&i| view.framework_active(FrameworkId(i as u32)))
            .count();
        let mut below: Vec<FrameworkId> = clients
            .iter()
            .filter(|c| c.below)
            .map(|c| c.framework)
            .collect();
        below.dedup();
        let (jain, min_max) = fairness_now(view);
        self.fairness.row([
            t.to_string(),
            active.to_string(),
            jain.to_string(),
            min_max.to_string(),
            fairness::drf_distance(view, &ideal).to_string(),
            below.len().to_string(),
        ]);
    }

    /// Flushes the three files; the first error names its file.
    pub fn finish(self) -> Result<(), (&'static str, String)> {
        self.sink.finish().map_err(|e| ("shares.csv", e))?;
        self.roles.finish().map_err(|e| ("roles.csv", e))?;
        self.fairness.finish().map_err(|e| ("fairness.csv", e))?;
        Ok(())
    }
}

impl<W: Write> Observer for SharesCsv<W> {
    fn record(&mut self, _model: &Model, rec: &Record) {
        self.demand.record(rec);
    }
    fn record_kinds(&self) -> KindSet {
        // The demand tracker reads tasks' and agents' records only.
        KindSet::ALL.minus(KindSet::OFFER_COUNTS)
    }
    fn wants_job_names(&self) -> bool {
        false
    }
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

/// `offers.csv`: per framework, the offers and launches since the previous
/// sample (the row at time 0 counts those at time 0).
pub struct OffersCsv<W: Write> {
    pub sink: Sink<W>,
    sampler: Sampler,
    /// Per framework: made, accepted, declined, rescinded, tasks launched.
    counts: Vec<[u64; 5]>,
}

impl<W: Write> OffersCsv<W> {
    pub fn new(w: W, interval: u64, frameworks: usize) -> Self {
        OffersCsv {
            sink: Sink::new(w, &OFFERS_HEADER),
            sampler: Sampler::new(interval),
            counts: vec![[0; 5]; frameworks],
        }
    }

    fn rows(&mut self, model: &Model, t: SimTime) {
        for (i, c) in self.counts.iter_mut().enumerate() {
            self.sink.row([
                t.to_string(),
                model.framework_name(FrameworkId(i as u32)).to_string(),
                c[0].to_string(),
                c[1].to_string(),
                c[2].to_string(),
                c[3].to_string(),
                c[4].to_string(),
            ]);
            *c = [0; 5];
        }
    }
}

impl<W: Write> OffersCsv<W> {
    /// Counts `n` records of `kind` for their framework.
    fn count(&mut self, kind: RecordKind, framework: Option<FrameworkId>, n: u64) {
        let k = match kind {
            RecordKind::Offer => 0,
            RecordKind::Accept => 1,
            RecordKind::Decline => 2,
            RecordKind::Rescind => 3,
            RecordKind::Launch => 4,
            _ => return,
        };
        if let Some(c) = framework.and_then(|f| self.counts.get_mut(f.index())) {
            c[k] += n;
        }
    }
}

impl<W: Write> Observer for OffersCsv<W> {
    fn record(&mut self, _model: &Model, rec: &Record) {
        self.count(rec.kind, rec.framework, 1);
    }
    /// It counts every kind it reads.
    fn record_kinds(&self) -> KindSet {
        KindSet::NONE
    }
    fn counted(&mut self, _model: &Model, c: &Counted) {
        self.count(c.kind, c.framework, c.n);
    }
    fn wants_job_names(&self) -> bool {
        false
    }
    fn advance(&mut self, view: &View, _from: SimTime, to: SimTime) {
        for t in self.sampler.due(to, false) {
            self.rows(view.model, t);
        }
    }
    fn finish(&mut self, view: &View, end: SimTime) {
        for t in self.sampler.due(end, true) {
            self.rows(view.model, t);
        }
    }
}

/// `jobs.csv`: one row per job, in the order jobs ended; jobs still pending
/// or running at the end come last, in submission order. The ideal run
/// times come from the run metrics' `TaskTimes` (see [`WithWriters`]).
pub struct JobsCsv<W: Write> {
    pub sink: Sink<W>,
    /// One row's fields, reused: a long streamed trace writes a row per job.
    fields: [String; JOBS_HEADER.len()],
}

impl<W: Write> JobsCsv<W> {
    pub fn new(w: W) -> Self {
        JobsCsv {
            sink: Sink::new(w, &JOBS_HEADER),
            fields: Default::default(),
        }
    }

    /// The row of a job that ended; `ideal` is its ideal run time (µs),
    /// if any of its tasks finished.
    pub fn job_ended(&mut self, model: &Model, job: &JobView, ideal: Option<u64>) {
        use std::fmt::Write as _;
        let (spec, js) = (job.spec, job.state);
        let submit = js.submitted_at;
        let finished = js.status == crate::framework::JobStatus::Finished;
        let f = &mut self.fields;
        f.iter_mut().for_each(String::clear);
        // Writing into a String cannot fail.
        let time = |s: &mut String, t: Option<SimTime>| {
            if let Some(t) = t {
                let _ = write!(s, "{t}");
            }
        };
        let since = |s: &mut String, t: Option<SimTime>| {
            if let (Some(a), Some(b)) = (submit, t) {
                let _ = write!(s, "{}", SimTime(b.0 - a.0));
            }
        };
        f[0].push_str(&spec.id);
        f[1].push_str(model.framework_name(spec.framework));
        f[2].push_str(model.role_name(spec.role));
        time(&mut f[3], submit);
        time(&mut f[4], js.first_start);
        time(&mut f[5], js.finished_at);
        let _ = write!(f[6], "{}", spec.tasks);
        f[7].push_str(js.status.name());
        since(&mut f[8], js.first_start);
        since(&mut f[9], js.finished_at);
        f[10].push_str(spec.class.as_deref().unwrap_or(""));
        if let (true, Some(i), Some(s), Some(end)) = (finished, ideal, submit, js.finished_at) {
            let _ = write!(f[11], "{}", SimTime(i));
            if let Some(x) = slowdown(end.0 - s.0, i) {
                let _ = write!(f[12], "{x}");
            }
        }
        self.sink.row(f.iter());
    }
}

/// The run metrics with the writers that read what they follow
/// (`timeseries.csv`: what running tasks use; `jobs.csv`: jobs' ideal run
/// times), so that every task record is followed once, not once by the
/// metrics and again by a writer. Calls reach the metrics first, as they
/// would in a [`crate::sim::observer::Tee`] listing the metrics before the
/// writers.
pub struct WithWriters<'a, W: Write> {
    pub metrics: &'a mut RunMetrics,
    pub timeseries: &'a mut TimeseriesCsv<W>,
    pub jobs: &'a mut JobsCsv<W>,
}

impl<W: Write> Observer for WithWriters<'_, W> {
    fn record(&mut self, model: &Model, rec: &Record) {
        self.metrics.record(model, rec);
    }
    fn record_kinds(&self) -> KindSet {
        self.metrics.record_kinds()
    }
    fn counted(&mut self, model: &Model, c: &Counted) {
        self.metrics.counted(model, c);
    }
    fn explain(&mut self, model: &Model, time: SimTime, seq: u64, row: &ExplainRow) {
        self.metrics.explain(model, time, seq, row);
    }
    fn budgets(
        &mut self,
        model: &Model,
        time: SimTime,
        partition: crate::PartitionId,
        sales: &[crate::policy::whole::Sale],
        budgets: &[f64],
    ) {
        self.metrics.budgets(model, time, partition, sales, budgets);
    }
    fn offer_launched(&mut self, model: &Model, offer: &crate::master::Offer, at: SimTime) {
        self.metrics.offer_launched(model, offer, at);
    }
    fn advance(&mut self, view: &View, from: SimTime, to: SimTime) {
        self.metrics.advance(view, from, to);
        self.timeseries
            .advance(view, to, self.metrics.used_tracker());
    }
    fn job_ended(&mut self, model: &Model, job: &JobView) {
        // Read before the metrics take it.
        let ideal = job.id.and_then(|id| self.metrics.ideal_run_time(id));
        self.metrics.job_ended(model, job);
        self.jobs.job_ended(model, job, ideal);
    }
    fn finish(&mut self, view: &View, end: SimTime) {
        self.metrics.finish(view, end);
        self.timeseries
            .finish(view, end, self.metrics.used_tracker());
    }
    fn wants_explain(&self) -> bool {
        self.metrics.wants_explain()
    }
    fn wants_job_names(&self) -> bool {
        self.metrics.wants_job_names()
    }
}

pub const AUCTION_HEADER: [&str; 10] = [
    "time_s",
    "partition",
    "kind",
    "framework",
    "agent",
    "bidders",
    "bid",
    "price",
    "budget",
    "resources",
];

/// `auction.csv` (a whole-allocator policy with budgets, `auction`): after
/// each allocation run, a `sale` row per agent sold (winner, bidders, its
/// bid, the price it paid, its budget after paying, what it got), then a
/// `budget` row per registered framework with its budget.
pub struct AuctionCsv<W: Write> {
    pub sink: Sink<W>,
}

impl<W: Write> AuctionCsv<W> {
    pub fn new(w: W) -> Self {
        AuctionCsv {
            sink: Sink::new(w, &AUCTION_HEADER),
        }
    }
}

impl<W: Write> Observer for AuctionCsv<W> {
    fn record_kinds(&self) -> KindSet {
        KindSet::NONE
    }
    fn wants_job_names(&self) -> bool {
        false
    }
    fn budgets(
        &mut self,
        model: &Model,
        time: SimTime,
        partition: crate::PartitionId,
        sales: &[crate::policy::whole::Sale],
        budgets: &[f64],
    ) {
        for s in sales {
            self.sink.row([
                time.to_string(),
                partition.0.to_string(),
                "sale".to_string(),
                model.framework_name(s.framework).to_string(),
                model.agent_name(s.agent),
                s.bidders.to_string(),
                s.bid.to_string(),
                s.price.to_string(),
                s.budget.to_string(),
                format_quantities(&s.resources, &model.resources),
            ]);
        }
        for (f, b) in budgets.iter().enumerate() {
            let fw = FrameworkId(f as u32);
            if !model.frameworks[f].partitions.contains(&partition) {
                continue;
            }
            self.sink.row([
                time.to_string(),
                partition.0.to_string(),
                "budget".to_string(),
                model.framework_name(fw).to_string(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                b.to_string(),
                String::new(),
            ]);
        }
    }
}
