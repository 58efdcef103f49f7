//! The outputs of `mesosim compare`: the headline table (mean and 95%
//! confidence interval per variant, paired difference against the first
//! variant) as text, CSV and Markdown; one CSV row per run; comparison
//! charts; and the report page.

use super::charts::{self, font, titled_area, Cdf, DrawResult, Entry, Format, Mark};
use super::markdown::cell;
use super::summary::Summary;
use crate::error::Error;
use crate::metrics::compare::Estimate;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// One run of the comparison, reduced to what the outputs need.
pub struct RunRecord {
    pub variant: usize,
    pub seed: u64,
    /// Headline metrics and their values, in [`headline`] order.
    pub values: Vec<(Metric, f64)>,
    /// Of completed jobs (s), and their slowdowns.
    pub jct_s: Vec<f64>,
    pub wait_s: Vec<f64>,
    pub slowdown: Vec<f64>,
}

/// A headline metric: key (as in summary.json), label, and how to show it.
#[derive(Clone, Debug, PartialEq)]
pub struct Metric {
    pub key: String,
    pub label: String,
    /// A fraction shown as a percentage.
    pub percent: bool,
}

/// Every metric of the runs, in order of first appearance (variants may
/// differ in resources), leaving out the utilization of a resource that is
/// 0 in every run (one that no task asks for: a row of zeros says nothing).
pub fn metric_union(runs: &[RunRecord]) -> Vec<Metric> {
    let mut out: Vec<Metric> = Vec::new();
    for r in runs {
        for (m, _) in &r.values {
            if !out.iter().any(|x| x.key == m.key) {
                out.push(m.clone());
            }
        }
    }
    out.retain(|m| {
        !m.key.starts_with("utilization.")
            || runs
                .iter()
                .any(|r| r.value(&m.key).is_some_and(|v| v != 0.0))
    });
    out
}

impl RunRecord {
    pub fn value(&self, key: &str) -> Option<f64> {
        self.values
            .iter()
            .find(|(m, _)| m.key == key)
            .map(|(_, v)| *v)
    }
}

/// The headline metrics of a run and their values.
pub fn headline(s: &Summary) -> Vec<(Metric, f64)> {
    let m = |key: &str, label: &str, percent: bool, v: f64| {
        (
            Metric {
                key: key.to_string(),
                label: label.to_string(),
                percent,
            },
            v,
        )
    };
    let mut out = Vec::new();
    for (r, v) in &s.utilization.0 {
        out.push(m(
            &format!("utilization.{r}"),
            &format!("utilization {r}"),
            true,
            *v,
        ));
    }
    let f = &s.fairness;
    out.push(m("fairness.jain", "Jain's index", false, f.jain));
    out.push(m(
        "fairness.min_max_ratio",
        "min/max share ratio",
        false,
        f.min_max_ratio,
    ));
    out.push(m(
        "fairness.drf_distance",
        "distance from ideal DRF",
        false,
        f.drf_distance,
    ));
    out.push(m(
        "fairness.below_fair_share",
        "time below fair share",
        true,
        f.below_fair_share,
    ));
    let j = &s.jobs;
    out.push(m(
        "jobs.completed",
        "jobs completed",
        false,
        j.completed as f64,
    ));
    out.push(m(
        "jobs.censored",
        "jobs unfinished at the end",
        false,
        j.censored as f64,
    ));
    out.push(m(
        "jobs.jct_s.mean",
        "mean completion time (s)",
        false,
        j.jct_s.mean.0 / 1e6,
    ));
    out.push(m(
        "jobs.jct_s.p90",
        "p90 completion time (s)",
        false,
        j.jct_s.p90.0 as f64 / 1e6,
    ));
    out.push(m(
        "jobs.wait_s.mean",
        "mean wait (s)",
        false,
        j.wait_s.mean.0 / 1e6,
    ));
    out.push(m(
        "jobs.wait_s.p90",
        "p90 wait (s)",
        false,
        j.wait_s.p90.0 as f64 / 1e6,
    ));
    out.push(m(
        "jobs.slowdown.mean",
        "mean slowdown",
        false,
        j.slowdown.mean,
    ));
    out
}

/// Estimates per metric and variant, and paired differences.
pub struct Table {
    pub metrics: Vec<Metric>,
    pub variants: Vec<String>,
    pub seeds: Vec<u64>,
    /// `[metric][variant]`.
    pub estimates: Vec<Vec<Estimate>>,
    /// `[metric][variant]`: the variant minus the first one, seed by seed
    /// (`None` for the first).
    pub diffs: Vec<Vec<Option<Estimate>>>,
}

impl Table {
    /// `runs` ordered by (variant, seed), every variant with every seed.
    pub fn build(
        metrics: Vec<Metric>,
        variants: Vec<String>,
        seeds: Vec<u64>,
        runs: &[RunRecord],
    ) -> Table {
        let nv = variants.len();
        let mut estimates = Vec::new();
        let mut diffs = Vec::new();
        for m in &metrics {
            // Per variant: (seed, value) in seed order.
            let per: Vec<Vec<(u64, f64)>> = (0..nv)
                .map(|v| {
                    runs.iter()
                        .filter(|r| r.variant == v)
                        .filter_map(|r| r.value(&m.key).map(|x| (r.seed, x)))
                        .collect()
                })
                .collect();
            estimates.push(
                per.iter()
                    .map(|x| Estimate::of(&x.iter().map(|p| p.1).collect::<Vec<_>>()))
                    .collect(),
            );
            diffs.push(
                (0..nv)
                    .map(|v| {
                        (v > 0).then(|| {
                            let (a, b): (Vec<f64>, Vec<f64>) = per[0]
                                .iter()
                                .filter_map(|&(seed, x)| {
                                    per[v].iter().find(|p| p.0 == seed).map(|p| (x, p.1))
                                })
                                .unzip();
                            Estimate::paired(&a, &b)
                        })
                    })
                    .collect(),
            );
        }
        Table {
            metrics,
            variants,
            seeds,
            estimates,
            diffs,
        }
    }

    pub fn to_csv(&self) -> Result<String, Error> {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(Vec::new());
        let io = |e: csv::Error| Error::io("compare.csv", e);
        w.write_record([
            "metric",
            "variant",
            "n",
            "mean",
            "ci95",
            "baseline",
            "diff_mean",
            "diff_ci95",
        ])
        .map_err(io)?;
        let opt = |x: Option<f64>| x.map(|v| v.to_string()).unwrap_or_default();
        for (mi, m) in self.metrics.iter().enumerate() {
            for (vi, v) in self.variants.iter().enumerate() {
                let e = &self.estimates[mi][vi];
                let d = &self.diffs[mi][vi];
                w.write_record([
                    m.key.clone(),
                    v.clone(),
                    e.n.to_string(),
                    e.mean.to_string(),
                    opt(e.ci95),
                    if d.is_some() {
                        self.variants[0].clone()
                    } else {
                        String::new()
                    },
                    opt(d.map(|d| d.mean)),
                    opt(d.and_then(|d| d.ci95)),
                ])
                .map_err(io)?;
            }
        }
        let bytes = w.into_inner().map_err(|e| Error::io("compare.csv", e))?;
        Ok(String::from_utf8(bytes).expect("CSV of UTF-8 strings"))
    }

    fn show(m: &Metric, e: &Estimate, signed: bool) -> String {
        let scale = if m.percent { 100.0 } else { 1.0 };
        let mut s = num(e.mean * scale, signed);
        if let Some(ci) = e.ci95 {
            s.push_str(&format!(" ± {}", num(ci * scale, false)));
        }
        if m.percent {
            s = format!("{s} %");
        }
        s
    }

    fn diff_header(&self, v: usize) -> String {
        format!("{} − {}", self.variants[v], self.variants[0])
    }

    /// The table as Markdown.
    pub fn to_markdown(&self) -> String {
        let mut o = String::new();
        let mut head = vec!["metric".to_string()];
        head.extend(self.variants.iter().map(|v| cell(v)));
        head.extend((1..self.variants.len()).map(|v| cell(&self.diff_header(v))));
        let _ = writeln!(o, "| {} |", head.join(" | "));
        let _ = writeln!(o, "|---|{}", "---:|".repeat(head.len() - 1));
        for (mi, m) in self.metrics.iter().enumerate() {
            let mut row = vec![cell(&m.label)];
            for e in &self.estimates[mi] {
                row.push(Self::show(m, e, false));
            }
            for d in self.diffs[mi].iter().flatten() {
                let mut s = Self::show(m, d, true);
                if significant(d) {
                    s = format!("**{s}**");
                }
                row.push(s);
            }
            let _ = writeln!(o, "| {} |", row.join(" | "));
        }
        o
    }

    /// The table as aligned text, for the terminal.
    pub fn to_text(&self) -> String {
        let mut rows: Vec<Vec<String>> = Vec::new();
        let mut head = vec!["metric".to_string()];
        head.extend(self.variants.iter().cloned());
        head.extend((1..self.variants.len()).map(|v| self.diff_header(v)));
        rows.push(head);
        for (mi, m) in self.metrics.iter().enumerate() {
            let mut row = vec![m.label.clone()];
            for e in &self.estimates[mi] {
                row.push(Self::show(m, e, false));
            }
            for d in self.diffs[mi].iter().flatten() {
                let mut s = Self::show(m, d, true);
                if significant(d) {
                    s.push_str(" *");
                }
                row.push(s);
            }
            rows.push(row);
        }
        let cols = rows[0].len();
        let width: Vec<usize> = (0..cols)
            .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
            .collect();
        let mut o = String::new();
        for r in &rows {
            let line: Vec<String> = r
                .iter()
                .enumerate()
                .map(|(c, s)| {
                    let pad = width[c] - s.chars().count();
                    if c == 0 {
                        format!("{s}{}", " ".repeat(pad))
                    } else {
                        format!("{}{s}", " ".repeat(pad))
                    }
                })
                .collect();
            let _ = writeln!(o, "{}", line.join("   ").trim_end());
        }
        o
    }
}

/// Whether a paired difference's 95% interval excludes 0.
pub fn significant(d: &Estimate) -> bool {
    d.ci95.is_some_and(|ci| d.mean.abs() > ci)
}

/// A number with 4 significant digits (at most 6 decimals), optionally
/// signed.
pub fn num(x: f64, signed: bool) -> String {
    let a = x.abs();
    let decimals = if a == 0.0 {
        0
    } else {
        (3 - libm::log10(a).floor() as i32).clamp(0, 6) as usize
    };
    let mut s = format!("{x:.decimals$}");
    if s.contains('.') {
        s = s.trim_end_matches('0').trim_end_matches('.').to_string();
    }
    let s = if s.starts_with('-')
        && s.trim_start_matches('-')
            .chars()
            .all(|c| c == '0' || c == '.')
    {
        s.trim_start_matches('-').to_string()
    } else {
        s
    };
    if signed && !s.starts_with('-') {
        format!("+{s}")
    } else {
        s.replace('-', "−")
    }
}

/// `runs.csv`: one tidy row per run: the variant, the value of every
/// parameter (`master.policy`, then each `--set` key), the seed and every
/// headline metric.
pub fn runs_csv(
    metrics: &[Metric],
    variants: &[String],
    parameters: &[String],
    values: &[Vec<String>],
    runs: &[RunRecord],
) -> Result<String, Error> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let io = |e: csv::Error| Error::io("runs.csv", e);
    let mut head = vec!["variant".to_string()];
    head.extend(parameters.iter().cloned());
    head.push("seed".to_string());
    head.extend(metrics.iter().map(|m| m.key.clone()));
    w.write_record(&head).map_err(io)?;
    for r in runs {
        let mut row = vec![variants[r.variant].clone()];
        row.extend(values[r.variant].iter().cloned());
        row.push(r.seed.to_string());
        row.extend(
            metrics
                .iter()
                .map(|m| r.value(&m.key).map(|v| v.to_string()).unwrap_or_default()),
        );
        w.write_record(&row).map_err(io)?;
    }
    let bytes = w.into_inner().map_err(|e| Error::io("runs.csv", e))?;
    Ok(String::from_utf8(bytes).expect("CSV of UTF-8 strings"))
}

/// The comparison charts, each with its file stem and what it shows.
pub const COMPARE_CHARTS: &[(&str, &str)] = &[
    (
        "compare_metrics",
        "Headline metrics per variant: mean over seeds, whiskers the 95% confidence interval of the mean (the table's paired differences are sharper: they remove the workload's variance)",
    ),
    (
        "compare_differences",
        "Paired differences from the first variant, seed by seed, as a percentage of its mean, with 95% confidence intervals: a whisker clear of 0 is a difference the seeds support",
    ),
    (
        "compare_jct_cdf",
        "Job completion time CDF per variant (completed jobs of all seeds pooled)",
    ),
    (
        "compare_wait_cdf",
        "Job wait time CDF per variant (completed jobs of all seeds pooled)",
    ),
    (
        "compare_slowdown_cdf",
        "Job slowdown CDF per variant (completed jobs of all seeds pooled)",
    ),
];

/// Writes the comparison charts into `out`; returns the files written.
pub fn write_charts(
    table: &Table,
    runs: &[RunRecord],
    title: &str,
    out: &Path,
    format: Format,
) -> Result<Vec<(PathBuf, &'static str)>, Error> {
    std::fs::create_dir_all(out).map_err(|e| Error::io(out.display(), e))?;
    let ext = format.ext();
    let mut written = Vec::new();
    for (stem, what) in COMPARE_CHARTS {
        let path = out.join(format!("{stem}.{ext}"));
        if *stem == "compare_metrics" {
            let rows = bar_metrics(table).len().div_ceil(3) as u32;
            charts::chart!(&path, format, (1200, 110 + 260 * rows), |a| draw_bars(
                a, table, title
            ))?;
        } else if *stem == "compare_differences" {
            let rows = diff_rows(table);
            if rows.is_empty() {
                continue;
            }
            let height = 150 + 46 * rows.len() as u32;
            charts::chart!(&path, format, (1200, height), |a| draw_diffs(
                a, table, &rows, title
            ))?;
        } else {
            let pick: fn(&RunRecord) -> &Vec<f64> = match *stem {
                "compare_jct_cdf" => |r| &r.jct_s,
                "compare_wait_cdf" => |r| &r.wait_s,
                _ => |r| &r.slowdown,
            };
            let base = charts::cdf_base(*stem != "compare_slowdown_cdf");
            let series: Vec<Cdf> = table
                .variants
                .iter()
                .enumerate()
                .map(|(v, label)| {
                    let values: Vec<f64> = runs
                        .iter()
                        .filter(|r| r.variant == v)
                        .flat_map(|r| pick(r).iter().copied())
                        .collect();
                    (
                        charts::cdf_label(label, &values, base),
                        values,
                        charts::color(v),
                    )
                })
                .filter(|s| !s.1.is_empty())
                .collect();
            if series.is_empty() {
                continue;
            }
            let (what_t, axis, is_time) = match *stem {
                "compare_jct_cdf" => ("Job completion time (CDF)", "completion time", true),
                "compare_wait_cdf" => (
                    "Job wait time (CDF)",
                    "wait (submission to first launch)",
                    true,
                ),
                _ => (
                    "Job slowdown (CDF)",
                    "slowdown (completion time ÷ ideal run time)",
                    false,
                ),
            };
            let t = format!("{what_t} — {title}");
            charts::chart!(&path, format, (1200, 560), |a| charts::draw_cdf(
                a, &t, axis, is_time, false, &series
            ))?;
        }
        written.push((PathBuf::from(format!("{stem}.{ext}")), *what));
    }
    Ok(written)
}

/// Rows of the differences chart: per metric whose first-variant mean is
/// not 0, the later variants' paired differences as % of that mean
/// (variant, mean, half-width of the 95% interval if any).
#[allow(clippy::type_complexity)]
fn diff_rows(t: &Table) -> Vec<(usize, Vec<(usize, f64, Option<f64>)>)> {
    bar_metrics(t)
        .into_iter()
        .filter_map(|mi| {
            let base = t.estimates[mi][0].mean.abs();
            if base == 0.0 {
                return None;
            }
            let ds: Vec<(usize, f64, Option<f64>)> = t.diffs[mi]
                .iter()
                .enumerate()
                .filter_map(|(v, d)| {
                    let d = d.as_ref()?;
                    Some((v, 100.0 * d.mean / base, d.ci95.map(|c| 100.0 * c / base)))
                })
                .collect();
            (!ds.is_empty()).then_some((mi, ds))
        })
        .collect()
}

/// A forest plot: one row per metric, for each later variant its mean
/// paired difference from the first (as % of the first's mean) with its
/// 95% interval, and a line at 0.
#[allow(clippy::type_complexity)]
fn draw_diffs<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    t: &Table,
    rows: &[(usize, Vec<(usize, f64, Option<f64>)>)],
    title: &str,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let area = titled_area(
        area,
        &format!("Paired differences from {} — {title}", t.variants[0]),
        font(charts::TITLE),
    )?;
    let entries: Vec<Entry> = (1..t.variants.len())
        .map(|v| Entry {
            label: format!("{} − {}", t.variants[v], t.variants[0]),
            color: charts::color(v),
            mark: Mark::Line,
        })
        .collect();
    let plot = charts::with_legend(&area, &entries)?;
    let (mut lo, mut hi) = (0.0f64, 0.0f64);
    for (_, ds) in rows {
        for &(_, m, ci) in ds {
            let c = ci.unwrap_or(0.0);
            lo = lo.min(m - c);
            hi = hi.max(m + c);
        }
    }
    let pad = ((hi - lo) * 0.08).max(0.5);
    let n = rows.len();
    let labels: Vec<String> = rows
        .iter()
        .map(|(mi, _)| t.metrics[*mi].label.clone())
        .collect();
    let mut chart = ChartBuilder::on(&plot)
        .margin(12)
        .x_label_area_size(50)
        .y_label_area_size(220)
        .build_cartesian_2d((lo - pad)..(hi + pad), -0.5..(n as f64 - 0.5))?;
    chart
        .configure_mesh()
        .x_desc(format!(
            "difference from {} (% of its mean), 95% confidence interval",
            t.variants[0]
        ))
        .y_labels(n.max(2) * 2 + 1)
        .y_label_formatter(&|y| {
            let i = y.round();
            if (y - i).abs() > 1e-6 || i < 0.0 || i as usize >= n {
                return String::new();
            }
            labels[n - 1 - i as usize].clone()
        })
        .x_label_formatter(&|x| format!("{}%", charts::tick(*x)))
        .disable_y_mesh()
        .label_style(font(charts::TICK))
        .axis_desc_style(font(charts::LABEL))
        .light_line_style(WHITE.mix(0.0))
        .bold_line_style(RGBColor(225, 225, 225))
        .draw()?;
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(0.0, -0.5), (0.0, n as f64 - 0.5)],
        BLACK.stroke_width(1),
    )))?;
    let nv = t.variants.len().max(2) - 1;
    for (r, (_, ds)) in rows.iter().enumerate() {
        let y0 = (n - 1 - r) as f64;
        for &(v, m, ci) in ds {
            // Later variants side by side within the row.
            let y = y0 + 0.25 * ((v - 1) as f64 - (nv - 1) as f64 / 2.0) / nv as f64;
            let c = charts::color(v);
            if let Some(ci) = ci {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(m - ci, y), (m + ci, y)],
                    c.stroke_width(2),
                )))?;
                for x in [m - ci, m + ci] {
                    chart.draw_series(std::iter::once(PathElement::new(
                        vec![(x, y - 0.12), (x, y + 0.12)],
                        c.stroke_width(2),
                    )))?;
                }
            }
            chart.draw_series(std::iter::once(Circle::new((m, y), 5, c.filled())))?;
        }
    }
    Ok(())
}

/// The metrics worth a panel: all but the utilization of resources no run
/// ever used.
fn bar_metrics(t: &Table) -> Vec<usize> {
    (0..t.metrics.len())
        .filter(|&mi| {
            !t.metrics[mi].key.starts_with("utilization.")
                || t.estimates[mi].iter().any(|e| e.mean != 0.0)
        })
        .collect()
}

/// Small multiples: one panel per metric, a bar per variant with its 95%
/// confidence interval.
fn draw_bars<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    t: &Table,
    title: &str,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let area = titled_area(
        area,
        &format!("Headline metrics, mean over seeds with 95% confidence intervals — {title}"),
        font(charts::TITLE),
    )?;
    let entries: Vec<Entry> = t
        .variants
        .iter()
        .enumerate()
        .map(|(v, l)| Entry {
            label: l.clone(),
            color: charts::color(v),
            mark: Mark::Area,
        })
        .collect();
    let plot = charts::with_legend(&area, &entries)?;
    let shown = bar_metrics(t);
    let rows = shown.len().div_ceil(3);
    let cells = plot.split_evenly((rows, 3));
    let nv = t.variants.len();
    for (&mi, cellarea) in shown.iter().zip(cells.iter()) {
        let m = &t.metrics[mi];
        let scale = if m.percent { 100.0 } else { 1.0 };
        let top = t.estimates[mi]
            .iter()
            .map(|e| (e.mean + e.ci95.unwrap_or(0.0)) * scale)
            .fold(0.0f64, f64::max);
        let bottom = t.estimates[mi]
            .iter()
            .map(|e| (e.mean - e.ci95.unwrap_or(0.0)) * scale)
            .fold(0.0f64, f64::min);
        let top = if top > 0.0 { top * 1.15 } else { 1.0 };
        let label = if m.percent {
            format!("{} (%)", m.label)
        } else {
            m.label.clone()
        };
        let mut chart = ChartBuilder::on(cellarea)
            .margin(10)
            .caption(label, font(charts::LABEL))
            .x_label_area_size(8)
            .y_label_area_size(62)
            .build_cartesian_2d(-0.5..(nv as f64 - 0.5), bottom..top)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(0)
            .label_style(font(charts::TICK))
            .y_label_formatter(&|v| charts::tick(*v))
            .light_line_style(WHITE.mix(0.0))
            .bold_line_style(RGBColor(225, 225, 225))
            .draw()?;
        for (v, e) in t.estimates[mi].iter().enumerate() {
            let x = v as f64;
            let c = charts::color(v);
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x - 0.35, 0.0), (x + 0.35, e.mean * scale)],
                c.mix(0.8).filled(),
            )))?;
            if let Some(ci) = e.ci95 {
                let (lo, hi) = ((e.mean - ci) * scale, (e.mean + ci) * scale);
                let style = BLACK.stroke_width(2);
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(x, lo), (x, hi)],
                    style,
                )))?;
                for y in [lo, hi] {
                    chart.draw_series(std::iter::once(PathElement::new(
                        vec![(x - 0.12, y), (x + 0.12, y)],
                        style,
                    )))?;
                }
            }
        }
    }
    Ok(())
}

/// The comparison's report page.
pub fn report(
    scenario: &str,
    description: &str,
    settings: &[String],
    table: &Table,
    charts: &[(PathBuf, &str)],
) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "# Comparison — {}\n", cell(scenario));
    if !description.trim().is_empty() {
        let _ = writeln!(o, "{}\n", description.trim());
    }
    for s in settings {
        let _ = writeln!(o, "- {s}");
    }
    let _ = writeln!(
        o,
        "\nEach cell: mean over seeds ± half-width of the 95% confidence interval (Student's t). \
         Differences are paired by seed (every variant sees the same workload for a seed); \
         **bold** ones have an interval that excludes 0.\n"
    );
    o.push_str(&table.to_markdown());
    o.push('\n');
    super::markdown::charts_section(&mut o, charts);
    let _ = writeln!(
        o,
        "Data: [compare.csv](compare.csv) (the table), [runs.csv](runs.csv) (every run's metrics)."
    );
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_have_four_significant_digits() {
        assert_eq!(num(0.76723, false), "0.7672");
        assert_eq!(num(718.66, false), "718.7");
        assert_eq!(num(12345.6, false), "12346");
        assert_eq!(num(0.0, true), "+0");
        assert_eq!(num(-0.01234, true), "−0.01234");
        assert_eq!(num(-0.00000001, false), "0");
        assert_eq!(num(5.0, false), "5");
        assert_eq!(num(0.0738, false), "0.0738");
    }
}
