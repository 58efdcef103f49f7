//! The outputs of `mesosim compare`: the headline table (mean and 95%
//! confidence interval per variant, paired difference against the first
//! variant) as text, CSV and Markdown; one CSV row per run; comparison
//! charts; and the report page.

use super::charts::{self, font, titled_area, Cdf, DrawResult, Entry, Format, Mark};
use super::markdown::cell;
use super::summary::Summary;
use crate::error::Error;
use crate::metrics::compare::{holm, Estimate};
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
    /// Completion times (s) of completed jobs, and of jobs unfinished at
    /// the end their time so far (censored, docs/metrics.md).
    pub jct_s: Vec<f64>,
    pub jct_censored_s: Vec<f64>,
    /// Waits (s) of jobs that started (completed or still running), and
    /// of jobs that never started their time so far (censored).
    pub wait_s: Vec<f64>,
    pub wait_censored_s: Vec<f64>,
    /// Slowdowns of completed jobs.
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
/// The fixed metric keys of [`headline`] (besides `utilization.<resource>`
/// and `schedulers.<name>.busyness`) and of [`framework_metrics`]
/// (`frameworks.<id>.<one of FRAMEWORK_METRICS>`).
pub const HEADLINE_METRICS: [&str; 14] = [
    "fairness.jain",
    "fairness.min_max_ratio",
    "fairness.drf_distance",
    "fairness.below_fair_share",
    "jobs.completed",
    "jobs.censored",
    "jobs.jct_s.mean",
    "jobs.jct_s.p90",
    "jobs.wait_s.mean",
    "jobs.wait_s.p90",
    "jobs.slowdown.mean",
    "fairness.references.asset_fair_distance",
    "fairness.references.ceei_distance",
    "schedulers.conflict_fraction",
];

/// The per-framework metric names (`frameworks.<id>.<name>`).
pub const FRAMEWORK_METRICS: [&str; 3] =
    ["tasks_finished", "dominant_share_mean", "below_fair_share"];

/// Whether `key` names a metric `compare` and `sweep` can report: one of
/// [`HEADLINE_METRICS`], `utilization.<resource>`,
/// `schedulers.<name>.busyness` or `frameworks.<id>.<FRAMEWORK_METRICS>`.
/// (Whether a run has it — a resource, a scheduler, a framework in
/// `output.compare_frameworks` — is known only from the runs.)
pub fn is_metric_key(key: &str) -> bool {
    let named = |prefix: &str, suffixes: &[&str]| {
        key.strip_prefix(prefix).is_some_and(|rest| {
            suffixes.iter().any(|s| {
                rest.strip_suffix(s)
                    .and_then(|n| n.strip_suffix('.'))
                    .is_some_and(|n| !n.is_empty())
            })
        })
    };
    HEADLINE_METRICS.contains(&key)
        || key
            .strip_prefix("utilization.")
            .is_some_and(|r| !r.is_empty() && !r.contains('.'))
        || named("schedulers.", &["busyness"])
        || named("frameworks.", &FRAMEWORK_METRICS)
}

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
    if let Some(r) = &f.references {
        out.push(m(
            "fairness.references.asset_fair_distance",
            "distance from asset-fair",
            false,
            r.asset_fair_distance,
        ));
        out.push(m(
            "fairness.references.ceei_distance",
            "distance from CEEI",
            false,
            r.ceei_distance,
        ));
    }
    // Monolithic and shared-state runs, and two-level ones with
    // `output.schedulers`: each scheduler's busyness, and the fraction of
    // all transactions that conflicted.
    if !s.schedulers.is_empty() {
        for sch in &s.schedulers {
            out.push((
                Metric {
                    key: format!("schedulers.{}.busyness", sch.name),
                    label: format!("{}: scheduler busyness", sch.name),
                    percent: true,
                },
                sch.busyness,
            ));
        }
        let (c, t) = s
            .schedulers
            .iter()
            .fold((0, 0), |(c, t), x| (c + x.conflicts, t + x.transactions));
        out.push(m(
            "schedulers.conflict_fraction",
            "conflict fraction",
            true,
            if t == 0 { 0.0 } else { c as f64 / t as f64 },
        ));
    }
    out
}

/// The metrics of the frameworks `output.compare_frameworks` names (in
/// that order): tasks finished, mean dominant share, time below fair share.
pub fn framework_metrics(s: &Summary, ids: &[String]) -> Vec<(Metric, f64)> {
    let mut out = Vec::new();
    for f in ids
        .iter()
        .filter_map(|id| s.frameworks.iter().find(|f| &f.id == id))
    {
        let metric = |key: &str, label: &str, percent: bool| Metric {
            key: format!("frameworks.{}.{key}", f.id),
            label: format!("{}: {label}", f.id),
            percent,
        };
        out.push((
            metric("tasks_finished", "tasks finished", false),
            f.tasks_finished as f64,
        ));
        out.push((
            metric("dominant_share_mean", "mean dominant share", true),
            f.dominant_share_mean,
        ));
        out.push((
            metric("below_fair_share", "time below fair share", true),
            f.below_fair_share,
        ));
    }
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
    /// `[metric][variant]`: whether the difference is significant at 5%
    /// after Holm–Bonferroni over the metrics of its column (the family is
    /// every metric of the table with a p-value).
    pub significant: Vec<Vec<bool>>,
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
        let mut significant = vec![vec![false; nv]; metrics.len()];
        for v in 1..nv {
            let ps: Vec<Option<f64>> = diffs
                .iter()
                .map(|row: &Vec<Option<Estimate>>| row[v].and_then(|d| d.p_value()))
                .collect();
            for (mi, s) in holm(&ps, 0.05).into_iter().enumerate() {
                significant[mi][v] = s;
            }
        }
        Table {
            metrics,
            variants,
            seeds,
            estimates,
            diffs,
            significant,
        }
    }

    /// How many metrics each difference column tests (its Holm family).
    pub fn family_size(&self) -> usize {
        (1..self.variants.len())
            .map(|v| {
                self.diffs
                    .iter()
                    .filter(|row| row[v].and_then(|d| d.p_value()).is_some())
                    .count()
            })
            .max()
            .unwrap_or(0)
    }

    /// The legend under the table.
    pub fn legend(&self) -> String {
        format!(
            "mean ± 95% CI over seeds; differences paired by seed; pt = percentage points;\n \
             * = significant at 5% after Holm–Bonferroni over the {} metrics of each column",
            self.family_size()
        )
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
            "diff_p",
            "diff_significant_holm",
        ])
        .map_err(io)?;
        let opt = |x: Option<f64>| x.map(|v| v.to_string()).unwrap_or_default();
        for (mi, m) in self.metrics.iter().enumerate() {
            for (vi, v) in self.variants.iter().enumerate() {
                let e = &self.estimates[mi][vi];
                // A difference over no paired seed is no difference: empty,
                // as a mean over no run is.
                let d = &self.diffs[mi][vi].filter(|d| d.n > 0);
                let paired = self.diffs[mi][vi].is_some();
                w.write_record([
                    m.key.clone(),
                    v.clone(),
                    e.n.to_string(),
                    if e.n > 0 {
                        e.mean.to_string()
                    } else {
                        String::new()
                    },
                    opt(e.ci95),
                    if paired {
                        self.variants[0].clone()
                    } else {
                        String::new()
                    },
                    opt(d.map(|d| d.mean)),
                    opt(d.and_then(|d| d.ci95)),
                    opt(d.and_then(|d| d.p_value())),
                    if d.is_some() {
                        self.significant[mi][vi].to_string()
                    } else {
                        String::new()
                    },
                ])
                .map_err(io)?;
            }
        }
        let bytes = w.into_inner().map_err(|e| Error::io("compare.csv", e))?;
        Ok(String::from_utf8(bytes).expect("CSV of UTF-8 strings"))
    }

    /// A cell: mean ± interval with `decimals` decimals for both (from
    /// [`decimals_for`]), `%` for percentages, `pt` (percentage points) for
    /// differences of percentages.
    fn show(m: &Metric, e: &Estimate, signed: bool, decimals: Option<usize>) -> String {
        // No value: the variant's runs lack the metric (a scheduler's
        // busyness without `output.schedulers`, conflicts outside
        // shared-state), or no seed is paired.
        if e.n == 0 {
            return "—".into();
        }
        let scale = if m.percent { 100.0 } else { 1.0 };
        let mut s = match decimals {
            Some(d) => fixed(e.mean * scale, d, signed),
            None => num(e.mean * scale, signed),
        };
        if let Some(ci) = e.ci95 {
            let c = match decimals {
                Some(d) => fixed(ci * scale, d, false),
                None => num(ci * scale, false),
            };
            s.push_str(&format!(" ± {c}"));
        }
        if m.percent {
            s.push_str(if signed { " pt" } else { " %" });
        }
        s
    }

    /// The decimals of a row of estimates: enough for two significant
    /// digits of the narrowest interval (`None` when no interval is > 0:
    /// four significant digits then).
    fn row_decimals(m: &Metric, es: &[&Estimate]) -> Option<usize> {
        let scale = if m.percent { 100.0 } else { 1.0 };
        es.iter()
            .filter_map(|e| e.ci95.filter(|c| *c > 0.0).map(|c| decimals_for(c * scale)))
            .max()
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
            row.extend(self.cells(mi).into_iter().map(|(s, star)| {
                if star {
                    format!("**{s}** \\*")
                } else {
                    s
                }
            }));
            let _ = writeln!(o, "| {} |", row.join(" | "));
        }
        o
    }

    /// A row's cells after the label: each variant's estimate (one number
    /// of decimals for the row), then each difference (its own decimals)
    /// and whether it is significant after Holm–Bonferroni.
    fn cells(&self, mi: usize) -> Vec<(String, bool)> {
        let m = &self.metrics[mi];
        let es: Vec<&Estimate> = self.estimates[mi].iter().collect();
        let dec = Self::row_decimals(m, &es);
        let mut out: Vec<(String, bool)> = es
            .iter()
            .map(|e| (Self::show(m, e, false, dec), false))
            .collect();
        for (v, d) in self.diffs[mi].iter().enumerate() {
            if let Some(d) = d {
                let dd = Self::row_decimals(m, &[d]);
                out.push((Self::show(m, d, true, dd), self.significant[mi][v]));
            }
        }
        out
    }

    /// The table as aligned text, for the terminal. Wider than 100 columns
    /// with the variants' names as headers (long `--set` labels), the
    /// columns are headed A, B, … and a key follows the table.
    pub fn to_text(&self) -> String {
        let full = self.text_with(&self.variants);
        let widest = full.lines().map(|l| l.chars().count()).max().unwrap_or(0);
        if widest <= 100 || self.variants.len() > 26 {
            return full;
        }
        let letters: Vec<String> = (0..self.variants.len())
            .map(|i| char::from(b'A' + i as u8).to_string())
            .collect();
        let mut o = self.text_with(&letters);
        for (l, v) in letters.iter().zip(&self.variants) {
            let _ = writeln!(o, "  {l} = {v}");
        }
        o
    }

    fn text_with(&self, names: &[String]) -> String {
        let mut rows: Vec<Vec<String>> = Vec::new();
        let mut head = vec!["metric".to_string()];
        head.extend(names.iter().cloned());
        head.extend((1..names.len()).map(|v| format!("{} − {}", names[v], names[0])));
        rows.push(head);
        for (mi, m) in self.metrics.iter().enumerate() {
            let mut row = vec![m.label.clone()];
            row.extend(
                self.cells(mi)
                    .into_iter()
                    .map(|(s, star)| if star { format!("{s} *") } else { s }),
            );
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

/// Decimals that show `ci` (> 0) with two significant digits (at most 6).
pub fn decimals_for(ci: f64) -> usize {
    (1 - libm::log10(ci).floor() as i32).clamp(0, 6) as usize
}

/// `x` with exactly `decimals` decimals, optionally signed, `−` for minus,
/// never `−0`.
pub fn fixed(x: f64, decimals: usize, signed: bool) -> String {
    let s = format!("{x:.decimals$}");
    let zero = s
        .trim_start_matches('-')
        .chars()
        .all(|c| c == '0' || c == '.');
    let s = if zero {
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
        "Paired differences from the first variant, seed by seed, as a percentage of its mean (relative, where the table gives absolute differences; with two variants each row's label repeats the table's), with per-metric 95% confidence intervals (the table's * also corrects for testing many metrics)",
    ),
    (
        "compare_jct_cdf",
        "Job completion time CDF per variant: Kaplan–Meier over the jobs of all seeds pooled, unfinished jobs censored at their time so far (a dot marks where a curve stops below 1: its longest jobs were unfinished)",
    ),
    (
        "compare_wait_cdf",
        "Job wait time CDF per variant: Kaplan–Meier over the jobs of all seeds pooled, unfinished jobs censored at their time so far (a dot marks where a curve stops below 1: its longest jobs were unfinished)",
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
    crate::report::outdir::make_dir(out)?;
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
            #[allow(clippy::type_complexity)]
            let pick: fn(&RunRecord) -> (&[f64], &[f64]) = match *stem {
                "compare_jct_cdf" => |r| (&r.jct_s, &r.jct_censored_s),
                "compare_wait_cdf" => |r| (&r.wait_s, &r.wait_censored_s),
                _ => |r| (&r.slowdown, &[]),
            };
            let base = charts::cdf_base(*stem != "compare_slowdown_cdf");
            let series: Vec<Cdf> = table
                .variants
                .iter()
                .enumerate()
                .map(|(v, label)| {
                    let of = || runs.iter().filter(|r| r.variant == v).map(pick);
                    let observed: Vec<f64> = of().flat_map(|p| p.0.iter().copied()).collect();
                    let censored: Vec<f64> = of().flat_map(|p| p.1.iter().copied()).collect();
                    Cdf::new(label, observed, censored, charts::color(v), base)
                })
                .filter(|s| !s.observed.is_empty() || !s.censored.is_empty())
                .collect();
            if series.iter().all(|c| c.observed.is_empty()) {
                continue;
            }
            let (what_t, axis, is_time) = match *stem {
                "compare_jct_cdf" => (
                    "Job completion time (CDF, unfinished jobs censored)",
                    "completion time",
                    true,
                ),
                "compare_wait_cdf" => (
                    "Job wait time (CDF, unfinished jobs censored)",
                    "wait (submission to first launch)",
                    true,
                ),
                _ => (
                    "Job slowdown (CDF, completed jobs)",
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
                    // No paired seeds (a variant without the metric): no dot.
                    let d = d.as_ref().filter(|d| d.n > 0)?;
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
    // With one comparison, each row also says the table's absolute
    // difference, so the chart's relative scale and the table's points read
    // as one (+5.93 pt in the table is +42% of the first's mean here).
    let single = t.variants.len() == 2;
    let labels: Vec<String> = rows
        .iter()
        .map(|(mi, _)| {
            let m = &t.metrics[*mi];
            match t.diffs[*mi].get(1).copied().flatten() {
                Some(d) if single => {
                    let dec = Table::row_decimals(m, &[&d]);
                    let star = if t.significant[*mi][1] { " *" } else { "" };
                    format!("{}: {}{star}", m.label, Table::show(m, &d, true, dec))
                }
                _ => m.label.clone(),
            }
        })
        .collect();
    let mut chart = ChartBuilder::on(&plot)
        .margin(12)
        .x_label_area_size(50)
        .y_label_area_size(if single { 400 } else { 220 })
        .build_cartesian_2d((lo - pad)..(hi + pad), -0.5..(n as f64 - 0.5))?;
    chart
        .configure_mesh()
        .x_desc(format!(
            "difference from {} as % of its mean, 95% confidence interval{}",
            t.variants[0],
            if single {
                " (labels: the table's absolute difference, * as in the table)"
            } else {
                ""
            }
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
        // A variant without the metric (n = 0) gets no bar, and "n/a".
        let top = t.estimates[mi]
            .iter()
            .filter(|e| e.n > 0)
            .map(|e| (e.mean + e.ci95.unwrap_or(0.0)) * scale)
            .fold(0.0f64, f64::max);
        let bottom = t.estimates[mi]
            .iter()
            .filter(|e| e.n > 0)
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
            if e.n == 0 {
                chart.draw_series(std::iter::once(Text::new(
                    "n/a",
                    (x - 0.15, bottom + (top - bottom) * 0.05),
                    font(charts::TICK),
                )))?;
                continue;
            }
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
         Differences are paired by seed (every variant sees the same workload for a seed), \
         in percentage points (pt) for percentages; **bold** ones marked \\* are significant at \
         5% after Holm–Bonferroni over the {} metrics of their column (each ± interval is \
         per metric: one can exclude 0 without its difference being significant).\n",
        table.family_size()
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

    fn metric(percent: bool) -> Metric {
        Metric {
            key: "m".into(),
            label: "m".into(),
            percent,
        }
    }

    #[test]
    fn a_cell_shows_the_digits_its_interval_supports() {
        // 77.63 ± 0.3461 % was the complaint: two significant digits of the
        // interval, the mean to the same decimals.
        let e = Estimate {
            n: 10,
            mean: 0.77634,
            ci95: Some(0.003461),
        };
        let m = metric(true);
        let d = Table::row_decimals(&m, &[&e]);
        assert_eq!(d, Some(2));
        assert_eq!(Table::show(&m, &e, false, d), "77.63 ± 0.35 %");
        // A difference of percentages is in points.
        assert_eq!(Table::show(&m, &e, true, d), "+77.63 ± 0.35 pt");
        // The row's narrowest interval sets the decimals of every cell.
        let wide = Estimate {
            n: 10,
            mean: 769.21,
            ci95: Some(18.13),
        };
        let narrow = Estimate {
            n: 10,
            mean: 773.0,
            ci95: Some(1.811),
        };
        let m = metric(false);
        let d = Table::row_decimals(&m, &[&wide, &narrow]);
        assert_eq!(d, Some(1));
        assert_eq!(Table::show(&m, &wide, false, d), "769.2 ± 18.1");
        assert_eq!(Table::show(&m, &narrow, false, d), "773.0 ± 1.8");
        assert_eq!(fixed(-0.00004, 3, true), "+0.000");
        assert_eq!(fixed(-1.5, 1, false), "−1.5");
        assert_eq!(decimals_for(0.0038), 4);
        assert_eq!(decimals_for(25.0), 0);
    }

    fn run(variant: usize, seed: u64, values: &[f64]) -> RunRecord {
        RunRecord {
            variant,
            seed,
            values: values
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    (
                        Metric {
                            key: format!("m{i}"),
                            label: format!("metric number {i}"),
                            percent: false,
                        },
                        *v,
                    )
                })
                .collect(),
            jct_s: Vec::new(),
            jct_censored_s: Vec::new(),
            wait_s: Vec::new(),
            wait_censored_s: Vec::new(),
            slowdown: Vec::new(),
        }
    }

    /// Three metrics, paired differences with t = 24.5, 3.70 and −0.4 on 3
    /// degrees of freedom (p ≈ 0.0002, 0.034, 0.7): per metric two
    /// intervals exclude 0, after Holm only the first is significant
    /// (0.034 > 0.05 / 2).
    #[test]
    fn holm_marks_fewer_than_the_per_metric_intervals() {
        let base = [
            [10.0, 5.0, 1.0],
            [11.0, 6.0, 2.0],
            [12.0, 5.5, 1.5],
            [13.0, 6.5, 2.5],
        ];
        let shift = [
            [1.0, 0.6, 0.3],
            [1.1, 0.1, -0.4],
            [0.9, 0.5, 0.1],
            [1.0, 0.4, -0.2],
        ];
        let mut runs = Vec::new();
        for (k, b) in base.iter().enumerate() {
            runs.push(run(0, k as u64, b));
        }
        for (k, (b, d)) in base.iter().zip(&shift).enumerate() {
            let v: Vec<f64> = b.iter().zip(d).map(|(x, y)| x + y).collect();
            runs.push(run(1, k as u64, &v));
        }
        let metrics = metric_union(&runs);
        let t = Table::build(
            metrics,
            vec!["a".into(), "b".into()],
            vec![0, 1, 2, 3],
            &runs,
        );
        let ci_excludes_0: Vec<bool> = t
            .diffs
            .iter()
            .map(|r| r[1].is_some_and(|d| d.mean.abs() > d.ci95.unwrap()))
            .collect();
        assert_eq!(ci_excludes_0, [true, true, false]);
        let ps: Vec<f64> = t
            .diffs
            .iter()
            .map(|r| r[1].unwrap().p_value().unwrap())
            .collect();
        assert!(
            ps[0] < 0.001 && ps[1] > 0.025 && ps[1] < 0.05 && ps[2] > 0.3,
            "{ps:?}"
        );
        let sig: Vec<bool> = t.significant.iter().map(|r| r[1]).collect();
        assert_eq!(sig, [true, false, false]);
        assert_eq!(t.family_size(), 3);
        let text = t.to_text();
        assert_eq!(text.matches(" *").count(), 1, "{text}");
        assert!(t
            .legend()
            .contains("Holm–Bonferroni over the 3 metrics of each column"));
    }

    #[test]
    fn a_wide_terminal_table_names_its_columns_by_letter() {
        let long = "master.allocation_interval=1s, frameworks.spark.max_tasks_per_offer=8";
        let runs = vec![run(0, 1, &[1.0]), run(1, 1, &[2.0])];
        let t = Table::build(
            metric_union(&runs),
            vec![long.into(), long.replace("=1s", "=5s")],
            vec![1],
            &runs,
        );
        let text = t.to_text();
        assert!(text.lines().all(|l| l.chars().count() <= 100), "{text}");
        assert!(text.contains("B − A"), "{text}");
        assert!(text.contains(&format!("  A = {long}")), "{text}");
    }

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
