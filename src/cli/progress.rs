//! A progress bar on stderr (only on a terminal, never under --quiet or
//! NO_COLOR), fed by the engine as an observer.

use crate::scenario::model::Model;
use crate::sim::observer::Record;
use crate::sim::observer::{Counted, KindSet, Observer, View};
use crate::sim::time::SimTime;
use indicatif::{ProgressBar, ProgressStyle};
use std::time::Instant;

pub struct Progress {
    bar: ProgressBar,
    /// Simulated µs per bar unit; the bar counts permille of `until`, or
    /// completed jobs when there is no `until`.
    until: Option<u64>,
    last: u64,
    name: String,
    started: Instant,
    /// The queue number of the latest event that made a record: about the
    /// events handled so far.
    seq: u64,
}

impl Progress {
    pub fn new(model: &Model) -> Progress {
        let (len, until) = match model.until {
            Some(u) if u.0 > 0 => (1000, Some(u.0)),
            _ => (model.job_count_hint().max(1), None),
        };
        let bar = ProgressBar::new(len);
        let template = if until.is_some() {
            "{spinner} simulating {msg} [{bar:30}] {percent}% ({elapsed}, ETA {eta})"
        } else {
            "{spinner} simulating {msg} [{bar:30}] {pos}/{len} jobs done ({elapsed}, ETA {eta})"
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(model.name.clone());
        Progress {
            bar,
            until,
            last: 0,
            name: model.name.clone(),
            started: Instant::now(),
            seq: 0,
        }
    }

    pub fn done(&self) {
        self.bar.finish_and_clear();
    }
}

impl Observer for Progress {
    fn record(&mut self, _model: &Model, rec: &Record) {
        self.seq = rec.seq;
    }

    fn record_kinds(&self) -> KindSet {
        KindSet::NONE
    }

    fn counted(&mut self, _model: &Model, c: &Counted) {
        self.seq = c.seq;
    }

    fn wants_job_names(&self) -> bool {
        false
    }

    fn advance(&mut self, view: &View, _from: SimTime, to: SimTime) {
        let pos = match self.until {
            Some(u) => (to.0 as u128 * 1000 / u as u128) as u64,
            None => view.jobs_completed,
        };
        if pos != self.last {
            self.last = pos;
            self.bar.set_position(pos);
            let secs = self.started.elapsed().as_secs_f64();
            if secs > 0.0 {
                self.bar.set_message(format!(
                    "{} (~{} events, {:.0}k/s)",
                    self.name,
                    self.seq,
                    self.seq as f64 / secs / 1000.0
                ));
            }
        }
    }
}
