//! `report.md`: one page a code-hosting site renders as is — the headline
//! numbers as tables, then the charts as images.

use super::summary::Summary;
use crate::sim::time::format_secs;
use std::fmt::Write;
use std::path::PathBuf;

/// A Markdown table cell: pipes escaped, no line breaks.
pub fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

fn secs(x: f64) -> String {
    if x >= 100.0 {
        format!("{x:.0} s")
    } else {
        format!("{x:.2} s")
    }
}

fn per_resource(m: &super::summary::ResMap) -> String {
    if m.0.is_empty() {
        return "–".into();
    }
    m.0.iter()
        .map(|(k, v)| format!("{} {}", cell(k), pct(*v)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The run's report. `charts` are paths relative to the results folder,
/// with what each shows.
pub fn run_report(s: &Summary, description: &str, charts: &[(PathBuf, &str)]) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "# {} — policy {}, seed {}\n",
        cell(&s.scenario),
        cell(&s.policy),
        s.seed
    );
    if !description.trim().is_empty() {
        let _ = writeln!(o, "{}\n", description.trim());
    }
    let end = s.end_time_s.0;
    let (from, to) = (s.window.from_s.0, s.window.to_s.0);
    let window = if from == 0 && to == end {
        "the whole run".to_string()
    } else {
        format!("{} s to {} s", format_secs(from), format_secs(to))
    };
    let _ = writeln!(
        o,
        "Simulated {} s ({} events, {} allocation runs), mesosim {}. Metrics cover {}.\n",
        format_secs(end),
        s.events,
        s.allocation_runs,
        s.version,
        window
    );
    let j = &s.jobs;
    let t = |x: &super::summary::Times| {
        format!(
            "{}{} / {}{} / {}{} / {}{}",
            x.mark("mean"),
            secs(x.mean.0 / 1e6),
            x.mark("p50"),
            secs(x.p50.0 as f64 / 1e6),
            x.mark("p90"),
            secs(x.p90.0 as f64 / 1e6),
            x.mark("p99"),
            secs(x.p99.0 as f64 / 1e6)
        )
    };
    // Jobs unfinished at the end make times lower bounds: say how many.
    let has_times = j.completed + j.censored > 0;
    let rows: Vec<(&str, String)> = vec![
        (
            "Utilization (allocated ÷ total)",
            per_resource(&s.utilization),
        ),
        ("Used ÷ total", per_resource(&s.used)),
        ("Offered but idle ÷ total", per_resource(&s.offered_idle)),
        (
            "Jain's index (weighted dominant shares)",
            format!("{:.3}", s.fairness.jain),
        ),
        (
            "Min/max share ratio",
            format!("{:.3}", s.fairness.min_max_ratio),
        ),
        (
            "Distance from the ideal DRF allocation",
            format!("{:.3}", s.fairness.drf_distance),
        ),
        (
            "Time below fair share, of the time with pending work (all frameworks)",
            pct(s.fairness.below_fair_share),
        ),
        (
            "Jobs completed / submitted",
            if j.censored > 0 {
                format!(
                    "{} / {} ({} unfinished at the end)",
                    j.completed, j.submitted, j.censored
                )
            } else {
                format!("{} / {}", j.completed, j.submitted)
            },
        ),
        // Completed jobs, and unfinished ones censored at the end (≥).
        (
            "Completion time mean / p50 / p90 / p99",
            if has_times { t(&j.jct_s) } else { "–".into() },
        ),
        (
            "Wait mean / p50 / p90 / p99",
            if has_times {
                t(&j.wait_s)
            } else {
                "–".into()
            },
        ),
        (
            "Slowdown mean / p50 / p90 / p99",
            if j.completed > 0 {
                format!(
                    "{:.2} / {:.2} / {:.2} / {:.2}",
                    j.slowdown.mean, j.slowdown.p50, j.slowdown.p90, j.slowdown.p99
                )
            } else {
                "–".into()
            },
        ),
        (
            "Offers made / accepted / declined / rescinded",
            format!(
                "{} / {} / {} / {}",
                s.offers.made, s.offers.accepted, s.offers.declined, s.offers.rescinded
            ),
        ),
        (
            "Offer-to-launch latency (mean)",
            secs(s.offers.to_launch_mean_s.0 / 1e6),
        ),
    ];
    let _ = writeln!(o, "| metric | value |\n|---|---|");
    for (k, v) in rows {
        let _ = writeln!(o, "| {k} | {v} |");
    }
    let _ = writeln!(o);
    if !s.frameworks.is_empty() {
        let _ = writeln!(
            o,
            "| framework | role | mean dominant share | time with pending work | below fair share (of it) | jobs done | mean completion | mean wait | offers accepted / received |\n|---|---|---:|---:|---:|---:|---:|---:|---:|"
        );
        for f in &s.frameworks {
            let g = j
                .by_framework
                .iter()
                .find(|g| g.framework.as_deref() == Some(&f.id));
            let (done, jct, wait) = match g {
                Some(g) if g.completed + g.censored > 0 => (
                    format!("{} / {}", g.completed, g.submitted),
                    format!("{}{}", g.jct_s.mark("mean"), secs(g.jct_s.mean.0 / 1e6)),
                    format!("{}{}", g.wait_s.mark("mean"), secs(g.wait_s.mean.0 / 1e6)),
                ),
                Some(g) => (format!("0 / {}", g.submitted), "–".into(), "–".into()),
                None => ("–".into(), "–".into(), "–".into()),
            };
            let _ = writeln!(
                o,
                "| {} | {} | {:.3} | {} | {} | {} | {} | {} | {} / {} |",
                cell(&f.id),
                cell(&f.role),
                f.dominant_share_mean,
                secs(f.pending_time_s.0 as f64 / 1e6),
                pct(f.below_fair_share),
                done,
                jct,
                wait,
                f.offers_accepted,
                f.offers_received
            );
        }
        let _ = writeln!(o);
    }
    if !j.by_class.is_empty() {
        let _ = writeln!(
            o,
            "| job class | jobs done | mean completion | p90 completion | mean slowdown |\n|---|---:|---:|---:|---:|"
        );
        for g in &j.by_class {
            let (mean, p90, slowdown) = if g.completed + g.censored > 0 {
                (
                    format!("{}{}", g.jct_s.mark("mean"), secs(g.jct_s.mean.0 / 1e6)),
                    format!(
                        "{}{}",
                        g.jct_s.mark("p90"),
                        secs(g.jct_s.p90.0 as f64 / 1e6)
                    ),
                    if g.completed > 0 {
                        format!("{:.2}", g.slowdown.mean)
                    } else {
                        "–".into()
                    },
                )
            } else {
                ("–".into(), "–".into(), "–".into())
            };
            let _ = writeln!(
                o,
                "| {} | {} / {} | {} | {} | {} |",
                cell(g.class.as_deref().unwrap_or("")),
                g.completed,
                g.submitted,
                mean,
                p90,
                slowdown
            );
        }
        let _ = writeln!(o);
    }
    if !s.warnings.is_empty() {
        let _ = writeln!(o, "**Warnings**\n");
        for w in &s.warnings {
            let _ = writeln!(o, "- {}", cell(w));
        }
        let _ = writeln!(o);
    }
    charts_section(&mut o, charts);
    let _ = writeln!(
        o,
        "Data: [summary.json](summary.json), [timeseries.csv](timeseries.csv), \
         [shares.csv](shares.csv), [roles.csv](roles.csv), [fairness.csv](fairness.csv), \
         [offers.csv](offers.csv), [jobs.csv](jobs.csv). Definitions: docs/metrics.md in mesosim."
    );
    o
}

pub fn charts_section(o: &mut String, charts: &[(PathBuf, &str)]) {
    for (path, what) in charts {
        let p = path.to_string_lossy().replace('\\', "/");
        let _ = writeln!(o, "![{}]({})\n", cell(what), p);
        let _ = writeln!(o, "*{}*\n", cell(what));
    }
}
