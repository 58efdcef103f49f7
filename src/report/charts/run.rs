//! A run's charts: which there are, the loop that writes them, and what
//! they share (framework colours, the time axis, the shaded window).

use super::fairness::draw_fairness;
use super::jobs::{cdf_what, job_series, JobField};
use super::kit::*;
use super::offers::{draw_auction, draw_offers};
use super::partitions::{
    draw_partition_fairness, draw_partition_utilization, has_partition_fairness,
};
use super::shares::{draw_roles, draw_shares};
use super::utilization::{draw_utilization, utilization_panels};
use super::{chart, DrawResult, Format};
use crate::error::Error;
use crate::report::data::{Meta, RunData};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::error::Error as StdError;
use std::path::{Path, PathBuf};

/// The charts of one run, each with its file stem and what it shows.
pub const RUN_CHARTS: &[(&str, &str)] = &[
    (
        "utilization",
        "Allocated resources over time, stacked by framework, per resource (% of the cluster); lines for offered-but-idle and used",
    ),
    (
        "shares",
        "Dominant share of each framework over time (solid) and its ideal DRF share (dashed)",
    ),
    (
        "roles",
        "Dominant share of each role's subtree over time (solid) and its ideal DRF share (dashed)",
    ),
    (
        "fairness",
        "Jain's index and min/max ratio over weighted dominant shares, and the distance from the ideal DRF allocation",
    ),
    (
        "jct_cdf",
        "Distribution (CDF) of job completion times, all jobs and per framework (or per job class when there are many frameworks)",
    ),
    ("wait_cdf", "Distribution (CDF) of job wait times (submission to first launch)"),
    ("slowdown_cdf", "Distribution (CDF) of job slowdowns (completion time ÷ ideal run time)"),
    ("offers", "Offers made, accepted, declined and rescinded per second, all frameworks"),
    (
        "auction",
        "Under `auction`: each framework's budget over time (lines) and the price it paid for each agent it won (dots)",
    ),
];

/// Writes the run charts into `out`; returns the files written (relative
/// to `out`), in [`RUN_CHARTS`] order. Charts without data are skipped.
pub fn write_run_charts(data: &RunData, out: &Path, format: Format) -> Result<Vec<PathBuf>, Error> {
    crate::report::outdir::make_dir(out)?;
    let mut written = Vec::new();
    let ext = format.ext();
    for (stem, _) in RUN_CHARTS {
        let path = out.join(format!("{stem}.{ext}"));
        let done = match *stem {
            "utilization" => {
                let panels = utilization_panels(data);
                let h = 140 + 300 * panels.len().max(1) as u32;
                if data.partitions.is_empty() {
                    chart!(&path, format, (1200, h), |a| draw_utilization(
                        a, data, &panels
                    ))?;
                } else {
                    // Partitioned: the per-partition panels to the right
                    // (allocated and offered but idle, per resource).
                    chart!(&path, format, (3000, h), |a| {
                        let (left, right) = a.split_horizontally(1200);
                        draw_utilization(&left, data, &panels)?;
                        draw_partition_utilization(&right, data, &panels)
                    })?;
                }
                true
            }
            "shares" if !data.clients.is_empty() => {
                chart!(&path, format, (1200, 620), |a| draw_shares(a, data))?;
                true
            }
            "roles" if data.roles.iter().any(|r| r.1.iter().any(|&x| x > 0.0)) => {
                chart!(&path, format, (1200, 620), |a| draw_roles(a, data))?;
                true
            }
            "fairness" if data.fairness.is_some() => {
                if has_partition_fairness(data) {
                    // Partitioned: each partition's fairness to the right.
                    chart!(&path, format, (2400, 560), |a| {
                        let (left, right) = a.split_horizontally(1200);
                        draw_fairness(&left, data)?;
                        draw_partition_fairness(&right, data)
                    })?;
                } else {
                    chart!(&path, format, (1200, 560), |a| draw_fairness(a, data))?;
                }
                true
            }
            "jct_cdf" | "wait_cdf" | "slowdown_cdf" => {
                let field = match *stem {
                    "jct_cdf" => JobField::Jct,
                    "wait_cdf" => JobField::Wait,
                    _ => JobField::Slowdown,
                };
                let series = job_series(data, field, cdf_base(*stem != "slowdown_cdf"));
                let censors = field != JobField::Slowdown;
                // Nothing observed (every job unfinished): F is 0 throughout,
                // nothing to draw.
                if series.iter().all(|c| c.observed.is_empty()) {
                    false
                } else {
                    let (what, axis) = match *stem {
                        "jct_cdf" => ("Job completion time", "completion time"),
                        "wait_cdf" => ("Job wait time", "wait (submission to first launch)"),
                        _ => (
                            "Job slowdown",
                            "slowdown (completion time ÷ ideal run time)",
                        ),
                    };
                    let is_time = *stem != "slowdown_cdf";
                    chart!(&path, format, (1200, 560), |a| draw_cdf(
                        a,
                        &caption(&cdf_what(what, data, censors), &data.meta),
                        axis,
                        is_time,
                        true,
                        &series
                    ))?;
                    true
                }
            }
            "offers" if !data.offers.is_empty() => {
                chart!(&path, format, (1200, 560), |a| draw_offers(a, data))?;
                true
            }
            "auction" if !data.auction.is_empty() => {
                chart!(&path, format, (1200, 560), |a| draw_auction(a, data))?;
                true
            }
            _ => false,
        };
        if done {
            written.push(PathBuf::from(format!("{stem}.{ext}")));
        }
    }
    Ok(written)
}

/// A chart with the run's time on x (0 to `x_end`, in the unit `time_unit`
/// chose) and a linear y from 0 to `y_max`, its grid and axis labels drawn.
pub(super) fn time_chart<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    d: &RunData,
    x_end: f64,
    y_max: f64,
    y_label_area: u32,
    y_desc: impl Into<String>,
) -> Result<ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>, Box<dyn StdError>>
where
    DB::ErrorType: 'static,
{
    let (_, uname) = time_unit(d.end());
    let mut chart = ChartBuilder::on(area)
        .margin(12)
        .x_label_area_size(50)
        .y_label_area_size(y_label_area)
        .build_cartesian_2d(0.0..x_end, 0.0..y_max)?;
    chart
        .configure_mesh()
        .x_desc(format!("time ({uname}){}", note_window(&d.meta)))
        .y_desc(y_desc)
        .axis_desc_style(font(LABEL))
        .label_style(font(TICK))
        .x_label_formatter(&|v| tick(*v))
        .y_label_formatter(&|v| tick(*v))
        .light_line_style(WHITE.mix(0.0))
        .bold_line_style(RGBColor(225, 225, 225))
        .draw()?;
    Ok(chart)
}

/// Frameworks' colours, the same in every chart of a run: up to ten
/// frameworks each get a colour (in `shares.csv` order); with more, the nine
/// with the largest mean allocation do, and the others are grey.
pub(super) struct Palette {
    pub(super) named: Vec<(String, RGBColor)>,
    pub(super) others: Vec<String>,
}

impl Palette {
    pub(super) fn of(d: &RunData) -> Palette {
        let (shown, others) = framework_order(d, 9);
        Palette {
            named: shown
                .into_iter()
                .enumerate()
                .map(|(k, f)| (f, color(k)))
                .collect(),
            others,
        }
    }

    pub(super) fn get(&self, framework: &str) -> Option<RGBColor> {
        self.named
            .iter()
            .find(|(f, _)| f == framework)
            .map(|(_, c)| *c)
    }
}

/// Frameworks by their mean allocation (fractions summed over resources),
/// largest first; beyond `keep`, the rest is grouped.
pub(super) fn framework_order(d: &RunData, keep: usize) -> (Vec<String>, Vec<String>) {
    let fws = d.frameworks();
    let mut weight: Vec<(f64, usize)> = fws
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let mut sum = 0.0;
            for c in d.clients.iter().filter(|c| &c.framework == f) {
                for (r, series) in c.allocated.iter().enumerate() {
                    for (t, v) in series.iter().enumerate() {
                        let total = d.total[r][t];
                        if total > 0.0 {
                            sum += v / total;
                        }
                    }
                }
            }
            (sum, i)
        })
        .collect();
    if fws.len() <= keep + 1 {
        return (fws, Vec::new());
    }
    weight.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut top: Vec<usize> = weight.iter().take(keep).map(|w| w.1).collect();
    top.sort_unstable();
    let rest = weight.iter().skip(keep).map(|w| fws[w.1].clone()).collect();
    (top.into_iter().map(|i| fws[i].clone()).collect(), rest)
}

/// Shades the parts of the run outside the measurement window.
pub(super) fn shade_window<DB: DrawingBackend>(
    chart: &mut ChartContext<DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    meta: &Meta,
    unit: f64,
    x_end: f64,
    y: (f64, f64),
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    if let Some((from, to)) = meta.window {
        let shade = GREY.mix(0.25).filled();
        if from > 0.0 {
            chart.draw_series(std::iter::once(Rectangle::new(
                [(0.0, y.0), (from / unit, y.1)],
                shade,
            )))?;
        }
        if to / unit < x_end {
            chart.draw_series(std::iter::once(Rectangle::new(
                [(to / unit, y.0), (x_end, y.1)],
                shade,
            )))?;
        }
    }
    Ok(())
}

pub(super) fn caption(what: &str, meta: &Meta) -> String {
    format!("{what} — {}", meta.subtitle())
}

pub(super) fn note_window(meta: &Meta) -> &'static str {
    if meta.window.is_some() {
        " (grey: outside the measurement window)"
    } else {
        ""
    }
}
