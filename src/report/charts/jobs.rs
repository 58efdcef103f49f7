//! The job CDF charts' data: which completed jobs, grouped how.

use super::kit::*;
use super::run::Palette;
use crate::report::data::{JobRow, RunData};
use plotters::prelude::*;

/// A CDF chart's title; it says so when the charts read a sample of a very
/// long `jobs.csv`.
pub(super) fn cdf_what(what: &str, d: &RunData) -> String {
    let jobs = if d.meta.window.is_some() {
        "completed jobs submitted in the window"
    } else {
        "completed jobs"
    };
    if d.jobs_step > 1 {
        format!(
            "{what} (CDF, {jobs}; every {}th of {} jobs)",
            d.jobs_step, d.jobs_total
        )
    } else {
        format!("{what} (CDF, {jobs})")
    }
}

/// Values of the completed jobs for a CDF (those submitted in the
/// measurement window when there is one, as `summary.json` counts them):
/// all jobs first, then per framework (coloured as in the other charts)
/// when at most ten frameworks have completed jobs, else per job class when
/// there are two to ten.
pub(super) fn job_series(d: &RunData, field: fn(&JobRow) -> Option<f64>, base: f64) -> Vec<Cdf> {
    let in_window = |j: &JobRow| match (d.meta.window, j.submit_s) {
        (Some((from, to)), Some(t)) => t >= from && t <= to,
        (Some(_), None) => false,
        (None, _) => true,
    };
    let done: Vec<&JobRow> = d
        .jobs
        .iter()
        .filter(|j| j.jct_s.is_some() && in_window(j))
        .collect();
    let all: Vec<f64> = done.iter().filter_map(|j| field(j)).collect();
    if all.is_empty() {
        return Vec::new();
    }
    let mut out = vec![(cdf_label("all jobs", &all, base), all, BLACK)];
    let group = |key: &dyn Fn(&JobRow) -> &str, order: Vec<String>| {
        order
            .into_iter()
            .map(|k| {
                let v: Vec<f64> = done
                    .iter()
                    .filter(|j| key(j) == k)
                    .filter_map(|j| field(j))
                    .collect();
                (k, v)
            })
            .filter(|(_, v)| !v.is_empty())
            .collect::<Vec<(String, Vec<f64>)>>()
    };
    let mut fws: Vec<String> = d.frameworks();
    for j in &done {
        if !fws.contains(&j.framework) {
            fws.push(j.framework.clone());
        }
    }
    let by_fw = group(&|j| j.framework.as_str(), fws);
    if (2..=10).contains(&by_fw.len()) {
        let palette = Palette::of(d);
        for (k, (f, v)) in by_fw.into_iter().enumerate() {
            let c = palette.get(&f).unwrap_or(color(k));
            out.push((cdf_label(&f, &v, base), v, c));
        }
        return out;
    }
    let mut classes: Vec<String> = done
        .iter()
        .filter(|j| !j.class.is_empty())
        .map(|j| j.class.clone())
        .collect();
    classes.sort();
    classes.dedup();
    let by_class = group(&|j| j.class.as_str(), classes);
    if (2..=10).contains(&by_class.len()) {
        for (k, (c, v)) in by_class.into_iter().enumerate() {
            out.push((cdf_label(&format!("class {c}"), &v, base), v, color(k)));
        }
    }
    out
}
