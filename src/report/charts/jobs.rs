//! The job CDF charts' data: which jobs, grouped how, observed or censored.

use super::kit::*;
use super::run::Palette;
use crate::report::data::{JobRow, RunData};
use plotters::prelude::*;

/// A CDF chart's title; it says which jobs it holds, how unfinished ones
/// count, and when the charts read a sample of a very long `jobs.csv`.
pub(super) fn cdf_what(what: &str, d: &RunData, censors: bool) -> String {
    let jobs = match (d.meta.window.is_some(), censors) {
        (true, true) => "jobs submitted in the window",
        (false, true) => "all jobs",
        (true, false) => "completed jobs submitted in the window",
        (false, false) => "completed jobs",
    };
    let how = if censors {
        ", unfinished ones censored"
    } else {
        ""
    };
    if d.jobs_step > 1 {
        format!(
            "{what} (CDF, {jobs}{how}; every {}th of {} jobs)",
            d.jobs_step, d.jobs_total
        )
    } else {
        format!("{what} (CDF, {jobs}{how})")
    }
}

/// One job's value for a CDF: observed, or censored (a lower bound: the job
/// was unfinished at the end).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Obs {
    Observed(f64),
    Censored(f64),
}

/// Which value of a job a CDF shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum JobField {
    Jct,
    Wait,
    Slowdown,
}

/// A job's value as `summary.json` counts it (docs/metrics.md): completion
/// time observed for finished jobs and censored at `end − submit` for jobs
/// pending or running at the end; wait observed for jobs that started
/// (finished or still running) and censored at `end − submit` for those
/// that never did; slowdown for finished jobs only (an unfinished job has
/// no ideal run time). Failed and abandoned jobs count in none. A folder
/// without a `state` column (older versions) gives finished jobs only.
pub(super) fn job_value(j: &JobRow, field: JobField, end: f64) -> Option<Obs> {
    let finished = j.state == "finished" || (j.state.is_empty() && j.jct_s.is_some());
    let unfinished = j.state == "pending" || j.state == "running";
    let so_far = || j.submit_s.map(|s| Obs::Censored((end - s).max(0.0)));
    match field {
        JobField::Jct if finished => j.jct_s.map(Obs::Observed),
        JobField::Jct if unfinished => so_far(),
        JobField::Wait if finished || unfinished => match j.wait_s {
            Some(w) => Some(Obs::Observed(w)),
            None if unfinished => so_far(),
            None => None,
        },
        JobField::Slowdown if finished => j.slowdown.map(Obs::Observed),
        _ => None,
    }
}

/// Observed and censored values of some jobs.
fn split(values: impl Iterator<Item = Obs>) -> (Vec<f64>, Vec<f64>) {
    let (mut o, mut c) = (Vec::new(), Vec::new());
    for v in values {
        match v {
            Obs::Observed(x) => o.push(x),
            Obs::Censored(x) => c.push(x),
        }
    }
    (o, c)
}

/// Values of the jobs for a CDF (those submitted in the measurement window
/// when there is one, as `summary.json` counts them; see [`job_value`]):
/// all jobs first, then per framework (coloured as in the other charts)
/// when two to ten frameworks have values, else per job class when there
/// are two to ten.
pub(super) fn job_series(d: &RunData, field: JobField, base: f64) -> Vec<Cdf> {
    let in_window = |j: &JobRow| match (d.meta.window, j.submit_s) {
        (Some((from, to)), Some(t)) => t >= from && t <= to,
        (Some(_), None) => false,
        (None, _) => true,
    };
    let end = d.meta.end_s.unwrap_or_else(|| d.end());
    let rows: Vec<(&JobRow, Obs)> = d
        .jobs
        .iter()
        .filter(|j| in_window(j))
        .filter_map(|j| Some((j, job_value(j, field, end)?)))
        .collect();
    if rows.is_empty() {
        return Vec::new();
    }
    let (o, c) = split(rows.iter().map(|r| r.1));
    let mut out = vec![Cdf::new("all jobs", o, c, BLACK, base)];
    let group = |key: &dyn Fn(&JobRow) -> &str, order: Vec<String>| {
        order
            .into_iter()
            .map(|k| {
                let v = split(rows.iter().filter(|r| key(r.0) == k).map(|r| r.1));
                (k, v)
            })
            .filter(|(_, v)| !v.0.is_empty() || !v.1.is_empty())
            .collect::<Vec<(String, (Vec<f64>, Vec<f64>))>>()
    };
    let mut fws: Vec<String> = d.frameworks();
    for (j, _) in &rows {
        if !fws.contains(&j.framework) {
            fws.push(j.framework.clone());
        }
    }
    let by_fw = group(&|j| j.framework.as_str(), fws);
    if (2..=10).contains(&by_fw.len()) {
        let palette = Palette::of(d);
        for (k, (f, (o, c))) in by_fw.into_iter().enumerate() {
            let col = palette.get(&f).unwrap_or(color(k));
            out.push(Cdf::new(&f, o, c, col, base));
        }
        return out;
    }
    let mut classes: Vec<String> = rows
        .iter()
        .filter(|r| !r.0.class.is_empty())
        .map(|r| r.0.class.clone())
        .collect();
    classes.sort();
    classes.dedup();
    let by_class = group(&|j| j.class.as_str(), classes);
    if (2..=10).contains(&by_class.len()) {
        for (k, (cl, (o, c))) in by_class.into_iter().enumerate() {
            out.push(Cdf::new(&format!("class {cl}"), o, c, color(k), base));
        }
    }
    out
}
